"""The shared STFT front end against librosa, one feature at a time.

Tolerances: values compare with ``rtol=1e-4``. Spectra are computed in float32
(librosa computes its FFT in float64), whose rounding is relative to the
largest bin of a frame, so power/mel values near zero also get an absolute
tolerance of 1e-6 times the largest value; dB values and MFCCs (dB units)
get ``atol=1e-3`` dB; zero-crossing rates are counts and match exactly.
"""

import librosa
import numpy as np
import pytest
from sklearn.utils import get_tags

from sklearn_ser.features import (
    AcousticStats170,
    MelSpectrogramChunker,
    MFCCFrames,
    _frontend,
)
from sklearn_ser.features._frontend import (
    MAX_PEAK,
    FrameGeometry,
    SpectralFrontend,
    limit_peak,
    map_blocks,
    n_frames,
    scale_geometry,
)

SR = 16000


def speech_like(rng, n_clips: int, n_samples: int, sr: int = SR) -> np.ndarray:
    """Voiced harmonics with a wandering pitch, noise, and quiet pauses.

    The pauses keep a low noise floor (no exact zeros), as recordings do.
    """
    t = np.arange(n_samples) / sr
    clips = []
    for _ in range(n_clips):
        f0 = rng.uniform(100, 250) * (
            1 + 0.1 * np.sin(2 * np.pi * rng.uniform(1, 4) * t)
        )
        phase = 2 * np.pi * np.cumsum(f0) / sr
        voiced = sum(np.sin(k * phase) / k for k in range(1, 16))
        syllables = np.sin(2 * np.pi * rng.uniform(1.5, 3.0) * t + rng.uniform(0, 6))
        gate = syllables > -0.3
        noise = rng.standard_normal(n_samples)
        clips.append(0.2 * voiced * gate + 0.02 * noise * gate + 1e-3 * noise)
    return np.asarray(clips, dtype=np.float32)


def frontend(n_fft=2048, win_length=None, hop_length=512, window="hann", **kw):
    return SpectralFrontend(
        sr=kw.get("sr", SR),
        n_fft=n_fft,
        win_length=n_fft if win_length is None else win_length,
        hop_length=hop_length,
        window=window,
        n_mels=kw.get("n_mels", 128),
        top_db=kw.get("top_db", 80.0),
    )


GEOMETRIES = [
    # librosa defaults, the chunker's and MFCCFrames' 16 kHz geometries, odd sizes
    dict(n_fft=2048, hop_length=512, window="hann"),
    dict(n_fft=512, win_length=171, hop_length=85, window="hamming"),
    dict(n_fft=1024, win_length=683, hop_length=171, window="hann"),
    dict(n_fft=999, win_length=801, hop_length=160, window="hann"),
]


def librosa_kwargs(fe: SpectralFrontend) -> dict:
    return dict(
        n_fft=fe.n_fft,
        win_length=fe.win_length,
        hop_length=fe.hop_length,
        window=fe.window,
    )


@pytest.mark.parametrize(
    "sr, expected",
    [(48000, (1024, 512, 256)), (16000, (512, 171, 85)), (22050, (512, 235, 118))],
)
def test_scale_geometry_keeps_the_reference_durations(sr, expected):
    reference = FrameGeometry(sr=48000, n_fft=1024, win_length=512, hop_length=256)
    assert scale_geometry(reference, sr, None, None, None) == expected
    # Sizes given as integers are kept as they are.
    assert scale_geometry(reference, sr, 2048, 300, 100) == (2048, 300, 100)


