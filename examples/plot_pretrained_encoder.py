"""
A frozen pretrained speech encoder in a pipeline
================================================

:class:`~sklearn_ser.SpeechEncoderEmbeddings` runs a pretrained speech
encoder (wav2vec 2.0, HuBERT, WavLM, Whisper, ... from Hugging Face
``transformers``; ``pip install sklearn-ser[pretrained]``) on each clip and
mean-pools its hidden states over the clip's frames. With ``layers="all"``
it returns one vector per layer, ``(n_clips, n_layers, dim)``, which this
example uses twice, with one embedding pass:

- a logistic regression on each layer alone (the layer sweep), and
- :class:`~sklearn_ser.LayerWeightedHeadClassifier`, which learns a weight
  per layer and a small MLP (the SUPERB/EmoBox head).

Both are scored speaker-independently. The encoder is Whisper tiny.en from
a local folder: ``SKLEARN_SER_ENCODER`` names one, else
``shared/models/whisper-tiny`` in the current folder or a folder above it
(the project's development machines). Without one, a tiny *randomly
initialised* Whisper stands in, so the code runs, but its numbers mean
nothing. The clips are RAVDESS (``SKLEARN_SER_RAVDESS`` or
``shared/data/ravdess-speech``) or else the synthetic corpus.
"""

# %%
# The encoder and the clips
# -------------------------
import os
import tempfile
from pathlib import Path


def find_shared(variable, *parts):
    """A folder from ``variable``, or ``shared/<parts>`` above the current one."""
    if os.environ.get(variable):
        path = Path(os.environ[variable]).expanduser()
        return path if path.is_dir() else None
    for parent in (Path.cwd(), *Path.cwd().parents):
        if (parent / "shared" / Path(*parts)).is_dir():
            return parent / "shared" / Path(*parts)
    return None


encoder = find_shared("SKLEARN_SER_ENCODER", "models", "whisper-tiny")
if encoder is None:
    import transformers

    encoder = Path(tempfile.mkdtemp()) / "random-whisper"
    config = transformers.WhisperConfig(
        d_model=32,
        encoder_layers=2,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
    )
    transformers.WhisperModel(config).save_pretrained(encoder)
    transformers.WhisperFeatureExtractor().save_pretrained(encoder)
    print("No pretrained encoder found: a random one stands in (meaningless scores).")
print("encoder:", encoder)

from sklearn_ser import AudioLoader, load_ravdess, make_emotional_speech

ravdess_root = find_shared("SKLEARN_SER_RAVDESS", "data", "ravdess-speech")
if ravdess_root is None:
    ravdess_root = Path(tempfile.mkdtemp())
    make_emotional_speech(random_state=0, output_dir=ravdess_root)
data = load_ravdess(ravdess_root)
print(f"{len(data.paths)} clips, {len(set(data.groups))} speakers")

# %%
# One embedding pass, every layer
# -------------------------------
# The encoder is loaded once and never pickled; the embeddings are
# ``(n_clips, n_layers, dim)``: for Whisper tiny, the front end (index 0) and
# its four layers, 384 values each. Whisper runs on each clip's own 3 s
# (``whisper_input="clip"``, the default) instead of a 30-s window.
import time

from sklearn_ser import SpeechEncoderEmbeddings

waveforms = AudioLoader(sr=16000, offset=0.5, duration=3.0).fit_transform(data.paths)
start = time.perf_counter()
E = SpeechEncoderEmbeddings(model=encoder, layers="all", verbose=0).fit_transform(
    waveforms
)
seconds = time.perf_counter() - start
print(f"embeddings {E.shape} in {seconds:.1f} s ({len(E) / seconds:.0f} clips/s)")

# %%
# Which layer? One linear model per layer, speaker-independently
# ---------------------------------------------------------------
# The same six folds for every model: no speaker in both training and test.
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ser.model_selection import speaker_independent_cv

cv = speaker_independent_cv(data.groups, 6, random_state=0)
per_layer = [
    cross_val_score(
        make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)),
        E[:, layer],
        data.target,
        groups=data.groups,
        cv=cv,
        scoring="balanced_accuracy",
    )
    for layer in range(E.shape[1])
]
for layer, scores in enumerate(per_layer):
    print(f"layer {layer}: UAR {scores.mean():.3f} ± {scores.std():.3f}")

# %%
# The layer-weighted head learns the mix
# --------------------------------------
# Fitted on each training fold; ``layer_weights_`` are the softmax weights it
# learnt (they sum to 1).
from sklearn.metrics import balanced_accuracy_score

from sklearn_ser import LayerWeightedHeadClassifier

head_scores, weights = [], []
for train, test in cv.split(E, data.target, data.groups):
    head = LayerWeightedHeadClassifier(random_state=0).fit(E[train], data.target[train])
    head_scores.append(
        balanced_accuracy_score(data.target[test], head.predict(E[test]))
    )
    weights.append(head.layer_weights_)
print(
    f"layer-weighted head: UAR {np.mean(head_scores):.3f} ± {np.std(head_scores):.3f}"
)

import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
layers = np.arange(E.shape[1])
left.bar(layers, [s.mean() for s in per_layer], yerr=[s.std() for s in per_layer])
left.axhline(np.mean(head_scores), color="C1", label="layer-weighted head")
left.axhline(1 / len(set(data.target)), color="gray", linestyle=":", label="chance")
left.set(xlabel="hidden state (0 = front end)", ylabel="UAR", title="One layer each")
left.legend(fontsize=8)
right.bar(layers, np.mean(weights, axis=0), color="C1")
right.set(xlabel="hidden state", ylabel="weight", title="Head's learnt weights")
fig.tight_layout()
plt.show()
