"""How this process's allocator keeps memory it has freed: a command's setting, never a library's.

A scan makes and drops arrays of tens to hundreds of MB stage after stage.
By default glibc maps each one over a few MB apart and hands it back to the
kernel when it is freed (its mmap threshold grows only as far as the
largest freed so far, 32 MB at most), and the next one costs a page fault
per page again: on a VM that is seconds of system time per GB
(``benchmarks/RESULTS.md``). Every allocation on the heap (none mapped
apart), and up to 1 GB of freed heap kept before trimming it, lets the next
array reuse those pages: at 100 MB the match stage's faults fell from 2.2
to 0.54 million and its system time from 9.8 to 4.4 s, for 0.3 GB more at
the peak; a 20 MB corpus peaks where it did.

numpy asks for transparent huge pages (2 MB) for every array of 4 MB or
more. Where a virtio balloon reports free memory to the hypervisor (cloud
and micro VMs), freed 2 MB blocks are exactly what it hands back, so each
such page is new to the hypervisor the next time it is touched: 7 ms per MB
on this project's VM, against under 1 ms per MB for small pages. There
``small_pages_where_memory_is_reported`` asks numpy for small pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import os
from pathlib import Path

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
MMAP_THRESHOLD = 32 * 2**20
"""glibc's largest mmap threshold on 64-bit systems: larger allocations are mapped apart unless mapping is off."""
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
    # no allocation mapped apart (glibc still maps when the heap cannot grow); the threshold too, should the
    # maximum be refused
    return all([mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD), mallopt(M_MMAP_MAX, 0),
                mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)])


def for_a_command() -> None:
    """Both settings, as a command process (``reuse``, ``scan_bench.py``) takes them when it starts."""
    keep_freed_memory()  # a short-lived process: freed arrays are reused by the next stage
    small_pages_where_memory_is_reported()  # a hypervisor that takes freed huge pages back makes each one dear


BALLOON_FEATURES = "/sys/bus/virtio/drivers/virtio_balloon"
VIRTIO_BALLOON_F_REPORTING = 5
"""The feature bit of a virtio balloon that reports free pages to the hypervisor (a ``features`` file in sysfs
lists the negotiated bits as 0s and 1s, bit 0 first)."""


def memory_is_reported(balloons: str | Path = BALLOON_FEATURES) -> bool:
    """True where a virtio balloon device hands the memory the kernel frees back to the hypervisor."""
    for features in sorted(Path(balloons).glob("virtio*/features")):
        try:
            bits = features.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if len(bits) > VIRTIO_BALLOON_F_REPORTING and bits[VIRTIO_BALLOON_F_REPORTING] == "1":
            return True
    return False


def small_pages_where_memory_is_reported(balloons: str | Path = BALLOON_FEATURES) -> bool:
    """Ask numpy not to advise huge pages where freed memory goes back to the hypervisor (see the module
    docstring); True when it took the setting.

    A cpcnews scan on this project's VM: system time 3.3-3.9 → 1.3-1.4 s, 7.5-9.2 → 6.4-6.6 s end to end
    (medians of two sets of four alternated runs, ``benchmarks/RESULTS.md``). Left alone where the user set
    ``NUMPY_MADVISE_HUGEPAGE``, or where nothing is reported.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ or not memory_is_reported(balloons):
        return False
    set_advice = _numpys_huge_page_switch()
    if set_advice is None:
        return False
    set_advice(False)
    return True


def _numpys_huge_page_switch():
    """numpy's own switch for its huge-page advice (private, in every numpy since 1.16), or None."""
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            return getattr(importlib.import_module(module), "_set_madvise_hugepage")
        except (ImportError, AttributeError):
            continue
    return None
