"""Smoke test of benchmarks/reproduce.py on a tiny synthetic RAVDESS-named corpus."""

import importlib.util
import sys
from pathlib import Path

import pytest

from sklearn_ser.datasets import make_emotional_speech

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "reproduce.py"


@pytest.fixture(scope="module")
def reproduce():
    spec = importlib.util.spec_from_file_location("reproduce", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reproduce"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["reproduce"]


@pytest.mark.parametrize(
    "recipes, message",
    [
        ("svm,nope", "unknown recipe 'nope'"),
        ("svm:gpu", "unknown budget 'gpu' in 'svm:gpu'"),
        (",", "--recipes names no recipe"),
    ],
)
def test_bad_recipe_lists_are_refused(reproduce, capsys, recipes, message):
    with pytest.raises(SystemExit):
        reproduce._parse(["--recipes", recipes])
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--jobs", "0"], "--jobs must be >= 1; got 0"),
        (["--folds-random", "1"], "--folds-random must be >= 2; got 1"),
    ],
)
def test_bad_numbers_are_refused(reproduce, capsys, argv, message):
    with pytest.raises(SystemExit):
        reproduce._parse(argv)
    assert message in capsys.readouterr().err


def test_rows_carry_their_budget(reproduce):
    args = reproduce._parse(["--quick", "--recipes", "svm,stacked_lstm:paper"])
    assert [(r.recipe, r.budget) for r in args.rows] == [
        ("svm", "cpu"),
        ("stacked_lstm", "paper"),
    ]
    # tuned variants only at the run's budget, where a grid exists
    assert [(r.label) for r in reproduce._all_rows(args)] == [
        "svm (cpu)",
        "stacked_lstm (paper)",
        "svm (cpu, tuned)",
    ]


@pytest.mark.slow
def test_quick_report_on_a_tiny_corpus(reproduce, tmp_path, monkeypatch):
    make_emotional_speech(
        n_speakers=12,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        duration=1.0,
        random_state=0,
        output_dir=tmp_path / "data" / "ravdess-speech",
    )
    monkeypatch.setattr(reproduce, "CURVE_RECIPES", ("svm",))
    report = tmp_path / "docs" / "reproduction.md"
    argv = ["--quick", "--recipes", "svm", "--folds-random", "2"]
    argv += ["--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    assert reproduce.main([*argv, "--report", str(report)]) == 0
    text = report.read_text()
    assert "| svm (cpu) |" in text and "| svm (cpu, tuned) |" in text
    assert "- svm (cpu, tuned), speaker: (C=" in text
    assert "TESS: folder" in text and "not found; corpus skipped" in text
    assert "| svm (cpu) | 0." in text.split("Learning curve")[1]
    assert (report.parent / reproduce.CURVE_FIGURE).stat().st_size > 0
    assert any((tmp_path / "out" / "ravdess").rglob("results.json"))
