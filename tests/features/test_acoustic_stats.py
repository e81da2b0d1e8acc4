"""AcousticStats170 against direct librosa calls, padding, silence, API.

Tolerances as in test_frontend.py: rtol=1e-4; power values near zero also
get atol=1e-6 x the largest value; dB values and MFCCs atol=1e-3 dB.
"""

import pickle

import librosa
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from test_frontend import SR, speech_like

from sklearn_ser.features import AcousticStats170, _frontend


def librosa_frames(
    y,
    sr=SR,
    n_fft=2048,
    hop_length=512,
    win_length=None,
    window="hann",
    n_mels=128,
    n_mfcc=40,
    log_mel=False,
    top_db=80.0,
):
    """Per-frame features of one clip by direct librosa calls: (n_frames, d)."""
    stft = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window
    )
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=n_mels, **stft)
    if top_db == 80.0:  # librosa.feature.mfcc(y=...) has top_db=80 built in
        mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc, n_mels=n_mels, **stft)
    else:
        mfcc = librosa.feature.mfcc(
            S=librosa.power_to_db(mel, top_db=top_db), n_mfcc=n_mfcc
        )
    if log_mel:
        mel = librosa.power_to_db(mel, top_db=top_db)
    zcr = librosa.feature.zero_crossing_rate(
        y, frame_length=n_fft, hop_length=hop_length
    )
    rms = librosa.feature.rms(S=np.abs(librosa.stft(y, **stft)), frame_length=n_fft)
    return np.concatenate([mel, mfcc, zcr, rms]).T


def assert_matches(actual, expected, n_mels, log_mel=False):
    """Compare [mel, mfcc, zcr, rms] blocks with each block's tolerance."""
    mel, rest = slice(0, n_mels), slice(n_mels, -2)
    mel_atol = 1e-3 if log_mel else 1e-6 * np.abs(expected[..., mel]).max()
    np.testing.assert_allclose(
        actual[..., mel], expected[..., mel], rtol=1e-4, atol=mel_atol
    )
    np.testing.assert_allclose(
        actual[..., rest], expected[..., rest], rtol=1e-4, atol=1e-3
    )
    np.testing.assert_allclose(
        actual[..., -2:], expected[..., -2:], rtol=1e-4, atol=1e-7
    )


def test_defaults_are_the_papers_170_librosa_means(rng):
    X = speech_like(rng, 3, 3 * SR)
    stats = AcousticStats170().fit(X)
    features = stats.transform(X)
    assert features.shape == (3, 170) and features.dtype == np.float32
    expected = np.stack([librosa_frames(y).mean(axis=0) for y in X])
    assert_matches(features, expected, n_mels=128)
    names = stats.get_feature_names_out()
    assert list(names[[0, 127, 128, 167, 168, 169]]) == [
        "mel_mean_0",
        "mel_mean_127",
        "mfcc_mean_0",
        "mfcc_mean_39",
        "zcr_mean",
        "rms_mean",
    ]
    assert (stats.n_fft_, stats.win_length_, stats.hop_length_) == (2048, 2048, 512)


@pytest.mark.parametrize(
    "params",
    [
        dict(log_mel=True),
        dict(log_mel=True, top_db=None),
        dict(
            n_fft=1024,
            hop_length=256,
            win_length=800,
            window="hamming",
            n_mels=64,
            n_mfcc=20,
        ),
    ],
)
def test_options_match_librosa(rng, params):
    X = speech_like(rng, 2, 2 * SR)
    features = AcousticStats170(**params).fit_transform(X)
    expected = np.stack([librosa_frames(y, **params).mean(axis=0) for y in X])
    assert_matches(
        features, expected, params.get("n_mels", 128), params.get("log_mel", False)
    )


