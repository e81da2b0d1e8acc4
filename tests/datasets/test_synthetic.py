import re
from collections import Counter
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf
from joblib import parallel_config
from sklearn.model_selection import (
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.datasets import EMOTIONS, load_ravdess, make_emotional_speech

KIDS, DOGS = "Kids are talking by the door", "Dogs are sitting by the door"
RAVDESS_NAME = re.compile(r"03-01-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav")


@pytest.fixture(scope="module")
def small():
    """2 speakers x 8 emotions x 2 clips of 1 s."""
    return make_emotional_speech(
        n_speakers=2, n_clips_per_emotion=2, duration=1.0, random_state=0
    )


def level_db(waves: np.ndarray) -> np.ndarray:
    return 20 * np.log10(np.sqrt(np.mean(waves.astype(float) ** 2, axis=-1)))


def voiced_level_db(wave: np.ndarray) -> float:
    """RMS level (dB) of the frames within 20 dB of the loudest one."""
    rms = librosa.feature.rms(y=wave, frame_length=512, hop_length=256)[0]
    return 20 * np.log10(np.sqrt(np.mean(rms[rms > 0.1 * rms.max()] ** 2)))


def test_shapes_dtypes_and_metadata(small):
    assert small.data.shape == (32, 16000)
    assert small.data.dtype == np.float32
    assert small.sr == 16000
    assert small.paths is None
    assert small.target.tolist() == [e for e in EMOTIONS for _ in range(2)] * 2
    assert small.groups.tolist() == ["Actor_01"] * 16 + ["Actor_02"] * 16
    assert small.actor.tolist() == [1] * 16 + [2] * 16
    assert small.sex.tolist() == ["male"] * 16 + ["female"] * 16
    # Two clips: normal and strong of statement 1; neutral has no strong
    # intensity, so its second repetition instead.
    assert (
        small.intensity.tolist()
        == (["normal", "normal"] + ["normal", "strong"] * 7) * 2
    )
    assert small.statement.tolist() == [KIDS] * 32
    assert small.repetition.tolist() == ([1, 2] + [1, 1] * 7) * 2
    assert small.target_names.tolist() == list(EMOTIONS)
    assert small.DESCR.startswith("Synthetic emotional speech corpus")
    for key in ("target", "groups", "intensity", "statement", "repetition", "sex"):
        assert small[key].shape == (32,)


def test_eight_clips_per_emotion_give_ravdess_structure():
    corpus = make_emotional_speech(
        n_speakers=2, n_clips_per_emotion=8, duration=0.1, random_state=0
    )
    assert Counter(corpus.groups) == {"Actor_01": 60, "Actor_02": 60}
    counts = Counter(corpus.target)
    assert counts.pop("neutral") == 8 and set(counts.values()) == {16}
    takes = list(
        zip(
            corpus.actor,
            corpus.target,
            corpus.intensity,
            corpus.statement,
            corpus.repetition,
            strict=True,
        )
    )
    assert len(set(takes)) == 120
    neutral = corpus.target == "neutral"
    assert set(corpus.intensity[neutral]) == {"normal"}
    assert Counter(corpus.intensity[~neutral]) == {"normal": 56, "strong": 56}
    assert Counter(corpus.repetition) == {1: 60, 2: 60}


@pytest.mark.parametrize("n_clips", [1, 2, 3, 4, 8])
def test_every_emotion_has_the_same_mix_of_statements(n_clips):
    # Otherwise the statement would give neutral (no strong intensity) away.
    corpus = make_emotional_speech(
        n_speakers=2, n_clips_per_emotion=n_clips, duration=0.1, random_state=0
    )
    mixes = {
        emotion: Counter(corpus.statement[corpus.target == emotion])
        for emotion in EMOTIONS
    }
    shares = {
        emotion: mix[KIDS] / (mix[KIDS] + mix[DOGS]) for emotion, mix in mixes.items()
    }
    assert len(set(shares.values())) == 1, shares


def test_same_seed_gives_identical_clips_and_another_seed_does_not(small):
    again = make_emotional_speech(
        n_speakers=2, n_clips_per_emotion=2, duration=1.0, random_state=0
    )
    np.testing.assert_array_equal(again.data, small.data)
    legacy = make_emotional_speech(
        n_speakers=2,
        n_clips_per_emotion=2,
        duration=1.0,
        random_state=np.random.RandomState(0),
    )
    np.testing.assert_array_equal(legacy.data, small.data)
    other = make_emotional_speech(
        n_speakers=2, n_clips_per_emotion=2, duration=1.0, random_state=1
    )
    assert other.target.tolist() == small.target.tolist()
    assert not np.any(np.all(other.data == small.data, axis=1))


def test_clips_do_not_depend_on_n_jobs(small):
    # Threads rather than processes keep the test fast; either way every clip
    # has its own random stream.
    with parallel_config(backend="threading"):
        parallel = make_emotional_speech(
            n_speakers=2, n_clips_per_emotion=2, duration=1.0, random_state=0, n_jobs=2
        )
    np.testing.assert_array_equal(parallel.data, small.data)


def test_a_clip_does_not_depend_on_the_other_clips_generated(small):
    subset = make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=1,
        emotions=["surprised", "sad"],
        duration=1.0,
        random_state=0,
    )
    assert subset.target.tolist() == ["sad", "surprised"] * 3
    assert subset.target_names.tolist() == ["sad", "surprised"]
    # The first clip of each emotion is the normal-intensity take of statement 1.
    same = np.isin(small.target, ["sad", "surprised"]) & (small.intensity == "normal")
    np.testing.assert_array_equal(subset.data[:4], small.data[same])


