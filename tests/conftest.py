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


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """One torch thread per test process.

    The suite runs in two xdist workers on two cores; torch's own intra-op
    threads on top oversubscribe them, which made small networks train 3-40x
    slower in measurements on the development machine.
    """
    import torch

    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
