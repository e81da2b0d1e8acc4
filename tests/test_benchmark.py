import json
import re

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


def test_deep_classifiers_show_an_epoch_bar_without_changing_the_recipe(
    capsys, monkeypatch
):
    from sklearn_ser.benchmark import _cv
    from sklearn_ser.classifiers import StackedLSTMClassifier

    monkeypatch.setattr(_cv, "_on_a_terminal", lambda: True)

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
    # Written to a file, only the bar over fits: no line per epoch.
    monkeypatch.setattr(_cv, "_on_a_terminal", lambda: False)
    run_benchmark({"lstm": clf}, X, y, groups, n_splits=2, progress=True)
    err = capsys.readouterr().err
    assert "fits" in err and "lstm fold" not in err


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


def _corpus(y, groups, offset=0.0, seed=0):
    from sklearn.utils import Bunch

    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    X = rng.normal(size=(len(y), 2)) + offset
    X[:, 0] += (y == "angry") * 3.0
    return Bunch(
        paths=X, target=y, groups=None if groups is None else np.asarray(groups)
    )


def test_cross_corpus_trains_on_one_corpus_and_tests_on_the_shared_labels():
    from sklearn_ser.benchmark import run_cross_corpus

    train = _corpus(["angry", "sad", "calm"] * 8, np.repeat(["s1", "s2"], 12))
    test = _corpus(["angry", "sad", "boredom"] * 4, None, offset=0.2, seed=1)
    result = run_cross_corpus(
        {"logreg": LogisticRegression()},
        train,
        test,
        train_name="A",
        test_name="B",
        progress=False,
    )
    protocol = result.protocol
    assert protocol.name == "cross-corpus A → B"
    assert protocol.shared_labels == ("sad", "angry")
    assert protocol.dropped_labels == (("A", "calm", 8), ("B", "boredom", 4))
    assert protocol.description.endswith(
        "dropped: calm (A only, 8 clips), boredom (B only, 4 clips)"
    )
    assert result.corpus == "A → B" and result.n_splits == 1
    (fold,) = result.recipes[0].folds
    assert (fold.n_train, fold.n_test) == (16, 8)
    assert fold.train_speakers == ["A:s1", "A:s2"]
    assert fold.test_speakers == ["B:unknown"]
    assert set(result.recipes[0].y_true) == {"angry", "sad"}
    assert "one split" in result.to_markdown()
    saved = json.loads(json.dumps(result.to_dict(), default=repr))
    assert saved["protocol"]["dropped_labels"] == [
        ["A", "calm", 8],
        ["B", "boredom", 4],
    ]


def test_cross_corpus_needs_two_shared_labels():
    from sklearn_ser.benchmark import run_cross_corpus

    train = _corpus(["angry", "sad"] * 4, np.repeat(["s1", "s2"], 4))
    test = _corpus(["angry", "calm"] * 2, ["t1"] * 4)
    with pytest.raises(
        ValueError,
        match=(
            r"^A and B share 1 label\(s\) \(angry\); a cross-corpus benchmark needs "
            r"at least 2\. Labels of A: sad, angry; of B: calm, angry\.$"
        ),
    ):
        run_cross_corpus({"d": DummyClassifier()}, train, test, progress=False)


def test_on_recipe_done_sees_each_finished_recipe():
    X, y, groups = _data()
    seen = []
    run_benchmark(
        {"a": DummyClassifier(), "b": LogisticRegression()},
        X,
        y,
        groups,
        n_splits=2,
        progress=False,
        on_recipe_done=lambda partial: seen.append(
            [result.recipe for result in partial.recipes]
        ),
    )
    assert seen == [["a"], ["a", "b"]]


def _rows_named(paths, table):
    """Rows of ``table`` for paths named ``clip<row>.wav``: a stand-in loader."""
    return table[[int(path[4:-4]) for path in paths]]


