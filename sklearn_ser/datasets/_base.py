"""Helpers shared by the corpus loaders: root checks, file discovery, reports."""

import os
import warnings
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._emotions import EMOTIONS

#: Audio formats the corpus loaders recognise (matched case-insensitively).
AUDIO_EXTENSIONS = (".wav", ".flac")

# Longer lists are cut so that one bad folder does not flood the terminal.
_MAX_LISTED = 20


def check_root(root: str | os.PathLike, *, corpus: str, layout: str) -> Path:
    """Absolute path of ``root``, or an error naming it and the expected layout."""
    path = Path(root).expanduser().absolute()
    if not path.exists():
        raise FileNotFoundError(
            f"{corpus} root {path} does not exist; expected a folder with {layout}"
        )
    if not path.is_dir():
        raise NotADirectoryError(
            f"{corpus} root {path} is not a directory; expected a folder with {layout}"
        )
    return path


def _is_hidden(name: str) -> bool:
    # Zipped copies made on macOS carry "__MACOSX/" and "._<name>.wav" resource
    # forks that share the audio files' names but hold no audio.
    return name.startswith(".") or name == "__MACOSX"


def find_audio_files(
    root: Path, extensions: Iterable[str] = AUDIO_EXTENSIONS
) -> list[Path]:
    """Files below ``root`` (recursively) whose extension is in ``extensions``.

    Extensions match case-insensitively; hidden files and folders are skipped.
    The result is sorted by path, so every loader returns a deterministic order.
    """
    extensions = tuple(extension.lower() for extension in extensions)
    found = []
    visited = set()
    # Links are followed so that a corpus can be assembled from linked folders;
    # remembering real paths keeps a link cycle from looping forever.
    for folder, subfolders, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            subfolders.clear()
            continue
        visited.add(real)
        # Sorted, so that which of two linked copies is walked first is fixed.
        subfolders[:] = sorted(name for name in subfolders if not _is_hidden(name))
        found.extend(
            Path(folder, name)
            for name in files
            if not _is_hidden(name) and name.lower().endswith(extensions)
        )
    return sorted(found)


def list_files(entries: Sequence[tuple[Path, str]], root: Path) -> str:
    """One indented line per ``(path, reason)``, paths relative to ``root``."""
    lines = [
        f"  {path.relative_to(root).as_posix()}: {reason}"
        for path, reason in entries[:_MAX_LISTED]
    ]
    if len(entries) > _MAX_LISTED:
        lines.append(f"  ... and {len(entries) - _MAX_LISTED} more")
    return "\n".join(lines)


def deduplicate(
    paths: Sequence[Path], keys: Sequence[Hashable], root: Path
) -> tuple[list[int], list[tuple[Path, str]]]:
    """Indices of the first path of each clip key, and the other paths as problems.

    Public copies of the corpora sometimes hold every clip twice (for instance
    ``Actor_01/`` next to ``audio_speech_actors_01-24/Actor_01/``); loading both
    would count each clip twice.
    """
    first = {}
    kept, duplicates = [], []
    for index, (path, key) in enumerate(zip(paths, keys, strict=True)):
        if key in first:
            kept_path = first[key].relative_to(root).as_posix()
            duplicates.append((path, f"same clip as {kept_path}"))
        else:
            first[key] = path
            kept.append(index)
    return kept, duplicates


def report_problems(
    problems: Sequence[tuple[Path, str]],
    *,
    root: Path,
    corpus: str,
    convention: str,
    strict: bool,
) -> None:
    """Raise (``strict``) or warn once about files that break the corpus convention.

    Meant to be called from the body of a loader decorated with
    ``validate_params``: the warning then points at the loader's caller.
    """
    if not problems:
        return
    head = (
        f"{len(problems)} file(s) under {root} do not follow the {corpus} "
        f"convention ({convention})"
    )
    listing = list_files(problems, root)
    if strict:
        raise ValueError(
            f"{head}:\n{listing}\nRename or remove them, point root at one copy "
            "of the corpus, or pass strict=False to skip them with a warning."
        )
    # warn <- this helper <- loader <- validate_params wrapper <- caller
    warnings.warn(f"{head}; skipping them:\n{listing}", UserWarning, stacklevel=4)


def no_files_error(
    root: Path, *, what: str, layout: str, skipped: int = 0
) -> FileNotFoundError:
    """The error for a root below which no usable clip was found."""
    detail = f" ({skipped} file(s) skipped, see the warning above)" if skipped else ""
    return FileNotFoundError(
        f"no {what} found under {root}{detail}; expected a folder with {layout}"
    )


def ordered_labels(labels: Iterable[str]) -> list[str]:
    """Distinct labels: canonical emotions in canonical order, then others sorted."""
    present = set(labels)
    return [label for label in EMOTIONS if label in present] + sorted(
        present.difference(EMOTIONS)
    )


def make_bunch(
    *,
    paths: Sequence[Path],
    target: Sequence[str],
    groups: Sequence[str] | None,
    descr: str,
    **metadata: Sequence,
) -> Bunch:
    """The loaders' common Bunch: 1-D arrays, ``target_names`` and ``DESCR``."""
    target = np.asarray(target, dtype=str)
    return Bunch(
        paths=np.asarray([str(path) for path in paths], dtype=str),
        target=target,
        groups=None if groups is None else np.asarray(groups, dtype=str),
        **{name: np.asarray(values) for name, values in metadata.items()},
        target_names=np.asarray(ordered_labels(target), dtype=str),
        DESCR=descr,
    )
