"""CNN-LSTM over mel-spectrogram chunks (seed paper 000, Bhanbhro et al.)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape, conv2d_stack


class CNNLSTM(nn.Module):
    """Time-distributed 2-D CNN on each mel chunk, then an LSTM over the chunks.

    Each chunk of the log-mel spectrogram passes through four conv blocks
    (Conv2d 3x3 - BatchNorm - ReLU - MaxPool - Dropout) with 16/32/64/128
    channels, pools 2/4/4/4 and dropout 0.4, as the paper describes; by
    default the dropout moves after the last block only (``dropout_after``). The
    flattened per-chunk features form a sequence over the chunks that one
    LSTM reads; a linear layer maps its last hidden state to class logits
    (the paper's "linear softmax layer"; the softmax lives in the loss).

    Where the paper is silent: the LSTM size is not given, so
    ``lstm_hidden_size`` defaults to 64. Pool windows are clamped to the
    feature-map size (see :func:`conv2d_stack`), so chunks smaller than the
    paper's 128 x 128 still work; a map larger than 1 x 1 after the last block
    is flattened into the LSTM input.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(n_chunks, n_mels, chunk_frames)`` of one clip, as
        ``MelSpectrogramChunker`` returns it.
    n_classes : int
        Number of emotions.
    channels : sequence of int, default=(16, 32, 64, 128)
        Output channels of the conv blocks.
    pools : sequence of int, default=(2, 4, 4, 4)
        Max-pooling window of each block.
    dropout : float, default=0.4
        Dropout rate of the conv stack.
    dropout_after : {"last_block", "every_block"}, default="last_block"
        ``"every_block"`` is the paper's layer order, a dropout after every
        conv block, ahead of the next block's BatchNorm; ``"last_block"``
        (default) keeps one dropout after the last block only, which avoids
        the train/evaluation mismatch of the BatchNorm statistics (see
        :func:`~sklearn_ser.nn._blocks.conv2d_stack`).
    lstm_hidden_size : int, default=64
        Hidden units of the LSTM over the chunk sequence.

    Examples
    --------
    >>> net = CNNLSTM(input_shape=(7, 128, 128), n_classes=8)
    >>> net(torch.zeros(2, 7, 128, 128)).shape
    torch.Size([2, 8])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        channels: Sequence[int] = (16, 32, 64, 128),
        pools: Sequence[int] = (2, 4, 4, 4),
        dropout: float = 0.4,
        lstm_hidden_size: int = 64,
        dropout_after: str = "last_block",
    ):
        super().__init__()
        _, n_mels, n_frames = check_input_shape(
            input_shape, ("n_chunks", "n_mels", "chunk_frames"), "CNNLSTM"
        )
        self.cnn, (depth, height, width) = conv2d_stack(
            (n_mels, n_frames), channels, pools, dropout, dropout_after=dropout_after
        )
        self.lstm = nn.LSTM(depth * height * width, lstm_hidden_size, batch_first=True)
        self.head = nn.Linear(lstm_hidden_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, n_chunks = x.shape[:2]
        chunks = x.reshape(batch * n_chunks, 1, *x.shape[2:])
        features = self.cnn(chunks).reshape(batch, n_chunks, -1)
        sequence, _ = self.lstm(features)
        return self.head(sequence[:, -1])
