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
import sys
import time
from collections.abc import Callable, Mapping

import numpy as np
from joblib import delayed, effective_n_jobs, parallel_config
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score, recall_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from skorch import NeuralNet
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from .._labels import check_label_types
from ..augment import AWGNAugmenter
from ..model_selection import Protocol, get_protocol
from ..recipes._tuning import n_stateless_steps, steps_from
from ._cache import StatelessCache
from ._parallel import parallel_fits, use_worker_gpu
from ._report import BenchmarkResult, FoldScore, RecipeResult
from ._speaker import SpeakerNormalized, feature_axis_of, split_after_features

__all__ = ["SilentClipError", "check_inner_splits", "run_benchmark"]

#: Hyperparameter searches whose inner folds get the training fold's speakers.
_SEARCHES = (GridSearchCV, RandomizedSearchCV)


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
    on_recipe_done: Callable[[BenchmarkResult], None] | None = None,
    speaker_normalization: bool = False,
    n_jobs: int | None = None,
    chunk_size: int = 1000,
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
        Show a progress bar over the (recipe, fold) fits as they complete
        and, when the fits run one at a time, over each deep fit's epochs.
    memory : str, path or None, default=None
        Folder that caches the outputs of the stateless steps (loading,
        features) across calls, like a scikit-learn Pipeline's ``memory``;
        ``None`` shares them within this call only. Entries are ``.npy``
        arrays with a JSON description, never pickles; keys are the steps'
        classes and parameters and the input, with the content of every
        input file, so an edited file is read again. An entry that does not
        match its description is recomputed after a warning.
    train_speakers : int, default=None
        Train each fold on only this many of its training speakers (drawn at
        random, seeded by ``random_state``; the test part is unchanged), for
        learning curves over the number of speakers. ``None`` uses them all.
    on_recipe_done : callable, default=None
        Called with the results so far (a :class:`BenchmarkResult` of the
        recipes that finished) after each recipe, e.g. to save them, so that
        an error in a later recipe loses nothing.
    speaker_normalization : bool, default=False
        Standardise each speaker's features with that speaker's own mean and
        standard deviation (:class:`~sklearn_ser.preprocessing.SpeakerStandardizer`,
        right after each recipe's features, along its classifier's feature
        axis), with statistics from each side of every fold only: the test
        speakers' from their own unlabelled test clips. This is
        *transductive*, and the result says so in its table, JSON and
        figures. A tuned recipe that augments waveforms before its features
        cannot be normalised (its search would score without speaker ids).
    n_jobs : int, default=None
        Number of (recipe, fold) fits run at once through joblib; ``None``
        means 1 unless in a :func:`joblib.parallel_config` context, ``-1``
        all cores. Under ``joblib.parallel_config(backend="dask")`` the fits
        run on a Dask cluster. The results do not depend on it: folds are
        drawn before any fit, every fit is seeded by the recipe's own
        ``random_state``, and workers get this process's torch thread count.
        Features are computed here, once, and shared with the workers (by
        memory map for local processes, scattered once for Dask).
    chunk_size : int, default=1000
        A corpus of more clips is featurised this many clips at a time into
        an on-disk array (in ``memory``, or a temporary folder), so that
        memory holds the features and one chunk of waveforms, not all the
        waveforms.

    Returns
    -------
    result : BenchmarkResult

    Raises
    ------
    LostFitsError
        If fits are lost with their worker process twice (a worker that dies
        once, killed for memory or by a signal, has its unfinished fits run
        again); the recipes reported to ``on_recipe_done`` before are kept.
    SilentClipError
        If a recipe that adds noise relative to each clip's level
        (:class:`~sklearn_ser.AWGNAugmenter`) would receive silent clips;
        raised before that recipe is fitted, naming the files.

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
    # Before the labels become strings, which would merge "1" with 1.
    check_label_types(y)
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
            check_inner_splits(name, rest, splits, groups)
        if speaker_normalization:
            split_after_features(name, rest)

    start = time.perf_counter()
    cache = StatelessCache(paths, memory, chunk_size=chunk_size)
    bar = tqdm(total=len(recipes) * len(splits), disable=not progress, unit="fit")
    features = {}
    # The loader and the feature transformers run here, in threads as they
    # are written to, whatever backend the fits get: only this process needs
    # to read the audio files.
    with parallel_config(backend="threading"):
        for name, (head, rest) in split_recipes.items():
            bar.set_description(f"features for {name}")
            features[name] = cache.transform(head)
            _check_silent_clips(name, rest, features[name][0], paths)

    # Epoch bars of fits in other processes would interleave on the terminal,
    # and nested bars written to a log file (no terminal) leave a line per
    # update: there, only the bar over fits is shown.
    epoch_bars = progress and effective_n_jobs(n_jobs) == 1 and _on_a_terminal()
    torch_threads = _torch_threads()

    def tasks():
        for name, (_, rest) in split_recipes.items():
            for fold, (train, test) in enumerate(splits):
                estimator = _quiet_nets(clone(rest))
                if epoch_bars:
                    _add_epoch_bar(estimator, f"{name} fold {fold + 1}/{len(splits)}")
                yield delayed(_fit_and_score)(
                    estimator,
                    features[name][0],
                    y,
                    groups,
                    train,
                    test,
                    key=(name, fold),
                    labels=labels,
                    protocol=protocol,
                    torch_threads=torch_threads,
                    feature_axis=(
                        feature_axis_of(rest) if speaker_normalization else None
                    ),
                )

    results = []

    def summary() -> BenchmarkResult:
        return BenchmarkResult(
            corpus=corpus,
            protocol=protocol,
            n_splits=len(splits),
            n_clips=len(y),
            n_speakers=len(set(groups)),
            recipes=list(results),
            elapsed=time.perf_counter() - start,
            transductive=speaker_normalization,
        )

    bar.set_description("fits")
    outcomes = {}
    pending = list(split_recipes)  # recipes not yet reported, in order
    for key, outcome in parallel_fits(list(tasks()), n_jobs):
        outcomes[key] = outcome
        bar.update()
        # Report each recipe once all its folds are in, in the given order, so
        # that an error in a later fit loses none of the finished recipes.
        while pending and all((pending[0], f) in outcomes for f in range(len(splits))):
            name = pending.pop(0)
            folds = [outcomes[name, fold] for fold in range(len(splits))]
            results.append(
                RecipeResult(
                    recipe=name,
                    labels=labels,
                    feature_time=features[name][1],
                    folds=[score for score, _, _ in folds],
                    y_true=np.concatenate([y[test] for _, test in splits]),
                    y_pred=np.concatenate([y_pred for _, y_pred, _ in folds]),
                    device=folds[-1][2],
                )
            )
            if on_recipe_done is not None:
                on_recipe_done(summary())
    bar.close()
    return summary()


