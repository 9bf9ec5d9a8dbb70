"""index.html: who copies whom, how much, and what is mere formula, at any corpus size.

The page itself holds the figures, the pictures (heat map, histogram) and the
first page of each table; ``data/index.js`` holds every row, from which
``static/report.js`` sorts, filters and pages the tables in the browser, so
100,000 documents cost one data file, not 100,000 table rows of HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from reuse.report import words
from reuse.report.pages import (CLUSTERS, LEVELS, SCALE, TEMPLATES, Corpus, DocRow, ReportInfo, doc_row, level,
                                level_words, percent, report_info, stem)

INDEX_DATA = "data/index.js"


@dataclass(frozen=True)
class PairRow:
    """One line of the pairs table: the suspected source (or the smaller id) first."""

    left: str
    right: str
    left_url: str | None
    right_url: str | None
    left_date: str | None
    right_date: str | None
    dated: bool
    """The two carry different dates, so the left one came first."""
    similarity: float
    left_shared: int
    right_shared: int
    passages: int
    url: str | None


@dataclass(frozen=True)
class Cell:
    """One heat-map square: row ``row``, column ``col``, its step on ``SCALE``."""

    row: int
    col: int
    level: int
    similarity: float
    title: str
    url: str | None


@dataclass(frozen=True)
class Heatmap:
    """Documents × documents, each square the similarity of the two, on the fixed ``SCALE``."""

    labels: tuple[tuple[str, str, str | None, str], ...]
    """(short label, document id, url, full label for the tooltip) per row and column."""
    cells: tuple[Cell, ...]
    legend: tuple[tuple[int, str], ...]
    """(level, words) per colour of the scale."""
    shown: int
    total: int
    size: int
    """Side of a square in pixels: large for a few documents, small for many."""
    pad: int
    """Width of the row labels."""


@dataclass(frozen=True)
class Bin:
    """One bar of the histogram of 去除套话复制比: documents whose ratio lies in [low, high)."""

    level: int
    label: str
    low: float
    high: float
    count: int
    height: int


@dataclass(frozen=True)
class IndexPage:
    """index.html: the corpus at a glance."""

    title: str
    info: ReportInfo
    documents: int
    chars: int
    copied: int
    """Documents with any copying."""
    passages: dict[str, int]
    """Passages per kind (copy, quote, template)."""
    pairs: int
    pairs_shown: int
    clusters: int
    phrases: int
    skipped: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, str], ...]
    doc_rows: tuple[DocRow, ...]
    pair_rows: tuple[PairRow, ...]
    table_rows: int
    heatmap: Heatmap
    histogram: tuple[Bin, ...]
    templates: int
    templates_url: str = TEMPLATES
    clusters_url: str = CLUSTERS
    data_url: str = INDEX_DATA


def ranked_documents(c: Corpus) -> list[str]:
    """Document ids most copied first (去除套话复制比, then 总文字复制比, then id): the overview's order."""
    def key(doc_id: str) -> tuple[float, float, str]:
        s = c.stats.get(doc_id)
        return (-(s.copy_ratio if s else 0.0), -(s.reuse_ratio if s else 0.0), doc_id)

    return sorted(c.docs, key=key)


def pair_row(c: Corpus, a: str, b: str) -> PairRow:
    left, right = c.oriented(a, b)
    p = c.pair_of[(a, b) if a < b else (b, a)]
    ls, rs = (p.a_shared_chars, p.b_shared_chars) if p.a == left else (p.b_shared_chars, p.a_shared_chars)
    return PairRow(left, right, c.doc_link(left), c.doc_link(right), c.docs[left].date, c.docs[right].date,
                   c.direction(left, right) == "citing", p.similarity, ls, rs, p.passages, c.pair_link(left, right))


# -- pictures ---------------------------------------------------------------------------------


def heatmap_documents(c: Corpus, limit: int) -> list[str]:
    """The documents the heat map shows first: the most copied that share copying, in date order."""
    in_pairs = {d for p in c.paged for d in (p.a, p.b)}
    chosen = [d for d in ranked_documents(c) if d in in_pairs][:limit]
    return sorted(chosen, key=lambda d: (c.docs[d].date or "", d))


def _short(doc_id: str, limit: int = 24) -> str:
    name = doc_id.rsplit("/", 1)[-1]
    return name if len(name) <= limit else name[: limit - 1] + "…"


def full_label(c: Corpus, doc_id: str) -> str:
    doc = c.docs[doc_id]
    s = c.stats.get(doc_id)
    return f"{doc_id}（{doc.date or '日期不详'}；去除套话复制比 {percent(s.copy_ratio if s else 0.0)}）"


