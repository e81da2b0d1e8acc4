"""Every fold is scored on the corpus's labels, and says which it lacks."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.benchmark import run_benchmark


def _corpus_without_angry_for_two_speakers():
    """4 speakers; spk2 and spk3 have no angry clip (as some Urdu folds)."""
    rng = np.random.default_rng(0)
    y, groups = [], []
    for speaker in range(4):
        labels = ["happy", "sad", "neutral"] + (["angry"] if speaker < 2 else [])
        for label in labels:
            y += [label] * 6
            groups += [f"spk{speaker}"] * 6
    y, groups = np.array(y), np.array(groups)
    X = rng.normal(size=(len(y), 3))
    X[:, 0] += (y == "angry") * 2.0
    X[:, 1] += (y == "sad") * 2.0
    X[:, 2] += (y == "happy") * 1.0
    return X, y, groups


def test_folds_lacking_a_label_average_the_same_labels_in_both_metrics(tmp_path):
    X, y, groups = _corpus_without_angry_for_two_speakers()
    recipe = make_pipeline(StandardScaler(), LogisticRegression())
    with warnings.catch_warnings():
        # No "y_pred contains classes not in y_true" from the metrics.
        warnings.simplefilter("error")
        result = run_benchmark(
            {"logreg": recipe}, X, y, groups, n_splits=4, progress=False
        )
    (logreg,) = result.recipes
    assert logreg.labels == ["angry", "happy", "neutral", "sad"]
    start = 0
    for fold in logreg.folds:
        test = np.isin(groups, fold.test_speakers)
        y_true, y_pred = y[test], logreg.y_pred[start : start + test.sum()]
        start += test.sum()
        lacks = "angry" not in y_true
        assert fold.missing_labels == (["angry"] if lacks else [])
        tested = [label for label in logreg.labels if label in set(y_true)]
        assert fold.uar == pytest.approx(
            recall_score(y_true, y_pred, labels=tested, average="macro")
        )
        assert fold.macro_f1 == pytest.approx(
            f1_score(y_true, y_pred, labels=tested, average="macro", zero_division=0)
        )
    table = result.to_markdown()
    assert table.endswith(
        "\nFolds without a test clip of some of the 4 labels, whose UAR and macro "
        "F1 average the labels they have: fold 3 (angry); fold 4 (angry).\n"
    )
    result.save(tmp_path)
    assert "fold 3 (angry)" in (tmp_path / "results.md").read_text()


def test_folds_with_every_label_add_no_note():
    X, y, groups = _corpus_without_angry_for_two_speakers()
    keep = y != "angry"
    recipe = make_pipeline(StandardScaler(), LogisticRegression())
    result = run_benchmark(
        {"logreg": recipe}, X[keep], y[keep], groups[keep], n_splits=2, progress=False
    )
    assert all(fold.missing_labels == [] for fold in result.recipes[0].folds)
    assert "Folds without" not in result.to_markdown()


def test_labels_the_font_lacks_draw_without_a_warning_per_glyph(tmp_path):
    # Run in a fresh process: matplotlib caches the layout of text it drew.
    code = f"""
import warnings, numpy as np
from sklearn.dummy import DummyClassifier
from sklearn_ser.benchmark import run_benchmark
y = np.tile(["\\N{{UPSIDE-DOWN FACE}} happy", "sad"], 12)
groups = np.repeat(["a", "b", "c", "d"], 6)
X = np.random.default_rng(0).normal(size=(24, 2))
result = run_benchmark({{"dummy": DummyClassifier()}}, X, y, groups, n_splits=2,
                       progress=False)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    paths = result.save({str(tmp_path)!r})
print(len(caught), len(paths))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "4"], done.stderr
