"""CNNLSTMClassifier: a seed paper's deep model as a skorch estimator.

CNN-LSTM over mel-spectrogram chunks (seed paper 000, Bhanbhro et al.).
"""

import torch

from ..nn import CNNLSTM
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["CNNLSTMClassifier"]


@_with_shared_parameters
class CNNLSTMClassifier(_DeepSERClassifier):
    """CNN-LSTM over mel-spectrogram chunks (seed paper 000, Bhanbhro et al.).

    A 2-D CNN reads each chunk and an LSTM reads the sequence of chunks (see
    :class:`sklearn_ser.nn.CNNLSTM`). Input: ``MelSpectrogramChunker``
    output of shape ``(n_clips, n_chunks, n_mels, chunk_frames)``; each mel
    band is standardised with statistics pooled over clips, chunks and
    frames.

    The paper reports its best result after 1,400 epochs and names no
    optimiser; we use the settings of its sister paper 004 (same
    preprocessing and CNN family): SGD, learning rate 0.01, momentum 0.9,
    weight decay 1e-4, batch size 32 (the Keras default; not given).

    Parameters
    ----------
    module : torch.nn.Module class, default=CNNLSTM
        The architecture; its parameters are set with ``module__*``.
    optimizer : torch optimizer class, default=torch.optim.SGD
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.01
        Learning rate.
    batch_size : int, default=32
        Clips per mini-batch.
    max_epochs : int, default=1400
        Training epochs (the paper's; lower it, or use early stopping, for
        quick experiments).
    momentum : float, default=0.9
        SGD momentum (ignored by optimisers without one, e.g. AdamW).
    weight_decay : float, default=1e-4
        L2 penalty (the optimiser's ``weight_decay``).
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import CNNLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(12, 2, 8, 8)).astype("float32")
    >>> y = np.repeat(["angry", "calm"], 6)
    >>> clf = CNNLSTMClassifier(module__channels=(4, 8), module__pools=(2, 2),
    ...                         max_epochs=2, random_state=0, verbose=0).fit(X, y)
    >>> clf.classes_
    array(['angry', 'calm'], dtype='<U5')
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _input_ndim = 4
    _input_layout = (
        "(n_clips, n_chunks, n_mels, chunk_frames), as MelSpectrogramChunker returns it"
    )
    _feature_axis = -2
    _time_axis = -1

    def __init__(
        self,
        module=CNNLSTM,
        *,
        optimizer=torch.optim.SGD,
        lr=0.01,
        batch_size=32,
        max_epochs=1400,
        momentum=0.9,
        weight_decay=1e-4,
        **kwargs,
    ):
        super().__init__(
            module,
            optimizer=optimizer,
            lr=lr,
            batch_size=batch_size,
            max_epochs=max_epochs,
            momentum=momentum,
            weight_decay=weight_decay,
            **kwargs,
        )
