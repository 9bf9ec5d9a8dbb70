"""Template families over a library, kept current as documents come and go: the library's families maintainer.

The families are the ones ``reuse scan`` would find in the library's
documents: the candidates are found by the steps of ``reuse.tiers.families``
(recurring text whose long shingles, ``2k`` tokens, are in at least
``min_docs`` documents, grouped by the shingles its pieces share; short lines;
watermark lines), and every rule of what a family is comes from there too
(``kept``, ``described``, ``order_key``, the ids, ``candidate_lines``,
``min_docs_for`` of the library's size and ``--min-docs``): this module only
keeps the candidates in tables and decides which of them a change touches.
A check reads them back to tell formula from copying (``draft_families``).

As a maintainer (``reuse.library.writing``) it has ``SCHEMA``, ``prepare``,
``update`` and ``stats``.

The families themselves are two tables:

* ``templates (id, kind, text, doc_count)``: one row per family;
* ``template_members (template, doc, start, end)``: where each family occurs,
  as original-text offsets of a library document (``doc`` is its row id).

What a scan keeps in memory, the library keeps in tables, so that an
``index add`` recomputes only what the added documents touch:

* ``tmpl_docs (doc, name, length)``: every document processed;
* ``tmpl_df (hash, df)``: the frequent long shingles and their document
  frequency (a frequent shingle always lies inside a piece);
* ``tmpl_pieces (doc, lo, hi, start, end, comp)``: token ranges covered by
  frequent shingles, with their original offsets and their component (the
  family they belong to, whether or not it is kept: ``r<doc>.<lo>`` of its
  first piece);
* ``tmpl_piece_hashes (doc, lo, hash)``: every long shingle inside each piece
  (pieces sharing one are one component);
* ``tmpl_members (doc, start, end, comp, text, folded)``: each component's
  members (pieces of a document joined within ``max_gap``) and their text, as
  is and folded (the most common wording represents the family);
* ``tmpl_shorts (key, doc, start, end, text, position)``: lines too short for
  shingles, by folded text;
* ``tmpl_lines (hash, doc)``: each document's ``candidate_lines``, to know which
  recur (a hint a watermark line needs); ``tmpl_marks (key, doc, start, end,
  text)``: each document's watermark lines.

Adding documents (``update``) costs what they touch, not the library:

1. their long shingles already frequent have their count raised; the others
   that could now reach ``min_docs`` (their first ``k``-shingle has that many
   postings) are counted in the shingle postings index, where a long
   shingle is a chain of ``k``-shingles on one diagonal; those that reach it
   make the documents holding them be cut into pieces again (read back by
   folding and tokenizing only);
2. the new pieces join the components they share a shingle with (components
   only merge); components that lost pieces are split again from their
   remaining pieces;
3. the families of the components, short lines and watermark lines touched
   are derived again from the tables: members joined from the stored pieces,
   their texts kept from before, and only rows that change written.

When the library grows so that ``min_docs`` rises, the shingles below it are
dropped (their documents cut again) and the families below it dropped: the
documents near the threshold are the ones recomputed. A removal lowers
counts the same way; one that lowers ``min_docs`` itself recomputes every
family (reading the library back and the templates stage of a scan of it;
``benchmarks/RESULTS.md`` has the cost), since text newly frequent is not
tracked; with the default ``--min-docs`` that is one removal in about twenty
once the library has over 70 documents. So does
a batch of more than a quarter of the library (counting in memory is then
cheaper than through the index), and the first change of a library built
before families were kept. For a new library (a build), the part of that
computed from the documents' features alone (``prepare``) runs in the
process that indexes units while the rows are written.

The result is the same as computing everything anew (``tests/
test_library_templates.py`` checks each step of random sequences of adds and
removes against a build from scratch); what an add costs is measured by
``benchmarks/library_bench.py`` (figures in ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, partial
from typing import Any

import numpy as np

from reuse import arrays
from reuse.config import Settings
from reuse.features import Features, extract, extract_tokens
from reuse.library.store import Library
from reuse.library.writing import Change
from reuse.model import Document, Template
from reuse.normalize import fold_text
from reuse.tiers import families as tier
from reuse.unionfind import components


STATE_KEY = "template_state"
"""Meta key: JSON ``{"version", "min_docs", "max_gap", "threshold"}``; absent until families were computed."""
VERSION = 2
"""2: a component's families are its texts (``families.split_by_anchor``), kept in ``tmpl_families``."""
FULL_SHARE = 0.25
"""A batch of more than this share of the library recomputes every family at once."""

