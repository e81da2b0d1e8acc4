import json

import numpy as np
import pytest

from sklearn_ser.cli import main
from sklearn_ser.datasets import load_ravdess, make_emotional_speech


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    """A small synthetic corpus written to disk with RAVDESS names."""
    root = tmp_path_factory.mktemp("corpus")
    make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=2,
        emotions=("neutral", "happy", "sad", "angry"),
        duration=1.5,
        random_state=0,
        output_dir=root,
    )
    return root


def _one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert match in err, err


def test_help_without_command(capsys):
    assert main([]) == 0
    assert "benchmark" in capsys.readouterr().out


def test_recipes_lists_every_recipe(capsys):
    assert main(["recipes"]) == 0
    out = capsys.readouterr().out
    for name in (
        "cnn_lstm",
        "stacked_lstm",
        "spectrogram_cnn",
        "conv1d_lstm",
        "cnn_transformer",
        "svm",
        "random_forest",
    ):
        assert name in out


@pytest.mark.parametrize(
    "argv, match",
    [
        (
            ["benchmark", "--recipes", "svm,nope"],
            "unknown recipe(s) 'nope'; valid recipes: cnn_lstm, stacked_lstm",
        ),
        (
            ["benchmark", "--dataset", "savee", "--root", "."],
            "unknown dataset 'savee'; valid datasets: synthetic, ravdess, tess, folder",
        ),
        (["benchmark", "--dataset", "ravdess"], "--dataset ravdess needs --root DIR"),
        (
            ["benchmark", "--protocol", "leaky"],
            "unknown protocol 'leaky'; valid protocols: paper, speaker",
        ),
        (["benchmark", "--epochs", "0"], "--epochs must be >= 1; got 0"),
        (["benchmark", "--torch-threads", "0"], "--torch-threads must be >= 1; got 0"),
        (
            ["benchmark", "--root", "somewhere"],
            "--root is not used with --dataset synthetic",
        ),
        (["train", "--recipe", "nope", "--out", "m.sser"], "unknown recipe(s) 'nope'"),
        (
            ["benchmark", "--tune", "--recipes", "svm,spectrogram_cnn"],
            "Recipe 'spectrogram_cnn' has no tuning grid",
        ),
    ],
)
def test_user_mistakes_end_in_one_line(capsys, argv, match):
    _one_line_error(capsys, argv, match)


def test_root_without_recognisable_files(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("no audio here")
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "ravdess", "--root", str(tmp_path)],
        str(tmp_path),
    )


def test_missing_root(capsys, tmp_path):
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "tess", "--root", str(tmp_path / "nope")],
        str(tmp_path / "nope"),
    )


def test_impossible_protocol(capsys, corpus_dir):
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--dataset",
            "ravdess",
            "--root",
            str(corpus_dir),
            "--folds",
            "6",
        ],
        "protocol 'speaker' is impossible here: A speaker-independent 6-fold split "
        "needs at least 6 speakers; the data has 4",
    )


