"""The feature cache against hostile or stale folders.

Entries that are links, FIFOs or oversized files are misses (one warning,
nothing opened); keys change with the source of the code that computes a
step; stored arrays are checked against their digest; a killed write's
temporary files are cleaned.
"""

import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from sklearn_ser.benchmark import _cache
from sklearn_ser.benchmark._cache import (
    CacheEntryWarning,
    StatelessCache,
    import_closure,
    source_digest,
)
from sklearn_ser.features import MFCCFrames

X = np.random.default_rng(0).standard_normal((3, 4000)).astype(np.float32)


def _steps():
    return [MFCCFrames(sr=16000, n_mfcc=8)]


@pytest.fixture
def filled(tmp_path):
    """A cache folder holding one entry: (folder, key, reference output)."""
    cache = StatelessCache(X, tmp_path)
    reference, _ = cache.transform(_steps())
    key = cache._keys(_steps())[-1][0]
    return cache._folder, key, np.array(reference)


def _reread(tmp_path, reference, match):
    """Transform again from the folder: one warning matching ``match`` and the
    recomputed output, never blocking (an alarm stops a hung read)."""
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(60)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out, seconds = StatelessCache(X, tmp_path).transform(_steps())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    messages = [str(w.message) for w in caught if w.category is CacheEntryWarning]
    assert len(messages) == 1 and match in messages[0], messages
    np.testing.assert_array_equal(out, reference)
    assert seconds > 0  # recomputed, not served


def _timeout(*_):
    raise TimeoutError("reading the cache blocked")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("suffix", ["json", "npy"])
def test_entry_linked_to_dev_zero_is_a_miss(filled, tmp_path, suffix):
    folder, key, reference = filled
    os.remove(folder / f"{key}.{suffix}")
    os.symlink("/dev/zero", folder / f"{key}.{suffix}")
    _reread(tmp_path, reference, "symbolic link")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("suffix", ["json", "npy"])
def test_fifo_entry_is_a_miss_without_blocking(filled, tmp_path, suffix):
    folder, key, reference = filled
    os.remove(folder / f"{key}.{suffix}")
    os.mkfifo(folder / f"{key}.{suffix}")
    _reread(tmp_path, reference, "not a regular file")


def test_entry_linked_outside_the_folder_is_a_miss(filled, tmp_path):
    folder, key, reference = filled
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for suffix in ("npy", "json"):
        os.replace(folder / f"{key}.{suffix}", outside / f"e.{suffix}")
        os.symlink(outside / f"e.{suffix}", folder / f"{key}.{suffix}")
    _reread(tmp_path, reference, "symbolic link")


def test_oversized_description_is_a_miss(filled, tmp_path, monkeypatch):
    folder, key, reference = filled
    monkeypatch.setattr(_cache, "MAX_DESCRIPTION_BYTES", 64)
    _reread(tmp_path, reference, "more than the 64 expected")


def test_array_larger_than_its_description_is_a_miss(filled, tmp_path):
    folder, key, reference = filled
    with open(folder / f"{key}.npy", "ab") as file:
        file.write(bytes(1 << 17))
    _reread(tmp_path, reference, "more than the")


def test_array_not_matching_its_stored_digest_is_a_miss(filled, tmp_path):
    folder, key, reference = filled
    np.save(folder / f"{key}.npy", np.full_like(reference, 7.0))
    _reread(tmp_path, reference, "does not match the digest")


def test_edited_transformer_source_is_a_miss(tmp_path, monkeypatch):
    cache = StatelessCache(X, tmp_path)
    cache.transform(_steps())
    before = cache._keys(_steps())[-1][0]
    edited = MFCCFrames.__module__
    real = _cache._source

    def source(module):
        text = real(module)
        return text + b"\n# edited\n" if module == edited else text

    monkeypatch.setattr(_cache, "_source", source)
    after = StatelessCache(X, tmp_path)
    assert after._keys(_steps())[-1][0] != before
    _, seconds = after.transform(_steps())
    assert seconds > 0  # recomputed: the old features are not served


def test_edited_module_that_the_transformer_imports_is_a_miss(monkeypatch):
    module = MFCCFrames.__module__
    closure = import_closure([module])
    imported = sorted(closure - {module})
    assert imported, closure  # the MFCC transformer uses the shared front end
    before = source_digest(module)
    real = _cache._source
    monkeypatch.setattr(
        _cache,
        "_source",
        lambda name: real(name) + (b"#" if name == imported[0] else b""),
    )
    assert source_digest(module) != before


def test_import_closure_follows_a_copied_package(tmp_path, monkeypatch):
    # A transformer's module copied into a temporary package (its relative
    # imports made absolute), then edited: its digest changes.
    package = tmp_path / "sklearn_ser_copy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = Path(sys.modules[MFCCFrames.__module__].__file__).read_text()
    source = source.replace("from ..", "from sklearn_ser.").replace(
        "from .", "from sklearn_ser.features."
    )
    (package / "_frames.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = source_digest("sklearn_ser_copy._frames")
    assert MFCCFrames.__module__ not in import_closure(["sklearn_ser_copy._frames"])
    (package / "_frames.py").write_text(source + "\nSCALE = 2.0\n")
    assert source_digest("sklearn_ser_copy._frames") != before
    _cache._imports_of.cache_clear()


class _Fingerprinted(TransformerMixin, BaseEstimator):
    """A step whose output depends on something outside its parameters."""

    weights = "a"

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) * 2

    def _cache_fingerprint(self):
        return f"sha256 of weights {self.weights}"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def test_cache_fingerprint_is_part_of_the_key(tmp_path, monkeypatch):
    cache = StatelessCache(X, tmp_path)
    before = cache._keys([_Fingerprinted()])[-1][0]
    monkeypatch.setattr(_Fingerprinted, "weights", "b")
    assert cache._keys([_Fingerprinted()])[-1][0] != before


def test_stale_temporary_files_are_removed(filled, tmp_path):
    folder, key, _ = filled
    stale = folder / f".{key}.abc123.npy"
    fresh = folder / f".{key}.def456.json"
    other = folder / "notes.txt"
    for path in (stale, fresh, other):
        path.write_bytes(b"x" * 100)
    old = time.time() - _cache.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    StatelessCache(X, tmp_path)
    assert not stale.exists()
    assert fresh.exists()  # may belong to a write still running
    assert other.exists()  # not ours


def test_reproduction_runs_use_the_library_source_key():
    # benchmarks/_reproduce_runs.py keys its runs with these functions; the
    # move kept its keys (checked when moved: all 23 recipe rows' keys equal).
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(here))
    try:
        import _reproduce_runs
    except ImportError as exc:  # pragma: no cover - benchmarks not shipped
        pytest.skip(f"benchmarks not importable: {exc}")
    finally:
        sys.path.remove(str(here))
    assert _reproduce_runs._import_closure is _cache.import_closure
    assert _reproduce_runs._source is _cache._source
    assert _reproduce_runs._ours is _cache._ours
