"""Training-step tools of the deep classifiers: input masks, mixup, a warm-up schedule.

Everything here runs inside the training step on standardised inputs, never
in ``predict``, ``predict_proba``, ``score`` or on the validation split, so
no augmented input can leak into an evaluation. Randomness comes from torch's
global random state, which the classifiers fork and seed with their
``random_state``.
"""

from __future__ import annotations

import math

import torch

__all__ = ["WarmupCosine", "mask_spans", "mixup"]


class WarmupCosine:
    """Learning-rate factor: linear warm-up, then a half cosine down to zero.

    A picklable ``lr_lambda`` for :class:`torch.optim.lr_scheduler.LambdaLR`,
    stepped once per batch.

    Parameters
    ----------
    total_steps : int
        Optimiser steps of the whole training run.
    warmup_steps : int
        Steps of the linear warm-up from ``1 / (warmup_steps + 1)`` to 1.

    Examples
    --------
    >>> schedule = WarmupCosine(total_steps=10, warmup_steps=2)
    >>> [round(schedule(step), 3) for step in (0, 1, 2, 6, 10)]
    [0.333, 0.667, 1.0, 0.5, 0.0]
    """

    def __init__(self, total_steps: int, warmup_steps: int):
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return (step + 1) / (self.warmup_steps + 1)
        decay_steps = max(1, self.total_steps - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / decay_steps)
        return 0.5 * (1.0 + math.cos(math.pi * progress))


def mask_spans(
    inputs: torch.Tensor, axis: int, max_width: int, other_axis: int | None
) -> torch.Tensor:
    """Zero one random span of at most ``max_width`` entries along ``axis``.

    SpecAugment's time or frequency mask on a standardised input, where zero
    is the training mean. Each example (and each chunk or channel of it) gets
    its own span, of a width drawn uniformly from ``0..max_width``; the span
    covers the whole ``other_axis`` (the other spectral axis), so a time mask
    silences every band of some frames and a frequency mask one band range
    in every frame.

    Parameters
    ----------
    inputs : torch.Tensor
        Batch of standardised inputs, batch axis first.
    axis : int
        Negative index of the masked axis.
    max_width : int
        Widest span; at most the length of ``axis``.
    other_axis : int or None
        Negative index of the other spectral axis, spanned by each mask.

    Returns
    -------
    masked : torch.Tensor
        A new tensor; ``inputs`` is not modified.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> masked = mask_spans(torch.ones(2, 6, 3), axis=-2, max_width=6, other_axis=-1)
    >>> bool(((masked == 0).all(dim=-1) | (masked == 1).all(dim=-1)).all())
    True
    """
    length = inputs.shape[axis]
    row_shape = list(inputs.shape)
    for spanned in (axis, other_axis):
        if spanned is not None:
            row_shape[spanned] = 1
    device = inputs.device
    widths = torch.randint(0, max_width + 1, row_shape).to(device)
    starts = (torch.rand(row_shape).to(device) * (length - widths + 1)).long()
    position_shape = [1] * inputs.ndim
    position_shape[axis] = length
    positions = torch.arange(length, device=device).view(position_shape)
    masked = (positions >= starts) & (positions < starts + widths)
    return inputs.masked_fill(masked, 0.0)


def mixup(inputs: torch.Tensor, y: torch.Tensor, alpha: float):
    """Mix each example with another of the batch (Zhang et al., 2018).

    Parameters
    ----------
    inputs : torch.Tensor
        Batch of standardised inputs.
    y : torch.Tensor
        Their encoded labels.
    alpha : float
        Parameter of the Beta(alpha, alpha) mixing weight.

    Returns
    -------
    mixed : torch.Tensor
        ``lam * inputs + (1 - lam) * inputs[perm]``.
    y_partner : torch.Tensor
        ``y[perm]``; the loss is ``lam * loss(y) + (1 - lam) * loss(y_partner)``.
    lam : float
        The mixing weight.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> mixed, partner, lam = mixup(torch.eye(2), torch.tensor([0, 1]), alpha=0.4)
    >>> 0.0 <= lam <= 1.0 and mixed.shape == (2, 2)
    True
    """
    concentration = torch.tensor(float(alpha))
    lam = float(torch.distributions.Beta(concentration, concentration).sample())
    permutation = torch.randperm(len(inputs)).to(inputs.device)
    mixed = lam * inputs + (1.0 - lam) * inputs[permutation]
    return mixed, y[permutation], lam
