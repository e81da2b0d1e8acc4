"""Training options of the deep classifiers: validation, schedules, masks, mixup."""

import numpy as np
import pytest
import torch
from _deep_data import CLASSIFIERS, make_clf, make_data
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.classifiers import (
    CNNLSTMClassifier,
    Conv1DLSTMClassifier,
    LayerWeightedHeadClassifier,
    ParallelCNNTransformerClassifier,
    SpectrogramCNNClassifier,
    StackedLSTMClassifier,
    _training_options,
)
from sklearn_ser.classifiers._training import WarmupCosine, mask_spans, mixup

ALL_OPTIONS = dict(
    optimizer=torch.optim.AdamW,
    weight_decay=0.01,
    lr_schedule="cosine",
    warmup=0.2,
    label_smoothing=0.1,
    max_grad_norm=1.0,
    mixup_alpha=0.4,
)

# Mask widths that fit each classifier's toy input (StackedLSTM has no axes).
MASKS = {
    CNNLSTMClassifier: dict(time_mask=3, freq_mask=2),
    StackedLSTMClassifier: {},
    SpectrogramCNNClassifier: dict(time_mask=4, freq_mask=2),
    Conv1DLSTMClassifier: dict(time_mask=3, freq_mask=2),
    ParallelCNNTransformerClassifier: dict(time_mask=4, freq_mask=2),
    LayerWeightedHeadClassifier: dict(freq_mask=2),  # no time axis
}


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_all_options_train_reproducibly_and_predict(cls):
    X, y = make_data(cls)
    options = {**ALL_OPTIONS, **MASKS[cls]}
    first = make_clf(cls, **options).fit(X, y)
    second = make_clf(cls, **options).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    np.testing.assert_allclose(first.predict_proba(X).sum(axis=1), 1.0)


def test_options_change_training_but_defaults_do_not():
    X, y = make_data(Conv1DLSTMClassifier)
    plain = make_clf(Conv1DLSTMClassifier).fit(X, y).predict_proba(X)
    explicit_defaults = make_clf(
        Conv1DLSTMClassifier,
        lr_schedule="constant",
        label_smoothing=0.0,
        mixup_alpha=0.0,
        time_mask=0,
        freq_mask=0,
        precision="float32",
    )
    np.testing.assert_array_equal(explicit_defaults.fit(X, y).predict_proba(X), plain)
    masked = make_clf(Conv1DLSTMClassifier, time_mask=5).fit(X, y).predict_proba(X)
    assert not np.array_equal(masked, plain)


class Spy:
    """Counts calls of a function and the batch sizes it saw."""

    def __init__(self, function):
        self.function = function
        self.batch_sizes = []

    def __call__(self, inputs, *args, **kwargs):
        self.batch_sizes.append(len(inputs))
        return self.function(inputs, *args, **kwargs)


def test_masks_and_mixup_run_in_training_batches_only(monkeypatch):
    masks, mixes = Spy(mask_spans), Spy(mixup)
    monkeypatch.setattr(_training_options, "mask_spans", masks)
    monkeypatch.setattr(_training_options, "mixup", mixes)
    X, y = make_data(Conv1DLSTMClassifier, n_per_class=10)
    groups = np.repeat(np.arange(6), 5)
    clf = make_clf(
        Conv1DLSTMClassifier,
        time_mask=2,
        freq_mask=2,
        mixup_alpha=0.2,
        early_stopping=True,
        validation_fraction=0.25,
        patience=50,
    ).fit(X, y, groups=groups)

    n_train = len(X) - 2 * 5  # ceil(0.25 * 6) = 2 of 6 speakers held out
    batches_per_epoch = -(-n_train // clf.batch_size)
    assert sum(mixes.batch_sizes) == n_train * clf.max_epochs
    assert len(mixes.batch_sizes) == batches_per_epoch * clf.max_epochs
    assert len(masks.batch_sizes) == 2 * len(mixes.batch_sizes)
    calls = (len(masks.batch_sizes), len(mixes.batch_sizes))
    clf.predict_proba(X)
    clf.score(X, y)
    assert (len(masks.batch_sizes), len(mixes.batch_sizes)) == calls


def test_mask_spans_zero_whole_bands_or_frames_within_the_width():
    torch.manual_seed(0)
    inputs = torch.ones(50, 3, 8, 12)  # (batch, chunks, bands, frames)
    masked = mask_spans(inputs, axis=-1, max_width=4, other_axis=-2)
    zero = masked == 0
    # A time mask spans every band of its frames, per example and chunk.
    assert torch.equal(zero.all(dim=-2), zero.any(dim=-2))
    widths = zero.all(dim=-2).sum(dim=-1)
    assert widths.max() <= 4 and widths.max() > 0 and (widths == 0).any()
    # The zeroed frames of a row are one contiguous span.
    for row in zero.all(dim=-2).reshape(-1, 12):
        frames = torch.nonzero(row).flatten()
        if len(frames):
            assert frames[-1] - frames[0] + 1 == len(frames)
    assert torch.equal(inputs, torch.ones(50, 3, 8, 12))


def test_mixup_mixes_inputs_and_labels_with_one_weight():
    torch.manual_seed(0)
    inputs = torch.arange(8.0).reshape(4, 2)
    y = torch.tensor([0, 1, 2, 3])
    mixed, partner, lam = mixup(inputs, y, alpha=1.0)
    np.testing.assert_allclose(
        mixed, lam * inputs + (1 - lam) * inputs[partner], rtol=1e-6
    )


def test_warmup_cosine_rises_then_decays_to_zero():
    schedule = WarmupCosine(total_steps=100, warmup_steps=10)
    factors = [schedule(step) for step in range(101)]
    assert factors[0] == pytest.approx(1 / 11)
    assert max(factors) == factors[10] == 1.0
    assert all(a >= b for a, b in zip(factors[10:], factors[11:], strict=False))
    assert factors[100] == pytest.approx(0.0)


@pytest.mark.parametrize("schedule", ["cosine", "onecycle"])
def test_schedules_step_every_batch_up_to_lr(schedule):
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(
        StackedLSTMClassifier, max_epochs=4, lr_schedule=schedule, warmup=0.25
    ).fit(X, y)
    lrs = [
        lr for epoch in clf.history for lr in (b["event_lr"] for b in epoch["batches"])
    ]
    assert len(lrs) == 4 * clf.steps_per_epoch_ == 4 * 3
    assert max(lrs) == pytest.approx(clf.lr, rel=0.05)
    assert lrs[0] < clf.lr and lrs[-1] < 0.2 * clf.lr
    # The peak comes after the warm-up, a quarter of the 12 steps.
    assert 2 <= np.argmax(lrs) <= 3


def test_optimizer_criterion_and_clipping_receive_the_options():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, **ALL_OPTIONS).fit(X, y)
    assert isinstance(clf.optimizer_, torch.optim.AdamW)
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 0.01
    assert clf.criterion_.label_smoothing == 0.1
    assert dict(clf.callbacks_)["gradient_clipping"].gradient_clip_value == 1.0


