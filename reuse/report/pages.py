"""What the HTML pages show, as plain data: rows, segments, colours, urls.

Nothing here writes HTML. ``htmlreport`` hands these objects to the Jinja2
pages of ``report/jinja/``, which only loop and print (coverage's ``LineData``/``FileData`` →
``Templite``), so every decision a reader sees, which pairs get a page, how a
text is cut into highlighted segments, which colour a passage gets, is made
and tested here, on a ``Result`` alone.

A highlighted text is a list of ``Segment``: the text is split at every
passage and difference boundary, and each segment carries the passages that
cover it, so passages may overlap (a sentence shared with three documents,
two passages of one pair that touch) without breaking the markup.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from reuse.model import Document, DocumentStats, Pair, Passage, Result, Template

INDEX = "index.html"
TEMPLATES = "templates.html"
PALETTE = 12
"""Passage colours c0..c11 in report.css; neighbouring passages never share one."""


@dataclass(frozen=True)
class Options:
    """How much the HTML report writes, so a 1,000-document corpus stays readable.

    A corpus of n documents has up to n(n-1)/2 pairs; only the closest
    ``max_pair_pages`` at or above ``min_similarity`` get a page of their own.
    """

    max_pair_pages: int = 200
    min_similarity: float = 0.0
    heatmap_docs: int = 40
    """The heatmap shows at most this many documents: those of the closest pairs."""
    max_table_pairs: int = 1000
    max_variants: int = 50
    """Distinct variants listed per template family."""


# -- names and grades -------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def slug(text: str, limit: int = 40) -> str:
    """An ASCII file-name fragment of ``text``: never empty, never a path.

    >>> slug("seeds/001_讲话.txt")
    'seeds-001_-txt'
    >>> slug("../../x")
    'x'
    >>> slug("<b>.txt")
    'b-txt'
    """
    out = _UNSAFE.sub("-", text).strip("-")[:limit].strip("-")
    return out or "doc"


def _digest(*parts: str) -> str:
    data = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()[:8]


@lru_cache(maxsize=1 << 16)
def doc_url(doc_id: str) -> str:
    """File name of a document's page: a slug for people, a hash so ids never collide.

    Cached: every page links to many documents, each link asking again.

    >>> doc_url("../../x")
    'd_x_9bdbf20b.html'
    """
    return f"d_{slug(doc_id)}_{_digest(doc_id)}.html"


def pair_url(a: str, b: str) -> str:
    """File name of the page comparing documents ``a`` and ``b`` (in either order).

    >>> pair_url("a.txt", "b.txt") == pair_url("b.txt", "a.txt")
    True
    """
    a, b = sorted((a, b))
    return f"p_{slug(a, 30)}__{slug(b, 30)}_{_digest(a, b)}.html"


def grade(score: float) -> str:
    """A passage's colour grade, as Chinese 查重 reports use them.

    Red is near-verbatim, orange and yellow are edited copies.

    >>> grade(0.97), grade(0.8), grade(0.6)
    ('red', 'orange', 'yellow')
    """
    if score >= 0.9:
        return "red"
    if score >= 0.75:
        return "orange"
    return "yellow"


def ratio_grade(ratio: float) -> str:
    """A document's colour grade for a share of its text (总文字复制比).

    >>> ratio_grade(0.6), ratio_grade(0.35), ratio_grade(0.12), ratio_grade(0.01)
    ('red', 'orange', 'yellow', 'green')
    """
    if ratio >= 0.5:
        return "red"
    if ratio >= 0.3:
        return "orange"
    if ratio >= 0.1:
        return "yellow"
    return "green"


def percent(value: float) -> str:
    """A ratio as a percentage for people.

    >>> percent(0.0384), percent(0.9), percent(1.0), percent(0.0)
    ('3.8%', '90%', '100%', '0%')
    """
    if value >= 0.9995 or value <= 0:
        return f"{round(value * 100)}%"
    text = f"{value * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


# -- segments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A stretch ``[start, end)`` of a text covered by passage ``pid``."""

    start: int
    end: int
    pid: int


