"""Regenerate the reproduction report, ``docs/reproduction.md``.

Every recipe is cross-validated on each available real corpus twice: under
the protocol its paper used (repeated random splits over clips, so the same
speakers are in training and test) and under the speaker-independent
protocol. The page compares both with the number the paper reports. With
``--tune`` each recipe that has a grid is also run with its hyperparameters
chosen by an inner speaker-grouped search on the training folds. A learning
curve over the number of training speakers measures how each model's
speaker-independent score grows with data. Each run's JSON and figures go to
``--out``.

Usage::

    python benchmarks/reproduce.py --quick   # CPU budget, every recipe: hours, 2 cores
    python benchmarks/reproduce.py           # paper budget, meant for a GPU
    python benchmarks/reproduce.py --quick --recipes svm,stacked_lstm:paper

A recipe written ``name:paper`` or ``name:cpu`` runs at that budget whatever
the default; every row says which budget it used. Finished runs are cached
under ``--out`` (keyed by the run and the data), so a second call recomputes
only what changed in this script's runs; delete ``--out`` to start afresh.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.model_selection import ParameterGrid

import sklearn_ser
from sklearn_ser.benchmark import BenchmarkResult, RecipeResult, run_benchmark
from sklearn_ser.datasets import load_ravdess, load_tess
from sklearn_ser.recipes import BUDGETS, RECIPES, make_recipe

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_REPORT = REPO / "docs" / "reproduction.md"
CURVE_FIGURE = "_static/reproduction_speaker_curve.png"
#: The recipes that --quick gives tuned rows: tuning costs 7 fits per fold,
#: which the three spectrogram and MFCC-map networks cannot afford on a CPU.
QUICK_TUNED = ("svm", "random_forest", "stacked_lstm", "conv1d_lstm")
CURVE_RECIPES = ("svm", "stacked_lstm", "conv1d_lstm")
#: The deep curve recipes are also trained for this many times their epochs.
EPOCHS_FACTOR = 4
INNER_SPLITS = 3
#: A row whose train UAR is below this multiple of chance is flagged as unfitted.
UNFITTED_FACTOR = 2.0
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
        "used all 24 actors (1,440 speech clips), 003 with 6 of the emotions.",
    ),
    Corpus(
        "tess",
        "TESS",
        "tess",
        load_tess,
        "a 280-clip subset of both speakers (7 emotions); the 001 paper used "
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

    @property
    def label(self) -> str:
        extra = ", tuned" if self.tuned else ""
        if self.epochs_factor != 1:
            extra += f", {self.epochs_factor}x epochs"
        if self.stats:
            extra += f", {'+'.join(self.stats)} statistics"
        return f"{self.recipe} ({self.budget}{extra})"

    @property
    def slug(self) -> str:
        slug = f"{self.recipe}-{self.budget}{'-tuned' if self.tuned else ''}"
        slug += f"-{self.epochs_factor}x" if self.epochs_factor != 1 else ""
        return slug + (f"-{'-'.join(self.stats)}" if self.stats else "")

    def build(self):
        settings = dict(budget=self.budget, random_state=SEED)
        if self.epochs_factor != 1:
            epochs = make_recipe(self.recipe, **settings).get_params()
            settings["max_epochs"] = self.epochs_factor * next(
                value for key, value in epochs.items() if key.endswith("max_epochs")
            )
        pipeline = make_recipe(
            self.recipe, tune=self.tuned, inner_splits=INNER_SPLITS, **settings
        )
        if self.stats:
            pipeline.set_params(features__stats=self.stats)
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


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    start = time.perf_counter()
    datasets, skipped = {}, []
    for corpus in CORPORA:
        root = args.data / corpus.folder
        if root.is_dir():
            datasets[corpus.key] = (corpus, corpus.loader(root), root)
        else:
            message = f"{corpus.title}: folder {root} not found; corpus skipped."
            print(message, file=sys.stderr)
            skipped.append(message)
    if not datasets:
        print(f"No corpus found below {args.data}; nothing to report.", file=sys.stderr)
        return 1
    tasks = _tasks(args, datasets)
    sources = _library_sources()
    cache = {task: _cache_path(task, datasets, args.out, sources) for task in tasks}
    found = {task: joblib.load(path) for task, path in cache.items() if path.is_file()}
    args.n_cached = len(found)
    todo = [task for task in tasks if task not in found]
    print(
        f"{len(tasks)} benchmark runs, {len(found)} from the cache; running "
        f"{len(todo)} on {args.jobs} process(es).",
        file=sys.stderr,
    )
    # Each run is cached as soon as it ends, so an interrupted call loses
    # only the runs in progress.
    results = Parallel(
        n_jobs=args.jobs, batch_size=1, verbose=10, return_as="generator_unordered"
    )(delayed(_run)(task, datasets[task.corpus][1:], args.out) for task in todo)
    for task, result in results:
        cache[task].parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(result, cache[task])
        found[task] = result
    elapsed = time.perf_counter() - start
    command = "python benchmarks/reproduce.py " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    text = _report(command.strip(), args, datasets, found, elapsed, skipped)
    args.report.write_text(text)
    print(text)
    print(f"Wrote {args.report} and the JSON results under {args.out}.")
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CPU budget for every recipe, and tuned rows for "
        + ", ".join(QUICK_TUNED),
    )
    parser.add_argument(
        "--recipes",
        default=None,
        help="comma-separated recipe names, each optionally with :cpu or :paper "
        "(default: all)",
    )
    parser.add_argument(
        "--tune",
        nargs="?",
        const="all",
        default=None,
        metavar="RECIPES",
        help="also run these recipes (comma-separated; alone: every requested "
        "recipe with a grid) with hyperparameters tuned by inner speaker-grouped "
        "CV, at the run's budget; names that --recipes does not request are "
        "ignored (default: " + ",".join(QUICK_TUNED) + " with --quick, none otherwise)",
    )
    parser.add_argument(
        "--no-tune",
        action="store_const",
        const="",
        dest="tune",
        help="no tuned rows",
    )
    parser.add_argument(
        "--curve",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="learning curve over training speakers on RAVDESS for "
        + ", ".join(CURVE_RECIPES)
        + " (default: on)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding ravdess-speech/ and tess/ (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmark_results" / "reproduction",
        help="folder for each run's JSON and figures, and the feature cache "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--folds-random",
        type=int,
        default=5,
        help="repetitions of the papers' random splits (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="benchmark runs in parallel processes, one torch thread each "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=DEFAULT_REPORT,
        help="Markdown page to write (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.folds_random < 2:
        parser.error(f"--folds-random must be >= 2; got {args.folds_random}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1; got {args.jobs}")
    if args.tune is None:
        args.tune = ",".join(QUICK_TUNED) if args.quick else ""
    args.budget = "cpu" if args.quick else "paper"
    try:
        args.rows = _rows(args.recipes, args.budget)
        args.tuned = _tuned(args.tune, args.rows)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _rows(text: str | None, budget: str) -> list[Row]:
    if text is None:
        return [Row(name, budget) for name in RECIPES]
    rows = []
    for item in _items(text):
        name, _, own_budget = item.partition(":")
        _check_known(name)
        if own_budget and own_budget not in BUDGETS:
            raise ValueError(
                f"unknown budget {own_budget!r} in {item!r}; valid budgets: "
                f"{', '.join(BUDGETS)}"
            )
        rows.append(Row(name, own_budget or budget))
    if not rows:
        raise ValueError("--recipes names no recipe")
    return rows


def _items(text: str) -> list[str]:
    """The non-empty entries of a comma-separated option."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _check_known(name: str, where: str = "") -> None:
    if name not in RECIPES:
        raise ValueError(
            f"unknown recipe {name!r}{where}; valid recipes: {', '.join(RECIPES)}"
        )


