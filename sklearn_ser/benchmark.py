"""Cross-validate recipes on one corpus under one protocol: scores, confusions, figures.

Every recipe is evaluated on the same outer splits. The leading steps of a
recipe that learn nothing from data (scikit-learn's ``requires_fit=False`` tag:
:class:`~sklearn_ser.AudioLoader` and the feature transformers) are computed
once per clip and shared by all recipes and folds that use the same steps with
the same parameters; since they hold no fitted state, computing them on all
clips gives exactly what each fold would compute on its own clips, so nothing
leaks. Everything from the first step that is fitted (a scaler, a sampler such
as :class:`~sklearn_ser.AWGNAugmenter`, a classifier) is cloned and refit
inside every training fold.
"""

from __future__ import annotations

import inspect
import json
import os
import platform
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
)
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from skorch import NeuralNet
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from . import __version__
from .model_selection import Protocol, get_protocol
from .recipes import _steps_from, n_stateless_steps

__all__ = ["BenchmarkResult", "FoldScore", "RecipeResult", "run_benchmark"]

#: Hyperparameter searches whose inner folds get the training fold's speakers.
_SEARCHES = (GridSearchCV, RandomizedSearchCV)

#: Metrics reported per fold, in table order: (attribute, column title).
METRICS = (("uar", "UAR"), ("macro_f1", "macro F1"), ("accuracy", "accuracy"))


@dataclass
class FoldScore:
    """Scores and timings of one recipe on one outer fold.

    ``train_uar`` is the UAR on the fold's own training clips (how well the
    model fits what it saw; far above ``uar`` means it memorised speakers).
    ``best_params`` is what a tuned recipe's inner search chose on this
    fold's training data (``None`` for untuned recipes).
    """

    fold: int
    n_train: int
    n_test: int
    test_speakers: list[str]
    uar: float
    macro_f1: float
    accuracy: float
    fit_time: float
    predict_time: float
    train_uar: float
    train_speakers: list[str] = field(default_factory=list)
    best_params: dict | None = None


@dataclass
class RecipeResult:
    """Cross-validation results of one recipe.

    Attributes
    ----------
    recipe : str
        Recipe name.
    labels : list of str
        Class labels, in the order of the confusion matrix rows and columns.
    folds : list of FoldScore
        Per-fold scores and timings.
    y_true, y_pred : ndarray of str
        Out-of-fold true and predicted labels, concatenated over folds.
    device : str
        Device the final estimator trained on ("cpu", "cuda", ...).
    feature_time : float
        Seconds spent on the shared stateless steps (loading, features) for
        this recipe; zero when another recipe had already computed them.
    """

    recipe: str
    labels: list[str]
    folds: list[FoldScore] = field(default_factory=list)
    y_true: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    y_pred: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    device: str = "cpu"
    feature_time: float = 0.0

    def mean_std(self, metric: str) -> tuple[float, float]:
        """Mean and standard deviation over folds of a per-fold attribute."""
        values = np.array([getattr(fold, metric) for fold in self.folds], dtype=float)
        return float(values.mean()), float(values.std())

    def confusion(self, normalize: str | None = "true") -> np.ndarray:
        """Confusion matrix of the out-of-fold predictions (rows: true labels)."""
        return confusion_matrix(
            self.y_true, self.y_pred, labels=self.labels, normalize=normalize
        )

    def to_dict(self) -> dict:
        summary = {}
        extra = (("train_uar", ""), ("fit_time", ""), ("predict_time", ""))
        for metric, _ in METRICS + extra:
            mean, std = self.mean_std(metric)
            summary[metric] = {"mean": mean, "std": std}
        return {
            "recipe": self.recipe,
            "device": self.device,
            "feature_time": self.feature_time,
            "labels": self.labels,
            "summary": summary,
            "folds": [vars(fold) for fold in self.folds],
            "confusion_normalized": self.confusion("true").tolist(),
            "confusion_counts": self.confusion(None).tolist(),
        }


