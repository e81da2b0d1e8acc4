"""The seed papers' deep models as scikit-learn classifiers built on skorch.

Each estimator wraps one architecture of :mod:`sklearn_ser.nn` and consumes a
feature transformer's output as it comes, so it sits at the end of a
:class:`~sklearn.pipeline.Pipeline` or :class:`imblearn.pipeline.Pipeline`
with no reshaping glue. They share one base class that adds to skorch's
:class:`~skorch.classifier.NeuralNetClassifier`:

- string labels in and out (``classes_``), cross-entropy on the module's
  logits and ``predict_proba`` as their softmax;
- input standardisation fitted on the training data (the papers'
  ``StandardScaler`` step) and applied batch by batch on the device;
- ``device="auto"``: CUDA when available, else CPU, resolved at fit time
  (``device_``) without changing the parameter, also when unpickling;
- ``random_state``: seeds weight initialisation, dropout, shuffling and the
  validation split, so CPU training is reproducible;
- optional early stopping on a validation split that keeps speakers apart
  when ``fit`` receives ``groups``;
- ``class_weight`` for imbalanced corpora.
"""

from ._attentive_crnn import AttentiveCRNNClassifier
from ._cnn_lstm import CNNLSTMClassifier
from ._conv1d_lstm import Conv1DLSTMClassifier
from ._encoder_fine_tuning import EncoderFineTuningClassifier
from ._layer_weighted_head import LayerWeightedHeadClassifier
from ._parallel_cnn_transformer import ParallelCNNTransformerClassifier
from ._spectrogram_cnn import SpectrogramCNNClassifier
from ._stacked_lstm import StackedLSTMClassifier

__all__ = [
    "AttentiveCRNNClassifier",
    "CNNLSTMClassifier",
    "Conv1DLSTMClassifier",
    "EncoderFineTuningClassifier",
    "LayerWeightedHeadClassifier",
    "ParallelCNNTransformerClassifier",
    "SpectrogramCNNClassifier",
    "StackedLSTMClassifier",
]
