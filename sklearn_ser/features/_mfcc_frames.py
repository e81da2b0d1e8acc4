"""Frame-level MFCC sequences for the Conv1D-LSTM and CNN-Transformer models."""

from numbers import Integral

import librosa
import numpy as np
from sklearn.utils._param_validation import Interval

from ..audio import DEFAULT_SR
from ._frontend import FrameGeometry, FrontendTransformer, n_frames

#: The CNN-Transformer paper's analysis: librosa's default STFT (2048-sample
#: Hann window, hop 512) on RAVDESS at 48 kHz, which gives its 40 x 282 MFCC
#: maps for 3-s clips.
PAPER_GEOMETRY = FrameGeometry(sr=48000, n_fft=2048, win_length=2048, hop_length=512)

#: Frames ``librosa.feature.delta`` needs (its default ``width``).
_DELTA_WIDTH = 9


class MFCCFrames(FrontendTransformer):
    """MFCC sequence of each clip, time-major: ``(n_clips, n_frames, n_coef)``.

    The input of the Conv1D-LSTM (Ayadi & Lachiri) and parallel
    CNN-Transformer (An & Ruan) papers. Defaults follow the CNN-Transformer
    paper, the more specific of the two: 40 MFCCs over 282 frames for 3-s
    RAVDESS clips at 48 kHz, i.e. librosa's default STFT (``n_fft=2048``,
    Hann window, ``hop_length=512``) and 128 mel bands. The Conv1D-LSTM paper
    uses 12 MFCCs and a Hamming window: ``MFCCFrames(n_mfcc=12,
    window="hamming")`` (its pre-emphasis filter is a waveform filter, see
    :func:`librosa.effects.preemphasis`).

    **Sample rate.** STFT sizes left to None keep the paper's *durations* at
    ``sr`` (window 42.7 ms, hop 10.7 ms), so the networks see the same frame
    rate at any sample rate; the FFT size is the smallest power of two at
    least as long as the paper's scaled to ``sr``:

    ==============  ======  ==========  ==========  ==================
    sr              n_fft   win_length  hop_length  frames for 3 s
    ==============  ======  ==========  ==========  ==================
    48000 (paper)   2048    2048        512         282
    16000           1024    683         171         281
    ==============  ======  ==========  ==========  ==================

    Each frame equals ``librosa.feature.mfcc(y=y, sr=sr, n_mfcc=...,
    n_fft=n_fft_, win_length=win_length_, hop_length=hop_length_,
    window=..., n_mels=...).T`` (centred frames; the dB floor ``top_db`` is
    relative to each clip's maximum, as librosa on one clip).

    Parameters
    ----------
    sr : float, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms, in Hz.
    n_mfcc : int, default=40
        Number of MFCCs, at most ``n_mels``.
    n_mels : int, default=128
        Number of mel bands the MFCCs are computed from.
    n_fft : int or None, default=None
        FFT size in samples; None: see the table above.
    win_length : int or None, default=None
        Window length in samples, at most ``n_fft``; None: see the table.
    hop_length : int or None, default=None
        Samples between frames; None: see the table.
    window : str or tuple, default="hann"
        Window, as :func:`librosa.filters.get_window` accepts it.
    top_db : float or None, default=80.0
        Floor of the dB mel spectrogram relative to each clip's loudest bin.
    deltas : {0, 1, 2}, default=0
        Append the first (1) or the first and second (2) time derivatives of
        the MFCCs (``librosa.feature.delta``, width 9) along the last axis:
        ``[mfcc, delta, delta2]``, so ``n_coef = n_mfcc * (1 + deltas)``.
        Needs at least 9 frames.
    n_jobs : int or None, default=None
        Number of threads over blocks of clips (joblib semantics).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip; ``transform`` needs clips of this length, because
        the number of frames (the model's input length) depends on it.
    n_fft_ : int
        FFT size used.
    win_length_ : int
        Window length used.
    hop_length_ : int
        Hop length used.
    n_frames_ : int
        Frames per clip (centred frames, as librosa:
        ``1 + n_features_in_ // hop_length_`` for an even ``n_fft_``).

    See Also
    --------
    AcousticStats170 : Utterance-level statistics for classical models.
    MelSpectrogramChunker : Log-mel spectrogram chunks for CNN-LSTM models.

    Notes
    -----
    The output is 3-D, so it cannot be a DataFrame: this transformer has no
    ``get_feature_names_out`` nor ``set_output``. Frames are kept as they are,
    padding included, so that every clip has the same number of frames; a
    frame of zero padding holds the MFCCs of the dB floor, which is finite.
    A silent clip gives those values in every frame.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import MFCCFrames
    >>> rng = np.random.default_rng(0)
    >>> X = 0.1 * rng.standard_normal((2, 48000), dtype=np.float32)
    >>> mfcc = MFCCFrames().fit(X)
    >>> mfcc.n_fft_, mfcc.win_length_, mfcc.hop_length_
    (1024, 683, 171)
    >>> mfcc.transform(X).shape
    (2, 281, 40)
    >>> MFCCFrames(deltas=2).fit_transform(X).shape
    (2, 281, 120)
    """

    _paper_geometry = PAPER_GEOMETRY

    _parameter_constraints: dict = {
        **FrontendTransformer._parameter_constraints,
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "deltas": [Interval(Integral, 0, 2, closed="both")],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_mfcc=40,
        n_mels=128,
        n_fft=None,
        win_length=None,
        hop_length=None,
        window="hann",
        top_db=80.0,
        deltas=0,
        n_jobs=None,
    ):
        self.sr = sr
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.window = window
        self.top_db = top_db
        self.deltas = deltas
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.n_mfcc > self.n_mels:
            raise ValueError(
                f"n_mfcc={self.n_mfcc} is larger than n_mels={self.n_mels}; "
                f"expected n_mfcc <= n_mels."
            )

    def _fit_shape(self, n_samples: int) -> None:
        self.n_frames_ = n_frames(n_samples, self.n_fft_, self.hop_length_)
        if self.deltas and self.n_frames_ < _DELTA_WIDTH:
            raise ValueError(
                f"deltas={self.deltas} needs at least {_DELTA_WIDTH} frames; "
                f"clips of {n_samples} samples give {self.n_frames_} frames "
                f"(hop_length={self.hop_length_})."
            )

    def _output_shape(self, n_samples: int) -> tuple[int, int]:
        return self.n_frames_, self.n_mfcc * (1 + self.deltas)

    def _transform_block(self, frontend, X: np.ndarray, out: np.ndarray) -> None:
        mfcc = frontend.mfcc(
            frontend.log_mel(frontend.mel(frontend.power(X))), self.n_mfcc
        )
        out[..., : self.n_mfcc] = mfcc
        for order in range(1, self.deltas + 1):
            out[..., order * self.n_mfcc : (order + 1) * self.n_mfcc] = (
                librosa.feature.delta(mfcc, width=_DELTA_WIDTH, order=order, axis=1)
            )

    def transform(self, X):
        """Compute the MFCC sequence of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_features_in_)
            Waveforms at ``sr``, of the length seen in ``fit``.

        Returns
        -------
        mfcc : ndarray of shape (n_clips, n_frames_, n_mfcc * (1 + deltas))
            Time-major MFCCs (float32), deltas after the MFCCs on the last axis.
        """
        return self._transform(X)