SCHEMA = """
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    doc_count INTEGER NOT NULL
);
CREATE TABLE template_members (
    template TEXT NOT NULL,
    doc INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (doc, start, end, template)
) WITHOUT ROWID;
CREATE INDEX template_members_family ON template_members (template);
"""
"""The families' own tables, created with every library (a maintainer's ``SCHEMA``)."""
WORK_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tmpl_docs (doc INTEGER PRIMARY KEY, name TEXT NOT NULL, length INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tmpl_df (hash INTEGER PRIMARY KEY, df INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tmpl_pieces (doc INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, "
    "start INTEGER NOT NULL, end INTEGER NOT NULL, comp TEXT, PRIMARY KEY (doc, lo)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_pieces_comp ON tmpl_pieces (comp)",
    "CREATE TABLE IF NOT EXISTS tmpl_piece_hashes (doc INTEGER NOT NULL, lo INTEGER NOT NULL, hash INTEGER NOT NULL, "
    "PRIMARY KEY (doc, lo, hash)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_piece_hashes_hash ON tmpl_piece_hashes (hash)",
    "CREATE TABLE IF NOT EXISTS tmpl_members (doc INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, "
    "comp TEXT NOT NULL, text TEXT NOT NULL, folded TEXT NOT NULL, PRIMARY KEY (doc, start, end, comp)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_members_comp ON tmpl_members (comp)",
    "CREATE TABLE IF NOT EXISTS tmpl_shorts (key TEXT NOT NULL, doc INTEGER NOT NULL, start INTEGER NOT NULL, "
    "end INTEGER NOT NULL, text TEXT NOT NULL, position TEXT NOT NULL, "
    "PRIMARY KEY (key, doc, start, end)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_shorts_doc ON tmpl_shorts (doc)",
    "CREATE TABLE IF NOT EXISTS tmpl_lines (hash INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (hash, doc)) "
    "WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_lines_doc ON tmpl_lines (doc)",
    "CREATE TABLE IF NOT EXISTS tmpl_marks (key TEXT NOT NULL, doc INTEGER NOT NULL, start INTEGER NOT NULL, "
    "end INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (key, doc, start, end)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_marks_doc ON tmpl_marks (doc)",
    "CREATE TABLE IF NOT EXISTS tmpl_families (family TEXT PRIMARY KEY, comp TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS tmpl_families_comp ON tmpl_families (comp)",
    "CREATE TABLE IF NOT EXISTS tmpl_piece_families (doc INTEGER NOT NULL, lo INTEGER NOT NULL, family TEXT NOT NULL, "
    "PRIMARY KEY (doc, lo)) WITHOUT ROWID",
)
TABLES = ("tmpl_docs", "tmpl_df", "tmpl_pieces", "tmpl_piece_hashes", "tmpl_members", "tmpl_shorts", "tmpl_lines",
          "tmpl_marks", "tmpl_families", "tmpl_piece_families")


def _signed(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.uint64).view(np.int64)


def _line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little",
                          signed=True)


class _Spans:
    """The ``char_span``/``original_span``/``weight`` of ``Features`` for stored pieces, so ``templates.join``
    runs on them. ``cum`` gives the document's ``Features.cum`` (None where a token weighs one), asked for only
    when a member is too few tokens to be sure of its weight."""

    def __init__(self, cum: Callable[[], np.ndarray | None]) -> None:
        self.start: dict[int, int] = {}
        self.end: dict[int, int] = {}
        self._cum = cum

    def char_span(self, lo: int, hi: int) -> tuple[int, int]:
        return lo, hi

    def original_span(self, lo: int, hi: int) -> tuple[int, int]:
        return self.start[lo], self.end[hi]

    def weight(self, lo: int, hi: int) -> int:
        cum = self._cum()
        return hi - lo if cum is None else int(cum[hi] - cum[lo])


@dataclass
class _Context:
    """One refresh: the open library, the template parameters and the documents read so far."""

    library: Library
    settings: Settings
    max_gap: int
    min_docs_setting: float | None
    threshold: int
    fresh: dict[int, Features]
    texts: dict[int, str]
    docs: dict[int, Document]
    names: dict[int, tuple[str, int]]
    folded: dict[str, str]
    prepared: Prepared | None = None
    """Computed beside the write (``prepare``), used when it matches the library."""

    @property
    def conn(self):
        return self.library.conn

    @property
    def k(self) -> int:
        return self.settings.shingle

    @property
    def min_length(self) -> int:
        return self.settings.min_length

    def document(self, doc: int) -> Document:
        if doc not in self.docs:
            self.docs[doc] = self.library.documents([doc])[doc]
        return self.docs[doc]

    def features(self, doc: int, document: Document | None = None) -> Features:
        """The document's features: extracted by the write in progress, or its folded text and tokens."""
        feat = self.fresh.get(doc)
        if feat is None:
            feat = self.fresh[doc] = extract_tokens(document.text if document else self.text(doc), self.settings)
        return feat

    def cum(self, doc: int) -> np.ndarray | None:
        """The document's ``Features.cum``: of the write in progress, or as stored (None where a token weighs one)."""
        feat = self.fresh.get(doc)
        return feat.cum if feat is not None else self.library.weights([doc]).get(doc)

    def fold(self, text: str) -> str:
        """``fold(text).text``, as ``families.describe`` folds a member (the same lines recur: kept)."""
        if text not in self.folded:
            self.folded[text] = fold_text(text)
        return self.folded[text]

    @cached_property
    def frames(self) -> tier.Frames:
        """Each document's ``families.frame``, as ``families.kept`` asks for them."""
        return tier.Frames(self.text)

    def text(self, doc: int) -> str:
        if doc in self.docs:
            return self.docs[doc].text
        if doc not in self.texts:
            self.texts[doc] = self.library.text(doc)
        return self.texts[doc]


def _state(library: Library) -> dict[str, Any] | None:
    row = library.conn.execute("SELECT value FROM meta WHERE key = ?", (STATE_KEY,)).fetchone()
    if row is None:
        return None
    state = json.loads(row[0])
    return state if state.get("version") == VERSION else None


def _write_state(ctx: _Context) -> None:
    value = json.dumps({"version": VERSION, "min_docs": ctx.min_docs_setting, "max_gap": ctx.max_gap,
                        "threshold": ctx.threshold}, sort_keys=True)
    ctx.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (STATE_KEY, value))
    ctx.library.meta[STATE_KEY] = value


def ready(library: Library) -> bool:
    """True when the library's template families are computed (a library built before they were is not)."""
    return _state(library) is not None


# -- writing families ------------------------------------------------------------------------------


