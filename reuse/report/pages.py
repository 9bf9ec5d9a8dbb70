"""What the HTML pages show, as plain data: rows, segments, grades, urls.

Nothing here writes HTML. ``htmlreport`` hands these objects to the Jinja2
pages of ``report/jinja/``, which only loop and print (coverage's ``LineData``/``FileData`` →
``Templite``), so every decision a reader sees, which document is the
suspected source, how a text is cut into highlighted segments, which grade a
passage gets, is made and tested here, on a ``Result`` alone. The side-by-side
view is ``pairview``'s and the overview ``overview``'s; both build on this.

A highlighted text is a list of ``Segment``: the text is split at every
passage and difference boundary, and each segment carries the passages that
cover it, so passages may overlap (a sentence shared with three documents,
two passages of one pair that touch) without breaking the markup.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from reuse.model import Cluster, Document, DocumentStats, Pair, Passage, Result, Template
from reuse.spans import uncovered
from reuse.report import words

INDEX = "index.html"
TEMPLATES = "templates.html"
CLUSTERS = "clusters.html"
PAIR = "pair.html"
DATA = "data"


@dataclass(frozen=True)
class Options:
    """What the HTML report shows, so a corpus of 100,000 documents stays readable and quick.

    Every pair with copying opens side by side unless ``top`` or
    ``min_similarity`` leave it out; the overview's tables show
    ``table_rows`` rows a page (the first page is in index.html, the rest drawn
    from ``data/index.js``).
    """

    top: int | None = None
    """Only the closest ``top`` pairs (None: all of them)."""
    min_similarity: float = 0.0
    heatmap_docs: int = 40
    """The heat map shows at most this many documents: those with the most copying."""
    table_rows: int = 50
    max_variants: int = 50
    """Distinct variants listed per template family."""
    shown_sources: int = 12
    """Sources listed on a document page before "show more"."""
    when: str = ""
    """检测时间: when the report was written, as the printed header shows it."""
    pairs_found: int | None = None
    """Pairs with copying the scan found, when the Result lists fewer (``--top``, ``--min-similarity``)."""


# -- names ------------------------------------------------------------------------------------

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
def stem(doc_id: str) -> str:
    """The name a document's page and data file share: a slug for people, a hash so ids never collide.

    Cached: every page links to many documents, each link asking again.

    >>> stem("../../x")
    'd_x_9bdbf20b'
    """
    return f"d_{slug(doc_id)}_{_digest(doc_id)}"


def doc_url(doc_id: str) -> str:
    """File name of a document's page.

    >>> doc_url("../../x")
    'd_x_9bdbf20b.html'
    """
    return stem(doc_id) + ".html"


def data_file(doc_id: str) -> str:
    """Where a document's text and side-by-side views sit in a report folder (``pairview``)."""
    return f"{DATA}/{stem(doc_id)}.js"


def pair_url(left: str, right: str, passage: int | None = None) -> str:
    """The link that opens ``left`` and ``right`` side by side, at passage ``passage``.

    >>> pair_url("a.txt", "b.txt")
    'pair.html?a=d_a-txt_cfc7b488&b=d_b-txt_aceba96f'
    """
    return f"{PAIR}?a={stem(left)}&b={stem(right)}" + (f"#p{passage}" if passage else "")


# -- grades -----------------------------------------------------------------------------------


def grade(score: float) -> str:
    """A copied passage's grade, as Chinese 查重 reports use them (``words.GRADES``).

    Red is near-verbatim, orange and yellow are edited copies.

    >>> grade(0.97), grade(0.8), grade(0.6)
    ('red', 'orange', 'yellow')
    """
    if score >= 0.9:
        return "red"
    if score >= 0.75:
        return "orange"
    return "yellow"


def passage_grade(p: Passage) -> str:
    """'template' or 'quote' for text that is no evidence of copying, else the grade of its score."""
    if p.template is not None or p.kind == "template":
        return "template"
    if p.kind == "quote":
        return "quote"
    return grade(p.score)


SCALE = (0.05, 0.10, 0.25, 0.50, 0.75)
"""The fixed steps of every share the report colours (heat map, histogram, ratio chips)."""
LEVELS = len(SCALE) + 1


