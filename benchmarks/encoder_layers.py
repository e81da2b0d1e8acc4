"""Which layer of a pretrained encoder, and what Whisper's 30-s padding costs.

Embeds the 12-actor RAVDESS subset once per Whisper input mode (the clip's own
length, ``whisper_input="clip"``, and Whisper's 30-s window, ``"30s"``) with
every hidden state mean-pooled, and prints:

- the embedding throughput of each mode (clips per second) and their ratio;
- per hidden state, the speaker-independent UAR (6 folds, the folds of
  ``docs/reproduction.md``: ``speaker_independent_cv(groups, 6,
  random_state=0)``) of StandardScaler + LogisticRegression(C=0.1) and of
  StandardScaler + SVC(C=1), for both modes;
- the layer-weighted head (``LayerWeightedHeadClassifier``, the
  ``encoder_head`` recipe's classifier with its defaults) on every hidden
  state: its UAR and the layer weights it learnt, averaged over the folds;
- how far the clip-length embeddings are from the 30-s ones, per layer.

The embeddings are kept in ``--cache`` (one ``.npy`` per mode, named by the
encoder weights' SHA-256), so a second call only refits the heads.

The UARs of this sweep are chosen from test folds, so they describe the
layers; they do not select a recipe's default (see the user guide).

Usage::

    python benchmarks/encoder_layers.py --encoder ../shared/models/whisper-tiny
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser import (
    AudioLoader,
    LayerWeightedHeadClassifier,
    SpeechEncoderEmbeddings,
    load_ravdess,
)
from sklearn_ser.model_selection import speaker_independent_cv

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess-speech"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", required=True, help="model folder or hub id")
    parser.add_argument("--root", type=Path, default=DATA, help="RAVDESS folder")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file")
    parser.add_argument(
        "--cache", type=Path, default=None, help="folder keeping the embeddings"
    )
    args = parser.parse_args(argv)
    data = load_ravdess(args.root)
    X = AudioLoader(sr=16000, offset=0.5, duration=3.0).fit_transform(data.paths)
    cv = speaker_independent_cv(data.groups, 6, random_state=0)
    heads = {
        "logreg(C=0.1)": lambda: LogisticRegression(C=0.1, max_iter=2000),
        "svc(C=1)": lambda: SVC(C=1.0),
    }
    results, embeddings = {"clips": len(X), "modes": {}}, {}
    for mode in ("clip", "30s"):
        encoder = SpeechEncoderEmbeddings(
            model=args.encoder, layers="all", whisper_input=mode, device="cpu"
        ).fit(X[:1])
        cached = args.cache and args.cache / f"{encoder.weights_sha256_}-{mode}.npy"
        if cached and cached.is_file():
            E = np.load(cached)
            row = json.loads(cached.with_suffix(".json").read_text())
        else:
            start = time.perf_counter()
            E = encoder.transform(X)
            seconds = time.perf_counter() - start
            row = {"seconds": seconds, "clips_per_s": len(X) / seconds}
            if cached:
                args.cache.mkdir(parents=True, exist_ok=True)
                np.save(cached, E)
                cached.with_suffix(".json").write_text(json.dumps(row))
        embeddings[mode] = E
        row["uar"] = {
            name: [
                _uar(make_pipeline(StandardScaler(), head()), E[:, i], data, cv)
                for i in range(E.shape[1])
            ]
            for name, head in heads.items()
        }
        row["head"] = _layer_weighted_head(E, data, cv)
        results["modes"][mode] = row
        _print_mode(mode, row)
    results["speed_ratio"] = (
        results["modes"]["clip"]["clips_per_s"] / results["modes"]["30s"]["clips_per_s"]
    )
    clip, padded = embeddings["clip"], embeddings["30s"]
    results["relative_difference"] = [
        float(np.linalg.norm(clip[:, i] - padded[:, i]) / np.linalg.norm(padded[:, i]))
        for i in range(clip.shape[1])
    ]
    print(f"clip-length / 30-s throughput: {results['speed_ratio']:.1f}x")
    print(
        "relative difference of the clip-length embeddings, per hidden state: "
        + ", ".join(f"{d:.3f}" for d in results["relative_difference"])
    )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


def _uar(pipe, E, data, cv) -> tuple[float, float]:
    scores = cross_val_score(
        pipe, E, data.target, groups=data.groups, cv=cv, scoring="balanced_accuracy"
    )
    return float(scores.mean()), float(scores.std())


def _layer_weighted_head(E, data, cv) -> dict:
    """UAR and mean learnt layer weights of the head over the folds."""
    scores, weights = [], []
    for train, test in cv.split(E, data.target, data.groups):
        head = LayerWeightedHeadClassifier(random_state=0)
        head.fit(E[train], data.target[train])
        scores.append(balanced_accuracy_score(data.target[test], head.predict(E[test])))
        weights.append(head.layer_weights_)
    return {
        "uar": [float(np.mean(scores)), float(np.std(scores))],
        "layer_weights": np.mean(weights, axis=0).tolist(),
    }


def _print_mode(mode: str, row: dict) -> None:
    print(
        f"whisper_input={mode!r}: {row['seconds']:.1f} s, "
        f"{row['clips_per_s']:.2f} clips/s",
        file=sys.stderr,
    )
    for name, uars in row["uar"].items():
        cells = ", ".join(f"{i}: {m:.3f} ± {s:.3f}" for i, (m, s) in enumerate(uars))
        print(f"  {name} per hidden state (0 = front end): {cells}")
    uar, weights = row["head"]["uar"], row["head"]["layer_weights"]
    print(
        f"  layer-weighted head, every hidden state: {uar[0]:.3f} ± {uar[1]:.3f}; "
        "mean learnt weights: " + ", ".join(f"{w:.2f}" for w in weights)
    )


if __name__ == "__main__":
    raise SystemExit(main())
