"""Per-clip normalisation of frame-level features along their time axis.

Every clip's features have their own mean over the clip's frames removed,
feature by feature (and optionally are divided by their own standard
deviation): cepstral mean (and variance) normalisation, done per clip. A
clip's long-term average spectrum carries much of its speaker's voice
timbre, the microphone and the room; removing it takes much of the speaker
out of the input while the movement over time stays. It also removes the
clip's overall level and spectral tilt, which carry some of the emotion
(arousal): whether the trade pays is a question for measurement. Each clip is normalised from its own frames only, so
unlike :class:`~sklearn_ser.preprocessing.SpeakerStandardizer` this is
*inductive*: nothing is learnt from, or shared between, test clips.

The transformer sits after the feature transformers and before the
classifier, on N-D deep inputs that have a time axis.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

__all__ = ["ClipNormalizer"]


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
    >>> from sklearn_ser.clip_normalization import ClipNormalizer
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
        self._axis(X)
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
        axis = self._axis(X)
        mean = X.mean(axis=axis, keepdims=True, dtype=np.float64)
        out = X - mean
        if self.with_std:
            scale = X.std(axis=axis, keepdims=True, dtype=np.float64)
            # As in StandardScaler: a scale that is zero up to rounding is 1.
            constant = scale <= 10 * np.finfo(X.dtype).eps * np.maximum(
                1.0, np.abs(mean)
            )
            out /= np.where(constant, 1.0, scale)
        return out.astype(X.dtype, copy=False)

    def _axis(self, X: np.ndarray) -> int:
        """``time_axis`` as a non-negative axis of ``X``, or a clear error."""
        if X.ndim < 3:
            raise ValueError(
                f"ClipNormalizer needs frame-level features with a time axis "
                f"(3-D or more, e.g. MFCCFrames or MelSpectrogramChunker); got "
                f"{X.ndim}-D input of shape {X.shape}."
            )
        if not -X.ndim < self.time_axis < X.ndim or self.time_axis % X.ndim == 0:
            raise ValueError(
                f"time_axis={self.time_axis} is not a frame axis of {X.ndim}-D "
                f"input of shape {X.shape}; expected an axis other than the "
                f"first (clips), between {1 - X.ndim} and {X.ndim - 1}."
            )
        return self.time_axis % X.ndim
