"""Where the parallel stages run: in this process, in worker processes, or on Dask.

An engine only maps a picklable function over items and returns the results
in order, so every engine runs the very same stage functions and gives the
same report. Workers receive file paths and per-document arrays, never the
whole corpus.
"""

from __future__ import annotations

import mmap
import multiprocessing as mp
import os
import pickle
import select
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from reuse.errors import ConfigError, MissingExtraError, ReuseError
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
    """This process alone, or this process beside ``workers - 1`` forked ones when ``workers > 1``."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 8)

    def map(self, fn, items, *, stage: str = "", progress: Progress | None = None) -> list[Any]:
        items = list(items)
        _started(items, stage, progress)
        if self.workers <= 1 or len(items) < 2 or "fork" not in mp.get_all_start_methods():
            results: Iterable[Any] = map(fn, items)
            return _collect(results, len(items), stage, progress)
        if hasattr(os, "memfd_create"):
            try:
                counters = _counters()
            except OSError:  # no shared semaphores (a container without /dev/shm), so no pool either: one process
                return _collect(map(fn, items), len(items), stage, progress)
            return _map_claiming(fn, items, counters, workers=self.workers, stage=stage, progress=progress)
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


HOME_SHARE = 1.25
"""The share of the items ``map_alongside`` maps in this process, against one for each forked process."""


def map_alongside(fn: Callable[[Any], Any], items: Sequence[Any], *, workers: int, stage: str = "",
                  progress: Progress | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, this process mapping the first share of them while forked ones map
    the rest: for results costly to send back, such as documents with their features.

    Each forked process's results come back pickled, their arrays through
    shared memory (``_Forked``): this process maps them instead of copying
    them through a pipe into memory it touches for the first time.
    ``progress`` hears of this process's items as they end and of the rest
    when they arrive.
    """
    items = list(items)
    _started(items, stage, progress)
    n = min(workers, len(items))
    if n <= 1 or "fork" not in mp.get_all_start_methods() or not hasattr(os, "memfd_create"):
        return _collect(map(fn, items), len(items), stage, progress)
    # this process takes a larger share: the forked ones also pickle what they made and hand it back
    weights = [HOME_SHARE] + [1.0] * (n - 1)
    cuts = [round(sum(weights[:i]) * len(items) / sum(weights)) for i in range(n + 1)]
    forked = [_Forked(_map_list, (fn, items[lo:hi])) for lo, hi in zip(cuts[1:-1], cuts[2:]) if hi > lo]
    try:
        out = _collect(map(fn, items[: cuts[1]]), len(items), stage, progress)
        for f in forked:
            out += f.result()
            if progress:
                progress(stage, len(out), len(items))
        return out
    finally:
        for f in forked:
            f.close()


def _counters() -> tuple[Any, Any]:
    """Two counters shared with processes forked later: items claimed and items done."""
    context = mp.get_context("fork")
    return context.Value("q", 0), context.Value("q", 0)


def _map_claiming(fn: Callable[[Any], Any], items: list[Any], counters: tuple[Any, Any], *, workers: int,
                  stage: str, progress: Progress | None) -> list[Any]:
    """``[fn(item) for item in items]`` on this process and ``workers - 1`` forked ones, each taking the next
    item not yet taken until none is left.

    This process works instead of waiting for a pool: its own results need
    no pickling, and a pool of ``workers`` would leave one core to a process
    that only waits. The forked processes' results come back through shared
    memory (``_Forked``); the slowest item decides when the map ends, so
    items come longest first where the caller knows (``pipeline``).
    """
    claimed, finished = counters
    forked = [_Forked(_claimed_list, (fn, items, claimed, finished)) for _ in range(min(workers, len(items)) - 1)]
    reported = 0

    def report() -> None:
        nonlocal reported
        if progress and finished.value > reported:
            reported = finished.value
            progress(stage, reported, len(items))

    try:
        done: dict[int, Any] = {}
        for n, value in _claimed(fn, items, claimed, finished):
            done[n] = value
            report()
        for f in forked:
            while not f.ready(PROGRESS_EVERY):
                report()
            done.update(f.result())
        report()
        return [done[n] for n in range(len(items))]
    finally:
        for f in forked:
            f.close()


PROGRESS_EVERY = 0.2
"""Seconds between looks at how many items the forked processes have done, while this one waits for them."""


