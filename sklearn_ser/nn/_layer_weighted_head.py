"""A learned softmax-weighted sum over encoder layers, then an MLP (SUPERB's head)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ._blocks import check_input_shape


class LayerWeightedHead(nn.Module):
    """Softmax-weighted sum of per-layer vectors, then a one-hidden-layer MLP.

    The downstream model of the SUPERB and EmoBox benchmarks for frozen
    speech encoders: one learned weight per hidden state (a softmax over
    ``n_layers`` logits, all equal at the start), the weighted sum of the
    layers' pooled vectors, and a one-hidden-layer perceptron. Each layer's
    vector is first normalised to zero mean and unit variance over its
    features (``layer_norm=True``, as s3prl's featurizer does), so that the
    weights compare layers of different scales. For mean-pooled vectors the
    weighted sum of pooled layers equals pooling the weighted sum of the
    frame-level layers (both are linear), which is SUPERB's order.

    Parameters
    ----------
    input_shape : (int, int)
        ``(n_layers, dim)``, as ``SpeechEncoderEmbeddings(layers="all")``
        returns per clip.
    n_classes : int
        Number of emotions.
    hidden_size : int, default=256
        Units of the hidden layer.
    dropout : float, default=0.2
        Dropout before each linear layer.
    layer_norm : bool, default=True
        Normalise each layer's vector before weighting.

    Examples
    --------
    >>> head = LayerWeightedHead(input_shape=(5, 384), n_classes=8)
    >>> head(torch.zeros(2, 5, 384)).shape
    torch.Size([2, 8])
    >>> head.layer_weights()
    tensor([0.2000, 0.2000, 0.2000, 0.2000, 0.2000])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        hidden_size: int = 256,
        dropout: float = 0.2,
        layer_norm: bool = True,
    ):
        super().__init__()
        n_layers, dim = check_input_shape(
            input_shape, ("n_layers", "dim"), "LayerWeightedHead"
        )
        self.layer_norm = layer_norm
        self.layer_logits = nn.Parameter(torch.zeros(n_layers))
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(dim, hidden_size),
            nn.LayerNorm(hidden_size),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_size, n_classes),
        )

    def layer_weights(self) -> torch.Tensor:
        """The current weight of each layer (they sum to 1)."""
        return torch.softmax(self.layer_logits.detach(), dim=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.layer_norm:
            x = F.layer_norm(x, x.shape[-1:])
        weights = torch.softmax(self.layer_logits, dim=0).to(x.dtype)
        return self.head(torch.einsum("l,bld->bd", weights, x))
