"""The command line's contract: a user error is one line on stderr and exit
status 2, found before any data is loaded or model trained."""

import socket
import subprocess
import sys

import pytest
import torch
from _audio_files import tone, write_audio

from sklearn_ser.cli import UserError, _benchmark, _train, main


@pytest.fixture
def no_loading(monkeypatch):
    """Loading a corpus (the first expensive step) fails the test."""

    def load_dataset(*args, **kwargs):
        raise AssertionError("the corpus was loaded before the error")

    for runner in (_train, _benchmark):
        monkeypatch.setattr(runner, "load_dataset", load_dataset)


def _one_error(capsys, *expected) -> str:
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "error:" in err and "Traceback" not in err
    for text in expected:
        assert text in err, err
    return err


def _train_args(out, *options):
    return ["train", "--recipe", "svm", "--out", str(out), *options]


def _bench_args(out, *options):
    return ["benchmark", "--recipes", "svm", "--quiet", "--out", str(out), *options]


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_feature_jobs_zero(no_loading, tmp_path, capsys, jobs):
    assert main(_train_args(tmp_path / "m.sser", "--feature-jobs", jobs)) == 2
    _one_error(
        capsys, f"--feature-jobs must be >= 1, or -1 for one per core; got {jobs}"
    )


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        ("tpu", "--device 'tpu' is not a device; use auto, cpu, cuda or cuda:N"),
        ("cuda:99", "--device cuda:99: this machine has"),
        pytest.param(
            "cuda",
            "CUDA device(s) visible",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="has CUDA"),
        ),
    ],
)
@pytest.mark.parametrize("command", ["train", "benchmark"])
def test_device_is_checked_before_loading(
    no_loading, tmp_path, capsys, device, expected, command
):
    args = _train_args if command == "train" else _bench_args
    argv = args(tmp_path / "out", "--device", device)
    argv[2] = "cnn_lstm"
    assert main(argv) == 2
    _one_error(capsys, expected)


def test_train_out_is_an_existing_folder(no_loading, tmp_path, capsys):
    assert main(_train_args(tmp_path)) == 2
    _one_error(capsys, f"--out {tmp_path} is a folder", "model.sser")


def test_train_out_cannot_be_written(no_loading, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "sub" / "m.sser"
    assert main(_train_args(out)) == 2
    _one_error(capsys, f"--out {out}: {tmp_path / 'file'} is a file, not a folder")


@pytest.mark.parametrize("flag", ["--out", "--cache-dir"])
def test_benchmark_folders_that_are_files(no_loading, tmp_path, capsys, flag):
    (tmp_path / "file").write_text("")
    options = [flag, str(tmp_path / "file")]
    if flag == "--cache-dir":
        options += ["--out", str(tmp_path / "results")]
    assert main(["benchmark", "--recipes", "svm", "--quiet", *options]) == 2
    _one_error(capsys, f"{flag} {tmp_path / 'file'} is a file; give a folder")


def test_an_unwritable_cache_folder(no_loading, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    cache = tmp_path / "file" / "cache"
    assert main(_bench_args(tmp_path / "results", "--cache-dir", str(cache))) == 2
    _one_error(capsys, f"--cache-dir {cache}: ", "is a file, not a folder")


def test_missing_optional_extra_says_how_to_install(
    no_loading, tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "opensmile", None)  # as if not installed
    argv = _train_args(tmp_path / "m.sser")
    argv[2] = "egemaps_svm"
    assert main(argv) == 2
    _one_error(capsys, "recipe 'egemaps_svm'", "pip install sklearn-ser[opensmile]")


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--recipe", "svm", "--out", "m.sser", "--bogus"],
        ["train", "--recipe", "svm"],
        ["benchmark", "--folds", "two"],
        ["no-such-command"],
    ],
)
def test_argparse_errors_are_one_line_with_a_hint(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    _one_error(capsys, "--help)")


@pytest.mark.parametrize(
    ("options", "flag"),
    [(["--device", "cpu"], "--device cpu"), (["--epochs", "3"], "--epochs 3")],
)
def test_deep_options_given_to_a_classical_recipe_warn(
    tmp_path, capsys, monkeypatch, options, flag
):
    def load_dataset(*args, **kwargs):
        raise UserError("stopped before loading")

    monkeypatch.setattr(_train, "load_dataset", load_dataset)
    assert main(_train_args(tmp_path / "m.sser", *options)) == 2
    warning, error = capsys.readouterr().err.splitlines()
    assert warning == (
        f"sklearn-ser train: warning: {flag} is ignored: svm has no neural network "
        "to train (only the deep recipes do)"
    )
    assert error.endswith("stopped before loading")


def test_an_unreachable_scheduler_is_one_line_before_loading(
    no_loading, tmp_path, capsys
):
    pytest.importorskip("distributed")
    with socket.socket() as sock:  # a port on which nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = _bench_args(tmp_path / "results", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert main(argv) == 2
    _one_error(capsys, f"cannot reach the Dask scheduler tcp://127.0.0.1:{port}: ")


def test_a_silent_scheduler_times_out_after_5_seconds(no_loading, tmp_path, capsys):
    pytest.importorskip("distributed")
    with socket.socket() as sock:  # accepts connections, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
        assert main(_bench_args(tmp_path / "results", "--scheduler", address)) == 2
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if "warning:" not in line]
    assert f"cannot reach the Dask scheduler {address}" in line
    assert "after 5 s" in line


class _ClosedPipe:
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass


@pytest.fixture(scope="module")
def model_and_clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    assert main(_train_args(folder / "m.sser")) == 0
    wav = write_audio(folder / "a.wav", tone(220, 16000, 1.0), 16000)
    return folder / "m.sser", wav


def test_a_closed_stdout_ends_quietly(model_and_clip, capsys, monkeypatch):
    model, wav = model_and_clip
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["predict", "--model", str(model), str(wav)]) == 128 + 13
    assert capsys.readouterr().err == ""


def test_predict_into_head_prints_nothing_on_stderr(model_and_clip):
    model, wav = model_and_clip
    # More output than a pipe holds, so that writing must fail once the
    # reader has gone.
    files = [str(wav)] * 1500
    command = [sys.executable, "-m", "sklearn_ser.cli", "predict"]
    process = subprocess.Popen(
        [*command, "--model", str(model), "--format", "json", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline().strip() == b"["
    process.stdout.close()  # as `| head -1` does
    assert process.wait(timeout=300) == 128 + 13
    assert process.stderr.read() == b""


def test_a_live_scheduler_passes_the_check():
    distributed = pytest.importorskip("distributed")
    from sklearn_ser.cli._benchmark import _check_scheduler

    with distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp://", dashboard_address=None
    ) as cluster:
        _check_scheduler(cluster.scheduler_address)  # answers: no error
