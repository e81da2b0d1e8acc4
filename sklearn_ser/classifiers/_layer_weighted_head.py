"""LayerWeightedHeadClassifier: the SUPERB/EmoBox head over an encoder's layers."""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ..nn import LayerWeightedHead
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["LayerWeightedHeadClassifier"]


@_with_shared_parameters
class LayerWeightedHeadClassifier(_DeepSERClassifier):
    """Learned layer weights and a small MLP over pooled encoder embeddings.

    The downstream protocol of SUPERB and EmoBox for frozen speech encoders:
    a softmax-weighted sum over the encoder's hidden states, learnt with the
    rest, then a one-hidden-layer perceptron (see
    :class:`sklearn_ser.nn.LayerWeightedHead`). Input:
    ``SpeechEncoderEmbeddings(layers="all")`` output of shape
    ``(n_clips, n_layers, dim)`` (any list of layers works; one layer is
    ``layers=[k]``); each feature is standardised with statistics pooled over
    clips and layers, then each layer's vector is normalised before
    weighting. Training defaults: AdamW with learning rate 0.001 and weight
    decay 0.01, a cosine schedule after a warm-up over the first 10 % of the
    steps, label smoothing 0.1, batch size 32, 60 epochs.

    Parameters
    ----------
    module : torch.nn.Module class, default=LayerWeightedHead
        The architecture; its parameters are set with ``module__*``
        (``hidden_size``, ``dropout``, ``layer_norm``).
    optimizer : torch optimizer class, default=torch.optim.AdamW
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.001
        Peak learning rate.
    batch_size : int, default=32
        Clips per mini-batch.
    max_epochs : int, default=60
        Training epochs.
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay (this class's default; the shared
        description below gives the parameter's meaning).
    lr_schedule : str, default="cosine"
        Warm-up, then a half cosine to zero (this class's default).
    warmup : float, default=0.1
        Share of the steps spent warming up (this class's default).
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy (this class's default).
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import LayerWeightedHeadClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 3, 8)).astype("float32")
    >>> X[10:, 2] += 2.0  # layer 2 tells the classes apart
    >>> y = np.repeat(["angry", "calm"], 10)
    >>> clf = LayerWeightedHeadClassifier(module__hidden_size=8, max_epochs=40,
    ...                                   lr=0.01, random_state=0, verbose=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.layer_weights_.shape
    (3,)
    """

    _input_ndim = 3
    _input_layout = (
        "(n_clips, n_layers, dim), as SpeechEncoderEmbeddings(layers='all') returns it"
    )
    _feature_axis = -1

    def __init__(
        self,
        module=LayerWeightedHead,
        *,
        optimizer=torch.optim.AdamW,
        lr=0.001,
        batch_size=32,
        max_epochs=60,
        weight_decay=0.01,
        lr_schedule="cosine",
        warmup=0.1,
        label_smoothing=0.1,
        **kwargs,
    ):
        super().__init__(
            module,
            optimizer=optimizer,
            lr=lr,
            batch_size=batch_size,
            max_epochs=max_epochs,
            weight_decay=weight_decay,
            lr_schedule=lr_schedule,
            warmup=warmup,
            label_smoothing=label_smoothing,
            **kwargs,
        )

    @property
    def layer_weights_(self) -> np.ndarray:
        """The learnt weight of each input layer, in input order (sums to 1)."""
        check_is_fitted(self, "module_")
        return self.module_.network.layer_weights().cpu().numpy()
