"""A synthetic emotional speech corpus laid out like RAVDESS.

Clips are synthesised with a source-filter model of speech: a glottal pulse
train with a time-varying F0 contour, jitter, shimmer and aspiration noise,
filtered by five time-varying formant resonators, with stop bursts and
fricatives at syllable edges, background noise and a per-speaker recording
channel. Emotions change the source-filter parameters the way acted emotional
speech does, and every speaker has a personal way of expressing each emotion,
so that a speaker-independent evaluation is clearly harder than a random
split, as on real corpora.
"""

from __future__ import annotations

import io
import numbers
import os
from collections.abc import Sequence
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
from joblib import Parallel, delayed
from scipy.fft import next_fast_len
from sklearn.utils import Bunch, check_random_state, check_scalar

from sklearn_ser.audio import DEFAULT_SR
from sklearn_ser.datasets._emotions import EMOTIONS

# RAVDESS has actors 01-24 and, per actor, emotion and statement, two
# intensities x two repetitions; the corpus keeps its file-name fields valid.
_MAX_SPEAKERS = 24
_MAX_CLIPS_PER_EMOTION = 8
_MIN_SR = 8000  # the first three formants must lie below the Nyquist frequency
_MIN_DURATION = 0.1  # s; a few of the 32 ms frames of the vocal tract filter
_PEAK = 0.99  # headroom so that 16-bit WAV files never clip
_LEVEL_DB = -36.0  # typical RMS of neutral speech, low enough for loud emotions

# Formants F1-F5 (Hz) of an adult male at the start and end of each vowel
# (Peterson & Barney 1952 for F1-F3; F4, F5 approximate). AY is a diphthong.
_VOWELS = {
    "IH": ((390.0, 1990.0, 2550.0, 3500.0, 4500.0),) * 2,
    "AA": ((730.0, 1090.0, 2440.0, 3400.0, 4400.0),) * 2,
    "AO": ((570.0, 840.0, 2410.0, 3300.0, 4400.0),) * 2,
    "AX": ((500.0, 1500.0, 2500.0, 3500.0, 4500.0),) * 2,
    "AY": (
        (660.0, 1720.0, 2410.0, 3400.0, 4400.0),
        (420.0, 2000.0, 2600.0, 3500.0, 4500.0),
    ),
}
_SCHWA = np.array(_VOWELS["AX"][0])
_BANDWIDTHS = np.array([60.0, 80.0, 120.0, 160.0, 200.0])

# The two RAVDESS statements, one tuple per syllable:
# (onset consonant, vowel, coda fricative, stressed, word-final).
_STATEMENTS = (
    (  # "Kids are talking by the door"
        ("stop", "IH", True, True, True),
        ("", "AA", False, False, True),
        ("stop", "AO", False, True, False),
        ("stop", "IH", False, False, True),
        ("stop", "AY", False, False, True),
        ("weak", "AX", False, False, True),
        ("stop", "AO", False, True, True),
    ),
    (  # "Dogs are sitting by the door"
        ("stop", "AO", True, True, True),
        ("", "AA", False, False, True),
        ("sibilant", "IH", False, True, False),
        ("stop", "IH", False, False, True),
        ("stop", "AY", False, False, True),
        ("weak", "AX", False, False, True),
        ("stop", "AO", False, True, True),
    ),
)

# Expressive dimensions of a clip, relative to the speaker's neutral voice.
_DIMS = (
    "pitch",  # F0 level shift (semitones)
    "range",  # F0 range (log2 factor)
    "rate",  # syllable rate (% change)
    "loudness",  # level (dB)
    "tilt",  # spectral tilt (dB/octave; > 0 flatter, as in loud, tense voice)
    "breath",  # aspiration noise (log2 factor)
    "jitter",  # cycle-to-cycle F0 perturbation (log2 factor)
    "shimmer",  # cycle-to-cycle amplitude perturbation (log2 factor)
    "articulation",  # vowel space expansion (> 0) or centralisation (< 0)
    "formants",  # all formant frequencies (% change; > 0 e.g. smiling)
    "contour",  # terminal F0 movement over the last syllables (semitones)
    "tremor",  # 5-8 Hz F0 modulation depth (semitones)
    "pauses",  # pauses between words (log2 factor)
)
# A typical size of a change along each dimension: scales the speaker styles
# and the clip-to-clip variation.
_UNITS = np.array([1.0, 0.3, 7.0, 2.0, 1.0, 0.5, 0.5, 0.5, 0.2, 1.5, 1.5, 0.15, 0.4])

