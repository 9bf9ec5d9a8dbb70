"""The library under faults and concurrency, with real processes: a killed writer, a reader during a write."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, make_doc, seed_text
from reuse import library
from reuse.errors import LibraryError
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
    assert found["reuse_ratio"] > 0.9


# -- issue 14: a damaged, busy or read-only library; what killed builds leave ----------------------


def _pages(db, table: str, kind: str) -> list[int]:
    with sqlite3.connect(db) as conn:
        try:
            return [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? "
                                               "ORDER BY pageno", (table, kind))]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table")


def _damage(db, page: int) -> None:
    """Overwrite one page in the middle of the file, as a bad sector or a torn copy would."""
    with sqlite3.connect(db) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xa5" * size)


def _cli(*args: str):
    from typer.testing import CliRunner

    from reuse.cli import app

    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _one_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", ["add", "remove"])
def test_row4_a_write_to_a_damaged_library_is_refused_and_the_file_is_untouched(tmp_path, small_db, command):
    """A page of units overwritten mid-file: index add and index remove exited 0 on main and wrote on."""
    _damage(small_db, _pages(small_db, "units", "leaf")[0])  # the first document's units: no write reads them
    before = small_db.read_bytes()
    args = {"add": ["index", "add", str(_new_docs(tmp_path))],
            "remove": ["index", "remove", _names(small_db)[-1]]}[command]
    result = _cli(*args, "--db", str(small_db))
    assert result.exit_code == 1
    line = _one_line(result)
    assert line.startswith(f"reuse: error: {small_db} is damaged (PRAGMA quick_check: ")
    assert line.endswith("nothing was written. Restore it from a backup, or rebuild it with `reuse index build`")
    assert small_db.read_bytes() == before


def test_row4_quick_checks_lines_become_one(tmp_path, small_db, monkeypatch):
    """quick_check's first row may span lines (a header, then the page): the message stays one line."""
    from reuse.library import store

    report = ["*** in database main ***\nPage 174: btreeInitPage() returns error code 11",
              "On tree page 173 cell 158: invalid page number -270619202"]
    monkeypatch.setattr(store, "_quick_check", lambda conn: report)
    result = _cli("index", "add", str(_new_docs(tmp_path)), "--db", str(small_db))
    assert result.exit_code == 1
    assert _one_line(result) == (f"reuse: error: {small_db} is damaged (PRAGMA quick_check: Page 174: btreeInitPage() "
                                 "returns error code 11; 1 more); nothing was written. Restore it from a backup, or "
                                 "rebuild it with `reuse index build`")


def _set_documents_schema(db, sql: str) -> None:
    with sqlite3.connect(db, isolation_level=None) as conn:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = 'documents'", (sql,))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.close()


def test_row4_a_real_null_is_refused_and_false_null_reports_are_not(tmp_path):
    """SQLite 3.40's quick_check reports a NULL in rows of template_members that hold none: those reports are passed
    over, whichever table they name, but a NULL the rows do hold (here in documents.text) still refuses the write."""
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS], db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM template_members").fetchone()[0] > 0
        schema = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'documents'").fetchone()[0]
    conn.close()
    last = _names(db)[-1]
    assert library.remove([last], db) == [last]  # a healthy library is written, whatever quick_check says of it
    _set_documents_schema(db, schema.replace("text TEXT NOT NULL", "text TEXT"))  # to store the NULL, then back
    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.execute("UPDATE documents SET text = NULL WHERE id = (SELECT min(id) FROM documents)")
    conn.close()
    _set_documents_schema(db, schema)
    before = db.read_bytes()
    with pytest.raises(LibraryError, match=r"is damaged \(PRAGMA quick_check: NULL value in documents\.text\); "
                                           "nothing was written"):
        library.remove([_names(db)[-1]], db)
    assert db.read_bytes() == before


