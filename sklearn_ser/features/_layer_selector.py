"""LayerSelector: one layer's vectors out of per-layer embeddings."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["LayerSelector"]


class LayerSelector(TransformerMixin, BaseEstimator):
    """Pick one layer of ``(n_clips, n_layers, dim)`` embeddings.

    Placed after ``SpeechEncoderEmbeddings(layers="all")``, it makes the
    layer a parameter of the fitted part of a pipeline: the embeddings of
    every layer are computed (and cached) once, and a grid search can choose
    the layer on inner folds like any hyperparameter (the ``encoder_svm``
    recipe's grid does). It learns nothing but the input's shape.

    Parameters
    ----------
    layer : int, default=-1
        Index along the layer axis; negative counts from the end (-1: the
        encoder's output, for ``layers="all"``).

    Attributes
    ----------
    n_layers_ : int
        Layers of the input seen in ``fit``.
    n_features_in_ : int
        Equal to ``n_layers_`` (the second axis).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.features import LayerSelector
    >>> X = np.arange(12, dtype="float32").reshape(2, 3, 2)
    >>> LayerSelector(layer=1).fit_transform(X)
    array([[2., 3.],
           [8., 9.]], dtype=float32)
    """

    _parameter_constraints: dict = {"layer": [Integral]}

    def __init__(self, layer=-1):
        self.layer = layer

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the layer against the input's layer axis.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_layers, dim)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = self._check(X, reset=True)
        self.n_layers_ = X.shape[1]
        if not -self.n_layers_ <= self.layer < self.n_layers_:
            raise ValueError(
                f"LayerSelector(layer={self.layer}) is out of range for input with "
                f"{self.n_layers_} layers (valid: {-self.n_layers_} to "
                f"{self.n_layers_ - 1})."
            )
        return self

    def transform(self, X):
        """The chosen layer's vectors.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_layers, dim)

        Returns
        -------
        X_layer : ndarray of shape (n_clips, dim)
        """
        check_is_fitted(self)
        X = self._check(X, reset=False)
        return np.ascontiguousarray(X[:, self.layer])

    def _check(self, X, *, reset):
        X = validate_data(self, X, reset=reset, allow_nd=True, dtype=None)
        if X.ndim != 3:
            raise ValueError(
                "LayerSelector expects per-layer embeddings of shape (n_clips, "
                f"n_layers, dim), as SpeechEncoderEmbeddings(layers='all') returns "
                f"them; got an array of shape {X.shape}."
            )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
