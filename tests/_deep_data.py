"""Tiny deep-classifier settings and separable toy inputs shared by the tests."""

import numpy as np

from sklearn_ser.classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    LayerWeightedHeadClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)

LABELS = np.array(["angry", "calm", "sad"])

# Per classifier: tiny module settings and a learning rate under which 30-50
# epochs fit the separable toy data below, and the per-clip input shape.
TINY = {
    CNNLSTMClassifier: (
        dict(
            module__channels=(4, 8),
            module__pools=(2, 2),
            module__lstm_hidden_size=16,
            lr=0.02,
        ),
        (2, 8, 8),
    ),
    StackedLSTMClassifier: (
        dict(module__hidden_size=8, module__dense_size=16, lr=0.02),
        (6,),
    ),
    SpectrogramCNNClassifier: (
        dict(module__channels=(4, 8), module__pools=(2, 2), lr=0.01),
        (1, 8, 16),
    ),
    Conv1DLSTMClassifier: (
        dict(
            module__conv_channels=8,
            module__lstm_hidden_size=8,
            module__dense_size=16,
            lr=0.01,
        ),
        (10, 8),
    ),
    ParallelCNNTransformerClassifier: (
        dict(
            module__cnn_channels=(4, 8),
            module__cnn_pools=(2, 2),
            module__n_layers=1,
            module__dim_feedforward=16,
            lr=0.05,
        ),
        (16, 8),
    ),
    # The toy data's class is a shift of every feature, which normalising each
    # layer's vector over its features would remove.
    LayerWeightedHeadClassifier: (
        dict(module__hidden_size=16, module__layer_norm=False, lr=0.02),
        (3, 8),
    ),
}
CLASSIFIERS = list(TINY)


def make_clf(cls, **params):
    settings, _ = TINY[cls]
    return cls(
        **{**settings, "max_epochs": 3, "batch_size": 8, "random_state": 0, **params}
    )


def make_data(cls, n_per_class=8, seed=0, shift=2.0):
    """Inputs whose values are shifted by class: separable by their mean."""
    _, shape = TINY[cls]
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(LABELS)), n_per_class)
    X = rng.normal(size=(len(codes), *shape)).astype(np.float32)
    X += shift * codes.reshape(-1, *[1] * len(shape))
    return X, LABELS[codes]
