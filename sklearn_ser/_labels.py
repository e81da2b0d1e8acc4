"""Checks of label arrays shared by the estimators and the benchmark."""

from __future__ import annotations

import numpy as np

__all__ = ["check_label_types"]


def check_label_types(y, name: str = "y") -> None:
    """Raise a ValueError naming the types when labels mix strings and numbers.

    numpy and scikit-learn sort labels to find the classes, and a mix of
    strings and numbers (``["1", 2, 3.0]``) fails there with a bare
    ``TypeError: '<' not supported``.
    """
    examples: dict[str, object] = {}
    kinds = set()
    for label in np.asarray(y, dtype=object).ravel():
        kinds.add(isinstance(label, str))
        examples.setdefault(type(label).__name__, label)
    if len(kinds) > 1:
        found = ", ".join(f"{t} ({v!r})" for t, v in sorted(examples.items()))
        raise ValueError(
            f"{name} mixes labels of different types: {found}; give every label "
            "the same type, e.g. strings such as 'happy'."
        )
