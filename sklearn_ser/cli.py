"""The ``sklearn-ser`` command line: benchmark, train, predict, recipes.

User mistakes (an unknown recipe, a folder with no recognisable audio, a
protocol the data cannot support, a file that is not a model) end with one
line on stderr and exit status 2; they are all detected before any training
starts.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from . import __version__

DATASETS = ("synthetic", "ravdess", "tess", "folder")


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
        "--protocol",
        default="speaker",
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
        "--root", help="corpus folder (required for ravdess, tess and folder)"
    )
    parser.add_argument(
        "--speaker-pattern",
        help="with --dataset folder: regex with a group 'speaker' matched "
        "against each file name",
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


def _load_dataset(args, workdir: Path):
    """The corpus named on the command line as a Bunch with paths/target/groups."""
    from . import datasets

    if args.dataset not in DATASETS:
        raise UserError(
            f"unknown dataset {args.dataset!r}; valid datasets: {', '.join(DATASETS)}"
        )
    if args.dataset == "synthetic":
        if args.root:
            raise UserError("--root is not used with --dataset synthetic")
        return datasets.make_emotional_speech(
            random_state=args.seed, output_dir=workdir / "synthetic_corpus"
        )
    if not args.root:
        raise UserError(f"--dataset {args.dataset} needs --root DIR")
    try:
        if args.dataset == "ravdess":
            return datasets.load_ravdess(args.root)
        if args.dataset == "tess":
            return datasets.load_tess(args.root)
        return datasets.load_folder(args.root, speaker_pattern=args.speaker_pattern)
    except (ValueError, FileNotFoundError, NotADirectoryError) as exc:
        raise UserError(str(exc)) from None


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
    import torch

    from .recipes import make_recipe

    if args.torch_threads < 1:
        raise UserError(f"--torch-threads must be >= 1; got {args.torch_threads}")
    torch.set_num_threads(args.torch_threads)
    overrides = _recipe_overrides(args)
    try:
        return {
            name: make_recipe(name, budget=args.budget, tune=args.tune, **overrides)
            for name in names
        }
    except ValueError as exc:
        raise UserError(str(exc)) from None


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
    from .benchmark import run_benchmark
    from .model_selection import get_protocol

    out = Path(args.out)
    names = _recipe_names(args.recipes)
    by_protocol = _protocols_for(names, args.protocol)
    recipes = _make_recipes(names, args)  # checks every option before any data work
    backend = _parallel_backend(args)
    start = time.perf_counter()
    data = _load_dataset(args, out)
    _check_speakers_for_tuning(args, data)
    for protocol in by_protocol:
        if data.groups is None and get_protocol(protocol).speaker_independent:
            raise UserError(
                f"the {args.dataset} corpus has no speaker ids: pass "
                "--speaker-pattern, or choose a speaker-dependent --protocol "
                "such as random-kfold"
            )
        try:
            cv = get_protocol(protocol).make_cv(data.groups, n_splits=args.folds)
            if args.tune:
                _check_tuning(cv, data, {n: recipes[n] for n in by_protocol[protocol]})
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"protocol {protocol!r} is impossible here: {exc}"
            ) from None
    corpus = _corpus_name(args, data)

    with ExitStack() as stack:
        try:
            stack.enter_context(backend)
        except OSError as exc:  # the scheduler cannot be reached
            raise UserError(
                f"cannot reach the Dask scheduler {args.scheduler}: {exc}"
            ) from None
        for protocol, recipe_names in by_protocol.items():
            result = run_benchmark(
                {name: recipes[name] for name in recipe_names},
                data.paths,
                data.target,
                data.groups,
                protocol=protocol,
                n_splits=args.folds,
                random_state=args.seed,
                corpus=corpus,
                progress=not args.quiet,
                memory=args.cache_dir,
                n_jobs=_n_jobs(args),
            )
            folder = out if len(by_protocol) == 1 else out / protocol.replace("/", "-")
            written = result.save(folder)
            print()
            print(result.to_markdown())
            print(f"Wrote {', '.join(str(p) for p in written)}")
    print(f"Benchmark finished in {time.perf_counter() - start:.1f} s.")
    return 0


def _check_tuning(cv, data, recipes) -> None:
    """Every training fold must hold as many speakers as the inner search has folds."""
    import numpy as np

    from .benchmark._cv import check_inner_splits

    groups = np.asarray(data.groups, dtype=object).astype(str)
    splits = list(cv.split(np.zeros((len(groups), 1)), data.target, groups))
    for name, recipe in recipes.items():
        check_inner_splits(name, recipe.named_steps["search"], splits, groups)


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
    tuned = ", tuned by speaker-grouped inner CV" if args.tune else ""
    return f"{name}; {args.budget} budget{tuned}"


def _run_train(args) -> int:
    from .persistence import save_model

    (name,) = _recipe_names(args.recipe)
    out = Path(args.out)
    model = _make_recipes([name], args)[name]
    data = _load_dataset(args, out.parent)
    _check_speakers_for_tuning(args, data)
    fit_params = {"search__groups": data.groups} if args.tune else {}
    start = time.perf_counter()
    model.fit(data.paths, data.target, **fit_params)
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
