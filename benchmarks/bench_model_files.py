"""Save time, load time and size of each recipe's model file: pickle vs data-only.

Fits every recipe on a tiny synthetic corpus (``make_emotional_speech``: 3
speakers x 3 emotions x 2 clips of 3 s, written as WAV files), with the
``cpu`` budget (or ``--budget paper``) and one epoch (the file size of a deep
model does not depend on the epochs), then for each model times writing and
reading

- the old format: the whole pipeline pickled by joblib into the zip
  archive (model format version 1), as sklearn_ser <= 0.1 wrote it;
- the current format: :func:`sklearn_ser.persistence.save_model` and
  :func:`~sklearn_ser.persistence.load_model` (skops + safetensors),

checks that both loaded models give the same ``predict_proba`` as the fitted
one, and prints a markdown table (median of ``--repeats`` runs).

    python benchmarks/bench_model_files.py [--recipes svm,cnn_lstm] [--repeats 3]
        [--budget cpu]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import joblib
import numpy as np

from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.persistence import load_model, save_model
from sklearn_ser.recipes import RECIPES, make_recipe


def save_pickle_format(model, path: Path) -> None:
    """The first model format: manifest + joblib pickle in a zip archive."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    payload = buffer.getvalue()
    manifest = {
        "format": "sklearn-ser-model",
        "format_version": 1,
        "sklearn_ser_version": __import__("sklearn_ser").__version__,
        "classes": [str(c) for c in model.classes_],
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("pipeline.joblib", payload)


def timed(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", default="cpu", choices=["cpu", "paper"])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    data = make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        random_state=0,
        output_dir=folder / "corpus",
    )
    print(
        "| recipe | pickle save s | pickle load s | pickle KiB | "
        "skops+safetensors save s | load s | KiB | same proba |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.recipes.split(","):
        model = make_recipe(
            name, budget=args.budget, max_epochs=1, random_state=0, device="cpu"
        ).fit(data.paths, data.target)
        print(measure(model, name, data.paths[:4], folder, args.repeats))


def measure(model, name: str, paths, folder: Path, repeats: int) -> str:
    """One table row: both formats' save and load times and file sizes."""
    expected = model.predict_proba(paths)
    old, new = folder / f"{name}.v1.sser", folder / f"{name}.sser"
    old_save, _ = timed(lambda: save_pickle_format(model, old), repeats)
    old_load, old_model = timed(lambda: load_model(old, trusted_pickle=True), repeats)
    new_save, _ = timed(lambda: save_model(model, new, recipe=name), repeats)
    new_load, new_model = timed(lambda: load_model(new), repeats)
    same = np.array_equal(old_model.predict_proba(paths), expected) and (
        np.array_equal(new_model.predict_proba(paths), expected)
    )
    return (
        f"| {name} | {old_save:.3f} | {old_load:.3f} | "
        f"{old.stat().st_size / 1024:.0f} | {new_save:.3f} | {new_load:.3f} | "
        f"{new.stat().st_size / 1024:.0f} | {same} |"
    )


if __name__ == "__main__":
    main()
