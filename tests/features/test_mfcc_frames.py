"""MFCCFrames against librosa.feature.mfcc, deltas, geometry, API.

Tolerances: rtol=1e-4 and atol=1e-3 (MFCCs are in dB units, up to ~1e3).
"""

import pickle

import librosa
import numpy as np
import pytest
from sklearn.base import clone
from test_frontend import SR, speech_like

from sklearn_ser.features import MFCCFrames


def librosa_mfcc(y, transformer, **params):
    """``librosa.feature.mfcc`` with ``transformer``'s STFT, time-major."""
    return librosa.feature.mfcc(
        y=y,
        sr=transformer.sr,
        n_mfcc=transformer.n_mfcc,
        n_mels=transformer.n_mels,
        n_fft=transformer.n_fft_,
        win_length=transformer.win_length_,
        hop_length=transformer.hop_length_,
        window=transformer.window,
        **params,
    ).T


@pytest.mark.parametrize(
    "params", [dict(), dict(n_mfcc=12, window="hamming"), dict(n_mfcc=20, n_mels=40)]
)
def test_frames_match_librosa_mfcc(rng, params):
    X = speech_like(rng, 3, 3 * SR)
    transformer = MFCCFrames(**params).fit(X)
    mfcc = transformer.transform(X)
    n_mfcc = params.get("n_mfcc", 40)
    assert mfcc.shape == (3, 281, n_mfcc) and mfcc.dtype == np.float32
    for clip, y in enumerate(X):
        np.testing.assert_allclose(
            mfcc[clip], librosa_mfcc(y, transformer), rtol=1e-4, atol=1e-3
        )


def test_paper_geometry_at_48khz_is_librosas_default_call(rng):
    # The CNN-Transformer paper: 40 MFCCs x 282 frames for 3-s clips at 48 kHz,
    # i.e. librosa.feature.mfcc(y=y, sr=48000, n_mfcc=40) with its defaults.
    y = speech_like(rng, 1, 3 * 48000, sr=48000)
    transformer = MFCCFrames(sr=48000).fit(y)
    assert (transformer.n_fft_, transformer.win_length_, transformer.hop_length_) == (
        2048,
        2048,
        512,
    )
    expected = librosa.feature.mfcc(y=y[0], sr=48000, n_mfcc=40)
    assert expected.shape == (40, 282)
    np.testing.assert_allclose(
        transformer.transform(y)[0], expected.T, rtol=1e-4, atol=1e-3
    )


@pytest.mark.parametrize(
    "sr, n_samples, geometry, n_frames",
    [
        (16000, 48000, (1024, 683, 171), 281),
        (48000, 144000, (2048, 2048, 512), 282),
        (22050, 66150, (1024, 941, 235), 282),
    ],
)
def test_default_geometry_keeps_the_papers_durations(sr, n_samples, geometry, n_frames):
    transformer = MFCCFrames(sr=sr).fit(np.zeros((1, n_samples), np.float32))
    assert (
        transformer.n_fft_,
        transformer.win_length_,
        transformer.hop_length_,
    ) == geometry
    assert transformer.n_frames_ == n_frames


@pytest.mark.parametrize("deltas", [1, 2])
def test_deltas_follow_the_mfccs_on_the_last_axis(rng, deltas):
    X = speech_like(rng, 2, SR)
    transformer = MFCCFrames(n_mfcc=13, deltas=deltas).fit(X)
    features = transformer.transform(X)
    assert features.shape == (2, transformer.n_frames_, 13 * (1 + deltas))
    for clip, y in enumerate(X):
        mfcc = librosa_mfcc(y, transformer).T
        expected = [mfcc] + [
            librosa.feature.delta(mfcc, order=order) for order in range(1, deltas + 1)
        ]
        np.testing.assert_allclose(
            features[clip], np.concatenate(expected).T, rtol=1e-4, atol=1e-3
        )


def test_silent_and_padded_frames_hold_the_db_floor(rng):
    y = speech_like(rng, 1, SR // 2)[0]
    X = np.zeros((2, SR), np.float32)
    X[1, : y.size] = y
    transformer = MFCCFrames().fit(X)
    mfcc = transformer.transform(X)
    assert np.isfinite(mfcc).all()
    for clip in range(2):
        np.testing.assert_allclose(
            mfcc[clip], librosa_mfcc(X[clip], transformer), rtol=1e-4, atol=1e-3
        )
    # Silence: the DCT of a flat -100 dB log-mel; only c0 is non-zero.
    np.testing.assert_allclose(mfcc[0, :, 0], -100 * np.sqrt(128), rtol=1e-6)
    np.testing.assert_allclose(mfcc[0, :, 1:], 0, atol=1e-3)


def test_clone_and_pickle_keep_the_features(rng):
    X = speech_like(rng, 2, SR)
    fitted = MFCCFrames(n_mfcc=13, deltas=1).fit(X)
    assert clone(fitted).get_params() == fitted.get_params()
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(X), fitted.transform(X)
    )


def test_three_d_output_offers_no_dataframe_output():
    assert not hasattr(MFCCFrames(), "set_output")
    assert not hasattr(MFCCFrames(), "get_feature_names_out")


def test_clip_length_must_match_fit(rng):
    fitted = MFCCFrames().fit(speech_like(rng, 1, SR))
    with pytest.raises(
        ValueError, match="X has 8000 features, but MFCCFrames is expecting 16000"
    ):
        fitted.transform(np.zeros((1, SR // 2), np.float32))


@pytest.mark.parametrize(
    "params, n_samples, message",
    [
        (
            dict(deltas=1),
            1024,
            r"deltas=1 needs at least 9 frames; clips of 1024 samples give 6 frames "
            r"\(hop_length=171\)",
        ),
        (
            dict(),
            1000,
            r"MFCCFrames needs clips of at least one analysis window "
            r"\(n_fft=1024 samples\); got X with 1000 feature\(s\)",
        ),
        (dict(n_mfcc=41, n_mels=40), SR, "n_mfcc=41 is larger than n_mels=40"),
        (dict(n_fft=512), SR, "win_length=683 is longer than n_fft=512"),
        (dict(window=("kaiser",)), SR, r"window=\('kaiser',\) is not a window"),
    ],
)
def test_bad_parameters_and_clips_are_rejected(params, n_samples, message):
    with pytest.raises(ValueError, match=message):
        MFCCFrames(**params).fit(np.zeros((1, n_samples), np.float32))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros(SR, np.float32), r"got an array of shape \(16000,\)"),
        (np.full((1, SR), np.nan, np.float32), "Input X contains NaN"),
        (np.full((1, SR), -np.inf, np.float32), "Input X contains infinity"),
    ],
)
def test_bad_waveforms_are_rejected(X, message):
    with pytest.raises(ValueError, match=message):
        MFCCFrames().fit(X)
