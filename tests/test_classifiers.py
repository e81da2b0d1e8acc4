"""Tests of the skorch-based deep classifiers (CPU, tiny networks, seeded)."""

import io
import pickle
import re
import warnings

import numpy as np
import pytest
import torch
from _deep_data import CLASSIFIERS, LABELS, make_clf, make_data
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedGroupKFold,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight
from skorch.callbacks import Callback

from sklearn_ser.classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    LayerWeightedHeadClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
)

# The input layouts the classifiers name in their errors, and the shapes the
# feature transformers give a 3 s clip at the papers' settings.
LAYOUTS = {
    CNNLSTMClassifier: "(n_clips, n_chunks, n_mels, chunk_frames)",
    StackedLSTMClassifier: "(n_clips, n_features)",
    SpectrogramCNNClassifier: "(n_clips, 1, n_mels, n_frames)",
    Conv1DLSTMClassifier: "(n_clips, n_frames, n_mfcc)",
    ParallelCNNTransformerClassifier: "(n_clips, n_frames, n_mfcc)",
    LayerWeightedHeadClassifier: "(n_clips, n_layers, dim)",
}
PAPER_SHAPES = {
    CNNLSTMClassifier: (7, 128, 80),
    StackedLSTMClassifier: (170,),
    SpectrogramCNNClassifier: (1, 128, 94),
    Conv1DLSTMClassifier: (282, 12),
    ParallelCNNTransformerClassifier: (282, 40),
    LayerWeightedHeadClassifier: (5, 384),  # Whisper tiny, every hidden state
}


class SplitRecorder(Callback):
    """Records the indices of skorch's internal train and validation parts."""

    def on_train_begin(self, net, **kwargs):
        self.parts_ = None

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.parts_ = (dataset_train.indices, dataset_valid.indices)


# -- learning and the estimator contract ----------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_overfits_separable_data_and_predicts_labels(cls):
    X, y = make_data(cls)
    max_epochs = 50 if cls is StackedLSTMClassifier else 30
    clf = make_clf(cls, max_epochs=max_epochs).fit(X, y)

    assert clf.score(X, y) == 1.0
    assert clf.predict(X).dtype == y.dtype
    assert set(clf.predict(X)) == set(LABELS)
    np.testing.assert_array_equal(clf.classes_, LABELS)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert len(clf.history_) == max_epochs
    assert clf.history is clf.history_
    assert clf.history_[-1, "train_loss"] < clf.history_[0, "train_loss"]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_same_random_state_gives_identical_predictions(cls):
    X, y = make_data(cls)
    first = make_clf(cls, random_state=3).fit(X, y).predict_proba(X)
    second = make_clf(cls, random_state=3).fit(X, y).predict_proba(X)
    other = make_clf(cls, random_state=4).fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_seeding_leaves_the_global_torch_random_state_alone():
    X, y = make_data(StackedLSTMClassifier)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make_clf(StackedLSTMClassifier).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_pickle_round_trip_gives_identical_predictions(cls):
    X, y = make_data(cls)
    clf = make_clf(cls).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))

    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.device == "auto"
    assert loaded.device_ == clf.device_


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_clone_and_params(cls):
    clf = make_clf(cls, class_weight="balanced")
    X, y = make_data(cls)
    clf.fit(X, y)
    copy = clone(clf)

    params, copied = clf.get_params(deep=False), copy.get_params(deep=False)
    assert copied.keys() == params.keys()
    plain = (bool, int, float, str, tuple, type, type(None))
    assert {k: v for k, v in copied.items() if isinstance(v, plain)} == {
        k: v for k, v in params.items() if isinstance(v, plain)
    }
    assert params["class_weight"] == "balanced"
    assert not hasattr(copy, "classes_")
    assert clf.get_params()["device"] == "auto"
    assert clf.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    assert "_params_to_validate" not in clf.get_params()


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_paper_architecture_sizes_run_on_paper_shapes(cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, *PAPER_SHAPES[cls])).astype(np.float32)
    y = np.array(["angry", "calm", "angry", "calm"])
    clf = cls(max_epochs=1, batch_size=4, random_state=0).fit(X, y)

    assert clf.predict_proba(X).shape == (4, 2)
    assert clf.input_shape_ == PAPER_SHAPES[cls]
    assert clf.module_.network.head is not None
    assert np.isfinite(clf.history_[-1, "train_loss"])


