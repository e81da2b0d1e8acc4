"""The ``sklearn-ser`` command line: benchmark, train, predict, recipes.

User mistakes (an unknown recipe, a folder with no recognisable audio, a
protocol the data cannot support, a file that is not a model) end with one
line on stderr and exit status 2, naming the command-line flag; those that can
be known before training are detected before any training starts. Lists of bad
files go in full to a text file that the message names; a benchmark writes the
results of the recipes that finished before reporting a later one's error.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
import warnings
from contextlib import ExitStack
from pathlib import Path

from . import __version__

DATASETS = ("synthetic", "ravdess", "tess", "savee", "emodb", "cremad", "folder")

# Bad files shown in an error line before it points to the full list.
_INLINE_FILES = 3


class UserError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sklearn-ser`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UserError as exc:
        # One line, even for messages that list several bad files.
        message = " ".join(line.strip() for line in str(exc).splitlines())
        print(f"sklearn-ser {args.command}: error: {message}", file=sys.stderr)
        return 2


def _build_parser() -> argparse.ArgumentParser:
    from .recipes import DEFAULT_BENCHMARK_RECIPES

    parser = argparse.ArgumentParser(
        prog="sklearn-ser",
        description="Speech emotion recognition benchmarks with scikit-learn.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    bench = commands.add_parser(
        "benchmark",
        help="cross-validate recipes on a corpus and write a table and figures",
        description="Cross-validate recipes under one protocol; with no options, "
        "runs a CPU-friendly set on the built-in synthetic corpus.",
    )
    _add_dataset_options(bench)
    bench.add_argument(
        "--recipes",
        default=",".join(DEFAULT_BENCHMARK_RECIPES),
        help="comma-separated recipe names, or 'all' (default: %(default)s); "
        "see `sklearn-ser recipes`",
    )
    bench.add_argument(
        "--test-dataset",
        help="cross-corpus: train on all of --dataset, test on all of this corpus "
        f"({', '.join(DATASETS)}), on the labels both share",
    )
    bench.add_argument(
        "--test-root", help="folder of the --test-dataset corpus (cross-corpus)"
    )
    bench.add_argument(
        "--protocol",
        default=None,
        help="'speaker' (speaker-independent, default), 'paper' (each recipe's "
        "own random-split protocol from its paper) or a protocol name: "
        "random-kfold, random-80/10/10, random-75/25, random-80/20",
    )
    bench.add_argument(
        "--folds", type=int, default=None, help="number of folds or repetitions"
    )
    _add_training_options(bench)
    bench.add_argument(
        "--out",
        default="benchmark_results",
        help="output folder (default: %(default)s)",
    )
    bench.add_argument(
        "--cache-dir",
        default=None,
        help="folder that keeps the loaded audio and features between runs, as "
        ".npy arrays and JSON keyed by the files' content, never pickles "
        "(default: none; recomputed every run)",
    )
    bench.add_argument(
        "--speaker-norm",
        action="store_true",
        help="standardise each speaker's features with that speaker's own "
        "statistics, the test speakers' from their unlabelled test clips; "
        "TRANSDUCTIVE, and every number is labelled so (needs speaker ids)",
    )
    bench.add_argument(
        "--quiet", action="store_true", help="no progress bars, only the table"
    )
    _add_parallel_options(bench)
    bench.set_defaults(run=_run_benchmark)

    train = commands.add_parser(
        "train", help="fit a recipe on a whole corpus and save the model"
    )
    train.add_argument("--recipe", required=True, help="recipe name")
    _add_dataset_options(train)
    _add_training_options(train)
    train.add_argument("--out", required=True, help="model file to write (*.sser)")
    train.set_defaults(run=_run_train)

    predict = commands.add_parser(
        "predict", help="predict the emotion of audio files with a saved model"
    )
    predict.add_argument("--model", required=True, help="model file from `train`")
    predict.add_argument("files", nargs="+", help="audio files")
    predict.add_argument("--format", choices=("table", "csv", "json"), default="table")
    predict.set_defaults(run=_run_predict)

    recipes = commands.add_parser("recipes", help="list the available recipes")
    recipes.set_defaults(run=_run_recipes)
    return parser


def _add_dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        default="synthetic",
        help=f"one of {', '.join(DATASETS)} (default: %(default)s)",
    )
    parser.add_argument(
        "--root", help="corpus folder (required for every dataset but synthetic)"
    )
    parser.add_argument(
        "--vocal-channel",
        choices=("speech", "song", "both"),
        default=None,
        help="with --dataset ravdess: spoken clips, sung clips or both "
        "(default: speech)",
    )
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="skip files whose names break the corpus's naming convention (with "
        "a warning listing them) instead of stopping",
    )
    parser.add_argument(
        "--speaker-pattern",
        help="with --dataset folder: regex with a group 'speaker' matched "
        "against each file name",
    )
    parser.add_argument(
        "--label-pattern",
        help="with --dataset folder: the corpus is a flat folder; regex whose "
        "group 'label' (or first group) finds each file's label in its path "
        "below --root, and whose optional group 'speaker' finds the speaker, "
        r"e.g. '(?P<speaker>[A-Z]{2})_(?P<label>[a-z]+)\d+'",
    )


def _add_parallel_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="(recipe, fold) fits run at once, in worker processes (-1: one per "
        "core; default: 1); with --dask, the local cluster's workers (default: "
        "one per core); the results do not depend on it",
    )
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument(
        "--dask",
        action="store_true",
        help="run the fits on a local Dask cluster of --jobs worker processes "
        "(default: one per core); needs pip install sklearn-ser[dask]",
    )
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the fits on the Dask cluster of this scheduler "
        "(e.g. tcp://10.0.0.1:8786); its workers need sklearn-ser installed",
    )


def _parallel_backend(args):
    """Context in which the benchmark's fits run: here, or on a Dask cluster."""
    from contextlib import nullcontext

    if args.jobs is not None and (args.jobs == 0 or args.jobs < -1):
        raise UserError(f"--jobs must be >= 1, or -1 for one per core; got {args.jobs}")
    if not (args.dask or args.scheduler):
        return nullcontext()
    if args.scheduler and args.jobs is not None:
        raise UserError(
            "--jobs does not apply with --scheduler: every worker of the cluster "
            "takes fits (start fewer workers to run fewer at once)"
        )
    from .benchmark._parallel import dask_backend

    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UserError(
            f"{'--dask' if args.dask else '--scheduler'} needs the optional "
            "dependency 'distributed': pip install sklearn-ser[dask]"
        ) from None
    n_workers = None if args.jobs in (None, -1) else args.jobs
    return dask_backend(args.scheduler, n_workers=n_workers)


