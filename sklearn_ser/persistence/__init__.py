"""Save and load fitted pipelines in model files that hold data, never code.

A model file (conventionally ``*.sser``) is a zip archive of three members:

- ``manifest.json``: plain JSON (format version, library versions, recipe,
  label set, the SHA-256 checksum of each other member, your metadata);
- ``pipeline.skops``: the pipeline's structure and fitted attributes in
  :mod:`skops.io`'s format, which names every class it holds. Loading
  reads those names as plain JSON and refuses a file that names any type
  outside ``ALLOWED_TYPES`` (the types the recipes' pipelines contain,
  see ``sklearn_ser.persistence._allow``) before anything is imported,
  so no class chosen by the file's author is ever imported or run;
- ``weights.safetensors``: the deep classifiers' network weights as raw
  tensors in the :mod:`safetensors` format, which holds numbers only.

A deep classifier is stored as its constructor parameters (a parameter
that is a class, such as ``module`` or ``optimizer``, by its dotted name),
its fitted attributes (labels, input scaler, input shape, device, training
history) and a key into the weights; :func:`load_model` rebuilds it by
constructing the classifier, initialising its network and loading the
weights after checking their names, shapes and dtypes. Members are read
within size and compression-ratio limits checked before decompressing
(see ``sklearn_ser.persistence._archive``), a file with two members of
one name is refused, and the manifest's labels and recipe must match the
loaded model. Any failure while reading a file is a :class:`ModelFileError`
that names the file.

Files of the first format (version 1, a joblib pickle) are refused, since
unpickling runs code chosen by the file's author; ``trusted_pickle=True``
loads one that you trust, so that you can save it again in this format.
"""

from .. import __version__  # noqa: F401 (recorded in manifests)
from ._allow import ALLOWED_TYPES, HELPER_TYPES, RECIPE_TYPES
from ._allow import refused_types as _refused_types  # noqa: F401
from ._archive import (  # noqa: F401
    FORMAT,
    FORMAT_VERSION,
    PICKLE_FORMAT_VERSION,
    ModelFileError,
    _write_archive,
    read_manifest,
)
from ._deep import _SavedDeepClassifier  # noqa: F401 (named in files)
from ._model import load_model, save_model

__all__ = [
    "ALLOWED_TYPES",
    "HELPER_TYPES",
    "RECIPE_TYPES",
    "ModelFileError",
    "load_model",
    "read_manifest",
    "save_model",
]
