"""The reference library on disk: one SQLite file, every change one transaction. It stores; it computes nothing.

Tables (``reuse index stats`` shows their sizes):

* ``meta``: what wrote the file and every parameter that makes its hashes and
  signatures comparable, plus fingerprints of the code that computes them
  (``reuse.library.units``), so a library is never mixed with documents
  hashed another way.
* ``documents``: text, metadata and paragraph/sentence spans, enough to
  rebuild the ``Document`` a scan would read, and the cumulative token
  weights (``Features.cum``; empty when a token is a character), so runs are
  measured as a scan measures them.
* ``units``: the sentences compared as near-duplicates, with token and
  character offsets and their MinHash signature (``num_perm`` uint32).
* ``bands``: LSH band buckets as ``(band, key, unit)`` rows, clustered on
  ``(band, key)``: a lookup is one index seek (``bands`` may live in Redis
  instead, see ``redis_store``).
* ``postings``: ``(hash, doc, pos)`` of every shingle, clustered on ``hash``,
  so a draft's exact seeds are index seeks too.
* the tables of each structure derived from the documents, created with the
  library from its maintainer's ``SCHEMA`` and written by it alone (template
  families: ``reuse.library.families``).

What the rows hold is computed elsewhere (``reuse.library.writing``): this
module writes and reads them. Readers and one writer work at once (WAL). A
writer takes the write lock with ``BEGIN IMMEDIATE`` and does all its inserts
before ``COMMIT``: a process killed in between leaves the file as it was.

A build writes a private file that is linked into place when complete, so it
needs neither journal nor syncs until then (``Library.building``), and rows
are inserted many per statement. ``benchmarks/RESULTS.md`` ("Library build")
has what each of these saves.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reuse import minhash, ingest
from reuse.config import LOCK_TIMEOUT, Settings
from reuse.dates import date_in
from reuse.errors import ConfigError, LibraryError, ReuseError, UsageError
from reuse.model import Document, Span

FORMAT = 2
"""Library file format; a file with another number is refused (2: token weights of each document)."""
TOOL = "reuse-library"
APPLICATION_ID = 0x72657573  # "reus": PRAGMA application_id marks the file as ours (sqlite.org/fileformat)
SQLITE_MAGIC = b"SQLite format 3\x00"

INDEX_PARAMS = ("shingle", "unit", "simplify", "fold_digits", "num_perm", "seed", "threshold", "min_length")
"""Settings that change what is stored; a library keeps the values it was built with."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    encoding TEXT NOT NULL,
    format TEXT NOT NULL,
    chars INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    token TEXT NOT NULL,
    added TEXT NOT NULL,
    text TEXT NOT NULL,
    paragraphs BLOB NOT NULL,
    sentences BLOB NOT NULL,
    weights BLOB NOT NULL
);
CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    tok_lo INTEGER NOT NULL,
    tok_hi INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX units_doc ON units (doc);
CREATE TABLE bands (band INTEGER NOT NULL, key INTEGER NOT NULL, unit INTEGER NOT NULL,
                    PRIMARY KEY (band, key, unit)) WITHOUT ROWID;
CREATE TABLE postings (hash INTEGER NOT NULL, doc INTEGER NOT NULL, pos INTEGER NOT NULL,
                       PRIMARY KEY (hash, doc, pos)) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class DocInfo:
    """One library document as ``reuse index list`` shows it."""

    id: int
    name: str
    path: str
    chars: int
    units: int
    added: str


def spans_blob(spans: Sequence[Span]) -> bytes:
    return np.array([(s.start, s.end) for s in spans], dtype=np.int64).reshape(-1, 2).tobytes()


def _spans(blob: bytes) -> tuple[Span, ...]:
    return tuple(Span(int(s), int(e)) for s, e in np.frombuffer(blob, dtype=np.int64).reshape(-1, 2).tolist())


def _signed(values: np.ndarray) -> np.ndarray:
    """uint64 hashes as SQLite's signed 64-bit integers (same bits)."""
    return np.ascontiguousarray(values, dtype=np.uint64).view(np.int64)


def _label(path: str | os.PathLike) -> str:
    return ingest.label(path)


