"""AttentiveCRNNClassifier: the library's own from-scratch deep model.

Residual CNN, bidirectional GRU and attentive statistics pooling on the
log-mel spectrogram, trained with the modern options of the shared base.
"""

import torch

from ..nn import AttentiveCRNN
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["AttentiveCRNNClassifier"]


@_with_shared_parameters
class AttentiveCRNNClassifier(_DeepSERClassifier):
    """Residual CRNN with attentive statistics pooling on the log-mel spectrogram.

    Not a seed paper's system: a compact design from what the field learnt
    after them (see :class:`sklearn_ser.nn.AttentiveCRNN` for the layers).
    Input: ``MelSpectrogramChunker(n_chunks=1)`` output of shape
    ``(n_clips, 1, n_mels, n_frames)``; each mel band is standardised with
    statistics pooled over clips and frames. Training defaults: AdamW with
    learning rate 0.001 and weight decay 0.01, a cosine schedule after a
    warm-up over the first 10 % of the steps, label smoothing 0.1,
    gradient-norm clipping at 5, batch size 32, 60 epochs. SpecAugment masks
    and mixup depend on the input size and are off here; the
    ``attentive_crnn`` recipe switches them on.

    Parameters
    ----------
    module : torch.nn.Module class, default=AttentiveCRNN
        The architecture; its parameters are set with ``module__*``.
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
    max_grad_norm : float, default=5.0
        Gradient-norm clipping (this class's default).
    {shared_parameters}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import AttentiveCRNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(12, 1, 16, 20)).astype("float32")
    >>> y = np.repeat(["angry", "calm"], 6)
    >>> clf = AttentiveCRNNClassifier(
    ...     module__channels=(4, 8), module__pools=((2, 2), (2, 2)),
    ...     module__gru_hidden_size=8, module__attention_size=8,
    ...     time_mask=3, freq_mask=2, mixup_alpha=0.2,
    ...     max_epochs=2, random_state=0, verbose=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
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
        module=AttentiveCRNN,
        *,
        optimizer=torch.optim.AdamW,
        lr=0.001,
        batch_size=32,
        max_epochs=60,
        weight_decay=0.01,
        lr_schedule="cosine",
        warmup=0.1,
        label_smoothing=0.1,
        max_grad_norm=5.0,
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
            max_grad_norm=max_grad_norm,
            **kwargs,
        )
