"""Regenerate the reproduction report, ``docs/reproduction.md``.

Every recipe is cross-validated on each available real corpus twice: under
the protocol its paper used (repeated random splits over clips, so the same
speakers are in training and test) and under the speaker-independent
protocol. The page compares both with the number the paper reports. With
``--tune`` each recipe that has a grid is also run with its hyperparameters
chosen by an inner speaker-grouped search on the training folds. A learning
curve over the number of training speakers measures how each model's
speaker-independent score grows with data. ``svm`` and ``attentive_crnn``
are also run with per-speaker normalisation (transductive, in a table of
its own), ``attentive_crnn`` with per-clip normalisation, each deep row
is compared with its score before the training fixes
(``reproduction_before.json``), and ``--ablation`` switches
``attentive_crnn``'s training options off one at a time. Each run's JSON and
figures go to ``--out``.

Usage::

    python benchmarks/reproduce.py --quick   # CPU budget, every recipe: hours, 2 cores
    python benchmarks/reproduce.py           # paper budget, meant for a GPU
    python benchmarks/reproduce.py --quick --recipes svm,stacked_lstm:paper
    python benchmarks/reproduce.py --quick --no-paper-protocols --ablation

A recipe written ``name:paper`` or ``name:cpu`` runs at that budget whatever
the default; every row says which budget it used. Finished runs are cached
under ``--out``, keyed by the run, the clips, the seed, the library's version
and the source of the ``sklearn_ser`` modules that the run executes, so a
second call recomputes only the runs whose code or data changed; delete
``--out`` to start afresh.

This script parses the command line; ``_reproduce_runs.py`` plans, runs and
caches the experiments and ``_reproduce_page.py`` renders the page.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

# Run as a script, this folder is on sys.path; imported by path (the tests),
# it is added so that the sibling modules are found.
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _reproduce_page import render_report, with_section  # noqa: E402
from _reproduce_runs import (  # noqa: E402
    ABLATION_RECIPE,
    ABLATIONS,
    CLIP_NORMALISED_RECIPES,
    CORPORA,
    CURVE_RECIPES,
    NORMALISED_RECIPES,
    QUICK_TUNED,
    Row,
    plan_tasks,
    run_all,
)

from sklearn_ser.recipes import BUDGETS, DEFAULT_ENCODER, RECIPES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

#: The checkpoint the encoder_* rows use by default: the real Whisper tiny.en
#: next to the data, or the hub id where it is absent.
SHARED_ENCODER = DEFAULT_DATA.parent / "models" / "whisper-tiny"

DEFAULT_REPORT = REPO / "docs" / "reproduction.md"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    start = time.perf_counter()
    datasets, skipped = {}, []
    for corpus in CORPORA:
        root = args.data / corpus.folder
        if root.is_dir():
            datasets[corpus.key] = (corpus, corpus.loader(root), root)
        else:
            message = f"{corpus.title}: folder {root} not found; corpus skipped."
            print(message, file=sys.stderr)
            skipped.append(message)
    if not datasets:
        print(f"No corpus found below {args.data}; nothing to report.", file=sys.stderr)
        return 1
    tasks = plan_tasks(args, datasets)
    found, args.n_cached = run_all(tasks, datasets, args.out, args.jobs)
    elapsed = time.perf_counter() - start
    command = "python benchmarks/reproduce.py " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(command.strip(), args, datasets, found, elapsed, skipped)
    if args.section:
        page = args.report.read_text() if args.report.is_file() else ""
        text = with_section(page, args.section, text)
    args.report.write_text(text)
    print(text)
    print(f"Wrote {args.report} and the JSON results under {args.out}.")
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CPU budget for every recipe, and tuned rows for "
        + ", ".join(QUICK_TUNED),
    )
    parser.add_argument(
        "--recipes",
        default=None,
        help="comma-separated recipe names, each optionally with :cpu or :paper "
        "(default: all)",
    )
    parser.add_argument(
        "--tune",
        nargs="?",
        const="all",
        default=None,
        metavar="RECIPES",
        help="also run these recipes (comma-separated; alone: every requested "
        "recipe with a grid) with hyperparameters tuned by inner speaker-grouped "
        "CV, at the run's budget; names that --recipes does not request are "
        "ignored (default: " + ",".join(QUICK_TUNED) + " with --quick, none otherwise)",
    )
    parser.add_argument(
        "--no-tune",
        action="store_const",
        const="",
        dest="tune",
        help="no tuned rows",
    )
    switches = {
        "--curve": (
            True,
            "learning curve over training speakers on RAVDESS for those of "
            + ", ".join(CURVE_RECIPES)
            + " requested",
        ),
        "--speaker-norm": (
            True,
            "also run "
            + ", ".join(NORMALISED_RECIPES)
            + " with per-speaker normalisation (transductive; speaker-independent "
            "protocol only)",
        ),
        "--clip-norm": (
            True,
            "also run "
            + ", ".join(CLIP_NORMALISED_RECIPES)
            + " with each clip's mean over its frames removed (ClipNormalizer; "
            "inductive; speaker-independent protocol only)",
        ),
        "--ablation": (
            False,
            f"also run {ABLATION_RECIPE} on RAVDESS speaker-independently with "
            "each of its training options (" + ", ".join(ABLATIONS) + ") switched "
            "off in turn (about 4 times the recipe's own cost)",
        ),
    }
    for flag, (default, text) in switches.items():
        parser.add_argument(
            flag,
            action=argparse.BooleanOptionalAction,
            default=default,
            help=f"{text} (default: {'on' if default else 'off'})",
        )
    parser.add_argument(
        "--paper-protocols",
        nargs="?",
        const="all",
        default="all",
        metavar="RECIPES",
        help="run these recipes (comma-separated; alone or by default: every "
        "requested recipe) under their paper's protocol as well as the "
        "speaker-independent one; the others' paper-protocol columns read "
        "'not run'",
    )
    parser.add_argument(
        "--no-paper-protocols",
        action="store_const",
        const="",
        dest="paper_protocols",
        help="speaker-independent protocol only",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding ravdess-speech/ and tess/ (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmark_results" / "reproduction",
        help="folder for each run's JSON and figures, and the feature cache "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--folds-random",
        type=int,
        default=5,
        help="repetitions of the papers' random splits (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="benchmark runs in parallel processes, one torch thread each "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--encoder",
        default=str(SHARED_ENCODER) if SHARED_ENCODER.is_dir() else DEFAULT_ENCODER,
        help="pretrained encoder (folder or hub id) of the recipes that take one "
        "(default: %(default)s); their runs are keyed by its weights' SHA-256",
    )
    parser.add_argument(
        "--section",
        metavar="TITLE",
        default=None,
        help="write this call's tables as a section of that title into the "
        "existing --report, replacing the section of the same title if there is "
        "one and keeping the rest of the page (a page made of calls that did "
        "not share a cache); default: write the whole page",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=DEFAULT_REPORT,
        help="Markdown page to write (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.folds_random < 2:
        parser.error(f"--folds-random must be >= 2; got {args.folds_random}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1; got {args.jobs}")
    args.normalised = NORMALISED_RECIPES if args.speaker_norm else ()
    args.clip_normalised = CLIP_NORMALISED_RECIPES if args.clip_norm else ()
    if args.tune is None:
        args.tune = ",".join(QUICK_TUNED) if args.quick else ""
    args.budget = "cpu" if args.quick else "paper"
    try:
        args.rows = _rows(args.recipes, args.budget, args.encoder)
        args.tuned = _tuned(args.tune, args.rows)
        args.paper_protocols = _named(
            args.paper_protocols, args.rows, "--paper-protocols"
        )
    except ValueError as exc:
        parser.error(str(exc))
    # Read here, not where used, so that a caller (the tests) may shorten it.
    requested = {row.recipe for row in args.rows}
    args.curve_recipes = tuple(
        name for name in CURVE_RECIPES if args.curve and name in requested
    )
    return args


def _rows(text: str | None, budget: str, encoder: str) -> list[Row]:
    if text is None:
        names = [(name, "") for name in RECIPES]
    else:
        names = [item.partition(":")[::2] for item in _items(text)]
    rows = []
    for name, own_budget in names:
        _check_known(name)
        if own_budget and own_budget not in BUDGETS:
            raise ValueError(
                f"unknown budget {own_budget!r} in '{name}:{own_budget}'; valid "
                f"budgets: {', '.join(BUDGETS)}"
            )
        takes_encoder = "encoder" in RECIPES[name].parameters()
        rows.append(
            Row(name, own_budget or budget, encoder=encoder if takes_encoder else None)
        )
    if not rows:
        raise ValueError("--recipes names no recipe")
    return rows


def _items(text: str) -> list[str]:
    """The non-empty entries of a comma-separated option."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _check_known(name: str, where: str = "") -> None:
    if name not in RECIPES:
        raise ValueError(
            f"unknown recipe {name!r}{where}; valid recipes: {', '.join(RECIPES)}"
        )


def _named(text: str, rows: list[Row], option: str) -> tuple[str, ...]:
    """The recipes an option names (``all``: every requested recipe)."""
    requested = dict.fromkeys(row.recipe for row in rows)
    if text == "all":
        return tuple(requested)
    names = _items(text)
    for name in names:
        _check_known(name, f" in {option}")
    return tuple(name for name in names if name in requested)


def _tuned(text: str, rows: list[Row]) -> tuple[str, ...]:
    """The recipes of ``--tune`` (``all``: every requested recipe with a grid)."""
    names = _named(text, rows, "--tune")
    if text == "all":
        return tuple(name for name in names if RECIPES[name].param_grid)
    for name in _items(text):
        if RECIPES[name].param_grid is None:
            raise ValueError(f"--tune: recipe {name!r} has no grid to tune")
    return names


if __name__ == "__main__":
    raise SystemExit(main())
