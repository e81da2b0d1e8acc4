"""Shared spectral front end: one STFT per clip feeds every feature.

Every feature transformer of :mod:`sklearn_ser.features` computes, for a block
of clips at once, the centred STFT (zero padding, as ``librosa.stft`` with
``center=True, pad_mode="constant"``), its power, the mel spectrogram (filter
bank matmul on the power), the log-mel (``librosa.power_to_db`` per clip), the
MFCCs (orthonormal DCT-II of the log-mel, as ``librosa.feature.mfcc``) and the
RMS (``librosa.feature.rms(S=...)``) from that one STFT; the zero-crossing rate
is time-domain and uses the same frame grid. Arrays are float32 and time-major:
``(n_clips, n_frames, n_bins)``.

:class:`FrontendTransformer` is the scikit-learn base class of the three
transformers: common parameters, validation and block-wise (optionally
threaded) processing.
"""

from dataclasses import dataclass
from functools import lru_cache, partial
from math import ceil, log2
from numbers import Integral, Real
from typing import NamedTuple

import librosa
import numpy as np
import scipy.fft
from joblib import effective_n_jobs
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

#: Floor of the power before taking logs, as ``librosa.power_to_db``'s ``amin``.
AMIN = 1e-10

#: The log-mel's absolute floor in dB; float32 ``log10`` of ``AMIN`` is off by
#: an ulp on some numpy builds, so silence is clamped to this value exactly.
DB_FLOOR = -100.0

#: librosa's default zero-crossing threshold: ``|y| <= 1e-10`` counts as zero.
_ZCR_THRESHOLD = 1e-10

#: Bytes of STFT frames per block of clips; bounds the memory of one block
#: (frames, complex spectrum and power are each about this size).
_BLOCK_BYTES = 16 * 2**20


class FrameGeometry(NamedTuple):
    """STFT sizes in samples of a paper, at the sample rate it used."""

    sr: float
    n_fft: int
    win_length: int
    hop_length: int


def scale_geometry(
    reference: FrameGeometry,
    sr: float,
    n_fft: int | None,
    win_length: int | None,
    hop_length: int | None,
) -> tuple[int, int, int]:
    """Resolve ``None`` STFT sizes to ``reference``'s durations at ``sr``.

    The window and hop keep their durations in seconds (rounded to whole
    samples); the FFT size becomes the smallest power of two at least as long
    as ``reference.n_fft`` scaled to ``sr``. At ``reference.sr`` the reference
    sizes come back unchanged. Sizes given as integers are kept.
    """
    scale = sr / reference.sr
    if n_fft is None:
        n_fft = 1 << max(0, ceil(log2(reference.n_fft * scale)))
    if win_length is None:
        win_length = max(1, round(reference.win_length * scale))
    if hop_length is None:
        hop_length = max(1, round(reference.hop_length * scale))
    return int(n_fft), int(win_length), int(hop_length)


#: Peak amplitude above which a clip is scaled down before analysis. Full
#: scale is 1.0; below this level the float32 power spectrum and its sums over
#: bins and frames stay far below float32's maximum (about 3.4e38), so every
#: feature is finite.
MAX_PEAK = 2.0**32


def limit_peak(X: np.ndarray) -> np.ndarray:
    """``X`` with each clip louder than :data:`MAX_PEAK` scaled down to it.

    The scale is a power of two, which changes the exponent of every sample
    and nothing else; clips at ordinary levels are returned untouched (and
    ``X`` is not copied unless some clip is scaled).
    """
    peak = np.abs(X).max(axis=1)
    loud = peak > MAX_PEAK
    if not loud.any():
        return X
    X = X.copy()
    exponents = np.ceil(np.log2(peak[loud] / MAX_PEAK)).astype(int)
    X[loud] = np.ldexp(X[loud], -exponents[:, None])
    return X


