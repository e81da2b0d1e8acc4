import re
from collections import Counter

import numpy as np
import pytest
from _tree import make_tree

from sklearn_ser.datasets import load_folder

LAYOUT = (
    "expected a folder with one sub-folder per label holding its audio files "
    "(.wav, .flac, .ogg), e.g. angry/clip01.wav and sad/clip02.wav"
)


def test_labels_are_the_folder_names_as_given_without_canonical_labels(tmp_path):
    make_tree(
        tmp_path,
        "sad/s1_a.wav",
        "Bored/s2_b.FLAC",
        "angry/deeper/s1_c.ogg",
        "zzz/s3_d.wav",
        "angry/s2_e.mp3",
        "angry/notes.txt",
        "angry/._s1_c.wav",
        ".trash/s9_f.wav",
    )
    data = load_folder(tmp_path, canonical_labels=False)
    assert data.paths.tolist() == [
        str(tmp_path / "Bored/s2_b.FLAC"),
        str(tmp_path / "angry/deeper/s1_c.ogg"),
        str(tmp_path / "sad/s1_a.wav"),
        str(tmp_path / "zzz/s3_d.wav"),
    ]
    assert data.target.tolist() == ["Bored", "angry", "sad", "zzz"]
    # Canonical emotions in canonical order first, then other labels sorted.
    assert data.target_names.tolist() == ["sad", "angry", "Bored", "zzz"]
    assert data.groups is None
    assert isinstance(data.paths, np.ndarray) and data.paths.ndim == 1


@pytest.mark.parametrize(
    ("found", "label"),
    [
        ("Angry", "angry"),
        ("ANGER", "angry"),
        ("happiness", "happy"),
        ("Joy", "happy"),
        ("Sadness", "sad"),
        ("fear", "fearful"),
        ("Afraid", "fearful"),
        ("disgusted", "disgust"),
        ("Surprise", "surprised"),
        ("pleasant-surprise", "surprised"),
        ("ps", "surprised"),
        ("Neutrality", "neutral"),
        ("calmness", "calm"),
        ("Bored", "boredom"),
        ("NEU", "neutral"),
    ],
)
def test_common_spellings_become_canonical_labels(tmp_path, found, label):
    make_tree(tmp_path, f"{found}/s1_a.wav", "Sad/s1_b.wav", "other/s1_c.wav")
    data = load_folder(tmp_path)
    assert sorted(data.target.tolist()) == sorted([label, "sad", "other"])
    assert "Labels renamed: " in data.DESCR and f"{found} -> {label}" in data.DESCR


def test_label_map_comes_first_and_is_taken_as_given(tmp_path):
    make_tree(tmp_path, "Angry/a.wav", "Happy/b.wav", "Calm/c.wav")
    data = load_folder(tmp_path, label_map={"Calm": "relaxed", "Happy": "Joyful"})
    assert data.target.tolist() == ["angry", "relaxed", "Joyful"]
    assert "Angry -> angry, Calm -> relaxed, Happy -> Joyful" in data.DESCR


def test_follows_linked_folders_without_looping(tmp_path):
    root = make_tree(tmp_path / "corpus", "angry/a.wav")
    make_tree(tmp_path, "elsewhere/b.wav")
    (root / "sad").symlink_to(tmp_path / "elsewhere")
    (root / "angry" / "loop").symlink_to(root)
    data = load_folder(root)
    assert data.paths.tolist() == [str(root / "angry/a.wav"), str(root / "sad/b.wav")]
    assert data.target.tolist() == ["angry", "sad"]


def test_without_speaker_pattern_descr_says_speaker_independence_is_impossible(
    tmp_path,
):
    make_tree(tmp_path, "angry/a.wav", "angry/b.wav", "sad/c.wav")
    descr = load_folder(tmp_path).DESCR
    assert f"Root: {tmp_path}\n3 clips;" in descr
    assert "sad (1), angry (2)" in descr
    assert "groups is None: no speaker_pattern was given" in descr
    assert "speaker-independent evaluation is\nimpossible" in descr


@pytest.mark.parametrize(
    "pattern", [r"^(?P<speaker>spk\d+)_", r"^(spk\d+)_", re.compile(r"(?i)^(SPK\d+)_")]
)
def test_speaker_pattern_gives_groups(tmp_path, pattern):
    make_tree(tmp_path, "angry/spk1_a.wav", "sad/spk22_c.wav")
    data = load_folder(tmp_path, speaker_pattern=pattern)
    assert data.groups.tolist() == ["spk1", "spk22"]
    assert "groups: 2 speaker ids found by speaker_pattern" in data.DESCR
    assert "passing groups to\na group-aware splitter" in data.DESCR


def test_the_named_group_wins_over_the_first_group(tmp_path):
    make_tree(tmp_path, "angry/1_spk1_a.wav")
    data = load_folder(tmp_path, speaker_pattern=r"(?P<take>\d)_(?P<speaker>spk\d+)")
    assert data.groups.tolist() == ["spk1"]