def put_family(library: Library, family: str, kind: str, text: str,
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


def drop_family(library: Library, family: str) -> None:
    """Delete one family and its members."""
    library.conn.execute("DELETE FROM template_members WHERE template = ?", (family,))
    library.conn.execute("DELETE FROM templates WHERE id = ?", (family,))


# -- the maintainer ------------------------------------------------------------------------------------


def update(library: Library, change: Change) -> None:
    """Bring the template families up to date after ``change.added`` and ``change.removed`` (row ids).

    Runs inside the write's transaction and never commits. The documents' own
    rows are written (added) or deleted (removed) already; the removed
    documents' members go first, and families left without members with them.
    """
    conn = library.conn
    for doc in change.removed:
        conn.execute("DELETE FROM template_members WHERE doc = ?", (doc,))
    if change.removed:
        conn.execute("DELETE FROM templates WHERE id NOT IN (SELECT template FROM template_members)")
    base = change.settings
    settings = library.settings(base)
    state = _state(library)
    params = state or {"min_docs": base.min_docs, "max_gap": base.max_gap}
    n_docs = library.document_count()
    ctx = _Context(library, settings, int(params["max_gap"]), params["min_docs"],
                   tier.min_docs_for(n_docs, params["min_docs"]), dict(change.features), {},
                   dict(change.documents), {}, {}, change.prepared)
    full = (state is None or ctx.threshold < state["threshold"]
            or len(change.added) > FULL_SHARE * n_docs)
    if full:
        _recompute(ctx)
    else:
        _update(ctx, list(change.added), list(change.removed), state["threshold"])
    _write_state(ctx)


def stats(library: Library) -> dict[str, int]:
    """The number of families, for ``reuse index stats``."""
    return {"templates": library.conn.execute("SELECT count(*) FROM templates").fetchone()[0]}


# -- everything at once --------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """What a full recompute derives from the documents' features alone (``families_of``)."""

    ids: tuple[int, ...]
    """The documents, in name order, as their row ids."""
    k: int
    threshold: int
    frequent: np.ndarray
    """The long shingles in ``threshold`` documents or more, sorted."""
    doc_freq: np.ndarray
    """The document frequency of each, in the order of ``frequent``."""
    pieces: list["Piece"]
    roots: list[int]
    """``templates.components`` of ``pieces``: pieces of one root are one component."""


def families_of(ids: Sequence[int], features: Sequence[Features], *, k: int, threshold: int) -> Prepared:
    """Frequent long shingles, pieces and their components over documents ``ids`` (in name order).

    The CPU part of a full recompute: a build computes it while its rows are
    written (see ``prepare``).
    """
    longs = tier.long_hashes_of_all(features, k)
    values, counts = arrays.doc_counts(longs)
    keep = counts >= threshold
    frequent, doc_freq = values[keep], counts[keep]  # sorted by hash
    found: list[Piece] = []
    for doc, feat, hashes in zip(ids, features, longs):
        found += _cut(k, doc, feat, hashes, frequent)
    roots = components([piece[-1] for piece in found])
    return Prepared(tuple(ids), k, threshold, frequent, doc_freq, found, roots)


def prepare(documents: Sequence[Document], features: Sequence[Features], ids: Sequence[int],
            settings: Settings) -> Prepared:
    """``families_of`` the documents of a library holding only these, with the row ids ``ids``.

    ``update`` uses it instead of computing them when the library
    indeed holds these documents with these ids and parameters.
    """
    order = sorted(range(len(documents)), key=lambda i: documents[i].id.encode("utf-8", "surrogatepass"))
    return families_of([ids[i] for i in order], [features[i] for i in order], k=settings.shingle,
                       threshold=tier.min_docs_for(len(documents), settings.min_docs))


def _recompute(ctx: _Context) -> None:
    """Every family of the library from its documents, as a scan of them finds them."""
    conn = ctx.conn
    for table in TABLES:  # tables of an earlier version go with what they held
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in WORK_SCHEMA:
        conn.execute(statement)
    for (family,) in conn.execute("SELECT id FROM templates").fetchall():
        drop_family(ctx.library, family)
    ids = ctx.library.ids_by_name()
    lines: dict[str, int] = defaultdict(int)
    for doc in ids:
        document = ctx.document(doc)
        feat = ctx.features(doc, document)  # kept for the second pass, as a scan keeps them
        for line in _index_document(ctx, doc, document, feat):
            lines[line] += 1
    found = ctx.prepared
    if found is None or (found.ids, found.k, found.threshold) != (tuple(ids), ctx.k, ctx.threshold):
        found = families_of(ids, [ctx.features(doc) for doc in ids], k=ctx.k, threshold=ctx.threshold)
    conn.executemany("INSERT INTO tmpl_df (hash, df) VALUES (?, ?)",
                     zip(_signed(found.frequent).tolist(), found.doc_freq.tolist()))
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for root, piece in zip(found.roots, found.pieces):
        groups[root].append(piece[:2])
    comp_of = {}
    for pieces in groups.values():
        comp = tier.component_id(*min(pieces))
        comp_of.update((piece, comp) for piece in pieces)
    _store_pieces(ctx, found.pieces, comp_of)
    _refresh_marks(ctx, ids, repeated={line for line, n in lines.items() if n > 1})
    _derive(ctx, set(comp_of.values()), _all_keys(ctx, "tmpl_shorts"), _all_keys(ctx, "tmpl_marks"))


def _all_keys(ctx: _Context, table: str) -> set[str]:
    return {r[0] for r in ctx.conn.execute(f"SELECT DISTINCT key FROM {table}")}


def _index_document(ctx: _Context, doc: int, document: Document, feat: Features) -> set[str]:
    """A document's rows that do not depend on other documents: its length, short lines, lines (returned)."""
    conn = ctx.conn
    conn.execute("INSERT INTO tmpl_docs (doc, name, length) VALUES (?, ?, ?)", (doc, document.id, len(document.text)))
    conn.executemany(
        "INSERT OR IGNORE INTO tmpl_shorts (key, doc, start, end, text, position) VALUES (?, ?, ?, ?, ?, ?)",
        [(key, doc, s.start, s.end, document.text[s.start:s.end], tier.position(document, s.start))
         for key, s in tier.short_lines(document, feat, min_length=ctx.min_length)])
    lines = tier.candidate_lines(document)
    conn.executemany("INSERT OR IGNORE INTO tmpl_lines (hash, doc) VALUES (?, ?)",
                     [(_line_hash(line), doc) for line in lines])
    return lines


Piece = tuple[int, int, int, int, int, set[int]]
"""``(doc, tok_lo, tok_hi, start, end, long shingle hashes inside)``."""


def _cut(k: int, doc: int, feat: Features, hashes: np.ndarray, frequent: np.ndarray) -> list[Piece]:
    """A document's pieces: token ranges covered by the sorted ``frequent`` shingles."""
    out = []
    for lo, hi in tier.pieces(feat, frequent, hashes, k):
        out.append((doc, lo, hi, *feat.original_span(*feat.char_span(lo, hi)), tier.piece_hashes(hashes, lo, hi, k)))
    return out


def _store_pieces(ctx: _Context, pieces: Sequence[Piece], comp_of: dict[tuple[int, int], str] | None = None) -> None:
    """Write pieces and their shingles (with their component, or none yet)."""
    comp_of = comp_of or {}
    ctx.conn.executemany("INSERT INTO tmpl_pieces (doc, lo, hi, start, end, comp) VALUES (?, ?, ?, ?, ?, ?)",
                         [(*p[:5], comp_of.get(p[:2])) for p in pieces])
    ctx.conn.executemany("INSERT INTO tmpl_piece_hashes (doc, lo, hash) VALUES (?, ?, ?)",
                         [(p[0], p[1], h) for p in pieces
                          for h in _signed(np.array(sorted(p[5]), dtype=np.uint64)).tolist()])


# -- what a batch touches ------------------------------------------------------------------------


def _update(ctx: _Context, added: list[int], removed: list[int], old_threshold: int) -> None:
    """The families after adding and removing a few documents, recomputing only what they touch."""
    conn = ctx.conn
    m = ctx.threshold
    lossy: set[str] = set()  # components that lost or changed pieces
    short_keys: set[str] = set()
    mark_keys: set[str] = set()
    mark_docs: set[int] = set()  # documents whose watermark lines may change
    dirty: set[int] = set()  # documents to cut into pieces again

    # 1. removed documents: their counts, components, keys and rows go
    for doc in removed:
        conn.executemany("UPDATE tmpl_df SET df = df - 1 WHERE hash = ?", conn.execute(
            "SELECT DISTINCT h.hash FROM tmpl_piece_hashes h JOIN tmpl_df d ON d.hash = h.hash WHERE h.doc = ?",
            (doc,)).fetchall())
        lossy |= {r[0] for r in conn.execute("SELECT DISTINCT comp FROM tmpl_pieces WHERE doc = ?", (doc,))}
        short_keys |= {r[0] for r in conn.execute("SELECT DISTINCT key FROM tmpl_shorts WHERE doc = ?", (doc,))}
        mark_keys |= {r[0] for r in conn.execute("SELECT DISTINCT key FROM tmpl_marks WHERE doc = ?", (doc,))}
        lines = [r[0] for r in conn.execute("SELECT hash FROM tmpl_lines WHERE doc = ?", (doc,))]
        for table in TABLES:
            if table not in ("tmpl_df", "tmpl_families"):  # those are kept by hash and by component
                conn.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))
        for h in lines:  # a line now in one document only is no longer a repeated line there
            rest = conn.execute("SELECT doc FROM tmpl_lines WHERE hash = ? LIMIT 2", (h,)).fetchall()
            if len(rest) == 1:
                mark_docs.add(rest[0][0])
    lossy.discard(None)

    # 2. a higher threshold: families below it go (those touched below are derived again anyway)
    if m > old_threshold:
        for family, kind, doc_count in conn.execute("SELECT id, kind, doc_count FROM templates WHERE doc_count < ?",
                                                    (m,)).fetchall():
            if not tier.enough_documents(doc_count, m, watermark=kind == "watermark"):
                drop_family(ctx.library, family)

    # 3. added documents: their shingles counted, those now frequent found where else they are
    longs: dict[int, np.ndarray] = {}
    for doc in added:
        document = ctx.document(doc)
        if doc not in ctx.fresh:  # their shingles are looked up in the postings: the whole features
            ctx.fresh[doc] = extract(document, ctx.settings)
        feat = ctx.fresh[doc]
        longs[doc] = tier.long_hashes(feat, ctx.k)
        _index_document(ctx, doc, document, feat)
    if added:
        dirty |= _count_added(ctx, added, longs)

    # 4. shingles below the threshold are no longer frequent
    demoted = [r[0] for r in conn.execute("SELECT hash FROM tmpl_df WHERE df < ?", (m,))]
    if demoted:
        for h in demoted:
            dirty |= {r[0] for r in conn.execute("SELECT DISTINCT doc FROM tmpl_piece_hashes WHERE hash = ?", (h,))}
        conn.executemany("DELETE FROM tmpl_df WHERE hash = ?", [(h,) for h in demoted])
    dirty -= set(added) | set(removed)

    # 5. documents cut into pieces (again)
    fresh: list[Piece] = []
    recut = sorted(dirty) + list(added)
    for doc in sorted(dirty):
        lossy |= {r[0] for r in conn.execute("SELECT DISTINCT comp FROM tmpl_pieces WHERE doc = ?", (doc,))}
        conn.execute("DELETE FROM tmpl_pieces WHERE doc = ?", (doc,))
        conn.execute("DELETE FROM tmpl_piece_hashes WHERE doc = ?", (doc,))
        conn.execute("DELETE FROM tmpl_piece_families WHERE doc = ?", (doc,))
    lossy.discard(None)
    cut = {doc: longs.get(doc) for doc in recut}
    for doc in recut:
        if cut[doc] is None:
            cut[doc] = tier.long_hashes(ctx.features(doc), ctx.k)
    frequent = _frequent_among(ctx, np.concatenate(list(cut.values())) if cut else np.zeros(0, dtype=np.uint64))
    for doc in recut:
        fresh += _cut(ctx.k, doc, ctx.features(doc), cut[doc], frequent)
    _store_pieces(ctx, fresh)

    # 6. components that lost pieces split again; 7. new pieces join the components they share a shingle with
    comps, vanished = _split(ctx, lossy)
    joined, gone = _attach(ctx, fresh)
    comps = (comps | joined) - gone
    vanished |= gone

    # 8. watermark lines of the documents whose lines or repetitions changed
    mark_docs |= set(added)
    mark_docs -= set(removed)
    mark_docs |= _lines_now_repeated(ctx, added)
    changed = _refresh_marks(ctx, sorted(mark_docs), mark_keys)
    short_keys |= {r[0] for doc in added for r in conn.execute("SELECT key FROM tmpl_shorts WHERE doc = ?", (doc,))}
    for doc in changed:  # whether a family lies inside watermark lines may have changed
        comps |= {r[0] for r in conn.execute("SELECT DISTINCT comp FROM tmpl_pieces WHERE doc = ?", (doc,))}
        short_keys |= {r[0] for r in conn.execute("SELECT DISTINCT key FROM tmpl_shorts WHERE doc = ?", (doc,))}
    comps.discard(None)

    _derive(ctx, comps, short_keys, mark_keys)
    for comp in vanished - comps:  # after deriving: their member texts serve the components they went into
        conn.execute("DELETE FROM tmpl_members WHERE comp = ?", (comp,))
        _drop_families_of(ctx, comp)