# Changes of the acoustic cues from neutral speech, after the reviews of
# Murray & Arnott (1993), Banse & Scherer (1996), Juslin & Laukka (2003) and
# Scherer (2003). Most emotions have two ways of being acted (e.g. hot and cold
# anger, quiet sadness and grief); every speaker mixes them in a proportion of
# their own. Calm is a slightly slower, softer, breathier neutral.
# fmt: off
_PROFILES = {
    # columns: _DIMS
    #    pitch range  rate  loud  tilt  brth  jitr  shim artic  frmt contr  trem pause
    "neutral": [
        (    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0),
    ],
    "calm": [
        ( -0.6, -0.2,   -4, -1.5, -0.5,  0.3,    0,    0, -0.1,    0, -0.5,    0,  0.2),
    ],
    "happy": [  # elation; contentment (smiling)
        (    3,  0.5,    7,    5,    2,    0, -0.2,    0,  0.2,    3,    0,    0, -0.2),
        (    1,  0.2,    0,    1,  0.5,  0.2, -0.2,    0,  0.1,    4,    1,    0,    0),
    ],
    "sad": [  # quiet sadness; grief, close to crying
        (   -2, -0.8,  -22,   -3,   -3,  0.8,  0.3,  0.3, -0.5,   -1,   -3, 0.05,  0.6),
        (    2, -0.3,  -19,    2,   -1,    1,  0.8,  0.6, -0.3,   -1,   -2,  0.4,  0.6),
    ],
    "angry": [  # hot anger; cold anger
        (  2.5,  0.4,   11,    9,    4, -0.5,  0.2,  0.2,  0.5,    2,   -2,    0, -0.3),
        (   -1, -0.2,   -7,    4,    2, -0.5,    0,    0,  0.6,    0,   -3,    0,  0.2),
    ],
    "fearful": [  # panic; anxiety
        (    5, -0.1,   19,    3,  0.5,    1,    1,  0.5, -0.2,    1,    1,  0.5,  0.2),
        (    2, -0.4,   15,   -2,   -1,  1.2,  0.6,  0.4, -0.3,    0,  0.5,  0.3,  0.4),
    ],
    "disgust": [  # contempt; revulsion
        ( -1.5,  0.2,  -19,    1,   -1,  0.3,  0.6,  0.4, -0.2,   -2,   -2,    0,  0.4),
        (    1,  0.4,   -7,    3,  0.5,  0.6,  0.4,  0.4,  0.3,   -3,   -1,    0,    0),
    ],
    "surprised": [  # amazement; startle
        (    5,  0.8,    0,    4,  1.5,  0.3,    0,    0,  0.3,    1,    5,    0,    0),
        (    4,  0.3,   15,    5,    2,  0.5,  0.2,    0,  0.2,    0,    2,    0, -0.2),
    ],
}
# fmt: on
_PROFILES = {emotion: np.array(ways) for emotion, ways in _PROFILES.items()}

# How much a speaker's own expression of an emotion departs from the profile,
# and how much two takes of the same speaker, emotion and intensity differ,
# both in _UNITS.
_STYLE_SD = 0.8
_TAKE_SD = 0.5
_INTENSITY = (0.75, 1.15)  # scale the expression: RAVDESS intensities 01, 02

# (intensity, statement, repetition) codes of the k-th clip of an emotion: the
# first 4 cover both intensities of both statements. Neutral has no strong
# intensity in RAVDESS, so it has at most 4 clips, its second repetition
# standing in for the strong intensity; then 1-4 or 8 clips give every emotion
# the same mix of statements, and the statement does not give neutral away.
_TAKES = [(i, s, r) for r in (1, 2) for s in (1, 2) for i in (1, 2)]
_NEUTRAL_TAKES = [(1, s, r) for s in (1, 2) for r in (1, 2)]
_SENTENCES = ("Kids are talking by the door", "Dogs are sitting by the door")


