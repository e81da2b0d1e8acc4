"""Normalisation of features: per speaker (transductive) or per clip (inductive).

:class:`SpeakerStandardizer` standardises each speaker's features with that
speaker's own statistics, the speaker ids routed as ``groups``;
:class:`ClipNormalizer` removes each clip's own mean along its time axis.

Speakers differ in pitch, loudness and timbre more than one speaker's emotions
do; standardising each speaker's features with that speaker's own mean and
standard deviation removes much of that difference (Pepino et al., Interspeech
2021: about +8.6 UAR points on RAVDESS). At prediction time the statistics
come from the test speaker's own, unlabelled clips: the evaluation is then
*transductive*, and every number it produces must say so.

Per clip, every clip's frame-level features have their own mean over the
clip's frames removed, feature by feature (and optionally are divided by their
own standard deviation): cepstral mean (and variance) normalisation. A clip's
long-term average spectrum carries much of its speaker's voice timbre, the
microphone and the room; removing it takes much of the speaker out of the
input while the movement over time stays. It also removes the clip's overall
level and spectral tilt, which carry some of the emotion (arousal): whether
the trade pays is a question for measurement. Each clip is normalised from its
own frames only, so this is *inductive*: nothing is learnt from, or shared
between, test clips.

Both transformers sit after the feature transformers and before the classifier
(see the data flow in the design notes); neither is a feature transformer,
since neither sees waveforms.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

__all__ = ["ClipNormalizer", "SpeakerStandardizer"]


class SpeakerStandardizer(TransformerMixin, BaseEstimator):
    """Standardise features per speaker, with each speaker's own statistics.

    ``transform(X, groups=speakers)`` subtracts from every clip the mean of
    its speaker's clips *in that call* and divides by their standard
    deviation, feature by feature. For 2-D features ``(n_clips, n_features)``
    each column is a feature; for N-D inputs the entries along
    ``feature_axis`` are the features and all other axes (frames, chunks) are
    pooled: ``feature_axis=-1`` for :class:`~sklearn_ser.MFCCFrames`
    ``(n_clips, n_frames, n_mfcc)``, ``-2`` for the mel bands of
    :class:`~sklearn_ser.MelSpectrogramChunker`
    ``(n_clips, n_chunks, n_mels, chunk_frames)``.

    The speaker ids arrive as ``groups`` through scikit-learn's metadata
    routing: with ``sklearn.set_config(enable_metadata_routing=True)``,
    ``pipe.fit(X, y, groups=speakers)`` and ``pipe.predict(X, groups=speakers)``
    reach this step in a :class:`sklearn.pipeline.Pipeline` or an
    :class:`imblearn.pipeline.Pipeline`. ``groups`` is requested by default
    for ``fit`` and ``transform`` (as scikit-learn's group splitters do), since
    the transformer cannot work without it; ``set_fit_request`` and
    ``set_transform_request`` change that as usual.

    **Transductive.** Statistics are never carried from ``fit`` to
    ``transform`` for a speaker: the test speakers' statistics come from the
    test clips passed to ``transform`` (unlabelled, but seen all at once).
    Speakers unseen in ``fit`` are therefore the normal case, not an error.

    **Speakers with few clips.** A speaker with fewer than ``min_clips`` clips
    in a call (e.g. a single clip, whose own mean would erase it) is
    standardised with the global statistics of all clips seen in ``fit``,
    i.e. like :class:`~sklearn.preprocessing.StandardScaler`. A feature that
    is constant within a speaker gets a scale of 1 (it becomes 0), never NaN.

    Parameters
    ----------
    feature_axis : int, default=-1
        Axis of ``X`` whose entries get their own mean and standard
        deviation; any axis but the first (clips).
    min_clips : int, default=2
        Speakers with fewer clips than this in a ``transform`` call are
        standardised with the global statistics learnt in ``fit``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Global per-feature mean of the clips seen in ``fit`` (the fallback for
        speakers with fewer than ``min_clips`` clips).
    scale_ : ndarray of shape (n_features,)
        Global per-feature standard deviation (1 where it is 0).
    n_features_in_ : int
        ``X.shape[1]`` in ``fit``, as scikit-learn counts it.
    n_speakers_ : int
        Number of distinct speakers seen in ``fit``.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : One global mean and scale.

    Notes
    -----
    Inside a :class:`~sklearn.model_selection.GridSearchCV`, scoring calls
    ``predict`` without metadata, so this step would get no ``groups``; put it
    before the search instead. Since each speaker's output depends only on
    that speaker's clips, standardising whole speakers before a
    speaker-grouped search leaks nothing between its folds (except through
    the fallback statistics of speakers with fewer than ``min_clips`` clips).

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.preprocessing import SpeakerStandardizer
    >>> rng = np.random.default_rng(0)
    >>> speakers = np.repeat(["a", "b"], 10)
    >>> X = rng.standard_normal((20, 3)) + np.where(speakers == "a", 5.0, -5.0)[:, None]
    >>> Xt = SpeakerStandardizer().fit_transform(X, groups=speakers)
    >>> bool(np.allclose(Xt[speakers == "b"].mean(axis=0), 0))
    True
    >>> y = np.tile(["angry", "sad"], 10)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     pipe = make_pipeline(SpeakerStandardizer(), SVC())
    ...     pipe = pipe.fit(X, y, groups=speakers)
    ...     pipe.predict(X[:4], groups=["c", "c", "d", "d"]).shape
    (4,)
    """

    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    _parameter_constraints: dict = {
        "feature_axis": [Integral],
        "min_clips": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, feature_axis=-1, min_clips=2):
        self.feature_axis = feature_axis
        self.min_clips = min_clips

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, groups=None):
        """Learn the global fallback statistics and check the speaker ids.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            Features: 2-D, or N-D with the features along ``feature_axis``.
        y : None
            Ignored.
        groups : array-like of shape (n_clips,)
            Speaker id of each clip (required).

        Returns
        -------
        self : SpeakerStandardizer
        """
        X = validate_data(self, X, allow_nd=True, dtype=FLOAT_DTYPES)
        axis = _non_clip_axis(X, self.feature_axis, "feature_axis", "feature")
        groups = _check_groups(groups, len(X), "fit")
        self.mean_, self.scale_ = _statistics(X, axis)
        self.n_speakers_ = len(np.unique(groups))
        return self

    def transform(self, X, groups=None):
        """Standardise each speaker's clips with that speaker's statistics.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            Features shaped as in ``fit``.
        groups : array-like of shape (n_clips,)
            Speaker id of each clip (required). Speakers need not have been
            seen in ``fit``; their statistics come from their clips in ``X``.

        Returns
        -------
        X_new : ndarray of the shape and float dtype of ``X``
        """
        check_is_fitted(self)
        X = validate_data(self, X, allow_nd=True, dtype=FLOAT_DTYPES, reset=False)
        axis = _non_clip_axis(X, self.feature_axis, "feature_axis", "feature")
        if X.shape[axis] != len(self.mean_):
            raise ValueError(
                f"X has {X.shape[axis]} features along feature_axis="
                f"{self.feature_axis}, but SpeakerStandardizer was fitted with "
                f"{len(self.mean_)}."
            )
        groups = _check_groups(groups, len(X), "transform")
        shape = [1] * X.ndim
        shape[axis] = -1
        out = np.empty_like(X)
        for speaker in np.unique(groups):
            rows = groups == speaker
            if rows.sum() < self.min_clips:
                mean, scale = self.mean_, self.scale_
            else:
                mean, scale = _statistics(X[rows], axis)
            out[rows] = (X[rows] - mean.reshape(shape)) / scale.reshape(shape)
        return out

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then standardise ``X`` with the same ``groups``.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
        y : None
            Ignored.
        groups : array-like of shape (n_clips,)
            Speaker id of each clip (required).

        Returns
        -------
        X_new : ndarray of the shape and float dtype of ``X``
        """
        # TransformerMixin's version would not forward groups to transform.
        return self.fit(X, y, groups=groups).transform(X, groups=groups)


class ClipNormalizer(TransformerMixin, BaseEstimator):
    """Remove each clip's own mean along time, feature by feature.

    For every clip and every entry of the other axes (mel band, chunk,
    MFCC), ``transform`` subtracts the mean over the clip's frames along
    ``time_axis`` and, with ``with_std=True``, divides by their standard
    deviation. Statistics come from the clip itself, in ``fit`` and in
    ``transform`` alike: the transformer learns nothing and no clip affects
    another, so it can be used on single clips at prediction time.

    ``time_axis`` is the frame axis of the deep inputs: ``-1`` (the default)
    for :class:`~sklearn_ser.MelSpectrogramChunker`
    ``(n_clips, n_chunks, n_mels, chunk_frames)`` (each chunk normalised on
    its own frames), ``1`` for :class:`~sklearn_ser.MFCCFrames`
    ``(n_clips, n_frames, n_mfcc)``. 2-D utterance-level features have no
    time axis and are refused. Padding frames count as frames: a clip padded
    with silence has the silence in its mean.

    Parameters
    ----------
    time_axis : int, default=-1
        The axis of ``X`` that holds the frames; any axis but the first
        (clips).
    with_std : bool, default=False
        Also divide by each clip's standard deviation along time (mean and
        variance normalisation). A feature that is constant within a clip
        is then set to 0, never NaN.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` in ``fit``, as scikit-learn counts it.

    See Also
    --------
    sklearn_ser.preprocessing.SpeakerStandardizer : Per-speaker statistics
        (transductive at test time).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import ClipNormalizer
    >>> # 2 clips, 1 chunk of 3 mel bands and 4 frames each
    >>> X = np.arange(24, dtype=np.float32).reshape(2, 1, 3, 4)
    >>> Xt = ClipNormalizer().fit_transform(X)
    >>> bool(np.allclose(Xt.mean(axis=-1), 0)), Xt.shape
    (True, (2, 1, 3, 4))
    """

    _parameter_constraints: dict = {
        "time_axis": [Integral],
        "with_std": ["boolean"],
    }

    def __init__(self, *, time_axis=-1, with_std=False):
        self.time_axis = time_axis
        self.with_std = with_std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input's layout; nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            N-D features with the frames along ``time_axis``.
        y : None
            Ignored.

        Returns
        -------
        self : ClipNormalizer
        """
        X = validate_data(self, X, allow_nd=True, dtype=FLOAT_DTYPES)
        self._time_axis(X)
        return self

    def transform(self, X):
        """Normalise every clip with its own statistics along time.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            Features shaped as in ``fit``.

        Returns
        -------
        X_new : ndarray of the shape and float dtype of ``X``
        """
        check_is_fitted(self)
        X = validate_data(self, X, allow_nd=True, dtype=FLOAT_DTYPES, reset=False)
        axis = self._time_axis(X)
        mean = X.mean(axis=axis, keepdims=True, dtype=np.float64)
        out = X - mean
        if self.with_std:
            out /= _nonzero_scale(
                X.std(axis=axis, keepdims=True, dtype=np.float64), mean
            )
        return out.astype(X.dtype, copy=False)

    def _time_axis(self, X: np.ndarray) -> int:
        """``time_axis`` as a non-negative axis of ``X``, or a clear error."""
        if X.ndim < 3:
            raise ValueError(
                f"ClipNormalizer needs frame-level features with a time axis "
                f"(3-D or more, e.g. MFCCFrames or MelSpectrogramChunker); got "
                f"{X.ndim}-D input of shape {X.shape}."
            )
        return _non_clip_axis(X, self.time_axis, "time_axis", "frame")


def _check_groups(groups, n_clips: int, method: str) -> np.ndarray:
    """``groups`` as a 1-D array of one speaker id per clip, or a clear error."""
    if groups is None:
        raise ValueError(
            f"SpeakerStandardizer.{method} needs the speaker id of every clip: "
            f"pass groups=speakers (in a pipeline, enable metadata routing with "
            f"sklearn.set_config(enable_metadata_routing=True) and pass groups to "
            f"the pipeline's fit and predict)."
        )
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n_clips:
        raise ValueError(
            f"groups must hold one speaker id per clip: expected shape "
            f"({n_clips},), got {groups.shape}."
        )
    return groups


def _statistics(X: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation along ``axis``, pooling the rest.

    Computed in float64; a scale that is zero up to rounding becomes 1, as in
    scikit-learn's StandardScaler, so constant features give 0, never NaN.
    """
    flat = np.moveaxis(X, axis, -1).reshape(-1, X.shape[axis]).astype(np.float64)
    mean = flat.mean(axis=0)
    return mean, _nonzero_scale(flat.std(axis=0), mean)


def _non_clip_axis(X: np.ndarray, axis: int, name: str, kind: str) -> int:
    """``axis`` as a non-negative axis of ``X``, never the clips' axis (0)."""
    if not -X.ndim < axis < X.ndim or axis % X.ndim == 0:
        raise ValueError(
            f"{name}={axis} is not a {kind} axis of {X.ndim}-D input of shape "
            f"{X.shape}; expected an axis other than the first (clips), between "
            f"{1 - X.ndim} and {X.ndim - 1}."
        )
    return axis % X.ndim


def _nonzero_scale(scale: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``scale`` (float64) with 1 where it is zero up to rounding.

    The rule of scikit-learn's StandardScaler: a constant feature becomes 0
    once standardised, never NaN.
    """
    constant = scale <= 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))
    return np.where(constant, 1.0, scale)