@dataclass(frozen=True)
class Segment:
    """A run of text with the same highlighting.

    ``passages`` are the page-local numbers of the passages covering it (empty:
    plain text). ``diff`` is set where this side differs from the twin text:
    'replace' or 'delete' (only here) for characters, 'gap' for an empty
    segment marking where the other side has text this one lacks.
    """

    text: str
    passages: tuple[int, ...] = ()
    diff: str | None = None
    colour: int | None = None
    grade: str | None = None
    title: str | None = None
    href: str | None = None

    @property
    def ids(self) -> str:
        return " ".join(map(str, self.passages))


def segments(text: str, marks: Iterable[Mark], diffs: Iterable[tuple[int, int, str]] = ()) -> list[Segment]:
    """Cut ``text`` into segments at every mark and diff boundary.

    ``diffs`` are ``(start, end, kind)``; an empty one (``start == end``) is a
    gap. Adjacent segments that look the same are merged; joined, the
    segments' texts give back ``text``.

    >>> [(s.text, s.passages) for s in segments("abcdef", [Mark(1, 4, 1), Mark(3, 5, 2)])]
    [('a', ()), ('bc', (1,)), ('d', (1, 2)), ('e', (2,)), ('f', ())]
    """
    n = len(text)
    marks = [m for m in marks if 0 <= m.start < m.end <= n]
    spans = [(s, e, k) for s, e, k in diffs if 0 <= s < e <= n]
    gaps = sorted({s for s, e, k in diffs if s == e and 0 <= s <= n})
    cuts = {0, n}
    for m in marks:
        cuts.update((m.start, m.end))
    for s, e, _ in spans:
        cuts.update((s, e))
    cuts.update(gaps)
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    for m in marks:
        starts[m.start].append(m.pid)
        ends[m.end].append(m.pid)
    dstarts: dict[int, list[str]] = defaultdict(list)
    dends: dict[int, list[str]] = defaultdict(list)
    for s, e, k in spans:
        dstarts[s].append(k)
        dends[e].append(k)
    active: dict[int, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    gapset = set(gaps)
    out: list[Segment] = []

    def emit(seg: Segment) -> None:
        if out and seg.text and out[-1].text and out[-1].passages == seg.passages and out[-1].diff == seg.diff:
            out[-1] = Segment(out[-1].text + seg.text, seg.passages, seg.diff)
        else:
            out.append(seg)

    points = sorted(cuts)
    for i, at in enumerate(points):
        for pid in ends.get(at, ()):
            active[pid] -= 1
        for k in dends.get(at, ()):
            kinds[k] -= 1
        if at in gapset:
            # a gap belongs to the passages around it: those ending or starting here too
            around = {p for p, c in active.items() if c > 0} | set(ends.get(at, ())) | set(starts.get(at, ()))
            emit(Segment("", tuple(sorted(around)), "gap"))
        for pid in starts.get(at, ()):
            active[pid] += 1
        for k in dstarts.get(at, ()):
            kinds[k] += 1
        if i + 1 < len(points):
            nxt = points[i + 1]
            pids = tuple(sorted(p for p, c in active.items() if c > 0))
            live = [k for k in ("replace", "delete", "insert") if kinds.get(k, 0) > 0]
            emit(Segment(text[at:nxt], pids, live[0] if live else None))
    return out


TITLES = 5
"""Most passages named in one tooltip: boilerplate can be shared with hundreds of documents."""


def paint(segs: Iterable[Segment], looks: dict[int, tuple[int, str, str, str | None]]) -> list[Segment]:
    """Give each covered segment the colour, grade, title and link of its first passage.

    ``looks`` maps a passage number to ``(colour, grade, title, href)``; a
    segment covered by several passages lists every title.
    """
    out = []
    for s in segs:
        if not s.passages:
            out.append(s)
            continue
        if "\n" in s.text and not s.text.strip():
            # a paragraph break inside a passage stays unpainted: a coloured line end is noise
            out.append(Segment(s.text))
            continue
        colour, grade_, _, href = looks[s.passages[0]]
        titles = list(dict.fromkeys(looks[n][2] for n in s.passages))
        title = "；".join(titles[:TITLES]) + (f"；…共 {len(titles)} 处" if len(titles) > TITLES else "")
        out.append(replace(s, colour=colour, grade=grade_, title=title, href=href))
    return out


def _blank(text: str) -> bool:
    return not text.strip()


def differences(a_text: str, b_text: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """Where two twin texts differ, as ``(start, end, kind)`` on each side.

    Characters only one side has are 'delete' on that side and a 'gap' on the
    other; changed characters are 'replace' on both. Changes of whitespace
    alone are not shown: line breaks are layout, not copying.

    >>> differences("2020年工作", "2023年工作")
    ([(3, 4, 'replace')], [(3, 4, 'replace')])
    >>> differences("全面从严", "全面严")
    ([(2, 3, 'delete')], [(2, 2, 'gap')])
    """
    a_out: list[tuple[int, int, str]] = []
    b_out: list[tuple[int, int, str]] = []
    for op in Levenshtein.opcodes(a_text, b_text):
        if op.tag == "equal":
            continue
        a_part, b_part = a_text[op.src_start:op.src_end], b_text[op.dest_start:op.dest_end]
        if _blank(a_part) and _blank(b_part):
            continue
        if op.tag == "replace":
            a_out.append((op.src_start, op.src_end, "replace"))
            b_out.append((op.dest_start, op.dest_end, "replace"))
        elif op.tag == "delete":
            a_out.append((op.src_start, op.src_end, "delete"))
            b_out.append((op.dest_start, op.dest_start, "gap"))
        else:  # insert
            a_out.append((op.src_start, op.src_start, "gap"))
            b_out.append((op.dest_start, op.dest_end, "delete"))
    return a_out, b_out


# -- shared lookups ---------------------------------------------------------------------------


@dataclass
class Corpus:
    """Indexes over one Result that every page needs; built once per report."""

    result: Result
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        r = self.result
        self.docs: dict[str, Document] = {d.id: d for d in r.documents}
        self.stats: dict[str, DocumentStats] = {s.id: s for s in r.stats}
        self.by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
        for p in r.passages:
            self.by_pair[(p.a, p.b)].append(p)
        for items in self.by_pair.values():
            items.sort(key=lambda p: (p.a_start, p.b_start, p.a_end, p.b_end))
        self.pair_of: dict[tuple[str, str], Pair] = {(p.a, p.b): p for p in r.pairs}
        # per document, so a document page costs its own pairs, not the corpus's
        self.keys_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for key in [*self.pair_of, *self.by_pair]:
            self.keys_of[key[0]].add(key)
            self.keys_of[key[1]].add(key)
        o = self.options
        self.paged: list[Pair] = [p for p in r.pairs if p.similarity >= o.min_similarity][: o.max_pair_pages]
        self.paged_keys = {(p.a, p.b) for p in self.paged}

    def pair_link(self, a: str, b: str) -> str | None:
        """The url of the page of pair (a, b), or None when it has no page."""
        key = (a, b) if a < b else (b, a)
        return pair_url(*key) if key in self.paged_keys else None

    def doc_link(self, doc_id: str) -> str | None:
        """The url of a document's page, or None for an id not in the corpus."""
        return doc_url(doc_id) if doc_id in self.docs else None


# -- index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocRow:
    """One line of the documents table."""

    id: str
    url: str | None
    chars: int
    reuse_ratio: float
    copy_ratio: float
    template_ratio: float
    grade: str
    top_id: str | None
    top_url: str | None
    top_ratio: float | None


@dataclass(frozen=True)
class PairRow:
    """One line of the pairs table."""

    a: str
    b: str
    a_url: str | None
    b_url: str | None
    similarity: float
    a_shared: int
    b_shared: int
    passages: int
    url: str | None


@dataclass(frozen=True)
class Cell:
    """One heatmap square: row ``row``, column ``col``; level 0 is no shared text."""

    row: int
    col: int
    level: int
    similarity: float
    title: str
    url: str | None


@dataclass(frozen=True)
class Heatmap:
    """The document × document similarity matrix of the index page."""

    labels: tuple[tuple[str, str, str | None], ...]
    """(short label, document id, url) per row and column."""
    cells: tuple[Cell, ...]
    legend: tuple[tuple[int, str], ...]
    """(level, lower bound) per colour of the scale."""
    shown: int
    total: int
    size: int
    """Side of a square in pixels: large for a few documents, small for many."""


@dataclass(frozen=True)
class IndexPage:
    """index.html: the corpus at a glance."""

    title: str
    documents: int
    chars: int
    passages: int
    pairs: int
    skipped: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, str], ...]
    doc_rows: tuple[DocRow, ...]
    pair_rows: tuple[PairRow, ...]
    pair_rows_total: int
    pair_pages: int
    heatmap: Heatmap
    templates: int
    templates_url: str = TEMPLATES


