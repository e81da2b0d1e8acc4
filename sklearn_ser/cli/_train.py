"""``sklearn-ser train``: fit a recipe on a whole corpus and save the model."""

from __future__ import annotations

import re
import time
from pathlib import Path

from ._checks import check_output_file
from ._common import (
    check_dataset_options,
    check_speakers_for_tuning,
    few_clips_message,
    load_dataset,
    make_recipes,
    recipe_names,
)
from ._errors import UserError, bad_audio_message


def run(args) -> int:
    """Run the ``train`` command."""
    (name,) = recipe_names(args.recipe)
    check_dataset_options(args)
    out = Path(args.out)
    check_output_file(out, "--out")
    model = make_recipes([name], args)[name]
    # Imported after the cheap checks: a mistyped option answers without them.
    from ..audio import AudioLoadError
    from ..features._encoder_backbone import PretrainedEncoderError
    from ..persistence import save_model

    data = load_dataset(args, out.parent, dataset=args.dataset, root=args.root)
    check_speakers_for_tuning(args, data)
    fit_params = {"search__groups": data.groups} if args.tune else {}
    start = time.perf_counter()
    try:
        model.fit(data.paths, data.target, **fit_params)
    except AudioLoadError as exc:
        raise UserError(bad_audio_message(exc, args)) from None
    except PretrainedEncoderError as exc:
        raise UserError(f"recipe {name!r} (--encoder): {exc}") from None
    except ValueError as exc:
        # The augmenter sees the clips in corpus order (no folds without --tune)
        # and names a silent one by its row: name its file instead.
        few = few_clips_message(exc, data.target, name)
        if few is not None:
            raise UserError(few) from None
        silent = re.match(r"X\[(\d+)\] is silent", str(exc))
        if silent is None or args.tune:
            raise
        path = data.paths[int(silent.group(1))]
        raise UserError(
            f"{path} is silent once loaded (all samples 0), and recipe {name!r} "
            "adds noise relative to each clip's level (AWGNAugmenter): remove it "
            "from the corpus, or choose a recipe without augmentation"
        ) from None
    elapsed = time.perf_counter() - start
    save_model(
        model,
        out,
        recipe=name,
        metadata={
            "dataset": args.dataset,
            "root": args.root,
            "n_clips": len(data.paths),
            "fit_seconds": elapsed,
        },
    )
    print(f"Trained {name} on {len(data.paths)} clips in {elapsed:.1f} s; saved {out}")
    return 0
