"""Stage 1: files to Documents. The only place that reads the corpus from disk.

A document's id is its path relative to the folder it was found in (posix
separators), or its file name when it was named directly. Anything that cannot
be read becomes a ``Skipped`` entry with a reason; the run goes on.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reuse import segment
from reuse.errors import CorpusError, UsageError
from reuse.model import Document, Skipped
from reuse.normalize import solid


class Unreadable(Exception):
    """A file that cannot become a document; the message is the reason."""


@dataclass(frozen=True)
class Found:
    """A file to read, with the id it will have."""

    path: Path
    id: str


def discover(paths: Iterable[str | os.PathLike], extensions: tuple[str, ...]) -> tuple[list[Found], list[Skipped]]:
    """The files under ``paths``, with unique ids, sorted by id.

    Raises UsageError when a path does not exist.
    """
    found: list[Found] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    exts = tuple(e.lower() for e in extensions)
    for raw in paths:
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise UsageError(f"{raw}: no such file or directory")
        if root.is_dir():
            for path, problem in _walk(root):
                if problem:
                    skipped.append(Skipped(path.as_posix(), problem))
                elif path.suffix.lower() in exts:
                    found.append(Found(path, path.relative_to(root).as_posix()))
        elif root.suffix.lower() in exts or root.is_file():
            found.append(Found(root, root.name))
        else:
            skipped.append(Skipped(root.as_posix(), "not a regular file"))
    unique: list[Found] = []
    taken: set[str] = set()
    for item in found:
        try:
            real = item.path.resolve()
        except (OSError, RuntimeError):
            real = item.path.absolute()
        if real in seen:
            skipped.append(Skipped(item.path.as_posix(), "given twice; read once"))
            continue
        seen.add(real)
        doc_id, n = item.id, 1
        while doc_id in taken:  # same id from two folders: keep both, visibly
            n += 1
            doc_id = f"{item.id}~{n}"
        taken.add(doc_id)
        unique.append(Found(item.path, doc_id))
    unique.sort(key=lambda f: f.id)
    return unique, skipped


def _walk(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Files under root in a stable order, following symlinks but never in a loop."""
    visited: set[tuple[int, int]] = set()

    def onerror(err: OSError) -> None:
        problems.append((Path(err.filename or root), f"cannot list folder: {err.strerror or err}"))

    problems: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        here = Path(dirpath)
        try:
            st = here.stat()
            key = (st.st_dev, st.st_ino)
        except OSError as err:
            yield here, f"cannot read folder: {err.strerror}"
            dirnames[:] = []
            continue
        if key in visited:
            yield here, "symlink loop; folder already read"
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if path.is_symlink() and not path.exists():
                yield path, "broken or looping symlink"
            else:
                yield path, None
        while problems:
            yield problems.pop(0)
    while problems:
        yield problems.pop(0)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes to text: a BOM, else strict UTF-8, else GB18030.

    >>> decode("党".encode("gb18030"))
    ('党', 'gb18030')
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise Unreadable(f"not {encoding}: {err}") from err
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as err:
                raise Unreadable(f"broken {name} text after a byte-order mark ({err.reason})") from err
    if b"\x00" in data[:65536]:
        raise Unreadable("binary file (NUL bytes)")
    for name in ("utf-8", "gb18030"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise Unreadable("neither UTF-8 nor GB18030; pass --encoding")


def read_document(found: Found, *, encoding: str | None = None) -> Document:
    """One file as a Document; raises Unreadable with the reason."""
    try:
        data = found.path.read_bytes()
    except IsADirectoryError as err:
        raise Unreadable("is a folder") from err
    except OSError as err:
        raise Unreadable(f"cannot read: {err.strerror or err}") from err
    if not data.strip():
        raise Unreadable("empty file")
    text, used = decode(data, encoding)
    if not text.strip():
        raise Unreadable("no text")
    paras = segment.paragraphs(text)
    return Document(
        id=found.id,
        path=found.path.as_posix(),
        text=text,
        encoding=used,
        chars=int(np.count_nonzero(solid(text))),
        paragraphs=tuple(paras),
        sentences=tuple(segment.sentences(text, paras)),
    )


def ingest(paths: Iterable[str | os.PathLike], *, extensions: tuple[str, ...] = (".txt", ".md"),
           encoding: str | None = None) -> tuple[list[Document], list[Skipped]]:
    """Read every document under ``paths``.

    Raises UsageError for a path that does not exist and CorpusError when
    nothing readable was found.
    """
    found, skipped = discover(paths, extensions)
    documents: list[Document] = []
    for item in found:
        try:
            documents.append(read_document(item, encoding=encoding))
        except Unreadable as why:
            skipped.append(Skipped(item.path.as_posix(), str(why)))
    if not documents:
        where = ", ".join(str(p) for p in paths)
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3])
        hint = f" ({reasons})" if reasons else f" (looked for {', '.join(extensions)} files)"
        raise CorpusError(f"no readable documents in {where}{hint}")
    skipped.sort(key=lambda s: s.path)
    return documents, skipped
