"""Building blocks shared by the architectures: input checks, conv stacks, scaling."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def check_input_shape(
    input_shape: Sequence[int], axes: Sequence[str], architecture: str
) -> tuple[int, ...]:
    """Validate a per-sample input shape against its axis names.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample (without the batch axis).
    axes : sequence of str
        Name of each axis, e.g. ``("n_frames", "n_mfcc")``.
    architecture : str
        Name used in the error message.

    Returns
    -------
    shape : tuple of int

    Examples
    --------
    >>> check_input_shape([170], ("n_features",), "StackedLSTM")
    (170,)
    """
    shape = tuple(int(size) for size in input_shape)
    if len(shape) != len(axes) or min(shape, default=0) < 1:
        raise ValueError(
            f"{architecture} expects input_shape ({', '.join(axes)}) with "
            f"positive sizes; got {shape}."
        )
    return shape


def conv2d_stack(
    spatial_shape: tuple[int, int],
    channels: Sequence[int],
    pools: Sequence[int],
    dropout: float,
    in_channels: int = 1,
    dropout_after: str = "last_block",
) -> tuple[nn.Sequential, tuple[int, int, int]]:
    """Conv2d-BatchNorm-ReLU-MaxPool blocks with dropout, and their output shape.

    Each block convolves with a 3x3 kernel (stride 1, padding 1) and then
    max-pools with a square window of ``pools[i]`` (stride = window). The
    window is clamped to the current feature-map size along each axis, so an
    input too small for the papers' pools (e.g. the 8x8 test spectrograms)
    degrades to a smaller pool instead of failing; for the papers' input
    sizes nothing is clamped and the output matches plain floor-mode pooling.

    Parameters
    ----------
    spatial_shape : (int, int)
        Height and width of the input feature map.
    channels : sequence of int
        Output channels of each block.
    pools : sequence of int
        Pooling window of each block; same length as ``channels``.
    dropout : float
        Dropout probability.
    in_channels : int, default=1
        Channels of the input.
    dropout_after : {"last_block", "every_block"}, default="last_block"
        Where the dropout goes. ``"every_block"`` is the seed papers' order
        (Conv - BatchNorm - ReLU - MaxPool - Dropout in every block): each
        dropout then feeds the next block's BatchNorm, whose running
        statistics are estimated on dropped-out activations during training
        and so do not match the activations it normalises in evaluation mode
        (the variance shift of Li et al., CVPR 2019). ``"last_block"`` keeps
        one dropout after the last block only, where no BatchNorm follows.

    Returns
    -------
    stack : torch.nn.Sequential
    out_shape : (int, int, int)
        Channels, height and width of the output feature map.

    Examples
    --------
    >>> stack, out_shape = conv2d_stack((128, 128), (16, 32), (2, 4), 0.4)
    >>> out_shape
    (32, 16, 16)
    """
    if dropout_after not in ("last_block", "every_block"):
        raise ValueError(
            "dropout_after must be 'last_block' or 'every_block'; got "
            f"{dropout_after!r}."
        )
    if len(channels) != len(pools) or not channels:
        raise ValueError(
            "channels and pools must be non-empty and of equal length; got "
            f"channels={tuple(channels)} and pools={tuple(pools)}."
        )
    height, width = spatial_shape
    layers: list[nn.Module] = []
    for out_channels, pool in zip(channels, pools, strict=True):
        window = (min(pool, height), min(pool, width))
        layers += [
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            nn.MaxPool2d(window),
        ]
        if dropout_after == "every_block":
            layers.append(nn.Dropout(dropout))
        height, width = height // window[0], width // window[1]
        in_channels = out_channels
    if dropout_after == "last_block":
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers), (in_channels, height, width)


class Standardize(nn.Module):
    """Subtract a per-feature mean and divide by a per-feature scale.

    The estimators fit the statistics on their training data and put this
    module in front of the architecture, so scaling runs batch by batch on
    the training device instead of copying the whole input array.

    Parameters
    ----------
    mean, scale : array-like of shape (n_features,)
        Statistics of the feature axis.
    axis : int
        Feature axis of the batched input (negative, counted from the end).

    Examples
    --------
    >>> scaler = Standardize([1.0, 2.0], [2.0, 4.0], axis=-1)
    >>> scaler(torch.tensor([[3.0, 6.0]]))
    tensor([[1., 1.]])
    """

    def __init__(self, mean, scale, axis: int):
        super().__init__()
        self.axis = axis
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = [1] * x.ndim
        shape[self.axis] = -1
        return (x - self.mean.view(shape)) / self.scale.view(shape)
