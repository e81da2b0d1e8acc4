"""Log-mel spectrogram cut into chunks along time, for the CNN-LSTM model."""

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils._param_validation import Interval

from ..audio import DEFAULT_SR
from ._frontend import FrameGeometry, FrontendTransformer, n_frames

#: The CNN-LSTM paper's analysis at 48 kHz: Hamming window of 512 samples,
#: hop 256. The FFT size is not stated; 1024 is the smallest power of two for
#: which none of 128 mel filters is empty at 48 kHz (512 leaves some empty).
PAPER_GEOMETRY = FrameGeometry(sr=48000, n_fft=1024, win_length=512, hop_length=256)


class MelSpectrogramChunker(FrontendTransformer):
    """Log-mel spectrogram chunks: ``(n_clips, n_chunks, n_mels, chunk_frames)``.

    The input of the CNN-LSTM paper (Bhanbhro et al., *Speech Emotion
    Recognition Using Deep Learning Hybrid Models*): the mel spectrogram of
    each clip (Hamming window of 512 samples, hop 256, at 48 kHz) split into
    seven chunks along time, each a one-channel image for a time-distributed
    CNN. The number of mel bands is not stated; 128 (librosa's default) is
    what the paper's four pooling stages (2 x 4 x 4 x 4 = 128) reduce to a
    single row. The spectrogram is in dB, ``librosa.power_to_db(S, ref=1.0,
    amin=1e-10, top_db=80)`` per clip.

    Axis order: clip, chunk (time order), mel band (low to high frequency),
    frame (time order within the chunk). With ``n_chunks=1`` the single
    chunk is the whole log-mel spectrogram ``(n_clips, 1, n_mels, n_frames)``,
    the input of a plain spectrogram CNN.

    **Chunking**, one of two ways:

    - ``n_chunks=k`` (default 7): ``k`` chunks of equal length overlapping by
      half, spread over the spectrogram: ``chunk_frames = 2 * n_frames //
      (k + 1)``, ``chunk_hop = chunk_frames // 2`` (the paper's geometry, 128
      frames every 64); up to ``k`` trailing frames are left out.
    - ``n_chunks=None, chunk_frames=L, chunk_hop=H``: as many chunks of ``L``
      frames every ``H`` frames as fit (``1 + (n_frames - L) // H``); the
      paper's exact split at 48 kHz is ``chunk_frames=128, chunk_hop=64``.

    **Sample rate.** STFT sizes left to None keep the paper's *durations* at
    ``sr`` (window 10.7 ms, hop 5.3 ms), so chunks cover the same time and
    the paper's network fits at any sample rate; the FFT size is the smallest
    power of two at least as long as the paper's scaled to ``sr``:

    ==============  ======  ==========  ==========  ===============  ==========
    sr              n_fft   win_length  hop_length  frames for 3 s   7 chunks
    ==============  ======  ==========  ==========  ===============  ==========
    48000 (paper)   1024    512         256         563              7 x 140
    16000           512     171         85          565              7 x 141
    ==============  ======  ==========  ==========  ===============  ==========

    Each chunk equals a slice of ``librosa.power_to_db(
    librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft_,
    win_length=win_length_, hop_length=hop_length_, window=..., n_mels=...),
    top_db=...)``.

    Parameters
    ----------
    sr : float, default=sklearn_ser.audio.DEFAULT_SR
        Sample rate of the waveforms, in Hz.
    n_mels : int, default=128
        Number of mel bands.
    n_chunks : int or None, default=7
        Number of half-overlapping chunks; None to chunk by ``chunk_frames``.
    chunk_frames : int or None, default=None
        Frames per chunk; only with ``n_chunks=None``.
    chunk_hop : int or None, default=None
        Frames between chunk starts; only with ``chunk_frames``; None means
        ``chunk_frames // 2`` (half overlap).
    n_fft : int or None, default=None
        FFT size in samples; None: see the table above.
    win_length : int or None, default=None
        Window length in samples, at most ``n_fft``; None: see the table.
    hop_length : int or None, default=None
        Samples between frames; None: see the table.
    window : str or tuple, default="hamming"
        Window, as :func:`librosa.filters.get_window` accepts it.
    top_db : float or None, default=80.0
        Floor of the dB spectrogram relative to each clip's loudest bin; None
        for the absolute floor of -100 dB.
    n_jobs : int or None, default=None
        Number of threads over blocks of clips (joblib semantics).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip; ``transform`` needs clips of this length, because
        the chunk geometry depends on it.
    n_fft_ : int
        FFT size used.
    win_length_ : int
        Window length used.
    hop_length_ : int
        Hop length used.
    n_frames_ : int
        Frames of the whole spectrogram (centred frames, as librosa:
        ``1 + n_features_in_ // hop_length_`` for an even ``n_fft_``).
    n_chunks_ : int
        Number of chunks.
    chunk_frames_ : int
        Frames per chunk.
    chunk_hop_ : int
        Frames between chunk starts.

    See Also
    --------
    AcousticStats170 : Utterance-level statistics for classical models.
    MFCCFrames : Frame-level MFCCs for sequence models.

    Notes
    -----
    The output is 4-D, so it cannot be a DataFrame: this transformer has no
    ``get_feature_names_out`` nor ``set_output``. Padding frames are kept
    (every clip has the same geometry) and hold the dB floor; a silent clip
    is ``10 * log10(1e-10) = -100`` dB everywhere. No value is NaN or
    infinite.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import MelSpectrogramChunker
    >>> rng = np.random.default_rng(0)
    >>> X = 0.1 * rng.standard_normal((2, 48000), dtype=np.float32)
    >>> chunker = MelSpectrogramChunker().fit(X)
    >>> chunker.transform(X).shape
    (2, 7, 128, 141)
    >>> MelSpectrogramChunker(n_chunks=1).fit_transform(X).shape
    (2, 1, 128, 565)
    >>> MelSpectrogramChunker(n_chunks=None, chunk_frames=128, chunk_hop=64).fit(
    ...     X
    ... ).n_chunks_
    7
    """

    _paper_geometry = PAPER_GEOMETRY

    _parameter_constraints: dict = {
        **FrontendTransformer._parameter_constraints,
        "n_chunks": [Interval(Integral, 1, None, closed="left"), None],
        "chunk_frames": [Interval(Integral, 1, None, closed="left"), None],
        "chunk_hop": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_mels=128,
        n_chunks=7,
        chunk_frames=None,
        chunk_hop=None,
        n_fft=None,
        win_length=None,
        hop_length=None,
        window="hamming",
        top_db=80.0,
        n_jobs=None,
    ):
        self.sr = sr
        self.n_mels = n_mels
        self.n_chunks = n_chunks
        self.chunk_frames = chunk_frames
        self.chunk_hop = chunk_hop
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.window = window
        self.top_db = top_db
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if (self.n_chunks is None) == (self.chunk_frames is None):
            raise ValueError(
                f"Set exactly one of n_chunks and chunk_frames; got "
                f"n_chunks={self.n_chunks}, chunk_frames={self.chunk_frames} "
                f"(pass n_chunks=None to chunk by chunk_frames)."
            )
        if self.chunk_hop is not None and self.chunk_frames is None:
            raise ValueError(
                f"chunk_hop={self.chunk_hop} needs chunk_frames (and "
                f"n_chunks=None); with n_chunks the chunks overlap by half."
            )

    def _fit_shape(self, n_samples: int) -> None:
        self.n_frames_ = n_frames(n_samples, self.n_fft_, self.hop_length_)
        if self.n_chunks is not None:
            self.chunk_frames_ = 2 * self.n_frames_ // (self.n_chunks + 1)
            self.chunk_hop_ = max(1, self.chunk_frames_ // 2)
            self.n_chunks_ = self.n_chunks
            needed = (self.n_chunks_ - 1) * self.chunk_hop_ + self.chunk_frames_
            if self.chunk_frames_ < 1 or needed > self.n_frames_:
                raise ValueError(
                    f"n_chunks={self.n_chunks} half-overlapping chunks do not "
                    f"fit in {self.n_frames_} frames (clips of {n_samples} "
                    f"samples, hop_length={self.hop_length_}); use fewer chunks "
                    f"or longer clips."
                )
        else:
            self.chunk_frames_ = self.chunk_frames
            self.chunk_hop_ = (
                max(1, self.chunk_frames // 2)
                if self.chunk_hop is None
                else self.chunk_hop
            )
            if self.chunk_frames_ > self.n_frames_:
                raise ValueError(
                    f"chunk_frames={self.chunk_frames} is longer than the "
                    f"{self.n_frames_} frames of clips of {n_samples} samples "
                    f"(hop_length={self.hop_length_})."
                )
            self.n_chunks_ = (
                1 + (self.n_frames_ - self.chunk_frames_) // self.chunk_hop_
            )

    def _output_shape(self, n_samples: int) -> tuple[int, int, int]:
        return self.n_chunks_, self.n_mels, self.chunk_frames_

    def _transform_block(self, frontend, X: np.ndarray, out: np.ndarray) -> None:
        log_mel = frontend.log_mel(frontend.mel(frontend.power(X)))
        # Windows over the time axis come out as (clip, chunk, mel, frame).
        chunks = sliding_window_view(log_mel, self.chunk_frames_, axis=1)
        out[:] = chunks[:, :: self.chunk_hop_][:, : self.n_chunks_]

    def transform(self, X):
        """Compute the log-mel chunks of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_features_in_)
            Waveforms at ``sr``, of the length seen in ``fit``.

        Returns
        -------
        chunks : ndarray of shape (n_clips, n_chunks_, n_mels, chunk_frames_)
            Log-mel chunks in dB (float32).
        """
        return self._transform(X)
