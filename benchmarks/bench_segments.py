"""Segment predictions over long recordings: correctness against known truth, and scale.

Models: each recipe (``--recipes``, default ``svm,cnn_transformer``, ``cpu``
budget, seed 0) is trained on RAVDESS actors 01-08 and saved in
``--work`` (reused when there). The recordings are made from actors 09-12,
whom no model has heard.

``accuracy``: the 240 clips of actors 09-12 in a shuffled order, with pauses
of 0.5-2 s between them and Gaussian noise at ``--noise-db`` dBFS over the
whole recording, written at the corpus's 48 kHz, so every instant is known
to be a clip of a known emotion or a pause. Prints

(a) each detector's frame accuracy (10 ms frames) against clip = speech,
    pause = no speech, with its recall on each; and the same against the
    utterances (each clip without the near-digital silence, below -60
    dBFS, that RAVDESS clips begin and end with);
(b) segment-level UAR: each classified window against the emotion of the
    clip it overlaps most, for each model and detector;
(c) the UAR of the same model on each clip alone (``predict`` on the clip
    files), on the same clips with the same noise added, and on the clips
    read from their start instead of the recipe's offset.

``scale``: a ``--minutes`` long recording (default 60) made by repeating
those clips and pauses, 16-bit WAV at 48 kHz; each run in a fresh process
reports its wall time, x real time (recording seconds per second) and peak
resident memory (``ru_maxrss``). The references, measured in the same run:
decoding and resampling the file block by block with nothing else (the
floor of any streamed reader, in x real time), and reading the whole file
into memory at once (the memory a non-streamed reader needs), and each
model's process after its imports and loading, before any audio (what the
streaming adds to). The first recipe also runs on a recording a sixth as
long: bounded memory does not grow with the length.

    python benchmarks/bench_segments.py accuracy --work /tmp/segments
    python benchmarks/bench_segments.py scale --work /tmp/segments [--minutes 60]

Needs ../shared/data/ravdess-speech. Timings are on whatever cores the
machine lends; say which, and whether they were shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RAVDESS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess-speech"
TRAIN = [f"Actor_{i:02d}" for i in range(1, 9)]
TEST = [f"Actor_{i:02d}" for i in range(9, 13)]
FRAME_S = 0.01


def trained(name: str, work: Path) -> Path:
    """The model file of ``name`` trained on actors 01-08 (made when missing)."""
    path = work / f"{name}.sser"
    if path.is_file():
        return path
    import torch

    from sklearn_ser.datasets import load_ravdess
    from sklearn_ser.persistence import save_model
    from sklearn_ser.recipes import make_recipe

    torch.set_num_threads(1)
    data = load_ravdess(RAVDESS)
    train = np.isin(data.groups, TRAIN)
    model = make_recipe(name, budget="cpu", random_state=0, device="cpu")
    start = time.perf_counter()
    model.fit(data.paths[train], data.target[train])
    print(
        f"trained {name} on {train.sum()} clips in {time.perf_counter() - start:.0f} s"
    )
    save_model(model, path, recipe=name)
    return path


def test_clips():
    from sklearn_ser.datasets import load_ravdess

    data = load_ravdess(RAVDESS)
    test = np.isin(data.groups, TEST)
    return data.paths[test], data.target[test]


def build_recording(path: Path, paths, labels, *, seconds, noise_db, seed=0):
    """Write clips with 0.5-2 s pauses and noise; return the truth intervals.

    ``seconds=None``: every clip once; otherwise whole shuffled passes over
    the clips until ``seconds``. Written clip by clip, so building an hour
    needs little memory.
    """
    import soundfile as sf

    rng = np.random.default_rng(seed)
    sr = sf.info(paths[0]).samplerate
    noise = 10 ** (noise_db / 20)
    truth, position = [], 0
    limit = None if seconds is None else seconds * sr
    with sf.SoundFile(path, "w", samplerate=sr, channels=1, subtype="PCM_16") as out:
        while limit is None or position < limit:
            for i in rng.permutation(len(paths)):
                clip = sf.read(paths[i], dtype="float32", always_2d=True)[0].mean(1)
                pause = np.zeros(round(rng.uniform(0.5, 2.0) * sr), dtype=np.float32)
                for part in (clip, pause):
                    out.write(part + noise * rng.standard_normal(len(part)))
                lo, hi = _sound(clip, sr)
                truth.append(
                    (
                        position / sr,
                        (position + len(clip)) / sr,
                        labels[i],
                        (position + lo) / sr,
                        (position + hi) / sr,
                    )
                )
                position += len(clip) + len(pause)
                if limit is not None and position >= limit:
                    break
            if limit is None:  # every clip once
                break
    return truth, position / sr


def _sound(clip: np.ndarray, sr: int) -> tuple[int, int]:
    """First and last sample of the clip's 10 ms frames above -60 dBFS.

    RAVDESS clips begin and end with near-digital silence (-80 to -110
    dBFS) around the utterance; this is where the utterance lies, pauses
    between its words included.
    """
    n = round(FRAME_S * sr)
    frames = clip[: len(clip) // n * n].reshape(-1, n)
    loud = np.flatnonzero(np.mean(frames.astype(np.float64) ** 2, axis=1) > 1e-6)
    if not loud.size:
        return 0, 0
    return int(loud[0] * n), int((loud[-1] + 1) * n)


def frame_mask(intervals, duration: float) -> np.ndarray:
    mask = np.zeros(round(duration / FRAME_S), dtype=bool)
    for start, end, *_ in intervals:  # (start, end, ...) in seconds
        mask[round(start / FRAME_S) : round(end / FRAME_S)] = True
    return mask


def window_truth(timeline, truth):
    """The emotion of the clip each window overlaps most, and that overlap's share.

    None where a window overlaps no clip (only pauses).
    """
    starts = np.array([t[0] for t in truth])
    ends = np.array([t[1] for t in truth])
    out = np.empty(len(timeline), dtype=object)
    share = np.zeros(len(timeline))
    for row, (a, b) in enumerate(zip(timeline.start, timeline.end, strict=True)):
        overlap = np.minimum(ends, b) - np.maximum(starts, a)
        best = int(overlap.argmax())
        out[row] = truth[best][2] if overlap[best] > 0 else None
        share[row] = max(0.0, overlap[best]) / (b - a)
    return out, share


def accuracy(args) -> None:
    from sklearn.metrics import balanced_accuracy_score

    from sklearn_ser.audio import load_audio
    from sklearn_ser.persistence import load_model
    from sklearn_ser.segments import predict_segments

    args.work.mkdir(parents=True, exist_ok=True)
    paths, labels = test_clips()
    recording = args.work / "actors_09-12.wav"
    truth, duration = build_recording(
        recording, paths, labels, seconds=None, noise_db=args.noise_db
    )
    print(
        f"recording: {len(truth)} clips of actors 09-12, {duration / 60:.1f} min, "
        f"pauses 0.5-2 s, noise {args.noise_db} dBFS"
    )
    clip_truth = frame_mask(truth, duration)
    utterance_truth = frame_mask([t[3:] for t in truth], duration)
    rows = []
    for name in args.recipes:
        model = load_model(trained(name, args.work))
        loader = model.steps[0][1]
        clean = model.predict(paths)
        waves = load_audio(
            paths, sr=loader.sr, offset=loader.offset, duration=loader.duration
        )
        rng = np.random.default_rng(1)
        noisy = waves + (10 ** (args.noise_db / 20)) * rng.standard_normal(
            waves.shape
        ).astype(np.float32)
        noisy_pred = model[1:].predict(noisy)
        per_clip = balanced_accuracy_score(labels, clean)
        # The same clips cut from their start instead of the recipe's offset:
        # how much the model depends on where the utterance sits in its window.
        start_0 = load_audio(paths, sr=loader.sr, offset=0.0, duration=loader.duration)
        per_clip_0 = balanced_accuracy_score(labels, model[1:].predict(start_0))
        per_noisy = balanced_accuracy_score(labels, noisy_pred)
        for vad in ("energy", "silero", None):
            start = time.perf_counter()
            timeline = predict_segments(model, recording, vad=vad)
            seconds = time.perf_counter() - start
            expected, share = window_truth(timeline, truth)
            scored = timeline.classified & (expected != None)  # noqa: E711
            uar = balanced_accuracy_score(
                expected[scored].astype(str), timeline.labels[scored].astype(str)
            )
            # Windows that are at least 2/3 one clip: few straddle two emotions.
            one = scored & (share >= 2 / 3)
            uar_one = balanced_accuracy_score(
                expected[one].astype(str), timeline.labels[one].astype(str)
            )
            smoothed = timeline.smooth(3, "majority")
            uar_smooth = balanced_accuracy_score(
                expected[scored].astype(str), smoothed.labels[scored].astype(str)
            )
            row = {
                "recipe": name,
                "vad": vad or "none",
                "windows": len(timeline),
                "classified": int(timeline.classified.sum()),
                "on pauses only": int((timeline.classified & (expected == None)).sum()),  # noqa: E711
                "segment UAR": uar,
                "segment UAR, windows >= 2/3 one clip": uar_one,
                "windows >= 2/3 one clip": int(one.sum()),
                "segment UAR, majority k=3": uar_smooth,
                "per-clip UAR": per_clip,
                "per-clip UAR, noisy": per_noisy,
                "per-clip UAR, from 0 s": per_clip_0,
                "x real time": duration / seconds,
            }
            if vad is not None:
                found = frame_mask(timeline.speech_regions, duration)
                for what, speech in (
                    ("clips", clip_truth),
                    ("utterances", utterance_truth),
                ):
                    n = min(len(found), len(speech))
                    hit, expect = found[:n], speech[:n]
                    row[f"VAD accuracy vs {what}"] = float((hit == expect).mean())
                    row[f"VAD recall, {what}"] = float(hit[expect].mean())
                    row[f"VAD recall, not {what}"] = float((~hit[~expect]).mean())
            rows.append(row)
            print(
                json.dumps(
                    {
                        k: round(v, 3) if isinstance(v, float) else v
                        for k, v in row.items()
                    }
                ),
                flush=True,
            )
    (args.work / "accuracy.json").write_text(json.dumps(rows, indent=1))


def measure(args) -> None:
    """One measurement in this fresh process: prints a JSON line."""
    import soundfile as sf

    start = time.perf_counter()
    duration = sf.info(args.recording).duration
    if args.what == "decode":
        import soxr

        stream = soxr.ResampleStream(48000, 16000, 1, dtype="float32", quality="HQ")
        for block in sf.blocks(args.recording, blocksize=48000, dtype="float32"):
            stream.resample_chunk(block)
    elif args.what == "whole":
        import soxr

        y, sr = sf.read(args.recording, dtype="float32")
        soxr.resample(y, sr, 16000)
    else:
        import torch

        from sklearn_ser.persistence import load_model
        from sklearn_ser.segments import stream_segments

        torch.set_num_threads(args.threads)
        model = load_model(args.model)
        start = time.perf_counter()  # loading the model is not streaming
        if args.what == "model":  # imports and model: what streaming adds to
            n = 0
        else:
            vad = None if args.what == "none" else args.what
            n = sum(1 for _ in stream_segments(model, args.recording, vad=vad))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "x_real_time": duration / seconds,
                "peak_rss_mib": peak,
                **({"segments": n} if args.what not in ("decode", "whole") else {}),
            }
        )
    )


def scale(args) -> None:
    import soundfile as sf

    args.work.mkdir(parents=True, exist_ok=True)
    recording = args.work / f"long_{args.minutes:g}min.wav"
    if not recording.is_file():
        paths, labels = test_clips()
        build_recording(
            recording, paths, labels, seconds=args.minutes * 60, noise_db=args.noise_db
        )
    info = sf.info(recording)
    print(
        f"recording: {info.duration / 60:.1f} min, {info.samplerate} Hz, "
        f"{recording.stat().st_size / 2**20:.0f} MiB on disk"
    )
    # The first recipe also on a sixth of the recording: a bounded memory
    # does not grow with the recording's length.
    short = args.work / f"long_{args.minutes / 6:g}min.wav"
    if not short.is_file():
        paths, labels = test_clips()
        build_recording(
            short, paths, labels, seconds=args.minutes * 10, noise_db=args.noise_db
        )
    runs = [("decode", None, recording), ("whole", None, recording)]
    runs += [("model", name, recording) for name in args.recipes]
    runs += [(args.vads[0], args.recipes[0], short)]
    runs += [(vad, name, recording) for name in args.recipes for vad in args.vads]
    results = []
    for what, name, file in runs:
        command = [
            sys.executable,
            __file__,
            "_measure",
            str(file),
            what,
            "--threads",
            str(args.threads),
        ]
        if name is not None:
            command += ["--model", str(trained(name, args.work))]
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        minutes = sf.info(file).duration / 60
        label = (
            what
            if name is None
            else f"{name}, "
            + ("imports and model only" if what == "model" else f"vad={what}")
        )
        label += f", {minutes:.0f} min"
        speed = "" if what == "model" else f"{result['x_real_time']:8.1f} x real time"
        print(
            f"{label:<44} {speed:>20}  peak RSS {result['peak_rss_mib']:5.0f} MiB  "
            f"({result['seconds']:.0f} s)",
            flush=True,
        )
        results.append((what, name, minutes, result))
    floor = results[0][3]["x_real_time"]
    whole = results[1][3]["peak_rss_mib"]
    base = {name: r["peak_rss_mib"] for what, name, _, r in results if what == "model"}
    print("\nratios against the references measured in this run:")
    for what, name, minutes, result in results[2:]:
        if what == "model":
            continue
        rss, speed = result["peak_rss_mib"], result["x_real_time"]
        print(
            f"{name}, vad={what}, {minutes:.0f} min: {speed / floor:.3f}"
            f" of the decode-only speed ({floor:.0f} x real time); peak RSS "
            f"{rss / whole:.2f} x that of reading the whole file ({whole:.0f} MiB), "
            f"{rss - base[name]:+.0f} MiB over imports and model"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("accuracy", "scale"):
        sub = commands.add_parser(name)
        sub.add_argument("--work", type=Path, required=True)
        sub.add_argument("--recipes", default="svm,cnn_transformer")
        sub.add_argument("--noise-db", type=float, default=-70.0)
        sub.add_argument("--threads", type=int, default=1, help="torch threads")
    commands.choices["scale"].add_argument("--minutes", type=float, default=60.0)
    commands.choices["scale"].add_argument("--vads", default="energy,silero")
    one = commands.add_parser("_measure")
    one.add_argument("recording")
    one.add_argument("what")
    one.add_argument("--model")
    one.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.command == "_measure":
        measure(args)
        return
    if not RAVDESS.is_dir():
        sys.exit(f"needs {RAVDESS}")
    args.recipes = args.recipes.split(",")
    if args.command == "accuracy":
        accuracy(args)
    else:
        args.vads = args.vads.split(",")
        scale(args)


if __name__ == "__main__":
    main()
