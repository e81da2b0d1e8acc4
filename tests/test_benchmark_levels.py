"""Recording levels per speaker and the warning when they differ widely."""

import warnings

import numpy as np
import pytest
from _audio_files import tone, write_audio

from sklearn_ser.benchmark import (
    SpeakerLevelWarning,
    check_speaker_levels,
    speaker_levels,
)


@pytest.fixture
def corpus(tmp_path):
    """Three speakers at 0.3, 0.2 and 0.01 amplitude: the last ~26 dB quieter."""
    paths, groups = [], []
    for speaker, amplitude in (("DC", 0.3), ("JE", 0.2), ("KL", 0.01)):
        for n in range(3):
            signal = tone(200 + 50 * n, 8000, 0.5, amplitude)
            paths.append(write_audio(tmp_path / f"{speaker}_{n}.wav", signal, 8000))
            groups.append(speaker)
    return paths, np.array(groups)


def test_speaker_levels_are_median_clip_rms_in_dbfs(corpus):
    levels = speaker_levels(*corpus)
    # A sine of amplitude a has an RMS of a / sqrt(2).
    expected = {
        s: 20 * np.log10(a / np.sqrt(2))
        for s, a in (("DC", 0.3), ("JE", 0.2), ("KL", 0.01))
    }
    assert levels.keys() == expected.keys()
    for speaker, level in expected.items():
        assert levels[speaker] == pytest.approx(level, abs=0.05)


def test_a_quiet_speaker_is_warned_about_by_name(corpus):
    with pytest.warns(SpeakerLevelWarning) as record:
        check_speaker_levels(*corpus)
    (warning,) = record
    message = str(warning.message)
    assert message.startswith("the speakers' recording levels differ by 29.5 dB")
    assert "speaker KL -43.0 dBFS, speaker DC -13.5 dBFS" in message
    assert "--level-norm rms" in message


def test_levels_within_the_spread_pass_quietly(corpus):
    paths, groups = corpus
    keep = groups != "KL"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        levels = check_speaker_levels(np.array(paths)[keep], groups[keep])
    assert sorted(levels) == ["DC", "JE"]
    with pytest.warns(SpeakerLevelWarning):
        check_speaker_levels(np.array(paths)[keep], groups[keep], max_spread_db=3.0)


def test_silent_and_unreadable_clips_are_left_to_the_loader(corpus, tmp_path):
    paths, groups = corpus
    silent = write_audio(tmp_path / "KL_silent.wav", np.zeros(800), 8000)
    broken = tmp_path / "DC_broken.wav"
    broken.write_bytes(b"not audio")
    levels = speaker_levels([*paths, silent, broken], [*groups, "KL", "DC"])
    assert levels == speaker_levels(paths, groups)
    assert speaker_levels([silent], ["XX"]) == {}
