"""sklearn_ser: speech emotion recognition as scikit-learn estimators.

Audio in, emotions out: :class:`AudioLoader` turns paths into waveforms,
feature transformers turn waveforms into what the literature's models read,
:class:`AWGNAugmenter` adds noisy copies at fit time only, and the deep
classifiers wrap the seed papers' networks as skorch estimators. Recipes and
the benchmark live in :mod:`sklearn_ser.recipes` and :mod:`sklearn_ser.benchmark`.
"""

__version__ = "0.1.0.dev0"

from .audio import DEFAULT_SR, AudioLoader, AudioLoadError, load_audio
from .augment import AWGNAugmenter
from .classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)
from .datasets import (
    EMOTIONS,
    load_folder,
    load_ravdess,
    load_tess,
    make_emotional_speech,
)
from .features import (
    AcousticStats170,
    MelSpectrogramChunker,
    MFCCFrames,
    OpenSMILEFunctionals,
)

__all__ = [
    "DEFAULT_SR",
    "EMOTIONS",
    "AWGNAugmenter",
    "AcousticStats170",
    "AudioLoadError",
    "AudioLoader",
    "CNNLSTMClassifier",
    "Conv1DLSTMClassifier",
    "MFCCFrames",
    "MelSpectrogramChunker",
    "OpenSMILEFunctionals",
    "ParallelCNNTransformerClassifier",
    "SpectrogramCNNClassifier",
    "StackedLSTMClassifier",
    "__version__",
    "load_audio",
    "load_folder",
    "load_ravdess",
    "load_tess",
    "make_emotional_speech",
]
