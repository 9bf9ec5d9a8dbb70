"""Stage 1: files to Documents. The only place that reads the corpus from disk.

A document's id is its path relative to the folder it was found in (posix
separators), or its file name when it was named directly. Anything that cannot
be read becomes a ``Skipped`` entry with a one-line reason; the run goes on.
How each file becomes text (format and encoding) is ``reuse.readers``'s job.

Memory stays bounded by the file: one file's bytes are held only until they
are decoded, a file over ``MAX_BYTES`` is never read, and no step copies the
whole text more than once.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reuse import readers, segment
from reuse.dates import date_in
from reuse.errors import CorpusError, SettingError, UsageError
from reuse.model import Document, Skipped
from reuse.normalize import solid
from reuse.readers import EXTENSIONS, Unreadable, format_of
from reuse.readers.text import decode

__all__ = ["EXTENSIONS", "MAX_BYTES", "Found", "Unreadable", "decode", "discover", "document", "ingest", "label",
           "read_bytes", "read_document", "read_many"]

MAX_BYTES = 200 * 2**20
"""Largest file read (200 MB); a larger one is skipped with its size."""
REPORT_MANIFEST = ".reuse-report"
"""The file a report folder reuse wrote holds (``reuse.report``): such a folder is not read as documents."""


@dataclass(frozen=True)
class Found:
    """A file to read, with the id it will have."""

    path: Path
    id: str


def label(path: str | os.PathLike) -> str:
    r"""A path as printable text: undecodable bytes and control characters escaped.

    File names are bytes; one that is not UTF-8, or holds a newline, would
    otherwise break a one-line message or a terminal.

    >>> label("a\nb.txt"), label(os.fsdecode(b"caf\xe9.txt"))
    ('a\\x0ab.txt', 'caf\\xe9.txt')
    """
    text = os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")
    return text.translate(_CONTROLS)


_CONTROLS = {i: f"\\x{i:02x}" for i in (*range(0x20), 0x7F)}


def discover(paths: Iterable[str | os.PathLike], extensions: tuple[str, ...]) -> tuple[list[Found], list[Skipped]]:
    """The files under ``paths``, with unique ids, sorted by id.

    A file named directly is read whatever its extension; in folders only
    ``extensions`` are picked up. Two files that would get the same id keep
    both, the second as ``id~2``; one file named twice is read once.

    Raises UsageError when a path does not exist.
    """
    found: list[Found] = []
    skipped: list[Skipped] = []
    exts = _extensions(extensions)
    for raw in paths:
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise UsageError(f"{label(raw)}: no such file or directory")
        if root.is_dir():
            for path, problem, relative, real in _walk(root):
                if problem:
                    skipped.append(Skipped(label(path), problem))
                elif os.path.splitext(relative)[1].lower() in exts:
                    found.append((path, label(relative), real))
        else:
            found.append((root, label(root.name), None))
    unique: list[Found] = []
    seen: set[str] = set()
    taken: set[str] = set()
    next_n: dict[str, int] = {}
    folders: dict[Path, str] = {}
    for path, first_id, real in found:
        if real is None:
            try:
                real = _resolved(path, folders)
            except (OSError, RuntimeError):
                real = str(path.absolute())
        if real in seen:
            skipped.append(Skipped(label(path), "named twice; read once"))
            continue
        seen.add(real)
        doc_id = first_id
        while doc_id in taken:  # same id from two folders: keep both, visibly
            next_n[first_id] = n = next_n.get(first_id, 1) + 1
            doc_id = f"{first_id}~{n}"
        taken.add(doc_id)
        unique.append(Found(path, doc_id))
    unique.sort(key=lambda f: f.id)
    return unique, skipped


def _resolved(path: Path, folders: dict[Path, str]) -> str:
    """``str(path.resolve())``, each folder resolved once (``folders`` keeps them): a file that is no symlink
    is its resolved folder and its name."""
    if path.is_symlink() or path.name in ("", ".", ".."):
        return str(path.resolve())
    parent = path.parent
    if parent not in folders:
        folders[parent] = str(parent.resolve())
    return os.path.join(folders[parent], path.name)


def _extensions(extensions: Iterable[str]) -> frozenset[str]:
    """Extensions as ".ext", lower case, whether given as "txt" or ".TXT"."""
    return frozenset(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions if e)


def _walk(root: Path) -> Iterator[tuple[Path, str | None, str, str | None]]:
    """Files under root in a stable order, following symlinks but never in a loop.

    Yields ``(path, None, relative, real)`` for each file, with its path
    relative to ``root`` in ``/`` form and ``str(path.resolve())`` when the
    folder's listing tells it (a file that is no symlink: its folder, resolved
    once, and its name), else None; and ``(path, reason, "", None)`` for
    what cannot be read: a folder that cannot be listed, a folder already
    read through a symlink, a report folder. Hidden files and folders (a
    leading dot) are passed over.

    The walk keeps its own stack (``os.walk`` recurses, once per level, in
    Python 3.11), so a tree nested thousands of folders deep is read like
    any other; the order is ``os.walk``'s, top down, names sorted.
    """
    visited: set[tuple[int, int]] = set()
    stack = [(root, "")]  # each folder with its path relative to root, as a prefix
    while stack:
        here, prefix = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError as err:
            yield Path(err.filename) if err.filename else here, f"cannot list folder: {_why(err)}", "", None
            continue
        try:
            st = here.stat()
        except OSError as err:
            yield here, f"cannot read folder: {_why(err)}", "", None
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:
            yield here, "symlink loop: this folder was already read", "", None
            continue
        visited.add(key)
        dirnames, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows symlinks, as os.walk(followlinks=True) does
            except OSError:
                is_dir = False
            if is_dir:
                dirnames.append(entry.name)
            else:
                files.append((entry.name, entry))
        if any(name == REPORT_MANIFEST for name, _ in files):
            # a report reuse wrote (reports/ inside the corpus): its pages are not documents
            yield here, "a reuse report folder; not read", "", None
            continue
        try:
            real_here: str | None = str(here.resolve())
        except (OSError, RuntimeError):
            real_here = None  # each file's own resolution says what is wrong
        for name, entry in sorted(files):
            if not name.startswith("."):
                # the listing knows a symlink without asking (which resolves on its own)
                real = os.path.join(real_here, name) if real_here is not None and not _is_symlink(entry) else None
                yield here / name, None, prefix + name, real
        # pushed last first, so the first name is walked next (depth first, as os.walk goes)
        stack.extend((here / d, f"{prefix}{d}/")
                     for d in sorted((d for d in dirnames if not d.startswith(".")), reverse=True))


def _is_symlink(entry: os.DirEntry) -> bool:
    """Whether a listed file is a symlink, True when that cannot be told (it is then resolved on its own)."""
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _why(err: OSError) -> str:
    """The reason an OSError gives, with the fix when there is an obvious one."""
    if err.errno == errno.ELOOP:
        return "symlink loop; remove or fix the link"
    if err.errno == errno.ENOENT:
        return "broken symlink or file removed during the scan"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; check the file's permissions"
    return err.strerror or str(err)


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Raises:
        Unreadable: not a regular file (a FIFO would block forever), too
            large, or an OS error (permission, symlink loop, ...).
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise Unreadable("is a folder")
            if not stat.S_ISREG(st.st_mode):
                raise Unreadable("not a regular file (a device, FIFO or socket); not read")
            if st.st_size > max_bytes:
                raise Unreadable(f"too large ({_size(st.st_size)}, over the {_size(max_bytes)} limit); split it")
            # read(n) allocates n bytes up front: ask for the file's size, not the limit
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:  # growing as we read, or a /proc-like file: read on, to the limit
                parts = [data]
                total = len(data)
                while total <= max_bytes:
                    chunk = fh.read(min(1 << 20, max_bytes + 1 - total))
                    if not chunk:
                        break
                    parts.append(chunk)
                    total += len(chunk)
                data = b"".join(parts)
    except IsADirectoryError as err:
        raise Unreadable("is a folder") from err
    except OSError as err:
        raise Unreadable(f"cannot read: {_why(err)}") from err
    if len(data) > max_bytes:
        raise Unreadable(f"too large (over the {_size(max_bytes)} limit); split it")
    return data


def _size(n: int) -> str:
    """A byte count for people.

    >>> _size(200 * 2**20), _size(4096), _size(10)
    ('200 MB', '4 KB', '10 bytes')
    """
    if n >= 2**20:
        return f"{n / 2**20:,.0f} MB"
    return f"{n / 2**10:,.0f} KB" if n >= 2**10 else f"{n} bytes"


def document(text: str, id: str, *, path: str | None = None, encoding: str = "utf-8",
             format: str = "text", date: str | None = None) -> Document:
    """A Document from text in memory: paragraphs, sentences and character count.

    >>> d = document("同志们：\\n今天开会。", "a.txt")
    >>> d.chars, len(d.paragraphs), len(d.sentences)
    (9, 2, 2)
    """
    got = _Text(text, id, path if path is not None else id, encoding, format, date)
    return _document(got, segment.segmented([text])[0])


@dataclass(frozen=True)
class _Text:
    """A file's text and what is known of it, before it is cut into paragraphs and sentences."""

    text: str
    id: str
    path: str
    encoding: str
    format: str
    date: str | None


