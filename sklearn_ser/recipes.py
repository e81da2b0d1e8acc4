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

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils import get_tags

from .audio import DEFAULT_SR, AudioLoader
from .augment import AWGNAugmenter
from .classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)
from .features import AcousticStats170, MelSpectrogramChunker, MFCCFrames

__all__ = [
    "BUDGETS",
    "DEFAULT_BENCHMARK_RECIPES",
    "RECIPES",
    "Recipe",
    "cnn_lstm",
    "cnn_transformer",
    "conv1d_lstm",
    "make_recipe",
    "n_stateless_steps",
    "random_forest",
    "spectrogram_cnn",
    "stacked_lstm",
    "svm",
]

#: librosa.load's default sample rate, which papers that do not state one used.
LIBROSA_SR = 22050


def _pipeline(
    *,
    sr,
    offset,
    duration,
    n_jobs,
    features,
    classifier,
    augment=False,
    random_state=None,
) -> Pipeline:
    """load -> [AWGN augmentation, fit time only] -> features -> classifier.

    The augmentation is the papers' AWGN step: one noisy copy per training clip
    at 15-30 dB SNR.
    """
    steps = [
        ("load", AudioLoader(sr=sr, offset=offset, duration=duration, n_jobs=n_jobs))
    ]
    if augment:
        augmenter = AWGNAugmenter(
            snr_db=(15.0, 30.0), n_copies=1, random_state=random_state
        )
        steps.append(("augment", augmenter))
    return Pipeline([*steps, ("features", features), ("classifier", classifier)])


