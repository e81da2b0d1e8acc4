"""Helpers shared by the corpus loaders: root checks, file discovery, reports.

The corpora whose labels are coded in their file names (RAVDESS, TESS, SAVEE,
EmoDB, CREMA-D, a flat folder read with a regular expression) all go through
:func:`find_clips`: one walk, one parser per corpus, one strict-or-lenient
report of the files that break the convention.
"""

import os
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._emotions import EMOTIONS

#: Audio formats the corpus loaders recognise (matched case-insensitively).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")

# Longer lists are cut so that one bad folder does not flood the terminal.
_MAX_LISTED = 20


class CorpusFileError(ValueError):
    """Files below a corpus root that break its naming convention.

    Attributes
    ----------
    summary : str
        One sentence saying how many files break which convention, without
        advice (the command line gives its own).
    errors : list of (str, str)
        ``(path, reason)`` for every such file, also when the message lists
        only the first ones.
    """

    def __init__(self, message: str, *, summary: str, errors: list[tuple[str, str]]):
        super().__init__(message)
        self.summary = summary
        self.errors = errors

    def __reduce__(self):
        return _rebuild_error, (str(self), self.summary, self.errors)


def _rebuild_error(message, summary, errors):
    return CorpusFileError(message, summary=summary, errors=errors)


class CorpusFileWarning(UserWarning):
    """Files a lenient loader skipped; ``skipped`` lists every ``(path, reason)``."""

    def __init__(self, message: str, *, summary: str, skipped: list[tuple[str, str]]):
        super().__init__(message)
        self.summary = summary
        self.skipped = skipped


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
    duplicates_possible: bool = True,
) -> None:
    """Raise (``strict``) or warn once about files that break the corpus convention.

    Meant to be called by :func:`find_clips` from the body of a loader
    decorated with ``validate_params``: the warning then points at the
    loader's caller.
    """
    if not problems:
        return
    head = (
        f"{len(problems)} file(s) under {root} do not follow the {corpus} "
        f"convention ({convention})"
    )
    listing = list_files(problems, root)
    entries = [(str(path), reason) for path, reason in problems]
    advice = "point root at one copy of the corpus, " if duplicates_possible else ""
    if strict:
        raise CorpusFileError(
            f"{head}:\n{listing}\nRename or remove them, {advice}"
            "or pass strict=False to skip them with a warning.",
            summary=head,
            errors=entries,
        )
    # warn <- this helper <- find_clips <- loader <- validate_params wrapper <- caller
    warnings.warn(
        CorpusFileWarning(
            f"{head}; skipping them:\n{listing}", summary=head, skipped=entries
        ),
        stacklevel=5,
    )


def no_files_error(
    root: Path, *, what: str, layout: str, skipped: int = 0
) -> FileNotFoundError:
    """The error for a root below which no usable clip was found."""
    detail = f" ({skipped} file(s) skipped, see the warning above)" if skipped else ""
    return FileNotFoundError(
        f"no {what} found under {root}{detail}; expected a folder with {layout}"
    )


@dataclass(frozen=True)
class NameConvention:
    """How a corpus codes its clips' labels in their file names.

    Attributes
    ----------
    corpus : str
        Name for messages, e.g. ``"RAVDESS"``.
    layout : str
        The expected layout, ending the not-found errors ("expected a folder
        with ...").
    convention : str
        The naming rule in a few words, for the list of files that break it.
    parse : callable
        ``parse(path, root)`` returns the clip's record (a tuple), ``None`` for
        a file that is not meant as a clip of this corpus (ignored silently),
        or raises ValueError saying which rule a meant-as-clip name breaks.
    unique : bool
        Whether two files with the same record are one clip found twice (a
        corpus unpacked twice below root), reported like a broken name.
    extensions : tuple of str
        Audio extensions to walk, lower case with their dot.
    """

    corpus: str
    layout: str
    convention: str
    parse: Callable[[Path, Path], tuple | None]
    unique: bool = True
    extensions: tuple[str, ...] = AUDIO_EXTENSIONS


def find_clips(
    root: str | os.PathLike, naming: NameConvention, *, strict: bool, what: str
) -> tuple[Path, list[Path], list[tuple]]:
    """Walk ``root``, parse every audio file name, and report the broken ones.

    Files whose names break ``naming`` (and second copies of a clip, when
    ``naming.unique``) raise one :class:`CorpusFileError` listing them all
    (``strict``) or are skipped with one :class:`CorpusFileWarning`. Call it
    from the body of a loader decorated with ``validate_params``, so that the
    warning points at the loader's caller.

    Returns
    -------
    root : Path
        The absolute root.
    paths : list of Path
        The clips kept, sorted by path.
    records : list of tuple
        Their parsed records, in the same order.
    """
    root = check_root(root, corpus=naming.corpus, layout=naming.layout)
    paths, records, problems = [], [], []
    for path in find_audio_files(root, naming.extensions):
        try:
            record = naming.parse(path, root)
        except ValueError as exc:
            problems.append((path, str(exc)))
            continue
        if record is not None:
            paths.append(path)
            records.append(record)
    if naming.unique:
        kept, duplicates = deduplicate(paths, records, root)
        problems += duplicates
    else:
        kept = list(range(len(paths)))
    report_problems(
        problems,
        root=root,
        corpus=naming.corpus,
        convention=naming.convention,
        strict=strict,
        duplicates_possible=naming.unique,
    )
    if not kept:
        raise no_files_error(
            root, what=what, layout=naming.layout, skipped=len(problems)
        )
    return root, [paths[i] for i in kept], [records[i] for i in kept]


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
