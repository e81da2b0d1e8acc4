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
  mixup on the standardised inputs (module ``_training_options``, their
  arithmetic in ``_training``);
- a CUDA fast path (module ``_inference``, on top of ``_device``): bf16
  autocast, the training input copied to the device once per fit, larger
  inference batches and cuDNN's autotuner. On the CPU, training is what it
  was without them.

This module holds the parameters, the input checks and ``fit``; the
training-step options and the device handling and prediction are mixins in
``_training_options`` and ``_inference``, and the docstring section every
deep classifier shares is in ``_docstring``.
"""

from __future__ import annotations

from collections import OrderedDict
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
    check_X_y,
    validate_data,
)
from skorch import NeuralNetClassifier
from skorch.dataset import ValidSplit
from torch import nn

from .._device import cuda_devices, data_fits_on_device, resolve_device
from .._labels import check_label_types
from ..nn._blocks import Standardize
from ._inference import _DeviceAndPrediction
from ._training_options import _TrainingStepOptions

# Clips per block when fitting the scaler, so that a large N-D input is never
# copied whole.
_SCALER_BLOCK = 64
_SEED_HIGH = np.iinfo(np.int32).max
_DATA_SHAPED_MODULE_PARAMS = ("module__input_shape", "module__n_classes")


def _fit_scaler(X: np.ndarray, axis: int) -> StandardScaler:
    """Per-feature mean and scale along ``axis``, pooled over all other axes."""
    n_features = X.shape[axis]
    scaler = StandardScaler()
    for start in range(0, len(X), _SCALER_BLOCK):
        block = np.moveaxis(X[start : start + _SCALER_BLOCK], axis, -1)
        scaler.partial_fit(block.reshape(-1, n_features))
    return scaler


class _DeepSERClassifier(
    _DeviceAndPrediction, _TrainingStepOptions, NeuralNetClassifier
):
    """Shared base of the deep classifiers; see the module docstring.

    Subclasses set the architecture's defaults in ``__init__`` and four
    class attributes: ``_input_ndim`` (rank of ``X``), ``_input_layout``
    (its axes, for error messages), ``_feature_axis`` (the axis whose
    entries get their own mean and standard deviation, and which
    ``freq_mask`` masks) and ``_time_axis`` (the axis ``time_mask`` masks;
    None when the input has no time axis). ``_standardize_input = False``
    skips the input standardisation (raw waveforms, where a mean and scale
    per sample position mean nothing); ``_module_kwargs`` adds the
    arguments of a module that needs more than the input shape.
    """

    _input_ndim: int
    _input_layout: str
    _feature_axis: int
    _time_axis: int | None = None
    _standardize_input: bool = True

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
        verbose=1,
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
        self._check_training_options(params)

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

    # -- skorch hooks -----------------------------------------------------

    def _module_kwargs(self) -> dict:
        """The module's arguments that fit derives from the data."""
        return dict(input_shape=self.input_shape_, n_classes=len(self.classes_))

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        kwargs.update(self._module_kwargs())
        network = self.initialized_instance(self.module, kwargs)
        standardize = (
            nn.Identity()
            if self.scaler_ is None
            else Standardize(
                self.scaler_.mean_, self.scaler_.scale_, axis=self._feature_axis
            )
        )
        self.module_ = nn.Sequential(
            OrderedDict(standardize=standardize, network=network)
        )
        return self

    def _state_to_save(self) -> dict:
        """The network's tensors that a model file stores: all of them."""
        return self.module_.state_dict()

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
            self.scaler_ = (
                _fit_scaler(X, self._feature_axis) if self._standardize_input else None
            )
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
