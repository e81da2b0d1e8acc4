"""The deep classifiers' device paths: precision, data kept on the device, CUDA."""

import numpy as np
import pytest
import torch
from _deep_data import CLASSIFIERS, make_clf, make_data

from sklearn_ser._device import (
    DeviceBatches,
    autocast_dtype,
    data_fits_on_device,
)
from sklearn_ser.classifiers import Conv1DLSTMClassifier, StackedLSTMClassifier, _base

needs_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs an NVIDIA GPU"
)


def test_precision_is_float32_on_cpu_unless_bf16_is_forced():
    assert autocast_dtype("auto", "cpu") is None
    assert autocast_dtype("float32", "cpu") is None
    assert autocast_dtype("bf16", "cpu") is torch.bfloat16
    assert autocast_dtype("float32", "cuda") is None


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_bf16_autocast_trains_on_cpu_and_predicts_float64(cls):
    X, y = make_data(cls)
    proba = make_clf(cls, precision="bf16").fit(X, y).predict_proba(X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_training_data_stays_on_the_host_on_cpu():
    assert not data_fits_on_device("cpu", 1)
    assert not data_fits_on_device(None, 1)


def test_device_batches_cover_their_rows_once_per_epoch():
    X = torch.arange(20.0).reshape(10, 2)
    y = torch.arange(10)
    rows = [1, 3, 4, 6, 7, 9]
    batches = DeviceBatches(X, y, indices=rows, batch_size=4, shuffle=True)
    assert len(batches) == 2
    torch.manual_seed(0)
    epochs = [torch.cat([yb for _, yb in batches]).tolist() for _ in range(2)]
    assert all(sorted(epoch) == rows for epoch in epochs)
    assert epochs[0] != epochs[1]  # a new order every epoch


@pytest.mark.parametrize("early_stopping", [False, True])
def test_data_kept_on_the_device_trains_like_the_data_loader(
    monkeypatch, early_stopping
):
    """The CUDA residency path, exercised on the CPU."""
    X, y = make_data(Conv1DLSTMClassifier, n_per_class=10)
    groups = np.repeat(np.arange(6), 5)
    params = dict(early_stopping=early_stopping, max_epochs=20, patience=50)
    loader = make_clf(Conv1DLSTMClassifier, **params).fit(X, y, groups=groups)
    monkeypatch.setattr(_base, "data_fits_on_device", lambda device, nbytes: True)
    resident = make_clf(Conv1DLSTMClassifier, **params).fit(X, y, groups=groups)
    again = make_clf(Conv1DLSTMClassifier, **params).fit(X, y, groups=groups)

    # Batches are drawn in another order, so the weights differ; both learn,
    # the same seed gives the same model, and nothing stays on the estimator.
    np.testing.assert_array_equal(resident.predict_proba(X), again.predict_proba(X))
    assert resident.score(X, y) >= 0.9 and loader.score(X, y) >= 0.9
    assert len(resident.history) == len(loader.history)
    assert not hasattr(resident, "_device_data")


@pytest.mark.cuda
@needs_cuda
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_cuda_fast_path_keeps_data_on_device_and_restores_cudnn(cls):
    X, y = make_data(cls)
    before = torch.backends.cudnn.benchmark
    clf = make_clf(cls, max_epochs=30).fit(X, y)
    assert clf.device_ == "cuda"
    assert data_fits_on_device("cuda", X.nbytes)
    assert torch.backends.cudnn.benchmark == before
    assert clf.score(X, y) >= 0.9


@pytest.mark.cuda
@needs_cuda
def test_cuda_bf16_and_float32_agree():
    X, y = make_data(StackedLSTMClassifier)
    bf16 = make_clf(StackedLSTMClassifier, max_epochs=30).fit(X, y)
    fp32 = make_clf(StackedLSTMClassifier, max_epochs=30, precision="float32").fit(X, y)
    agreement = np.mean(bf16.predict(X) == fp32.predict(X))
    assert agreement >= 0.9