@dataclass
class BenchmarkResult:
    """Results of :func:`run_benchmark`: one :class:`RecipeResult` per recipe."""

    corpus: str
    protocol: Protocol
    n_splits: int
    n_clips: int
    n_speakers: int
    recipes: list[RecipeResult]
    elapsed: float

    def to_dict(self) -> dict:
        return {
            "sklearn_ser_version": __version__,
            "corpus": self.corpus,
            "protocol": {
                "name": self.protocol.name,
                "description": self.protocol.description,
                "speaker_independent": self.protocol.speaker_independent,
            },
            "n_splits": self.n_splits,
            "n_clips": self.n_clips,
            "n_speakers": self.n_speakers,
            "elapsed_seconds": self.elapsed,
            "machine": _machine_description(),
            "recipes": [result.to_dict() for result in self.recipes],
        }

    def to_markdown(self) -> str:
        """The results table, with a header saying what was measured and how."""
        lines = [
            f"Corpus: {self.corpus} ({self.n_clips} clips, {self.n_speakers} speakers)",
            f"Protocol: {self.protocol.name}: {self.protocol.description}; "
            f"{self.n_splits} folds; mean ± std over folds",
            f"Machine: {_machine_description()}; total {self.elapsed:.1f} s",
            "",
            "| recipe | "
            + " | ".join(title for _, title in METRICS)
            + " | train UAR | features s | fit s/fold | predict s/fold | device |",
            "|---" * (len(METRICS) + 6) + "|",
        ]
        for result in self.recipes:
            cells = [result.recipe]
            for metric in [metric for metric, _ in METRICS] + ["train_uar"]:
                mean, std = result.mean_std(metric)
                cells.append(f"{mean:.3f} ± {std:.3f}")
            cells.append(f"{result.feature_time:.1f}")
            cells.append(f"{result.mean_std('fit_time')[0]:.1f}")
            cells.append(f"{result.mean_std('predict_time')[0]:.2f}")
            cells.append(result.device)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def save(self, out_dir) -> list[Path]:
        """Write results.json, results.md and the figures into ``out_dir``.

        Returns the paths written.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path = out_dir / "results.json"
        json_path.write_text(json.dumps(self.to_dict(), indent=2, default=repr) + "\n")
        md_path = out_dir / "results.md"
        md_path.write_text(self.to_markdown())
        return [json_path, md_path, *self.plot(out_dir)]

    def plot(self, out_dir) -> list[Path]:
        """Save a normalised confusion matrix per recipe and one comparison figure."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out_dir = Path(out_dir)
        written = []
        for result in self.recipes:
            fig, ax = plt.subplots(figsize=(6.4, 5.6))
            ConfusionMatrixDisplay.from_predictions(
                result.y_true,
                result.y_pred,
                labels=result.labels,
                normalize="true",
                values_format=".2f",
                colorbar=False,
                xticks_rotation=45,
                ax=ax,
            )
            uar, std = result.mean_std("uar")
            ax.set_title(
                f"{result.recipe}: UAR {uar:.3f} ± {std:.3f}\n"
                + textwrap.fill(self.corpus, 60)
                + f"\nprotocol {self.protocol.name}, {self.n_splits} folds",
                fontsize=9,
            )
            fig.tight_layout()
            path = out_dir / f"confusion_{result.recipe}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written.append(path)

        fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(self.recipes) + 2), 4.2))
        width = 0.8 / len(METRICS)
        positions = np.arange(len(self.recipes))
        for i, (metric, title) in enumerate(METRICS):
            stats = [result.mean_std(metric) for result in self.recipes]
            ax.bar(
                positions + (i - (len(METRICS) - 1) / 2) * width,
                [mean for mean, _ in stats],
                width,
                yerr=[std for _, std in stats],
                capsize=3,
                label=title,
            )
        n_classes = max(len(result.labels) for result in self.recipes)
        ax.axhline(1 / n_classes, color="grey", linestyle="--", linewidth=1)
        ax.text(len(self.recipes) - 0.5, 1 / n_classes, " chance", va="bottom")
        ax.set_xticks(positions, [result.recipe for result in self.recipes])
        ax.set_ylim(0, 1)
        ax.set_ylabel("score (mean ± std over folds)")
        ax.set_title(
            textwrap.fill(f"{self.corpus}, protocol {self.protocol.name}", 90),
            fontsize=9,
        )
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        path = out_dir / "comparison.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
        return written


