"""Stacked LSTM on a vector of acoustic statistics (seed paper 001, Bledea)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape

_LAYOUTS = ("steps", "vector")


class StackedLSTM(nn.Module):
    """LSTM(128) - LSTM(128) - Dense(32, ReLU) - Dropout(0.2) - Dense(n_classes).

    The paper feeds "a 1-dimensional vector containing 170 values" to a
    stacked LSTM without saying how the vector becomes a sequence. The usual
    way to do that, and the one we default to (``layout="steps"``), is a
    sequence of 170 steps of one value each; ``layout="vector"`` reads it as
    one step of 170 values instead. The first LSTM returns its full sequence
    to the second, whose last hidden state feeds the dense head. The output
    is logits (the paper's softmax lives in the loss).

    Parameters
    ----------
    input_shape : (int,)
        ``(n_features,)``, e.g. the 170 statistics of ``AcousticStats170``.
    n_classes : int
        Number of emotions.
    hidden_size : int, default=128
        Units of each LSTM layer.
    num_layers : int, default=2
        Stacked LSTM layers.
    dense_size : int, default=32
        Units of the ReLU dense layer.
    dropout : float, default=0.2
        Dropout between the two dense layers.
    layout : {"steps", "vector"}, default="steps"
        How the feature vector becomes a sequence (see above).

    Examples
    --------
    >>> net = StackedLSTM(input_shape=(170,), n_classes=7)
    >>> net(torch.zeros(4, 170)).shape
    torch.Size([4, 7])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        hidden_size: int = 128,
        num_layers: int = 2,
        dense_size: int = 32,
        dropout: float = 0.2,
        layout: str = "steps",
    ):
        super().__init__()
        (n_features,) = check_input_shape(input_shape, ("n_features",), "StackedLSTM")
        if layout not in _LAYOUTS:
            raise ValueError(
                f"StackedLSTM layout must be one of {_LAYOUTS}; got {layout!r}."
            )
        self.layout = layout
        input_size = 1 if layout == "steps" else n_features
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.head = nn.Sequential(
            nn.Linear(hidden_size, dense_size),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(dense_size, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sequence = x.unsqueeze(-1) if self.layout == "steps" else x.unsqueeze(1)
        hidden, _ = self.lstm(sequence)
        return self.head(hidden[:, -1])
