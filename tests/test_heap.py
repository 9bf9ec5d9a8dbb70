"""The command's allocator setting: taken on glibc, left alone where the user tuned the allocator."""

from __future__ import annotations

import ctypes.util
import os
import platform

import pytest

from reuse import heap


@pytest.mark.skipif(platform.system() != "Linux" or "musl" in (ctypes.util.find_library("c") or ""),
                    reason="mallopt is glibc's")
def test_glibc_takes_the_setting(monkeypatch):
    for name in [n for n in os.environ if n.startswith(heap._USERS_OWN)]:
        monkeypatch.delenv(name)
    assert heap.keep_freed_memory() is True


def test_a_users_own_allocator_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    assert heap.keep_freed_memory() is False


def test_without_mallopt_nothing_happens(monkeypatch):
    for name in [n for n in os.environ if n.startswith(heap._USERS_OWN)]:
        monkeypatch.delenv(name)

    def no_libc(*args, **kwargs):
        raise OSError("no C library here")

    monkeypatch.setattr(heap.ctypes, "CDLL", no_libc)
    assert heap.keep_freed_memory() is False
