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


def _balloon(tmp_path, bits: str):
    device = tmp_path / "virtio0"
    device.mkdir(parents=True)
    (device / "features").write_text(bits + "\n", encoding="ascii")
    return tmp_path


def test_a_balloon_that_reports_free_pages_is_told_from_one_that_does_not(tmp_path):
    # bit 5 of the negotiated features is VIRTIO_BALLOON_F_REPORTING (bit 0 first)
    assert heap.memory_is_reported(_balloon(tmp_path / "yes", "0110010100000000"))
    assert not heap.memory_is_reported(_balloon(tmp_path / "no", "0110000100000000"))
    assert not heap.memory_is_reported(tmp_path / "none")  # no balloon at all
    assert not heap.memory_is_reported(_balloon(tmp_path / "short", "0110"))


def test_small_pages_are_asked_for_only_where_memory_is_reported_and_the_user_said_nothing(tmp_path, monkeypatch):
    assert heap._numpys_huge_page_switch() is not None  # this numpy has the switch

    asked = []
    monkeypatch.setattr(heap, "_numpys_huge_page_switch", lambda: asked.append)
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    reported, quiet = _balloon(tmp_path / "yes", "0110010100000000"), _balloon(tmp_path / "no", "0110000100")
    assert heap.small_pages_where_memory_is_reported(quiet) is False and asked == []
    assert heap.small_pages_where_memory_is_reported(reported) is True and asked == [False]
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")  # the user's own choice stands
    assert heap.small_pages_where_memory_is_reported(reported) is False and asked == [False]


def test_a_command_takes_both_settings(monkeypatch):
    taken = []
    monkeypatch.setattr(heap, "keep_freed_memory", lambda: taken.append("keep"))
    monkeypatch.setattr(heap, "small_pages_where_memory_is_reported", lambda: taken.append("small"))
    heap.for_a_command()
    assert taken == ["keep", "small"]
