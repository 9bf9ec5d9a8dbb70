"""How a library is built fast: no journal until sealed, rows many per statement, units indexed beside the writes.

Whatever path a build takes, the file holds the same rows as any other build.
"""

import dataclasses
import os
import sqlite3

import numpy as np
import pytest

from conftest import SEEDS, make_doc, seed_text
from reuse import library
from reuse.config import Settings
from reuse.ingest import ingest
from reuse.library import beside as beside_module
from reuse.library import store, units, writing
from reuse.library import families as library_templates

PER_BUILD = {"meta": ("uuid", "created"), "documents": ("token", "added")}
"""What differs between two builds of the same documents: when and by which run."""


def _rows(db) -> dict[str, list]:
    """Every row of every table but what differs per build, in key order."""
    out = {}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out["schema"] = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            if table == "meta":
                out[table] = [r for r in conn.execute("SELECT key, value FROM meta ORDER BY key")
                              if r[0] not in PER_BUILD["meta"]]
                continue
            keep = ", ".join(c for c in cols if c not in PER_BUILD.get(table, ()))
            out[table] = conn.execute(f"SELECT {keep} FROM {table} ORDER BY {keep}").fetchall()
    return out


def _build(corpus, db, monkeypatch, *, beside: bool, settings: Settings | None = None):
    """Build with the units indexed in a forked process (``beside``) or in this one."""
    monkeypatch.setattr(beside_module, "PARALLEL_CHARS", 0 if beside else 10**12)
    return library.build([corpus], db, dataclasses.replace(settings or Settings(), workers=2) if beside else settings)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Seeds and English text: word tokens weigh more than one, and families recur in several documents."""
    folder = tmp_path_factory.mktemp("mixed")
    english = ("The committee reviewed the annual budget, and every member agreed that the new plan "
               "should be published before the end of the month. ")
    for n, prefix in enumerate(["000", "001", "002", "003", "004"]):
        paragraphs = seed_text(prefix).split("\n")
        make_doc(folder, f"{n}_{prefix}.txt", "\n".join(paragraphs[:12] + [english * (1 + n % 2)] + paragraphs[12:20]))
    return folder


@pytest.mark.parametrize("unit", ["char", "word"])
def test_a_build_with_units_indexed_beside_writes_the_rows_of_one_in_one_process(tmp_path, monkeypatch, mixed, unit):
    one = tmp_path / "one.sqlite"
    two = tmp_path / "two.sqlite"
    _build(mixed, one, monkeypatch, beside=False, settings=Settings(unit=unit))
    _build(mixed, two, monkeypatch, beside=True, settings=Settings(unit=unit))
    rows = _rows(one)
    assert rows == _rows(two)
    assert rows["units"] and rows["bands"] and rows["postings"] and rows["templates"]


def test_a_built_library_is_a_wal_file_with_nothing_beside_it(tmp_path, monkeypatch):
    db = tmp_path / "lib" / "library.sqlite"
    _build(SEEDS, db, monkeypatch, beside=True)
    assert os.listdir(db.parent) == ["library.sqlite"]
    head = db.read_bytes()[:100]
    assert head[18:20] == b"\x02\x02"  # WAL in the header, as `PRAGMA journal_mode = WAL` leaves it
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA locking_mode").fetchone()[0] == "normal"
    # another connection reads it while one writes: an ordinary library
    report, _ = library.add([make_doc(tmp_path, "new.txt", seed_text("003")[:3000])], db)
    assert report.added == ["new.txt"]


def test_the_families_of_a_new_library_are_computed_once_beside_its_writes(tmp_path, monkeypatch):
    calls = []
    real = library_templates.families_of
    monkeypatch.setattr(library_templates, "families_of", lambda *a, **k: calls.append(os.getpid()) or real(*a, **k))
    _build(SEEDS, tmp_path / "beside.sqlite", monkeypatch, beside=True)
    assert os.getpid() not in calls  # the forked process computed them
    _build(SEEDS, tmp_path / "inline.sqlite", monkeypatch, beside=False)
    assert calls == [os.getpid()]  # once, not again by the hook
    assert _rows(tmp_path / "beside.sqlite") == _rows(tmp_path / "inline.sqlite")


def test_prepared_families_that_do_not_fit_the_library_are_recomputed(tmp_path, monkeypatch):
    documents, _ = ingest([str(SEEDS)])
    settings = Settings()

    real = library_templates.prepare

    def wrong_ids(docs, feats, ids, settings):
        return real(docs, feats, [i + 100 for i in ids], settings)

    def no_families(docs, feats, ids, settings):
        found = real(docs, feats, ids, settings)
        return library_templates.Prepared(found.ids, found.k, found.threshold + 1, found.frequent[:0],
                                          found.doc_freq[:0], [], [])

    _build(SEEDS, tmp_path / "ref.sqlite", monkeypatch, beside=False)
    for n, prepare in enumerate([wrong_ids, no_families]):
        db = tmp_path / f"lib{n}.sqlite"
        monkeypatch.setattr(library_templates, "prepare", prepare)
        with library.open_library(db, create=settings) as lib:
            writing.add(lib, documents, lib.settings(settings))
        assert _rows(db)["templates"] == _rows(tmp_path / "ref.sqlite")["templates"]


def test_a_failure_beside_the_writes_leaves_no_library(tmp_path, monkeypatch):
    def fails(features, settings):
        raise ValueError("no units today")

    monkeypatch.setattr(units, "unit_index", fails)
    db = tmp_path / "library.sqlite"
    with pytest.raises(ValueError, match="no units today"):
        _build(SEEDS, db, monkeypatch, beside=True)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("n", [0, 1, 299, 300, 301, 1000])
def test_rows_inserted_many_per_statement_are_all_there(n):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (i INTEGER PRIMARY KEY, a INTEGER, b INTEGER)")
    rows = np.arange(3 * n, dtype=np.int64).reshape(-1, 3)
    order = np.arange(n)[::-1].copy()
    store._insert_many(conn, "INSERT INTO t (i, a, b)", rows, order, chunk=250)
    assert conn.execute("SELECT i, a, b FROM t ORDER BY i").fetchall() == [tuple(r) for r in rows.tolist()]
