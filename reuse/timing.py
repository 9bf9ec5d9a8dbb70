"""How long each stage takes, and how far it has got."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as a stage advances (``done`` 0 when it starts)."""


def quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that shows nothing."""


@contextmanager
def timer(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Record the seconds the block takes as ``timings[stage]``."""
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 4)
