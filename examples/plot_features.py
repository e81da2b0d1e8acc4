"""
What the feature transformers compute
=====================================

Each feature transformer turns waveforms ``(n_clips, n_samples)`` into the
input of one family of models. This example takes two clips of one synthetic
speaker, one sad and one angry, and plots the waveform and what
:class:`~sklearn_ser.MelSpectrogramChunker`, :class:`~sklearn_ser.MFCCFrames`
and :class:`~sklearn_ser.AcousticStats170` make of it.
"""

# %%
# Two clips
# ---------
# :func:`~sklearn_ser.make_emotional_speech` returns the waveforms directly
# (``corpus.data``, float32 at 16 kHz), the same array
# :class:`~sklearn_ser.AudioLoader` would return for the written files.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser import make_emotional_speech

corpus = make_emotional_speech(
    n_speakers=2,
    n_clips_per_emotion=1,
    emotions=["sad", "angry"],
    duration=3.0,
    random_state=0,
)
first_speaker = corpus.groups == "Actor_01"
X, labels = corpus.data[first_speaker], corpus.target[first_speaker]
sr = corpus.sr
print(X.shape, X.dtype, labels)

time = np.arange(X.shape[1]) / sr
fig, axes = plt.subplots(2, 1, figsize=(8, 4), sharex=True, sharey=True)
for ax, wave, label in zip(axes, X, labels, strict=True):
    ax.plot(time, wave, linewidth=0.5)
    ax.set_title(f"{label}: waveform", fontsize=10)
    ax.set_ylabel("amplitude")
axes[-1].set_xlabel("time (s)")
fig.tight_layout()

# %%
# Log-mel chunks for the CNN-LSTM
# -------------------------------
# :class:`~sklearn_ser.MelSpectrogramChunker` computes a 128-band log-mel
# spectrogram (dB) and cuts it into seven chunks that overlap by half, the
# input of :class:`~sklearn_ser.CNNLSTMClassifier`. Axes: clip, chunk, mel
# band, frame. With ``n_chunks=1`` the single chunk is the whole spectrogram,
# the input of :class:`~sklearn_ser.SpectrogramCNNClassifier`.
from sklearn_ser import MelSpectrogramChunker

chunker = MelSpectrogramChunker(sr=sr, n_chunks=7).fit(X)
chunks = chunker.transform(X)
whole = MelSpectrogramChunker(sr=sr, n_chunks=1).fit_transform(X)
print("chunks:", chunks.shape, " whole spectrogram:", whole.shape)
print(
    f"{chunker.n_frames_} frames of {chunker.hop_length_} samples; "
    f"chunks of {chunker.chunk_frames_} frames every {chunker.chunk_hop_}"
)

angry = list(labels).index("angry")
vmin, vmax = whole[angry].min(), whole[angry].max()
fig = plt.figure(figsize=(9, 5.5), layout="constrained")
grid = fig.add_gridspec(2, chunker.n_chunks_)
top = fig.add_subplot(grid[0, :])
top.imshow(whole[angry, 0], origin="lower", aspect="auto", vmin=vmin, vmax=vmax)
top.set_title("angry: log-mel spectrogram (n_chunks=1)", fontsize=10)
top.set_xlabel("frame")
top.set_ylabel("mel band")
for i in range(chunker.n_chunks_):
    ax = fig.add_subplot(grid[1, i])
    image = ax.imshow(
        chunks[angry, i], origin="lower", aspect="auto", vmin=vmin, vmax=vmax
    )
    ax.set_title(f"chunk {i}", fontsize=9)
    ax.set_xticks([])
    if i:
        ax.set_yticks([])
fig.colorbar(image, ax=fig.axes, label="dB", shrink=0.8)

# %%
# MFCC frames for the Conv1D-LSTM and the CNN-Transformer
# -------------------------------------------------------
# :class:`~sklearn_ser.MFCCFrames` returns 40 MFCCs per frame, time-major:
# ``(n_clips, n_frames, n_mfcc)``. With ``deltas=1`` the first time
# derivative follows along the last axis. The coefficients have very
# different ranges (the first one is the log energy), so the images show
# them standardised per coefficient, as the deep classifiers do internally.
from sklearn_ser import MFCCFrames

mfcc = MFCCFrames(sr=sr, deltas=1).fit(X)
frames = mfcc.transform(X)
print("MFCC frames:", frames.shape, "(clips, frames, 40 MFCCs + 40 deltas)")
standardised = (frames - frames.mean(axis=(0, 1))) / frames.std(axis=(0, 1))

fig, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
for ax, clip in zip(axes, (list(labels).index("sad"), angry), strict=True):
    image = ax.imshow(
        standardised[clip].T,
        origin="lower",
        aspect="auto",
        cmap="coolwarm",
        vmin=-3,
        vmax=3,
    )
    ax.axhline(39.5, color="black", linewidth=0.8)
    ax.set_title(f"{labels[clip]}: MFCCs (0-39) and their deltas (40-79)", fontsize=10)
    ax.set_ylabel("coefficient")
    fig.colorbar(image, ax=ax, label="standardised")
axes[-1].set_xlabel("frame")
fig.tight_layout()

# %%
# Utterance statistics for classical models and the stacked LSTM
# ---------------------------------------------------------------
# :class:`~sklearn_ser.AcousticStats170` pools over the frames of each clip:
# 128 mel-band means (in power), 40 MFCC means, the zero-crossing rate and the
# RMS, 170 values per clip. Frames of zero padding are left out.
# ``get_feature_names_out`` names the columns.
from sklearn_ser import AcousticStats170

stats = AcousticStats170(sr=sr).fit(X)
vectors = stats.transform(X)
names = stats.get_feature_names_out()
print(vectors.shape, names[[0, 127, 128, 167, 168, 169]])

mel = slice(0, 128)
mfcc_part = slice(128, 168)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), width_ratios=[3, 2, 1])
for clip, label in enumerate(labels):
    axes[0].semilogy(vectors[clip, mel], label=label)
    axes[1].plot(vectors[clip, mfcc_part], marker=".", label=label)
axes[0].set_title("mel band means (power)", fontsize=10)
axes[0].set_xlabel("mel band")
axes[1].set_title("MFCC means", fontsize=10)
axes[1].set_xlabel("coefficient")
width = 0.35
for clip in range(len(labels)):
    axes[2].bar(np.arange(2) + (clip - 0.5) * width, vectors[clip, 168:], width)
axes[2].set_xticks([0, 1], ["ZCR", "RMS"])
axes[2].set_title("ZCR, RMS", fontsize=10)
axes[0].legend()
fig.tight_layout()

# %%
# The angry clip is louder and has more energy in high bands, which shows in
# the mel means, the RMS and the first MFCCs. In a pipeline the vector goes
# through a :class:`~sklearn.preprocessing.StandardScaler` before an SVM or a
# random forest; :class:`~sklearn_ser.StackedLSTMClassifier` standardises it
# itself.
plt.show()
