"""Template families over a library: the hook that keeps them current as documents come and go.

The library keeps two tables for them:

* ``templates (id, kind, text, doc_count)``: one row per family;
* ``template_members (template, doc, start, end)``: where each family occurs,
  as original-text offsets of a library document (``doc`` is its row id).

``refresh_templates`` runs inside every ``index add``/``index remove``
transaction, after the documents' rows are written, and hands over to
``reuse.library.templates.update_library(library, added, removed)``, which
computes the families a scan of the library would find and keeps its own
``tmpl_*`` tables so that a change recomputes only what it touches.

The contract for ``update_library``:

* ``library`` is the open ``reuse.library.store.Library``; read documents with
  ``library.documents(ids)`` and exact shared shingles through the postings
  index; ``library.batch`` holds the write's settings and the added
  documents' features, and for a new library what ``prepare_templates``
  computed from them beside the write. Write families with
  ``put_family``/``drop_family`` below (never COMMIT: the caller's
  transaction does).
* ``added`` and ``removed`` are document row ids; the removed documents' rows
  and family members are already deleted, and families left without members
  are dropped.
* It must cost the added documents, not the library: look up what they share
  through the postings index instead of rescanning everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reuse.config import Settings
    from reuse.features import Features
    from reuse.library.store import Library
    from reuse.model import Document


def refresh_templates(library: "Library", added: list[int], removed: list[int]) -> None:
    """Bring the library's template families up to date (``reuse.library.templates.update_library``)."""
    from reuse.library.templates import update_library

    update_library(library, added, removed)


def prepare_templates(documents: Sequence["Document"], features: Sequence["Features"], ids: Sequence[int],
                      settings: "Settings") -> Any:
    """What ``refresh_templates`` can compute from a batch alone, while its rows are written
    (``reuse.library.templates.prepare``: the families of a new library)."""
    from reuse.library.templates import prepare

    return prepare(documents, features, ids, settings)


def put_family(library: "Library", family: str, kind: str, text: str,
               members: Iterable[tuple[int, int, int]]) -> None:
    """Create or replace one family and its members ``(doc id, start, end)``.

    Only the rows that change are written: a family of thousands of members
    that gains one costs one row, not thousands (and as many pages at commit).
    """
    conn = library.conn
    rows = {(d, s, e) for d, s, e in members}
    old = set(conn.execute("SELECT doc, start, end FROM template_members WHERE template = ?", (family,)))
    conn.executemany("DELETE FROM template_members WHERE doc = ? AND start = ? AND end = ? AND template = ?",
                     [(*r, family) for r in sorted(old - rows)])
    conn.executemany("INSERT INTO template_members (template, doc, start, end) VALUES (?, ?, ?, ?)",
                     [(family, *r) for r in sorted(rows - old)])
    row = (kind, text, len({r[0] for r in rows}))
    if conn.execute("SELECT kind, text, doc_count FROM templates WHERE id = ?", (family,)).fetchone() != row:
        conn.execute("INSERT OR REPLACE INTO templates (id, kind, text, doc_count) VALUES (?, ?, ?, ?)",
                     (family, *row))


def drop_family(library: "Library", family: str) -> None:
    """Delete one family and its members."""
    library.conn.execute("DELETE FROM template_members WHERE template = ?", (family,))
    library.conn.execute("DELETE FROM templates WHERE id = ?", (family,))
