"""The docs' recipe tables and counts come from the registry, whatever it holds."""

import importlib.util
import re
from dataclasses import replace
from pathlib import Path

import pytest

from sklearn_ser import recipes

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
def tables():
    spec = importlib.util.spec_from_file_location(
        "recipe_tables", DOCS / "_ext" / "recipe_tables.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_counts_follow_the_registry(tables, monkeypatch):
    text = tables.substitutions()
    assert text["recipe_kinds"].startswith(f"Of the {text['recipe_count']} recipes")
    # A recipe added to the registry is counted and listed with no other edit.
    extended = dict(recipes.RECIPES)
    extended["svm_copy"] = replace(recipes.RECIPES["svm"], name="svm_copy")
    monkeypatch.setattr(tables, "RECIPES", extended)
    grown = tables.substitutions()
    assert grown["recipe_count"] != text["recipe_count"]
    assert "`svm_copy`" in grown["recipe_names"]
    classical = re.search(r"(\w+) are classical baselines", grown["recipe_kinds"])
    n_classical = sum(
        not r.deep and r.module != "_pretrained" for r in extended.values()
    )
    assert classical.group(1) == tables._count(n_classical)


def test_every_recipe_has_a_row_in_every_table(tables):
    for table in (tables.reported_table(), tables.cost_table()):
        names = re.findall(r"^\| [^|]*?`?(\w+)[ >`]", table, flags=re.MULTILINE)
        assert names[1:] == list(recipes.RECIPES)  # after the header


def test_the_cost_table_sizes_the_networks_it_can(tables):
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in tables.cost_table().splitlines()[2:]
    }
    assert (
        "| 516,361 | 1 x 128 x 301 values of `MelSpectrogramChunker`"
        in (rows["attentive_crnn"])
    )
    assert "| 3 x 98,664 |" in rows["spectrogram_cnn"]
    assert "on twice the clips" in rows["cnn_lstm"]


def test_no_page_counts_the_recipes_by_hand():
    pages = [DOCS / "index.md", DOCS / "recipes.md"]
    pages += sorted((DOCS / "user_guide").glob("*.md"))
    number = r"\b(?:five|six|seven|eight|nine|ten|eleven|twelve|\d+)\b"
    for page in pages:
        text = " ".join(page.read_text().split())
        found = re.findall(rf"{number} (?:recipes|published deep systems)", text)
        assert not found, (page.name, found)
