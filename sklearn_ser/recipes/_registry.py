"""The recipe registry: names, papers' claims, tuning grids and training budgets."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imblearn.pipeline import Pipeline

__all__ = [
    "BUDGETS",
    "DEFAULT_BENCHMARK_RECIPES",
    "RECIPES",
    "SHARED_OVERRIDES",
    "Recipe",
    "make_recipe",
]


@dataclass(frozen=True)
class Recipe:
    """A registered recipe: how to build it and what its paper reported.

    The recipe function is :attr:`build`, imported on first use from
    ``module`` (by default ``_deep`` or ``_classical``; it has the recipe's
    name), so that reading the registry imports neither torch nor
    scikit-learn.

    ``param_grid`` is the grid that ``make_recipe(name, tune=True)`` searches,
    fixed before any result was seen; its keys are parameters of the recipe's
    fitted steps (everything after loading and features). ``None`` means the
    recipe has no grid.
    """

    name: str
    summary: str
    reported: str
    paper_protocol: str
    deep: bool
    param_grid: Mapping[str, list] | None = field(default=None)
    #: Module of the recipe function; None: ``_deep`` or ``_classical``.
    module: str | None = field(default=None)

    @property
    def build(self) -> Callable[..., Pipeline]:
        """The recipe function that returns the unfitted pipeline."""
        name = self.module or ("_deep" if self.deep else "_classical")
        return getattr(import_module(f".{name}", __package__), self.name)

    def parameters(self) -> list[str]:
        """Names of the keyword arguments the recipe accepts."""
        return list(inspect.signature(self.build).parameters)


#: Recipes by short name.
RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "cnn_lstm",
            "Bhanbhro et al. 2023: CNN-LSTM over 7 log-mel chunks, AWGN (48 kHz)",
            "93.9 % accuracy, RAVDESS, random 80/10/10",
            "random-80/10/10",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "stacked_lstm",
            "Bledea (undated): stacked LSTM on 170 acoustic statistics",
            "95 % accuracy, TESS, random 75/25",
            "random-75/25",
            deep=True,
            param_grid={
                "classifier__max_epochs": [50, 200],
                "classifier__module__dropout": [0.2, 0.5],
            },
        ),
        Recipe(
            "spectrogram_cnn",
            "Pavithra et al. 2023: soft-voting ensemble of log-mel CNNs, AWGN",
            "89.8 % accuracy, RAVDESS, split not stated",
            "random-80/20",
            deep=True,
        ),
        Recipe(
            "conv1d_lstm",
            "Ayadi and Lachiri 2022: Conv1D-LSTM on MFCC frames",
            "53.3 % accuracy, RAVDESS speech (6 classes), split not stated",
            "random-80/20",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "cnn_transformer",
            "An and Ruan 2021: parallel CNNs + Transformer encoder on MFCCs, "
            "AWGN (48 kHz)",
            "80.46 % accuracy, RAVDESS, hold-out after augmenting",
            "random-80/10/10",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "svm",
            "baseline: RBF SVM on acoustic statistics (mean and std)",
            "baseline; eGeMAPS + SVM: 0.51-0.53 UAR speaker-independent",
            "random-kfold",
            deep=False,
            param_grid={
                "classifier__estimator__C": [1.0, 10.0, 100.0],
                "classifier__estimator__gamma": [0.001, "scale", 0.01],
            },
        ),
        Recipe(
            "random_forest",
            "baseline: random forest on acoustic statistics (mean and std)",
            "baseline",
            "random-kfold",
            deep=False,
            param_grid={
                "classifier__max_features": ["sqrt", "log2"],
                "classifier__min_samples_leaf": [1, 4],
            },
        ),
        Recipe(
            "attentive_crnn",
            "sklearn_ser's own: residual CNN + BiGRU + attentive statistics "
            "pooling on the log-mel; AdamW, cosine, label smoothing, SpecAugment, "
            "mixup",
            "not a paper's system; this library's from-scratch deep recipe",
            "random-kfold",
            deep=True,
            param_grid={
                "classifier__lr": [0.001, 0.003],
                "classifier__mixup_alpha": [0.0, 0.2],
            },
        ),
        Recipe(
            "egemaps_svm",
            "eGeMAPS v02 functionals (Eyben et al. 2016) + RBF SVM",
            "baseline; eGeMAPS + SVM: 0.51-0.53 UAR speaker-independent",
            "random-kfold",
            deep=False,
            param_grid={"classifier__estimator__C": [0.1, 1.0, 10.0, 100.0]},
        ),
        Recipe(
            "compare_svm",
            "ComParE 2016 functionals (Schuller et al. 2016) + RBF SVM",
            "baseline",
            "random-kfold",
            deep=False,
            param_grid={"classifier__estimator__C": [0.1, 1.0, 10.0, 100.0]},
        ),
        Recipe(
            "encoder_svm",
            "frozen pretrained speech encoder (Whisper tiny.en by default; "
            "--encoder), one mean-pooled layer (the last) + RBF SVM",
            "EmoBox 2024, frozen encoders + small head: 0.72-0.75 UA on RAVDESS "
            "(largest models), speaker-independent",
            "random-kfold",
            deep=False,
            param_grid={
                "layer__layer": [-1, -2, -3],
                "classifier__estimator__C": [0.1, 1.0, 10.0],
            },
            module="_pretrained",
        ),
        Recipe(
            "encoder_head",
            "frozen pretrained speech encoder, every layer mean-pooled + learned "
            "layer weights and an MLP (SUPERB/EmoBox head)",
            "EmoBox 2024, frozen encoders + small head: 0.72-0.75 UA on RAVDESS "
            "(largest models), speaker-independent",
            "random-kfold",
            deep=True,
            param_grid={
                "classifier__lr": [0.0003, 0.001],
                "classifier__mixup_alpha": [0.0, 0.2],
            },
            module="_pretrained",
        ),
    )
}

#: The CPU-friendly set that ``sklearn-ser benchmark`` runs with no options.
DEFAULT_BENCHMARK_RECIPES = ("svm", "random_forest", "stacked_lstm", "conv1d_lstm")

#: Training budgets. ``"paper"`` is each recipe's defaults (the papers'
#: settings). ``"cpu"`` shrinks the deep recipes so that each fits a few
#: minutes per fold on one CPU core: 16 kHz audio, fewer epochs, smaller
#: recurrent layers, the stacked LSTM reading its 170 values as one step, and
#: for the two spectrogram CNNs a coarser log-mel (64 bands, hop 16 ms instead
#: of 128 bands, hop 5.3 ms: 6-10 times less work per epoch, same layers).
#: Numbers under it are labelled as such and are not reproductions. Keys with
#: ``__`` are pipeline parameters (``set_params``); the others are recipe
#: arguments.
BUDGETS = {
    "paper": {},
    "cpu": {
        "cnn_lstm": {
            "sr": 16000,
            "max_epochs": 20,
            "features__n_mels": 64,
            "features__hop_length": 256,
        },
        "stacked_lstm": {"sr": 16000, "classifier__module__layout": "vector"},
        "spectrogram_cnn": {
            "sr": 16000,
            "n_models": 2,
            "max_epochs": 10,
            "features__n_mels": 64,
            "features__hop_length": 256,
        },
        "conv1d_lstm": {
            "sr": 16000,
            "max_epochs": 20,
            "features__hop_length": 512,
            "classifier__module__conv_channels": 64,
            "classifier__module__lstm_hidden_size": 64,
        },
        "cnn_transformer": {"sr": 16000, "max_epochs": 20},
        "attentive_crnn": {
            "n_mels": 64,
            "hop_length": 320,
            "max_epochs": 40,
            "classifier__time_mask": 20,
            "classifier__freq_mask": 8,
            "classifier__module__channels": (16, 32, 64),
            "classifier__module__gru_hidden_size": 64,
        },
    },
}

#: Overrides that apply to every recipe that has the parameter and are
#: silently skipped by those that do not (a forest has no epochs).
SHARED_OVERRIDES = frozenset({"device", "max_epochs", "n_jobs", "random_state"})


def make_recipe(
    name: str,
    *,
    budget: str = "paper",
    tune: bool = False,
    inner_splits: int = 3,
    **overrides,
) -> Pipeline:
    """Build a recipe by name.

    Parameters
    ----------
    name : str
        A key of :data:`RECIPES`.
    budget : {"paper", "cpu"}, default="paper"
        Training budget from :data:`BUDGETS`; ``overrides`` take precedence.
    tune : bool, default=False
        Choose hyperparameters by an inner speaker-grouped cross-validation
        on the training data: the recipe's fitted steps (everything after
        loading and features) become a :class:`~sklearn.model_selection.GridSearchCV`
        over the recipe's :attr:`Recipe.param_grid`, scored by UAR, with
        ``inner_splits`` :class:`~sklearn.model_selection.StratifiedGroupKFold`
        folds, then refit on all the training data with the best setting. The
        search is the pipeline's ``"search"`` step and needs the training
        clips' speaker ids: ``fit(paths, y, search__groups=speakers)``
        (:func:`~sklearn_ser.benchmark.run_benchmark` passes them).
    inner_splits : int, default=3
        Speaker-grouped folds of the inner search (``tune=True`` only); the
        training data needs at least this many speakers.
    **overrides
        Keyword arguments of the recipe function. ``device``, ``max_epochs``,
        ``n_jobs`` and ``random_state`` are passed only to recipes that have
        them; any other unknown name is an error.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
        Unfitted.

    Examples
    --------
    >>> from sklearn_ser.recipes import make_recipe
    >>> pipe = make_recipe("svm", random_state=0, max_epochs=5)
    >>> [name for name, _ in pipe.steps]
    ['load', 'features', 'scale', 'classifier']
    >>> tuned = make_recipe("svm", tune=True, random_state=0)
    >>> [name for name, _ in tuned.steps]
    ['load', 'features', 'search']
    >>> sorted(tuned.named_steps["search"].param_grid)
    ['classifier__estimator__C', 'classifier__estimator__gamma']
    """
    if name not in RECIPES:
        raise ValueError(
            f"Unknown recipe {name!r}; valid recipes: {', '.join(RECIPES)}."
        )
    if budget not in BUDGETS:
        raise ValueError(
            f"Unknown budget {budget!r}; valid budgets: {', '.join(BUDGETS)}."
        )
    recipe = RECIPES[name]
    if tune and recipe.param_grid is None:
        tunable = [r.name for r in RECIPES.values() if r.param_grid is not None]
        raise ValueError(
            f"Recipe {name!r} has no tuning grid; recipes that can be tuned: "
            f"{', '.join(tunable)}."
        )
    if isinstance(inner_splits, bool) or not isinstance(inner_splits, int):
        raise TypeError(f"inner_splits must be an integer >= 2; got {inner_splits!r}.")
    if inner_splits < 2:
        raise ValueError(f"inner_splits must be >= 2; got {inner_splits}.")
    accepted = set(recipe.parameters())
    unknown = sorted(set(overrides) - accepted - SHARED_OVERRIDES)
    if unknown:
        raise ValueError(
            f"Recipe {name!r} has no parameter(s) {', '.join(unknown)}; it accepts "
            f"{', '.join(sorted(accepted))}."
        )
    settings = {**BUDGETS[budget].get(name, {}), **overrides}
    pipeline_params = {k: v for k, v in settings.items() if "__" in k}
    arguments = {k: v for k, v in settings.items() if "__" not in k and k in accepted}
    pipeline = recipe.build(**arguments).set_params(**pipeline_params)
    if not tune:
        return pipeline
    from ._tuning import tuned

    return tuned(
        pipeline, recipe.param_grid, inner_splits, settings.get("random_state")
    )