def level(ratio: float) -> int:
    """A share's step on ``SCALE``: 0 for none, 1 under 5 %, … 6 from 75 %.

    >>> [level(x) for x in (0, 0.01, 0.05, 0.12, 0.3, 0.6, 0.9)]
    [0, 1, 2, 3, 4, 5, 6]
    """
    if ratio <= 0:
        return 0
    return 1 + sum(ratio >= step for step in SCALE)


def level_words(lv: int) -> str:
    """A step of ``SCALE`` in words.

    >>> level_words(1), level_words(3), level_words(6)
    ('低于 5%', '10%–25%', '75% 以上')
    """
    if lv <= 0:
        return "无"
    if lv == 1:
        return f"低于 {percent(SCALE[0])}"
    if lv == LEVELS:
        return f"{percent(SCALE[-1])} 以上"
    return f"{percent(SCALE[lv - 2])}–{percent(SCALE[lv - 1])}"


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
    grade: str | None = None
    title: str | None = None
    href: str | None = None
    ref: str | None = None
    """Set where a passage begins (a keyboard stop): its number as the reader sees it (``[2]``, a source), drawn
    before the text, or "" for a passage without one."""

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


@dataclass(frozen=True)
class Look:
    """How a passage shows: its grade, its words, where a click goes, and its number."""

    grade: str
    title: str
    href: str | None = None
    ref: str | None = None


def paint(segs: Iterable[Segment], looks: dict[int, Look]) -> list[Segment]:
    """Give each covered segment the grade, title and link of its first passage.

    A segment covered by several passages lists every title; the first
    segment of each passage carries its ``ref``, so the number shows where
    the passage begins (CNKI's [1], [2]).
    """
    out = []
    begun: set[int] = set()
    for s in segs:
        if not s.passages:
            out.append(s)
            continue
        if "\n" in s.text and not s.text.strip():
            # a paragraph break inside a passage stays unpainted: a coloured line end is noise
            out.append(Segment(s.text))
            continue
        look = looks[s.passages[0]]
        titles = list(dict.fromkeys(looks[n].title for n in s.passages))
        title = "；".join(titles[:TITLES]) + (f"；…共 {len(titles)} 处" if len(titles) > TITLES else "")
        ref = (look.ref or "") if s.passages[0] not in begun and s.text else None
        if s.text:
            begun.add(s.passages[0])
        out.append(replace(s, grade=look.grade, title=title, href=look.href, ref=ref))
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
        paged = [p for p in r.pairs if p.similarity >= o.min_similarity]
        self.paged: list[Pair] = paged[: o.top] if o.top is not None else paged
        self.paged_keys = {(p.a, p.b) for p in self.paged}
        self.template_kind: dict[str, str] = {t.id: t.kind for t in r.templates}

    def pair_link(self, a: str, b: str, passage: int | None = None) -> str | None:
        """The side-by-side view of ``a`` and ``b`` (suspected source on the left), or None when not shown."""
        key = (a, b) if a < b else (b, a)
        return pair_url(*self.oriented(a, b), passage) if key in self.paged_keys else None

    def doc_link(self, doc_id: str) -> str | None:
        """The url of a document's page, or None for an id not in the corpus."""
        return doc_url(doc_id) if doc_id in self.docs else None

    def direction(self, doc_id: str, other: str) -> str:
        """How ``other`` stands to ``doc_id``: 'source' (written before it), 'citing' (after it) or 'similar'.

        Only dates both documents carry count; the same day says nothing.
        """
        mine, theirs = self.docs[doc_id].date, self.docs[other].date
        if not mine or not theirs or mine == theirs:
            return "similar"
        return "source" if theirs < mine else "citing"

    def oriented(self, a: str, b: str) -> tuple[str, str]:
        """``(left, right)``: the earlier document on the left when both are dated, else the smaller id."""
        way = self.direction(a, b)
        if way == "source":
            return b, a
        if way == "citing":
            return a, b
        return (a, b) if a < b else (b, a)

    def numbered(self, left: str, right: str) -> list[Passage]:
        """A pair's passages in reading order of the left text: passage k of its view is item k-1."""
        key = (left, right) if left < right else (right, left)
        return sorted(self.by_pair.get(key, []), key=lambda p: (sides(p, left)[0].start, sides(p, left)[1].start))

    @property
    def clusters_of(self) -> dict[str, list[tuple[Cluster, int]]]:
        """Per document, the clusters it is a witness of, with its place among the witnesses (1 = earliest)."""
        if not hasattr(self, "_clusters_of"):
            out: dict[str, list[tuple[Cluster, int]]] = defaultdict(list)
            for cl in self.result.clusters:
                for k, doc_id in enumerate(dict.fromkeys(m[0] for m in cl.members), 1):
                    out[doc_id].append((cl, k))
            self._clusters_of = out
        return self._clusters_of

    @property
    def phrases_of(self) -> dict[str, list[tuple[int, int, int]]]:
        """Per document, ``(start, end, documents holding it)`` of each shared phrase it holds."""
        if not hasattr(self, "_phrases_of"):
            out: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
            for ph in self.result.phrases:
                for doc_id, start, end in ph.members:
                    out[doc_id].append((start, end, ph.doc_count))
            self._phrases_of = out
        return self._phrases_of


