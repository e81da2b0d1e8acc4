"""The stateless-step cache: loading and features computed once per clip.

The leading steps of a recipe that learn nothing from data (scikit-learn's
``requires_fit=False`` tag) give on each clip what they would give inside any
fold, so their output on all clips is computed once and shared by every recipe
and fold that uses the same steps with the same parameters.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone

__all__ = ["StatelessCache", "fingerprint"]


class StatelessCache:
    """Outputs of stateless step chains on all clips, shared across recipes.

    Keys chain the input's fingerprint with each step's class and parameters,
    so two recipes share a result exactly when their leading steps are
    identical. With a joblib ``memory`` the outputs also persist across calls.
    """

    def __init__(self, X, memory=None):
        self._X = X
        self._root = fingerprint(X)
        self._store: dict[str, np.ndarray] = {}
        self._compute = _fit_transform
        if memory is not None:
            memory = (
                joblib.Memory(memory, verbose=0)
                if isinstance(memory, (str, Path))
                else memory
            )
            self._compute = memory.cache(_fit_transform, ignore=["step", "X"])

    def transform(self, steps) -> tuple[np.ndarray, float]:
        """Apply ``steps`` in order to the input; return (output, seconds spent)."""
        Xt, key, spent = self._X, self._root, 0.0
        for step in steps:
            key = joblib.hash((key, type(step).__qualname__, step.get_params()))
            if key not in self._store:
                t0 = time.perf_counter()
                self._store[key] = self._compute(key, step, Xt)
                spent += time.perf_counter() - t0
            Xt = self._store[key]
        return np.asarray(Xt), spent


def _fit_transform(key, step, X):
    """``step`` fitted and applied to ``X``; ``key`` identifies both for caching."""
    return clone(step).fit_transform(X)


def fingerprint(X) -> str:
    """Hash of the input, and of each file's size and mtime when X holds paths."""
    stats = []
    if X.ndim == 1 and X.dtype.kind in "OUS":
        for item in X:
            try:
                stat = os.stat(item)
            except (OSError, TypeError, ValueError):
                continue
            stats.append((stat.st_size, stat.st_mtime_ns))
    return joblib.hash((X, stats))
