"""EncoderFineTuningClassifier: a pretrained speech encoder fine-tuned with a head."""

from __future__ import annotations

import os
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..audio import DEFAULT_SR
from ..nn import EncoderFineTuning
from ._base import _DeepSERClassifier
from ._docstring import _with_shared_parameters

__all__ = ["EncoderFineTuningClassifier"]

#: Prefix of the encoder's parameters in ``module_``'s state.
_ENCODER_PREFIX = "network.encoder."


@_with_shared_parameters
class EncoderFineTuningClassifier(_DeepSERClassifier):
    """A pretrained speech encoder with its top layers fine-tuned, and a head.

    Waveforms in, emotions out: the encoder of a Hugging Face
    ``transformers`` checkpoint (wav2vec 2.0, HuBERT, WavLM, data2vec-audio,
    Whisper) runs inside the network (:class:`sklearn_ser.nn.EncoderFineTuning`).
    Its top ``trainable_layers`` transformer layers train with the head; the
    front end and the layers below stay frozen. Every hidden state is
    mean-pooled over the frames that cover each clip (trailing exact zeros
    are padding, as in :class:`~sklearn_ser.features.SpeechEncoderEmbeddings`)
    and a learned softmax weight per hidden state feeds a small MLP
    (:class:`sklearn_ser.nn.LayerWeightedHead`). The encoder trains at
    ``encoder_lr``, the head at ``lr``. Waveforms are not standardised (their
    scale is the front end's business). Needs the optional dependency:
    ``pip install sklearn-ser[pretrained]``.

    This is the training that a GPU is for: every epoch runs the whole
    encoder on every clip. On CUDA the forward pass runs under bf16 autocast
    (``precision="auto"``).

    Parameters
    ----------
    module : torch.nn.Module class, default=EncoderFineTuning
        The architecture; the head's parameters are set with ``module__*``
        (``hidden_size``, ``dropout``, ``layer_norm``).
    model : str or path-like, default=None
        A folder written by ``save_pretrained`` or a hub id, as for
        :class:`~sklearn_ser.features.SpeechEncoderEmbeddings`. Required.
    revision : str or None, default=None
        Hub revision of a hub id; ignored for a folder.
    trainable_layers : int, default=2
        Top transformer layers trained (with the layer norm after the last,
        where the architecture has one); 0 trains the head alone.
    whisper_input : {"clip", "30s"}, default="clip"
        Whisper only: run on each clip's own length with the positional
        table cut to match, or on a 30-s window.
    encoder_lr : float or None, default=5e-5
        Peak learning rate of the encoder's trained layers (a parameter group
        of the optimiser, scheduled like ``lr``); None: ``lr``.
    sr : int, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms; must be the encoder's own.
    optimizer : torch optimizer class, default=torch.optim.AdamW
        Set its parameters with ``optimizer__*``.
    lr : float, default=0.001
        Peak learning rate of the head.
    batch_size : int, default=16
        Clips per mini-batch.
    max_epochs : int, default=10
        Training epochs.
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay (this class's default).
    lr_schedule : {"constant", "cosine"}, default="cosine"
        Warm-up, then a half cosine to zero (this class's default);
        ``"onecycle"`` is refused when ``encoder_lr`` is set, since it gives
        every parameter group the peak ``lr``.
    warmup : float, default=0.1
        Share of the steps spent warming up (this class's default).
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy (this class's default).
    max_grad_norm : float or None, default=1.0
        Gradient-norm clipping (this class's default).
    {shared_parameters}
    weights_sha256_ : str
        SHA-256 of the encoder's weight files at fit. A model file stores the
        trained layers and the head only; loading finds the encoder again
        (folder or cache) and refuses other weights.
    model_type_ : str
        The checkpoint's ``model_type``.
    n_hidden_states_ : int
        Hidden states weighted by the head (front end + layers).

    See Also
    --------
    sklearn_ser.features.SpeechEncoderEmbeddings : the frozen encoder as a
        feature transformer.
    sklearn_ser.classifiers.LayerWeightedHeadClassifier : the same head on
        frozen embeddings, computed once.

    Notes
    -----
    Input standardisation (``scaler_`` is None), time masks and frequency
    masks do not apply to waveforms (``time_mask`` and ``freq_mask`` must be
    0); mixup mixes waveforms. The frozen layers run without an autograd
    graph, so memory grows with ``trainable_layers``. Inputs are checked like the frozen
    transformer's: a clip shorter than one encoder frame, an all-zero clip,
    or, for Whisper, a clip longer than 30 s is an error naming the rows.

    Examples
    --------
    A tiny randomly initialised wav2vec 2.0, saved as a checkpoint folder
    (use a real one, such as ``"openai/whisper-tiny.en"``, for real results):

    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import EncoderFineTuningClassifier
    >>> from sklearn_ser.features._encoder_backbone import import_transformers
    >>> transformers = import_transformers()
    >>> config = transformers.Wav2Vec2Config(hidden_size=16, num_hidden_layers=2,
    ...     num_attention_heads=2, intermediate_size=32, conv_dim=(8, 8),
    ...     conv_stride=(5, 2), conv_kernel=(10, 3), num_conv_pos_embeddings=16,
    ...     num_conv_pos_embedding_groups=2)
    >>> folder = tempfile.mkdtemp()
    >>> transformers.Wav2Vec2Model(config).save_pretrained(folder)
    >>> _ = transformers.Wav2Vec2FeatureExtractor().save_pretrained(folder)
    >>> X = 0.1 * np.random.default_rng(0).standard_normal((8, 4000), "float32")
    >>> y = np.repeat(["angry", "calm"], 4)
    >>> clf = EncoderFineTuningClassifier(model=folder, trainable_layers=1,
    ...     max_epochs=2, batch_size=4, verbose=0, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> clf.layer_weights_.shape  # front end + 2 layers
    (3,)
    """

    _input_ndim = 2
    _input_layout = (
        "(n_clips, n_samples), waveforms at the encoder's sample rate as "
        "AudioLoader returns them"
    )
    _feature_axis = -1
    _standardize_input = False

    _parameter_constraints: dict = {
        **_DeepSERClassifier._parameter_constraints,
        "model": [str, os.PathLike, None],
        "revision": [str, None],
        "trainable_layers": [Interval(Integral, 0, None, closed="left")],
        "whisper_input": [StrOptions({"clip", "30s"})],
        "encoder_lr": [Interval(Real, 0, None, closed="neither"), None],
        "sr": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        module=EncoderFineTuning,
        *,
        model=None,
        revision=None,
        trainable_layers=2,
        whisper_input="clip",
        encoder_lr=5e-5,
        sr=DEFAULT_SR,
        optimizer=torch.optim.AdamW,
        lr=0.001,
        batch_size=16,
        max_epochs=10,
        weight_decay=0.01,
        lr_schedule="cosine",
        warmup=0.1,
        label_smoothing=0.1,
        max_grad_norm=1.0,
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
        self.model = model
        self.revision = revision
        self.trainable_layers = trainable_layers
        self.whisper_input = whisper_input
        self.encoder_lr = encoder_lr
        self.sr = sr

    @property
    def layer_weights_(self) -> np.ndarray:
        """The learnt weight of each hidden state (front end first; sums to 1)."""
        check_is_fitted(self, "module_")
        return self.module_.network.head.layer_weights().cpu().numpy()

    # -- the encoder ------------------------------------------------------

    def _backbone(self):
        from ..features._encoder_backbone import load_backbone

        if self.model is None:
            raise ValueError(
                f"{type(self).__name__} needs model=: a folder written by "
                "save_pretrained or a Hugging Face hub id, e.g. "
                "'openai/whisper-tiny.en'."
            )
        return load_backbone(self.model, self.revision, "cpu")

    def _check_params(self) -> None:
        super()._check_params()
        if self.encoder_lr is not None and self.lr_schedule == "onecycle":
            raise ValueError(
                "lr_schedule='onecycle' gives every parameter group the peak lr, "
                f"so encoder_lr={self.encoder_lr} would be ignored; use "
                "lr_schedule='cosine' or encoder_lr=None."
            )

    def _check_X(self, X, y=None, *, reset: bool):
        from ..features._encoder_backbone import true_lengths

        checked = super()._check_X(X, y, reset=reset)
        if reset:
            backbone = self._backbone()
            backbone.check_sampling_rate(self.sr, str(self.model), type(self).__name__)
        else:
            check_is_fitted(self, "module_")
            backbone = self.module_.network.backbone
        waveforms = checked if y is None else checked[0]
        backbone.check_lengths(true_lengths(waveforms), str(self.model), self.sr)
        if reset:
            self.model_type_ = backbone.model_type
            self.n_hidden_states_ = backbone.n_hidden_states
            self.weights_sha256_ = backbone.weights_sha256
        return checked

    def _module_kwargs(self) -> dict:
        backbone = self._backbone()
        backbone.check_weights(
            self.weights_sha256_, str(self.model), f"this {type(self).__name__}"
        )
        return dict(
            super()._module_kwargs(),
            encoder=backbone,
            trainable_layers=self.trainable_layers,
            whisper_input=self.whisper_input,
        )

    # -- training ---------------------------------------------------------

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        if prefix == "optimizer" and self.encoder_lr is not None:
            # After the user's own groups, which match first.
            params["param_groups"] = [
                *params.get("param_groups", []),
                (_ENCODER_PREFIX + "*", {"lr": self.encoder_lr}),
            ]
        return params

    def _inference_batch_size(self) -> int:
        # The encoder's activations fill the device, not the clips: predict in
        # training-sized batches unless iterator_valid__batch_size says more.
        chosen = self.get_params_for("iterator_valid").get("batch_size")
        return self.batch_size if chosen is None else chosen

    def get_all_learnable_params(self):
        # The frozen encoder stays out of the optimiser and gradient clipping.
        for name, param in super().get_all_learnable_params():
            if param.requires_grad:
                yield name, param

    def _state_to_save(self) -> dict:
        """The trained tensors: the head and the encoder's trained layers.

        The frozen encoder is found again from ``model`` and checked against
        ``weights_sha256_``, so a model file does not copy it.
        """
        trained = {
            name
            for name, param in self.module_.named_parameters()
            if param.requires_grad
        }
        return {
            name: tensor
            for name, tensor in self.module_.state_dict().items()
            if name in trained or not name.startswith(_ENCODER_PREFIX)
        }
