"""Shared fixtures: synthetic audio and the optional real corpora in ../shared/data."""

from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_corpus(name: str) -> Path:
    """Path of a real corpus under ../shared/data, or skip the test when absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"real corpus {path} is absent")
    return path


@pytest.fixture
def ravdess_root() -> Path:
    return shared_corpus("ravdess-speech")


@pytest.fixture
def tess_root() -> Path:
    return shared_corpus("tess")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
