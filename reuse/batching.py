"""Files in batches of about a size: fewer, larger tasks for the workers that read them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

PARALLEL_BYTES = 4_000_000
"""Below this corpus size the local engine starts no workers: starting them costs more."""
BATCH_BYTES = 1_000_000
"""Bytes of files read by one task."""


def batches_by_size(items: Sequence[T], sizes: Sequence[int], budget: int) -> list[list[T]]:
    """Consecutive items in batches of about ``budget`` bytes: fewer, larger tasks.

    >>> batches_by_size("abcd", [3, 3, 5, 1], 6)
    [['a', 'b'], ['c', 'd']]
    """
    out, batch, size = [], [], 0
    for item, n in zip(items, sizes):
        if batch and size + n > budget:
            out.append(batch)
            batch, size = [], 0
        batch.append(item)
        size += n
    if batch:
        out.append(batch)
    return out


def file_size(path: str | os.PathLike) -> int:
    """The size of a file in bytes, 0 when it cannot be read (it is skipped with the reason later)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
