"""Voice activity detectors: which short frames of a recording hold speech.

One small interface, :class:`VoiceActivityDetector`, read frame by frame in
stream order so that a multi-hour file never has to be in memory: an
energy threshold with no dependency (:class:`EnergyVAD`) and Silero VAD
(:class:`SileroVAD`, the optional extra ``vad``).
"""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = ["EnergyVAD", "SileroVAD", "VoiceActivityDetector", "make_vad"]

#: The names ``vad=`` accepts, besides a detector instance and None.
VAD_NAMES = ("energy", "silero")


class VoiceActivityDetector:
    """Interface of the voice activity detectors that segment a recording.

    A detector reads a recording as consecutive, non-overlapping frames, in
    order, and says for each whether it holds speech. To plug in another
    detector, subclass this class (or write any class with the same two
    methods and ``sr`` attribute) and pass an instance as ``vad=``.

    Attributes
    ----------
    sr : int or None
        Sample rate (Hz) of the audio the detector reads. ``None`` means any
        rate: it reads the audio at the model's rate.

    Examples
    --------
    A detector that calls every frame whose peak exceeds 0.1 speech:

    >>> import numpy as np
    >>> from sklearn_ser.segments import VoiceActivityDetector
    >>> class PeakVAD(VoiceActivityDetector):
    ...     def start(self, sr):
    ...         return sr // 100  # 10 ms frames
    ...     def is_speech(self, frames):
    ...         return np.abs(frames).max(axis=1) > 0.1
    >>> vad = PeakVAD()
    >>> n = vad.start(16000)
    >>> vad.is_speech(np.zeros((3, n), dtype=np.float32)).tolist()
    [False, False, False]
    """

    sr: int | None = None

    def start(self, sr: int) -> int:
        """Begin a new recording read at ``sr`` Hz.

        Forgets the state of any previous recording.

        Parameters
        ----------
        sr : int
            Sample rate of the frames :meth:`is_speech` will receive.

        Returns
        -------
        frame_length : int
            Samples per frame.
        """
        raise NotImplementedError

    def is_speech(self, frames: np.ndarray) -> np.ndarray:
        """Whether each frame holds speech.

        Parameters
        ----------
        frames : ndarray of shape (n_frames, frame_length), dtype float32
            The next frames of the recording, in order.

        Returns
        -------
        speech : ndarray of shape (n_frames,), dtype bool
        """
        raise NotImplementedError


class EnergyVAD(VoiceActivityDetector):
    """Speech where a frame is clearly louder than the recent noise floor.

    The default detector: no dependency, any sample rate, about as fast as
    reading the file. A frame (``frame_duration`` seconds) is speech when
    its RMS level is at least ``margin_db`` above the noise floor, the
    quietest frame of the last ``noise_window`` seconds, and above
    ``min_db``; a speech frame keeps the next ``hangover`` seconds speech,
    so that the short gaps between words do not split an utterance. Every
    decision depends only on the frames before it, so a recording read in
    blocks gives the same decisions as read whole. The level is relative to
    the recording's own floor, so quiet recordings (RAVDESS's neutral clips
    peak near -40 dBFS) and loud ones need no tuning; the detector cannot
    tell speech from other sounds as loud (music, a door): for noisy
    recordings prefer :class:`SileroVAD`.

    Parameters
    ----------
    margin_db : float, default=12.0
        How far above the noise floor (dB) a speech frame must be.
    min_db : float, default=-65.0
        Level (dB relative to full scale; a full-scale sine is -3 dBFS)
        below which nothing is speech, whatever the floor: digital silence
        and faint hiss are never speech.
    noise_window : float, default=5.0
        Seconds over which the noise floor is the minimum frame level;
        it must hold a pause, and adapts to a changing floor after this long.
    hangover : float, default=0.2
        Seconds a speech frame extends speech after it.
    frame_duration : float, default=0.03
        Frame length in seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.segments import EnergyVAD
    >>> vad = EnergyVAD(hangover=0.0)
    >>> n = vad.start(16000)
    >>> levels = [1e-4, 1e-4, 0.1, 1e-4]  # quiet, quiet, loud, quiet
    >>> frames = np.repeat(np.array(levels, dtype=np.float32)[:, None], n, axis=1)
    >>> vad.is_speech(frames).tolist()
    [False, False, True, False]
    """

    def __init__(
        self,
        margin_db: float = 12.0,
        min_db: float = -65.0,
        noise_window: float = 5.0,
        hangover: float = 0.2,
        frame_duration: float = 0.03,
    ):
        for name, value, positive in (
            ("margin_db", margin_db, False),
            ("min_db", min_db, False),
            ("noise_window", noise_window, True),
            ("hangover", hangover, False),
            ("frame_duration", frame_duration, True),
        ):
            if not isinstance(value, Real) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number; got {value!r}")
            if positive and value <= 0:
                raise ValueError(f"{name} must be > 0; got {value!r}")
            if name == "hangover" and value < 0:
                raise ValueError(f"hangover must be >= 0 seconds; got {value!r}")
        self.margin_db = float(margin_db)
        self.min_db = float(min_db)
        self.noise_window = float(noise_window)
        self.hangover = float(hangover)
        self.frame_duration = float(frame_duration)

    def __repr__(self) -> str:
        return (
            f"EnergyVAD(margin_db={self.margin_db}, min_db={self.min_db}, "
            f"noise_window={self.noise_window}, hangover={self.hangover}, "
            f"frame_duration={self.frame_duration})"
        )

    def start(self, sr: int) -> int:
        frame = max(1, round(self.frame_duration * sr))
        seconds = frame / sr
        n_history = max(0, round(self.noise_window / seconds) - 1)
        # Levels of the frames before the next one (+inf: not seen yet).
        self._history = np.full(n_history, np.inf)
        self._hangover = round(self.hangover / seconds)
        self._next = 0  # index of the next frame
        self._last_speech = -np.inf  # index of the last frame above threshold
        return frame

    def is_speech(self, frames: np.ndarray) -> np.ndarray:
        power = np.mean(np.square(frames, dtype=np.float64), axis=1)
        level = 10.0 * np.log10(np.maximum(power, 1e-20))
        levels = np.concatenate([self._history, level])
        n_window = len(self._history) + 1
        floor = np.lib.stride_tricks.sliding_window_view(levels, n_window).min(axis=1)
        if len(self._history):
            self._history = levels[-len(self._history) :]
        loud = (level >= floor + self.margin_db) & (level > self.min_db)
        index = self._next + np.arange(len(level))
        last = np.maximum.accumulate(
            np.maximum(np.where(loud, index, -np.inf), self._last_speech)
        )
        if len(level):
            self._last_speech = float(last[-1])
        self._next += len(level)
        return index - last <= self._hangover


