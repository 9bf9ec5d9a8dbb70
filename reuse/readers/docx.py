"""Word documents (.docx): body paragraphs and table cells, in document order.

Each paragraph becomes one line; a table gives one line per cell paragraph,
row by row, and nested tables are read where they stand. A merged cell is
one ``w:tc`` element, so its text is read once. Headers, footers, comments
and text boxes are not part of the body and are left out.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from reuse.readers.common import FileText, Unreadable, sniff

MAX_UNPACKED = 1 << 30
"""Largest total unpacked size of a .docx; a zip bomb is refused before it is opened."""
MAX_XML = 1 << 28
"""Largest unpacked XML (256 MB): python-docx parses all of it into a tree, several times its size."""


def read_docx(data: bytes, *, max_unpacked: int = MAX_UNPACKED, max_xml: int = MAX_XML) -> FileText:
    """The text of a .docx file.

    Raises:
        Unreadable: not a zip, not a Word document, or too large unpacked.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            unpacked = sum(i.file_size for i in zf.infolist())
            xml = sum(i.file_size for i in zf.infolist() if i.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        what = sniff(data)
        if what and "zip" in what:
            raise Unreadable(f"damaged .docx file (broken zip archive: {err}); open and re-save it in Word") from err
        if what:
            raise Unreadable(f"not a .docx file: it {what}") from err
        raise Unreadable("not a .docx file (not a zip archive); an old .doc must be saved as .docx") from err
    if "word/document.xml" not in names:
        raise Unreadable("a zip archive, but not a Word document (no word/document.xml)")
    if unpacked > max_unpacked or xml > max_xml:
        raise Unreadable(f"unpacks to {max(unpacked, xml):,} bytes, over the "
                         f"{max_unpacked if unpacked > max_unpacked else max_xml:,} limit (a zip bomb?); not read")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(_lines(document))
        created = document.core_properties.created
    except Exception as err:  # a damaged package can fail anywhere in python-docx or lxml
        raise Unreadable(f"damaged .docx file ({type(err).__name__}: {err}); open and re-save it in Word") from err
    return FileText(text, "utf-8", "docx", created.date().isoformat() if created else None)


def _lines(container) -> Iterator[str]:
    """Paragraph texts of a document or cell, tables expanded in place."""
    from docx.table import Table, _Cell

    # an explicit stack, not recursion: tables can nest
    stack = [iter(container.iter_inner_content())]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, Table):
            cells = (_Cell(tc, item) for tr in item._tbl.tr_lst for tc in tr.tc_lst)
            stack.append(block for cell in cells for block in cell.iter_inner_content())
        else:
            yield item.text
