"""Deep classifiers as plain data: parameters, fitted attributes, weights."""

from __future__ import annotations

import copy
import json
import sys
import warnings

from sklearn.base import BaseEstimator

from ._allow import parameter_class
from ._archive import ModelFileError

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


class _SavedDeepClassifier:
    """A deep classifier as plain data inside a model file.

    Attributes: ``estimator`` (its public class name in
    :mod:`sklearn_ser.classifiers`), ``params`` (constructor parameters that
    are plain data), ``param_classes`` (parameters that are classes, by dotted
    name), ``fitted`` (fitted attributes, or None for an unfitted template),
    ``history`` (skorch's training history as JSON) and ``weights`` (the
    prefix of its tensors in the weights member).
    """

    # The name model files know it by (it was defined there before the split).
    __module__ = "sklearn_ser.persistence"


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
    from .. import classifiers

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
    weights.append((saved.weights, obj._state_to_save()))
    return saved


def _rebuild_deep(obj, tensors: dict, name: str):
    """The deep classifier that a ``_SavedDeepClassifier`` describes."""
    if not isinstance(obj, _SavedDeepClassifier):
        return None
    import torch
    from skorch.history import History

    from .. import classifiers
    from .._device import cuda_devices, resolve_device
    from ..classifiers._base import _DeepSERClassifier

    cls = getattr(classifiers, str(getattr(obj, "estimator", None)), None)
    if not (isinstance(cls, type) and issubclass(cls, _DeepSERClassifier)):
        raise ModelFileError(
            f"{name!r} names an unknown deep classifier {obj.estimator!r}; known: "
            f"{', '.join(n for n in classifiers.__all__ if n.endswith('Classifier'))}."
        )
    params = dict(obj.params)
    for param, dotted in obj.param_classes.items():
        params[param] = parameter_class(dotted, param, name)
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
    # A classifier may store part of its network (a fine-tuned encoder's frozen
    # layers are found again from their folder); the rest is as initialised.
    expected = net._state_to_save()
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
    net.module_.load_state_dict(saved, strict=False)
    net.history_ = History(json.loads(obj.history))
    return net


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
