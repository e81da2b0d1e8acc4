"""MelSpectrogramChunker against librosa's dB mel spectrogram, chunking, API.

Tolerances: rtol=1e-4 and atol=1e-3 dB.
"""

import pickle

import librosa
import numpy as np
import pytest
from sklearn.base import clone
from test_frontend import SR, speech_like

from sklearn_ser.features import MelSpectrogramChunker


def librosa_log_mel(y, transformer):
    """``power_to_db(melspectrogram(...))`` with ``transformer``'s settings."""
    mel = librosa.feature.melspectrogram(
        y=y,
        sr=transformer.sr,
        n_fft=transformer.n_fft_,
        win_length=transformer.win_length_,
        hop_length=transformer.hop_length_,
        window=transformer.window,
        n_mels=transformer.n_mels,
    )
    return librosa.power_to_db(mel, top_db=transformer.top_db)


@pytest.mark.parametrize("params", [dict(), dict(top_db=None, n_mels=64)])
def test_one_chunk_is_the_whole_log_mel_spectrogram(rng, params):
    X = speech_like(rng, 2, 3 * SR)
    transformer = MelSpectrogramChunker(n_chunks=1, **params).fit(X)
    chunks = transformer.transform(X)
    n_mels = params.get("n_mels", 128)
    assert chunks.shape == (2, 1, n_mels, 565) and chunks.dtype == np.float32
    for clip, y in enumerate(X):
        np.testing.assert_allclose(
            chunks[clip, 0], librosa_log_mel(y, transformer), rtol=1e-4, atol=1e-3
        )


def test_seven_chunks_overlap_by_half(rng):
    X = speech_like(rng, 2, 3 * SR)
    chunker = MelSpectrogramChunker().fit(X)
    assert (chunker.n_chunks_, chunker.chunk_frames_, chunker.chunk_hop_) == (
        7,
        141,
        70,
    )
    chunks = chunker.transform(X)
    assert chunks.shape == (2, 7, 128, 141)
    whole = MelSpectrogramChunker(n_chunks=1).fit_transform(X)[:, 0]
    for c in range(7):
        np.testing.assert_allclose(
            chunks[:, c], whole[:, :, 70 * c : 70 * c + 141], rtol=1e-6, atol=1e-4
        )


def test_paper_split_at_48khz(rng):
    # The paper: Hamming window 512, hop 256 at 48 kHz, 3-s clips, 7 chunks
    # (128 frames every 64 over the 563 frames).
    y = speech_like(rng, 1, 3 * 48000, sr=48000)
    chunker = MelSpectrogramChunker(
        sr=48000, n_chunks=None, chunk_frames=128, chunk_hop=64
    ).fit(y)
    assert (chunker.n_fft_, chunker.win_length_, chunker.hop_length_) == (
        1024,
        512,
        256,
    )
    assert (chunker.n_frames_, chunker.n_chunks_) == (563, 7)
    chunks = chunker.transform(y)[0]
    expected = librosa_log_mel(y[0], chunker)
    for c in range(7):
        np.testing.assert_allclose(
            chunks[c], expected[:, 64 * c : 64 * c + 128], rtol=1e-4, atol=1e-3
        )


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(n_chunks=None, chunk_frames=100), (4, 100, 50)),  # hop: half a chunk
        (dict(n_chunks=None, chunk_frames=100, chunk_hop=100), (2, 100, 100)),
        (dict(n_chunks=None, chunk_frames=263), (1, 263, 131)),
        (dict(n_chunks=3), (3, 131, 65)),
    ],
)
def test_chunk_geometry(params, expected):
    # 1 s at 16 kHz: 263 frames of hop 61.
    X = np.zeros((1, 16000), np.float32)
    chunker = MelSpectrogramChunker(hop_length=61, **params).fit(X)
    assert (chunker.n_chunks_, chunker.chunk_frames_, chunker.chunk_hop_) == expected
    assert chunker.n_frames_ == 263
    assert chunker.transform(X).shape == (1, expected[0], 128, expected[1])


def test_silence_and_padding_hold_the_db_floor(rng):
    X = np.zeros((2, SR), np.float32)
    X[1, : SR // 2] = speech_like(rng, 1, SR // 2)[0]
    chunks = MelSpectrogramChunker(n_chunks=1).fit_transform(X)[:, 0]
    np.testing.assert_array_equal(chunks[0], -100.0)
    # Frames of padding only sit at the clip's own floor, max - top_db.
    np.testing.assert_allclose(chunks[1, :, -10:], chunks[1].max() - 80.0, rtol=1e-6)


def test_clone_and_pickle_keep_the_chunks(rng):
    X = speech_like(rng, 2, SR)
    fitted = MelSpectrogramChunker(n_chunks=3, n_mels=40).fit(X)
    assert clone(fitted).get_params() == fitted.get_params()
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(X), fitted.transform(X)
    )


def test_four_d_output_offers_no_dataframe_output():
    assert not hasattr(MelSpectrogramChunker(), "set_output")
    assert not hasattr(MelSpectrogramChunker(), "get_feature_names_out")


def test_clip_length_must_match_fit(rng):
    fitted = MelSpectrogramChunker().fit(speech_like(rng, 1, SR))
    with pytest.raises(
        ValueError,
        match="X has 24000 features, but MelSpectrogramChunker is expecting 16000",
    ):
        fitted.transform(np.zeros((1, 24000), np.float32))


@pytest.mark.parametrize(
    "params, n_samples, message",
    [
        (
            dict(chunk_frames=128),
            SR,
            r"Set exactly one of n_chunks and chunk_frames; got n_chunks=7, "
            r"chunk_frames=128 \(pass n_chunks=None",
        ),
        (
            dict(n_chunks=None),
            SR,
            "Set exactly one of n_chunks and chunk_frames; got n_chunks=None, "
            "chunk_frames=None",
        ),
        (dict(chunk_hop=10), SR, "chunk_hop=10 needs chunk_frames"),
        (
            dict(n_chunks=10),
            600,
            r"n_chunks=10 half-overlapping chunks do not fit in 8 frames \(clips of "
            r"600 samples, hop_length=85\)",
        ),
        (
            dict(n_chunks=None, chunk_frames=200),
            SR,
            r"chunk_frames=200 is longer than the 189 frames of clips of 16000 "
            r"samples \(hop_length=85\)",
        ),
        (
            dict(),
            100,
            r"needs clips of at least one analysis window \(n_fft=512 samples\); "
            r"got X with 100 feature\(s\)",
        ),
        (dict(n_fft=128), SR, "win_length=171 is longer than n_fft=128"),
    ],
)
def test_bad_parameters_and_clips_are_rejected(params, n_samples, message):
    with pytest.raises(ValueError, match=message):
        MelSpectrogramChunker(**params).fit(np.zeros((1, n_samples), np.float32))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((2, 2, SR), np.float32), r"got an array of shape \(2, 2, 16000\)"),
        (np.full((1, SR), np.nan, np.float32), "Input X contains NaN"),
    ],
)
def test_bad_waveforms_are_rejected(X, message):
    with pytest.raises(ValueError, match=message):
        MelSpectrogramChunker().fit(X)