def heatmap(c: Corpus, ids: list[str] | None = None) -> Heatmap:
    """The similarity of each two of ``ids`` (default ``heatmap_documents``), on the fixed scale."""
    ids = heatmap_documents(c, c.options.heatmap_docs) if ids is None else ids
    index = {d: i for i, d in enumerate(ids)}
    cells = []
    for p in c.paged:
        if p.a not in index or p.b not in index:
            continue
        left, right = c.oriented(p.a, p.b)
        title = f"{left} ↔ {right}：相似度 {percent(p.similarity)}，{p.passages} 处复制"
        url = c.pair_link(p.a, p.b)
        i, j = index[p.a], index[p.b]
        lv = max(1, level(p.similarity))
        cells += [Cell(i, j, lv, p.similarity, title, url), Cell(j, i, lv, p.similarity, title, url)]
    cells.sort(key=lambda x: (x.row, x.col))
    labels = tuple((_short(d), d, c.doc_link(d), full_label(c, d)) for d in ids)
    legend = tuple((lv, level_words(lv)) for lv in range(1, LEVELS + 1))
    size = 36 if len(ids) <= 12 else 24 if len(ids) <= 30 else 16
    pad = 30 + 7 * max((len(s) + 4 for s, *_ in labels), default=8)
    return Heatmap(labels, tuple(cells), legend, len(ids), len(c.result.documents), size, min(pad, 260))


HISTOGRAM_HEIGHT = 120


def histogram(c: Corpus) -> tuple[Bin, ...]:
    """How many documents fall in each step of 去除套话复制比, none included."""
    counts = Counter(level(s.copy_ratio) for s in c.stats.values())
    counts[0] += len(c.docs) - len(c.stats)
    top = max(counts.values(), default=0) or 1
    bounds = (0.0, 0.0, *SCALE, 1.0)
    out = []
    for lv in range(LEVELS + 1):
        low, high = (0.0, 0.0) if lv == 0 else (bounds[lv], bounds[lv + 1])
        n = counts.get(lv, 0)
        height = 0 if n == 0 else max(2, round(n / top * HISTOGRAM_HEIGHT))
        out.append(Bin(lv, "0%" if lv == 0 else level_words(lv), low, high, n, height))
    return tuple(out)


# -- the page ---------------------------------------------------------------------------------


def index_page(c: Corpus) -> IndexPage:
    """Everything index.html shows."""
    r = c.result
    versions = tuple((k, str(v)) for k, v in sorted(r.params.items()) if k != "params")
    limit = c.options.table_rows
    rows = tuple(doc_row(c, c.docs[d]) for d in ranked_documents(c)[:limit])
    pair_rows = tuple(pair_row(c, p.a, p.b) for p in c.paged[:limit])
    kinds = Counter(p.kind for p in r.passages)
    return IndexPage(
        title="文本复用检测报告",
        info=report_info(c),
        documents=len(r.documents),
        chars=sum(d.chars for d in r.documents),
        copied=sum(1 for s in r.stats if s.copy_ratio > 0),
        passages={k: kinds.get(k, 0) for k in ("copy", "quote", "template")},
        pairs=max(len(r.pairs), c.options.pairs_found or 0),
        pairs_shown=len(c.paged),
        clusters=len(r.clusters),
        phrases=len(r.phrases),
        skipped=tuple((s.path, words.skip_reason(s.reason)) for s in r.skipped),
        versions=versions,
        doc_rows=rows,
        pair_rows=pair_rows,
        table_rows=limit,
        heatmap=heatmap(c),
        histogram=histogram(c),
        templates=len(r.templates),
    )


DIRECTION_CODES = {"source": "s", "citing": "c", "similar": ""}


def index_data(c: Corpus) -> dict[str, Any]:
    """Every row of the overview's tables, compact (documents and pairs refer to documents by position).

    ``docs``: [id, page stem, date, chars, 总文字复制比, 去除套话复制比, 套话, 引用,
    短语, top document (position or -1), 单篇最大复制比, direction of the top
    document ('s' source, 'c' citing, '' not known), top pair (position or -1)].
    ``pairs``: [left, right, similarity, left shared, right shared, passages],
    the suspected source on the left, closest first.
    """
    order = [d.id for d in c.result.documents]
    at = {d: i for i, d in enumerate(order)}
    pairs, pair_at = [], {}
    for p in c.paged:
        left, right = c.oriented(p.a, p.b)
        ls, rs = (p.a_shared_chars, p.b_shared_chars) if p.a == left else (p.b_shared_chars, p.a_shared_chars)
        pair_at[(p.a, p.b)] = len(pairs)
        pairs.append([at[left], at[right], p.similarity, ls, rs, p.passages])
    docs = []
    for doc_id in order:
        d, s = c.docs[doc_id], c.stats.get(doc_id)
        top = s.top_source if s and s.top_source and s.top_source.id in at else None
        key = tuple(sorted((doc_id, top.id))) if top else None
        docs.append([doc_id, stem(doc_id), d.date, d.chars,
                     *(round(getattr(s, f), 4) if s else 0.0 for f in
                       ("reuse_ratio", "copy_ratio", "template_ratio", "quote_ratio", "phrase_ratio")),
                     at[top.id] if top else -1, top.ratio if top else 0.0,
                     DIRECTION_CODES[c.direction(doc_id, top.id)] if top else "",
                     pair_at.get(key, -1) if key else -1])
    return {"docs": docs, "pairs": pairs, "scale": list(SCALE), "page": c.options.table_rows,
            "labels": {"directions": words.DIRECTIONS}}

