"""Recording levels per speaker, and a warning when they differ widely.

Some corpora record their speakers at very different levels (SAVEE: one
speaker's clips about 20 dB quieter than the others'). A classifier then
learns loudness per speaker, which does not carry to an unseen speaker, and
speaker-independent scores fall towards chance with no hint why. Per-clip
level normalisation (``AudioLoader(normalize="rms")``) removes the
difference, and with it the loudness cues of emotion: whether it pays is a
question for measurement on each corpus (user guide, "Recording levels").
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import soundfile as sf
from joblib import Parallel, delayed

#: Spread of the speakers' median levels above which the benchmark warns.
LEVEL_SPREAD_DB = 10.0


class SpeakerLevelWarning(UserWarning):
    """Speakers' recording levels differ by more than :data:`LEVEL_SPREAD_DB`."""


def _clip_level_db(path) -> float:
    """RMS level of a whole file in dBFS (mono: channels averaged).

    NaN for a silent or unreadable file: the loader reports those, and the
    levels of a speaker's other clips stand for the speaker.
    """
    try:
        y, _ = sf.read(os.fspath(path), dtype="float64", always_2d=True)
    except (sf.SoundFileError, OSError, RuntimeError, ValueError):
        return np.nan
    rms = np.sqrt(np.mean(y.mean(axis=1) ** 2)) if len(y) else 0.0
    if not np.isfinite(rms) or rms == 0.0:
        return np.nan
    return float(20 * np.log10(rms))


def speaker_levels(paths, groups, *, n_jobs=None) -> dict[str, float]:
    """Median RMS level (dBFS) of each speaker's clips.

    Parameters
    ----------
    paths : array-like of shape (n_clips,)
        Audio files.
    groups : array-like of shape (n_clips,)
        Speaker of each clip.
    n_jobs : int, default=None
        Files read in parallel (joblib threads).

    Returns
    -------
    levels : dict of str to float
        Each speaker's median clip RMS in dB relative to full scale, the
        whole of each file measured (channels averaged). Silent and
        unreadable files are left out (the loader reports them), and so is
        a speaker who has no other.
    """
    levels = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_clip_level_db)(path) for path in paths
    )
    groups = np.asarray(groups).astype(str)
    levels = np.asarray(levels, dtype=np.float64)
    heard = ~np.isnan(levels)
    return {
        speaker: float(np.median(levels[heard & (groups == speaker)]))
        for speaker in np.unique(groups[heard])
    }


def check_speaker_levels(
    paths, groups, *, max_spread_db: float = LEVEL_SPREAD_DB, n_jobs=None
) -> dict[str, float]:
    """Warn when the speakers' median levels differ by more than ``max_spread_db``.

    Parameters
    ----------
    paths, groups, n_jobs
        As in :func:`speaker_levels`.
    max_spread_db : float, default=10.0
        Largest difference between the loudest and the quietest speaker's
        median level that passes without a warning.

    Returns
    -------
    levels : dict of str to float
        :func:`speaker_levels`.

    Warns
    -----
    SpeakerLevelWarning
        Naming the quietest and the loudest speaker and their levels, and
        what to compare with (per-clip level normalisation, which also
        removes loudness cues of emotion: on RAVDESS, whose 12 actors' levels
        spread over 18 dB, it costs the svm recipe about 0.1 UAR).
    """
    levels = speaker_levels(paths, groups, n_jobs=n_jobs)
    if len(levels) < 2:
        return levels
    quiet = min(levels, key=levels.get)
    loud = max(levels, key=levels.get)
    spread = levels[loud] - levels[quiet]
    if spread > max_spread_db:
        warnings.warn(
            SpeakerLevelWarning(
                f"the speakers' recording levels differ by {spread:.1f} dB "
                f"(median clip RMS: speaker {quiet} {levels[quiet]:.1f} dBFS, "
                f"speaker {loud} {levels[loud]:.1f} dBFS); a classifier can take "
                "loudness for a trait of the speaker, which does not carry to "
                "unseen speakers: compare with per-clip level normalisation "
                "(--level-norm rms, AudioLoader(normalize='rms')), which removes "
                "the difference but also the loudness cues of emotion"
            ),
            stacklevel=2,
        )
    return levels
