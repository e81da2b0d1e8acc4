"""Conv1DLSTMClassifier: a seed paper's deep model as a skorch estimator.

Conv1D-LSTM on MFCC frames (seed paper 003, Ayadi and Lachiri).
"""

import torch

from ..nn import Conv1DLSTM
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["Conv1DLSTMClassifier"]


@_with_shared_parameters
class Conv1DLSTMClassifier(_DeepSERClassifier):
    """Conv1D-LSTM on MFCC frames (seed paper 003, Ayadi and Lachiri).

    Conv1D(256, k=5) - BatchNorm - 2 x LSTM(256) - Dropout - dense layers
    (see :class:`sklearn_ser.nn.Conv1DLSTM`). Input: ``MFCCFrames`` output
    of shape ``(n_clips, n_frames, n_mfcc)``; each coefficient is
    standardised with statistics pooled over clips and frames. Training
    follows the paper: Adam with learning rate 0.01; batch size (32) and
    epochs (50) are not given.

    Parameters
    ----------
    module : torch.nn.Module class, default=Conv1DLSTM
        The architecture; its parameters are set with ``module__*``.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.01
        Learning rate.
    batch_size : int, default=32
        Clips per mini-batch.
    max_epochs : int, default=50
        Training epochs.
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import Conv1DLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(12, 20, 12)).astype("float32")
    >>> y = np.repeat(["angry", "calm"], 6)
    >>> clf = Conv1DLSTMClassifier(module__conv_channels=8,
    ...                            module__lstm_hidden_size=8,
    ...                            module__dense_size=8, max_epochs=2,
    ...                            random_state=0, verbose=0).fit(X, y)
    >>> clf.predict(X[:2]).shape
    (2,)
    """

    _input_ndim = 3
    _input_layout = "(n_clips, n_frames, n_mfcc), as MFCCFrames returns it"
    _feature_axis = -1
    _time_axis = -2

    def __init__(
        self,
        module=Conv1DLSTM,
        *,
        optimizer=torch.optim.Adam,
        lr=0.01,
        batch_size=32,
        max_epochs=50,
        **kwargs,
    ):
        super().__init__(
            module,
            optimizer=optimizer,
            lr=lr,
            batch_size=batch_size,
            max_epochs=max_epochs,
            **kwargs,
        )
