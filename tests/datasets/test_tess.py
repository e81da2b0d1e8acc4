import re
import warnings
from collections import Counter

import pytest
from _tree import make_tree

from sklearn_ser.datasets import EMOTIONS, load_tess

LAYOUT = (
    "expected a folder with TESS files named <speaker>_<word>_<emotion>.wav "
    "anywhere below it, e.g. OAF_angry/OAF_back_angry.wav"
)
CONVENTION = "TESS convention (<speaker>_<word>_<emotion>, speaker OAF or YAF)"
EMOTION_SPELLINGS = (
    "angry, disgust, fear, fearful, happy, neutral, sad, ps, pleasant_surprise, "
    "pleasant_surprised, surprise, surprised"
)


def test_parses_the_folder_variants_of_the_public_copies(tmp_path):
    names = [
        "OAF_Fear/OAF_Bar_Fear.WAV",
        "OAF_angry/OAF_back_angry.wav",
        "TESS Toronto emotional speech set data/OAF_Pleasant_surprise/"
        "oaf_bean_pleasant_surprise.wav",
        "YAF_neutral/yaf_bite_Neutral.wav",
        "YAF_pleasant_surprised/YAF_bath_ps.wav",
        "nested/deeper/YAF_sad/YAF_beg_sad.flac",
    ]
    make_tree(tmp_path, *names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # these folders agree with their files
        data = load_tess(tmp_path)
    assert data.paths.tolist() == [str(tmp_path / name) for name in names]
    assert data.target.tolist() == [
        "fearful",
        "angry",
        "surprised",
        "neutral",
        "surprised",
        "sad",
    ]
    assert data.groups.tolist() == ["OAF", "OAF", "OAF", "YAF", "YAF", "YAF"]
    assert data.speaker.tolist() == data.groups.tolist()
    assert data.word.tolist() == ["bar", "back", "bean", "bite", "bath", "beg"]
    assert data.sex.tolist() == ["female"] * 6
    assert data.target_names.tolist() == [
        "neutral",
        "sad",
        "angry",
        "fearful",
        "surprised",
    ]


@pytest.mark.parametrize(
    ("spelling", "emotion"),
    [
        ("angry", "angry"),
        ("Disgust", "disgust"),
        ("fear", "fearful"),
        ("fearful", "fearful"),
        ("happy", "happy"),
        ("NEUTRAL", "neutral"),
        ("sad", "sad"),
        ("ps", "surprised"),
        ("pleasant_surprise", "surprised"),
        ("Pleasant_Surprised", "surprised"),
        ("surprise", "surprised"),
        ("surprised", "surprised"),
    ],
)
def test_maps_every_emotion_spelling_to_the_canonical_label(
    tmp_path, spelling, emotion
):
    make_tree(tmp_path, f"YAF_back_{spelling}.wav")
    assert load_tess(tmp_path).target.tolist() == [emotion]


def test_ignores_non_audio_and_hidden_files(tmp_path):
    make_tree(
        tmp_path,
        "OAF_angry/OAF_back_angry.wav",
        "OAF_angry/OAF_back_angry.txt",
        "OAF_angry/._OAF_back_angry.wav",
        "__MACOSX/OAF_angry/OAF_bar_angry.wav",
        "README.md",
    )
    data = load_tess(tmp_path)
    assert data.paths.tolist() == [str(tmp_path / "OAF_angry/OAF_back_angry.wav")]


def test_the_file_name_wins_over_a_disagreeing_folder_with_a_warning(tmp_path):
    make_tree(
        tmp_path,
        "OAF_angry/OAF_back_sad.wav",
        "YAF_fear/OAF_bar_fear.wav",
        "YAF_fear/YAF_bar_fear.wav",
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load_tess(tmp_path)
    assert [str(warning.message) for warning in record] == [
        f"2 TESS file(s) under {tmp_path} lie in a folder naming another speaker "
        "or emotion; their file names are used:\n"
        "  OAF_angry/OAF_back_sad.wav: folder says OAF angry\n"
        "  YAF_fear/OAF_bar_fear.wav: folder says YAF fearful"
    ]
    assert record[0].filename == __file__  # points at the caller
    assert data.target.tolist() == ["sad", "fearful", "fearful"]
    assert data.groups.tolist() == ["OAF", "OAF", "YAF"]


def test_the_distributed_corpus_misnamed_clip_is_read_with_a_warning(tmp_path):
    # TESS as distributed: OAF_neutral/OA_bite_neutral.wav (speaker "OA").
    make_tree(
        tmp_path,
        "OAF_neutral/OA_bite_neutral.wav",
        "OAF_neutral/OAF_back_neutral.wav",
        "YAF_sad/ya_beg_sad.wav",
    )
    with pytest.warns(UserWarning) as record:
        data = load_tess(tmp_path)
    assert len(record) == 1
    assert str(record[0].message) == (
        f"2 TESS file(s) under {tmp_path} abbreviate the speaker as OA or YA "
        "(the corpus as distributed names one clip OA_bite_neutral.wav); read as "
        "OAF or YAF:\n"
        "  OAF_neutral/OA_bite_neutral.wav: speaker read as OAF\n"
        "  YAF_sad/ya_beg_sad.wav: speaker read as YAF"
    )
    assert data.groups.tolist() == ["OAF", "OAF", "YAF"]
    assert data.word.tolist() == ["back", "bite", "beg"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("OAF_back", "expected <speaker>_<word>_<emotion>, e.g. OAF_back_angry"),
        ("OAF__angry", "expected <speaker>_<word>_<emotion>, e.g. OAF_back_angry"),
        ("OX_bite_neutral", "speaker 'OX' is not OAF or YAF"),
        ("MAF_bite_neutral", "speaker 'MAF' is not OAF or YAF"),
        ("OAF_back_calm", f"emotion 'calm' is not one of {EMOTION_SPELLINGS}"),
        ("OAF_back_angry_2", f"emotion 'angry_2' is not one of {EMOTION_SPELLINGS}"),
    ],
)
def test_strict_raises_on_a_broken_name_saying_why(tmp_path, name, reason):
    make_tree(tmp_path, "OAF_angry/OAF_back_angry.wav", f"OAF_angry/{name}.wav")
    expected = (
        f"1 file(s) under {tmp_path} do not follow the {CONVENTION}:\n"
        f"  OAF_angry/{name}.wav: {reason}\n"
        "Rename or remove them, point root at one copy of the corpus, "
        "or pass strict=False to skip them with a warning."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        load_tess(tmp_path)


def test_non_strict_skips_broken_names_with_one_warning(tmp_path):
    make_tree(
        tmp_path,
        "OAF_neutral/OX_bite_neutral.wav",
        "OAF_neutral/OAF_back_neutral.wav",
        "YAF_sad/YAF_sad.wav",
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load_tess(tmp_path, strict=False)
    assert [str(warning.message) for warning in record] == [
        f"2 file(s) under {tmp_path} do not follow the {CONVENTION}; skipping them:\n"
        "  OAF_neutral/OX_bite_neutral.wav: speaker 'OX' is not OAF or YAF\n"
        "  YAF_sad/YAF_sad.wav: expected <speaker>_<word>_<emotion>, "
        "e.g. OAF_back_angry"
    ]
    assert record[0].filename == __file__
    assert data.paths.tolist() == [str(tmp_path / "OAF_neutral/OAF_back_neutral.wav")]


def test_a_clip_found_twice_is_an_error_or_kept_once(tmp_path):
    make_tree(
        tmp_path,
        "OAF_Pleasant_surprise/OAF_back_ps.wav",
        "OAF_Pleasant_surprise/OAF_back_pleasant_surprise.wav",
        "TESS Toronto emotional speech set data/OAF_angry/OAF_back_angry.wav",
        "tess/OAF_angry/OAF_back_angry.wav",
    )
    listing = (
        "  OAF_Pleasant_surprise/OAF_back_ps.wav: same clip as "
        "OAF_Pleasant_surprise/OAF_back_pleasant_surprise.wav\n"
        "  tess/OAF_angry/OAF_back_angry.wav: same clip as "
        "TESS Toronto emotional speech set data/OAF_angry/OAF_back_angry.wav"
    )
    with pytest.raises(ValueError, match=re.escape(f"{CONVENTION}:\n{listing}\n")):
        load_tess(tmp_path)
    with pytest.warns(UserWarning, match=re.escape(f"skipping them:\n{listing}")):
        data = load_tess(tmp_path, strict=False)
    assert data.paths.tolist() == [
        str(tmp_path / "OAF_Pleasant_surprise/OAF_back_pleasant_surprise.wav"),
        str(
            tmp_path / "TESS Toronto emotional speech set data/OAF_angry/"
            "OAF_back_angry.wav"
        ),
    ]


def test_missing_root(tmp_path):
    root = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"TESS root {root} does not exist; {LAYOUT}"),
    ):
        load_tess(root)


def test_root_that_is_a_file(tmp_path):
    root = make_tree(tmp_path, "OAF_back_angry.wav") / "OAF_back_angry.wav"
    with pytest.raises(
        NotADirectoryError,
        match=re.escape(f"TESS root {root} is not a directory; {LAYOUT}"),
    ):
        load_tess(root)


def test_root_without_audio_files(tmp_path):
    make_tree(tmp_path, "OAF_angry/OAF_back_angry.mp3", "README.txt")
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"no TESS clips found under {tmp_path}; {LAYOUT}"),
    ):
        load_tess(tmp_path)


