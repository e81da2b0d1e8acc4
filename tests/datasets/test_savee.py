import re
import warnings

import pytest
from _tree import make_tree

from sklearn_ser.datasets import load_savee

CONVENTION = (
    "SAVEE convention (<speaker>/<code><number> or <speaker>_<code><number>, "
    "speaker DC, JE, JK or KL, code a, d, f, h, n, sa or su)"
)


def test_parses_the_official_and_the_flattened_layouts(tmp_path):
    names = [
        "AudioData/DC/a01.wav",
        "AudioData/JE/sa15.wav",
        "AudioData/JK/n30.WAV",
        "flat/KL_su03.wav",
        "flat/kl_D07.flac",
        "flat/DC_f02.wav",
        "flat/JE_h11.wav",
    ]
    make_tree(tmp_path, *names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_savee(tmp_path)
    assert data.paths.tolist() == sorted(str(tmp_path / name) for name in names)
    by_path = dict(zip(data.paths.tolist(), data.target.tolist(), strict=True))
    assert [by_path[str(tmp_path / name)] for name in names] == [
        "angry",
        "sad",
        "neutral",
        "surprised",
        "disgust",
        "fearful",
        "happy",
    ]
    assert data.groups.tolist() == ["DC", "JE", "JK", "DC", "JE", "KL", "KL"]
    assert data.speaker.tolist() == data.groups.tolist()
    assert data.sentence.tolist() == [1, 15, 30, 2, 11, 3, 7]
    assert data.sex.tolist() == ["male"] * 7
    assert "Haq S, Jackson PJB" in data.DESCR


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("AudioData/XY/a01.wav", "folder 'XY' is not DC, JE, JK or KL"),
        ("XY_a01.wav", "speaker 'XY' is not DC, JE, JK or KL"),
        ("DC_x01.wav", "emotion code 'x' is not a, d, f, h, n, sa or su"),
        ("DC_a16.wav", "sentence '16' is not a number 01-15"),
        ("DC_n31.wav", "sentence '31' is not a number 01-30"),
        ("DC_a1.wav", "sentence '1' is not a number 01-15"),
        (
            "DC_a01_copy.wav",
            "expected <speaker>/<code><number> or <speaker>_<code><number>, "
            "e.g. DC/a01 or DC_a01",
        ),
    ],
)
def test_broken_names_are_listed_with_the_rule_they_break(tmp_path, name, reason):
    make_tree(tmp_path, "AudioData/DC/a02.wav", name)
    expected = (
        f"1 file(s) under {tmp_path} do not follow the {CONVENTION}:\n"
        f"  {name}: {reason}"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        load_savee(tmp_path)
    with pytest.warns(UserWarning, match=re.escape("; skipping them:")) as record:
        data = load_savee(tmp_path, strict=False)
    assert record[0].filename == __file__
    assert data.paths.tolist() == [str(tmp_path / "AudioData/DC/a02.wav")]


def test_both_layouts_of_one_clip_are_a_duplicate(tmp_path):
    make_tree(tmp_path, "AudioData/DC/a01.wav", "flat/DC_a01.wav")
    with pytest.raises(
        ValueError,
        match=re.escape("  flat/DC_a01.wav: same clip as AudioData/DC/a01.wav"),
    ):
        load_savee(tmp_path)


def test_root_without_savee_files(tmp_path):
    make_tree(tmp_path, "notes.txt")
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"no SAVEE clips found under {tmp_path};")
    ):
        load_savee(tmp_path)