def test_clips_are_finite_clip_protected_and_not_silent(small):
    assert np.isfinite(small.data).all()
    assert np.abs(small.data).max() <= 0.99
    # Every utterance starts at least 0.1 s into its clip.
    lead = level_db(small.data[:, :800])
    assert (level_db(small.data) > -60).all()
    assert (level_db(small.data) - lead > 20).all()


def test_background_noise_sits_noise_snr_db_below_neutral_speech():
    kwargs = dict(
        n_speakers=4,
        n_clips_per_emotion=4,
        emotions=["neutral", "angry"],
        random_state=0,
    )
    clean = make_emotional_speech(noise_snr_db=None, **kwargs)
    assert level_db(clean.data[:, :800]).max() < -90
    noisy = make_emotional_speech(noise_snr_db=20, **kwargs)
    snr = np.array([voiced_level_db(w) for w in noisy.data])
    snr -= level_db(noisy.data[:, :800])
    neutral = noisy.target == "neutral"
    # +-5 dB between speakers, and the recording channel colours the noise.
    assert 14 < np.median(snr[neutral]) < 26
    # The noise floor is fixed per speaker, so loud speech has a higher SNR.
    assert np.median(snr[~neutral]) > np.median(snr[neutral]) + 3


def test_emotions_change_loudness_pitch_and_rate_as_in_acted_speech():
    corpus = make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=4,
        emotions=["neutral", "sad", "angry", "surprised"],
        noise_snr_db=None,
        random_state=0,
    )
    levels, pitches, lengths = [], [], []
    for wave in corpus.data:
        rms = librosa.feature.rms(y=wave, frame_length=1024, hop_length=256)[0]
        voiced = rms > 0.1 * rms.max()
        f0 = librosa.yin(wave, fmin=60, fmax=600, sr=16000, frame_length=1024)
        levels.append(voiced_level_db(wave))
        pitches.append(np.median(12 * np.log2(f0[voiced])))
        active = np.flatnonzero(rms > 0.01 * rms.max())
        lengths.append((active[-1] - active[0]) * 256 / 16000)
    levels, pitches, lengths = map(np.array, (levels, pitches, lengths))

    def change(values, emotion):
        """Median change from neutral within each speaker, in the values' unit."""
        return np.median(
            [
                np.median(values[(corpus.groups == g) & (corpus.target == emotion)])
                - np.median(values[(corpus.groups == g) & (corpus.target == "neutral")])
                for g in np.unique(corpus.groups)
            ]
        )

    # Sad is acted as quiet sadness or as grief (louder, higher): no level claim.
    assert change(levels, "angry") > 4
    assert change(pitches, "surprised") > 2
    assert change(pitches, "sad") < -0.5
    assert change(lengths, "sad") > 0.2


def test_writes_ravdess_named_16_bit_wav_files(tmp_path):
    corpus = make_emotional_speech(
        n_speakers=2,
        n_clips_per_emotion=4,
        emotions=["neutral", "calm", "angry"],
        duration=0.5,
        random_state=0,
        output_dir=tmp_path / "synthetic",
    )
    assert corpus.paths.shape == (24,)
    for path, wave, target, intensity, statement, repetition, actor in zip(
        corpus.paths,
        corpus.data,
        corpus.target,
        corpus.intensity,
        corpus.statement,
        corpus.repetition,
        corpus.actor,
        strict=True,
    ):
        path = Path(path)
        assert path.parent == tmp_path / "synthetic" / f"Actor_{actor:02d}"
        codes = [int(code) for code in RAVDESS_NAME.fullmatch(path.name).groups()]
        assert codes == [
            EMOTIONS.index(target) + 1,
            ["normal", "strong"].index(intensity) + 1,
            [KIDS, DOGS].index(statement) + 1,
            repetition,
            actor,
        ]
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.frames) == (16000, 1, 8000)
        assert info.subtype == "PCM_16"
        # 16-bit quantisation: half a step of rounding plus the 32767/32768
        # scale difference between writing and reading floats.
        np.testing.assert_allclose(sf.read(path, dtype="float32")[0], wave, atol=2e-4)
    assert len(set(corpus.paths)) == 24


def test_load_ravdess_finds_the_written_corpus(tmp_path):
    corpus = make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=8,
        duration=0.1,
        random_state=0,
        output_dir=tmp_path,
    )
    loaded = load_ravdess(tmp_path)
    for key in (
        "paths",
        "target",
        "groups",
        "intensity",
        "statement",
        "repetition",
        "actor",
        "sex",
        "target_names",
    ):
        assert loaded[key].tolist() == corpus[key].tolist(), key


