"""The library under faults and concurrency, with real processes: a killed writer, a reader during a write."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SEEDS, make_doc, seed_text
from reuse import library
from reuse.library.writing import PAUSE_ENV
from reuse.library.families import STATE_KEY
from reuse.library.families import TABLES as TEMPLATE_TABLES


def _state(db) -> dict:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("documents", "units", "bands", "postings", "templates", "template_members",
                              *TEMPLATE_TABLES)} | {
            "families": conn.execute("SELECT * FROM templates ORDER BY id").fetchall(),
            "state": conn.execute("SELECT value FROM meta WHERE key = ?", (STATE_KEY,)).fetchone(),
            "names": [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY name")]}


def _reuse(*args: str, pause: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause:
        env[PAUSE_ENV] = pause
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "reuse", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(marker, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"writer ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("writer never reached its pause")
        time.sleep(0.05)


@pytest.fixture
def small_db(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([next(SEEDS.glob("000_*.txt")), next(SEEDS.glob("001_*.txt"))], db)
    return db


def _new_docs(tmp_path):
    folder = tmp_path / "new"
    make_doc(folder, "a.txt", seed_text("003"))
    make_doc(folder, "b.txt", seed_text("004"))
    return folder


def test_a_writer_killed_mid_transaction_leaves_the_library_as_it_was(tmp_path, small_db):
    before = _state(small_db)
    marker = tmp_path / "paused"
    proc = _reuse("index", "add", str(_new_docs(tmp_path)), "--db", str(small_db), pause=f"120:{marker}")
    _wait_for(marker, proc)
    # every row of the new documents is written, not committed
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _state(small_db) == before
    # and the library still takes the same documents afterwards
    report, _ = library.add([_new_docs(tmp_path)], small_db)
    assert sorted(report.added) == ["a.txt", "b.txt"]
    after = _state(small_db)
    assert after["documents"] == before["documents"] + 2 and after["postings"] > before["postings"]
    # the killed writer had changed the template families too (four speeches share formulas two did not)
    assert after["families"] != before["families"] and after["tmpl_pieces"] > before["tmpl_pieces"]


def test_a_removal_killed_mid_transaction_changes_nothing(tmp_path, small_db):
    before = _state(small_db)
    marker = tmp_path / "paused"
    name = before["names"][0]
    proc = _reuse("index", "remove", name, "--db", str(small_db), pause=f"120:{marker}")
    _wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _state(small_db) == before


def test_a_killed_build_leaves_no_library(tmp_path):
    db = tmp_path / "lib.sqlite"
    marker = tmp_path / "paused"
    proc = _reuse("index", "build", str(SEEDS), "--db", str(db), pause=f"120:{marker}")
    _wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not db.exists()
    # the killed build's temporary file does not stop the next one
    library.build([SEEDS], db)
    assert _state(db)["documents"] == 5


def test_checks_read_while_one_writer_adds(tmp_path, small_db):
    """WAL: a check in another process runs while a writer holds its transaction open, and sees the old state."""
    before = _state(small_db)
    draft = make_doc(tmp_path, "draft.txt", seed_text("003"))
    marker = tmp_path / "paused"
    writer = _reuse("index", "add", str(_new_docs(tmp_path)), "--db", str(small_db), pause=f"8:{marker}")
    try:
        _wait_for(marker, writer)
        start = time.monotonic()
        reader = _reuse("check", str(draft), "--db", str(small_db), "-o", str(tmp_path / "during"), "-q")
        out, errors = reader.communicate(timeout=120)
        assert reader.returncode == 0, errors
        assert writer.poll() is None, "the check had to wait for the writer"
        assert time.monotonic() - start < 8
        during = json.loads((tmp_path / "during" / "check.json").read_text(encoding="utf-8"))
        assert "a.txt" not in [s["id"] for s in during["sources"]]
        # a second writer waits for the first instead of failing
        second = _reuse("index", "add", str(draft), "--db", str(small_db))
        assert writer.wait(timeout=120) == 0, writer.communicate()
        assert second.wait(timeout=120) == 0, second.communicate()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert _state(small_db)["documents"] == before["documents"] + 3
    after = _reuse("check", str(draft), "--db", str(small_db), "-o", str(tmp_path / "after"), "-q")
    assert after.wait(timeout=120) == 0
    found = json.loads((tmp_path / "after" / "check.json").read_text(encoding="utf-8"))
    assert found["sources"][0]["id"] in ("a.txt", "draft.txt (draft)", "draft.txt")
    assert found["total_ratio"] > 0.9
