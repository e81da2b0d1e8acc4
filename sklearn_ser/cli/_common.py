"""What several commands share: the corpus options' checks, loading, recipes."""

from __future__ import annotations

import warnings
from pathlib import Path

from ._checks import check_device, check_extras, check_feature_jobs, warn_unused_options
from ._errors import UserError, clear_lists, list_file, listed, print_warnings
from ._loading import check_window_options, loader_overrides, parse_label_map

DATASETS = ("synthetic", "ravdess", "tess", "savee", "emodb", "cremad", "folder")


def load_dataset(
    args, workdir: Path, *, dataset: str, root: str | None, test: bool = False
):
    """A corpus named on the command line as a Bunch with paths/target/groups.

    ``test`` selects the flags named in messages: --test-dataset/--test-root.
    """
    from .. import datasets
    from ..datasets._base import CorpusFileError

    root_flag = "--test-root" if test else "--root"
    if not test:
        clear_lists(args)
    if dataset == "synthetic":
        return datasets.make_emotional_speech(
            random_state=args.seed, output_dir=workdir / "synthetic_corpus"
        )
    strict = not args.lenient
    loaders = {
        "ravdess": lambda: datasets.load_ravdess(
            root, vocal_channel=args.vocal_channel or "speech", strict=strict
        ),
        "tess": lambda: datasets.load_tess(root, strict=strict),
        "savee": lambda: datasets.load_savee(root, strict=strict),
        "emodb": lambda: datasets.load_emodb(root, strict=strict),
        "cremad": lambda: datasets.load_cremad(root, strict=strict),
        "folder": lambda: datasets.load_folder(
            root,
            label_pattern=args.label_pattern,
            speaker_pattern=args.speaker_pattern,
            label_map=parse_label_map(args.label_map),
            canonical_labels=not args.keep_labels,
            strict=strict,
        ),
    }
    prefix = "test_" if test else ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = loaders[dataset]()
        except CorpusFileError as exc:
            raise UserError(
                listed(
                    exc.summary,
                    exc.errors,
                    "rename or remove them, or pass --lenient to skip them",
                    list_file(args, f"{prefix}bad_files.txt"),
                )
            ) from None
        except (ValueError, FileNotFoundError, NotADirectoryError) as exc:
            raise UserError(str(exc)) from None
        finally:
            print_warnings(args, caught, list_file(args, f"{prefix}skipped_files.txt"))
    labels = sorted({str(label) for label in data.target})
    if len(labels) < 2:
        raise UserError(
            f"the {dataset} corpus under {root} has one label ({labels[0]!r}, "
            f"{len(data.target)} clips); a classifier needs at least two: point "
            f"{root_flag} at a corpus with several emotions"
        )
    return data


def _label_counts(y) -> list[tuple[int, str]]:
    """``(count, label)`` of each label, rarest first."""
    from collections import Counter

    return sorted((n, label) for label, n in Counter(map(str, y)).items())


def few_clips_message(exc: ValueError, y, recipe: str | None = None) -> str | None:
    """One line for scikit-learn's error on too few clips of a label for an
    inner cross-validation (probability calibration, tuning), naming the
    rarest labels; None for any other error.
    """
    import re

    found = re.search(r"Requesting (\d+)-fold cross-validation", str(exc))
    if found is None:
        return None
    n_folds = int(found.group(1))
    counts = _label_counts(y)
    rare = [(n, label) for n, label in counts if n < n_folds] or counts[:1]
    shown = ", ".join(f"{label!r} ({n} clip{'s' * (n != 1)})" for n, label in rare[:3])
    who = f"recipe {recipe!r}" if recipe else "a recipe"
    return (
        f"{who} cross-validates within its training data ({n_folds} folds, e.g. "
        f"to calibrate probabilities) and a label has fewer than {n_folds} clips "
        f"there; the rarest: {shown}: add clips of it, or remove it from the corpus"
    )


def _recipe_overrides(args) -> dict:
    overrides = {"random_state": args.seed}
    if args.device is not None:
        overrides["device"] = args.device
    if args.epochs is not None:
        if args.epochs < 1:
            raise UserError(f"--epochs must be >= 1; got {args.epochs}")
        overrides["max_epochs"] = args.epochs
    if args.n_jobs is not None:
        overrides["n_jobs"] = args.n_jobs
    return overrides


