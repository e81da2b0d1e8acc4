"""OpenSMILEFunctionals against openSMILE's own extractor, bad input, API.

The ``opensmile`` package comes with the ``test`` extra. scikit-learn's data
checks cannot run on it (their clips of a few samples are too short for
openSMILE; see test_common.py), so the properties they test are tested here on
clips of a second.
"""

import pickle
import sys

import numpy as np
import opensmile
import pytest
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError
from test_frontend import SR, speech_like

from sklearn_ser.features import OpenSMILEFunctionals
from sklearn_ser.recipes import make_recipe, n_stateless_steps


@pytest.fixture
def clips(rng):
    return speech_like(rng, 3, SR)


def direct(feature_set, X, sr=SR):
    """openSMILE's functionals of each clip, called directly."""
    smile = opensmile.Smile(
        feature_set=opensmile.FeatureSet[feature_set],
        feature_level=opensmile.FeatureLevel.Functionals,
    )
    return np.stack([smile(x, sr)[0, :, 0] for x in X]), smile.feature_names


@pytest.mark.parametrize("feature_set", ["eGeMAPSv02", "ComParE_2016", "IS09"])
def test_matches_opensmile(clips, feature_set):
    transformer = OpenSMILEFunctionals(feature_set=feature_set).fit(clips)
    features = transformer.transform(clips)
    expected, names = direct(feature_set, clips)
    assert features.dtype == np.float32
    np.testing.assert_array_equal(features, expected)
    assert list(transformer.get_feature_names_out()) == names
    assert features.shape[1] == {"eGeMAPSv02": 88, "ComParE_2016": 6373}.get(
        feature_set, features.shape[1]
    )


def test_threads_give_the_same_features(rng):
    X = speech_like(rng, 5, SR // 2)
    one = OpenSMILEFunctionals(n_jobs=1).fit_transform(X)
    np.testing.assert_array_equal(OpenSMILEFunctionals(n_jobs=2).fit_transform(X), one)
    # Row order and subsets do not change a clip's features.
    order = [4, 2, 0, 1, 3]
    np.testing.assert_array_equal(
        OpenSMILEFunctionals().fit_transform(X[order]), one[order]
    )
    np.testing.assert_array_equal(OpenSMILEFunctionals().fit_transform(X[:2]), one[:2])


def test_stateless_and_any_length(clips):
    transformer = OpenSMILEFunctionals()
    assert get_tags(transformer).requires_fit is False
    unfitted = transformer.transform(clips)
    assert not hasattr(transformer, "feature_names_")
    fitted = transformer.fit(clips[:1])
    np.testing.assert_array_equal(fitted.transform(clips), unfitted)
    # Functionals do not depend on the clip length seen in fit.
    assert fitted.transform(clips[:, : SR // 2]).shape == (3, 88)
    assert n_stateless_steps(make_recipe("egemaps_svm")) == 2
    assert n_stateless_steps(make_recipe("compare_svm")) == 2


def test_pickle_round_trip(clips):
    transformer = OpenSMILEFunctionals().fit(clips)
    restored = pickle.loads(pickle.dumps(transformer))
    np.testing.assert_array_equal(
        restored.transform(clips), transformer.transform(clips)
    )


def test_out_of_range_samples_are_clipped_not_wrapped(clips):
    loud = 3 * clips
    features = OpenSMILEFunctionals().fit_transform(loud)
    expected, _ = direct("eGeMAPSv02", np.clip(loud, -1.0, 32767 / 32768))
    np.testing.assert_array_equal(features, expected)


def test_silent_clip_gives_finite_features(clips):
    X = np.vstack([np.zeros((1, SR), np.float32), clips[:1]])
    features = OpenSMILEFunctionals().fit_transform(X)
    assert np.isfinite(features).all()
    loudness = list(OpenSMILEFunctionals().fit(X).get_feature_names_out()).index(
        "loudness_sma3_amean"
    )
    assert features[0, loudness] < 0.01 * features[1, loudness]


def test_too_short_clip_is_an_error(clips):
    transformer = OpenSMILEFunctionals().fit(clips)
    with pytest.raises(ValueError) as excinfo:
        transformer.transform(clips[:, :400])
    message = str(excinfo.value)
    assert "no finite eGeMAPSv02 functionals for 3 clip(s) (rows [0, 1, 2])" in message
    assert "400 samples (0.0250 s at sr=16000)" in message
    assert "too short" in message and "duration" in message


def test_unknown_feature_set(clips):
    with pytest.raises(ValueError) as excinfo:
        OpenSMILEFunctionals(feature_set="eGeMAPS_v2").fit(clips)
    message = str(excinfo.value)
    assert "feature_set='eGeMAPS_v2' is not an openSMILE feature set" in message
    assert "eGeMAPSv02" in message and "ComParE_2016" in message


def test_opensmile_missing(monkeypatch, clips):
    # A None entry in sys.modules makes `import opensmile` raise ImportError.
    monkeypatch.setitem(sys.modules, "opensmile", None)
    transformer = OpenSMILEFunctionals()  # constructing needs no openSMILE
    with pytest.raises(ImportError, match=r"pip install sklearn-ser\[opensmile\]"):
        transformer.fit(clips)
    features = make_recipe("egemaps_svm")["features"]  # nor building the recipe
    with pytest.raises(ImportError, match="needs the opensmile package"):
        features.transform(clips)


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"sr": 4000},
            r"'sr' parameter of OpenSMILEFunctionals must be an int in the "
            r"range \[8000, inf\)",
        ),
        (
            {"feature_set": 3},
            "'feature_set' parameter of OpenSMILEFunctionals must be an "
            "instance of 'str'",
        ),
    ],
)
def test_invalid_parameters(clips, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        OpenSMILEFunctionals(**params).fit(clips)


def test_waveforms_must_be_2d(clips):
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\) for a single clip"):
        OpenSMILEFunctionals().fit(clips[0][None, :, None])