def _frequent_among(ctx: _Context, hashes: np.ndarray) -> np.ndarray:
    """Sorted frequent shingles of the library: at least those among ``hashes`` (all of them when fewer).

    Callers only ask which of their hashes are in it (``arrays.contains``).
    """
    conn = ctx.conn
    if conn.execute("SELECT count(*) FROM tmpl_df").fetchone()[0] <= len(hashes):  # fewer to read than to look up
        return np.sort(np.array([r[0] for r in conn.execute("SELECT hash FROM tmpl_df")], dtype=np.int64)
                       .view(np.uint64))
    ordered = np.sort(hashes)
    uniq = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS q_tmpl (hash INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM q_tmpl")
    conn.executemany("INSERT INTO q_tmpl (hash) VALUES (?)", ((h,) for h in _signed(uniq).tolist()))
    rows = conn.execute("SELECT q.hash FROM q_tmpl q JOIN tmpl_df d ON d.hash = q.hash").fetchall()
    conn.execute("DELETE FROM q_tmpl")
    return np.sort(np.array([r[0] for r in rows], dtype=np.int64).view(np.uint64))


def _count_added(ctx: _Context, added: list[int], longs: dict[int, np.ndarray]) -> set[int]:
    """Raise the counts of the added documents' frequent shingles and find those that became frequent.

    Returns the other documents holding a shingle that became frequent: they
    are to be cut into pieces again.
    """
    conn = ctx.conn
    m = ctx.threshold
    values, counts = arrays.doc_counts(list(longs.values()))
    known = _frequent_among(ctx, values)
    is_known = arrays.contains(known, values)
    conn.executemany("UPDATE tmpl_df SET df = df + ? WHERE hash = ?",
                     zip(counts[is_known].tolist(), _signed(values[is_known]).tolist()))
    unknown = np.sort(values[~is_known])
    if not len(unknown):
        return set()
    # a long shingle is in no more documents than its first k-shingle has postings (counted up to m)
    firsts = np.unique(np.concatenate([ctx.features(doc).shingles for doc in added]))
    count = ctx.library.count_postings(firsts.tolist(), m)
    enough = np.sort(np.array([h for h, n in count.items() if n >= m], dtype=np.uint64))
    # one occurrence of each unknown shingle that may be frequent: its chain of k-shingles, for the postings index
    chains: dict[int, tuple[list[tuple[int, int]], bool]] = {}
    for doc in added:
        feat = ctx.features(doc)
        hashes = longs[doc]
        first = np.zeros(len(hashes), dtype=bool)
        n = min(len(hashes), len(feat.shingles))
        first[:n] = arrays.contains(enough, feat.shingles[:n])
        maybe = arrays.contains(unknown, hashes) & first
        for i in np.flatnonzero(maybe).tolist():
            h = int(hashes[i])
            if h not in chains:
                chains[h] = chain(feat, i, 2 * ctx.k)
    holders = _holders(ctx, chains, m, count)
    dirty: set[int] = set()
    new_rows = []
    for h, docs in holders.items():
        if len(docs) >= m:
            new_rows.append((int(np.array([h], dtype=np.uint64).view(np.int64)[0]), len(docs)))
            dirty |= docs
    conn.executemany("INSERT INTO tmpl_df (hash, df) VALUES (?, ?)", new_rows)
    return dirty


def chain(feat: Features, i: int, K: int) -> tuple[list[tuple[int, int]], bool]:
    """``k``-shingles ``(hash, token offset)`` tiling tokens ``[i, i + K)``, and whether they tile it exactly.

    Two documents share the long shingle at ``i`` exactly when they share all
    these on one diagonal. (With words of several weights the last tokens may
    be left over: then the chain finds a superset of the documents.)
    """
    lens = feat.shingle_len
    n = len(lens)
    end = i + K
    out: list[tuple[int, int]] = []
    p = i
    while p < end and p < n and p + int(lens[p]) <= end:
        out.append((int(feat.shingles[p]), p - i))
        p += int(lens[p])
    if p >= end:
        return out, True
    for q in range(min(p, n) - 1, i, -1):
        if q + int(lens[q]) == end:
            out.append((int(feat.shingles[q]), q - i))
            return out, True
    return out, False


def _holders(ctx: _Context, chains: dict[int, tuple[list[tuple[int, int]], bool]], m: int,
             count: dict[int, int]) -> dict[int, set[int]]:
    """Library documents holding each long shingle that could be frequent, through the postings index.

    A long shingle whose rarest ``k``-shingle has fewer than ``m`` postings is
    in fewer than ``m`` documents and is not looked up. ``count`` holds
    postings counted up to ``m`` (more are counted here).
    """
    members = sorted({h for chain, _ in chains.values() for h, _ in chain})
    if not members:
        return {}
    # first whether each has m postings at all (counted through a LIMIT), then how many, for those that matter
    count = {**count, **ctx.library.count_postings([h for h in members if h not in count], m)}
    wanted = sorted({h for chain, _ in chains.values() if chain and min(count[c] for c, _ in chain) >= m
                     for h, _ in chain})
    count.update(ctx.library.count_postings(wanted, max(1000, 16 * m)))
    looked_up = {h: chain for h, (chain, _) in chains.items() if chain and min(count[c] for c, _ in chain) >= m}
    out = chain_documents(ctx.library, looked_up, count)
    # where the chain cannot tell documents apart, it finds a superset of them: when that is already
    # fewer than m, so are they; otherwise each candidate's own long shingles decide
    unsure: dict[int, list[int]] = defaultdict(list)
    for h in (h for h, (_, exact) in chains.items() if not exact and h in looked_up):
        if len(out.get(h, ())) >= m:
            for doc in out[h]:
                unsure[doc].append(h)
    for doc, hs in unsure.items():
        own = np.sort(tier.long_hashes(ctx.features(doc), ctx.k))
        for h, there in zip(hs, arrays.contains(own, np.array(hs, dtype=np.uint64)).tolist()):
            if not there:
                out[h].discard(doc)
    return dict(out)


def chain_documents(library: Library, chains: dict[int, list[tuple[int, int]]],
                    count: dict[int, int]) -> dict[int, set[int]]:
    """The library documents holding each chain of ``k``-shingles (``chain``): ``{hash: its chain}`` to
    ``{hash: documents}``, through the postings index (``Library.chain_holders``).

    ``count`` holds how many postings each part has (at least: a count
    capped by a LIMIT will do); a chain with a part no document holds is
    held by none, and the rarest part of each leads the lookup.
    """
    out: dict[int, set[int]] = defaultdict(set)
    lead_rows, rest_rows, keys = [], [], []
    for h, parts in chains.items():
        if not parts or min(count.get(part, 0) for part, _ in parts) == 0:
            continue
        lead = min(range(len(parts)), key=lambda j: count[parts[j][0]])
        lead_rows.append((len(keys), *_pair(parts[lead])))
        rest_rows += [(len(keys), *_pair(part)) for j, part in enumerate(parts) if j != lead]
        keys.append(h)
    if lead_rows:
        for n, doc in library.chain_holders(lead_rows, rest_rows):
            out[keys[n]].add(int(doc))
    return dict(out)


def _pair(item: tuple[int, int]) -> tuple[int, int]:
    h, off = item
    return int(np.array([h], dtype=np.uint64).view(np.int64)[0]), off


def _pieces_of(ctx: _Context, comps: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for comp in comps:
        out += [(d, lo) for d, lo in ctx.conn.execute("SELECT doc, lo FROM tmpl_pieces WHERE comp = ?", (comp,))]
    return out


def _split(ctx: _Context, lossy: set[str]) -> tuple[set[str], set[str]]:
    """Components that lost pieces, split into the components their remaining pieces form.

    Returns the components now there and the ids gone.
    """
    conn = ctx.conn
    now: set[str] = set()
    for comp in sorted(lossy):
        pieces = sorted(_pieces_of(ctx, [comp]))
        hashes: dict[tuple[int, int], set[int]] = defaultdict(set)
        for d, lo, h in conn.execute("SELECT h.doc, h.lo, h.hash FROM tmpl_pieces p JOIN tmpl_piece_hashes h "
                                     "ON h.doc = p.doc AND h.lo = p.lo WHERE p.comp = ?", (comp,)):
            hashes[(d, lo)].add(h)
        roots = components([hashes[p] for p in pieces])
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for root, piece in zip(roots, pieces):
            groups[root].append(piece)
        for group in groups.values():
            new = tier.component_id(*min(group))
            if new != comp:
                conn.executemany("UPDATE tmpl_pieces SET comp = ? WHERE doc = ? AND lo = ?",
                                 [(new, d, lo) for d, lo in group])
            now.add(new)
    return now, lossy - now


def _attach(ctx: _Context, fresh: list[Piece]) -> tuple[set[str], set[str]]:
    """New pieces joined with each other and with the components they share a shingle with.

    Components only merge here; returns the components now there and the ids gone.
    """
    if not fresh:
        return set(), set()
    conn = ctx.conn
    found: dict[int, str] = {}
    for h in sorted({h for piece in fresh for h in piece[5]}):
        signed = int(np.array([h], dtype=np.uint64).view(np.int64)[0])
        row = conn.execute("SELECT p.comp FROM tmpl_piece_hashes h JOIN tmpl_pieces p ON p.doc = h.doc AND p.lo = h.lo "
                           "WHERE h.hash = ? AND p.comp IS NOT NULL LIMIT 1", (signed,)).fetchone()
        if row is not None:
            found[h] = row[0]
    old = sorted(set(found.values()))
    # nodes: the new pieces, then the components they reach (each a node holding the shingles found in it)
    sets = [piece[5] for piece in fresh] + [{h for h, c in found.items() if c == comp} for comp in old]
    roots = components(sets)
    groups: dict[int, list[int]] = defaultdict(list)
    for n, root in enumerate(roots):
        groups[root].append(n)
    now: set[str] = set()
    gone: set[str] = set()
    for nodes in groups.values():
        new_pieces = [(fresh[n][0], fresh[n][1]) for n in nodes if n < len(fresh)]
        merged = [old[n - len(fresh)] for n in nodes if n >= len(fresh)]
        first = min(new_pieces + [_first_piece(ctx, c) for c in merged])
        comp = tier.component_id(*first)
        conn.executemany("UPDATE tmpl_pieces SET comp = ? WHERE doc = ? AND lo = ?",
                         [(comp, d, lo) for d, lo in new_pieces])
        for c in merged:
            if c != comp:
                conn.execute("UPDATE tmpl_pieces SET comp = ? WHERE comp = ?", (comp, c))
                gone.add(c)
        now.add(comp)
    return now, gone - now


def _first_piece(ctx: _Context, comp: str) -> tuple[int, int]:
    return tuple(ctx.conn.execute("SELECT doc, lo FROM tmpl_pieces WHERE comp = ? ORDER BY doc, lo LIMIT 1",
                                  (comp,)).fetchone())


def _lines_now_repeated(ctx: _Context, added: list[int]) -> set[int]:
    """Other documents holding a line of the added ones that was in one document only before them."""
    out: set[int] = set()
    marks = ",".join("?" * len(added))
    for doc in added:
        for (h,) in ctx.conn.execute("SELECT hash FROM tmpl_lines WHERE doc = ?", (doc,)).fetchall():
            before = ctx.conn.execute(f"SELECT doc FROM tmpl_lines WHERE hash = ? AND doc NOT IN ({marks}) LIMIT 2",
                                      (h, *added)).fetchall()
            if len(before) == 1:
                out.add(before[0][0])
    return out


def _refresh_marks(ctx: _Context, docs: Sequence[int], keys: set[str] | None = None,
                   repeated: set[str] | None = None) -> set[int]:
    """Watermark lines of ``docs`` computed again; returns the documents whose lines changed.

    The keys of the lines before and after are added to ``keys``. Lines in
    more than one document are looked up, unless given as ``repeated``.
    """
    conn = ctx.conn
    changed: set[int] = set()
    for doc in docs:
        document = ctx.document(doc)
        lines = tier.candidate_lines(document)
        if repeated is not None:
            mine = lines & repeated
        else:
            mine = {line for line in lines if conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM tmpl_lines WHERE hash = ? LIMIT 2)", (_line_hash(line),)
            ).fetchone()[0] > 1}
        marks = [(key, doc, s.start, s.end, document.text[s.start:s.end])
                 for key, s in tier.watermark_marks(document, mine)]
        before = conn.execute("SELECT key, doc, start, end, text FROM tmpl_marks WHERE doc = ? "
                              "ORDER BY start, end, key", (doc,)).fetchall()
        if sorted(before, key=lambda r: (r[2], r[3], r[0])) == sorted(marks, key=lambda r: (r[2], r[3], r[0])):
            continue
        changed.add(doc)
        conn.execute("DELETE FROM tmpl_marks WHERE doc = ?", (doc,))
        conn.executemany("INSERT OR IGNORE INTO tmpl_marks (key, doc, start, end, text) VALUES (?, ?, ?, ?, ?)", marks)
        if keys is not None:
            keys |= {r[0] for r in before} | {r[0] for r in marks}
    return changed


