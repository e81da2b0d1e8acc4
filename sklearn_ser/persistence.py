"""Save and load fitted pipelines with a manifest that is checked before unpickling.

A model file is a zip archive holding ``manifest.json`` (plain JSON: library
versions, recipe, label set, checksum) and ``pipeline.joblib`` (the fitted
pipeline, pickled by joblib). :func:`load_model` reads and checks the manifest
first and refuses files from an incompatible sklearn_ser version before any
pickle is touched.

.. warning::
   Unpickling runs code chosen by whoever wrote the file. Load only model
   files you trust (made by yourself or a source you would run code from).
   The checksum detects corruption and accidental edits, not a deliberate
   attacker, who can rewrite the manifest too. A code-free format (such as
   skops) cannot yet represent the torch modules inside deep pipelines, so
   this library does not pretend to offer one.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import platform
import zipfile
from pathlib import Path

import joblib

from . import __version__

__all__ = ["ModelFileError", "load_model", "read_manifest", "save_model"]

FORMAT = "sklearn-ser-model"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_PAYLOAD = "pipeline.joblib"


class ModelFileError(ValueError):
    """A file is not a sklearn_ser model, is damaged, or is from another version."""


def save_model(model, path, *, recipe: str | None = None, metadata=None) -> Path:
    """Save a fitted pipeline or estimator to a model file.

    Parameters
    ----------
    model : estimator
        A fitted classifier or pipeline with ``classes_``.
    path : str or path-like
        Destination file (conventionally ``*.sser``). Parent folders are created.
    recipe : str, default=None
        Name of the recipe the model was built from, recorded in the manifest.
    metadata : dict, default=None
        Extra JSON-serialisable facts to record (e.g. the training corpus).

    Returns
    -------
    path : Path

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_ser.persistence import save_model, load_model
    >>> model = LogisticRegression().fit([[0.0], [1.0]], ["calm", "angry"])
    >>> path = save_model(model, tempfile.mkdtemp() + "/model.sser")
    >>> load_model(path).predict([[0.9]])
    array(['angry'], dtype='<U5')
    """
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise ModelFileError(
            f"Only fitted classifiers can be saved; {type(model).__name__} has no "
            "`classes_` (is it fitted?)."
        )
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    payload = buffer.getvalue()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_ser_version": __version__,
        "recipe": recipe,
        "classes": [str(c) for c in classes],
        "estimator": type(model).__name__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "python": platform.python_version(),
        "library_versions": _library_versions(),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "metadata": metadata or {},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
        archive.writestr(_PAYLOAD, payload)
    return path


def read_manifest(path) -> dict:
    """Read and check a model file's manifest without unpickling anything.

    Raises
    ------
    ModelFileError
        If the file is missing, not a sklearn_ser model file, or was written by
        an incompatible sklearn_ser version (a different major.minor release).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"Model file {str(path)!r} does not exist.")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{str(path)!r} is not a sklearn_ser model file (expected a file "
            "written by `sklearn-ser train` or sklearn_ser.persistence.save_model)."
        )
    with zipfile.ZipFile(path) as archive:
        try:
            manifest = json.loads(archive.read(_MANIFEST))
        except (KeyError, ValueError) as exc:
            raise ModelFileError(
                f"{str(path)!r} is not a sklearn_ser model file: no readable "
                f"{_MANIFEST} ({exc})."
            ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{str(path)!r} is not a sklearn_ser model file.")
    if manifest.get("format_version") != FORMAT_VERSION:
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


def load_model(path):
    """Load a model saved by :func:`save_model` (or ``sklearn-ser train``).

    The manifest is checked first (see :func:`read_manifest`); the pickled
    pipeline is then verified against the manifest's checksum and unpickled.
    Unpickling executes code from the file: load only files you trust.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    model : estimator
        The fitted pipeline, with its label set in ``classes_``.

    Raises
    ------
    ModelFileError
        See :func:`read_manifest`; also when the payload is damaged.
    """
    manifest = read_manifest(path)
    with zipfile.ZipFile(path) as archive:
        try:
            payload = archive.read(_PAYLOAD)
        except KeyError:
            raise ModelFileError(
                f"{str(path)!r} is damaged: it has no {_PAYLOAD}."
            ) from None
    if hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
        raise ModelFileError(
            f"{str(path)!r} is damaged: its pipeline does not match the checksum "
            "recorded in its manifest."
        )
    return joblib.load(io.BytesIO(payload))


def _release(version: str) -> tuple[str, ...]:
    """The (major, minor) part of a version string, which must match to load."""
    return tuple(version.split(".")[:2])


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("scikit-learn", "imbalanced-learn", "skorch", "torch", "librosa"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions
