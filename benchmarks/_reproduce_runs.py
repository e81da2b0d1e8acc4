"""The runs of the reproduction report: what to run, running it, and its cache.

A :class:`Row` is a recipe at a budget (tuned or not, longer training, other
statistics); a :class:`Task` is one ``run_benchmark`` call of a row on a
corpus under a protocol. :func:`run_all` runs the tasks that its cache does
not hold. Each run is cached under a key made of what it depends on
(:func:`cache_key`): the task, the clips, the seed, the library's version and
the source of the ``sklearn_ser`` modules the row's pipeline and the
benchmark run execute, so editing an unrelated module (the command line,
model files, another recipe's network) keeps the cached runs.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import joblib
import torch
from joblib import Parallel, delayed
from sklearn.model_selection import ParameterGrid

import sklearn_ser
from sklearn_ser.benchmark import BenchmarkResult, run_benchmark
from sklearn_ser.benchmark._cache import _ours, _source
from sklearn_ser.benchmark._cache import import_closure as _import_closure
from sklearn_ser.datasets import load_ravdess, load_tess
from sklearn_ser.preprocessing import ClipNormalizer
from sklearn_ser.recipes import RECIPES, make_recipe

#: The recipes that --quick gives tuned rows: tuning costs 7 fits per fold,
#: which the three spectrogram and MFCC-map networks cannot afford on a CPU.
QUICK_TUNED = ("svm", "random_forest", "stacked_lstm", "conv1d_lstm")

#: The recipes of the learning curve over training speakers (those requested).
CURVE_RECIPES = ("svm", "stacked_lstm", "conv1d_lstm", "attentive_crnn")

#: The deep curve recipes also trained for EPOCHS_FACTOR times their epochs;
#: attentive_crnn's 4x run would take about 25 minutes of one core per fold.
LONGER_RECIPES = ("stacked_lstm", "conv1d_lstm")

#: The recipes also run with per-speaker normalisation (transductive, so only
#: under the speaker-independent protocol, in a table of their own).
NORMALISED_RECIPES = ("svm", "attentive_crnn")

#: The recipes also run with each clip's mean removed along time
#: (ClipNormalizer; inductive, speaker-independent protocol only).
CLIP_NORMALISED_RECIPES = ("attentive_crnn",)

#: The recipe whose training options --ablation switches off one at a time,
#: and the parameters that switch each off.
ABLATION_RECIPE = "attentive_crnn"
ABLATIONS = {
    "masks": {"classifier__time_mask": 0, "classifier__freq_mask": 0},
    "mixup": {"classifier__mixup_alpha": 0.0},
    "schedule": {"classifier__lr_schedule": "constant"},
    "label smoothing": {"classifier__label_smoothing": 0.0},
}

#: How many times their epochs LONGER_RECIPES are also trained for.
EPOCHS_FACTOR = 4

INNER_SPLITS = 3

SEED = 0


@dataclass(frozen=True)
class Corpus:
    key: str
    title: str
    folder: str
    loader: object
    note: str


CORPORA = (
    Corpus(
        "ravdess",
        "RAVDESS (speech)",
        "ravdess-speech",
        load_ravdess,
        "12 of the 24 actors, speech only (720 clips, 8 emotions); the papers "
        "used all 24 actors (1,440 speech clips), Ayadi and Lachiri 6 of the emotions.",
    ),
    Corpus(
        "tess",
        "TESS",
        "tess",
        load_tess,
        "a 280-clip subset of both speakers (7 emotions); Bledea's paper used "
        "all 2,800 clips.",
    ),
)


@dataclass(frozen=True)
class Row:
    """One line of a table: a recipe at a budget, tuned or not."""

    recipe: str
    budget: str
    tuned: bool = False
    epochs_factor: int = 1
    stats: tuple[str, ...] | None = None  # AcousticStats170 statistics
    #: Features standardised per speaker, test speakers' included: transductive.
    speaker_norm: bool = False
    #: A training option of ABLATIONS switched off. Not in the repr, which
    #: keys the cache of runs made before the field existed; cache_key adds it.
    without: str | None = field(default=None, repr=False)
    #: Each clip's mean over its frames removed (ClipNormalizer); like
    #: ``without``, not in the repr.
    clip_norm: bool = field(default=False, repr=False)
    #: The pretrained encoder (folder or hub id) of a recipe that takes one;
    #: not in the repr, and keyed by its weights' SHA-256, not its path.
    encoder: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        extra = ", tuned" if self.tuned else ""
        if self.epochs_factor != 1:
            extra += f", {self.epochs_factor}x epochs"
        if self.stats:
            extra += f", {'+'.join(self.stats)} statistics"
        if self.speaker_norm:
            extra += ", per-speaker normalisation, transductive"
        if self.without:
            extra += f", without {self.without}"
        if self.clip_norm:
            extra += ", per-clip normalisation"
        return f"{self.recipe} ({self.budget}{extra})"

    @property
    def slug(self) -> str:
        slug = f"{self.recipe}-{self.budget}{'-tuned' if self.tuned else ''}"
        slug += f"-{self.epochs_factor}x" if self.epochs_factor != 1 else ""
        slug += "-speaker-norm" if self.speaker_norm else ""
        slug += f"-without-{self.without.replace(' ', '-')}" if self.without else ""
        slug += "-clip-norm" if self.clip_norm else ""
        return slug + (f"-{'-'.join(self.stats)}" if self.stats else "")

    def build(self):
        settings = dict(budget=self.budget, random_state=SEED)
        if self.epochs_factor != 1:
            epochs = make_recipe(self.recipe, **settings).get_params()
            settings["max_epochs"] = self.epochs_factor * next(
                value for key, value in epochs.items() if key.endswith("max_epochs")
            )
        if self.encoder is not None:
            settings["encoder"] = self.encoder
        pipeline = make_recipe(
            self.recipe, tune=self.tuned, inner_splits=INNER_SPLITS, **settings
        )
        if self.stats:
            pipeline.set_params(features__stats=self.stats)
        if self.without:
            pipeline.set_params(**ABLATIONS[self.without])
        if self.clip_norm:
            pipeline.steps.insert(-1, ("clip_norm", ClipNormalizer()))
        return pipeline


@dataclass(frozen=True)
class Task:
    """One call of run_benchmark: a row on a corpus under a protocol."""

    corpus: str
    row: Row
    protocol: str
    train_speakers: int | None = None
    n_splits: int | None = None  # None: the protocol's default

    @property
    def folder(self) -> str:
        protocol = self.protocol.replace("/", "-")
        suffix = f"-{self.train_speakers}speakers" if self.train_speakers else ""
        return f"{self.corpus}/{self.row.slug}/{protocol}{suffix}"


def all_rows(args) -> list[Row]:
    """The requested rows, plus tuned variants at the run's budget."""
    return list(args.rows) + [
        replace(row, tuned=True)
        for row in args.rows
        if row.recipe in args.tuned and row.budget == args.budget
    ]


