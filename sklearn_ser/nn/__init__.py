"""The seed papers' networks, and the library's own, as torch modules.

Every module takes the shape of one input sample (``input_shape``, without
the batch axis) and the number of classes, and returns logits. The skorch
estimators in :mod:`sklearn_ser.classifiers` fill both in from the training
data, so they are tuned only through the remaining ``module__*`` parameters.
"""

from ._attentive_crnn import AttentiveCRNN
from ._cnn_lstm import CNNLSTM
from ._conv1d_lstm import Conv1DLSTM
from ._encoder_fine_tuning import EncoderFineTuning
from ._layer_weighted_head import LayerWeightedHead
from ._parallel_cnn_transformer import ParallelCNNTransformer
from ._spectrogram_cnn import SpectrogramCNN
from ._stacked_lstm import StackedLSTM

__all__ = [
    "AttentiveCRNN",
    "CNNLSTM",
    "Conv1DLSTM",
    "EncoderFineTuning",
    "LayerWeightedHead",
    "ParallelCNNTransformer",
    "SpectrogramCNN",
    "StackedLSTM",
]
