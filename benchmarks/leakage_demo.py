"""How much augmenting before the split inflates cross-validated accuracy.

Cross-validates the same model (AcousticStats170 -> StandardScaler ->
classifier) on the synthetic corpus in three ways, under a random split and a
speaker-grouped split:

- no augmentation;
- ``AWGNAugmenter`` inside an imbalanced-learn pipeline (copies of the
  training clips of each fold only, made while fitting);
- the papers' way: every clip and its noisy copies pooled first, then split,
  so that noisy copies of a test clip can sit in the training folds. Scored
  on all test rows (as the papers do) and on the original test clips only.

Usage::

    python benchmarks/leakage_demo.py              # 1-NN and RBF SVM
    python benchmarks/leakage_demo.py --models 1nn

Prints the set-up and one Markdown table per model (mean +- std over folds). The
features are computed once per clip for the pooled rows, which is exact
because AcousticStats170 has no fitted state; the pipeline row recomputes them
for fresh noisy copies in every fold, as it would in use.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser.augment import AWGNAugmenter
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.features import AcousticStats170

MODELS = {
    "1nn": lambda: KNeighborsClassifier(n_neighbors=1),
    "svm": lambda: SVC(kernel="rbf", C=10.0),
}


def cross_validate_rows(model, X, y, groups, cv, scored) -> np.ndarray:
    """Per-fold (accuracy, UAR) of ``clone(model)`` on the ``scored`` test rows."""
    scores = []
    for train, test in cv.split(X, y, groups):
        fitted = clone(model).fit(X[train], y[train])
        test = test[scored[test]]
        y_pred = fitted.predict(X[test])
        scores.append(
            (
                accuracy_score(y[test], y_pred),
                balanced_accuracy_score(y[test], y_pred),
            )
        )
    return np.asarray(scores)


def print_table(title, results, rows, protocols) -> None:
    header = " | ".join(f"{p}: accuracy / UAR (%)" for p in protocols)
    print(f"\n| {title} | {header} |")
    print("|---" * (len(protocols) + 1) + "|")
    for name in rows:
        cells = []
        for protocol in protocols:
            mean = 100 * results[name, protocol].mean(axis=0)
            std = 100 * results[name, protocol].std(axis=0)
            cells.append(f"{mean[0]:.1f} ± {std[0]:.1f} / {mean[1]:.1f} ± {std[1]:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS)
    )
    parser.add_argument("--n-speakers", type=int, default=12)
    parser.add_argument("--n-clips-per-emotion", type=int, default=4)
    parser.add_argument("--n-copies", type=int, default=2)
    parser.add_argument("--snr-low", type=float, default=15.0)
    parser.add_argument("--snr-high", type=float, default=30.0)
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    corpus = make_emotional_speech(
        n_speakers=args.n_speakers,
        n_clips_per_emotion=args.n_clips_per_emotion,
        random_state=args.seed,
    )
    X, y, groups, sr = corpus.data, corpus.target, corpus.groups, corpus.sr
    print(
        f"corpus: make_emotional_speech(n_speakers={args.n_speakers}, "
        f"n_clips_per_emotion={args.n_clips_per_emotion}, random_state={args.seed})"
        f" -> {X.shape[0]} clips x {X.shape[1] / sr:g} s at {sr} Hz, "
        f"{len(np.unique(y))} emotions, {len(np.unique(groups))} speakers; "
        # The corpus generator may evolve: the digest ties the numbers to it.
        f"sha1 of the waveforms {hashlib.sha1(X.tobytes()).hexdigest()[:12]}"
    )

    def augmenter():
        return AWGNAugmenter(
            snr_db=(args.snr_low, args.snr_high),
            n_copies=args.n_copies,
            random_state=args.seed,
        )

    print(
        f"augmentation: AWGNAugmenter(snr_db=({args.snr_low:g}, {args.snr_high:g}), "
        f"n_copies={args.n_copies}, random_state={args.seed})"
    )

    stats = AcousticStats170(sr=sr)
    features = stats.fit_transform(X)
    pooled = augmenter()
    X_pool, y_pool = pooled.fit_resample(X, y)
    source = pooled.sample_indices_
    features_pool = np.concatenate([features, stats.transform(X_pool[len(X) :])])
    print(
        f"pooled before the split: {len(X_pool)} rows "
        f"({len(X)} clips + {len(X_pool) - len(X)} noisy copies); "
        f"features computed in {time.perf_counter() - start:.0f} s"
    )

    # The random split ignores the speakers, as the papers' splits do.
    protocols = {
        f"random {args.folds}-fold": (
            StratifiedKFold(args.folds, shuffle=True, random_state=args.seed),
            False,
        ),
        f"speaker-grouped {args.folds}-fold": (
            StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed),
            True,
        ),
    }
    every_clip = np.ones(len(X), dtype=bool)
    every_row = np.ones(len(X_pool), dtype=bool)
    is_original = np.arange(len(X_pool)) < len(X)

    for model_name in args.models:
        classifier = make_pipeline(StandardScaler(), MODELS[model_name]())
        print(f"\nmodel {model_name}: AcousticStats170(sr={sr}) -> {classifier!r}")
        in_pipeline = make_pipeline(
            augmenter(), AcousticStats170(sr=sr), StandardScaler(), MODELS[model_name]()
        )
        rows = {
            "no augmentation": (classifier, features, y, groups, every_clip),
            "AWGNAugmenter inside the pipeline": (
                in_pipeline,
                X,
                y,
                groups,
                every_clip,
            ),
            "augmented before the split, all test rows": (
                classifier,
                features_pool,
                y_pool,
                groups[source],
                every_row,
            ),
            "augmented before the split, original test clips only": (
                classifier,
                features_pool,
                y_pool,
                groups[source],
                is_original,
            ),
        }
        results = {}
        for protocol, (cv, grouped) in protocols.items():
            for name, (model, data, target, group, scored) in rows.items():
                tic = time.perf_counter()
                results[name, protocol] = cross_validate_rows(
                    model, data, target, group if grouped else None, cv, scored
                )
                print(f"  {protocol:>22} | {name}: {time.perf_counter() - tic:.0f} s")
        print_table(model_name, results, rows, protocols)
    print(f"\ntotal wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
