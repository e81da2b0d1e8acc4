"""SpectrogramCNNClassifier: a seed paper's deep model as a skorch estimator.

2-D CNN on the log-mel spectrogram (seed paper 002, Pavithra et al.).
"""

import torch

from ..nn import SpectrogramCNN
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["SpectrogramCNNClassifier"]


@_with_shared_parameters
class SpectrogramCNNClassifier(_DeepSERClassifier):
    """2-D CNN on the log-mel spectrogram (seed paper 002, Pavithra et al.).

    See :class:`sklearn_ser.nn.SpectrogramCNN` for the layers (the paper
    gives none). Input: ``MelSpectrogramChunker(n_chunks=1)`` output of shape
    ``(n_clips, 1, n_mels, n_frames)`` (more chunks become more channels);
    each mel band is standardised with statistics pooled over clips,
    channels and frames. The paper names no optimiser or schedule; its code
    is Keras, so we use Keras' defaults: Adam, learning rate 0.001, batch
    size 32, and 50 epochs.

    The paper's ensemble of CNNs is a soft-voting
    :class:`~sklearn.ensemble.VotingClassifier` over several of these with
    different seeds or ``module__*`` settings (see the example).

    Parameters
    ----------
    module : torch.nn.Module class, default=SpectrogramCNN
        The architecture; its parameters are set with ``module__*``.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.001
        Learning rate.
    batch_size : int, default=32
        Clips per mini-batch.
    max_epochs : int, default=50
        Training epochs.
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import VotingClassifier
    >>> from sklearn_ser.classifiers import SpectrogramCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(12, 1, 8, 16)).astype("float32")
    >>> y = np.repeat(["angry", "calm", "sad"], 4)
    >>> ensemble = VotingClassifier(
    ...     [(f"cnn{seed}", SpectrogramCNNClassifier(
    ...         module__channels=(4, 8), module__pools=(2, 2),
    ...         max_epochs=2, random_state=seed, verbose=0)) for seed in range(3)],
    ...     voting="soft").fit(X, y)
    >>> ensemble.predict_proba(X[:2]).shape
    (2, 3)
    """

    _input_ndim = 4
    _input_layout = (
        "(n_clips, 1, n_mels, n_frames), as MelSpectrogramChunker(n_chunks=1) "
        "returns it"
    )
    _feature_axis = -2
    _time_axis = -1

    def __init__(
        self,
        module=SpectrogramCNN,
        *,
        optimizer=torch.optim.Adam,
        lr=0.001,
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
