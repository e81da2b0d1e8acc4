"""Utterance-level acoustic statistics: the 170 values of the stacked-LSTM paper."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..audio import DEFAULT_SR
from ._frontend import FrontendTransformer

#: Pooled statistics ``AcousticStats170`` can compute over the frames of a clip.
STATS = ("mean", "std", "min", "max")


def _pool(frames: np.ndarray, keep: np.ndarray, stat: str) -> np.ndarray:
    """Pool ``frames`` ``(n, n_frames, d)`` over the frames where ``keep``."""
    weights = keep.astype(np.float32)
    count = weights.sum(axis=1, keepdims=True)
    mean = np.matmul(weights[:, None, :], frames)[:, 0] / count
    if stat == "mean":
        return mean
    if stat == "std":
        with np.errstate(over="ignore", invalid="ignore"):
            std = _std(frames, mean, weights, count)
        loud = ~np.isfinite(std).all(axis=1)
        if loud.any():
            # Squared deviations of a very loud clip's mel power overflow
            # float32 (a clip near MAX_PEAK reaches mel values of 1e25); its
            # standard deviation itself fits, so compute it in float64.
            std[loud] = _std(
                frames[loud].astype(np.float64), mean[loud], weights[loud], count[loud]
            )
        return std
    masked_out = np.inf if stat == "min" else -np.inf
    kept = np.where(keep[..., None], frames, np.float32(masked_out))
    return kept.min(axis=1) if stat == "min" else kept.max(axis=1)


def _std(frames, mean, weights, count) -> np.ndarray:
    deviation = frames - mean[:, None, :]
    np.square(deviation, out=deviation)
    return np.sqrt(
        np.matmul(weights[:, None, :].astype(frames.dtype), deviation)[:, 0] / count
    )


class AcousticStats170(FrontendTransformer):
    """Mel, MFCC, zero-crossing and RMS statistics of each clip.

    The utterance vector of the stacked-LSTM paper (Bledea, *Speech Emotion
    Recognition With Recurrent Neural Networks*): per clip, the mean over
    frames of a 128-band mel spectrogram, of 40 MFCCs, of the zero-crossing
    rate and of the RMS, ``128 + 40 + 1 + 1 = 170`` values, in that order.
    The paper calls librosa with its defaults, which are the defaults here:
    ``n_fft=2048``, ``hop_length=512``, Hann window, 128 mel bands, a mel
    part in power (not dB), MFCCs from the dB mel spectrogram
    (``librosa.power_to_db`` with ``top_db=80``). The paper loads audio at
    librosa's default 22050 Hz; here ``sr`` follows the library default and
    the STFT sizes stay in samples, as librosa's defaults are.

    One STFT per clip feeds every feature (see ``Notes``); each value equals
    the corresponding librosa call on an unpadded clip::

        mel  = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=..., ...)
        mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40, n_fft=..., ...)
        zcr  = librosa.feature.zero_crossing_rate(y, frame_length=n_fft, ...)
        rms  = librosa.feature.rms(S=np.abs(librosa.stft(y, n_fft=..., ...)),
                                   frame_length=n_fft)

    pooled over frames (``np.mean(..., axis=-1)`` for ``"mean"``). With
    ``top_db`` other than 80, the MFCCs are ``librosa.feature.mfcc(S=
    librosa.power_to_db(mel, top_db=top_db), n_mfcc=...)``.

    Parameters
    ----------
    sr : float, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms, in Hz.
    n_fft : int, default=2048
        FFT size, in samples; also the frame length of the zero-crossing rate.
    hop_length : int, default=512
        Samples between successive frames.
    win_length : int or None, default=None
        Window length in samples (zero-padded to ``n_fft``); None means
        ``n_fft``, as in librosa.
    window : str or tuple, default="hann"
        Window, as :func:`librosa.filters.get_window` accepts it.
    n_mels : int, default=128
        Number of mel bands.
    n_mfcc : int, default=40
        Number of MFCCs, at most ``n_mels``.
    log_mel : bool, default=False
        Pool the mel spectrogram in dB (``power_to_db`` with ``top_db``)
        instead of in power as the paper does. Power means are dominated by
        the loudest frames and span orders of magnitude; dB means are often
        better inputs for classical models.
    top_db : float or None, default=80.0
        Floor of the dB mel spectrogram (from which the MFCCs are computed),
        relative to each clip's loudest mel bin; None for no floor (the floor
        is then ``10 * log10(1e-10) = -100`` dB).
    stats : tuple of str, default=("mean",)
        Statistics pooled over frames, among ``"mean"``, ``"std"`` (population
        standard deviation), ``"min"`` and ``"max"``. Each adds one block of
        ``n_mels + n_mfcc + 2`` columns, in the order given; the default is the
        paper's vector.
    n_jobs : int or None, default=None
        Number of threads over blocks of clips (joblib semantics: None is 1
        unless in a :func:`joblib.parallel_config` context, -1 is all cores).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``. ``transform`` accepts clips of any
        length of at least ``n_fft_`` samples: the statistics do not depend on
        the clip length.
    n_fft_ : int
        FFT size used.
    win_length_ : int
        Window length used.
    hop_length_ : int
        Hop length used.

    See Also
    --------
    MFCCFrames : Frame-level MFCCs for sequence models.
    MelSpectrogramChunker : Log-mel spectrogram chunks for CNN-LSTM models.

    Notes
    -----
    **Padding.** :class:`~sklearn_ser.audio.AudioLoader` pads short clips
    with exact zeros. A frame whose analysis window holds only zeros (its
    windowed energy, i.e. its RMS, is exactly 0) is left out of every pooled
    statistic, wherever it lies (leading or trailing padding, digital
    silence), so the features do not depend on how much padding a clip got.
    Frames centred near the end of the signal whose window still covers real
    samples are kept, exactly as librosa keeps its own zero-padded edge
    frames (``center=True``): the result equals librosa's frame values on the
    padded clip averaged over its non-silent frames. Background noise in the
    padding (e.g. added by an augmenter) makes those frames count.

    **Silence.** A clip without any non-zero frame (entirely silent) is pooled
    over all its frames, which gives librosa's values for silence: mel 0,
    MFCCs of the dB floor, ZCR 0, RMS 0. No feature is ever NaN or infinite.

    **RMS.** The RMS comes from the STFT (``librosa.feature.rms(S=...)``):
    the energy of each *windowed* frame, which is about ``sqrt(3/8) ~= 0.61``
    times the unwindowed ``librosa.feature.rms(y=...)`` of the paper's code
    for a Hann window on a steady signal. It differs from that by a nearly
    constant factor, which standardisation removes, and saves a second pass
    over the signal.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import AcousticStats170
    >>> rng = np.random.default_rng(0)
    >>> X = 0.1 * rng.standard_normal((3, 16000), dtype=np.float32)
    >>> stats = AcousticStats170().fit(X)
    >>> stats.transform(X).shape
    (3, 170)
    >>> stats.get_feature_names_out()[[0, 128, 168, 169]]
    array(['mel_mean_0', 'mfcc_mean_0', 'zcr_mean', 'rms_mean'], dtype=object)
    >>> AcousticStats170(stats=("mean", "std")).fit_transform(X).shape
    (3, 340)
    """

    _any_length = True

    _parameter_constraints: dict = {
        **FrontendTransformer._parameter_constraints,
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "log_mel": ["boolean"],
        "stats": [tuple],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_fft=2048,
        hop_length=512,
        win_length=None,
        window="hann",
        n_mels=128,
        n_mfcc=40,
        log_mel=False,
        top_db=80.0,
        stats=("mean",),
        n_jobs=None,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.n_mels = n_mels
        self.n_mfcc = n_mfcc
        self.log_mel = log_mel
        self.top_db = top_db
        self.stats = stats
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.n_mfcc > self.n_mels:
            raise ValueError(
                f"n_mfcc={self.n_mfcc} is larger than n_mels={self.n_mels}; "
                f"expected n_mfcc <= n_mels."
            )
        unknown = [s for s in self.stats if s not in STATS]
        if not self.stats or unknown or len(set(self.stats)) != len(self.stats):
            raise ValueError(
                f"stats={self.stats!r} is not valid: expected a non-empty tuple "
                f"of distinct names among {STATS}."
            )

    def _output_shape(self, n_samples: int) -> tuple[int]:
        return (len(self.stats) * (self.n_mels + self.n_mfcc + 2),)

    def _transform_block(self, frontend, X: np.ndarray, out: np.ndarray) -> None:
        power = frontend.power(X)
        mel = frontend.mel(power)
        rms = frontend.rms(power)
        del power
        log_mel = frontend.log_mel(mel)
        frames = np.concatenate(
            [
                log_mel if self.log_mel else mel,
                frontend.mfcc(log_mel, self.n_mfcc),
                frontend.zero_crossing_rate(X)[..., None],
                rms[..., None],
            ],
            axis=-1,
        )
        keep = rms > 0
        keep[~keep.any(axis=1)] = True
        out[:] = np.concatenate([_pool(frames, keep, s) for s in self.stats], axis=1)

    def transform(self, X):
        """Compute the pooled statistics of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms at ``sr``; any length of at least ``n_fft`` samples.

        Returns
        -------
        features : ndarray of shape (n_clips, n_features_out), dtype float32
            ``n_features_out = len(stats) * (n_mels + n_mfcc + 2)``; columns
            are named by :meth:`get_feature_names_out`.
        """
        return self._transform(X)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: the columns do not depend on the input columns (samples).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``mel_<stat>_<band>`` (``logmel_...`` with ``log_mel=True``),
            ``mfcc_<stat>_<k>``, ``zcr_<stat>``, ``rms_<stat>`` for each
            statistic in ``stats``.
        """
        check_is_fitted(self)
        mel = "logmel" if self.log_mel else "mel"
        names = []
        for stat in self.stats:
            names += [f"{mel}_{stat}_{i}" for i in range(self.n_mels)]
            names += [f"mfcc_{stat}_{i}" for i in range(self.n_mfcc)]
            names += [f"zcr_{stat}", f"rms_{stat}"]
        return np.asarray(names, dtype=object)