class SilentClipError(ValueError):
    """Clips an augmenting recipe cannot use because they are silent once loaded.

    Attributes
    ----------
    errors : list of (str, str)
        ``(path, reason)`` for every silent clip.
    """

    def __init__(self, message: str, errors: list[tuple[str, str]]):
        super().__init__(message)
        self.errors = errors

    def __reduce__(self):
        return type(self), (str(self), self.errors)


def _check_silent_clips(name, estimator, Xt, paths) -> None:
    """Name the files an AWGN augmenter would refuse, before any fold is fitted.

    The augmenter scales its noise to each clip's level, so it refuses a
    silent clip; but it sees only a training fold's rows (``X[k]``), not
    which files they came from.
    """
    estimator = getattr(estimator, "estimator", estimator)  # a tuned recipe's search
    steps = getattr(estimator, "steps", None) or []
    if not steps or not isinstance(steps[0][1], AWGNAugmenter) or Xt.ndim != 2:
        return
    silent = np.flatnonzero(~np.any(Xt, axis=1))
    if silent.size == 0:
        return
    errors = [(str(paths[i]), "silent once loaded (all samples 0)") for i in silent]
    shown = ", ".join(path for path, _ in errors[:3])
    more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
    raise SilentClipError(
        f"Recipe {name!r} adds noise relative to each training clip's level "
        f"(AWGNAugmenter), but {len(errors)} clip(s) are silent once loaded (all "
        f"samples 0): {shown}{more}. Remove them from the corpus, or choose a "
        "recipe without augmentation.",
        errors,
    )


