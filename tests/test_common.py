"""The estimator checks of scikit-learn and imbalanced-learn.

Every public estimator goes through scikit-learn's ``parametrize_with_checks``,
the samplers also through imbalanced-learn's. What each estimator computes is
tested in the module that mirrors its own.
"""

import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from _tiny_encoders import save_tiny_encoder
from imblearn.utils.estimator_checks import (
    check_param_validation as check_sampler_param_validation,
)
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_imblearn_checks,
)
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_param_validation,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
    parametrize_with_checks,
)
from test_classifiers import CLASSIFIERS, make_clf

from sklearn_ser import (
    AcousticStats170,
    AudioLoader,
    AWGNAugmenter,
    ClipNormalizer,
    EncoderFineTuningClassifier,
    LayerSelector,
    MelSpectrogramChunker,
    MFCCFrames,
    OpenSMILEFunctionals,
    SpeakerStandardizer,
    SpeechEncoderEmbeddings,
    StackedLSTMClassifier,
)
from sklearn_ser.features._acoustic_stats import STATS

# Tiny STFTs: the common checks feed the feature transformers clips of 2 or 3
# samples.
TINY_STFT = dict(n_fft=2, win_length=2, hop_length=1, n_mels=1)

SAMPLERS = [
    AWGNAugmenter(random_state=0),
    AWGNAugmenter(sampling_strategy="auto", random_state=0),
]

# AudioLoader and the N-D classifiers declare `two_d_array=False`: scikit-learn
# cannot generate their input (paths, N-D arrays), so it skips its checks that
# feed data and runs only the cloneability check for them.


def _tiny_common_encoder() -> Path:
    """A tiny random wav2vec 2.0 whose front end gives a frame per 2 samples.

    The checks feed clips of a few samples. Its folder is the same in every
    pytest-xdist worker (the test ids name it), written once: each worker
    builds it aside and renames it into place unless another did first.
    """
    folder = Path(tempfile.gettempdir()) / "sklearn_ser-tests-common-wav2vec2"
    if not folder.is_dir():
        aside = Path(tempfile.mkdtemp(prefix="sklearn_ser-tests-"))
        save_tiny_encoder(
            "wav2vec2", aside, conv_dim=(8,), conv_stride=(1,), conv_kernel=(2,)
        )
        try:
            aside.rename(folder)
        except OSError:  # another worker's copy is in place
            shutil.rmtree(aside)
    return folder


TINY_ENCODER = _tiny_common_encoder()

ESTIMATORS = [
    AudioLoader(),
    MelSpectrogramChunker(**TINY_STFT, n_chunks=2),
    MelSpectrogramChunker(**TINY_STFT, n_chunks=None, chunk_frames=2, chunk_hop=1),
    MFCCFrames(**TINY_STFT, n_mfcc=1),
    AcousticStats170(n_fft=2, hop_length=1, n_mels=1, n_mfcc=1),
    AcousticStats170(
        n_fft=2, hop_length=1, n_mels=1, n_mfcc=1, log_mel=True, stats=STATS
    ),
    OpenSMILEFunctionals(),
    SpeechEncoderEmbeddings(model=str(TINY_ENCODER), verbose=0),
    LayerSelector(),
    ClipNormalizer(),
    *SAMPLERS,
    StackedLSTMClassifier(
        module__hidden_size=8,
        module__dense_size=8,
        max_epochs=10,
        batch_size=32,
        lr=0.01,
        random_state=0,
    ),
    *(make_clf(cls) for cls in CLASSIFIERS if cls is not StackedLSTMClassifier),
    # A constant learning rate: the checks call partial_fit after fit, which
    # the default cosine schedule refuses (it has run its course).
    EncoderFineTuningClassifier(
        model=str(TINY_ENCODER),
        lr_schedule="constant",
        trainable_layers=1,
        module__hidden_size=8,
        max_epochs=5,
        batch_size=16,
        lr=0.01,
        random_state=0,
        verbose=0,
    ),
]

ANY_LENGTH = "transform accepts clips of any length: the statistics do not depend on it"
SKORCH_INIT = (
    "skorch's NeuralNet.__init__ sets history_, initialized_ and virtual_params_ "
    "and stores module__* keyword arguments as attributes"
)

# openSMILE computes nothing on the checks' clips of 2 to 10 samples (it needs
# about 0.1 s of audio) and OpenSMILEFunctionals then raises; these properties
# are tested on longer clips in tests/features/test_opensmile.py.
OPENSMILE_TOO_SHORT = "openSMILE needs ~0.1 s of audio; the checks' clips are shorter"
OPENSMILE_DATA_CHECKS = [
    "check_dict_unchanged",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_pipeline_consistency",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_transformers_unfitted_stateless",
]

