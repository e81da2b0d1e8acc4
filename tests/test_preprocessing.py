import numpy as np
import pytest
import sklearn
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_ser.preprocessing import SpeakerStandardizer


def _speakers(n_speakers=3, per_speaker=8):
    return np.repeat([f"s{i}" for i in range(n_speakers)], per_speaker)


def _features(groups, shape=(4,), seed=0):
    """Features with a different offset and spread per speaker."""
    rng = np.random.default_rng(seed)
    _, codes = np.unique(groups, return_inverse=True)
    X = rng.standard_normal((len(groups), *shape))
    scale = (1.0 + codes).reshape(-1, *[1] * len(shape))
    return (10.0 * codes.reshape(scale.shape) + scale * X).astype(np.float32)


def _by_hand(X, groups, axis):
    """Reference: each speaker standardised along ``axis``, other axes pooled."""
    out = np.empty(X.shape, dtype=np.float64)
    other = tuple(a for a in range(X.ndim) if a != axis % X.ndim)
    for speaker in np.unique(groups):
        rows = groups == speaker
        part = X[rows].astype(np.float64)
        out[rows] = (part - part.mean(axis=other, keepdims=True)) / part.std(
            axis=other, keepdims=True
        )
    return out


def test_2d_features_get_each_speakers_own_statistics():
    groups = _speakers()
    X = _features(groups)
    Xt = SpeakerStandardizer().fit_transform(X, groups=groups)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    np.testing.assert_allclose(Xt, _by_hand(X, groups, -1), atol=1e-5)
    for speaker in np.unique(groups):
        np.testing.assert_allclose(Xt[groups == speaker].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(Xt[groups == speaker].std(axis=0), 1, atol=1e-5)


@pytest.mark.parametrize(
    "shape, axis",
    [
        ((6, 5), -1),  # MFCCFrames: (n, n_frames, n_mfcc)
        ((3, 5, 4), -2),  # MelSpectrogramChunker: (n, n_chunks, n_mels, frames)
    ],
)
def test_nd_features_are_standardised_along_the_feature_axis(shape, axis):
    groups = _speakers()
    X = _features(groups, shape)
    Xt = SpeakerStandardizer(feature_axis=axis).fit_transform(X, groups=groups)
    assert Xt.shape == X.shape
    np.testing.assert_allclose(Xt, _by_hand(X, groups, axis), atol=1e-5)
    # another axis gives another result: the axis is honoured
    other = SpeakerStandardizer(feature_axis=1).fit_transform(X, groups=groups)
    assert not np.allclose(Xt, other, atol=1e-3)


def test_transform_uses_the_statistics_of_the_speakers_in_the_call():
    train, test = _speakers(3), np.repeat(["new1", "new2"], 8)
    X_train, X_test = _features(train), _features(test, seed=1) + 100.0
    scaler = SpeakerStandardizer().fit(X_train, groups=train)
    # unseen speakers are the normal (transductive) case, not an error
    np.testing.assert_allclose(
        scaler.transform(X_test, groups=test), _by_hand(X_test, test, -1), atol=1e-4
    )


def test_a_speaker_with_a_single_clip_gets_the_global_statistics_of_fit():
    train = _speakers(3)
    X_train = _features(train)
    scaler = SpeakerStandardizer().fit(X_train, groups=train)
    X_test = np.vstack([_features(_speakers(1)), np.full((1, 4), 3.0, np.float32)])
    groups = np.array(["a"] * 8 + ["lonely"])
    Xt = scaler.transform(X_test, groups=groups)
    assert np.isfinite(Xt).all()
    expected = (3.0 - X_train.mean(axis=0, dtype=np.float64)) / X_train.std(
        axis=0, dtype=np.float64
    )
    np.testing.assert_allclose(Xt[-1], expected, rtol=1e-5)
    np.testing.assert_allclose(
        Xt[:-1], _by_hand(X_test[:-1], groups[:-1], -1), atol=1e-5
    )


def test_min_clips_sets_which_speakers_fall_back_to_the_global_statistics():
    groups = _speakers(2, per_speaker=3)
    X = _features(groups)
    scaler = SpeakerStandardizer(min_clips=4).fit(X, groups=groups)
    Xt = scaler.transform(X, groups=groups)
    np.testing.assert_allclose(Xt, (X - scaler.mean_) / scaler.scale_, rtol=1e-5)


def test_constant_features_become_zero_never_nan():
    groups = _speakers(2)
    X = _features(groups)
    X[:, 1] = 7.0
    Xt = SpeakerStandardizer().fit_transform(X, groups=groups)
    assert np.isfinite(Xt).all()
    np.testing.assert_array_equal(Xt[:, 1], 0.0)


@pytest.mark.parametrize("make", [make_pipeline, make_imb_pipeline])
@pytest.mark.parametrize("explicit_request", [False, True])
def test_groups_are_routed_through_a_pipeline(make, explicit_request):
    groups = _speakers(4)
    X = _features(groups)
    y = np.tile(["angry", "sad"], len(groups) // 2)
    X[:, 0] += np.where(y == "angry", 0.5, -0.5) * (1 + np.arange(len(y)) % 3)
    test = np.repeat(["t1", "t2"], 8)
    X_test = _features(test, seed=2)
    with sklearn.config_context(enable_metadata_routing=True):
        scaler = SpeakerStandardizer()
        if explicit_request:
            scaler.set_fit_request(groups=True).set_transform_request(groups=True)
        pipe = make(scaler, LogisticRegression()).fit(X, y, groups=groups)
        predicted = pipe.predict(X_test, groups=test)
        proba = pipe.predict_proba(X_test, groups=test)
    reference = LogisticRegression().fit(_by_hand(X, groups, -1), y)
    np.testing.assert_array_equal(
        predicted, reference.predict(_by_hand(X_test, test, -1))
    )
    assert proba.shape == (len(test), 2)


def test_a_pipeline_without_groups_says_what_is_missing():
    groups = _speakers(2)
    X, y = _features(groups), np.tile(["angry", "sad"], len(groups) // 2)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(SpeakerStandardizer(), LogisticRegression())
        with pytest.raises(
            ValueError, match=r"SpeakerStandardizer.fit needs .* groups"
        ):
            pipe.fit(X, y)
        pipe.fit(X, y, groups=groups)
        with pytest.raises(
            ValueError, match=r"SpeakerStandardizer.transform needs .* groups"
        ):
            pipe.predict(X)


@pytest.mark.parametrize(
    "method, kwargs, match",
    [
        ("fit", {}, r"SpeakerStandardizer.fit needs the speaker id of every clip"),
        ("transform", {}, r"SpeakerStandardizer.transform needs the speaker id"),
        (
            "fit",
            {"groups": ["a"] * 5},
            r"groups must hold one speaker id per clip: expected shape \(16,\), "
            r"got \(5,\)",
        ),
        (
            "transform",
            {"groups": np.zeros((16, 2))},
            r"groups must hold one speaker id per clip: expected shape \(16,\), "
            r"got \(16, 2\)",
        ),
    ],
)
def test_missing_or_misshapen_groups(method, kwargs, match):
    groups = _speakers(2)
    X = _features(groups)
    scaler = SpeakerStandardizer()
    if method == "transform":
        scaler.fit(X, groups=groups)
    with pytest.raises(ValueError, match=match):
        getattr(scaler, method)(X, **kwargs)


@pytest.mark.parametrize("axis", [0, 3, -3])
def test_feature_axis_must_be_an_axis_other_than_the_clips(axis):
    groups = _speakers(2)
    with pytest.raises(ValueError, match=rf"feature_axis={axis} is not a feature axis"):
        SpeakerStandardizer(feature_axis=axis).fit(
            _features(groups, (2, 3)), groups=groups
        )


def test_transform_needs_as_many_features_as_fit():
    groups = _speakers(2)
    scaler = SpeakerStandardizer(feature_axis=-1).fit(
        _features(groups, (2, 3)), groups=groups
    )
    with pytest.raises(ValueError, match="X has 4 features along feature_axis=-1"):
        scaler.transform(_features(groups, (2, 4)), groups=groups)