class SileroVAD(VoiceActivityDetector):
    """Silero VAD, a small recurrent network trained on speech in many languages.

    Needs the optional extra: ``pip install sklearn-ser[vad]`` (the
    ``silero-vad`` package, whose weights are inside its wheel: nothing is
    downloaded at run time). Reads 16 kHz audio in frames of 512 samples
    (32 ms) and keeps its recurrent state from frame to frame, so a long
    recording read in blocks gives the same decisions as read whole.

    Parameters
    ----------
    threshold : float, default=0.5
        Speech probability at which speech starts (Silero's default); it
        ends when the probability falls below ``threshold - 0.15``, Silero's
        own hysteresis.

    Raises
    ------
    ImportError
        If ``silero-vad`` is not installed; the message says how to install it.

    Notes
    -----
    Importing ``silero_vad`` sets torch to one thread; this class restores the
    number of threads torch had before.
    """

    sr = 16000

    def __init__(self, threshold: float = 0.5):
        if not isinstance(threshold, Real) or not 0 < threshold < 1:
            raise ValueError(
                f"threshold must be a probability in (0, 1); got {threshold!r}"
            )
        self.threshold = float(threshold)
        self._silero = _import_silero()
        self._model = None

    def __repr__(self) -> str:
        return f"SileroVAD(threshold={self.threshold})"

    def start(self, sr: int) -> int:
        if sr != self.sr:
            raise ValueError(f"SileroVAD reads audio at {self.sr} Hz; got {sr} Hz")
        if self._model is None:
            self._model = self._silero.load_silero_vad()
        self._model.reset_states()
        self._triggered = False
        return 512

    def is_speech(self, frames: np.ndarray) -> np.ndarray:
        import torch

        # One 32 ms frame per call: torch's intra-op threads only wait on one
        # another (measured 5-50 times slower with 2 threads on 2 busy
        # cores), and the TorchScript profiling executor spends tens of
        # seconds optimising the first calls for no gain on a model this small.
        n_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.inference_mode(), torch.jit.optimized_execution(False):
                probability = [
                    float(self._model(torch.from_numpy(frame), self.sr))
                    for frame in np.ascontiguousarray(frames, dtype=np.float32)
                ]
        finally:
            torch.set_num_threads(n_threads)
        # Silero's own hysteresis (get_speech_timestamps): speech starts above
        # `threshold` and lasts until the probability falls below it - 0.15.
        speech = np.zeros(len(probability), dtype=bool)
        for i, p in enumerate(probability):
            if p >= self.threshold:
                self._triggered = True
            elif p < self.threshold - 0.15:
                self._triggered = False
            speech[i] = self._triggered
        return speech


def _import_silero():
    import torch

    n_threads = torch.get_num_threads()
    try:
        import silero_vad
    except ImportError:
        raise ImportError(
            "vad='silero' needs the optional dependency 'silero-vad': "
            "pip install sklearn-ser[vad]"
        ) from None
    finally:
        torch.set_num_threads(n_threads)
    return silero_vad


def make_vad(vad) -> VoiceActivityDetector | None:
    """The detector that ``vad=`` names: a name, an instance or None.

    Parameters
    ----------
    vad : {"energy", "silero"}, VoiceActivityDetector or None
        ``"energy"``: :class:`EnergyVAD` with its defaults; ``"silero"``:
        :class:`SileroVAD`; an object with ``start`` and ``is_speech``
        methods is used as it is; ``None``: no detector.

    Returns
    -------
    vad : VoiceActivityDetector or None
    """
    if vad is None:
        return None
    if isinstance(vad, str):
        if vad == "energy":
            return EnergyVAD()
        if vad == "silero":
            return SileroVAD()
        raise ValueError(
            f"vad must be one of {', '.join(map(repr, VAD_NAMES))}, None or a "
            f"VoiceActivityDetector; got {vad!r}"
        )
    if not (
        callable(getattr(vad, "start", None))
        and callable(getattr(vad, "is_speech", None))
    ):
        raise TypeError(
            "vad must be 'energy', 'silero', None or an object with start(sr) "
            f"and is_speech(frames) methods; got {type(vad).__name__}"
        )
    return vad
