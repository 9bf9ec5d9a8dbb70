"""Reading one file's bytes as text: one module per format.

``extract(data, fmt)`` turns the bytes of a file into the text a Document
holds; every offset in a report refers to that text. A file that cannot
become text raises ``Unreadable`` with a one-line reason that names the fix,
and the scan goes on without it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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


class Unreadable(Exception):
    """A file that cannot become a document; the message is the reason, one line."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """The text of one file and how it was read.

    Attributes:
        text: what the Document holds; offsets refer to it.
        encoding: the codec that decoded the bytes ("utf-8", "gb18030", ...),
            or the container's own ("docx" text is always UTF-8 XML).
        format: "text", "docx", "html" or "pdf".
    """

    text: str
    encoding: str
    format: str


def format_of(path: str | os.PathLike) -> str:
    """The format a file is read as, from its extension (text when unknown).

    >>> format_of("a/b.DOCX"), format_of("notes.md"), format_of("README")
    ('docx', 'text', 'text')
    """
    return FORMATS.get(os.path.splitext(os.fspath(path))[1].lower(), "text")


def extract(data: bytes, fmt: str, *, encoding: str | None = None) -> Extracted:
    """The text of a file's bytes read as ``fmt``.

    Args:
        data: the whole file.
        fmt: a value of FORMATS.
        encoding: force this codec for text and HTML instead of detecting it.

    Raises:
        Unreadable: with the reason, e.g. "binary file" or a missing extra.
    """
    if fmt == "docx":
        from reuse.readers.docx import read_docx

        return read_docx(data)
    if fmt == "html":
        from reuse.readers.html import read_html

        return read_html(data, encoding=encoding)
    if fmt == "pdf":
        from reuse.readers.pdf import read_pdf

        return read_pdf(data)
    from reuse.readers.text import read_text

    return read_text(data, encoding=encoding)


def sniff(data: bytes) -> str | None:
    """What a binary file is, from its first bytes, as a hint for the user.

    >>> sniff(b"%PDF-1.7 ...")
    'looks like a PDF; name it .pdf'
    """
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return "looks like a PDF; name it .pdf"
    if head.startswith(b"PK\x03\x04"):
        return "looks like a zip archive, e.g. a Word file; name it .docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "looks like an old Office file (.doc); save it as .docx"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "looks like an image"
    return None
