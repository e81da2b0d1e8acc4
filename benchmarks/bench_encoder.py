"""What Whisper's 30-s window costs: clips per second with and without it.

Embeds the same clips with ``SpeechEncoderEmbeddings(whisper_input="clip")``
(the encoder on each clip's own length, positional table cut) and
``whisper_input="30s"`` (every clip padded to Whisper's 30-s window),
alternating the two ``--repeats`` times in one process so that both see the
same machine load, and prints each one's best throughput and their ratio.

Usage::

    python benchmarks/bench_encoder.py --encoder ../shared/models/whisper-tiny
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from sklearn_ser import AudioLoader, SpeechEncoderEmbeddings, load_ravdess

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess-speech"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", required=True, help="Whisper folder or hub id")
    parser.add_argument("--root", type=Path, default=DATA, help="RAVDESS folder")
    parser.add_argument("--clips", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    paths = load_ravdess(args.root).paths[: args.clips]
    X = AudioLoader(sr=16000, offset=0.5, duration=3.0).fit_transform(paths)
    modes = {
        mode: SpeechEncoderEmbeddings(
            model=args.encoder, whisper_input=mode, device="cpu", verbose=0
        ).fit(X[:1])
        for mode in ("clip", "30s")
    }
    best = dict.fromkeys(modes, 0.0)
    for _ in range(args.repeats):
        for mode, encoder in modes.items():
            start = time.perf_counter()
            encoder.transform(X)
            best[mode] = max(best[mode], len(X) / (time.perf_counter() - start))
    for mode, rate in best.items():
        print(f"whisper_input={mode!r}: {rate:.1f} clips/s ({1 / rate:.3f} s per clip)")
    print(
        f"clip length / 30-s window: {best['clip'] / best['30s']:.1f}x the throughput "
        f"({len(X)} clips of 3 s, {args.threads} torch thread(s), best of "
        f"{args.repeats})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