def _n_jobs(args) -> int | None:
    """Fits at once: --jobs, or every worker of a Dask cluster by default."""
    if args.jobs is None and (args.dask or args.scheduler):
        return -1
    return args.jobs


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", default=None, help="auto, cpu or cuda (default: the recipe's)"
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs of deep recipes"
    )
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="parallel jobs for loading/features"
    )
    parser.add_argument(
        "--budget",
        choices=("cpu", "paper"),
        default="cpu",
        help="training budget of deep recipes: 'cpu' (reduced, runs in minutes; "
        "default) or 'paper' (the papers' epochs and sizes)",
    )
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="torch intra-op threads (default: %(default)s; more threads "
        "oversubscribe small CPUs and can run slower)",
    )
    parser.add_argument(
        "--tune",
        action="store_true",
        help="choose each recipe's hyperparameters by a grid search with "
        "speaker-grouped inner folds on the training data (needs speaker ids)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")


def _load_dataset(
    args, workdir: Path, *, dataset: str, root: str | None, test: bool = False
):
    """A corpus named on the command line as a Bunch with paths/target/groups.

    ``test`` selects the flags named in messages: --test-dataset/--test-root.
    """
    from . import datasets
    from .datasets._base import CorpusFileError

    root_flag = "--test-root" if test else "--root"
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
                _listed(
                    exc.summary,
                    exc.errors,
                    "rename or remove them, or pass --lenient to skip them",
                    _list_file(args, f"{prefix}bad_files.txt"),
                )
            ) from None
        except (ValueError, FileNotFoundError, NotADirectoryError) as exc:
            raise UserError(str(exc)) from None
        finally:
            _print_warnings(
                args, caught, _list_file(args, f"{prefix}skipped_files.txt")
            )
    labels = sorted({str(label) for label in data.target})
    if len(labels) < 2:
        raise UserError(
            f"the {dataset} corpus under {root} has one label ({labels[0]!r}, "
            f"{len(data.target)} clips); a classifier needs at least two: point "
            f"{root_flag} at a corpus with several emotions"
        )
    return data


