"""The stateless-step cache: loading and features computed once per clip.

The leading steps of a recipe that learn nothing from data (scikit-learn's
``requires_fit=False`` tag) give on each clip what they would give inside any
fold, so their output on all clips is computed once and shared by every recipe
and fold that uses the same steps with the same parameters.

On disk the cache holds plain data only, so that a cache folder cannot run
code, whoever wrote into it:

- an entry is a ``.npy`` array and a ``.json`` description (shape, dtype,
  BLAKE2b digest of the ``.npy`` file, the steps that made it); arrays are
  read with ``np.load(allow_pickle=False)``, never unpickled;
- keys hash the *content* of the input files (not their size and
  modification time) with each step's class and parameters as canonical
  JSON, so an edited file is read again even if its size and time are kept;
- keys also hold, for a step of sklearn_ser, a digest of the source of the
  module that defines it and of every sklearn_ser module that module
  imports, transitively (:func:`source_digest`), so editing the code that
  computes a feature recomputes it; and, when a step has a method
  ``_cache_fingerprint(self) -> str``, its return value, for what the
  source and parameters do not show (a pretrained encoder returns its weight
  files' SHA-256 there);
- files are written under a temporary name and moved into place
  (``os.replace``), so a reader never sees half an entry;
- an entry is opened only if both of its files are regular files in the
  cache folder (a symlink, FIFO or device under an entry's name is never
  opened, so a link to ``/dev/zero`` cannot exhaust memory and a FIFO cannot
  hang the run), within size limits (its description at most
  ``MAX_DESCRIPTION_BYTES``, its array the size its description implies);
- an entry that does not match its description (damaged, truncated, foreign,
  a pickle under an entry's name, an array whose BLAKE2b digest is not the
  one stored with it) is recomputed after one warning;
- temporary files left by a write that was killed are removed by the next
  cache opened on the folder, once they are ``STALE_TEMP_SECONDS`` old
  (younger ones may belong to a write still running in another process).

A corpus larger than ``chunk_size`` clips is featurised ``chunk_size`` clips
at a time into a memory-mapped ``.npy`` (in the cache folder, or a temporary
one), so memory holds one chunk of waveforms at a time, not the whole corpus.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import json
import os
import re
import stat
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, clone

__all__ = ["CacheEntryWarning", "StatelessCache", "fingerprint", "source_digest"]

#: Version of the on-disk layout; a new layout uses a new folder.
_LAYOUT = "stateless-v1"
_BLOCK = 1 << 20  # bytes read at a time when hashing a file
_NPY_MAGIC = b"\x93NUMPY"
#: Parameters that change how a step runs, not what it computes.
_NOT_IN_KEYS = frozenset({"n_jobs", "verbose"})
#: Largest entry description read (bytes); a larger one is not an entry.
MAX_DESCRIPTION_BYTES = 1 << 20
#: Slack allowed over the array bytes that a .npy's description implies
#: (the .npy header).
_NPY_HEADER_SLACK = 1 << 16
#: Age (seconds) after which a temporary file is left over from a killed write.
STALE_TEMP_SECONDS = 6 * 3600
_TEMPORARY = re.compile(r"\.[0-9a-f]{32}\..+\.(npy|json)")


class CacheEntryWarning(UserWarning):
    """A cache entry could not be trusted and is recomputed."""


class _Unidentifiable(Exception):
    """A step parameter has no stable identity across processes (a lambda)."""


class StatelessCache:
    """Outputs of stateless step chains on all clips, shared across recipes.

    Parameters
    ----------
    X : ndarray of shape (n_clips,) or (n_clips, ...)
        Input of the steps (usually audio file paths).
    memory : str, path-like or None, default=None
        Folder that keeps the outputs across calls; ``None`` keeps them for
        the life of this object only.
    chunk_size : int, default=1000
        An input of more clips than this is run through each chain of steps
        ``chunk_size`` clips at a time into an on-disk array, and only the
        chain's last output is kept.
    """

    def __init__(self, X, memory=None, *, chunk_size: int = 1000):
        if isinstance(chunk_size, bool) or not isinstance(
            chunk_size, (int, np.integer)
        ):
            raise TypeError(f"chunk_size must be an integer >= 1; got {chunk_size!r}.")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be an integer >= 1; got {chunk_size}.")
        if memory is not None and not isinstance(memory, (str, os.PathLike)):
            raise TypeError(
                f"memory must be a folder (str or path) or None; got {memory!r}."
            )
        self._X = X
        self._chunk_size = int(chunk_size)
        self._folder = None if memory is None else Path(memory) / _LAYOUT
        self._root = None  # the input's fingerprint, computed when first needed
        self._store: dict[str, np.ndarray] = {}
        self._scratch = None  # temporary folder for on-disk arrays without memory
        if self._folder is not None:
            _remove_stale_temporaries(self._folder)

    def transform(self, steps) -> tuple[np.ndarray, float]:
        """Apply ``steps`` in order to the input; return (output, seconds spent).

        The same chain of steps gives the same array object every time, so
        that a parallel backend can ship it to its workers once.
        """
        steps = list(steps)
        keys = self._keys(steps)
        start, Xt = 0, self._X
        for n in range(len(steps), 0, -1):
            found = self._get(keys[n - 1])
            if found is not None:
                start, Xt = n, found
                break
        t0 = time.perf_counter()
        if start < len(steps) and len(Xt) > self._chunk_size:
            Xt = self._put_chunked(keys[-1], steps[start:], Xt)
        else:
            for n in range(start, len(steps)):
                Xt = self._put(keys[n], clone(steps[n]).fit_transform(Xt))
        return Xt, (time.perf_counter() - t0 if start < len(steps) else 0.0)

    # -- keys -------------------------------------------------------------

    def _keys(self, steps) -> list[tuple[str, bool]]:
        """Key of each prefix of ``steps``, and whether it may live on disk.

        A chain with a step that cannot be identified across processes (a
        lambda among its parameters) is kept in memory only, keyed by the
        step object itself.
        """
        keys, key, durable = [], None, True
        for step in steps:
            try:
                token = _step_token(step)
            except _Unidentifiable:
                token, durable = f"object {id(step)}", False
            if key is None:
                key = self._root_key() if self._folder is not None and durable else ""
            key = hashlib.blake2b(
                f"{key}\n{token}".encode(), digest_size=16
            ).hexdigest()
            keys.append((key, durable and self._folder is not None))
        return keys

    def _root_key(self) -> str:
        if self._root is None:
            self._root = fingerprint(self._X)
        return self._root

    # -- storage ----------------------------------------------------------

    def _get(self, key) -> np.ndarray | None:
        name, durable = key
        if name in self._store:
            return self._store[name]
        if durable:
            found = _read_entry(self._folder, name)
            if found is not None:
                self._store[name] = found
            return found
        return None

    def _put(self, key, Xt) -> np.ndarray:
        name, durable = key
        if durable:
            Xt = _write_entry(self._folder, name, np.asarray(Xt))
        self._store[name] = Xt
        return Xt

    def _put_chunked(self, key, steps, X) -> np.ndarray:
        """Run ``steps`` over ``X`` a chunk at a time into a memory-mapped array."""
        name, durable = key
        folder = self._folder if durable else self._scratch_folder()
        folder.mkdir(parents=True, exist_ok=True)
        out = tmp = None
        try:
            for begin in range(0, len(X), self._chunk_size):
                part = X[begin : begin + self._chunk_size]
                for step in steps:
                    part = clone(step).fit_transform(part)
                part = np.asarray(part)
                if out is None:
                    tmp = _temporary(folder, name, ".npy")
                    shape = (len(X), *part.shape[1:])
                    out = np.lib.format.open_memmap(
                        tmp, mode="w+", dtype=part.dtype, shape=shape
                    )
                out[begin : begin + len(part)] = part
            out.flush()
            del out
            if durable:
                Xt = _publish(folder, name, tmp, _describe(name))
            else:
                os.replace(tmp, folder / f"{name}.npy")
                Xt = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        finally:
            if tmp is not None and tmp.exists():
                tmp.unlink()
        self._store[name] = Xt
        return Xt

    def _scratch_folder(self) -> Path:
        if self._scratch is None:
            # Removed when this cache is garbage collected.
            self._scratch = tempfile.TemporaryDirectory(prefix="sklearn_ser-features-")
        return Path(self._scratch.name)


def fingerprint(X) -> str:
    """Hash of the input and, where it holds paths of files, of their content.

    Every file named in a 1-D array of strings is read and hashed (BLAKE2b),
    so a file whose content changed is noticed whatever its size and
    modification time; items that are not regular files count by their text.

    Parameters
    ----------
    X : array-like
        Input of the cached steps.

    Returns
    -------
    digest : str
        Hexadecimal BLAKE2b digest.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.benchmark._cache import fingerprint
    >>> fingerprint(np.zeros(3)) == fingerprint(np.zeros(3))
    True
    >>> fingerprint(np.zeros(3)) == fingerprint(np.ones(3))
    False
    """
    X = np.asarray(X)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{X.dtype.str} {X.shape}\n".encode())
    if X.dtype.kind in "OUS":
        for item in X.ravel():
            digest.update(f"{item}\0".encode(errors="surrogatepass"))
            if X.ndim == 1 and isinstance(item, (str, os.PathLike)):
                path = Path(item)
                if path.is_file():
                    digest.update(_file_digest(path).encode())
    else:
        digest.update(memoryview(np.ascontiguousarray(X)).cast("B"))
    return digest.hexdigest()


def _step_token(step) -> str:
    """Canonical JSON of a step: its class, its package's version, its parameters."""
    cls = type(step)
    package = cls.__module__.partition(".")[0]
    version = getattr(importlib.import_module(package), "__version__", None)
    token = {}
    if _ours(cls.__module__):
        token["source"] = source_digest(cls.__module__)
    extra = getattr(step, "_cache_fingerprint", None)
    if callable(extra):
        token["fingerprint"] = str(extra())
    return json.dumps(
        {
            **token,
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "version": version,
            "params": _canonical(
                {
                    name: value
                    for name, value in step.get_params(deep=False).items()
                    if name not in _NOT_IN_KEYS
                }
            ),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _canonical(value):
    """``value`` as JSON-able data that is the same in every process."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return {"ndarray": fingerprint(value)}
    if isinstance(value, BaseEstimator):
        return {"estimator": _step_token(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, np.ufunc):
        return {"callable": f"numpy.{value.__name__}"}
    qualname = getattr(value, "__qualname__", None)
    if callable(value) and qualname:
        if "<" in qualname:  # a lambda or a local function: no name to go by
            raise _Unidentifiable(qualname)
        return {"callable": f"{value.__module__}.{qualname}"}
    text = repr(value)
    if " at 0x" in text:  # identity only, which differs between processes
        raise _Unidentifiable(text)
    return {"repr": text}


def _file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _describe(name: str) -> dict:
    return {"layout": _LAYOUT, "key": name}


def _temporary(folder: Path, name: str, suffix: str) -> Path:
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(handle)
    return Path(path)


def _write_entry(folder: Path, name: str, Xt: np.ndarray) -> np.ndarray:
    """Store ``Xt`` as an entry; an array numpy cannot save without pickle stays
    in memory only."""
    if Xt.dtype.hasobject:
        return Xt
    folder.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(folder, name, ".npy")
    try:
        np.save(tmp, Xt, allow_pickle=False)
        return _publish(folder, name, tmp, _describe(name))
    finally:
        if tmp.exists():
            tmp.unlink()


def _publish(folder: Path, name: str, tmp: Path, meta: dict) -> np.ndarray:
    """Move a written ``.npy`` into place with its description; open it."""
    array = np.load(tmp, mmap_mode="r", allow_pickle=False)
    meta = {
        **meta,
        "shape": list(array.shape),
        "dtype": array.dtype.str,
        "blake2b": _file_digest(tmp),
    }
    del array
    os.replace(tmp, folder / f"{name}.npy")
    tmp_json = _temporary(folder, name, ".json")
    tmp_json.write_text(json.dumps(meta, indent=1))
    os.replace(tmp_json, folder / f"{name}.json")
    return np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)


def _read_entry(folder: Path, name: str) -> np.ndarray | None:
    """The entry's array, or None (after one warning if the entry is not sound)."""
    npy, described = folder / f"{name}.npy", folder / f"{name}.json"
    if not os.path.lexists(npy) and not os.path.lexists(described):
        return None
    try:
        meta = json.loads(_read_regular(described, MAX_DESCRIPTION_BYTES))
        if not isinstance(meta, dict) or meta.get("key") != name:
            raise ValueError("its description names another entry")
        shape, dtype = meta.get("shape"), np.dtype(str(meta.get("dtype")))
        if not (isinstance(shape, list) and all(isinstance(n, int) for n in shape)):
            raise ValueError("its description has no valid shape")
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        _regular_file(npy, size + _NPY_HEADER_SLACK)
        if _file_digest(npy) != meta.get("blake2b"):
            raise ValueError("its content does not match the digest in its description")
        with open(npy, "rb") as file:
            if file.read(len(_NPY_MAGIC)) != _NPY_MAGIC:
                raise ValueError("it is not a .npy array (a pickle or other data)")
        array = np.load(npy, mmap_mode="r", allow_pickle=False)
        if list(array.shape) != shape or array.dtype.str != meta.get("dtype"):
            raise ValueError(
                f"it holds {array.dtype.str} {list(array.shape)}, its description "
                f"says {meta.get('dtype')} {meta.get('shape')}"
            )
    except (OSError, ValueError, TypeError, EOFError) as exc:
        reason = " ".join(str(exc).split()).rstrip(".")
        warnings.warn(
            f"Recomputing the feature cache entry {npy}: {reason}.",
            CacheEntryWarning,
            stacklevel=5,
        )
        return None
    return array


def _regular_file(path: Path, limit: int) -> int:
    """The size of ``path``, which must be a regular file (not followed if a
    link) of at most ``limit`` bytes; never opens anything else."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise ValueError(f"{path.name} is a symbolic link, not a cache file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path.name} is not a regular file (a FIFO or device?)")
    if info.st_size > limit:
        raise ValueError(
            f"{path.name} has {info.st_size} bytes, more than the {limit} expected"
        )
    return info.st_size


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Opened without following a link and without blocking (a FIFO swapped in
    after the check is not waited on), and read with a cap.
    """
    _regular_file(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ValueError(f"{path.name} is not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path.name} has more than {limit} bytes")
    return data


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove temporary files that a killed write left in ``folder``."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    now = time.time()
    for name in names:
        if not _TEMPORARY.fullmatch(name):
            continue
        path = folder / name
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass  # removed meanwhile by another process


# -- what a step's output depends on: its code ------------------------------


def source_digest(module: str) -> str:
    """Digest of the source of ``module`` and of the sklearn_ser modules it imports.

    The modules are those of :func:`import_closure`; a change to any of
    them changes the digest, a change elsewhere does not.

    Parameters
    ----------
    module : str
        Dotted name of a sklearn_ser module.

    Returns
    -------
    digest : str
        Hexadecimal BLAKE2b digest.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(import_closure([module])):
        digest.update(f"{name}\0".encode())
        digest.update(hashlib.blake2b(_source(name), digest_size=16).digest())
    return digest.hexdigest()


def _ours(module: str) -> bool:
    return module == "sklearn_ser" or module.startswith("sklearn_ser.")


def import_closure(roots: Iterable[str]) -> set[str]:
    """``roots`` and every sklearn_ser module they import, transitively.

    Imports at any level count (inside functions too); a name imported
    from a package counts as the submodule that defines it, so a module
    that uses one network does not depend on its siblings.
    """
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack += [m for m in _imports_of(name) if m not in seen]
    return seen


@functools.lru_cache
def _imports_of(module: str) -> tuple[str, ...]:
    """The ``sklearn_ser`` modules that ``module``'s source imports."""
    spec = importlib.util.find_spec(module)
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(_source(module))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _ours(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name(
                "." * node.level + (node.module or ""), package
            )
            if _ours(base):
                found += [_defining_module(base, alias.name) for alias in node.names]
    return tuple(found)


def _defining_module(base: str, name: str) -> str:
    """The module that ``from base import name`` really takes ``name`` from."""
    package = importlib.util.find_spec(base).submodule_search_locations
    if package and importlib.util.find_spec(f"{base}.{name}") is not None:
        return f"{base}.{name}"  # a submodule
    value = getattr(importlib.import_module(base), name)
    origin = getattr(value, "__module__", None)
    # Constants have no __module__: then the whole package (its __init__ and
    # what that imports) counts.
    return origin if origin and _ours(origin) else base


def _source(module: str) -> bytes:
    return Path(importlib.util.find_spec(module).origin).read_bytes()
