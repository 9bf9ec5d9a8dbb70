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
from reuse.errors import OutputError, UsageError
from reuse.model import Document, Result


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


def read_pair(a: str | os.PathLike, b: str | os.PathLike, settings: Settings) -> tuple[tuple[Document, Document], list]:
    """The two files as documents, ``a``'s first, with distinct ids (for a comparison against a library)."""
    from reuse.ingest import ingest

    a, b = Path(a), Path(b)
    for p in (a, b):
        if p.is_dir():
            raise UsageError(f"{p} is a folder; compare takes two files (use `reuse scan {p}` for a folder)")
    documents, skipped = ingest([str(a), str(b)], extensions=settings.extensions, encoding=settings.encoding)
    found = {}
    for side, given in (("a", a), ("b", b)):
        for doc in documents:
            if doc.id not in [d.id for d in found.values()] and _same_file(doc.path, given):
                found[side] = doc
                break
    if len(found) < 2:
        why = "; ".join(f"{s.path}: {s.reason}" for s in skipped) or "they are the same file"
        raise UsageError(f"cannot compare {a} with {b} ({why})")
    return (found["a"], found["b"]), skipped


def _stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "-", path.stem).strip("-.")[:60] or "doc"


def default_output(a: str | os.PathLike, b: str | os.PathLike) -> Path:
    """reports/compare/<a>__<b>.html, from the two file names.

    >>> default_output("x/甲.txt", "../y/<b>.txt").as_posix()
    'reports/compare/甲__b.html'
    """
    return Path("reports") / "compare" / f"{_stem(Path(a))}__{_stem(Path(b))}.html"


GENERATOR = b'<meta name="generator" content="reuse '
"""Every page reuse writes says so in its head (base.html): how a page of ours is told from the user's file."""


def written_by_reuse(path: str | os.PathLike) -> bool:
    """Whether the file ``path`` is an HTML page reuse wrote (its head names reuse as the generator)."""
    try:
        with open(path, "rb") as fh:
            return GENERATOR in fh.read(4096)
    except OSError:
        return False


def _same(path: Path, other: Path) -> bool:
    """Whether the two name one file: the same path once symlinks are followed, or the same inode (a hard link)."""
    try:
        if os.path.realpath(path) == os.path.realpath(other):
            return True
        return path.exists() and other.exists() and os.path.samefile(path, other)
    except OSError:
        return False


def output_for(a: str | os.PathLike, b: str | os.PathLike, output: str | os.PathLike | None = None, *,
               force: bool = False) -> Path:
    """The file ``reuse compare a b -o output`` may write, decided before anything is read.

    Without ``output``, ``default_output(a, b)`` (its folder is created).
    Refused without ``force``: an output that is a folder (with it, the page
    goes inside, under the default name) or an existing file reuse did not
    write. Refused always: a file that is ``a`` or ``b`` (through a symlink
    or a hard link too), and a folder that does not exist.

    Raises:
        OutputError: with the reason and the fix.
    """
    inputs = (Path(a), Path(b))
    if output is None:
        target = default_output(a, b)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"cannot create {target.parent}: {err.strerror or err}; choose a file with -o") from err
    else:
        target = Path(output)
        if target.is_dir():
            inside = target / default_output(a, b).name
            if not force:
                raise OutputError(f"{_label(target)} is a folder; give -o a file name, e.g. -o {_label(inside)} "
                                  f"(or pass --force to write {_label(inside)})")
            target = inside
    for given in inputs:
        if _same(target, given):
            raise OutputError(f"{_label(target)} is the input {_label(given)}; compare never writes over a file it "
                              "compares; choose another file with -o")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {_label(target)}: the folder {_label(target.parent)} does not exist; "
                          "create it first or choose another -o")
    if target.is_dir():
        raise OutputError(f"{_label(target)} is a folder; choose another file with -o")
    if (target.exists() or target.is_symlink()) and not force and not written_by_reuse(target):
        raise OutputError(f"{_label(target)} exists and was not written by reuse; choose another file with -o, "
                          "or pass --force to replace it")
    return target


def _label(path: Path) -> str:
    from reuse.ingest import label

    return label(path)
