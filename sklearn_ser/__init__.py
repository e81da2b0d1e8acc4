"""sklearn_ser: speech emotion recognition as scikit-learn estimators.

Audio in, emotions out: :class:`AudioLoader` turns paths into waveforms,
feature transformers turn waveforms into what the literature's models read,
:class:`AWGNAugmenter` adds noisy copies at fit time only,
:class:`SpeakerStandardizer` standardises features per speaker and
:class:`ClipNormalizer` per clip, and the deep
classifiers wrap the seed papers' networks as skorch estimators. Recipes and
the benchmark live in :mod:`sklearn_ser.recipes` and :mod:`sklearn_ser.benchmark`.

The names below are imported on first use (module ``__getattr__``), so that
``import sklearn_ser`` and the command line start without torch, skorch or
librosa; ``from sklearn_ser import X`` works as with eager imports.
"""

import lazy_loader

__version__ = "0.1.0.dev0"

__getattr__, _lazy_dir, _ = lazy_loader.attach(
    __name__,
    submodules=[
        "audio",
        "augment",
        "benchmark",
        "classifiers",
        "cli",
        "datasets",
        "features",
        "model_selection",
        "nn",
        "persistence",
        "preprocessing",
        "recipes",
        "segments",
    ],
    submod_attrs={
        "audio": ["DEFAULT_SR", "AudioLoadError", "AudioLoader", "load_audio"],
        "augment": ["AWGNAugmenter"],
        "classifiers": [
            "AttentiveCRNNClassifier",
            "CNNLSTMClassifier",
            "Conv1DLSTMClassifier",
            "EncoderFineTuningClassifier",
            "LayerWeightedHeadClassifier",
            "ParallelCNNTransformerClassifier",
            "SpectrogramCNNClassifier",
            "StackedLSTMClassifier",
        ],
        "datasets": [
            "EMOTIONS",
            "load_cremad",
            "load_emodb",
            "load_folder",
            "load_ravdess",
            "load_savee",
            "load_tess",
            "make_emotional_speech",
        ],
        "features": [
            "AcousticStats170",
            "LayerSelector",
            "MFCCFrames",
            "MelSpectrogramChunker",
            "OpenSMILEFunctionals",
            "SpeechEncoderEmbeddings",
        ],
        "preprocessing": ["ClipNormalizer", "SpeakerStandardizer"],
        "segments": ["Timeline", "predict_segments", "stream_segments"],
    },
)

__all__ = [
    "DEFAULT_SR",
    "EMOTIONS",
    "AWGNAugmenter",
    "AcousticStats170",
    "AttentiveCRNNClassifier",
    "AudioLoadError",
    "AudioLoader",
    "CNNLSTMClassifier",
    "ClipNormalizer",
    "Conv1DLSTMClassifier",
    "EncoderFineTuningClassifier",
    "LayerSelector",
    "LayerWeightedHeadClassifier",
    "MFCCFrames",
    "MelSpectrogramChunker",
    "OpenSMILEFunctionals",
    "ParallelCNNTransformerClassifier",
    "SpeakerStandardizer",
    "SpectrogramCNNClassifier",
    "SpeechEncoderEmbeddings",
    "StackedLSTMClassifier",
    "Timeline",
    "__version__",
    "load_audio",
    "load_cremad",
    "load_emodb",
    "load_folder",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "make_emotional_speech",
    "predict_segments",
    "stream_segments",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_lazy_dir()))
