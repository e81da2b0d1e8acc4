"""save_model and load_model."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import platform
import sys
import zipfile
from pathlib import Path

from .. import __version__
from ._allow import SAVED_DEEP, check_schema, refused_types, schema_types
from ._archive import (
    _PICKLE,
    _PIPELINE,
    _WEIGHTS,
    FORMAT,
    FORMAT_VERSION,
    PICKLE_FORMAT_VERSION,
    ModelFileError,
    _write_archive,
    read_manifest,
    read_members,
)
from ._deep import _export_deep, _load_tensors, _map_tree, _rebuild_deep, _save_tensors


def save_model(model, path, *, recipe: str | None = None, metadata=None) -> Path:
    """Save a fitted pipeline or estimator to a model file.

    Parameters
    ----------
    model : estimator
        A fitted classifier or pipeline with ``classes_``, built from
        scikit-learn, imbalanced-learn and sklearn_ser components.
    path : str or path-like
        Destination file (conventionally ``*.sser``). Parent folders are created.
    recipe : str, default=None
        Name of the recipe the model was built from, recorded in the manifest:
        a recipe of :data:`sklearn_ser.recipes.RECIPES` whose steps (names
        and classes, tuned or not) the model has.
    metadata : dict, default=None
        Extra JSON-serialisable facts to record (e.g. the training corpus).

    Returns
    -------
    path : Path

    Raises
    ------
    ModelFileError
        If the model is not fitted, holds an object of a type that a model
        file may not name (the message lists them; see
        ``ALLOWED_TYPES``), or is not the ``recipe`` it is said to be.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.persistence import save_model, load_model
    >>> model = SVC().fit([[0.0], [1.0]], ["calm", "angry"])
    >>> path = save_model(model, tempfile.mkdtemp() + "/model.sser")
    >>> load_model(path).predict([[0.9]])
    array(['angry'], dtype='<U5')
    """
    skops_io = _import_skops_io()
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise ModelFileError(
            f"Only fitted classifiers can be saved; {type(model).__name__} has no "
            "`classes_` (is it fitted?)."
        )
    weights: list = []
    tree = _map_tree(model, lambda obj: _export_deep(obj, weights), {})
    pipeline = skops_io.dumps(tree)
    refused = refused_types(schema_types(json.loads(_schema(pipeline, "model")))[0])
    if refused:
        raise ModelFileError(
            f"{type(model).__name__} cannot be saved: it holds objects of "
            f"{', '.join(refused)}, which a model file may not name (allowed: the "
            "types of the sklearn_ser recipes' pipelines, listed in "
            "sklearn_ser.persistence.ALLOWED_TYPES)."
        )
    members = {_PIPELINE: pipeline, _WEIGHTS: _save_tensors(weights)}
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
        "sha256": {
            name: hashlib.sha256(data).hexdigest() for name, data in members.items()
        },
        "metadata": metadata or {},
    }
    path = Path(path)
    _check_manifest(model, manifest, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_archive(path, manifest, members)
    return path


def load_model(path, *, trusted_pickle: bool = False):
    """Load a model saved by :func:`save_model` (or ``sklearn-ser train``).

    Nothing in the file is executed: the manifest and each member's
    checksum are checked, the classes the file names are checked against
    the allow-list before any is imported, and the deep classifiers are
    rebuilt from their parameters and weights (see the module docstring).

    Parameters
    ----------
    path : str or path-like
    trusted_pickle : bool, default=False
        Also load a file of the first, pickle-based format (version 1).
        Unpickling runs code chosen by whoever wrote the file: set this only
        for a file you made yourself or would run code from, and save the
        model again with :func:`save_model` to convert it.

    Returns
    -------
    model : estimator
        The fitted pipeline, with its label set in ``classes_``.

    Raises
    ------
    ModelFileError
        See :func:`read_manifest`; also when a member is missing, damaged
        or does not match its checksum, when the file names a class outside
        the allow-list, when a tensor has an unexpected name, shape or dtype,
        and for a file of the pickle format without ``trusted_pickle``.
    """
    manifest = read_manifest(path)
    try:
        if manifest["format_version"] == PICKLE_FORMAT_VERSION:
            return _load_pickle_format(path, manifest, trusted_pickle)
        return _load(path, manifest)
    except ModelFileError:
        raise
    except Exception as exc:
        # Whatever a damaged or forged file makes the readers raise.
        raise ModelFileError(
            f"{str(path)!r} is damaged or is not a valid sklearn_ser model file "
            f"({type(exc).__name__}: {exc})."
        ) from exc


def _load(path, manifest: dict):
    skops_io = _import_skops_io()
    name = str(path)
    checksums = manifest.get("sha256")
    if not isinstance(checksums, dict):
        raise ModelFileError(f"{name!r} is damaged: its manifest has no checksums.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = read_members(archive, (_PIPELINE, _WEIGHTS), name)
    except KeyError as exc:
        raise ModelFileError(f"{name!r} is damaged: it has no {exc.args[0]}.") from None
    for member, data in members.items():
        if hashlib.sha256(data).hexdigest() != checksums.get(member):
            raise ModelFileError(
                f"{name!r} is damaged: its {member} does not match the checksum "
                "recorded in its manifest."
            )
    pipeline = members[_PIPELINE]
    types = check_schema(_schema(pipeline, name), name)
    # Every type the file names is allowed: skops may import them.
    skops_io = _import_skops_io()
    tree = skops_io.loads(pipeline, trusted=types)
    tensors = _load_tensors(members[_WEIGHTS]) if SAVED_DEEP in types else {}
    model = _map_tree(tree, lambda obj: _rebuild_deep(obj, tensors, name), {})
    _check_manifest(model, manifest, name)
    return model


def _schema(pipeline: bytes, name: str) -> bytes:
    """The skops member's schema, read within the size limits."""
    with zipfile.ZipFile(io.BytesIO(pipeline)) as inner:
        return read_members(inner, ["schema.json"], name)["schema.json"]