def make_emotional_speech(
    n_speakers: int = 12,
    n_clips_per_emotion: int = 4,
    *,
    emotions: Sequence[str] = EMOTIONS,
    duration: float = 3.0,
    sr: int = DEFAULT_SR,
    noise_snr_db: float | None = 40.0,
    random_state=None,
    output_dir=None,
    n_jobs: int | None = None,
) -> Bunch:
    """Generate a synthetic emotional speech corpus with RAVDESS's structure.

    Every speaker says RAVDESS's two statements in each emotion at two
    intensities (and, for more clips, a second repetition), with silence
    before and after, by source-filter synthesis; the clips can also be
    written as RAVDESS-named WAV files. Speakers express emotions in ways of
    their own, so that, as on real corpora, models score clearly lower on
    unseen speakers than on a random split. The default corpus (12 speakers x
    8 emotions x 4 clips = 384 clips of 3 s at 16 kHz) is the project's
    built-in benchmark: big enough for six speaker-independent folds of two
    speakers each, small enough to cross-validate several models on two CPU
    cores in minutes. ``DESCR`` of the result says how the clips are made.

    Parameters
    ----------
    n_speakers : int, default=12
        Number of speakers (RAVDESS actors ``01`` to ``n_speakers``; odd
        numbers are male, even numbers female). Between 2 and 24.
    n_clips_per_emotion : int, default=4
        Clips per speaker and emotion, between 1 and 8: the first 4 are the
        normal and strong intensity of both statements, the next 4 their
        second repetitions. As in RAVDESS, neutral has no strong intensity, so
        it has both repetitions of both statements instead and never more
        than 4 clips: up to 4 the classes are balanced, and 8 gives RAVDESS's
        60 clips per speaker.
    emotions : sequence of str, default=EMOTIONS
        Emotions to generate, a subset of
        :data:`sklearn_ser.datasets.EMOTIONS`. A clip does not depend on which
        other emotions or speakers are generated.
    duration : float, default=3.0
        Length of every clip in seconds, at least 0.1. Utterances mostly last
        1.3 to 2.5 s (sad and disgust slowest) and start 0.5 to 0.9 s into
        the clip, as in RAVDESS, or earlier (down to 0.1 s) to fit in the
        clip; what still does not fit is cut (about 1 in 100 clips at 3 s).
    sr : int, default=DEFAULT_SR
        Sample rate in Hz, at least 8000.
    noise_snr_db : float or None, default=40.0
        Level of the background noise below each speaker's neutral speech
        level, in dB (varies by +-5 dB between speakers). The noise floor is
        fixed per speaker, so soft emotions have a lower SNR than loud ones.
        ``None`` adds no background noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the corpus. The same seed gives bit-identical clips.
    output_dir : str or path-like, default=None
        If given, also write every clip as a 16-bit WAV file
        ``output_dir/Actor_NN/03-01-EE-II-SS-RR-NN.wav`` (RAVDESS names:
        audio-only speech, emotion, intensity, statement, repetition, actor),
        so that :func:`~sklearn_ser.datasets.load_ravdess` finds them. A file
        that already holds the same clip is left untouched (so a corpus made
        again keeps its cached features); any other file of the same name is
        replaced.
    n_jobs : int, default=None
        Number of parallel jobs (joblib); the clips do not depend on it.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_clips, n_samples), dtype float32
            Waveforms in [-0.99, 0.99], ``n_samples = round(duration * sr)``,
            ordered by speaker and then as RAVDESS file names sort.
        target : ndarray of str
            Emotion of every clip, from :data:`~sklearn_ser.datasets.EMOTIONS`.
        groups : ndarray of str
            Speaker ids ``"Actor_NN"``: pass them to a group-aware splitter.
        paths : ndarray of str or None
            Absolute paths of the written files, or None without ``output_dir``.
        sr : int
            Sample rate.
        intensity : ndarray of str
            ``"normal"`` or ``"strong"``.
        statement : ndarray of str
            The sentence spoken.
        repetition : ndarray of int
            1 or 2.
        actor : ndarray of int
            Speaker number, 1 to ``n_speakers``.
        sex : ndarray of str
            ``"male"`` (odd actors) or ``"female"`` (even actors).
        target_names : ndarray of str
            The generated emotions, in canonical order.
        DESCR : str
            How the corpus is made and what it is for.

    Raises
    ------
    ValueError
        If a parameter is out of range or an emotion is unknown.
    TypeError
        If a numeric parameter has the wrong type or ``emotions`` is a string.

    See Also
    --------
    load_ravdess : The real corpus this one imitates.

    Examples
    --------
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> corpus = make_emotional_speech(
    ...     n_speakers=2, n_clips_per_emotion=1, emotions=["sad", "angry"],
    ...     duration=1.0, random_state=0)
    >>> corpus.data.shape, corpus.data.dtype
    ((4, 16000), dtype('float32'))
    >>> corpus.target.tolist()
    ['sad', 'angry', 'sad', 'angry']
    >>> corpus.groups.tolist()
    ['Actor_01', 'Actor_01', 'Actor_02', 'Actor_02']
    """
    check_scalar(n_speakers, "n_speakers", numbers.Integral, min_val=2)
    if n_speakers > _MAX_SPEAKERS:
        raise ValueError(
            f"n_speakers == {n_speakers}, must be <= {_MAX_SPEAKERS}: speakers are "
            f"numbered like the RAVDESS actors 01-{_MAX_SPEAKERS}."
        )
    check_scalar(
        n_clips_per_emotion, "n_clips_per_emotion", numbers.Integral, min_val=1
    )
    if n_clips_per_emotion > _MAX_CLIPS_PER_EMOTION:
        raise ValueError(
            f"n_clips_per_emotion == {n_clips_per_emotion}, must be <= "
            f"{_MAX_CLIPS_PER_EMOTION}: RAVDESS names distinguish 2 intensities x 2 "
            "statements x 2 repetitions per speaker and emotion."
        )
    check_scalar(duration, "duration", numbers.Real, min_val=_MIN_DURATION)
    if not np.isfinite(duration):
        raise ValueError(f"duration == {duration}, must be a finite number of s.")
    check_scalar(sr, "sr", numbers.Integral, min_val=_MIN_SR)
    if noise_snr_db is not None:
        check_scalar(noise_snr_db, "noise_snr_db", numbers.Real)
        if not np.isfinite(noise_snr_db):
            raise ValueError(
                f"noise_snr_db == {noise_snr_db}, must be a finite number of dB "
                "(None for no background noise)."
            )
    emotions = _check_emotions(emotions)
    n_samples = round(duration * sr)

    entropy = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=4)
    # In file-name order, so that paths come out sorted as loaders sort them.
    clips = [
        (actor, code, *take)
        for actor in range(1, n_speakers + 1)
        for code in (EMOTIONS.index(emotion) + 1 for emotion in emotions)
        for take in sorted(
            (_NEUTRAL_TAKES if code == 1 else _TAKES)[:n_clips_per_emotion]
        )
    ]
    # One task per speaker: the speaker's noises and channel are drawn once.
    per_speaker = Parallel(n_jobs=n_jobs)(
        delayed(_speak)(
            entropy,
            [clip for clip in clips if clip[0] == actor],
            n_samples,
            sr,
            noise_snr_db,
        )
        for actor in range(1, n_speakers + 1)
    )
    data = np.stack([wave for waves in per_speaker for wave in waves])

    actor, code, intensity, statement, repetition = np.array(clips).T
    paths = None
    if output_dir is not None:
        root = Path(output_dir).absolute()
        paths = np.array(
            [
                str(
                    root
                    / f"Actor_{a:02d}"
                    / f"03-01-{e:02d}-{i:02d}-{s:02d}-{r:02d}-{a:02d}.wav"
                )
                for a, e, i, s, r in clips
            ]
        )
        for path, wave in zip(paths, data, strict=True):
            _write_clip(Path(path), wave, sr)

    return Bunch(
        data=data,
        target=np.array(EMOTIONS)[code - 1],
        groups=np.array([f"Actor_{number:02d}" for number in actor]),
        paths=paths,
        sr=sr,
        intensity=np.array(["normal", "strong"])[intensity - 1],
        statement=np.array(_SENTENCES)[statement - 1],
        repetition=repetition,
        actor=actor,
        sex=np.where(actor % 2 == 1, "male", "female"),
        target_names=np.array(emotions),
        DESCR=_DESCR,
    )


