"""Text in more documents than pairs are seeded for: found once, with every document holding it.

A shingle in more than ``max_doc_freq`` documents seeds no pair (it would
seed thousands), so the scan finds such text here instead, the way template
families are found: long shingles in that many documents, cut into pieces
and grouped by the text they repeat (``families.split_by_anchor``). Each
group is then what its text says:

* inside a template family: template, already counted;
* long enough to be copying whatever its words (``copy_run``): a paragraph
  pasted into 60 documents, one cluster with every copy, each aligned against
  its earliest witness only (``plan``);
* shorter: a phrase the corpus shares widely.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from reuse.candidates import shingle_doc_freq
from reuse.features import Features
from reuse.model import Document, Phrase
from reuse.normalize import fold_text
from reuse.tiers.clusters import witness_order
from reuse.tiers.families import join, long_hashes, split_flat
from reuse.unionfind import UnionFind


STEP = 1.5
"""Within a stretch of widespread text, a shingle in this many times more (or fewer) documents than the
one before it starts another text: a formula in 300 documents that opens a paragraph copied into 11."""


def segments(df: np.ndarray, min_docs: int, K: int) -> list[tuple[int, int]]:
    """Token ranges of one document held by ``min_docs`` documents or more, cut where that count steps.

    ``df[i]`` is how many documents hold long shingle ``i`` (``K`` tokens).

    >>> segments(np.array([1, 9, 9, 10, 40, 40, 1, 9]), 9, 2)
    [(1, 5), (4, 7), (7, 9)]
    """
    at = np.flatnonzero(df >= min_docs)
    if not len(at):
        return []
    d = df[at].astype(np.float64)
    cut = np.ones(len(at), dtype=bool)
    cut[1:] = (np.diff(at) != 1) | (np.maximum(d[1:], d[:-1]) > STEP * np.minimum(d[1:], d[:-1]))
    starts = np.flatnonzero(cut)
    ends = np.append(starts[1:], len(at)) - 1
    return list(zip(at[starts].tolist(), (at[ends] + K).tolist()))


def _rejoined(found: list[tuple[int, int, int]], labels: list[int], max_gap: int) -> list[int]:
    """Labels of texts that stand side by side in most of their documents, and in as many, made one.

    An edit inside a copied paragraph cuts it into pieces whose shingles
    stand in slightly different counts of documents; a formula in 300
    documents next to a paragraph in 11 stays apart.
    """
    docs: dict[int, set[int]] = defaultdict(set)
    for (d, _, _), g in zip(found, labels):
        docs[g].add(d)
    side: dict[tuple[int, int], set[int]] = defaultdict(set)
    by_doc: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (d, lo, hi), g in zip(found, labels):
        by_doc[d].append((lo, hi, g))
    for d, items in by_doc.items():
        items.sort()
        for (lo1, hi1, g1), (lo2, hi2, g2) in zip(items, items[1:]):
            if g1 != g2 and lo2 <= hi1 + max_gap:
                side[(min(g1, g2), max(g1, g2))].add(d)
    uf = UnionFind(max(labels) + 1 if labels else 0)
    for (g1, g2), where in sorted(side.items()):
        n1, n2 = len(docs[g1]), len(docs[g2])
        if max(n1, n2) <= STEP * min(n1, n2) and 2 * len(where) >= min(n1, n2):
            uf.union(g1, g2)
    return [uf.find(g) for g in labels]


def recurring(documents: Sequence[Document], features: Sequence[Features], *, k: int, min_docs: int,
              max_gap: int, min_length: int, long: Sequence[np.ndarray] | None = None,
              doc_freq: Sequence[np.ndarray] | None = None) -> list:
    """Texts whose long shingles stand in ``min_docs`` documents or more, as members per text.

    ``long`` and ``doc_freq``, when the caller has them: as ``families.recurring`` takes them.
    """
    if long is None or doc_freq is None:
        long = [long_hashes(f, k) for f in features]
        doc_freq = shingle_doc_freq(long)
    K = 2 * k
    found, held = [], []
    for d, (hashes, df) in enumerate(zip(long, doc_freq)):
        for lo, hi in segments(df, min_docs, K):
            held.append(hashes[lo : hi - K + 1])
            found.append((d, lo, hi))
    piece = np.repeat(np.arange(len(held), dtype=np.int64), [len(h) for h in held])
    flat = np.concatenate(held) if held else np.zeros(0, dtype=np.uint64)
    labels = _rejoined(found, split_flat(piece, flat, len(found)).tolist(), max_gap)
    by_text: dict[int, list] = defaultdict(list)
    for label, piece in zip(labels, found):
        by_text[label].append(piece)
    out = []
    for label in sorted(by_text):
        members = join(by_text[label], features, max_gap=max_gap, min_length=min_length)
        if len({m.doc for m in members}) >= min_docs:
            out.append(members)
    return out


def original_weight(feat: Features, start: int, end: int) -> int:
    """Han-character weight of the original-text span ``[start, end)``."""
    lo, hi = np.searchsorted(feat.folded.origin, [start, end])
    return feat.weight_between(int(lo), int(hi))


def _folded_span(feat: Features, start: int, end: int) -> tuple[int, int]:
    lo, hi = np.searchsorted(feat.folded.origin, [start, end])
    return int(lo), int(hi)


def _tokens(feat: Features, lo: int, hi: int) -> tuple[int, int]:
    if feat.uniform:
        return lo, hi
    return int(np.searchsorted(feat.tokens.start, lo)), int(np.searchsorted(feat.tokens.start, hi))


def plan(documents: Sequence[Document], features: Sequence[Features], groups, templates, *, copy_run: int,
         min_length: int) -> tuple[np.ndarray, list[Phrase]]:
    """What to align of widespread ``groups``, and the phrases among them.

    Returns the token boxes ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` that
    join each member of a long text to its earliest witness (aligned with
    the scan's other candidates, and judged as they are), and the shorter
    texts as phrases. ``groups`` hold members with ``doc`` (index), ``start``
    and ``end`` (original offsets), one list per text, as ``recurring`` gives them.
    """
    dates = [d.date for d in documents]
    ids = [d.id for d in documents]
    index = {d: n for n, d in enumerate(ids)}
    family: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for t in templates:
        for doc, start, end in t.members:
            family[index[doc]].append((start, end))
    boxes: list[tuple[int, int, int, int, int, int]] = []
    phrases: list[Phrase] = []
    for members in groups:
        places: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for m in members:
            places[m.doc].append((m.start, m.end))
        longest = {d: max(spans, key=lambda x: x[1] - x[0]) for d, spans in places.items()}
        folded = {d: fold_text(documents[d].text[s:e]) for d, (s, e) in longest.items()}
        common = Counter(folded.values())
        rep_doc = min(longest, key=lambda d: (-common[folded[d]], d))  # the most common wording
        rep = longest[rep_doc]
        if any(s <= rep[0] and rep[1] <= e for s, e in family[rep_doc]):
            continue  # a template family's text
        rep_weight = original_weight(features[rep_doc], *rep)
        if rep_weight < copy_run:
            text = documents[rep_doc].text[slice(*rep)]
            items = tuple(sorted((ids[d], s, e) for d, (s, e) in longest.items()))
            if rep_weight >= min_length:
                phrases.append(Phrase("", text, len(longest), items))
            continue
        # a copy cut by edits is its pieces' whole extent
        by_doc = {}
        for d, spans in places.items():
            extent = (min(s for s, _ in spans), max(e for _, e in spans))
            if extent[1] - extent[0] > 1.5 * (rep[1] - rep[0]):
                extent = longest[d]
            by_doc[d] = extent
        whole = [d for d in by_doc if original_weight(features[d], *by_doc[d]) >= rep_weight / 2]
        ref = witness_order(sorted(whole), dates, ids)[0]  # the earliest that holds the whole text
        fa = features[ref]
        ta = _tokens(fa, *_folded_span(fa, *by_doc[ref]))
        for other in sorted(by_doc):
            if other == ref:
                continue
            fb = features[other]
            tb = _tokens(fb, *_folded_span(fb, *by_doc[other]))
            # around a piece of the text, look for the rest of it: the alignment keeps what is shared
            pad = max(0, (ta[1] - ta[0]) - (tb[1] - tb[0]))
            tb = (max(0, tb[0] - pad), min(len(fb.tokens), tb[1] + pad))
            if ids[ref] < ids[other]:
                boxes.append((ref, other, *ta, *tb))
            else:
                boxes.append((other, ref, *tb, *ta))
    return np.array(boxes, dtype=np.int64).reshape(-1, 6), phrases
