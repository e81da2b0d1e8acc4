import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from sklearn_ser import AudioLoader, AWGNAugmenter
from sklearn_ser.datasets import make_emotional_speech
from sklearn_ser.model_selection import PROTOCOLS
from sklearn_ser.recipes import (
    DEFAULT_BENCHMARK_RECIPES,
    RECIPES,
    make_recipe,
    n_stateless_steps,
)


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    data = make_emotional_speech(
        n_speakers=3,
        n_clips_per_emotion=2,
        emotions=("happy", "sad", "angry"),
        duration=3.0,
        random_state=0,
        output_dir=root,
    )
    return data


def test_registry_metadata_is_complete():
    assert set(RECIPES) >= {
        "cnn_lstm",
        "stacked_lstm",
        "spectrogram_cnn",
        "conv1d_lstm",
        "cnn_transformer",
        "svm",
        "random_forest",
        "egemaps_svm",
        "compare_svm",
    }
    for name, recipe in RECIPES.items():
        assert recipe.name == name
        assert recipe.paper_protocol in PROTOCOLS
        assert not PROTOCOLS[recipe.paper_protocol].speaker_independent
        assert recipe.summary and recipe.reported
        # every recipe function documents its paper or baseline
        assert "Returns" in recipe.build.__doc__
    assert set(DEFAULT_BENCHMARK_RECIPES) <= set(RECIPES)
    default_deep = [n for n in DEFAULT_BENCHMARK_RECIPES if RECIPES[n].deep]
    assert len(default_deep) >= 2
    assert {"svm", "random_forest"} <= set(DEFAULT_BENCHMARK_RECIPES)


@pytest.mark.parametrize("name", list(RECIPES))
def test_recipe_is_an_unfitted_pipeline_from_paths(name):
    pipe = make_recipe(name, random_state=0)
    assert isinstance(pipe, Pipeline)
    assert isinstance(pipe.steps[0][1], AudioLoader)
    clone(pipe)  # scikit-learn can clone it (cross_validate, GridSearchCV)


def test_augmentation_sits_inside_the_pipeline():
    for name in ("cnn_lstm", "spectrogram_cnn", "cnn_transformer"):
        steps = dict(make_recipe(name).steps)
        assert isinstance(steps["augment"], AWGNAugmenter)
        assert "augment" not in dict(make_recipe(name, augment=False).steps)


def test_paper_settings_are_the_defaults():
    cnn_lstm = dict(make_recipe("cnn_lstm").steps)
    assert cnn_lstm["load"].sr == 48000 and cnn_lstm["load"].offset == 0.5
    assert cnn_lstm["features"].n_chunks == 7
    stacked = dict(make_recipe("stacked_lstm").steps)["classifier"]
    assert (stacked.lr, stacked.batch_size, stacked.max_epochs) == (0.001, 256, 50)
    transformer = dict(make_recipe("cnn_transformer").steps)
    assert (
        transformer["features"].n_mfcc == 40
        and transformer["features"].hop_length == 512
    )
    assert transformer["classifier"].max_epochs == 200


def test_overrides_reach_the_steps():
    pipe = make_recipe(
        "conv1d_lstm", max_epochs=3, device="cpu", random_state=7, n_jobs=2
    )
    steps = dict(pipe.steps)
    assert steps["classifier"].max_epochs == 3
    assert steps["classifier"].device == "cpu"
    assert steps["classifier"].random_state == 7
    assert steps["load"].n_jobs == 2 and steps["features"].n_jobs == 2
    ensemble = dict(make_recipe("spectrogram_cnn", random_state=5, n_models=2).steps)
    seeds = [est.random_state for _, est in ensemble["classifier"].estimators]
    assert seeds == [5, 6]


def test_shared_overrides_are_skipped_by_recipes_without_them():
    pipe = make_recipe("random_forest", max_epochs=5, device="cuda")
    assert dict(pipe.steps)["classifier"].n_estimators == 500


@pytest.mark.parametrize(
    "name, overrides, match",
    [
        ("nope", {}, "Unknown recipe 'nope'; valid recipes: cnn_lstm, stacked_lstm"),
        (
            "svm",
            {"n_chunks": 3},
            "Recipe 'svm' has no parameter.s. n_chunks; it accepts",
        ),
        ("spectrogram_cnn", {"n_models": 0}, "n_models must be >= 1; got 0"),
    ],
)
def test_bad_recipe_requests(name, overrides, match):
    with pytest.raises(ValueError, match=match):
        make_recipe(name, **overrides)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_fits_and_predicts_from_paths(name, tiny_corpus, tiny_encoder):
    overrides = {"random_state": 0, "max_epochs": 1, "device": "cpu"}
    if "encoder" in RECIPES[name].parameters():  # no hub here: a tiny random one
        overrides["encoder"] = tiny_encoder("whisper")
    if name == "spectrogram_cnn":
        overrides["n_models"] = 2
    pipe = make_recipe(name, **overrides)
    pipe.fit(tiny_corpus.paths, tiny_corpus.target)
    predictions = pipe.predict(tiny_corpus.paths[:4])
    assert set(predictions) <= set(tiny_corpus.target)
    proba = pipe.predict_proba(tiny_corpus.paths[:4])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_cpu_budget_shrinks_deep_recipes_and_overrides_win():
    steps = dict(make_recipe("conv1d_lstm", budget="cpu").steps)
    assert steps["load"].sr == 16000 and steps["features"].hop_length == 512
    assert steps["classifier"].max_epochs == 20
    assert steps["classifier"].module__lstm_hidden_size == 64
    stacked = dict(make_recipe("stacked_lstm", budget="cpu").steps)["classifier"]
    assert stacked.module__layout == "vector"
    assert (
        dict(make_recipe("conv1d_lstm", budget="cpu", max_epochs=3).steps)[
            "classifier"
        ].max_epochs
        == 3
    )
    # the spectrogram CNNs keep their layers and read a coarser log-mel
    for name in ("cnn_lstm", "spectrogram_cnn"):
        features = make_recipe(name, budget="cpu").named_steps["features"]
        assert (features.n_mels, features.hop_length, features.sr) == (64, 256, 16000)
    ensemble = make_recipe("spectrogram_cnn", budget="cpu").named_steps["classifier"]
    assert len(ensemble.estimators) == 2
    assert {member.max_epochs for _, member in ensemble.estimators} == {10}
    # the paper budget is each recipe's own defaults
    paper = dict(make_recipe("conv1d_lstm", budget="paper").steps)
    assert paper["classifier"].max_epochs == 50 and paper["load"].sr == 22050
    # classical recipes are the same under both budgets
    assert repr(make_recipe("svm", budget="cpu")) == repr(make_recipe("svm"))