def _tuned(text: str, rows: list[Row]) -> tuple[str, ...]:
    """The recipes of ``--tune`` (``all``: every requested recipe with a grid)."""
    requested = dict.fromkeys(row.recipe for row in rows)
    if text == "all":
        return tuple(name for name in requested if RECIPES[name].param_grid)
    names = _items(text)
    for name in names:
        _check_known(name, " in --tune")
        if RECIPES[name].param_grid is None:
            raise ValueError(f"--tune: recipe {name!r} has no grid to tune")
    return tuple(name for name in names if name in requested)


def _all_rows(args) -> list[Row]:
    """The requested rows, plus tuned variants at the run's budget."""
    return list(args.rows) + [
        Row(row.recipe, row.budget, tuned=True)
        for row in args.rows
        if row.recipe in args.tuned and row.budget == args.budget
    ]


def _tasks(args, datasets) -> list[Task]:
    rows = _all_rows(args)
    tasks = []
    for key, (_, data, _) in datasets.items():
        n_speakers = len(set(data.groups))
        for row in rows:
            # An inner speaker-grouped search needs INNER_SPLITS training
            # speakers; TESS has two speakers in all.
            if row.tuned and n_speakers <= INNER_SPLITS:
                continue
            tasks += _paper_and_speaker_tasks(key, row, args.folds_random)
    if args.curve and "ravdess" in datasets:
        for name in CURVE_RECIPES:
            row = Row(name, args.budget)
            tasks += [Task("ravdess", row, "speaker", k) for k in _curve_sizes()]
            tasks.append(Task("ravdess", row, "speaker"))  # the curve's last point
            if RECIPES[name].deep:
                longer = Row(name, args.budget, epochs_factor=EPOCHS_FACTOR)
                tasks.append(Task("ravdess", longer, "speaker"))
        for plain, swapped in _feature_swaps(args.budget):
            tasks += [Task("ravdess", row, "speaker") for row in (plain, swapped)]
    # Each run once, longest first, so that parallel processes finish together.
    return sorted(dict.fromkeys(tasks), key=_expected_cost, reverse=True)