def normalised_rows(args, per: str) -> list[Row]:
    """The requested rows normalised ``per`` "speaker" or "clip".

    Those of :data:`NORMALISED_RECIPES` or :data:`CLIP_NORMALISED_RECIPES`
    that the call runs (``args.normalised``, ``args.clip_normalised``).
    """
    names, flag = {
        "speaker": (args.normalised, "speaker_norm"),
        "clip": (args.clip_normalised, "clip_norm"),
    }[per]
    return [
        Row(row.recipe, row.budget, **{flag: True})
        for row in args.rows
        if row.recipe in names
    ]


def plan_tasks(args, datasets) -> list[Task]:
    rows = all_rows(args)
    tasks = []
    for key, (_, data, _) in datasets.items():
        n_speakers = len(set(data.groups))
        for row in rows:
            # An inner speaker-grouped search needs INNER_SPLITS training
            # speakers; TESS has two speakers in all.
            if row.tuned and n_speakers <= INNER_SPLITS:
                continue
            tasks += paper_and_speaker_tasks(key, row, args.folds_random)
        tasks += [
            Task(key, row, "speaker")
            for per in ("speaker", "clip")
            for row in normalised_rows(args, per)
        ]
    tasks = [
        task
        for task in tasks
        if task.protocol == "speaker" or task.row.recipe in args.paper_protocols
    ]
    if args.curve_recipes and "ravdess" in datasets:
        for name in args.curve_recipes:
            row = Row(name, args.budget)
            tasks += [Task("ravdess", row, "speaker", k) for k in curve_sizes()]
            tasks.append(Task("ravdess", row, "speaker"))  # the curve's last point
            if name in LONGER_RECIPES:
                longer = Row(name, args.budget, epochs_factor=EPOCHS_FACTOR)
                tasks.append(Task("ravdess", longer, "speaker"))
        for plain, swapped in feature_swaps(args.budget):
            tasks += [Task("ravdess", row, "speaker") for row in (plain, swapped)]
    if args.ablation and "ravdess" in datasets:
        tasks += [Task("ravdess", row, "speaker") for row in ablation_rows(args.budget)]
    # Each run once, longest first, so that parallel processes finish together.
    return sorted(dict.fromkeys(tasks), key=_expected_cost, reverse=True)


