"""The command line with pretrained encoders: --encoder, model files that name
their encoder's weights, and one-line errors before any data is loaded."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _tiny_encoders import save_tiny_encoder
from test_cli import _one_line_error

from sklearn_ser.cli import _common, main
from sklearn_ser.datasets import load_ravdess
from sklearn_ser.persistence import load_model

pytest.importorskip("transformers")


def _probabilities(csv_text: str) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(csv_text)))
    return np.array([[float(v) for v in row[2:]] for row in rows[1:]])


@pytest.mark.slow
def test_train_then_predict_in_a_fresh_process_and_refuse_changed_weights(
    capsys, corpus_dir, tmp_path
):
    encoder = save_tiny_encoder("whisper", tmp_path / "encoder")
    model = tmp_path / "encoder_svm.sser"
    argv = ["train", "--recipe", "encoder_svm", "--dataset", "ravdess"]
    argv += ["--root", str(corpus_dir), "--encoder", str(encoder), "--out", str(model)]
    assert main(argv) == 0
    files = [str(p) for p in load_ravdess(corpus_dir).paths[:6]]
    expected = load_model(model).predict_proba(files)

    predict = [sys.executable, "-m", "sklearn_ser.cli", "predict", "--model"]
    predict += [str(model), "--format", "csv", *files]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    fresh = subprocess.run(predict, capture_output=True, text=True, env=env)
    assert fresh.returncode == 0, fresh.stderr
    np.testing.assert_allclose(_probabilities(fresh.stdout), expected, atol=1e-15)

    save_tiny_encoder("whisper", encoder, seed=1)  # same files, other weights
    changed = subprocess.run(predict, capture_output=True, text=True, env=env)
    assert changed.returncode == 2
    assert changed.stderr.count("\n") == 1, changed.stderr
    assert "not those this transformer was fitted with" in changed.stderr


def test_encoder_option_needs_a_recipe_with_an_encoder(capsys):
    _one_line_error(
        capsys,
        ["train", "--recipe", "svm", "--encoder", "x", "--out", "m.sser"],
        "--encoder/--encoder-revision apply to the recipes with a pretrained encoder",
    )


@pytest.mark.parametrize("command", ["train", "benchmark"])
def test_an_encoder_that_is_not_there_fails_before_loading_data(
    capsys, monkeypatch, tmp_path, command
):
    def no_loading(*args, **kwargs):
        raise AssertionError("the corpus was loaded before the encoder was checked")

    monkeypatch.setattr(_common, "load_dataset", no_loading)
    for module in ("_train", "_benchmark"):
        monkeypatch.setattr(f"sklearn_ser.cli.{module}.load_dataset", no_loading)
    recipe = ["--recipe", "encoder_head"] if command == "train" else []
    recipe = recipe or ["--recipes", "svm,encoder_svm"]
    out = tmp_path / ("m.sser" if command == "train" else "results")
    argv = [command, *recipe, "--encoder", str(tmp_path), "--out", str(out)]
    _one_line_error(capsys, argv, "has no config.json: not a transformers checkpoint")


def test_an_uncached_default_encoder_offline_is_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    _one_line_error(
        capsys,
        ["train", "--recipe", "encoder_svm", "--out", str(tmp_path / "m.sser")],
        "'openai/whisper-tiny.en' is not a local folder and not in the Hugging Face",
    )


def test_missing_pretrained_extra_is_one_line(capsys, monkeypatch, tmp_path):
    encoder = save_tiny_encoder("wav2vec2", tmp_path / "encoder")
    monkeypatch.setitem(sys.modules, "transformers", None)
    _one_line_error(
        capsys,
        ["train", "--recipe", "encoder_svm", "--encoder", str(encoder), "--out", "m"],
        "pip install sklearn-ser[pretrained]",
    )


def test_a_model_whose_encoder_moved_names_it_and_can_be_pointed_at_it(
    capsys, corpus_dir, tmp_path
):
    encoder = save_tiny_encoder("wav2vec2", tmp_path / "encoder")
    model = tmp_path / "m.sser"
    argv = ["train", "--recipe", "encoder_svm", "--dataset", "ravdess", "--root"]
    argv += [str(corpus_dir), "--encoder", str(encoder), "--out", str(model)]
    assert main(argv) == 0
    moved = encoder.rename(tmp_path / "moved")
    file = str(next(Path(corpus_dir).rglob("*.wav")))
    _one_line_error(
        capsys, ["predict", "--model", str(model), file], "not a folder holding"
    )
    # pointed at its new place, the same weights predict again
    assert main(["predict", "--model", str(model), "--encoder", str(moved), file]) == 0
    other = save_tiny_encoder("wav2vec2", tmp_path / "other", seed=1)
    _one_line_error(
        capsys,
        ["predict", "--model", str(model), "--encoder", str(other), file],
        "not those this transformer was fitted with",
    )


def test_encoder_option_of_predict_needs_a_model_with_an_encoder(
    capsys, corpus_dir, tmp_path
):
    model = tmp_path / "svm.sser"
    argv = ["train", "--recipe", "svm", "--dataset", "ravdess", "--root"]
    assert main([*argv, str(corpus_dir), "--out", str(model)]) == 0
    file = str(next(Path(corpus_dir).rglob("*.wav")))
    _one_line_error(
        capsys,
        ["predict", "--model", str(model), "--encoder", "x", file],
        "has no pretrained speech encoder",
    )
