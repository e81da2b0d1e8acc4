import json

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_ser.benchmark import run_benchmark
from sklearn_ser.benchmark._cache import fingerprint
from sklearn_ser.benchmark._cv import _split_stateless_head
from sklearn_ser.recipes import make_recipe


class CountingTransformer(FunctionTransformer):
    """A stateless step that counts how many rows it transformed, per instance class."""

    calls: list = []

    def transform(self, X):
        CountingTransformer.calls.append(len(X))
        return super().transform(X)


def _data(n_speakers=6, per_class=5, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.array(["angry", "happy", "sad"])
    y = np.tile(np.repeat(labels, per_class), n_speakers)
    groups = np.repeat([f"spk{i}" for i in range(n_speakers)], per_class * len(labels))
    X = rng.normal(size=(len(y), 4))
    X[:, 0] += (y == "angry") * 3.0
    X[:, 1] += (y == "sad") * 3.0
    return X, y, groups


def test_scores_are_computed_per_fold_and_speakers_stay_apart():
    X, y, groups = _data()
    recipes = {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression()),
        "dummy": DummyClassifier(strategy="most_frequent"),
    }
    result = run_benchmark(recipes, X, y, groups, n_splits=3, progress=False)
    assert [r.recipe for r in result.recipes] == ["logreg", "dummy"]
    assert result.n_splits == 3 and result.n_speakers == 6
    logreg, dummy = result.recipes
    assert logreg.mean_std("uar")[0] > 0.8
    assert dummy.mean_std("uar") == (pytest.approx(1 / 3), pytest.approx(0.0))
    for fold in logreg.folds:
        assert len(fold.test_speakers) == 2
    # every clip predicted exactly once
    assert len(logreg.y_pred) == len(y)
    assert sorted(logreg.y_true) == sorted(y)
    np.testing.assert_allclose(logreg.confusion().sum(axis=1), 1.0)


def test_stateless_head_is_computed_once_across_recipes_and_folds():
    X, y, groups = _data()
    CountingTransformer.calls = []
    recipes = {
        "a": make_pipeline(CountingTransformer(np.abs), LogisticRegression()),
        "b": make_pipeline(
            CountingTransformer(np.abs), StandardScaler(), DummyClassifier()
        ),
    }
    run_benchmark(recipes, X, y, groups, n_splits=3, progress=False)
    # one transform of all clips, shared by both recipes and all folds
    assert CountingTransformer.calls == [len(y)]


def test_samplers_and_fitted_steps_are_refit_per_fold():
    X, y, groups = _data()
    recipe = make_imb_pipeline(
        CountingTransformer(np.abs),
        RandomOverSampler(random_state=0),
        LogisticRegression(),
    )
    head, rest = _split_stateless_head(recipe)
    assert len(head) == 1
    assert [name for name, _ in rest.steps] == [
        "randomoversampler",
        "logisticregression",
    ]
    # the user's recipe is not modified
    assert len(recipe.steps) == 3


def test_labels_mixing_strings_and_numbers_are_named():
    X = np.arange(24).reshape(-1, 1)
    groups = np.repeat(["s1", "s2", "s3", "s4"], 6)
    # As strings, "1" and 1 would silently become one class.
    y = np.array(["1", 1] * 12, dtype=object)
    with pytest.raises(
        ValueError, match=r"y mixes labels of different types: int \(1\), str"
    ):
        run_benchmark({"dummy": DummyClassifier()}, X, y, groups, progress=False)


def test_random_protocol_mixes_speakers():
    X, y, groups = _data()
    result = run_benchmark(
        {"logreg": LogisticRegression()},
        X,
        y,
        groups,
        protocol="random-kfold",
        n_splits=3,
        progress=False,
    )
    assert result.protocol.name == "random-kfold"
    assert any(len(f.test_speakers) == 6 for f in result.recipes[0].folds)


