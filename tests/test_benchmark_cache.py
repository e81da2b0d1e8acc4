"""The stateless-step cache: plain data on disk, content keys, untrusted entries."""

import json
import os
import pickle
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_ser.benchmark import run_benchmark
from sklearn_ser.benchmark._cache import (
    CacheEntryWarning,
    StatelessCache,
    _file_digest,
    fingerprint,
)

READS = []


def read_numbers(paths):
    """A stateless 'loader': two numbers per text file."""
    READS.append(len(paths))
    return np.array([np.loadtxt(p) for p in paths])


def double(X):
    return 2 * np.asarray(X)


class Gadget:
    """Unpickling this creates a file: what a planted pickle would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _files(tmp_path, n=12):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = tmp_path / "clips" / f"{i:02d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(" ".join(f"{v:.3f}" for v in rng.normal(size=2) + i % 2))
        paths.append(str(path))
    y = np.tile(["a", "b"], n // 2)
    groups = np.repeat(["s1", "s2", "s3"], n // 3)
    return np.array(paths), y, groups


def _steps():
    return [FunctionTransformer(read_numbers), FunctionTransformer(double)]


def _entries(memory):
    return sorted(memory.rglob("*.npy"))


def test_cache_holds_arrays_and_json_only(tmp_path):
    paths, _, _ = _files(tmp_path)
    READS.clear()
    Xt, spent = StatelessCache(paths, tmp_path / "cache").transform(_steps())
    assert spent > 0 and READS == [len(paths)]
    files = sorted(p.suffix for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert files == [".json", ".json", ".npy", ".npy"]  # one entry per step
    for described in (tmp_path / "cache").rglob("*.json"):
        meta = json.loads(described.read_text())
        assert {"shape", "dtype", "blake2b", "key"} <= set(meta)
    again, spent = StatelessCache(paths, tmp_path / "cache").transform(_steps())
    assert READS == [len(paths)] and spent == 0.0
    np.testing.assert_array_equal(again, Xt)


@pytest.mark.parametrize(
    "planted, forge_description",
    [("pickle", False), ("pickle", True), ("object npy", True)],
)
def test_planted_pickle_is_recomputed_and_never_run(
    tmp_path, planted, forge_description
):
    paths, _, _ = _files(tmp_path)
    memory, marker = tmp_path / "cache", tmp_path / "pwned"
    expected, _ = StatelessCache(paths, memory).transform(_steps())
    expected = np.array(expected)
    for entry in _entries(memory):
        if planted == "pickle":
            entry.write_bytes(pickle.dumps(Gadget(marker)))
        else:  # a real .npy header in front of pickled objects
            gadgets = np.array([Gadget(marker)], dtype=object)
            with open(entry, "wb") as file:
                np.save(file, gadgets, allow_pickle=True)
        if forge_description:  # the attacker also fixes the digest and dtype
            described = entry.with_suffix(".json")
            meta = json.loads(described.read_text())
            meta.update(blake2b=_file_digest(entry), dtype="|O", shape=[1])
            described.write_text(json.dumps(meta))
    READS.clear()
    with pytest.warns(CacheEntryWarning) as record:
        Xt, _ = StatelessCache(paths, memory).transform(_steps())
    # one line per planted entry
    assert sorted(str(w.message).split()[5] for w in record) == [
        str(entry) + ":" for entry in _entries(memory)
    ]
    for warning in record:
        message = str(warning.message)
        assert "Recomputing the feature cache entry" in message
        assert "\n" not in message
    assert not marker.exists()
    reason = {
        "pickle": "it is not a .npy array (a pickle",
        "object npy": "Python objects",
    }
    if forge_description:
        assert reason[planted] in str(record[0].message)
    assert READS == [len(paths)]
    np.testing.assert_array_equal(Xt, expected)
    # the recomputed entries are sound again
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        StatelessCache(paths, memory).transform(_steps())


def test_truncated_or_misdescribed_entry_is_recomputed(tmp_path):
    paths, _, _ = _files(tmp_path)
    memory = tmp_path / "cache"
    expected, _ = StatelessCache(paths, memory).transform(_steps()[:1])
    expected = np.array(expected)
    (entry,) = _entries(memory)
    entry.write_bytes(entry.read_bytes()[:100])
    with pytest.warns(CacheEntryWarning, match="does not match the digest"):
        Xt, _ = StatelessCache(paths, memory).transform(_steps()[:1])
    np.testing.assert_array_equal(Xt, expected)
    described = entry.with_suffix(".json")
    meta = json.loads(described.read_text())
    described.write_text(json.dumps({**meta, "shape": [3, 3]}))
    with pytest.warns(CacheEntryWarning, match=r"its description says <f8 \[3, 3\]"):
        StatelessCache(paths, memory).transform(_steps()[:1])
    described.write_text("{not json")
    with pytest.warns(CacheEntryWarning, match="Expecting property name"):
        StatelessCache(paths, memory).transform(_steps()[:1])


def test_content_change_with_size_and_mtime_kept_is_noticed(tmp_path):
    paths, y, groups = _files(tmp_path)
    memory = tmp_path / "cache"
    recipe = make_pipeline(FunctionTransformer(read_numbers), LogisticRegression())
    READS.clear()
    run_benchmark({"a": recipe}, paths, y, groups, n_splits=3, progress=False,
                  memory=memory)  # fmt: skip
    before = fingerprint(paths)
    target = paths[0]
    stat = os.stat(target)
    text = open(target).read()
    swapped = " ".join(reversed(text.split()))
    assert len(swapped) == len(text) and swapped != text
    with open(target, "w") as file:
        file.write(swapped)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(target).st_size == stat.st_size
    assert os.stat(target).st_mtime_ns == stat.st_mtime_ns
    assert fingerprint(paths) != before
    run_benchmark({"a": recipe}, paths, y, groups, n_splits=3, progress=False,
                  memory=memory)  # fmt: skip
    assert READS == [len(paths), len(paths)]


def test_chunked_features_match_and_live_on_disk(tmp_path):
    paths, _, _ = _files(tmp_path, n=15)
    whole, _ = StatelessCache(paths).transform(_steps())
    READS.clear()
    chunked, _ = StatelessCache(paths, chunk_size=4).transform(_steps())
    assert READS == [4, 4, 4, 3]
    assert isinstance(chunked, np.memmap)
    np.testing.assert_array_equal(chunked, whole)
    memory = tmp_path / "cache"
    on_disk, _ = StatelessCache(paths, memory, chunk_size=4).transform(_steps())
    np.testing.assert_array_equal(on_disk, whole)
    assert len(_entries(memory)) == 1  # the chain's output only, no waveforms
    READS.clear()
    StatelessCache(paths, memory, chunk_size=4).transform(_steps())
    assert READS == []


def test_unidentifiable_steps_stay_in_memory(tmp_path):
    paths, _, _ = _files(tmp_path)
    memory = tmp_path / "cache"
    steps = [FunctionTransformer(read_numbers), FunctionTransformer(lambda X: X + 1)]
    cache = StatelessCache(paths, memory)
    first, _ = cache.transform(steps)
    second, spent = cache.transform(steps)
    assert second is first and spent == 0.0
    assert len(_entries(memory)) == 1  # the loader's output, not the lambda's


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"chunk_size": 0}, ValueError, "chunk_size must be an integer >= 1; got 0"),
        ({"chunk_size": 2.5}, TypeError, "chunk_size must be an integer >= 1"),
        ({"memory": 3}, TypeError, "memory must be a folder"),
    ],
)
def test_bad_cache_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        StatelessCache(np.zeros(3), **kwargs)


def test_keys_ignore_how_a_step_runs_not_what_it_computes():
    from sklearn_ser.audio import AudioLoader
    from sklearn_ser.benchmark._cache import _step_token

    assert _step_token(AudioLoader(n_jobs=1)) == _step_token(AudioLoader(n_jobs=2))
    assert _step_token(AudioLoader(duration=1.0)) != _step_token(AudioLoader())


def test_synthetic_corpus_made_again_keeps_its_files(tmp_path):
    from sklearn_ser.datasets import make_emotional_speech

    def make(seed):
        return make_emotional_speech(
            n_speakers=2,
            n_clips_per_emotion=1,
            emotions=("sad", "angry"),
            duration=0.3,
            random_state=seed,
            output_dir=tmp_path / "corpus",
        ).paths

    paths = make(0)
    stamps = [os.stat(p).st_mtime_ns for p in paths]
    key = fingerprint(paths)
    os.utime(paths[0], ns=(1, 1))  # so that a rewrite would show
    assert fingerprint(make(0)) == key
    assert os.stat(paths[0]).st_mtime_ns == 1
    assert [os.stat(p).st_mtime_ns for p in paths][1:] == stamps[1:]
    assert fingerprint(make(1)) != key  # other clips: files replaced
    assert not list((tmp_path / "corpus").rglob(".*"))  # no partial files left
