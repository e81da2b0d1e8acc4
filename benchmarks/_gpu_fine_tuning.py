"""gpu_check's fine-tuning step: a pretrained encoder fine-tuned on one fold.

The settings below are those we would use on one H100/H200 for the 12-actor
RAVDESS subset with Whisper tiny.en (``../shared/models/whisper-tiny``): the
top 2 of its 4 encoder layers trained at 5e-5 with the head at 1e-3, AdamW
with weight decay 0.01, a warm-up over the first 10 % of the steps then a
cosine, label smoothing 0.1, gradient norm clipped at 1, batches of 32
clips, bf16 autocast (``precision="auto"`` on CUDA), 15 epochs or as many as
fit the time given. The frozen head (``SpeechEncoderEmbeddings`` every layer +
``LayerWeightedHeadClassifier``) runs on the same fold for comparison.

A dry run trains a tiny random Whisper for one epoch on the CPU.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: What we would run on a GPU (see the module docstring).
GPU_SETTINGS = dict(
    trainable_layers=2,
    encoder_lr=5e-5,
    lr=1e-3,
    batch_size=32,
    max_epochs=15,
    weight_decay=0.01,
    lr_schedule="cosine",
    warmup=0.1,
    label_smoothing=0.1,
    max_grad_norm=1.0,
    precision="auto",
)
#: Loading as the encoder recipes load.
LOADING = dict(sr=16000, offset=0.5, duration=3.0)
#: Epochs timed before the training run; the first is reported apart.
TIMED_EPOCHS = 2


def run(encoder: Path, data, train, test, seconds, device, dry_run, torch) -> dict:
    """Time, then train, the fine-tuning classifier and the frozen head."""
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    from sklearn_ser import AudioLoader
    from sklearn_ser.classifiers import (
        EncoderFineTuningClassifier,
        LayerWeightedHeadClassifier,
    )
    from sklearn_ser.features import SpeechEncoderEmbeddings

    start = time.perf_counter()
    settings = dict(GPU_SETTINGS)
    loading = dict(LOADING)
    if dry_run:
        encoder = _tiny_whisper()
        settings.update(max_epochs=1, batch_size=4)
        loading.update(offset=0.0, duration=1.0)
    if not (encoder / "config.json").is_file():
        return {"skipped": f"no encoder at {encoder}"}
    paths = np.asarray(data.paths)
    loader = AudioLoader(**loading)
    X_train = loader.fit_transform(paths[train])
    X_test = loader.transform(paths[test])
    y_train, y_test = data.target[train], data.target[test]
    row = {
        "encoder": str(encoder),
        "settings": settings,
        "loading": loading,
    }

    def uar(clf, X, y):
        return round(float(balanced_accuracy_score(y, clf.predict(X))), 3)

    net = EncoderFineTuningClassifier(
        model=str(encoder), device=device, random_state=0, verbose=0, **settings
    )
    if torch.cuda.is_available() and device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    timed = clone(net).set_params(max_epochs=TIMED_EPOCHS).fit(X_train, y_train)
    durations = timed.history[:, "dur"]
    epoch = float(np.median(durations[1:]))
    row.update(
        first_epoch_s=round(durations[0], 2),
        epoch_s=round(epoch, 2),
        train_clips_per_s=round(len(X_train) / epoch, 1),
        peak_gpu_mib=(
            round(torch.cuda.max_memory_allocated() / 2**20)
            if device == "cuda"
            else None
        ),
    )
    left = seconds - (time.perf_counter() - start)
    epochs = max(1, min(settings["max_epochs"], int(0.8 * left / epoch)))
    t0 = time.perf_counter()
    net.set_params(max_epochs=epochs).fit(X_train, y_train)
    row.update(
        epochs=epochs,
        budget="settings" if epochs == settings["max_epochs"] else "time-limited",
        fit_s=round(time.perf_counter() - t0, 1),
        train_uar=uar(net, X_train, y_train),
        test_uar=uar(net, X_test, y_test),
        layer_weights=np.round(net.layer_weights_.astype(float), 3).tolist(),
    )
    embed = SpeechEncoderEmbeddings(
        model=str(encoder), layers="all", device=device, verbose=0
    )
    t0 = time.perf_counter()
    E_train, E_test = embed.fit_transform(X_train), embed.transform(X_test)
    embed_s = time.perf_counter() - t0
    head_epochs = {"max_epochs": 1} if dry_run else {}
    head = LayerWeightedHeadClassifier(
        device=device, random_state=0, verbose=0, **head_epochs
    ).fit(E_train, y_train)
    row["frozen_head"] = {
        "embedding_clips_per_s": round((len(E_train) + len(E_test)) / embed_s, 1),
        "train_uar": uar(head, E_train, y_train),
        "test_uar": uar(head, E_test, y_test),
    }
    row["wall_s"] = round(time.perf_counter() - start, 1)
    return row


def markdown(row: dict) -> list[str]:
    """The step's lines in gpu_report.md."""
    if "skipped" in row:
        return ["", f"Fine-tuning: skipped ({row['skipped']})."]
    s = row["settings"]
    frozen = row["frozen_head"]
    memory = row["peak_gpu_mib"]
    return [
        "",
        f"Fine-tuning {row['encoder']}: top {s['trainable_layers']} layers at "
        f"{s['encoder_lr']:g}, head at {s['lr']:g}, batch {s['batch_size']}, "
        f"precision {s['precision']}; {row['epochs']} epochs ({row['budget']}).",
        "",
        "| model | s/epoch (first) | training clips/s | peak GPU MiB | fit s "
        "| train UAR | test UAR |",
        "|---|---|---|---|---|---|---|",
        f"| fine-tuned | {row['epoch_s']} ({row['first_epoch_s']}) | "
        f"{row['train_clips_per_s']} | {'–' if memory is None else memory} | "
        f"{row['fit_s']} | {row['train_uar']:.3f} | {row['test_uar']:.3f} |",
        f"| frozen head ({frozen['embedding_clips_per_s']} clips/s embedded) | – | "
        f"– | – | – | {frozen['train_uar']:.3f} | {frozen['test_uar']:.3f} |",
    ]


def _tiny_whisper() -> Path:
    """A tiny random Whisper checkpoint (the tests' own), for the dry run."""
    tests = Path(__file__).resolve().parents[1] / "tests"
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    from _tiny_encoders import save_tiny_encoder

    return save_tiny_encoder(
        "whisper", Path(tempfile.mkdtemp(prefix="gpu_check_whisper_"))
    )
