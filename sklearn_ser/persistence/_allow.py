"""The allow-list: the only classes and functions a model file may name.

A model file's pipeline member (:mod:`skops.io`'s format) names the type of
every object it holds, in a JSON schema. ``check_schema`` reads those
names as plain text and refuses the file if any is not in
``ALLOWED_TYPES``, before skops or anything else imports a module: a
refused name is never imported. Only then does skops build the objects.

``ALLOWED_TYPES`` is ``RECIPE_TYPES`` (what :func:`save_model` writes
for the recipes of :data:`sklearn_ser.recipes.RECIPES`, fitted, tuned or not)
and ``HELPER_TYPES`` (plain data a pipeline may also hold, each with why).
``test_allow_list_is_what_the_recipes_write`` saves every registered recipe
and checks both ways: every type it writes is listed, and every listed type
is written by some recipe or is a documented helper. To let model files hold
a new estimator, add its dotted name (the module that *defines* it) to
``RECIPE_TYPES``; that is the one place.

Deep classifiers never appear as themselves (a skorch net restores itself
with ``torch.load``) but as ``_SavedDeepClassifier`` records; the classes
they take as parameters (network, loss, optimiser, data loader) are named as
strings and checked by ``parameter_class``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable

from ._archive import ModelFileError

#: How a deep classifier in plain-data form is named in a model file.
SAVED_DEEP = "sklearn_ser.persistence._SavedDeepClassifier"

#: The types that the registered recipes' fitted pipelines contain.
RECIPE_TYPES = frozenset(
    {
        SAVED_DEEP,
        "builtins.dict",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
        "imblearn.pipeline.Pipeline",
        "numpy.float64",
        "numpy.int64",
        "numpy.ma.MaskedArray",
        "numpy.ndarray",
        "numpy.str_",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._voting.VotingClassifier",
        "sklearn.metrics._classification.balanced_accuracy_score",
        "sklearn.metrics._scorer._Scorer",
        "sklearn.model_selection._search.GridSearchCV",
        "sklearn.model_selection._split.StratifiedGroupKFold",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.svm._classes.SVC",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._tree.Tree",
        "sklearn.utils._bunch.Bunch",
        "sklearn_ser.audio.AudioLoader",
        "sklearn_ser.augment.AWGNAugmenter",
        "sklearn_ser.features._acoustic_stats.AcousticStats170",
        "sklearn_ser.features._layer_selector.LayerSelector",
        "sklearn_ser.features._mel_chunker.MelSpectrogramChunker",
        "sklearn_ser.features._mfcc_frames.MFCCFrames",
        "sklearn_ser.features._opensmile.OpenSMILEFunctionals",
        "sklearn_ser.features._speech_encoder.SpeechEncoderEmbeddings",
    }
)

#: Plain data that a recipe's pipeline may hold on other data or settings
#: than the tests fit: each type with why it is allowed.
HELPER_TYPES = {
    "builtins.bool": "a flag stored as a list or dict item",
    "builtins.float": "a number stored as a list or dict item",
    "builtins.int": "a number stored as a list or dict item",
    "builtins.set": "a set of labels or names",
    "builtins.slice": "an index range",
    "numpy.bool_": "a NumPy scalar (numbers only)",
    "numpy.dtype": "an array's dtype (a fitted input dtype)",
    "numpy.float32": "a NumPy scalar (numbers only)",
    "numpy.int32": "a NumPy scalar (numbers only)",
    "numpy.random.mtrand.RandomState": "a seeded random_state parameter",
    "sklearn.pipeline.Pipeline": "scikit-learn's pipeline of the recipes' steps",
}

#: Every type a model file may name.
ALLOWED_TYPES = RECIPE_TYPES | frozenset(HELPER_TYPES)

#: The skops node kinds a model file may use (each builds one of the types
#: above from plain data; none imports or calls anything else).
ALLOWED_NODES = frozenset(
    {
        "DictNode",
        "DTypeNode",
        "FunctionNode",
        "JsonNode",
        "ListNode",
        "MaskedArrayNode",
        "NdArrayNode",
        "ObjectNode",
        "RandomStateNode",
        "SetNode",
        "SliceNode",
        "TreeNode",
        "TupleNode",
        "TypeNode",
    }
)

# Classes a deep classifier may take as parameters (module, criterion,
# optimizer, iterators, dataset), by the module they are defined in.
_TRUSTED_PARAMETER_MODULES = (
    "sklearn_ser.nn.",
    "torch.nn.modules.loss",
    "torch.optim.",
    "torch.utils.data.",
    "skorch.dataset",
)
# Submodules that a parameter class may not come from.
_UNTRUSTED_PARTS = frozenset({"tests", "conftest", "_testing", "externals"})


def schema_types(schema) -> tuple[set[str], set[str]]:
    """The dotted type names and the skops node kinds a skops schema names.

    Pure JSON walking: nothing is imported.
    """
    types, nodes = set(), set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__loader__" in node or "__class__" in node or "__module__" in node:
                nodes.add(str(node.get("__loader__")))
                types.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return types, nodes


def refused_types(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are not on the allow-list, sorted."""
    return sorted(set(names) - ALLOWED_TYPES)


def check_schema(schema_json: bytes, name: str) -> list[str]:
    """Refuse a pipeline whose schema names a type or node kind not allowed.

    Parameters
    ----------
    schema_json : bytes
        The ``schema.json`` of the skops member.
    name : str
        The model file, for messages.

    Returns
    -------
    types : list of str
        The (allowed) types the pipeline names, to pass to skops as trusted.
    """
    try:
        schema = json.loads(schema_json)
    except ValueError as exc:
        raise ModelFileError(
            f"{name!r} is damaged: unreadable schema ({exc})."
        ) from None
    types, nodes = schema_types(schema)
    refused = refused_types(types)
    bad_nodes = sorted(nodes - ALLOWED_NODES)
    if refused or bad_nodes:
        what = ", ".join(refused + [f"skops node {n}" for n in bad_nodes])
        raise ModelFileError(
            f"{name!r} names {what}, which a sklearn_ser model file may not hold "
            "(allowed: the types of the sklearn_ser recipes' pipelines, listed in "
            "sklearn_ser.persistence.ALLOWED_TYPES); nothing was loaded."
        )
    return sorted(types)


def parameter_class(dotted: str, param: str, name: str) -> type:
    """Resolve a class-valued classifier parameter against its allow-list.

    A name outside the allowed modules is refused before its module is
    imported.
    """
    import torch

    module, _, attribute = str(dotted).rpartition(".")
    resolved = None
    parts = module.split(".")
    if (module + ".").startswith(_TRUSTED_PARAMETER_MODULES) and not (
        _UNTRUSTED_PARTS.intersection(parts)
    ):
        try:
            resolved = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError, ValueError):
            resolved = None
        if getattr(resolved, "__module__", None) != module:
            resolved = None  # re-exported from elsewhere
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