def _check_manifest(model, manifest: dict, name: str) -> None:
    """Refuse a manifest whose label set or recipe the model contradicts."""
    classes = [str(c) for c in getattr(model, "classes_", ())]
    if manifest.get("classes") != classes:
        raise ModelFileError(
            f"{name!r} is damaged: its manifest lists the labels "
            f"{manifest.get('classes')!r}, its model predicts {classes!r}."
        )
    recipe = manifest.get("recipe")
    if recipe is None:
        return
    from ..recipes import RECIPES, make_recipe

    if not isinstance(recipe, str) or recipe not in RECIPES:
        raise ModelFileError(
            f"{name!r} names the recipe {recipe!r}, which this sklearn_ser does not "
            f"have (recipes: {', '.join(RECIPES)})."
        )
    found = [(n, type(s)) for n, s in getattr(model, "steps", [])]
    layouts = [make_recipe(recipe)]
    if RECIPES[recipe].param_grid is not None:
        layouts.append(make_recipe(recipe, tune=True))
    expected = [[(n, type(s)) for n, s in pipe.steps] for pipe in layouts]
    if found not in expected:
        raise ModelFileError(
            f"{name!r} is damaged: its manifest names the recipe {recipe!r}, but its "
            f"model's steps {[(n, t.__name__) for n, t in found]} are not that "
            "recipe's."
        )


#: scikit-learn's array-API adapters for other libraries, and those libraries.
_ARRAY_API_ADAPTERS = "sklearn.externals.array_api_compat"

_ARRAY_LIBRARIES = ("torch", "dask", "cupy")


def _import_skops_io():
    """:mod:`skops.io`, imported without the libraries this process has not used.

    On import, skops lists the estimators it trusts with
    :func:`sklearn.utils.all_estimators`, which imports every scikit-learn
    package, among them the array-API adapters for torch, Dask and CuPy,
    and so imports those libraries: torch alone costs about 2 s, paid by
    every ``sklearn-ser predict`` of a classical model. While skops is
    imported, the adapter of each library not yet imported is marked as
    missing in :data:`sys.modules` (the package walk skips a package it
    cannot import; no adapter class is trusted by skops), and unmarked
    afterwards, so that a later use of the adapter imports it as usual. (A
    thread that imports one of those adapters for the first time during
    that window gets an ImportError.)
    """
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    hidden = []
    for library in _ARRAY_LIBRARIES:
        name = f"{_ARRAY_API_ADAPTERS}.{library}"
        if library not in sys.modules and name not in sys.modules:
            sys.modules[name] = None
            hidden.append(name)
    try:
        import skops.io
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
    return skops.io


def _load_pickle_format(path, manifest: dict, trusted_pickle: bool):
    name = str(path)
    if not trusted_pickle:
        raise ModelFileError(
            f"{name!r} is a model file of the old pickle format (version "
            f"{PICKLE_FORMAT_VERSION}), which runs code chosen by its author when "
            "loaded, so it is not loaded. If you trust where it came from, convert "
            "it once in Python: `save_model(load_model(old, trusted_pickle=True), "
            "new)` (sklearn_ser.persistence); or retrain with `sklearn-ser train`."
        )
    import joblib

    with zipfile.ZipFile(path) as archive:
        try:
            payload = read_members(archive, [_PICKLE], name)[_PICKLE]
        except KeyError:
            raise ModelFileError(f"{name!r} is damaged: it has no {_PICKLE}.") from None
    if hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
        raise ModelFileError(
            f"{name!r} is damaged: its pipeline does not match the checksum "
            "recorded in its manifest."
        )
    return joblib.load(io.BytesIO(payload))


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in (
        "scikit-learn",
        "imbalanced-learn",
        "skorch",
        "torch",
        "librosa",
        "skops",
        "safetensors",
    ):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions
