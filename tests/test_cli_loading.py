"""Command-line options of loading: labels of folder corpora, window, level, jobs."""

import json
import warnings

import numpy as np
import pytest
from _audio_files import tone, write_audio

from sklearn_ser.cli import main
from sklearn_ser.persistence import load_model


@pytest.fixture
def urdu(tmp_path):
    """A folder corpus as a user lays it out: capitalised labels, 3 speakers."""
    root = tmp_path / "urdu"
    for k, label in enumerate(("Angry", "Happy")):
        for speaker, amplitude in (("SM1", 0.3), ("SF2", 0.2), ("SM3", 0.01)):
            for n in range(3):
                path = root / label / f"{speaker}_{label[0]}{n:03d}.wav"
                path.parent.mkdir(parents=True, exist_ok=True)
                write_audio(
                    path, tone(200 + 150 * k + 20 * n, 8000, 1.0, amplitude), 8000
                )
    return root


def _train(root, out, *options):
    return [
        "train",
        "--recipe",
        "svm",
        "--dataset",
        "folder",
        "--root",
        str(root),
        "--speaker-pattern",
        "^(S[MF][0-9])_",
        "--out",
        str(out),
        *options,
    ]


@pytest.mark.parametrize(
    ("options", "classes"),
    [
        ((), ["angry", "happy"]),
        (("--keep-labels",), ["Angry", "Happy"]),
        (("--label-map", "Angry=mad"), ["happy", "mad"]),
    ],
)
def test_folder_labels_are_canonical_unless_told(urdu, tmp_path, options, classes):
    out = tmp_path / "model.sser"
    assert main(_train(urdu, out, *options)) == 0
    assert sorted(load_model(out).classes_) == classes


def test_label_map_from_a_file(urdu, tmp_path):
    mapping = tmp_path / "labels.json"
    mapping.write_text(json.dumps({"Angry": "angry", "Happy": "joyous"}))
    lines = tmp_path / "labels.txt"
    lines.write_text("# found=label\nAngry=angry\nHappy = joyous\n")
    for path in (mapping, lines):
        out = tmp_path / f"{path.stem}{path.suffix}.sser"
        assert main(_train(urdu, out, "--label-map", str(path))) == 0
        assert sorted(load_model(out).classes_) == ["angry", "joyous"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("angry", "--label-map 'angry' is neither a file nor FOUND=LABEL pairs"),
        ("Angry=angry,Happy", "--label-map: 'Happy' is not FOUND=LABEL"),
        ("Calm=calm", "label_map keys ['Calm'] name no label folder under"),
    ],
)
def test_a_bad_label_map_is_one_line(urdu, tmp_path, capsys, value, error):
    assert main(_train(urdu, tmp_path / "m.sser", "--label-map", value)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and error in err


def test_label_options_belong_to_folder_corpora(capsys):
    assert main(["benchmark", "--keep-labels"]) == 2
    assert "--keep-labels is used only with --dataset folder" in capsys.readouterr().err


def test_window_and_level_reach_every_recipe_and_the_header(urdu, tmp_path, capsys):
    out = tmp_path / "results"
    argv = [
        "benchmark",
        "--dataset",
        "folder",
        "--root",
        str(urdu),
        "--speaker-pattern",
        "^(S[MF][0-9])_",
        "--recipes",
        "svm",
        "--folds",
        "3",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main([*argv, "--offset", "0.2", "--duration", "0.5"]) == 0
    captured = capsys.readouterr()
    # The quiet speaker SM3 is ~29.5 dB below SM1, and nothing normalises it.
    assert "warning: the speakers' recording levels differ by 29.5 dB" in captured.err
    header = f"folder ({urdu}); cpu budget; loading window 0.5 s from 0.2 s"
    assert header in captured.out
    assert header in (out / "results.md").read_text()

    assert main([*argv, "--level-norm", "rms"]) == 0
    captured = capsys.readouterr()
    assert "recording levels" not in captured.err
    assert "each recipe's loading window, rms level normalisation" in captured.out


@pytest.mark.parametrize(
    ("option", "error"),
    [
        (("--offset", "-1"), "--offset must be >= 0 seconds; got -1.0"),
        (("--duration", "0"), "--duration must be > 0 seconds; got 0.0"),
        (("--level-norm", "lufs"), "argument --level-norm: invalid choice: 'lufs'"),
    ],
)
def test_a_bad_window_is_refused_before_any_work(capsys, tmp_path, option, error):
    argv = ["benchmark", "--out", str(tmp_path / "out"), *option]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    assert status == 2
    assert error in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_old_job_option_names_still_work_with_a_warning(urdu, tmp_path, capsys):
    out = tmp_path / "m.sser"
    assert main(_train(urdu, out, "--n-jobs", "1")) == 0
    err = capsys.readouterr().err
    assert (
        "warning: --n-jobs is deprecated and will be removed; use --feature-jobs" in err
    )
    assert main(_train(urdu, out, "--feature-jobs", "1")) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main(["benchmark", "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "warning: --jobs is deprecated and will be removed; use --fit-jobs" in err
    assert "error: --fit-jobs must be >= 1, or -1 for one per core; got 0" in err
    np.testing.assert_equal(load_model(out).classes_, ["angry", "happy"])


def test_quiet_benchmark_prints_warnings_as_single_lines(urdu, tmp_path, capsys):
    for path in (urdu / "Happy").glob("SM3_*"):
        path.unlink()  # speaker SM3's fold has no happy clip
    argv = [
        "benchmark",
        "--dataset",
        "folder",
        "--root",
        str(urdu),
        "--speaker-pattern",
        "^(S[MF][0-9])_",
        "--recipes",
        "svm",
        "--folds",
        "3",
        "--level-norm",
        "rms",
        "--quiet",
        "--out",
        str(tmp_path / "out"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes the command
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert "labels they have: fold " in captured.out
    assert "(happy)" in captured.out
    for line in captured.err.splitlines():
        assert line.startswith("sklearn-ser benchmark: warning: "), line


def test_one_total_and_no_stale_file_lists(urdu, tmp_path, capsys):
    out = tmp_path / "results"
    out.mkdir()
    # A failed run left its list of bad files here.
    (out / "bad_files.txt").write_text("old.wav: expected ...\n")
    (out / "test_skipped_files.txt").write_text("old.wav: expected ...\n")
    argv = ["benchmark", "--dataset", "folder", "--root", str(urdu)]
    argv += ["--speaker-pattern", "^(S[MF][0-9])_", "--recipes", "svm"]
    assert main([*argv, "--folds", "3", "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert not (out / "bad_files.txt").exists()
    assert not (out / "test_skipped_files.txt").exists()
    total = json.loads((out / "results.json").read_text())["elapsed_seconds"]
    assert f"; total {total:.1f} s" in printed
    assert f"; total {total:.1f} s" in (out / "results.md").read_text()
    assert f"of which {total:.1f} s loading audio, computing features and " in printed


def test_speaker_pattern_help_says_where_it_searches(capsys):
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "regex searched in each file's path below its label folder" in help_text
    assert "--fit-jobs N, --jobs N" in help_text
    assert "--feature-jobs N, --n-jobs N" in help_text