@dataclass(frozen=True)
class Stretch:
    """A passage's stretch on one side."""

    start: int
    end: int
    text: str


def sides(p: Passage, left: str) -> tuple[Stretch, Stretch]:
    """The passage's (left, right) stretches when document ``left`` is on the left."""
    a, b = Stretch(p.a_start, p.a_end, p.a_text), Stretch(p.b_start, p.b_end, p.b_text)
    return (a, b) if p.a == left else (b, a)


# -- what every page's printed header says ------------------------------------------------------


@dataclass(frozen=True)
class ReportInfo:
    """The head of a printed page: when, what corpus, how large, with which parameters."""

    when: str
    corpus: str
    documents: int
    chars: int
    params: tuple[tuple[str, str], ...]
    main_params: tuple[tuple[str, str], ...]
    """The few that decide what counts as copying, for the header of every printed page."""


def corpus_name(result: Result) -> str:
    """The folder the documents were read from (their common parent), for the report's header.

    >>> from reuse.model import Document as D
    >>> corpus_name(Result({}, (D("a", "x/y/a.txt", "", "", 0), D("b", "x/b.txt", "", "", 0)), (), (), (), ()))
    'x'
    """
    parents = [os.path.dirname(d.path) for d in result.documents]
    if not parents:
        return "（无文档）"
    try:
        common = os.path.commonpath(parents) if all(parents) else ""
    except ValueError:  # absolute and relative paths, or two drives
        common = ""
    return common or "（当前文件夹）"


def report_info(c: Corpus) -> ReportInfo:
    """The printed header, once per report (every page shows it)."""
    if not hasattr(c, "_info"):
        r = c.result
        values = r.params.get("params", {}) or {}
        c._info = ReportInfo(c.options.when, corpus_name(r), len(r.documents), sum(d.chars for d in r.documents),
                             words.params(values), words.params({k: values[k] for k in words.MAIN if k in values}))
    return c._info


# -- document pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocRow:
    """A document's figures: its line in the overview and the head of its own page."""

    id: str
    url: str | None
    date: str | None
    chars: int
    reuse_ratio: float
    copy_ratio: float
    template_ratio: float
    quote_ratio: float
    phrase_ratio: float
    top_id: str | None
    top_url: str | None
    top_ratio: float | None
    top_direction: str | None
    """'source', 'citing' or 'similar' (``words.DIRECTIONS``)."""

    @property
    def level(self) -> int:
        return level(self.copy_ratio)

    @property
    def mix(self) -> tuple[tuple[str, float, float], ...]:
        """(kind, x, width) on 0–100: what the shared text is made of, copy first."""
        out, x = [], 0.0
        for kind, value in (("copy", self.copy_ratio), ("template", self.template_ratio),
                            ("quote", self.quote_ratio), ("phrase", self.phrase_ratio)):
            if value > 0:
                w = round(min(value * 100, 100 - x), 1)
                out.append((kind, round(x, 1), w))
                x += w
        return tuple(out)

    @property
    def mix_words(self) -> str:
        return (f"复制 {percent(self.copy_ratio)}，套话 {percent(self.template_ratio)}，"
                f"引用 {percent(self.quote_ratio)}，常见短语 {percent(self.phrase_ratio)}")


