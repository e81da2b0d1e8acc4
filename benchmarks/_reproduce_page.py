"""The reproduction report's page: tables, learning curve and prose from the runs.

:func:`render_report` turns the finished runs (``{Task: BenchmarkResult}``)
into the Markdown of ``docs/reproduction.md``; it runs nothing.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import numpy as np
from _reproduce_runs import (
    ABLATION_RECIPE,
    ABLATIONS,
    EPOCHS_FACTOR,
    INNER_SPLITS,
    LONGER_RECIPES,
    SEED,
    Row,
    Task,
    ablation_rows,
    all_rows,
    curve_sizes,
    encoder_digest,
    feature_swaps,
    fits_per_tuned_fold,
    normalised_rows,
    paper_and_speaker_tasks,
)

from sklearn_ser.benchmark import RecipeResult
from sklearn_ser.recipes import BUDGETS, RECIPES

CURVE_FIGURE = "_static/reproduction_speaker_curve.png"

#: Speaker-independent scores of the deep rows before the training fixes of
#: 2026-11-30, as the page generated on 2026-11-22 reported them.
BEFORE = Path(__file__).resolve().parent / "reproduction_before.json"

#: A row whose train UAR is below this multiple of chance is flagged as unfitted.
UNFITTED_FACTOR = 2.0


def _ms(result: RecipeResult, metric: str) -> str:
    return _pm(*result.mean_std(metric))


def _pm(mean: float, std: float) -> str:
    return f"{mean:.3f} ± {std:.3f}"


def _signed(difference: float) -> str:
    """A difference of scores to 3 decimals, signed, with no "-0.000"."""
    return f"{round(difference, 3) + 0.0:+.3f}"


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
            for task in paper_and_speaker_tasks(corpus_key, row, folds_random)
        )
        if speaker is None:
            continue
        s = speaker.recipes[0]
        unfitted = not_fitted(s)
        any_unfitted |= unfitted
        if paper is None:  # not among --paper-protocols
            paper_cells = [recipe.paper_protocol + ", not run", "–", "–"]
            paper_time = "–"
        else:
            p = paper.recipes[0]
            paper_cells = [
                f"{recipe.paper_protocol}, {paper.n_splits} splits",
                _ms(p, "accuracy"),
                _ms(p, "uar"),
            ]
            paper_time = f"{p.mean_std('fit_time')[0]:.1f}"
        cells = [
            row.label,
            recipe.reported,
            *paper_cells,
            f"**{_ms(s, 'uar')}**",
            _ms(s, "macro_f1"),
            _ms(s, "accuracy"),
            _ms(s, "train_uar") + (" †" if unfitted else ""),
            _epochs(row),
            f"{paper_time} / {s.mean_std('fit_time')[0]:.1f}",
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


def _normalisation(corpus_key, args, found) -> list[str]:
    """The per-speaker and per-clip normalised rows next to their plain rows."""
    speaker = _variant_table(
        corpus_key,
        normalised_rows(args, "speaker"),
        found,
        "UAR, per-speaker normalisation (transductive)",
    )
    clip = _variant_table(
        corpus_key,
        normalised_rows(args, "clip"),
        found,
        "UAR, per-clip normalisation",
    )
    lines = []
    if speaker:
        lines += [
            "Per-speaker normalisation: the same recipes with every speaker's "
            "features standardised by that speaker's own mean and standard "
            "deviation (`run_benchmark(..., speaker_normalization=True)`, "
            "`SpeakerStandardizer`). The statistics of a test speaker come from "
            "that speaker's unlabelled test clips, so these numbers are "
            "**transductive**: they assume every test speaker's clips are at hand "
            "before any is classified. They are not comparable with the table "
            "above, whose test speakers are unseen in every way.",
            "",
            *speaker,
            "",
        ]
    if clip:
        lines += [
            "Per-clip normalisation: the same recipe with each clip's log-mel "
            "bands centred on that clip's own mean over its frames "
            "(`ClipNormalizer` between the features and the classifier). Every "
            "clip is normalised from its own frames only, so these numbers are "
            "inductive, as in the table above.",
            "",
            *clip,
            "",
        ]
    return lines


def _variant_table(corpus_key, rows, found, column) -> list[str]:
    """Each row's speaker-independent UAR next to its plain row's."""
    lines = []
    for row in rows:
        plain = found.get(Task(corpus_key, Row(row.recipe, row.budget), "speaker"))
        variant = found.get(Task(corpus_key, row, "speaker"))
        if plain is None or variant is None:
            continue
        p, v = plain.recipes[0], variant.recipes[0]
        gain = _signed(v.mean_std("uar")[0] - p.mean_std("uar")[0])
        lines.append(
            f"| {row.recipe} ({row.budget}) | {_ms(p, 'uar')} | **{_ms(v, 'uar')}** "
            f"| {gain} | {_ms(v, 'train_uar')} | {v.mean_std('fit_time')[0]:.1f} |"
        )
    if not lines:
        return []
    return [
        f"| recipe (budget) | UAR (speaker-indep.) | {column} | change | "
        "train UAR (normalised) | fit s/fold (normalised) |",
        "|---" * 6 + "|",
        *lines,
    ]


def _before_after(found, args, datasets) -> list[str]:
    """The deep rows' speaker-independent scores before the fixes and now."""
    before = json.loads(BEFORE.read_text())
    sections = []
    for corpus_key, rows in before["corpora"].items():
        if corpus_key not in datasets:
            continue
        lines = []
        for row in all_rows(args):
            result = found.get(Task(corpus_key, row, "speaker"))
            if result is None or not RECIPES[row.recipe].deep or row.tuned:
                continue
            now = result.recipes[0]
            old = rows.get(row.label)
            if old is None:
                old_cells, change = ["–", "–"], "–"
            else:
                # The same clips, so the same labels as now.
                old_unfitted = _unfitted(old["train_uar"][0], len(now.labels))
                old_cells = [
                    _pm(*old["train_uar"]) + (" †" if old_unfitted else ""),
                    _pm(*old["uar"]),
                ]
                change = _signed(now.mean_std("uar")[0] - old["uar"][0])
            lines.append(
                "| "
                + " | ".join(
                    [
                        row.label,
                        before["changes"].get(row.recipe, "none"),
                        *old_cells,
                        _ms(now, "train_uar") + (" †" if not_fitted(now) else ""),
                        _ms(now, "uar"),
                        change,
                    ]
                )
                + " |"
            )
        if lines:
            sections += [
                f"**{datasets[corpus_key][0].title}**, speaker-independent:",
                "",
                "| recipe (budget) | what changed | train UAR before | UAR before "
                "| train UAR now | UAR now | change in UAR |",
                "|---" * 7 + "|",
                *lines,
                "",
            ]
    if not sections:
        return []
    return [
        "## Deep training before and after the fixes",
        "",
        f"*Before*: {before['source']} *Now*: this page's runs (same clips, "
        f"folds and seed). {before['note']} "
        "*Train UAR* is the fitted model's UAR on its own "
        "training clips in evaluation mode; † marks a model below "
        f"{UNFITTED_FACTOR:g} times chance on them. The training options "
        "(schedules, label smoothing, masks, mixup; "
        "{doc}`user_guide/deep_models`) are off in every seed recipe, which "
        "keeps its paper's training; `attentive_crnn` uses them.",
        "",
        *sections,
    ]


