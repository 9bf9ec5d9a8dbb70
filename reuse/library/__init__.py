"""A persistent reference library: index a corpus once, check new drafts against it (查重).

>>> from reuse.library import build, check_paths                      # doctest: +SKIP
>>> build(["seeds"], "library.sqlite")                                 # doctest: +SKIP
>>> [r.total_ratio for r in check_paths(["draft.txt"], "library.sqlite")]   # doctest: +SKIP

``db`` is a file path (one SQLite file holds everything) or a
``redis://host:port/N`` URL: then the LSH band buckets live in Redis through
datasketch's own ``storage_config`` and everything else (documents, units,
signatures, shingle postings) in the SQLite file named by ``sidecar``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from reuse.config import Settings
from reuse.errors import UsageError
from reuse.ingest import ingest
from reuse.library.hooks import refresh_templates
from reuse.library.store import AddReport, Library
from reuse.model import Document

__all__ = ["AddReport", "Library", "add", "build", "check_documents", "check_paths", "is_redis", "open_library",
           "remove"]


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
                 create: Settings | None = None):
    """Open the library ``db``; given ``create`` settings, a context manager building a new one instead."""
    path = _sidecar(db, sidecar)
    bands = None
    extra: dict[str, str] = {}
    if is_redis(db):
        from reuse.library import redis_store

        bands = redis_store.band_factory(str(db))
        extra = redis_store.meta_for(str(db))
    elif sidecar is not None:
        raise UsageError("--sidecar goes with --db redis://host:port/N; a file --db holds everything itself")
    if create is not None:
        return Library.building(path, create, extra_meta=extra, bands=bands)
    library = Library.open(path, bands=bands)
    if is_redis(db):
        from reuse.library import redis_store

        redis_store.require_same(library, str(db))
    elif "redis" in library.meta:
        raise UsageError(f"{path} is the sidecar of the Redis library {library.meta['redis']}; "
                         f"pass --db {library.meta['redis']} --sidecar {path}")
    return library


def _read(paths: Iterable[str | os.PathLike], settings: Settings, prefix: str) -> tuple[list[Document], list]:
    documents, skipped = ingest([str(p) for p in paths], extensions=settings.extensions, encoding=settings.encoding)
    if prefix:
        documents = [Document(prefix + d.id, d.path, d.text, d.encoding, d.chars, d.paragraphs, d.sentences, d.format)
                     for d in documents]
    return documents, skipped


def build(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None, *,
          sidecar: str | os.PathLike | None = None, prefix: str = "") -> tuple[AddReport, list]:
    """Create the library ``db`` from the documents under ``paths`` (one transaction)."""
    settings = settings or Settings()
    documents, skipped = _read(paths, settings, prefix)
    with open_library(db, sidecar=sidecar, create=settings) as library:
        return library.add(documents, library.settings(settings), hook=refresh_templates), skipped


def add(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None, *,
        sidecar: str | os.PathLike | None = None, prefix: str = "", replace: bool = False,
        explicit: dict[str, Any] | None = None) -> tuple[AddReport, list]:
    """Add the documents under ``paths`` to the library ``db`` (one transaction).

    ``explicit`` holds index parameters the user named; one that differs from
    the library's is refused rather than mixed in.
    """
    with open_library(db, sidecar=sidecar) as library:
        settings = library.settings(settings, **(explicit or {}))
        documents, skipped = _read(paths, settings, prefix)
        return library.add(documents, settings, replace=replace, hook=refresh_templates), skipped


def remove(names: Sequence[str], db: str | os.PathLike, *, sidecar: str | os.PathLike | None = None) -> list[str]:
    """Remove documents from the library by name (one transaction)."""
    with open_library(db, sidecar=sidecar) as library:
        return library.remove(names, library.settings(), hook=refresh_templates)


def check_documents(drafts: Sequence[Document], db: str | os.PathLike, settings: Settings | None = None, *,
                    sidecar: str | os.PathLike | None = None, max_sources: int = 20,
                    explicit: dict[str, Any] | None = None):
    """Check each draft against the library; one ``CheckReport`` per draft."""
    from reuse.library.check import check

    with open_library(db, sidecar=sidecar) as library:
        settings = library.settings(settings, **(explicit or {}))
        return [check(library, d, settings, max_sources=max_sources) for d in drafts]


def check_paths(paths: Sequence[str | os.PathLike], db: str | os.PathLike, settings: Settings | None = None,
                **options: Any):
    """Read the drafts under ``paths`` and check each against the library."""
    settings = settings or Settings()
    documents, _ = ingest([str(p) for p in paths], extensions=settings.extensions, encoding=settings.encoding)
    return check_documents(documents, db, settings, **options)
