"""Where the parallel stages run: in this process, in worker processes, or on Dask.

An engine only maps a picklable function over items and returns the results
in order, so every engine runs the very same stage functions and gives the
same report. Workers receive file paths and per-document arrays, never the
whole corpus.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from reuse.errors import ConfigError, MissingExtraError
from reuse.timing import Progress
from reuse import versions


class Engine(Protocol):
    name: str

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], *, stage: str = "",
            progress: Progress | None = None) -> list[Any]:
        """``[fn(item) for item in items]``, in order.

        ``progress(stage, 0, len(items))`` is called when the tasks start and
        ``progress(stage, done, len(items))`` as each one ends.
        """

    def map_shared(self, fn: Callable[[Any, Any], Any], jobs: Sequence[tuple[Any, Sequence[int]]],
                   shared: Sequence[Any], *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        """``[fn(job, {i: shared[i] for i in needs}) for job, needs in jobs]``, in order.

        ``shared`` (per-document data) reaches each worker once, not once per job.
        """

    def close(self) -> None: ...


_SHARED: Sequence[Any] | None = None
"""Per-document data of the running map_shared, inherited by forked workers."""


def _call_shared(args: tuple[Callable, Any, Sequence[int]]) -> Any:
    fn, job, needs = args
    return fn(job, {i: _SHARED[i] for i in needs})


class LocalEngine:
    """This process, or forked worker processes when ``workers > 1``."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 8)

    def map(self, fn, items, *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        items = list(items)
        _started(items, stage, progress)
        if self.workers <= 1 or len(items) < 2 or "fork" not in mp.get_all_start_methods():
            results: Iterable[Any] = map(fn, items)
            return _collect(results, len(items), stage, progress)
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("fork")) as pool:
            return _collect(pool.map(fn, items), len(items), stage, progress)

    def map_shared(self, fn, jobs, shared, *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        global _SHARED
        # forked workers see the per-document data without a copy through a pipe
        _SHARED = shared
        try:
            return self.map(_call_shared, [(fn, job, needs) for job, needs in jobs], stage=stage, progress=progress)
        finally:
            _SHARED = None

    def close(self) -> None:
        """Nothing to release: each map's workers end with it."""


def _started(items: Sequence[Any], stage: str, progress: Progress | None) -> None:
    # done = 0 marks when the stage began, so its rate and time left count the first task too
    if progress and items:
        progress(stage, 0, len(items))


def _collect(results: Iterable[Any], total: int, stage: str, progress: Progress | None) -> list[Any]:
    out = []
    for n, value in enumerate(results):
        out.append(value)
        if progress:
            progress(stage, n + 1, total)
    return out


class DaskEngine:
    """A Dask distributed cluster: an existing scheduler, or a LocalCluster on 127.0.0.1.

    Paths given to a scan must be readable by every worker (a shared file
    system) when the cluster spans machines, and every worker of an existing
    scheduler must run this version of reuse (checked when connecting).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2):
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise MissingExtraError("the Dask engine needs: pip install 'reuse-detector[dask]'") from err
        self._cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="10s")
            else:
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                                             dashboard_address=":0", processes=True)
                self.client = Client(self._cluster)
        except OSError as err:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {err}") from err
        if scheduler:
            try:
                self._require_reuse(scheduler)
            except ConfigError:
                self.close()
                raise

    def _require_reuse(self, scheduler: str) -> None:
        """Refuse a cluster whose workers cannot run this reuse: their tasks would fail, or differ."""
        try:
            running = self.client.run(_reuse_version)
        except Exception as err:  # whatever a worker raised unpickling or running the probe
            why = str(err) if type(err) is Exception else f"{type(err).__name__}: {err}"
            raise ConfigError(f"the workers of {scheduler} cannot run reuse ({why}); "
                              f"install reuse-detector[dask]=={versions.__version__} on every worker") from err
        if not running:
            raise ConfigError(f"the Dask scheduler {scheduler} has no workers; start them with "
                              f"`dask worker {scheduler} --nthreads 1`")
        other = sorted((worker, v) for worker, v in running.items() if v != versions.__version__)
        if other:
            worker, found = other[0]
            raise ConfigError(f"worker {worker} of {scheduler} has reuse {found}, this is reuse {versions.__version__}; "
                              f"install reuse-detector[dask]=={versions.__version__} on every worker")

    def map(self, fn, items, *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        items = list(items)
        _started(items, stage, progress)
        return self._run(fn, items, stage, progress)

    def _run(self, fn, items: list[Any], stage: str, progress: Progress | None) -> list[Any]:
        from distributed import as_completed

        if not items:
            return []
        futures = self.client.map(fn, items, pure=False)
        if progress:
            # reported as each task ends, in whatever order the cluster finishes them
            for n, _ in enumerate(as_completed(futures)):
                progress(stage, n + 1, len(items))
        return self.client.gather(futures)

    def map_shared(self, fn, jobs, shared, *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        jobs = list(jobs)
        _started(jobs, stage, progress)
        needed = sorted({i for _, needs in jobs for i in needs})
        # each document's data goes to the cluster once; tasks name the futures they need
        # hash=False: a second map_shared of the same data must not reuse keys the first is releasing
        futures = dict(zip(needed, self.client.scatter([shared[i] for i in needed], hash=False)))
        tasks = [(job, {i: futures[i] for i in needs}) for job, needs in jobs]
        return self._run(_call_with, [(fn, job, parts) for job, parts in tasks], stage, progress)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _reuse_version() -> str:
    """The reuse a worker runs (called on every worker)."""
    return versions.__version__


def _call_with(args: tuple[Callable, Any, dict]) -> Any:
    fn, job, parts = args
    return fn(job, parts)


def make_engine(name: str = "local", *, scheduler: str | None = None, workers: int | None = None) -> Engine:
    """The engine called ``name`` ('local' or 'dask')."""
    if name == "local":
        return LocalEngine(workers)
    if name == "dask":
        return DaskEngine(scheduler, workers or 2)
    raise ConfigError(f"engine must be 'local' or 'dask', not {name!r}")

