"""Save and load fitted pipelines in model files that hold data, never code.

A model file (conventionally ``*.sser``) is a zip archive of three members:

- ``manifest.json``: plain JSON (format version, library versions, recipe,
  label set, the SHA-256 checksum of each other member, your metadata);
- ``pipeline.skops``: the pipeline's structure and fitted attributes in
  :mod:`skops.io`'s format, which names every class it holds. Loading
  refuses a file that names any class outside an allow-list (scikit-learn,
  imbalanced-learn, sklearn_ser, NumPy dtypes and Python's plain types), so
  no class chosen by the file's author is ever imported or run;
- ``weights.safetensors``: the deep classifiers' network weights as raw
  tensors in the :mod:`safetensors` format, which holds numbers only.

A deep classifier is stored as its constructor parameters (a parameter
that is a class, such as ``module`` or ``optimizer``, by its dotted name),
its fitted attributes (labels, input scaler, input shape, device, training
history) and a key into the weights; :func:`load_model` rebuilds it by
constructing the classifier, initialising its network and loading the
weights after checking their names, shapes and dtypes. Any failure while
reading a file is a :class:`ModelFileError` that names the file.

Files of the first format (version 1, a joblib pickle) are refused, since
unpickling runs code chosen by the file's author; ``trusted_pickle=True``
loads one that you trust, so that you can save it again in this format.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import importlib
import io
import json
import platform
import sys
import warnings
import zipfile
from pathlib import Path

from sklearn.base import BaseEstimator

from . import __version__

__all__ = ["ModelFileError", "load_model", "read_manifest", "save_model"]

FORMAT = "sklearn-ser-model"
FORMAT_VERSION = 2
#: The first format: the whole pipeline pickled by joblib.
PICKLE_FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_PIPELINE = "pipeline.skops"
_WEIGHTS = "weights.safetensors"
_PICKLE = "pipeline.joblib"

# Packages whose own classes a model file may name. Classes must be defined
# in the module the file names (not merely re-exported there), so that a
# name cannot reach, say, ``os.system`` through an ``import`` of a trusted
# module. skops already trusts scikit-learn's estimators, NumPy dtypes and
# plain Python containers; only the names it does not trust reach this check.
_TRUSTED_PACKAGES = ("sklearn_ser", "sklearn", "imblearn")
# Submodules of the trusted packages that a model file may not name.
_UNTRUSTED_PARTS = frozenset({"tests", "conftest", "_testing", "externals"})
# Functions (as opposed to classes) only from here: a fitted search holds its
# scorer's metric function.
_TRUSTED_FUNCTION_MODULES = ("sklearn.metrics.",)
# Classes a deep classifier may take as parameters (module, criterion,
# optimizer, iterators, dataset), by the module they are defined in.
_TRUSTED_PARAMETER_MODULES = (
    "sklearn_ser.nn.",
    "torch.nn.modules.loss",
    "torch.optim.",
    "torch.utils.data.",
    "skorch.dataset",
)
# Attributes of a fitted skorch net that `initialize()` rebuilds from the
# parameters and the other fitted attributes; the network weights are
# stored apart.
_REBUILT_BY_INITIALIZE = frozenset(
    {
        "callbacks_",
        "criterion_",
        "cuda_dependent_attributes_",
        "history_",
        "init_context_",
        "initialized_",
        "module_",
        "optimizer_",
        "prefixes_",
        "virtual_params_",
    }
)


class ModelFileError(ValueError):
    """A file is not a sklearn_ser model, is damaged, or cannot be trusted."""


class _SavedDeepClassifier:
    """A deep classifier as plain data inside a model file.

    Attributes: ``estimator`` (its public class name in
    :mod:`sklearn_ser.classifiers`), ``params`` (constructor parameters that
    are plain data), ``param_classes`` (parameters that are classes, by dotted
    name), ``fitted`` (fitted attributes, or None for an unfitted template),
    ``history`` (skorch's training history as JSON) and ``weights`` (the
    prefix of its tensors in the weights member).
    """


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
        Name of the recipe the model was built from, recorded in the manifest.
    metadata : dict, default=None
        Extra JSON-serialisable facts to record (e.g. the training corpus).

    Returns
    -------
    path : Path

    Raises
    ------
    ModelFileError
        If the model is not fitted, or holds an object of a class that a
        model file may not name (the message lists them).

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
    refused = _refused_types(skops_io.get_untrusted_types(data=pipeline))
    if refused:
        raise ModelFileError(
            f"{type(model).__name__} cannot be saved: it holds objects of "
            f"{', '.join(refused)}, which a model file may not name (allowed: "
            "classes of scikit-learn, imbalanced-learn and sklearn_ser, NumPy "
            "dtypes and plain Python data)."
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
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_archive(path, manifest, members)
    return path


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
    members = {}
    with zipfile.ZipFile(path) as archive:
        for member in (_PIPELINE, _WEIGHTS):
            try:
                data = archive.read(member)
            except KeyError:
                raise ModelFileError(
                    f"{name!r} is damaged: it has no {member}."
                ) from None
            if hashlib.sha256(data).hexdigest() != checksums.get(member):
                raise ModelFileError(
                    f"{name!r} is damaged: its {member} does not match the checksum "
                    "recorded in its manifest."
                )
            members[member] = data
    pipeline = members[_PIPELINE]
    untrusted = skops_io.get_untrusted_types(data=pipeline)
    refused = _refused_types(untrusted)
    if refused:
        raise ModelFileError(
            f"{name!r} names {', '.join(refused)}, which a sklearn_ser model file "
            "may not hold (allowed: classes of scikit-learn, imbalanced-learn and "
            "sklearn_ser, NumPy dtypes and plain Python data); nothing was loaded."
        )
    tree = skops_io.loads(pipeline, trusted=untrusted)
    tensors = _load_tensors(members[_WEIGHTS]) if _has_deep(untrusted) else {}
    return _map_tree(tree, lambda obj: _rebuild_deep(obj, tensors, name), {})


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
            payload = archive.read(_PICKLE)
        except KeyError:
            raise ModelFileError(f"{name!r} is damaged: it has no {_PICKLE}.") from None
    if hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
        raise ModelFileError(
            f"{name!r} is damaged: its pipeline does not match the checksum "
            "recorded in its manifest."
        )
    return joblib.load(io.BytesIO(payload))


def _write_archive(path: Path, manifest: dict, members: dict) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
        for name, data in members.items():
            archive.writestr(name, data)


# -- the estimator tree ----------------------------------------------------


def _map_tree(obj, convert, memo: dict):
    """A copy of the estimator tree ``obj`` with ``convert`` applied to its nodes.

    ``convert(node)`` returns a replacement or None to descend into the node:
    estimators' attributes, lists, tuples and dicts (such as a pipeline's
    steps or a voting ensemble's members). Shared objects stay shared.
    """
    key = id(obj)
    if key in memo:
        return memo[key]
    replacement = convert(obj)
    if replacement is not None:
        memo[key] = replacement
        return replacement
    if isinstance(obj, BaseEstimator):
        copied = memo[key] = copy.copy(obj)
        for attribute, value in vars(obj).items():
            setattr(copied, attribute, _map_tree(value, convert, memo))
        return copied
    if type(obj) in (list, tuple):
        copied = memo[key] = type(obj)(_map_tree(item, convert, memo) for item in obj)
        return copied
    if isinstance(obj, dict):
        copied = memo[key] = copy.copy(obj)
        for item_key, value in obj.items():
            copied[item_key] = _map_tree(value, convert, memo)
        return copied
    return obj


def _deep_base():
    """The deep classifiers' base class, or None when none can exist yet.

    Checked in ``sys.modules`` so that saving a classical model never imports
    torch.
    """
    module = sys.modules.get("sklearn_ser.classifiers._base")
    return None if module is None else module._DeepSERClassifier


def _export_deep(obj, weights: list) -> _SavedDeepClassifier | None:
    """The plain-data form of a deep classifier (None for anything else).

    Its network's weights are appended to ``weights`` as ``(prefix, state)``.
    """
    base = _deep_base()
    if base is None or not isinstance(obj, base):
        return None
    from . import classifiers

    cls = type(obj)
    if getattr(classifiers, cls.__name__, None) is not cls:
        raise ModelFileError(
            f"{cls.__module__}.{cls.__qualname__} cannot be saved: model files hold "
            "the deep classifiers of sklearn_ser.classifiers only."
        )
    saved = _SavedDeepClassifier()
    saved.estimator = cls.__name__
    saved.params, saved.param_classes = {}, {}
    for name, value in obj.get_params(deep=False).items():
        if isinstance(value, type):
            saved.param_classes[name] = f"{value.__module__}.{value.__qualname__}"
        else:
            saved.params[name] = value
    saved.fitted = saved.history = saved.weights = None
    if not (obj.initialized_ and hasattr(obj, "label_encoder_")):
        return saved
    saved.fitted = {
        name: value
        for name, value in vars(obj).items()
        if name.endswith("_")
        and not name.startswith("_")
        and name not in _REBUILT_BY_INITIALIZE
    }
    saved.history = json.dumps(list(obj.history_), default=_json_number)
    saved.weights = f"net{len(weights)}"
    weights.append((saved.weights, obj.module_.state_dict()))
    return saved


def _rebuild_deep(obj, tensors: dict, name: str):
    """The deep classifier that a ``_SavedDeepClassifier`` describes."""
    if not isinstance(obj, _SavedDeepClassifier):
        return None
    import torch
    from skorch.history import History

    from . import classifiers
    from ._device import cuda_devices, resolve_device
    from .classifiers._base import _DeepSERClassifier

    cls = getattr(classifiers, str(getattr(obj, "estimator", None)), None)
    if not (isinstance(cls, type) and issubclass(cls, _DeepSERClassifier)):
        raise ModelFileError(
            f"{name!r} names an unknown deep classifier {obj.estimator!r}; known: "
            f"{', '.join(n for n in classifiers.__all__ if n.endswith('Classifier'))}."
        )
    params = dict(obj.params)
    for param, dotted in obj.param_classes.items():
        params[param] = _parameter_class(dotted, param, name)
    net = cls(**params)
    if obj.fitted is None:
        return net
    for attribute, value in obj.fitted.items():
        setattr(net, attribute, value)
    try:
        net.device_ = resolve_device(net.device)
    except ValueError:
        warnings.warn(
            f"{name!r}: {cls.__name__} was saved with device={net.device!r}, which "
            "this machine does not have; it runs on the CPU.",
            stacklevel=2,
        )
        net.device_ = "cpu"
    # Initialising draws random weights, which are then replaced; forking
    # leaves the caller's torch random state as it was.
    with torch.random.fork_rng(devices=cuda_devices(net.device_)), net._on_device():
        net.initialize()
    expected = net.module_.state_dict()
    prefix = f"{obj.weights}."
    saved = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    if set(saved) != set(expected):
        missing = sorted(set(expected) - set(saved))
        extra = sorted(set(saved) - set(expected))
        raise ModelFileError(
            f"{name!r} is damaged: the weights of its {cls.__name__} do not match "
            f"the network (missing: {missing or 'none'}; unexpected: "
            f"{extra or 'none'})."
        )
    for key, tensor in expected.items():
        if saved[key].shape != tensor.shape or saved[key].dtype != tensor.dtype:
            raise ModelFileError(
                f"{name!r} is damaged: tensor {prefix}{key} has shape "
                f"{tuple(saved[key].shape)} and dtype {saved[key].dtype}; the "
                f"{cls.__name__} network expects {tuple(tensor.shape)} and "
                f"{tensor.dtype}."
            )
    net.module_.load_state_dict(saved)
    net.history_ = History(json.loads(obj.history))
    return net


def _parameter_class(dotted: str, param: str, name: str) -> type:
    """Resolve a class-valued classifier parameter against its allow-list."""
    import torch

    module, _, attribute = str(dotted).rpartition(".")
    resolved = _defined_in(module, attribute, _TRUSTED_PARAMETER_MODULES)
    allowed = (
        torch.nn.Module,
        torch.optim.Optimizer,
        torch.utils.data.DataLoader,
        torch.utils.data.Dataset,
    )
    if not (isinstance(resolved, type) and issubclass(resolved, allowed)):
        raise ModelFileError(
            f"{name!r} gives parameter {param} the class {dotted!r}, which a model "
            "file may not name (allowed: sklearn_ser networks, torch losses, "
            "optimisers and data loaders)."
        )
    return resolved


def _defined_in(module: str, attribute: str, prefixes: tuple[str, ...]):
    """``module.attribute`` if it is defined there and the module is allowed.

    Test helpers and vendored third-party code inside the trusted packages
    are not part of any model, so their modules are never imported.
    """
    parts = module.split(".")
    if not (module + ".").startswith(prefixes) or _UNTRUSTED_PARTS.intersection(parts):
        return None
    try:
        resolved = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError):
        return None
    return resolved if getattr(resolved, "__module__", None) == module else None


def _refused_types(names) -> list[str]:
    """The names among skops' untrusted types that the allow-list refuses."""
    refused = []
    for dotted in names:
        module, _, attribute = dotted.rpartition(".")
        if dotted == f"{__name__}._SavedDeepClassifier":
            continue
        packages = tuple(p + "." for p in _TRUSTED_PACKAGES)
        resolved = _defined_in(module, attribute, packages)
        if isinstance(resolved, type):
            # A skorch net restores itself from pickled torch state (its
            # __setstate__ may run torch.load); it may appear only in its
            # plain-data form.
            if not any(
                base.__module__.startswith("skorch") for base in resolved.__mro__
            ):
                continue
        elif callable(resolved) and module.startswith(_TRUSTED_FUNCTION_MODULES):
            continue
        refused.append(dotted)
    return sorted(refused)


def _has_deep(untrusted) -> bool:
    return f"{__name__}._SavedDeepClassifier" in untrusted


def _save_tensors(weights: list) -> bytes:
    """The networks' weights in one safetensors blob, keyed ``prefix.name``."""
    tensors = {
        f"{prefix}.{name}": tensor.detach().cpu().contiguous()
        for prefix, state in weights
        for name, tensor in state.items()
    }
    if not tensors:
        return b""
    from safetensors.torch import save

    return save(tensors)


def _load_tensors(data: bytes) -> dict:
    from safetensors.torch import load

    return load(data)


def _json_number(value):
    """JSON for the NumPy scalars that a training history may hold."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _release(version: str) -> tuple[str, ...]:
    """The (major, minor) part of a version string, which must match to load."""
    return tuple(version.split(".")[:2])


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