def _paper_and_speaker_tasks(corpus_key, row: Row, folds_random) -> tuple[Task, Task]:
    """A table row's two runs: its paper's random protocol and speaker-independent."""
    paper = RECIPES[row.recipe].paper_protocol
    return (
        Task(corpus_key, row, paper, n_splits=folds_random),
        Task(corpus_key, row, "speaker"),
    )


def _feature_swaps(budget) -> list[tuple[Row, Row]]:
    """The SVM and the stacked LSTM each on the other's statistics."""
    return [
        (Row("svm", budget), Row("svm", budget, stats=("mean",))),
        (
            Row("stacked_lstm", budget),
            Row("stacked_lstm", budget, stats=("mean", "std")),
        ),
    ]


def _curve_sizes() -> tuple[int, ...]:
    """Training speakers per point; the full fold (10 of 12) is the speaker run."""
    return (2, 4, 6, 8)


#: Rough seconds per RAVDESS fold with 2 jobs on the 2-core machine behind
#: docs/reproduction.md (measured for cnn_lstm and stacked_lstm, estimated
#: from one-epoch timings for the others); only used to start the longest
#: runs first.
FOLD_SECONDS = {
    "cpu": {"cnn_lstm": 500, "spectrogram_cnn": 400, "cnn_transformer": 150},
    "paper": {"stacked_lstm": 150},
}


def _expected_cost(task: Task) -> float:
    deep = RECIPES[task.row.recipe].deep
    default = (1000.0 if task.row.budget == "paper" else 12.0) if deep else 3.0
    cost = FOLD_SECONDS[task.row.budget].get(task.row.recipe, default)
    cost *= _fits_per_tuned_fold(task.row.recipe) if task.row.tuned else 1
    cost *= task.row.epochs_factor
    if task.train_speakers:
        cost *= task.train_speakers / 10
    return cost


def _fits_per_tuned_fold(name: str) -> int:
    """A tuned fold's fits: every grid point on every inner fold, plus the refit."""
    return len(ParameterGrid(RECIPES[name].param_grid)) * INNER_SPLITS + 1


def _library_sources() -> list[bytes]:
    """Every source file of sklearn_ser, for the cache key."""
    library = Path(sklearn_ser.__file__).parent
    return [path.read_bytes() for path in sorted(library.rglob("*.py"))]


def _cache_path(task: Task, datasets, out: Path, sources) -> Path:
    """Where a finished run is kept: keyed by the task, the clips and the library.

    The key includes every source file of sklearn_ser, so a changed library
    recomputes everything; delete ``--out`` to recompute anyway.
    """
    data = datasets[task.corpus][1]
    key = joblib.hash((repr(task), data.paths, data.target, data.groups, sources, SEED))
    return out / "run-cache" / f"{key}.joblib"


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
    )
    result.save(out / task.folder)
    return task, result


