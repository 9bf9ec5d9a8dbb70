"""PDF: the text layer of each page, pages separated by a blank line.

Needs the optional extra ``reuse-detector[pdf]`` (pypdf). Without it, PDFs
are skipped with a reason that names the install command. A scanned PDF has
no text layer; it is skipped as having no text (OCR it first).
"""

from __future__ import annotations

import io
import logging

from reuse.readers.common import FileText, Unreadable

INSTALL = "pip install 'reuse-detector[pdf]'"


def read_pdf(data: bytes) -> FileText:
    """The text layer of a PDF file.

    Raises:
        Unreadable: pypdf missing, encrypted, or damaged.
    """
    try:
        import pypdf
    except ImportError as err:
        raise Unreadable(f"reading PDF needs pypdf: {INSTALL}") from err
    # pypdf logs every damaged object it works around; the reason we give is enough
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except Exception as err:  # pypdf raises many kinds on damaged files
        if type(err).__name__ == "DependencyError":
            raise Unreadable(f"encrypted PDF that needs the cryptography package ({err}); "
                             "pip install cryptography, or save an unprotected copy") from err
        raise Unreadable(f"damaged PDF ({type(err).__name__}: {err}); re-save or print it to PDF again") from err
    return FileText("\n\n".join(p.strip("\n") for p in pages), "text layer", "pdf")