def _list_file(args, name: str) -> Path:
    """Where a full list of files goes: next to the command's output."""
    out = Path(args.out)
    return (out if args.command == "benchmark" else out.parent) / name


def _write_list(path: Path, entries) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{file}: {reason}\n" for file, reason in entries))


def _listed(summary: str, entries, advice: str, path: Path) -> str:
    """One line: the summary, the first files, advice, and where the rest went."""
    _write_list(path, entries)
    shown = "; ".join(f"{file}: {reason}" for file, reason in entries[:_INLINE_FILES])
    more = "; ..." if len(entries) > _INLINE_FILES else ""
    advice = f"; {advice}" if advice else ""
    return f"{summary}: {shown}{more}{advice} (all {len(entries)} listed in {path})"


def _print_warnings(args, caught, list_path: Path) -> None:
    """Each warning a loader raised as one line, skipped files listed in a file."""
    from .datasets._base import CorpusFileWarning

    for record in caught:
        warning = record.message
        if isinstance(warning, CorpusFileWarning):
            message = _listed(
                f"{warning.summary}; skipped them", warning.skipped, "", list_path
            )
        else:
            message = " ".join(line.strip() for line in str(warning).splitlines())
        print(f"sklearn-ser {args.command}: warning: {message}", file=sys.stderr)


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


def _make_recipes(names, args) -> dict:
    if args.torch_threads < 1:
        raise UserError(f"--torch-threads must be >= 1; got {args.torch_threads}")
    overrides = _recipe_overrides(args)
    from .recipes import make_recipe

    try:
        recipes = {
            name: make_recipe(name, budget=args.budget, tune=args.tune, **overrides)
            for name in names
        }
    except ValueError as exc:
        raise UserError(str(exc)) from None
    import torch  # after the checks above: a mistyped option answers without it

    torch.set_num_threads(args.torch_threads)
    return recipes


def _recipe_names(text: str) -> list[str]:
    from .recipes import RECIPES

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


def _protocols_for(names, protocol: str) -> dict:
    """Map each protocol name to the recipes evaluated under it."""
    from .model_selection import PROTOCOLS
    from .recipes import RECIPES

    if protocol == "paper":
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(RECIPES[name].paper_protocol, []).append(name)
        return groups
    if protocol not in PROTOCOLS:
        raise UserError(
            f"unknown protocol {protocol!r}; valid protocols: paper, "
            f"{', '.join(PROTOCOLS)}"
        )
    return {protocol: list(names)}


