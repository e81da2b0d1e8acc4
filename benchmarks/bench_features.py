"""Speed of the feature transformers against the papers' per-clip librosa code.

Two comparisons, timed in the same run (best of ``--repeats``, with the range):

1. ``AcousticStats170`` end to end from files. Naive, as the stacked-LSTM
   paper's code does it: per file ``librosa.load`` then four separate calls
   (``melspectrogram``, ``mfcc``, ``zero_crossing_rate``, ``rms(y=...)``),
   each with its own STFT or framing, averaged over frames. Ours:
   ``AudioLoader(n_jobs) + AcousticStats170(n_jobs)``. Target: >= 8x.
2. ``MFCCFrames`` and ``MelSpectrogramChunker`` on the loaded waveforms,
   against a single ``librosa.feature.melspectrogram`` call per clip with the
   same STFT geometry (a lower bound of any per-clip librosa code). Target:
   within 1.3x (ratio = ours / reference <= 1.3), shown with ``n_jobs=1`` and
   with ``--n-jobs``.
3. ``OpenSMILEFunctionals`` (eGeMAPS v02 and ComParE 2016) against
   ``AcousticStats170(stats=("mean", "std"))`` (the ``svm`` recipe's
   features) on the same loaded waveforms: milliseconds per clip and the
   ratio openSMILE / AcousticStats170, with ``n_jobs=1`` and ``--n-jobs``, on
   the first ``--opensmile-clips`` clips (openSMILE is slow enough that the
   full corpus would dominate the run). Skipped when ``opensmile`` is not
   installed (``pip install sklearn-ser[opensmile]``). No target: it tells
   what the openSMILE recipes cost.

The corpus is the RAVDESS subset in ``../shared/data/ravdess-speech`` when it
is there, else the synthetic corpus of ``make_emotional_speech`` (or, where
that is not available, speech-like noise) written to a temporary folder.
Timings on a shared machine are noisy: run it with little else running, and
compare the ranges; CPU times (all threads) are printed too, being less
sensitive to other processes.

Usage::

    python benchmarks/bench_features.py [--n-clips 720] [--n-jobs 2] [--repeats 3]
        [--opensmile-clips 120]
"""

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from sklearn_ser.audio import DEFAULT_SR, AudioLoader
from sklearn_ser.features import (
    AcousticStats170,
    MelSpectrogramChunker,
    MFCCFrames,
    OpenSMILEFunctionals,
)

RAVDESS = Path(__file__).resolve().parents[1].parent / "shared/data/ravdess-speech"


def write_speech_like(n_clips: int, sr: int, workdir: Path) -> list[str]:
    """Write ``n_clips`` 3.5-s WAVs of harmonics, noise and pauses at ``sr``."""
    rng = np.random.default_rng(0)
    t = np.arange(round(3.5 * sr)) / sr
    paths = []
    for i in range(n_clips):
        phase = 2 * np.pi * np.cumsum(rng.uniform(100, 250) * (1 + 0.1 * t)) / sr
        voiced = sum(np.sin(k * phase) / k for k in range(1, 16))
        gate = np.sin(2 * np.pi * rng.uniform(1.5, 3.0) * t) > -0.3
        noise = rng.standard_normal(t.size)
        y = 0.2 * voiced * gate + 0.02 * noise * gate + 1e-3 * noise
        paths.append(str(workdir / f"clip_{i:04d}.wav"))
        sf.write(paths[-1], y, sr)
    return paths


