"""The reference library on disk: one SQLite file, every change one transaction.

Tables (``reuse index stats`` shows their sizes):

* ``meta``: what wrote the file and every parameter that makes its hashes and
  signatures comparable (see ``index_params``), plus fingerprints of the code
  that computes them, so a library is never mixed with documents hashed
  another way.
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
* ``templates`` and ``template_members``: template families over the
  library, maintained through ``reuse.library.hooks`` by
  ``reuse.library.templates``, with the ``tmpl_*`` tables that let it
  recompute only what a change touches (described there).

Readers and one writer work at once (WAL). A writer takes the write lock with
``BEGIN IMMEDIATE`` and does all its inserts before ``COMMIT``: a process
killed in between leaves the file as it was.

A build writes a private file that is linked into place when complete, so it
needs neither journal nor syncs until then (``Library.building``), and a large
batch has its units indexed in a forked process while this one writes rows
(``_Beside``); rows are inserted many per statement. ``benchmarks/RESULTS.md``
("Library build") has what each of these saves.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing as mp
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reuse import candidates as cand
from reuse import index, ingest
from reuse.config import LOCK_TIMEOUT, Settings
from reuse.errors import ConfigError, LibraryError, ReuseError, UsageError
from reuse.features import Features, extract
from reuse.model import Document, Span

FORMAT = 2
"""Library file format; a file with another number is refused (2: token weights of each document)."""
TOOL = "reuse-library"
APPLICATION_ID = 0x72657573  # "reus": PRAGMA application_id marks the file as ours (sqlite.org/fileformat)
SQLITE_MAGIC = b"SQLite format 3\x00"

INDEX_PARAMS = ("shingle", "unit", "simplify", "fold_digits", "num_perm", "seed", "threshold", "min_length")
"""Settings that change what is stored; a library keeps the values it was built with."""

PAUSE_ENV = "REUSE_TEST_ADD_PAUSE"
"""Test hook: ``SECONDS[:MARKER]`` makes ``add`` touch MARKER and sleep inside its transaction."""

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
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    doc_count INTEGER NOT NULL
);
CREATE TABLE template_members (
    template TEXT NOT NULL,
    doc INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (doc, start, end, template)
) WITHOUT ROWID;
CREATE INDEX template_members_family ON template_members (template);
"""

# A probe that exercises folding (traditional, full-width digits, Latin case)
# and sentence cutting: its hashes change whenever normalisation does.
_PROBE = ("黨的建設２０２０年取得新成效，Hello World 3.14 e.g. 同志們：今天我們召開會議。"
          "堅持以人民為中心的發展思想！要把學習貫徹落實到各項工作中去；推動高質量發展。\n"
          "第二段落，繼續推進全面從嚴治黨向縱深發展，不斷提高黨的建設質量。\n"
          "The Quick brown fox jumps over 2 lazy dogs, then over 12 more; it is tired by now.")


@dataclass(frozen=True)
class DocInfo:
    """One library document as ``reuse index list`` shows it."""

    id: int
    name: str
    path: str
    chars: int
    units: int
    added: str


@dataclass(frozen=True)
class Batch:
    """What a write in progress hands its hook: its settings and the features of the documents it wrote."""

    settings: Settings
    features: dict[int, Features]
    """Row id -> features of each document added (extracted once, for the index and for templates)."""
    documents: dict[int, Document]
    """Row id -> each document added, as read."""
    prepared: Any = None
    """What ``add``'s ``prepare`` computed from the batch while its rows were written (None otherwise)."""


@dataclass(frozen=True)
class AddReport:
    """What one ``add`` changed."""

    added: list[str]
    replaced: list[str]
    unchanged: list[str]
    seconds: float
    hook_seconds: float = 0.0
    """Of ``seconds``, the time the hook took (keeping template families current)."""


def index_params(settings: Settings) -> dict[str, Any]:
    """Every parameter that makes two libraries' hashes and signatures comparable."""
    bands, rows = index.band_params(settings.threshold, settings.num_perm)
    out = {name: getattr(settings, name) for name in INDEX_PARAMS}
    out.update(scheme=index.SCHEME, bands=bands, rows=rows)
    return out


