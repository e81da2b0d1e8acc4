"""``sklearn-ser recipes``: list the available recipes."""

from __future__ import annotations


def run(args) -> int:
    """Run the ``recipes`` command."""
    from ..recipes import RECIPES

    for name, recipe in RECIPES.items():
        print(f"{name:<18} {recipe.summary}")
    return 0
