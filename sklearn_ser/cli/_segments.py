"""``sklearn-ser predict --segments``: emotion over time in long recordings.

Rows are written as they are computed (``--format csv`` and ``table``), so a
file that turns out corrupt half-way keeps the rows before the bad part.
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from pathlib import Path

from ._errors import UserError

# What matplotlib's savefig writes without extra backends.
_PLOT_FORMATS = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif")


def add_arguments(predict) -> None:
    """The ``--segments`` options of ``sklearn-ser predict``."""
    group = predict.add_argument_group(
        "long recordings",
        "with --segments, each file is a recording of any length: a window "
        "slides over it and every window with speech gets a label and its "
        "class probabilities, one row per window with start and end in seconds",
    )
    group.add_argument(
        "--segments",
        action="store_true",
        help="predict over time in sliding windows instead of one label per file",
    )
    group.add_argument(
        "--window",
        type=float,
        metavar="S",
        help="window in seconds (default: the model's training clip duration)",
    )
    group.add_argument(
        "--hop",
        type=float,
        metavar="S",
        help="seconds between window starts, at most --window (default: half "
        "the window)",
    )
    group.add_argument(
        "--vad",
        choices=("energy", "silero", "none"),
        default=None,
        help="voice-activity detector: windows with less than 20%% speech are "
        "not classified; 'energy' (default, no dependency), 'silero' (needs "
        "pip install sklearn-ser[vad]) or 'none' (classify every window)",
    )
    group.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the timeline (each class's probability over time, "
        "speech shaded) to this image file (.png, .pdf, .svg)",
    )


def check_arguments(args) -> None:
    """The segment options' mistakes, found before anything heavy is imported."""
    options = (
        ("--window", args.window),
        ("--hop", args.hop),
        ("--vad", args.vad),
        ("--plot", args.plot),
    )
    if not args.segments:
        for flag, value in options:
            if value is not None:
                raise UserError(f"{flag} is used only with --segments")
        return
    for flag, value in (("--window", args.window), ("--hop", args.hop)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UserError(f"{flag} must be a number of seconds > 0; got {value}")
    if args.window is not None and args.hop is not None and args.hop > args.window:
        raise UserError(
            f"--hop {args.hop} is longer than --window {args.window}: the windows "
            "would leave parts of the recording unread; choose --hop <= --window"
        )
    if args.vad == "silero":
        from importlib.util import find_spec

        try:
            found = find_spec("silero_vad") is not None
        except ValueError:  # in sys.modules as None: import blocked
            found = False
        if not found:
            raise UserError(
                "--vad silero needs the optional dependency 'silero-vad': "
                "pip install sklearn-ser[vad]"
            )
    if args.plot is not None:
        plot = Path(args.plot)
        if plot.suffix.lower() not in _PLOT_FORMATS:
            raise UserError(
                f"--plot {plot}: unknown image format {plot.suffix!r}; use one of "
                f"{', '.join(_PLOT_FORMATS)}"
            )
        if not plot.parent.is_dir():
            raise UserError(f"--plot {plot}: folder {plot.parent} does not exist")
        if len(args.files) > 1:
            raise UserError(f"--plot draws one recording; got {len(args.files)} files")


def run(args, model) -> int:
    """Segment every file with ``model`` and write the rows as they come."""
    from ..audio import AudioLoadError
    from ..segments import stream_segments

    vad = None if args.vad == "none" else (args.vad or "energy")
    streams = []
    for file in args.files:  # every file's header and the options, before any work
        try:
            streams.append(
                stream_segments(model, file, window=args.window, hop=args.hop, vad=vad)
            )
        except AudioLoadError as exc:
            raise UserError(str(exc)) from None
        except (ValueError, TypeError, ImportError) as exc:
            raise UserError(_flags(str(exc))) from None
    classes = streams[0].classes
    try:
        _write_all(args, streams, classes)
    except BrokenPipeError:
        # The reader stopped (`| head`): no traceback, and no second error
        # when Python flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _write_all(args, streams, classes) -> None:
    from ..segments import SegmentReadError, Timeline

    write = _writer(args.format, classes)
    for stream in streams:
        segments = []
        try:
            for segment in stream:
                segments.append(segment)
                write(stream.path, segment)
        except SegmentReadError as exc:
            done = f"; the {len(segments)} rows before it were written" * bool(segments)
            raise UserError(
                f"{exc.path}: {exc.reason} at {exc.time:.3f} s{done}"
            ) from None
        if args.plot is not None:
            _plot(
                Timeline(
                    segments,
                    classes,
                    stream.speech_regions,
                    stream.duration,
                    stream.path,
                ),
                args.plot,
            )
    write.close()


def _flags(message: str) -> str:
    """A library message about window=/hop= in the command line's words."""
    return message.replace("window=", "--window ").replace("hop=", "--hop ")


def _writer(form: str, classes):
    """A callable ``(file, segment)`` that writes one row, with ``close()``."""
    fields = ["file", "start", "end", "speech", "label", *classes]

    if form == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()

        def write(file, segment):
            writer.writerow({"file": file, **segment.to_row(classes)})
            sys.stdout.flush()  # a row is out as soon as it is known

        write.close = lambda: None
    elif form == "json":
        rows = []

        def write(file, segment):
            rows.append({"file": file, **segment.to_row(classes)})

        write.close = lambda: print(json.dumps(rows, indent=2))
    else:
        print(
            f"{'file':<20}  {'start':>8}  {'end':>8}  {'speech':>6}  {'label':<10}  "
            + "  ".join(f"{c:>9}" for c in classes)
        )

        def write(file, segment):
            row = segment.to_row(classes)
            cells = [
                "" if row[c] is None else f"{row[c]:.3f}" for c in ("speech", *classes)
            ]
            print(
                f"{Path(file).name:<20}  {row['start']:>8.2f}  {row['end']:>8.2f}  "
                f"{cells[0]:>6}  {row['label'] or '-':<10}  "
                + "  ".join(f"{cell:>9}" for cell in cells[1:]),
                flush=True,
            )

        write.close = lambda: None
    return write


def _plot(timeline, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = timeline.plot()
    ax.set_title(f"{Path(timeline.path).name}: {ax.get_title()}")
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    print(f"Wrote the timeline plot to {path}", file=sys.stderr)