def fingerprints(settings: Settings) -> dict[str, str]:
    """Digests of what this code computes: MinHash permutations and what a probe text becomes.

    The probe's digest covers its folded text, shingle hashes and sizes, token
    weights, units and their signatures, so a change to any of them (English
    word weights, say) refuses libraries built before it.

    datasketch 2.0 changed its permutations and the detection core is tuned
    over time; a library whose fingerprints differ from the running code's
    would silently miss matches, so it is refused instead.
    """
    a, b = index.permutations(settings.num_perm, settings.seed)
    perm = hashlib.sha256(a.tobytes() + b.tobytes()).hexdigest()[:16]
    doc = ingest.document(_PROBE, "probe")
    feat = extract(doc, settings)
    h = hashlib.sha256()
    ranges, sets = _unit_sets(feat, settings.shingle)
    for part in (feat.folded.text.encode("utf-8"), feat.shingles.tobytes(), feat.shingle_len.tobytes(),
                 feat.cum.astype(np.int64).tobytes(), feat.units.astype(np.int64).tobytes(),
                 np.array(ranges, dtype=np.int64).tobytes(), unit_signatures(sets, settings).tobytes(),
                 _spans_blob(doc.sentences), _spans_blob(doc.paragraphs)):
        h.update(part)
        h.update(b"\0")
    return {"permutations": perm, "text": h.hexdigest()[:16]}


def _spans_blob(spans: Sequence[Span]) -> bytes:
    return np.array([(s.start, s.end) for s in spans], dtype=np.int64).reshape(-1, 2).tobytes()


def _spans(blob: bytes) -> tuple[Span, ...]:
    return tuple(Span(int(s), int(e)) for s, e in np.frombuffer(blob, dtype=np.int64).reshape(-1, 2).tolist())


def _signed(values: np.ndarray) -> np.ndarray:
    """uint64 hashes as SQLite's signed 64-bit integers (same bits)."""
    return np.ascontiguousarray(values, dtype=np.uint64).view(np.int64)


def _versions() -> dict[str, str]:
    from reuse.pipeline import package_versions

    return package_versions()


def _label(path: str | os.PathLike) -> str:
    return ingest.label(path)


