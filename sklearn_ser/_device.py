"""Where torch code runs: device resolution, precision, and data kept on the GPU.

On CUDA three things make the small networks of this library fast: bf16
autocast, the whole training input copied to the device once per fit (the
networks are tiny, so a per-batch host-to-device copy through a
``DataLoader`` costs more than the arithmetic), and cuDNN's autotuner. On the
CPU none of them applies and training runs exactly as plain skorch would.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import numpy as np
import torch

__all__ = [
    "DeviceBatches",
    "autocast",
    "autocast_dtype",
    "cuda_devices",
    "cudnn_autotune",
    "data_fits_on_device",
    "is_cuda",
    "resolve_device",
]

#: Share of the free device memory the training input may take when it is
#: kept on the device; the rest is left to activations and gradients.
_DEVICE_DATA_SHARE = 0.25


def resolve_device(device):
    """The torch device that ``device`` means on this machine.

    Examples
    --------
    >>> resolve_device("cpu")
    'cpu'
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device is None:
        return None
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from exc
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='auto' (CUDA when present, else CPU) or 'cpu'."
        )
    return device


def _kind(device) -> str:
    return "cpu" if device is None else torch.device(device).type


def is_cuda(device) -> bool:
    """Whether ``device`` (a resolved device or None) is a CUDA device."""
    return _kind(device) == "cuda"


def cuda_devices(device) -> list[int]:
    """CUDA device indices whose random state training on ``device`` consumes."""
    if _kind(device) != "cuda":
        return []
    index = torch.device(device).index
    return [torch.cuda.current_device() if index is None else index]


def autocast_dtype(precision: str, device) -> torch.dtype | None:
    """The autocast dtype that ``precision`` means on ``device`` (None: float32).

    ``"auto"`` is bf16 on a CUDA device that supports it and float32
    elsewhere, so CPU results do not change; ``"bf16"`` forces bf16 autocast,
    on the CPU too.

    Examples
    --------
    >>> autocast_dtype("auto", "cpu") is None
    True
    >>> autocast_dtype("bf16", "cpu")
    torch.bfloat16
    """
    if precision == "float32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if _kind(device) == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def autocast(dtype: torch.dtype | None, device):
    """An autocast context for ``dtype`` on ``device`` (nothing when None)."""
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type=_kind(device), dtype=dtype)


@contextmanager
def cudnn_autotune(device):
    """Let cuDNN pick the fastest kernels for fixed input shapes on CUDA."""
    if _kind(device) != "cuda":
        yield
        return
    before = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = before


def data_fits_on_device(device, nbytes: int) -> bool:
    """Whether an input of ``nbytes`` should be copied to ``device`` once per fit.

    Only on CUDA, and only when it takes at most a quarter of the free device
    memory. On the CPU the input already is where it is used.
    """
    if _kind(device) != "cuda":
        return False
    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return nbytes <= _DEVICE_DATA_SHARE * free


class DeviceBatches:
    """Mini-batches sliced from tensors that already live on the device.

    Replaces skorch's ``DataLoader`` when the whole training input was moved
    to the device once: each batch is one indexing operation on the device
    instead of a collation of per-clip numpy slices and a host-to-device copy.
    Iterating again starts a new epoch (a new permutation when ``shuffle``).

    Parameters
    ----------
    X, y : torch.Tensor
        The whole fit input and encoded labels, on the device.
    indices : array-like of int
        Rows of ``X`` that this iterator covers (a training or validation
        part).
    batch_size : int
        Rows per batch; the last batch may be smaller.
    shuffle : bool
        Draw a new order every epoch from torch's global random state (seeded
        by the classifier's ``random_state``).

    Examples
    --------
    >>> X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    >>> [len(yb) for _, yb in DeviceBatches(X, y, [0, 1, 2, 4], 3, shuffle=False)]
    [3, 1]
    """

    def __init__(self, X, y, indices, batch_size: int, shuffle: bool):
        self.X = X
        self.y = y
        self.indices = torch.as_tensor(
            np.asarray(indices, dtype=np.int64), device=X.device
        )
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        return -(-len(self.indices) // self.batch_size)

    def __iter__(self):
        order = self.indices
        if self.shuffle:
            permutation = torch.randperm(len(order)).to(order.device)
            order = order[permutation]
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            yield self.X[rows], self.y[rows]
