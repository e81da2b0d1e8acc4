"""Parallel benchmark fits: the same results with any number of jobs, or on Dask."""

import json

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.benchmark import run_benchmark
from sklearn_ser.benchmark._parallel import use_worker_gpu, worker_device
from sklearn_ser.cli import main
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.recipes import make_recipe

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=2,
        emotions=("neutral", "happy", "sad", "angry"),
        duration=1.0,
        random_state=0,
        output_dir=tmp_path_factory.mktemp("corpus"),
    )


def _comparable(report: dict) -> dict:
    """A results dict without what may change between identical runs."""
    if isinstance(report, dict):
        return {
            key: _comparable(value)
            for key, value in report.items()
            if not key.endswith(("_time", "_seconds")) and key != "machine"
        }
    if isinstance(report, list):
        return [_comparable(value) for value in report]
    return report


def _run(corpus, memory, names=("svm", "random_forest"), **kwargs):
    recipes = {name: make_recipe(name, random_state=0, **kwargs) for name in names}
    return _comparable(
        run_benchmark(
            recipes,
            corpus.paths,
            corpus.target,
            corpus.groups,
            n_splits=2,
            progress=False,
            memory=memory,
            **{"n_jobs": kwargs.pop("n_jobs", None)},
        ).to_dict()
    )


def test_a_dask_cluster_gives_the_serial_results(corpus, tmp_path):
    serial = _run(corpus, tmp_path)
    assert serial["recipes"][0]["folds"][0]["uar"] > 0
    # Worker threads in this process: quick to start. Deep recipes need worker
    # processes (torch's random state is global), as `--dask` starts them.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        assert _run(corpus, tmp_path, n_jobs=-1) == serial


@pytest.mark.slow
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"names": ("stacked_lstm",), "max_epochs": 2}],
    ids=["classical", "deep"],
)
def test_worker_processes_give_the_serial_results(corpus, tmp_path, kwargs):
    serial = _run(corpus, tmp_path, **kwargs)
    assert _run(corpus, tmp_path, n_jobs=2, **kwargs) == serial


@pytest.mark.parametrize(
    "device, index, n_gpus, expected",
    [
        ("cuda", 0, 2, "cuda:0"),
        ("cuda", 5, 4, "cuda:1"),
        ("auto", 3, 2, "cuda:1"),
        ("cpu", 3, 2, "cpu"),
        ("cuda:1", 0, 2, "cuda:1"),
        ("cuda", None, 2, "cuda"),  # not a numbered Dask worker
        ("cuda", 3, 1, "cuda"),  # one GPU: nothing to spread
        (None, 3, 2, None),
    ],
)
def test_worker_device(device, index, n_gpus, expected):
    assert worker_device(device, index, n_gpus) == expected


class DeviceClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, device="cuda"):
        self.device = device


def _device_in_worker(estimator):
    use_worker_gpu(estimator)
    return estimator.get_params()["deviceclassifier__device"]


def test_each_dask_worker_takes_its_own_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    estimator = make_pipeline(StandardScaler(), DeviceClassifier("cuda"))
    assert _device_in_worker(estimator) == "cuda"  # not in a worker: unchanged
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        devices = {
            worker["name"]: client.submit(
                _device_in_worker, estimator, workers=[address], pure=False
            ).result()
            for address, worker in client.scheduler_info()["workers"].items()
        }
    assert devices == {0: "cuda:0", 1: "cuda:1"}


def _cli(corpus, out, *options):
    root = str(np.unique([p.rsplit("/", 2)[0] for p in corpus.paths])[0])
    argv = ["benchmark", "--dataset", "ravdess", "--root", root, "--folds", "2"]
    argv += ["--recipes", "svm,random_forest", "--out", str(out), "--quiet"]
    return main([*argv, *options])


def test_cli_refuses_bad_jobs_and_an_unreachable_scheduler(capsys, corpus, tmp_path):
    assert _cli(corpus, tmp_path, "--fit-jobs", "0") == 2
    err = capsys.readouterr().err
    assert "error: --fit-jobs must be >= 1, or -1 for one per core; got 0" in err
    argv = ["--scheduler", "tcp://127.0.0.1:1", "--fit-jobs", "2"]
    assert _cli(corpus, tmp_path, *argv) == 2
    err = capsys.readouterr().err
    assert "error: --fit-jobs does not apply with --scheduler" in err
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert _cli(corpus, tmp_path, "--scheduler", "tcp://127.0.0.1:1") == 2
    err = capsys.readouterr().err
    assert "error: cannot reach the Dask scheduler tcp://127.0.0.1:1" in err
    assert err.count("\n") == 1


@pytest.mark.slow
def test_cli_jobs_and_local_dask_cluster_write_the_same_results(corpus, tmp_path):
    reports = []
    # No shared cache: each run computes its features under its own backend.
    for options in ([], ["--fit-jobs", "2"], ["--dask", "--fit-jobs", "2"]):
        out = tmp_path / "-".join(options or ["serial"])
        assert _cli(corpus, out, *options) == 0
        reports.append(_comparable(json.loads((out / "results.json").read_text())))
    assert reports[1] == reports[0]
    assert reports[2] == reports[0]


def test_features_are_computed_in_threads_under_a_process_backend(corpus):
    from sklearn_ser.audio import AudioLoader
    from sklearn_ser.features import AcousticStats170

    waves = AudioLoader().fit_transform(corpus.paths[:8])
    expected = AcousticStats170(n_jobs=1).fit_transform(waves)
    # Blocks write into one output array, which worker processes cannot.
    with joblib.parallel_config(backend="loky"):
        np.testing.assert_array_equal(
            AcousticStats170(n_jobs=2).fit_transform(waves), expected
        )
