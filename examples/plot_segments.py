"""
Emotion over time in a long recording
=====================================

A fitted model answers one label per clip; a recording of a call, an
interview or a session holds many utterances, each with its own emotion.
:func:`~sklearn_ser.segments.predict_segments` slides a window over the
recording, keeps the windows a voice-activity detector finds speech in, and
classifies them with the fitted pipeline: one row per window, with its start
and end in seconds, the label and every class's probability.

This example trains an SVM on part of the built-in synthetic corpus, builds a
recording from clips of speakers the model has not heard, with pauses and a
little noise between them (so the emotion of every second is known), and
compares the timeline with the truth.
"""

# %%
# Train a model on four speakers
# ------------------------------
# :func:`~sklearn_ser.make_emotional_speech` writes RAVDESS-like clips of
# 3 s, each an utterance with silence before and after. The ``svm`` recipe
# reads 3 s from the start of each clip here (``offset=0.0``).
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from sklearn_ser import make_emotional_speech
from sklearn_ser.recipes import make_recipe

emotions = ["neutral", "happy", "sad", "angry"]
folder = Path(tempfile.mkdtemp())
data = make_emotional_speech(
    n_speakers=6,
    n_clips_per_emotion=4,
    emotions=emotions,
    random_state=0,
    output_dir=folder / "corpus",
)
train = np.isin(data.groups, ["Actor_01", "Actor_02", "Actor_03", "Actor_04"])
model = make_recipe("svm", offset=0.0, random_state=0)
model.fit(data.paths[train], data.target[train])

# %%
# Build a recording whose truth is known
# --------------------------------------
# Twelve clips of the two held-out speakers, in random order, with pauses of
# 0.5-2 s between them and faint noise throughout.
rng = np.random.default_rng(0)
held_out = rng.permutation(np.flatnonzero(~train))[:12]
parts, truth, position = [], [], 0.0
for index in held_out:
    clip = data.data[index]
    pause = np.zeros(round(rng.uniform(0.5, 2.0) * data.sr), dtype=np.float32)
    parts += [clip, pause]
    truth.append((position, position + len(clip) / data.sr, data.target[index]))
    position += (len(clip) + len(pause)) / data.sr
recording = np.concatenate(parts)
recording += 1e-4 * rng.standard_normal(len(recording)).astype(np.float32)
path = folder / "session.wav"
sf.write(path, recording, data.sr)
print(f"{len(recording) / data.sr:.1f} s, {len(held_out)} utterances")

# %%
# Predict every window
# --------------------
# The window defaults to the model's training clip (3 s) and the hop to half
# of it. The default detector, :class:`~sklearn_ser.segments.EnergyVAD`,
# needs no extra dependency; ``vad="silero"`` uses Silero VAD (``pip install
# sklearn-ser[vad]``). Windows with too little speech get no label. The file
# is read in blocks, so a recording of hours takes little memory; with
# ``stream_segments`` the rows arrive one by one as they are computed.
from sklearn_ser.segments import predict_segments

timeline = predict_segments(model, path)
print(timeline)
frame = timeline.to_frame()
frame.head(8).round(2)

# %%
# Compare with the truth
# ----------------------
# Each classified window is scored against the clip it overlaps most. With
# twelve utterances both numbers are noisy. On real recordings
# (``benchmarks/bench_segments.py``: RAVDESS actors the model never heard) the
# segment-level balanced accuracy is below the per-clip one: windows that
# straddle two utterances, or sit across an utterance's start, hold audio the
# model never saw whole during training.
from sklearn.metrics import balanced_accuracy_score

starts = np.array([t[0] for t in truth])
ends = np.array([t[1] for t in truth])
expected = []
for start, end in zip(timeline.start, timeline.end, strict=True):
    overlap = np.minimum(ends, end) - np.maximum(starts, start)
    expected.append(truth[int(overlap.argmax())][2])
expected = np.array(expected)
scored = timeline.classified
segment_uar = balanced_accuracy_score(
    expected[scored], timeline.labels[scored].astype(str)
)
clip_uar = balanced_accuracy_score(
    data.target[held_out], model.predict(data.paths[held_out])
)
print(f"segment-level UAR {segment_uar:.2f}; per-clip UAR {clip_uar:.2f}")

# %%
# Smooth and plot the timeline
# ----------------------------
# Emotions change more slowly than the hop, so a label that differs from both
# neighbours is often a mistake: :meth:`~sklearn_ser.segments.Timeline.smooth`
# takes the majority (or the median probability) over ``k`` windows, within
# each stretch of speech. The plot shows every class's probability over time,
# the detector's speech shaded and the known emotion as a band at the bottom.
smoothed = timeline.smooth(3, "majority")
changed = int((smoothed.labels[scored] != timeline.labels[scored]).sum())
print(f"smoothing changed {changed} of {int(scored.sum())} labels")
ax = timeline.plot(truth=truth)
