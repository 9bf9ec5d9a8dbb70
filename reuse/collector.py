"""The garbage collector around large work: a scan holds millions of objects that never form cycles.

Every full collection walks all live container objects; with a corpus in
memory (a span per sentence, features per document) that walk is long, and
in forked workers it copies pages that could stay shared (what it costs:
``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen() -> Iterator[None]:
    """Keep the collector off the objects that exist now (the corpus, a result) while more work runs.

    Collections still run, for the objects made inside.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def off() -> Iterator[None]:
    """No collection at all inside: for work that builds many small objects but no cycles.

    Reading (a span object per sentence) and the scan's tasks are such work.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
