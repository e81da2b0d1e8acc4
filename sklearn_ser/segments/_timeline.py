"""The result of segmenting a recording: one row per window, and smoothing."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

__all__ = ["Segment", "Timeline"]

_SMOOTHING = ("median", "majority")


@dataclass(frozen=True)
class Segment:
    """One window of a recording and what the model said about it.

    Attributes
    ----------
    start, end : float
        Seconds from the beginning of the recording. The last window may end
        at the end of the recording, before ``start + window``.
    speech : float
        Fraction of the window's voice-activity frames that hold speech;
        NaN when no detector ran (``vad=None``).
    label : str or None
        Predicted emotion, or None for a window with too little speech,
        which is not classified.
    proba : ndarray of shape (n_classes,)
        Class probabilities in the order of the model's ``classes_``; NaN for
        a window that is not classified.
    """

    start: float
    end: float
    speech: float
    label: str | None
    proba: np.ndarray = field(repr=False)

    def to_row(self, classes: Sequence[str]) -> dict:
        """The segment as a CSV/JSON row: times, speech, label, one column per class.

        Times are rounded to the millisecond, fractions and probabilities to
        4 decimals; a window that is not classified has an empty label and
        empty probabilities (None).
        """
        row = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "speech": None if math.isnan(self.speech) else round(self.speech, 4),
            "label": self.label,
        }
        for name, p in zip(classes, self.proba, strict=True):
            row[name] = None if np.isnan(p) else round(float(p), 4)
        return row


def fieldnames(classes: Sequence[str]) -> list[str]:
    """Columns of :meth:`Segment.to_row` rows."""
    return ["start", "end", "speech", "label", *classes]


class Timeline(Sequence):
    """Segment predictions over a long recording, in time order.

    Returned by :func:`~sklearn_ser.segments.predict_segments`. A sequence of
    :class:`Segment` (``len``, indexing, iteration) with column views as
    arrays, conversion to a pandas DataFrame or a CSV file, smoothing and a
    plot.

    Parameters
    ----------
    segments : iterable of Segment
    classes : sequence of str
        The model's classes, the order of every ``proba``.
    speech_regions : sequence of (float, float)
        Intervals (seconds) the voice-activity detector found speech in;
        empty without a detector.
    duration : float
        Length of the recording in seconds.
    path : str, optional
        The recording's file.

    Attributes
    ----------
    start, end, speech : ndarray of shape (n_segments,)
    labels : ndarray of shape (n_segments,), dtype object
        Predicted labels, None for windows that are not classified.
    proba : ndarray of shape (n_segments, n_classes)
        NaN rows for windows that are not classified.
    classified : ndarray of shape (n_segments,), dtype bool
    """

    def __init__(
        self,
        segments: Iterable[Segment],
        classes: Sequence[str],
        speech_regions: Sequence[tuple[float, float]] = (),
        duration: float = math.nan,
        path: str | None = None,
    ):
        self.segments = list(segments)
        self.classes = [str(c) for c in classes]
        self.speech_regions = [tuple(region) for region in speech_regions]
        self.duration = float(duration)
        self.path = path
        n = len(self.segments)
        self.start = np.array([s.start for s in self.segments], dtype=float)
        self.end = np.array([s.end for s in self.segments], dtype=float)
        self.speech = np.array([s.speech for s in self.segments], dtype=float)
        self.labels = np.empty(n, dtype=object)
        self.labels[:] = [s.label for s in self.segments]
        self.proba = np.array([s.proba for s in self.segments], dtype=float).reshape(
            n, len(self.classes)
        )
        self.classified = np.array([s.label is not None for s in self.segments])

    def __len__(self) -> int:
        return len(self.segments)

    def __getitem__(self, index):
        return self.segments[index]

    def __repr__(self) -> str:
        where = f" of {self.path}" if self.path else ""
        return (
            f"<Timeline{where}: {len(self)} segments over {self.duration:.1f} s, "
            f"{int(self.classified.sum())} classified>"
        )

    def rows(self) -> list[dict]:
        """Every segment as :meth:`Segment.to_row` gives it."""
        return [segment.to_row(self.classes) for segment in self.segments]

    def to_frame(self):
        """The segments as a pandas DataFrame, one row per segment.

        Columns ``start``, ``end``, ``speech``, ``label`` and one probability
        column per class; not-classified windows hold None/NaN. Needs pandas.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Timeline.to_frame needs pandas: pip install pandas (or use "
                "Timeline.to_csv / Timeline.rows, which need nothing)"
            ) from None
        frame = pd.DataFrame(
            {
                "start": self.start,
                "end": self.end,
                "speech": self.speech,
                "label": self.labels,
            }
        )
        for j, name in enumerate(self.classes):
            frame[name] = self.proba[:, j]
        return frame

    def to_csv(self, file) -> None:
        """Write the segments as CSV (header and one row per segment).

        Parameters
        ----------
        file : str, os.PathLike or file object
        """
        if isinstance(file, (str, os.PathLike)):
            with open(file, "w", newline="") as f:
                self.to_csv(f)
            return
        writer = csv.DictWriter(file, fieldnames=fieldnames(self.classes))
        writer.writeheader()
        writer.writerows(self.rows())

    def smooth(self, k: int = 3, method: str = "median") -> Timeline:
        """Smooth the label sequence over ``k`` neighbouring windows.

        Emotions change more slowly than a window's hop, so a window whose
        label differs from both neighbours' is often a mistake. Smoothing
        runs within each stretch of consecutive classified windows: a
        window with too little speech (an utterance's end) is never
        smoothed across. Off unless called.

        Parameters
        ----------
        k : int, default=3
            Odd number of windows, centred on each window; 1 changes nothing.
            At a stretch's ends the window is shortened (fewer neighbours).
        method : {"median", "majority"}, default="median"
            ``"median"``: each class's probability becomes its median over
            the ``k`` windows and the label is the largest (probabilities are
            renormalised to sum to 1). ``"majority"``: the label becomes the
            most frequent label over the ``k`` windows (ties keep the
            window's own label if it is among the most frequent, else the
            first of them in ``classes`` order); probabilities are kept.

        Returns
        -------
        timeline : Timeline
            A new timeline; this one is unchanged.
        """
        if not isinstance(k, Integral) or k < 1 or k % 2 == 0:
            raise ValueError(f"k must be an odd number of windows >= 1; got {k!r}")
        if method not in _SMOOTHING:
            raise ValueError(
                f"method must be one of {', '.join(map(repr, _SMOOTHING))}; "
                f"got {method!r}"
            )
        proba = self.proba.copy()
        labels = self.labels.copy()
        index = {name: j for j, name in enumerate(self.classes)}
        for lo, hi in _runs(self.classified):
            block = proba[lo:hi]
            if method == "median":
                smoothed = _sliding(block, k, np.median)
                smoothed /= smoothed.sum(axis=1, keepdims=True)
                proba[lo:hi] = smoothed
                chosen = smoothed.argmax(axis=1)
            else:
                onehot = np.eye(len(self.classes))[
                    [index[label] for label in labels[lo:hi]]
                ]
                # The window's own vote weighs a little more: it wins ties.
                votes = _sliding(onehot, k, np.sum) + 1e-3 * onehot
                chosen = votes.argmax(axis=1)
            labels[lo:hi] = [self.classes[j] for j in chosen]
        segments = [
            Segment(s.start, s.end, s.speech, label, row)
            for s, label, row in zip(self.segments, labels, proba, strict=True)
        ]
        return Timeline(
            segments, self.classes, self.speech_regions, self.duration, self.path
        )

    def plot(self, ax=None, **kwargs):
        """Plot the timeline; see :func:`~sklearn_ser.segments.plot_timeline`."""
        from ._plot import plot_timeline

        return plot_timeline(self, ax=ax, **kwargs)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _sliding(block: np.ndarray, k: int, reduce) -> np.ndarray:
    """``reduce`` over a centred window of ``k`` rows, shortened at the ends."""
    half = k // 2
    n = len(block)
    return np.stack(
        [reduce(block[max(0, i - half) : i + half + 1], axis=0) for i in range(n)]
    )