def test_save_writes_table_json_and_figures(tmp_path):
    X, y, groups = _data()
    result = run_benchmark(
        {"logreg": LogisticRegression(), "dummy": DummyClassifier()},
        X,
        y,
        groups,
        n_splits=2,
        corpus="toy",
        progress=False,
    )
    written = result.save(tmp_path)
    names = sorted(p.name for p in written)
    assert names == [
        "comparison.png",
        "confusion_dummy.png",
        "confusion_logreg.png",
        "results.json",
        "results.md",
    ]
    for path in written:
        assert path.stat().st_size > 0
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["protocol"]["speaker_independent"] is True
    assert data["recipes"][0]["summary"]["uar"]["mean"] == pytest.approx(
        result.recipes[0].mean_std("uar")[0]
    )
    table = (tmp_path / "results.md").read_text()
    assert "| logreg |" in table and "Protocol: speaker" in table


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"recipes": {}}, "No recipes to benchmark"),
        ({"groups": ["a"] * 3}, "paths, y and groups must have the same length"),
        ({"n_splits": 7}, "7-fold split needs at least 7 speakers; the data has 6"),
        ({"protocol": "nope"}, "Unknown protocol 'nope'"),
        ({"groups": None}, "Protocol 'speaker' needs speaker ids, but groups is None"),
    ],
)
def test_bad_input(kwargs, match):
    X, y, groups = _data()
    args = {"recipes": {"d": DummyClassifier()}, "paths": X, "y": y, "groups": groups}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        run_benchmark(**args, progress=False)


def test_random_protocol_runs_without_speaker_ids():
    X, y, _ = _data()
    result = run_benchmark(
        {"logreg": LogisticRegression()},
        X,
        y,
        None,
        protocol="random-kfold",
        n_splits=3,
        progress=False,
    )
    assert result.recipes[0].folds[0].test_speakers == ["unknown"]


class GroupsRecorder(DummyClassifier):
    """Records the speaker ids it is fitted with, like the deep classifiers' fit."""

    seen: list = []

    def __init__(self, early_stopping=False):
        super().__init__(strategy="most_frequent")
        self.early_stopping = early_stopping

    def fit(self, X, y, groups=None):
        GroupsRecorder.seen.append(None if groups is None else set(groups))
        return super().fit(X, y)


def test_training_speakers_reach_the_classifier_under_speaker_protocol():
    X, y, groups = _data()
    GroupsRecorder.seen = []
    result = run_benchmark(
        {"rec": make_pipeline(StandardScaler(), GroupsRecorder())},
        X,
        y,
        groups,
        n_splits=3,
        progress=False,
    )
    assert len(GroupsRecorder.seen) == 3
    for seen, fold in zip(GroupsRecorder.seen, result.recipes[0].folds, strict=True):
        assert len(seen) == 4 and not seen & set(fold.test_speakers)


def test_no_speaker_ids_are_passed_under_random_protocol():
    X, y, groups = _data()
    GroupsRecorder.seen = []
    run_benchmark(
        {"rec": GroupsRecorder()},
        X,
        y,
        groups,
        protocol="random-kfold",
        n_splits=2,
        progress=False,
    )
    assert GroupsRecorder.seen == [None, None]


def test_early_stopping_after_a_sampler_is_refused_under_speaker_protocol():
    X, y, groups = _data()
    recipe = make_imb_pipeline(
        RandomOverSampler(random_state=0), GroupsRecorder(early_stopping=True)
    )
    with pytest.raises(
        ValueError, match="Recipe 'es' uses early stopping after a sampler"
    ):
        run_benchmark(
            {"ok": DummyClassifier(), "es": recipe}, X, y, groups, progress=False
        )
    # fine when the protocol does not promise speaker-disjoint validation
    run_benchmark({"es": recipe}, X, y, groups, protocol="random-kfold", progress=False)


def test_deep_classifiers_show_an_epoch_bar_without_changing_the_recipe(capsys):
    from sklearn_ser.classifiers import StackedLSTMClassifier

    X, y, groups = _data()
    X = X.astype("float32")
    clf = StackedLSTMClassifier(
        module__hidden_size=4, module__dense_size=4, max_epochs=3, random_state=0
    )
    result = run_benchmark({"lstm": clf}, X, y, groups, n_splits=2, progress=True)
    assert len(result.recipes[0].folds) == 2
    err = capsys.readouterr().err
    assert "lstm fold 1/2" in err and "lstm fold 2/2" in err and "/3 [" in err
    # the user's estimator is not modified
    assert clf.callbacks is None


class SplitRecorder(GroupKFold):
    """An inner CV that records which speakers each inner split saw."""

    seen: list = []

    def split(self, X, y=None, groups=None):
        SplitRecorder.seen.append(set(groups))
        return super().split(X, y, groups)