def _run_benchmark(args) -> int:
    out = Path(args.out)
    names = _recipe_names(args.recipes)
    cross = args.test_dataset is not None
    if cross:
        for flag, value in (("--protocol", args.protocol), ("--folds", args.folds)):
            if value is not None:
                raise UserError(
                    f"{flag} is not used with --test-dataset: a cross-corpus "
                    "benchmark trains on all of --dataset and tests on all of "
                    "--test-dataset, in one split"
                )
        by_protocol = {"cross-corpus": list(names)}
    else:
        if args.test_root:
            raise UserError("--test-root is used only with --test-dataset")
        by_protocol = _protocols_for(names, args.protocol or "speaker")
    _check_dataset_options(args)
    recipes = _make_recipes(names, args)  # checks every option before any data work
    if args.speaker_norm:
        _check_speaker_normalization(recipes)
    # Imported after the cheap checks: a mistyped option answers without torch.
    from .benchmark import run_benchmark
    from .benchmark._cross_corpus import combine_corpora
    from .model_selection import get_protocol

    backend = _parallel_backend(args)
    start = time.perf_counter()
    data = _load_dataset(args, out, dataset=args.dataset, root=args.root)
    _check_speakers_for_tuning(args, data)
    if args.speaker_norm and data.groups is None:
        raise UserError(
            f"--speaker-norm needs speaker ids, and the {args.dataset} corpus has "
            "none: pass --speaker-pattern"
        )
    protocols = {}
    if cross:
        test_data = _load_dataset(
            args, out, dataset=args.test_dataset, root=args.test_root, test=True
        )
        try:
            paths, y, groups, protocol = combine_corpora(
                data, test_data, train_name=args.dataset, test_name=args.test_dataset
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        protocols["cross-corpus"] = protocol
        if args.tune:
            _check_tuning(protocol, groups, y, args, recipes)
    else:
        paths, y, groups = data.paths, data.target, data.groups
        for name in by_protocol:
            protocols[name] = get_protocol(name)
            _check_protocol(
                protocols[name],
                data,
                args,
                {recipe: recipes[recipe] for recipe in by_protocol[name]},
            )
    corpus = _corpus_name(args, data)

    with ExitStack() as stack:
        try:
            stack.enter_context(backend)
        except OSError as exc:  # the scheduler cannot be reached
            raise UserError(
                f"cannot reach the Dask scheduler {args.scheduler}: {exc}"
            ) from None
        for name, recipe_names in by_protocol.items():
            folder = out if len(by_protocol) == 1 else out / name.replace("/", "-")
            finished: list[str] = []

            def save(partial, folder=folder, finished=finished):
                partial.save(folder)
                finished[:] = [result.recipe for result in partial.recipes]

            result = _benchmark_or_user_error(
                lambda name=name, recipe_names=recipe_names, save=save: run_benchmark(
                    {recipe: recipes[recipe] for recipe in recipe_names},
                    paths,
                    y,
                    groups,
                    protocol=protocols[name],
                    n_splits=args.folds,
                    random_state=args.seed,
                    corpus=corpus,
                    progress=not args.quiet,
                    memory=args.cache_dir,
                    on_recipe_done=save,
                    speaker_normalization=args.speaker_norm,
                    n_jobs=_n_jobs(args),
                ),
                args,
                finished,
                folder,
            )
            print()
            print(result.to_markdown())
            print(f"Wrote results of {', '.join(finished)} to {folder}")
    print(f"Benchmark finished in {time.perf_counter() - start:.1f} s.")
    return 0


def _benchmark_or_user_error(run, args, finished: list[str], folder: Path):
    """``run()``; bad audio ends in one line saying what finished and where it is."""
    from .audio import AudioLoadError
    from .benchmark._cv import SilentClipError

    try:
        return run()
    except (AudioLoadError, SilentClipError) as exc:
        message = _bad_audio_message(exc, args)
    if finished:
        message += (
            f"; the results of the {len(finished)} recipe(s) that finished "
            f"({', '.join(finished)}) are in {folder}"
        )
    raise UserError(message)


def _bad_audio_message(exc, args) -> str:
    """One line for an AudioLoadError or SilentClipError, full list in a file."""
    from .audio import AudioLoadError

    path = _list_file(args, "bad_audio.txt")
    if isinstance(exc, AudioLoadError):
        return _listed(
            f"{len(exc.errors)} audio file(s) could not be loaded",
            exc.errors,
            "repair or remove them",
            path,
        )
    _write_list(path, exc.errors)
    return f"{str(exc).rstrip('.')} (all {len(exc.errors)} listed in {path})"


def _check_dataset_options(args) -> None:
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
    ):
        if value is not None and dataset not in used:
            raise UserError(f"{flag} is used only with --dataset {dataset}")


def _check_protocol(protocol, data, args, recipes) -> None:
    """Refuse, naming --folds, a protocol the corpus cannot support."""
    import numpy as np

    if data.groups is None and protocol.speaker_independent:
        raise UserError(
            f"the {args.dataset} corpus has no speaker ids: pass "
            "--speaker-pattern, or choose a speaker-dependent --protocol "
            "such as random-kfold"
        )
    folds = args.folds
    kfold = protocol.speaker_independent or protocol.test_size is None
    if folds is not None and folds < (2 if kfold else 1):
        kind = "folds" if kfold else "repetitions"
        raise UserError(
            f"--folds must be >= {2 if kfold else 1} ({kind} of protocol "
            f"{protocol.name!r}); got {folds}"
        )
    if folds is not None and protocol.speaker_independent:
        n_speakers = len(set(data.groups))
        if folds > n_speakers:
            raise UserError(
                f"--folds {folds} is more than the {n_speakers} speakers of the "
                f"{args.dataset} corpus; protocol {protocol.name!r} keeps each "
                f"speaker in one fold: use --folds <= {n_speakers}"
            )
    elif folds is not None and kfold:
        labels, counts = np.unique(data.target, return_counts=True)
        if folds > counts.min():
            raise UserError(
                f"--folds {folds} is more than the {counts.min()} clips of the "
                f"smallest label {str(labels[counts.argmin()])!r}; protocol "
                f"{protocol.name!r} puts every label in every fold: use "
                f"--folds <= {counts.min()}"
            )
    if args.tune:
        _check_tuning(protocol, data.groups, data.target, args, recipes)
    else:
        _splits(protocol, data.groups, data.target, args)