def _write_clip(path: Path, wave: np.ndarray, sr: int) -> None:
    """Write a 16-bit WAV file, unless the file already holds exactly its bytes.

    A corpus made again into the same folder then leaves its files untouched
    (modification times included); a changed file is replaced atomically, so
    a reader never sees half of it.
    """
    buffer = io.BytesIO()
    sf.write(buffer, wave, sr, subtype="PCM_16", format="WAV")
    content = buffer.getvalue()
    try:
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return
    except OSError:  # absent or unreadable: (re)write it
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _check_emotions(emotions: Sequence[str]) -> tuple[str, ...]:
    """Canonically ordered, validated subset of EMOTIONS."""
    if isinstance(emotions, str):
        raise TypeError(
            f"emotions must be a sequence of emotion names from {list(EMOTIONS)}, "
            f"got the string {emotions!r}."
        )
    emotions = list(emotions)
    unknown = sorted(set(emotions) - set(EMOTIONS), key=str)
    if unknown:
        raise ValueError(
            f"emotions contains unknown names {unknown}; valid names are "
            f"{list(EMOTIONS)}."
        )
    if len(set(emotions)) != len(emotions):
        raise ValueError(f"emotions contains duplicates: {emotions}.")
    if len(emotions) < 2:
        raise ValueError(
            f"emotions must name at least 2 emotions from {list(EMOTIONS)}, "
            f"got {emotions}."
        )
    return tuple(emotion for emotion in EMOTIONS if emotion in emotions)


def _generator(entropy: np.ndarray, *key: int) -> np.random.Generator:
    """Independent stream for one speaker, speaker-emotion pair or clip."""
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))