def test_paper_defaults():
    assert StackedLSTMClassifier().get_params()["optimizer"] is torch.optim.Adam
    assert StackedLSTMClassifier().get_params()["batch_size"] == 256
    assert Conv1DLSTMClassifier().lr == 0.01
    params = ParallelCNNTransformerClassifier().get_params()
    assert params["optimizer"] is torch.optim.SGD
    assert (params["lr"], params["batch_size"], params["max_epochs"]) == (0.01, 16, 200)
    assert params["momentum"] == 0.9
    assert params["weight_decay"] == 1e-4
    assert CNNLSTMClassifier().max_epochs == 1400
    for cls in CLASSIFIERS:
        clf = cls()
        # verbose=1: a long fit shows each epoch (skorch's table).
        assert (clf.device, clf.verbose, clf.train_split) == ("auto", 1, None)
        assert clf.iterator_train__shuffle is True


def test_input_is_standardised_inside_the_estimator():
    X, y = make_data(Conv1DLSTMClassifier)
    X = X * np.arange(1, 9, dtype=np.float32) + 100.0
    clf = make_clf(Conv1DLSTMClassifier).fit(X, y)

    # One mean and scale per MFCC, pooled over clips and frames.
    np.testing.assert_allclose(clf.scaler_.mean_, X.mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(clf.scaler_.scale_, X.std(axis=(0, 1)), rtol=1e-4)
    scaled = clf.module_.standardize(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(scaled.mean(axis=(0, 1)), 0.0, atol=1e-4)
    np.testing.assert_allclose(scaled.std(axis=(0, 1)), 1.0, atol=1e-4)


def test_mel_inputs_are_standardised_per_mel_band():
    X, y = make_data(CNNLSTMClassifier)
    X = X * np.arange(1, 9, dtype=np.float32)[:, None]
    clf = make_clf(CNNLSTMClassifier).fit(X, y)
    np.testing.assert_allclose(clf.scaler_.mean_, X.mean(axis=(0, 1, 3)), rtol=1e-5)
    assert clf.scaler_.mean_.shape == (8,)


def test_constant_feature_keeps_a_unit_scale():
    X, y = make_data(StackedLSTMClassifier)
    X[:, 0] = 5.0
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    assert clf.scaler_.scale_[0] == 1.0
    assert np.isfinite(clf.predict_proba(X)).all()


def test_module_params_of_a_fitted_net_reinitialise_it():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    clf.set_params(module__hidden_size=4, device="cpu")
    assert clf.module_.network.lstm.hidden_size == 4
    assert clf.module_.standardize.mean.shape == (6,)
    assert (clf.device, clf.device_) == ("cpu", "cpu")
    assert clf.predict_proba(X).shape == (len(X), 3)


def test_saved_params_load_into_an_auto_device_net(tmp_path):
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    clf.save_params(f_params=tmp_path / "params.pt")
    other = make_clf(StackedLSTMClassifier, random_state=1).fit(X, y)
    other.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))
    assert other.device == "auto"


def test_verbose_prints_skorch_progress_by_default(capsys):
    X, y = make_data(StackedLSTMClassifier)
    make_clf(StackedLSTMClassifier, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    make_clf(StackedLSTMClassifier).fit(X, y)
    assert "train_loss" in capsys.readouterr().out


def test_partial_fit_continues_training():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, max_epochs=2)
    clf.partial_fit(X[y != "sad"], y[y != "sad"], classes=LABELS)
    weights = clf.module_.network.head[0].weight.detach().clone()
    clf.partial_fit(X, y)

    assert len(clf.history_) == 4
    np.testing.assert_array_equal(clf.classes_, LABELS)
    assert not torch.equal(weights, clf.module_.network.head[0].weight)


def test_classes_parameter_fixes_the_label_set():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, classes=["angry", "calm", "happy", "sad"])
    clf.fit(X, y)
    assert clf.predict_proba(X).shape == (len(X), 4)


# -- early stopping and groups --------------------------------------------


