"""Jobs run in a forked process while this one goes on: a library write computes units beside its inserts."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from typing import Any

from reuse.config import Settings
from reuse.engine import LocalEngine
from reuse.errors import ReuseError
from reuse.model import Document

PARALLEL_CHARS = 1_000_000
"""From this many characters in a batch, its units are indexed in a forked process while this one writes."""


def worth_forking(documents: Sequence[Document], settings: Settings) -> bool:
    return (sum(len(d.text) for d in documents) >= PARALLEL_CHARS and LocalEngine(settings.workers).workers > 1
            and "fork" in mp.get_all_start_methods() and not mp.current_process().daemon)


class Inline:
    """The jobs of ``Beside`` run in this process, each when its result is asked for."""

    def __init__(self, jobs: Sequence[tuple[Callable[..., Any], tuple]]):
        self.jobs = list(jobs)
        self.done: dict[int, Any] = {}

    def result(self, i: int) -> Any:
        if i not in self.done:
            fn, args = self.jobs[i]
            self.done[i] = fn(*args)
        return self.done[i]

    def close(self) -> None:
        self.done.clear()


class Beside:
    """Jobs ``fn(*args)`` run one after the other in a forked process while this one goes on.

    The process inherits the arguments (no copy through a pipe); each result
    comes back as soon as it is computed, and ``result(i)`` waits for job
    ``i``. ``close`` ends the process if its results were not all wanted.
    """

    def __init__(self, jobs: Sequence[tuple[Callable[..., Any], tuple]]):
        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run_beside, args=(send, list(jobs)), daemon=True)
        self._proc.start()
        send.close()
        self.done: list[Any] = []

    def result(self, i: int) -> Any:
        while len(self.done) <= i:
            try:
                ok, value = self._recv.recv()
            except EOFError:
                self._proc.join()
                raise ReuseError(f"the process indexing units beside this one ended without a result "
                                 f"(exit code {self._proc.exitcode})") from None
            if not ok:
                raise value
            self.done.append(value)
        return self.done[i]

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._recv.close()
        self.done.clear()


def _run_beside(send: Any, jobs: list[tuple[Callable[..., Any], tuple]]) -> None:
    """The forked process of ``Beside``: each job's ``(True, result)`` or ``(False, exception)`` down ``send``."""
    try:
        for fn, args in jobs:
            try:
                out = (True, fn(*args))
            except BaseException as err:  # handed to the parent, which raises it
                out = (False, err)
            try:
                send.send(out)
            except OSError:  # the parent is gone
                break
            except Exception as err:  # a result or an exception that does not pickle
                send.send((False, ReuseError(f"{getattr(fn, '__name__', fn)} beside the write: {out[1]!r} ({err})")))
                break
            if not out[0]:
                break
    finally:
        # no exit handlers: the parent's streams, buffers and connections are its own, not to be flushed here
        os._exit(0)