def doc_row(c: Corpus, doc: Document) -> DocRow:
    """A document's line in the documents table (also the head of its own page)."""
    s = c.stats.get(doc.id) or DocumentStats(doc.id, 0.0, None)
    top = s.top_source
    top_url = None
    if top:
        top_url = c.pair_link(doc.id, top.id) or c.doc_link(top.id)
    return DocRow(doc.id, c.doc_link(doc.id), doc.chars, s.reuse_ratio, s.copy_ratio, s.template_ratio,
                  ratio_grade(s.reuse_ratio), top.id if top else None, top_url, top.ratio if top else None)


LEVELS = 6


def heatmap(c: Corpus) -> Heatmap:
    """The similarity matrix of the documents of the closest pairs (all, for a small corpus)."""
    limit = c.options.heatmap_docs
    ids = [d.id for d in c.result.documents]
    if len(ids) > limit:
        chosen: list[str] = []
        for p in c.result.pairs:
            for d in (p.a, p.b):
                if d not in chosen and len(chosen) < limit:
                    chosen.append(d)
            if len(chosen) >= limit:
                break
        ids = sorted(chosen)
    index = {d: i for i, d in enumerate(ids)}
    top = max((p.similarity for p in c.result.pairs if p.a in index and p.b in index), default=0.0)
    top = max(top, 1e-9)
    cells = []
    for p in c.result.pairs:
        if p.a not in index or p.b not in index:
            continue
        level = min(LEVELS, 1 + int(p.similarity / top * LEVELS * 0.9999)) if p.similarity > 0 else 1
        title = f"{p.a} ↔ {p.b}：相似度 {percent(p.similarity)}，{p.passages} 处共享片段"
        url = c.pair_link(p.a, p.b)
        i, j = index[p.a], index[p.b]
        cells.append(Cell(i, j, level, p.similarity, title, url))
        cells.append(Cell(j, i, level, p.similarity, title, url))
    cells.sort(key=lambda x: (x.row, x.col))
    labels = tuple((_short(d), d, c.doc_link(d)) for d in ids)
    legend = tuple((lv, percent(top * (lv - 1) / LEVELS)) for lv in range(1, LEVELS + 1))
    size = 36 if len(ids) <= 12 else 24 if len(ids) <= 30 else 16
    return Heatmap(labels, tuple(cells), legend, len(ids), len(c.result.documents), size)