def test_speaker_pattern_searches_the_path_below_the_label_folder(tmp_path):
    make_tree(tmp_path, "angry/spk3/take1.wav", "sad/spk4/take1.wav")
    data = load_folder(tmp_path, speaker_pattern=r"^(spk\d+)/")
    assert data.groups.tolist() == ["spk3", "spk4"]
    with pytest.raises(ValueError, match="finds no speaker in 'spk3/take1.wav'"):
        load_folder(tmp_path, speaker_pattern=r"^(angry)")


def test_files_without_a_speaker_are_listed(tmp_path):
    # "_b.wav" matches with the optional group empty: no speaker either.
    make_tree(tmp_path, "angry/spk1_a.wav", "angry/_b.wav", "sad/c.wav")
    expected = (
        f"2 file(s) under {tmp_path} do not follow the Corpus convention (one "
        "sub-folder per label, speaker_pattern '^(spk\\\\d+)?_'):\n"
        "  angry/_b.wav: speaker_pattern finds no speaker in '_b.wav'\n"
        "  sad/c.wav: speaker_pattern finds no speaker in 'c.wav'\n"
        "Rename or remove them, or pass strict=False to skip them with a warning."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        load_folder(tmp_path, speaker_pattern=r"^(spk\d+)?_")
    with pytest.warns(UserWarning, match="skipping them") as record:
        data = load_folder(tmp_path, speaker_pattern=r"^(spk\d+)?_", strict=False)
    assert record[0].filename == __file__
    assert data.groups.tolist() == ["spk1"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            r"spk\d+",
            "speaker_pattern 'spk\\\\d+' has no group; expected a named group "
            "(?P<speaker>...) or a first group that captures the speaker id",
        ),
        (
            "(spk",
            "speaker_pattern '(spk' is not a valid regular expression: missing )",
        ),
        (
            3,
            "The 'speaker_pattern' parameter of load_folder must be None, an "
            "instance of 'str' or an instance of 're.Pattern'. Got 3 instead.",
        ),
    ],
)
def test_invalid_speaker_pattern(tmp_path, pattern, message):
    make_tree(tmp_path, "angry/spk1_a.wav")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        load_folder(tmp_path, speaker_pattern=pattern)


def test_label_map_renames_some_folders(tmp_path):
    make_tree(tmp_path, "ps/a.wav", "Fear/b.wav", "angry/c.wav")
    data = load_folder(tmp_path, label_map={"ps": "surprised", "Fear": "fearful"})
    assert data.target.tolist() == ["fearful", "angry", "surprised"]
    assert data.target_names.tolist() == ["angry", "fearful", "surprised"]


def test_label_map_keys_must_name_folders(tmp_path):
    make_tree(tmp_path, "ps/a.wav", "angry/c.wav")
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"label_map keys ['PS', 'fear'] name no label folder under {tmp_path}; "
            "label folders: ['angry', 'ps']"
        ),
    ):
        load_folder(tmp_path, label_map={"PS": "surprised", "fear": "fearful"})


def test_label_map_values_must_be_strings(tmp_path):
    make_tree(tmp_path, "ps/a.wav")
    with pytest.raises(
        ValueError, match=re.escape("label_map values must be str; got {'ps': 7}")
    ):
        load_folder(tmp_path, label_map={"ps": 7})


def test_invalid_label_map_type(tmp_path):
    with pytest.raises(
        ValueError,
        match=re.escape("The 'label_map' parameter of load_folder must be None or"),
    ):
        load_folder(tmp_path, label_map=[("ps", "surprised")])


@pytest.mark.parametrize(
    ("extensions", "kept"),
    [
        (("WAV",), ["angry/a.wav", "sad/b.WAV"]),
        ([".ogg", "flac"], ["angry/c.ogg", "sad/d.Flac"]),
    ],
)
def test_extensions_match_case_insensitively_with_or_without_dot(
    tmp_path, extensions, kept
):
    make_tree(tmp_path, "angry/a.wav", "angry/c.ogg", "sad/b.WAV", "sad/d.Flac")
    data = load_folder(tmp_path, extensions=extensions)
    assert data.paths.tolist() == [str(tmp_path / name) for name in kept]


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (
            (),
            "extensions must be a non-empty sequence of file extensions such as "
            "('.wav', '.flac'); got ()",
        ),
        (
            (".wav", 1),
            "extensions must be a non-empty sequence of file extensions such as "
            "('.wav', '.flac'); got ('.wav', 1)",
        ),
        (
            ("."),
            "The 'extensions' parameter of load_folder must be an instance of "
            "'tuple' or an instance of 'list'. Got '.' instead.",
        ),
        (
            (".",),
            "extensions must be a non-empty sequence of file extensions such as "
            "('.wav', '.flac'); got ('.',)",
        ),
    ],
)
def test_invalid_extensions(tmp_path, extensions, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        load_folder(tmp_path, extensions=extensions)


def test_audio_files_directly_in_root_are_an_error(tmp_path):
    make_tree(tmp_path, "angry/a.wav", "b.wav", "c.ogg", "notes.txt")
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"2 file(s) under {tmp_path} do not follow the Corpus convention (one "
            "sub-folder per label):\n"
            "  b.wav: no label folder (for labels in the file names, pass "
            "label_pattern)\n"
            "  c.ogg: no label folder (for labels in the file names, pass "
            "label_pattern)"
        ),
    ):
        load_folder(tmp_path)


