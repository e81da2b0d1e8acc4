"""Fake corpus trees for the dataset-loader tests."""

from pathlib import Path


def make_tree(root: Path, *names: str) -> Path:
    """Empty files at ``names`` below ``root``: the loader never reads audio."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return root
