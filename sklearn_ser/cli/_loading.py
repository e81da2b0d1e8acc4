"""Options of how clips are loaded and labelled: window, level, label names."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._errors import UserError


class DeprecatedAlias(argparse.Action):
    """Store a value; say on stderr when an old option name was used."""

    def __init__(self, *args, deprecated: tuple[str, ...] = (), **kwargs):
        self.deprecated = deprecated
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string in self.deprecated:
            print(
                f"sklearn-ser: warning: {option_string} is deprecated and will be "
                f"removed; use {self.option_strings[0]}",
                file=sys.stderr,
            )
        setattr(namespace, self.dest, values)


def add_label_options(parser: argparse.ArgumentParser) -> None:
    """``--label-map`` and ``--keep-labels`` (folder corpora)."""
    parser.add_argument(
        "--label-map",
        metavar="FILE|FOUND=LABEL,...",
        help="with --dataset folder: rename labels, e.g. 'Angry=angry,Ps=surprised', "
        "or a file holding a JSON object or one FOUND=LABEL per line; labels it "
        "does not name are mapped to the canonical emotions when they spell one "
        "(Anger, happiness, fear, ...)",
    )
    parser.add_argument(
        "--keep-labels",
        action="store_true",
        help="with --dataset folder: keep the labels as found (no mapping of "
        "spellings such as Angry or happiness to the canonical emotions)",
    )


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """``--offset``, ``--duration`` and ``--level-norm`` of every recipe's loader."""
    parser.add_argument(
        "--offset",
        type=float,
        default=None,
        help="start of the window read from each clip, in seconds (default: "
        "each recipe's, 0.5 for most)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="length of the window read from each clip, in seconds, zero-padded "
        "after a shorter clip (default: each recipe's, 3.0); e.g. 1.5 for corpora "
        "of ~2 s clips such as TESS",
    )
    parser.add_argument(
        "--level-norm",
        choices=("rms", "peak"),
        default=None,
        help="scale each clip to one level before features: 'rms' (-20 dBFS) or "
        "'peak' (0 dBFS); helps where speakers were recorded at very different "
        "levels, removes loudness cues of emotion (default: as recorded)",
    )


def parse_label_map(text: str | None) -> dict[str, str] | None:
    """``--label-map``'s pairs, from the argument itself or from the file it names."""
    if text is None:
        return None
    path = Path(text)
    if path.is_file():
        content = path.read_text()
        try:
            mapping = json.loads(content)
        except ValueError:
            mapping = _pairs(content.splitlines(), f"--label-map file {text}")
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise UserError(
                f"--label-map file {text} holds JSON that is not an object of "
                'label names, e.g. {"Angry": "angry"}'
            )
        return mapping
    if "=" not in text:
        raise UserError(
            f"--label-map {text!r} is neither a file nor FOUND=LABEL pairs "
            "separated by commas, e.g. 'Angry=angry,Ps=surprised'"
        )
    return _pairs(text.split(","), "--label-map")


def _pairs(items, where: str) -> dict[str, str]:
    mapping = {}
    for item in items:
        if not item.strip() or item.lstrip().startswith("#"):
            continue
        found, sep, label = item.partition("=")
        if not sep or not found.strip() or not label.strip():
            raise UserError(
                f"{where}: {item.strip()!r} is not FOUND=LABEL, e.g. Angry=angry"
            )
        mapping[found.strip()] = label.strip()
    return mapping


def check_window_options(args) -> None:
    """Refuse a window no loader can read, naming the flag."""
    if args.offset is not None and args.offset < 0:
        raise UserError(f"--offset must be >= 0 seconds; got {args.offset}")
    if args.duration is not None and args.duration <= 0:
        raise UserError(f"--duration must be > 0 seconds; got {args.duration}")


def loader_overrides(args) -> dict:
    """``set_params`` of each recipe's loading step (``load``) for the options."""
    return {
        f"load__{name}": value
        for name, value in (
            ("offset", args.offset),
            ("duration", args.duration),
            ("normalize", args.level_norm),
        )
        if value is not None
    }


def window_note(args) -> str:
    """The loading window and level for the results header."""
    if args.offset is None and args.duration is None:
        window = "each recipe's loading window"
    else:
        offset = "recipe's offset" if args.offset is None else f"from {args.offset} s"
        duration = (
            "recipe's duration" if args.duration is None else f"{args.duration} s"
        )
        window = f"loading window {duration} {offset}"
    level = f", {args.level_norm} level normalisation" if args.level_norm else ""
    return window + level
