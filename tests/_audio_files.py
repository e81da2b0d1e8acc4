"""Write small synthetic audio files for tests."""

from pathlib import Path

import numpy as np
import soundfile as sf


def tone(freq: float, sr: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    """A float64 sine of ``freq`` Hz sampled at ``sr`` Hz."""
    t = np.arange(round(seconds * sr)) / sr
    return amplitude * np.sin(2 * np.pi * freq * t)


def write_audio(
    path: Path,
    data: np.ndarray,
    sr: int,
    *,
    format: str | None = None,
    subtype: str | None = None,
) -> Path:
    """Write ``data`` (frames or frames x channels) to ``path`` and return it.

    ``format`` overrides the container that soundfile would infer from the
    extension, which is how files with a misleading extension are made.
    """
    sf.write(path, data, sr, format=format, subtype=subtype)
    return path
