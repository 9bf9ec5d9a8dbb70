"""How this process's allocator keeps memory it has freed: a command's setting, never a library's.

A scan makes and drops arrays of tens of MB stage after stage. By default
glibc hands each one over a few MB back to the kernel when it is freed
(its mmap threshold grows only as far as the largest freed so far), and the
next one costs a page fault per page again: on a VM that is seconds of
system time per GB (``benchmarks/RESULTS.md``). Keeping up to 32 MB
allocations on the heap, and up to 1 GB of freed heap before trimming it,
lets the next stage reuse those pages. Peak memory stays the largest
stage's on a 20 MB corpus; at 100 MB the heap held a few hundred MB more.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
"""glibc's largest mmap threshold on 64-bit systems: larger allocations are always mapped apart."""
TRIM_THRESHOLD = 2**30

_USERS_OWN = ("MALLOC_", "GLIBC_TUNABLES")
"""Environment variables (by prefix) that say the user tunes the allocator: then it is left as it is."""


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse (see the module docstring); True when it took the setting.

    Nothing happens where the C library is not glibc, or where the user
    tuned the allocator through its environment variables.
    """
    if any(name.startswith(_USERS_OWN) for name in os.environ):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