# -- families from the tables --------------------------------------------------------------------


def _names(ctx: _Context, docs: Iterable[int]) -> dict[int, tuple[str, int]]:
    """``doc -> (name, text length)``."""
    for doc in set(docs) - set(ctx.names):
        ctx.names[doc] = tuple(ctx.conn.execute("SELECT name, length FROM tmpl_docs WHERE doc = ?", (doc,)).fetchone())
    return ctx.names


def _watermarks(ctx: _Context) -> Callable[[int], list[tuple[int, int]]]:
    """``watermarks(doc)``: the spans of a document's watermark lines, as ``families.kept`` asks for them."""
    spans: dict[int, list[tuple[int, int]]] = {}

    def of(doc: int) -> list[tuple[int, int]]:
        if doc not in spans:
            spans[doc] = ctx.conn.execute("SELECT start, end FROM tmpl_marks WHERE doc = ?", (doc,)).fetchall()
        return spans[doc]

    return of


def _derive(ctx: _Context, comps: set[str], short_keys: set[str], mark_keys: set[str]) -> None:
    """Write (or drop) the families of these components, short lines and watermark lines."""
    for key in sorted(mark_keys):
        _derive_marks(ctx, key)
    for comp in sorted(comps):
        _derive_comp(ctx, comp)
    for key in sorted(short_keys):
        _derive_short(ctx, key)


