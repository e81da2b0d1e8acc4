"""``sklearn-ser benchmark``: cross-validate recipes, write a table and figures."""

from __future__ import annotations

import time
import warnings
from contextlib import ExitStack
from pathlib import Path

from ._checks import check_output_folder
from ._common import (
    check_dataset_options,
    check_speakers_for_tuning,
    few_clips_message,
    load_dataset,
    make_recipes,
    recipe_names,
)
from ._errors import UserError, bad_audio_message, print_warnings
from ._loading import window_note


def run(args) -> int:
    """Run the ``benchmark`` command."""
    out = Path(args.out)
    names = recipe_names(args.recipes)
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
    check_dataset_options(args)
    check_output_folder(out, "--out")
    if args.cache_dir is not None:
        check_output_folder(Path(args.cache_dir), "--cache-dir")
    recipes = make_recipes(names, args)  # checks every option before any data work
    if args.speaker_norm:
        _check_speaker_normalization(recipes)
    # Imported after the cheap checks: a mistyped option answers without torch.
    from ..benchmark import run_benchmark
    from ..benchmark._cross_corpus import combine_corpora
    from ..model_selection import get_protocol

    backend = _parallel_backend(args)
    start = time.perf_counter()
    data = load_dataset(args, out, dataset=args.dataset, root=args.root)
    check_speakers_for_tuning(args, data)
    if args.speaker_norm and data.groups is None:
        raise UserError(
            f"--speaker-norm needs speaker ids, and the {args.dataset} corpus has "
            "none: pass --speaker-pattern"
        )
    _check_levels(args, data)
    protocols = {}
    if cross:
        test_data = load_dataset(
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
    cross_validating = 0.0

    with ExitStack() as stack:
        try:
            stack.enter_context(backend)
        except OSError as exc:  # the scheduler cannot be reached
            raise UserError(
                f"cannot reach the Dask scheduler {args.scheduler}: {exc}"
            ) from None
        for name, names_here in by_protocol.items():
            folder = out if len(by_protocol) == 1 else out / name.replace("/", "-")
            finished: list[str] = []

            def save(partial, folder=folder, finished=finished):
                partial.save(folder)
                finished[:] = [result.recipe for result in partial.recipes]

            result = _benchmark_or_user_error(
                lambda name=name, names_here=names_here, save=save: run_benchmark(
                    {recipe: recipes[recipe] for recipe in names_here},
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
                y,
            )
            result.save(folder)  # the final totals, as printed below
            cross_validating += result.elapsed
            print()
            print(result.to_markdown())
            print(f"Wrote results of {', '.join(finished)} to {folder}")
    total = time.perf_counter() - start
    tables = "the tables' totals" if len(by_protocol) > 1 else "the table's total"
    print(
        f"Benchmark finished in {total:.1f} s, of which {cross_validating:.1f} s "
        f"loading audio, computing features and fitting ({tables})."
    )
    return 0


def _parallel_backend(args):
    """Context in which the benchmark's fits run: here, or on a Dask cluster."""
    from contextlib import nullcontext

    if args.jobs is not None and (args.jobs == 0 or args.jobs < -1):
        raise UserError(
            f"--fit-jobs must be >= 1, or -1 for one per core; got {args.jobs}"
        )
    if not (args.dask or args.scheduler):
        return nullcontext()
    if args.scheduler and args.jobs is not None:
        raise UserError(
            "--fit-jobs does not apply with --scheduler: every worker of the cluster "
            "takes fits (start fewer workers to run fewer at once)"
        )
    from ..benchmark._parallel import dask_backend

    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UserError(
            f"{'--dask' if args.dask else '--scheduler'} needs the optional "
            "dependency 'distributed': pip install sklearn-ser[dask]"
        ) from None
    n_workers = None if args.jobs in (None, -1) else args.jobs
    if args.scheduler:
        _check_scheduler(args.scheduler)
    return dask_backend(args.scheduler, n_workers=n_workers)


def _check_scheduler(address: str, timeout: float = 5.0) -> None:
    """The scheduler answers Dask's handshake: checked before any data is loaded.

    Bounded as a whole (``asyncio.wait_for``): a scheduler that accepts the
    connection and never answers would otherwise block the client for good.
    """
    import asyncio

    from distributed.comm import connect

    async def handshake():
        comm = await connect(address, timeout=timeout)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), timeout))
    except (asyncio.TimeoutError, TimeoutError):
        raise UserError(
            f"cannot reach the Dask scheduler {address}: no answer after {timeout:g} s"
        ) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot reach the Dask scheduler {address}: {exc}") from None


def _n_jobs(args) -> int | None:
    """Fits at once: --fit-jobs, or every worker of a Dask cluster by default."""
    if args.jobs is None and (args.dask or args.scheduler):
        return -1
    return args.jobs


def _protocols_for(names, protocol: str) -> dict:
    """Map each protocol name to the recipes evaluated under it."""
    from ..model_selection import PROTOCOLS
    from ..recipes import RECIPES

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


def _benchmark_or_user_error(run, args, finished: list[str], folder: Path, y):
    """``run()``; bad audio, an unusable encoder or fits lost with their worker
    processes end in one line saying what finished and where it is.

    The warnings raised in this process while it runs are printed as one line
    each, each distinct message once, with or without ``--quiet``.
    """
    from ..audio import AudioLoadError
    from ..benchmark import LostFitsError
    from ..benchmark._cv import SilentClipError
    from ..features._encoder_backbone import PretrainedEncoderError

    # Warnings of the run (scikit-learn's among them) as one line each, once.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return run()
        except (AudioLoadError, SilentClipError) as exc:
            message = bad_audio_message(exc, args)
        except PretrainedEncoderError as exc:  # e.g. clips too short for it
            message = f"pretrained encoder (--encoder): {exc}"
        except LostFitsError as exc:  # worker processes killed twice
            message = str(exc)
        except ValueError as exc:  # too few clips of a label in a training fold
            message = few_clips_message(exc, y)
            if message is None:
                raise
        finally:
            print_warnings(args, caught, None)
    if finished:
        message += (
            f"; the results of the {len(finished)} recipe(s) that finished "
            f"({', '.join(finished)}) are in {folder}"
        )
    raise UserError(message)


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

    from ..benchmark._cv import check_inner_splits

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
    from ..benchmark._speaker import check_speaker_normalization

    for name, recipe in recipes.items():
        try:
            check_speaker_normalization(name, recipe)
        except ValueError as exc:
            raise UserError(str(exc)) from None


def _check_levels(args, data) -> None:
    """Warn, in one line, when the speakers were recorded at very different levels."""
    if data.groups is None or args.level_norm is not None:
        return
    from ..benchmark import check_speaker_levels

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_speaker_levels(data.paths, data.groups, n_jobs=args.n_jobs)
    print_warnings(args, caught, None)


def _corpus_name(args, data) -> str:
    if args.dataset == "synthetic":
        name = f"synthetic (make_emotional_speech, random_state={args.seed})"
    else:
        name = f"{args.dataset} ({args.root})"
    test = getattr(args, "test_dataset", None)
    if test is not None:
        name += f" → {test}" + (f" ({args.test_root})" if args.test_root else "")
    tuned = ", tuned by speaker-grouped inner CV" if args.tune else ""
    return f"{name}; {args.budget} budget{tuned}; {window_note(args)}"
