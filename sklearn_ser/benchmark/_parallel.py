"""Running the benchmark's fits in parallel: local processes or a Dask cluster.

:func:`~sklearn_ser.benchmark.run_benchmark` hands its (recipe, fold) fits to
joblib, so any joblib backend runs them; :func:`dask_backend` connects to (or
starts) a Dask cluster and makes it joblib's backend. ``distributed`` is an
optional dependency (``pip install sklearn-ser[dask]``), imported only here
and only when a cluster is asked for.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LostFitsError", "dask_backend", "parallel_fits", "worker_device"]

#: Exceptions (by class name, so that ``distributed`` need not be imported)
#: with which joblib's process backends report a worker process that died
#: (killed by the OOM killer, a signal, a crash in C code) with fits on it.
_LOST_WORKER = {
    "TerminatedWorkerError",  # loky
    "BrokenProcessPool",  # loky, concurrent.futures
    "KilledWorker",  # distributed: the task's workers died too often
    "FutureCancelledError",  # distributed: the task was lost with its worker
    "CancelledError",
}


class LostFitsError(RuntimeError):
    """Fits lost with their worker process twice (a first loss is retried).

    Attributes
    ----------
    lost : list
        The keys of the fits that never finished.
    """

    def __init__(self, lost: list, cause: BaseException):
        self.lost = lost
        names = ", ".join(f"{name} fold {fold + 1}" for name, fold in lost[:4])
        more = ", ..." if len(lost) > 4 else ""
        super().__init__(
            f"{len(lost)} fit(s) ({names}{more}) were lost twice with their worker "
            f"process ({type(cause).__name__}: {str(cause).splitlines()[0]}); "
            "a worker killed for memory may need fewer fits at once (--fit-jobs)"
        )


def _lost_worker(exc: BaseException) -> bool:
    return any(cls.__name__ in _LOST_WORKER for cls in type(exc).__mro__)


def parallel_fits(tasks: list, n_jobs, retries: int = 1) -> Iterator[tuple]:
    """Run joblib ``delayed`` fits, yielding ``(key, outcome)`` as each ends.

    Each task is ``delayed(f)(..., key=key)`` and returns ``(key, outcome)``.
    When a worker process dies (the OOM killer, a signal), joblib abandons
    the whole call: the fits that had not finished are submitted again, up to
    ``retries`` times, with a warning; the finished ones are not rerun.

    Raises
    ------
    LostFitsError
        If fits are lost again after the retries, naming them.
    """
    from joblib import Parallel

    done = set()
    for attempt in range(retries + 1):
        todo = [task for task in tasks if task[2]["key"] not in done]
        try:
            for key, outcome in Parallel(
                n_jobs=n_jobs, return_as="generator_unordered"
            )(todo):
                done.add(key)
                yield key, outcome
            return
        except Exception as exc:
            if not _lost_worker(exc):
                raise
            lost = [task[2]["key"] for task in tasks if task[2]["key"] not in done]
            if attempt == retries:
                raise LostFitsError(lost, exc) from exc
            warnings.warn(
                f"a worker process died ({type(exc).__name__}) with {len(lost)} "
                "unfinished fit(s); running them again",
                RuntimeWarning,
                stacklevel=2,
            )


@contextmanager
def dask_backend(
    scheduler: str | None = None, n_workers: int | None = None, timeout: float = 5.0
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
    timeout : float, default=5.0
        Seconds to wait for ``scheduler`` to answer (Dask's own default is
        30 s); a reachable scheduler answers in milliseconds.

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
        client = Client(scheduler, timeout=timeout)
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
