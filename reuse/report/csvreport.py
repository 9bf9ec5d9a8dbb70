"""CSV for spreadsheets: document text is untrusted, so no cell can run as a formula.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and some also after a leading tab or carriage return): ``=HYPERLINK(...)``
copied from a document would become a live link, or worse, when the 查重 CSV
is opened. Such a cell gets the usual leading ``'``, which spreadsheets show
as text and do not display (OWASP "CSV injection"). JSON output keeps the
exact text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from reuse.model import Result

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cells starting with one of these are read as formulas by Excel, LibreOffice or Google Sheets."""


def neutral(cell: Any) -> Any:
    """``cell`` with a leading ``'`` when a spreadsheet would take it for a formula; numbers stay numbers.

    >>> neutral('=HYPERLINK("http://x", "点击")'), neutral("-1"), neutral("同志们"), neutral(-1)
    ('\\'=HYPERLINK("http://x", "点击")', "'-1", '同志们', -1)
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def write_templates(families: Iterable[dict[str, Any]], out: TextIO) -> None:
    """The template families (as report.json has them) as CSV rows: id, kind, doc_count, members, text."""
    _write(out, ["id", "kind", "doc_count", "members", "text"],
           ([t["id"], t["kind"], t["doc_count"], len(t["members"]), t["text"]] for t in families))


def write_phrases(phrases: Iterable[dict[str, Any]], out: TextIO) -> None:
    """The shared phrases (as report.json has them) as CSV rows: id, doc_count, members, text."""
    _write(out, ["id", "doc_count", "members", "text"],
           ([p["id"], p["doc_count"], len(p["members"]), p["text"]] for p in phrases))


def write_pairs(result: Result, out: TextIO) -> None:
    """The pairs with copying, closest first, as CSV rows (pairs.csv of a report folder).

    a and b as report.json has them, with their dates, the similarity and
    shared characters, the copied passages, and which came first when both
    are dated ('a', 'b' or empty).
    """
    dates = {d.id: d.date for d in result.documents}

    def first(a: str, b: str) -> str:
        da, db = dates.get(a), dates.get(b)
        return "" if not da or not db or da == db else ("a" if da < db else "b")

    _write(out, ["a", "b", "a_date", "b_date", "earlier", "similarity", "a_shared_chars", "b_shared_chars", "passages"],
           ([p.a, p.b, dates.get(p.a) or "", dates.get(p.b) or "", first(p.a, p.b), p.similarity, p.a_shared_chars,
             p.b_shared_chars, p.passages] for p in result.pairs))


def _write(out: TextIO, header: list[str], rows: Iterable[list[Any]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    # csv quotes a cell holding the line terminator, not one holding a lone CR, which a reader takes for a row end
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for raw in rows:
        row = [neutral(v) for v in raw]
        (quoted if any(isinstance(v, str) and "\r" in v for v in row) else writer).writerow(row)