def test_root_whose_every_file_is_skipped(tmp_path):
    make_tree(tmp_path, "OAF_angry/OAF_back_calm.wav", "x/notes.wav")
    with (
        pytest.warns(UserWarning, match="^2 file"),
        pytest.raises(
            FileNotFoundError,
            match=re.escape(
                f"no TESS clips found under {tmp_path} "
                "(2 file(s) skipped, see the warning above); "
            ),
        ),
    ):
        load_tess(tmp_path, strict=False)


def test_invalid_strict(tmp_path):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'strict' parameter of load_tess must be an instance of 'bool'"
        ),
    ):
        load_tess(tmp_path, strict=1.5)


def test_descr_describes_corpus_fields_protocol_and_licence(tmp_path):
    make_tree(tmp_path, "OAF_back_angry.wav")
    descr = load_tess(tmp_path).DESCR
    assert descr.startswith("TESS: Toronto Emotional Speech Set")
    for text in (
        'groups : speaker id, "OAF" or "YAF"',
        "passing ``groups`` to a group-aware",
        "leave-one-speaker-out",
        "The file name is authoritative",
        "doi:10.5683/SP2/E8H2MF",
        "CC BY-NC-ND 4.0",
    ):
        assert text in descr


@pytest.mark.real_data
def test_real_tess_subset(tess_root):
    data = load_tess(tess_root)
    assert len(data.paths) == 280
    assert data.target_names.tolist() == [e for e in EMOTIONS if e != "calm"]
    assert Counter(data.target.tolist()) == {
        emotion: 40 for emotion in EMOTIONS if emotion != "calm"
    }
    assert Counter(data.groups.tolist()) == {"OAF": 140, "YAF": 140}
    # Every speaker says every word in every emotion.
    assert len(set(data.word.tolist())) == 20
    assert len(set(zip(data.groups, data.word, data.target, strict=True))) == 280
    assert data.paths.tolist() == sorted(data.paths.tolist())