def _ablation(found, args) -> list[str]:
    """The ablation recipe with each training option off, next to all on."""
    if not args.ablation:
        return []
    results = [
        (row, found.get(Task("ravdess", row, "speaker")))
        for row in ablation_rows(args.budget)
    ]
    if any(result is None for _, result in results):
        return []
    full = results[0][1].recipes[0].mean_std("uar")[0]
    lines = [
        f"## Ablation: the training options of {ABLATION_RECIPE}",
        "",
        f"{ABLATION_RECIPE} on RAVDESS, speaker-independently, with each of "
        "its training options switched off in turn (same folds and seed; the "
        "parameters set: "
        + "; ".join(
            f"{name}: " + ", ".join(f"`{k}={v!r}`" for k, v in params.items())
            for name, params in ABLATIONS.items()
        )
        + "). A change smaller than the fold standard deviations is not "
        "evidence either way; since the folds are the same, the number of "
        "folds on which the test UAR rose or fell is the paired view.",
        "",
        "| recipe (budget) | UAR (speaker-indep.) | change | folds up / down "
        "| train UAR |",
        "|---" * 5 + "|",
    ]
    full_folds = [fold.uar for fold in results[0][1].recipes[0].folds]
    for row, result in results:
        r = result.recipes[0]
        change, paired = "–", "–"
        if row.without is not None:
            change = _signed(r.mean_std("uar")[0] - full)
            folds = [fold.uar for fold in r.folds]
            up = sum(a > b for a, b in zip(folds, full_folds, strict=True))
            down = sum(a < b for a, b in zip(folds, full_folds, strict=True))
            paired = f"{up} / {down}"
        lines.append(
            f"| {row.label} | {_ms(r, 'uar')} | {change} | {paired} | "
            f"{_ms(r, 'train_uar')} |"
        )
    return [*lines, ""]


