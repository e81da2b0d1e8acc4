"""Honest tuning: a grid search over a recipe's fitted steps only.

The leading steps that learn nothing (loading, features) stay in front; the
rest becomes a :class:`~sklearn.model_selection.GridSearchCV` with
speaker-grouped inner folds, so a search never sees its test speakers.
"""

from __future__ import annotations

from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.utils import get_tags

__all__ = ["n_stateless_steps", "steps_from", "tuned"]


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


def steps_from(pipeline, n: int):
    """A clone of ``pipeline`` that holds clones of its steps from the ``n``-th on."""
    tail = clone(pipeline)
    tail.steps = [(name, clone(step)) for name, step in pipeline.steps[n:]]
    return tail


def tuned(pipeline: Pipeline, param_grid, inner_splits, random_state) -> Pipeline:
    """The pipeline with its fitted steps replaced by a grid search over them."""
    n = n_stateless_steps(pipeline)
    search = GridSearchCV(
        steps_from(pipeline, n),
        dict(param_grid),
        scoring="balanced_accuracy",
        cv=StratifiedGroupKFold(
            n_splits=inner_splits, shuffle=True, random_state=random_state
        ),
        error_score="raise",
    )
    return Pipeline([*pipeline.steps[:n], ("search", search)])
