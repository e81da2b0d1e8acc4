"""The ``sklearn-ser`` command line: benchmark, train, predict, recipes.

User mistakes (an unknown recipe, a folder with no recognisable audio, a
protocol the data cannot support, a file that is not a model) end with one
line on stderr and exit status 2, naming the command-line flag; those that can
be known before training are detected before any training starts. Lists of bad
files go in full to a text file that the message names; a benchmark writes the
results of the recipes that finished before reporting a later one's error.

The package keeps the argument definitions (:mod:`._parser`) apart from each
command's runner (:mod:`._benchmark`, :mod:`._train`, :mod:`._predict`,
:mod:`._recipes`); :mod:`._errors` holds the one-line error handling and
:mod:`._common` what several runners share (loading a corpus, making recipes).
"""

from __future__ import annotations

import os
import sys

from ._errors import UserError
from ._parser import DATASETS, build_parser

__all__ = ["DATASETS", "UserError", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sklearn-ser`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except BrokenPipeError:
        return _reader_gone()
    except UserError as exc:
        # One line, even for messages that list several bad files.
        message = " ".join(line.strip() for line in str(exc).splitlines())
        print(f"sklearn-ser {args.command}: error: {message}", file=sys.stderr)
        return 2


def _reader_gone() -> int:
    """Stop quietly when the reader of stdout went away (``| head -1``).

    As Unix tools do, with the status of a process ended by SIGPIPE; stdout
    goes to the null device so that the interpreter's final flush cannot
    report the broken pipe either.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # stdout is no file descriptor
        pass
    finally:
        os.close(devnull)
    return 128 + 13  # SIGPIPE
