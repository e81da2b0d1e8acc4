"""Recipes: the seed papers' systems and classical baselines as unfitted pipelines.

Each recipe is a function returning an :class:`imblearn.pipeline.Pipeline`
from audio paths to emotion labels, with the paper's settings as defaults and
a docstring that cites the paper, its reported number and the protocol that
number comes from. :data:`RECIPES` maps short names to them and
:func:`make_recipe` builds one by name with overrides.

Augmentation in these pipelines is an :class:`~sklearn_ser.AWGNAugmenter`,
which runs only while fitting: unlike two of the papers, no noisy copy of a
test clip ever reaches training.
"""

from ._classical import compare_svm, egemaps_svm, random_forest, svm
from ._deep import cnn_lstm, cnn_transformer, conv1d_lstm, spectrogram_cnn, stacked_lstm
from ._registry import (
    BUDGETS,
    DEFAULT_BENCHMARK_RECIPES,
    RECIPES,
    Recipe,
    make_recipe,
)
from ._tuning import n_stateless_steps

__all__ = [
    "BUDGETS",
    "DEFAULT_BENCHMARK_RECIPES",
    "RECIPES",
    "Recipe",
    "cnn_lstm",
    "cnn_transformer",
    "compare_svm",
    "conv1d_lstm",
    "egemaps_svm",
    "make_recipe",
    "n_stateless_steps",
    "random_forest",
    "spectrogram_cnn",
    "stacked_lstm",
    "svm",
]