def test_missing_root(tmp_path):
    root = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(f"Corpus root {root} does not exist; {LAYOUT}"),
    ):
        load_folder(root)


def test_root_that_is_a_file(tmp_path):
    root = make_tree(tmp_path, "a.wav") / "a.wav"
    with pytest.raises(
        NotADirectoryError,
        match=re.escape(f"Corpus root {root} is not a directory; {LAYOUT}"),
    ):
        load_folder(root)


def test_root_without_audio_files_names_the_extensions(tmp_path):
    make_tree(tmp_path, "angry/a.mp3", "sad/b.wav")
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(
            f"no audio files found under {tmp_path}; expected a folder with one "
            "sub-folder per label holding its audio files (.mp4), "
            "e.g. angry/clip01.wav and sad/clip02.wav"
        ),
    ):
        load_folder(tmp_path, extensions=(".mp4",))


@pytest.mark.real_data
def test_real_tess_tree_as_a_folder_corpus(tess_root):
    data = load_folder(tess_root, speaker_pattern=r"(?i)^(oaf|yaf)_")
    assert len(data.paths) == 280
    assert len(data.target_names) == 14  # the folders: speaker_emotion
    assert set(Counter(data.target.tolist()).values()) == {20}
    assert Counter(data.groups.tolist()) == {"OAF": 140, "YAF": 140}


def test_label_pattern_reads_a_flat_folder_with_speakers(tmp_path):
    make_tree(tmp_path, "DC_a01.wav", "JE_sa02.wav", "sub/KL_n03.flac")
    data = load_folder(
        tmp_path,
        label_pattern=r"(?P<speaker>[A-Z]{2})_(?P<label>[a-z]+)[0-9]+\.",
        label_map={"a": "angry", "sa": "sad", "n": "neutral"},
    )
    assert data.target.tolist() == ["angry", "sad", "neutral"]
    assert data.groups.tolist() == ["DC", "JE", "KL"]
    assert "labels from label_pattern" in data.DESCR


def test_label_pattern_first_group_and_a_separate_speaker_pattern(tmp_path):
    make_tree(tmp_path, "s1/angry-1.wav", "s2/sad-1.wav")
    data = load_folder(
        tmp_path, label_pattern=r"/([a-z]+)-", speaker_pattern="^(s\\d)/"
    )
    assert data.target.tolist() == ["angry", "sad"]
    assert data.groups.tolist() == ["s1", "s2"]
    assert load_folder(tmp_path, label_pattern=r"/([a-z]+)-").groups is None


def test_files_the_label_pattern_misses_are_listed_or_skipped(tmp_path):
    make_tree(tmp_path, "DC_a01.wav", "README.wav")
    expected = (
        f"1 file(s) under {tmp_path} do not follow the Corpus convention "
        "(label_pattern '^[A-Z]{2}_([a-z]+)'):\n"
        "  README.wav: label_pattern finds no label in 'README.wav'\n"
        "Rename or remove them, or pass strict=False to skip them with a warning."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        load_folder(tmp_path, label_pattern=r"^[A-Z]{2}_([a-z]+)")
    with pytest.warns(UserWarning, match="skipping them"):
        data = load_folder(tmp_path, label_pattern=r"^[A-Z]{2}_([a-z]+)", strict=False)
    assert data.target.tolist() == ["a"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"label_pattern": "[a-z]+"},
            "label_pattern '[a-z]+' has no group; expected a named group "
            "(?P<label>...) or a first group that captures the label",
        ),
        (
            {"label_pattern": "(?P<speaker>x)(?P<label>y)", "speaker_pattern": "(x)"},
            "label_pattern '(?P<speaker>x)(?P<label>y)' has a speaker group and "
            "speaker_pattern '(x)' is given too; give the speaker one way only",
        ),
        (
            {"label_pattern": "([a-z]+)_", "label_map": {"zz": "angry"}},
            "label_map keys ['zz'] name no label found under",
        ),
    ],
)
def test_invalid_label_pattern(tmp_path, kwargs, message):
    make_tree(tmp_path, "x_a01.wav")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        load_folder(tmp_path, **kwargs)
