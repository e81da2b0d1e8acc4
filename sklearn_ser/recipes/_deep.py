"""Recipe builders for the seed papers' deep systems.

Each returns an unfitted :class:`imblearn.pipeline.Pipeline` from audio paths
to emotion labels with the paper's settings as defaults, and its docstring
cites the paper, its reported number and the protocol of that number.
Augmentation is an :class:`~sklearn_ser.AWGNAugmenter`, which runs only while
fitting: unlike two of the papers, no noisy copy of a test clip ever reaches
training.
"""

from __future__ import annotations

from imblearn.pipeline import Pipeline
from sklearn.ensemble import VotingClassifier

from ..audio import DEFAULT_SR, AudioLoader
from ..augment import AWGNAugmenter
from ..classifiers import (
    AttentiveCRNNClassifier,
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)
from ..features import AcousticStats170, MelSpectrogramChunker, MFCCFrames

__all__ = [
    "LIBROSA_SR",
    "attentive_crnn",
    "cnn_lstm",
    "cnn_transformer",
    "conv1d_lstm",
    "spectrogram_cnn",
    "stacked_lstm",
]

#: librosa.load's default sample rate, which papers that do not state one used.
LIBROSA_SR = 22050


def _pipeline(
    *,
    sr,
    offset,
    duration,
    n_jobs,
    features,
    classifier,
    augment=False,
    random_state=None,
) -> Pipeline:
    """load -> [AWGN augmentation, fit time only] -> features -> classifier.

    The augmentation is the papers' AWGN step: one noisy copy per training clip
    at 15-30 dB SNR.
    """
    steps = [
        ("load", AudioLoader(sr=sr, offset=offset, duration=duration, n_jobs=n_jobs))
    ]
    if augment:
        augmenter = AWGNAugmenter(
            snr_db=(15.0, 30.0), n_copies=1, random_state=random_state
        )
        steps.append(("augment", augmenter))
    return Pipeline([*steps, ("features", features), ("classifier", classifier)])


