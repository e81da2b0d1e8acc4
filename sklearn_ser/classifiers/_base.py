"""The shared skorch base of the deep classifiers.

``_DeepSERClassifier`` adds to skorch's
:class:`~skorch.classifier.NeuralNetClassifier`:

- string labels in and out (``classes_``), cross-entropy on the module's
  logits and ``predict_proba`` as their softmax;
- input standardisation fitted on the training data (the papers'
  ``StandardScaler`` step) and applied batch by batch on the device;
- ``device="auto"``: CUDA when available, else CPU, resolved at fit time
  (``device_``) without changing the parameter, also when unpickling;
- ``random_state``: seeds weight initialisation, dropout, shuffling and the
  validation split, so CPU training is reproducible;
- optional early stopping on a validation split that keeps speakers apart
  when ``fit`` receives ``groups``;
- ``class_weight`` for imbalanced corpora;
- training options that GridSearchCV can tune, all off by default so that
  each seed recipe stays faithful to its paper: weight decay, a learning-rate
  schedule (warm-up then cosine, or one-cycle), label smoothing,
  gradient-norm clipping, and train-time-only SpecAugment-style masks and
  mixup on the standardised inputs (module ``_training``);
- a CUDA fast path (module ``_device``): bf16 autocast, the training input
  copied to the device once per fit, larger inference batches and cuDNN's
  autotuner. On the CPU, training is what it was without them.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.model_selection import GroupShuffleSplit
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    check_X_y,
    validate_data,
)
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import ValidSplit, unpack_data
from skorch.utils import to_numpy, to_tensor
from torch import nn

from .._device import (
    DeviceBatches,
    autocast,
    autocast_dtype,
    cuda_devices,
    cudnn_autotune,
    data_fits_on_device,
    is_cuda,
    resolve_device,
)
from .._labels import check_label_types
from ..nn._blocks import Standardize
from ._training import WarmupCosine, mask_spans, mixup

# Clips per block when fitting the scaler, so that a large N-D input is never
# copied whole.
_SCALER_BLOCK = 64
_SEED_HIGH = np.iinfo(np.int32).max
_DATA_SHAPED_MODULE_PARAMS = ("module__input_shape", "module__n_classes")
#: Least batch size of inference on CUDA, where bigger batches cost no more.
_CUDA_INFERENCE_BATCH = 1024


def _fit_scaler(X: np.ndarray, axis: int) -> StandardScaler:
    """Per-feature mean and scale along ``axis``, pooled over all other axes."""
    n_features = X.shape[axis]
    scaler = StandardScaler()
    for start in range(0, len(X), _SCALER_BLOCK):
        block = np.moveaxis(X[start : start + _SCALER_BLOCK], axis, -1)
        scaler.partial_fit(block.reshape(-1, n_features))
    return scaler


def _valid_accuracy(net, X, y) -> float:
    """Accuracy on the internal validation split, on encoded labels.

    skorch's default ``valid_acc`` calls ``net.predict``, which here expects
    raw user input and returns string labels; scoring the logits directly
    avoids both.
    """
    logits = to_numpy(net.forward(X))
    return float(np.mean(logits.argmax(axis=1) == to_numpy(y)))


class _DeepSERClassifier(NeuralNetClassifier):
    """Shared base of the deep classifiers; see the module docstring.

    Subclasses set the architecture's defaults in ``__init__`` and four
    class attributes: ``_input_ndim`` (rank of ``X``), ``_input_layout``
    (its axes, for error messages), ``_feature_axis`` (the axis whose
    entries get their own mean and standard deviation, and which
    ``freq_mask`` masks) and ``_time_axis`` (the axis ``time_mask`` masks;
    None when the input has no time axis).
    """

    _input_ndim: int
    _input_layout: str
    _feature_axis: int
    _time_axis: int | None = None

    # skorch's own parameters (module__*, optimizer__*, ...) are open-ended
    # and checked by skorch; these are validated in fit.
    _parameter_constraints: dict = {
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [str, torch.device, None],
        "random_state": ["random_state"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left"), None],
        "momentum": [Interval(Real, 0, None, closed="left"), None],
        "lr_schedule": [StrOptions({"constant", "cosine", "onecycle"})],
        "warmup": [Interval(Real, 0, 1, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "time_mask": [Interval(Integral, 0, None, closed="left")],
        "freq_mask": [Interval(Integral, 0, None, closed="left")],
        "mixup_alpha": [Interval(Real, 0, None, closed="left")],
        "precision": [StrOptions({"auto", "float32", "bf16"})],
    }

    def __init__(
        self,
        module,
        *,
        criterion=nn.CrossEntropyLoss,
        train_split=None,
        iterator_train__shuffle=True,
        device="auto",
        verbose=0,
        random_state=None,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        weight_decay=None,
        momentum=None,
        lr_schedule="constant",
        warmup=0.0,
        label_smoothing=0.0,
        max_grad_norm=None,
        time_mask=0,
        freq_mask=0,
        mixup_alpha=0.0,
        precision="auto",
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            train_split=train_split,
            iterator_train__shuffle=iterator_train__shuffle,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.random_state = random_state
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.lr_schedule = lr_schedule
        self.warmup = warmup
        self.label_smoothing = label_smoothing
        self.max_grad_norm = max_grad_norm
        self.time_mask = time_mask
        self.freq_mask = freq_mask
        self.mixup_alpha = mixup_alpha
        self.precision = precision

    # -- parameters -------------------------------------------------------

    def _get_param_names(self):
        # skorch lists its private bookkeeping set among the parameters, where
        # sklearn's set_params checks would overwrite it; clones rebuild it.
        return [
            name for name in super()._get_param_names() if name != "_params_to_validate"
        ]

    def _check_params(self) -> None:
        params = self.get_params(deep=False)
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        for name in _DATA_SHAPED_MODULE_PARAMS:
            if name in params:
                raise ValueError(
                    f"{name} is set by fit from the training data; remove it from "
                    f"the parameters of {type(self).__name__}."
                )
        if self.class_weight is not None and "criterion__weight" in params:
            raise ValueError(
                "Pass class weights either as class_weight or as criterion__weight, "
                "not both."
            )
        if self.early_stopping and self.train_split is not None:
            raise ValueError(
                "early_stopping=True makes its own validation split "
                "(validation_fraction, speaker-disjoint when fit gets groups); "
                "leave train_split=None."
            )
        for option, skorch_name in (
            ("weight_decay", "optimizer__weight_decay"),
            ("momentum", "optimizer__momentum"),
            ("label_smoothing", "criterion__label_smoothing"),
        ):
            if skorch_name in params and getattr(self, option) not in (None, 0.0):
                raise ValueError(
                    f"Pass {option} either as {option} or as {skorch_name}, not both."
                )
        if self.lr_schedule == "onecycle" and self.warmup == 0:
            raise ValueError(
                "lr_schedule='onecycle' needs warmup > 0 (the share of the steps "
                "spent raising the learning rate, e.g. 0.3); got warmup=0."
            )

    def _check_training_inputs(self, n_train: int) -> None:
        """Check the augmentation options against the input layout and size."""
        name = type(self).__name__
        for option, axis in (
            ("time_mask", self._time_axis),
            ("freq_mask", self._feature_axis if self._input_ndim > 2 else None),
        ):
            width = getattr(self, option)
            if width == 0:
                continue
            if axis is None:
                raise ValueError(
                    f"{option}={width}, but the input of {name} "
                    f"{self._input_layout} has no axis for it; leave {option}=0."
                )
            length = self.input_shape_[axis]
            if width > length:
                raise ValueError(
                    f"{option}={width} is wider than the axis it masks, of length "
                    f"{length} in the input {self._input_layout}; use "
                    f"{option} <= {length}."
                )
        if self.mixup_alpha > 0 and (self.batch_size == 1 or n_train < 2):
            raise ValueError(
                f"mixup_alpha={self.mixup_alpha} mixes clips within a batch, but "
                f"every batch holds 1 clip (batch_size={self.batch_size}, "
                f"{n_train} training clip(s)); use batch_size >= 2 or "
                "mixup_alpha=0."
            )

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            (
                "valid_acc",
                EpochScoring(_valid_accuracy, name="valid_acc", lower_is_better=False),
            ),
        ]
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(patience=self.patience, load_best=True),
                )
            )
        schedule = self._lr_scheduler()
        if schedule is not None:
            callbacks.append(("lr_scheduler", schedule))
        if self.max_grad_norm is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(self.max_grad_norm))
            )
        return [*callbacks, ("print_log", PrintLog())]

    def _lr_scheduler(self) -> LRScheduler | None:
        """skorch's LRScheduler for ``lr_schedule``, stepped every batch."""
        if self.lr_schedule == "constant":
            return None
        # fit sets steps_per_epoch_ before it initialises the callbacks; skorch
        # also builds them unfitted, to list their parameters in get_params.
        steps_per_epoch = getattr(self, "steps_per_epoch_", 1)
        total_steps = max(1, self.max_epochs * steps_per_epoch)
        if self.lr_schedule == "onecycle":
            return LRScheduler(
                torch.optim.lr_scheduler.OneCycleLR,
                step_every="batch",
                max_lr=self.lr,
                total_steps=total_steps,
                pct_start=self.warmup,
            )
        return LRScheduler(
            torch.optim.lr_scheduler.LambdaLR,
            step_every="batch",
            lr_lambda=WarmupCosine(total_steps, round(self.warmup * total_steps)),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Spectrogram and frame models take N-D arrays only, which
        # scikit-learn's estimator checks cannot generate.
        tags.input_tags.two_d_array = self._input_ndim == 2
        return tags

    # -- input checks -----------------------------------------------------

    def _check_X(self, X, y=None, *, reset: bool):
        """Validate X (and y) and return them as float32 (and 1-D) arrays."""
        name = type(self).__name__
        X_in = X
        check = dict(allow_nd=True, dtype=np.float32, estimator=self)
        if y is None:
            X = check_array(X, **check)
        else:
            X, y = check_X_y(X, y, **check)
        if X.ndim != self._input_ndim:
            raise ValueError(
                f"{name} expects X of shape {self._input_layout}; got an array "
                f"of shape {X.shape} ({X.ndim}-D)."
            )
        if not reset and X.ndim > 2 and X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has per-clip shape {X.shape[1:]}, but {name} was fitted on "
                f"per-clip shape {self.input_shape_} {self._input_layout}."
            )
        # Records or checks n_features_in_ and feature names; given the
        # original X, which may be a DataFrame.
        validate_data(self, X_in, reset=reset, skip_check_array=True)
        return X if y is None else (X, y)

    def _check_labels(self, y, *, reset: bool, classes=None) -> np.ndarray:
        """Fit or apply the label encoder; return encoded labels."""
        check_label_types(y)
        check_classification_targets(y)
        name = type(self).__name__
        if reset:
            known = self.classes if self.classes is not None else classes
            if known is not None:
                check_label_types(known, "classes")
            self.label_encoder_ = LabelEncoder().fit(y if known is None else known)
        unseen = np.unique(y[~np.isin(y, self.classes_)])
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not among the "
                f"classes of {name} ({self.classes_.tolist()})."
            )
        if len(self.classes_) < 2:
            raise ValueError(
                f"{name} needs at least 2 classes in y; got 1 class "
                f"({self.classes_.tolist()[0]!r})."
            )
        return self.label_encoder_.transform(y).astype(np.int64)

    def _check_class_weight(self, y) -> np.ndarray | None:
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, dict):
            unknown = sorted(set(self.class_weight) - set(self.classes_.tolist()))
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown} that are not among the "
                    f"classes of {type(self).__name__} ({self.classes_.tolist()})."
                )
        return compute_class_weight(self.class_weight, classes=self.classes_, y=y)

    def _check_groups(self, groups, X) -> np.ndarray | None:
        if groups is None:
            return None
        groups = column_or_1d(groups, warn=True)
        check_consistent_length(X, groups)
        if self.early_stopping and len(np.unique(groups)) < 2:
            raise ValueError(
                "early_stopping with groups needs at least 2 distinct groups "
                "(speakers) so that the validation split can hold some out; got "
                f"{len(np.unique(groups))}."
            )
        return groups

    # -- device -----------------------------------------------------------

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

    # -- skorch hooks -----------------------------------------------------

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(input_shape=self.input_shape_, n_classes=len(self.classes_))
        network = self.initialized_instance(self.module, kwargs)
        standardize = Standardize(
            self.scaler_.mean_, self.scaler_.scale_, axis=self._feature_axis
        )
        self.module_ = nn.Sequential(
            OrderedDict(standardize=standardize, network=network)
        )
        return self

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        if self.class_weight_ is not None:
            kwargs["weight"] = torch.as_tensor(self.class_weight_, dtype=torch.float32)
        if self.label_smoothing > 0:
            kwargs["label_smoothing"] = self.label_smoothing
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if self.weight_decay is not None:
            kwargs["weight_decay"] = self.weight_decay
        # The SGD recipes' momentum stays out of optimisers without one (Adam's
        # betas play its part), so that switching optimiser needs one parameter.
        takes_momentum = "momentum" in inspect.signature(self.optimizer).parameters
        if self.momentum is not None and takes_momentum:
            kwargs["momentum"] = self.momentum
        return args, kwargs

    def _split(self, X, y, groups, seed):
        """The training and validation datasets of one fit (validation may be None)."""
        if not self.early_stopping:
            return super().get_split_datasets(X, y)
        if groups is None:
            split = ValidSplit(
                self.validation_fraction, stratified=True, random_state=seed
            )
        else:
            split = ValidSplit(
                GroupShuffleSplit(
                    n_splits=1, test_size=self.validation_fraction, random_state=seed
                )
            )
        return split(self.get_dataset(X, y), y, groups=groups)

    def get_split_datasets(self, X, y=None, **fit_params):
        # Split in _fit, before the callbacks are initialised: the learning-rate
        # schedule needs the number of training batches.
        return self._datasets

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

    def train_step_single(self, batch, **fit_params):
        """One training step, with the masks and mixup that are switched on.

        They act on the standardised input (zero is the training mean),
        between the module's ``standardize`` and ``network`` parts.
        """
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_true = to_tensor(yi, device=self.device)
        with self._autocast():
            inputs = self.module_.standardize(to_tensor(Xi, device=self.device))
            for axis, width, other in (
                (self._time_axis, self.time_mask, self._feature_axis),
                (self._feature_axis, self.freq_mask, self._time_axis),
            ):
                if width > 0:
                    inputs = mask_spans(inputs, axis, width, other)
            mixed = self.mixup_alpha > 0 and len(inputs) > 1
            if mixed:
                inputs, y_partner, lam = mixup(inputs, y_true, self.mixup_alpha)
            y_pred = self.module_.network(inputs).float()
        loss = self.get_loss(y_pred, y_true, X=Xi, training=True)
        if mixed:
            partner_loss = self.get_loss(y_pred, y_partner, X=Xi, training=True)
            loss = lam * loss + (1.0 - lam) * partner_loss
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    # -- public API -------------------------------------------------------

    @property
    def classes_(self) -> np.ndarray:
        return self.label_encoder_.classes_

    def fit(self, X, y, groups=None):
        """Fit the scaler, the label encoder and the network.

        Parameters
        ----------
        X : array-like
            Input features; the shape each classifier expects is in its
            docstring.
        y : array-like of shape (n_samples,)
            Labels, e.g. emotion strings.
        groups : array-like of shape (n_samples,), default=None
            Speaker of each sample. Used only with ``early_stopping=True``:
            the validation split then holds out whole speakers. Inside a
            pipeline pass it as ``pipe.fit(X, y, clf__groups=groups)``.

        Returns
        -------
        self : object
        """
        reset = not (self.warm_start and self.initialized_)
        return self._fit(X, y, groups, reset=reset)

    def partial_fit(self, X, y, classes=None, groups=None):
        """Train ``max_epochs`` more epochs without re-initialising.

        The first call fits the scaler and the labels like :meth:`fit`; later
        calls keep them.

        Parameters
        ----------
        X : array-like
            Input features.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like, default=None
            All labels, on the first call, when ``y`` does not contain each.
        groups : array-like of shape (n_samples,), default=None
            Speaker of each sample; see :meth:`fit`.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, groups, reset=not self.initialized_, classes=classes)

    def _fit(self, X, y, groups, *, reset: bool, classes=None):
        self._check_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        if not reset and self.lr_schedule != "constant":
            raise ValueError(
                f"lr_schedule={self.lr_schedule!r} runs over the steps of one fit "
                "and has ended; partial_fit or warm_start would train on past its "
                "end. Use lr_schedule='constant' to train in several calls."
            )
        X, y = self._check_X(X, y, reset=reset)
        y_encoded = self._check_labels(y, reset=reset, classes=classes)
        groups = self._check_groups(groups, X)
        if reset:
            self.input_shape_ = tuple(X.shape[1:])
            self.device_ = resolve_device(self.device)
            self.scaler_ = _fit_scaler(X, self._feature_axis)
            self.class_weight_ = self._check_class_weight(y)
        seeded = self.random_state is not None
        torch_seed, split_seed = (
            check_random_state(self.random_state).randint(_SEED_HIGH, size=2).tolist()
            if seeded
            else (None, None)
        )
        # Forking keeps the caller's global torch random state untouched.
        with (
            self._on_device(),
            torch.random.fork_rng(devices=cuda_devices(self.device_), enabled=seeded),
        ):
            if seeded:
                torch.manual_seed(torch_seed)
            self._datasets = self._split(X, y_encoded, groups, split_seed)
            n_train = len(self._datasets[0])
            self._check_training_inputs(n_train)
            batch_size = n_train if self.batch_size == -1 else self.batch_size
            self.steps_per_epoch_ = -(-n_train // batch_size)
            if data_fits_on_device(self.device_, X.nbytes):
                self._device_data = (
                    torch.as_tensor(X, device=self.device_),
                    torch.as_tensor(y_encoded, device=self.device_),
                )
            try:
                if reset:
                    self.initialize()
                super().partial_fit(X, y_encoded)
            finally:
                del self._datasets
                self.__dict__.pop("_device_data", None)
        return self

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


_SHARED_PARAMETERS = """\
    device : "auto", str, torch.device or None, default="auto"
        Where to train and predict. ``"auto"`` means CUDA when available,
        else CPU; the device used is ``device_``. A model trained on CUDA
        with ``"auto"`` unpickles onto the CPU of a machine without CUDA.
        On CUDA the training input is copied to the device once per fit
        when it takes at most a quarter of the free device memory,
        inference batches hold at least 1,024 clips (unless
        ``iterator_valid__batch_size`` is set) and cuDNN's autotuner is on.
    precision : {"auto", "float32", "bf16"}, default="auto"
        Autocast dtype of the forward pass: ``"auto"`` is bf16 on a CUDA
        device that supports it and float32 on the CPU (so CPU results are
        unchanged); ``"bf16"`` forces bf16 autocast, on the CPU too. Losses
        and probabilities are always computed in float32.
    weight_decay : float or None, default=None
        The optimiser's ``weight_decay`` (None: the optimiser's default). Use
        it with ``optimizer=torch.optim.AdamW`` for decoupled weight decay.
    momentum : float or None, default=None
        The optimiser's ``momentum``, passed only to optimisers that take one
        (SGD, RMSprop), so that ``optimizer`` can be switched to Adam or
        AdamW without unsetting it. None: the optimiser's default.
    lr_schedule : {"constant", "cosine", "onecycle"}, default="constant"
        Learning-rate schedule over all training batches (skorch's
        :class:`~skorch.callbacks.LRScheduler`, stepped every batch):
        ``"cosine"`` warms up linearly for a ``warmup`` share of the steps,
        then decays to zero along a half cosine; ``"onecycle"`` is torch's
        :class:`~torch.optim.lr_scheduler.OneCycleLR` with peak ``lr`` and
        ``pct_start=warmup``.
    warmup : float in [0, 1), default=0.0
        Share of the training steps spent warming up (``"cosine"``,
        ``"onecycle"``; the latter needs warmup > 0).
    label_smoothing : float in [0, 1), default=0.0
        Label smoothing of the cross-entropy.
    max_grad_norm : float or None, default=None
        Clip the gradients' global norm to this value before each step
        (skorch's :class:`~skorch.callbacks.GradientNormClipping`).
    time_mask, freq_mask : int, default=0
        SpecAugment-style masks, training only: each training example (each
        chunk or channel of it) gets one span of up to ``time_mask`` frames
        and one of up to ``freq_mask`` bands or coefficients set to the
        training mean. The axes are those of the input layout above; inputs
        without them (acoustic statistics) accept only 0, and a width larger
        than its axis is an error.
    mixup_alpha : float, default=0.0
        Mixup, training only: each batch is mixed with a permutation of
        itself with a Beta(alpha, alpha) weight, and the loss mixed alike.
        0 turns it off; a batch of one clip is left as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the shuffling of batches and
        the early-stopping split, leaving the caller's global torch random
        state untouched; None draws from torch's global random state. With
        an int, training on CPU is reproducible: the same seed gives
        identical predictions (CUDA kernels may not be deterministic).
    class_weight : dict, "balanced" or None, default=None
        Weights of the cross-entropy per class, keyed by label; "balanced"
        weighs classes inversely to their frequency in the training labels
        (see :func:`sklearn.utils.class_weight.compute_class_weight`).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        loss has not improved for ``patience`` epochs and keep the best
        weights. The split is stratified by label, or holds out whole groups
        when :meth:`fit` receives ``groups`` (speaker-independent).
    validation_fraction : float, default=0.1
        Share of the training data (or of the groups) held out for early
        stopping.
    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.
    verbose : int, default=0
        0 trains quietly; 1 prints skorch's per-epoch table.
    **kwargs
        Any other :class:`skorch.classifier.NeuralNetClassifier` parameter,
        e.g. ``module__*`` (the architecture's parameters, except
        ``input_shape`` and ``n_classes``, which ``fit`` sets),
        ``optimizer__*``, ``callbacks``, ``warm_start`` or ``classes`` (all
        labels, when the training labels may lack some). ``train_split``
        defaults to None (no validation split unless ``early_stopping``) and
        ``iterator_train__shuffle`` to True.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen during fit.
    input_shape_ : tuple of int
        Shape of one training sample.
    n_features_in_ : int
        Size of the second axis of ``X``.
    device_ : str or None
        Device the network was trained on.
    scaler_ : sklearn.preprocessing.StandardScaler
        Per-feature statistics used to standardise the input.
    label_encoder_ : sklearn.preprocessing.LabelEncoder
        Maps labels to the network's output units.
    class_weight_ : ndarray of shape (n_classes,) or None
        Weights of the loss per class.
    module_ : torch.nn.Sequential
        ``standardize`` (the fitted scaling) followed by ``network`` (the
        architecture).
    history_ : skorch.history.History
        Per-epoch training record (``train_loss``, ``valid_loss``,
        ``valid_acc`` with early stopping, ``dur``); also ``history``.
"""


def _with_shared_parameters(cls):
    """Insert the parameters every deep classifier shares into its docstring."""
    cls.__doc__ = cls.__doc__.replace("    {shared_parameters}\n", _SHARED_PARAMETERS)
    return cls
