"""Per-speaker feature standardisation inside the benchmark's folds (transductive).

:func:`~sklearn_ser.benchmark.run_benchmark` splits each recipe into its
stateless head (loading, features; cached on all clips) and the fitted rest.
With speaker normalisation, a :class:`~sklearn_ser.preprocessing.SpeakerStandardizer`
goes right after the recipe's features, and each side of a fold is
standardised with the statistics of its own clips only: the training speakers
from the training part at fit, the test speakers from their own unlabelled
test clips at predict.

Where the features are cached (every recipe without waveform augmentation),
the standardiser is the first step of the rest. Where a sampler such as
:class:`~sklearn_ser.AWGNAugmenter` comes before the features, the rest
starts with that sampler and the features; the speaker ids then follow the
sampler's rows through its ``sample_indices_`` (each noisy copy keeps its
clip's speaker), so the standardiser sees one id per row.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.utils import get_tags

from ..preprocessing import SpeakerStandardizer
from ..recipes._tuning import n_stateless_steps, steps_from

__all__ = [
    "SpeakerNormalized",
    "check_speaker_normalization",
    "feature_axis_of",
    "split_after_features",
]


def feature_axis_of(estimator) -> int:
    """The feature axis of the input of ``estimator``'s classifier.

    The deep classifiers declare it (``_feature_axis``); searches, pipelines,
    ensembles and calibration wrappers are looked through; anything else
    reads 2-D features, axis -1.
    """
    if isinstance(estimator, (GridSearchCV, RandomizedSearchCV)):
        return feature_axis_of(estimator.estimator)
    if getattr(estimator, "steps", None):
        return feature_axis_of(estimator.steps[-1][1])
    if getattr(estimator, "estimators", None):
        return feature_axis_of(estimator.estimators[0][1])
    return getattr(estimator, "_feature_axis", -1)


def _is_sampler(step) -> bool:
    return hasattr(step, "fit_resample")


def _is_stateless(step) -> bool:
    return not _is_sampler(step) and not get_tags(step).requires_fit


def split_after_features(name: str, estimator) -> tuple[list, object]:
    """Split a recipe's fitted rest where its features end.

    Returns ``(pre, post)``: ``pre`` the leading samplers and stateless
    transformers up to the last stateless one (empty when the features were
    cached), ``post`` the rest (a pipeline of the remaining steps, or
    ``estimator`` itself when ``pre`` is empty).

    Raises
    ------
    ValueError
        If ``estimator`` is a search whose pipeline computes features inside
        it (a tuned recipe with waveform augmentation): the search's scoring
        would predict without speaker ids.
    """
    if isinstance(estimator, (GridSearchCV, RandomizedSearchCV)):
        if split_after_features(name, estimator.estimator)[0]:
            raise ValueError(
                f"Recipe {name!r} is tuned and computes its features inside the "
                "search (after its waveform augmentation), where the search's "
                "scoring cannot pass speaker ids; speaker normalisation needs it "
                "untuned or without augmentation (augment=False)."
            )
        return [], estimator
    steps = getattr(estimator, "steps", None) or []
    n_pre = 0
    for i, (_, step) in enumerate(steps[:-1]):
        if not (_is_sampler(step) or _is_stateless(step)):
            break
        if _is_stateless(step):
            n_pre = i + 1
    if n_pre == 0:
        if steps:  # a search may come first: ``Pipeline([("search", ...)])``
            split_after_features(name, steps[0][1])
        return [], estimator
    return [step for _, step in steps[:n_pre]], steps_from(estimator, n_pre)


def check_speaker_normalization(name: str, recipe) -> None:
    """Raise a ValueError if ``recipe`` cannot be speaker-normalised.

    The check :func:`~sklearn_ser.benchmark.run_benchmark` makes before any
    fold, for callers (the command line) that want it before loading data.
    """
    if getattr(recipe, "steps", None):
        recipe = steps_from(recipe, n_stateless_steps(recipe))
    split_after_features(name, recipe)


class SpeakerNormalized(BaseEstimator):
    """A recipe's fitted rest behind per-speaker standardisation of its features.

    ``fit(X, y, speakers=..., **fit_params)`` and ``predict(X, speakers=...)``
    take the speaker ids of the rows of ``X`` explicitly (``fit_params``
    are the rest's own, e.g. its classifier's ``groups``).

    Parameters
    ----------
    estimator : estimator
        The recipe's rest (see :func:`split_after_features`).
    feature_axis : int, default=-1
        The standardiser's feature axis (:func:`feature_axis_of`).
    name : str, default="recipe"
        Recipe name, for messages.
    """

    def __init__(self, estimator, *, feature_axis=-1, name="recipe"):
        self.estimator = estimator
        self.feature_axis = feature_axis
        self.name = name

    def fit(self, X, y, *, speakers, **fit_params):
        pre, post = split_after_features(self.name, self.estimator)
        y, speakers = np.asarray(y), np.asarray(speakers)
        self.pre_ = [clone(step) for step in pre]
        for step in self.pre_:
            if _is_sampler(step):
                X, y = step.fit_resample(X, y)
                indices = getattr(step, "sample_indices_", None)
                if indices is None:
                    raise ValueError(
                        f"Recipe {self.name!r}: the sampler {type(step).__name__} "
                        "comes before the features and does not say which clip "
                        "each of its rows comes from (no sample_indices_), so the "
                        "speaker ids cannot follow it."
                    )
                speakers = speakers[indices]
            else:
                X = step.fit_transform(X, y)
        self.standardizer_ = SpeakerStandardizer(feature_axis=self.feature_axis)
        X = self.standardizer_.fit_transform(X, groups=speakers)
        # The rest was cloned by the caller; fitting it in place keeps the
        # caller's view of it (progress callbacks, best_params_, device_).
        self.estimator_ = post if pre else self.estimator
        self.estimator_.fit(X, y, **fit_params)
        return self

    def predict(self, X, *, speakers):
        for step in self.pre_:
            if not _is_sampler(step):
                X = step.transform(X)
        X = self.standardizer_.transform(X, groups=speakers)
        return self.estimator_.predict(X)