def corpus_paths(n_clips: int, sr: int, workdir: Path) -> tuple[list[str], str]:
    """Up to ``n_clips`` audio files and a description of where they come from."""
    if RAVDESS.is_dir():
        paths = sorted(str(p) for p in RAVDESS.glob("Actor_*/*.flac"))[:n_clips]
        return paths, f"RAVDESS subset {RAVDESS} (48 kHz FLAC)"
    try:
        from sklearn_ser.datasets import make_emotional_speech
    except ImportError:
        return write_speech_like(n_clips, sr, workdir), "speech-like noise (WAV)"
    per_emotion = max(1, min(8, -(-n_clips // (12 * 8))))
    corpus = make_emotional_speech(
        n_clips_per_emotion=per_emotion, sr=sr, random_state=0, output_dir=workdir
    )
    paths = [str(p) for p in corpus.paths[:n_clips]]
    return paths, "synthetic corpus (make_emotional_speech, WAV)"


def naive_acoustic_stats(paths, sr, offset, duration) -> np.ndarray:
    """The paper's per-file code: librosa.load and four librosa feature calls."""
    rows = []
    for path in paths:
        y, _ = librosa.load(path, sr=sr, offset=offset, duration=duration)
        rows.append(
            np.hstack(
                [
                    np.mean(librosa.feature.melspectrogram(y=y, sr=sr), axis=1),
                    np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40), axis=1),
                    np.mean(librosa.feature.zero_crossing_rate(y)),
                    np.mean(librosa.feature.rms(y=y)),
                ]
            )
        )
    return np.asarray(rows)


def one_melspectrogram_per_clip(X, transformer) -> None:
    """A single librosa mel spectrogram per clip, with ``transformer``'s STFT."""
    for y in X:
        librosa.feature.melspectrogram(
            y=y,
            sr=transformer.sr,
            n_fft=transformer.n_fft_,
            win_length=transformer.win_length_,
            hop_length=transformer.hop_length_,
            window=transformer.window,
            n_mels=transformer.n_mels,
        )


def timed(func, repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock and CPU seconds (all threads) of ``repeats`` calls of ``func``.

    One warm-up call first. CPU time is less sensitive than wall-clock time to
    other processes on a shared machine, but does not show parallel speed-up.
    """
    func()
    wall, cpu = [], []
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return np.asarray(wall), np.asarray(cpu)


def report(label: str, times: tuple[np.ndarray, np.ndarray], n_clips: int):
    """Print clips/s (best and range) and CPU ms per clip; return best times."""
    wall, cpu = times
    rates = n_clips / wall
    print(
        f"  {label:<50s} {rates.max():7.1f} clips/s "
        f"(range {rates.min():.1f}-{rates.max():.1f}), "
        f"CPU {1e3 * cpu.min() / n_clips:.2f} ms/clip"
    )
    return float(wall.min()), float(cpu.min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-clips", type=int, default=720)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sr", type=int, default=DEFAULT_SR)
    parser.add_argument("--offset", type=float, default=0.5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--opensmile-clips", type=int, default=120)
    args = parser.parse_args()
    sr, n_jobs = args.sr, args.n_jobs

    with tempfile.TemporaryDirectory() as workdir:
        paths, source = corpus_paths(args.n_clips, sr, Path(workdir))
        n = len(paths)
        print(
            f"{n} clips from {source}; sr={sr}, offset={args.offset} s, "
            f"duration={args.duration} s, n_jobs={n_jobs}, "
            f"best of {args.repeats}"
        )

        loader = AudioLoader(
            sr=sr, offset=args.offset, duration=args.duration, n_jobs=n_jobs
        )
        stats = AcousticStats170(sr=sr, n_jobs=n_jobs)
        print("1. AcousticStats170, end to end from files")
        naive = report(
            "naive: librosa.load + 4 librosa calls per file",
            timed(
                lambda: naive_acoustic_stats(paths, sr, args.offset, args.duration),
                args.repeats,
            ),
            n,
        )
        ours = report(
            f"ours: AudioLoader + AcousticStats170 (n_jobs={n_jobs})",
            timed(
                lambda: stats.fit_transform(loader.fit_transform(paths)), args.repeats
            ),
            n,
        )
        X = loader.fit_transform(paths)
        report(
            f"   of which AudioLoader (n_jobs={n_jobs})",
            timed(lambda: loader.fit_transform(paths), args.repeats),
            n,
        )
        report(
            f"   of which AcousticStats170 (n_jobs={n_jobs})",
            timed(lambda: stats.fit_transform(X), args.repeats),
            n,
        )
        print(
            f"  speed-up: {naive[0] / ours[0]:.1f}x wall-clock (target >= 8x), "
            f"{naive[1] / ours[1]:.1f}x CPU time"
        )

    print("2. Frame transformers vs one librosa.feature.melspectrogram per clip")
    for transformer in (MFCCFrames(sr=sr), MelSpectrogramChunker(sr=sr)):
        name = type(transformer).__name__
        transformer.fit(X)
        reference = report(
            f"melspectrogram per clip (n_fft={transformer.n_fft_}, "
            f"hop={transformer.hop_length_})",
            timed(
                lambda t=transformer: one_melspectrogram_per_clip(X, t), args.repeats
            ),
            n,
        )
        for jobs in sorted({1, n_jobs}):
            t = transformer.set_params(n_jobs=jobs)
            ours = report(
                f"{name} (n_jobs={jobs})",
                timed(lambda t=t: t.transform(X), args.repeats),
                n,
            )
            print(
                f"  ratio ours/reference: {ours[0] / reference[0]:.2f} wall-clock "
                f"(target <= 1.3), {ours[1] / reference[1]:.2f} CPU time"
            )

    compare_opensmile(X[: args.opensmile_clips], sr, n_jobs, args.repeats)


def compare_opensmile(X, sr: int, n_jobs: int, repeats: int) -> None:
    """Section 3: openSMILE feature sets against AcousticStats170, ms per clip."""
    n = X.shape[0]
    print(f"3. openSMILE functionals vs AcousticStats170, {n} clips")
    if importlib.util.find_spec("opensmile") is None:
        print("  skipped: opensmile is not installed (sklearn-ser[opensmile])")
        return
    for jobs in sorted({1, n_jobs}):
        stats = AcousticStats170(sr=sr, stats=("mean", "std"), n_jobs=jobs)
        reference = report(
            f"AcousticStats170 mean+std (n_jobs={jobs})",
            timed(lambda s=stats: s.fit_transform(X), repeats),
            n,
        )
        for feature_set in ("eGeMAPSv02", "ComParE_2016"):
            smile = OpenSMILEFunctionals(feature_set=feature_set, sr=sr, n_jobs=jobs)
            ours = report(
                f"OpenSMILEFunctionals {feature_set} (n_jobs={jobs})",
                timed(lambda s=smile: s.fit_transform(X), repeats),
                n,
            )
            print(
                f"  {feature_set}: {1e3 * ours[0] / n:.1f} ms/clip wall-clock, "
                f"ratio openSMILE/AcousticStats170: {ours[0] / reference[0]:.1f} "
                f"wall-clock, {ours[1] / reference[1]:.1f} CPU time"
            )


if __name__ == "__main__":
    main()