def cnn_lstm(
    *,
    sr: int = 48000,
    offset: float = 0.5,
    duration: float = 3.0,
    augment: bool = True,
    max_epochs: int = 1400,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Stacked CNN-LSTM on seven log-mel chunks (seed paper 000).

    Bhanbhro, Talpur and Memon, *Speech Emotion Recognition Using Deep
    Learning Hybrid Models*. Reported: 93.9 % accuracy, 8 classes, RAVDESS
    (1,440 clips), random 80/10/10 split, with AWGN augmentation and 500+
    epochs (best after 1,400). Audio at 48 kHz from 0.5 s for 3 s; Hamming
    window 512, hop 256; log-mel split into 7 chunks.

    Parameters
    ----------
    sr, offset, duration : loading settings (paper: 48 kHz, 0.5 s, 3 s).
    augment : bool, default=True
        Add one AWGN copy per training clip (15-30 dB SNR), inside the fold.
    max_epochs : int, default=1400
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None
        Parallel jobs for loading and feature extraction.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MelSpectrogramChunker(sr=sr, n_chunks=7, n_jobs=n_jobs),
        classifier=CNNLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def stacked_lstm(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.0,
    duration: float = 3.0,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Stacked LSTM on the 170 acoustic statistics (seed paper 001).

    Bledea, *Speech Emotion Recognition With Recurrent Neural Networks*.
    Reported: 95 % accuracy (96 % with all 170 features), 7 classes, TESS
    (2,800 clips), random 75/25 split (2,100/700). Adam, learning rate 0.001,
    50 epochs, batch 256. The paper's augmentation experiment failed (14-16 %),
    so this recipe does not augment. librosa's default 22,050 Hz.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        features=AcousticStats170(sr=sr, n_jobs=n_jobs),
        classifier=StackedLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def spectrogram_cnn(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    n_models: int = 3,
    augment: bool = True,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Soft-voting ensemble of spectrogram CNNs (seed paper 002).

    Pavithra et al., *Deep Learning-based Speech Emotion Recognition: An
    Investigation into a sustainably Emotion-Speech Relationship*. Reported:
    89.8 % accuracy on a RAVDESS test set; split, sample rate and ensemble
    size not stated (we assume a random 80/20 hold-out, librosa's 22,050 Hz
    and three CNNs). The ensemble is scikit-learn's
    :class:`~sklearn.ensemble.VotingClassifier` with soft voting over CNNs
    that differ in their seed; the paper's data augmentation is AWGN here.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    n_models : int, default=3
        CNNs in the ensemble.
    augment : bool, default=True
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
        Seeds member ``i`` with ``random_state + i`` (or leaves all unseeded).
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    if n_models < 1:
        raise ValueError(f"n_models must be >= 1; got {n_models}.")
    members = [
        (
            f"cnn{i}",
            SpectrogramCNNClassifier(
                max_epochs=max_epochs,
                device=device,
                random_state=None if random_state is None else random_state + i,
            ),
        )
        for i in range(n_models)
    ]
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MelSpectrogramChunker(sr=sr, n_chunks=1, n_jobs=n_jobs),
        classifier=VotingClassifier(members, voting="soft"),
    )


def conv1d_lstm(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Conv1D-LSTM on frame-level MFCCs (seed paper 003).

    Ayadi and Lachiri, *A combined CNN-LSTM Network for Audio Emotion
    Recognition using Speech and Song attributes*. Reported: 53.32 %
    validation accuracy on RAVDESS speech with 6 emotions (90.28 % training);
    the split is not stated (we assume a random 80/20 hold-out). Adam,
    learning rate 0.01. Sample rate not stated: librosa's 22,050 Hz.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        features=MFCCFrames(sr=sr, n_jobs=n_jobs),
        classifier=Conv1DLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def cnn_transformer(
    *,
    sr: int = 48000,
    offset: float = 0.5,
    duration: float = 3.0,
    augment: bool = True,
    max_epochs: int = 200,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Parallel CNNs and a Transformer encoder on MFCC maps (seed paper 004).

    An and Ruan, *Speech Emotion Recognition algorithm based on deep learning
    algorithm fusion of temporal and spatial features*. Reported: 80.46 %
    accuracy, 8 classes, RAVDESS hold-out test set, after doubling the data
    with AWGN *before* splitting (here the noisy copies are made inside the
    training fold only). 40 MFCCs x 282 frames (48 kHz, hop 512, 3 s); SGD,
    learning rate 0.01, momentum 0.9, weight decay 1e-4, batch 16, up to 200
    epochs.

    Parameters
    ----------
    sr, offset, duration : loading settings (48 kHz, 0.5 s, 3 s).
    augment : bool, default=True
    max_epochs : int, default=200
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MFCCFrames(sr=sr, n_mfcc=40, hop_length=512, n_jobs=n_jobs),
        classifier=ParallelCNNTransformerClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def _classical_pipeline(
    *, sr, offset, duration, n_jobs, classifier, balance, random_state
) -> Pipeline:
    """load -> statistics -> scaling -> [oversampling] -> classifier.

    Means *and* standard deviations of the 170 frame-level features: the
    spread over time carries much of the prosody that the means average away,
    and classical models cannot learn it from the means. ``balance`` adds
    imbalanced-learn's RandomOverSampler, which runs inside each training fold.
    """
    steps = [
        ("load", AudioLoader(sr=sr, offset=offset, duration=duration, n_jobs=n_jobs)),
        ("features", AcousticStats170(sr=sr, stats=("mean", "std"), n_jobs=n_jobs)),
        ("scale", StandardScaler()),
    ]
    if balance:
        steps.append(("balance", RandomOverSampler(random_state=random_state)))
    return Pipeline([*steps, ("classifier", classifier)])


def svm(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    C: float = 10.0,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """RBF support vector machine on standardised acoustic statistics.

    The classical baseline of the SER literature. On all 24 RAVDESS actors,
    published openSMILE eGeMAPS + SVM results reach 0.51-0.53 UAR
    speaker-independently; the same SVM on the 170 mean statistics gives
    73.5 % accuracy with a random 5-fold split against 40.4 % speaker-
    independently (the gap this library exists to show). ``C`` is fixed a
    priori, not tuned on test folds. Probabilities come from Platt scaling
    (:class:`~sklearn.calibration.CalibratedClassifierCV`).

    Parameters
    ----------
    sr, offset, duration : loading settings.
    C : float, default=10.0
        SVM regularisation.
    balance : bool, default=False
        Oversample minority classes (imbalanced-learn's
        :class:`~imblearn.over_sampling.RandomOverSampler`) inside each fold.
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        # Platt scaling through the calibration wrapper gives predict_proba (which
        # `sklearn-ser predict` prints); SVC(probability=True) is deprecated. Three
        # calibration folds need only three clips per class in a training fold.
        classifier=CalibratedClassifierCV(
            SVC(C=C), method="sigmoid", cv=3, ensemble=False
        ),
    )


def random_forest(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    n_estimators: int = 500,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Random forest on acoustic statistics.

    Classical baseline: 500 trees, square-root feature sampling.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    n_estimators : int, default=500
    balance : bool, default=False
        Oversample minority classes inside each fold.
    random_state : int or None
    n_jobs : int or None
        Also the forest's parallelism.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        classifier=RandomForestClassifier(
            n_estimators=n_estimators, n_jobs=n_jobs, random_state=random_state
        ),
    )


@dataclass(frozen=True)
class Recipe:
    """A registered recipe: how to build it and what its paper reported.

    ``param_grid`` is the grid that ``make_recipe(name, tune=True)`` searches,
    fixed before any result was seen; its keys are parameters of the recipe's
    fitted steps (everything after loading and features). ``None`` means the
    recipe has no grid.
    """

    name: str
    build: Callable[..., Pipeline]
    summary: str
    reported: str
    paper_protocol: str
    deep: bool
    param_grid: Mapping[str, list] | None = field(default=None)

    def parameters(self) -> list[str]:
        """Names of the keyword arguments the recipe accepts."""
        return list(inspect.signature(self.build).parameters)


#: Recipes by short name.
RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "cnn_lstm",
            cnn_lstm,
            "000 CNN-LSTM over 7 log-mel chunks, AWGN (48 kHz)",
            "93.9 % accuracy, RAVDESS, random 80/10/10",
            "random-80/10/10",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "stacked_lstm",
            stacked_lstm,
            "001 stacked LSTM on 170 acoustic statistics",
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
            spectrogram_cnn,
            "002 soft-voting ensemble of log-mel CNNs, AWGN",
            "89.8 % accuracy, RAVDESS, split not stated",
            "random-80/20",
            deep=True,
        ),
        Recipe(
            "conv1d_lstm",
            conv1d_lstm,
            "003 Conv1D-LSTM on MFCC frames",
            "53.3 % accuracy, RAVDESS speech (6 classes), split not stated",
            "random-80/20",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "cnn_transformer",
            cnn_transformer,
            "004 parallel CNNs + Transformer encoder on MFCCs, AWGN (48 kHz)",
            "80.46 % accuracy, RAVDESS, hold-out after augmenting",
            "random-80/10/10",
            deep=True,
            param_grid={"classifier__lr": [0.01, 0.001]},
        ),
        Recipe(
            "svm",
            svm,
            "RBF SVM on acoustic statistics (mean and std)",
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
            random_forest,
            "random forest on acoustic statistics (mean and std)",
            "baseline",
            "random-kfold",
            deep=False,
            param_grid={
                "classifier__max_features": ["sqrt", "log2"],
                "classifier__min_samples_leaf": [1, 4],
            },
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
    return _tuned(
        pipeline, recipe.param_grid, inner_splits, settings.get("random_state")
    )


def n_stateless_steps(pipeline) -> int:
    """Number of leading pipeline steps that learn nothing from data.

    These are the steps whose scikit-learn tag ``requires_fit`` is False
    (:class:`~sklearn_ser.AudioLoader` and the feature transformers), up to
    the first step that is fitted or is a sampler. Their output on a clip
    does not depend on the other clips, so it may be computed once for all
    folds; everything after them must be refit inside each training fold.
    The final step is never counted.

    Parameters
    ----------
    pipeline : Pipeline
        A scikit-learn or imbalanced-learn pipeline.

    Returns
    -------
    n : int

    Examples
    --------
    >>> from sklearn_ser.recipes import make_recipe, n_stateless_steps
    >>> n_stateless_steps(make_recipe("svm"))  # load, features | scale, svm
    2
    """
    n = 0
    for _, step in pipeline.steps[:-1]:
        if (
            step is not None
            and step != "passthrough"
            and (hasattr(step, "fit_resample") or get_tags(step).requires_fit)
        ):
            break
        n += 1
    return n


def _steps_from(pipeline, n: int):
    """A clone of ``pipeline`` that holds clones of its steps from the ``n``-th on."""
    tail = clone(pipeline)
    tail.steps = [(name, clone(step)) for name, step in pipeline.steps[n:]]
    return tail


def _tuned(pipeline: Pipeline, param_grid, inner_splits, random_state) -> Pipeline:
    """The pipeline with its fitted steps replaced by a grid search over them."""
    n = n_stateless_steps(pipeline)
    search = GridSearchCV(
        _steps_from(pipeline, n),
        dict(param_grid),
        scoring="balanced_accuracy",
        cv=StratifiedGroupKFold(
            n_splits=inner_splits, shuffle=True, random_state=random_state
        ),
        error_score="raise",
    )
    return Pipeline([*pipeline.steps[:n], ("search", search)])