def _settle(ctx: _Context, family: str, source: str, rows: Sequence[tuple], *, key: str | None = None,
            positions: list[str] | None = None) -> None:
    """Write the family of these member rows ``(doc, start, end, text[, folded text])`` if ``families.kept``
    keeps it, described by ``families.described``; drop it otherwise. Texts are folded here when the rows do not
    hold them, and only for a family kept."""
    members = [tier.Member(*r[:3]) for r in rows]
    if not tier.kept(source, members, min_docs=ctx.threshold, frames=ctx.frames, watermarks=_watermarks(ctx),
                     key=key, texts=[r[3] for r in rows]):
        drop_family(ctx.library, family)
        return
    names = _names(ctx, (m.doc for m in members))
    keys = [r[4] if len(r) > 4 else ctx.fold(r[3]) for r in rows]
    t = tier.described(members, {doc: names[doc][0] for doc in {m.doc for m in members}}, [r[3] for r in rows],
                       keys=keys, positions=positions, watermark=source == tier.WATERMARK)
    put_family(ctx.library, family, t.kind, t.text, [r[:3] for r in rows])


def _derive_marks(ctx: _Context, key: str) -> None:
    rows = ctx.conn.execute("SELECT doc, start, end, text, key FROM tmpl_marks WHERE key = ?", (key,)).fetchall()
    _settle(ctx, tier.line_id(tier.WATERMARK, key), tier.WATERMARK, rows, key=key)


