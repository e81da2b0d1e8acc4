"""StackedLSTMClassifier: a seed paper's deep model as a skorch estimator.

Stacked LSTM on acoustic statistics (seed paper 001, Bledea).
"""

import torch

from ..nn import StackedLSTM
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["StackedLSTMClassifier"]


@_with_shared_parameters
class StackedLSTMClassifier(_DeepSERClassifier):
    """Stacked LSTM on acoustic statistics (seed paper 001, Bledea).

    LSTM(128) - LSTM(128) - Dense(32, ReLU) - Dropout(0.2) - Dense (see
    :class:`sklearn_ser.nn.StackedLSTM`; by default the vector is read as a
    sequence of one value per step, ``module__layout="vector"`` reads it as
    one step). Input: ``AcousticStats170`` output of shape
    ``(n_clips, n_features)``, standardised per feature. Training follows the
    paper: Adam, learning rate 0.001, batch size 256, 50 epochs.

    Parameters
    ----------
    module : torch.nn.Module class, default=StackedLSTM
        The architecture; its parameters are set with ``module__*``.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.001
        Learning rate.
    batch_size : int, default=256
        Clips per mini-batch.
    max_epochs : int, default=50
        Training epochs.
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import StackedLSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 170)).astype("float32")
    >>> y = np.repeat(["angry", "calm"], 10)
    >>> clf = StackedLSTMClassifier(module__hidden_size=8, max_epochs=2,
    ...                             random_state=0, verbose=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).sum(axis=1)
    array([1., 1., 1.])
    """

    _input_ndim = 2
    _input_layout = "(n_clips, n_features), as AcousticStats170 returns it"
    _feature_axis = -1

    def __init__(
        self,
        module=StackedLSTM,
        *,
        optimizer=torch.optim.Adam,
        lr=0.001,
        batch_size=256,
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
