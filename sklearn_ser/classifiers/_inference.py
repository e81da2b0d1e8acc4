"""Running a deep classifier's network: on its device, batch by batch.

``_DeviceAndPrediction`` is a mixin of ``_DeepSERClassifier`` (module
``_base``): it resolves ``device="auto"`` while skorch trains or predicts and
when a model is unpickled, takes the CUDA fast path (module ``_device``: bf16
autocast, the training input copied to the device once per fit, larger
inference batches, cuDNN's autotuner) and gives the public prediction API on
string labels. On the CPU, training is what it was without the fast path.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import column_or_1d
from sklearn.utils.validation import check_is_fitted

from .._device import (
    DeviceBatches,
    autocast,
    autocast_dtype,
    cudnn_autotune,
    is_cuda,
    resolve_device,
)

#: Least batch size of inference on CUDA, where bigger batches cost no more.
_CUDA_INFERENCE_BATCH = 1024


class _DeviceAndPrediction:
    """Mixin of ``_DeepSERClassifier``: device handling and prediction."""

    @contextmanager
    def _on_device(self):
        """Let skorch see the resolved device while it trains or predicts."""
        requested = self.device
        self.device = (
            self.device_ if hasattr(self, "device_") else resolve_device(requested)
        )
        try:
            with cudnn_autotune(self.device):
                yield
        finally:
            self.device = requested

    def __setstate__(self, state):
        # skorch maps CUDA tensors to CPU when CUDA is missing, but it needs a
        # concrete device: resolve "auto" on the loading machine.
        requested = state["device"]
        if requested == "auto":
            state["device"] = resolve_device(requested)
        super().__setstate__(state)
        if "device_" in state:
            self.device_ = self.device
        if requested == "auto":
            self.device = requested

    def forward_iter(self, X, training=False, device="cpu"):
        with self._on_device():
            yield from super().forward_iter(X, training=training, device=device)

    def set_params(self, **params):
        if not self.initialized_:
            return super().set_params(**params)
        # New module__* or criterion__* values re-initialise those parts of a
        # fitted net on its device; a new device takes effect at the next fit.
        new_device = {"device": params.pop("device")} if "device" in params else {}
        with self._on_device():
            super().set_params(**params)
        return super().set_params(**new_device)

    def load_params(self, *args, **kwargs):
        with self._on_device():
            return super().load_params(*args, **kwargs)

    def get_iterator(self, dataset, training=False):
        device_data = getattr(self, "_device_data", None)
        if device_data is None:
            if not training and is_cuda(self.device):
                return self._inference_iterator(dataset)
            return super().get_iterator(dataset, training=training)
        # The whole fit input already lives on the device: slice batches there.
        if isinstance(dataset, torch.utils.data.Subset):
            indices = dataset.indices
        else:
            indices = np.arange(len(dataset))
        if training:
            batch_size = self.get_params_for("iterator_train").get(
                "batch_size", self.batch_size
            )
        else:
            batch_size = self._inference_batch_size()
        if batch_size == -1:
            batch_size = len(indices)
        shuffle = training and self.get_params_for("iterator_train").get(
            "shuffle", False
        )
        return DeviceBatches(*device_data, indices, batch_size, shuffle=shuffle)

    def _inference_batch_size(self) -> int:
        """The user's ``iterator_valid__batch_size``, else a large CUDA batch."""
        chosen = self.get_params_for("iterator_valid").get("batch_size")
        if chosen is not None:
            return chosen
        if self.batch_size == -1:
            return -1
        return max(self.batch_size, _CUDA_INFERENCE_BATCH)

    def _inference_iterator(self, dataset):
        kwargs = self.get_params_for("iterator_valid")
        batch_size = self._inference_batch_size()
        kwargs["batch_size"] = len(dataset) if batch_size == -1 else batch_size
        return self.iterator_valid(dataset, **kwargs)

    def _autocast(self):
        return autocast(autocast_dtype(self.precision, self.device), self.device)

    def infer(self, x, **fit_params):
        # Logits in float32 whatever the autocast dtype, for the loss and softmax.
        with self._autocast():
            return super().infer(x, **fit_params).float()

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's logits.

        Parameters
        ----------
        X : array-like
            Input features, with the per-clip shape seen in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Float64; columns follow ``classes_``; rows sum to 1.
        """
        check_is_fitted(self, "label_encoder_")
        proba = super().predict_proba(self._check_X(X, reset=False))
        # The float32 softmax sums to 1 only up to rounding.
        proba = proba.astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable label of each sample.

        Parameters
        ----------
        X : array-like
            Input features, with the per-clip shape seen in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)``; labels unseen during fit are an error.

        Parameters
        ----------
        X : array-like
            Input features.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "label_encoder_")
        y = column_or_1d(y)
        unseen = np.unique(y[~np.isin(y, self.classes_)])
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that {type(self).__name__} "
                f"did not see during fit; its classes_ are {self.classes_.tolist()}."
            )
        return super().score(X, y, sample_weight=sample_weight)
