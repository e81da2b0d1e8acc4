"""Model files that cannot reach the network, import what they name, or exhaust memory.

Each test builds the hostile file itself: a gadget class that connects out
when restored, a name whose module prints on import, zip bombs, duplicate
members and a manifest that lies about its model.
"""

import hashlib
import io
import json
import socket
import subprocess
import sys
import threading
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.svm import SVC

from sklearn_ser import persistence
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.persistence import (
    ALLOWED_TYPES,
    HELPER_TYPES,
    RECIPE_TYPES,
    ModelFileError,
    _allow,
    _archive,
    load_model,
    read_manifest,
    save_model,
)
from sklearn_ser.recipes import RECIPES, make_recipe

MEMBERS = ("pipeline.skops", "weights.safetensors")
ENCODER = Path("/work/shared/models/whisper-tiny")


@pytest.fixture
def model():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    return SVC().fit(X, ["calm", "calm", "angry", "angry"])


@pytest.fixture
def model_file(model, tmp_path):
    return save_model(model, tmp_path / "m.sser")


def _write(path, manifest, members, extra=()):
    """Write a model file whose checksums match, as a forger would."""
    manifest = dict(manifest)
    manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in [*members.items(), *extra]:
            archive.writestr(name, data)
    return path


def _parts(path):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return manifest, {name: archive.read(name) for name in MEMBERS}