def test_unknown_budget():
    with pytest.raises(
        ValueError, match="Unknown budget 'gpu'; valid budgets: paper, cpu"
    ):
        make_recipe("svm", budget="gpu")


@pytest.mark.parametrize(
    "name, feature_set",
    [("egemaps_svm", "eGeMAPSv02"), ("compare_svm", "ComParE_2016")],
)
def test_opensmile_recipes_read_their_feature_set(name, feature_set):
    pipe = make_recipe(name, sr=22050, n_jobs=2, C=3.0)
    features = pipe.named_steps["features"]
    assert type(features).__name__ == "OpenSMILEFunctionals"
    assert (features.feature_set, features.sr, features.n_jobs) == (
        feature_set,
        22050,
        2,
    )
    assert pipe.named_steps["load"].sr == 22050
    assert pipe.named_steps["classifier"].estimator.C == 3.0
    assert n_stateless_steps(pipe) == 2


@pytest.mark.parametrize("name", ["svm", "random_forest", "egemaps_svm", "compare_svm"])
def test_balance_oversamples_inside_the_pipeline(name):
    assert "balance" not in dict(make_recipe(name).steps)
    steps = make_recipe(name, balance=True, random_state=3).steps
    assert [step for step, _ in steps] == [
        "load",
        "features",
        "scale",
        "balance",
        "classifier",
    ]
    assert steps[3][1].random_state == 3


@pytest.mark.parametrize(
    "name", [name for name, recipe in RECIPES.items() if recipe.param_grid]
)
def test_tuned_recipe_searches_the_fitted_steps_only(name):
    plain = make_recipe(name, budget="cpu", random_state=4)
    tuned = make_recipe(name, budget="cpu", tune=True, random_state=4, inner_splits=4)
    search = tuned.named_steps["search"]
    n_head = n_stateless_steps(plain)
    assert [n for n, _ in tuned.steps] == [n for n, _ in plain.steps[:n_head]] + [
        "search"
    ]
    assert [n for n, _ in search.estimator.steps] == [
        n for n, _ in plain.steps[n_head:]
    ]
    assert search.param_grid == dict(RECIPES[name].param_grid)
    assert search.scoring == "balanced_accuracy" and search.error_score == "raise"
    assert isinstance(search.cv, StratifiedGroupKFold)
    assert (search.cv.n_splits, search.cv.random_state) == (4, 4)
    # every grid value can be set on the searched steps (skorch's module__*
    # are virtual parameters, so get_params would not list them)
    for key, values in search.param_grid.items():
        for value in values:
            clone(search.estimator).set_params(**{key: value})


def test_tuned_recipe_is_fitted_with_speaker_grouped_inner_folds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 16000)).astype(np.float32)
    y = np.tile(["happy", "sad"], 24)
    groups = np.repeat(["a", "b", "c", "d"], 12)
    tuned = make_recipe("random_forest", tune=True, n_estimators=5, random_state=0)
    tuned.steps[0] = ("load", "passthrough")  # waveforms in memory, not paths
    tuned.fit(X, y, search__groups=groups)
    assert set(tuned.named_steps["search"].best_params_) == set(
        RECIPES["random_forest"].param_grid
    )
    assert tuned.predict(X[:3]).shape == (3,)
    with pytest.raises(ValueError, match="groups"):
        clone(tuned).fit(X, y)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"name": "spectrogram_cnn", "tune": True},
            ValueError,
            "Recipe 'spectrogram_cnn' has no tuning grid; recipes that can be tuned",
        ),
        ({"name": "svm", "tune": True, "inner_splits": 1}, ValueError, "got 1"),
        ({"name": "svm", "tune": True, "inner_splits": 2.5}, TypeError, "got 2.5"),
    ],
)
def test_bad_tuning_requests(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_recipe(**kwargs)


def test_n_stateless_steps_stops_at_the_first_fitted_step_or_sampler():
    assert n_stateless_steps(make_recipe("svm")) == 2
    assert n_stateless_steps(make_recipe("cnn_lstm")) == 1  # AWGN sampler next
    assert n_stateless_steps(make_recipe("conv1d_lstm")) == 2
