"""reuse: find text shared across documents, and tell copying from formula.

>>> import reuse
>>> result = reuse.scan(["seeds"])                      # doctest: +SKIP
>>> result.pairs[0].similarity                          # doctest: +SKIP
>>> [r.copy_ratio for r in reuse.check(["draft.txt"], "library.sqlite")]   # doctest: +SKIP

The public API: ``scan`` and ``check`` here, ``reuse.library`` (build, add,
remove and check against a library), ``reuse.compare`` (two files) and
``reuse.report`` (write a result). They import the stages when called, so
that ``import reuse`` (and ``reuse --help``) need not load numpy and
datasketch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reuse.config import Settings
from reuse.errors import ConfigError, CorpusError, ReuseError, UsageError
from reuse.model import Document, DocumentStats, Pair, Passage, Result, Skipped, Span, Template
from reuse.versions import __version__

__all__ = [
    "ConfigError",
    "CorpusError",
    "Document",
    "DocumentStats",
    "Pair",
    "Passage",
    "Result",
    "ReuseError",
    "Settings",
    "Skipped",
    "Span",
    "Template",
    "UsageError",
    "check",
    "scan",
    "__version__",
]


def scan(paths: Iterable[str], *, settings: Settings | None = None, progress=None, **options: Any) -> Result:
    """Scan a corpus: every passage shared between two documents, with scores.

    Args:
        paths: files and folders (read recursively).
        settings: a full Settings; otherwise ``Settings.load(**options)``
            (config files, ``REUSE_*`` variables, then ``options``).
        progress: optional ``progress(stage, done, total)`` callback.
    """
    from reuse import pipeline

    settings = settings or Settings.load(**options)
    if progress is None:
        return pipeline.run(paths, settings)
    return pipeline.run(paths, settings, progress=progress)


def check(paths: Iterable[str], db: str, *, settings: Settings | None = None, **options: Any) -> list:
    """Check each draft under ``paths`` against the library ``db`` (查重): one ``CheckReport`` per draft.

    Args:
        paths: draft files and folders.
        db: the library file (or ``redis://...`` with ``sidecar=``).
        settings: otherwise ``Settings()``; the library's index parameters always win.
        options: ``sidecar``, ``max_sources``, ``explicit`` of ``reuse.library.check_documents``.
    """
    from reuse import library

    return library.check_paths(list(paths), db, settings, **options)