def test_more_statistics_match_numpy_on_librosa_frames(rng):
    X = speech_like(rng, 2, 2 * SR)
    stats = ("std", "mean", "max", "min")
    transformer = AcousticStats170(stats=stats, log_mel=True).fit(X)
    features = transformer.transform(X)
    assert features.shape == (2, 4 * 170)
    frames = [librosa_frames(y, log_mel=True) for y in X]
    for block, stat in enumerate(stats):
        expected = np.stack([getattr(np, stat)(f, axis=0) for f in frames])
        assert_matches(
            features[:, block * 170 : (block + 1) * 170],
            expected,
            n_mels=128,
            log_mel=True,
        )
    names = transformer.get_feature_names_out()
    assert list(names[[0, 170, 340 + 168, 510 + 169]]) == [
        "logmel_std_0",
        "logmel_mean_0",
        "zcr_max",
        "rms_min",
    ]


def pad(y, n_samples, front=0):
    """Zero-pad ``y`` to ``n_samples``, with ``front`` zeros first."""
    out = np.zeros(n_samples, dtype=np.float32)
    out[front : front + y.size] = y
    return out


def test_zero_padding_frames_are_left_out(rng):
    # As AudioLoader pads a 1.3 s clip to 3 s; 20799 - 1 is not a multiple of
    # the hop, so no frame starts exactly at the last sample (where the Hann
    # window is 0).
    y = speech_like(rng, 1, 20799)[0]
    padded = pad(y, 3 * SR)
    features = AcousticStats170().fit_transform(padded[np.newaxis])[0]
    frames = librosa_frames(padded)
    windows = librosa.util.frame(
        np.pad(padded, 1024), frame_length=2048, hop_length=512
    )
    holds_signal = np.any(windows != 0, axis=0)
    # All-zero frames are exactly those of zero STFT energy, ...
    np.testing.assert_array_equal(holds_signal, frames[:, -1] > 0)
    assert 0 < holds_signal.sum() < holds_signal.size
    # ... and only the others are averaged.
    assert_matches(features, frames[holds_signal].mean(axis=0), n_mels=128)
    averaged_all = frames.mean(axis=0)
    assert not np.allclose(features[:128], averaged_all[:128], rtol=0.1)


def test_features_do_not_depend_on_the_amount_of_padding(rng):
    y = speech_like(rng, 1, 20799)[0]
    stats = AcousticStats170(stats=("mean", "std"))
    # Trailing padding, as AudioLoader's, of 1.2 s and 2.7 s.
    np.testing.assert_allclose(
        stats.fit_transform(pad(y, 2 * SR)[np.newaxis]),
        stats.fit_transform(pad(y, 3 * SR)[np.newaxis]),
        rtol=1e-5,
        atol=1e-6,
    )
    # Leading padding of at least half a window (on the frame grid, so that
    # the frames hold the same samples): the same frames are averaged.
    leading = stats.fit_transform(
        np.stack([pad(y, 3 * SR, front=2 * 512), pad(y, 3 * SR, front=5 * 512)])
    )
    np.testing.assert_allclose(leading[0], leading[1], rtol=1e-5, atol=1e-6)


def test_silent_clip_gives_librosas_silence_values(rng):
    X = np.concatenate([np.zeros((1, SR), np.float32), speech_like(rng, 1, SR)])
    features = AcousticStats170(stats=("mean", "std")).fit_transform(X)
    assert np.isfinite(features).all()
    silence = librosa_frames(X[0]).mean(axis=0)
    np.testing.assert_allclose(features[0, :170], silence, rtol=1e-6)
    assert features[0, 128] == pytest.approx(-100 * np.sqrt(128))
    np.testing.assert_allclose(features[0, 170:], 0.0, atol=1e-3)  # float32 std
    # A silent clip in the batch does not change its neighbours.
    np.testing.assert_allclose(
        features[1],
        AcousticStats170(stats=("mean", "std")).fit_transform(X[1:])[0],
        rtol=1e-5,
        atol=1e-6,
    )


