"""Streamed segment prediction: a long file read in blocks, windowed, classified.

The file is decoded block by block (soundfile), each block downmixed and fed
to a streaming resampler (soxr) for the model's rate and, when it reads
another rate, for the voice-activity detector; windows are cut from a
buffer that holds little more than one block and one window, and classified
in batches by the fitted pipeline minus its :class:`~sklearn_ser.AudioLoader`.
Memory is therefore bounded whatever the file's length, and the results do
not depend on the block size: soxr's streaming output does not depend on
how its input is cut, and neither do the windows cut from it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from numbers import Integral, Real

import numpy as np
import soundfile as sf

from ..audio import (
    AudioLoader,
    AudioLoadError,
    _describe_failure,
    _not_a_regular_file,
    _wav_shortfall,
)
from ._timeline import Segment, Timeline
from ._vad import make_vad
from ._windows import Windows

__all__ = ["SegmentReadError", "SegmentStream", "predict_segments", "stream_segments"]

# Files at least this long (seconds) get a progress bar when progress=None.
_PROGRESS_FROM_S = 300.0


class SegmentReadError(AudioLoadError):
    """A recording could not be read to its end.

    Raised after every segment before the bad part has been returned (by
    iteration) or collected (:attr:`partial`).

    Parameters
    ----------
    path : str
    time : float
        Seconds from the start of the recording at which reading failed.
    reason : str

    Attributes
    ----------
    path, time, reason
        As given.
    partial : Timeline or None
        From :func:`predict_segments`: the segments computed before the
        error, and the speech regions found up to it.
    """

    def __init__(self, path: str, time: float, reason: str):
        self.path = path
        self.time = time
        self.reason = reason
        self.partial = None
        super().__init__([(path, f"{reason} (at {time:.3f} s)")])

    def __reduce__(self):
        return type(self), (self.path, self.time, self.reason)


class SegmentStream:
    """Segment predictions of one recording, computed as they are iterated.

    Made by :func:`stream_segments`, which documents the parameters; all
    checks (model, file header, parameters) run when the stream is made, and
    the file is read when it is iterated. Each iteration reads the file
    again from the start.

    Attributes
    ----------
    classes : list of str
        The model's classes, the order of each segment's ``proba``.
    sr : int
        The model's sample rate, at which windows are cut.
    window, hop : float
        Window and hop in seconds.
    duration : float
        Length of the recording in seconds, from its header.
    speech_regions : list of (float, float)
        The detector's speech intervals (seconds), complete after an
        iteration has ended.
    """

    def __init__(
        self,
        model,
        path,
        *,
        window=None,
        hop=None,
        vad="energy",
        min_speech=0.2,
        batch_size=32,
        block_duration=1.0,
        progress=None,
    ):
        self._tail, loader = _split_model(model)
        self.classes = [str(c) for c in self._tail.classes_]
        self.sr = int(loader.sr)
        res_type = str(loader.res_type)
        self._quality = res_type[5:].upper() if res_type.startswith("soxr") else "HQ"
        self.window, self.hop, self._win, self._hop = _check_window(
            window, hop, loader.duration, self.sr
        )
        # Windows shorter than the training clips are zero-padded to their
        # length, as AudioLoader pads short clips.
        self._n_model = max(self._win, round(loader.duration * self.sr))
        self.normalize = getattr(loader, "normalize", None)
        if not isinstance(min_speech, Real) or not 0 <= min_speech <= 1:
            raise ValueError(f"min_speech must be in [0, 1]; got {min_speech!r}")
        self.min_speech = float(min_speech)
        if not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}")
        self.batch_size = int(batch_size)
        if not isinstance(block_duration, Real) or not block_duration > 0:
            raise ValueError(f"block_duration must be > 0 s; got {block_duration!r}")
        self.block_duration = float(block_duration)
        self.vad = make_vad(vad)
        self.path = os.fspath(path)
        self.duration, self._native_sr, self._shortfall = _check_file(self.path)
        self.progress = progress
        self.speech_regions: list[tuple[float, float]] = []

    def __iter__(self) -> Iterator[Segment]:
        from tqdm.auto import tqdm

        show = self.progress
        if show is None:
            show = None if self.duration >= _PROGRESS_FROM_S else False
        bar = tqdm(
            total=round(self.duration, 1),
            unit="s",
            desc=os.path.basename(self.path),
            disable=None if show is None else not show,
            leave=False,
        )
        with bar, sf.SoundFile(self.path) as f:
            yield from self._segments(f, bar)

    def _segments(self, f, bar) -> Iterator[Segment]:
        native = f.samplerate
        block = max(1, round(self.block_duration * native))
        windows = Windows(self, native)
        position = 0
        while True:
            try:
                y = f.read(block, dtype="float32", always_2d=True)
            except (sf.SoundFileError, RuntimeError, OSError) as exc:
                yield from windows.flush_pending()
                self.speech_regions = windows.regions(position / native)
                raise SegmentReadError(
                    self.path,
                    position / native,
                    _describe_failure(self.path, exc),
                ) from None
            last = len(y) < block or position + len(y) >= f.frames
            y = y.mean(axis=1) if y.shape[1] > 1 else y[:, 0]
            bad = np.flatnonzero(~np.isfinite(y))
            if bad.size:
                windows.feed(y[: bad[0]], last=True)
                yield from windows.ready(final=False)
                yield from windows.flush_pending()
                self.speech_regions = windows.regions((position + bad[0]) / native)
                raise SegmentReadError(
                    self.path, (position + bad[0]) / native, "NaN or infinite sample"
                )
            windows.feed(y, last=last)
            position += len(y)
            bar.update(round(position / native, 1) - bar.n)
            yield from windows.ready(final=last)
            if last:
                break
        self.speech_regions = windows.regions(self.duration)
        if self._shortfall is not None:
            promised, present = self._shortfall
            raise SegmentReadError(
                self.path,
                position / native,
                f"file is truncated: its WAV header promises {promised} bytes of "
                f"audio but the file holds {present}; the rest is missing",
            )


def _split_model(model):
    """``(pipeline after its loader, loader)`` of a fitted pipeline or model file."""
    from sklearn.utils.validation import check_is_fitted

    if isinstance(model, (str, os.PathLike)):
        from ..persistence import load_model

        model = load_model(model)
    steps = getattr(model, "steps", None)
    if not steps or not isinstance(steps[0][1], AudioLoader) or len(steps) < 2:
        raise TypeError(
            "model must be a fitted pipeline whose first step is an AudioLoader "
            "followed by at least one step (as `sklearn-ser train` and "
            f"make_recipe build them); got {type(model).__name__}"
        )
    check_is_fitted(model)
    tail = model[1:]
    if not hasattr(tail, "predict_proba"):
        raise TypeError(
            f"the model's last step {type(steps[-1][1]).__name__} has no "
            "predict_proba; segment predictions report class probabilities"
        )
    return tail, steps[0][1]


def _check_window(window, hop, default: float, sr: int):
    """Window and hop in seconds and in samples, or an error naming the parameter."""
    for name, value in (("window", window), ("hop", hop)):
        if value is not None and (
            not isinstance(value, Real)
            or isinstance(value, bool)
            or not (math.isfinite(value) and value > 0)
        ):
            raise ValueError(f"{name} must be a number of seconds > 0; got {value!r}")
    window_s = float(default if window is None else window)
    hop_s = float(window_s / 2 if hop is None else hop)
    win, hop_n = round(window_s * sr), round(hop_s * sr)
    if win < 1 or hop_n < 1:
        raise ValueError(
            f"window={window_s} s and hop={hop_s} s must each hold at least one "
            f"sample at the model's {sr} Hz"
        )
    if hop_n > win:
        raise ValueError(
            f"hop={hop_s} s is longer than window={window_s} s: the windows "
            "would leave parts of the recording unread; choose hop <= window"
        )
    return window_s, hop_s, win, hop_n


def _check_file(path: str) -> tuple[float, int, tuple[int, int] | None]:
    """Duration, sample rate and WAV shortfall from the header, or AudioLoadError."""
    reason = _not_a_regular_file(path)
    if reason is None:
        try:
            info = sf.info(path)
            shortfall = _wav_shortfall(path)
        except (sf.SoundFileError, RuntimeError, OSError) as exc:
            reason = _describe_failure(path, exc)
        else:
            if info.frames == 0:
                reason = "contains no audio samples (zero length)"
    if reason is not None:
        raise AudioLoadError([(path, reason)])
    return info.frames / info.samplerate, info.samplerate, shortfall


def stream_segments(model, path, **kwargs) -> SegmentStream:
    """Segment predictions of a long recording, as an iterable computed lazily.

    Same parameters as :func:`predict_segments`, which collects this
    stream into a :class:`Timeline`. Iterating yields each
    :class:`Segment` as soon as its batch is classified, so a caller can
    write rows while the rest of the file is still being read (as
    ``sklearn-ser predict --segments --format csv`` does); the checks run
    here, before anything is read.

    Returns
    -------
    stream : SegmentStream
    """
    return SegmentStream(model, path, **kwargs)


def predict_segments(
    model,
    path,
    *,
    window: float | None = None,
    hop: float | None = None,
    vad="energy",
    min_speech: float = 0.2,
    batch_size: int = 32,
    block_duration: float = 30.0,
    progress: bool | None = None,
) -> Timeline:
    """Predict the emotion of every window of a long recording.

    The recording is read in blocks, downmixed to mono and resampled to the
    model's rate on the fly; a window slides over it, a voice-activity
    detector decides which windows hold enough speech, and the fitted
    pipeline without its :class:`~sklearn_ser.AudioLoader` classifies those
    windows in batches. Works for every recipe, classical or deep.

    Parameters
    ----------
    model : Pipeline or str or os.PathLike
        A fitted pipeline whose first step is an
        :class:`~sklearn_ser.AudioLoader` (every recipe, as ``sklearn-ser
        train`` or :func:`~sklearn_ser.persistence.save_model` saves it), or
        the path of such a model file. Its loader's ``sr`` is the rate the
        windows are cut at (the recording is resampled, whatever its own
        rate) and its ``duration`` the default window; its ``normalize``
        (per-clip level normalisation) is applied to each window, measured
        on the window's samples as the loader measures a clip's; its
        ``offset`` is not used.
    path : str or os.PathLike
        The recording: any format libsndfile reads (WAV, FLAC, OGG, ...),
        any length, any number of channels (averaged to mono).
    window : float, optional
        Window length in seconds; default: the model's training clip
        duration. Shorter windows are zero-padded to that duration, as
        :class:`~sklearn_ser.AudioLoader` pads short clips; longer ones are
        passed as they are (classical features accept any length; a deep
        model may refuse them).
    hop : float, optional
        Seconds between window starts, ``0 < hop <= window``; default:
        half the window.
    vad : {"energy", "silero"}, VoiceActivityDetector or None, \
