"""Audio loading: the only place where sklearn_ser reads files."""

import math
import os
import stat
from collections.abc import Sequence
from numbers import Integral, Real

import librosa
import numpy as np
import soundfile as sf
import soxr
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.parallel import Parallel, delayed

from ._labels import check_label_types

#: Library-wide default sample rate (Hz) for every component that has an ``sr``.
DEFAULT_SR = 16000

# The librosa resamplers that need nothing beyond librosa's own dependencies
# (soxr, scipy); "kaiser_*" and "sinc_*" would need resampy or samplerate.
_RES_TYPES = (
    "soxr_vhq",
    "soxr_hq",
    "soxr_mq",
    "soxr_lq",
    "soxr_qq",
    "polyphase",
    "fft",
)

# Extra native audio read past the window so that the resampler's filter sees
# the real continuation of the signal: the window's last samples then equal
# those of resampling the whole file (soxr's filters reach < 20 ms at 8 kHz).
_TAIL_MARGIN_S = 0.02

# How many bad files an AudioLoadError message lists before it summarises.
_MAX_LISTED_ERRORS = 20

_PARAMETER_CONSTRAINTS = {
    "sr": [Interval(Integral, 1, None, closed="left")],
    "offset": [Interval(Real, 0, None, closed="left")],
    "duration": [Interval(Real, 0, None, closed="neither")],
    "res_type": [StrOptions(set(_RES_TYPES))],
    "n_jobs": [Integral, None],
    "normalize": [StrOptions({"rms", "peak"}), None],
}

#: The level every clip's window is scaled to by ``normalize``: an RMS of
#: -20 dBFS ("rms") or a peak of 0 dBFS ("peak"); full scale is 1.0.
LEVEL_TARGETS = {"rms": 0.1, "peak": 1.0}


class AudioLoadError(ValueError):
    """One or more audio files could not be loaded.

    Raised once for a whole call, after every file has been tried, so that all
    bad files of a corpus are reported together.

    Parameters
    ----------
    errors : list of (str, str)
        ``(path, reason)`` for every file that failed, in input order.

    Attributes
    ----------
    errors : list of (str, str)
        The full list, also when the message shows only its first entries.

    Examples
    --------
    >>> from sklearn_ser.audio import AudioLoadError, load_audio
    >>> try:
    ...     load_audio(["missing.wav"])
    ... except AudioLoadError as exc:
    ...     print(exc.errors)
    [('missing.wav', 'file not found')]
    """

    def __init__(self, errors: Sequence[tuple[str, str]]):
        self.errors = list(errors)
        lines = [f"  {path}: {reason}" for path, reason in self.errors]
        if len(lines) > _MAX_LISTED_ERRORS:
            hidden = len(lines) - _MAX_LISTED_ERRORS
            lines = lines[:_MAX_LISTED_ERRORS] + [
                f"  ... and {hidden} more (all listed in the `errors` attribute)"
            ]
        n = len(self.errors)
        header = f"{n} audio file{'s' if n > 1 else ''} could not be loaded:"
        super().__init__("\n".join([header, *lines]))

    def __reduce__(self):
        # Rebuild from `errors`, not from the message, so that the exception
        # survives the trip back from a joblib worker process.
        return type(self), (self.errors,)


def _check_paths(paths) -> np.ndarray:
    """Return ``paths`` as a 1-D object array, or raise a clear error."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise ValueError(
            "paths must be a 1-D sequence of file paths, got the single path "
            f"{paths!r}; wrap it in a list."
        )
    try:
        array = np.asarray(paths, dtype=object)
    except ValueError as exc:
        raise ValueError(
            f"paths must be a 1-D sequence of file paths, got {type(paths).__name__} "
            f"that is not array-like: {exc}"
        ) from exc
    if array.ndim != 1:
        raise ValueError(
            "paths must be a 1-D sequence of file paths, got an array of shape "
            f"{array.shape}."
        )
    if array.size == 0:
        raise ValueError("paths is empty: expected at least one file path.")
    for index, path in enumerate(array):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                "paths must contain str or os.PathLike file paths, got "
                f"{type(path).__name__} {path!r} at index {index}."
            )
    return array


def _not_a_regular_file(path: str) -> str | None:
    """Why ``path`` cannot be read as an audio file without opening it, or None.

    Opening a FIFO blocks until a writer appears, and a device may never end,
    so only regular files (or links to them) are opened.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "is a directory, not an audio file"
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket or other special file"
        )
        return f"is {kind}, not a regular file; only regular files are read"
    return None