def _encoder_overrides(names, args) -> dict:
    """``--encoder``/``--encoder-revision`` per recipe that takes an encoder."""
    from ..recipes import RECIPES

    given = {
        key: value
        for key, value in (
            ("encoder", args.encoder),
            ("revision", args.encoder_revision),
        )
        if value is not None
    }
    takers = [name for name in names if "encoder" in RECIPES[name].parameters()]
    if given and not takers:
        encoder_recipes = [
            r.name for r in RECIPES.values() if "encoder" in r.parameters()
        ]
        raise UserError(
            f"--encoder/--encoder-revision apply to the recipes with a pretrained "
            f"encoder ({', '.join(encoder_recipes)}); none of "
            f"{', '.join(names)} has one"
        )
    return {name: given for name in takers}


def check_encoders(recipes: dict) -> None:
    """Find every recipe's pretrained encoder before any data is loaded.

    A missing ``[pretrained]`` extra, a folder that is no checkpoint or a hub
    id that is neither cached nor downloadable is one line, not a traceback
    after loading the corpus.
    """
    from ..features import SpeechEncoderEmbeddings
    from ..features._encoder_backbone import (
        PretrainedEncoderError,
        import_transformers,
        resolve_model_folder,
    )

    for name, pipeline in recipes.items():
        for _, step in pipeline.steps:
            if not isinstance(step, SpeechEncoderEmbeddings):
                continue
            try:
                import_transformers()
                resolve_model_folder(step.model, step.revision)
            except (ImportError, PretrainedEncoderError) as exc:
                raise UserError(f"recipe {name!r} (--encoder): {exc}") from None


def make_recipes(names, args) -> dict:
    """The named recipes with the command line's overrides, torch's threads set.

    The pretrained encoders they use are found (not loaded) before returning.
    """
    if args.torch_threads < 1:
        raise UserError(f"--torch-threads must be >= 1; got {args.torch_threads}")
    check_window_options(args)
    check_feature_jobs(args)
    overrides = _recipe_overrides(args)
    encoders = _encoder_overrides(names, args)
    from ..recipes import make_recipe

    try:
        recipes = {
            name: make_recipe(
                name,
                budget=args.budget,
                tune=args.tune,
                **overrides,
                **encoders.get(name, {}),
            )
            for name in names
        }
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for recipe in recipes.values():
        recipe.set_params(**loader_overrides(args))
    check_device(args)
    warn_unused_options(names, args)
    check_extras(recipes)
    check_encoders(recipes)
    import torch  # after the checks above: a mistyped option answers without it

    torch.set_num_threads(args.torch_threads)
    return recipes


def recipe_names(text: str) -> list[str]:
    """The recipes a comma-separated list (or 'all') names, each checked."""
    from ..recipes import RECIPES

    if text == "all":
        return list(RECIPES)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RECIPES]
    if unknown or not names:
        raise UserError(
            f"unknown recipe(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"valid recipes: {', '.join(RECIPES)}"
        )
    return names


def check_dataset_options(args) -> None:
    """The dataset options' mistakes, found before anything heavy is imported."""
    corpora = [("dataset", "--dataset", "--root", args.dataset, args.root)]
    if getattr(args, "test_dataset", None) is not None:
        corpora.append(
            (
                "test dataset",
                "--test-dataset",
                "--test-root",
                args.test_dataset,
                args.test_root,
            )
        )
    for noun, dataset_flag, root_flag, dataset, root in corpora:
        if dataset not in DATASETS:
            raise UserError(
                f"unknown {noun} {dataset!r}; valid datasets: {', '.join(DATASETS)}"
            )
        if dataset == "synthetic" and root:
            raise UserError(f"{root_flag} is not used with {dataset_flag} synthetic")
        if dataset != "synthetic" and not root:
            raise UserError(f"{dataset_flag} {dataset} needs {root_flag} DIR")
    _check_corpus_options(args)


def _check_corpus_options(args) -> None:
    """Options that belong to one kind of corpus name it."""
    used = {args.dataset, getattr(args, "test_dataset", None)}
    for flag, value, dataset in (
        ("--vocal-channel", args.vocal_channel, "ravdess"),
        ("--label-pattern", args.label_pattern, "folder"),
        ("--speaker-pattern", args.speaker_pattern, "folder"),
        ("--label-map", args.label_map, "folder"),
        ("--keep-labels", args.keep_labels or None, "folder"),
    ):
        if value is not None and dataset not in used:
            raise UserError(f"{flag} is used only with --dataset {dataset}")


def check_speakers_for_tuning(args, data) -> None:
    if args.tune and data.groups is None:
        raise UserError(
            f"--tune needs speaker ids for its inner folds, and the {args.dataset} "
            "corpus has none: pass --speaker-pattern"
        )