def _derive_short(ctx: _Context, key: str) -> None:
    rows = ctx.conn.execute("SELECT doc, start, end, text, position FROM tmpl_shorts WHERE key = ?", (key,)).fetchall()
    _settle(ctx, tier.line_id(tier.SHORT, key), tier.SHORT, [r[:4] for r in rows], positions=[r[4] for r in rows])


def _derive_comp(ctx: _Context, comp: str) -> None:
    """A component's families: its pieces split by the text they repeat (``families.split_by_anchor``), each
    joined into members again (texts kept where members did not change)."""
    conn = ctx.conn
    spans: dict[int, _Spans] = {}
    items = []
    for doc, lo, hi, start, end in conn.execute("SELECT doc, lo, hi, start, end FROM tmpl_pieces WHERE comp = ? "
                                                "ORDER BY doc, lo", (comp,)):
        if doc not in spans:
            spans[doc] = _Spans(cache(partial(ctx.cum, doc)))
        spans[doc].start[lo] = start
        spans[doc].end[hi] = end
        items.append((doc, lo, hi))
    hashes: dict[tuple[int, int], set[int]] = defaultdict(set)
    for d, lo, h in conn.execute("SELECT h.doc, h.lo, h.hash FROM tmpl_pieces p JOIN tmpl_piece_hashes h "
                                 "ON h.doc = p.doc AND h.lo = p.lo WHERE p.comp = ?", (comp,)):
        hashes[(d, lo)].add(h)
    labels = tier.split_by_anchor([hashes[(d, lo)] for d, lo, _ in items])
    texts: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for label, item in zip(labels, items):
        texts[label].append(item)
    old = {(d, s, e): (t, f) for d, s, e, t, f in conn.execute(
        "SELECT doc, start, end, text, folded FROM tmpl_members WHERE comp = ?", (comp,))}
    rows_of: dict[str, list[tuple]] = {}
    piece_family = []
    for label in sorted(texts):
        first = texts[label][0]  # items come in (doc, lo) order: its first piece names the family
        piece_family += [(d, lo, tier.component_id(first[0], first[1])) for d, lo, _ in texts[label]]
        members = tier.join(texts[label], spans, max_gap=ctx.max_gap, min_length=ctx.min_length)
        rows = []
        for m in members:
            known = old.get((m.doc, m.start, m.end))
            if known is None:
                known = conn.execute("SELECT text, folded FROM tmpl_members WHERE doc = ? AND start = ? AND end = ? "
                                     "LIMIT 1", (m.doc, m.start, m.end)).fetchone()
            if known is None:
                text = ctx.text(m.doc)[m.start:m.end]
                known = (text, ctx.fold(text))
            rows.append((m.doc, m.start, m.end, *known))
        rows_of[tier.component_id(first[0], first[1])] = rows
    now = {r[:3]: r for rows in rows_of.values() for r in rows}
    conn.executemany("DELETE FROM tmpl_members WHERE doc = ? AND start = ? AND end = ? AND comp = ?",
                     [(*span, comp) for span in sorted(set(old) - set(now))])
    conn.executemany("INSERT INTO tmpl_members (doc, start, end, comp, text, folded) VALUES (?, ?, ?, ?, ?, ?)",
                     [(d, s, e, comp, t, f) for (d, s, e), (_, _, _, t, f) in sorted(now.items()) if (d, s, e) not in old])
    conn.executemany("INSERT OR REPLACE INTO tmpl_piece_families (doc, lo, family) VALUES (?, ?, ?)", piece_family)
    _drop_families_of(ctx, comp, keep=set(rows_of))
    conn.executemany("INSERT OR REPLACE INTO tmpl_families (family, comp) VALUES (?, ?)",
                     [(family, comp) for family in sorted(rows_of)])
    for family, rows in rows_of.items():
        _settle(ctx, family, tier.RECURRING, rows)