def _wav_shortfall(path: str) -> tuple[int, int] | None:
    """``(promised, present)`` bytes of a WAV file's data chunk when it is cut short.

    libsndfile silently shortens a truncated WAV file to the samples present,
    so the loader would zero-pad a clip that the file's header says is
    longer. The RIFF chunk headers say how many bytes the data should have.
    Other containers, and WAV files that declare an unknown data length (0 or
    0xFFFFFFFF, as streaming writers do), are not checked here.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header = f.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:] != b"WAVE":
            return None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            length = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                present = size - f.tell()
                if length in (0, 0xFFFFFFFF) or present >= length:
                    return None
                return length, present
            f.seek(length + (length & 1), os.SEEK_CUR)


def _describe_failure(path: str, exc: Exception) -> str:
    """Say in words why libsndfile could not read ``path``."""
    if not os.path.exists(path):
        return "file not found"
    if os.path.getsize(path) == 0:
        return "file is empty (0 bytes)"
    detail = getattr(exc, "error_string", None) or str(exc)
    return f"unreadable or corrupt audio file ({detail})"


def _load_one(
    path: str,
    sr: int,
    offset: float,
    n_samples: int,
    res_type: str,
    normalize: str | None = None,
) -> np.ndarray | str:
    """Load one clip window as float32 mono at ``sr``, or return why it failed.

    The result may be shorter than ``n_samples`` (clip ends early) but never
    longer; failures are returned rather than raised so that the caller can
    report every bad file at once.
    """
    reason = _not_a_regular_file(path)
    if reason is not None:
        return reason
    try:
        shortfall = _wav_shortfall(path)
        if shortfall is not None:
            promised, present = shortfall
            return (
                f"is truncated: its WAV header promises {promised} bytes of audio "
                f"but the file holds {present} ({present / promised:.1%}); "
                "re-copy or re-export it"
            )
        # No format is passed: libsndfile identifies the container from the
        # header, so an AIFF or FLAC file named ".wav" still loads.
        with sf.SoundFile(path) as f:
            native_sr = f.samplerate
            if f.frames == 0:
                return "contains no audio samples (zero length)"
            start = round(offset * native_sr)
            if start >= f.frames:
                return (
                    f"offset={offset} s is at or beyond the end of the clip "
                    f"({f.frames / native_sr:.3f} s long)"
                )
            f.seek(start)
            margin_s = _TAIL_MARGIN_S if native_sr != sr else 0.0
            n_native = math.ceil((n_samples / sr + margin_s) * native_sr)
            y = f.read(n_native, dtype="float32")
    except (sf.SoundFileError, OSError) as exc:
        return _describe_failure(path, exc)
    if y.ndim == 2:
        y = y.mean(axis=1)
    if not np.isfinite(y).all():
        return "contains NaN or infinite samples"
    if native_sr != sr:
        y = _resample(y, native_sr, sr, res_type)
    return normalize_level(y[:n_samples], normalize)


def normalize_level(y: np.ndarray, normalize: str | None) -> np.ndarray:
    """``y`` scaled to the level of :data:`LEVEL_TARGETS` (None: unchanged).

    The level is measured on the samples given (the window read, before any
    padding); a silent clip (all zeros) is returned as it is.
    """
    if normalize is None:
        return y
    y64 = y.astype(np.float64)
    if normalize == "rms":
        level = np.sqrt(np.mean(y64**2)) if y.size else 0.0
    else:
        level = np.max(np.abs(y64)) if y.size else 0.0
    if level == 0.0:
        return y
    return (y64 * (LEVEL_TARGETS[normalize] / level)).astype(np.float32)


def _resample(y: np.ndarray, orig_sr: int, target_sr: int, res_type: str) -> np.ndarray:
    """Resample a mono clip as ``librosa.resample(..., fix=False)`` does.

    The soxr methods call :func:`soxr.resample` directly, with the quality
    string librosa passes it, so the samples are identical; going through
    librosa would first import its core (scipy.signal and more), which costs
    seconds on the first clip a process loads.
    """
    if res_type.startswith("soxr"):
        return soxr.resample(y, orig_sr, target_sr, quality=res_type)
    return librosa.resample(
        y, orig_sr=orig_sr, target_sr=target_sr, res_type=res_type, fix=False
    )


def _load_audio(
    paths, sr, offset, duration, res_type, n_jobs, normalize=None
) -> np.ndarray:
    """Load ``paths`` into a float32 array; parameters are already validated."""
    paths = _check_paths(paths)
    n_samples = round(duration * sr)
    if n_samples < 1:
        raise ValueError(
            f"duration={duration} s at sr={sr} Hz gives no sample; expected "
            f"duration >= {0.5 / sr:g} s."
        )
    # Threads: decoding (libsndfile via cffi) and resampling (soxr) run in C
    # with the GIL released, and rows then land in `waveforms` without the
    # pickling a process pool would need for every clip.
    results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
        delayed(_load_one)(os.fspath(path), sr, offset, n_samples, res_type, normalize)
        for path in paths
    )
    waveforms = np.zeros((len(paths), n_samples), dtype=np.float32)
    errors = []
    for row, (path, result) in enumerate(zip(paths, results, strict=True)):
        if isinstance(result, str):
            errors.append((os.fspath(path), result))
        else:
            # Clips that end before `offset + duration` are zero-padded at the end.
            waveforms[row, : result.size] = result
    if errors:
        raise AudioLoadError(errors)
    return waveforms


@validate_params(
    {"paths": "no_validation", **_PARAMETER_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def load_audio(
    paths: Sequence[str | os.PathLike],
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.0,
    duration: float = 3.0,
    res_type: str = "soxr_hq",
    n_jobs: int | None = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Load audio files as fixed-length mono float32 waveforms.

    Each file is read from ``offset`` seconds on, for ``duration`` seconds,
    in its own sample rate (only that part of the file is decoded), averaged
    over channels to mono and resampled to ``sr``. Clips that end before
    ``offset + duration`` are zero-padded at the end. The container (WAV,
    FLAC, OGG, AIFF, ...) is detected from the file's content, not from its
    extension.

    Parameters
    ----------
    paths : 1-D sequence of str or os.PathLike
        Audio files: a list, tuple, 1-D numpy array or pandas Series.
    sr : int, default=DEFAULT_SR
        Sample rate of the output in Hz.
    offset : float, default=0.0
        Start of the window in seconds from the beginning of each file. A file
        that ends at or before ``offset`` is an error.
    duration : float, default=3.0
        Length of the window in seconds; the output has
        ``round(duration * sr)`` samples per clip.
    res_type : {"soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq", \
"polyphase", "fft"}, default="soxr_hq"
        Resampling method, as in :func:`librosa.resample`: the soxr qualities
        call :func:`soxr.resample` directly (same samples, without librosa's
        start-up cost), the others go through librosa. Files already at ``sr``
        are not resampled. The window is cut in the file's own rate before
        resampling, so with ``offset > 0`` its first few milliseconds can
        differ slightly from resampling the whole file and then cutting.
    n_jobs : int, default=None
        Number of files loaded in parallel (joblib threads; change the
        backend with :func:`joblib.parallel_config`). ``None`` means 1 unless
        in a joblib context; ``-1`` means all processors.
    normalize : {None, "rms", "peak"}, default=None
        Per-clip level normalisation of the window read (before padding):
        ``"rms"`` scales each clip to an RMS of 0.1 (-20 dBFS), ``"peak"`` to
        a peak of 1.0 (0 dBFS); None keeps the recorded level. Corpora whose
        speakers were recorded at different levels (SAVEE: one speaker about
        20 dB quieter) otherwise teach a classifier loudness per speaker,
        which does not carry to unseen speakers. It also removes the clip's
        overall loudness, part of the emotion (arousal), so it can cost on
        corpora recorded at one level; the user guide gives measurements.
        Each clip is scaled by its own level only: nothing is shared between
        clips. A silent clip stays silent.

    Returns
    -------
    waveforms : ndarray of shape (n_clips, round(duration * sr)), dtype float32
        One row per path, in input order.

    Raises
    ------
    AudioLoadError
        If any file is missing, not a regular file (a FIFO or device is
        refused without being opened, so the call never blocks), unreadable,
        corrupt, empty, truncated (a WAV file holding less audio than its
        header promises), not longer than ``offset``, or has NaN/Inf samples
        in the window it is read from (the rest of the file is not decoded).
        All files are tried first and every failure is reported, each with
        its path and reason.
    ValueError
        If ``paths`` is not a non-empty 1-D sequence, or a parameter is out of
        range (the message names it).
    TypeError
        If an element of ``paths`` is not a str or os.PathLike.

    See Also
    --------
    AudioLoader : The same as a scikit-learn transformer, for pipelines.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from sklearn_ser.audio import load_audio
    >>> folder = Path(tempfile.mkdtemp())
    >>> t = np.arange(8000) / 8000
    >>> sf.write(folder / "tone.wav", np.sin(2 * np.pi * 440 * t), 8000)
    >>> waveforms = load_audio([folder / "tone.wav"], sr=16000, duration=1.5)
    >>> waveforms.shape, waveforms.dtype
    ((1, 24000), dtype('float32'))
    >>> float(np.abs(waveforms[0, 16000:]).max())  # padded after the 1 s clip
    0.0
    """
    return _load_audio(paths, sr, offset, duration, res_type, n_jobs, normalize)