def _draw_speaker(entropy: np.ndarray, actor: int, n_samples: int, sr: int) -> dict:
    """Voice, speaking habits and recording session of one speaker."""
    rng = _generator(entropy, 0, actor)
    male = actor % 2 == 1
    speaker = {
        "f0": (115.0 if male else 205.0) * np.exp(rng.normal(0.0, 0.12)),
        "vtl": (1.0 if male else 1.16) * np.exp(rng.normal(0.0, 0.04)),
        "range": rng.uniform(2.5, 5.0),
        "rate": 5.8 * np.exp(rng.normal(0.0, 0.1)),
        "gap": rng.uniform(0.02, 0.08),
        "level_db": _LEVEL_DB + rng.normal(0.0, 2.0),
        "open_quotient": rng.uniform(0.5, 0.7),
        "breath": np.exp(rng.uniform(np.log(0.03), np.log(0.15))),
        "jitter": rng.uniform(0.004, 0.012),
        "shimmer": rng.uniform(0.03, 0.08),
        "tilt": rng.normal(0.0, 1.5),
        "bandwidth": np.exp(rng.normal(0.0, 0.15)),
        "expressiveness": np.exp(rng.normal(0.0, 0.25)),
        "expression": _draw_expression(rng),
        "snr_offset_db": rng.uniform(-5.0, 5.0),
    }
    # Spectral shapes shared by all clips of the speaker: consonant noise
    # scales with the vocal tract; the recording session has a microphone
    # high-pass and colouration, a coloured noise floor and mains hum.
    freqs = np.fft.rfftfreq(n_samples, 1 / sr)
    octaves = np.log2(np.maximum(freqs, 50.0) / 1000.0)
    # Clips take random excerpts of the speaker's consonant noises, which is
    # cheaper than shaping new noise for a few short consonants per clip.
    hiss = _band(octaves, np.log2(5.5 * speaker["vtl"]), 0.5)
    speaker["hiss"] = _shaped_noise(hiss, n_samples, rng)
    burst = _band(octaves, np.log2(2.5 * speaker["vtl"]), 1.2)
    speaker["burst"] = _shaped_noise(burst, n_samples, rng)
    channel_freqs = np.fft.rfftfreq(_channel_fft_size(n_samples, sr), 1 / sr)
    channel_octaves = np.log2(np.maximum(channel_freqs, 50.0) / 1000.0)
    gain_db = rng.normal(0.0, 1.0) * channel_octaves
    for _ in range(3):
        centre = rng.uniform(np.log2(0.15), np.log2(6.0))
        width = rng.uniform(0.5, 1.5)
        gain_db += rng.normal(0.0, 3.0) * _band(channel_octaves, centre, width)
    ratio = (channel_freqs / rng.uniform(50.0, 150.0)) ** 2
    speaker["channel"] = ratio / (1 + ratio) * 10 ** (gain_db / 20)
    speaker["noise_colour"] = np.maximum(freqs, 20.0) ** (-rng.uniform(0.0, 1.0))
    phase = 2 * np.pi * rng.choice([50.0, 60.0]) * np.arange(n_samples) / sr
    hum = np.sin(phase) + np.sin(2 * phase + rng.uniform(0, 2 * np.pi)) / 2
    speaker["hum"] = 10 ** (rng.uniform(-20.0, 0.0) / 20) * hum
    return speaker


