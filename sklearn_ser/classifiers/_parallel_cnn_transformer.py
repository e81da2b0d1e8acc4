"""ParallelCNNTransformerClassifier: a seed paper's deep model as a skorch estimator.

Parallel CNNs and a Transformer encoder (seed paper 004, An and Ruan).
"""

import torch

from ..nn import ParallelCNNTransformer
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["ParallelCNNTransformerClassifier"]


@_with_shared_parameters
class ParallelCNNTransformerClassifier(_DeepSERClassifier):
    """Parallel CNNs and a Transformer encoder (seed paper 004, An and Ruan).

    Two 2-D CNN branches read the MFCC map as an image and a Transformer
    encoder reads it as a sequence of frames (see
    :class:`sklearn_ser.nn.ParallelCNNTransformer`). Input: ``MFCCFrames``
    output of shape ``(n_clips, n_frames, n_mfcc)`` (the paper: 40 MFCCs x
    282 frames); each coefficient is standardised with statistics pooled
    over clips and frames. Training follows the paper: SGD with learning
    rate 0.01, momentum 0.9, weight decay 1e-4, batch size 16, 200 epochs.

    Parameters
    ----------
    module : torch.nn.Module class, default=ParallelCNNTransformer
        The architecture; its parameters are set with ``module__*``.
    optimizer : torch optimizer class, default=torch.optim.SGD
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.01
        Learning rate.
    batch_size : int, default=16
        Clips per mini-batch.
    max_epochs : int, default=200
        Training epochs.
    momentum : float, default=0.9
        SGD momentum (ignored by optimisers without one, e.g. AdamW).
    weight_decay : float, default=1e-4
        L2 penalty (the optimiser's ``weight_decay``).
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import ParallelCNNTransformerClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(12, 16, 8)).astype("float32")
    >>> y = np.repeat(["angry", "calm"], 6)
    >>> clf = ParallelCNNTransformerClassifier(
    ...     module__cnn_channels=(4, 8), module__cnn_pools=(2, 2),
    ...     module__n_layers=1, module__dim_feedforward=16,
    ...     max_epochs=2, random_state=0, verbose=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _input_ndim = 3
    _input_layout = "(n_clips, n_frames, n_mfcc), as MFCCFrames returns it"
    _feature_axis = -1
    _time_axis = -2

    def __init__(
        self,
        module=ParallelCNNTransformer,
        *,
        optimizer=torch.optim.SGD,
        lr=0.01,
        batch_size=16,
        max_epochs=200,
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