def test_silent_clips_are_named_before_an_augmenting_recipe_is_fitted():
    from sklearn_ser import AWGNAugmenter
    from sklearn_ser.benchmark._cv import SilentClipError

    X, y, groups = _data()
    X = np.abs(X).astype(np.float32)
    X[[3, 7]] = 0.0
    paths = np.array([f"clip{i}.wav" for i in range(len(y))])
    loader = FunctionTransformer(_rows_named, kw_args={"table": X})
    recipe = make_imb_pipeline(
        loader, AWGNAugmenter(snr_db=20, random_state=0), LogisticRegression()
    )
    with pytest.raises(
        SilentClipError,
        match=re.escape(
            "Recipe 'awgn' adds noise relative to each training clip's level "
            "(AWGNAugmenter), but 2 clip(s) are silent once loaded (all samples 0): "
            "clip3.wav, clip7.wav. Remove them"
        ),
    ) as info:
        run_benchmark({"awgn": recipe}, paths, y, groups, n_splits=2, progress=False)
    assert [path for path, _ in info.value.errors] == ["clip3.wav", "clip7.wav"]


class XRecorder(DummyClassifier):
    """A classifier that records the features it is fitted on and predicts from."""

    fitted: list = []
    predicted: list = []

    def fit(self, X, y, sample_weight=None):
        XRecorder.fitted.append(np.asarray(X))
        return super().fit(X, y)

    def predict(self, X):
        XRecorder.predicted.append(np.asarray(X))
        return super().predict(X)


def _assert_standardised_per_speaker(X, groups):
    """Mean 0, std 1 per speaker (speakers with one clip get global statistics)."""
    speakers, counts = np.unique(groups, return_counts=True)
    assert len(X) == len(groups) and counts.max() > 1
    for speaker in speakers[counts > 1]:
        part = X[groups == speaker]
        np.testing.assert_allclose(part.mean(axis=0), 0.0, atol=1e-6)
        np.testing.assert_allclose(part.std(axis=0), 1.0, atol=1e-6)


@pytest.mark.parametrize("protocol", ["speaker", "random-kfold"])
def test_speaker_normalization_uses_each_side_of_a_fold_on_its_own(protocol):
    from sklearn_ser.model_selection import get_protocol

    X, y, groups = _data()
    X = X * np.repeat(np.arange(1.0, 7.0), 15)[:, None]  # a per-speaker spread
    XRecorder.fitted, XRecorder.predicted = [], []
    run_benchmark(
        {"rec": XRecorder()},
        X,
        y,
        groups,
        protocol=protocol,
        n_splits=3,
        progress=False,
        speaker_normalization=True,
    )
    cv = get_protocol(protocol).make_cv(groups, n_splits=3, random_state=0)
    splits = list(cv.split(X, y, groups if protocol == "speaker" else None))
    assert len(XRecorder.fitted) == len(splits)
    for i, (train, test) in enumerate(splits):
        _assert_standardised_per_speaker(XRecorder.fitted[i], groups[train])
        # predict on the test part with the statistics of its own clips, then on
        # the training part (train UAR)
        _assert_standardised_per_speaker(XRecorder.predicted[2 * i], groups[test])
        _assert_standardised_per_speaker(XRecorder.predicted[2 * i + 1], groups[train])


def test_speaker_ids_follow_a_sampler_that_comes_before_the_features():
    from sklearn_ser.augment import AWGNAugmenter

    X, y, groups = _data()
    X = np.abs(X) + np.repeat(np.arange(6.0), 15)[:, None]
    XRecorder.fitted, XRecorder.predicted = [], []
    recipe = make_imb_pipeline(
        AWGNAugmenter(n_copies=1, top_db=None, random_state=0),
        CountingTransformer(np.abs),
        XRecorder(),
    )
    result = run_benchmark(
        {"aug": recipe},
        X,
        y,
        groups,
        n_splits=2,
        progress=False,
        speaker_normalization=True,
    )
    for i, fold in enumerate(result.recipes[0].folds):
        train_groups = groups[np.isin(groups, fold.train_speakers)]
        fitted = XRecorder.fitted[i]
        assert len(fitted) == 2 * len(train_groups)  # originals, then noisy copies
        _assert_standardised_per_speaker(fitted, np.tile(train_groups, 2))


def test_a_sampler_that_hides_its_rows_origin_cannot_precede_the_features():
    from imblearn.over_sampling import SMOTE

    X, y, groups = _data()
    y = y.copy()
    y[:10] = "rare"
    recipe = make_imb_pipeline(
        SMOTE(k_neighbors=2, random_state=0), CountingTransformer(np.abs), XRecorder()
    )
    with pytest.raises(ValueError, match="does not say which clip each of its rows"):
        run_benchmark(
            {"smote": recipe},
            X,
            y,
            groups,
            n_splits=2,
            progress=False,
            speaker_normalization=True,
        )