def _drop_families_of(ctx: _Context, comp: str, keep: set[str] = frozenset()) -> None:
    """The families a component gave before, less ``keep`` (a family another component now gives is its own)."""
    gone = [f for (f,) in ctx.conn.execute("SELECT family FROM tmpl_families WHERE comp = ?", (comp,))
            if f not in keep]
    for family in gone:
        drop_family(ctx.library, family)
    ctx.conn.executemany("DELETE FROM tmpl_families WHERE family = ?", [(f,) for f in gone])


# -- reading -------------------------------------------------------------------------------------


def read_families(library: Library) -> list[Template]:
    """The library's template families, most widespread first, members as ``(document name, start, end)``."""
    rows = library.conn.execute("SELECT id, kind, text, doc_count FROM templates").fetchall()
    out = []
    for family, kind, text, doc_count in rows:
        members = library.conn.execute(
            "SELECT d.name, m.start, m.end FROM template_members m JOIN documents d ON d.id = m.doc "
            "WHERE m.template = ? ORDER BY d.name, m.start, m.end", (family,)).fetchall()
        out.append(Template(family, kind, text, doc_count, tuple(tuple(m) for m in members)))
    out.sort(key=tier.order_key)
    return out


def spans_of(library: Library, doc_ids: Iterable[int]) -> dict[int, list[tuple[int, int, str]]]:
    """Family members of these documents: ``doc id -> [(start, end, family)]``."""
    out: dict[int, list[tuple[int, int, str]]] = {}
    for doc_id in doc_ids:
        out[doc_id] = [tuple(r) for r in library.conn.execute(
            "SELECT start, end, template FROM template_members WHERE doc = ? ORDER BY start, end", (doc_id,))]
    return out


def draft_families(library: Library, draft: Document, feat: Features) -> list[Template] | None:
    """The library's families in a draft, as templates whose members are the draft's spans.

    The draft is read as one more library document would be, against the
    library's own counts (the draft does not count): its pieces covered by
    frequent long shingles, each in the family whose shingles it shares and
    joined as that family's members are; its short lines that are a short-line
    family; its watermark lines. A watermark line found by pattern and
    position in the draft alone is a template too (a family of the draft,
    ``doc_count`` 0): that is the only text the draft makes template by itself.

    Returns None when the library has no families computed (built before
    they were), and ``feat`` must be extracted with the library's settings.
    """
    state = _state(library)
    if state is None:
        return None
    conn = library.conn
    settings = library.settings()
    k, min_length = settings.shingle, settings.min_length
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    hashes = tier.long_hashes(feat, k)
    ctx = _Context(library, settings, int(state["max_gap"]), state["min_docs"], int(state["threshold"]), {}, {}, {},
                   {}, {})
    frequent = _frequent_among(ctx, hashes)
    by_comp: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for lo, hi in tier.pieces(feat, frequent, hashes, k) if len(frequent) else ():
        inside = np.unique(hashes[lo: hi - 2 * k + 1])
        votes: dict[str, int] = defaultdict(int)
        for h in _signed(inside[arrays.contains(frequent, inside)]).tolist():
            row = conn.execute("SELECT p.family FROM tmpl_piece_hashes h JOIN tmpl_piece_families p "
                               "ON p.doc = h.doc AND p.lo = h.lo WHERE h.hash = ? LIMIT 1", (h,)).fetchone()
            if row is not None and row[0] is not None:
                votes[row[0]] += 1
        if votes:  # a piece bridging families goes with the one it shares most with
            by_comp[min(votes, key=lambda c: (-votes[c], c))].append((0, lo, hi))
    for comp, items in by_comp.items():
        found[comp] += [(m.start, m.end) for m in tier.join(items, {0: feat}, max_gap=ctx.max_gap,
                                                            min_length=min_length)]
    for key, span in tier.short_lines(draft, feat, min_length=min_length):
        found[tier.line_id(tier.SHORT, key)].append((span.start, span.end))
    repeated = {line for line in tier.candidate_lines(draft) if conn.execute(
        "SELECT 1 FROM tmpl_lines WHERE hash = ? LIMIT 1", (_line_hash(line),)).fetchone()}
    own: dict[str, str] = {}
    for key, span in tier.watermark_marks(draft, repeated):
        if key:
            found[tier.line_id(tier.WATERMARK, key)].append((span.start, span.end))
            own.setdefault(tier.line_id(tier.WATERMARK, key), draft.text[span.start:span.end])
    out = []
    for family, spans in sorted(found.items()):
        row = conn.execute("SELECT kind, text, doc_count FROM templates WHERE id = ?", (family,)).fetchone()
        if row is None:
            if family not in own:
                continue  # a component or short line the library does not keep as a family
            row = ("watermark", own[family], 0)
        out.append(Template(family, row[0], row[1], row[2],
                            tuple((draft.id, s, e) for s, e in sorted(set(spans)))))
    return out