def _channel_fft_size(n_samples: int, sr: int) -> int:
    """FFT size of the channel filter: zero padding keeps the end of an
    utterance cut by the clip from wrapping around into its start."""
    return next_fast_len(n_samples + sr // 20, real=True)


def _draw_expression(rng: np.random.Generator) -> np.ndarray:
    """How a speaker expresses each emotion: cue changes from neutral, per emotion."""
    expression = np.zeros((len(EMOTIONS), len(_DIMS)))
    for i, emotion in enumerate(EMOTIONS[1:], start=1):
        ways = _PROFILES[emotion]
        mix = rng.dirichlet(np.ones(len(ways)))
        style = rng.standard_normal(len(_DIMS)) * _UNITS * _STYLE_SD
        expression[i] = mix @ ways + style
    return expression


def _speak(
    entropy: np.ndarray,
    clips: list[tuple[int, int, int, int, int]],
    n_samples: int,
    sr: int,
    noise_snr_db: float | None,
) -> list[np.ndarray]:
    """The clips of one speaker, in order."""
    speaker = _draw_speaker(entropy, clips[0][0], n_samples, sr)
    return [
        _synthesise_clip(entropy, clip, speaker, n_samples, sr, noise_snr_db)
        for clip in clips
    ]


def _synthesise_clip(
    entropy: np.ndarray,
    clip: tuple[int, int, int, int, int],
    speaker: dict,
    n_samples: int,
    sr: int,
    noise_snr_db: float | None,
) -> np.ndarray:
    """The clip with RAVDESS codes actor, emotion, intensity, statement, repetition."""
    rng = _generator(entropy, 1, *clip)
    _, code, intensity, statement, _ = clip
    strength = (
        _INTENSITY[intensity - 1]
        * speaker["expressiveness"]
        * np.exp(rng.normal(0, 0.1))
    )
    cues = strength * speaker["expression"][code - 1]
    cues += rng.standard_normal(len(_DIMS)) * _UNITS * _TAKE_SD
    cues = dict(zip(_DIMS, cues, strict=True))
    syllables = _STATEMENTS[statement - 1]
    t = np.arange(n_samples) / sr

    timing = _timing(syllables, speaker, cues, rng, n_samples / sr)
    envelope = _voicing_envelope(timing, syllables, cues, t)
    f0 = _f0_contour(timing, syllables, speaker, cues, rng, t)
    voiced, aspiration = _glottal_source(f0, envelope, speaker, cues, rng, sr)
    speech = _vocal_tract(voiced + aspiration, timing, syllables, speaker, cues, sr)
    active = envelope > 0.1
    level = np.sqrt(np.mean(speech[active] ** 2)) if active.any() else 1.0
    gain = 10 ** ((speaker["level_db"] + cues["loudness"]) / 20)
    speech *= gain / level
    speech += gain * _consonant_noise(timing, syllables, speaker, cues, rng, t)
    if noise_snr_db is not None:
        noise = _shaped_noise(speaker["noise_colour"], n_samples, rng) + speaker["hum"]
        floor_db = speaker["level_db"] - noise_snr_db - speaker["snr_offset_db"]
        speech += noise * 10 ** (floor_db / 20) / np.sqrt(np.mean(noise**2))
    n_fft = _channel_fft_size(n_samples, sr)
    spectrum = np.fft.rfft(speech, n_fft) * speaker["channel"]
    wave = np.fft.irfft(spectrum, n_fft)[:n_samples]
    peak = np.max(np.abs(wave))
    if peak > _PEAK:
        wave *= _PEAK / peak
    return wave.astype(np.float32)


def _timing(syllables, speaker, cues, rng, length) -> dict:
    """Start, voicing onset/offset and end time (s) of every syllable."""
    stressed = np.array([s[3] for s in syllables])
    word_final = np.array([s[4] for s in syllables])
    rate = speaker["rate"] * max(1 + cues["rate"] / 100, 0.5)
    durations = np.where(stressed, 1.25, 0.85) / rate
    durations *= np.exp(rng.normal(0.0, 0.1, len(syllables)))
    durations[-1] *= 1.4  # phrase-final lengthening
    gaps = np.where(
        word_final,
        speaker["gap"] * 2 ** cues["pauses"] * rng.uniform(0.3, 1.5, len(syllables)),
        0.0,
    )
    offsets = np.concatenate([[0.0], np.cumsum(durations + gaps)[:-1]])
    # Silence before the utterance as in RAVDESS (about 0.6 to 1 s there), less
    # where the utterance would not fit in the clip otherwise, like a corpus
    # cut around its sentences.
    lead = rng.uniform(0.5, 0.9)
    lead = max(min(lead, length - 0.1 - offsets[-1] - durations[-1]), 0.1)
    starts = lead + offsets
    ends = starts + durations
    onset = {"stop": 0.035, "sibilant": 0.08, "weak": 0.03, "": 0.0}
    # Consonants take at most 40 % of a syllable each, so that very fast
    # speech keeps a vowel in every syllable.
    voice_on = starts + np.minimum([onset[s[0]] for s in syllables], 0.4 * durations)
    coda = np.minimum([0.07 if s[2] else 0.0 for s in syllables], 0.4 * durations)
    return {"start": starts, "end": ends, "on": voice_on, "off": ends - coda}


def _voicing_envelope(timing, syllables, cues, t) -> np.ndarray:
    """Amplitude of voicing: one attack-sustain-release per syllable."""
    attack = 0.025 * 2 ** (-cues["loudness"] / 10)
    knots_t, knots_a = [], []
    for on, off, syllable in zip(timing["on"], timing["off"], syllables, strict=True):
        height = 1.0 if syllable[3] else 0.7
        rise = min(attack, 0.3 * (off - on))
        fall = min(0.04, 0.3 * (off - on))
        knots_t += [on, on + rise, off - fall, off]
        knots_a += [0.0, height, 0.75 * height, 0.0]
    return np.interp(t, knots_t, knots_a, left=0.0, right=0.0) ** 1.5


def _f0_contour(timing, syllables, speaker, cues, rng, t) -> np.ndarray:
    """F0 in Hz: accents on stressed syllables, declination, terminal movement."""
    n = len(syllables)
    semitones = speaker["range"] * 2 ** max(cues["range"], -3.0)  # never flat
    stressed = np.array([s[3] for s in syllables])
    accents = semitones * np.where(
        stressed, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.25, n)
    )
    centres = (timing["on"] + timing["off"]) / 2
    position = (centres - centres[0]) / max(centres[-1] - centres[0], 1e-3)
    terminal = cues["contour"] * np.clip(3 * position - 2, 0, 1)
    level = cues["pitch"] + accents - 0.25 * semitones * position + terminal
    knots_t = np.column_stack([timing["on"], centres]).ravel()
    knots_v = np.column_stack([level - 0.4 * accents, level]).ravel()
    # The contour is smooth: compute it every millisecond, then interpolate.
    grid = np.arange(0.0, t[-1] + 0.002, 0.001)
    contour = np.interp(grid, knots_t, knots_v)
    drift_t = np.arange(0.0, t[-1] + 0.1, 0.1)
    contour += np.interp(grid, drift_t, rng.normal(0.0, 0.3, len(drift_t)))
    tremor = max(cues["tremor"], 0.0)
    contour += tremor * np.sin(
        2 * np.pi * rng.uniform(5.0, 8.0) * grid + rng.uniform(0, 2 * np.pi)
    )
    return np.interp(t, grid, speaker["f0"] * 2 ** (contour / 12))