def _short(doc_id: str, limit: int = 14) -> str:
    name = doc_id.rsplit("/", 1)[-1]
    return name if len(name) <= limit else name[: limit - 1] + "…"


def index_page(c: Corpus) -> IndexPage:
    """Everything index.html shows."""
    r = c.result
    params = r.params.get("params", {}) or {}
    versions = tuple((k, str(v)) for k, v in sorted(r.params.items()) if k != "params")
    rows = tuple(doc_row(c, d) for d in r.documents)
    limit = c.options.max_table_pairs
    pair_rows = tuple(
        PairRow(p.a, p.b, c.doc_link(p.a), c.doc_link(p.b), p.similarity, p.a_shared_chars, p.b_shared_chars,
                p.passages, c.pair_link(p.a, p.b))
        for p in r.pairs[:limit]
    )
    return IndexPage(
        title="文本复用报告",
        documents=len(r.documents),
        chars=sum(d.chars for d in r.documents),
        passages=len(r.passages),
        pairs=len(r.pairs),
        skipped=tuple((s.path, s.reason) for s in r.skipped),
        params=tuple((k, _param(v)) for k, v in sorted(params.items())),
        versions=versions,
        doc_rows=rows,
        pair_rows=pair_rows,
        pair_rows_total=len(r.pairs),
        pair_pages=len(c.paged),
        heatmap=heatmap(c),
        templates=len(r.templates),
    )


