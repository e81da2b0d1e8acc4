"""Running the benchmark's fits in parallel: local processes or a Dask cluster.

:func:`~sklearn_ser.benchmark.run_benchmark` hands its (recipe, fold) fits to
joblib, so any joblib backend runs them; :func:`dask_backend` connects to (or
starts) a Dask cluster and makes it joblib's backend. ``distributed`` is an
optional dependency (``pip install sklearn-ser[dask]``), imported only here
and only when a cluster is asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["dask_backend", "worker_device"]


@contextmanager
def dask_backend(
    scheduler: str | None = None, n_workers: int | None = None
) -> Iterator[object]:
    """Run joblib's parallel calls on a Dask cluster inside the ``with`` block.

    Parameters
    ----------
    scheduler : str, default=None
        Address of a running Dask scheduler (``tcp://host:8786``); ``None``
        starts a local cluster of worker processes (one thread each, so that
        the global random state of torch is never shared by two fits) and
        stops it on exit.
    n_workers : int, default=None
        Worker processes of the local cluster; ``None`` takes Dask's default
        (one per core, up to the machine's memory). Ignored with ``scheduler``.

    Yields
    ------
    client : distributed.Client

    Raises
    ------
    ImportError
        If ``distributed`` is not installed.
    OSError
        If the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(
            "running on a Dask cluster needs the optional dependency 'distributed': "
            "pip install sklearn-ser[dask]"
        ) from None
    from joblib import parallel_config

    if scheduler is not None:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        with parallel_config(backend="dask"):
            yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def worker_device(device, worker_index: int | None, n_gpus: int):
    """The device a worker should train on when it sees several GPUs.

    Parameters
    ----------
    device : str, torch.device or None
        The estimator's ``device`` parameter.
    worker_index : int or None
        The worker's number (a Dask worker named by an integer, as in a
        ``LocalCluster``); ``None`` outside such a worker.
    n_gpus : int
        CUDA devices the worker sees.

    Returns
    -------
    device : str, torch.device or None
        ``"cuda"`` and ``"auto"`` become ``"cuda:{worker_index % n_gpus}"``
        when the worker has a number and sees at least two GPUs; anything
        else (``"cpu"``, an explicit ``"cuda:1"``) is returned unchanged.

    Examples
    --------
    >>> from sklearn_ser.benchmark._parallel import worker_device
    >>> worker_device("cuda", 5, 4)
    'cuda:1'
    >>> worker_device("auto", 0, 2), worker_device("cpu", 3, 2)
    ('cuda:0', 'cpu')
    >>> worker_device("cuda", None, 2), worker_device("auto", 3, 1)
    ('cuda', 'auto')
    """
    if worker_index is None or n_gpus < 2 or device not in ("cuda", "auto"):
        return device
    return f"cuda:{worker_index % n_gpus}"


def use_worker_gpu(estimator) -> None:
    """Point ``estimator``'s devices at this Dask worker's own GPU, if any.

    Only in a Dask worker that has an integer name and sees several GPUs;
    elsewhere the estimator is left as it is (a worker given one GPU through
    ``CUDA_VISIBLE_DEVICES``, as dask-cuda does, sees one).
    """
    index = _dask_worker_index()
    if index is None or "torch" not in sys.modules:
        return
    import torch

    n_gpus = torch.cuda.device_count()
    changed = {}
    for name, value in estimator.get_params().items():
        if name.rpartition("__")[2] == "device":
            device = worker_device(value, index, n_gpus)
            if device is not value:
                changed[name] = device
    if changed:
        estimator.set_params(**changed)


def _dask_worker_index() -> int | None:
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        name = get_worker().name
    except ValueError:  # not in a worker
        return None
    if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
        return int(name)
    return None