_FALSE_NULL = "NULL value in template_members.template"
"""What SQLite 3.40's quick_check says of every row of template_members, a WITHOUT ROWID table whose primary key
lists its columns in another order than the table does; integrity_check, and the rows themselves, disagree."""


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds in the file, less its false reports of NULLs (``_FALSE_NULL``)."""
    # one false report a row: room for all of them and for the real problems after them
    rows = conn.execute("SELECT count(*) FROM template_members").fetchone()[0]
    problems = [row[0] for row in conn.execute(f"PRAGMA quick_check({rows + 100})") if row[0] != "ok"]
    if _FALSE_NULL in problems and conn.execute(
            "SELECT count(*) FROM template_members WHERE template IS NULL").fetchone()[0] == 0:
        problems = [p for p in problems if p != _FALSE_NULL]
    return problems


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
        raise database_error(path, err, "open") from err
    return conn


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
        keys = _signed(index.band_keys(sigs, self.n_bands, self.n_rows))
        band = np.broadcast_to(np.arange(self.n_bands, dtype=np.int64), keys.shape)
        unit = np.broadcast_to(unit_ids.astype(np.int64)[:, None], keys.shape)
        order = np.lexsort((unit.ravel(), keys.ravel(), band.ravel()))  # insert in key order: B-tree friendly
        return zip(band.ravel()[order].tolist(), keys.ravel()[order].tolist(), unit.ravel()[order].tolist())

    def insert(self, conn, unit_ids, sigs, tokens) -> None:
        # band by band, in key order: B-tree friendly (rows of equal keys need no order, they share a page)
        keys = _signed(index.band_keys(sigs, self.n_bands, self.n_rows)).T
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
        keys = _signed(index.band_keys(sigs, self.n_bands, self.n_rows))
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


def _pause() -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    seconds, _, marker = spec.partition(":")
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(seconds))


class Library:
    """An open reference library. Create with ``create``/``open``; close when done (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, meta: dict[str, str], bands: BandIndex | None = None,
                 *, lock_timeout: float = LOCK_TIMEOUT, on_wait: Callable[[str], None] | None = None):
        self.path = path
        self.conn = conn
        self.meta = meta
        self.params: dict[str, Any] = json.loads(meta["params"])
        self.bands = bands or SQLiteBands(self.params["bands"], self.params["rows"])
        self.batch: Batch | None = None
        """Set while a hook runs inside ``add``/``remove``."""
        self.lock_timeout = lock_timeout
        """Seconds a write waits for another writer before it gives up."""
        self.on_wait = on_wait
        """Called with a one-line notice when a write has to wait for another writer."""

    # -- opening ----------------------------------------------------------------------------------

    @classmethod
    @contextmanager
    def building(cls, path: str | os.PathLike, settings: Settings, *, extra_meta: dict[str, str] | None = None,
                 bands: Callable[[dict[str, str]], BandIndex] | None = None) -> Iterator["Library"]:
        """A new library, written in a temporary file and moved to ``path`` when the block ends.

        A build that fails or is killed leaves nothing at ``path`` (a killed
        one leaves its ``.NAME.PID.tmp`` file beside it). An existing ``path``
        is refused.
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
            conn.executescript(_SCHEMA)
            versions = _versions()
            meta = {
                "tool": TOOL,
                "format": str(FORMAT),
                "uuid": uuid.uuid4().hex,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "reuse": versions["reuse"],
                "datasketch": versions["datasketch"],
                "params": json.dumps(index_params(settings), sort_keys=True),
                "fingerprints": json.dumps(fingerprints(settings), sort_keys=True),
                **(extra_meta or {}),
            }
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
            conn.execute("COMMIT")
            library = cls(path, conn, meta, bands(meta) if bands else None)
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
             write: bool = False, lock_timeout: float = LOCK_TIMEOUT,
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
        return cls(path, conn, meta, bands(meta) if bands else None, lock_timeout=lock_timeout, on_wait=on_wait)

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

    def require_same_code(self, settings: Settings) -> None:
        """Refuse a library whose stored hashes this code would not reproduce."""
        stored = json.loads(self.meta.get("fingerprints", "{}"))
        now = fingerprints(settings)
        if stored != now:
            what = "MinHash permutations" if stored.get("permutations") != now["permutations"] else "text hashing"
            versions = _versions()
            raise ReuseError(
                f"{_label(self.path)} was indexed by reuse {self.meta.get('reuse')} with datasketch "
                f"{self.meta.get('datasketch')}, whose {what} differ from this reuse {versions['reuse']} with "
                f"datasketch {versions['datasketch']}; rebuild it with `reuse index build`"
            )

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
            raise LibraryError(f"{_label(self.path)} is damaged (PRAGMA quick_check: {problems[0]}); nothing was "
                               "written. Restore it from a backup, or rebuild it with `reuse index build`")

    def add(self, documents: Sequence[Document], settings: Settings, *, replace: bool = False,
            hook: Callable[["Library", list[int], list[int]], None] | None = None,
            features: Sequence[Features] | None = None, prepare: Callable[..., Any] | None = None) -> AddReport:
        """Index ``documents`` in one transaction.

        A document whose name is already in the library is left alone when its
        text is the same, replaced when ``replace``, and refused otherwise.
        Nothing already stored is recomputed: adding one document to a
        library of any size costs that document's rows.

        Args:
            settings: must carry this library's index parameters (see ``settings``).
            hook: called inside the transaction with the ids added and removed
                (template families; see ``reuse.library.hooks``); ``self.batch``
                holds the settings and the added documents' features meanwhile.
            features: the documents' features when already extracted with
                ``settings`` (they are extracted here otherwise).
            prepare: for a library holding no document yet,
                ``prepare(documents, features, ids, settings)`` computes what the
                hook can from the batch alone, given the row ids the documents
                will get; its result is ``self.batch.prepared`` (the hook checks it
                fits). It runs beside the writes, as the units are indexed.
        """
        start = time.perf_counter()
        self.require_same_code(settings)
        names = [d.id for d in documents]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise UsageError(f"document {dup} is named twice; give one of them another name")
        digests = [hashlib.sha256(d.text.encode("utf-8", "surrogatepass")).hexdigest() for d in documents]
        # the CPU work happens before the write lock is taken, so readers and writers wait less
        fresh = [(d, h) for d, h in zip(documents, digests)]
        if features is not None and len(features) != len(documents):
            raise ValueError(f"{len(features)} features for {len(documents)} documents")
        features = list(features) if features is not None else [extract(d, settings) for d, _ in fresh]
        # unit sets and signatures (the largest CPU part), and what the hook can prepare, are computed in a
        # forked process while this one writes the rows of a large batch
        jobs: list[tuple[Callable[..., Any], tuple]] = [(_unit_index, (features, settings))]
        first = self._first_id_if_empty() if prepare is not None and hook is not None else None
        if first is not None:
            jobs.append((prepare, (documents, features, list(range(first, first + len(documents))), settings)))
        beside = _Beside(jobs) if _worth_forking(documents, settings) else _Inline(jobs)
        token = uuid.uuid4().hex[:12]
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        try:
            with self.transaction() as conn:
                existing = {name: (doc_id, sha) for doc_id, name, sha in conn.execute(
                    f"SELECT id, name, sha256 FROM documents WHERE name IN ({','.join('?' * len(names))})", names)
                } if names else {}
                removed_ids: list[int] = []
                added_ids: list[int] = []
                positions: list[int] = []
                written: dict[int, Features] = {}
                docs: dict[int, Document] = {}
                for i, ((doc, sha), feat) in enumerate(zip(fresh, features)):
                    if doc.id in existing:
                        old_id, old_sha = existing[doc.id]
                        if old_sha == sha:
                            unchanged.append(doc.id)
                            continue
                        if not replace:
                            raise UsageError(f"{doc.id} is already in {_label(self.path)} with other text; pass "
                                             f"--replace to replace it, or --prefix to add it under another name")
                        self._remove_ids(conn, [old_id], settings)
                        removed_ids.append(old_id)
                        replaced.append(doc.id)
                    else:
                        added.append(doc.id)
                    doc_id = self._insert_document(conn, doc, sha, token, feat)
                    added_ids.append(doc_id)
                    positions.append(i)
                    written[doc_id] = feat
                    docs[doc_id] = doc
                # the index rows of all documents at once, in key order: a build appends to the B-trees
                # instead of sweeping them once per document
                _insert_postings(conn, [(features[i].shingles, doc_id) for i, doc_id in zip(positions, added_ids)])
                unit_ids, sigs = self._insert_units(conn, beside.result(0), positions, added_ids)
                if len(unit_ids):
                    self.bands.insert(conn, unit_ids, sigs, [token] * len(unit_ids))
                hooked = time.perf_counter()
                if hook is not None:
                    prepared = beside.result(1) if len(jobs) > 1 else None
                    self._run_hook(hook, Batch(settings, written, docs, prepared), added_ids, removed_ids)
                hooked = time.perf_counter() - hooked
                _pause()
        finally:
            beside.close()
        return AddReport(added, replaced, unchanged, round(time.perf_counter() - start, 4), round(hooked, 4))

    def _first_id_if_empty(self) -> int | None:
        """The row id the next document gets when the library holds none, else None."""
        if self.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None:
            return None
        return self.conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'documents'), 0), "
            "coalesce((SELECT max(id) FROM documents), 0)) + 1").fetchone()[0]

    def _insert_document(self, conn: sqlite3.Connection, doc: Document, sha: str, token: str,
                         feat: Features) -> int:
        """The document's own row; returns its id."""
        cur = conn.execute(
            "INSERT INTO documents (name, path, encoding, format, chars, sha256, token, added, text, paragraphs, "
            "sentences, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.path, doc.encoding, doc.format, doc.chars, sha, token, time.strftime("%Y-%m-%dT%H:%M:%S"),
             doc.text, _spans_blob(doc.paragraphs), _spans_blob(doc.sentences),
             b"" if feat.uniform else feat.cum.astype("<i4").tobytes()),
        )
        return int(cur.lastrowid)

    def _insert_units(self, conn: sqlite3.Connection, units: "UnitIndex", positions: list[int],
                      doc_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The unit rows of the documents written (``positions`` in the batch, ``doc_ids`` their row ids).

        Returns their ids and signatures, in the order written: document by document, unit by unit.
        """
        doc_of = np.full(len(units.bounds) - 1, -1, dtype=np.int64)
        doc_of[positions] = doc_ids
        keep = doc_of[units.owner] >= 0
        rows, sigs = units.rows[keep], units.sigs[keep]
        if not len(rows):
            return np.zeros(0, dtype=np.int64), sigs
        # the ids AUTOINCREMENT would give, one after the other (this is the only writer)
        first = conn.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'units'), 0), "
                             "coalesce((SELECT max(id) FROM units), 0)) + 1").fetchone()[0]
        unit_ids = np.arange(first, first + len(rows), dtype=np.int64)
        blobs = np.ascontiguousarray(sigs, dtype="<u4")
        params: list = [None] * (len(rows) * 8)
        params[0::8] = unit_ids.tolist()
        params[1::8] = doc_of[units.owner[keep]].tolist()
        for j in range(5):
            params[2 + j::8] = rows[:, j].tolist()
        params[7::8] = [blob.tobytes() for blob in blobs]
        _insert_flat(conn, "INSERT INTO units (id, doc, idx, tok_lo, tok_hi, start, end, signature)", 8, params)
        return unit_ids, sigs

    def remove(self, names: Sequence[str], settings: Settings,
               hook: Callable[["Library", list[int], list[int]], None] | None = None) -> list[str]:
        """Remove the documents named ``names`` in one transaction; unknown names are refused."""
        self.require_same_code(settings)
        with self.transaction() as conn:
            ids = []
            for name in names:
                row = conn.execute("SELECT id FROM documents WHERE name = ?", (name,)).fetchone()
                if row is None:
                    raise UsageError(f"{name} is not in {_label(self.path)}; `reuse index list --db "
                                     f"{_label(self.path)}` shows the names")
                ids.append(int(row[0]))
            self._remove_ids(conn, ids, settings)
            if hook is not None:
                self._run_hook(hook, Batch(settings, {}, {}), [], ids)
            _pause()
        return list(names)

    def _run_hook(self, hook: Callable[["Library", list[int], list[int]], None], batch: Batch, added: list[int],
                  removed: list[int]) -> None:
        self.batch = batch
        try:
            hook(self, added, removed)
        finally:
            self.batch = None

    def _remove_ids(self, conn: sqlite3.Connection, ids: list[int], settings: Settings) -> None:
        for doc_id in ids:
            doc = self._document_row(conn, doc_id)
            feat = extract(doc, settings)
            # the postings are found again from the text (hashed by the same code, see require_same_code)
            conn.executemany("DELETE FROM postings WHERE hash = ? AND doc = ? AND pos = ?",
                             _postings(feat.shingles, doc_id))
            rows = conn.execute("SELECT u.id, u.signature, d.token FROM units u JOIN documents d ON d.id = u.doc "
                                "WHERE u.doc = ? ORDER BY u.id", (doc_id,)).fetchall()
            if rows:
                unit_ids = np.array([r[0] for r in rows], dtype=np.int64)
                sigs = np.stack([np.frombuffer(r[1], dtype="<u4") for r in rows]).astype(np.uint32)
                self.bands.remove(conn, unit_ids, sigs, [r[2] for r in rows])
            conn.execute("DELETE FROM units WHERE doc = ?", (doc_id,))
            conn.execute("DELETE FROM template_members WHERE doc = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        conn.execute("DELETE FROM templates WHERE id NOT IN (SELECT template FROM template_members)")

    # -- reading ----------------------------------------------------------------------------------

    def _document_row(self, conn: sqlite3.Connection, doc_id: int) -> Document:
        row = conn.execute("SELECT name, path, text, encoding, chars, paragraphs, sentences, format FROM documents "
                           "WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        name, path, text, encoding, chars, paras, sents, fmt = row
        return Document(name, path, text, encoding, chars, _spans(paras), _spans(sents), fmt)

    def documents(self, ids: Iterable[int]) -> dict[int, Document]:
        """The stored documents with these row ids, as a scan would have read them."""
        return {i: self._document_row(self.conn, i) for i in ids}

    def weights(self, doc_ids: Iterable[int]) -> dict[int, np.ndarray | None]:
        """``doc id -> Features.cum`` of each stored document; None when a token is a character of weight one."""
        out: dict[int, np.ndarray | None] = {}
        for doc_id in doc_ids:
            row = self.conn.execute("SELECT weights FROM documents WHERE id = ?", (int(doc_id),)).fetchone()
            if row is not None:
                out[int(doc_id)] = np.frombuffer(row[0], dtype="<i4").astype(np.int64) if row[0] else None
        return out

    def ids_of(self, names: Iterable[str]) -> dict[str, int]:
        return {name: int(i) for name in names
                for (i,) in self.conn.execute("SELECT id FROM documents WHERE name = ?", (name,))}

    def listing(self) -> list[DocInfo]:
        rows = self.conn.execute(
            "SELECT d.id, d.name, d.path, d.chars, (SELECT count(*) FROM units u WHERE u.doc = d.id), d.added "
            "FROM documents d ORDER BY d.name").fetchall()
        return [DocInfo(*r) for r in rows]

    def stats(self) -> dict[str, Any]:
        """Sizes and parameters, for ``reuse index stats``."""
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
            "templates": c.execute("SELECT count(*) FROM templates").fetchone()[0],
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

    def unit_rows(self, unit_ids: Iterable[int]) -> dict[int, tuple[int, np.ndarray]]:
        """``unit id -> (doc id, signature)`` for the units that exist (orphans are dropped)."""
        out = {}
        for uid in sorted(set(unit_ids)):
            row = self.conn.execute("SELECT doc, signature FROM units WHERE id = ?", (uid,)).fetchone()
            if row is not None:
                out[uid] = (int(row[0]), np.frombuffer(row[1], dtype="<u4").astype(np.uint32))
        return out

    def template_spans(self, doc_ids: Iterable[int]) -> dict[int, list[tuple[int, int, str]]]:
        """Template family members of these documents: ``doc id -> [(start, end, family)]``."""
        out: dict[int, list[tuple[int, int, str]]] = {}
        for doc_id in doc_ids:
            out[doc_id] = [tuple(r) for r in self.conn.execute(
                "SELECT start, end, template FROM template_members WHERE doc = ? ORDER BY start, end", (doc_id,))]
        return out


def _unit_sets(feat: Features, k: int) -> tuple[list[tuple[int, int, int]], list[np.ndarray]]:
    """The units a scan compares, by ``candidates.unit_sets`` itself: ``[(index, tok_lo, tok_hi)]`` and the
    distinct shingle hashes of each."""
    keys, sets, _ = cand.unit_sets([feat], k)
    return [(u, *(int(x) for x in feat.units[u])) for _, u in keys], sets


def unit_signatures(sets: Sequence[np.ndarray], settings: Settings) -> np.ndarray:
    """MinHash signatures of many shingle sets at once, as ``candidates.unit_pairs`` computes them."""
    if not sets:
        return np.zeros((0, settings.num_perm), dtype=np.uint32)
    offsets = np.cumsum([0] + [len(s) for s in sets])
    # astype keeps the low 32 bits of each 64-bit shingle hash, as a scan does
    return index.signatures(np.concatenate(sets).astype(np.uint32), offsets, num_perm=settings.num_perm,
                            seed=settings.seed)


@dataclass(frozen=True)
class UnitIndex:
    """The units of a batch of documents a scan compares, with their MinHash signatures, flat."""

    owner: np.ndarray
    """Position in the batch of each unit's document (ascending)."""
    rows: np.ndarray
    """``(n, 5)``: unit index in its document, token range, original-text range."""
    sigs: np.ndarray
    """``(n, num_perm)`` uint32 signatures."""
    bounds: np.ndarray
    """The units of document ``d`` are ``bounds[d]:bounds[d + 1]``."""


def _unit_index(features: Sequence[Features], settings: Settings) -> UnitIndex:
    """Units and signatures of every document at once, as ``_unit_sets`` and ``unit_signatures`` give them
    one document at a time (``candidates.flat_unit_sets`` cuts each document on its own)."""
    flat = cand.flat_unit_sets(list(features), settings.shingle)
    bounds = np.searchsorted(flat.doc, np.arange(len(features) + 1), side="left")
    parts = []
    for d in np.flatnonzero(np.diff(bounds)).tolist():
        feat, idx = features[d], flat.unit[bounds[d]: bounds[d + 1]]
        toks = feat.units[idx].astype(np.int64)
        chars = feat.char_spans(toks)
        origin = np.asarray(feat.folded.origin, dtype=np.int64)
        parts.append(np.column_stack([idx, toks, origin[chars[:, 0]], origin[chars[:, 1] - 1] + 1]))
    rows = np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)
    if len(flat):
        # astype keeps the low 32 bits of each 64-bit shingle hash, as a scan does
        sigs = index.signatures(flat.hashes.astype(np.uint32), flat.offsets, num_perm=settings.num_perm,
                                seed=settings.seed)
    else:
        sigs = np.zeros((0, settings.num_perm), dtype=np.uint32)
    return UnitIndex(flat.doc.astype(np.int64), rows, sigs, bounds)


