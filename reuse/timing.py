"""How long each stage takes, and how far it has got."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as a stage advances (``done`` 0 when it starts).

A stage counts tasks; ``read`` counts documents, and ``read bytes`` their
bytes beside it (``documents_read``).
"""


def quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that shows nothing."""


@contextmanager
def timer(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Record the seconds the block takes as ``timings[stage]``."""
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 4)


def documents_read(progress: Progress, stage: str, batches: Sequence[Sequence], sizes: Sequence[int]) -> Progress:
    """A progress callback for reading in batches that counts documents and bytes, not batches.

    ``batches`` cut the files whose sizes are ``sizes`` into consecutive
    runs; the engine says how many batches are done (in order, as a map
    returns them): ``stage`` then counts their files and ``stage + " bytes"``
    their bytes.
    """
    docs, size = [0, *accumulate(len(b) for b in batches)], [0, *accumulate(sizes)]

    def update(_: str, done: int, total: int) -> None:
        progress(stage, docs[done], docs[-1])
        progress(f"{stage} bytes", size[docs[done]], size[-1])

    return update