def test_folder_corpus_without_speakers_under_speaker_protocol(capsys, tmp_path):
    for label in ("happy", "sad"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.wav").write_bytes(b"")
    _one_line_error(
        capsys,
        ["benchmark", "--dataset", "folder", "--root", str(tmp_path)],
        "has no speaker ids: pass --speaker-pattern",
    )


def test_predict_with_a_file_that_is_not_a_model(capsys, tmp_path):
    fake = tmp_path / "model.sser"
    fake.write_text("not a model")
    _one_line_error(
        capsys,
        ["predict", "--model", str(fake), "x.wav"],
        "is not a sklearn_ser model file",
    )


@pytest.mark.slow
def test_train_save_predict_round_trip(capsys, corpus_dir, tmp_path):
    model = tmp_path / "svm.sser"
    argv = [
        "train",
        "--recipe",
        "svm",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--out",
        str(model),
    ]
    assert main(argv) == 0
    assert model.is_file()
    data = load_ravdess(corpus_dir)
    files = [str(p) for p in data.paths[:5]]
    capsys.readouterr()

    assert main(["predict", "--model", str(model), "--format", "json", *files]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["file"] for row in rows] == files
    classes = sorted(set(data.target))
    for row in rows:
        assert row["label"] in classes
        probabilities = np.array([row[c] for c in classes])
        assert probabilities.sum() == pytest.approx(1.0)
        assert row["label"] == classes[int(probabilities.argmax())]

    assert main(["predict", "--model", str(model), "--format", "csv", *files]) == 0
    csv_lines = capsys.readouterr().out.strip().splitlines()
    assert csv_lines[0] == "file,label," + ",".join(classes)
    assert len(csv_lines) == 6

    _one_line_error(
        capsys,
        ["predict", "--model", str(model), str(tmp_path / "missing.wav")],
        "missing.wav",
    )


@pytest.mark.slow
def test_benchmark_writes_results(capsys, corpus_dir, tmp_path):
    out = tmp_path / "results"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "svm,stacked_lstm",
        "--folds",
        "2",
        "--epochs",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "| svm |" in printed and "| stacked_lstm |" in printed
    results = json.loads((out / "results.json").read_text())
    assert [r["recipe"] for r in results["recipes"]] == ["svm", "stacked_lstm"]
    assert results["protocol"]["name"] == "speaker"
    for name in ("comparison.png", "confusion_svm.png", "confusion_stacked_lstm.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.slow
def test_benchmark_paper_protocol_groups_recipes_by_protocol(
    capsys, corpus_dir, tmp_path
):
    out = tmp_path / "paper"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "svm,stacked_lstm",
        "--protocol",
        "paper",
        "--folds",
        "2",
        "--epochs",
        "1",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    assert (out / "random-kfold" / "results.md").is_file()
    assert (out / "random-75-25" / "results.md").is_file()
    table = (out / "random-75-25" / "results.md").read_text()
    assert "speaker-dependent" in table


def test_tuning_needs_speaker_ids(capsys, tmp_path):
    for label in ("happy", "sad"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.wav").write_bytes(b"")
    root = str(tmp_path)
    for command in (
        ["benchmark", "--protocol", "random-kfold", "--tune"],
        ["train", "--recipe", "svm", "--tune", "--out", str(tmp_path / "m.sser")],
    ):
        _one_line_error(
            capsys,
            [*command, "--dataset", "folder", "--root", root],
            "--tune needs speaker ids for its inner folds",
        )


def test_tuning_needs_enough_training_speakers(capsys, corpus_dir):
    # 4 speakers in 2 folds leave 2 training speakers for 3 inner folds
    _one_line_error(
        capsys,
        [
            "benchmark",
            "--dataset",
            "ravdess",
            "--root",
            str(corpus_dir),
            "--recipes",
            "svm",
            "--folds",
            "2",
            "--tune",
        ],
        "tuned with 3 speaker-grouped inner folds, but a training fold has only 2",
    )


@pytest.mark.slow
def test_tuned_benchmark_and_train_with_a_feature_cache(capsys, corpus_dir, tmp_path):
    out, cache = tmp_path / "tuned", tmp_path / "cache"
    argv = [
        "benchmark",
        "--dataset",
        "ravdess",
        "--root",
        str(corpus_dir),
        "--recipes",
        "random_forest",
        "--protocol",
        "random-kfold",
        "--folds",
        "2",
        "--tune",
        "--cache-dir",
        str(cache),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    assert "tuned by speaker-grouped inner CV" in results["corpus"]
    for fold in results["recipes"][0]["folds"]:
        assert set(fold["best_params"]) == {
            "classifier__max_features",
            "classifier__min_samples_leaf",
        }
    assert any(cache.rglob("*.npy")) and not any(cache.rglob("*.pkl"))
    model = tmp_path / "rf.sser"
    train = ["train", "--recipe", "random_forest", "--tune", "--out", str(model)]
    assert main([*train, "--dataset", "ravdess", "--root", str(corpus_dir)]) == 0
    assert model.is_file()