def doc_row(c: Corpus, doc: Document) -> DocRow:
    s = c.stats.get(doc.id) or DocumentStats(doc.id, 0.0, None)
    top = s.top_source if s.top_source and s.top_source.id in c.docs else None
    top_url = (c.pair_link(doc.id, top.id) or c.doc_link(top.id)) if top else None
    return DocRow(doc.id, c.doc_link(doc.id), doc.date, doc.chars, s.reuse_ratio, s.copy_ratio, s.template_ratio,
                  s.quote_ratio, s.phrase_ratio, top.id if top else None, top_url, top.ratio if top else None,
                  c.direction(doc.id, top.id) if top else None)


@dataclass(frozen=True)
class SourceRow:
    """A document this one shares copying with: source [k] of the page."""

    k: int
    id: str
    url: str | None
    view: str | None
    """The two side by side."""
    date: str | None
    direction: str
    share: float
    """Shared characters of this document / its characters."""
    shared: int
    similarity: float
    passages: int


@dataclass(frozen=True)
class BarPart:
    """A stretch of the CNKI-style bar: where along the text (0–1000) a kind of shared text lies."""

    x: float
    width: float
    grade: str
    title: str


@dataclass(frozen=True)
class ClusterRow:
    """A cluster of copies this document is a witness of."""

    id: str
    url: str
    doc_count: int
    place: int
    earliest: str | None
    earliest_url: str | None


@dataclass(frozen=True)
class DocPage:
    """A document page: its full text graded and numbered by source, and the documents it shares with."""

    url: str
    row: DocRow
    path: str
    encoding: str
    info: ReportInfo
    segments: tuple[Segment, ...]
    sources: tuple[SourceRow, ...]
    more_sources: tuple[SourceRow, ...]
    """Listed behind "show more"."""
    bar: tuple[BarPart, ...]
    clusters: tuple[ClusterRow, ...]
    passages: int
    prev_url: str | None
    next_url: str | None
    index_url: str = INDEX


BAR_ORDER = ("template", "quote", "red", "orange", "yellow", "phrase")
"""Which kind a character counts as when several cover it: template before quotation before copy before phrase."""


def bar(length: int, spans: Iterable[tuple[int, int, str]]) -> tuple[BarPart, ...]:
    """Where along a text of ``length`` characters each kind of shared text lies, on a 0–1000 scale.

    >>> [(p.x, p.width, p.grade) for p in bar(100, [(0, 50, "red"), (40, 60, "template")])]
    [(0.0, 400.0, 'red'), (400.0, 200.0, 'template')]
    """
    if length <= 0:
        return ()
    rank = {g: i for i, g in enumerate(BAR_ORDER)}
    cuts = sorted({0, length, *(x for s, e, _ in spans for x in (s, e) if 0 <= x <= length)})
    spans = [(s, e, g) for s, e, g in spans if s < e and g in rank]
    out: list[list] = []
    for lo, hi in zip(cuts, cuts[1:]):
        over = [g for s, e, g in spans if s <= lo and hi <= e]
        if not over:
            continue
        g = min(over, key=rank.__getitem__)
        if out and out[-1][2] == g and out[-1][1] == lo:
            out[-1][1] = hi
        else:
            out.append([lo, hi, g])
    scale = 1000 / length
    parts = []
    for s, e, g in out:
        what = words.GRADES.get(g) and f"复制（{words.GRADES[g]}）" or words.KINDS[g]
        parts.append(BarPart(round(s * scale, 1), round((e - s) * scale, 1), g, f"{what}：第 {s + 1}–{e} 字"))
    return tuple(parts)


