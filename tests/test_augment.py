"""Tests for sklearn_ser.augment.AWGNAugmenter."""

from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser.audio import AudioLoader
from sklearn_ser.augment import AWGNAugmenter

SR = 16000
FRAME = 512


def speech_like(rng: np.random.Generator, n_samples: int = 16384) -> np.ndarray:
    """Voiced syllables (harmonics with vibrato) separated by near-silent pauses."""
    t = np.arange(n_samples) / SR
    f0 = rng.uniform(110, 220) * (1 + 0.03 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    voiced = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3, 5) * t), 0, None) ** 2
    floor = 1e-4 * rng.standard_normal(n_samples)
    return (0.3 * voiced * syllables + floor).astype(np.float32)


def half_padded(rng: np.random.Generator, n_samples: int = 16384) -> np.ndarray:
    """Speech-like first half, exact zero padding in the second half."""
    x = np.zeros(n_samples, dtype=np.float32)
    x[: n_samples // 2] = speech_like(rng, n_samples // 2)
    return x


def active_mask(x: np.ndarray, top_db: float = 40.0) -> np.ndarray:
    """Samples in frames within ``top_db`` dB of the loudest frame (documented rule)."""
    starts = range(0, len(x), FRAME)
    power = np.array(
        [np.mean(x[i : i + FRAME].astype(np.float64) ** 2) for i in starts]
    )
    frames = power >= power.max() * 10 ** (-top_db / 10)
    return np.repeat(frames, FRAME)[: len(x)]


def measured_snr(clean: np.ndarray, noisy: np.ndarray, mask: np.ndarray) -> float:
    noise = noisy.astype(np.float64) - clean
    return 10 * np.log10(np.sum(clean[mask] ** 2.0) / np.sum(noise[mask] ** 2))


def clip_stats(X: np.ndarray) -> np.ndarray:
    """Per-clip level and zero-crossing statistics, a stand-in feature extractor."""
    zcr = np.mean(np.diff(np.signbit(X), axis=1), axis=1)
    return np.column_stack([X.std(axis=1), np.abs(X).max(axis=1), zcr])


def tone_corpus(n_per_class=8, n_samples=2048, seed=0):
    """Three classes of noisy tones (different pitch), two 'speakers' per class."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) / SR
    X, y, groups = [], [], []
    for label, f in zip(
        ["angry", "neutral", "sad"], [900.0, 500.0, 250.0], strict=True
    ):
        for i in range(n_per_class):
            amp = rng.uniform(0.1, 0.5)
            wave = amp * np.sin(2 * np.pi * f * rng.uniform(0.9, 1.1) * t)
            X.append(wave + 0.01 * rng.standard_normal(n_samples))
            y.append(label)
            groups.append(i % 4)
    return np.asarray(X, dtype=np.float32), np.asarray(y), np.asarray(groups)


# --- resampling semantics -------------------------------------------------


def test_default_makes_one_copy_per_clip_after_the_originals(rng):
    X = np.stack([speech_like(rng, 4096) for _ in range(4)])
    y = np.array(["sad", "angry", "sad", "sad"])
    aug = AWGNAugmenter(random_state=0)
    X_res, y_res = aug.fit_resample(X, y)

    assert X_res.dtype == np.float32
    assert X_res.shape == (8, 4096)
    np.testing.assert_array_equal(aug.sample_indices_, [0, 1, 2, 3, 0, 1, 2, 3])
    np.testing.assert_array_equal(X_res[:4], X)
    np.testing.assert_array_equal(y_res, y[aug.sample_indices_])
    assert not np.any(X_res[4:] == X)
    assert aug.sampling_strategy_ == {"angry": 1, "sad": 3}
    assert aug.noise_std_.shape == (4,)


def test_n_copies_repeats_each_clip_and_zero_is_identity(rng):
    X = np.stack([speech_like(rng, 2048) for _ in range(3)])
    y = np.array([0, 1, 1])
    aug = AWGNAugmenter(n_copies=3, random_state=0)
    X_res, y_res = aug.fit_resample(X, y)
    assert X_res.shape == (12, 2048)
    np.testing.assert_array_equal(
        aug.sample_indices_, [0, 1, 2, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    )
    assert aug.sampling_strategy_ == {0: 3, 1: 6}
    # Three copies of one clip carry three different noises.
    assert len({X_res[i].tobytes() for i in (3, 4, 5)}) == 3

    X_same, y_same = AWGNAugmenter(n_copies=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_same, X)
    np.testing.assert_array_equal(y_same, y)


def test_keep_original_false_returns_only_copies(rng):
    X = np.stack([speech_like(rng, 2048) for _ in range(3)])
    y = np.array([0, 1, 1])
    aug = AWGNAugmenter(n_copies=2, keep_original=False, random_state=0)
    X_res, y_res = aug.fit_resample(X, y)
    np.testing.assert_array_equal(aug.sample_indices_, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(y_res, [0, 0, 1, 1, 1, 1])
    assert not np.any(np.all(X_res[:, None, :] == X[None], axis=2))


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {"angry": 6, "neutral": 6, "sad": 6}),
        ("minority", {"angry": 6, "neutral": 3, "sad": 6}),
        ({"neutral": 5, "angry": 4}, {"angry": 4, "neutral": 5, "sad": 6}),
    ],
)
def test_sampling_strategy_balances_with_noisy_copies(rng, strategy, expected):
    y = np.array(["sad"] * 6 + ["neutral"] * 3 + ["angry"] * 2)
    X = np.stack([speech_like(rng, 1024) for _ in y])
    aug = AWGNAugmenter(sampling_strategy=strategy, random_state=0)
    X_res, y_res = aug.fit_resample(X, y)

    assert Counter(y_res) == expected
    np.testing.assert_array_equal(X_res[: len(y)], X)
    new = aug.sample_indices_[len(y) :]
    np.testing.assert_array_equal(y[new], y_res[len(y) :])
    # Round-robin: within a class, use counts differ by at most one.
    for klass in np.unique(y[new]):
        uses = Counter(new[y[new] == klass])
        members = np.flatnonzero(y == klass)
        counts = [uses.get(i, 0) for i in members]
        assert max(counts) - min(counts) <= 1


def test_same_random_state_same_output_and_seeds_differ(rng):
    X = np.stack([speech_like(rng, 2048) for _ in range(4)])
    y = np.array([0, 0, 1, 1])
    params = dict(snr_db=(5.0, 25.0), n_copies=2)
    first, _ = AWGNAugmenter(**params, random_state=3).fit_resample(X, y)
    again, _ = AWGNAugmenter(**params, random_state=3).fit_resample(X, y)
    other, _ = AWGNAugmenter(**params, random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# --- noise level ----------------------------------------------------------


@pytest.mark.parametrize("snr_db", [-10.0, 0.0, 15.0, 30.0, 60.0])
@pytest.mark.parametrize("make_clip", [speech_like, half_padded])
def test_measured_snr_matches_request_over_active_part(rng, make_clip, snr_db):
    X = np.stack([make_clip(rng) for _ in range(4)])
    y = np.array([0, 1, 0, 1])
    aug = AWGNAugmenter(snr_db=snr_db, n_copies=3, random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    for row in range(len(X), len(X_res)):
        clean = X[aug.sample_indices_[row]]
        mask = active_mask(clean)
        assert measured_snr(clean, X_res[row], mask) == pytest.approx(snr_db, abs=0.5)


@pytest.mark.real_data
@pytest.mark.parametrize("corpus, pattern", [("ravdess", "*.flac"), ("tess", "*.wav")])
def test_measured_snr_on_real_clips(request, corpus, pattern):
    root = request.getfixturevalue(f"{corpus}_root")
    paths = sorted(root.rglob(pattern))[::40]
    X = AudioLoader(sr=SR, offset=0.5, duration=3.0).fit_transform(paths)
    y = np.arange(len(X)) % 2
    aug = AWGNAugmenter(snr_db=20.0, n_copies=2, random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    for row in range(len(X), len(X_res)):
        clean = X[aug.sample_indices_[row]]
        snr = measured_snr(clean, X_res[row], active_mask(clean))
        assert snr == pytest.approx(20.0, abs=0.5)
        # Trailing zero padding (every TESS clip has some) stays exact zeros.
        padding = np.cumsum(clean[::-1] != 0)[::-1] == 0
        assert not np.any(X_res[row][padding])


def test_snr_range_is_drawn_per_copy_within_bounds(rng):
    X = np.stack([half_padded(rng) for _ in range(4)])
    aug = AWGNAugmenter(snr_db=(10.0, 20.0), n_copies=5, random_state=0)
    X_res, _ = aug.fit_resample(X, np.array([0, 1, 0, 1]))
    snrs = [
        measured_snr(X[src], X_res[row], active_mask(X[src]))
        for row, src in enumerate(aug.sample_indices_)
        if row >= len(X)
    ]
    assert min(snrs) > 9.5 and max(snrs) < 20.5
    assert max(snrs) - min(snrs) > 3.0


def test_padding_stays_silent_unless_asked(rng):
    X = np.stack([half_padded(rng), half_padded(rng)])
    y = np.array([0, 1])
    half = X.shape[1] // 2
    X_res, _ = AWGNAugmenter(snr_db=10.0, random_state=0).fit_resample(X, y)
    assert not np.any(X_res[2:, half:])
    assert np.all(X_res[2:, 1:half] != X[:, 1:half])

    aug = AWGNAugmenter(snr_db=10.0, noise_in_padding=True, random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    noise_std = X_res[2:, half:].std(axis=1)
    np.testing.assert_allclose(noise_std, aug.noise_std_, rtol=0.05)


def test_whole_clip_reference_gives_padded_clips_too_little_noise(rng):
    # With top_db=None the zero half counts as signal, halving the reference
    # power, so the SNR over the speech ends 10*log10(2) = 3.01 dB too high.
    X = np.stack([half_padded(rng) for _ in range(2)])
    aug = AWGNAugmenter(snr_db=20.0, top_db=None, random_state=0)
    X_res, _ = aug.fit_resample(X, np.array([0, 1]))
    active = np.zeros(X.shape[1], dtype=bool)
    active[: X.shape[1] // 2] = True
    for row in (2, 3):
        snr = measured_snr(X[row - 2], X_res[row], active)
        assert snr == pytest.approx(20.0 + 10 * np.log10(2), abs=0.5)


def test_amplitude_noise_scales_with_peak(rng):
    X = np.stack([speech_like(rng), 0.1 * speech_like(rng)])
    aug = AWGNAugmenter(noise="amplitude", amplitude=0.02, n_copies=1, random_state=0)
    X_res, _ = aug.fit_resample(X, np.array([0, 1]))
    expected = 0.02 * np.abs(X).max(axis=1)
    np.testing.assert_allclose(aug.noise_std_, expected, rtol=1e-6)
    np.testing.assert_allclose((X_res[2:] - X).std(axis=1), expected, rtol=0.05)

    ranged = AWGNAugmenter(noise="amplitude", n_copies=50, random_state=0)
    ranged.fit_resample(X, np.array([0, 1]))
    factors = ranged.noise_std_ / np.abs(X).max(axis=1)[ranged.sample_indices_[2:]]
    assert 0.0 <= factors.min() and factors.max() <= 0.035
    assert factors.max() - factors.min() > 0.02


# --- bad input ------------------------------------------------------------


def _two_clips():
    rng = np.random.default_rng(1)
    return np.stack([speech_like(rng, 1024), speech_like(rng, 1024)]), np.array([0, 1])


@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            {"snr_db": float("nan")},
            InvalidParameterError,
            r"The 'snr_db' parameter of AWGNAugmenter must be a float in the range "
            r"\[-20.0, 80.0\] or an instance of 'tuple'. Got nan instead.",
        ),
        ({"snr_db": float("inf")}, InvalidParameterError, "'snr_db' .* Got inf"),
        ({"snr_db": -200}, InvalidParameterError, "'snr_db' .* Got -200 instead"),
        ({"snr_db": 200.0}, InvalidParameterError, "'snr_db' .* Got 200.0 instead"),
        (
            {"snr_db": (30, 15)},
            ValueError,
            r"snr_db=\(30, 15\) is a reversed range: expected a number or a "
            r"\(low, high\) tuple with -20 <= low <= high <= 80 dB.",
        ),
        (
            {"snr_db": (10, float("inf"))},
            ValueError,
            r"snr_db=\(10, inf\) contains a non-finite bound",
        ),
        (
            {"snr_db": (-200, 10)},
            ValueError,
            r"snr_db=\(-200, 10\) is outside the valid range",
        ),
        ({"snr_db": (10,)}, ValueError, r"snr_db=\(10,\) is not a valid range"),
        ({"snr_db": ("a", 3)}, ValueError, r"snr_db=\('a', 3\) is not a valid range"),
        (
            {"noise": "amplitude", "amplitude": (0.5, 0.1)},
            ValueError,
            r"amplitude=\(0.5, 0.1\) is a reversed range: .* 0 <= low <= high <= 1\.",
        ),
        (
            {"noise": "amplitude", "amplitude": (0.0, 0.0)},
            ValueError,
            r"amplitude=\(0.0, 0.0\) adds no noise",
        ),
        ({"amplitude": 0.0}, InvalidParameterError, "'amplitude' .* Got 0.0"),
        (
            {"n_copies": -1},
            InvalidParameterError,
            r"The 'n_copies' parameter of AWGNAugmenter must be an int in the range "
            r"\[0, inf\) or None. Got -1 instead.",
        ),
        ({"n_copies": 1.5}, InvalidParameterError, "'n_copies' .* Got 1.5 instead"),
        (
            {"n_copies": 2, "sampling_strategy": "auto"},
            ValueError,
            "n_copies=2 cannot be combined with sampling_strategy='auto'",
        ),
        (
            {"keep_original": False, "sampling_strategy": "minority"},
            ValueError,
            "keep_original=False requires sampling_strategy=None",
        ),
        (
            {"keep_original": False, "n_copies": 0},
            ValueError,
            "keep_original=False with n_copies=0 would return no clips",
        ),
        ({"noise": "pink"}, InvalidParameterError, "'noise' parameter .* Got 'pink'"),
        ({"top_db": 0}, InvalidParameterError, "'top_db' parameter .* Got 0 instead"),
    ],
)
def test_bad_parameters_name_the_parameter(params, error, match):
    X, y = _two_clips()
    with pytest.raises(error, match=match):
        AWGNAugmenter(**params).fit_resample(X, y)


@pytest.mark.parametrize(
    "X, y, match",
    [
        (
            np.empty((0, 100), dtype=np.float32),
            np.array([]),
            r"Found array with 0 sample\(s\) \(shape=\(0, 100\)\) while a minimum "
            "of 1 is required by AWGNAugmenter.",
        ),
        (
            np.ones((2, 100), dtype=np.float32),
            np.array(["sad", "sad"]),
            "The target 'y' needs to have more than 1 class. Got 1 class instead",
        ),
        (
            np.ones(100, dtype=np.float32),
            np.array([0, 1]),
            "Expected 2D array, got 1D array instead",
        ),
        (
            np.array([[0.1, np.nan], [0.2, 0.3]], dtype=np.float32),
            np.array([0, 1]),
            "Input X contains NaN",
        ),
        (
            np.array([[0.1, np.inf], [0.2, 0.3]], dtype=np.float32),
            np.array([0, 1]),
            "Input X contains infinity",
        ),
        (
            np.array([[0.1, 0.2], [0.0, 0.0]], dtype=np.float32),
            np.array([0, 1]),
            r"X\[1\] is silent \(all samples are 0\): noise relative to its level is "
            "undefined. Remove silent clips before augmenting.",
        ),
    ],
)
def test_bad_data_is_rejected_with_a_clear_message(X, y, match):
    with pytest.raises(ValueError, match=match):
        AWGNAugmenter(random_state=0).fit_resample(X, y)


# --- pipelines and leakage ------------------------------------------------


class RecordingAugmenter(AWGNAugmenter):
    """AWGNAugmenter that records which input rows reach ``fit_resample``."""

    # Class-level on purpose: cross-validation fits clones of the instance.
    received: list = []

    def fit_resample(self, X, y, **params):
        type(self).received.append([row.tobytes() for row in np.asarray(X)])
        return super().fit_resample(X, y, **params)


@pytest.fixture
def recorder():
    RecordingAugmenter.received = []
    yield RecordingAugmenter
    RecordingAugmenter.received = []


def _stats_pipeline(augmenter):
    return make_pipeline(
        augmenter,
        FunctionTransformer(clip_stats),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )


def _indices(rows, X):
    position = {row.tobytes(): i for i, row in enumerate(X)}
    return {position[row] for row in rows}


def test_cross_validate_never_augments_or_scores_noisy_test_clips(recorder):
    X, y, groups = tone_corpus()
    scored = []

    def recording_scorer(estimator, X_test, y_test):
        scored.append(_indices([row.tobytes() for row in X_test], X))
        return float(np.mean(estimator.predict(X_test) == y_test))

    cv = StratifiedGroupKFold(n_splits=4)
    result = cross_validate(
        _stats_pipeline(recorder(n_copies=2, random_state=0)),
        X,
        y,
        groups=groups,
        cv=cv,
        scoring=recording_scorer,
        return_indices=True,
    )
    train_folds = result["indices"]["train"]
    test_folds = result["indices"]["test"]
    assert len(recorder.received) == len(test_folds) == 4
    for rows, train, test, seen in zip(
        recorder.received, train_folds, test_folds, scored, strict=True
    ):
        augmented = _indices(rows, X)
        assert augmented == set(train.tolist())
        assert augmented.isdisjoint(test.tolist())
        assert seen == set(test.tolist())
        assert len(seen) == len(test)


def test_cross_val_predict_one_prediction_per_clip_from_unseen_folds(recorder):
    X, y, _ = tone_corpus()
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    pred = cross_val_predict(
        _stats_pipeline(recorder(n_copies=2, random_state=0)), X, y, cv=cv
    )
    assert pred.shape == y.shape
    folds = list(cv.split(X, y))
    assert len(recorder.received) == len(folds)
    for rows, (train, test) in zip(recorder.received, folds, strict=True):
        augmented = _indices(rows, X)
        assert augmented == set(train.tolist())
        assert augmented.isdisjoint(test.tolist())


def test_predict_score_and_transform_see_the_original_clips(recorder):
    X, y, _ = tone_corpus()
    pipe = _stats_pipeline(recorder(n_copies=2, random_state=0)).fit(X, y)
    assert len(recorder.received) == 1
    assert pipe.predict(X).shape == (len(X),)
    assert pipe.predict_proba(X).shape == (len(X), 3)
    assert 0.0 <= pipe.score(X, y) <= 1.0
    assert len(recorder.received) == 1

    features = make_pipeline(
        recorder(n_copies=2, random_state=0), FunctionTransformer(clip_stats)
    ).fit(X, y)
    np.testing.assert_allclose(features.transform(X), clip_stats(X))
    assert len(recorder.received) == 2


def test_grid_search_tunes_snr_and_n_copies_on_clones():
    X, y, groups = tone_corpus()
    pipe = _stats_pipeline(AWGNAugmenter(random_state=0))
    grid = GridSearchCV(
        pipe,
        {
            "awgnaugmenter__snr_db": [5.0, (15.0, 30.0)],
            "awgnaugmenter__n_copies": [0, 1],
        },
        cv=StratifiedGroupKFold(n_splits=3),
    ).fit(X, y, groups=groups)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["awgnaugmenter__snr_db"] in (5.0, (15.0, 30.0))
    assert pipe.named_steps["awgnaugmenter"].get_params()["snr_db"] == (15.0, 30.0)
    assert not hasattr(pipe.named_steps["awgnaugmenter"], "sample_indices_")
    cloned = clone(AWGNAugmenter(snr_db=(10.0, 20.0), n_copies=3))
    assert cloned.get_params()["snr_db"] == (10.0, 20.0)


@pytest.mark.parametrize(
    "steps, per_class",
    [
        (
            lambda: [
                AWGNAugmenter(n_copies=1, random_state=0),
                FunctionTransformer(clip_stats),
                SMOTE(k_neighbors=2, random_state=0),
            ],
            16,
        ),
        (
            lambda: [
                RandomOverSampler(random_state=0),
                AWGNAugmenter(random_state=0),
                FunctionTransformer(clip_stats),
            ],
            16,
        ),
        (
            lambda: [
                AWGNAugmenter(sampling_strategy="auto", random_state=0),
                FunctionTransformer(clip_stats),
                SMOTE(k_neighbors=2, random_state=0),
            ],
            8,
        ),
    ],
    ids=["awgn-then-smote", "ros-then-awgn", "balanced-awgn-then-smote"],
)
def test_works_with_imblearn_samplers_in_one_pipeline(steps, per_class):
    X, y, _ = tone_corpus()
    keep = np.r_[0:8, 8:12, 16:19]  # 8 angry, 4 neutral, 3 sad
    X, y = X[keep], y[keep]
    pipe = make_pipeline(*steps(), StandardScaler(), LogisticRegression(max_iter=1000))
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
    Xt, yt = X, y
    for _, step in pipe.steps[:-2]:
        if hasattr(step, "fit_resample"):
            Xt, yt = step.fit_resample(Xt, yt)
        else:
            Xt = step.fit_transform(Xt, yt)
    assert Counter(yt) == {"angry": per_class, "neutral": per_class, "sad": per_class}


def test_works_before_acoustic_stats170(rng):
    features = pytest.importorskip("sklearn_ser.features")
    if not hasattr(features, "AcousticStats170"):
        pytest.skip("sklearn_ser.features.AcousticStats170 is not available")
    X = np.stack([speech_like(rng, 8000) for _ in range(6)])
    y = np.array(["sad", "angry"] * 3)
    pipe = make_pipeline(
        AWGNAugmenter(n_copies=1, random_state=0),
        features.AcousticStats170(),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    assert pipe.predict(X).shape == (6,)
