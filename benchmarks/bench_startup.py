"""Start-up cost of the command line and of a first clip, in fresh processes.

Each command runs in a new interpreter, ``--repeats`` times (median wall
time), interleaved with ``python -c "import numpy"`` so that the ratio to
numpy's own start-up is measured under the same load:

1. ``sklearn-ser --help`` (target: <= 1.0 s on 2 cores);
2. ``python -c "import sklearn_ser"``;
3. loading one 48 kHz WAV with :func:`~sklearn_ser.audio.load_audio`
   (resampled to 16 kHz) in a fresh process;
4. ``sklearn-ser predict`` with a saved ``svm`` model on that clip
   (target: <= 3 s on 2 cores).

The model is fitted once, before timing, on a small synthetic corpus
(``make_emotional_speech(n_speakers=2, n_clips_per_emotion=2)``). The copy
of ``sklearn_ser`` that runs is the one this script's repository holds, with
whatever else the interpreter has installed: scikit-learn imports pandas
(and pandas pyarrow) whenever they are installed, which the ``opensmile``
and ``test`` extras bring, so time the start-up in an environment with the
extras a user would have. Timings on a shared machine are upper bounds.

Usage::

    python benchmarks/bench_startup.py [--repeats 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"sklearn-ser --help": 1.0, "sklearn-ser predict (svm, 1 clip)": 3.0}


def _env() -> dict:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _cli() -> list[str]:
    """The console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("sklearn-ser")
    return (
        [str(script)] if script.exists() else [sys.executable, "-m", "sklearn_ser.cli"]
    )


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=_env(), stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _prepare(workdir: Path) -> tuple[Path, Path]:
    """One 48 kHz clip and an svm model file fitted on a small synthetic corpus."""
    from sklearn_ser.datasets import make_emotional_speech
    from sklearn_ser.persistence import save_model
    from sklearn_ser.recipes import make_recipe

    rng = np.random.default_rng(0)
    clip = workdir / "clip.wav"
    t = np.arange(3 * 48000) / 48000
    sf.write(
        clip,
        0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(t.size),
        48000,
    )
    data = make_emotional_speech(
        n_speakers=2,
        n_clips_per_emotion=2,
        random_state=0,
        output_dir=workdir / "corpus",
    )
    model = make_recipe("svm", random_state=0).fit(data.paths, data.target)
    return clip, save_model(model, workdir / "svm.sser", recipe="svm")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        clip, model = _prepare(Path(tmp))
        python = [sys.executable, "-c"]
        commands = {
            "sklearn-ser --help": [*_cli(), "--help"],
            "python -c 'import sklearn_ser'": [*python, "import sklearn_ser"],
            "load one WAV (48 -> 16 kHz)": [
                *python,
                "from sklearn_ser.audio import load_audio; "
                f"load_audio([{str(clip)!r}])",
            ],
            "sklearn-ser predict (svm, 1 clip)": [
                *_cli(),
                "predict",
                "--model",
                str(model),
                str(clip),
            ],
        }
        baseline = [*python, "import numpy"]
        _wall(baseline)  # warm the file cache before timing anything
        times = {name: [] for name in commands}
        numpy_times = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                numpy_times[name].append(_wall(baseline))
                times[name].append(_wall(command))

    print(f"median of {args.repeats} fresh processes; {os.cpu_count()} CPUs")
    print(f"{'command':<36} {'wall s':>7} {'numpy s':>8} {'ratio':>6}  target")
    for name in commands:
        wall = statistics.median(times[name])
        numpy_wall = statistics.median(numpy_times[name])
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target:g} s: "
        verdict += "" if target is None else ("met" if wall <= target else "MISSED")
        print(
            f"{name:<36} {wall:>7.2f} {numpy_wall:>8.2f} "
            f"{wall / numpy_wall:>6.1f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
