"""A persistent reference library: index a corpus once, check new drafts against it (查重).

>>> from reuse.library import build, check_paths                      # doctest: +SKIP
>>> build(["seeds"], "library.sqlite")                                 # doctest: +SKIP
>>> [r.reuse_ratio for r in check_paths(["draft.txt"], "library.sqlite")]   # doctest: +SKIP

``db`` is a file path (one SQLite file holds everything) or a
``redis://host:port/N`` URL: then the LSH band buckets live in Redis through
datasketch's own ``storage_config`` and everything else (documents, units,
signatures, shingle postings) in the SQLite file named by ``sidecar``.

The modules: ``store`` writes and reads the rows (it computes nothing);
``units`` computes what a document's rows hold; ``writing`` runs a write:
rows, then each of ``MAINTAINERS`` in the same transaction; ``families``
keeps the template families current; ``check`` checks a draft.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from reuse.batching import BATCH_BYTES, PARALLEL_BYTES, batches_by_size, file_size
from reuse.config import LOCK_TIMEOUT, Settings
from reuse.engine import Engine, LocalEngine, make_engine
from reuse.errors import SettingError, UsageError
from reuse.ingest import Found, check_encoding, discover, ingest, label, read_many, settle
from reuse.library import families, redis_store, units, writing
from reuse.library.check import CheckReport, check, compare
from reuse.library.store import Library
from reuse.library.writing import AddReport, Maintainer
from reuse.model import Document, Skipped
from reuse.timing import Progress, documents_read, quiet

__all__ = ["MAINTAINERS", "AddReport", "CheckReport", "Library", "add", "build", "check_documents", "check_paths",
           "is_redis", "open_library", "remove"]

MAINTAINERS: tuple[Maintainer, ...] = (families,)
"""What every write keeps current beside the documents' rows, in this order (``reuse.library.writing``):
handed to each library ``open_library`` opens."""


def is_redis(db: str | os.PathLike) -> bool:
    return str(db).startswith(("redis://", "rediss://"))


def _sidecar(db: str | os.PathLike, sidecar: str | os.PathLike | None) -> str | os.PathLike:
    if not is_redis(db):
        return db
    if sidecar is None:
        raise UsageError(f"--db {db} keeps documents and shingle postings in an SQLite sidecar file; "
                         "name it with --sidecar FILE")
    return sidecar


def open_library(db: str | os.PathLike, *, sidecar: str | os.PathLike | None = None,
                 create: Settings | None = None, write: bool = False, lock_timeout: float = LOCK_TIMEOUT,
                 on_wait: Callable[[str], None] | None = None):
    """Open the library ``db``; given ``create`` settings, a context manager building a new one instead.

    The file is opened read-only unless ``write``; a write waits up to
    ``lock_timeout`` seconds for another writer, calling ``on_wait`` with a
    one-line notice when it has to.
    """
    if not 0 <= lock_timeout < float("inf"):  # NaN too
        raise SettingError(f"--lock-timeout must be a number of seconds, 0 or more, not {lock_timeout:g}")
    path = _sidecar(db, sidecar)
    bands = None
    extra: dict[str, str] = {}
    if is_redis(db):
        bands = redis_store.band_factory(str(db))
        extra = redis_store.meta_for(str(db))
    elif sidecar is not None:
        raise UsageError("--sidecar goes with --db redis://host:port/N; a file --db holds everything itself")
    if create is not None:
        return Library.building(path, units.new_meta(create, extra), maintainers=MAINTAINERS, bands=bands)
    library = Library.open(path, bands=bands, maintainers=MAINTAINERS, write=write, lock_timeout=lock_timeout,
                           on_wait=on_wait)
    if is_redis(db):
        redis_store.require_same(library, str(db))
    elif "redis" in library.meta:
        raise UsageError(f"{path} is the sidecar of the Redis library {library.meta['redis']}; "
                         f"pass --db {library.meta['redis']} --sidecar {path}")
    return library


def _engine_for(settings: Settings, size: int) -> Engine:
    """Where documents are read: on Dask when asked; locally in worker processes only when
    ``--workers`` asks for them and the input is large enough to repay starting them."""
    if settings.engine == "dask":
        return make_engine("dask", scheduler=settings.scheduler, workers=settings.workers)
    return LocalEngine(settings.workers if settings.workers and size >= PARALLEL_BYTES else 1)


def _read_files(job: tuple[list[Found], Settings]) -> list[tuple[Document | None, Skipped | None]]:
    """Read a batch of files: the work a worker does for an index build.

    Features are extracted by ``writing.add`` in this process: a document's
    features are many times the size of its text, so sending them back from
    a worker costs more than extracting them (``benchmarks/RESULTS.md``).
    """
    items, settings = job
    return read_many(items, encoding=settings.encoding)


def _read(paths: Iterable[str | os.PathLike], settings: Settings, prefix: str, engine: Engine | None,
          progress: Progress) -> tuple[list[Document], list[Skipped]]:
    """The documents under ``paths``, read on ``engine`` from their paths in batches, as a scan reads them."""
    paths = [str(p) for p in paths]
    check_encoding(settings.encoding)
    found, skipped = discover(paths, settings.extensions)
    sizes = [file_size(f.path) for f in found]
    owned = engine is None
    engine = engine or _engine_for(settings, sum(sizes))
    try:
        jobs = [(batch, settings) for batch in batches_by_size(found, sizes, BATCH_BYTES)]
        counted = documents_read(progress, "read", [b for b, _ in jobs], sizes)
        read = [item for batch in engine.map(_read_files, jobs, stage="read", progress=counted) for item in batch]
    finally:
        if owned:
            engine.close()
    prefix = label(prefix)  # a document's name is printable text, as its id is
    documents = [dataclasses.replace(doc, id=prefix + doc.id) for doc, _ in read if doc is not None]
    return documents, settle(paths, settings.extensions, documents, skipped + [why for _, why in read if why])


def _add(library: Library, paths: Sequence[str | os.PathLike], settings: Settings, *, prefix: str,
         replace: bool, engine: Engine | None, progress: Progress) -> tuple[AddReport, list]:
    documents, skipped = _read(paths, settings, prefix, engine, progress)
    # one transaction in this process: the library has a single writer whatever the engine
    progress("index", 0, len(documents))
    report = writing.add(library, documents, settings, replace=replace)
    progress("index", len(documents), len(documents))
    return report, skipped


def build(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None, *,
          sidecar: str | os.PathLike | None = None, prefix: str = "", engine: Engine | None = None,
          progress: Progress = quiet) -> tuple[AddReport, list]:
    """Create the library ``db`` from the documents under ``paths`` (one transaction).

    Files are read on ``engine`` (by default the one ``settings.engine``
    names: Dask, or worker processes when ``settings.workers`` asks for them
    and the input is over ``batching.PARALLEL_BYTES``); this process indexes
    and writes them. The library is the same on every engine.
    """
    settings = settings or Settings()
    with open_library(db, sidecar=sidecar, create=settings) as library:
        return _add(library, paths, library.settings(settings), prefix=prefix, replace=False, engine=engine,
                    progress=progress)


def add(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None, *,
        sidecar: str | os.PathLike | None = None, prefix: str = "", replace: bool = False,
        explicit: dict[str, Any] | None = None, engine: Engine | None = None,
        progress: Progress = quiet, lock_timeout: float = LOCK_TIMEOUT,
        on_wait: Callable[[str], None] | None = None) -> tuple[AddReport, list]:
    """Add the documents under ``paths`` to the library ``db`` (one transaction).

    ``explicit`` holds index parameters the user named; one that differs from
    the library's is refused rather than mixed in. Documents are read on
    ``engine`` as for ``build``. The write waits up to ``lock_timeout``
    seconds for another writer (``on_wait`` hears that it waits).
    """
    with open_library(db, sidecar=sidecar, write=True, lock_timeout=lock_timeout, on_wait=on_wait) as library:
        settings = library.settings(settings, **(explicit or {}))
        return _add(library, paths, settings, prefix=prefix, replace=replace, engine=engine, progress=progress)


def remove(names: Sequence[str], db: str | os.PathLike, *, sidecar: str | os.PathLike | None = None,
           lock_timeout: float = LOCK_TIMEOUT, on_wait: Callable[[str], None] | None = None) -> list[str]:
    """Remove documents from the library by name (one transaction).

    A name is taken as a report or ``reuse index list`` shows it, or as the
    file's own name: one that is not UTF-8 (``caf\\xe9.txt`` on screen,
    the bytes ``caf\\xe9`` from the shell) names the same document either way.
    """
    names = [label(name) for name in names]
    with open_library(db, sidecar=sidecar, write=True, lock_timeout=lock_timeout, on_wait=on_wait) as library:
        return writing.remove(library, names, library.settings())


def check_documents(drafts: Sequence[Document], db: str | os.PathLike, settings: Settings | None = None, *,
                    sidecar: str | os.PathLike | None = None, max_sources: int = 20,
                    explicit: dict[str, Any] | None = None):
    """Check each draft against the library; one ``CheckReport`` per draft."""
    with open_library(db, sidecar=sidecar) as library:
        settings = library.settings(settings, **(explicit or {}))
        return [check(library, d, settings, max_sources=max_sources) for d in drafts]


def compare_documents(a: Document, b: Document, db: str | os.PathLike, settings: Settings | None = None, *,
                      sidecar: str | os.PathLike | None = None):
    """Two documents side by side, with what is common stock and template as the library ``db`` says."""
    with open_library(db, sidecar=sidecar) as library:
        return compare(library, a, b, library.settings(settings))


def check_paths(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None,
                **options: Any):
    """Read the drafts under ``paths`` and check each against the library."""
    settings = settings or Settings()
    documents, _ = ingest([str(p) for p in paths], extensions=settings.extensions, encoding=settings.encoding)
    return check_documents(documents, db, settings, **options)