def test_early_stopping_split_holds_out_whole_speakers():
    X, y = make_data(StackedLSTMClassifier, n_per_class=12)
    groups = np.tile(np.repeat(["s1", "s2", "s3", "s4", "s5", "s6"], 2), 3)
    recorder = SplitRecorder()
    clf = make_clf(
        StackedLSTMClassifier,
        early_stopping=True,
        validation_fraction=0.34,
        callbacks=[("recorder", recorder)],
    )
    clf.fit(X, y, groups=groups)

    train, valid = recorder.parts_
    assert set(groups[train]).isdisjoint(groups[valid])
    assert len(set(groups[valid])) == 3
    assert sorted(np.concatenate([train, valid])) == list(range(len(y)))
    assert "valid_loss" in clf.history_[-1]
    assert 0.0 <= clf.history_[-1, "valid_acc"] <= 1.0


def test_early_stopping_without_groups_is_a_stratified_split():
    X, y = make_data(StackedLSTMClassifier, n_per_class=10)
    recorder = SplitRecorder()
    clf = make_clf(
        StackedLSTMClassifier,
        early_stopping=True,
        validation_fraction=0.3,
        callbacks=[("recorder", recorder)],
    )
    clf.fit(X, y)
    _, valid = recorder.parts_
    assert sorted(y[valid]) == ["angry"] * 3 + ["calm"] * 3 + ["sad"] * 3


def test_early_stopping_stops_and_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6)).astype(np.float32)
    y = rng.choice(LABELS, size=60)  # noise: the validation loss soon rises
    recorder = SplitRecorder()
    clf = make_clf(
        StackedLSTMClassifier,
        lr=0.05,
        max_epochs=100,
        early_stopping=True,
        patience=3,
        validation_fraction=0.3,
        callbacks=[("recorder", recorder)],
    ).fit(X, y)

    losses = clf.history_[:, "valid_loss"]
    assert len(losses) < 100
    assert np.argmin(losses) == len(losses) - 4
    # The weights of the best epoch are back in place.
    _, valid = recorder.parts_
    restored = log_loss(y[valid], clf.predict_proba(X[valid]), labels=clf.classes_)
    assert restored == pytest.approx(min(losses), rel=1e-5)


def test_groups_reach_the_split_from_a_pipeline():
    X, y = make_data(StackedLSTMClassifier, n_per_class=12)
    groups = np.tile(np.repeat(["s1", "s2", "s3", "s4", "s5", "s6"], 2), 3)
    recorder = SplitRecorder()
    clf = make_clf(
        StackedLSTMClassifier,
        early_stopping=True,
        validation_fraction=0.34,
        callbacks=[("recorder", recorder)],
    )
    for pipe in (
        Pipeline([("scale", StandardScaler()), ("clf", clf)]),
        make_imblearn_pipeline(StandardScaler(), clf),
    ):
        name = pipe.steps[-1][0]
        pipe.fit(X, y, **{f"{name}__groups": groups})
        train, valid = recorder.parts_
        assert set(groups[train]).isdisjoint(groups[valid])


# -- scikit-learn tools ---------------------------------------------------


def test_grid_search_tunes_optimiser_and_module_in_a_pipeline():
    X, y = make_data(StackedLSTMClassifier)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", make_clf(StackedLSTMClassifier))]
    )
    grid = GridSearchCV(
        pipe,
        {"clf__lr": [0.02, 0.001], "clf__module__hidden_size": [4, 8]},
        cv=2,
        error_score="raise",
    ).fit(X, y)

    assert len(grid.cv_results_["params"]) == 4
    assert (
        grid.best_estimator_[-1].module_.network.lstm.hidden_size
        == (grid.best_params_["clf__module__hidden_size"])
    )
    assert grid.predict(X).shape == y.shape


def test_cross_validate_speaker_independent_with_nd_input():
    X, y = make_data(Conv1DLSTMClassifier, n_per_class=12)
    groups = np.tile(np.repeat(["s1", "s2", "s3", "s4", "s5", "s6"], 2), 3)
    flat = X.reshape(len(X), -1)
    pipe = make_pipeline(
        FunctionTransformer(np.reshape, kw_args={"shape": (-1, *X.shape[1:])}),
        make_clf(Conv1DLSTMClassifier, early_stopping=True, validation_fraction=0.4),
    )
    result = cross_validate(
        pipe,
        flat,
        y,
        groups=groups,
        cv=StratifiedGroupKFold(3),
        params={"conv1dlstmclassifier__groups": groups},
        error_score="raise",
    )
    assert result["test_score"].shape == (3,)


