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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from reuse import segment
from reuse.engine import Engine, LocalEngine
from reuse.model import Cluster, Document, DocumentStats, Pair, Passage, Phrase, Section, Source, Template
from reuse.normalize import solid
from reuse.model import COPY, QUOTE, TEMPLATE


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


TEMPLATED, QUOTED, COPIED, PHRASED, FAMILY_ONLY = 1, 2, 3, 4, 5
"""What a document's character counts as (0: nothing shared): the first kind that claims it. FAMILY_ONLY is
text of a template family that counts as none (a watermark no other document holds)."""


def _painted(size: int, spans: Iterable[tuple[int, int]]) -> np.ndarray:
    m = np.zeros(size, dtype=bool)
    for s, e in spans:
        m[s:e] = True
    return m


def union_count(prefix: np.ndarray | Mapping[int, int], spans: Iterable[tuple[int, int]]) -> int:
    """Counted characters (by ``prefix``, which holds at least the spans' edges) in the union of ``spans``: no
    mask of the whole text per pair."""
    total, reach = 0, 0
    for s, e in sorted(spans):
        s = max(s, reach)
        if e > s:
            total += int(prefix[e] - prefix[s])
            reach = e
    return total


def score(documents: Sequence[Document], passages: Sequence[Passage], templates: Sequence[Template] = (),
          phrases: Sequence[Phrase] = (), clusters: Sequence[Cluster] = (), *,
          include_templates: bool = False, engine: Engine | None = None) -> tuple[list[Pair], list[DocumentStats]]:
    """Pairs (closest first) and per-document stats (in document order).

    Every shared character counts once, as the first of template, quote,
    copy and phrase that claims it, so the four ratios add up to
    ``reuse_ratio``. Pairs count copying only (and template text when
    ``include_templates``).

    Each document is measured on its own (``_measured``): its share of each
    of its pairs and its stats need nothing of another's text. On an
    ``engine`` of several workers the documents are measured in as many
    slices side by side.
    """
    family: dict[str, list[tuple[int, int]]] = defaultdict(list)  # template members
    recurring: dict[str, list[tuple[int, int]]] = defaultdict(list)  # those another document holds too
    quoted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    copied: dict[str, list[tuple[int, int]]] = defaultdict(list)
    phrased: dict[str, list[tuple[int, int]]] = defaultdict(list)
    aligned: dict[str, list[tuple[int, int]]] = defaultdict(list)  # template passages' spans
    for t in templates:
        # found in several documents (a library family may have one member in this check's documents)
        shared = max(t.doc_count, len({doc for doc, _, _ in t.members})) > 1
        for doc, start, end in t.members:
            family[doc].append((start, end))
            if shared:
                recurring[doc].append((start, end))
    for c in clusters:
        for doc, start, end in c.members:
            copied[doc].append((start, end))
    for ph in phrases:
        for doc, start, end in ph.members:
            phrased[doc].append((start, end))
    by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for p in passages:
        if p.kind == TEMPLATE:
            aligned[p.a].append((p.a_start, p.a_end))
            aligned[p.b].append((p.b_start, p.b_end))
        if p.kind == QUOTE:
            quoted[p.a].append((p.a_start, p.a_end))
            quoted[p.b].append((p.b_start, p.b_end))
        elif p.kind == COPY:
            copied[p.a].append((p.a_start, p.a_end))
            copied[p.b].append((p.b_start, p.b_end))
        if p.kind == COPY or (include_templates and p.kind == TEMPLATE):
            by_pair[(p.a, p.b)].append(p)
    # each document's own spans in each of its pairs
    in_pairs: dict[str, list[tuple[int, int, str, list[tuple[int, int]]]]] = defaultdict(list)
    for n, ((a, b), items) in enumerate(by_pair.items()):
        in_pairs[a].append((n, 0, b, [(p.a_start, p.a_end) for p in items]))
        in_pairs[b].append((n, 1, a, [(p.b_start, p.b_end) for p in items]))
    marks = [(doc, _Marks(family.get(doc.id, []), recurring.get(doc.id, []), aligned.get(doc.id, []),
                          quoted.get(doc.id, []), copied.get(doc.id, []), phrased.get(doc.id, []),
                          in_pairs.get(doc.id, [])))
             for doc in documents]
    slices = _slices(marks, engine.workers if isinstance(engine, LocalEngine) else 1)
    if engine is not None and len(slices) > 1:
        done = engine.map_shared(_measured, [(include_templates, rows) for rows in slices], marks, stage="score")
    else:
        done = [_measured(include_templates, {i: marks[i] for i in rows}) for rows in slices]
    stats = [st for measured, _ in done for st in measured]
    shares: dict[int, list[int]] = {}
    for _, counts in done:
        for n, side, count in counts:
            shares.setdefault(n, [0, 0])[side] = count
    chars = {doc.id: doc.chars for doc in documents}
    pairs = []
    for n, ((a, b), items) in enumerate(by_pair.items()):
        a_shared, b_shared = shares.get(n, (0, 0))
        if not a_shared and not b_shared:
            continue
        pairs.append(Pair(a, b, _ratio(a_shared + b_shared, chars[a] + chars[b]), a_shared, b_shared, len(items)))
    pairs.sort(key=lambda p: (-p.similarity, -(p.a_shared_chars + p.b_shared_chars), p.a, p.b))
    return pairs, stats


