"""A recipe's settings for one step, to build the same step by hand."""

from __future__ import annotations

from ._registry import make_recipe

__all__ = ["recipe_params"]


def recipe_params(name: str, step: str = "classifier", *, budget: str = "cpu") -> dict:
    """The parameters a recipe gives one of its steps, where they differ from
    the step's defaults.

    A pipeline built by hand from the library's classes gets their defaults,
    which are the papers' settings (sizes and epochs that take long on a
    CPU). This returns what ``make_recipe(name, budget=budget)`` sets on the
    step, so that the same CPU-sized step can be built by hand, e.g.
    ``AttentiveCRNNClassifier(**recipe_params("attentive_crnn"))``. It is
    read from the recipe as built, so it follows :data:`BUDGETS` and the
    recipe functions and cannot drift from them.

    Parameters
    ----------
    name : str
        A key of :data:`RECIPES`.
    step : str, default="classifier"
        A step of the recipe's pipeline: ``"load"``, ``"features"``,
        ``"classifier"`` (and ``"augment"`` or ``"scale"`` where the recipe
        has one).
    budget : {"cpu", "paper"}, default="cpu"
        Training budget, as in :func:`make_recipe`.

    Returns
    -------
    params : dict
        Keyword arguments for the step's class: those whose value in the
        recipe differs from the class's default, or all of them for a class
        that has required arguments (``spectrogram_cnn``'s
        :class:`~sklearn.ensemble.VotingClassifier`); ``random_state`` and
        ``device`` are left out, for the caller to choose.

    Raises
    ------
    ValueError
        If the recipe or the budget is unknown, or the recipe has no such
        step (the message lists its steps).

    Examples
    --------
    >>> from sklearn_ser.recipes import recipe_params
    >>> params = recipe_params("attentive_crnn")
    >>> params["max_epochs"], params["module__channels"]
    (40, (16, 32, 64))
    >>> recipe_params("attentive_crnn", "features")["n_mels"]
    64
    """
    pipeline = make_recipe(name, budget=budget)
    steps = dict(pipeline.steps)
    if step not in steps:
        raise ValueError(
            f"Recipe {name!r} has no step {step!r}; its steps: {', '.join(steps)}."
        )
    estimator = steps[step]
    try:
        defaults = type(estimator)().get_params(deep=False)
    except TypeError:  # a class with required arguments, e.g. VotingClassifier
        defaults = {}
    return {
        key: value
        for key, value in estimator.get_params(deep=False).items()
        if key not in ("random_state", "device")
        and not _same(value, defaults.get(key, _MISSING))
    }


_MISSING = object()


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. arrays compared element-wise
        return a is b