def test_fit_transform_is_fit_then_transform(rng):
    X = speech_like(rng, 3, SR)
    transformer = AcousticStats170(stats=("mean", "max"))
    np.testing.assert_array_equal(
        transformer.fit_transform(X), clone(transformer).fit(X).transform(X)
    )


def test_transform_accepts_other_clip_lengths(rng):
    X = speech_like(rng, 2, 2 * SR)
    fitted_short = AcousticStats170().fit(X[:, :SR])
    np.testing.assert_array_equal(
        fitted_short.transform(X), AcousticStats170().fit_transform(X)
    )
    assert fitted_short.n_features_in_ == SR


def test_blocks_and_threads_do_not_change_the_features(rng, monkeypatch):
    X = speech_like(rng, 5, SR)
    expected = AcousticStats170().fit_transform(X)
    monkeypatch.setattr(_frontend, "_BLOCK_BYTES", 1)  # one clip per block
    np.testing.assert_allclose(
        AcousticStats170(n_jobs=2).fit_transform(X), expected, rtol=1e-5, atol=1e-6
    )


def test_clone_and_pickle_keep_the_features(rng):
    X = speech_like(rng, 2, SR)
    fitted = AcousticStats170(n_mfcc=13, stats=("mean", "std")).fit(X)
    assert clone(fitted).get_params() == fitted.get_params()
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(X), fitted.transform(X)
    )


def test_pandas_output_has_the_feature_names(rng):
    pd = pytest.importorskip("pandas")
    X = speech_like(rng, 2, SR)
    transformer = AcousticStats170().set_output(transform="pandas")
    frame = transformer.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(transformer.get_feature_names_out())
    assert frame["rms_mean"].dtype == np.float32


@pytest.mark.parametrize(
    "X, message",
    [
        (
            np.zeros(SR, np.float32),
            r"expects waveforms of shape \(n_clips, n_samples\); got an array of "
            r"shape \(16000,\)",
        ),
        (np.zeros((2, 3, SR), np.float32), r"got an array of shape \(2, 3, 16000\)"),
        (np.full((2, SR), np.nan, np.float32), "Input X contains NaN"),
        (np.full((2, SR), np.inf, np.float32), "Input X contains infinity"),
        (
            np.zeros((2, 100), np.float32),
            r"needs clips of at least one analysis window \(n_fft=2048 samples\); "
            r"got X with 100 feature\(s\)",
        ),
    ],
)
def test_bad_waveforms_are_rejected(X, message):
    with pytest.raises(ValueError, match=message):
        AcousticStats170().fit(X)
    fitted = AcousticStats170().fit(np.zeros((1, SR), np.float32))
    with pytest.raises(ValueError, match=message):
        fitted.transform(X)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_mfcc=129), r"n_mfcc=129 is larger than n_mels=128"),
        (dict(stats=("mean", "median")), r"stats=\('mean', 'median'\) is not valid"),
        (dict(stats=()), r"stats=\(\) is not valid"),
        (dict(stats=("std", "std")), r"expected a non-empty tuple of distinct names"),
        (dict(window="nope"), r"window='nope' is not a window that librosa"),
        (dict(win_length=4096), r"win_length=4096 is longer than n_fft=2048"),
    ],
)
def test_bad_parameters_are_rejected(params, message):
    with pytest.raises(ValueError, match=message):
        AcousticStats170(**params).fit(np.zeros((1, SR), np.float32))


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_fft=0), "The 'n_fft' parameter of AcousticStats170 must be"),
        (dict(hop_length=None), "The 'hop_length' parameter of AcousticStats170"),
        (dict(stats=["mean"]), "The 'stats' parameter of AcousticStats170 must be"),
        (dict(log_mel="yes"), "The 'log_mel' parameter of AcousticStats170"),
    ],
)
def test_parameter_types_are_validated(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        AcousticStats170(**params).fit(np.zeros((1, SR), np.float32))