def not_fitted(result: RecipeResult) -> bool:
    """Whether a recipe's mean train UAR is near chance (1 / number of classes)."""
    return _unfitted(result.mean_std("train_uar")[0], len(result.labels))


def _unfitted(train_uar: float, n_classes: int) -> bool:
    return bool(train_uar < UNFITTED_FACTOR / n_classes)


def _chosen(corpus_key, rows, found, folds_random) -> list[str]:
    """What each tuned row's inner search chose, fold by fold."""
    lines = []
    for row in (row for row in rows if row.tuned):
        for task in paper_and_speaker_tasks(corpus_key, row, folds_random):
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


def _curve(found, budget, curve_recipes) -> tuple[list[str], dict]:
    """Learning-curve table: mean test and train UAR per training speakers."""
    points: dict[str, list[tuple[int, RecipeResult]]] = {}
    for name in curve_recipes:
        row = Row(name, budget)
        full = found.get(Task("ravdess", row, "speaker"))
        runs = [found.get(Task("ravdess", row, "speaker", k)) for k in curve_sizes()]
        if full is None or any(run is None for run in runs):
            continue
        sizes = [*curve_sizes(), len(full.recipes[0].folds[0].train_speakers)]
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


def _best(found, corpus_key, rows, deep: bool):
    """(label, UAR mean) of the best speaker-independent row of the main table.

    Only the table's rows compete: not the variants of the other sections
    (normalised, ablated, longer-trained, other statistics, fewer speakers).
    """
    scores = [
        (row.label, found[task].recipes[0].mean_std("uar")[0])
        for row in rows
        if RECIPES[row.recipe].deep == deep
        and (task := Task(corpus_key, row, "speaker")) in found
    ]
    return max(scores, key=lambda item: item[1]) if scores else None