def test_writing_twice_overwrites(tmp_path):
    kwargs = dict(n_speakers=2, n_clips_per_emotion=1, duration=0.2)
    make_emotional_speech(random_state=0, output_dir=tmp_path, **kwargs)
    second = make_emotional_speech(random_state=1, output_dir=tmp_path, **kwargs)
    assert len(list(tmp_path.glob("Actor_*/*.wav"))) == 16
    np.testing.assert_allclose(
        sf.read(second.paths[0], dtype="float32")[0], second.data[0], atol=2e-4
    )


@pytest.mark.parametrize("sr", [8000, 22050])
def test_other_sample_rates(sr):
    corpus = make_emotional_speech(
        n_speakers=2,
        emotions=["sad", "angry"],
        n_clips_per_emotion=1,
        sr=sr,
        random_state=0,
    )
    assert corpus.data.shape == (4, 3 * sr) and corpus.sr == sr
    assert np.isfinite(corpus.data).all()
    assert (level_db(corpus.data) > -60).all()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_speakers": 1}, ValueError, "n_speakers == 1, must be >= 2."),
        (
            {"n_speakers": 25},
            ValueError,
            "n_speakers == 25, must be <= 24: speakers are numbered like the "
            "RAVDESS actors 01-24.",
        ),
        (
            {"n_speakers": 2.0},
            TypeError,
            "n_speakers must be an instance of int, not float.",
        ),
        (
            {"n_clips_per_emotion": 0},
            ValueError,
            "n_clips_per_emotion == 0, must be >= 1.",
        ),
        (
            {"n_clips_per_emotion": 9},
            ValueError,
            "n_clips_per_emotion == 9, must be <= 8: RAVDESS names distinguish 2 "
            "intensities x 2 statements x 2 repetitions per speaker and emotion.",
        ),
        ({"duration": 0}, ValueError, "duration == 0, must be >= 0.1."),
        ({"duration": -1.0}, ValueError, "duration == -1.0, must be >= 0.1."),
        (
            {"duration": "3"},
            TypeError,
            "duration must be an instance of float, not str.",
        ),
        (
            {"duration": float("inf")},
            ValueError,
            "duration == inf, must be a finite number of s.",
        ),
        (
            {"duration": float("nan")},
            ValueError,
            "duration == nan, must be a finite number of s.",
        ),
        ({"sr": 0}, ValueError, "sr == 0, must be >= 8000."),
        ({"sr": 4000}, ValueError, "sr == 4000, must be >= 8000."),
        ({"sr": 16000.0}, TypeError, "sr must be an instance of int, not float."),
        (
            {"noise_snr_db": "loud"},
            TypeError,
            "noise_snr_db must be an instance of float, not str.",
        ),
        (
            {"noise_snr_db": float("nan")},
            ValueError,
            "noise_snr_db == nan, must be a finite number of dB (None for no "
            "background noise).",
        ),
        (
            {"emotions": ["happy", "joy", "anger"]},
            ValueError,
            "emotions contains unknown names ['anger', 'joy']; valid names are "
            "['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', "
            "'surprised'].",
        ),
        (
            {"emotions": "happy"},
            TypeError,
            "emotions must be a sequence of emotion names from ['neutral', "
            "'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], "
            "got the string 'happy'.",
        ),
        (
            {"emotions": ["sad", "happy", "sad"]},
            ValueError,
            "emotions contains duplicates: ['sad', 'happy', 'sad'].",
        ),
        (
            {"emotions": ["sad"]},
            ValueError,
            "emotions must name at least 2 emotions from ['neutral', 'calm', "
            "'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], got "
            "['sad'].",
        ),
    ],
)
def test_bad_parameters_are_named_in_the_error(kwargs, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        make_emotional_speech(**kwargs)


def mfcc_statistics(waves: np.ndarray, sr: int) -> np.ndarray:
    """Mean and std over time of 20 MFCCs, and the same of the frame level."""
    features = []
    for wave in waves:
        mfcc = librosa.feature.mfcc(y=wave, sr=sr, n_mfcc=20)
        rms = np.log(librosa.feature.rms(y=wave)[0] + 1e-6)
        features.append(
            np.concatenate([mfcc.mean(1), mfcc.std(1), [rms.mean(), rms.std()]])
        )
    return np.array(features)


@pytest.mark.slow
def test_is_a_real_learning_problem_harder_for_unseen_speakers():
    corpus = make_emotional_speech(n_speakers=8, random_state=0)
    features = mfcc_statistics(corpus.data, corpus.sr)
    model = make_pipeline(StandardScaler(), SVC())
    unseen = cross_val_score(
        model,
        features,
        corpus.target,
        groups=corpus.groups,
        cv=StratifiedGroupKFold(4, shuffle=True, random_state=0),
    ).mean()
    seen = cross_val_score(
        model,
        features,
        corpus.target,
        cv=StratifiedKFold(4, shuffle=True, random_state=0),
    ).mean()
    chance = 1 / len(corpus.target_names)
    assert 2 * chance < unseen < 0.95
    assert seen > unseen + 0.05