PARALLEL_CHARS = 1_000_000
"""From this many characters in a batch, its units are indexed in a forked process while this one writes."""


def _worth_forking(documents: Sequence[Document], settings: Settings) -> bool:
    from reuse.engine import LocalEngine

    return (sum(len(d.text) for d in documents) >= PARALLEL_CHARS and LocalEngine(settings.workers).workers > 1
            and "fork" in mp.get_all_start_methods() and not mp.current_process().daemon)


class _Inline:
    """The jobs of ``_Beside`` run in this process, each when its result is asked for."""

    def __init__(self, jobs: Sequence[tuple[Callable[..., Any], tuple]]):
        self.jobs = list(jobs)
        self.done: dict[int, Any] = {}

    def result(self, i: int) -> Any:
        if i not in self.done:
            fn, args = self.jobs[i]
            self.done[i] = fn(*args)
        return self.done[i]

    def close(self) -> None:
        self.done.clear()


class _Beside:
    """Jobs ``fn(*args)`` run one after the other in a forked process while this one goes on.

    The process inherits the arguments (no copy through a pipe); each result
    comes back as soon as it is computed, and ``result(i)`` waits for job
    ``i``. ``close`` ends the process if its results were not all wanted.
    """

    def __init__(self, jobs: Sequence[tuple[Callable[..., Any], tuple]]):
        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run_beside, args=(send, list(jobs)), daemon=True)
        self._proc.start()
        send.close()
        self.done: list[Any] = []

    def result(self, i: int) -> Any:
        while len(self.done) <= i:
            try:
                ok, value = self._recv.recv()
            except EOFError:
                self._proc.join()
                raise ReuseError(f"the process indexing units beside this one ended without a result "
                                 f"(exit code {self._proc.exitcode})") from None
            if not ok:
                raise value
            self.done.append(value)
        return self.done[i]

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._recv.close()
        self.done.clear()