def paper_and_speaker_tasks(corpus_key, row: Row, folds_random) -> tuple[Task, Task]:
    """A table row's two runs: its paper's random protocol and speaker-independent."""
    paper = RECIPES[row.recipe].paper_protocol
    return (
        Task(corpus_key, row, paper, n_splits=folds_random),
        Task(corpus_key, row, "speaker"),
    )


def ablation_rows(budget) -> list[Row]:
    """The ablation recipe with everything on, then with each option off."""
    return [Row(ABLATION_RECIPE, budget)] + [
        Row(ABLATION_RECIPE, budget, without=name) for name in ABLATIONS
    ]


def feature_swaps(budget) -> list[tuple[Row, Row]]:
    """The SVM and the stacked LSTM each on the other's statistics."""
    return [
        (Row("svm", budget), Row("svm", budget, stats=("mean",))),
        (
            Row("stacked_lstm", budget),
            Row("stacked_lstm", budget, stats=("mean", "std")),
        ),
    ]


def curve_sizes() -> tuple[int, ...]:
    """Training speakers per point; the full fold (10 of 12) is the speaker run."""
    return (2, 4, 6, 8)


#: Rough seconds per RAVDESS fold with 2 jobs on the 2-core machine behind
#: docs/reproduction.md (measured for cnn_lstm and stacked_lstm, estimated
#: from one-epoch timings for the others); only used to start the longest
#: runs first.
FOLD_SECONDS = {
    "cpu": {
        "cnn_lstm": 500,
        "attentive_crnn": 500,
        "spectrogram_cnn": 400,
        "cnn_transformer": 150,
    },
    "paper": {"stacked_lstm": 150},
}


def _expected_cost(task: Task) -> float:
    deep = RECIPES[task.row.recipe].deep
    default = (1000.0 if task.row.budget == "paper" else 12.0) if deep else 3.0
    cost = FOLD_SECONDS[task.row.budget].get(task.row.recipe, default)
    cost *= fits_per_tuned_fold(task.row.recipe) if task.row.tuned else 1
    cost *= task.row.epochs_factor
    if task.train_speakers:
        cost *= task.train_speakers / 10
    return cost


def fits_per_tuned_fold(name: str) -> int:
    """A tuned fold's fits: every grid point on every inner fold, plus the refit."""
    return len(ParameterGrid(RECIPES[name].param_grid)) * INNER_SPLITS + 1