def doc_page(c: Corpus, doc_id: str, *, prev_url: str | None = None, next_url: str | None = None) -> DocPage:
    """One document with every passage graded, numbered by its source and linked to the two side by side."""
    doc = c.docs[doc_id]
    shares: list[tuple[str, int, Pair]] = []
    keys = sorted(c.keys_of.get(doc_id, ()))
    for a, b in keys:
        pair = c.pair_of.get((a, b))
        if pair is not None:
            shares.append((b, pair.a_shared_chars, pair) if a == doc_id else (a, pair.b_shared_chars, pair))
    shares.sort(key=lambda t: (-t[1], t[0]))
    sources = [SourceRow(k, other, c.doc_link(other), c.pair_link(doc_id, other), c.docs[other].date,
                         c.direction(doc_id, other), round(shared / doc.chars, 4) if doc.chars else 0.0, shared,
                         pair.similarity, pair.passages)
               for k, (other, shared, pair) in enumerate(shares, 1)]
    number = {s.id: s.k for s in sources}
    found: list[tuple[int, int, str, int, Passage]] = []
    for a, b in keys:
        other = b if a == doc_id else a
        # numbered as in the pair's view, so "#p<k>" lands on this passage
        for k, p in enumerate(c.numbered(*c.oriented(doc_id, other)), 1):
            mine = sides(p, doc_id)[0]
            found.append((mine.start, mine.end, other, k, p))
    # the best source of a stretch comes first, so it gives the stretch its grade and number
    found.sort(key=lambda t: (t[0], number.get(t[2], len(number) + 1), t[1], t[2]))
    marks, looks, spans = [], {}, []
    for n, (start, end, other, k, p) in enumerate(found, 1):
        marks.append(Mark(start, end, n))
        g = passage_grade(p)
        spans.append((start, end, g))
        ref = f"[{number[other]}]" if other in number else None
        way = words.DIRECTIONS[c.direction(doc_id, other)]
        looks[n] = Look(g, f"{ref + ' ' if ref else ''}{other}（{way}）：{_grade_words(p)}", c.pair_link(doc_id, other, k)
                        or c.doc_link(other), ref)
    phrases = uncovered([(s, e) for s, e, _ in c.phrases_of.get(doc_id, ())], [(m.start, m.end) for m in marks])
    for start, end in phrases:
        marks.append(Mark(start, end, len(marks) + 1))
        spans.append((start, end, "phrase"))
        looks[len(marks)] = Look("phrase", "常见短语：多篇文档都用到，不算复制")

    def best_first(m: int) -> tuple[int, int]:
        return (number.get(found[m - 1][2], len(number) + 1) if m <= len(found) else len(number) + 2, m)

    segs = [replace(s, passages=tuple(sorted(s.passages, key=best_first))) for s in segments(doc.text, marks)]
    shown = c.options.shown_sources
    clusters = tuple(ClusterRow(cl.id, f"{CLUSTERS}#{cluster_anchor(cl.id)}", cl.doc_count, place, cl.earliest,
                                c.doc_link(cl.earliest) if cl.earliest else None)
                     for cl, place in c.clusters_of.get(doc_id, ()))
    return DocPage(doc_url(doc_id), doc_row(c, doc), doc.path, doc.encoding, report_info(c),
                   tuple(paint(segs, looks)), tuple(sources[:shown]), tuple(sources[shown:]),
                   bar(len(doc.text), spans), clusters, len(found), prev_url, next_url)


def _grade_words(p: Passage) -> str:
    g = passage_grade(p)
    if g in words.GRADES:
        return f"{words.GRADES[g]}，相似度 {percent(p.score)}"
    return words.KINDS["template" if g == "template" else "quote"]


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
class Holder:
    """A document holding a wording, and how many times: each name is listed once."""

    doc: str
    url: str | None
    times: int


@dataclass(frozen=True)
class Variant:
    """One distinct wording of a template family, aligned to the representative text."""

    segments: tuple[Segment, ...]
    holders: tuple[Holder, ...]
    places: int
    same: bool


@dataclass(frozen=True)
class TemplateBlock:
    """One template family of templates.html."""

    id: str
    anchor: str
    kind: str
    kind_words: str
    doc_count: int
    text: str
    variants: tuple[Variant, ...]
    hidden_variants: int
    members: int


