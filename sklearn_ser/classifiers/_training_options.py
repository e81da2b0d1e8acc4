"""The training-step options of the deep classifiers, as a mixin.

Options that GridSearchCV can tune, all off by default so that each seed
recipe stays faithful to its paper: weight decay, a learning-rate schedule
(warm-up then cosine, or one-cycle), label smoothing, gradient-norm clipping,
and train-time-only SpecAugment-style masks and mixup on the standardised
inputs (their arithmetic is in module ``_training``). ``_TrainingStepOptions``
turns them into skorch's callbacks, criterion and optimiser arguments and
into the training step; ``_DeepSERClassifier`` (module ``_base``) holds the
parameters.
"""

from __future__ import annotations

import inspect

import numpy as np
import torch
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import unpack_data
from skorch.utils import to_numpy, to_tensor

from ._training import WarmupCosine, mask_spans, mixup


def _valid_accuracy(net, X, y) -> float:
    """Accuracy on the internal validation split, on encoded labels.

    skorch's default ``valid_acc`` calls ``net.predict``, which here expects
    raw user input and returns string labels; scoring the logits directly
    avoids both.
    """
    logits = to_numpy(net.forward(X))
    return float(np.mean(logits.argmax(axis=1) == to_numpy(y)))


class _TrainingStepOptions:
    """Mixin of ``_DeepSERClassifier``: its training options put to work."""

    def _check_training_options(self, params: dict) -> None:
        """The training options' conflicts with skorch's own parameters."""
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
