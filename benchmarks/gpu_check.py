"""One prepared GPU run: CUDA tests, CPU and CUDA epoch times, the deep recipes trained.

Everything a GPU check needs, in one command that fits a short loan of a
device (about 8 minutes on one H100/H200):

1. runs the ``cuda``-marked tests of the deep classifiers;
2. for each deep recipe at its own (paper) settings, on one speaker-independent
   fold of the same clips: seconds per epoch on the CPU (one epoch on a
   subset of the training clips, scaled to all of them) and on CUDA, clips
   per second and peak GPU memory;
3. trains each recipe on that fold for its paper's epochs, or for the most
   epochs that fit the time left (the table says which), and reports train
   UAR, test UAR and wall time;
4. fine-tunes the pretrained encoder under ``--encoder`` (Whisper tiny.en)
   on the same fold with the GPU settings of ``_gpu_fine_tuning.py`` (bf16,
   top 2 layers, encoder and head learning rates, batch size, epochs) in the
   last ``--fine-tuning-time`` seconds, next to the frozen head.

Features are computed once per run and reused by the timing and the training.
The clips are the 12-actor RAVDESS subset under ``--data`` (``ravdess-speech``)
when it is there, else the built-in synthetic corpus. ``--dry-run`` does the
same on the CPU with tiny sizes in under a minute, so that the test suite
keeps the script working (the fine-tuning then trains a tiny random
Whisper). It writes ``gpu_report.json`` and ``gpu_report.md``
into ``--out``.

    python benchmarks/gpu_check.py --out gpu_results
    python benchmarks/gpu_check.py --out /tmp/check --dry-run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# Run as a script, this folder is on sys.path; imported by path (the tests),
# it is added so that the step module below imports.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _gpu_fine_tuning  # noqa: E402

REPO = HERE.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_ENCODER = REPO.parent / "shared" / "models" / "whisper-tiny"
SEED_RECIPES = (
    "cnn_lstm",
    "stacked_lstm",
    "spectrogram_cnn",
    "conv1d_lstm",
    "cnn_transformer",
)
RECIPES = (*SEED_RECIPES, "attentive_crnn")
CUDA_TESTS = (
    "tests/test_classifiers.py",
    "tests/test_classifier_device.py",
    "tests/test_classifier_training.py",
    "tests/test_encoder_fine_tuning.py",
)
#: Epochs timed on CUDA; the first one (cuDNN autotuning, allocations) is
#: reported apart and left out of the per-epoch time.
CUDA_EPOCHS = 3
#: Share of a recipe's time slot spent training, leaving room for prediction.
TRAIN_SHARE = 0.8


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    start = time.perf_counter()
    deadline = start + args.time_limit
    import torch

    if not args.dry_run and not torch.cuda.is_available():
        print("gpu_check: no CUDA device; use --dry-run on a CPU.", file=sys.stderr)
        return 2
    device = "cpu" if args.dry_run else "cuda"
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "dry_run": args.dry_run,
        "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
        "machine": _machine(torch),
        "time_limit_s": args.time_limit,
    }
    print("1/4 cuda-marked tests", flush=True)
    report["tests"] = _cuda_tests()
    print(f"    {report['tests']['summary']}", flush=True)

    data, report["corpus"] = _corpus(args)
    train, test = _first_speaker_fold(data)
    report["fold"] = {
        "train_speakers": sorted(set(data.groups[train])),
        "test_speakers": sorted(set(data.groups[test])),
        "n_train_clips": len(train),
        "n_test_clips": len(test),
    }
    folds = _fold_inputs(args, data, train, test, device)

    print("2/4 epoch times", flush=True)
    report["epochs"] = []
    for name in RECIPES:
        row = _time_epochs(name, folds[name], args, device, torch)
        report["epochs"].append(row)
        print(f"    {name}: {row}", flush=True)

    print("3/4 training at the recipes' budgets", flush=True)
    report["training"] = []
    for index, name in enumerate(RECIPES):
        left = deadline - args.fine_tuning_time - time.perf_counter()
        slot = left / (len(RECIPES) - index)
        timing = next(r for r in report["epochs"] if r["recipe"] == name)
        row = _train(name, folds[name], slot, timing, device, torch)
        report["training"].append(row)
        print(f"    {name}: {row}", flush=True)

    print("4/4 fine-tuning a pretrained encoder", flush=True)
    report["fine_tuning"] = _gpu_fine_tuning.run(
        args.encoder,
        data,
        train,
        test,
        max(0.0, deadline - time.perf_counter()),
        device,
        args.dry_run,
        torch,
    )
    print(f"    {report['fine_tuning']}", flush=True)

    report["wall_s"] = round(time.perf_counter() - start, 1)
    (args.out / "gpu_report.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "gpu_report.md").write_text(_markdown(report))
    print(_markdown(report))
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="report folder")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding ravdess-speech/ (default: %(default)s); the "
        "synthetic corpus when absent",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=420.0,
        help="seconds for the whole run; training gets what the tests, features "
        "and timings leave (default: %(default)s)",
    )
    parser.add_argument(
        "--encoder",
        type=Path,
        default=DEFAULT_ENCODER,
        help="pretrained encoder folder to fine-tune (default: %(default)s); "
        "the step is skipped when absent",
    )
    parser.add_argument(
        "--fine-tuning-time",
        type=float,
        default=120.0,
        help="seconds of --time-limit kept for the fine-tuning step "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--cpu-clips",
        type=int,
        default=128,
        help="training clips of the one timed CPU epoch (default: %(default)s)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="CPU only, tiny corpus and budgets: checks that the script runs",
    )
    args = parser.parse_args(argv)
    if args.time_limit <= 0 or args.cpu_clips < 2:
        parser.error("--time-limit must be > 0 and --cpu-clips >= 2")
    if not 0 <= args.fine_tuning_time < args.time_limit:
        parser.error("--fine-tuning-time must be >= 0 and below --time-limit")
    if args.dry_run:
        args.cpu_clips = min(args.cpu_clips, 4)
    return args


def _machine(torch) -> str:
    return (
        f"{os.cpu_count()} CPU cores, torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads, Python {platform.python_version()}"
    )


def _cuda_tests() -> dict:
    command = [sys.executable, "-m", "pytest", "-m", "cuda", "-q", "-p"]
    command += ["no:cacheprovider", "-o", "addopts=", *CUDA_TESTS]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return {
        "command": "python -m pytest -m cuda " + " ".join(CUDA_TESTS),
        "exit_status": done.returncode,
        "summary": lines[-1] if lines else done.stderr.strip()[-500:],
    }


def _corpus(args):
    from sklearn_ser.datasets import load_ravdess, make_emotional_speech

    root = args.data / "ravdess-speech"
    if root.is_dir() and not args.dry_run:
        data = load_ravdess(root)
        name = f"RAVDESS speech subset ({root})"
    else:
        folder = Path(tempfile.mkdtemp(prefix="gpu_check_"))
        size = dict(
            n_speakers=6,
            n_clips_per_emotion=1,
            emotions=("neutral", "angry"),
            duration=1.0,
        )
        if not args.dry_run:
            size = {}
        data = make_emotional_speech(random_state=0, output_dir=folder, **size)
        name = "synthetic (make_emotional_speech, random_state=0)"
    data.groups = np.asarray(data.groups).astype(str)
    data.target = np.asarray(data.target).astype(str)
    return data, f"{name}: {len(data.paths)} clips, {len(set(data.groups))} speakers"


def _first_speaker_fold(data):
    from sklearn_ser.model_selection import speaker_independent_cv

    cv = speaker_independent_cv(data.groups, n_splits=6, random_state=0)
    return next(iter(cv.split(np.zeros(len(data.target)), data.target, data.groups)))


def _fold_inputs(args, data, train, test, device) -> dict:
    """Each recipe's training and test inputs on the fold, computed once.

    The recipe's stateless head (loading, and features where no augmentation
    comes first) runs once on all clips through the benchmark's cache, shared
    by recipes with the same steps; a sampler and the features after it run
    on the training part as in a benchmark fold.
    """
    from sklearn.base import clone

    from sklearn_ser.benchmark._cache import StatelessCache
    from sklearn_ser.benchmark._cv import _split_stateless_head
    from sklearn_ser.recipes import make_recipe

    cache = StatelessCache(np.asarray(data.paths))
    y = data.target
    inputs = {}
    for name in RECIPES:
        overrides = dict(random_state=0, device=device, n_jobs=-1)
        if args.dry_run:
            overrides.update(max_epochs=1, offset=0.0, duration=1.0)
        recipe = make_recipe(
            name, budget="cpu" if args.dry_run else "paper", **overrides
        )
        t0 = time.perf_counter()
        head, rest = _split_stateless_head(recipe)
        X, _ = cache.transform(head)
        X_train, y_train, X_test, X_clean = X[train], y[train], X[test], X[train]
        steps = getattr(rest, "steps", None)
        classifier = rest
        if steps is not None:
            for _, step in steps[:-1]:
                step = clone(step)
                if hasattr(step, "fit_resample"):
                    X_train, y_train = step.fit_resample(X_train, y_train)
                else:
                    X_train = step.fit_transform(X_train, y_train)
                    X_test, X_clean = step.transform(X_test), step.transform(X_clean)
            classifier = steps[-1][1]
        inputs[name] = dict(
            X_train=X_train,
            y_train=y_train,
            X_clean=X_clean,
            y_clean=y[train],
            X_test=X_test,
            y_test=y[test],
            classifier=classifier,
            feature_s=round(time.perf_counter() - t0, 1),
        )
        print(
            f"    features {name}: {X_train.shape} in {inputs[name]['feature_s']} s",
            flush=True,
        )
    return inputs


def _networks(classifier) -> list:
    """The skorch nets of a classifier (the members of a voting ensemble)."""
    members = getattr(classifier, "estimators", None)
    return [net for _, net in members] if members else [classifier]


def _time_epochs(name, fold, args, device, torch) -> dict:
    from sklearn.base import clone

    net = _networks(fold["classifier"])[0]
    X, y = fold["X_train"], fold["y_train"]
    rng = np.random.default_rng(0)
    subset = rng.choice(len(X), size=min(len(X), args.cpu_clips), replace=False)
    cpu = clone(net).set_params(device="cpu", max_epochs=1, verbose=0)
    t0 = time.perf_counter()
    cpu.fit(X[subset], y[subset])
    cpu_wall = time.perf_counter() - t0
    cpu_epoch = cpu.history[-1, "dur"] * len(X) / len(subset)
    row = {
        "recipe": name,
        "n_train": len(X),
        "input_shape": list(X.shape[1:]),
        "cpu_epoch_s": round(cpu_epoch, 3),
        "cpu_clips_timed": len(subset),
        "cpu_fit_wall_s": round(cpu_wall, 1),
        "feature_s": fold["feature_s"],
    }
    if device != "cuda":
        return {**row, "cuda_epoch_s": None}
    torch.cuda.reset_peak_memory_stats()
    gpu = clone(net).set_params(device="cuda", max_epochs=CUDA_EPOCHS, verbose=0)
    gpu.fit(X, y)
    durations = gpu.history[:, "dur"]
    epoch = float(np.median(durations[1:]))
    return {
        **row,
        "cuda_first_epoch_s": round(durations[0], 3),
        "cuda_epoch_s": round(epoch, 4),
        "cuda_clips_per_s": round(len(X) / epoch),
        "speedup": round(cpu_epoch / epoch, 1),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20),
    }


def _train(name, fold, slot, timing, device, torch) -> dict:
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    classifier = clone(fold["classifier"])
    nets = _networks(classifier)
    paper_epochs = nets[0].max_epochs
    epoch_s = timing["cuda_epoch_s"] or timing["cpu_epoch_s"]
    fitting = max(1, int(TRAIN_SHARE * slot / (epoch_s * len(nets))))
    epochs = min(paper_epochs, fitting)
    for net in nets:  # the ensemble's members, cloned with it, or the net itself
        net.set_params(max_epochs=epochs)
    t0 = time.perf_counter()
    classifier.fit(fold["X_train"], fold["y_train"])
    if device == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    train_uar = balanced_accuracy_score(
        fold["y_clean"], classifier.predict(fold["X_clean"])
    )
    test_uar = balanced_accuracy_score(
        fold["y_test"], classifier.predict(fold["X_test"])
    )
    return {
        "recipe": name,
        "paper_epochs": paper_epochs,
        "epochs": epochs,
        "budget": "paper" if epochs == paper_epochs else "time-limited",
        "members": len(nets),
        "fit_s": round(wall, 1),
        "train_uar": round(train_uar, 3),
        "test_uar": round(test_uar, 3),
    }


def _markdown(report) -> str:
    fold = report["fold"]
    lines = [
        f"GPU check of {report['date']} on {report['device']} ({report['machine']})"
        + (
            " — dry run on the CPU, tiny sizes: no measurement"
            if report["dry_run"]
            else ""
        ),
        "",
        f"- CUDA tests: `{report['tests']['command']}`: {report['tests']['summary']}",
        f"- Clips: {report['corpus']}; one speaker-independent fold: train on "
        f"{len(fold['train_speakers'])} speakers ({fold['n_train_clips']} clips), "
        f"test on {', '.join(fold['test_speakers'])} ({fold['n_test_clips']} clips).",
        f"- Total {report['wall_s']} s (limit {report['time_limit_s']:.0f} s).",
        "",
        "| recipe | input per clip | training clips | CPU s/epoch | CUDA s/epoch "
        "(first epoch) | clips/s on CUDA | CPU/CUDA | peak GPU MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["epochs"]:
        cuda = row.get("cuda_epoch_s")
        cells = [
            row["recipe"],
            " x ".join(map(str, row["input_shape"])),
            str(row["n_train"]),
            f"{row['cpu_epoch_s']:.2f} ({row['cpu_clips_timed']} clips timed)",
            "–" if cuda is None else f"{cuda:.3f} ({row['cuda_first_epoch_s']:.2f})",
            "–" if cuda is None else str(row["cuda_clips_per_s"]),
            "–" if cuda is None else f"{row['speedup']:.0f}x",
            "–" if cuda is None else str(row["peak_gpu_mib"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| recipe | epochs (paper's) | budget | fit s | train UAR | test UAR |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["training"]:
        members = f", {row['members']} nets" if row["members"] > 1 else ""
        lines.append(
            f"| {row['recipe']} | {row['epochs']} ({row['paper_epochs']}{members}) | "
            f"{row['budget']} | {row['fit_s']} | {row['train_uar']:.3f} | "
            f"{row['test_uar']:.3f} |"
        )
    lines += _gpu_fine_tuning.markdown(report["fine_tuning"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