def run_benchmark(
    recipes: Mapping[str, object],
    paths,
    y,
    groups,
    *,
    protocol: str | Protocol = "speaker",
    n_splits: int | None = None,
    random_state: int | None = 0,
    corpus: str = "corpus",
    progress: bool = True,
    memory=None,
    train_speakers: int | None = None,
) -> BenchmarkResult:
    """Cross-validate several recipes on the same splits of one corpus.

    Parameters
    ----------
    recipes : mapping of str to estimator
        Unfitted pipelines (or estimators) that take ``paths`` and predict
        labels, by name; e.g. from :func:`sklearn_ser.recipes.make_recipe`.
    paths : array-like of shape (n_clips,)
        Input of every recipe (usually audio file paths).
    y : array-like of shape (n_clips,)
        Emotion labels.
    groups : array-like of shape (n_clips,) or None
        Speaker ids (``None`` only for speaker-dependent protocols, e.g. a
        folder corpus without speaker information). Speaker-independent
        protocols split on them; when the final estimator of a recipe
        accepts ``groups`` in ``fit`` (the deep classifiers' speaker-disjoint
        early-stopping split), it receives the training fold's speaker ids
        under a speaker-independent protocol. A tuned recipe's search
        (``make_recipe(..., tune=True)``) receives them under every protocol,
        since its inner folds are grouped by speaker.
    protocol : str or Protocol, default="speaker"
        See :data:`sklearn_ser.model_selection.PROTOCOLS`.
    n_splits : int, default=None
        Number of folds; ``None`` takes the protocol's default.
    random_state : int or None, default=0
        Seeds the outer split (identical for every recipe).
    corpus : str, default="corpus"
        Name of the corpus, for the report.
    progress : bool, default=True
        Show progress bars over recipes and folds and, for deep classifiers,
        over each fit's epochs.
    memory : str, path, joblib.Memory or None, default=None
        Where to cache the outputs of the stateless steps (loading, features)
        across calls, like a scikit-learn Pipeline's ``memory``; ``None``
        shares them within this call only. Keys are the steps' classes and
        parameters and the input; for file paths, also each file's size and
        modification time, so an edited file is read again.
    train_speakers : int, default=None
        Train each fold on only this many of its training speakers (drawn at
        random, seeded by ``random_state``; the test part is unchanged), for
        learning curves over the number of speakers. ``None`` uses them all.

    Returns
    -------
    result : BenchmarkResult

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn_ser.benchmark import run_benchmark
    >>> X = np.arange(24).reshape(-1, 1)
    >>> y = np.tile(["angry", "sad"], 12)
    >>> groups = np.repeat(["s1", "s2", "s3", "s4"], 6)
    >>> result = run_benchmark({"dummy": DummyClassifier()}, X, y, groups,
    ...                        n_splits=2, progress=False)
    >>> result.recipes[0].mean_std("uar")
    (0.5, 0.0)
    """
    if not recipes:
        raise ValueError("No recipes to benchmark: `recipes` is empty.")
    if isinstance(protocol, str):
        protocol = get_protocol(protocol)
    paths = np.asarray(paths)
    y = np.asarray(y, dtype=object).astype(str)
    if groups is None:
        if protocol.speaker_independent:
            raise ValueError(
                f"Protocol {protocol.name!r} needs speaker ids, but groups is None; "
                "give the corpus speaker ids or choose a speaker-dependent protocol."
            )
    has_speakers = groups is not None
    if groups is None:
        groups = np.full(len(y), "unknown")
    groups = np.asarray(groups, dtype=object).astype(str)
    if not len(paths) == len(y) == len(groups):
        raise ValueError(
            "paths, y and groups must have the same length; got "
            f"{len(paths)}, {len(y)} and {len(groups)}."
        )
    cv = protocol.make_cv(groups, n_splits=n_splits, random_state=random_state)
    split_groups = groups if protocol.speaker_independent else None
    splits = list(cv.split(np.zeros((len(y), 1)), y, split_groups))
    if train_speakers is not None:
        splits = _subsample_speakers(splits, groups, train_speakers, random_state)
    labels = sorted(set(y))

    split_recipes = {name: _split_stateless_head(r) for name, r in recipes.items()}
    for name, (_, rest) in split_recipes.items():
        _check_validation_split(name, rest, protocol)
        if isinstance(rest, _SEARCHES):
            if not has_speakers:
                raise ValueError(
                    f"Recipe {name!r} is tuned by a speaker-grouped inner search "
                    "and needs speaker ids, but groups is None."
                )
            _check_inner_splits(name, rest, splits, groups)

    start = time.perf_counter()
    cache = _StatelessCache(paths, memory)
    results = []
    bar = tqdm(total=len(recipes) * len(splits), disable=not progress, unit="fold")
    for name, (head, rest) in split_recipes.items():
        bar.set_description(name)
        Xt, feature_time = cache.transform(head)
        result = RecipeResult(recipe=name, labels=labels, feature_time=feature_time)
        true_parts, pred_parts = [], []
        for fold, (train, test) in enumerate(splits):
            estimator = clone(rest)
            if progress:
                _add_epoch_bar(estimator, f"{name} fold {fold + 1}/{len(splits)}")
            fit_params = _groups_fit_params(estimator, groups[train], protocol)
            t0 = time.perf_counter()
            estimator.fit(Xt[train], y[train], **fit_params)
            fit_time = time.perf_counter() - t0
            t0 = time.perf_counter()
            y_pred = np.asarray(estimator.predict(Xt[test])).astype(str)
            predict_time = time.perf_counter() - t0
            y_fit = np.asarray(estimator.predict(Xt[train])).astype(str)
            result.folds.append(
                FoldScore(
                    fold=fold,
                    n_train=len(train),
                    n_test=len(test),
                    test_speakers=sorted(set(groups[test])),
                    uar=balanced_accuracy_score(y[test], y_pred),
                    macro_f1=f1_score(
                        y[test], y_pred, average="macro", labels=labels, zero_division=0
                    ),
                    accuracy=accuracy_score(y[test], y_pred),
                    fit_time=fit_time,
                    predict_time=predict_time,
                    train_uar=balanced_accuracy_score(y[train], y_fit),
                    train_speakers=sorted(set(groups[train])),
                    best_params=getattr(estimator, "best_params_", None),
                )
            )
            true_parts.append(y[test])
            pred_parts.append(y_pred)
            result.device = _device_of(estimator)
            bar.update()
        result.y_true = np.concatenate(true_parts)
        result.y_pred = np.concatenate(pred_parts)
        results.append(result)
    bar.close()
    return BenchmarkResult(
        corpus=corpus,
        protocol=protocol,
        n_splits=len(splits),
        n_clips=len(y),
        n_speakers=len(set(groups)),
        recipes=results,
        elapsed=time.perf_counter() - start,
    )


