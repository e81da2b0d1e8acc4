"""Evaluation protocols: speaker-independent cross-validation and the papers' splits.

A protocol answers one question: which clips may a model see while it learns,
and which are held out to measure it. The speaker-independent protocol keeps
every speaker on one side of each split (including the inner validation split
used for early stopping), which is what a deployed model faces. The papers'
protocols are random splits over clips: the same speaker, and often the same
sentence, appears on both sides, so they measure something easier. Both are
available so that a reproduction can be compared with a paper *and* with the
honest number, and every result records which protocol produced it. A
cross-corpus protocol (:class:`CrossCorpusProtocol`) trains on all of one corpus
and tests on all of another: new speakers, and new recording conditions too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import (
    GroupShuffleSplit,
    LeaveOneGroupOut,
    PredefinedSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

__all__ = [
    "PROTOCOLS",
    "CrossCorpusProtocol",
    "Protocol",
    "get_protocol",
    "speaker_independent_cv",
]


def speaker_independent_cv(groups, n_splits=None, *, random_state=None):
    """Cross-validator in which no speaker is in both the train and the test part.

    Stratified k-fold grouped by speaker
    (:class:`~sklearn.model_selection.StratifiedGroupKFold`) or, when there
    are as many folds as speakers (always for two-speaker corpora such as
    TESS), leave-one-speaker-out
    (:class:`~sklearn.model_selection.LeaveOneGroupOut`).

    Parameters
    ----------
    groups : array-like of shape (n_samples,)
        Speaker id of every clip. Pass the same array as ``groups`` to
        :func:`~sklearn.model_selection.cross_validate`.
    n_splits : int, default=None
        Number of folds. ``None`` means ``min(6, n_speakers)``: on the 12-actor
        RAVDESS subset, six folds of two actors each.
    random_state : int, RandomState instance or None, default=None
        Seeds the assignment of speakers to folds.

    Returns
    -------
    cv : StratifiedGroupKFold or LeaveOneGroupOut

    Raises
    ------
    ValueError
        If there are fewer than two speakers or more folds than speakers.

    Examples
    --------
    >>> from sklearn_ser.model_selection import speaker_independent_cv
    >>> groups = ["a", "a", "b", "b", "c", "c"]
    >>> speaker_independent_cv(groups, n_splits=3, random_state=0)
    LeaveOneGroupOut()
    >>> speaker_independent_cv(["OAF", "YAF", "OAF", "YAF"])
    LeaveOneGroupOut()
    """
    speakers = np.unique(np.asarray(groups, dtype=object).astype(str))
    n_speakers = len(speakers)
    if n_speakers < 2:
        raise ValueError(
            "A speaker-independent protocol needs at least 2 speakers in "
            f"`groups`; got {n_speakers} ({', '.join(speakers) or 'none'})."
        )
    if n_splits is None:
        n_splits = min(6, n_speakers)
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)):
        raise TypeError(f"n_splits must be an integer >= 2; got {n_splits!r}.")
    if n_splits < 2:
        raise ValueError(f"n_splits must be >= 2; got {n_splits}.")
    if n_splits > n_speakers:
        raise ValueError(
            f"A speaker-independent {n_splits}-fold split needs at least "
            f"{n_splits} speakers; the data has {n_speakers} "
            f"({', '.join(speakers)}). Use n_splits <= {n_speakers}."
        )
    if n_splits == n_speakers:
        return LeaveOneGroupOut()
    return StratifiedGroupKFold(
        n_splits=n_splits, shuffle=True, random_state=random_state
    )


@dataclass(frozen=True)
class Protocol:
    """A named way of splitting a corpus into training and test clips.

    Parameters
    ----------
    name : str
        Short name used on the command line and in results.
    description : str
        One line saying what the protocol does and where it comes from.
    speaker_independent : bool
        Whether every speaker stays on one side of each split.
    test_size : float or None
        Fraction of clips held out per split for a repeated random hold-out;
        ``None`` for k-fold protocols.
    validation_size : float or None
        Fraction of *all* clips that the protocol sets aside from training for
        validation (early stopping), e.g. 0.1 for an 80/10/10 split; ``None``
        when the protocol has no validation part.

    Examples
    --------
    >>> from sklearn_ser.model_selection import get_protocol
    >>> protocol = get_protocol("random-80/10/10")
    >>> protocol.speaker_independent, protocol.test_size
    (False, 0.1)
    >>> protocol.validation_fraction_of_train()
    0.111...
    """

    name: str
    description: str
    speaker_independent: bool
    test_size: float | None = None
    validation_size: float | None = None

    def make_cv(self, groups=None, n_splits=None, *, random_state=None):
        """Outer cross-validator for this protocol.

        Parameters
        ----------
        groups : array-like of shape (n_samples,), default=None
            Speaker ids; required by speaker-independent protocols.
        n_splits : int, default=None
            Number of folds (k-fold) or of repeated random hold-outs. ``None``
            means 6 for speaker-independent k-fold (fewer when there are fewer
            speakers) and 5 otherwise.
        random_state : int, RandomState instance or None, default=None
            Seeds the split.

        Returns
        -------
        cv : cross-validator
            A scikit-learn splitter; pass ``groups`` to ``cross_validate`` as well.
        """
        if self.speaker_independent:
            if groups is None:
                raise ValueError(
                    f"Protocol {self.name!r} is speaker-independent and needs "
                    "`groups` (one speaker id per clip)."
                )
            return speaker_independent_cv(
                groups, n_splits=n_splits, random_state=random_state
            )
        n_splits = 5 if n_splits is None else n_splits
        if self.test_size is None:
            return StratifiedKFold(
                n_splits=n_splits, shuffle=True, random_state=random_state
            )
        return StratifiedShuffleSplit(
            n_splits=n_splits, test_size=self.test_size, random_state=random_state
        )

    def validation_fraction_of_train(self) -> float | None:
        """The validation part as a fraction of the training part, or None."""
        if self.validation_size is None:
            return None
        train_part = 1.0 - (self.test_size or 0.0)
        return self.validation_size / train_part

    def make_validation_split(self, *, random_state=None, fraction=None):
        """Inner train/validation splitter for early stopping within a training fold.

        Speaker-independent protocols split by speaker
        (:class:`~sklearn.model_selection.GroupShuffleSplit`, to be called with
        the training fold's speaker ids) so that early stopping never looks at
        a test-like speaker it also trains on; the papers' protocols split
        clips at random, stratified by label.

        Parameters
        ----------
        random_state : int, RandomState instance or None, default=None
        fraction : float, default=None
            Validation share of the training fold; ``None`` uses the protocol's
            own (10 % of the training fold when the protocol defines none).

        Returns
        -------
        cv : GroupShuffleSplit or StratifiedShuffleSplit
            A single-split splitter.
        """
        if fraction is None:
            fraction = self.validation_fraction_of_train() or 0.1
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"fraction must be in (0, 1); got {fraction!r}.")
        if self.speaker_independent:
            return GroupShuffleSplit(
                n_splits=1, test_size=fraction, random_state=random_state
            )
        return StratifiedShuffleSplit(
            n_splits=1, test_size=fraction, random_state=random_state
        )


@dataclass(frozen=True)
class CrossCorpusProtocol(Protocol):
    """Train on all of one corpus, test on all of another, on their shared labels.

    The data it splits holds the training corpus's clips first, then the test
    corpus's: one split, no speaker (and no recording session) on both sides.
    :func:`sklearn_ser.benchmark.run_cross_corpus` builds it, with the data.

    Parameters
    ----------
    name, description, speaker_independent, test_size, validation_size
        As for :class:`Protocol`; ``speaker_independent`` is True, so the
        training corpus's speaker ids reach the deep classifiers'
        early-stopping split.
    train_corpus, test_corpus : str
        Names of the two corpora.
    n_train, n_test : int
        Number of clips of each, after dropping the labels they do not share.
    shared_labels : tuple of str
        The labels both corpora have: the only ones trained and tested on.
    dropped_labels : tuple of (str, str, int)
        ``(corpus, label, n_clips)`` for every label only one corpus has.

    Examples
    --------
    >>> from sklearn_ser.model_selection import CrossCorpusProtocol
    >>> protocol = CrossCorpusProtocol(
    ...     "cross-corpus A → B", "train on A, test on B", True,
    ...     train_corpus="A", test_corpus="B", n_train=3, n_test=2,
    ... )
    >>> [(train.tolist(), test.tolist()) for train, test in
    ...  protocol.make_cv(["a1", "a1", "a2", "b1", "b2"]).split()]
    [([0, 1, 2], [3, 4])]
    """

    train_corpus: str = ""
    test_corpus: str = ""
    n_train: int = 0
    n_test: int = 0
    shared_labels: tuple[str, ...] = ()
    dropped_labels: tuple[tuple[str, str, int], ...] = ()

    def make_cv(self, groups=None, n_splits=None, *, random_state=None):
        """The one split: the first ``n_train`` clips train, the rest test.

        Parameters
        ----------
        groups : array-like of shape (n_train + n_test,), default=None
            Speaker ids; only their number is checked.
        n_splits : {None, 1}, default=None
            A cross-corpus protocol has exactly one split.
        random_state : ignored

        Returns
        -------
        cv : PredefinedSplit
            Ignores the ``groups`` passed to its ``split``.
        """
        if n_splits not in (None, 1):
            raise ValueError(
                f"A cross-corpus protocol has one split (train on "
                f"{self.train_corpus}, test on {self.test_corpus}); got "
                f"n_splits={n_splits!r}."
            )
        n_clips = self.n_train + self.n_test
        if groups is not None and len(groups) != n_clips:
            raise ValueError(
                f"Protocol {self.name!r} splits {n_clips} clips ({self.n_train} of "
                f"{self.train_corpus}, then {self.n_test} of {self.test_corpus}); "
                f"got {len(groups)} speaker ids."
            )
        # -1: never in a test part; 0: the test part of the one split.
        return _CorpusSplit(np.repeat([-1, 0], [self.n_train, self.n_test]))


class _CorpusSplit(PredefinedSplit):
    """A PredefinedSplit that accepts the speaker ids every protocol is given.

    The split is fixed by the corpora, so the ids are not needed; taking them
    quietly lets the benchmark call every protocol's splitter the same way.
    """

    def split(self, X=None, y=None, groups=None):
        return super().split(X, y)


#: The protocols by name. ``speaker`` is the default everywhere in this library;
#: the ``random-*`` ones reproduce the papers' speaker-dependent protocols.
PROTOCOLS = {
    protocol.name: protocol
    for protocol in (
        Protocol(
            "speaker",
            "speaker-independent stratified k-fold grouped by speaker "
            "(leave-one-speaker-out for two speakers); inner validation "
            "split by speaker",
            speaker_independent=True,
        ),
        Protocol(
            "random-kfold",
            "speaker-dependent: stratified k-fold over shuffled clips",
            speaker_independent=False,
        ),
        Protocol(
            "random-80/10/10",
            "speaker-dependent: repeated random 80/10/10 train/validation/test "
            "split over clips (000 CNN-LSTM; assumed for 004 CNN-Transformer)",
            speaker_independent=False,
            test_size=0.1,
            validation_size=0.1,
        ),
        Protocol(
            "random-75/25",
            "speaker-dependent: repeated random 75/25 train/test split over clips "
            "(001 stacked LSTM: 2100/700 TESS clips)",
            speaker_independent=False,
            test_size=0.25,
        ),
        Protocol(
            "random-80/20",
            "speaker-dependent: repeated random 80/20 hold-out over clips "
            "(assumed for 002 spectrogram CNN and 003 Conv1D-LSTM, whose "
            "papers do not state their split)",
            speaker_independent=False,
            test_size=0.2,
        ),
    )
}


def get_protocol(name: str) -> Protocol:
    """Look up a protocol by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`PROTOCOLS`.

    Returns
    -------
    protocol : Protocol

    Examples
    --------
    >>> from sklearn_ser.model_selection import get_protocol
    >>> get_protocol("speaker").speaker_independent
    True
    """
    try:
        return PROTOCOLS[name]
    except (KeyError, TypeError):
        valid = ", ".join(PROTOCOLS)
        raise ValueError(
            f"Unknown protocol {name!r}; valid protocols: {valid}."
        ) from None
