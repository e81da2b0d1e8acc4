"""Recipe builders for the classical baselines: SVMs and random forest.

On this library's acoustic statistics (``svm``, ``random_forest``) and on
openSMILE's standard feature sets (``egemaps_svm``, ``compare_svm``).
"""

from __future__ import annotations

from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ..audio import DEFAULT_SR, AudioLoader
from ..features import AcousticStats170, OpenSMILEFunctionals

__all__ = ["compare_svm", "egemaps_svm", "random_forest", "svm"]


def _classical_pipeline(
    *, sr, offset, duration, n_jobs, classifier, balance, random_state, features=None
) -> Pipeline:
    """load -> features -> scaling -> [oversampling] -> classifier.

    ``features`` defaults to means *and* standard deviations of the 170
    frame-level acoustic statistics: the spread over time carries much of the
    prosody that the means average away, and classical models cannot learn it
    from the means. ``balance`` adds imbalanced-learn's RandomOverSampler,
    which runs inside each training fold.
    """
    if features is None:
        features = AcousticStats170(sr=sr, stats=("mean", "std"), n_jobs=n_jobs)
    steps = [
        ("load", AudioLoader(sr=sr, offset=offset, duration=duration, n_jobs=n_jobs)),
        ("features", features),
        ("scale", StandardScaler()),
    ]
    if balance:
        steps.append(("balance", RandomOverSampler(random_state=random_state)))
    return Pipeline([*steps, ("classifier", classifier)])


def _calibrated_svc(C: float) -> CalibratedClassifierCV:
    """An RBF SVM with Platt-scaled probabilities.

    Platt scaling through the calibration wrapper gives predict_proba (which
    `sklearn-ser predict` prints); SVC(probability=True) is deprecated. Three
    calibration folds need only three clips per class in a training fold.
    """
    return CalibratedClassifierCV(SVC(C=C), method="sigmoid", cv=3, ensemble=False)


def svm(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    C: float = 10.0,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """RBF support vector machine on standardised acoustic statistics.

    The classical baseline of the SER literature. On all 24 RAVDESS actors,
    published openSMILE eGeMAPS + SVM results reach 0.51-0.53 UAR
    speaker-independently. The reproduction report scores it with a random
    split over clips and speaker-independently: the gap between the two is
    what this library exists to show. ``C`` is fixed a priori, not tuned on
    test folds. Probabilities come from Platt scaling
    (:class:`~sklearn.calibration.CalibratedClassifierCV`).

    Parameters
    ----------
    sr, offset, duration : loading settings.
    C : float, default=10.0
        SVM regularisation.
    balance : bool, default=False
        Oversample minority classes (imbalanced-learn's
        :class:`~imblearn.over_sampling.RandomOverSampler`) inside each fold.
    random_state : int or None
    n_jobs : int or None

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        classifier=_calibrated_svc(C),
    )


def egemaps_svm(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    C: float = 10.0,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """RBF support vector machine on standardised eGeMAPS v02 functionals.

    The minimal standard feature set of affective computing (Eyben et al.,
    *The Geneva Minimalistic Acoustic Parameter Set (GeMAPS) for Voice
    Research and Affective Computing*, IEEE Trans. Affective Computing,
    2016): 88 functionals of pitch, loudness, voice quality, formants and
    spectral shape, computed by openSMILE
    (:class:`~sklearn_ser.features.OpenSMILEFunctionals`). Needs the
    ``opensmile`` extra. ``C`` is fixed a priori; probabilities come from
    Platt scaling.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    C : float, default=10.0
        SVM regularisation.
    balance : bool, default=False
        Oversample minority classes inside each fold.
    random_state : int or None
    n_jobs : int or None
        Threads for loading and openSMILE.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        features=OpenSMILEFunctionals(feature_set="eGeMAPSv02", sr=sr, n_jobs=n_jobs),
        classifier=_calibrated_svc(C),
    )


def compare_svm(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    C: float = 10.0,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """RBF support vector machine on standardised ComParE 2016 functionals.

    The 6,373 functionals of the Interspeech Computational Paralinguistics
    Challenge (Schuller et al., *The INTERSPEECH 2016 Computational
    Paralinguistics Challenge*, 2016), computed by openSMILE
    (:class:`~sklearn_ser.features.OpenSMILEFunctionals`): the brute-force
    counterpart of eGeMAPS. On the 12-actor RAVDESS subset (6 speaker-
    independent folds) it scored 0.465 UAR, against 0.441 for
    :func:`egemaps_svm` and 0.491 for :func:`svm`. Needs the ``opensmile``
    extra. ``C`` is fixed a priori; probabilities come from Platt scaling.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    C : float, default=10.0
        SVM regularisation.
    balance : bool, default=False
        Oversample minority classes inside each fold.
    random_state : int or None
    n_jobs : int or None
        Threads for loading and openSMILE.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        features=OpenSMILEFunctionals(feature_set="ComParE_2016", sr=sr, n_jobs=n_jobs),
        classifier=_calibrated_svc(C),
    )


def random_forest(
    *,
    sr: int = DEFAULT_SR,
    offset: float = 0.5,
    duration: float = 3.0,
    n_estimators: int = 500,
    balance: bool = False,
    random_state=None,
    n_jobs=None,
) -> Pipeline:
    """Random forest on acoustic statistics.

    Classical baseline: 500 trees, square-root feature sampling.

    Parameters
    ----------
    sr, offset, duration : loading settings.
    n_estimators : int, default=500
    balance : bool, default=False
        Oversample minority classes inside each fold.
    random_state : int or None
    n_jobs : int or None
        Also the forest's parallelism.

    Returns
    -------
    pipeline : imblearn.pipeline.Pipeline
    """
    return _classical_pipeline(
        sr=sr,
        offset=offset,
        duration=duration,
        n_jobs=n_jobs,
        balance=balance,
        random_state=random_state,
        classifier=RandomForestClassifier(
            n_estimators=n_estimators, n_jobs=n_jobs, random_state=random_state
        ),
    )