def _document(got: _Text, cuts: tuple[list, list]) -> Document:
    paras, sentences = cuts
    return Document(id=got.id, path=got.path, text=got.text, encoding=got.encoding, chars=_solid_count(got.text),
                    paragraphs=tuple(paras), sentences=tuple(sentences), format=got.format, date=got.date)


def _solid_count(text: str, chunk: int = 1 << 20) -> int:
    """Characters that are not whitespace, counted a megabyte at a time (solid() makes 5 bytes per char)."""
    return sum(int(np.count_nonzero(solid(text[i:i + chunk]))) for i in range(0, len(text), chunk))


def read_document(found: Found, *, encoding: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """One file as a Document; raises Unreadable with the reason."""
    got = _read_text(found, encoding=encoding, max_bytes=max_bytes)
    return _document(got, segment.segmented([got.text])[0])


def read_many(items: list[Found], *, encoding: str | None = None,
              max_bytes: int = MAX_BYTES) -> list[tuple[Document | None, Skipped | None]]:
    """``[read_or_skip(item) for item in items]``, every text cut into paragraphs and sentences at once."""
    got: list[_Text | Skipped] = []
    for item in items:
        try:
            got.append(_read_text(item, encoding=encoding, max_bytes=max_bytes))
        except Unreadable as why:
            got.append(Skipped(label(item.path), str(why)))
    cuts = iter(segment.segmented([g.text for g in got if isinstance(g, _Text)]))
    return [(_document(g, next(cuts)), None) if isinstance(g, _Text) else (None, g) for g in got]


def _read_text(found: Found, *, encoding: str | None, max_bytes: int) -> _Text:
    """One file's text; raises Unreadable with the reason."""
    data = read_bytes(found.path, max_bytes=max_bytes)
    if not data or data.isspace():
        raise Unreadable("empty file" if not data else "empty file (only whitespace)")
    fmt = format_of(found.path)
    got = readers.read(data, fmt, encoding=encoding)
    del data  # the bytes are not needed past here; free them before segmenting
    if not got.text or got.text.isspace():
        raise Unreadable(_NO_TEXT.get(got.format, "no text in it"))
    # the file's own name says when it was written more often than its metadata does
    when = date_in(os.path.basename(found.id)) or got.date
    return _Text(got.text, found.id, label(found.path), got.encoding, got.format, when)


_NO_TEXT = {
    "text": "no text (only whitespace)",
    "docx": "no text: the Word document has no paragraph or table text",
    "html": "no visible text (only markup, scripts or styles)",
    "pdf": "no text layer (a scanned PDF?); run OCR on it first",
}


def ingest(paths: Iterable[str | os.PathLike], *, extensions: tuple[str, ...] = EXTENSIONS,
           encoding: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[list[Document], list[Skipped]]:
    """Read every document under ``paths``.

    Args:
        paths: files and folders (read recursively).
        extensions: which files in folders to read.
        encoding: force this codec for text and HTML files instead of detecting.
        max_bytes: skip files larger than this.

    Returns:
        The documents, sorted by id, and what was skipped with the reason.

    Raises:
        UsageError: a path does not exist.
        SettingError: ``encoding`` is not a text encoding Python knows.
        CorpusError: nothing readable was found.
    """
    paths = list(paths)
    check_encoding(encoding)
    found, skipped = discover(paths, extensions)
    documents: list[Document] = []
    for item in found:
        doc, why = read_or_skip(item, encoding=encoding, max_bytes=max_bytes)
        if doc is not None:
            documents.append(doc)
        else:
            skipped.append(why)
    return documents, settle(paths, extensions, documents, skipped)


def check_encoding(encoding: str | None) -> None:
    """Raise SettingError when ``encoding`` is not a text encoding Python knows.

    Codecs such as rot13, hex or zlib are known but turn text into text or
    bytes into bytes; they cannot decode a file.

    >>> check_encoding("gb18030")
    >>> check_encoding("rot13")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    reuse.errors.SettingError: --encoding rot13 is not a text encoding ...
    """
    if not encoding:
        return
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise SettingError(f"unknown encoding {encoding!r} in --encoding; use a Python codec name such as "
                           "utf-8, gb18030, big5 or utf-16") from None
    if not getattr(info, "_is_text_encoding", True):
        raise SettingError(f"--encoding {encoding} is not a text encoding (it does not decode bytes to text); "
                           "use a text encoding such as utf-8, gb18030, big5 or utf-16")


def read_or_skip(item: Found, *, encoding: str | None = None,
                 max_bytes: int = MAX_BYTES) -> tuple[Document | None, Skipped | None]:
    """The document of one file, or why it was skipped."""
    try:
        return read_document(item, encoding=encoding, max_bytes=max_bytes), None
    except Unreadable as why:
        return None, Skipped(label(item.path), str(why))


def settle(paths: list, extensions: Iterable[str], documents: list[Document], skipped: list[Skipped]) -> list[Skipped]:
    """The skipped list in order; CorpusError when nothing at all was readable."""
    skipped = sorted(skipped, key=lambda s: s.path)
    if not documents:
        detail = "\n".join(f"  skipped {s.path}: {s.reason}" for s in skipped) or None
        raise CorpusError(_nothing_read(paths, extensions, skipped), detail=detail)
    return skipped


def _nothing_read(paths: list, extensions: Iterable[str], skipped: list[Skipped]) -> str:
    where = ", ".join(label(p) for p in paths)
    if not skipped:
        return (f"no readable documents in {where}: no {', '.join(sorted(_extensions(extensions)))} files there; "
                "name files directly or set extensions")
    shown = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:3])
    more = f"; and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f"no readable documents in {where} ({len(skipped)} skipped: {shown}{more})"