@pytest.mark.parametrize("n_samples", [2048, 16000, 16001, 16383])
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_n_frames_is_librosa_frame_count(geometry, n_samples):
    fe = frontend(**geometry)
    y = np.ones(n_samples, dtype=np.float32)
    expected = librosa.stft(y, **librosa_kwargs(fe)).shape[-1]
    assert n_frames(n_samples, fe.n_fft, fe.hop_length) == expected


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_power_and_mel_match_librosa(rng, geometry):
    fe = frontend(**geometry)
    X = speech_like(rng, 3, 16001)
    power = fe.power(X)
    mel = fe.mel(power)
    assert power.dtype == mel.dtype == np.float32
    for clip, y in enumerate(X):
        stft = librosa.stft(y, **librosa_kwargs(fe))
        expected_power = (np.abs(stft) ** 2).T
        np.testing.assert_allclose(
            power[clip], expected_power, rtol=1e-4, atol=1e-6 * expected_power.max()
        )
        expected_mel = librosa.feature.melspectrogram(
            y=y, sr=SR, **librosa_kwargs(fe)
        ).T
        np.testing.assert_allclose(
            mel[clip], expected_mel, rtol=1e-4, atol=1e-6 * expected_mel.max()
        )


@pytest.mark.parametrize("top_db", [80.0, 40.0, None])
def test_log_mel_floor_is_per_clip(rng, top_db):
    fe = frontend(top_db=top_db)
    loud = speech_like(rng, 1, 16000)
    # 60 dB quieter: one power_to_db over the batch would floor it at the loud
    # clip's maximum - top_db; each clip must get its own floor.
    X = np.concatenate([loud, 1e-3 * loud])
    log_mel = fe.log_mel(fe.mel(fe.power(X)))
    for clip, y in enumerate(X):
        expected = librosa.power_to_db(
            librosa.feature.melspectrogram(y=y, sr=SR), top_db=top_db
        ).T
        np.testing.assert_allclose(log_mel[clip], expected, rtol=1e-4, atol=1e-3)
    if top_db is not None:
        dynamic_range = log_mel.max(axis=(1, 2)) - log_mel.min(axis=(1, 2))
        assert np.all(dynamic_range <= top_db + 1e-4)


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_mfcc_matches_librosa(rng, geometry):
    fe = frontend(**geometry)
    X = speech_like(rng, 2, 16000)
    mfcc = fe.mfcc(fe.log_mel(fe.mel(fe.power(X))), n_mfcc=40)
    assert mfcc.shape[-1] == 40
    for clip, y in enumerate(X):
        expected = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=40, **librosa_kwargs(fe)).T
        np.testing.assert_allclose(mfcc[clip], expected, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_rms_matches_librosa_rms_of_the_stft(rng, geometry):
    fe = frontend(**geometry)
    X = speech_like(rng, 2, 16000)
    rms = fe.rms(fe.power(X))
    for clip, y in enumerate(X):
        S = np.abs(librosa.stft(y, **librosa_kwargs(fe)))
        expected = librosa.feature.rms(S=S, frame_length=fe.n_fft)[0]
        np.testing.assert_allclose(rms[clip], expected, rtol=1e-4, atol=1e-7)


def test_rms_of_the_stft_is_the_windowed_rms(rng):
    # For a steady signal, the Hann-windowed frame energy is mean(w**2) = 3/8
    # of the unwindowed one that librosa.feature.rms(y=...) measures.
    fe = frontend()
    y = rng.standard_normal(32000).astype(np.float32)
    from_stft = fe.rms(fe.power(y[np.newaxis]))[0]
    from_samples = librosa.feature.rms(y=y)[0]
    interior = slice(4, -4)  # frames that do not reach the centring padding
    ratio = from_stft[interior] / from_samples[interior]
    np.testing.assert_allclose(ratio.mean(), np.sqrt(3 / 8), rtol=0.01)
    assert np.all(np.abs(ratio / np.sqrt(3 / 8) - 1) < 0.1)


@pytest.mark.parametrize("n_fft, hop_length", [(2048, 512), (512, 85), (999, 160)])
def test_zero_crossing_rate_matches_librosa_exactly(rng, n_fft, hop_length):
    fe = frontend(n_fft=n_fft, hop_length=hop_length)
    X = speech_like(rng, 2, 16001)
    # Exact zeros, negative zeros and values inside librosa's +-1e-10
    # threshold count as non-negative.
    X[0, 100:4000] = 0.0
    X[0, 5000:5100] = -0.0
    X[1, 200:3000:2] = -5e-11
    X[1, 201:3000:2] = 5e-11
    zcr = fe.zero_crossing_rate(X)
    assert zcr.dtype == np.float32
    for clip, y in enumerate(X):
        expected = librosa.feature.zero_crossing_rate(
            y, frame_length=n_fft, hop_length=hop_length
        )[0]
        np.testing.assert_allclose(zcr[clip], expected, rtol=1e-6, atol=0)


@pytest.mark.parametrize(
    "n_rows, n_jobs, block_sizes",
    [
        (40, 1, [1] + [3] * 13),  # at most 3 rows of 160 bytes per block
        (40, 2, [1] + [3] * 13),
        (4, 2, [2, 2]),  # at least one block per worker
        (1, 2, [1]),
    ],
)
def test_map_blocks_covers_every_row_once(monkeypatch, n_rows, n_jobs, block_sizes):
    X = np.arange(n_rows * 10, dtype=np.float32).reshape(n_rows, 10)
    out = np.full((n_rows, 3), np.nan, dtype=np.float32)
    sizes = []

    def func(block, out_block):
        sizes.append(len(block))
        out_block[:] = block[:, :3] * 2

    monkeypatch.setattr(_frontend, "_BLOCK_BYTES", 3 * 160)
    map_blocks(func, X, out, n_jobs=n_jobs, row_bytes=160)
    np.testing.assert_array_equal(out, X[:, :3] * 2)
    assert sorted(sizes) == block_sizes


@pytest.mark.parametrize("make", [AcousticStats170, MFCCFrames, MelSpectrogramChunker])
def test_unfitted_transform_equals_fit_then_transform(make):
    # fit learns nothing from the clips, so the tags say requires_fit=False and
    # the benchmark computes the features once for all folds.
    X = np.random.default_rng(0).normal(size=(3, 8000)).astype(np.float32)
    transformer = make(n_jobs=1)
    assert get_tags(transformer).requires_fit is False
    np.testing.assert_array_equal(
        transformer.transform(X), make(n_jobs=1).fit(X[:1]).transform(X)
    )
    assert not hasattr(transformer, "n_features_in_")


@pytest.mark.parametrize(
    "transformer",
    [AcousticStats170(), MelSpectrogramChunker(n_chunks=2), MFCCFrames()],
    ids=lambda t: type(t).__name__,
)
def test_features_are_finite_for_any_finite_amplitude(rng, transformer):
    # A float WAV file may hold samples far beyond full scale (1.0): a peak of
    # 1e18 overflowed the float32 power spectrum into inf and NaN features.
    clip = rng.standard_normal(16000).astype(np.float32)
    clip /= np.abs(clip).max()
    peaks = [1e-30, 1.0, 1e18, 3e38, np.finfo(np.float32).max]
    X = np.stack([clip * np.float32(peak) for peak in peaks])
    assert np.isfinite(X).all()
    features = transformer.fit_transform(X)
    assert np.isfinite(features).all()


def test_limit_peak_scales_loud_clips_by_a_power_of_two_only():
    X = np.array([[0.5, -1.0], [1e20, -3e20]], dtype=np.float32)
    limited = limit_peak(X)
    assert X[1, 0] == np.float32(1e20)  # the input is not modified
    np.testing.assert_array_equal(limited[0], X[0])
    assert MAX_PEAK / 2 < np.abs(limited[1]).max() <= MAX_PEAK
    assert limited[1, 1] / limited[1, 0] == X[1, 1] / X[1, 0]
    quiet = X[:1]
    assert limit_peak(quiet) is quiet
