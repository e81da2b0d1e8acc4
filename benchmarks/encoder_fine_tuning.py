"""A short fine-tuning run on the CPU, next to the frozen head on the same fold.

One speaker-independent fold of RAVDESS (``speaker_independent_cv(groups, 6,
random_state=0)``, the first): the clips are loaded once as the encoder
recipes load them (16 kHz, offset 0.5 s, 3 s); then

- frozen: ``SpeechEncoderEmbeddings(layers="all")`` on every clip (timed:
  clips/s), ``LayerWeightedHeadClassifier`` at its defaults on the fold;
- fine-tuned: ``EncoderFineTuningClassifier`` with the top
  ``--trainable-layers`` layers trained for ``--epochs`` epochs (seconds per
  epoch from skorch's history, training clips/s), then prediction of the
  training and test clips (inference clips/s).

Both report train and test UAR. A CPU run is short by necessity and says
little about what fine-tuning reaches on a GPU with more epochs; the GPU
settings are in ``gpu_check.py``. Writes a JSON report to ``--out``.

    python benchmarks/encoder_fine_tuning.py --out /tmp/ft.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ENCODER = REPO.parent / "shared" / "models" / "whisper-tiny"
DEFAULT_DATA = REPO.parent / "shared" / "data" / "ravdess-speech"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import torch
    from sklearn.metrics import balanced_accuracy_score

    from sklearn_ser import AudioLoader, load_ravdess
    from sklearn_ser.classifiers import (
        EncoderFineTuningClassifier,
        LayerWeightedHeadClassifier,
    )
    from sklearn_ser.features import SpeechEncoderEmbeddings
    from sklearn_ser.model_selection import speaker_independent_cv

    torch.set_num_threads(args.threads)
    data = load_ravdess(args.data)
    y, groups = np.asarray(data.target).astype(str), np.asarray(data.groups)
    cv = speaker_independent_cv(groups, 6, random_state=0)
    train, test = next(iter(cv.split(np.zeros(len(y)), y, groups)))
    if args.max_train_clips:
        train = np.random.default_rng(0).permutation(train)[: args.max_train_clips]
        test = test[: max(2, args.max_train_clips // 4)]
    used = np.concatenate([train, test])
    loader = AudioLoader(sr=16000, offset=0.5, duration=3.0)
    t0 = time.perf_counter()
    X_used = loader.fit_transform(np.asarray(data.paths)[used])
    load_s = time.perf_counter() - t0
    X = {int(i): row for i, row in zip(used, X_used, strict=True)}
    X_train = np.stack([X[i] for i in train])
    X_test = np.stack([X[i] for i in test])
    report = {
        "encoder": str(args.encoder),
        "machine": f"{os.cpu_count()} CPU cores (shared), torch {torch.__version__} "
        f"with {args.threads} threads",
        "fold": {
            "test_speakers": sorted(set(groups[test].tolist())),
            "n_train": len(train),
            "n_test": len(test),
        },
        "load_s": round(load_s, 1),
    }

    def uar(clf, X_part, y_part):
        return round(float(balanced_accuracy_score(y_part, clf.predict(X_part))), 3)

    print(f"fold: {report['fold']}, loading {load_s:.1f} s", flush=True)
    if not args.skip_frozen:
        embed = SpeechEncoderEmbeddings(model=args.encoder, layers="all", verbose=0)
        t0 = time.perf_counter()
        E_train = embed.fit_transform(X_train)
        E_test = embed.transform(X_test)
        embed_s = time.perf_counter() - t0
        head = LayerWeightedHeadClassifier(random_state=0, verbose=0, device="cpu")
        t0 = time.perf_counter()
        head.fit(E_train, y[train])
        report["frozen_head"] = {
            "embedding_clips_per_s": round(len(used) / embed_s, 2),
            "embedding_s": round(embed_s, 1),
            "head_fit_s": round(time.perf_counter() - t0, 1),
            "epochs": head.max_epochs,
            "train_uar": uar(head, E_train, y[train]),
            "test_uar": uar(head, E_test, y[test]),
            "layer_weights": np.round(head.layer_weights_.astype(float), 3).tolist(),
        }
        print(f"frozen head: {report['frozen_head']}", flush=True)

    clf = EncoderFineTuningClassifier(
        model=args.encoder,
        trainable_layers=args.trainable_layers,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        encoder_lr=args.encoder_lr,
        device="cpu",
        random_state=0,
        verbose=1,
    )
    t0 = time.perf_counter()
    clf.fit(X_train, y[train])
    fit_s = time.perf_counter() - t0
    epochs = clf.history[:, "dur"]
    t0 = time.perf_counter()
    test_uar = uar(clf, X_test, y[test])
    predict_s = time.perf_counter() - t0
    report["fine_tuning"] = {
        "trainable_layers": args.trainable_layers,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "encoder_lr": args.encoder_lr,
        "trained_parameters": sum(
            p.numel() for p in clf.module_.parameters() if p.requires_grad
        ),
        "fit_s": round(fit_s, 1),
        "s_per_epoch": round(float(np.mean(epochs)), 1),
        "train_clips_per_s": round(len(train) / float(np.mean(epochs)), 2),
        "predict_clips_per_s": round(len(test) / predict_s, 2),
        "train_loss": [round(float(v), 3) for v in clf.history[:, "train_loss"]],
        "train_uar": uar(clf, X_train, y[train]),
        "test_uar": test_uar,
        "layer_weights": np.round(clf.layer_weights_.astype(float), 3).tolist(),
    }
    print(f"fine-tuning: {report['fine_tuning']}", flush=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON report")
    parser.add_argument("--encoder", type=Path, default=DEFAULT_ENCODER)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--trainable-layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3, help="head")
    parser.add_argument("--encoder-lr", type=float, default=5e-5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--max-train-clips", type=int, default=0, help="subset, for a smoke run"
    )
    parser.add_argument("--skip-frozen", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