def _names(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM documents ORDER BY id")]


@pytest.mark.parametrize("command", ["stats", "check"])
def test_row4_reading_a_damaged_library_is_one_line(tmp_path, small_db, command):
    """A page of postings overwritten: index stats and check ended in a traceback on main."""
    _damage(small_db, _pages(small_db, "postings", "leaf")[1])
    draft = make_doc(tmp_path, "draft.txt", seed_text("000"))
    args = {"stats": ["index", "stats"], "check": ["check", str(draft), "-o", str(tmp_path / "r")]}[command]
    result = _cli(*args, "--db", str(small_db))
    assert result.exit_code == 1
    assert _one_line(result) == (f"reuse: error: {small_db} is damaged (database disk image is malformed); restore "
                                 "it from a backup, or rebuild it with `reuse index build`")
    assert not (tmp_path / "r").exists()


def test_row5_a_writer_that_waits_says_so_and_stops_after_its_timeout(tmp_path, small_db):
    """index add while another writer holds the lock: a 45-line traceback after 61 s on main."""
    marker = tmp_path / "paused"
    holder = _reuse("index", "add", str(_new_docs(tmp_path)), "--db", str(small_db), pause=f"60:{marker}")
    try:
        _wait_for(marker, holder)
        draft = make_doc(tmp_path, "draft.txt", seed_text("002"))
        start = time.monotonic()
        waiter = _reuse("index", "add", str(draft), "--db", str(small_db), "--lock-timeout", "1")
        out, errors = waiter.communicate(timeout=60)
        assert time.monotonic() - start < 30
        assert waiter.returncode == 1 and out == ""
        assert errors.splitlines() == [
            f"reuse: waiting for another writer to finish with {small_db} (up to 1 s; --lock-timeout changes it)",
            f"reuse: error: {small_db} is still locked by another writer after 1 s; nothing was written. Try again "
            "when it has finished, or wait longer with --lock-timeout SECONDS"]
        assert holder.poll() is None  # the first writer goes on, undisturbed
    finally:
        holder.kill()
        holder.wait()
    assert "draft.txt" not in _state(small_db)["names"]


def test_row5_the_lock_timeout_has_a_default_and_refuses_nonsense(small_db):
    from reuse.config import LOCK_TIMEOUT

    assert 60 < LOCK_TIMEOUT <= 3600
    result = _cli("index", "remove", "x.txt", "--db", str(small_db), "--lock-timeout", "-1")
    assert result.exit_code == 2
    assert _one_line(result) == "reuse: error: --lock-timeout must be a number of seconds, 0 or more, not -1"


def _readonly_env(base: str) -> dict:
    """The environment for the reading user: this interpreter's packages wherever pip put them."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *(p for p in sys.path if p)]), HOME=base)
    env.pop(PAUSE_ENV, None)
    return env


def _as_reader(folder: Path, env: dict) -> tuple[list[str], list[list[str]]]:
    """A command prefix under which ``folder``'s files may be read but not written, and how to undo it.

    Root reads and writes whatever the modes say. As root the command runs as
    nobody (setpriv) when nobody can load this interpreter's packages; where
    root's home is closed to other users, the folder and its files are made
    immutable (chattr +i) instead, which binds root too. Any other user gets
    the folder and its files made read-only.
    """
    import shutil

    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        return [], []
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*prefix, sys.executable, "-c", "import reuse.cli"], env=env, cwd=folder,
                               capture_output=True, timeout=120)
        if probe.returncode == 0:
            return prefix, []
    chattr = shutil.which("chattr")
    targets = [str(path) for path in sorted(folder.iterdir())] + [str(folder)]
    if chattr is None or subprocess.run([chattr, "+i", *targets], capture_output=True).returncode != 0:
        pytest.skip("running as root, nobody cannot load the packages and chattr +i is refused: no read-only library")
    return [], [[chattr, "-i", *targets]]


def test_row6_a_library_that_may_be_read_but_not_written_is_listed_and_checked(tmp_path_factory):
    """check and stats said "attempt to write a readonly database" on main."""
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="reuse-ro-", dir="/tmp")  # pytest's own folders are closed to other users
    undo: list[list[str]] = []
    try:
        os.chmod(base, 0o755)
        shared = os.path.join(base, "share")
        os.mkdir(shared)
        out = os.path.join(base, "out")
        os.mkdir(out)
        os.chmod(out, 0o777)
        db = os.path.join(shared, "lib.sqlite")
        library.build([next(SEEDS.glob("000_*.txt")), next(SEEDS.glob("001_*.txt"))], db)
        draft = os.path.join(shared, "draft.txt")
        with open(draft, "w", encoding="utf-8") as fh:
            fh.write(seed_text("000"))
        before = open(db, "rb").read()
        env = _readonly_env(base)
        prefix, undo = _as_reader(Path(shared), env)

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([*prefix, sys.executable, "-m", "reuse", *args, "--db", db], env=env, cwd=base,
                                  text=True, capture_output=True, timeout=120)

        listed = run("index", "list")
        assert listed.returncode == 0 and "2 documents." in listed.stdout, listed.stderr
        stats = run("index", "stats", "--json")
        assert stats.returncode == 0 and json.loads(stats.stdout)["documents"] == 2, stats.stderr
        checked = run("check", draft, "-o", os.path.join(out, "r"), "-q")
        assert checked.returncode == 0, checked.stderr
        assert json.loads(open(os.path.join(out, "r", "check.json"), encoding="utf-8").read())["reuse_ratio"] > 0.9
        added = run("index", "add", draft, "--prefix", "x/")
        assert added.returncode == 1 and added.stdout == ""
        assert added.stderr.startswith(f"reuse: error: cannot write {db}: it is read-only here (")
        assert added.stderr.endswith("); check the permissions of the file and its folder (reading it, as "
                                     "`reuse check` and `index list` do, still works)\n")
        assert added.stderr.count("\n") == 1
        assert open(db, "rb").read() == before
        assert sorted(os.listdir(shared)) == ["draft.txt", "lib.sqlite"]
    finally:
        for command in undo:
            subprocess.run(command, capture_output=True)
        for dirpath, dirnames, _ in os.walk(base):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_row9_a_build_removes_what_killed_builds_left_and_only_theirs(tmp_path):
    """kill -9 during index build leaves .NAME.PID.tmp; the next build removes it, not a live build's."""
    db = tmp_path / "lib.sqlite"
    marker = tmp_path / "paused"
    killed = _reuse("index", "build", str(SEEDS), "--db", str(db), pause=f"120:{marker}")
    _wait_for(marker, killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    left = sorted(p.name for p in tmp_path.glob(".lib.sqlite.*"))
    assert left and all(name.startswith(f".lib.sqlite.{killed.pid}.tmp") for name in left)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        theirs = tmp_path / f".lib.sqlite.{live.pid}.tmp"
        theirs.write_bytes(b"a build in progress")
        mine = tmp_path / ".lib.sqlite.backup"
        mine.write_bytes(b"the user's")
        library.build([SEEDS], db)
        assert sorted(p.name for p in tmp_path.glob(".lib.sqlite.*")) == sorted([mine.name, theirs.name])
        assert _state(db)["documents"] == 5
    finally:
        live.kill()
        live.wait()