class _Listener:
    """A TCP listener on 127.0.0.1 that records every connection attempt."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.address = self.socket.getsockname()
        self.connects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connects += 1
            connection.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def _gadget(address):
    """An object whose restoring connects to ``address`` (scikit-learn's
    ScoringMonitor with a ListenerHandle when it exists), and its type name."""
    try:
        from sklearn.callback._scoring_monitor import ScoringMonitor
        from sklearn.callback._transport import ListenerHandle
    except ImportError:
        ScoringMonitor = None
    if ScoringMonitor is not None:
        gadget = object.__new__(ScoringMonitor)
        gadget.__dict__.update(
            _listener_handle=ListenerHandle(address, b"key"), _log=[]
        )
        return gadget, "sklearn.callback._scoring_monitor.ScoringMonitor"
    return _Connector(address), f"{__name__}._Connector"


class _Connector:
    """Connects to its address when restored: the side effect to look for."""

    def __init__(self, address):
        self.address = address

    def __setstate__(self, state):
        socket.create_connection(tuple(state["address"]), timeout=1).close()


def test_gadget_that_connects_out_is_refused_before_anything_runs(
    model, model_file, listener
):
    gadget, type_name = _gadget(listener.address)
    model.monitor_ = gadget
    manifest, members = _parts(model_file)
    members["pipeline.skops"] = skops.io.dumps(model)
    _write(model_file, manifest, members)
    threads = threading.active_count()
    with pytest.raises(ModelFileError, match=rf"m\.sser' names .*{type_name}"):
        load_model(model_file)
    listener.close()
    assert listener.connects == 0
    assert threading.active_count() == threads - 1  # the listener's, stopped


def test_the_gadget_is_live_without_the_allow_list(model, model_file, listener):
    # The exploit is real: skops with its own trust settings restores it.
    gadget, type_name = _gadget(listener.address)
    model.monitor_ = gadget
    data = skops.io.dumps(model)
    try:
        skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    except Exception:
        pass
    listener.close()
    assert listener.connects == 1


def _rename_type(pipeline: bytes, module: str, cls: str) -> bytes:
    """The skops member with its top-level object renamed to module.cls."""
    with zipfile.ZipFile(io.BytesIO(pipeline)) as inner:
        files = {name: inner.read(name) for name in inner.namelist()}
    schema = json.loads(files["schema.json"])
    schema["__module__"], schema["__class__"] = module, cls
    files["schema.json"] = json.dumps(schema).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as inner:
        for name, data in files.items():
            inner.writestr(name, data)
    return out.getvalue()


def test_refused_name_does_not_import_its_module(model_file):
    # sklearn._build_utils.version prints scikit-learn's version on import.
    manifest, members = _parts(model_file)
    members["pipeline.skops"] = _rename_type(
        members["pipeline.skops"], "sklearn._build_utils.version", "SVC"
    )
    _write(model_file, manifest, members)
    code = (
        "import sys\n"
        "from sklearn_ser.persistence import ModelFileError, load_model\n"
        "try:\n"
        f"    load_model({str(model_file)!r})\n"
        "except ModelFileError as exc:\n"
        "    print('refused', 'sklearn._build_utils.version' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert run.stdout == "refused False\n", run.stdout + run.stderr


@pytest.mark.parametrize("name", ["builtins.eval", "posix.system", "skops.io.loads"])
def test_function_names_outside_the_list_are_refused(model_file, name):
    manifest, members = _parts(model_file)
    module, _, function = name.rpartition(".")
    members["pipeline.skops"] = _rename_type(
        members["pipeline.skops"], module, function
    )
    _write(model_file, manifest, members)
    with pytest.raises(ModelFileError, match=rf"names {name}"):
        load_model(model_file)


def test_unknown_skops_node_kind_is_refused(model_file):
    manifest, members = _parts(model_file)
    with zipfile.ZipFile(io.BytesIO(members["pipeline.skops"])) as inner:
        files = {name: inner.read(name) for name in inner.namelist()}
    schema = json.loads(files["schema.json"])
    schema["__loader__"] = "ConstructorFromReduceNode"
    files["schema.json"] = json.dumps(schema).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as inner:
        for name, data in files.items():
            inner.writestr(name, data)
    members["pipeline.skops"] = out.getvalue()
    _write(model_file, manifest, members)
    with pytest.raises(ModelFileError, match="skops node ConstructorFromReduceNode"):
        load_model(model_file)


def _peak_bytes(function):
    """Peak Python memory (bytes) allocated while ``function`` runs."""
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("member", ["weights.safetensors", "pipeline.skops"])
def test_zip_bomb_member_is_refused_before_it_is_read(model_file, member):
    manifest, members = _parts(model_file)
    members[member] = bytes(64 << 20)  # 64 MiB of zeros: about 64 KiB deflated
    _write(model_file, manifest, members)
    assert model_file.stat().st_size < 1 << 20
    errors = []

    def load():
        with pytest.raises(ModelFileError, match=rf"{member}' expands") as info:
            load_model(model_file)
        errors.append(info)

    assert _peak_bytes(load) < 16 << 20
    assert errors


def test_zip_bomb_inside_the_skops_member_is_refused(model_file):
    manifest, members = _parts(model_file)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as inner:
        inner.writestr("schema.json", b" " * (64 << 20))
    members["pipeline.skops"] = out.getvalue()
    _write(model_file, manifest, members)
    peak = _peak_bytes(lambda: pytest.raises(ModelFileError, load_model, model_file))
    assert peak < 16 << 20
    with pytest.raises(ModelFileError, match="schema.json' expands"):
        load_model(model_file)


def test_zip_bomb_manifest_is_refused(model_file):
    _, members = _parts(model_file)
    with zipfile.ZipFile(model_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{" + b" " * (64 << 20) + b"}")
        for name, data in members.items():
            archive.writestr(name, data)
    peak = _peak_bytes(lambda: pytest.raises(ModelFileError, read_manifest, model_file))
    assert peak < 16 << 20
    with pytest.raises(ModelFileError, match="manifest.json' (expands|declares)"):
        read_manifest(model_file)


def test_member_over_its_size_limit_is_refused(model_file, monkeypatch):
    monkeypatch.setitem(_archive.MAX_MEMBER_BYTES, "weights.safetensors", 1 << 20)
    manifest, members = _parts(model_file)
    members["weights.safetensors"] = np.random.default_rng(0).bytes(2 << 20)
    _write(model_file, manifest, members)
    with pytest.raises(ModelFileError, match="declares 2097152 bytes, over the limit"):
        load_model(model_file)


def test_duplicate_member_names_are_refused(model_file):
    manifest, members = _parts(model_file)
    forged = dict(manifest, classes=["happy", "sad"])
    with zipfile.ZipFile(model_file, "a") as archive:
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("manifest.json", json.dumps(forged))
    with pytest.raises(ModelFileError, match="two members named 'manifest.json'"):
        load_model(model_file)


def test_manifest_labels_must_match_the_model(model_file):
    manifest, members = _parts(model_file)
    _write(model_file, dict(manifest, classes=["happy", "sad"]), members)
    with pytest.raises(ModelFileError, match=r"lists the labels \['happy', 'sad'\]"):
        load_model(model_file)


@pytest.mark.parametrize("recipe", ["cnn_lstm", "no_such_recipe", 3])
def test_manifest_recipe_must_match_the_model(model_file, recipe):
    manifest, members = _parts(model_file)
    _write(model_file, dict(manifest, recipe=recipe), members)
    with pytest.raises(ModelFileError, match="recipe"):
        load_model(model_file)


def test_save_refuses_a_recipe_the_model_is_not(model, tmp_path):
    with pytest.raises(ModelFileError, match="names the recipe 'svm'"):
        save_model(model, tmp_path / "m.sser", recipe="svm")
    assert not (tmp_path / "m.sser").exists()


def test_allow_list_parts_are_consistent():
    assert ALLOWED_TYPES == RECIPE_TYPES | set(HELPER_TYPES)
    assert not RECIPE_TYPES & set(HELPER_TYPES)
    assert all(reason for reason in HELPER_TYPES.values())
    assert persistence._refused_types(["sklearn.linear_model.LogisticRegression"])


def _recipe_overrides(name):
    """Cheap settings for a recipe, or a reason to skip it."""
    overrides = {"budget": "cpu", "max_epochs": 1, "random_state": 0, "device": "cpu"}
    if "encoder" in RECIPES[name].parameters():
        if not ENCODER.is_dir():
            return None, f"{name} needs a local encoder ({ENCODER} is absent)"
        overrides["encoder"] = str(ENCODER)
    return overrides, None


def _types_written(path):
    with zipfile.ZipFile(path) as archive:
        pipeline = archive.read("pipeline.skops")
    with zipfile.ZipFile(io.BytesIO(pipeline)) as inner:
        return _allow.schema_types(json.loads(inner.read("schema.json")))


@pytest.mark.slow
def test_allow_list_is_what_the_recipes_write(tmp_path):
    """Every registered recipe, fitted on a tiny corpus and saved, names only
    listed types, and every listed type is written by a recipe or is a helper.

    Tuning wraps any recipe the same way (recipes._tuning), so one tuned
    recipe (svm, the cheapest) covers the search's types.
    """
    corpus = make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        random_state=0,
        output_dir=tmp_path / "corpus",
    )
    written, nodes, skipped = set(), set(), []
    runs = [(name, False) for name in RECIPES] + [("svm", True)]
    for name, tune in runs:
        overrides, reason = _recipe_overrides(name)
        if reason:
            skipped.append(reason)
            continue
        if tune:
            overrides = {"random_state": 0, "tune": True, "inner_splits": 3}
        pipe = make_recipe(name, **overrides)
        fit_params = {"search__groups": corpus.groups} if tune else {}
        pipe.fit(corpus.paths, corpus.target, **fit_params)
        path = save_model(pipe, tmp_path / f"{name}-{tune}.sser", recipe=name)
        types, kinds = _types_written(path)
        assert not types - ALLOWED_TYPES, name
        written |= types
        nodes |= kinds
    if not skipped:
        assert RECIPE_TYPES == written, "RECIPE_TYPES lists types no recipe writes"
    else:
        assert written <= RECIPE_TYPES | set(HELPER_TYPES)
    assert nodes <= _allow.ALLOWED_NODES