_NULL_REPORT = re.compile(r"NULL value in (\w+)\.(\w+)")
"""How quick_check reports a NULL in a NOT NULL column. SQLite 3.40 says it, falsely, of every row of some WITHOUT
ROWID tables whose primary key lists its columns in another order than the table does (the families'
``template_members``); integrity_check, and the rows themselves, disagree."""


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds in the file, less its false reports of NULLs (``_NULL_REPORT``).

    A report of a NULL in a column whose rows hold none is dropped, whichever table it names (the store does not
    know its maintainers' tables). The rows are asked with ``typeof``: SQLite answers ``IS NULL`` of a NOT NULL
    column without reading them.
    """
    # one false report a row: no limit, so there is room for all of them and for the real problems after them
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(2147483647)") if row[0] != "ok"]
    false = set()
    for table, column in {found.groups() for p in problems if (found := _NULL_REPORT.fullmatch(p))}:
        if not conn.execute(f'SELECT count(*) FROM "{table}" WHERE typeof("{column}") = \'null\'').fetchone()[0]:
            false.add(f"NULL value in {table}.{column}")
    return [p for p in problems if p not in false]


def _first_problem(problems: list[str], limit: int = 160) -> str:
    """The first problem ``quick_check`` reports, on one line (its rows may hold several), and how many more.

    >>> _first_problem(["*** in database main ***\\nPage 174: btreeInitPage() returns error code 11", "x", "y"])
    'Page 174: btreeInitPage() returns error code 11; 2 more'
    """
    lines = [ln.strip() for p in problems for ln in p.splitlines() if ln.strip() and not ln.strip().startswith("***")]
    first = lines[0] if lines else " ".join(problems[0].split())
    first = first if len(first) <= limit else first[: limit - 1] + "…"
    return first + (f"; {len(lines) - 1} more" if len(lines) > 1 else "")


def _build_file(path: Path, pid: int) -> Path:
    """The private file a build by process ``pid`` writes before linking it to ``path``: ``.NAME.PID.tmp``."""
    return path.with_name(f".{path.name}.{pid}.tmp")


def remove_dead_builds(path: Path) -> list[Path]:
    """Remove the ``.NAME.PID.tmp`` files (and their -wal, -shm, -journal) that killed builds of ``path`` left.

    Only a build whose process is gone is removed; a live build's file is its own.
    """
    from reuse import leftovers

    prefix = f".{path.name}."
    removed = []
    try:
        with os.scandir(path.parent if str(path.parent) else ".") as listing:
            names = [e.name for e in listing if e.name.startswith(prefix)]
    except OSError:
        return []
    for name in names:
        pid, _, suffix = name[len(prefix):].partition(".tmp")
        if not (pid.isascii() and pid.isdigit()) or suffix not in ("", "-wal", "-shm", "-journal") or leftovers.alive(int(pid)):
            continue
        try:
            (path.parent / name).unlink()
        except OSError:
            continue
        removed.append(path.parent / name)
    return removed


def sniff(path: Path) -> None:
    """Refuse, with one line, a file that is not a reuse library.

    Raises:
        UsageError: the file does not exist.
        ReuseError: it is not SQLite, or SQLite of another tool.
    """
    if not path.exists():
        raise UsageError(f"{_label(path)}: no such library; create one with `reuse index build PATH... --db {_label(path)}`")
    if path.is_dir():
        raise ReuseError(f"{_label(path)} is a folder, not a reuse library; pass the library file with --db")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        raise ReuseError(f"cannot read {_label(path)}: {err.strerror or err}") from err
    if not head.startswith(SQLITE_MAGIC):
        kind = "an empty file" if not head else "not an SQLite file"
        raise ReuseError(f"{_label(path)} is not a reuse library ({kind}); pass a file made by `reuse index build`")
    app_id = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
    if app_id != APPLICATION_ID:
        raise ReuseError(f"{_label(path)} is an SQLite database of another tool, not a reuse library; "
                         "pass a file made by `reuse index build`")


def _seal(conn: sqlite3.Connection, path: Path) -> None:
    """Make a built library what ``connect`` opens (a WAL file), then close it and flush it to disk.

    The file is then exactly the one a build in WAL mode writes: journal mode
    is a header field of the file, and the WAL is empty and gone.
    """
    conn.execute("PRAGMA locking_mode = NORMAL")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        raise ReuseError(f"cannot put {_label(path)} in WAL mode (journal mode stays {mode})")
    conn.close()
    # what a WAL checkpoint with synchronous=NORMAL does: the file is on disk before it is linked into place
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect(path: Path, *, readonly: bool = False, lock_timeout: float = LOCK_TIMEOUT) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, waiting for a busy writer.

    ``readonly`` opens the file with ``mode=ro``, so a library the user may
    read but not write (a read-only share, another user's file) can be
    listed and checked against. In a folder this process cannot write, a
    library with no pending WAL is opened ``immutable`` (SQLite cannot make
    its shared-memory file there); one with a pending WAL cannot be read
    there and says so.
    """
    try:
        if readonly:
            conn = _connect_readonly(path, lock_timeout)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=lock_timeout, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode survives a killed process (only power loss can lose the last commit)
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
        conn.execute("PRAGMA cache_size = -524288")  # 512 MB at most, used as needed
        conn.execute("PRAGMA temp_store = MEMORY")  # the temporary query tables, also on a read-only file
    except sqlite3.Error as err:
        if not readonly and _code(err) == sqlite3.SQLITE_CANTOPEN and _exists_unwritable(path):
            err.sqlite_errorcode = sqlite3.SQLITE_READONLY  # it is there and readable, just not here to write
        raise database_error(path, err, "open") from err
    return conn


def _exists_unwritable(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a readable file that this process may not write, or that lies in a folder it may not."""
    path = Path(path)
    folder = path.absolute().parent
    return (path.is_file() and os.access(path, os.R_OK)
            and not (os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)))


def _connect_readonly(path: Path, lock_timeout: float) -> sqlite3.Connection:
    uri = Path(path).absolute().as_uri()  # percent-encoded: any file name, ? and # included
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=lock_timeout,
                           check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # opens the WAL index, if it can
    except sqlite3.OperationalError as err:
        conn.close()
        if _code(err) not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
            raise
        if Path(f"{path}-wal").exists():
            raise LibraryError(f"cannot read {_label(path)}: its folder is read-only here and it has changes not "
                               f"yet in the file ({_label(path)}-wal); open it once where it can be written "
                               "(any `reuse index list`), or copy it with its -wal file") from err
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None, timeout=lock_timeout,
                               check_same_thread=False)
    return conn


def _code(err: sqlite3.Error) -> int | None:
    """The primary SQLite result code of ``err`` (SQLITE_BUSY, SQLITE_CORRUPT...)."""
    code = getattr(err, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def database_error(path: str | os.PathLike, err: sqlite3.Error, doing: str = "use") -> LibraryError:
    """One line for an SQLite error on the library ``path``: what happened, to which file, and what to do.

    >>> import sqlite3
    >>> err = sqlite3.DatabaseError("database disk image is malformed")
    >>> err.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
    >>> str(database_error("lib.sqlite", err))
    'lib.sqlite is damaged (database disk image is malformed); restore it from a backup, or rebuild it with `reuse index build`'
    """
    where = _label(path)
    code = _code(err)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in str(err):
        return LibraryError(f"{where} is damaged ({err}); restore it from a backup, or rebuild it with "
                            "`reuse index build`")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryError(f"{where} is locked by another writer ({err}); try again when it has finished, or wait "
                            "longer with --lock-timeout SECONDS")
    if code == sqlite3.SQLITE_READONLY:
        return LibraryError(f"cannot write {where}: it is read-only here ({err}); check the permissions of the file "
                            "and its folder (reading it, as `reuse check` and `index list` do, still works)")
    if code == sqlite3.SQLITE_FULL:
        return LibraryError(f"cannot write {where}: the disk is full; free space and run the command again "
                            "(the library is as it was)")
    if code == sqlite3.SQLITE_CANTOPEN:
        return LibraryError(f"cannot {doing} {where} ({err}); check that the file and its folder exist and can be read")
    if code == sqlite3.SQLITE_IOERR:
        return LibraryError(f"cannot {doing} {where}: the disk reported an error ({err}); check the disk, then "
                            "restore the file from a backup if it is damaged")
    return LibraryError(f"cannot {doing} {where} ({err}); if it happens again, restore the file from a backup, or "
                        "rebuild it with `reuse index build`")


class BandIndex:
    """Where the LSH band buckets live: this SQLite file (default) or Redis.

    ``insert``/``remove`` run inside the store's write transaction; ``query``
    returns ``(draft unit, library unit id)`` pairs whose bands collide.
    """

    def insert(self, conn: sqlite3.Connection, unit_ids: np.ndarray, sigs: np.ndarray, tokens: Sequence[str]) -> None:
        raise NotImplementedError

    def remove(self, conn: sqlite3.Connection, unit_ids: np.ndarray, sigs: np.ndarray, tokens: Sequence[str]) -> None:
        raise NotImplementedError

    def query(self, conn: sqlite3.Connection, sigs: np.ndarray, *, max_bucket: int) -> np.ndarray:
        raise NotImplementedError

    def rows(self, conn: sqlite3.Connection) -> int | None:
        return None


class SQLiteBands(BandIndex):
    """Band buckets as rows of the ``bands`` table: one index seek per (band, key)."""

    def __init__(self, bands: int, rows: int):
        self.n_bands, self.n_rows = bands, rows

    def _keyed(self, unit_ids: np.ndarray, sigs: np.ndarray) -> Iterator[tuple[int, int, int]]:
        keys = _signed(minhash.band_keys(sigs, self.n_bands, self.n_rows))
        band = np.broadcast_to(np.arange(self.n_bands, dtype=np.int64), keys.shape)
        unit = np.broadcast_to(unit_ids.astype(np.int64)[:, None], keys.shape)
        order = np.lexsort((unit.ravel(), keys.ravel(), band.ravel()))  # insert in key order: B-tree friendly
        return zip(band.ravel()[order].tolist(), keys.ravel()[order].tolist(), unit.ravel()[order].tolist())

    def insert(self, conn, unit_ids, sigs, tokens) -> None:
        # band by band, in key order: B-tree friendly (rows of equal keys need no order, they share a page)
        keys = _signed(minhash.band_keys(sigs, self.n_bands, self.n_rows)).T
        order = np.argsort(keys, axis=1)
        rows = np.empty((keys.size, 3), dtype=np.int64)
        rows[:, 0] = np.repeat(np.arange(self.n_bands, dtype=np.int64), keys.shape[1])
        rows[:, 1] = np.take_along_axis(keys, order, axis=1).ravel()
        rows[:, 2] = unit_ids.astype(np.int64)[order].ravel()
        _insert_many(conn, "INSERT OR IGNORE INTO bands (band, key, unit)", rows)

    def remove(self, conn, unit_ids, sigs, tokens) -> None:
        conn.executemany("DELETE FROM bands WHERE band = ? AND key = ? AND unit = ?", self._keyed(unit_ids, sigs))

    def query(self, conn, sigs, *, max_bucket: int) -> np.ndarray:
        if not len(sigs):
            return np.zeros((0, 2), dtype=np.int64)
        keys = _signed(minhash.band_keys(sigs, self.n_bands, self.n_rows))
        wanted = sorted({(b, k) for row in keys.tolist() for b, k in enumerate(row)})
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_bands (band INTEGER, key INTEGER, PRIMARY KEY (band, key))")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_bands_kept (band INTEGER, key INTEGER)")
        conn.execute("DELETE FROM q_bands")
        conn.execute("DELETE FROM q_bands_kept")
        conn.executemany("INSERT INTO q_bands VALUES (?, ?)", wanted)
        # a bucket larger than max_bucket is formula, as in a scan: counted with a LIMIT, never read whole
        # (once per bucket, in its own statement, so the count is not redone for every member)
        conn.execute(
            "INSERT INTO q_bands_kept SELECT q.band, q.key FROM q_bands q "
            "WHERE (SELECT count(*) FROM (SELECT 1 FROM bands c WHERE c.band = q.band AND c.key = q.key "
            f"LIMIT {int(max_bucket) + 1})) <= {int(max_bucket)}"
        )
        found = conn.execute("SELECT q.band, q.key, b.unit FROM q_bands_kept q "
                             "JOIN bands b ON b.band = q.band AND b.key = q.key").fetchall()
        conn.execute("DELETE FROM q_bands")
        conn.execute("DELETE FROM q_bands_kept")
        members: dict[tuple[int, int], list[int]] = {}
        for b, k, u in found:
            members.setdefault((b, k), []).append(u)
        out = set()
        for x, row in enumerate(keys.tolist()):
            for b, k in enumerate(row):
                for u in members.get((b, k), ()):
                    out.add((x, u))
        return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)

    def rows(self, conn) -> int | None:
        return conn.execute("SELECT count(*) FROM bands").fetchone()[0]


class Library:
    """An open reference library. Create with ``create``/``open``; close when done (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: dict[str, str], bands: BandIndex | None = None,
                 maintainers: Sequence[Any] = (), *, lock_timeout: float = LOCK_TIMEOUT,
                 on_wait: Callable[[str], None] | None = None):
        self.path = path
        self.conn = conn
        self.meta = meta
        self.params: dict[str, Any] = json.loads(meta["params"])
        self.bands = bands or SQLiteBands(self.params["bands"], self.params["rows"])
        self.maintainers = tuple(maintainers)
        """What keeps the structures derived from the documents (template families...) current: each has the
        tables of its ``SCHEMA``, gives its sizes (``stats``) and is called by every write
        (``reuse.library.writing``); the store holds them without knowing what they compute."""
        self.lock_timeout = lock_timeout
        """Seconds a write waits for another writer before it gives up."""
        self.on_wait = on_wait
        """Called with a one-line notice when a write has to wait for another writer."""

    # -- opening ----------------------------------------------------------------------------------

    @classmethod
    @contextmanager
    def building(cls, path: str | os.PathLike, meta: dict[str, str], *, maintainers: Sequence[Any] = (),
                 bands: Callable[[dict[str, str]], BandIndex] | None = None) -> Iterator["Library"]:
        """A new library, written in a temporary file and moved to ``path`` when the block ends.

        ``meta`` is what the file records of the code and parameters that
        wrote it (``reuse.library.units.new_meta``); each of ``maintainers``
        has its tables created from its ``SCHEMA``. A build that fails or is
        killed leaves nothing at ``path`` (a killed one leaves its
        ``.NAME.PID.tmp`` file beside it). An existing ``path`` is refused.
        """
        path = Path(path)
        if path.exists():
            raise UsageError(f"{_label(path)} already exists; add documents with `reuse index add PATH... --db "
                             f"{_label(path)}`, or remove the file to build anew")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ReuseError(f"cannot create {_label(path)}: {err.strerror or err}") from err
        remove_dead_builds(path)
        tmp = _build_file(path, os.getpid())
        leftovers = (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal"))
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        conn = connect(tmp)
        try:
            # A private file until it is moved into place: a failed or killed build is thrown away
            # whole, so it needs no journal (through the WAL every page is written twice) nor syncs
            # until _seal, and no other process opens it meanwhile.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.executescript(_SCHEMA + "".join(m.SCHEMA for m in maintainers))
            meta = {"tool": TOOL, "format": str(FORMAT), **meta}
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
            conn.execute("COMMIT")
            library = cls(path, conn, meta, bands(meta) if bands else None, maintainers)
            try:
                yield library
                _seal(conn, tmp)
            except sqlite3.Error as err:
                raise database_error(tmp, err, "build") from err
            try:
                os.link(tmp, path)  # never replaces a library another process made meanwhile
            except FileExistsError:
                raise UsageError(f"{_label(path)} was created by another process meanwhile; add to it with "
                                 "`reuse index add`") from None
        finally:
            conn.close()
            for leftover in leftovers:
                leftover.unlink(missing_ok=True)

    @classmethod
    def open(cls, path: str | os.PathLike, *, bands: Callable[[dict[str, str]], BandIndex] | None = None,
             maintainers: Sequence[Any] = (), write: bool = False, lock_timeout: float = LOCK_TIMEOUT,
             on_wait: Callable[[str], None] | None = None) -> "Library":
        """Open an existing library, refusing anything that is not one this reuse can read.

        Without ``write`` the file is opened read-only (``mode=ro``): listing,
        stats and checks work on a library this process may not write.
        ``lock_timeout`` and ``on_wait`` are for a write that finds another
        writer at work (see ``transaction``).
        """
        path = Path(path)
        sniff(path)
        if write:
            remove_dead_builds(path)
        conn = connect(path, readonly=not write, lock_timeout=lock_timeout)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as err:
            conn.close()
            if _code(err) != sqlite3.SQLITE_ERROR:  # damaged, locked, unreadable: say which
                raise database_error(path, err, "read") from err
            raise ReuseError(f"{_label(path)} is not a readable reuse library ({err}); rebuild it with "
                             "`reuse index build`") from err
        if meta.get("tool") != TOOL or "format" not in meta or "params" not in meta:
            conn.close()
            raise ReuseError(f"{_label(path)} is an SQLite database of another tool, not a reuse library; "
                             "pass a file made by `reuse index build`")
        if int(meta["format"]) > FORMAT:
            conn.close()
            raise ReuseError(f"{_label(path)} was written by a newer reuse (library format {meta['format']}; "
                             f"this reuse reads up to {FORMAT}); upgrade reuse-detector")
        if int(meta["format"]) < FORMAT:
            conn.close()
            raise ReuseError(f"{_label(path)} was written by an older reuse (library format {meta['format']}; "
                             f"this reuse reads {FORMAT}); rebuild it with `reuse index build`")
        return cls(path, conn, meta, bands(meta) if bands else None, maintainers, lock_timeout=lock_timeout,
                   on_wait=on_wait)

    @property
    def label(self) -> str:
        """The library's path as printable text, for messages."""
        return _label(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(err, sqlite3.Error):
            # whatever statement met it, the user learns which file and what to do, in one line
            raise database_error(self.path, err) from err

    # -- settings ---------------------------------------------------------------------------------

    def settings(self, base: Settings | None = None, **explicit: Any) -> Settings:
        """``base`` with the library's index parameters, refusing explicit values that differ.

        ``explicit`` holds the parameters a user named (e.g. ``shingle=5`` from
        ``--shingle 5``); config files and defaults never conflict, the
        library's own values win over them.
        """
        for name, value in explicit.items():
            if value is None or name not in INDEX_PARAMS:
                continue
            stored = self.params[name]
            if value != stored:
                flag = "--" + name.replace("_", "-")
                raise ConfigError(
                    f"{_label(self.path)} was indexed with {name}={stored!r}; {flag} {value} cannot be mixed in. "
                    f"Drop {flag}, or build a separate library with it"
                )
        base = base or Settings()
        return dataclasses.replace(base, **{name: self.params[name] for name in INDEX_PARAMS})

    # -- writing ----------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all.

        It starts by taking the write lock (waiting up to ``lock_timeout``
        for another writer, saying so through ``on_wait``) and by checking
        the file (``PRAGMA quick_check``): nothing is written to a damaged
        library.
        """
        self._begin()
        try:
            self._require_intact()
            yield self.conn
        except BaseException:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the transaction is gone with the error that ended it (a full disk, a damaged page)
            raise
        self.conn.execute("COMMIT")

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``: at once when no other writer holds the lock, else after saying this one waits."""
        timeout_ms = int(self.lock_timeout * 1000)
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as err:
            if _code(err) != sqlite3.SQLITE_BUSY:
                raise
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if self.on_wait is not None:
            self.on_wait(f"waiting for another writer to finish with {_label(self.path)} "
                         f"(up to {self.lock_timeout:g} s; --lock-timeout changes it)")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if _code(err) != sqlite3.SQLITE_BUSY:
                raise
            raise LibraryError(f"{_label(self.path)} is still locked by another writer after {self.lock_timeout:g} s; "
                               "nothing was written. Try again when it has finished, or wait longer with "
                               "--lock-timeout SECONDS") from None

    def _require_intact(self) -> None:
        """Refuse to write to a damaged file: ``PRAGMA quick_check`` (every page and B-tree, not the indexes'
        agreement with their tables), inside the write transaction."""
        try:
            problems = _quick_check(self.conn)
        except sqlite3.DatabaseError as err:
            problems = [str(err)]
        if problems:
            raise LibraryError(f"{_label(self.path)} is damaged (PRAGMA quick_check: {_first_problem(problems)}); "
                               "nothing was written. Restore it from a backup, or rebuild it with `reuse index build`")

    def first_id_if_empty(self) -> int | None:
        """The row id the next document gets when the library holds none, else None."""
        if self.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None:
            return None
        return self.conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'documents'), 0), "
            "coalesce((SELECT max(id) FROM documents), 0)) + 1").fetchone()[0]

    def digests(self, names: Sequence[str]) -> dict[str, tuple[int, str]]:
        """``name -> (row id, sha256 of the text)`` of the documents with these names."""
        if not names:
            return {}
        return {name: (doc_id, sha) for doc_id, name, sha in self.conn.execute(
            f"SELECT id, name, sha256 FROM documents WHERE name IN ({','.join('?' * len(names))})", list(names))}

    def insert_document(self, doc: Document, sha: str, token: str, weights: np.ndarray | None) -> int:
        """The document's own row; returns its id.

        ``weights`` is ``Features.cum``, or None when every token is a character of weight one.
        """
        cur = self.conn.execute(
            "INSERT INTO documents (name, path, encoding, format, chars, sha256, token, added, text, paragraphs, "
            "sentences, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.path, doc.encoding, doc.format, doc.chars, sha, token, time.strftime("%Y-%m-%dT%H:%M:%S"),
             doc.text, spans_blob(doc.paragraphs), spans_blob(doc.sentences),
             b"" if weights is None else weights.astype("<i4").tobytes()),
        )
        return int(cur.lastrowid)

    def insert_postings(self, items: list[tuple[np.ndarray, int]]) -> None:
        """The shingle postings of documents ``(shingle hashes, row id)``, all at once, in key order."""
        _insert_postings(self.conn, items)

    def insert_units(self, docs: np.ndarray, rows: np.ndarray, sigs: np.ndarray, token: str) -> None:
        """Unit rows (``docs``: the row id of each unit's document; ``rows``: index, token and text ranges;
        ``sigs``: MinHash signatures), ids given in order, and their LSH band buckets."""
        if not len(rows):
            return
        # the ids AUTOINCREMENT would give, one after the other (this is the only writer)
        first = self.conn.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'units'), 0), "
                                  "coalesce((SELECT max(id) FROM units), 0)) + 1").fetchone()[0]
        unit_ids = np.arange(first, first + len(rows), dtype=np.int64)
        blobs = np.ascontiguousarray(sigs, dtype="<u4")
        params: list = [None] * (len(rows) * 8)
        params[0::8] = unit_ids.tolist()
        params[1::8] = docs.tolist()
        for j in range(5):
            params[2 + j::8] = rows[:, j].tolist()
        params[7::8] = [blob.tobytes() for blob in blobs]
        _insert_flat(self.conn, "INSERT INTO units (id, doc, idx, tok_lo, tok_hi, start, end, signature)", 8, params)
        self.bands.insert(self.conn, unit_ids, sigs, [token] * len(unit_ids))

    def delete_document(self, doc_id: int, shingles: np.ndarray) -> None:
        """A document's rows: its postings (``shingles``: its shingle hashes), units, band buckets and itself."""
        conn = self.conn
        conn.executemany("DELETE FROM postings WHERE hash = ? AND doc = ? AND pos = ?", _postings(shingles, doc_id))
        rows = conn.execute("SELECT u.id, u.signature, d.token FROM units u JOIN documents d ON d.id = u.doc "
                            "WHERE u.doc = ? ORDER BY u.id", (doc_id,)).fetchall()
        if rows:
            unit_ids = np.array([r[0] for r in rows], dtype=np.int64)
            sigs = np.stack([np.frombuffer(r[1], dtype="<u4") for r in rows]).astype(np.uint32)
            self.bands.remove(conn, unit_ids, sigs, [r[2] for r in rows])
        conn.execute("DELETE FROM units WHERE doc = ?", (doc_id,))
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    # -- reading ----------------------------------------------------------------------------------

    def document(self, doc_id: int) -> Document:
        """The stored document with this row id, as a scan would have read it."""
        row = self.conn.execute("SELECT name, path, text, encoding, chars, paragraphs, sentences, format FROM documents "
                           "WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        name, path, text, encoding, chars, paras, sents, fmt = row
        # the date its file name gives, as reading the file did (a date from .docx/.html metadata is not kept)
        return Document(name, path, text, encoding, chars, _spans(paras), _spans(sents), fmt,
                        date=date_in(os.path.basename(name)))

    def documents(self, ids: Iterable[int]) -> dict[int, Document]:
        """The stored documents with these row ids, as a scan would have read them."""
        return {i: self.document(i) for i in ids}

    def weights(self, doc_ids: Iterable[int]) -> dict[int, np.ndarray | None]:
        """``doc id -> Features.cum`` of each stored document; None when a token is a character of weight one."""
        out: dict[int, np.ndarray | None] = {}
        for doc_id in doc_ids:
            row = self.conn.execute("SELECT weights FROM documents WHERE id = ?", (int(doc_id),)).fetchone()
            if row is not None:
                out[int(doc_id)] = np.frombuffer(row[0], dtype="<i4").astype(np.int64) if row[0] else None
        return out

    def text(self, doc_id: int) -> str:
        """The text of the stored document with this row id."""
        return self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]

    def document_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def ids_by_name(self) -> list[int]:
        """The row ids of every document, in name order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY name")]

    def ids_of(self, names: Iterable[str]) -> dict[str, int]:
        return {name: int(i) for name in names
                for (i,) in self.conn.execute("SELECT id FROM documents WHERE name = ?", (name,))}

    def listing(self) -> list[DocInfo]:
        rows = self.conn.execute(
            "SELECT d.id, d.name, d.path, d.chars, (SELECT count(*) FROM units u WHERE u.doc = d.id), d.added "
            "FROM documents d ORDER BY d.name").fetchall()
        return [DocInfo(*r) for r in rows]

    def stats(self) -> dict[str, Any]:
        """Sizes and parameters, for ``reuse index stats``, with the sizes each maintainer gives."""
        derived: dict[str, int] = {}
        for maintainer in self.maintainers:
            derived.update(maintainer.stats(self))
        c = self.conn
        docs, chars = c.execute("SELECT count(*), coalesce(sum(chars), 0) FROM documents").fetchone()
        out: dict[str, Any] = {
            "path": str(self.path),
            "format": int(self.meta["format"]),
            "reuse": self.meta.get("reuse"),
            "datasketch": self.meta.get("datasketch"),
            "created": self.meta.get("created"),
            "documents": docs,
            "chars": chars,
            "units": c.execute("SELECT count(*) FROM units").fetchone()[0],
            "postings": c.execute("SELECT count(*) FROM postings").fetchone()[0],
            "band_rows": self.bands.rows(c),
            **derived,
            "bytes": sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()),
            "params": self.params,
        }
        if "redis" in self.meta:
            out["redis"] = self.meta["redis"]
        return out

    def postings(self, hashes: np.ndarray, *, max_doc_freq: int, max_group: int) -> np.ndarray:
        """Library occurrences of the distinct shingle ``hashes``, as ``(n, 3)`` ``(hash index, doc, pos)``.

        A hash found more than ``max_group`` times or in more than
        ``max_doc_freq`` documents is formula, as in a scan: it is counted
        through a LIMIT, never read whole.
        """
        if not len(hashes):
            return np.zeros((0, 3), dtype=np.int64)
        c = self.conn
        c.execute("CREATE TEMP TABLE IF NOT EXISTS q_hashes (hash INTEGER PRIMARY KEY, i INTEGER)")
        c.execute("CREATE TEMP TABLE IF NOT EXISTS q_hashes_kept (hash INTEGER, i INTEGER)")
        c.execute("DELETE FROM q_hashes")
        c.execute("DELETE FROM q_hashes_kept")
        c.executemany("INSERT INTO q_hashes VALUES (?, ?)", zip(_signed(hashes).tolist(), range(len(hashes))))
        limit = int(max_group) + 1
        # counted once per hash, in its own statement, so the count is not redone for every posting
        c.execute(
            "INSERT INTO q_hashes_kept SELECT q.hash, q.i FROM q_hashes q "
            f"WHERE (SELECT count(*) FROM (SELECT 1 FROM postings c WHERE c.hash = q.hash LIMIT {limit})) < {limit} "
            f"AND (SELECT count(DISTINCT doc) FROM (SELECT doc FROM postings c WHERE c.hash = q.hash LIMIT {limit})) "
            f"<= {int(max_doc_freq)}"
        )
        rows = c.execute("SELECT q.i, p.doc, p.pos FROM q_hashes_kept q JOIN postings p ON p.hash = q.hash").fetchall()
        c.execute("DELETE FROM q_hashes")
        c.execute("DELETE FROM q_hashes_kept")
        return np.array(rows, dtype=np.int64).reshape(-1, 3)

    def holders(self, value: int, limit: int) -> list[int]:
        """Up to ``limit`` documents holding the shingle hash ``value`` (uint64), the first added first."""
        signed = int(_signed(np.array([value], dtype=np.uint64))[0])
        rows = self.conn.execute("SELECT DISTINCT doc FROM postings WHERE hash = ? ORDER BY doc LIMIT ?",
                                 (signed, int(limit))).fetchall()
        return [r[0] for r in rows]

    def count_postings(self, hashes: Sequence[int], cap: int) -> dict[int, int]:
        """Postings of each shingle hash (uint64 values), counted up to ``cap``."""
        if not hashes:
            return {}
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_count (hash INTEGER PRIMARY KEY, n INTEGER)")
        conn.execute("DELETE FROM q_count")
        conn.executemany("INSERT INTO q_count (hash) VALUES (?)",
                         ((h,) for h in _signed(np.array(hashes, dtype=np.uint64)).tolist()))
        conn.execute("UPDATE q_count SET n = (SELECT count(*) FROM (SELECT 1 FROM postings p WHERE p.hash = q_count.hash "
                     f"LIMIT {int(cap)}))")
        out = {int(np.array([h], dtype=np.int64).view(np.uint64)[0]): n
               for h, n in conn.execute("SELECT hash, n FROM q_count")}
        conn.execute("DELETE FROM q_count")
        return out

    def chain_holders(self, lead: Sequence[tuple[int, int, int]], rest: Sequence[tuple[int, int, int]]) -> list:
        """The documents holding each chain of shingles at one place: ``(chain, doc)`` rows.

        A chain ``i`` is its lead ``(i, hash, offset)`` and the rest of its
        ``(i, hash, offset)``: a document holds it when it has every one of
        them at ``position + offset`` of one position (hashes as SQLite's
        signed integers). The lead, the rarest, is looked up first.
        """
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_chain_lead (i INTEGER PRIMARY KEY, hash INTEGER, off INTEGER)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_chain_rest (i INTEGER, hash INTEGER, off INTEGER)")
        conn.execute("CREATE INDEX IF NOT EXISTS q_chain_rest_i ON q_chain_rest (i)")
        conn.execute("DELETE FROM q_chain_lead")
        conn.execute("DELETE FROM q_chain_rest")
        conn.executemany("INSERT INTO q_chain_lead (i, hash, off) VALUES (?, ?, ?)", lead)
        conn.executemany("INSERT INTO q_chain_rest (i, hash, off) VALUES (?, ?, ?)", rest)
        rows = conn.execute(
            "SELECT DISTINCT l.i, p.doc FROM q_chain_lead l JOIN postings p ON p.hash = l.hash "
            "WHERE p.pos >= l.off AND NOT EXISTS (SELECT 1 FROM q_chain_rest r WHERE r.i = l.i AND NOT EXISTS ("
            "SELECT 1 FROM postings x WHERE x.hash = r.hash AND x.doc = p.doc AND x.pos = p.pos - l.off + r.off))"
        ).fetchall()
        conn.execute("DELETE FROM q_chain_lead")
        conn.execute("DELETE FROM q_chain_rest")
        return rows

    def unit_rows(self, unit_ids: Iterable[int]) -> dict[int, tuple[int, np.ndarray]]:
        """``unit id -> (doc id, signature)`` for the units that exist (orphans are dropped)."""
        out = {}
        for uid in sorted(set(unit_ids)):
            row = self.conn.execute("SELECT doc, signature FROM units WHERE id = ?", (uid,)).fetchone()
            if row is not None:
                out[uid] = (int(row[0]), np.frombuffer(row[1], dtype="<u4").astype(np.uint32))
        return out

def _insert_many(conn: sqlite3.Connection, head: str, rows: np.ndarray, order: np.ndarray | None = None, *,
                 chunk: int = 1 << 19) -> None:
    """Insert the integer ``rows`` (``(n, width)``), in ``order`` when given, through ``head VALUES ...``."""
    n = len(rows) if order is None else len(order)
    for lo in range(0, n, chunk):
        part = rows[lo: lo + chunk] if order is None else rows[order[lo: lo + chunk]]
        _insert_flat(conn, head, rows.shape[1], part.ravel().tolist())


def _insert_flat(conn: sqlite3.Connection, head: str, width: int, params: list) -> None:
    """Insert rows of ``width`` values given one after the other in ``params``, many rows per statement.

    Per row, binding its values costs far less than a statement step
    (``benchmarks/RESULTS.md``, "Library build").
    """
    per = _PARAMS_PER_STATEMENT // width
    row = "(" + ",".join("?" * width) + ")"
    whole = len(params) - len(params) % (per * width)
    conn.executemany(f"{head} VALUES {','.join([row] * per)}", zip(*[iter(params[:whole])] * (per * width)))
    if whole < len(params):
        conn.execute(f"{head} VALUES {','.join([row] * ((len(params) - whole) // width))}", params[whole:])


_PARAMS_PER_STATEMENT = 900
"""Parameters per multi-row INSERT: under 999, the smallest limit SQLite builds have had."""


def _insert_postings(conn: sqlite3.Connection, items: list[tuple[np.ndarray, int]]) -> None:
    """Postings of many documents, sorted by key as a whole (B-tree friendly inserts)."""
    if not items:
        return
    hashes = _signed(np.concatenate([h for h, _ in items]))
    rows = np.empty((len(hashes), 3), dtype=np.int64)
    rows[:, 0] = hashes
    rows[:, 1] = np.repeat(np.array([d for _, d in items], dtype=np.int64), [len(h) for h, _ in items])
    rows[:, 2] = np.concatenate([np.arange(len(h), dtype=np.int64) for h, _ in items])
    # rows of one hash need no order among them: they share a page
    _insert_many(conn, "INSERT INTO postings (hash, doc, pos)", rows, np.argsort(hashes))


def _postings(shingles: np.ndarray, doc_id: int) -> Iterator[tuple[int, int, int]]:
    """``(hash, doc, pos)`` rows in hash order (B-tree friendly inserts)."""
    signed = _signed(shingles)
    order = np.lexsort((np.arange(len(signed)), signed))
    return zip(signed[order].tolist(), [doc_id] * len(order), order.tolist())