def _glottal_source(f0, envelope, speaker, cues, rng, sr):
    """Differentiated Rosenberg pulses with jitter and shimmer, and aspiration."""
    cycle = np.floor(np.cumsum(f0) / sr).astype(np.int64)
    jitter = speaker["jitter"] * 2 ** cues["jitter"]
    f0 = f0 * (1 + jitter * rng.standard_normal(cycle[-1] + 2)[cycle])
    phase = np.cumsum(f0) / sr
    cycle = np.floor(phase).astype(np.int64)
    fraction = phase - cycle
    open_quotient = np.clip(
        speaker["open_quotient"] + 0.06 * cues["breath"] - 0.02 * cues["tilt"],
        0.3,
        0.9,
    )
    opening, closing = 0.65 * open_quotient, 0.35 * open_quotient
    flow = np.where(
        fraction < opening,
        0.5 * (1 - np.cos(np.pi * fraction / opening)),
        np.where(
            fraction < opening + closing,
            np.cos(np.pi * (fraction - opening) / (2 * closing)),
            0.0,
        ),
    )
    shimmer = speaker["shimmer"] * 2 ** cues["shimmer"]
    amplitude = envelope * np.exp(shimmer * rng.standard_normal(cycle[-1] + 1)[cycle])
    voiced = np.diff(flow, prepend=0.0) * amplitude
    active = envelope > 0.1
    if not active.any():  # the clip ends before the first vowel
        return voiced, np.zeros_like(voiced)
    # Turbulence at the glottis is strongest while it is open.
    noise = rng.standard_normal(len(f0)) * envelope * (0.4 + flow)
    ratio = np.sqrt(np.mean(voiced[active] ** 2) / np.mean(noise[active] ** 2))
    return voiced, noise * ratio * speaker["breath"] * 2 ** cues["breath"]


def _vocal_tract(source, timing, syllables, speaker, cues, sr) -> np.ndarray:
    """Filter the source by time-varying formants and the spectral tilt."""
    n_fft = 2 ** round(np.log2(0.032 * sr))
    hop = n_fft // 2
    spectrum = librosa.stft(source.astype(np.float32), n_fft=n_fft, hop_length=hop)
    frames = librosa.frames_to_time(np.arange(spectrum.shape[1]), sr=sr, hop_length=hop)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)

    knots_t, knots_f = [], []
    for start, end, syllable in zip(
        timing["on"], timing["off"], syllables, strict=True
    ):
        first, last = (np.asarray(f) for f in _VOWELS[syllable[1]])
        locus = first * [0.65, 1, 1, 1, 1] if syllable[0] else first
        knots_t += [start, start + 0.3 * (end - start), start + 0.8 * (end - start)]
        knots_f += [locus, first, last]
    targets = np.array(knots_f)
    targets = _SCHWA + (1 + cues["articulation"]) * (targets - _SCHWA)
    targets[:, 0] *= 1 + 0.012 * cues["loudness"]  # vocal effort raises F1
    targets *= speaker["vtl"] * (1 + cues["formants"] / 100)
    tracks = np.stack(
        [np.interp(frames, knots_t, column) for column in targets.T], axis=1
    )

    # Zero-phase magnitude response of the resonator cascade, frame by frame:
    # |1 + a1 z^-1 + a2 z^-2|^2 = 1 + a1^2 + a2^2 + 2 a1 (1 + a2) cos w + 2 a2 cos 2w
    omega = 2 * np.pi * freqs[:, None] / sr
    cos1, cos2 = 2 * np.cos(omega), 2 * np.cos(2 * omega)
    bandwidths = speaker["bandwidth"] * _BANDWIDTHS
    bandwidths[0] *= 2 ** (0.25 * cues["breath"])
    numerator, denominator = 1.0, 1.0
    for formant, bandwidth in zip(tracks.T, bandwidths, strict=True):
        radius = np.exp(-np.pi * bandwidth / sr)
        # A formant above the Nyquist frequency would alias; leave it out.
        below = formant < 0.45 * sr
        a1 = np.where(below, -2 * radius * np.cos(2 * np.pi * formant / sr), 0.0)
        a2 = np.where(below, radius**2, 0.0)
        numerator = numerator * (1 + a1 + a2)
        denominator = denominator * (
            1 + a1**2 + a2**2 + a1 * (1 + a2) * cos1 + a2 * cos2
        )
    gain = numerator / np.sqrt(denominator)
    octaves = np.log2(np.maximum(freqs, 100.0) / 1000.0)
    tilt = 10 ** ((speaker["tilt"] + cues["tilt"]) * octaves / 20)
    gain = (gain * tilt[:, None]).astype(np.float32)
    return librosa.istft(spectrum * gain, hop_length=hop, length=len(source))


def _shaped_noise(magnitude, n_samples, rng) -> np.ndarray:
    """Gaussian noise of unit RMS with the given magnitude spectrum."""
    spectrum = rng.standard_normal(len(magnitude)) + 1j * rng.standard_normal(
        len(magnitude)
    )
    noise = np.fft.irfft(spectrum * magnitude, n_samples)
    return noise / max(np.sqrt(np.mean(noise**2)), 1e-12)


def _band(octaves, centre, width) -> np.ndarray:
    """Gaussian bump on a log-frequency axis (all in octaves re 1 kHz)."""
    return np.exp(-0.5 * ((octaves - centre) / width) ** 2)


