"""
Tuning a deep classifier with speaker-grouped cross-validation
==============================================================

The deep classifiers are scikit-learn estimators whose torch module is
configured through ``module__*`` parameters, so
:class:`~sklearn.model_selection.GridSearchCV` tunes the architecture and the
optimiser in one grid. This example tunes the learning rate and the LSTM size
of a :class:`~sklearn_ser.Conv1DLSTMClassifier` on MFCC frames, with folds
that keep every speaker on one side of each split.

The networks, the corpus and the number of epochs are tiny so that the
example runs in seconds on a CPU; the scores only show the mechanics.
"""

# %%
# Features once, outside the search
# ---------------------------------
# :class:`~sklearn_ser.MFCCFrames` learns nothing from the values it sees, so
# the MFCCs can be computed once for all candidates and folds. The synthetic
# corpus gives the waveforms directly: 6 speakers, 4 emotions, 2 clips per
# speaker and emotion, 1.5 s each.
import matplotlib.pyplot as plt

from sklearn_ser import MFCCFrames, make_emotional_speech

corpus = make_emotional_speech(
    n_speakers=6,
    n_clips_per_emotion=2,
    emotions=["neutral", "happy", "sad", "angry"],
    duration=1.5,
    random_state=0,
)
X = MFCCFrames(sr=corpus.sr, n_mfcc=20).fit_transform(corpus.data)
y, speakers = corpus.target, corpus.groups
print("X:", X.shape, "(clips, frames, MFCCs)")

# %%
# The search
# ----------
# The grid mixes an optimiser parameter (``lr``) and an architecture
# parameter (``module__lstm_hidden_size``). The other ``module__*`` settings
# shrink the paper's network (256 convolution channels, two 256-unit LSTMs)
# to a size that trains in a fraction of a second.
#
# :class:`~sklearn.model_selection.StratifiedGroupKFold` with ``groups``
# holds out two speakers per fold: a candidate is chosen for how well it
# recognises emotions in voices it has not heard, not for how well it
# remembers the training speakers. ``balanced_accuracy`` is the unweighted
# average recall (UAR).
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

from sklearn_ser import Conv1DLSTMClassifier

classifier = Conv1DLSTMClassifier(
    module__conv_channels=16,
    module__lstm_hidden_size=16,
    module__num_lstm_layers=1,
    module__dense_size=16,
    max_epochs=15,
    batch_size=8,
    device="cpu",
    random_state=0,
)
search = GridSearchCV(
    classifier,
    param_grid={"lr": [0.01, 0.001], "module__lstm_hidden_size": [8, 32]},
    cv=StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0),
    scoring="balanced_accuracy",
)
search.fit(X, y, groups=speakers)

results = search.cv_results_
print(" lr      hidden  mean UAR  std    fit s")
for params, mean, std, fit_time in zip(
    results["params"],
    results["mean_test_score"],
    results["std_test_score"],
    results["mean_fit_time"],
    strict=True,
):
    print(
        f" {params['lr']:<7} {params['module__lstm_hidden_size']:<7} "
        f"{mean:.3f}     {std:.3f}  {fit_time:.2f}"
    )
print("best:", search.best_params_, f"UAR {search.best_score_:.3f}")

# %%
# Scores per candidate
# --------------------
# Mean and standard deviation of the UAR over the three speaker-grouped
# folds. Chance is 0.25.
labels = [
    f"lr={params['lr']}\nhidden={params['module__lstm_hidden_size']}"
    for params in results["params"]
]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(labels, results["mean_test_score"], yerr=results["std_test_score"], capsize=4)
ax.axhline(0.25, color="grey", linestyle="--", linewidth=1, label="chance")
ax.set_ylabel("UAR (speaker-grouped CV)")
ax.set_ylim(0, 1)
ax.legend()
fig.tight_layout()

# %%
# The refitted model's training curve
# -----------------------------------
# ``refit=True`` (the default) refits the best candidate on all clips.
# skorch keeps the per-epoch record in ``history_``.
best = search.best_estimator_
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(best.history_[:, "train_loss"], marker=".")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title(f"best candidate: {search.best_params_}", fontsize=9)
fig.tight_layout()

# %%
# Going further
# -------------
# - To tune the feature extraction too, search over a pipeline
#   (``mfccframes__n_mfcc``, ``conv1dlstmclassifier__lr``, ...) instead of
#   precomputing the features.
# - ``early_stopping=True`` lets each fit stop on a validation split of its
#   own; pass the training speakers (``fit(X, y, groups=...)``) so that this
#   split holds out whole speakers as well.
plt.show()
