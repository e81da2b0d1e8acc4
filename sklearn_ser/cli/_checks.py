"""Checks of the command line that run before any data is loaded or model fitted.

Output paths that cannot be written, a device this machine does not have, a
recipe's missing optional dependency: each is one line (exit status 2) at
once, not a traceback after minutes of training. Options that a recipe does
not use are a one-line warning.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from ._errors import UserError

#: What ``--device`` may name: the torch devices the recipes train on.
_DEVICE = re.compile(r"(auto|cpu|mps|cuda(:(?P<index>\d+))?)")


def warn(args, message: str) -> None:
    """Print one warning line of the command."""
    print(f"sklearn-ser {args.command}: warning: {message}", file=sys.stderr)


def check_feature_jobs(args) -> None:
    if args.n_jobs is not None and (args.n_jobs == 0 or args.n_jobs < -1):
        raise UserError(
            f"--feature-jobs must be >= 1, or -1 for one per core; got {args.n_jobs}"
        )


def check_device(args) -> None:
    """``--device`` names a device, and a CUDA device is present."""
    device = args.device
    if device is None:
        return
    found = _DEVICE.fullmatch(device)
    if found is None:
        raise UserError(
            f"--device {device!r} is not a device; use auto, cpu, cuda or cuda:N"
        )
    if not device.startswith("cuda"):
        return
    import torch

    n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    index = int(found.group("index") or 0)
    if index >= n_gpus:
        build = "a CPU-only build" if torch.version.cuda is None else "CUDA build"
        raise UserError(
            f"--device {device}: this machine has {n_gpus} CUDA device(s) "
            f"visible (torch {torch.__version__}, {build}); use --device auto "
            "(CUDA when present, else CPU) or --device cpu"
        )


def warn_unused_options(names, args) -> None:
    """Warn when ``--device``/``--epochs`` reach only recipes that do not use
    them (in a benchmark that mixes recipes, they apply to the deep ones)."""
    from ..recipes import RECIPES

    for flag, value, parameter in (
        ("--device", args.device, "device"),
        ("--epochs", args.epochs, "max_epochs"),
    ):
        if value is not None and not any(
            parameter in RECIPES[name].parameters() for name in names
        ):
            recipes = ", ".join(names)
            warn(
                args,
                f"{flag} {value} is ignored: "
                + (
                    f"{recipes} has no neural network"
                    if len(names) == 1
                    else f"none of {recipes} has a neural network"
                )
                + " to train (only the deep recipes do)",
            )


def check_extras(recipes: dict) -> None:
    """Every recipe's optional dependencies are installed (openSMILE's)."""
    from ..features import OpenSMILEFunctionals
    from ..features._opensmile import _import_opensmile

    for name, pipeline in recipes.items():
        for _, step in pipeline.steps:
            if isinstance(step, OpenSMILEFunctionals):
                try:
                    _import_opensmile()
                except ImportError as exc:
                    raise UserError(f"recipe {name!r}: {exc}") from None


def check_output_file(path: Path, flag: str) -> None:
    """``path`` can be written as a file: not a folder, in a writable folder."""
    if path.is_dir():
        raise UserError(
            f"{flag} {path} is a folder; give the file to write, e.g. "
            f"{path / 'model.sser'}"
        )
    _check_writable(path.parent, flag, path)


def check_output_folder(path: Path | None, flag: str) -> None:
    """``path`` is a folder, or can be made one, in which files can be written."""
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise UserError(f"{flag} {path} is a file; give a folder (made if missing)")
    _check_writable(path, flag, path)


def _check_writable(folder: Path, flag: str, given: Path) -> None:
    """The nearest existing folder of ``folder`` takes a file (tried, not
    guessed from permission bits, which say nothing to root or on NFS)."""
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{flag} {given}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise UserError(
            f"{flag} {given}: cannot write in {existing} ({exc.strerror})"
        ) from None
