import hashlib
import io
import json
import os
import zipfile

import joblib
import numpy as np
import pytest
import skops.io
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser import persistence
from sklearn_ser.classifiers import StackedLSTMClassifier
from sklearn_ser.cli import main
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.persistence import (
    ModelFileError,
    load_model,
    read_manifest,
    save_model,
)
from sklearn_ser.recipes import RECIPES, make_recipe

MEMBERS = ("pipeline.skops", "weights.safetensors")


@pytest.fixture
def model():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    return SVC().fit(X, ["calm", "calm", "angry", "angry"])


@pytest.fixture(scope="module")
def deep_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 170)).astype(np.float32)
    y = np.array(["calm", "angry", "sad"] * 8)
    return X, y


@pytest.fixture(scope="module")
def deep_model(deep_data):
    """A scaler and a stacked LSTM: a pipeline with weights, fitted in a second."""
    net = StackedLSTMClassifier(
        max_epochs=2, random_state=0, device="cpu", module__layout="vector"
    )
    return make_pipeline(StandardScaler(), net).fit(*deep_data)


@pytest.fixture
def deep_file(deep_model, tmp_path):
    return save_model(deep_model, tmp_path / "deep.sser")


def _members(path):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return manifest, {name: archive.read(name) for name in MEMBERS}


def _rewrite(path, manifest=None, **members):
    """Replace members and record their checksums, as a forger would."""
    saved_manifest, saved = _members(path)
    manifest = saved_manifest if manifest is None else manifest
    saved.update({name.replace("_", "."): data for name, data in members.items()})
    manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in saved.items()}
    persistence._write_archive(path, manifest, saved)


def _saved_tree(path):
    """The skops tree of a model file, loaded with all its types trusted."""
    data = _members(path)[1]["pipeline.skops"]
    return skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))


