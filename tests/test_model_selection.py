import numpy as np
import pytest
from sklearn.model_selection import (
    GroupShuffleSplit,
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    StratifiedShuffleSplit,
)

from sklearn_ser.model_selection import PROTOCOLS, get_protocol, speaker_independent_cv


def _corpus(n_speakers=12, per_class=4, n_classes=8):
    groups = np.repeat(
        [f"Actor_{i:02d}" for i in range(n_speakers)], per_class * n_classes
    )
    y = np.tile(np.repeat(np.arange(n_classes), per_class), n_speakers)
    return y, groups


@pytest.mark.parametrize("n_speakers, n_splits", [(12, 6), (12, 4), (5, 3)])
def test_speaker_independent_cv_never_shares_a_speaker(n_speakers, n_splits):
    y, groups = _corpus(n_speakers)
    cv = speaker_independent_cv(groups, n_splits=n_splits, random_state=0)
    assert isinstance(cv, StratifiedGroupKFold)
    seen_test = []
    for train, test in cv.split(np.zeros(len(y)), y, groups):
        assert not set(groups[train]) & set(groups[test])
        seen_test.extend(test)
    # every clip is tested exactly once
    assert sorted(seen_test) == list(range(len(y)))


def test_speaker_independent_cv_twelve_actors_six_folds_of_two():
    y, groups = _corpus(12)
    cv = speaker_independent_cv(groups, random_state=0)
    assert cv.get_n_splits() == 6
    for _, test in cv.split(np.zeros(len(y)), y, groups):
        assert len(set(groups[test])) == 2


def test_two_speakers_is_leave_one_speaker_out():
    y, groups = _corpus(2)
    cv = speaker_independent_cv(groups)
    assert isinstance(cv, LeaveOneGroupOut)
    splits = list(cv.split(np.zeros(len(y)), y, groups))
    assert len(splits) == 2
    for train, test in splits:
        assert len(set(groups[train])) == 1 and len(set(groups[test])) == 1


def test_more_folds_than_speakers_is_refused():
    _, groups = _corpus(2)
    with pytest.raises(
        ValueError,
        match=r"6-fold split needs at least 6 speakers; the data has 2 "
        r"\(Actor_00, Actor_01\)",
    ):
        speaker_independent_cv(groups, n_splits=6)


@pytest.mark.parametrize(
    "groups, n_splits, error, match",
    [
        (
            ["a", "a", "a"],
            None,
            ValueError,
            "needs at least 2 speakers in `groups`; got 1",
        ),
        (["a", "b"], 1, ValueError, "n_splits must be >= 2; got 1"),
        (["a", "b"], 2.0, TypeError, "n_splits must be an integer"),
    ],
)
def test_speaker_independent_cv_bad_input(groups, n_splits, error, match):
    with pytest.raises(error, match=match):
        speaker_independent_cv(groups, n_splits=n_splits)


def test_speaker_protocol_requires_groups():
    with pytest.raises(
        ValueError, match="'speaker' is speaker-independent and needs `groups`"
    ):
        get_protocol("speaker").make_cv(None)


def test_unknown_protocol_lists_valid_ones():
    with pytest.raises(
        ValueError,
        match="Unknown protocol 'paper'; valid protocols: speaker, random-kfold",
    ):
        get_protocol("paper")


def test_random_protocols_are_labelled_speaker_dependent():
    for name, protocol in PROTOCOLS.items():
        assert protocol.speaker_independent == (name == "speaker")
        if not protocol.speaker_independent:
            assert protocol.description.startswith("speaker-dependent")


def test_random_80_10_10_sizes():
    protocol = get_protocol("random-80/10/10")
    y, groups = _corpus(12)
    cv = protocol.make_cv(groups, n_splits=3, random_state=0)
    assert isinstance(cv, StratifiedShuffleSplit)
    for train, test in cv.split(np.zeros(len(y)), y):
        assert len(test) == pytest.approx(0.1 * len(y), abs=1)
        # random splits do put speakers on both sides: that is the point of the label
        assert set(groups[train]) & set(groups[test])
    assert protocol.validation_fraction_of_train() == pytest.approx(1 / 9)


def test_inner_validation_split_is_speaker_disjoint_under_speaker_protocol():
    y, groups = _corpus(10)
    inner = get_protocol("speaker").make_validation_split(random_state=0)
    assert isinstance(inner, GroupShuffleSplit)
    train, val = next(inner.split(np.zeros(len(y)), y, groups))
    assert not set(groups[train]) & set(groups[val])
    assert isinstance(
        get_protocol("random-75/25").make_validation_split(), StratifiedShuffleSplit
    )


def test_validation_fraction_out_of_range():
    with pytest.raises(ValueError, match=r"fraction must be in \(0, 1\); got 1.5"):
        get_protocol("speaker").make_validation_split(fraction=1.5)


def test_cross_corpus_protocol_has_one_split_of_the_given_sizes():
    from sklearn_ser.model_selection import CrossCorpusProtocol

    protocol = CrossCorpusProtocol(
        "cross-corpus A → B",
        "",
        True,
        train_corpus="A",
        test_corpus="B",
        n_train=2,
        n_test=3,
    )
    cv = protocol.make_cv(["a", "a", "b", "b", "b"], n_splits=1)
    [(train, test)] = list(cv.split(None, None, ["a", "a", "b", "b", "b"]))
    assert train.tolist() == [0, 1] and test.tolist() == [2, 3, 4]
    with pytest.raises(
        ValueError,
        match="one split \\(train on A, test on B\\); got n_splits=3",
    ):
        protocol.make_cv(n_splits=3)
    with pytest.raises(
        ValueError, match="splits 5 clips \\(2 of A, then 3 of B\\); got 4"
    ):
        protocol.make_cv(["a"] * 4)
