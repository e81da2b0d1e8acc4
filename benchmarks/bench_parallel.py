"""Parallel benchmark fits and the memory of featurising large corpora.

Two measurements, each in fresh child processes:

1. Wall time of ``sklearn-ser benchmark`` (the default: built-in synthetic
   corpus, default recipes, speaker-independent folds, CPU budget) with
   ``--jobs 1`` and ``--jobs N`` (and, with ``--dask``, on a local Dask cluster
   of N worker processes), in the same run; prints the ratio and checks that
   the results JSON are identical apart from timings.
2. Peak memory of featurising ``AudioLoader +
   AcousticStats170`` over 1,000 and 10,000 one-second clips, in chunks into
   an on-disk array (the benchmark's default ``chunk_size=1000``) and, for
   comparison, all at once: the peak of the allocations made while
   featurising (``tracemalloc``, which sees numpy's array buffers; pages of
   the memory-mapped output are file-backed and not counted) and the child's
   peak resident set (``ru_maxrss``, which includes the ~0.4-0.7 GB that the
   imports take, torch among them). The clips are the 1,440 distinct clips of
   ``make_emotional_speech(n_speakers=24, n_clips_per_emotion=8,
   duration=1.0)``, cycled to the requested count (memory depends on the
   number of clips, not on their distinctness; generating 10,000 distinct
   clips takes minutes).

Timings on a shared machine are noisy (upper bounds); run it with little
else running.

Usage::

    python benchmarks/bench_parallel.py [--jobs 2] [--dask] [--skip-fits]
        [--skip-memory] [--clips 1000 10000]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def comparable(report):
    """A results dict without what may change between identical runs."""
    if isinstance(report, dict):
        return {
            key: comparable(value)
            for key, value in report.items()
            if not key.endswith(("_time", "_seconds")) and key != "machine"
        }
    if isinstance(report, list):
        return [comparable(value) for value in report]
    return report


def time_benchmarks(n_jobs: int, dask: bool, workdir: Path) -> None:
    runs = {"--jobs 1": ["--jobs", "1"], f"--jobs {n_jobs}": ["--jobs", str(n_jobs)]}
    if dask:
        runs[f"--dask --jobs {n_jobs}"] = ["--dask", "--jobs", str(n_jobs)]
    seconds, reports = {}, {}
    for label, options in runs.items():
        out = workdir / label.replace(" ", "").replace("--", "_")
        command = [sys.executable, "-m", "sklearn_ser.cli", "benchmark", "--quiet"]
        start = time.perf_counter()
        child = subprocess.run(
            [*command, "--out", str(out), *options], capture_output=True, text=True
        )
        if child.returncode:
            sys.exit(f"sklearn-ser benchmark {label} failed:\n{child.stderr[-3000:]}")
        seconds[label] = time.perf_counter() - start
        report = json.loads((out / "results.json").read_text())
        reports[label] = comparable(report)
        print(f"sklearn-ser benchmark {label:<20} {seconds[label]:7.1f} s wall")
        if label == "--jobs 1":
            fits = sum(
                fold["fit_time"] + fold["predict_time"]
                for recipe in report["recipes"]
                for fold in recipe["folds"]
            )
            bound = seconds[label] / (seconds[label] - fits + fits / n_jobs)
            print(
                f"  of which fits {fits:.1f} s (the part that runs in parallel): "
                f"at most {bound:.2f}x faster with {n_jobs} free cores"
            )
    serial = seconds["--jobs 1"]
    for label, spent in seconds.items():
        same = reports[label] == reports["--jobs 1"]
        print(
            f"  {label:<20} speed-up {serial / spent:4.2f}x; results JSON "
            f"{'identical' if same else 'DIFFERENT'} to --jobs 1 (timings aside)"
        )


def featurise(n_clips: int, chunk_size: int, corpus: Path) -> None:
    """Child process: featurise ``n_clips`` clips, print peak memory as JSON."""
    import numpy as np

    from sklearn_ser.audio import AudioLoader
    from sklearn_ser.benchmark._cache import StatelessCache
    from sklearn_ser.features import AcousticStats170

    paths = np.array(sorted(str(p) for p in corpus.rglob("*.wav")))
    paths = np.resize(paths, n_clips)
    start = time.perf_counter()
    tracemalloc.start()  # numpy reports its array buffers to tracemalloc
    cache = StatelessCache(paths, chunk_size=chunk_size)
    Xt, _ = cache.transform([AudioLoader(duration=1.0), AcousticStats170()])
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert Xt.shape == (n_clips, 170) and np.isfinite(Xt).all()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {"seconds": time.perf_counter() - start, "traced": traced, "rss": rss}
        )
    )


def measure_memory(clip_counts, workdir: Path) -> None:
    from sklearn_ser.datasets import make_emotional_speech

    corpus = workdir / "clips"
    start = time.perf_counter()
    data = make_emotional_speech(
        n_speakers=24,
        n_clips_per_emotion=8,
        duration=1.0,
        random_state=0,
        output_dir=corpus,
    )
    print(
        f"{len(data.paths)} distinct 1-s clips written in "
        f"{time.perf_counter() - start:.0f} s"
    )
    largest = max(clip_counts)
    cases = [(n, 1000) for n in clip_counts] + [(largest, largest)]
    for n_clips, chunk_size in cases:
        child = subprocess.run(
            [sys.executable, __file__, "--_featurise"]
            + [str(n_clips), str(chunk_size), str(corpus)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        how = "all at once" if chunk_size >= n_clips else f"chunks of {chunk_size}"
        print(
            f"featurise {n_clips:>6} clips ({how:<16}): peak allocations "
            f"{result['traced'] / 2**20:6.0f} MiB, peak RSS "
            f"{result['rss'] / 2**20:6.0f} MiB; {result['seconds']:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--skip-fits", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--clips", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--_featurise", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._featurise:
        n_clips, chunk_size, corpus = args._featurise
        featurise(int(n_clips), int(chunk_size), Path(corpus))
        return
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_fits:
            time_benchmarks(args.jobs, args.dask, Path(tmp))
        if not args.skip_memory:
            measure_memory(args.clips, Path(tmp))


if __name__ == "__main__":
    main()