@pytest.mark.parametrize("protocol", ["speaker", "random-kfold"])
def test_a_search_gets_the_training_speakers_under_every_protocol(protocol):
    X, y, groups = _data()
    SplitRecorder.seen = []
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": [0.01, 1.0]},
        cv=SplitRecorder(n_splits=2),
    )
    result = run_benchmark(
        {"tuned": search}, X, y, groups, protocol=protocol, n_splits=3, progress=False
    )
    assert len(SplitRecorder.seen) == 3
    for seen, fold in zip(SplitRecorder.seen, result.recipes[0].folds, strict=True):
        assert seen == set(fold.train_speakers)
        if protocol == "speaker":
            assert not seen & set(fold.test_speakers)
        assert fold.best_params["logisticregression__C"] in (0.01, 1.0)


def test_a_tuned_recipe_without_speaker_ids_is_refused():
    X, y, _ = _data()
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=GroupKFold(2))
    with pytest.raises(ValueError, match="'tuned' is tuned by a speaker-grouped"):
        run_benchmark(
            {"tuned": search}, X, y, None, protocol="random-kfold", progress=False
        )


def test_train_uar_is_the_score_on_the_training_fold():
    X, y, groups = _data()
    result = run_benchmark(
        {"tree": DecisionTreeClassifier(random_state=0), "dummy": DummyClassifier()},
        X,
        y,
        groups,
        n_splits=3,
        progress=False,
    )
    tree, dummy = result.recipes
    assert all(fold.train_uar == 1.0 for fold in tree.folds)
    assert dummy.mean_std("train_uar") == (pytest.approx(1 / 3), 0.0)
    assert tree.to_dict()["summary"]["train_uar"]["mean"] == 1.0


def test_train_speakers_subsamples_each_training_fold():
    X, y, groups = _data(n_speakers=6)
    full = run_benchmark(
        {"d": DummyClassifier()}, X, y, groups, n_splits=3, progress=False
    )
    part = run_benchmark(
        {"d": DummyClassifier()},
        X,
        y,
        groups,
        n_splits=3,
        train_speakers=2,
        progress=False,
    )
    for whole, fold in zip(full.recipes[0].folds, part.recipes[0].folds, strict=True):
        assert len(fold.train_speakers) == 2
        assert set(fold.train_speakers) < set(whole.train_speakers)
        assert fold.n_train == 2 * len(y) // 6
        assert fold.test_speakers == whole.test_speakers
    with pytest.raises(ValueError, match="train_speakers=5 but a training fold has 4"):
        run_benchmark(
            {"d": DummyClassifier()}, X, y, groups, n_splits=3, train_speakers=5
        )
    message = "train_speakers must be an integer >= 1; got 2.5"
    with pytest.raises(TypeError, match=message):
        run_benchmark(
            {"d": DummyClassifier()}, X, y, groups, n_splits=3, train_speakers=2.5
        )


def test_memory_shares_stateless_steps_across_calls(tmp_path):
    X, y, groups = _data()
    CountingTransformer.calls = []
    recipe = make_pipeline(CountingTransformer(np.abs), LogisticRegression())
    first = run_benchmark(
        {"a": recipe}, X, y, groups, n_splits=3, progress=False, memory=tmp_path
    )
    second = run_benchmark(
        {"a": recipe}, X, y, groups, n_splits=2, progress=False, memory=tmp_path
    )
    assert CountingTransformer.calls == [len(y)]
    assert first.recipes[0].feature_time > 0 and second.recipes[0].feature_time >= 0
    # another parameter value is another key
    other = make_pipeline(CountingTransformer(np.square), LogisticRegression())
    run_benchmark({"b": other}, X, y, groups, progress=False, memory=tmp_path)
    assert CountingTransformer.calls == [len(y), len(y)]


def test_memory_notices_an_edited_audio_file(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(b"1")
    before = fingerprint(np.array([str(path)]))
    path.write_bytes(b"22")
    assert fingerprint(np.array([str(path)])) != before


def test_feature_transformers_are_computed_once_in_a_recipe():
    head, rest = _split_stateless_head(make_recipe("svm"))
    assert [type(step).__name__ for step in head] == ["AudioLoader", "AcousticStats170"]
    assert [name for name, _ in rest.steps] == ["scale", "classifier"]
