"""
Loading RAVDESS and TESS from a local folder
============================================

sklearn_ser does not download corpora: RAVDESS and TESS have licences that
ask users to obtain them from their publishers. Once unpacked anywhere,
:func:`~sklearn_ser.load_ravdess` and :func:`~sklearn_ser.load_tess` find the
clips below a folder, whatever its layout, and parse labels and speakers from
the file names.

This example looks for the corpora in two places: the folders named by the
environment variables ``SKLEARN_SER_RAVDESS`` and ``SKLEARN_SER_TESS``, and
``shared/data/ravdess-speech`` and ``shared/data/tess`` in the current folder
or any folder above it (the layout of the project's development machines).
When neither is there, it says what it would do and shows the same steps on
the synthetic corpus.
"""

# %%
# Where are the corpora?
# ----------------------
import os
from pathlib import Path


def find_corpus(variable, folder_name):
    """The corpus folder from ``variable``, or below a ``shared/data`` above us."""
    if os.environ.get(variable):
        path = Path(os.environ[variable]).expanduser()
        return path if path.is_dir() else None
    for parent in (Path.cwd(), *Path.cwd().parents):
        candidate = parent / "shared" / "data" / folder_name
        if candidate.is_dir():
            return candidate
    return None


ravdess_root = find_corpus("SKLEARN_SER_RAVDESS", "ravdess-speech")
tess_root = find_corpus("SKLEARN_SER_TESS", "tess")
print("RAVDESS:", ravdess_root or "not found")
print("TESS:   ", tess_root or "not found")

# %%
# Load what is there
# ------------------
# Loaders read file names only, never audio, so this is fast even for the
# full corpora. Each returns ``paths``, ``target`` (canonical emotion labels)
# and ``groups`` (speaker ids), plus corpus metadata and ``DESCR``, which
# includes the citation and licence. Without either corpus, the synthetic one
# is written to a temporary folder with RAVDESS's file names and loaded with
# the RAVDESS loader, exactly as the real corpus would be.
import tempfile

from sklearn_ser import load_ravdess, load_tess, make_emotional_speech

corpora = {}
if ravdess_root is not None:
    corpora["RAVDESS"] = load_ravdess(ravdess_root)
if tess_root is not None:
    corpora["TESS"] = load_tess(tess_root)
if not corpora:
    print(
        "No corpus found. With RAVDESS unpacked in path/to/RAVDESS, this example "
        "would run load_ravdess('path/to/RAVDESS'); set SKLEARN_SER_RAVDESS (and "
        "SKLEARN_SER_TESS) to try it. Showing the synthetic corpus instead."
    )
    folder = tempfile.mkdtemp()
    make_emotional_speech(
        n_speakers=4, n_clips_per_emotion=2, random_state=0, output_dir=folder
    )
    corpora["synthetic (RAVDESS layout)"] = load_ravdess(folder)

for name, data in corpora.items():
    print(
        f"{name}: {len(data.paths)} clips, {len(set(data.groups))} speakers, "
        f"emotions {data.target_names.tolist()}"
    )
    print(
        "   first file:",
        Path(data.paths[0]).name,
        "->",
        data.target[0],
        "spoken by",
        data.groups[0],
    )

# %%
# Clips per emotion
# -----------------
# RAVDESS has half as many neutral clips as other emotions (neutral has no
# strong intensity) and TESS has no calm: per-class counts are worth a look
# before choosing a metric (UAR weighs every class equally) or a balancing
# strategy.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_ser import EMOTIONS

fig, axes = plt.subplots(
    1, len(corpora), figsize=(5 * len(corpora), 3.5), squeeze=False
)
for ax, (name, data) in zip(axes[0], corpora.items(), strict=True):
    counts = [int(np.sum(data.target == emotion)) for emotion in EMOTIONS]
    ax.bar(EMOTIONS, counts)
    ax.set_title(f"{name}: {len(data.paths)} clips", fontsize=10)
    ax.set_ylabel("clips")
    ax.tick_params(axis="x", labelrotation=45)
fig.tight_layout()

# %%
# Reading a few clips
# -------------------
# :class:`~sklearn_ser.AudioLoader` reads any of these files (RAVDESS's FLAC
# or WAV at 48 kHz, some stereo; TESS's WAV at 24.414 kHz), downmixes to mono
# and resamples to 16 kHz, so every corpus gives the same kind of array.
from sklearn_ser import AudioLoader

loader = AudioLoader(sr=16000, offset=0.5, duration=2.5)
for name, data in corpora.items():
    waveforms = loader.fit_transform(data.paths[:4])
    print(f"{name}: {waveforms.shape} {waveforms.dtype}")

# %%
# From here, a pipeline from paths and a speaker-independent evaluation are
# the same for every corpus; see
# :ref:`sphx_glr_auto_examples_plot_pipeline_from_paths.py`. On the command
# line: ``sklearn-ser benchmark --dataset ravdess --root path/to/RAVDESS``.
plt.show()