@dataclass(frozen=True)
class _Marks:
    """What claims a document's text: spans of template members (and those another document holds too),
    template passages, quotations, copies, phrases, and its own spans in each of its pairs ``(pair, side,
    other document, spans)``."""

    family: list[tuple[int, int]]
    recurring: list[tuple[int, int]]
    aligned: list[tuple[int, int]]
    quoted: list[tuple[int, int]]
    copied: list[tuple[int, int]]
    phrased: list[tuple[int, int]]
    pairs: list[tuple[int, int, str, list[tuple[int, int]]]]

    @property
    def any(self) -> bool:
        """Whether anything claims the text (a pair's spans are copies or template passages too)."""
        return bool(self.family or self.aligned or self.quoted or self.copied or self.phrased)


SIDE_BY_SIDE = 20_000_000
"""Characters of the documents that share something from which they are measured in slices side by side: below,
a forked process costs about what it saves (cpcnews, 7 million characters: 0.33 s either way, more page
faults; the synthetic 100 MB, 33 million: 1.1 to 0.9 s)."""


def _slices(marks: Sequence[tuple[Document, _Marks]], n: int) -> list[list[int]]:
    """Document indices in ``n`` runs of about equal text among the documents that share something (one run
    below ``SIDE_BY_SIDE`` characters of them)."""
    if not marks:
        return []
    weight = np.array([len(doc.text) if m.any else 0 for doc, m in marks], dtype=np.int64)
    if n <= 1 or weight.sum() < SIDE_BY_SIDE:
        return [list(range(len(marks)))]
    cuts = np.searchsorted(np.cumsum(weight), weight.sum() * np.arange(1, n) / n)
    bounds = [0, *sorted(set(cuts.tolist())), len(marks)]
    return [list(range(lo, hi)) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]


def _measured(include_templates: bool, docs: dict[int, tuple[Document, _Marks]]
              ) -> tuple[list[DocumentStats], list[tuple[int, int, int]]]:
    """The stats of ``docs`` (in index order) and each one's shared characters in each of its pairs, as
    ``(pair, side, count)``."""
    stats, counts = [], []
    for i in sorted(docs):
        doc, m = docs[i]
        solid_mask = solid(doc.text) if m.any else None
        top = None
        if m.pairs:
            # counted characters before each place: solid, neither quotation nor template text (unless pairs
            # include templates)
            prefix = _counted_before(solid_mask, m.quoted, [] if include_templates else m.family)
            mine = [(n, side, other, union_count(prefix, spans)) for n, side, other, spans in m.pairs]
            counts += [(n, side, shared) for n, side, _, shared in mine]
            held = [(shared, other) for _, _, other, shared in mine if shared]
            if held:
                # most shared characters; ties go to the first id, for stable output
                shared, other = min(held, key=lambda t: (-t[0], t[1]))
                top = Source(other, _ratio(shared, doc.chars))
        kinds = (_kinds(solid_mask, m.family, m.recurring, m.aligned, m.quoted, m.copied, m.phrased)
                 if m.any else None)
        sections = []
        for title, span in segment.sections(doc.text, list(doc.paragraphs)):
            t = q = cp = ph = 0.0
            if kinds is not None:
                whole = int(np.count_nonzero(solid_mask[span.start:span.end]))
                t, q, cp, ph = (_ratio(int(n), whole) for n in _counts(kinds[span.start:span.end]))
            sections.append(Section(title=doc.text[title.start:title.end], start=span.start, end=span.end,
                                    reuse_ratio=_total(t, q, cp, ph), template_ratio=t, copy_ratio=cp,
                                    quote_ratio=q, phrase_ratio=ph))
        t = q = cp = ph = 0.0
        if kinds is not None:
            t, q, cp, ph = (_ratio(int(n), doc.chars) for n in _counts(kinds))
        stats.append(DocumentStats(doc.id, _total(t, q, cp, ph), top, template_ratio=t, copy_ratio=cp,
                                   sections=tuple(sections), quote_ratio=q, phrase_ratio=ph))
    return stats, counts


def _counted_before(solid_mask: np.ndarray, quoted, excluded) -> np.ndarray:
    """``prefix[i]``: characters before ``i`` a pair counts: solid, neither quotation nor ``excluded`` (template
    family text, unless pairs include templates)."""
    counted = solid_mask.copy()
    for s, e in [*quoted, *excluded]:
        counted[s:e] = False
    return np.concatenate([[0], np.cumsum(counted, dtype=np.int64)])


def _kinds(solid_mask: np.ndarray, family, recurring, aligned, quoted, copied, phrased) -> np.ndarray:
    """What each character of a document counts as (``TEMPLATED`` ... ``PHRASED``, 0 for nothing), the first
    kind that claims it winning.

    Family text counts as shared where another document holds it too (a
    watermark of one document is not shared) and is never copy; a template
    passage's edges are template where no copy claims them.
    """
    size = len(solid_mask)
    kinds = np.zeros(size, dtype=np.uint8)
    for spans, kind in ((phrased, PHRASED), (copied, COPIED), (quoted, QUOTED)):
        for s, e in spans:
            kinds[s:e] = kind
    if family or aligned:
        in_family, in_passages = _painted(size, family), _painted(size, aligned)
        templated = (in_family & (_painted(size, recurring) | in_passages)) | (in_passages & ~_painted(size, copied))
        kinds[in_family] = FAMILY_ONLY
        kinds[templated] = TEMPLATED
    kinds[~solid_mask] = 0
    return kinds


def _counts(kinds: np.ndarray) -> np.ndarray:
    """Characters counted as template, quote, copy and phrase, in that order."""
    return np.bincount(kinds, minlength=FAMILY_ONLY + 1)[TEMPLATED : PHRASED + 1]


def _total(*parts: float) -> float:
    """The reuse ratio: the sum of its rounded parts, so the parts always add up to it."""
    return round(sum(parts), 4)