def cnn_lstm(
    *,
    sr: int = 48000,
    offset: float = 0.5,
    duration: float = 3.0,
    augment: bool = True,
    max_epochs: int = 1400,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Stacked CNN-LSTM on seven log-mel chunks (seed paper 000).

    Bhanbhro, Talpur and Memon, *Speech Emotion Recognition Using Deep
    Learning Hybrid Models*. Reported: 93.9 % accuracy, 8 classes, RAVDESS
    (1,440 clips), random 80/10/10 split, with AWGN augmentation and 500+
    epochs (best after 1,400). Audio at 48 kHz from 0.5 s for 3 s; Hamming
    window 512, hop 256; log-mel split into 7 chunks.

    Parameters
    ----------
    sr, offset, duration : loading settings (paper: 48 kHz, 0.5 s, 3 s).
    augment : bool, default=True
        Add one AWGN copy per training clip (15-30 dB SNR), inside the fold.
    max_epochs : int, default=1400
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None
        Parallel jobs for loading and feature extraction.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MelSpectrogramChunker(sr=sr, n_chunks=7, n_jobs=n_jobs),
        classifier=CNNLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def stacked_lstm(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.0,
    duration: float = 3.0,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Stacked LSTM on the 170 acoustic statistics (seed paper 001).

    Bledea, *Speech Emotion Recognition With Recurrent Neural Networks*.
    Reported: 95 % accuracy (96 % with all 170 features), 7 classes, TESS
    (2,800 clips), random 75/25 split (2,100/700). Adam, learning rate 0.001,
    50 epochs, batch 256. The paper's augmentation experiment failed (14-16 %),
    so this recipe does not augment. librosa's default 22,050 Hz.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        features=AcousticStats170(sr=sr, n_jobs=n_jobs),
        classifier=StackedLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def spectrogram_cnn(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    n_models: int = 3,
    augment: bool = True,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Soft-voting ensemble of spectrogram CNNs (seed paper 002).

    Pavithra et al., *Deep Learning-based Speech Emotion Recognition: An
    Investigation into a sustainably Emotion-Speech Relationship*. Reported:
    89.8 % accuracy on a RAVDESS test set; split, sample rate and ensemble
    size not stated (we assume a random 80/20 hold-out, librosa's 22,050 Hz
    and three CNNs). The ensemble is scikit-learn's
    :class:`~sklearn.ensemble.VotingClassifier` with soft voting over CNNs
    that differ in their seed; the paper's data augmentation is AWGN here.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    n_models : int, default=3
        CNNs in the ensemble.
    augment : bool, default=True
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
        Seeds member ``i`` with ``random_state + i`` (or leaves all unseeded).
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    if n_models < 1:
        raise ValueError(f"n_models must be >= 1; got {n_models}.")
    members = [
        (
            f"cnn{i}",
            SpectrogramCNNClassifier(
                max_epochs=max_epochs,
                device=device,
                random_state=None if random_state is None else random_state + i,
            ),
        )
        for i in range(n_models)
    ]
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MelSpectrogramChunker(sr=sr, n_chunks=1, n_jobs=n_jobs),
        classifier=VotingClassifier(members, voting="soft"),
    )


def conv1d_lstm(
    *,
    sr: int = LIBROSA_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    max_epochs: int = 50,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Conv1D-LSTM on frame-level MFCCs (seed paper 003).

    Ayadi and Lachiri, *A combined CNN-LSTM Network for Audio Emotion
    Recognition using Speech and Song attributes*. Reported: 53.32 %
    validation accuracy on RAVDESS speech with 6 emotions (90.28 % training);
    the split is not stated (we assume a random 80/20 hold-out). Adam,
    learning rate 0.01. Sample rate not stated: librosa's 22,050 Hz.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    max_epochs : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        features=MFCCFrames(sr=sr, n_jobs=n_jobs),
        classifier=Conv1DLSTMClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def cnn_transformer(
    *,
    sr: int = 48000,
    offset: float = 0.5,
    duration: float = 3.0,
    augment: bool = True,
    max_epochs: int = 200,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Parallel CNNs and a Transformer encoder on MFCC maps (seed paper 004).

    An and Ruan, *Speech Emotion Recognition algorithm based on deep learning
    algorithm fusion of temporal and spatial features*. Reported: 80.46 %
    accuracy, 8 classes, RAVDESS hold-out test set, after doubling the data
    with AWGN *before* splitting (here the noisy copies are made inside the
    training fold only). 40 MFCCs x 282 frames (48 kHz, hop 512, 3 s); SGD,
    learning rate 0.01, momentum 0.9, weight decay 1e-4, batch 16, up to 200
    epochs.

    Parameters
    ----------
    sr, offset, duration : loading settings (48 kHz, 0.5 s, 3 s).
    augment : bool, default=True
    max_epochs : int, default=200
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MFCCFrames(sr=sr, n_mfcc=40, hop_length=512, n_jobs=n_jobs),
        classifier=ParallelCNNTransformerClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )


def attentive_crnn(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    n_mels: int = 128,
    hop_length: int = 160,
    augment: bool = False,
    max_epochs: int = 60,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Residual CRNN with attentive statistics pooling on the log-mel (ours).

    Not a seed paper's system: the library's strongest from-scratch recipe,
    built from what speech emotion recognition learnt after the seed papers
    (residual convolutions, a bidirectional GRU, attentive statistics
    pooling, AdamW with a warm-up cosine schedule, label smoothing,
    SpecAugment masks and mixup inside the training step; see
    :class:`~sklearn_ser.classifiers.AttentiveCRNNClassifier`). Its defaults
    are the GPU-sized budget: 16 kHz, 128 mel bands every 10 ms (25 ms
    windows), 60 epochs, masks of up to 40 frames and 16 bands, mixup with
    alpha 0.2. ``BUDGETS["cpu"]`` shrinks it to fit minutes per fold on a
    CPU.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    n_mels : int, default=128
        Mel bands of the log-mel spectrogram.
    hop_length : int, default=160
        Frame step in samples (10 ms at 16 kHz); the window is 2.5 hops.
    augment : bool, default=False
        Add one AWGN copy per training clip (15-30 dB SNR), inside the fold.
    max_epochs : int, default=60
    device : {"auto", "cpu", "cuda"}, default="auto"
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        augment=augment,
        random_state=random_state,
        features=MelSpectrogramChunker(
            sr=sr,
            n_chunks=1,
            n_mels=n_mels,
            hop_length=hop_length,
            n_fft=hop_length * 5 // 2,
            window="hann",
            n_jobs=n_jobs,
        ),
        classifier=AttentiveCRNNClassifier(
            max_epochs=max_epochs,
            time_mask=40,
            freq_mask=16,
            mixup_alpha=0.2,
            device=device,
            random_state=random_state,
        ),
    )
