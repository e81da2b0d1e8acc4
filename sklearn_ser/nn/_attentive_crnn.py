"""Residual CNN, bidirectional GRU and attentive statistics pooling on the log-mel."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape


class _ResidualBlock(nn.Module):
    """Two 3x3 convolutions with BatchNorm, a shortcut, ReLU and max-pooling."""

    def __init__(self, in_channels: int, out_channels: int, pool: tuple[int, int]):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.shortcut = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        )
        self.pool = nn.MaxPool2d(pool)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(torch.relu(self.body(x) + self.shortcut(x)))


class AttentiveCRNN(nn.Module):
    """Residual CNN, bidirectional GRU and attentive statistics pooling.

    A compact from-scratch design that follows what speech emotion
    recognition learnt after the seed papers: residual conv blocks read the
    log-mel spectrogram as an image and pool mostly along frequency; the
    bands are averaged away, a bidirectional GRU reads the frames in order,
    and attentive statistics pooling (Okabe et al., Interspeech 2018) weighs
    the frames by a learnt relevance and keeps their weighted mean and
    standard deviation, so that short emotional cues in a mostly neutral clip
    are not averaged away. Dropout precedes the linear head only; no
    BatchNorm follows a dropout.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(n_channels, n_mels, n_frames)`` of one clip, as
        ``MelSpectrogramChunker(n_chunks=1)`` returns it.
    n_classes : int
        Number of emotions.
    channels : sequence of int, default=(32, 64, 128)
        Output channels of the residual blocks.
    pools : sequence of (int, int), default=((2, 2), (2, 2), (2, 1))
        Max-pooling window (bands, frames) after each block; clamped to the
        feature-map size.
    gru_hidden_size : int, default=128
        Hidden units of the GRU in each direction.
    attention_size : int, default=64
        Hidden units of the frame-relevance network.
    dropout : float, default=0.3
        Dropout ahead of the linear head.

    Examples
    --------
    >>> net = AttentiveCRNN(input_shape=(1, 64, 188), n_classes=8)
    >>> net(torch.zeros(2, 1, 64, 188)).shape
    torch.Size([2, 8])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        channels: Sequence[int] = (32, 64, 128),
        pools: Sequence[Sequence[int]] = ((2, 2), (2, 2), (2, 1)),
        gru_hidden_size: int = 128,
        attention_size: int = 64,
        dropout: float = 0.3,
    ):
        super().__init__()
        in_channels, n_mels, n_frames = check_input_shape(
            input_shape, ("n_channels", "n_mels", "n_frames"), "AttentiveCRNN"
        )
        if len(channels) != len(pools) or not channels:
            raise ValueError(
                "channels and pools must be non-empty and of equal length; got "
                f"channels={tuple(channels)} and pools={tuple(pools)}."
            )
        blocks = []
        for out_channels, (pool_mels, pool_frames) in zip(channels, pools, strict=True):
            window = (min(pool_mels, n_mels), min(pool_frames, n_frames))
            blocks.append(_ResidualBlock(in_channels, out_channels, window))
            n_mels, n_frames = n_mels // window[0], n_frames // window[1]
            in_channels = out_channels
        self.cnn = nn.Sequential(*blocks)
        self.gru = nn.GRU(
            in_channels, gru_hidden_size, batch_first=True, bidirectional=True
        )
        sequence_size = 2 * gru_hidden_size
        self.attention = nn.Sequential(
            nn.Linear(sequence_size, attention_size),
            nn.Tanh(),
            nn.Linear(attention_size, 1),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * sequence_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.cnn(x)  # (batch, channels, bands, frames)
        frames = maps.mean(dim=2).transpose(1, 2)  # (batch, frames, channels)
        sequence, _ = self.gru(frames)
        weights = torch.softmax(self.attention(sequence), dim=1)
        mean = (weights * sequence).sum(dim=1)
        variance = (weights * sequence.square()).sum(dim=1) - mean.square()
        std = variance.clamp(min=1e-6).sqrt()
        return self.head(self.dropout(torch.cat([mean, std], dim=1)))