def _splits(protocol, groups, y, args) -> list:
    """The protocol's outer splits, or a one-line error saying why there are none."""
    import numpy as np

    try:
        cv = protocol.make_cv(groups, n_splits=args.folds, random_state=args.seed)
        split_groups = groups if protocol.speaker_independent else None
        return list(cv.split(np.zeros((len(y), 1)), y, split_groups))
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"protocol {protocol.name!r} is impossible here: {exc}"
        ) from None


def _check_tuning(protocol, groups, y, args, recipes) -> None:
    """Every training fold must hold as many speakers as the inner search has folds."""
    import numpy as np

    from .benchmark._cv import check_inner_splits

    splits = _splits(protocol, groups, y, args)
    groups = np.asarray(groups, dtype=object).astype(str)
    for name, recipe in recipes.items():
        try:
            check_inner_splits(name, recipe.named_steps["search"], splits, groups)
        except ValueError as exc:
            raise UserError(
                f"protocol {protocol.name!r} is impossible here: {exc}"
            ) from None


def _check_speaker_normalization(recipes) -> None:
    from .benchmark._speaker import check_speaker_normalization

    for name, recipe in recipes.items():
        try:
            check_speaker_normalization(name, recipe)
        except ValueError as exc:
            raise UserError(str(exc)) from None


def _check_speakers_for_tuning(args, data) -> None:
    if args.tune and data.groups is None:
        raise UserError(
            f"--tune needs speaker ids for its inner folds, and the {args.dataset} "
            "corpus has none: pass --speaker-pattern"
        )


def _corpus_name(args, data) -> str:
    if args.dataset == "synthetic":
        name = f"synthetic (make_emotional_speech, random_state={args.seed})"
    else:
        name = f"{args.dataset} ({args.root})"
    test = getattr(args, "test_dataset", None)
    if test is not None:
        name += f" → {test}" + (f" ({args.test_root})" if args.test_root else "")
    tuned = ", tuned by speaker-grouped inner CV" if args.tune else ""
    return f"{name}; {args.budget} budget{tuned}"


def _run_train(args) -> int:
    (name,) = _recipe_names(args.recipe)
    _check_dataset_options(args)
    out = Path(args.out)
    model = _make_recipes([name], args)[name]
    # Imported after the cheap checks: a mistyped option answers without them.
    from .audio import AudioLoadError
    from .persistence import save_model

    data = _load_dataset(args, out.parent, dataset=args.dataset, root=args.root)
    _check_speakers_for_tuning(args, data)
    fit_params = {"search__groups": data.groups} if args.tune else {}
    start = time.perf_counter()
    try:
        model.fit(data.paths, data.target, **fit_params)
    except AudioLoadError as exc:
        raise UserError(_bad_audio_message(exc, args)) from None
    except ValueError as exc:
        # The augmenter sees the clips in corpus order (no folds without --tune)
        # and names a silent one by its row: name its file instead.
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


def _run_predict(args) -> int:
    from .audio import AudioLoadError
    from .persistence import ModelFileError, load_model

    try:
        model = load_model(args.model)
    except ModelFileError as exc:
        raise UserError(str(exc)) from None
    try:
        proba = model.predict_proba(args.files)
    except AudioLoadError as exc:
        raise UserError(str(exc)) from None
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


def _run_recipes(args) -> int:
    from .recipes import RECIPES

    for name, recipe in RECIPES.items():
        print(f"{name:<18} {recipe.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