@dataclass(frozen=True)
class ListPage:
    """A page that lists entries, each a block: templates.html (template families), clusters.html (clusters,
    witnesses earliest first)."""

    info: ReportInfo
    blocks: tuple
    index_url: str = INDEX


def holders(c: Corpus, docs: Iterable[str]) -> tuple[Holder, ...]:
    """Each document once, in first-seen order, with how many times it came."""
    counts: dict[str, int] = {}
    for d in docs:
        counts[d] = counts.get(d, 0) + 1
    return tuple(Holder(d, c.doc_link(d), n) for d, n in counts.items())


def template_block(c: Corpus, t: Template) -> TemplateBlock:
    """A template family with its members grouped by wording, most common first."""
    by_text: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc_id, start, end in t.members:
        doc = c.docs.get(doc_id)
        if doc is not None:
            by_text[doc.text[start:end]].append((doc_id, start))
    ranked = sorted(by_text.items(), key=lambda kv: (kv[0] != t.text, -len(kv[1]), kv[1][0]))
    limit = c.options.max_variants
    variants = []
    for text, members in ranked[:limit]:
        _, diffs = differences(t.text, text) if text != t.text else ([], [])
        variants.append(Variant(tuple(segments(text, [], diffs)), holders(c, (d for d, _ in members)), len(members),
                                text == t.text))
    return TemplateBlock(t.id, "t_" + slug(t.id) + "_" + _digest(t.id), t.kind, words.template_kind(t.kind),
                         t.doc_count, t.text, tuple(variants), max(0, len(ranked) - limit),
                         sum(len(m) for m in by_text.values()))


def templates_page(c: Corpus) -> ListPage:
    """Everything templates.html shows, families in the Result's order."""
    return ListPage(report_info(c), tuple(template_block(c, t) for t in c.result.templates))


# -- clusters ---------------------------------------------------------------------------------


def cluster_anchor(cluster_id: str) -> str:
    return "c_" + slug(cluster_id) + "_" + _digest(cluster_id)


@dataclass(frozen=True)
class Witness:
    """A document holding a cluster's text, in date order (passim's witnesses)."""

    k: int
    doc: str
    url: str | None
    date: str | None
    chars: int
    view: str | None
    """This witness and the earliest side by side."""


@dataclass(frozen=True)
class ClusterBlock:
    """One copied text held by three or more documents."""

    id: str
    anchor: str
    doc_count: int
    text: str
    """The earliest witness's text."""
    witnesses: tuple[Witness, ...]
    dated: bool


def cluster_block(c: Corpus, cl: Cluster) -> ClusterBlock:
    """A cluster with each witness once, in the Result's order (earliest first when dated)."""
    first: dict[str, tuple[int, int]] = {}
    for doc_id, start, end in cl.members:
        if doc_id in c.docs and doc_id not in first:
            first[doc_id] = (start, end)
    ids = list(first)
    head = ids[0] if ids else None
    text = c.docs[head].text[slice(*first[head])] if head else ""
    witnesses = []
    for k, doc_id in enumerate(ids, 1):
        start, end = first[doc_id]
        view = c.pair_link(doc_id, head, _cluster_passage(c, doc_id, head, cl.id)) if doc_id != head else None
        witnesses.append(Witness(k, doc_id, c.doc_link(doc_id), c.docs[doc_id].date,
                                 sum(not ch.isspace() for ch in c.docs[doc_id].text[start:end]), view))
    return ClusterBlock(cl.id, cluster_anchor(cl.id), cl.doc_count, text, tuple(witnesses), cl.earliest is not None)


def _cluster_passage(c: Corpus, doc_id: str, other: str, cluster_id: str) -> int | None:
    """The number, in the two documents' view, of the passage of this cluster (None if there is none)."""
    for k, p in enumerate(c.numbered(*c.oriented(doc_id, other)), 1):
        if p.cluster == cluster_id:
            return k
    return None


def clusters_page(c: Corpus) -> ListPage:
    return ListPage(report_info(c), tuple(cluster_block(c, cl) for cl in c.result.clusters))
