"""The allow-list: which classes and functions a model file may name."""

from __future__ import annotations

import importlib

from ._archive import ModelFileError

# Packages whose own classes a model file may name. Classes must be defined
# in the module the file names (not merely re-exported there), so that a
# name cannot reach, say, ``os.system`` through an ``import`` of a trusted
# module. skops already trusts scikit-learn's estimators, NumPy dtypes and
# plain Python containers; only the names it does not trust reach this check.
#: How a deep classifier in plain-data form is named in a model file.
_SAVED_DEEP = "sklearn_ser.persistence._SavedDeepClassifier"
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
        if dotted == _SAVED_DEEP:
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
    return _SAVED_DEEP in untrusted
