import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from _tree import make_tree

from sklearn_ser.datasets import EMOTIONS, load_ravdess

LAYOUT = (
    "expected a folder with RAVDESS files named MM-VV-EE-II-SS-RR-AA.wav|.flac|.ogg "
    "anywhere below it, e.g. Actor_01/03-01-01-01-01-01-01.wav"
)
CONVENTION = "RAVDESS convention (MM-VV-EE-II-SS-RR-AA, two-digit codes)"


def test_parses_every_field_from_the_file_name(tmp_path):
    make_tree(
        tmp_path,
        "Actor_02/03-01-01-01-02-01-02.flac",
        "Actor_01/03-01-05-02-01-02-01.wav",
        "Actor_01/03-01-08-01-02-01-01.wav",
    )
    data = load_ravdess(tmp_path)
    assert data.paths.tolist() == [
        str(tmp_path / "Actor_01/03-01-05-02-01-02-01.wav"),
        str(tmp_path / "Actor_01/03-01-08-01-02-01-01.wav"),
        str(tmp_path / "Actor_02/03-01-01-01-02-01-02.flac"),
    ]
    assert data.target.tolist() == ["angry", "surprised", "neutral"]
    assert data.groups.tolist() == ["Actor_01", "Actor_01", "Actor_02"]
    assert data.intensity.tolist() == ["strong", "normal", "normal"]
    assert data.statement.tolist() == [
        "Kids are talking by the door",
        "Dogs are sitting by the door",
        "Dogs are sitting by the door",
    ]
    assert data.repetition.tolist() == [2, 1, 1]
    assert data.actor.tolist() == [1, 1, 2]
    assert data.sex.tolist() == ["male", "male", "female"]
    assert data.vocal_channel.tolist() == ["speech"] * 3
    assert data.target_names.tolist() == ["neutral", "angry", "surprised"]
    for key in ("paths", "target", "groups", "actor", "target_names"):
        assert isinstance(data[key], np.ndarray) and data[key].ndim == 1
    assert data.actor.dtype.kind == "i"


def test_accepts_a_str_root(tmp_path):
    make_tree(tmp_path, "Actor_01/03-01-05-02-01-02-01.wav")
    assert load_ravdess(str(tmp_path)).paths.tolist() == [
        str(tmp_path / "Actor_01/03-01-05-02-01-02-01.wav")
    ]


def test_the_actor_comes_from_the_file_name_not_the_folder(tmp_path):
    make_tree(tmp_path, "Actor_01/03-01-02-01-01-01-06.wav")
    data = load_ravdess(tmp_path)
    assert data.groups.tolist() == ["Actor_06"]
    assert data.actor.tolist() == [6]
    assert data.sex.tolist() == ["female"]


def test_finds_clips_in_nested_layouts_with_any_extension_case(tmp_path):
    make_tree(
        tmp_path,
        "RAVDESS/audio_speech_actors_01-24/Actor_03/03-01-02-01-01-01-03.WAV",
        "download/Actor_04/03-01-04-02-02-02-04.Flac",
    )
    data = load_ravdess(tmp_path)
    assert data.target.tolist() == ["calm", "sad"]
    assert data.groups.tolist() == ["Actor_03", "Actor_04"]


def test_ignores_video_non_audio_hidden_and_unrelated_files(tmp_path):
    make_tree(
        tmp_path,
        "Actor_01/03-01-06-01-01-01-01.wav",
        "Actor_01/01-01-06-01-01-02-01.wav",  # audio-visual modality
        "Actor_01/02-01-06-01-01-02-01.mp4",
        "Actor_01/03-01-06-01-01-02-01.mp3",
        "Actor_01/README.txt",
        "Actor_01/notes.wav",
        "Actor_01/._03-01-09-01-01-01-01.wav",
        "__MACOSX/Actor_01/03-01-06-01-01-02-01.wav",
        ".cache/03-01-06-01-01-02-01.wav",
    )
    data = load_ravdess(tmp_path)
    assert data.paths.tolist() == [str(tmp_path / "Actor_01/03-01-06-01-01-01-01.wav")]