def _run_beside(send: Any, jobs: list[tuple[Callable[..., Any], tuple]]) -> None:
    """The forked process of ``_Beside``: each job's ``(True, result)`` or ``(False, exception)`` down ``send``."""
    try:
        for fn, args in jobs:
            try:
                out = (True, fn(*args))
            except BaseException as err:  # handed to the parent, which raises it
                out = (False, err)
            try:
                send.send(out)
            except OSError:  # the parent is gone
                break
            except Exception as err:  # a result or an exception that does not pickle
                send.send((False, ReuseError(f"{getattr(fn, '__name__', fn)} beside the write: {out[1]!r} ({err})")))
                break
            if not out[0]:
                break
    finally:
        # no exit handlers: the parent's streams, buffers and connections are its own, not to be flushed here
        os._exit(0)


def _insert_many(conn: sqlite3.Connection, head: str, rows: np.ndarray, order: np.ndarray | None = None, *,
                 chunk: int = 1 << 19) -> None:
    """Insert the integer ``rows`` (``(n, width)``), in ``order`` when given, through ``head VALUES ...``."""
    n = len(rows) if order is None else len(order)
    for lo in range(0, n, chunk):
        part = rows[lo: lo + chunk] if order is None else rows[order[lo: lo + chunk]]
        _insert_flat(conn, head, rows.shape[1], part.ravel().tolist())


def _insert_flat(conn: sqlite3.Connection, head: str, width: int, params: list) -> None:
    """Insert rows of ``width`` values given one after the other in ``params``, many rows per statement.

    Per row, binding its values costs far less than a statement step: 6.3
    million postings take 3.0 s this way, 4.9 s one row per statement.
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
