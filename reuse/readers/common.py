"""What every reader shares: the text it returns, the error it raises, a guess at what binary data is."""

from __future__ import annotations

from dataclasses import dataclass


class Unreadable(Exception):
    """A file that cannot become a document; the message is the reason, one line."""


@dataclass(frozen=True, slots=True)
class FileText:
    """The text of one file and how it was read.

    Attributes:
        text: what the Document holds; offsets refer to it.
        encoding: the codec that decoded the bytes ("utf-8", "gb18030", ...),
            or the container's own ("docx" text is always UTF-8 XML).
        format: "text", "docx", "html" or "pdf".
        date: when the document says it was written (YYYY-MM-DD), from its
            metadata, or None.
    """

    text: str
    encoding: str
    format: str
    date: str | None = None


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