def _ms(result: RecipeResult, metric: str) -> str:
    mean, std = result.mean_std(metric)
    return f"{mean:.3f} ± {std:.3f}"


def _epochs(row: Row) -> str:
    epochs = {
        value
        for key, value in row.build().get_params().items()
        if key.endswith("max_epochs") and isinstance(value, int)
    }
    grid = RECIPES[row.recipe].param_grid or {}
    if row.tuned:
        epochs |= {v for k, values in grid.items() if "max_epochs" in k for v in values}
    return ", ".join(map(str, sorted(epochs))) or "–"


def _table(corpus_key, rows, found, folds_random) -> list[str]:
    lines = [
        "| recipe (budget) | paper reports | paper protocol | accuracy (paper "
        "protocol) | UAR (paper protocol) | UAR (speaker-indep.) | macro F1 "
        "(speaker-indep.) | accuracy (speaker-indep.) | train UAR (speaker-indep.) "
        "| max epochs | fit s/fold (paper / speaker) | device |",
        "|---" * 12 + "|",
    ]
    any_unfitted = False
    for row in rows:
        recipe = RECIPES[row.recipe]
        paper, speaker = (
            found.get(task)
            for task in _paper_and_speaker_tasks(corpus_key, row, folds_random)
        )
        if paper is None or speaker is None:
            continue
        p, s = paper.recipes[0], speaker.recipes[0]
        unfitted = _not_fitted(s)
        any_unfitted |= unfitted
        cells = [
            row.label,
            recipe.reported,
            f"{recipe.paper_protocol}, {paper.n_splits} splits",
            _ms(p, "accuracy"),
            _ms(p, "uar"),
            f"**{_ms(s, 'uar')}**",
            _ms(s, "macro_f1"),
            _ms(s, "accuracy"),
            _ms(s, "train_uar") + (" †" if unfitted else ""),
            _epochs(row),
            f"{p.mean_std('fit_time')[0]:.1f} / {s.mean_std('fit_time')[0]:.1f}",
            s.device,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if any_unfitted:
        lines += [
            "",
            f"† Train UAR below {UNFITTED_FACTOR:g} times chance: the fitted model "
            "does not recognise the emotions of its own training clips, so its "
            "test scores say nothing about the architecture beyond this budget.",
        ]
    return lines


def _not_fitted(result: RecipeResult) -> bool:
    """Whether a recipe's mean train UAR is near chance (1 / number of classes)."""
    chance = 1 / len(result.labels)
    return bool(result.mean_std("train_uar")[0] < UNFITTED_FACTOR * chance)


def _chosen(corpus_key, rows, found, folds_random) -> list[str]:
    """What each tuned row's inner search chose, fold by fold."""
    lines = []
    for row in (row for row in rows if row.tuned):
        for task in _paper_and_speaker_tasks(corpus_key, row, folds_random):
            result = found.get(task)
            if result is None:
                continue
            choices = [
                ", ".join(
                    f"{k.rsplit('__', 1)[-1]}={v}"
                    for k, v in (fold.best_params or {}).items()
                )
                for fold in result.recipes[0].folds
            ]
            lines.append(
                f"- {row.label}, {task.protocol}: "
                + "; ".join(f"({c})" for c in choices)
            )
    return lines


def _curve(found, budget) -> tuple[list[str], dict]:
    """Learning-curve table: mean test and train UAR per training speakers."""
    points: dict[str, list[tuple[int, RecipeResult]]] = {}
    for name in CURVE_RECIPES:
        row = Row(name, budget)
        full = found.get(Task("ravdess", row, "speaker"))
        runs = [found.get(Task("ravdess", row, "speaker", k)) for k in _curve_sizes()]
        if full is None or any(run is None for run in runs):
            continue
        sizes = [*_curve_sizes(), len(full.recipes[0].folds[0].train_speakers)]
        points[row.label] = [
            (k, run.recipes[0]) for k, run in zip(sizes, [*runs, full], strict=True)
        ]
    if not points:
        return [], {}
    sizes = [k for k, _ in next(iter(points.values()))]
    lines = [
        "| recipe | "
        + " | ".join(f"{k} speakers" for k in sizes)
        + " | slope per doubling | train UAR at "
        + f"{sizes[-1]} |",
        "|---" * (len(sizes) + 3) + "|",
    ]
    for label, series in points.items():
        uars = [result.mean_std("uar")[0] for _, result in series]
        slope = np.polyfit(np.log2(sizes), uars, 1)[0]
        cells = [label, *(_ms(result, "uar") for _, result in series)]
        cells += [f"{slope:+.3f}", _ms(series[-1][1], "train_uar")]
        lines.append("| " + " | ".join(cells) + " |")
    return lines, points


def _plot_curve(points, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, series in points.items():
        sizes = [k for k, _ in series]
        stats = [result.mean_std("uar") for _, result in series]
        ax.errorbar(
            sizes,
            [m for m, _ in stats],
            yerr=[s for _, s in stats],
            marker="o",
            capsize=3,
            label=label,
        )
    ax.axhline(1 / 8, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(k) for k in sizes])
    ax.set_xlabel("training speakers (RAVDESS actors)")
    ax.set_ylabel("speaker-independent UAR (6 folds)")
    ax.set_title("Test UAR on held-out actors vs training actors", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plain(text: str) -> str:
    """A numpydoc/reST paragraph as plain Markdown (roles become code spans)."""
    text = re.sub(r":\w+:`~?([\w.]+)`", lambda m: f"`{m[1].split('.')[-1]}`", text)
    text = re.sub(r"(\w)-\n\s*", r"\1-", text)
    return " ".join(text.replace("``", "`").split())


def _description(name: str) -> str:
    """The docstring's prose between the summary line and the parameters."""
    doc = RECIPES[name].build.__doc__ or ""
    body = doc.split("Parameters\n")[0].split("\n", 1)[-1]
    return _plain(body)


def _best(found, corpus_key, deep: bool):
    """(label, UAR mean) of the best full-data speaker-independent row."""
    scores = [
        (task.row.label, result.recipes[0].mean_std("uar")[0])
        for task, result in found.items()
        if task.corpus == corpus_key
        and task.protocol == "speaker"
        and task.train_speakers is None
        and RECIPES[task.row.recipe].deep == deep
    ]
    return max(scores, key=lambda item: item[1]) if scores else None


def _report(command, args, datasets, found, elapsed, skipped) -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    machine = next(iter(found.values())).to_dict()["machine"]
    rows = _all_rows(args)
    budgets = sorted({row.budget for row in rows})
    lines = [
        "# Reproduction report",
        "",
        "Each recipe is scored on the real corpora under the protocol its paper "
        "used (repeated random splits over clips, in which the same speakers are "
        "in training and test) and under the speaker-independent protocol "
        "(stratified k-fold grouped by speaker; leave-one-speaker-out for two "
        "speakers), and compared with the number its paper reports. This page "
        "is generated by `benchmarks/reproduce.py`; do not edit it by hand.",
        "",
        "## How it was generated",
        "",
        f"- Command: `{command}`",
        f"- Date: {now:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine}; torch with 1 intra-op thread per process, "
        f"{args.jobs} process(es)",
        f"- Time: {sum(r.elapsed for r in found.values()) / 60:.1f} min of "
        f"benchmark runs (features and all folds, summed over the {len(found)} "
        f"runs; {args.n_cached} of them read back from the cache of an earlier "
        f"call); this call took {elapsed / 60:.1f} min",
        f"- Seed: random_state={SEED} for every split and every model",
        "- Rows marked *tuned* chose their hyperparameters by a grid search "
        f"with {INNER_SPLITS} speaker-grouped inner folds on each outer training "
        "fold (scored by UAR; `make_recipe(name, tune=True)`), under both "
        "protocols; the grids are `Recipe.param_grid`, fixed before any run. "
        "Test folds never influence a choice. All other rows use fixed "
        "settings: the paper's (the recipe's defaults) or the budget's.",
    ]
    untuned = [
        name
        for name in dict.fromkeys(row.recipe for row in rows)
        if RECIPES[name].param_grid and name not in args.tuned
    ]
    if untuned:
        costs = ", ".join(f"{n} ({_fits_per_tuned_fold(n)} fits)" for n in untuned)
        lines.append(
            "- Not tuned in this run, to save time, though they have a grid "
            f"(tuning multiplies the fits per fold): {costs}. Their rows use fixed "
            "settings only."
        )
    if "cpu" in budgets:
        lines.append(
            "- Budget **cpu** (`BUDGETS['cpu']`: fewer epochs, 16 kHz audio, "
            "smaller recurrent layers, coarser log-mel spectrograms; the values "
            "are listed per recipe below): those deep rows are **not** reproductions "
            "of the papers; they show what a CPU-sized version of each system "
            "does. Budget **paper** rows use each paper's own settings."
        )
    lines += [
        "",
        "Scores are mean ± standard deviation over the splits (paper protocol) "
        "or folds (speaker-independent). UAR is the unweighted average recall "
        "(balanced accuracy); *train UAR* is the UAR of the fitted model on its "
        "own training fold. Fit time is per fold (including any inner search) "
        "on the machine above, which was shared with other jobs, so timings "
        "are noisy.",
        "",
    ]
    for key, (corpus, _, root) in datasets.items():
        result = found.get(Task(key, rows[0], "speaker"))
        lines += [
            f"## {corpus.title}",
            "",
            f"Our copy (`{root.name}`): {corpus.note} Speaker-independent "
            f"protocol: {result.n_splits} folds over {result.n_speakers} speakers.",
            "",
            *_table(key, rows, found, args.folds_random),
            "",
        ]
        if len(set(datasets[key][1].groups)) <= INNER_SPLITS and args.tuned:
            lines += [
                f"No tuned rows: with {len(set(datasets[key][1].groups))} speakers, "
                f"a training fold cannot hold {INNER_SPLITS} speaker-grouped inner "
                "folds.",
                "",
            ]
        chosen = _chosen(key, rows, found, args.folds_random)
        if chosen:
            lines += ["What the inner searches chose, per outer fold:", "", *chosen, ""]
    lines += _explanation(args, found)
    lines += _not_run(rows)
    if skipped:
        lines += ["## Skipped corpora", "", *(f"- {m}" for m in skipped), ""]
    lines += ["## What we changed or assumed", ""]
    for name in dict.fromkeys(row.recipe for row in rows):
        lines += [f"### {name}", "", f"{RECIPES[name].summary}. {_description(name)}"]
        lines.append("")
        if "augment" in RECIPES[name].parameters():
            lines.append(
                "- AWGN augmentation runs inside each training fold only: no "
                "noisy copy of a test clip is trained on."
            )
        else:
            lines.append("- No augmentation.")
        overrides = BUDGETS["cpu"].get(name)
        if overrides and any(r.budget == "cpu" for r in rows if r.recipe == name):
            settings = ", ".join(f"`{k}={v!r}`" for k, v in overrides.items())
            lines.append(f"- CPU budget values: {settings}.")
        grid = RECIPES[name].param_grid
        if grid and name in args.tuned:
            values = "; ".join(f"`{k}` in {list(v)}" for k, v in grid.items())
            lines.append(f"- Tuning grid: {values}.")
        lines.append("")
    lines += [
        "## Why the numbers differ from the papers",
        "",
        "Random splits over clips put every speaker in both training and test, "
        "and on RAVDESS the same actor says the same two sentences in every "
        "emotion, so a model can recognise the speaker and the recording rather "
        "than the emotion: the paper-protocol scores overestimate what a model "
        "does on a new speaker. The speaker-independent protocol measures that. "
        "On TESS, with two speakers, speaker-independent means training on one "
        "woman and testing on the other. Our corpora are also smaller than the "
        "papers' (12 of 24 RAVDESS actors; 280 of 2,800 TESS clips), so every "
        "model has less to learn from, and with the CPU budget the deep models "
        "train for far fewer epochs, on smaller networks, than in the papers. "
        "Finally, two papers augmented before splitting, which leaks noisy "
        "copies of test clips into training; we do not.",
        "",
    ]
    return "\n".join(lines)


def _not_run(rows) -> list[str]:
    """The registered recipes this invocation left out, with their papers' claims."""
    missing = [name for name in RECIPES if name not in {row.recipe for row in rows}]
    if not missing:
        return []
    return [
        "## Not run in this invocation",
        "",
        "These recipes were not part of the command above, so this page has no "
        "number of ours for them. `python benchmarks/bench_classifiers.py` "
        "measures what one epoch of each network costs on a machine; the "
        "papers' budgets need a GPU (`python benchmarks/reproduce.py`, or "
        "`--recipes name:paper`).",
        "",
        "| recipe | paper reports | paper protocol |",
        "|---|---|---|",
        *(
            f"| {name} ({RECIPES[name].summary}) | {RECIPES[name].reported} | "
            f"{RECIPES[name].paper_protocol} |"
            for name in missing
        ),
        "",
    ]


def _explanation(args, found) -> list[str]:
    """Deep vs classical on RAVDESS, speaker-independently, with the curves."""
    classical, deep = _best(found, "ravdess", False), _best(found, "ravdess", True)
    lines = []
    if classical is not None and deep is not None:
        verdict = "beats" if deep[1] > classical[1] else "does not beat"
        lines += [
            f"The best deep row, {deep[0]} at UAR {deep[1]:.3f}, {verdict} the "
            f"best classical row, {classical[0]} at UAR {classical[1]:.3f} "
            "(6 folds, means; compare with the fold standard deviations in the "
            "tables). Picking the best of several rows by their test scores "
            "flatters the winner, so both numbers are optimistic; the tuned rows "
            "are the honest choice within a model family.",
            "",
        ]
    longer = _longer_training(found, args.budget)
    if longer:
        lines += [
            f"Longer training: the deep curve recipes at their budget's epochs and "
            f"at {EPOCHS_FACTOR} times as many (fixed settings, full training "
            "folds). A train UAR near 1 with a low test UAR is overfitting to "
            "the training actors; a low train UAR is underfitting (too little "
            "training).",
            "",
            *longer,
            "",
        ]
    swaps = _swap_table(found, args.budget)
    if swaps:
        lines += [
            "Same inputs: the classical recipes read the means *and* standard "
            "deviations of the 170 frame-level features (340 values), the "
            "stacked LSTM only the 170 means, as its paper does. Each on the "
            "other's statistics (fixed settings, full training folds):",
            "",
            *swaps,
            "",
        ]
    table, points = _curve(found, args.budget)
    if table:
        _plot_curve(points, args.report.parent / CURVE_FIGURE)
        lines += [
            "Learning curve: every model trained on 2, 4, 6 and 8 randomly drawn "
            "actors of each training fold (the same draw for every model) and on "
            "all 10, and tested on the fold's 2 held-out actors (6 folds; "
            "`run_benchmark(..., train_speakers=k)`). The slope is a "
            "least-squares fit of UAR against log2(speakers): what one doubling "
            "of the actors adds.",
            "",
            *table,
            "",
            f"![Speaker-independent UAR against training actors]({CURVE_FIGURE})",
            "",
        ]
    if not lines:
        return []
    return ["## Deep vs classical on RAVDESS, speaker-independently", "", *lines]


def _swap_table(found, budget) -> list[str]:
    lines = [
        "| recipe | statistics | UAR (speaker-indep.) | train UAR |",
        "|---" * 4 + "|",
    ]
    for pair in _feature_swaps(budget):
        for row in pair:
            result = found.get(Task("ravdess", row, "speaker"))
            if result is None:
                continue
            stats = row.build().named_steps["features"].stats
            r = result.recipes[0]
            lines.append(
                f"| {row.label} | {' + '.join(stats)} | {_ms(r, 'uar')} | "
                f"{_ms(r, 'train_uar')} |"
            )
    return lines if len(lines) > 2 else []


def _longer_training(found, budget) -> list[str]:
    lines = [
        "| recipe | max epochs | UAR (speaker-indep.) | train UAR | fit s/fold |",
        "|---" * 5 + "|",
    ]
    for name in (name for name in CURVE_RECIPES if RECIPES[name].deep):
        for factor in (1, EPOCHS_FACTOR):
            row = Row(name, budget, epochs_factor=factor)
            result = found.get(Task("ravdess", row, "speaker"))
            if result is None:
                continue
            r = result.recipes[0]
            lines.append(
                f"| {row.label} | {_epochs(row)} | {_ms(r, 'uar')} | "
                f"{_ms(r, 'train_uar')} | {r.mean_std('fit_time')[0]:.1f} |"
            )
    return lines if len(lines) > 2 else []


if __name__ == "__main__":
    raise SystemExit(main())
