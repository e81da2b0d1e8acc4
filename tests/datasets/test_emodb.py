import re

import pytest
from _tree import make_tree

from sklearn_ser.datasets import load_emodb


def test_parses_every_field_and_keeps_boredom(tmp_path):
    names = [
        "wav/03a01Fa.wav",
        "wav/08b10Lb.wav",
        "wav/09a02Wa.wav",
        "wav/10a04Ea.wav",
        "wav/11a05Ac.wav",
        "wav/13b01Ta.wav",
        "wav/16b09Na.wav",
    ]
    make_tree(tmp_path, *names, "lablaut/03a01Fa.lab")
    data = load_emodb(tmp_path)
    assert data.paths.tolist() == [str(tmp_path / name) for name in names]
    assert data.target.tolist() == [
        "happy",
        "boredom",
        "angry",
        "disgust",
        "fearful",
        "sad",
        "neutral",
    ]
    assert data.groups.tolist() == ["03", "08", "09", "10", "11", "13", "16"]
    assert data.text.tolist() == ["a01", "b10", "a02", "a04", "a05", "b01", "b09"]
    assert data.version.tolist() == ["a", "b", "a", "a", "c", "a", "a"]
    assert data.sex.tolist() == [
        "male",
        "female",
        "female",
        "male",
        "male",
        "female",
        "female",
    ]
    # canonical emotions first, then the labels outside the vocabulary
    assert data.target_names.tolist()[-1] == "boredom"
    assert "doi:10.21437/Interspeech.2005-446" in data.DESCR


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "04a01Fa",
            "speaker '04' is not one of 03, 08, 09, 10, 11, 12, 13, 14, 15, 16",
        ),
        ("03a03Fa", "text 'a03' is not one of a01, a02, a04, a05, a07, b01, b02"),
        ("03a01Xa", "emotion 'X' is not one of W, L, E, A, F, T, N"),
        ("03a01fa", "expected <speaker><text><emotion><version>, e.g. 03a01Fa"),
    ],
)
def test_broken_names_are_listed_with_the_rule_they_break(tmp_path, name, reason):
    make_tree(tmp_path, "03a01Fa.wav", f"{name}.wav")
    with pytest.raises(
        ValueError,
        match=re.escape("do not follow the EmoDB convention")
        + ".*\n"
        + re.escape(f"  {name}.wav: {reason}"),
    ):
        load_emodb(tmp_path)
    with pytest.warns(UserWarning, match="skipping them"):
        assert len(load_emodb(tmp_path, strict=False).paths) == 1


def test_root_without_emodb_files(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"no EmoDB clips found under {tmp_path};")
    ):
        load_emodb(tmp_path)