def test_speaker_normalization_of_a_search_happens_before_it():
    X, y, groups = _data()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": [0.01, 1.0]},
        cv=GroupKFold(n_splits=2),
    )
    result = run_benchmark(
        {"tuned": search},
        X,
        y,
        groups,
        n_splits=3,
        progress=False,
        speaker_normalization=True,
    )
    assert all(fold.best_params for fold in result.recipes[0].folds)
    assert result.recipes[0].mean_std("uar")[0] > 0.8


def test_a_tuned_recipe_that_augments_waveforms_cannot_be_normalised():
    X, y, groups = _data()
    with pytest.raises(
        ValueError,
        match="Recipe 'cnn_lstm' is tuned and computes its features inside the search",
    ):
        run_benchmark(
            {"cnn_lstm": make_recipe("cnn_lstm", tune=True, inner_splits=2)},
            X,
            y,
            groups,
            n_splits=2,
            progress=False,
            speaker_normalization=True,
        )


@pytest.mark.parametrize(
    "name, axis",
    [
        ("svm", -1),
        ("stacked_lstm", -1),
        ("conv1d_lstm", -1),
        ("cnn_transformer", -1),
        ("cnn_lstm", -2),
        ("spectrogram_cnn", -2),
    ],
)
@pytest.mark.parametrize("tune", [False, True])
def test_the_feature_axis_comes_from_the_classifier(name, axis, tune):
    from sklearn_ser.benchmark._speaker import feature_axis_of
    from sklearn_ser.recipes import RECIPES

    if tune and RECIPES[name].param_grid is None:
        pytest.skip("no tuning grid")
    recipe = make_recipe(name, tune=tune)
    assert feature_axis_of(_split_stateless_head(recipe)[1]) == axis


def test_transductive_results_say_so_in_the_table_json_and_figures(
    tmp_path, monkeypatch
):
    from matplotlib.axes import Axes

    titles = []
    set_title = Axes.set_title
    monkeypatch.setattr(
        Axes,
        "set_title",
        lambda ax, text, **kw: (titles.append(text), set_title(ax, text, **kw))[1],
    )
    X, y, groups = _data()
    result = run_benchmark(
        {"logreg": LogisticRegression()},
        X,
        y,
        groups,
        n_splits=2,
        corpus="toy",
        progress=False,
        speaker_normalization=True,
    )
    result.save(tmp_path)
    table = (tmp_path / "results.md").read_text()
    assert "TRANSDUCTIVE: features standardised per speaker" in table
    assert "| logreg (transductive) |" in table
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["transductive"] is True
    assert "TRANSDUCTIVE" in data["protocol"]["description"]
    assert len(titles) == 2
    assert all(
        title.startswith("TRANSDUCTIVE (per-speaker normalisation)") for title in titles
    )


def test_results_without_speaker_normalization_are_not_marked(tmp_path):
    X, y, groups = _data()
    result = run_benchmark(
        {"logreg": LogisticRegression()}, X, y, groups, n_splits=2, progress=False
    )
    assert result.to_dict()["transductive"] is False
    assert "ransductive" not in result.to_markdown().replace('transductive": false', "")


@pytest.mark.slow
def test_speaker_normalization_on_synthetic_audio_for_2d_and_nd_recipes(tmp_path):
    from sklearn_ser.datasets import make_emotional_speech

    data = make_emotional_speech(
        n_speakers=4,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        duration=1.0,
        random_state=0,
        output_dir=tmp_path / "corpus",
    )
    recipes = {
        "svm": make_recipe("svm", random_state=0),
        "cnn_lstm": make_recipe("cnn_lstm", budget="cpu", max_epochs=1, random_state=0),
        "conv1d_lstm": make_recipe(
            "conv1d_lstm", budget="cpu", max_epochs=1, random_state=0
        ),
    }
    result = run_benchmark(
        recipes,
        data.paths,
        data.target,
        data.groups,
        n_splits=2,
        progress=False,
        speaker_normalization=True,
        corpus="synthetic",
    )
    assert [r.recipe for r in result.recipes] == list(recipes)
    assert all(np.isfinite(r.mean_std("uar")[0]) for r in result.recipes)
    table = result.to_markdown()
    for name in recipes:
        assert f"| {name} (transductive) |" in table
    assert result.to_dict()["transductive"] is True
