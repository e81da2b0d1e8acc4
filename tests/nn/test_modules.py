"""Tests of the plain torch architectures in sklearn_ser.nn."""

import pytest
import torch
from torch import nn

from sklearn_ser.nn import (
    CNNLSTM,
    Conv1DLSTM,
    ParallelCNNTransformer,
    SpectrogramCNN,
    StackedLSTM,
)
from sklearn_ser.nn._blocks import Standardize, check_input_shape, conv2d_stack


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


def n_parameters(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def lstm_parameters(input_size: int, hidden: int) -> int:
    # Four gates, each with input and recurrent weights and two biases.
    return 4 * hidden * (input_size + hidden + 2)


# The per-clip input shapes the feature transformers give a 3 s clip at the
# papers' settings, and tiny shapes the pools must survive.
PAPER_INPUTS = [
    (CNNLSTM, (7, 128, 128)),
    (StackedLSTM, (170,)),
    (SpectrogramCNN, (1, 128, 94)),
    (Conv1DLSTM, (282, 12)),
    (ParallelCNNTransformer, (282, 40)),
]
TINY_INPUTS = [
    (CNNLSTM, (3, 3, 5)),
    (StackedLSTM, (1,)),
    (SpectrogramCNN, (2, 1, 1)),
    (Conv1DLSTM, (1, 3)),
    (ParallelCNNTransformer, (1, 4)),
]


@pytest.mark.parametrize("architecture, shape", PAPER_INPUTS + TINY_INPUTS)
def test_logits_for_every_clip(architecture, shape):
    net = architecture(input_shape=shape, n_classes=5).eval()
    logits = net(torch.randn(3, *shape))
    assert logits.shape == (3, 5)
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize("architecture, shape", PAPER_INPUTS)
def test_gradients_reach_every_parameter(architecture, shape):
    net = architecture(input_shape=shape, n_classes=4)
    net(torch.randn(2, *shape)).sum().backward()
    missing = [name for name, p in net.named_parameters() if p.grad is None]
    assert missing == []


def test_stacked_lstm_matches_the_paper_layer_sizes():
    net = StackedLSTM(input_shape=(170,), n_classes=7)
    expected = (
        lstm_parameters(1, 128)  # 170 steps of one value
        + lstm_parameters(128, 128)
        + (128 * 32 + 32)
        + (32 * 7 + 7)
    )
    assert n_parameters(net) == expected == 203_527


def test_stacked_lstm_vector_layout_reads_one_step():
    net = StackedLSTM(input_shape=(170,), n_classes=7, layout="vector")
    assert net.lstm.input_size == 170
    assert net(torch.randn(2, 170)).shape == (2, 7)


def test_cnn_lstm_pools_paper_chunks_to_one_pixel():
    net = CNNLSTM(input_shape=(7, 128, 128), n_classes=8)
    channels = [m.out_channels for m in net.cnn if isinstance(m, nn.Conv2d)]
    pools = [m.kernel_size for m in net.cnn if isinstance(m, nn.MaxPool2d)]
    dropouts = {m.p for m in net.cnn if isinstance(m, nn.Dropout)}
    assert channels == [16, 32, 64, 128]
    assert pools == [(2, 2), (4, 4), (4, 4), (4, 4)]
    assert dropouts == {0.4}
    assert net.lstm.input_size == 128  # 128 channels x 1 x 1


def test_cnn_lstm_flattens_a_larger_final_map():
    net = CNNLSTM(input_shape=(7, 128, 256), n_classes=8)
    assert net.lstm.input_size == 128 * 1 * 2


def test_conv1d_lstm_layers():
    net = Conv1DLSTM(input_shape=(282, 12), n_classes=6)
    assert (net.conv.in_channels, net.conv.out_channels) == (12, 256)
    assert net.conv.kernel_size == (5,)
    assert (net.lstm.hidden_size, net.lstm.num_layers) == (256, 2)
    assert net.lstm.dropout == 0  # speech variant: no dropout between LSTMs


def test_parallel_cnn_transformer_concatenates_three_branches():
    net = ParallelCNNTransformer(input_shape=(282, 40), n_classes=8)
    # 40 x 282 pooled by 2, 4, 4 -> 1 x 8 per CNN branch, 64 channels each,
    # plus the 40-dimensional time-averaged encoder output.
    assert net.head.in_features == 2 * 64 * 1 * 8 + 40
    assert len(net.encoder.layers) == 4
    assert net.cnn_a[0].weight.data_ptr() != net.cnn_b[0].weight.data_ptr()


def test_conv2d_stack_clamps_pools_to_the_map():
    stack, out_shape = conv2d_stack((3, 9), (4, 8), (2, 4), 0.1)
    assert out_shape == (8, 1, 1)
    assert stack(torch.randn(2, 1, 3, 9)).shape == (2, 8, 1, 1)


def test_standardize_scales_the_feature_axis():
    scaler = Standardize([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], axis=-2)
    x = torch.tensor([1.0, 4.0, 11.0]).reshape(1, 3, 1).expand(2, 3, 5)
    assert torch.equal(
        scaler(x), torch.tensor([0.0, 1.0, 2.0]).reshape(1, 3, 1).expand(2, 3, 5)
    )


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: CNNLSTM(input_shape=(128, 128), n_classes=8),
            r"CNNLSTM expects input_shape \(n_chunks, n_mels, chunk_frames\) with "
            r"positive sizes; got \(128, 128\)",
        ),
        (
            lambda: StackedLSTM(input_shape=(0,), n_classes=2),
            r"StackedLSTM expects input_shape \(n_features\) with positive sizes; "
            r"got \(0,\)",
        ),
        (
            lambda: StackedLSTM(input_shape=(170,), n_classes=2, layout="column"),
            r"StackedLSTM layout must be one of \('steps', 'vector'\); got 'column'",
        ),
        (
            lambda: ParallelCNNTransformer(input_shape=(282, 13), n_classes=8),
            r"n_mfcc \(13\) must be divisible by n_heads \(4\)",
        ),
        (
            lambda: SpectrogramCNN(
                input_shape=(1, 64, 64), n_classes=8, channels=(8, 16), pools=(2,)
            ),
            r"channels and pools must be non-empty and of equal length; got "
            r"channels=\(8, 16\) and pools=\(2,\)",
        ),
    ],
)
def test_bad_configurations_are_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_check_input_shape_returns_ints():
    assert check_input_shape([2.0, 3], ("a", "b"), "X") == (2, 3)
