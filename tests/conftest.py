"""Shared fixtures: synthetic audio and the optional real corpora in ../shared/data."""

import getpass
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

# Two pytest-xdist workers compiling the same librosa function into numba's
# on-disk cache at once can leave its two cache files from different
# processes, and the next load crashes the interpreter (numba issue 10128,
# seen here as a segfault in librosa.yin on a fresh virtual environment).
# Each worker gets a cache directory of its own; numba reads the variable
# when it is first imported, which is after this module.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ.setdefault(
        "NUMBA_CACHE_DIR",
        os.path.join(
            tempfile.gettempdir(),
            f"sklearn_ser-tests-numba-{getpass.getuser()}",
            os.environ["PYTEST_XDIST_WORKER"],
        ),
    )

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHARED_MODELS = SHARED_DATA.parent / "models"


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


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    """A small synthetic corpus written to disk with RAVDESS names (CLI tests)."""
    from sklearn_ser.datasets import make_emotional_speech

    root = tmp_path_factory.mktemp("corpus")
    make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=2,
        emotions=("neutral", "happy", "sad", "angry"),
        duration=1.5,
        random_state=0,
        output_dir=root,
    )
    return root


@pytest.fixture
def whisper_tiny() -> Path:
    """The real Whisper tiny.en checkpoint in ../shared/models, or skip."""
    path = SHARED_MODELS / "whisper-tiny"
    if not (path / "model.safetensors").is_file():
        pytest.skip(f"pretrained model {path} is absent")
    return path


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory):
    """``tiny_encoder(kind)``: the folder of a tiny random ``kind`` encoder.

    Built once per session and kind (see ``_tiny_encoders.KINDS``).
    """
    pytest.importorskip("transformers")
    from _tiny_encoders import save_tiny_encoder

    folders = {}

    def get(kind: str) -> Path:
        if kind not in folders:
            folder = tmp_path_factory.mktemp(f"tiny-{kind}")
            folders[kind] = save_tiny_encoder(kind, folder)
        return folders[kind]

    return get


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
