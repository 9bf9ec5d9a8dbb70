"""The file-format readers: one file's bytes as text, one module per format.

``read(data, fmt)`` turns the bytes of a file into the text a Document
holds; every offset in a report refers to that text. A file that cannot
become text raises ``Unreadable`` with a one-line reason that names the fix,
and the scan goes on without it.
"""

from __future__ import annotations

import os

from reuse.readers.common import FileText, Unreadable, sniff
from reuse.readers.docx import read_docx
from reuse.readers.html import read_html
from reuse.readers.pdf import read_pdf
from reuse.readers.text import read_text

__all__ = ["EXTENSIONS", "FORMATS", "FileText", "Unreadable", "format_of", "read", "sniff"]

FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
"""File extension -> format; files of other extensions are read as text only when named directly."""

EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".docx", ".html", ".htm", ".pdf")
"""The extensions a folder scan picks up by default."""


def format_of(path: str | os.PathLike) -> str:
    """The format a file is read as, from its extension (text when unknown).

    >>> format_of("a/b.DOCX"), format_of("notes.md"), format_of("README")
    ('docx', 'text', 'text')
    """
    return FORMATS.get(os.path.splitext(os.fspath(path))[1].lower(), "text")


def read(data: bytes, fmt: str, *, encoding: str | None = None) -> FileText:
    """The text of a file's bytes read as ``fmt``.

    Args:
        data: the whole file.
        fmt: a value of FORMATS.
        encoding: force this codec for text and HTML instead of detecting it.

    Raises:
        Unreadable: with the reason, e.g. "binary file" or a missing extra.
    """
    if fmt == "docx":
        return read_docx(data)
    if fmt == "html":
        return read_html(data, encoding=encoding)
    if fmt == "pdf":
        return read_pdf(data)
    return read_text(data, encoding=encoding)
