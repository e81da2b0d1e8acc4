import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sklearn_ser import ClipNormalizer, MelSpectrogramChunker, MFCCFrames


def _frames(shape=(5, 2, 3, 7), seed=0):
    """Frame-level features with a different offset per clip and band."""
    rng = np.random.default_rng(seed)
    offsets = rng.normal(scale=10.0, size=(*shape[:-1], 1))
    return (offsets + rng.standard_normal(shape)).astype(np.float32)


def test_each_clip_and_band_loses_its_own_mean_over_time():
    X = _frames()
    Xt = ClipNormalizer().fit_transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    np.testing.assert_allclose(Xt.mean(axis=-1), 0, atol=1e-5)
    np.testing.assert_allclose(Xt, X - X.mean(axis=-1, keepdims=True), atol=1e-5)
    # the spread over time is kept without with_std
    np.testing.assert_allclose(Xt.std(axis=-1), X.std(axis=-1), rtol=1e-5)


def test_a_clip_is_normalised_alone_as_in_a_batch():
    X = _frames()
    fitted = ClipNormalizer(with_std=True).fit(X[:2])
    whole = fitted.transform(X)
    for i in range(len(X)):
        np.testing.assert_array_equal(fitted.transform(X[i : i + 1])[0], whole[i])


def test_with_std_gives_unit_variance_and_zero_for_constant_bands():
    X = _frames()
    X[0, 0, 1] = 3.0  # one band constant over the frames of one clip
    Xt = ClipNormalizer(with_std=True).fit_transform(X)
    assert np.isfinite(Xt).all()
    np.testing.assert_array_equal(Xt[0, 0, 1], 0)
    std = Xt.std(axis=-1)
    std[0, 0, 1] = 1.0
    np.testing.assert_allclose(std, 1, rtol=1e-4)


def test_time_axis_follows_the_input_layout():
    X = _frames(shape=(4, 9, 5))  # MFCCFrames: (clips, frames, mfcc)
    Xt = ClipNormalizer(time_axis=1).fit_transform(X)
    np.testing.assert_allclose(Xt.mean(axis=1), 0, atol=1e-5)
    assert np.abs(Xt.mean(axis=-1)).max() > 0.1  # not along the coefficients


def test_in_a_pipeline_after_the_deep_feature_transformers(rng):
    waves = rng.standard_normal((3, 8000)).astype(np.float32)  # 0.5 s of noise
    for features, axis in [
        (MelSpectrogramChunker(sr=16000, n_chunks=1, n_mels=16), -1),
        (MFCCFrames(sr=16000, n_mfcc=13), 1),
    ]:
        Xt = make_pipeline(features, ClipNormalizer(time_axis=axis)).fit_transform(
            waves
        )
        np.testing.assert_allclose(Xt.mean(axis=axis), 0, atol=1e-4)


@pytest.mark.parametrize(
    "params, X, message",
    [
        ({}, np.zeros((3, 4)), "needs frame-level features with a time axis"),
        ({"time_axis": 0}, np.zeros((3, 4, 5)), "time_axis=0 is not a frame axis"),
        ({"time_axis": 3}, np.zeros((3, 4, 5)), "time_axis=3 is not a frame axis"),
        ({"time_axis": -3}, np.zeros((3, 4, 5)), "time_axis=-3 is not a frame axis"),
        ({"with_std": "yes"}, np.zeros((3, 4, 5)), "'with_std' parameter"),
        ({"time_axis": 1.5}, np.zeros((3, 4, 5)), "'time_axis' parameter"),
    ],
)
def test_bad_input_is_refused_naming_the_problem(params, X, message):
    with pytest.raises(ValueError, match=message):
        ClipNormalizer(**params).fit(X)


def test_transform_checks_the_fitted_layout():
    normalizer = ClipNormalizer().fit(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="features"):
        normalizer.transform(np.zeros((3, 6, 5)))