def render_report(command, args, datasets, found, elapsed, skipped) -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    machine = next(iter(found.values())).to_dict()["machine"]
    rows = all_rows(args)
    budgets = sorted({row.budget for row in rows})
    section = getattr(args, "section", None)
    intro = (
        "A section of its own: made by a separate call of "
        "`benchmarks/reproduce.py --section`, with its own command, date and "
        "machine below; its runs did not share a cache with the rest of the "
        "page, whose own command is at its top. The same clips, folds and seed."
        if section
        else "Each recipe is scored on the real corpora under the protocol its "
        "paper used (repeated random splits over clips, in which the same "
        "speakers are in training and test) and under the speaker-independent "
        "protocol (stratified k-fold grouped by speaker; leave-one-speaker-out "
        "for two speakers), and compared with the number its paper reports. "
        "This page is generated by `benchmarks/reproduce.py`; do not edit it "
        "by hand."
    )
    lines = [
        f"# {section}" if section else "# Reproduction report",
        "",
        intro,
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
        *_encoder_lines(rows),
        f"- Seed: random_state={SEED} for every split and every model",
        "- Rows marked *tuned* chose their hyperparameters by a grid search "
        f"with {INNER_SPLITS} speaker-grouped inner folds on each outer training "
        "fold (scored by UAR; `make_recipe(name, tune=True)`), under both "
        "protocols; the grids are `Recipe.param_grid`, fixed before any run. "
        "Test folds never influence a choice. All other rows use fixed "
        "settings: the paper's (the recipe's defaults) or the budget's.",
    ]
    skipped_paper = [
        name
        for name in dict.fromkeys(row.recipe for row in rows)
        if name not in args.paper_protocols
    ]
    if skipped_paper:
        lines.append(
            "- Papers' protocols: **not run** in this call for "
            + ", ".join(skipped_paper)
            + " (`--paper-protocols`), whose rows show the speaker-independent "
            "columns only; a call without that option fills them in."
        )
    untuned = [
        name
        for name in dict.fromkeys(row.recipe for row in rows)
        if RECIPES[name].param_grid and name not in args.tuned
    ]
    if untuned:
        costs = ", ".join(f"{n} ({fits_per_tuned_fold(n)} fits)" for n in untuned)
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
        lines += _normalisation(key, args, found)
    if not section:
        lines += _before_after(found, args, datasets)
    lines += _ablation(found, args)
    lines += _explanation(args, found)
    if not section:
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
    if section:
        # One level down: the section sits under the page's own title.
        return "\n".join(f"#{line}" if line.startswith("#") else line for line in lines)
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


def _encoder_lines(rows) -> list[str]:
    """Which pretrained encoder the rows that take one used, by its weights."""
    encoders = sorted({row.encoder for row in rows if row.encoder is not None})
    return [
        f"- Pretrained encoder: `{Path(encoder).name}` (weights SHA-256 "
        f"`{encoder_digest(encoder)[:16]}...`), frozen, run on each clip's own "
        "length (`whisper_input='clip'` for Whisper)"
        for encoder in encoders
    ]


#: Markers around a section that ``--section`` writes into an existing page.
_SECTION_BEGIN = "<!-- begin section: {} (benchmarks/reproduce.py --section) -->"
_SECTION_END = "<!-- end section: {} -->"


def with_section(page: str, title: str, section: str) -> str:
    """``page`` with ``section`` between its markers, replacing an older copy.

    A page without the markers gets the section appended at its end.
    """
    begin, end = _SECTION_BEGIN.format(title), _SECTION_END.format(title)
    block = f"{begin}\n\n{section.rstrip()}\n\n{end}"
    if begin in page and end in page:
        head, rest = page.split(begin, 1)
        return head + block + rest.split(end, 1)[1]
    return f"{page.rstrip()}\n\n{block}\n" if page.strip() else f"{block}\n"


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
    rows = all_rows(args)
    classical = _best(found, "ravdess", rows, deep=False)
    deep = _best(found, "ravdess", rows, deep=True)
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
    longer = _longer_training(found, args.budget, args.curve_recipes)
    if longer:
        lines += [
            "Longer training: the cheaper deep curve recipes at their budget's "
            f"epochs and at {EPOCHS_FACTOR} times as many (fixed settings, full "
            "training folds). A train UAR near 1 with a low test UAR is overfitting to "
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
    table, points = _curve(found, args.budget, args.curve_recipes)
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
    for pair in feature_swaps(budget):
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


def _longer_training(found, budget, curve_recipes) -> list[str]:
    lines = [
        "| recipe | max epochs | UAR (speaker-indep.) | train UAR | fit s/fold |",
        "|---" * 5 + "|",
    ]
    for name in (name for name in curve_recipes if name in LONGER_RECIPES):
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
