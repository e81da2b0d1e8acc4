"""A recipe's step settings, for deep pipelines built by hand, and their progress."""

import numpy as np
import pytest
from _deep_data import make_data

from sklearn_ser.benchmark import run_benchmark
from sklearn_ser.classifiers import StackedLSTMClassifier
from sklearn_ser.recipes import RECIPES, make_recipe, recipe_params

DEEP = [name for name, recipe in RECIPES.items() if recipe.deep]


@pytest.mark.parametrize("budget", ["cpu", "paper"])
@pytest.mark.parametrize("name", DEEP)
def test_a_step_built_by_hand_equals_the_recipes(name, budget):
    pipeline = make_recipe(name, budget=budget, random_state=0)
    for step, estimator in pipeline.steps:
        by_hand = type(estimator)(**recipe_params(name, step, budget=budget))
        expected = estimator.get_params(deep=False)
        got = by_hand.get_params(deep=False)
        for key in ("random_state", "device"):
            expected.pop(key, None), got.pop(key, None)
        # repr: classes and nested estimators compare by their parameters.
        assert {k: repr(v) for k, v in got.items()} == {
            k: repr(v) for k, v in expected.items()
        }, (name, step)


def test_the_cpu_budget_shrinks_the_hand_built_classifier():
    cpu, paper = (
        recipe_params("attentive_crnn"),
        recipe_params("attentive_crnn", budget="paper"),
    )
    assert cpu["max_epochs"] == 40 and "max_epochs" not in paper
    assert cpu["module__channels"] == (16, 32, 64)


def test_an_unknown_step_lists_the_recipes_steps():
    with pytest.raises(ValueError, match="^Recipe 'svm' has no step 'classifer'; its"):
        recipe_params("svm", "classifer")


def test_a_hand_built_deep_classifier_shows_each_epoch(capsys):
    X, y = make_data(StackedLSTMClassifier)
    clf = StackedLSTMClassifier(
        module__hidden_size=4, module__dense_size=4, max_epochs=3, random_state=0
    )
    clf.fit(X, y)
    table = capsys.readouterr().out.splitlines()
    assert "epoch" in table[0] and "train_loss" in table[0]
    assert [line.split()[0] for line in table[2:]] == ["1", "2", "3"]


def test_the_benchmark_trains_its_copies_quietly(capsys):
    X, y = make_data(StackedLSTMClassifier)
    groups = np.resize(["a", "b", "c", "d"], len(y))
    clf = StackedLSTMClassifier(
        module__hidden_size=4, module__dense_size=4, max_epochs=2, random_state=0
    )
    run_benchmark({"lstm": clf}, X, y, groups, n_splits=2, progress=False)
    assert "train_loss" not in capsys.readouterr().out
    assert clf.verbose == 1  # the user's estimator is not modified