def _fit_and_score(
    estimator,
    X,
    y,
    groups,
    train,
    test,
    *,
    key,
    labels,
    protocol,
    torch_threads,
    feature_axis=None,
):
    """Fit one recipe on one training fold and score it on its test fold.

    One task of :func:`run_benchmark`'s parallel loop: everything it needs
    comes in its arguments, so it runs the same in any process. With a
    ``feature_axis``, the features are standardised per speaker first, each
    side of the fold with its own clips (transductive). Returns
    ``(key, (FoldScore, test predictions, device))``.
    """
    if torch_threads is not None and "torch" in sys.modules:
        # A deep estimator (unpickled in a worker) imported torch: train with
        # the caller's thread count, whose sums are rounded the same way.
        import torch

        torch.set_num_threads(torch_threads)
    use_worker_gpu(estimator)
    fit_params = _groups_fit_params(estimator, groups[train], protocol)
    model, test_params, train_params = estimator, {}, {}
    if feature_axis is not None:
        model = SpeakerNormalized(estimator, feature_axis=feature_axis, name=key[0])
        fit_params["speakers"] = groups[train]
        test_params = {"speakers": groups[test]}
        train_params = {"speakers": groups[train]}
    t0 = time.perf_counter()
    model.fit(X[train], y[train], **fit_params)
    fit_time = time.perf_counter() - t0
    if feature_axis is not None:
        estimator = model.estimator_
    t0 = time.perf_counter()
    y_pred = np.asarray(model.predict(X[test], **test_params)).astype(str)
    predict_time = time.perf_counter() - t0
    y_fit = np.asarray(model.predict(X[train], **train_params)).astype(str)
    # The run's labels, less those without a clip in this part of the fold
    # (they have no recall): UAR and macro F1 average the same labels.
    tested = [label for label in labels if label in set(y[test])]
    trained = [label for label in labels if label in set(y[train])]
    score = FoldScore(
        fold=key[1],
        n_train=len(train),
        n_test=len(test),
        test_speakers=sorted(set(groups[test])),
        uar=_macro(recall_score, y[test], y_pred, tested),
        macro_f1=_macro(f1_score, y[test], y_pred, tested),
        accuracy=accuracy_score(y[test], y_pred),
        fit_time=fit_time,
        predict_time=predict_time,
        train_uar=_macro(recall_score, y[train], y_fit, trained),
        train_speakers=sorted(set(groups[train])),
        best_params=getattr(estimator, "best_params_", None),
        missing_labels=[label for label in labels if label not in tested],
    )
    return key, (score, y_pred, _device_of(estimator))


def _macro(metric, y_true, y_pred, labels) -> float:
    """``metric`` averaged over ``labels``; a label never predicted scores 0."""
    return float(
        metric(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    )


def _torch_threads() -> int | None:
    """This process's torch intra-op threads, if torch is in use."""
    if "torch" not in sys.modules:
        return None
    return sys.modules["torch"].get_num_threads()


def check_inner_splits(name, search, splits, groups) -> None:
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
    return head, steps_from(recipe, n_head)


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


def _quiet_nets(estimator):
    """``estimator`` with every skorch net in it set to ``verbose=0``.

    The benchmark shows its own progress; per-epoch tables of its many fits
    (a deep classifier's default) would flood the output.
    """
    if isinstance(estimator, NeuralNet):
        return estimator.set_params(verbose=0)
    quiet = {
        f"{name}__verbose": 0
        for name, value in estimator.get_params(deep=True).items()
        if isinstance(value, NeuralNet)
    }
    return estimator.set_params(**quiet) if quiet else estimator


def _on_a_terminal() -> bool:
    """Whether progress bars (on stderr) are seen on a terminal."""
    return sys.stderr.isatty()


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
