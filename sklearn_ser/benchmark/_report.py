"""Benchmark results and their reports: markdown table, JSON and figures."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

from .. import __version__
from ..model_selection import Protocol

__all__ = ["METRICS", "BenchmarkResult", "FoldScore", "RecipeResult"]

#: Metrics reported per fold, in table order: (attribute, column title).
METRICS = (("uar", "UAR"), ("macro_f1", "macro F1"), ("accuracy", "accuracy"))

#: How a result with per-speaker normalisation is labelled, everywhere it appears.
TRANSDUCTIVE = (
    "TRANSDUCTIVE: features standardised per speaker, each test speaker with "
    "the statistics of its own unlabelled test clips"
)


@dataclass
class FoldScore:
    """Scores and timings of one recipe on one outer fold.

    ``train_uar`` is the UAR on the fold's own training clips (how well the
    model fits what it saw; far above ``uar`` means it memorised speakers).
    ``best_params`` is what a tuned recipe's inner search chose on this
    fold's training data (``None`` for untuned recipes). Every fold is scored
    on the labels of the whole corpus; ``missing_labels`` are those without
    a clip in this fold's test part, which ``uar`` and ``macro_f1`` leave out
    of their averages (a label with no clip has no recall).
    """

    fold: int
    n_train: int
    n_test: int
    test_speakers: list[str]
    uar: float
    macro_f1: float
    accuracy: float
    fit_time: float
    predict_time: float
    train_uar: float
    train_speakers: list[str] = field(default_factory=list)
    best_params: dict | None = None
    missing_labels: list[str] = field(default_factory=list)


@dataclass
class RecipeResult:
    """Cross-validation results of one recipe.

    Attributes
    ----------
    recipe : str
        Recipe name.
    labels : list of str
        Class labels, in the order of the confusion matrix rows and columns.
    folds : list of FoldScore
        Per-fold scores and timings.
    y_true, y_pred : ndarray of str
        Out-of-fold true and predicted labels, concatenated over folds.
    device : str
        Device the final estimator trained on ("cpu", "cuda", ...).
    feature_time : float
        Seconds spent on the shared stateless steps (loading, features) for
        this recipe; zero when another recipe had already computed them.
    """

    recipe: str
    labels: list[str]
    folds: list[FoldScore] = field(default_factory=list)
    y_true: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    y_pred: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    device: str = "cpu"
    feature_time: float = 0.0

    def mean_std(self, metric: str) -> tuple[float, float]:
        """Mean and standard deviation over folds of a per-fold attribute."""
        values = np.array([getattr(fold, metric) for fold in self.folds], dtype=float)
        return float(values.mean()), float(values.std())

    def confusion(self, normalize: str | None = "true") -> np.ndarray:
        """Confusion matrix of the out-of-fold predictions (rows: true labels)."""
        return confusion_matrix(
            self.y_true, self.y_pred, labels=self.labels, normalize=normalize
        )

    def to_dict(self) -> dict:
        summary = {}
        extra = (("train_uar", ""), ("fit_time", ""), ("predict_time", ""))
        for metric, _ in METRICS + extra:
            mean, std = self.mean_std(metric)
            summary[metric] = {"mean": mean, "std": std}
        return {
            "recipe": self.recipe,
            "device": self.device,
            "feature_time": self.feature_time,
            "labels": self.labels,
            "summary": summary,
            "folds": [vars(fold) for fold in self.folds],
            "confusion_normalized": self.confusion("true").tolist(),
            "confusion_counts": self.confusion(None).tolist(),
        }


@dataclass
class BenchmarkResult:
    """Results of :func:`run_benchmark`: one :class:`RecipeResult` per recipe.

    ``transductive`` is True when features were standardised per speaker
    (``run_benchmark(..., speaker_normalization=True)``); the table, the JSON
    and the figures then say so.
    """

    corpus: str
    protocol: Protocol
    n_splits: int
    n_clips: int
    n_speakers: int
    recipes: list[RecipeResult]
    elapsed: float
    transductive: bool = False

    def _protocol_description(self) -> str:
        if self.transductive:
            return f"{self.protocol.description}; {TRANSDUCTIVE}"
        return self.protocol.description

    def _recipe_label(self, recipe: str) -> str:
        return f"{recipe} (transductive)" if self.transductive else recipe

    def to_dict(self) -> dict:
        return {
            "sklearn_ser_version": __version__,
            "corpus": self.corpus,
            # Every field of the protocol, e.g. a cross-corpus protocol's
            # shared and dropped labels; the description says if transductive.
            "protocol": {
                **dataclasses.asdict(self.protocol),
                "description": self._protocol_description(),
            },
            "transductive": self.transductive,
            "n_splits": self.n_splits,
            "n_clips": self.n_clips,
            "n_speakers": self.n_speakers,
            "elapsed_seconds": self.elapsed,
            "machine": _machine_description(),
            "recipes": [result.to_dict() for result in self.recipes],
        }

    def to_markdown(self) -> str:
        """The results table, with a header saying what was measured and how."""
        lines = [
            f"Corpus: {self.corpus} ({self.n_clips} clips, {self.n_speakers} speakers)",
            f"Protocol: {self.protocol.name}: {self._protocol_description()}; "
            + (
                f"{self.n_splits} folds; mean ± std over folds"
                if self.n_splits > 1
                else "one split"
            ),
            f"Machine: {_machine_description()}; total {self.elapsed:.1f} s",
            "",
            "| recipe | "
            + " | ".join(title for _, title in METRICS)
            + " | train UAR | features s | fit s/fold | predict s/fold | device |",
            "|---" * (len(METRICS) + 6) + "|",
        ]
        for result in self.recipes:
            cells = [self._recipe_label(result.recipe)]
            for metric in [metric for metric, _ in METRICS] + ["train_uar"]:
                mean, std = result.mean_std(metric)
                # One split (cross-corpus) has no spread to show.
                spread = f" ± {std:.3f}" if self.n_splits > 1 else ""
                cells.append(f"{mean:.3f}{spread}")
            cells.append(f"{result.feature_time:.1f}")
            cells.append(f"{result.mean_std('fit_time')[0]:.1f}")
            cells.append(f"{result.mean_std('predict_time')[0]:.2f}")
            cells.append(result.device)
            lines.append("| " + " | ".join(cells) + " |")
        lines.extend(self._missing_labels_note())
        return "\n".join(lines) + "\n"

    def _missing_labels_note(self) -> list[str]:
        """Lines naming the folds whose test part lacks some of the labels."""
        if not self.recipes:
            return []
        # Every recipe runs on the same splits: the first one's folds say it.
        gaps = [
            f"fold {fold.fold + 1} ({', '.join(fold.missing_labels)})"
            for fold in self.recipes[0].folds
            if fold.missing_labels
        ]
        if not gaps:
            return []
        labels = self.recipes[0].labels
        return [
            "",
            f"Folds without a test clip of some of the {len(labels)} labels, "
            "whose UAR and macro F1 average the labels they have: "
            + "; ".join(gaps)
            + ".",
        ]

    def save(self, out_dir) -> list[Path]:
        """Write results.json, results.md and the figures into ``out_dir``.

        Returns the paths written.
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path = out_dir / "results.json"
        json_path.write_text(json.dumps(self.to_dict(), indent=2, default=repr) + "\n")
        md_path = out_dir / "results.md"
        md_path.write_text(self.to_markdown())
        return [json_path, md_path, *self.plot(out_dir)]

    def plot(self, out_dir) -> list[Path]:
        """Save a normalised confusion matrix per recipe and one comparison figure.

        Characters the font lacks (emoji in a label) are drawn as boxes,
        without matplotlib's warning per glyph.
        """
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r"Glyph \d+ .*missing from", category=UserWarning
            )
            return self._draw(out_dir)

    def _draw(self, out_dir) -> list[Path]:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out_dir = Path(out_dir)
        written = []
        for result in self.recipes:
            fig, ax = plt.subplots(figsize=(6.4, 5.6))
            ConfusionMatrixDisplay.from_predictions(
                result.y_true,
                result.y_pred,
                labels=result.labels,
                normalize="true",
                values_format=".2f",
                colorbar=False,
                xticks_rotation=45,
                ax=ax,
            )
            uar, std = result.mean_std("uar")
            spread, splits = (
                (f" ± {std:.3f}", f"{self.n_splits} folds")
                if self.n_splits > 1
                else ("", "one split")
            )
            ax.set_title(
                self._figure_mark()
                + f"{result.recipe}: UAR {uar:.3f}{spread}\n"
                + textwrap.fill(self.corpus, 60)
                + f"\nprotocol {self.protocol.name}, {splits}",
                fontsize=9,
            )
            fig.tight_layout()
            path = out_dir / f"confusion_{result.recipe}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written.append(path)

        fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(self.recipes) + 2), 4.2))
        width = 0.8 / len(METRICS)
        positions = np.arange(len(self.recipes))
        for i, (metric, title) in enumerate(METRICS):
            stats = [result.mean_std(metric) for result in self.recipes]
            ax.bar(
                positions + (i - (len(METRICS) - 1) / 2) * width,
                [mean for mean, _ in stats],
                width,
                yerr=[std for _, std in stats],
                capsize=3,
                label=title,
            )
        n_classes = max(len(result.labels) for result in self.recipes)
        ax.axhline(1 / n_classes, color="grey", linestyle="--", linewidth=1)
        ax.text(len(self.recipes) - 0.5, 1 / n_classes, " chance", va="bottom")
        ax.set_xticks(positions, [result.recipe for result in self.recipes])
        ax.set_ylim(0, 1)
        ax.set_ylabel("score (mean ± std over folds)")
        ax.set_title(
            self._figure_mark()
            + textwrap.fill(f"{self.corpus}, protocol {self.protocol.name}", 90),
            fontsize=9,
        )
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        path = out_dir / "comparison.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
        return written

    def _figure_mark(self) -> str:
        """First title line of every figure of a transductive result."""
        return "TRANSDUCTIVE (per-speaker normalisation)\n" if self.transductive else ""


def _machine_description() -> str:
    import torch

    cpu = f"{os.cpu_count()} CPU cores"
    if torch.cuda.is_available():
        return f"{cpu}, GPU {torch.cuda.get_device_name(0)}"
    return f"{cpu}, no GPU ({platform.machine()}, Python {platform.python_version()})"