def test_cross_validate_after_an_imblearn_sampler():
    X, y = make_data(StackedLSTMClassifier, n_per_class=12)
    keep = np.r_[0:12, 12:18, 24:36]  # "calm" under-represented
    pipe = make_imblearn_pipeline(
        RandomOverSampler(random_state=0), make_clf(StackedLSTMClassifier)
    )
    result = cross_validate(pipe, X[keep], y[keep], cv=3, error_score="raise")
    assert result["test_score"].shape == (3,)


def test_soft_voting_ensemble_of_spectrogram_cnns():
    X, y = make_data(SpectrogramCNNClassifier)
    ensemble = VotingClassifier(
        [
            (f"cnn{seed}", make_clf(SpectrogramCNNClassifier, random_state=seed))
            for seed in range(3)
        ],
        voting="soft",
    ).fit(X, y)

    members = [member.predict_proba(X) for member in ensemble.estimators_]
    np.testing.assert_allclose(ensemble.predict_proba(X), np.mean(members, axis=0))
    assert set(ensemble.predict(X)) <= set(LABELS)


# -- class weights --------------------------------------------------------


def test_balanced_class_weight_weighs_the_loss():
    X, y = make_data(StackedLSTMClassifier)
    keep = np.r_[0:8, 8:11, 16:24]
    clf = make_clf(StackedLSTMClassifier, class_weight="balanced").fit(X[keep], y[keep])

    expected = compute_class_weight("balanced", classes=LABELS, y=y[keep])
    np.testing.assert_allclose(clf.class_weight_, expected)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), expected, rtol=1e-6)
    assert clf.class_weight_[1] > clf.class_weight_[0]


def test_class_weight_dict_is_keyed_by_label():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, class_weight={"sad": 3.0}).fit(X, y)
    np.testing.assert_array_equal(clf.criterion_.weight.numpy(), [1.0, 1.0, 3.0])


def test_no_class_weight_leaves_the_loss_unweighted():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    assert clf.class_weight_ is None
    assert clf.criterion_.weight is None


# -- devices --------------------------------------------------------------


def test_auto_device_model_unpickles_without_cuda_quietly():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    clf.device_ = "cuda"  # as if it had been trained on a GPU
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = pickle.loads(pickle.dumps(clf))
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert (loaded.device, loaded.device_) == ("auto", expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_explicit_cuda_without_cuda_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match="device='cuda' was requested but CUDA is not"):
        make_clf(StackedLSTMClassifier, device="cuda").fit(X, y)


def test_unknown_device_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match="device='gpu0' is not a torch device"):
        make_clf(StackedLSTMClassifier, device="gpu0").fit(X, y)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")
@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_auto_device_trains_on_cuda(cls):
    X, y = make_data(cls)
    clf = make_clf(cls).fit(X, y)
    assert clf.device_ == "cuda"
    assert clf.device == "auto"
    assert next(clf.module_.parameters()).is_cuda
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")
def test_cuda_model_loads_on_a_cpu_only_machine(monkeypatch):
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    buffer = io.BytesIO()
    pickle.dump(clf, buffer)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = pickle.loads(buffer.getvalue())

    assert loaded.device_ == "cpu"
    assert not next(loaded.module_.parameters()).is_cuda
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-5)


# -- bad input ------------------------------------------------------------


def test_one_class_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(
        ValueError, match=r"needs at least 2 classes in y; got 1 class \('sad'\)"
    ):
        make_clf(StackedLSTMClassifier).fit(X[y == "sad"], y[y == "sad"])


def test_mismatched_lengths_are_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: \[24, 23\]"
    ):
        make_clf(StackedLSTMClassifier).fit(X, y[:-1])
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: \[24, 20\]"
    ):
        make_clf(StackedLSTMClassifier).fit(X, y, groups=np.arange(20))


