"""A pretrained speech encoder with its top layers trainable, pooled, and a head."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import torch
from torch import nn

from ._layer_weighted_head import LayerWeightedHead


class EncoderFineTuning(nn.Module):
    """Waveforms through a pretrained encoder, pooled per layer, then a head.

    The encoder's top ``trainable_layers`` transformer layers (and the layer
    norm after the last, where the architecture has one) are trained; the
    front end and the layers below stay frozen and in evaluation mode (no
    dropout, LayerDrop or SpecAugment-style masking), so they build no
    autograd graph. Every hidden state is mean-pooled over the frames that
    cover each clip (clips of one true length run together, as in
    :class:`~sklearn_ser.features.SpeechEncoderEmbeddings`), and
    :class:`LayerWeightedHead` learns a weight per hidden state and the
    classifier on top. The pooled vectors are first standardised per
    feature, with statistics pooled over clips and hidden states as
    :class:`~sklearn_ser.classifiers.LayerWeightedHeadClassifier` does with
    frozen embeddings; here the statistics are running ones (batch
    normalisation without learnt scale), since the top layers change while
    training. :meth:`pooled` computes exactly what
    ``SpeechEncoderEmbeddings(layers="all")`` would.

    Parameters
    ----------
    input_shape : (int,)
        ``(n_samples,)`` of the training waveforms; informative only (any
        length within the encoder's limits is accepted).
    n_classes : int
        Number of emotions.
    encoder : EncoderBackbone
        A loaded encoder (``sklearn_ser.features._encoder_backbone``); the
        module trains a copy of it, never the loaded one.
    trainable_layers : int, default=2
        Top transformer layers to train; 0 trains the head alone.
    whisper_input : {"clip", "30s"}, default="clip"
        Whisper only: run on the clip's own length or a 30-s window.
    standardize : bool, default=True
        Standardise the pooled features (running statistics) before the head.
    hidden_size, dropout, layer_norm :
        The head's (see :class:`LayerWeightedHead`).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        encoder,
        trainable_layers: int = 2,
        whisper_input: str = "clip",
        standardize: bool = True,
        hidden_size: int = 256,
        dropout: float = 0.2,
        layer_norm: bool = True,
    ):
        super().__init__()
        n_layers = len(encoder.transformer_layers())
        if not 0 <= trainable_layers <= n_layers:
            raise ValueError(
                f"trainable_layers={trainable_layers}, but encoder "
                f"{str(encoder.folder)!r} has {n_layers} transformer layers; use "
                f"0..{n_layers}."
            )
        self.backbone = encoder.trainable_copy()
        self.encoder = self.backbone.model
        self.whisper_input = whisper_input
        self.trainable_layers = trainable_layers
        self._freeze()
        self.layers = list(range(encoder.n_hidden_states))
        self.standardize = (
            nn.BatchNorm1d(encoder.hidden_size, affine=False) if standardize else None
        )
        self.head = LayerWeightedHead(
            (encoder.n_hidden_states, encoder.hidden_size),
            n_classes,
            hidden_size=hidden_size,
            dropout=dropout,
            layer_norm=layer_norm,
        )
        self.train()

    def _freeze(self) -> None:
        """Freeze the encoder but for its top layers."""
        self.encoder.requires_grad_(False)
        # A plain list: these modules are registered once, inside the encoder.
        self._trained = self.backbone.top_modules(self.trainable_layers)
        for module in self._trained:
            module.requires_grad_(True)
        if self.backbone.is_whisper:  # a fixed sinusoid table, never trained
            self.encoder.embed_positions.requires_grad_(False)

    def __getstate__(self):
        # transformers' encoders may hold parametrised modules (wav2vec 2.0's
        # weight-normed positional convolution), which torch pickles only
        # through their state: the encoder travels as class, config and state.
        # The state holds the parameter objects themselves, which an optimiser
        # pickled along (skorch's optimizer_) shares.
        state = self.__dict__.copy()
        state["_modules"] = dict(state["_modules"])
        encoder = state["_modules"]["encoder"]
        state["_modules"]["encoder"] = None  # keeps the children's order
        weights = encoder.state_dict(keep_vars=True)
        state["_encoder"] = (type(encoder), encoder.config, weights)
        state["backbone"] = dataclasses.replace(self.backbone, model=None)
        del state["_trained"]
        return state

    def __setstate__(self, state):
        cls, config, weights = state.pop("_encoder")
        super().__setstate__(state)
        encoder = cls(config)
        encoder.load_state_dict(weights, assign=True)
        self.encoder = encoder
        self.backbone = dataclasses.replace(self.backbone, model=encoder)
        self._freeze()
        self.train(self.training)

    def train(self, mode: bool = True):
        super().train(mode)
        self.encoder.eval()
        for module in self._trained:
            module.train(mode)
        return self

    def pooled(self, waveforms: torch.Tensor) -> torch.Tensor:
        """Every hidden state mean-pooled over each clip's true frames.

        Returns a ``(batch, n_hidden_states, hidden_size)`` float32 tensor.
        """
        clips = waveforms.detach().float().cpu().numpy()
        rows, parts = [], []
        for batch, part in self.backbone.pooled_batches(
            clips,
            self.layers,
            whisper_input=self.whisper_input,
            batch_size=None,
        ):
            rows.append(torch.as_tensor(batch))
            parts.append(part)
        order = torch.cat(rows).argsort().to(parts[0].device)
        return torch.cat(parts)[order]

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        pooled = self.pooled(waveforms)
        if self.standardize is not None:
            # One mean and scale per feature, pooled over clips and layers.
            pooled = self.standardize(pooled.flatten(0, 1)).view_as(pooled)
        return self.head(pooled)
