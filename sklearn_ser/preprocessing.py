"""Per-speaker standardisation of features, with speaker ids routed as ``groups``.

Speakers differ in pitch, loudness and timbre more than one speaker's emotions
do; standardising each speaker's features with that speaker's own mean and
standard deviation removes much of that difference (Pepino et al., Interspeech
2021: about +8.6 UAR points on RAVDESS). At prediction time the statistics
come from the test speaker's own, unlabelled clips: the evaluation is then
*transductive*, and every number it produces must say so.

The transformer sits after the feature transformers and before the classifier
(see the data flow in the design notes); it is not a feature transformer
itself, since it needs speaker ids and never sees waveforms.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

__all__ = ["SpeakerStandardizer"]


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
        axis = self._axis(X)
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
        axis = self._axis(X)
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

    def _axis(self, X: np.ndarray) -> int:
        """``feature_axis`` as a non-negative axis of ``X``, never the clips' axis."""
        if not -X.ndim < self.feature_axis < X.ndim or self.feature_axis % X.ndim == 0:
            raise ValueError(
                f"feature_axis={self.feature_axis} is not a feature axis of "
                f"{X.ndim}-D input of shape {X.shape}; expected an axis other "
                f"than the first (clips), between {1 - X.ndim} and {X.ndim - 1}."
            )
        return self.feature_axis % X.ndim


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
    scale = flat.std(axis=0)
    constant = scale <= 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))
    scale[constant] = 1.0
    return mean, scale
