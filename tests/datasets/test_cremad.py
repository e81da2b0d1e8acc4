import re

import pytest
from _tree import make_tree

from sklearn_ser.datasets import load_cremad


def test_parses_every_field(tmp_path):
    names = [
        "AudioWAV/1001_DFA_ANG_XX.wav",
        "AudioWAV/1002_IEO_HAP_HI.wav",
        "AudioWAV/1045_ieo_fea_lo.wav",
        "AudioWAV/1050_IEO_SAD_MD.wav",
        "AudioWAV/1090_TSI_DIS_XX.wav",
        "AudioWAV/1091_WSI_NEU_XX.wav",
    ]
    make_tree(tmp_path, *names)
    data = load_cremad(tmp_path)
    assert data.paths.tolist() == [str(tmp_path / name) for name in names]
    assert data.target.tolist() == [
        "angry",
        "happy",
        "fearful",
        "sad",
        "disgust",
        "neutral",
    ]
    assert data.groups.tolist() == ["1001", "1002", "1045", "1050", "1090", "1091"]
    assert data.actor.tolist() == [1001, 1002, 1045, 1050, 1090, 1091]
    assert data.sentence.tolist() == ["DFA", "IEO", "IEO", "IEO", "TSI", "WSI"]
    assert data.statement.tolist()[0] == "Don't forget a jacket"
    assert data.level.tolist() == [
        "unspecified",
        "high",
        "low",
        "medium",
        "unspecified",
        "unspecified",
    ]
    assert "Open Database License" in data.DESCR


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("1000_DFA_ANG_XX", "actor '1000' is not a number 1001-1091"),
        ("1001_ABC_ANG_XX", "sentence 'ABC' is not one of IEO, TIE, IOM"),
        ("1001_DFA_CAL_XX", "emotion 'CAL' is not one of ANG, DIS, FEA, HAP, NEU, SAD"),
        ("1001_DFA_ANG_ZZ", "level 'ZZ' is not one of LO, MD, HI, XX"),
        ("1001_DFA_ANG", "expected <actor>_<sentence>_<emotion>_<level>"),
    ],
)
def test_broken_names_are_listed_with_the_rule_they_break(tmp_path, name, reason):
    make_tree(tmp_path, "1001_DFA_ANG_XX.wav", f"{name}.wav")
    with pytest.raises(
        ValueError,
        match=re.escape("do not follow the CREMA-D convention")
        + ".*\n"
        + re.escape(f"  {name}.wav: {reason}"),
    ):
        load_cremad(tmp_path)
    with pytest.warns(UserWarning, match="skipping them"):
        assert len(load_cremad(tmp_path, strict=False).paths) == 1


def test_root_without_cremad_files(tmp_path):
    make_tree(tmp_path, "VideoDemographics.csv")
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"no CREMA-D clips found under {tmp_path};")
    ):
        load_cremad(tmp_path)