def _check_inner_splits(name, search, splits, groups) -> None:
    """Refuse a search whose inner folds outnumber a training fold's speakers.

    Parameters
    ----------
    name : str
        Recipe name, for the message.
    search : GridSearchCV or RandomizedSearchCV
        The tuned recipe's search (its ``cv`` is grouped by speaker).
    splits : list of (train, test) index arrays
        The outer splits.
    groups : ndarray of shape (n_clips,)
        Speaker ids.

    Raises
    ------
    ValueError
        If some training fold has fewer speakers than the search has folds.
    """
    n_inner = getattr(search.cv, "n_splits", None)
    if n_inner is None:
        return
    fewest = min(len(set(groups[train])) for train, _ in splits)
    if fewest < n_inner:
        raise ValueError(
            f"Recipe {name!r} is tuned with {n_inner} speaker-grouped inner folds, "
            f"but a training fold has only {fewest} speaker(s). Use fewer outer "
            "folds or a smaller inner_splits, or do not tune on this corpus."
        )


def _split_stateless_head(recipe):
    """Split a pipeline into its leading steps that need no fitting and the rest.

    Returns ``(head, rest)``: ``head`` a list of unfitted steps (see
    :func:`~sklearn_ser.recipes.n_stateless_steps`), ``rest`` an estimator
    (the remaining pipeline, or the final step alone).
    """
    steps = getattr(recipe, "steps", None)
    if steps is None:
        return [], recipe
    n_head = n_stateless_steps(recipe)
    head = [step for _, step in steps[:n_head] if step not in (None, "passthrough")]
    if n_head == len(steps) - 1:
        return head, steps[-1][1]
    return head, _steps_from(recipe, n_head)


def _subsample_speakers(splits, groups, n_speakers: int, random_state):
    """Keep ``n_speakers`` random speakers of each training part."""
    if isinstance(n_speakers, bool) or not isinstance(n_speakers, (int, np.integer)):
        raise TypeError(f"train_speakers must be an integer >= 1; got {n_speakers!r}.")
    rng = np.random.default_rng(random_state)
    subsampled = []
    for train, test in splits:
        speakers = np.unique(groups[train])
        if not 1 <= n_speakers <= len(speakers):
            raise ValueError(
                f"train_speakers={n_speakers} but a training fold has "
                f"{len(speakers)} speakers; expected 1 <= train_speakers <= "
                f"{len(speakers)}."
            )
        kept = rng.choice(speakers, size=n_speakers, replace=False)
        subsampled.append((train[np.isin(groups[train], kept)], test))
    return subsampled


