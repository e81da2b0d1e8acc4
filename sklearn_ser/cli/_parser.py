"""The argument definitions of the ``sklearn-ser`` command line."""

from __future__ import annotations

import argparse

from .. import __version__
from . import _benchmark, _predict, _recipes, _segments, _train
from ._common import DATASETS
from ._loading import DeprecatedAlias, add_label_options, add_window_options


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, each with its runner as ``run``."""
    from ..recipes import DEFAULT_BENCHMARK_RECIPES

    parser = _Parser(
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
    add_label_options(bench)
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
    add_window_options(bench)
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
    bench.set_defaults(run=_benchmark.run)

    train = commands.add_parser(
        "train", help="fit a recipe on a whole corpus and save the model"
    )
    train.add_argument("--recipe", required=True, help="recipe name")
    _add_dataset_options(train)
    add_label_options(train)
    _add_training_options(train)
    add_window_options(train)
    train.add_argument("--out", required=True, help="model file to write (*.sser)")
    train.set_defaults(run=_train.run)

    predict = commands.add_parser(
        "predict", help="predict the emotion of audio files with a saved model"
    )
    predict.add_argument("--model", required=True, help="model file from `train`")
    predict.add_argument("files", nargs="+", help="audio files")
    predict.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _segments.add_arguments(predict)
    predict.add_argument(
        "--encoder",
        metavar="PATH_OR_ID",
        default=None,
        help="where the model's pretrained encoder is now, if it moved since "
        "training (its weights must be the ones the model was trained with)",
    )
    predict.set_defaults(run=_predict.run)

    recipes = commands.add_parser("recipes", help="list the available recipes")
    recipes.set_defaults(run=_recipes.run)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line and a hint instead of the usage.

    The command's subparsers are of this class too (``add_subparsers``
    takes the parent's class).
    """

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
        help="with --dataset folder: regex searched in each file's path below "
        "its label folder (below --root with --label-pattern); its group "
        "'speaker', else its first group, is the speaker id, e.g. '^(spk[0-9]+)_'",
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
        "--fit-jobs",
        "--jobs",
        dest="jobs",
        metavar="N",
        type=int,
        default=None,
        action=DeprecatedAlias,
        deprecated=("--jobs",),
        help="(recipe, fold) fits run at once, in worker processes (-1: one per "
        "core; default: 1); with --dask, the local cluster's workers (default: "
        "one per core); the results do not depend on it (--jobs: deprecated name)",
    )
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument(
        "--dask",
        action="store_true",
        help="run the fits on a local Dask cluster of --fit-jobs worker processes "
        "(default: one per core); needs pip install sklearn-ser[dask]",
    )
    cluster.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the fits on the Dask cluster of this scheduler "
        "(e.g. tcp://10.0.0.1:8786); its workers need sklearn-ser installed",
    )


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", default=None, help="auto, cpu or cuda (default: the recipe's)"
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs of deep recipes"
    )
    parser.add_argument(
        "--feature-jobs",
        "--n-jobs",
        dest="n_jobs",
        metavar="N",
        type=int,
        default=None,
        action=DeprecatedAlias,
        deprecated=("--n-jobs",),
        help="threads or processes that load and featurise the clips within each "
        "fit (the steps' n_jobs; default: the recipe's) (--n-jobs: deprecated name)",
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
    parser.add_argument(
        "--encoder",
        metavar="PATH_OR_ID",
        default=None,
        help="pretrained speech encoder of the encoder_* recipes: a local "
        "transformers checkpoint folder or a Hugging Face hub id (default: "
        "openai/whisper-tiny.en); needs pip install sklearn-ser[pretrained]",
    )
    parser.add_argument(
        "--encoder-revision",
        metavar="REV",
        default=None,
        help="hub revision (branch, tag or commit) of --encoder",
    )