def n_frames(n_samples: int, n_fft: int, hop_length: int) -> int:
    """Number of centred STFT frames of a clip, as ``librosa.stft`` makes them."""
    return 1 + (n_samples + 2 * (n_fft // 2) - n_fft) // hop_length


@lru_cache(maxsize=32)
def _fft_window(window: str | tuple, win_length: int, n_fft: int) -> np.ndarray:
    """The analysis window centred in ``n_fft`` samples, as ``librosa.stft``."""
    w = librosa.filters.get_window(window, win_length, fftbins=True)
    return librosa.util.pad_center(w, size=n_fft).astype(np.float32)


@lru_cache(maxsize=32)
def _mel_basis(sr: float, n_fft: int, n_mels: int) -> np.ndarray:
    """``librosa.filters.mel`` transposed to ``(n_fft // 2 + 1, n_mels)``."""
    basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)
    return np.ascontiguousarray(basis.T, dtype=np.float32)


@dataclass(frozen=True)
class SpectralFrontend:
    """STFT-based features of float32 waveforms ``(n_clips, n_samples)``.

    Each method works on a whole block of clips; the per-clip operations
    (``top_db`` floor of the log-mel) are done per clip.
    """

    sr: float
    n_fft: int
    win_length: int
    hop_length: int
    window: str | tuple
    n_mels: int
    top_db: float | None

    def power(self, X: np.ndarray) -> np.ndarray:
        """Power spectrogram ``|STFT|**2``, shape ``(n, n_frames, n_fft//2+1)``."""
        pad = self.n_fft // 2
        padded = np.pad(X, ((0, 0), (pad, pad)))
        frames = sliding_window_view(padded, self.n_fft, axis=-1)[:, :: self.hop_length]
        spectrum = scipy.fft.rfft(
            frames * _fft_window(self.window, self.win_length, self.n_fft), axis=-1
        )
        # Square real and imaginary parts in place instead of np.abs(.)**2,
        # which would take a square root only to undo it.
        parts = spectrum.view(np.float32)
        np.multiply(parts, parts, out=parts)
        return parts[..., 0::2] + parts[..., 1::2]

    def mel(self, power: np.ndarray) -> np.ndarray:
        """Mel power spectrogram, shape ``(n, n_frames, n_mels)``."""
        basis = _mel_basis(self.sr, self.n_fft, self.n_mels)
        flat = power.reshape(-1, power.shape[-1]) @ basis
        return flat.reshape(*power.shape[:-1], self.n_mels)

    def log_mel(self, mel: np.ndarray) -> np.ndarray:
        """``librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=...)`` per clip.

        The ``top_db`` floor is relative to each clip's own maximum (a batched
        ``power_to_db`` call would take the maximum over the whole batch).
        """
        db = np.maximum(mel, AMIN)
        np.log10(db, out=db)
        db *= 10.0
        np.maximum(db, DB_FLOOR, out=db)
        if self.top_db is not None:
            floor = db.max(axis=(1, 2), keepdims=True) - self.top_db
            np.maximum(db, floor, out=db)
        return db

    def mfcc(self, log_mel: np.ndarray, n_mfcc: int) -> np.ndarray:
        """Orthonormal DCT-II of the log-mel, first ``n_mfcc`` coefficients."""
        return scipy.fft.dct(log_mel, type=2, norm="ortho", axis=-1)[..., :n_mfcc]

    def rms(self, power: np.ndarray) -> np.ndarray:
        """Frame RMS from the power spectrum, ``librosa.feature.rms(S=|STFT|)``.

        Parseval's theorem on the one-sided spectrum: the DC bin (and the
        Nyquist bin for even ``n_fft``) is counted once, the others twice.
        """
        energy = power.sum(axis=-1)
        energy -= 0.5 * power[..., 0]
        if self.n_fft % 2 == 0:
            energy -= 0.5 * power[..., -1]
        return np.sqrt(np.maximum(energy, 0.0) * (2.0 / self.n_fft**2))

    def zero_crossing_rate(self, X: np.ndarray) -> np.ndarray:
        """``librosa.feature.zero_crossing_rate(X, frame_length=n_fft, ...)``.

        Same frame grid as the STFT (frames of ``n_fft`` samples every
        ``hop_length``, centred by edge padding as librosa does); the
        crossings are counted once for the whole signal and summed per frame
        by a cumulative sum. Shape ``(n, n_frames)``.
        """
        pad = self.n_fft // 2
        negative = np.pad(X, ((0, 0), (pad, pad)), mode="edge") < -_ZCR_THRESHOLD
        crossings = np.zeros(negative.shape, dtype=np.int32)
        np.cumsum(negative[:, 1:] != negative[:, :-1], axis=1, out=crossings[:, 1:])
        starts = np.arange(n_frames(X.shape[1], self.n_fft, self.hop_length))
        starts *= self.hop_length
        counts = crossings[:, starts + self.n_fft - 1] - crossings[:, starts]
        return (counts / self.n_fft).astype(np.float32)


def check_waveforms(estimator, X, *, reset: bool) -> np.ndarray:
    """Validate waveforms as float32 ``(n_clips, n_samples)`` for ``estimator``.

    Records ``n_features_in_`` (samples per clip) when ``reset``; the error for
    another rank names the estimator and the expected shape.
    """
    X = validate_data(
        estimator, X, reset=reset, dtype=np.float32, ensure_2d=False, allow_nd=True
    )
    if X.ndim != 2:
        raise ValueError(
            f"{type(estimator).__name__} expects waveforms of shape (n_clips, "
            f"n_samples); got an array of shape {X.shape}. Reshape your data, "
            f"e.g. X.reshape(1, -1) for a single clip."
        )
    if reset:
        estimator.n_features_in_ = X.shape[1]
    return X


def map_blocks(
    func, X: np.ndarray, out: np.ndarray, n_jobs: int | None, row_bytes: int
) -> None:
    """Run ``func(X_block, out_block)`` over blocks of rows, in threads.

    A block holds at most ``_BLOCK_BYTES / row_bytes`` rows (``row_bytes``:
    the STFT frames of one clip), and there are at least as many blocks as
    workers. scipy's FFT, BLAS and numpy's ufuncs release the GIL, so threads
    give real parallelism without copying the waveforms to worker processes;
    BLAS is kept to one thread so that ``n_jobs`` workers do not each start a
    BLAS thread pool on the same cores.
    """
    n_rows = X.shape[0]
    rows = min(
        max(1, _BLOCK_BYTES // row_bytes),
        max(1, -(-n_rows // effective_n_jobs(n_jobs))),
    )
    blocks = [slice(i, min(i + rows, n_rows)) for i in range(0, n_rows, rows)]
    with threadpool_limits(limits=1, user_api="blas"):
        # Blocks write into `out`: threads, even under another joblib backend.
        Parallel(n_jobs=n_jobs, require="sharedmem")(
            delayed(func)(X[block], out[block]) for block in blocks
        )


class FrontendTransformer(TransformerMixin, BaseEstimator):
    """Base class of the STFT-based feature transformers.

    Subclasses store their parameters in ``__init__`` (among them ``sr,
    n_fft, win_length, hop_length, window, n_mels, top_db, n_jobs``), set
    ``_paper_geometry`` when ``None`` STFT sizes scale from a paper's, and
    define ``_check_params`` (checks of their own parameters), ``_fit_shape``
    (fitted attributes that depend on the clip length), ``_output_shape`` and
    ``_transform_block``. ``_any_length`` says whether ``transform`` accepts
    clips of another length than ``fit`` saw.
    """

    _any_length = False

    #: The paper whose STFT durations ``None`` sizes take at ``sr``
    #: (:func:`scale_geometry`); ``None``: the sizes are used as given, with
    #: ``win_length=None`` meaning ``n_fft``.
    _paper_geometry: FrameGeometry | None = None

    _parameter_constraints: dict = {
        "sr": [Interval(Real, 0, None, closed="neither")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "win_length": [Interval(Integral, 1, None, closed="left"), None],
        "hop_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str, tuple],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
        "n_jobs": [Integral, None],
    }

    def _resolve_geometry(self) -> tuple[int, int, int]:
        """The STFT sizes in samples: ``n_fft, win_length, hop_length``."""
        if self._paper_geometry is not None:
            return scale_geometry(
                self._paper_geometry,
                self.sr,
                self.n_fft,
                self.win_length,
                self.hop_length,
            )
        win_length = self.n_fft if self.win_length is None else self.win_length
        return self.n_fft, win_length, self.hop_length

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters against the waveforms; no statistics are learnt.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms, as :class:`~sklearn_ser.audio.AudioLoader` returns them.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This transformer.
        """
        X = self._waveforms(X, reset=True)
        self.n_fft_, self.win_length_, self.hop_length_ = self._resolve_geometry()
        if self.win_length_ > self.n_fft_:
            raise ValueError(
                f"win_length={self.win_length_} is longer than "
                f"n_fft={self.n_fft_}; expected win_length <= n_fft."
            )
        try:
            _fft_window(self.window, self.win_length_, self.n_fft_)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"window={self.window!r} is not a window that "
                f"librosa.filters.get_window understands: {exc}"
            ) from exc
        self._check_params()
        self._check_length(X.shape[1])
        self._fit_shape(X.shape[1])
        return self

    def _transform(self, X) -> np.ndarray:
        if not hasattr(self, "n_fft_"):
            # fit learns nothing from the clips but their length, so an unfitted
            # transformer gives what fitting on X first would (requires_fit=False,
            # like AudioLoader); cross-validation may share its output.
            return clone(self).fit(X)._transform(X)
        X = self._waveforms(X, reset=False)
        self._check_length(X.shape[1])
        # A float WAV file may hold any finite amplitude; past MAX_PEAK the
        # float32 spectra would overflow into inf and NaN features.
        X = limit_peak(X)
        frontend = SpectralFrontend(
            sr=self.sr,
            n_fft=self.n_fft_,
            win_length=self.win_length_,
            hop_length=self.hop_length_,
            window=self.window,
            n_mels=self.n_mels,
            top_db=self.top_db,
        )
        out = np.empty((X.shape[0], *self._output_shape(X.shape[1])), np.float32)
        frame_bytes = (
            n_frames(X.shape[1], self.n_fft_, self.hop_length_) * self.n_fft_ * 4
        )
        map_blocks(
            partial(self._transform_block, frontend), X, out, self.n_jobs, frame_bytes
        )
        return out

    def _check_params(self) -> None:
        """Checks of the subclass's own parameters (none by default)."""

    def _fit_shape(self, n_samples: int) -> None:
        """Fitted attributes that depend on the clip length (none by default)."""

    def _waveforms(self, X, *, reset: bool) -> np.ndarray:
        """Validate waveforms as float32 ``(n_clips, n_samples)``.

        At transform time (``reset=False``) the clip length must be the one
        seen in ``fit``, unless the subclass sets ``_any_length``.
        """
        X = check_waveforms(self, X, reset=reset)
        name = type(self).__name__
        if not reset and not self._any_length and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input: clips must have the "
                f"number of samples seen in fit, which fixes the output shape."
            )
        return X

    def _check_length(self, n_samples: int) -> None:
        if n_samples < self.n_fft_:
            raise ValueError(
                f"{type(self).__name__} needs clips of at least one analysis "
                f"window (n_fft={self.n_fft_} samples); got X with {n_samples} "
                f"feature(s) (samples per clip). Load longer clips or lower "
                f"n_fft."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