class AudioLoader(TransformerMixin, BaseEstimator):
    """Load audio files as fixed-length mono float32 waveforms.

    A stateless transformer: :meth:`fit` only validates the parameters and
    :meth:`transform` maps a 1-D sequence of file paths to a 2-D array of
    waveforms with :func:`load_audio`, so it can be the first step of a
    pipeline that starts from files.

    Parameters
    ----------
    sr : int, default=DEFAULT_SR
        Sample rate of the output in Hz.
    offset : float, default=0.0
        Start of the window in seconds from the beginning of each file. A file
        that ends at or before ``offset`` is an error.
    duration : float, default=3.0
        Length of the window in seconds; the output has
        ``round(duration * sr)`` samples per clip, zero-padded at the end for
        clips that end earlier.
    res_type : {"soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq", \
"polyphase", "fft"}, default="soxr_hq"
        Resampling method, as in :func:`librosa.resample` (see
        :func:`load_audio`).
    n_jobs : int, default=None
        Number of files loaded in parallel (joblib threads). ``None`` means 1
        unless in a joblib context; ``-1`` means all processors.
    normalize : {None, "rms", "peak"}, default=None
        Per-clip level normalisation (see :func:`load_audio`): ``"rms"``
        scales each clip's window to -20 dBFS RMS, ``"peak"`` to a peak of
        1.0; None keeps the recorded level.

    See Also
    --------
    load_audio : The function this transformer applies.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import soundfile as sf
    >>> from sklearn_ser.audio import AudioLoader
    >>> folder = Path(tempfile.mkdtemp())
    >>> rng = np.random.default_rng(0)
    >>> for name in ["a.wav", "b.wav"]:
    ...     sf.write(folder / name, 0.1 * rng.standard_normal(48000), 48000)
    >>> paths = [folder / "a.wav", folder / "b.wav"]
    >>> AudioLoader(sr=16000, duration=0.5).fit_transform(paths).shape
    (2, 8000)
    """

    _parameter_constraints: dict = _PARAMETER_CONSTRAINTS

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        offset=0.0,
        duration=3.0,
        res_type="soxr_hq",
        n_jobs=None,
        normalize=None,
    ):
        self.sr = sr
        self.offset = offset
        self.duration = duration
        self.res_type = res_type
        self.n_jobs = n_jobs
        self.normalize = normalize

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and the paths; nothing is learned.

        Parameters
        ----------
        X : 1-D sequence of str or os.PathLike
            Audio files. They are not opened.
        y : array-like of shape (n_clips,) or None
            Labels, when the loader starts a pipeline: not used, but refused
            when they mix strings and numbers (``[1, "1", "angry"]``), which
            the classifier after the features would merge or fail on.

        Returns
        -------
        self : AudioLoader
            This transformer.
        """
        _check_paths(X)
        if y is not None:
            check_label_types(y)
        return self

    def transform(self, X):
        """Load the audio files.

        Parameters
        ----------
        X : 1-D sequence of str or os.PathLike
            Audio files.

        Returns
        -------
        waveforms : ndarray of shape (n_clips, round(duration * sr)), \
dtype float32
            One row per path, in input order.
        """
        # Stateless, so transform may come without fit: validate here too.
        self._validate_params()
        return _load_audio(
            X,
            self.sr,
            self.offset,
            self.duration,
            self.res_type,
            self.n_jobs,
            self.normalize,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        # The input is a 1-D sequence of paths, not a numeric 2-D array; this
        # also tells scikit-learn's estimator checks not to feed it numbers.
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        # The output is always float32 whatever the input, so no dtype is kept.
        tags.transformer_tags.preserves_dtype = []
        return tags
