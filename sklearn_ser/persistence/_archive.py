"""The model file's container: a zip archive of a JSON manifest and members.

Members are read with limits, checked on the archive's directory before a
byte is decompressed: no two members may share a name, each may declare at
most ``MAX_MEMBER_BYTES`` (by member name; ``MAX_OTHER_BYTES`` for
the files inside the skops member), and a member over
``RATIO_FLOOR_BYTES`` may expand at most ``MAX_RATIO`` times its
compressed size (a zip bomb declares gigabytes in a few kilobytes). Reading
then streams in blocks and stops at the declared size. The limits are
module attributes: raise them here for a model larger than they allow.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .. import __version__

FORMAT = "sklearn-ser-model"

FORMAT_VERSION = 2

#: The first format: the whole pipeline pickled by joblib.
PICKLE_FORMAT_VERSION = 1

_MANIFEST = "manifest.json"

_PIPELINE = "pipeline.skops"

_WEIGHTS = "weights.safetensors"

_PICKLE = "pipeline.joblib"

#: Largest uncompressed size (bytes) each member may declare.
MAX_MEMBER_BYTES = {
    _MANIFEST: 1 << 20,
    _PIPELINE: 1 << 30,
    _WEIGHTS: 2 << 30,
    _PICKLE: 1 << 30,
}
#: Largest uncompressed size of any other member (a file in the skops member).
MAX_OTHER_BYTES = 1 << 30
#: Largest total uncompressed size of one archive's members.
MAX_TOTAL_BYTES = 3 << 30
#: Largest ratio of uncompressed to compressed size, for members over
#: RATIO_FLOOR_BYTES (deflate reaches about 1000 on constant data; fitted
#: models' arrays compress far less).
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 << 20
_BLOCK = 1 << 20


class ModelFileError(ValueError):
    """A file is not a sklearn_ser model, is damaged, or cannot be trusted."""


def read_manifest(path) -> dict:
    """Read and check a model file's manifest; nothing else is read.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    manifest : dict

    Raises
    ------
    ModelFileError
        If the file is missing, damaged, not a sklearn_ser model file, or was
        written by an incompatible sklearn_ser version (a different
        major.minor release).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"Model file {str(path)!r} does not exist.")
    try:
        with zipfile.ZipFile(path) as archive:
            raw = read_members(archive, [_MANIFEST], str(path))[_MANIFEST]
    except KeyError:
        raise ModelFileError(
            f"{str(path)!r} is not a sklearn_ser model file: no readable {_MANIFEST}."
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a sklearn_ser model file or is damaged (expected "
            "a file written by `sklearn-ser train` or "
            f"sklearn_ser.persistence.save_model; {type(exc).__name__}: {exc})."
        ) from None
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise ModelFileError(
            f"{str(path)!r} is not a sklearn_ser model file: no readable "
            f"{_MANIFEST} ({exc})."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{str(path)!r} is not a sklearn_ser model file.")
    if manifest.get("format_version") not in (PICKLE_FORMAT_VERSION, FORMAT_VERSION):
        raise ModelFileError(
            f"{str(path)!r} uses model format version "
            f"{manifest.get('format_version')!r}; this sklearn_ser ({__version__}) "
            f"reads version {FORMAT_VERSION}."
        )
    saved = str(manifest.get("sklearn_ser_version"))
    if _release(saved) != _release(__version__):
        raise ModelFileError(
            f"{str(path)!r} was saved by sklearn_ser {saved}, which is not compatible "
            f"with the installed sklearn_ser {__version__}; retrain the model with "
            f"this version or install sklearn_ser {saved}."
        )
    return manifest


def check_archive(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an archive with duplicate names or members over the limits.

    Only the archive's directory is read.
    """
    infos = archive.infolist()
    seen = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            raise ModelFileError(
                f"{name!r} holds two members named {info.filename!r}; a model file "
                "has each once (a forger's second copy is not read)."
            )
        seen.add(info.filename)
        limit = MAX_MEMBER_BYTES.get(info.filename, MAX_OTHER_BYTES)
        if info.file_size > limit:
            raise ModelFileError(
                f"{name!r}: member {info.filename!r} declares {info.file_size} bytes, "
                f"over the limit of {limit} (sklearn_ser.persistence._archive."
                "MAX_MEMBER_BYTES); not read."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise ModelFileError(
                f"{name!r}: member {info.filename!r} expands {ratio:.0f} times "
                f"({info.compress_size} to {info.file_size} bytes), over the limit "
                f"of {MAX_RATIO} (a zip bomb?); not read."
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ModelFileError(
            f"{name!r} declares {total} bytes in all, over the limit of "
            f"{MAX_TOTAL_BYTES}; not read."
        )


def read_members(archive: zipfile.ZipFile, members, name: str) -> dict:
    """The named members' bytes, after ``check_archive``, streamed with a cap.

    A missing member raises KeyError.
    """
    check_archive(archive, name)
    found = {}
    for member in members:
        info = archive.getinfo(member)
        chunks, size = [], 0
        with archive.open(info) as stream:
            while block := stream.read(_BLOCK):
                size += len(block)
                if size > info.file_size:
                    raise ModelFileError(
                        f"{name!r}: member {member!r} holds more than the "
                        f"{info.file_size} bytes it declares; not read."
                    )
                chunks.append(block)
        found[member] = b"".join(chunks)
    return found


def _write_archive(path: Path, manifest: dict, members: dict) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
        for name, data in members.items():
            archive.writestr(name, data)


def _release(version: str) -> tuple[str, ...]:
    """The (major, minor) part of a version string, which must match to load."""
    return tuple(version.split(".")[:2])
