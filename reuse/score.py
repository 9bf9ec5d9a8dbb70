"""Stage 10: how much is shared, per pair, per document and per section.

All ratios count non-whitespace characters of the original text, the way
查重 reports count 字符. A document's ``reuse_ratio`` (总文字复制比) is the
share covered by passages shared with any other document; it splits into
``template_ratio`` (the part inside template families: formulas, skeleton,
watermarks) and ``copy_ratio`` (the rest: 去除套话复制比). Pair similarity
and ``top_source`` (单篇最大复制比) count copying only, unless templates are
included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from reuse import segment
from reuse.model import Cluster, Document, DocumentStats, Pair, Passage, Phrase, Section, Source, Template
from reuse.normalize import solid
from reuse.model import COPY, QUOTE, TEMPLATE


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class Coverage:
    """Character masks of one document: what is shared, and as what kind."""

    def __init__(self, text: str):
        self.solid = solid(text)
        self.template = np.zeros(len(text), dtype=bool)
        self.quote = np.zeros(len(text), dtype=bool)
        self.recurring = np.zeros(len(text), dtype=bool)  # shared text found without a pair passage too
        self._prefix: tuple[bool, np.ndarray] | None = None

    def mask(self, spans: Iterable[tuple[int, int]]) -> np.ndarray:
        m = np.zeros(len(self.solid), dtype=bool)
        for s, e in spans:
            m[s:e] = True
        return m & self.solid

    def count(self, mask: np.ndarray, lo: int = 0, hi: int | None = None) -> int:
        return int(np.count_nonzero(mask[lo:hi]))

    def prefix(self, include_templates: bool) -> np.ndarray:
        """``prefix[i]``: counted characters before ``i``: solid, neither quotation nor (unless included) template."""
        if self._prefix is None or self._prefix[0] != include_templates:
            counted = self.solid & ~self.quote if include_templates else self.solid & ~self.template & ~self.quote
            self._prefix = (include_templates, np.concatenate([[0], np.cumsum(counted, dtype=np.int64)]))
        return self._prefix[1]


def union_count(prefix: np.ndarray, spans: Iterable[tuple[int, int]]) -> int:
    """Counted characters (by ``prefix``) in the union of ``spans``: no mask of the whole text per pair."""
    total, reach = 0, 0
    for s, e in sorted(spans):
        s = max(s, reach)
        if e > s:
            total += int(prefix[e] - prefix[s])
            reach = e
    return total


def score(documents: Sequence[Document], passages: Sequence[Passage], templates: Sequence[Template] = (),
          phrases: Sequence[Phrase] = (), clusters: Sequence[Cluster] = (), *,
          include_templates: bool = False) -> tuple[list[Pair], list[DocumentStats]]:
    """Pairs (closest first) and per-document stats (in document order).

    Every shared character counts once, as the first of template, quote,
    copy and phrase that claims it, so the four ratios add up to
    ``reuse_ratio``. Pairs count copying only (and template text when
    ``include_templates``).
    """
    cover = {doc.id: Coverage(doc.text) for doc in documents}
    copied: dict[str, list[tuple[int, int]]] = defaultdict(list)
    phrased: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for t in templates:
        # found in several documents (a library family may have one member in this check's documents)
        shared = max(t.doc_count, len({doc for doc, _, _ in t.members})) > 1
        for doc, start, end in t.members:
            cover[doc].template[start:end] = True
            if shared:
                cover[doc].recurring[start:end] = True
    for c in clusters:
        for doc, start, end in c.members:
            copied[doc].append((start, end))
    for ph in phrases:
        for doc, start, end in ph.members:
            phrased[doc].append((start, end))
    by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    aligned: dict[str, list[tuple[int, int]]] = defaultdict(list)  # template passages' spans, per document
    for p in passages:
        if p.kind == TEMPLATE:
            aligned[p.a].append((p.a_start, p.a_end))
            aligned[p.b].append((p.b_start, p.b_end))
        if p.kind == QUOTE:
            cover[p.a].quote[p.a_start:p.a_end] = True
            cover[p.b].quote[p.b_start:p.b_end] = True
        elif p.kind == COPY:
            copied[p.a].append((p.a_start, p.a_end))
            copied[p.b].append((p.b_start, p.b_end))
        if p.kind == COPY or (include_templates and p.kind == TEMPLATE):
            by_pair[(p.a, p.b)].append(p)
    chars = {doc.id: doc.chars for doc in documents}
    pairs = []
    shared_with: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), items in by_pair.items():
        a_shared = union_count(cover[a].prefix(include_templates), [(p.a_start, p.a_end) for p in items])
        b_shared = union_count(cover[b].prefix(include_templates), [(p.b_start, p.b_end) for p in items])
        if not a_shared and not b_shared:
            continue
        pairs.append(Pair(a, b, _ratio(a_shared + b_shared, chars[a] + chars[b]), a_shared, b_shared, len(items)))
        shared_with[a].append((a_shared, b))
        shared_with[b].append((b_shared, a))
    pairs.sort(key=lambda p: (-p.similarity, -(p.a_shared_chars + p.b_shared_chars), p.a, p.b))
    stats = []
    for doc in documents:
        c = cover[doc.id]
        # family text counts as shared where another document holds it too (a watermark of one document
        # is not shared) and is never copy; a template passage's edges are template where no copy claims them
        family = c.template & c.solid
        in_passages = c.mask(aligned[doc.id])
        copy_raw = c.mask(copied[doc.id])
        templated = (family & (c.recurring | in_passages)) | (in_passages & ~copy_raw)
        quoted = c.quote & c.solid & ~family & ~templated
        copy = copy_raw & ~family & ~quoted & ~templated
        phrase = c.mask(phrased[doc.id]) & ~family & ~templated & ~quoted & ~copy
        parts = (templated, quoted, copy, phrase)
        top = None
        if shared_with[doc.id]:
            # most shared characters; ties go to the first id, for stable output
            shared, other = min(shared_with[doc.id], key=lambda t: (-t[0], t[1]))
            if shared:
                top = Source(other, _ratio(shared, doc.chars))
        sections = []
        for title, span in segment.sections(doc.text, list(doc.paragraphs)):
            solid_chars = c.count(c.solid, span.start, span.end)
            t, q, cp, ph = (_ratio(c.count(m, span.start, span.end), solid_chars) for m in parts)
            sections.append(Section(title=doc.text[title.start:title.end], start=span.start, end=span.end,
                                    reuse_ratio=_total(t, q, cp, ph), template_ratio=t, copy_ratio=cp,
                                    quote_ratio=q, phrase_ratio=ph))
        t, q, cp, ph = (_ratio(c.count(m), doc.chars) for m in parts)
        stats.append(DocumentStats(doc.id, _total(t, q, cp, ph), top, template_ratio=t, copy_ratio=cp,
                                   sections=tuple(sections), quote_ratio=q, phrase_ratio=ph))
    return pairs, stats


def _total(*parts: float) -> float:
    """The reuse ratio: the sum of its rounded parts, so the parts always add up to it."""
    return round(sum(parts), 4)