@pytest.mark.parametrize(
    ("vocal_channel", "expected"),
    [
        ("speech", ["speech"]),
        ("song", ["song", "song"]),
        ("both", ["speech", "song", "song"]),
    ],
)
def test_vocal_channel_selects_speech_song_or_both(tmp_path, vocal_channel, expected):
    make_tree(
        tmp_path,
        "Actor_01/03-01-03-01-01-01-01.wav",
        "Actor_01/03-02-03-01-01-01-01.wav",
        "Actor_01/03-02-06-02-02-02-01.wav",
    )
    data = load_ravdess(tmp_path, vocal_channel=vocal_channel)
    assert data.vocal_channel.tolist() == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "03-01-01-01-01-01",
            "6 hyphen-separated fields, expected 7 (MM-VV-EE-II-SS-RR-AA)",
        ),
        ("03-01-01-01-01-01-01-01", "8 hyphen-separated fields, expected 7"),
        ("04-01-01-01-01-01-01", "modality '04' is not a code 01-03"),
        ("03-03-01-01-01-01-01", "vocal channel '03' is not a code 01-02"),
        ("03-01-09-01-01-01-01", "emotion '09' is not a code 01-08"),
        ("03-01-02-00-01-01-01", "intensity '00' is not a code 01-02"),
        ("03-01-02-01-03-01-01", "statement '03' is not a code 01-02"),
        ("03-01-02-01-01-3-01", "repetition '3' is not a code 01-02"),
        ("03-01-02-01-01-01-25", "actor '25' is not a code 01-24"),
        ("03-01-02-01-01-01-01 (copy)", "actor '01 (copy)' is not a code 01-24"),
        ("03-01-01-02-01-01-01", "neutral (emotion 01) has no strong intensity (02)"),
        ("03-02-07-01-01-01-01", "song (vocal channel 02) has no disgust (emotion 07)"),
        (
            "03-02-08-01-01-01-01",
            "song (vocal channel 02) has no surprised (emotion 08)",
        ),
    ],
)
def test_strict_raises_on_a_broken_name_saying_why(tmp_path, name, reason):
    make_tree(tmp_path, "Actor_01/03-01-05-01-01-01-01.wav", f"Actor_01/{name}.wav")
    expected = (
        f"1 file(s) under {tmp_path} do not follow the {CONVENTION}:\n"
        f"  Actor_01/{name}.wav: {reason}"
    )
    with pytest.raises(ValueError, match=re.escape(expected)) as info:
        load_ravdess(tmp_path)
    assert str(info.value).endswith(
        "Rename or remove them, point root at one copy of the corpus, "
        "or pass strict=False to skip them with a warning."
    )


def test_non_strict_skips_broken_names_with_one_warning(tmp_path):
    make_tree(
        tmp_path,
        "Actor_01/03-01-05-01-01-01-01.wav",
        "Actor_01/03-01-09-01-01-01-01.wav",
        "Actor_02/03-01-05-01-01-01.flac",
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load_ravdess(tmp_path, strict=False)
    assert [str(warning.message) for warning in record] == [
        f"2 file(s) under {tmp_path} do not follow the {CONVENTION}; skipping them:\n"
        "  Actor_01/03-01-09-01-01-01-01.wav: emotion '09' is not a code 01-08\n"
        "  Actor_02/03-01-05-01-01-01.flac: 6 hyphen-separated fields, expected 7 "
        "(MM-VV-EE-II-SS-RR-AA)"
    ]
    assert issubclass(record[0].category, UserWarning)
    assert record[0].filename == __file__  # points at the caller
    assert data.paths.tolist() == [str(tmp_path / "Actor_01/03-01-05-01-01-01-01.wav")]


def test_long_problem_lists_are_cut(tmp_path):
    make_tree(
        tmp_path, *(f"Actor_01/03-01-09-01-01-01-{n:02d}.wav" for n in range(1, 24))
    )
    with pytest.raises(ValueError, match=r"^23 file\(s\)") as info:
        load_ravdess(tmp_path)
    message = str(info.value)
    assert "Actor_01/03-01-09-01-01-01-20.wav" in message
    assert "Actor_01/03-01-09-01-01-01-21.wav" not in message
    assert "\n  ... and 3 more\n" in message


def test_a_clip_found_twice_is_an_error_or_kept_once(tmp_path):
    make_tree(
        tmp_path,
        "Actor_01/03-01-04-01-01-01-01.wav",
        "audio_speech_actors_01-24/Actor_01/03-01-04-01-01-01-01.wav",
        "audio_speech_actors_01-24/Actor_01/03-01-04-01-01-01-01.flac",
    )
    listing = (
        "  audio_speech_actors_01-24/Actor_01/03-01-04-01-01-01-01.flac: "
        "same clip as Actor_01/03-01-04-01-01-01-01.wav\n"
        "  audio_speech_actors_01-24/Actor_01/03-01-04-01-01-01-01.wav: "
        "same clip as Actor_01/03-01-04-01-01-01-01.wav"
    )
    with pytest.raises(ValueError, match=re.escape(f"{CONVENTION}:\n{listing}\n")):
        load_ravdess(tmp_path)
    with pytest.warns(UserWarning, match=re.escape(f"skipping them:\n{listing}")):
        data = load_ravdess(tmp_path, strict=False)
    assert data.paths.tolist() == [str(tmp_path / "Actor_01/03-01-04-01-01-01-01.wav")]


def test_missing_root(tmp_path):
    root = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"RAVDESS root {root} does not exist; {LAYOUT}"),
    ):
        load_ravdess(root)


def test_root_that_is_a_file(tmp_path):
    root = make_tree(tmp_path, "03-01-01-01-01-01-01.wav") / "03-01-01-01-01-01-01.wav"
    with pytest.raises(
        NotADirectoryError,
        match=re.escape(f"RAVDESS root {root} is not a directory; {LAYOUT}"),
    ):
        load_ravdess(root)