def _claimed(fn: Callable[[Any], Any], items: list[Any], claimed: Any, finished: Any) -> Iterator[tuple[int, Any]]:
    """``(n, fn(items[n]))`` for each item this process claims before any other does, in order; ``finished``
    counts the items done in every process."""
    while True:
        with claimed.get_lock():
            n = claimed.value
            claimed.value = n + 1
        if n >= len(items):
            return
        value = fn(items[n])
        with finished.get_lock():
            finished.value += 1
        yield n, value


def _claimed_list(job: tuple[Callable[[Any], Any], list[Any], Any, Any]) -> list[tuple[int, Any]]:
    return list(_claimed(*job))


def _map_list(job: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    fn, items = job
    return [fn(item) for item in items]


_ALIGN = 64
"""Each array lands on a multiple of this many bytes of the shared memory, aligned as numpy would allocate it."""


class _Forked:
    """``fn(arg)`` in a forked process while this one goes on; ``result()`` waits for it and returns it.

    The process writes its result to a memfd, pickled with the out-of-band
    buffers of protocol 5 (contiguous numpy arrays) each on its own, and
    says where down a pipe; this process maps the memfd and unpickles the
    arrays as views of it. An exception in the process is raised here.
    """

    def __init__(self, fn: Callable[[Any], Any], arg: Any):
        self._memfd = os.memfd_create("reuse-results", getattr(os, "MFD_CLOEXEC", 0))
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the forked process (coverage does not follow it)
            os.close(read_end)
            _run_forked(fn, arg, self._memfd, write_end)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")

    def ready(self, timeout: float) -> bool:
        """Whether the result has come (or the process has ended), waiting up to ``timeout`` seconds."""
        return bool(select.select([self._pipe], [], [], timeout)[0])

    def result(self) -> Any:
        head = self._pipe.read()
        self._reap()
        if not head:
            raise ReuseError("a process working beside this one ended without a result")
        ok, sizes, error = pickle.loads(head)
        if not ok:
            raise error
        # private: a page written here (or in a process forked later) is copied, as in memory of its own
        shared = memoryview(mmap.mmap(self._memfd, _aligned_end(sizes), flags=mmap.MAP_PRIVATE))
        parts, at = [], 0
        for size in sizes:
            parts.append(shared[at : at + size])
            at = _aligned(at + size)
        return pickle.loads(parts[0], buffers=parts[1:])

    def _reap(self) -> None:
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0

    def close(self) -> None:
        """End the process if its result was not wanted (an error here), and let its memory go."""
        if self._pid:
            try:
                os.kill(self._pid, 9)
            except ProcessLookupError:
                pass
            self._reap()
        self._pipe.close()
        if self._memfd >= 0:
            os.close(self._memfd)  # the mapping, if any, keeps the memory while arrays use it
            self._memfd = -1


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def _aligned_end(sizes: list[int]) -> int:
    at = 0
    for size in sizes:
        at = _aligned(at + size)
    return at


def _run_forked(fn: Callable[[Any], Any], arg: Any, memfd: int, pipe: int) -> None:  # pragma: no cover
    """The forked process of ``_Forked``: the pickle, then its buffers, to the memfd; ``(ok, sizes, error)``
    down the pipe."""
    try:
        try:
            buffers: list[pickle.PickleBuffer] = []
            payload = pickle.dumps(fn(arg), protocol=5, buffer_callback=buffers.append)
            sizes = []
            with os.fdopen(memfd, "wb", closefd=False) as out:
                for raw in [memoryview(payload), *(b.raw() for b in buffers)]:
                    out.write(raw)
                    out.write(bytes(_aligned(raw.nbytes) - raw.nbytes))
                    sizes.append(raw.nbytes)
            head = pickle.dumps((True, sizes, None), protocol=5)
        except BaseException as err:  # handed to the parent, which raises it
            try:
                head = pickle.dumps((False, [], err), protocol=5)
            except Exception:
                head = pickle.dumps((False, [], ReuseError(f"{type(err).__name__}: {err}")), protocol=5)
        with os.fdopen(pipe, "wb") as send:
            send.write(head)
    finally:
        # no exit handlers: the parent's streams, buffers and connections are its own, not to be flushed here
        os._exit(0)


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

