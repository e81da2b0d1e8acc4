"""The model file's container: a zip archive of a JSON manifest and members."""

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
            raw = archive.read(_MANIFEST)
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


def _write_archive(path: Path, manifest: dict, members: dict) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
        for name, data in members.items():
            archive.writestr(name, data)


def _release(version: str) -> tuple[str, ...]:
    """The (major, minor) part of a version string, which must match to load."""
    return tuple(version.split(".")[:2])
