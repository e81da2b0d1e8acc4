"""Speaker-independent svm UAR with and without per-clip level normalisation.

For each corpus found, cross-validates the ``svm`` recipe (CPU budget) with
``AudioLoader(normalize=None)`` (the recorded level), ``"rms"`` and
``"peak"`` on the same speaker-independent folds, and prints one table of
UAR (mean ± std over folds) and each corpus's per-speaker median level
(dBFS RMS). Folds: RAVDESS, ``speaker_independent_cv(groups,
random_state=0)`` (six folds of two actors on the 12-actor subset, as the
reproduction page); TESS, leave-one-speaker-out (two folds); SAVEE, four
folds of one speaker each, when ``--savee`` points at a copy.

Usage::

    python benchmarks/level_normalisation.py --ravdess DIR --tess DIR [--savee DIR]
        [--jobs 1]

The numbers are in the user guide (docs/user_guide/corpora.md, "Recording
levels").
"""

import argparse
import time

import numpy as np
from sklearn.model_selection import cross_validate

from sklearn_ser.benchmark import speaker_levels
from sklearn_ser.datasets import load_ravdess, load_savee, load_tess
from sklearn_ser.model_selection import speaker_independent_cv
from sklearn_ser.recipes import make_recipe

MODES = (None, "rms", "peak")


def measure(data, n_jobs: int) -> dict:
    """UAR per fold of the svm recipe for each level mode, on the same folds."""
    cv = speaker_independent_cv(data.groups, random_state=0)
    scores = {}
    for mode in MODES:
        pipe = make_recipe("svm", budget="cpu", random_state=0)
        pipe.set_params(load__normalize=mode, load__n_jobs=n_jobs)
        start = time.perf_counter()
        result = cross_validate(
            pipe,
            np.asarray(data.paths),
            data.target,
            groups=data.groups,
            cv=cv,
            scoring="balanced_accuracy",
        )
        scores[mode] = (result["test_score"], time.perf_counter() - start)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ravdess")
    parser.add_argument("--tess")
    parser.add_argument("--savee")
    parser.add_argument("--jobs", type=int, default=1, help="loading threads")
    args = parser.parse_args()
    corpora = {
        "RAVDESS": args.ravdess and (lambda: load_ravdess(args.ravdess)),
        "TESS": args.tess and (lambda: load_tess(args.tess)),
        "SAVEE": args.savee and (lambda: load_savee(args.savee)),
    }
    rows = []
    for name, load in corpora.items():
        if not load:
            rows.append(f"| {name} | not measured (no copy given) | | | |")
            continue
        data = load()
        levels = speaker_levels(data.paths, data.groups)
        spread = max(levels.values()) - min(levels.values())
        scores = measure(data, args.jobs)
        cells = [
            f"{s.mean():.3f} ± {s.std():.3f} ({len(s)} folds, {t:.0f} s)"
            for s, t in scores.values()
        ]
        rows.append(f"| {name} | {spread:.1f} dB | " + " | ".join(cells) + " |")
        print(
            f"{name}: median level per speaker (dBFS RMS): "
            + ", ".join(f"{k} {v:.1f}" for k, v in sorted(levels.items()))
        )
    print()
    print("| corpus | speakers' level spread | as recorded | rms | peak |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
