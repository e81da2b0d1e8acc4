"""Cross-corpus evaluation: train on all of one corpus, test on all of another."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

import numpy as np

from ..datasets._base import ordered_labels
from ..model_selection import CrossCorpusProtocol
from ._cv import run_benchmark
from ._report import BenchmarkResult

__all__ = ["combine_corpora", "run_cross_corpus"]


def run_cross_corpus(
    recipes: Mapping[str, object],
    train,
    test,
    *,
    train_name: str = "A",
    test_name: str = "B",
    random_state: int | None = 0,
    progress: bool = True,
    memory=None,
    corpus: str | None = None,
    on_recipe_done: Callable[[BenchmarkResult], None] | None = None,
) -> BenchmarkResult:
    """Fit each recipe on all of one corpus and score it on all of another.

    Only the labels both corpora have are used: a model cannot predict a
    label it never saw, and a label the test corpus lacks cannot be scored.
    The dropped labels, with their clip counts, are in the result's protocol
    (:class:`~sklearn_ser.model_selection.CrossCorpusProtocol`) and in its
    table, JSON and figures, all titled "cross-corpus A → B". Speaker ids are
    prefixed with the corpus name, so that two corpora's ids never clash;
    the training corpus's ids reach the deep classifiers' early-stopping split
    as in :func:`run_benchmark`.

    Parameters
    ----------
    recipes : mapping of str to estimator
        Unfitted pipelines that take paths and predict labels, by name.
    train, test : Bunch
        The two corpora as the loaders return them (``paths``, ``target`` and
        ``groups``; ``groups`` may be None).
    train_name, test_name : str, default="A", "B"
        Names of the corpora, for the report.
    random_state : int or None, default=0
        Passed to :func:`run_benchmark` (the split itself is fixed).
    progress : bool, default=True
        Show progress bars.
    memory : str, path, joblib.Memory or None, default=None
        Cache of the stateless steps' outputs, as in :func:`run_benchmark`.
    corpus : str, default=None
        Description of the pair for the report; ``None`` means
        ``"<train_name> → <test_name>"``.
    on_recipe_done : callable, default=None
        Called with the results so far after each recipe, as in
        :func:`run_benchmark`.

    Returns
    -------
    result : BenchmarkResult
        One fold per recipe: trained on ``train``, tested on ``test``.

    Raises
    ------
    ValueError
        If the corpora share fewer than two labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.utils import Bunch
    >>> from sklearn_ser.benchmark import run_cross_corpus
    >>> a = Bunch(paths=np.arange(6).reshape(-1, 1),
    ...           target=np.array(["angry", "sad", "calm"] * 2),
    ...           groups=np.array(["s1"] * 3 + ["s2"] * 3))
    >>> b = Bunch(paths=np.arange(4).reshape(-1, 1),
    ...           target=np.array(["angry", "sad"] * 2), groups=None)
    >>> result = run_cross_corpus({"dummy": DummyClassifier()}, a, b,
    ...                           train_name="A", test_name="B", progress=False)
    >>> result.protocol.name, result.protocol.shared_labels
    ('cross-corpus A → B', ('sad', 'angry'))
    >>> result.protocol.dropped_labels
    (('A', 'calm', 2),)
    """
    paths, y, groups, protocol = combine_corpora(
        train, test, train_name=train_name, test_name=test_name
    )
    return run_benchmark(
        recipes,
        paths,
        y,
        groups,
        protocol=protocol,
        random_state=random_state,
        corpus=f"{train_name} → {test_name}" if corpus is None else corpus,
        progress=progress,
        memory=memory,
        on_recipe_done=on_recipe_done,
    )


def combine_corpora(train, test, *, train_name: str, test_name: str):
    """Both corpora's clips of their shared labels, and the protocol splitting them.

    Returns ``(paths, y, groups, protocol)``: the training corpus's clips
    first, speaker ids prefixed with ``"<corpus name>:"``. Raises ValueError
    if the corpora share fewer than two labels.
    """
    parts = []
    for name, data in ((train_name, train), (test_name, test)):
        y = np.asarray(data.target, dtype=object).astype(str)
        groups = data.groups
        groups = np.full(len(y), "unknown") if groups is None else np.asarray(groups)
        parts.append((name, np.asarray(data.paths), y, groups.astype(str)))
    (_, _, y_train, _), (_, _, y_test, _) = parts
    shared = [label for label in ordered_labels(y_train) if label in set(y_test)]
    if len(shared) < 2:
        raise ValueError(
            f"{train_name} and {test_name} share {len(shared)} label(s) "
            f"({', '.join(shared) or 'none'}); a cross-corpus benchmark needs at "
            f"least 2. Labels of {train_name}: {', '.join(ordered_labels(y_train))}; "
            f"of {test_name}: {', '.join(ordered_labels(y_test))}."
        )
    dropped = tuple(
        (name, str(label), int(count))
        for name, _, y, _ in parts
        for label, count in sorted(Counter(y[~np.isin(y, shared)]).items())
    )
    kept = [
        (
            name,
            paths[np.isin(y, shared)],
            y[np.isin(y, shared)],
            groups[np.isin(y, shared)],
        )
        for name, paths, y, groups in parts
    ]
    (_, _, y_a, g_a), (_, _, y_b, g_b) = kept
    described = [
        f"{name} ({len(y)} clips, {len(set(g))} speakers)" for name, _, y, g in kept
    ]
    drops = ", ".join(f"{label} ({name} only, {n} clips)" for name, label, n in dropped)
    protocol = CrossCorpusProtocol(
        name=f"cross-corpus {train_name} → {test_name}",
        description=(
            f"train on all of {described[0]}, test on all of {described[1]}, on "
            f"the {len(shared)} labels both share ({', '.join(shared)}); dropped: "
            f"{drops or 'none'}"
        ),
        speaker_independent=True,
        train_corpus=train_name,
        test_corpus=test_name,
        n_train=len(y_a),
        n_test=len(y_b),
        shared_labels=tuple(shared),
        dropped_labels=dropped,
    )
    return (
        np.concatenate([paths for _, paths, _, _ in kept]),
        np.concatenate([y_a, y_b]),
        np.concatenate([np.char.add(f"{name}:", g) for name, _, _, g in kept]),
        protocol,
    )
