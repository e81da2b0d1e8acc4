"""The command line answers --help, `recipes` and argument errors without heavy imports.

Each command runs in a fresh interpreter, since this test process has long
imported torch; the child reports which heavy libraries ended up imported.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "skorch", "librosa")

_CHILD = """
import json, sys
from sklearn_ser.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:  # argparse: --help and usage errors
    status = exc.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"status": status, "heavy": heavy}}), file=sys.stderr)
"""


def _run_cli(argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report, done.stdout, done.stderr


@pytest.mark.parametrize(
    "argv, status, expected",
    [
        (["--help"], 0, "benchmark"),
        (["benchmark", "--help"], 0, "--recipes"),
        (["recipes"], 0, "Bhanbhro et al. 2023: CNN-LSTM"),
        (["benchmark", "--recipes", "nope"], 2, "unknown recipe(s) 'nope'"),
        (["benchmark", "--protocol", "leaky"], 2, "unknown protocol 'leaky'"),
        (["benchmark", "--dataset", "iemocap"], 2, "unknown dataset 'iemocap'"),
        (["benchmark", "--dataset", "tess"], 2, "--dataset tess needs --root DIR"),
        (["benchmark", "--epochs", "0"], 2, "--epochs must be >= 1; got 0"),
        (["benchmark", "--torch-threads", "0"], 2, "--torch-threads must be >= 1"),
        (["train", "--recipe", "nope", "--out", "m.sser"], 2, "unknown recipe(s)"),
        (["benchmark", "--folds", "two"], 2, "invalid int value: 'two'"),
        (
            ["predict", "--model", "m.sser", "x.wav", "--segments", "--hop", "4"]
            + ["--window", "2"],
            2,
            "--hop 4.0 is longer than --window 2.0",
        ),
        (
            ["predict", "--model", "m.sser", "x.wav", "--window", "2"],
            2,
            "--window is used only with --segments",
        ),
    ],
)
def test_no_heavy_imports(tmp_path, argv, status, expected):
    report, out, err = _run_cli(argv, tmp_path)
    assert report == {"status": status, "heavy": []}, err
    assert expected in out + err


def test_import_sklearn_ser_is_lazy():
    code = (
        "import sys, sklearn_ser; "
        "assert 'AudioLoader' in dir(sklearn_ser); "
        f"print(sorted(m for m in {HEAVY!r} + ('sklearn',) if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_lazy_names_resolve():
    import sklearn_ser
    from sklearn_ser import CNNLSTMClassifier, load_audio
    from sklearn_ser.classifiers import CNNLSTMClassifier as direct

    assert CNNLSTMClassifier is direct
    assert load_audio is sklearn_ser.audio.load_audio
    assert set(sklearn_ser.__all__) <= set(dir(sklearn_ser))
    for name in sklearn_ser.__all__:
        assert getattr(sklearn_ser, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        sklearn_ser.no_such_name  # noqa: B018


def test_loading_a_classical_model_imports_no_torch(tmp_path):
    # skops' import would import torch through scikit-learn's array-API
    # adapter; load_model keeps it out, and leaves the adapter importable.
    from sklearn.svm import SVC

    from sklearn_ser.persistence import save_model

    model = SVC().fit([[0.0], [1.0]], ["calm", "angry"])
    path = save_model(model, tmp_path / "model.sser")
    code = (
        "import sys; from sklearn_ser.persistence import load_model; "
        f"print(load_model({str(path)!r}).predict([[0.9]])[0]); "
        "print(sorted(m for m in ('torch', 'dask') if m in sys.modules)); "
        "print([m for m, v in sys.modules.items() if v is None and 'array_api' in m])"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["angry", "[]", "[]"]