def run_all(tasks, datasets, out: Path, jobs: int) -> tuple[dict, int]:
    """Every task's result, from the cache or run now; and how many were cached.

    Each run is cached as soon as it ends, so an interrupted call loses only
    the runs in progress.
    """
    cache = {task: _cache_path(task, datasets, out) for task in tasks}
    found = {task: joblib.load(path) for task, path in cache.items() if path.is_file()}
    n_cached = len(found)
    todo = [task for task in tasks if task not in found]
    print(
        f"{len(tasks)} benchmark runs, {n_cached} from the cache; running "
        f"{len(todo)} on {jobs} process(es).",
        file=sys.stderr,
    )
    results = Parallel(
        n_jobs=jobs, batch_size=1, verbose=10, return_as="generator_unordered"
    )(delayed(_run)(task, datasets[task.corpus][1:], out) for task in todo)
    for task, result in results:
        cache[task].parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(result, cache[task])
        found[task] = result
    return found, n_cached


def _cache_path(task: Task, datasets, out: Path) -> Path:
    """Where a finished run is kept; delete ``--out`` to recompute anyway."""
    data = datasets[task.corpus][1]
    return out / "run-cache" / f"{cache_key(task, data)}.joblib"


def cache_key(task: Task, data) -> str:
    """A run's key: the task, the clips, the seed, the version and its modules' source.

    The modules are those of :func:`run_modules` for the task's row, so a
    change to any code the run executes recomputes it, and a change anywhere
    else does not.
    """
    sources = {name: _source(name) for name in run_modules(task.row)}
    # The fields left out of the repr, when set (so older keys stay valid).
    late = [
        encoder_digest(value) if f.name == "encoder" else value
        for f in fields(Row)
        if not f.repr and (value := getattr(task.row, f.name)) != f.default
    ]
    return joblib.hash(
        (
            repr(task),
            *late,
            data.paths,
            data.target,
            data.groups,
            SEED,
            sklearn_ser.__version__,
            sources,
        )
    )


@functools.lru_cache
def encoder_digest(encoder: str) -> str:
    """A pretrained encoder's identity in a key: the SHA-256 of its weights."""
    from sklearn_ser.features._encoder_backbone import (
        resolve_model_folder,
        weights_sha256,
    )

    return weights_sha256(resolve_model_folder(encoder))


#: What every run executes besides its pipeline: cross-validation, the
#: feature cache, scoring and the result objects that are cached.
_BENCHMARK_MODULES = ("sklearn_ser.benchmark._cv",)


@functools.lru_cache
def run_modules(row: Row) -> tuple[str, ...]:
    """The ``sklearn_ser`` modules that a row's runs execute, sorted.

    Start from the modules that define the row's built pipeline's estimators
    (every step, nested estimators and the classifiers' network classes),
    the registry (budgets, grids, tuning) and the benchmark; add,
    transitively, every ``sklearn_ser`` module they import (at any level,
    including inside functions), and the module of the recipe function. A
    name imported from a package counts as the submodule that defines it, so
    a row that uses one network does not depend on its siblings.
    """
    pipeline = row.build()
    roots = {"sklearn_ser.recipes._registry", *_BENCHMARK_MODULES}
    for value in pipeline.get_params(deep=True).values():
        origin = value if isinstance(value, type) else type(value)
        roots.add(origin.__module__)
    modules = _import_closure(r for r in roots if _ours(r))
    # The recipe function's own module counts (it sets the defaults), but not
    # what it imports: the builders of the other recipes' networks.
    return tuple(sorted({*modules, RECIPES[row.recipe].build.__module__}))


def _run(task: Task, corpus_data, out: Path) -> tuple[Task, BenchmarkResult]:
    """Run one task (in a worker process); save and return it with its result."""
    torch.set_num_threads(1)
    data, root = corpus_data
    result = run_benchmark(
        {task.row.label: task.row.build()},
        data.paths,
        data.target,
        data.groups,
        protocol=task.protocol,
        n_splits=task.n_splits,
        random_state=SEED,
        corpus=f"{root.name} ({root}); {task.row.budget} budget",
        progress=False,
        memory=out / "feature-cache",
        train_speakers=task.train_speakers,
        speaker_normalization=task.row.speaker_norm,
    )
    result.save(out / task.folder)
    return task, result
