"""Conv1D-LSTM on MFCC frames (seed paper 003, Ayadi and Lachiri)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape


class Conv1DLSTM(nn.Module):
    """Conv1D(256, k=5) - BatchNorm - 2 x LSTM(256) - Dropout - two dense layers.

    Follows the paper's speech variant (no dropout between the LSTM layers,
    dropout after them). The convolution runs over time with the MFCCs as
    input channels. Readings of what the paper leaves open, each a parameter:

    - the convolution has no activation (the paper names none) and "same"
      padding, so any number of frames works;
    - "Flatten" after the LSTMs is read as taking the last LSTM's final
      hidden state (a Keras LSTM without ``return_sequences`` followed by
      ``Flatten``), which keeps the model independent of the clip length;
    - the two dense layers are ``Dense(dense_size, ReLU)`` and the logits
      layer; the sizes and the dropout rate are not given (defaults 128 and
      0.3);
    - the paper's figure repeats the whole Conv1D-LSTM-dense group on the
      dense output, which has no time axis left to convolve; we build one
      group.

    Parameters
    ----------
    input_shape : (int, int)
        ``(n_frames, n_mfcc)`` as ``MFCCFrames`` returns it (time-major).
    n_classes : int
        Number of emotions.
    conv_channels : int, default=256
        Filters of the Conv1D layer.
    kernel_size : int, default=5
        Temporal kernel of the Conv1D layer.
    lstm_hidden_size : int, default=256
        Units of each LSTM layer.
    num_lstm_layers : int, default=2
        Stacked LSTM layers.
    dropout : float, default=0.3
        Dropout after the LSTM layers.
    dense_size : int, default=128
        Units of the hidden dense layer.

    Examples
    --------
    >>> net = Conv1DLSTM(input_shape=(282, 12), n_classes=6)
    >>> net(torch.zeros(2, 282, 12)).shape
    torch.Size([2, 6])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        conv_channels: int = 256,
        kernel_size: int = 5,
        lstm_hidden_size: int = 256,
        num_lstm_layers: int = 2,
        dropout: float = 0.3,
        dense_size: int = 128,
    ):
        super().__init__()
        _, n_coefficients = check_input_shape(
            input_shape, ("n_frames", "n_mfcc"), "Conv1DLSTM"
        )
        self.conv = nn.Conv1d(
            n_coefficients, conv_channels, kernel_size, padding=kernel_size // 2
        )
        self.norm = nn.BatchNorm1d(conv_channels)
        self.lstm = nn.LSTM(
            conv_channels, lstm_hidden_size, num_lstm_layers, batch_first=True
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Sequential(
            nn.Linear(lstm_hidden_size, dense_size),
            nn.ReLU(),
            nn.Linear(dense_size, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.norm(self.conv(x.transpose(1, 2))).transpose(1, 2)
        sequence, _ = self.lstm(features)
        return self.head(self.dropout(sequence[:, -1]))