def test_missing_y_is_an_error():
    X, _ = make_data(StackedLSTMClassifier)
    with pytest.raises(
        ValueError, match="requires y to be passed, but the target y is None"
    ):
        make_clf(StackedLSTMClassifier).fit(X, None)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_wrong_rank_names_the_expected_shape(cls):
    X, y = make_data(cls)
    wrong = X[..., None] if X.ndim == 2 else X.reshape(len(X), -1)
    message = (
        f"{cls.__name__} expects X of shape {LAYOUTS[cls]}, as "
        f".* returns it; got an array of shape {wrong.shape}"
    )
    with pytest.raises(ValueError, match=re.escape(message).replace(r"\.\*", ".*")):
        make_clf(cls).fit(wrong, y)


@pytest.mark.parametrize(
    "cls", [c for c in CLASSIFIERS if c is not StackedLSTMClassifier]
)
def test_other_shape_at_predict_is_an_error(cls):
    X, y = make_data(cls)
    clf = make_clf(cls).fit(X, y)
    other = np.concatenate([X, X], axis=-1)
    message = (
        f"X has per-clip shape {other.shape[1:]}, but {cls.__name__} was fitted on "
        f"per-clip shape {X.shape[1:]}"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.predict(other)


def test_other_number_of_features_at_predict_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 5 features, but StackedLSTMClassifier is expecting 6"
    ):
        clf.predict_proba(X[:, :5])


def test_score_with_unseen_label_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X, y)
    y_test = y.copy()
    y_test[0] = "happy"
    message = (
        "y contains labels ['happy'] that StackedLSTMClassifier did not see during "
        "fit; its classes_ are ['angry', 'calm', 'sad']."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.score(X, y_test)


def test_unseen_label_in_partial_fit_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier).fit(X[y != "sad"], y[y != "sad"])
    with pytest.raises(
        ValueError, match=re.escape("y contains labels ['sad'] that are not among")
    ):
        clf.partial_fit(X, y)


def test_labels_mixing_strings_and_numbers_are_named():
    X, _ = make_data(StackedLSTMClassifier)
    y = np.array(["1", 2, 3.0] * (len(X) // 3), dtype=object)
    message = (
        "y mixes labels of different types: float (3.0), int (2), str ('1'); "
        "give every label the same type"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        make_clf(StackedLSTMClassifier).fit(X[: len(y)], y)


def test_predict_before_fit_is_an_error():
    X, _ = make_data(StackedLSTMClassifier)
    with pytest.raises(NotFittedError):
        make_clf(StackedLSTMClassifier).predict(X)


def test_nan_input_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        make_clf(StackedLSTMClassifier).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"class_weight": "even"},
            "The 'class_weight' parameter of StackedLSTMClassifier must be",
        ),
        ({"validation_fraction": 1.0}, "The 'validation_fraction' parameter"),
        ({"patience": 0}, "The 'patience' parameter"),
        ({"lr": -1.0}, "The 'lr' parameter"),
    ],
)
def test_invalid_parameters_are_errors(params, message):
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(InvalidParameterError, match=message):
        make_clf(StackedLSTMClassifier, **params).fit(X, y)


@pytest.mark.parametrize(
    "params, groups, message",
    [
        (
            {"module__n_classes": 3},
            None,
            "module__n_classes is set by fit from the training data",
        ),
        ({"module__input_shape": (6,)}, None, "module__input_shape is set by fit"),
        (
            {"class_weight": "balanced", "criterion__weight": torch.ones(3)},
            None,
            "either as class_weight or as criterion__weight, not both",
        ),
        (
            {"early_stopping": True, "train_split": lambda ds, y: (ds, ds)},
            None,
            "early_stopping=True makes its own validation split",
        ),
        ({"early_stopping": True}, ["s1"] * 24, "needs at least 2 distinct groups"),
        (
            {"class_weight": {"happy": 2.0}},
            None,
            re.escape(
                "class_weight has labels ['happy'] that are not among the classes"
            ),
        ),
    ],
)
def test_inconsistent_settings_are_errors(params, groups, message):
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match=message):
        make_clf(StackedLSTMClassifier, **params).fit(X, y, groups=groups)
