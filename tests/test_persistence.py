import json
import zipfile

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sklearn_ser import persistence
from sklearn_ser.persistence import (
    ModelFileError,
    load_model,
    read_manifest,
    save_model,
)


@pytest.fixture
def model():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    return LogisticRegression().fit(X, ["calm", "calm", "angry", "angry"])


def test_round_trip_keeps_predictions_and_records_manifest(model, tmp_path):
    path = save_model(
        model, tmp_path / "sub" / "m.sser", recipe="svm", metadata={"corpus": "toy"}
    )
    loaded = load_model(path)
    X = np.array([[0.05], [0.95]])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    manifest = read_manifest(path)
    assert manifest["recipe"] == "svm"
    assert manifest["classes"] == ["angry", "calm"]
    assert manifest["metadata"] == {"corpus": "toy"}
    assert manifest["library_versions"]["scikit-learn"]


def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="LogisticRegression has no `classes_`"):
        save_model(LogisticRegression(), tmp_path / "m.sser")


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "nope.sser")


def test_not_a_model_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ModelFileError, match="is not a sklearn_ser model file"):
        load_model(path)
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(ModelFileError, match="no readable manifest.json"):
        load_model(other_zip)


def _rewrite_manifest(path, **changes):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        payload = archive.read("pipeline.joblib")
    manifest.update(changes)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("pipeline.joblib", payload)


def test_other_version_is_refused_before_unpickling(model, tmp_path, monkeypatch):
    path = save_model(model, tmp_path / "m.sser")
    _rewrite_manifest(path, sklearn_ser_version="9.3.0")

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickled a file from an incompatible version")

    monkeypatch.setattr(persistence.joblib, "load", forbidden)
    with pytest.raises(
        ModelFileError, match=r"saved by sklearn_ser 9.3.0, which is not compatible"
    ):
        load_model(path)


def test_other_format_version_is_refused(model, tmp_path):
    path = save_model(model, tmp_path / "m.sser")
    _rewrite_manifest(path, format_version=99)
    with pytest.raises(ModelFileError, match="uses model format version 99"):
        load_model(path)


def test_damaged_payload_is_detected(model, tmp_path):
    path = save_model(model, tmp_path / "m.sser")
    _rewrite_manifest(path, payload_sha256="0" * 64)
    with pytest.raises(ModelFileError, match="does not match the checksum"):
        load_model(path)
