"""2-D CNN on the log-mel spectrogram (seed paper 002, Pavithra et al.)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape, conv2d_stack


class SpectrogramCNN(nn.Module):
    """Conv blocks over the log-mel spectrogram, global average pooling, linear head.

    The paper says only that a CNN classifies spectrograms and that several
    CNNs are combined by ensemble learning; it gives no layers. We use four
    Conv2d 3x3 - BatchNorm - ReLU - MaxPool(2) blocks (dropout: see
    ``dropout_after``) with
    16/32/64/128 channels (the pattern of the other seed CNNs), then global
    average pooling, so any spectrogram size works, and a linear layer to
    class logits. Every choice is a parameter. Build the ensemble with
    scikit-learn (a soft-voting ``VotingClassifier`` over several
    ``SpectrogramCNNClassifier``), not in this module.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(n_channels, n_mels, n_frames)``: ``MelSpectrogramChunker`` output
        with ``n_chunks=1`` (the chunk axis is the channel axis).
    n_classes : int
        Number of emotions.
    channels : sequence of int, default=(16, 32, 64, 128)
        Output channels of the conv blocks.
    pools : sequence of int, default=(2, 2, 2, 2)
        Max-pooling window of each block.
    dropout : float, default=0.25
        Dropout rate of the conv stack.
    dropout_after : {"last_block", "every_block"}, default="last_block"
        ``"every_block"`` is the paper's layer order, a dropout after every
        conv block, ahead of the next block's BatchNorm; ``"last_block"``
        (default) keeps one dropout after the last block only, which avoids
        the train/evaluation mismatch of the BatchNorm statistics (see
        :func:`~sklearn_ser.nn._blocks.conv2d_stack`).

    Examples
    --------
    >>> net = SpectrogramCNN(input_shape=(1, 128, 94), n_classes=8)
    >>> net(torch.zeros(2, 1, 128, 94)).shape
    torch.Size([2, 8])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        channels: Sequence[int] = (16, 32, 64, 128),
        pools: Sequence[int] = (2, 2, 2, 2),
        dropout: float = 0.25,
        dropout_after: str = "last_block",
    ):
        super().__init__()
        in_channels, n_mels, n_frames = check_input_shape(
            input_shape, ("n_channels", "n_mels", "n_frames"), "SpectrogramCNN"
        )
        self.cnn, (depth, _, _) = conv2d_stack(
            (n_mels, n_frames),
            channels,
            pools,
            dropout,
            in_channels=in_channels,
            dropout_after=dropout_after,
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(depth, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(self.cnn(x)).flatten(1))
