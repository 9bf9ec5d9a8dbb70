"""Stage 8: how much is shared, per pair and per document.

All ratios count non-whitespace characters of the original text, the way
查重 reports count 字符: a document's ``reuse_ratio`` (总文字复制比) is the
share covered by passages shared with any other document; its ``top_source``
(单篇最大复制比) is the one document it shares most with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from reuse.model import Document, DocumentStats, Pair, Passage, Source
from reuse.normalize import solid


class Counter:
    """Counts non-whitespace characters in unions of spans of one text."""

    def __init__(self, text: str):
        self.prefix = np.concatenate([[0], np.cumsum(solid(text), dtype=np.int64)])

    def count(self, spans: Iterable[tuple[int, int]]) -> int:
        total, reach = 0, 0
        for s, e in sorted(spans):
            s = max(s, reach)
            if e > s:
                total += int(self.prefix[e] - self.prefix[s])
                reach = e
        return total


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def score(documents: Sequence[Document], passages: Sequence[Passage]) -> tuple[list[Pair], list[DocumentStats]]:
    """Pairs (closest first) and per-document stats (in document order)."""
    counters = {doc.id: Counter(doc.text) for doc in documents}
    chars = {doc.id: doc.chars for doc in documents}
    by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for p in passages:
        by_pair[(p.a, p.b)].append(p)
        by_doc[p.a].append((p.a_start, p.a_end))
        by_doc[p.b].append((p.b_start, p.b_end))
    pairs = []
    shared_with: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), items in by_pair.items():
        a_shared = counters[a].count((p.a_start, p.a_end) for p in items)
        b_shared = counters[b].count((p.b_start, p.b_end) for p in items)
        similarity = _ratio(a_shared + b_shared, chars[a] + chars[b])
        pairs.append(Pair(a, b, similarity, a_shared, b_shared, len(items)))
        shared_with[a].append((a_shared, b))
        shared_with[b].append((b_shared, a))
    pairs.sort(key=lambda p: (-p.similarity, -(p.a_shared_chars + p.b_shared_chars), p.a, p.b))
    stats = []
    for doc in documents:
        top = None
        if shared_with[doc.id]:
            # most shared characters; ties go to the first id, for stable output
            shared, other = min(shared_with[doc.id], key=lambda t: (-t[0], t[1]))
            top = Source(other, _ratio(shared, doc.chars))
        reuse = _ratio(counters[doc.id].count(by_doc[doc.id]), doc.chars)
        stats.append(DocumentStats(doc.id, reuse, top, template_ratio=0.0, copy_ratio=reuse))
    return pairs, stats
