"""Two files, no corpus: scan them and write the side-by-side page as one standalone HTML file.

>>> from reuse.compare import compare
>>> result, left, right = compare("seeds/000.txt", "seeds/001.txt")   # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reuse import pipeline
from reuse.config import Settings
from reuse.errors import UsageError
from reuse.model import Result


def _same_file(doc_path: str, given: Path) -> bool:
    try:
        return Path(doc_path).resolve() == given.resolve()
    except (OSError, RuntimeError):
        return Path(doc_path) == given


def compare(a: str | os.PathLike, b: str | os.PathLike, settings: Settings | None = None) -> tuple[Result, str, str]:
    """Scan the two files ``a`` and ``b``; return the result and their document ids, ``a``'s first.

    Raises UsageError when either is a folder or both name the same file,
    and CorpusError (from ingest) when a file cannot be read.
    """
    a, b = Path(a), Path(b)
    for p in (a, b):
        if p.is_dir():
            raise UsageError(f"{p} is a folder; compare takes two files (use `reuse scan {p}` for a folder)")
    result = pipeline.run([str(a), str(b)], settings or Settings())
    ids = {}
    for side, given in (("a", a), ("b", b)):
        for doc in result.documents:
            if doc.id not in ids.values() and _same_file(doc.path, given):
                ids[side] = doc.id
                break
    if len(ids) < 2:
        why = "; ".join(f"{s.path}: {s.reason}" for s in result.skipped) or "they are the same file"
        raise UsageError(f"cannot compare {a} with {b} ({why})")
    return result, ids["a"], ids["b"]


def _stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "-", path.stem).strip("-.")[:60] or "doc"


def default_output(a: str | os.PathLike, b: str | os.PathLike) -> Path:
    """reports/compare/<a>__<b>.html, from the two file names.

    >>> default_output("x/甲.txt", "../y/<b>.txt").as_posix()
    'reports/compare/甲__b.html'
    """
    return Path("reports") / "compare" / f"{_stem(Path(a))}__{_stem(Path(b))}.html"