def _consonant_noise(timing, syllables, speaker, cues, rng, t) -> np.ndarray:
    """Stop bursts with aspiration, sibilants and coda fricatives."""
    hiss = np.roll(speaker["hiss"], rng.integers(len(t)))
    burst = np.roll(speaker["burst"], rng.integers(len(t)))
    hiss_t, hiss_a, burst_t, burst_a = [0.0], [0.0], [0.0], [0.0]
    for start, on, off, end, syllable in zip(
        timing["start"],
        timing["on"],
        timing["off"],
        timing["end"],
        syllables,
        strict=True,
    ):
        if syllable[0] == "stop":
            burst_t += [start, start + 0.002, start + 0.01, on]
            burst_a += [0.0, 1.0, 0.3, 0.0]
        elif syllable[0] == "sibilant":
            hiss_t += [start, start + 0.02, on - 0.01, on]
            hiss_a += [0.0, 0.6, 0.6, 0.0]
        elif syllable[0] == "weak":
            burst_t += [start, start + 0.01, on]
            burst_a += [0.0, 0.1, 0.0]
        if syllable[2]:
            hiss_t += [off, off + 0.02, end - 0.01, end]
            hiss_a += [0.0, 0.3, 0.3, 0.0]
    # Relative to the vowels' RMS; clearer articulation, stronger consonants.
    strength = 0.2 * 2 ** cues["articulation"]
    return strength * (
        hiss * np.interp(t, hiss_t, hiss_a, right=0.0)
        + burst * np.interp(t, burst_t, burst_a, right=0.0)
    )


_DESCR = """\
Synthetic emotional speech corpus
---------------------------------

A stand-in for RAVDESS that needs no download, built for benchmarks, tests
and examples: ``n_speakers`` actors (odd numbers male, even female) say "Kids
are talking by the door" and "Dogs are sitting by the door" in each of the 8
emotions, at normal and strong intensity, in up to two repetitions, as clips
with silence before (mostly 0.5 to 0.9 s) and after the utterance. The
default (12 speakers x 8 emotions x 4 clips = 384 clips of 3 s at 16 kHz)
allows six speaker-independent folds of two speakers each and is small
enough to cross-validate several models on two CPU cores in minutes; with
``n_clips_per_emotion=8`` it has RAVDESS's 60 clips per speaker (neutral has
no strong intensity, hence 4 clips).

How a clip is made (source-filter synthesis):

- Source: differentiated Rosenberg glottal pulses from phase accumulation of
  a time-varying F0 contour (pitch accents on stressed syllables, declination,
  an emotion-dependent terminal rise or fall, slow drift, tremor), with
  cycle-to-cycle jitter and shimmer, plus aspiration noise gated by the
  glottal flow (breathiness).
- Filter: five formant resonators whose frequencies follow the vowels of the
  statement syllable by syllable (consonant loci, a diphthong glide), scaled
  by the speaker's vocal-tract length, applied frame by frame in the
  short-time Fourier domain, and a spectral tilt. Stop bursts, sibilants and
  coda fricatives are added as shaped noise.
- Recording: each speaker has a level, a microphone high-pass and colouration
  and a background noise floor (coloured noise and mains hum) that is fixed
  per speaker, so soft emotions have a lower SNR than loud ones. Levels are
  absolute, so loudness differences between emotions are kept: voiced neutral
  speech is about -36 dBFS RMS; a clip whose peak would exceed 0.99 (about
  1 in 100) is scaled down to peak 0.99 so that 16-bit files never clip.

Speakers differ in mean F0 (about 115 Hz male, 205 Hz female), vocal-tract
length, pitch range, speaking rate, voice quality (open quotient, jitter,
shimmer, breathiness, tilt, formant bandwidths), expressiveness and
recording channel.

Emotions change pitch level and range, speaking rate, loudness, spectral
tilt, breathiness, jitter, shimmer, articulation (vowel space), formant
frequencies, the terminal contour (falling for sad, angry and disgust, rising
for surprised), F0 tremor (fearful) and pauses, after the reviews of Murray &
Arnott (1993), Banse & Scherer (1996), Juslin & Laukka (2003) and Scherer
(2003). Most emotions can be acted in two ways (hot or cold anger, quiet
sadness or grief, elation or contentment, panic or anxiety, contempt or
revulsion, amazement or startle), which every speaker mixes in a proportion
of their own, and every speaker adds a personal offset to every cue of every
emotion. Calm is a slightly slower, softer, breathier neutral and hard to
tell from it. Intensity scales the expression, and every take varies.

Evaluation
----------
Because speakers express emotions idiosyncratically and their voices and
channels confound the features, a model scores clearly higher on clips of
speakers it was trained on than on unseen speakers, as on real corpora.
Pass ``groups`` to a group-aware splitter (StratifiedGroupKFold,
LeaveOneGroupOut) for speaker-independent evaluation. Measured with
StandardScaler + SVC on 47 statistics per clip (mean and standard deviation
of 20 MFCCs; median, spread and range of F0; mean, spread and peak of the
level; voiced fraction), 6 folds, mean of 3 seeds, chance 12.5 %: 50 %
accuracy on unseen speakers and 64 % on a random split for the default
corpus, 50 % and 79 % with ``n_clips_per_emotion=8``; on the real RAVDESS
actors 01-12 (8 clips per emotion), 45 % and 64 %.
"""
