"""One-line errors and warnings of the command line, bad files listed in full."""

from __future__ import annotations

import sys
from pathlib import Path

# Bad files shown in an error line before it points to the full list.
_INLINE_FILES = 3


class UserError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def list_file(args, name: str) -> Path:
    """Where a full list of files goes: next to the command's output."""
    out = Path(args.out)
    return (out if args.command == "benchmark" else out.parent) / name


#: The lists of files a run may write next to its output.
LIST_FILES = tuple(
    f"{prefix}{name}.txt"
    for prefix in ("", "test_")
    for name in ("bad_files", "skipped_files", "bad_audio")
)


def clear_lists(args) -> None:
    """Remove the file lists an earlier run left next to this run's output.

    So that a list beside the results always belongs to them.
    """
    for name in LIST_FILES:
        list_file(args, name).unlink(missing_ok=True)


def write_list(path: Path, entries) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{file}: {reason}\n" for file, reason in entries))


def listed(summary: str, entries, advice: str, path: Path) -> str:
    """One line: the summary, the first files, advice, and where the rest went."""
    write_list(path, entries)
    shown = "; ".join(f"{file}: {reason}" for file, reason in entries[:_INLINE_FILES])
    more = "; ..." if len(entries) > _INLINE_FILES else ""
    advice = f"; {advice}" if advice else ""
    return f"{summary}: {shown}{more}{advice} (all {len(entries)} listed in {path})"


def print_warnings(args, caught, list_path: Path) -> None:
    """Each distinct warning as one line, skipped files listed in a file."""
    from ..datasets._base import CorpusFileWarning

    printed = set()
    for record in caught:
        warning = record.message
        if isinstance(warning, CorpusFileWarning):
            message = listed(
                f"{warning.summary}; skipped them", warning.skipped, "", list_path
            )
        else:
            message = " ".join(line.strip() for line in str(warning).splitlines())
        if message not in printed:
            printed.add(message)
            print(f"sklearn-ser {args.command}: warning: {message}", file=sys.stderr)


def bad_audio_message(exc, args) -> str:
    """One line for an AudioLoadError or SilentClipError, full list in a file."""
    from ..audio import AudioLoadError

    path = list_file(args, "bad_audio.txt")
    if isinstance(exc, AudioLoadError):
        return listed(
            f"{len(exc.errors)} audio file(s) could not be loaded",
            exc.errors,
            "repair or remove them",
            path,
        )
    write_list(path, exc.errors)
    return f"{str(exc).rstrip('.')} (all {len(exc.errors)} listed in {path})"
