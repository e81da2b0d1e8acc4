"""Size and training speed of the five deep classifiers at the papers' settings.

For each architecture: the number of trainable parameters and the time of one
training epoch on ``--n-clips`` random clips (default 1,000) of 3 s, with the
paper's batch size and optimiser. Inputs are random float32 arrays of the
shape that the feature transformers give a 3 s clip at the paper's sample
rate; the shapes are computed by running the transformers on one clip:

==================================  =================================  =====
classifier                          features (paper settings)          sr
==================================  =================================  =====
StackedLSTMClassifier (reference)   AcousticStats170()                 24414
CNNLSTMClassifier                   MelSpectrogramChunker(n_chunks=7)  48000
SpectrogramCNNClassifier            MelSpectrogramChunker(n_chunks=1)  22050
Conv1DLSTMClassifier                MFCCFrames(n_mfcc=12)              48000
ParallelCNNTransformerClassifier    MFCCFrames(n_mfcc=40)              48000
==================================  =================================  =====

(TESS is recorded at 24.414 kHz; the spectrogram-CNN paper's code loads audio
with librosa's default 22.05 kHz; the others use RAVDESS at 48 kHz.)

Each model is trained for ``--epochs`` epochs after a one-epoch warm-up on
64 clips; the median epoch time from skorch's ``dur`` history is reported,
with the range. The reference, measured in the same run, is the
stacked LSTM, so ratios read "times slower than the cheapest paper model".
CPU always; CUDA too when PyTorch sees a GPU. Timings on a shared machine are
noisy.

Usage::

    python benchmarks/bench_classifiers.py [--n-clips 1000] [--epochs 1] [--threads N]
"""

import argparse
import os
import time

import numpy as np
import torch

from sklearn_ser.classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)
from sklearn_ser.datasets._emotions import EMOTIONS
from sklearn_ser.features import AcousticStats170, MelSpectrogramChunker, MFCCFrames

CLIP_SECONDS = 3.0
# The reference (the cheapest paper model) comes first.
SETTINGS = {
    StackedLSTMClassifier: (AcousticStats170(sr=24414), 24414),
    CNNLSTMClassifier: (MelSpectrogramChunker(sr=48000, n_chunks=7), 48000),
    SpectrogramCNNClassifier: (MelSpectrogramChunker(sr=22050, n_chunks=1), 22050),
    Conv1DLSTMClassifier: (MFCCFrames(sr=48000, n_mfcc=12), 48000),
    ParallelCNNTransformerClassifier: (MFCCFrames(sr=48000, n_mfcc=40), 48000),
}


def clip_shape(transformer, sr: int) -> tuple[int, ...]:
    """Per-clip output shape of ``transformer`` for one 3 s clip at ``sr``."""
    rng = np.random.default_rng(0)
    clip = 0.1 * rng.standard_normal((1, round(CLIP_SECONDS * sr)), dtype=np.float32)
    return transformer.fit_transform(clip).shape[1:]


def time_epochs(cls, X, y, device: str, epochs: int) -> tuple[int, list[float]]:
    """Parameter count and seconds of each training epoch."""
    # One epoch on a few clips first, so one-time costs (allocator, kernel
    # selection) stay out of the timed epochs.
    cls(max_epochs=1, device=device, random_state=0).fit(X[:64], y[:64])
    clf = cls(max_epochs=epochs, device=device, random_state=0).fit(X, y)
    n_params = sum(p.numel() for p in clf.module_.network.parameters())
    return n_params, list(clf.history_[:, "dur"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-clips", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: torch's); 1 is steadier on a busy machine",
    )
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(
        f"{args.n_clips} clips of {CLIP_SECONDS:g} s, {args.epochs} timed epochs; "
        f"torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads, {os.cpu_count()} CPU cores"
        + (f", GPU {torch.cuda.get_device_name()}" if "cuda" in devices else ", no GPU")
    )
    print(
        f"{'classifier':34} {'input per clip':16} {'device':6} {'params':>10} "
        f"{'s/epoch':>8} {'range':>15} {'x ref':>6} {'fit s':>7}",
        flush=True,
    )
    rng = np.random.default_rng(0)
    y = rng.choice(np.array(EMOTIONS), size=args.n_clips)
    reference = {}
    for cls, (transformer, sr) in SETTINGS.items():
        shape = clip_shape(transformer, sr)
        X = rng.standard_normal((args.n_clips, *shape), dtype=np.float32)
        for device in devices:
            start = time.perf_counter()
            n_params, durations = time_epochs(cls, X, y, device, args.epochs)
            total = time.perf_counter() - start
            median = float(np.median(durations))
            reference.setdefault(device, median)
            print(
                f"{cls.__name__:34} {str(shape):16} {device:6} {n_params:>10,} "
                f"{median:>8.2f} {min(durations):>7.2f}-{max(durations):<7.2f} "
                f"{median / reference[device]:>6.1f} {total:>7.1f}",
                flush=True,
            )
        del X


if __name__ == "__main__":
    main()
