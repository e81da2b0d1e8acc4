"""``sklearn-ser predict``: the emotion of audio files, from a saved model."""

from __future__ import annotations

import csv
import json
import sys

from ._errors import UserError


def run(args) -> int:
    """Run the ``predict`` command."""
    from . import _segments

    _segments.check_arguments(args)
    from ..audio import AudioLoadError
    from ..persistence import ModelFileError, load_model

    try:
        model = load_model(args.model)
    except ModelFileError as exc:
        raise UserError(str(exc)) from None
    if args.encoder is not None:
        from ..features._speech_encoder import relocate_encoder

        if not relocate_encoder(model, args.encoder):
            raise UserError(
                f"--encoder: model {args.model} has no pretrained speech encoder"
            )
    if args.segments:
        return _segments.run(args, model)
    try:
        proba = model.predict_proba(args.files)
    except AudioLoadError as exc:
        raise UserError(str(exc)) from None
    except ImportError as exc:  # a model with a pretrained encoder, no extra
        raise UserError(str(exc)) from None
    except ValueError as exc:
        from ..features._encoder_backbone import PretrainedEncoderError

        if not isinstance(exc, PretrainedEncoderError):
            raise
        raise UserError(f"model {args.model}: {exc}") from None
    classes = [str(c) for c in model.classes_]
    labels = [classes[i] for i in proba.argmax(axis=1)]
    rows = [
        {
            "file": f,
            "label": label,
            **{c: float(p) for c, p in zip(classes, row, strict=True)},
        }
        for f, label, row in zip(args.files, labels, proba, strict=True)
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["file", "label", *classes])
        writer.writeheader()
        writer.writerows(rows)
    else:
        width = max(len(f) for f in args.files)
        print(
            f"{'file':<{width}}  {'label':<10}  "
            + "  ".join(f"{c:>9}" for c in classes)
        )
        for row in rows:
            print(
                f"{row['file']:<{width}}  {row['label']:<10}  "
                + "  ".join(f"{row[c]:>9.3f}" for c in classes)
            )
    return 0
