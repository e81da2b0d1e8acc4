"""Recipe builders on pretrained speech encoders: frozen embeddings and a head.

Both embed each clip once with a frozen encoder
(:class:`~sklearn_ser.features.SpeechEncoderEmbeddings`, which learns
nothing, so the benchmark computes the embeddings once per corpus through
its stateless-step cache) and train only what follows: an SVM on one layer
(``encoder_svm``, a :class:`~sklearn_ser.features.LayerSelector` after
the embeddings of every layer, so that a tuned search can choose the layer
on inner folds) or the SUPERB/EmoBox head with learned layer weights
(``encoder_head``). Their defaults were fixed before any run and are the
field's usual choices, not picked on test folds.
"""

from __future__ import annotations

import os

from imblearn.pipeline import Pipeline

from ..classifiers import LayerWeightedHeadClassifier
from ..features import LayerSelector, SpeechEncoderEmbeddings
from ._classical import _calibrated_svc, _classical_pipeline
from ._deep import _pipeline

__all__ = ["DEFAULT_ENCODER", "encoder_head", "encoder_svm"]

#: The encoder a recipe uses when none is given: Whisper tiny.en, 39 M
#: parameters, cheap enough for a CPU (a hub id: downloaded once where
#: there is internet; offline, pass a local folder).
DEFAULT_ENCODER = "openai/whisper-tiny.en"

#: Whisper and the wav2vec 2.0 family all read 16 kHz audio.
ENCODER_SR = 16000


def _embeddings(encoder, revision, pooling, whisper_input, device, sr):
    """Every hidden state, pooled: one cached output that both recipes share."""
    return SpeechEncoderEmbeddings(
        # A str, so that a model file can hold it (a path object it cannot).
        model=os.fspath(encoder),
        revision=revision,
        layers="all",
        pooling=pooling,
        whisper_input=whisper_input,
        device=device,
        sr=sr,
    )


def encoder_svm(
    *,
    encoder=DEFAULT_ENCODER,
    revision=None,
    layer: int = -1,
    pooling: str = "mean",
    whisper_input: str = "clip",
    sr: int = ENCODER_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    C: float = 1.0,
    balance: bool = False,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """RBF SVM on a frozen pretrained encoder's mean-pooled embeddings.

    load -> :class:`~sklearn_ser.features.SpeechEncoderEmbeddings` (every
    layer) -> :class:`~sklearn_ser.features.LayerSelector` (the encoder's
    output by default) -> StandardScaler -> SVC with Platt-scaled
    probabilities. The tuning grid (``make_recipe(..., tune=True)``) chooses
    the layer among the top three and ``C`` on inner speaker-grouped folds.
    EmoBox (Ma et al. 2024) reports frozen, mean-pooled encoders on RAVDESS
    speaker-independently at 0.72-0.75 UA
    for the largest models with a small trained head; this library's own
    measurements with Whisper tiny.en are in the reproduction report.

    Parameters
    ----------
    encoder : str or path-like, default=DEFAULT_ENCODER
        Model folder or hub id (see ``SpeechEncoderEmbeddings.model``).
    revision : str or None, default=None
        Hub revision of a hub id.
    layer : int, default=-1
        Hidden state fed to the SVM (0: the front end; -1: the encoder's
        output).
    pooling, whisper_input : see SpeechEncoderEmbeddings.
    sr, offset, duration : loading settings; ``sr`` must be the encoder's.
    C : float, default=1.0
        SVM regularisation.
    balance : bool, default=False
        Oversample minority classes inside each training fold.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the encoder runs.
    random_state : int or None
    n_jobs : int or None
        Loading threads.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    pipeline = _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        classifier=_calibrated_svc(C),
        balance=balance,
        random_state=random_state,
        features=_embeddings(encoder, revision, pooling, whisper_input, device, sr),
    )
    pipeline.steps.insert(2, ("layer", LayerSelector(layer=layer)))
    return pipeline


def encoder_head(
    *,
    encoder=DEFAULT_ENCODER,
    revision=None,
    pooling: str = "mean",
    whisper_input: str = "clip",
    sr: int = ENCODER_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    max_epochs: int = 60,
    device: str = "auto",
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Learned layer weights and an MLP over a frozen encoder's every layer.

    load -> :class:`~sklearn_ser.features.SpeechEncoderEmbeddings`
    (``layers="all"``, each hidden state mean-pooled over the clip) ->
    :class:`~sklearn_ser.classifiers.LayerWeightedHeadClassifier` (a softmax
    weight per layer, then Dropout-Linear(256)-LayerNorm-GELU-Linear; AdamW,
    warm-up and cosine schedule, label smoothing). This is the downstream
    protocol of SUPERB and EmoBox. The learnt weights are the fitted
    classifier's ``layer_weights_``.

    Parameters
    ----------
    encoder : str or path-like, default=DEFAULT_ENCODER
        Model folder or hub id.
    revision : str or None, default=None
        Hub revision of a hub id.
    pooling, whisper_input : see SpeechEncoderEmbeddings.
    sr, offset, duration : loading settings; ``sr`` must be the encoder's.
    max_epochs : int, default=60
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the encoder runs and the head trains.
    random_state : int or None
    n_jobs : int or None
        Loading threads.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        features=_embeddings(encoder, revision, pooling, whisper_input, device, sr),
        classifier=LayerWeightedHeadClassifier(
            max_epochs=max_epochs, device=device, random_state=random_state
        ),
    )