class _StatelessCache:
    """Outputs of stateless step chains on all clips, shared across recipes.

    Keys chain the input's fingerprint with each step's class and parameters,
    so two recipes share a result exactly when their leading steps are
    identical. With a joblib ``memory`` the outputs also persist across calls.
    """

    def __init__(self, X, memory=None):
        self._X = X
        self._root = _fingerprint(X)
        self._store: dict[str, np.ndarray] = {}
        self._compute = _fit_transform
        if memory is not None:
            memory = (
                joblib.Memory(memory, verbose=0)
                if isinstance(memory, (str, Path))
                else memory
            )
            self._compute = memory.cache(_fit_transform, ignore=["step", "X"])

    def transform(self, steps) -> tuple[np.ndarray, float]:
        """Apply ``steps`` in order to the input; return (output, seconds spent)."""
        Xt, key, spent = self._X, self._root, 0.0
        for step in steps:
            key = joblib.hash((key, type(step).__qualname__, step.get_params()))
            if key not in self._store:
                t0 = time.perf_counter()
                self._store[key] = self._compute(key, step, Xt)
                spent += time.perf_counter() - t0
            Xt = self._store[key]
        return np.asarray(Xt), spent


def _fit_transform(key, step, X):
    """``step`` fitted and applied to ``X``; ``key`` identifies both for caching."""
    return clone(step).fit_transform(X)


def _fingerprint(X) -> str:
    """Hash of the input, and of each file's size and mtime when X holds paths."""
    stats = []
    if X.ndim == 1 and X.dtype.kind in "OUS":
        for item in X:
            try:
                stat = os.stat(item)
            except (OSError, TypeError, ValueError):
                continue
            stats.append((stat.st_size, stat.st_mtime_ns))
    return joblib.hash((X, stats))


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _has_sampler(estimator) -> bool:
    steps = getattr(estimator, "steps", None) or []
    return any(hasattr(step, "fit_resample") for _, step in steps)


def _check_validation_split(name, estimator, protocol: Protocol) -> None:
    """Refuse a recipe whose early-stopping split would mix speakers.

    A sampler (augmentation, oversampling) changes the rows between the
    pipeline's input and its classifier, so per-clip speaker ids cannot follow
    them, and the classifier's validation split would fall back to a random
    one: speakers of the validation part would also be trained on.
    """
    if (
        protocol.speaker_independent
        and getattr(_final_step(estimator), "early_stopping", False)
        and _has_sampler(estimator)
    ):
        raise ValueError(
            f"Recipe {name!r} uses early stopping after a sampler; under the "
            f"speaker-independent protocol {protocol.name!r} its validation split "
            "cannot be kept speaker-disjoint. Train for a fixed number of epochs "
            "(early_stopping=False) or remove the sampler."
        )


def _groups_fit_params(estimator, train_groups, protocol: Protocol) -> dict:
    """``groups`` for the final estimator's fit, when it takes them.

    A tuned recipe's search always gets them: its inner folds are grouped by
    speaker. Other final estimators only under a speaker-independent
    protocol, where the deep classifiers' early-stopping split must keep
    speakers apart too; and not after a sampler, whose output rows no longer
    match the clips.
    """
    final = _final_step(estimator)
    if isinstance(estimator, _SEARCHES):
        return {"groups": train_groups}
    if (
        not protocol.speaker_independent
        or _has_sampler(estimator)
        or "groups" not in inspect.signature(final.fit).parameters
    ):
        return {}
    steps = getattr(estimator, "steps", None)
    return (
        {f"{steps[-1][0]}__groups": train_groups} if steps else {"groups": train_groups}
    )


class _EpochBar(Callback):
    """A transient progress bar over a skorch net's training epochs."""

    def __init__(self, description=""):
        self.description = description

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(
            total=net.max_epochs, desc=self.description, unit="epoch", leave=False
        )

    def on_epoch_end(self, net, **kwargs):
        self.bar_.update()

    def on_train_end(self, net, **kwargs):
        self.bar_.close()


def _add_epoch_bar(estimator, description: str) -> None:
    """Show epochs of the final step when it is a skorch net (not for ensembles)."""
    final = _final_step(estimator)
    if isinstance(final, NeuralNet):
        callbacks = list(final.callbacks or [])
        final.set_params(callbacks=[*callbacks, ("epoch_bar", _EpochBar(description))])


def _device_of(estimator) -> str:
    """The device a fitted estimator's final step ran on."""
    estimator = getattr(estimator, "best_estimator_", estimator)
    return str(getattr(_final_step(estimator), "device_", "cpu"))


def _machine_description() -> str:
    import torch

    cpu = f"{os.cpu_count()} CPU cores"
    if torch.cuda.is_available():
        return f"{cpu}, GPU {torch.cuda.get_device_name(0)}"
    return f"{cpu}, no GPU ({platform.machine()}, Python {platform.python_version()})"