default="energy"
        Voice-activity detector: :class:`EnergyVAD`, :class:`SileroVAD`
        (optional extra ``vad``), any object with the
        :class:`VoiceActivityDetector` interface, or None to classify every
        window.
    min_speech : float, default=0.2
        A window is classified when at least this fraction of its detector
        frames hold speech; the others are reported with no label and NaN
        probabilities. Ignored with ``vad=None``. Acted speech clips hold
        little more than half speech (RAVDESS: 1.3-2 s of speech in 3.5 s),
        so the default is low: it skips pauses and silence, not utterances.
    batch_size : int, default=32
        Speech windows classified at once: larger batches amortise each
        call's overhead, smaller ones return rows sooner and hold fewer
        windows in memory.
    block_duration : float, default=1.0
        Seconds of audio decoded at a time. The results do not depend on it;
        it is the precision of the time a read error is reported at.
    progress : bool, optional
        Show a progress bar (tqdm, on stderr). Default: for recordings of 5
        minutes or more, when stderr is a terminal.

    Returns
    -------
    timeline : Timeline
        One :class:`Segment` per window, in time order. The last window ends
        at the end of the recording and is zero-padded; a recording shorter
        than one window gives one segment, zero-padded as a short clip is.

    Raises
    ------
    AudioLoadError
        If the file is missing, not a regular file, unreadable or empty
        (before anything is computed).
    SegmentReadError
        If reading fails part-way (a corrupt block, NaN samples, a WAV file
        shorter than its header says): the message names the file and the
        time; the segments before it are in the error's ``partial``.
    ValueError
        If ``window``, ``hop`` or another parameter is out of range (the
        message names it).
    TypeError
        If ``model`` is not a fitted pipeline that starts with an AudioLoader.
    ImportError
        If ``vad="silero"`` and the optional extra is missing (the message
        says how to install it).

    See Also
    --------
    stream_segments : The same, one segment at a time.
    Timeline.smooth : Smooth the label sequence over neighbouring windows.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from sklearn_ser.datasets import make_emotional_speech
    >>> from sklearn_ser.recipes import make_recipe
    >>> from sklearn_ser.segments import predict_segments
    >>> folder = Path(tempfile.mkdtemp())
    >>> data = make_emotional_speech(
    ...     n_speakers=2, n_clips_per_emotion=2, random_state=0, output_dir=folder
    ... )
    >>> model = make_recipe("svm", offset=0.0).fit(data.paths, data.target)
    >>> recording = np.concatenate(data.data[[0, 8, 15]])  # three 3 s clips
    >>> sf.write(folder / "long.wav", recording, data.sr)
    >>> timeline = predict_segments(model, folder / "long.wav")  # 3 s windows
    >>> timeline.start.tolist()
    [0.0, 1.5, 3.0, 4.5, 6.0]
    >>> timeline.to_frame().columns[:4].tolist()
    ['start', 'end', 'speech', 'label']
    """
    stream = SegmentStream(
        model,
        path,
        window=window,
        hop=hop,
        vad=vad,
        min_speech=min_speech,
        batch_size=batch_size,
        block_duration=block_duration,
        progress=progress,
    )
    segments: list[Segment] = []
    try:
        segments.extend(stream)
    except SegmentReadError as exc:
        exc.partial = Timeline(
            segments, stream.classes, stream.speech_regions, exc.time, stream.path
        )
        raise
    return Timeline(
        segments, stream.classes, stream.speech_regions, stream.duration, stream.path
    )
