"""
Deep versus classical recipes on the same speaker-independent splits
====================================================================

:func:`~sklearn_ser.benchmark.run_benchmark` cross-validates several recipes
on the same outer folds, keeps every speaker on one side of each split, and
returns per-fold scores and out-of-fold predictions. This example compares
the two classical baselines with two deep recipes, scaled down to train in
seconds, and draws their confusion matrices.

This is what ``sklearn-ser benchmark`` does from the command line, on a
corpus small enough for a documentation build: read the scores as a
demonstration of the tool, not as a comparison of the models.
"""

# %%
# A corpus on disk
# ----------------
# Recipes start from audio paths, so the synthetic corpus is written as
# RAVDESS-named WAV files and found with :func:`~sklearn_ser.load_ravdess`:
# 4 speakers, 4 emotions, 2 clips per speaker and emotion.
import tempfile

import matplotlib.pyplot as plt

from sklearn_ser import load_ravdess, make_emotional_speech

folder = tempfile.mkdtemp()
make_emotional_speech(
    n_speakers=4,
    n_clips_per_emotion=2,
    emotions=["neutral", "happy", "sad", "angry"],
    random_state=0,
    output_dir=folder,
)
data = load_ravdess(folder)
print(len(data.paths), "clips;", len(set(data.groups)), "speakers")

# %%
# Four recipes
# ------------
# :func:`~sklearn_ser.recipes.make_recipe` builds a recipe by name with
# overrides. The deep recipes keep their papers' features and loading
# settings, but train for a few epochs on the CPU (with a higher learning
# rate for the stacked LSTM to make up for it), and their networks are shrunk
# through the pipeline's ``classifier__*`` parameters.
from sklearn_ser.recipes import make_recipe

common = {"random_state": 0, "device": "cpu"}
recipes = {
    "svm": make_recipe("svm", **common),
    "random_forest": make_recipe("random_forest", n_estimators=100, **common),
    "stacked_lstm": make_recipe("stacked_lstm", max_epochs=30, **common).set_params(
        classifier__module__hidden_size=16, classifier__lr=0.01
    ),
    "conv1d_lstm": make_recipe("conv1d_lstm", max_epochs=15, **common).set_params(
        classifier__module__conv_channels=16,
        classifier__module__lstm_hidden_size=16,
        classifier__module__num_lstm_layers=1,
        classifier__module__dense_size=16,
        classifier__batch_size=8,
    ),
}
for name, pipe in recipes.items():
    print(f"{name:>14}: {' -> '.join(type(step).__name__ for _, step in pipe.steps)}")

# %%
# Cross-validate on the same folds
# --------------------------------
# Under the default ``"speaker"`` protocol, four speakers give four
# leave-one-speaker-out folds. Audio loading, which learns nothing, is done
# once per clip and shared by all recipes with the same loading settings.
from sklearn_ser.benchmark import run_benchmark

result = run_benchmark(
    recipes,
    data.paths,
    data.target,
    data.groups,
    protocol="speaker",
    random_state=0,
    corpus="synthetic, 4 speakers",
    progress=False,
)
print(result.to_markdown())

# %%
# Confusion matrices
# ------------------
# Each recipe's out-of-fold predictions, over all folds, normalised per true
# class (rows sum to 1): the diagonal is the recall of each emotion, and its
# mean is the UAR.
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, len(result.recipes), figsize=(13, 3.6))
for ax, recipe in zip(axes, result.recipes, strict=True):
    ConfusionMatrixDisplay.from_predictions(
        recipe.y_true,
        recipe.y_pred,
        labels=recipe.labels,
        normalize="true",
        values_format=".2f",
        colorbar=False,
        xticks_rotation=45,
        ax=ax,
    )
    uar, std = recipe.mean_std("uar")
    ax.set_title(f"{recipe.recipe}\nUAR {uar:.2f} ± {std:.2f}", fontsize=10)
    if ax is not axes[0]:
        ax.set_ylabel("")
fig.tight_layout()

# %%
# Scores per fold
# ---------------
# Every fold is one unseen speaker; the spread between folds is as large as
# the differences between recipes on a corpus this small.
import numpy as np

fig, ax = plt.subplots(figsize=(6, 3.5))
for i, recipe in enumerate(result.recipes):
    scores = [fold.uar for fold in recipe.folds]
    ax.scatter(np.full(len(scores), i), scores, color=f"C{i}", alpha=0.7)
    ax.hlines(np.mean(scores), i - 0.3, i + 0.3, color=f"C{i}")
ax.axhline(0.25, color="grey", linestyle="--", linewidth=1, label="chance")
ax.set_xticks(range(len(result.recipes)), [r.recipe for r in result.recipes])
ax.set_ylabel("UAR per held-out speaker")
ax.set_ylim(0, 1)
ax.legend()
fig.tight_layout()

# %%
# ``result.save(folder)`` writes the same table as ``results.md``, all scores
# as ``results.json`` and the figures, as ``sklearn-ser benchmark`` does. To
# compare with a paper, run the same recipes under its protocol as well
# (``protocol="random-80/20"``, ...); see :doc:`/user_guide/protocols`.
plt.show()