def test_root_without_ravdess_files(tmp_path):
    make_tree(tmp_path, "Actor_01/notes.txt", "Actor_01/clip.wav")
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(
            f"no RAVDESS audio-only speech clips found under {tmp_path}; {LAYOUT}"
        ),
    ):
        load_ravdess(tmp_path)


def test_root_without_clips_of_the_chosen_vocal_channel(tmp_path):
    make_tree(tmp_path, "Actor_01/03-01-03-01-01-01-01.wav")
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"no RAVDESS audio-only song clips found under {tmp_path};"),
    ) as raised:
        load_ravdess(tmp_path, vocal_channel="song")
    assert str(raised.value).endswith(
        "; it holds 1 audio-only speech clip(s): pass vocal_channel='speech' "
        "(--vocal-channel speech on the command line) or 'both'"
    )


def test_a_song_only_copy_suggests_the_song_channel(tmp_path):
    # The song zip of RAVDESS: Audio_Song_Actors_01-24/Actor_NN/03-02-*.wav.
    make_tree(
        tmp_path,
        "Audio_Song_Actors_01-24/Actor_01/03-02-03-01-01-01-01.wav",
        "Audio_Song_Actors_01-24/Actor_02/03-02-04-01-01-01-02.wav",
    )
    with pytest.raises(FileNotFoundError) as raised:
        load_ravdess(tmp_path)
    message = str(raised.value)
    assert message.startswith(
        f"no RAVDESS audio-only speech clips found under {tmp_path}; {LAYOUT}"
    )
    assert message.endswith(
        "; it holds 2 audio-only song clip(s): pass vocal_channel='song' "
        "(--vocal-channel song on the command line) or 'both'"
    )
    assert load_ravdess(tmp_path, vocal_channel="song").target.tolist() == [
        "happy",
        "sad",
    ]


def test_root_whose_every_file_is_skipped(tmp_path):
    make_tree(tmp_path, "Actor_01/03-01-09-01-01-01-01.wav")
    with (
        pytest.warns(UserWarning, match="skipping them"),
        pytest.raises(
            FileNotFoundError,
            match=re.escape(
                f"no RAVDESS audio-only speech clips found under {tmp_path} "
                "(1 file(s) skipped, see the warning above); "
            ),
        ),
    ):
        load_ravdess(tmp_path, strict=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"vocal_channel": "sing"},
            "The 'vocal_channel' parameter of load_ravdess must be a str among",
        ),
        (
            {"strict": "yes"},
            "The 'strict' parameter of load_ravdess must be an instance of 'bool'",
        ),
    ],
)
def test_invalid_parameters(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        load_ravdess(tmp_path, **kwargs)
    if "vocal_channel" in kwargs:
        for valid in ("'speech'", "'song'", "'both'"):
            assert valid in str(info.value)


def test_invalid_root_type():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'root' parameter of load_ravdess must be an instance of 'str' or "
            "an instance of 'os.PathLike'. Got 3 instead."
        ),
    ):
        load_ravdess(3)


def test_descr_describes_corpus_fields_protocol_and_licence(tmp_path):
    make_tree(tmp_path, "Actor_01/03-01-05-01-01-01-01.wav")
    descr = load_ravdess(tmp_path).DESCR
    assert descr.startswith("RAVDESS: Ryerson Audio-Visual Database")
    for text in (
        'groups : speaker id "Actor_NN"',
        'sex : "male" or "female"',
        "passing ``groups`` to a group-aware",
        "doi:10.1371/journal.pone.0196391",
        "CC BY-NC-SA 4.0",
    ):
        assert text in descr


@pytest.mark.real_data
def test_real_ravdess_speech_subset(ravdess_root):
    data = load_ravdess(ravdess_root)
    assert len(data.paths) == 720
    assert data.target_names.tolist() == list(EMOTIONS)
    # RAVDESS has no strong neutral: half as many neutral clips as any other.
    assert Counter(data.target.tolist()) == {
        emotion: 48 if emotion == "neutral" else 96 for emotion in EMOTIONS
    }
    assert Counter(data.groups.tolist()) == {f"Actor_{n:02d}": 60 for n in range(1, 13)}
    assert Counter(data.sex.tolist()) == {"male": 360, "female": 360}
    assert Counter(data.intensity.tolist()) == {"normal": 384, "strong": 336}
    assert Counter(data.statement.tolist()) == {
        "Kids are talking by the door": 360,
        "Dogs are sitting by the door": 360,
    }
    assert Counter(data.repetition.tolist()) == {1: 360, 2: 360}
    assert set(data.vocal_channel.tolist()) == {"speech"}
    # The public layout's folders agree with the actors in the file names.
    assert [Path(path).parent.name for path in data.paths] == data.groups.tolist()
    assert data.paths.tolist() == sorted(data.paths.tolist())
