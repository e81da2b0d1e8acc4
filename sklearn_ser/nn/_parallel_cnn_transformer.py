"""Parallel CNNs and a Transformer encoder on MFCC maps (seed paper 004)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._blocks import check_input_shape, conv2d_stack


class ParallelCNNTransformer(nn.Module):
    """Two parallel 2-D CNN branches and a Transformer-encoder branch over time.

    The MFCC map is read as a one-channel image (coefficients x frames) by
    two CNN branches of identical layout but separate weights, and as a
    sequence of frames by a Transformer encoder. The flattened CNN maps and
    the time-averaged encoder output are concatenated into a linear layer
    that gives class logits.

    The paper fixes the input (40 MFCCs x 282 frames), says that channels
    grow while feature maps shrink, and uses the encoder of Vaswani et al.,
    but gives no sizes. Our defaults, each a parameter: CNN branches of three
    Conv2d 3x3 - BatchNorm - ReLU - MaxPool - Dropout(0.3) blocks (the
    papers' order, see ``dropout_after``) with 16/32/64 channels and pools
    2/4/4; the encoder branch max-pools time by 4 and runs 4 layers with the
    MFCCs as model dimension, 4 heads, a feed-forward width of 512 and
    dropout 0.4.

    Parameters
    ----------
    input_shape : (int, int)
        ``(n_frames, n_mfcc)`` as ``MFCCFrames`` returns it (time-major).
        ``n_mfcc`` must be divisible by ``n_heads``.
    n_classes : int
        Number of emotions.
    cnn_channels : sequence of int, default=(16, 32, 64)
        Output channels of the blocks of each CNN branch.
    cnn_pools : sequence of int, default=(2, 4, 4)
        Max-pooling window of each block.
    cnn_dropout : float, default=0.3
        Dropout rate of the conv branches.
    dropout_after : {"every_block", "last_block"}, default="every_block"
        ``"every_block"`` (default) is the paper's layer order, a dropout
        after every conv block, ahead of the next block's BatchNorm;
        ``"last_block"`` keeps one dropout after the last block only (see
        :func:`~sklearn_ser.nn._blocks.conv2d_stack`). Unlike the CNN-LSTM
        and the spectrogram CNN, this network showed no train/evaluation gap
        with the paper's order (measured train UAR 0.845 in evaluation mode
        against 0.783 in training mode, first speaker-independent fold of
        the 12-actor RAVDESS subset, CPU budget), so it keeps it.
    time_pool : int, default=4
        Max-pooling window over time before the encoder.
    n_heads : int, default=4
        Attention heads.
    n_layers : int, default=4
        Encoder layers.
    dim_feedforward : int, default=512
        Width of each encoder layer's feed-forward network.
    transformer_dropout : float, default=0.4
        Dropout inside the encoder layers.

    Examples
    --------
    >>> net = ParallelCNNTransformer(input_shape=(282, 40), n_classes=8)
    >>> net(torch.zeros(2, 282, 40)).shape
    torch.Size([2, 8])
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        cnn_channels: Sequence[int] = (16, 32, 64),
        cnn_pools: Sequence[int] = (2, 4, 4),
        cnn_dropout: float = 0.3,
        time_pool: int = 4,
        n_heads: int = 4,
        n_layers: int = 4,
        dim_feedforward: int = 512,
        transformer_dropout: float = 0.4,
        dropout_after: str = "every_block",
    ):
        super().__init__()
        n_frames, n_coefficients = check_input_shape(
            input_shape, ("n_frames", "n_mfcc"), "ParallelCNNTransformer"
        )
        if n_coefficients % n_heads:
            raise ValueError(
                "ParallelCNNTransformer uses the MFCCs as the encoder's model "
                f"dimension, so n_mfcc ({n_coefficients}) must be divisible by "
                f"n_heads ({n_heads})."
            )
        image_shape = (n_coefficients, n_frames)
        self.cnn_a, (depth, height, width) = conv2d_stack(
            image_shape,
            cnn_channels,
            cnn_pools,
            cnn_dropout,
            dropout_after=dropout_after,
        )
        self.cnn_b, _ = conv2d_stack(
            image_shape,
            cnn_channels,
            cnn_pools,
            cnn_dropout,
            dropout_after=dropout_after,
        )
        self.time_pool = nn.MaxPool1d(min(time_pool, n_frames))
        layer = nn.TransformerEncoderLayer(
            n_coefficients,
            n_heads,
            dim_feedforward,
            transformer_dropout,
            batch_first=True,
        )
        # Nested tensors only speed up padded batches; ours are dense.
        self.encoder = nn.TransformerEncoder(
            layer, n_layers, enable_nested_tensor=False
        )
        self.head = nn.Linear(2 * depth * height * width + n_coefficients, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        coefficients_by_time = x.transpose(1, 2)
        image = coefficients_by_time.unsqueeze(1)
        spatial_a = self.cnn_a(image).flatten(1)
        spatial_b = self.cnn_b(image).flatten(1)
        frames = self.time_pool(coefficients_by_time).transpose(1, 2)
        temporal = self.encoder(frames).mean(dim=1)
        return self.head(torch.cat([spatial_a, spatial_b, temporal], dim=1))