def test_seed_recipes_keep_their_papers_weight_decay():
    assert CNNLSTMClassifier().weight_decay == 1e-4
    assert ParallelCNNTransformerClassifier().weight_decay == 1e-4
    assert StackedLSTMClassifier().weight_decay is None
    clf = make_clf(CNNLSTMClassifier).fit(*make_data(CNNLSTMClassifier))
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 1e-4


def test_grid_search_tunes_the_options():
    X, y = make_data(StackedLSTMClassifier, n_per_class=6)
    search = GridSearchCV(
        make_clf(StackedLSTMClassifier, max_epochs=2),
        {"label_smoothing": [0.0, 0.2], "lr_schedule": ["constant", "cosine"]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"label_smoothing", "lr_schedule"}


# -- bad input ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [
        ("label_smoothing", 1.0),
        ("label_smoothing", -0.1),
        ("lr_schedule", "linear"),
        ("warmup", 1.0),
        ("max_grad_norm", 0.0),
        ("time_mask", -1),
        ("freq_mask", 2.5),
        ("mixup_alpha", -0.5),
        ("weight_decay", -1e-4),
        ("precision", "fp16"),
    ],
)
def test_options_out_of_range_name_the_parameter(name, value):
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        make_clf(StackedLSTMClassifier, **{name: value}).fit(X, y)


def test_onecycle_without_warmup_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match="lr_schedule='onecycle' needs warmup > 0"):
        make_clf(StackedLSTMClassifier, lr_schedule="onecycle").fit(X, y)


@pytest.mark.parametrize(
    "option, skorch_name, value",
    [
        ("weight_decay", "optimizer__weight_decay", 0.1),
        ("label_smoothing", "criterion__label_smoothing", 0.1),
    ],
)
def test_an_option_given_twice_is_an_error(option, skorch_name, value):
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, **{option: value, skorch_name: value})
    with pytest.raises(ValueError, match=f"either as {option} or as {skorch_name}"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "cls, option, width, length",
    [
        (Conv1DLSTMClassifier, "time_mask", 11, 10),
        (Conv1DLSTMClassifier, "freq_mask", 9, 8),
        (CNNLSTMClassifier, "time_mask", 9, 8),
        (SpectrogramCNNClassifier, "freq_mask", 9, 8),
    ],
)
def test_a_mask_wider_than_its_axis_is_an_error(cls, option, width, length):
    X, y = make_data(cls)
    with pytest.raises(
        ValueError,
        match=f"{option}={width} is wider than the axis it masks, of length {length}",
    ):
        make_clf(cls, **{option: width}).fit(X, y)


@pytest.mark.parametrize("option", ["time_mask", "freq_mask"])
def test_masks_on_inputs_without_axes_are_an_error(option):
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match=f"{option}=2, but the input of Stacked"):
        make_clf(StackedLSTMClassifier, **{option: 2}).fit(X, y)


def test_mixup_with_one_clip_batches_is_an_error():
    X, y = make_data(StackedLSTMClassifier)
    with pytest.raises(ValueError, match="mixup_alpha=0.2 mixes clips within a batch"):
        make_clf(StackedLSTMClassifier, mixup_alpha=0.2, batch_size=1).fit(X, y)


def test_a_schedule_refuses_to_continue_training():
    X, y = make_data(StackedLSTMClassifier)
    clf = make_clf(StackedLSTMClassifier, lr_schedule="cosine").fit(X, y)
    with pytest.raises(ValueError, match="lr_schedule='cosine' runs over the steps"):
        clf.partial_fit(X, y)