class Gadget:
    """Creates a file when unpickled or restored: the side effect to look for."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))

    def __setstate__(self, state):
        open(state["target"], "w").close()


def test_round_trip_keeps_predictions_and_records_manifest(model, tmp_path):
    path = save_model(model, tmp_path / "sub" / "m.sser", metadata={"corpus": "toy"})
    loaded = load_model(path)
    X = np.array([[0.05], [0.95]])
    np.testing.assert_array_equal(
        loaded.decision_function(X), model.decision_function(X)
    )
    manifest = read_manifest(path)
    assert manifest["format_version"] == 2
    assert manifest["recipe"] is None
    assert manifest["classes"] == ["angry", "calm"]
    assert manifest["metadata"] == {"corpus": "toy"}
    assert manifest["library_versions"]["skops"]
    assert set(manifest["sha256"]) == set(MEMBERS)


def test_deep_pipeline_is_rebuilt_from_parameters_and_weights(
    deep_model, deep_file, deep_data
):
    X, _ = deep_data
    state = torch.random.get_rng_state()
    loaded = load_model(deep_file)
    # Rebuilding the network draws no numbers from the caller's generator.
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(loaded.predict_proba(X), deep_model.predict_proba(X))
    net, fitted = loaded[-1], deep_model[-1]
    assert net.get_params()["module__layout"] == "vector"
    assert net.input_shape_ == fitted.input_shape_ and net.device_ == "cpu"
    assert [row["train_loss"] for row in net.history_] == [
        row["train_loss"] for row in fitted.history_
    ]
    # The file holds no pickle: its weights are raw tensors.
    tensors = load_tensors(_members(deep_file)[1]["weights.safetensors"])
    assert tensors and all(name.startswith("net0.") for name in tensors)


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    return make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        random_state=0,
        output_dir=tmp_path_factory.mktemp("corpus"),
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_round_trips_with_identical_probabilities(
    name, tiny_corpus, tiny_encoder, tmp_path
):
    settings = dict(budget="cpu", max_epochs=1, random_state=0, device="cpu")
    if "encoder" in RECIPES[name].parameters():  # no hub here: a tiny random one
        settings["encoder"] = tiny_encoder("whisper")
    pipe = make_recipe(name, **settings)
    pipe.fit(tiny_corpus.paths, tiny_corpus.target)
    loaded = load_model(save_model(pipe, tmp_path / "m.sser", recipe=name))
    np.testing.assert_array_equal(
        loaded.predict_proba(tiny_corpus.paths[:4]),
        pipe.predict_proba(tiny_corpus.paths[:4]),
    )
    if name == "spectrogram_cnn":
        ensemble = loaded.named_steps["classifier"]
        assert ensemble.estimators_[1] is ensemble.named_estimators_["cnn1"]


@pytest.mark.slow
def test_tuned_recipe_round_trips(tiny_corpus, tmp_path):
    pipe = make_recipe("svm", tune=True, inner_splits=3, random_state=0)
    pipe.fit(tiny_corpus.paths, tiny_corpus.target, search__groups=tiny_corpus.groups)
    loaded = load_model(save_model(pipe, tmp_path / "m.sser"))
    np.testing.assert_array_equal(
        loaded.predict_proba(tiny_corpus.paths[:4]),
        pipe.predict_proba(tiny_corpus.paths[:4]),
    )


def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="SVC has no `classes_`"):
        save_model(SVC(), tmp_path / "m.sser")


def test_model_holding_a_foreign_object_is_not_saved(model, tmp_path):
    model.note = Gadget(str(tmp_path / "x"))
    with pytest.raises(
        ModelFileError, match=r"cannot be saved: it holds objects of .*test_persistence"
    ):
        save_model(model, tmp_path / "m.sser")


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


def test_other_version_is_refused(model, tmp_path):
    path = save_model(model, tmp_path / "m.sser")
    manifest, _ = _members(path)
    _rewrite(path, {**manifest, "sklearn_ser_version": "9.3.0"})
    with pytest.raises(
        ModelFileError, match=r"saved by sklearn_ser 9.3.0, which is not compatible"
    ):
        load_model(path)


def test_other_format_version_is_refused(model, tmp_path):
    path = save_model(model, tmp_path / "m.sser")
    manifest, _ = _members(path)
    _rewrite(path, {**manifest, "format_version": 99})
    with pytest.raises(ModelFileError, match="uses model format version 99"):
        load_model(path)


def test_damaged_member_is_detected(model, tmp_path):
    path = save_model(model, tmp_path / "m.sser")
    manifest, members = _members(path)
    manifest["sha256"]["pipeline.skops"] = "0" * 64
    persistence._write_archive(path, manifest, members)
    with pytest.raises(
        ModelFileError, match="its pipeline.skops does not match the checksum"
    ):
        load_model(path)


def _pickle_format_file(path, obj):
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    payload = buffer.getvalue()
    manifest = {
        "format": "sklearn-ser-model",
        "format_version": 1,
        "sklearn_ser_version": persistence.__version__,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("pipeline.joblib", payload)
    return path


def test_pickle_gadget_in_the_old_format_is_not_run(tmp_path, capsys):
    target = tmp_path / "pwned"
    path = _pickle_format_file(tmp_path / "old.sser", Gadget(str(target)))
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "old.sser" in message and "old pickle format" in message
    assert "load_model(old, trusted_pickle=True)" in message
    assert main(["predict", "--model", str(path), "x.wav"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "old pickle format" in err
    assert not target.exists()


def test_trusted_pickle_loads_an_old_file_for_conversion(model, tmp_path):
    old = _pickle_format_file(tmp_path / "old.sser", model)
    converted = save_model(load_model(old, trusted_pickle=True), tmp_path / "new.sser")
    assert load_model(converted).predict([[1.0]]) == ["angry"]


def test_pickle_gadget_in_place_of_the_pipeline_is_not_run(model, tmp_path):
    target = tmp_path / "pwned"
    path = save_model(model, tmp_path / "m.sser")
    buffer = io.BytesIO()
    joblib.dump(Gadget(str(target)), buffer)
    _rewrite(path, pipeline_skops=buffer.getvalue())
    with pytest.raises(ModelFileError, match=r"m\.sser' is damaged or is not a valid"):
        load_model(path)
    assert not target.exists()


def test_gadget_class_named_by_the_file_is_refused(model, tmp_path):
    target = tmp_path / "pwned"
    path = save_model(model, tmp_path / "m.sser")
    _rewrite(path, pipeline_skops=skops.io.dumps([Gadget(str(target))]))
    with pytest.raises(
        ModelFileError, match=r"m\.sser' names .*test_persistence\.Gadget"
    ):
        load_model(path)
    assert not target.exists()


def test_pickle_gadget_in_place_of_the_weights_is_not_run(deep_file, tmp_path):
    target = tmp_path / "pwned"
    buffer = io.BytesIO()
    torch.save({"net0.x": Gadget(str(target))}, buffer)
    _rewrite(deep_file, weights_safetensors=buffer.getvalue())
    with pytest.raises(ModelFileError, match=r"deep\.sser' is damaged"):
        load_model(deep_file)
    assert not target.exists()


@pytest.mark.parametrize(
    "name",
    [
        "posix.system",
        "builtins.eval",
        # Re-exported into a trusted module, defined elsewhere (joblib).
        "sklearn_ser.audio.delayed",
        # A skorch net restores itself with torch.load; only its data form is
        # allowed.
        "sklearn_ser.classifiers._stacked_lstm.StackedLSTMClassifier",
        "sklearn_ser.no_such_module.Thing",
        "sklearn.utils._testing.TempMemmap",
    ],
)
def test_allow_list_refuses(name):
    assert persistence._refused_types([name]) == [name]


def test_allow_list_accepts_library_classes():
    names = ["sklearn_ser.audio.AudioLoader", "imblearn.pipeline.Pipeline"]
    assert persistence._refused_types(names) == []


def _tamper_net(path, **changes):
    tree = _saved_tree(path)
    saved = tree.steps[-1][1]
    for attribute, value in changes.items():
        setattr(saved, attribute, value)
    _rewrite(path, pipeline_skops=skops.io.dumps(tree))


def test_unknown_deep_classifier_name_is_refused(deep_file):
    _tamper_net(deep_file, estimator="EvilClassifier")
    with pytest.raises(
        ModelFileError, match=r"deep\.sser' names an unknown deep classifier 'Evil"
    ):
        load_model(deep_file)


def test_parameter_class_outside_the_allow_list_is_refused(deep_file):
    tree = _saved_tree(deep_file)
    classes = {**tree.steps[-1][1].param_classes, "optimizer": "subprocess.Popen"}
    _tamper_net(deep_file, param_classes=classes)
    with pytest.raises(
        ModelFileError,
        match=r"gives parameter optimizer the class 'subprocess.Popen', which",
    ):
        load_model(deep_file)


def _replace_tensor(path, grow=0, dtype=None):
    tensors = load_tensors(_members(path)[1]["weights.safetensors"])
    name = next(k for k in sorted(tensors) if k.endswith("weight"))
    tensor = tensors[name]
    tensors[name] = torch.zeros(tensor.shape[0] + grow, *tensor.shape[1:]).to(
        dtype or tensor.dtype
    )
    _rewrite(path, weights_safetensors=save_tensors(tensors))
    return name


def test_oversized_tensor_is_refused(deep_file):
    name = _replace_tensor(deep_file, grow=1000)
    with pytest.raises(ModelFileError, match=rf"deep\.sser' is damaged: tensor {name}"):
        load_model(deep_file)


def test_tensor_of_another_dtype_is_refused(deep_file):
    _replace_tensor(deep_file, dtype=torch.float64)
    with pytest.raises(ModelFileError, match="dtype torch.float64"):
        load_model(deep_file)


def test_missing_tensor_is_refused(deep_file):
    tensors = load_tensors(_members(deep_file)[1]["weights.safetensors"])
    tensors.pop(sorted(tensors)[0])
    _rewrite(deep_file, weights_safetensors=save_tensors(tensors))
    with pytest.raises(ModelFileError, match="do not match the network"):
        load_model(deep_file)


def test_flipped_bytes_and_truncation_raise_model_file_error(
    deep_model, deep_file, deep_data
):
    """Every flipped byte is refused, or the file loads the same model."""
    X, _ = deep_data
    expected = deep_model.predict_proba(X)
    original = deep_file.read_bytes()
    refused = 0
    offsets = range(0, len(original), max(1, len(original) // 150))
    for offset in offsets:
        damaged = bytearray(original)
        damaged[offset] ^= 0xFF
        deep_file.write_bytes(bytes(damaged))
        try:
            loaded = load_model(deep_file)
        except ModelFileError as exc:
            assert "deep.sser" in str(exc)
            refused += 1
        else:
            # A byte outside every member's data (e.g. a zip timestamp).
            np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert refused > 0.9 * len(offsets)
    for size in (0, 10, len(original) // 2, len(original) - 1):
        deep_file.write_bytes(original[:size])
        with pytest.raises(ModelFileError, match="deep.sser"):
            load_model(deep_file)


def test_saved_for_a_missing_device_loads_on_the_cpu(deep_file, monkeypatch):
    _tamper_net(
        deep_file,
        params={**_saved_tree(deep_file).steps[-1][1].params, "device": "cuda"},
    )
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="device='cuda', which this machine"):
        loaded = load_model(deep_file)
    assert loaded[-1].device_ == "cpu"


def test_no_pickle_module_runs_on_load(deep_file, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("unpickled something")

    monkeypatch.setattr("pickle.loads", forbidden)
    monkeypatch.setattr("pickle.load", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    monkeypatch.setattr(joblib, "load", forbidden)
    load_model(deep_file)
    assert os.path.getsize(deep_file) > 0