# The checks' integer and non-negative clips end in exact zeros, which
# SpeechEncoderEmbeddings takes for AudioLoader's padding, leaving clips
# shorter than one frame; it then raises an error naming them.
ZEROS_ARE_PADDING = "trailing exact zeros count as padding: clips become too short"

EXPECTED_FAILED_CHECKS = {
    AcousticStats170: {"check_n_features_in_after_fitting": ANY_LENGTH},
    OpenSMILEFunctionals: {
        "check_n_features_in_after_fitting": ANY_LENGTH,
        **dict.fromkeys(OPENSMILE_DATA_CHECKS, OPENSMILE_TOO_SHORT),
    },
    SpeechEncoderEmbeddings: {
        "check_n_features_in_after_fitting": ANY_LENGTH,
        "check_estimators_dtypes": ZEROS_ARE_PADDING,
        "check_methods_subset_invariance": ZEROS_ARE_PADDING,
    },
    **{cls: {"check_no_attributes_set_in_init": SKORCH_INIT} for cls in CLASSIFIERS},
    EncoderFineTuningClassifier: {
        "check_no_attributes_set_in_init": SKORCH_INIT,
        "check_estimators_dtypes": ZEROS_ARE_PADDING,
        "check_classifier_data_not_an_array": ZEROS_ARE_PADDING,
        "check_fit2d_1feature": ZEROS_ARE_PADDING,
        # The encoder's front end normalises each clip to zero mean and unit
        # variance, which removes what the checks' blobs differ by.
        "check_classifiers_train": "the front end normalises each clip's level",
        # The checks' clips of one length share a forward pass; float32
        # transformer arithmetic differs in the 7th digit with its batch size.
        "check_methods_subset_invariance": "batch-size rounding (~1e-7)",
        # get_params builds the learning-rate schedule's callback from
        # max_epochs, before fit validates it: the check's invalid values
        # raise in set_params (the other 2-D classifier keeps its defaults).
        "check_do_not_raise_errors_in_init_or_set_params": (
            "the schedule callback reads max_epochs in get_params"
        ),
    },
}

# Warnings the checks raise for some estimators, ignored for those only.
IGNORED_WARNINGS = {
    # One mel band of a 2-point FFT is empty, which librosa warns about.
    MelSpectrogramChunker: ["Empty filters detected"],
    MFCCFrames: ["Empty filters detected"],
    AcousticStats170: ["Empty filters detected"],
    # skorch's set_params rejects some values that check_set_params tries
    # (callbacks, predict_nonlinearity, warm_start) with a TypeError, which the
    # check reports as warnings.
    **{
        cls: [
            "TypeError occurred during set_params",
            "Estimator's parameters changed after set_params",
        ]
        for cls in CLASSIFIERS
    },
}


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS.get(
        type(estimator), {}
    ),
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        for message in IGNORED_WARNINGS.get(type(estimator), []):
            warnings.filterwarnings("ignore", message=message)
        check(estimator)


# The scikit-learn API checks that never pass data to fit/transform, run by
# hand: AudioLoader's input tags make `parametrize_with_checks` skip them, and
# SpeakerStandardizer refuses to fit without speaker ids (groups), which the
# data-feeding checks cannot pass; what it computes is tested in
# test_preprocessing.py.
@pytest.mark.parametrize(
    "estimator",
    [AudioLoader(), SpeakerStandardizer()],
    ids=lambda estimator: type(estimator).__name__,
)
@pytest.mark.parametrize(
    "check",
    [
        check_estimator_tags_renamed,
        check_valid_tag_types,
        check_estimator_repr,
        check_no_attributes_set_in_init,
        check_do_not_raise_errors_in_init_or_set_params,
        check_mixin_order,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
        check_param_validation,
    ],
)
def test_sklearn_api_checks_without_data(estimator, check):
    check(type(estimator).__name__, estimator)


def _expected_failed_sampler_checks(estimator):
    failures = {
        "check_samplers_pandas_sparse": (
            "waveforms are dense; sparse input is rejected by design"
        ),
    }
    if estimator.sampling_strategy is None:
        failures["check_samplers_fit_resample"] = (
            "with sampling_strategy=None every clip gets n_copies copies, which "
            "keeps the class ratios instead of balancing them"
        )
    return failures


@parametrize_with_imblearn_checks(
    SAMPLERS, expected_failed_checks=_expected_failed_sampler_checks
)
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", SAMPLERS)
def test_sampler_param_validation_covers_every_parameter(estimator):
    check_sampler_param_validation(type(estimator).__name__, estimator)
