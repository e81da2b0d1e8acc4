"""Runs that meet odd data or lose a worker: finite features, clear errors, retries."""

import os
import signal
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from _audio_files import tone, write_audio
from sklearn.dummy import DummyClassifier

from sklearn_ser.benchmark import LostFitsError, run_benchmark
from sklearn_ser.cli import main
from sklearn_ser.features import AcousticStats170
from sklearn_ser.recipes import make_recipe


class DiesInFit(DummyClassifier):
    """Kills its own (worker) process when fitted: once if ``marker`` names a
    file, which the first death creates, else every time.

    With ``wait_for=(folder, n)`` it first waits (up to a minute) until ``n``
    files are in ``folder``: the other fits of the run have finished, so the
    only fits a death loses are its own.
    """

    def __init__(self, marker=None, wait_for=None, strategy="prior"):
        self.marker = marker
        self.wait_for = wait_for
        super().__init__(strategy=strategy)

    def fit(self, X, y, sample_weight=None):
        if self.wait_for is not None:
            folder, n = self.wait_for
            deadline = time.monotonic() + 60
            while len(list(Path(folder).iterdir())) < n and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.marker is None or not Path(self.marker).exists():
            if self.marker is not None:
                Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(X, y)


class FitLeavesAFile(DummyClassifier):
    """Writes a file of its own into ``folder`` when fitted."""

    def __init__(self, folder=None, strategy="prior"):
        self.folder = folder
        super().__init__(strategy=strategy)

    def fit(self, X, y, sample_weight=None):
        Path(self.folder, uuid.uuid4().hex).touch()
        return super().fit(X, y)


def _corpus(root, counts: dict, amplitude=0.3, subtype=None):
    for k, (label, n) in enumerate(counts.items()):
        for i in range(n):
            path = root / label / f"s{i % 3}_{label}{i}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            clip = tone(200 + 150 * k + 20 * i, 8000, 1.0, amplitude)
            write_audio(path, clip, 8000, subtype=subtype)
    return root


def _args(command, root, out, *options):
    recipe = ["--recipe", "svm"]
    if command == "benchmark":
        recipe = ["--recipes", "svm", "--quiet"]
    return [command, *recipe, "--dataset", "folder", "--root", str(root)] + [
        "--speaker-pattern",
        "^(s[0-9])_",
        "--out",
        str(out),
        *options,
    ]


def test_features_of_a_clip_near_the_float_range_are_finite():
    rng = np.random.default_rng(0)
    quiet = 0.1 * rng.standard_normal((1, 8000)).astype(np.float32)
    X = np.concatenate([quiet * 1e30, quiet * 3e37, quiet])
    stats = AcousticStats170(stats=("mean", "std", "min", "max"))
    with np.errstate(all="raise"):  # no overflow warning escapes either
        features = stats.fit_transform(X)
    assert np.isfinite(features).all()
    # The loud clips do not change the quiet one's features.
    np.testing.assert_array_equal(features[2], stats.fit_transform(quiet)[0])


def test_a_float_wav_at_1e30_trains_and_predicts(tmp_path, capsys):
    root = _corpus(tmp_path / "c", {"angry": 6, "sad": 6})
    loud = tone(300, 8000, 1.0, 1e30).astype(np.float32)
    write_audio(root / "angry" / "s0_loud.wav", loud, 8000, subtype="FLOAT")
    model = tmp_path / "m.sser"
    assert main(_args("train", root, model)) == 0
    wav = str(root / "angry" / "s0_loud.wav")
    assert main(["predict", "--model", str(model), "--format", "csv", wav]) == 0
    assert "nan" not in capsys.readouterr().out.lower()


@pytest.mark.parametrize("command", ["train", "benchmark"])
@pytest.mark.parametrize(("n_calm", "shown"), [(1, "(1 clip)"), (2, "(2 clips)")])
def test_a_label_with_too_few_clips_is_one_line(
    tmp_path, capsys, command, n_calm, shown
):
    """A single clip, or fewer than the svm's 3 calibration folds need."""
    root = _corpus(tmp_path / "c", {"angry": 6, "sad": 6, "calm": n_calm})
    out = tmp_path / ("out.sser" if command == "train" else "out")
    assert main(_args(command, root, out)) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "(3 folds" in err and "fewer than 3 clips" in err
    assert f"the rarest: 'calm' {shown}:" in err


def test_a_recipe_refuses_mixed_label_types_before_loading():
    paths = [f"missing_{i}.wav" for i in range(3)]  # never opened
    with pytest.raises(ValueError, match=r"int \(1\), str \('1'\)"):
        make_recipe("svm").fit(paths, [1, "1", "angry"])


def _bench(recipes, **kwargs):
    X = np.arange(24).reshape(-1, 1)
    y = np.tile(["angry", "sad"], 12)
    groups = np.repeat(["s1", "s2", "s3", "s4"], 6)
    return run_benchmark(recipes, X, y, groups, n_splits=2, progress=False, **kwargs)


def test_fits_lost_with_a_killed_worker_run_again(tmp_path):
    recipes = {"ok": DummyClassifier(), "dies": DiesInFit(str(tmp_path / "died"))}
    with pytest.warns(RuntimeWarning, match="worker process died"):
        result = _bench(recipes, n_jobs=2)
    assert (tmp_path / "died").exists()
    assert [r.recipe for r in result.recipes] == ["ok", "dies"]
    reference = _bench({"ok": DummyClassifier(), "dies": DummyClassifier()})
    for got, expected in zip(result.recipes, reference.recipes, strict=True):
        np.testing.assert_array_equal(got.y_pred, expected.y_pred)


def test_fits_lost_twice_name_themselves(tmp_path):
    # "ok"'s two fits finish before "dies" kills its worker: otherwise a fit of
    # "ok" still running in the broken pool would be lost with it.
    done = tmp_path / "done"
    done.mkdir()
    recipes = {"ok": FitLeavesAFile(str(done)), "dies": DiesInFit(wait_for=(done, 2))}
    with pytest.warns(RuntimeWarning), pytest.raises(LostFitsError) as caught:
        _bench(recipes, n_jobs=2)
    assert "dies fold 1" in str(caught.value) or "dies fold 2" in str(caught.value)
    assert all(name == "dies" for name, _ in caught.value.lost)


def test_lost_fits_in_the_cli_say_what_finished(tmp_path, capsys, monkeypatch):
    import sklearn_ser.benchmark as benchmark

    def run_benchmark(recipes, *args, on_recipe_done, **kwargs):
        on_recipe_done(_bench({"svm": DummyClassifier()}))
        raise LostFitsError([("later", 0)], RuntimeError("worker killed"))

    monkeypatch.setattr(benchmark, "run_benchmark", run_benchmark)
    out = tmp_path / "results"
    assert main(["benchmark", "--recipes", "svm", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # (the synthetic speakers' levels differ: one warning line before)
    (err,) = [line for line in err.splitlines() if "warning:" not in line]
    assert "later fold 1" in err and f"(svm) are in {out}" in err
    assert (out / "results.json").exists()