def _param(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


# -- pair pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassageRow:
    """One shared passage of a pair page, numbered in reading order of the left text."""

    n: int
    colour: int
    grade: str
    """'red', 'orange', 'yellow', or 'template' for formula text."""
    score: float
    template: str | None
    left: tuple[int, int]
    right: tuple[int, int]
    chars: int
    snippet: str


@dataclass(frozen=True)
class Side:
    """One of the two texts of a pair page."""

    id: str
    url: str | None
    path: str
    chars: int
    shared: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class PairPage:
    """A pair page: two full texts side by side, passages numbered and coloured alike on both."""

    url: str
    title: str
    similarity: float
    left: Side
    right: Side
    passages: tuple[PassageRow, ...]
    prev_url: str | None
    next_url: str | None
    index_url: str | None
    position: tuple[int, int] | None
    """(n, of) among the pair pages, None for a page on its own."""


def passage_grade(p: Passage) -> str:
    """'template' for formula text, else the colour grade of its score."""
    return "template" if p.template is not None else grade(p.score)


def _snippet(text: str, limit: int = 24) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def pair_page(c: Corpus, a: str, b: str, *, prev_url: str | None = None, next_url: str | None = None,
              index_url: str | None = INDEX, position: tuple[int, int] | None = None,
              links: bool = True) -> PairPage:
    """The side-by-side page of documents ``a`` (left) and ``b`` (right), in either id order."""
    key = (a, b) if a < b else (b, a)
    flip = a > b
    items = c.by_pair.get(key, [])
    left_doc, right_doc = c.docs[a], c.docs[b]
    ordered = sorted(items, key=lambda p: (p.b_start, p.a_start) if flip else (p.a_start, p.b_start))
    rows, lmarks, rmarks, ldiffs, rdiffs = [], [], [], [], []
    for n, p in enumerate(ordered, 1):
        ls, le, rs, re_, lt, rt = (p.b_start, p.b_end, p.a_start, p.a_end, p.b_text, p.a_text) if flip else \
            (p.a_start, p.a_end, p.b_start, p.b_end, p.a_text, p.b_text)
        rows.append(PassageRow(n, (n - 1) % PALETTE, passage_grade(p), p.score, p.template, (ls, le), (rs, re_),
                               len("".join(lt.split())), _snippet(lt)))
        lmarks.append(Mark(ls, le, n))
        rmarks.append(Mark(rs, re_, n))
        # offsets are trusted only when the texts match the documents they came from
        if left_doc.text[ls:le] == lt and right_doc.text[rs:re_] == rt and p.template is None:
            da, db = differences(lt, rt)
            ldiffs += [(ls + s, ls + e, k) for s, e, k in da]
            rdiffs += [(rs + s, rs + e, k) for s, e, k in db]
    pair = c.pair_of.get(key)
    similarity = pair.similarity if pair else 0.0
    a_shared, b_shared = (pair.a_shared_chars, pair.b_shared_chars) if pair else (0, 0)
    l_shared, r_shared = (b_shared, a_shared) if flip else (a_shared, b_shared)
    looks = {r.n: (r.colour, r.grade, _passage_title(r), None) for r in rows}
    left = Side(a, c.doc_link(a) if links else None, left_doc.path, left_doc.chars, l_shared,
                tuple(paint(segments(left_doc.text, lmarks, ldiffs), looks)))
    right = Side(b, c.doc_link(b) if links else None, right_doc.path, right_doc.chars, r_shared,
                 tuple(paint(segments(right_doc.text, rmarks, rdiffs), looks)))
    return PairPage(pair_url(a, b), f"{a} ↔ {b}", similarity, left, right, tuple(rows), prev_url, next_url,
                    index_url, position)


def _passage_title(r: PassageRow) -> str:
    if r.template is not None:
        return f"片段 {r.n}：套话（模板 {r.template}）"
    return f"片段 {r.n}：相似度 {percent(r.score)}"


def pair_pages(c: Corpus, part: int = 0, parts: int = 1) -> Iterable[PairPage]:
    """The pages of the closest pairs, each linking to the previous and next one (every ``parts``-th from ``part``)."""
    urls = [pair_url(p.a, p.b) for p in c.paged]
    for i, p in enumerate(c.paged):
        if i % parts != part:
            continue
        yield pair_page(c, p.a, p.b, prev_url=urls[i - 1] if i else None,
                        next_url=urls[i + 1] if i + 1 < len(urls) else None, position=(i + 1, len(urls)))


# -- document pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """A document this one shares text with (全文对照)."""

    id: str
    url: str | None
    pair_url: str | None
    colour: int
    share: float
    """Shared characters of this document / its characters."""
    shared: int
    similarity: float
    passages: int


@dataclass(frozen=True)
class DocPassage:
    """A passage of a document page: where it goes when clicked, and what it says about it."""

    n: int
    colour: int
    grade: str
    source: str
    href: str | None
    title: str


@dataclass(frozen=True)
class DocPage:
    """A document page: its full text coloured by source, and the documents it shares with."""

    url: str
    row: DocRow
    path: str
    encoding: str
    segments: tuple[Segment, ...]
    passages: dict[int, DocPassage]
    sources: tuple[SourceRow, ...]
    prev_url: str | None
    next_url: str | None
    index_url: str = INDEX


def doc_page(c: Corpus, doc_id: str, *, prev_url: str | None = None, next_url: str | None = None) -> DocPage:
    """One document with every passage coloured by the document it shares it with."""
    doc = c.docs[doc_id]
    shares: list[tuple[str, int, Pair]] = []
    keys = sorted(c.keys_of.get(doc_id, ()))
    for a, b in keys:
        pair = c.pair_of.get((a, b))
        if pair is None:
            continue
        if a == doc_id:
            shares.append((b, pair.a_shared_chars, pair))
        elif b == doc_id:
            shares.append((a, pair.b_shared_chars, pair))
    shares.sort(key=lambda t: (-t[1], t[0]))
    sources, colour_of = [], {}
    for i, (other, shared, pair) in enumerate(shares):
        colour_of[other] = i % PALETTE
        sources.append(SourceRow(other, c.doc_link(other), c.pair_link(doc_id, other), i % PALETTE,
                                 round(shared / doc.chars, 4) if doc.chars else 0.0, shared, pair.similarity,
                                 pair.passages))
    rank = {other: i for i, (other, _, _) in enumerate(shares)}
    found: list[tuple[int, int, str, int, Passage]] = []
    for a, b in keys:
        items = c.by_pair.get((a, b), [])
        other = b if a == doc_id else a
        # numbered as on the pair's page (smaller id on the left), so "#p<k>" lands on this passage
        for k, p in enumerate(items, 1):
            start, end = (p.a_start, p.a_end) if a == doc_id else (p.b_start, p.b_end)
            found.append((start, end, other, k, p))
    # the best source of a stretch comes first, so it gives the stretch its colour
    found.sort(key=lambda t: (t[0], rank.get(t[2], len(rank)), t[1]))
    marks, passages = [], {}
    for n, (start, end, other, k, p) in enumerate(found, 1):
        marks.append(Mark(start, end, n))
        href = c.pair_link(doc_id, other)
        kind = "套话" if p.template is not None else f"相似度 {percent(p.score)}"
        passages[n] = DocPassage(n, colour_of.get(other, 0), passage_grade(p), other,
                                 f"{href}#p{k}" if href else c.doc_link(other), f"{other}（{kind}）")
    # a stretch shared with several sources takes the colour of the best one
    segs = [replace(s, passages=tuple(sorted(s.passages, key=lambda n: (rank.get(passages[n].source, 0), n))))
            for s in segments(doc.text, marks)]
    segs = paint(segs, {n: (p.colour, p.grade, p.title, p.href) for n, p in passages.items()})
    return DocPage(doc_url(doc_id), doc_row(c, doc), doc.path, doc.encoding, tuple(segs), passages,
                   tuple(sources), prev_url, next_url)


def doc_pages(c: Corpus, part: int = 0, parts: int = 1) -> Iterable[DocPage]:
    """A page per document, in id order, each linking to the previous and next one (every ``parts``-th from ``part``)."""
    ids = [d.id for d in c.result.documents]
    for i, d in enumerate(ids):
        if i % parts != part:
            continue
        yield doc_page(c, d, prev_url=doc_url(ids[i - 1]) if i else None,
                       next_url=doc_url(ids[i + 1]) if i + 1 < len(ids) else None)


# -- templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """Where one copy of a template family sits."""

    doc: str
    url: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Variant:
    """One distinct wording of a template family, aligned to the representative text."""

    segments: tuple[Segment, ...]
    members: tuple[Member, ...]
    same: bool


@dataclass(frozen=True)
class TemplateBlock:
    """One template family of templates.html."""

    id: str
    anchor: str
    kind: str
    doc_count: int
    text: str
    variants: tuple[Variant, ...]
    hidden_variants: int
    members: int


@dataclass(frozen=True)
class TemplatesPage:
    """templates.html: every template family."""

    blocks: tuple[TemplateBlock, ...]
    index_url: str = INDEX


def template_block(c: Corpus, t: Template) -> TemplateBlock:
    """A template family with its members grouped by wording, most common first."""
    by_text: dict[str, list[Member]] = defaultdict(list)
    for doc_id, start, end in t.members:
        doc = c.docs.get(doc_id)
        if doc is None:
            continue
        by_text[doc.text[start:end]].append(Member(doc_id, c.doc_link(doc_id), start, end))
    ranked = sorted(by_text.items(), key=lambda kv: (kv[0] != t.text, -len(kv[1]), kv[1][0].doc, kv[1][0].start))
    limit = c.options.max_variants
    variants = []
    for text, members in ranked[:limit]:
        _, diffs = differences(t.text, text) if text != t.text else ([], [])
        variants.append(Variant(tuple(segments(text, [], diffs)), tuple(members), text == t.text))
    return TemplateBlock(t.id, "t_" + slug(t.id) + "_" + _digest(t.id), t.kind, t.doc_count, t.text,
                         tuple(variants), max(0, len(ranked) - limit), sum(len(m) for m in by_text.values()))


def templates_page(c: Corpus) -> TemplatesPage:
    """Everything templates.html shows, families in the Result's order."""
    return TemplatesPage(tuple(template_block(c, t) for t in c.result.templates))

