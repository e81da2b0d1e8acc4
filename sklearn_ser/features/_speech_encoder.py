"""SpeechEncoderEmbeddings: a pretrained speech encoder's pooled hidden states."""

from __future__ import annotations

import os
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..audio import DEFAULT_SR
from ._encoder_backbone import load_backbone, true_lengths
from ._frontend import check_waveforms

__all__ = ["SpeechEncoderEmbeddings"]


class SpeechEncoderEmbeddings(TransformerMixin, BaseEstimator):
    """A pretrained speech encoder's hidden states, pooled over each clip.

    Waveforms in, one embedding per clip (or per clip and layer) out: the
    frozen encoder of a Hugging Face ``transformers`` checkpoint (wav2vec 2.0,
    HuBERT, WavLM, data2vec-audio, Whisper) runs on each clip, and the hidden
    states of the chosen layers are averaged over the frames that cover the
    clip, never over padding. The weights come from a local folder or the
    Hugging Face cache (a hub id downloads where there is internet). Needs
    the optional dependency: ``pip install sklearn-ser[pretrained]``.

    Parameters
    ----------
    model : str or path-like, default=None
        A folder written by ``save_pretrained`` or a hub id such as
        ``"openai/whisper-tiny.en"`` or ``"microsoft/wavlm-base-plus"``.
        Required.
    revision : str or None, default=None
        Hub revision (branch, tag or commit) of a hub id; ignored for a folder.
    layers : "last", "all", int or list of int, default="last"
        Hidden states to pool. Index 0 is the front end's output (before the
        first transformer layer), ``i`` the output of layer ``i``; negative
        indices count from the end; ``"last"`` is the encoder's output (for
        Whisper, after its final layer norm). ``"last"`` or an int gives 2-D
        output; a list or ``"all"`` gives one vector per layer, 3-D, so that
        a head can learn the layer weights
        (:class:`~sklearn_ser.classifiers.LayerWeightedHeadClassifier`).
    pooling : {"mean", "mean+std"}, default="mean"
        Mean over the clip's frames, or the mean followed by the standard
        deviation (twice the width).
    whisper_input : {"clip", "30s"}, default="clip"
        Whisper only. ``"clip"``: the encoder runs on the clip's own length
        (rounded up to whole 20-ms frames) with its positional table cut to
        match, about 10 times cheaper than ``"30s"`` for 3-s clips;
        ``"30s"``: every clip is padded to Whisper's 30-s window, as Whisper
        was trained (pooling still covers the clip's frames only).
    batch_size : int, default=16
        Clips per forward pass.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``.
    precision : {"auto", "float32", "bf16"}, default="auto"
        ``"auto"``: bf16 autocast on a CUDA device that supports it, float32
        elsewhere. Changes the embeddings slightly, so it is part of any cache
        key.
    sr : int, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms; must be the encoder's own (16 kHz for
        all the families above), else ``fit`` says which rate to load at.
    verbose : int, default=1
        1 shows a progress bar over the clips when standard error is a
        terminal, 0 never.

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``; ``transform`` accepts any length.
    model_type_ : str
        The checkpoint's ``model_type``.
    layer_indices_ : ndarray of int
        Hidden-state indices pooled, in output order.
    n_hidden_states_ : int
        Hidden states the encoder has (front end + layers).
    hidden_size_ : int
    weights_sha256_ : str
        SHA-256 of the weight files seen in ``fit``. A fitted transformer
        refuses other weights (a model file then names exactly its encoder).

    See Also
    --------
    sklearn_ser.classifiers.LayerWeightedHeadClassifier : learns the layer
        weights over a 3-D output.
    sklearn_ser.classifiers.EncoderFineTuningClassifier : trains the top
        layers of the encoder itself.

    Notes
    -----
    **True lengths.** :class:`~sklearn_ser.audio.AudioLoader` pads clips
    shorter than its ``duration`` with exact zeros, so the trailing exact
    zeros of a clip are taken for padding: the clip is run on, and pooled
    over, its samples up to the last non-zero one. A clip that ends in
    digital silence loses that silence, which carries no emotion either.

    **Batching.** A batch only holds clips of the same true length, so no
    clip is padded for another: a clip's embedding does not depend on the
    other clips of the call.

    **Limits.** A clip shorter than one encoder frame (wav2vec 2.0 family:
    400 samples, 25 ms; Whisper: 320 samples), an all-zero clip, or, for
    Whisper, a clip longer than 30 s raises a ValueError naming the rows.

    **Never pickled.** The encoder is loaded on first use and kept per
    process, never stored on the estimator: pickles and model files hold the
    parameters and the weights' SHA-256, and the weights are found again
    (folder or cache) when the loaded transformer is first used.

    Examples
    --------
    A tiny randomly initialised Whisper, saved as a checkpoint folder (use a
    real one, such as ``"openai/whisper-tiny.en"``, for real embeddings):

    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_ser.features import SpeechEncoderEmbeddings
    >>> from sklearn_ser.features._encoder_backbone import import_transformers
    >>> transformers = import_transformers()
    >>> config = transformers.WhisperConfig(d_model=16, encoder_layers=2,
    ...     decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
    ...     encoder_ffn_dim=32, decoder_ffn_dim=32, num_mel_bins=80)
    >>> folder = tempfile.mkdtemp()
    >>> transformers.WhisperModel(config).save_pretrained(folder)
    >>> _ = transformers.WhisperFeatureExtractor().save_pretrained(folder)
    >>> X = 0.1 * np.random.default_rng(0).standard_normal((3, 16000), "float32")
    >>> SpeechEncoderEmbeddings(model=folder).fit_transform(X).shape
    (3, 16)
    >>> SpeechEncoderEmbeddings(model=folder, layers="all",
    ...                         pooling="mean+std").fit_transform(X).shape
    (3, 3, 32)
    """

    _parameter_constraints: dict = {
        "model": [str, os.PathLike, None],
        "revision": [str, None],
        "layers": [StrOptions({"last", "all"}), Integral, list, tuple],
        "pooling": [StrOptions({"mean", "mean+std"})],
        "whisper_input": [StrOptions({"clip", "30s"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "precision": [StrOptions({"auto", "float32", "bf16"})],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        model=None,
        revision=None,
        layers="last",
        pooling="mean",
        whisper_input="clip",
        batch_size=16,
        device="auto",
        precision="auto",
        sr=DEFAULT_SR,
        verbose=1,
    ):
        self.model = model
        self.revision = revision
        self.layers = layers
        self.pooling = pooling
        self.whisper_input = whisper_input
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.sr = sr
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find and load the encoder, check the settings; nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms at ``sr``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This transformer.
        """
        check_waveforms(self, X, reset=True)
        backbone = self._backbone()
        backbone.check_sampling_rate(self.sr, str(self.model), type(self).__name__)
        self.model_type_ = backbone.model_type
        self.n_hidden_states_ = backbone.n_hidden_states
        self.hidden_size_ = backbone.hidden_size
        self.layer_indices_ = self._layer_indices(backbone.n_hidden_states)
        self.weights_sha256_ = backbone.weights_sha256
        return self

    def transform(self, X):
        """Embed each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms at ``sr``, of any length within the encoder's limits.

        Returns
        -------
        embeddings : ndarray, float32
            ``(n_clips, width)`` for one layer, ``(n_clips, n_layers, width)``
            for a list of layers or ``"all"``; ``width`` is the hidden size,
            twice it with ``pooling="mean+std"``.
        """
        if not hasattr(self, "weights_sha256_"):
            # Stateless (requires_fit=False): unfitted, it gives what fitting on
            # X first would, so cross-validation may share its output.
            return clone(self).fit(X).transform(X)
        X = check_waveforms(self, X, reset=False)
        backbone = self._backbone()
        backbone.check_weights(
            self.weights_sha256_, str(self.model), "this transformer"
        )
        lengths = true_lengths(X)
        backbone.check_lengths(lengths, str(self.model), self.sr)
        width = self.hidden_size_ * (2 if self.pooling == "mean+std" else 1)
        out = np.empty((len(X), len(self.layer_indices_), width), np.float32)
        self._embed(X, lengths, backbone, out)
        return out[:, 0] if self._single_layer else out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, for a single layer's 2-D output.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: the columns do not depend on the input columns (samples).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``layer{i}_mean{j}`` (and ``layer{i}_std{j}``).
        """
        check_is_fitted(self)
        if not self._single_layer:
            raise ValueError(
                "get_feature_names_out is defined for a single layer's 2-D output; "
                f"layers={self.layers!r} gives one vector per layer (3-D)."
            )
        layer = int(self.layer_indices_[0])
        stats = ("mean", "std") if self.pooling == "mean+std" else ("mean",)
        return np.asarray(
            [f"layer{layer}_{s}{j}" for s in stats for j in range(self.hidden_size_)],
            dtype=object,
        )

    def _cache_fingerprint(self) -> str:
        """What a cache key needs beyond the parameters: the weights themselves."""
        return self._backbone().weights_sha256

    # -- helpers ------------------------------------------------------------

    @property
    def _single_layer(self) -> bool:
        return isinstance(self.layers, (str, Integral)) and self.layers != "all"

    def _backbone(self):
        from .._device import resolve_device

        if self.model is None:
            raise ValueError(
                "SpeechEncoderEmbeddings needs model=: a folder written by "
                "save_pretrained or a Hugging Face hub id, e.g. "
                "'openai/whisper-tiny.en'."
            )
        return load_backbone(self.model, self.revision, resolve_device(self.device))

    def _layer_indices(self, n_states: int) -> np.ndarray:
        if self.layers == "last":
            return np.array([n_states - 1])
        if self.layers == "all":
            return np.arange(n_states)
        single = isinstance(self.layers, Integral)
        wanted = [self.layers] if single else list(self.layers)
        if not wanted or not all(
            isinstance(i, Integral) and not isinstance(i, bool) for i in wanted
        ):
            raise ValueError(
                f"layers must be 'last', 'all', an int or a non-empty list of ints; "
                f"got {self.layers!r}."
            )
        bad = [i for i in wanted if not -n_states <= i < n_states]
        if bad:
            raise ValueError(
                f"layers {bad} out of range: encoder {str(self.model)!r} has "
                f"{n_states} hidden states (0 = front end, 1..{n_states - 1} = "
                f"layers; negative indices count from the end)."
            )
        return np.array([i % n_states for i in wanted])

    def _embed(self, X, lengths, backbone, out) -> None:
        """Pool the chosen hidden states of each clip into ``out``."""
        import torch
        from tqdm.auto import tqdm

        from .._device import autocast, autocast_dtype

        device = next(backbone.model.parameters()).device
        dtype = autocast_dtype(self.precision, device)
        bar = tqdm(
            total=len(X),
            desc="Embedding clips",
            unit="clip",
            disable=None if self.verbose else True,
            leave=False,
        )
        with bar, torch.inference_mode(), autocast(dtype, device):
            for rows, pooled in backbone.pooled_batches(
                X,
                self.layer_indices_,
                lengths=lengths,
                whisper_input=self.whisper_input,
                pooling=self.pooling,
                batch_size=self.batch_size,
            ):
                out[rows] = pooled.numpy(force=True)
                bar.update(len(rows))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def relocate_encoder(pipeline, model) -> int:
    """Point the pipeline's encoder steps at ``model``; return how many there were.

    For a model file whose encoder folder moved (another machine): the fitted
    steps keep their weights' SHA-256, so only the very same weights load.
    """
    steps = [step for _, step in getattr(pipeline, "steps", [])]
    encoders = [step for step in steps if isinstance(step, SpeechEncoderEmbeddings)]
    for step in encoders:
        step.set_params(model=model)
    return len(encoders)
