"""Plot a segment timeline: each class's probability over time, speech shaded."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_timeline"]


def plot_timeline(timeline, ax=None, *, truth=None):
    """Plot each class's probability over time, with speech regions shaded.

    Each classified window is drawn at its centre; windows that are not
    classified leave gaps in the lines. The voice-activity detector's speech
    regions are shaded grey.

    Parameters
    ----------
    timeline : Timeline
        From :func:`~sklearn_ser.segments.predict_segments`.
    ax : matplotlib Axes, optional
        Axes to draw on; default: a new figure's.
    truth : sequence of (float, float, str), optional
        Known ``(start, end, label)`` intervals, drawn as a coloured band
        under the plot (for constructed recordings whose truth is known).

    Returns
    -------
    ax : matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5), layout="constrained")
    colours = {
        name: plt.get_cmap("tab10")(j % 10) for j, name in enumerate(timeline.classes)
    }
    for start, end in timeline.speech_regions:
        ax.axvspan(start, end, color="0.9", zorder=0, lw=0)
    centres = (timeline.start + timeline.end) / 2
    for j, name in enumerate(timeline.classes):
        ax.plot(centres, timeline.proba[:, j], color=colours[name], label=name, lw=1.5)
    if truth is not None:
        for start, end, label in truth:
            ax.axvspan(
                start,
                end,
                ymin=0.0,
                ymax=0.04,
                color=colours.get(str(label), "k"),
                lw=0,
            )
    ax.set_xlim(0, timeline.duration if np.isfinite(timeline.duration) else None)
    ax.set_ylim(0, 1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("probability")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    title = "emotion over time (grey: speech)"
    ax.set_title(title if truth is None else title + "; band: known emotion")
    return ax
