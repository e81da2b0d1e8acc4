"""Recipes: the seed papers' systems and classical baselines as unfitted pipelines.

Each recipe is a function returning an :class:`imblearn.pipeline.Pipeline`
from audio paths to emotion labels, with the paper's settings as defaults and
a docstring that cites the paper, its reported number and the protocol that
number comes from. :data:`RECIPES` maps short names to them and
:func:`make_recipe` builds one by name with overrides.

Augmentation in these pipelines is an :class:`~sklearn_ser.AWGNAugmenter`,
which runs only while fitting: unlike two of the papers, no noisy copy of a
test clip ever reaches training.

Names are imported on first use, so that the registry (names, summaries,
papers' claims) is readable without importing torch or scikit-learn.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_budget": ["recipe_params"],
        "_classical": ["compare_svm", "egemaps_svm", "random_forest", "svm"],
        "_deep": [
            "attentive_crnn",
            "cnn_lstm",
            "cnn_transformer",
            "conv1d_lstm",
            "spectrogram_cnn",
            "stacked_lstm",
        ],
        "_pretrained": ["DEFAULT_ENCODER", "encoder_head", "encoder_svm"],
        "_registry": [
            "BUDGETS",
            "DEFAULT_BENCHMARK_RECIPES",
            "RECIPES",
            "Recipe",
            "make_recipe",
        ],
        "_tuning": ["n_stateless_steps"],
    },
)
