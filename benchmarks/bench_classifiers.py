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

With ``--before-after``, a second table times, on the same clips, three
variants of each classifier on the CPU: *before* (skorch's own training step
and inference, and the papers' dropout after every conv block, as the
classifiers trained before the training options existed), *after* with the
options off (the defaults) and *after* with all of them on (cosine schedule,
label smoothing, gradient clipping, masks, mixup), with the ratios to
*before*: the options must cost nothing when off.

Usage::

    python benchmarks/bench_classifiers.py [--n-clips 1000] [--epochs 1] [--threads N]
    python benchmarks/bench_classifiers.py --before-after --n-clips 200 --threads 1
"""

import argparse
import os
import time

import numpy as np
import torch
from skorch import NeuralNetClassifier

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


#: All training options on, with mask widths that fit every input above.
OPTIONS_ON = dict(
    lr_schedule="cosine",
    warmup=0.1,
    label_smoothing=0.1,
    max_grad_norm=5.0,
    mixup_alpha=0.2,
)
MASKS = dict(time_mask=8, freq_mask=4)


def before(cls):
    """``cls`` training as it did before the options: skorch's own step."""
    return type(
        f"Before{cls.__name__}",
        (cls,),
        {
            "train_step_single": NeuralNetClassifier.train_step_single,
            "infer": NeuralNetClassifier.infer,
        },
    )


def variants(cls) -> dict:
    """(class, parameters) of the before, options-off and options-on variants."""
    cnn = cls in (CNNLSTMClassifier, SpectrogramCNNClassifier)
    cnn = cnn or cls is ParallelCNNTransformerClassifier
    old_order = {"module__dropout_after": "every_block"} if cnn else {}
    masks = MASKS if cls is not StackedLSTMClassifier else {}
    return {
        "before": (before(cls), old_order),
        "after, options off": (cls, {}),
        "after, options on": (cls, {**OPTIONS_ON, **masks}),
    }


def compare_before_after(X_by_class, y, epochs: int) -> None:
    print(
        f"\n{'classifier':34} {'variant':20} {'s/epoch':>8} {'x before':>9}",
        flush=True,
    )
    for cls, X in X_by_class.items():
        base = None
        for label, (variant, params) in variants(cls).items():
            variant(max_epochs=1, device="cpu", random_state=0, **params).fit(
                X[:64], y[:64]
            )
            clf = variant(max_epochs=epochs, device="cpu", random_state=0, **params)
            median = float(np.median(clf.fit(X, y).history_[:, "dur"]))
            base = base or median
            print(
                f"{cls.__name__:34} {label:20} {median:>8.2f} {median / base:>9.2f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-clips", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs")
    parser.add_argument(
        "--before-after",
        action="store_true",
        help="also time the classifiers before the training options, and with "
        "them off and on (CPU)",
    )
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
    inputs = {}
    for cls, (transformer, sr) in SETTINGS.items():
        shape = clip_shape(transformer, sr)
        X = rng.standard_normal((args.n_clips, *shape), dtype=np.float32)
        if args.before_after:
            inputs[cls] = X
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
    if args.before_after:
        compare_before_after(inputs, y, args.epochs)


if __name__ == "__main__":
    main()
