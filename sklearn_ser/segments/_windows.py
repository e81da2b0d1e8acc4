"""The buffers of one streamed recording: resampled samples, VAD decisions, rows.

Samples arrive block by block; every window whose samples (and detector
decisions) have all arrived is cut, and what no later window reads is
dropped, so the buffers hold about one block and one window whatever the
recording's length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import soxr

from ..audio import normalize_level
from ._timeline import Segment

if TYPE_CHECKING:
    from ._stream import SegmentStream

__all__ = ["Windows"]


class _Resampler:
    """soxr's streaming resampler, or nothing when the rates are equal."""

    def __init__(self, native: int, target: int, quality: str):
        self._stream = (
            None
            if native == target
            else soxr.ResampleStream(
                native, target, 1, dtype="float32", quality=quality
            )
        )

    def __call__(self, y: np.ndarray, last: bool) -> np.ndarray:
        if self._stream is None:
            return y
        return self._stream.resample_chunk(y, last=last)


class Windows:
    """Buffers of one recording: samples at the model's rate, VAD decisions, rows."""

    def __init__(self, stream: SegmentStream, native: int):
        self.s = stream
        self.to_model = _Resampler(native, stream.sr, stream._quality)
        self.buffer = np.zeros(0, dtype=np.float32)
        self.buffer_start = 0  # index of buffer[0] in the whole recording
        self.total = None  # samples at the model's rate, once the file has ended
        self.k = 0  # next window
        self.pending: list[list] = []  # [start, end, speech, waveform or None]
        self.vad = stream.vad
        if self.vad is not None:
            self.vad_sr = self.vad.sr or stream.sr
            self.frame = int(self.vad.start(self.vad_sr))
            self.to_vad = (
                self.to_model
                if self.vad_sr == stream.sr
                else _Resampler(native, self.vad_sr, stream._quality)
            )
            self.vad_rest = np.zeros(0, dtype=np.float32)
            self.flags = np.zeros(0, dtype=bool)
            self.flags_start = 0
            self.in_speech = False
            self.run_start = 0
            self._regions: list[tuple[float, float]] = []

    def feed(self, y: np.ndarray, last: bool) -> None:
        y_model = self.to_model(y, last)
        self.buffer = np.concatenate([self.buffer, y_model])
        if last:
            self.total = self.buffer_start + len(self.buffer)
        if self.vad is None:
            return
        y_vad = y_model if self.to_vad is self.to_model else self.to_vad(y, last)
        samples = np.concatenate([self.vad_rest, y_vad])
        n = len(samples) // self.frame
        if last and len(samples) > n * self.frame:
            samples = np.pad(samples, (0, (n + 1) * self.frame - len(samples)))
            n += 1
        self.vad_rest = samples[n * self.frame :]
        new = np.asarray(
            self.vad.is_speech(samples[: n * self.frame].reshape(n, self.frame)),
            dtype=bool,
        ).reshape(n)
        self._track(new, self.flags_start + len(self.flags))
        self.flags = np.concatenate([self.flags, new])

    def _track(self, new: np.ndarray, first: int) -> None:
        """Extend the speech regions with the decisions of frames ``first...``."""
        seconds = self.frame / self.vad_sr
        changes = np.flatnonzero(np.diff(np.concatenate([[self.in_speech], new])))
        for change in changes:
            if new[change]:
                self.run_start = first + change
            else:
                self._regions.append(
                    (self.run_start * seconds, (first + change) * seconds)
                )
        if len(new):
            self.in_speech = bool(new[-1])

    def regions(self, duration: float) -> list[tuple[float, float]]:
        if self.vad is None:
            return []
        regions = list(self._regions)
        if self.in_speech:
            regions.append((self.run_start * self.frame / self.vad_sr, duration))
        return [(a, min(b, duration)) for a, b in regions if a < duration]

    def _frames(self, start: int, end: int) -> tuple[int, int]:
        """VAD frames whose centres fall in model-rate samples ``[start, end)``."""
        scale = self.vad_sr / (self.s.sr * self.frame)
        lo = math.ceil(start * scale - 0.5)
        hi = max(lo + 1, math.ceil(end * scale - 0.5))
        return lo, hi

    def ready(self, final: bool) -> Iterator[Segment]:
        """Cut every window whose samples (and VAD decisions) have arrived."""
        s = self.s
        while True:
            start = self.k * s._hop
            end = start + s._win
            if final:
                # A window exists while the previous one ended before the end.
                if self.k > 0 and start - s._hop + s._win >= self.total:
                    break
            elif self.buffer_start + len(self.buffer) < end:
                break
            if self.vad is not None:
                lo, hi = self._frames(start, end)
                n_flags = self.flags_start + len(self.flags)
                if not final and n_flags < hi:
                    break
                flags = self.flags[lo - self.flags_start : hi - self.flags_start]
                speech = float(flags.mean()) if flags.size else 0.0
            else:
                speech = math.nan
            stop = end if self.total is None else min(end, self.total)
            row = [start / s.sr, stop / s.sr, speech, None]
            if self.vad is None or speech >= s.min_speech:
                wave = np.zeros(s._n_model, dtype=np.float32)
                piece = self.buffer[start - self.buffer_start : end - self.buffer_start]
                # The loader's per-clip level normalisation, on the samples
                # read (before padding), as it does for a clip.
                wave[: len(piece)] = normalize_level(piece, s.normalize)
                row[3] = wave
            self.pending.append(row)
            self.k += 1
            self._trim()
            n_speech = sum(r[3] is not None for r in self.pending)
            if n_speech == 0 or n_speech >= s.batch_size:
                yield from self.flush_pending()
        if final:
            yield from self.flush_pending()

    def _trim(self) -> None:
        """Forget samples and decisions that no later window reads."""
        start = self.k * self.s._hop
        drop = min(max(0, start - self.buffer_start), len(self.buffer))
        self.buffer = self.buffer[drop:]
        self.buffer_start += drop
        if self.vad is not None:
            lo, _ = self._frames(start, start + self.s._win)
            drop = min(max(0, lo - self.flags_start), len(self.flags))
            self.flags = self.flags[drop:]
            self.flags_start += drop

    def flush_pending(self) -> Iterator[Segment]:
        """Classify the pending speech windows and return every pending row."""
        rows, self.pending = self.pending, []
        waves = [row[3] for row in rows if row[3] is not None]
        n_classes = len(self.s.classes)
        proba = iter(self.s._tail.predict_proba(np.stack(waves)) if waves else [])
        for start, end, speech, wave in rows:
            if wave is None:
                yield Segment(start, end, speech, None, np.full(n_classes, np.nan))
            else:
                p = np.asarray(next(proba), dtype=float)
                yield Segment(start, end, speech, self.s.classes[int(p.argmax())], p)
