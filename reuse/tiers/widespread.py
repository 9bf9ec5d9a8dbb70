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

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from reuse import arrays
from reuse.candidates import shingle_doc_freq
from reuse.features import Features
from reuse.model import Document, Phrase
from reuse.normalize import fold_text
from reuse.tiers.clusters import witness_order
from reuse.tiers.families import held_in, join_all, joined_pieces, long_hashes_of_all, split_flat
from reuse.unionfind import UnionFind


STEP = 1.5
"""Within a stretch of widespread text, a shingle in this many times more (or fewer) documents than the
one before it starts another text: a formula in 300 documents that opens a paragraph copied into 11."""


def segments(df: np.ndarray, min_docs: int, K: int) -> list[tuple[int, int]]:
    """Token ranges of one document held by ``min_docs`` documents or more, cut where that count steps.

    ``df[i]`` is how many documents hold long shingle ``i`` (``K`` tokens).
    The scan cuts every document at once (``_all_segments``); this is the
    rule for one, which that is tested against.

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


def _all_segments(long: Sequence[np.ndarray], doc_freq: Sequence[np.ndarray], min_docs: int,
                  K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``segments`` of every document at once: ``(n, 3)`` rows ``(doc, lo, hi)`` in document then position
    order, and each segment's long shingles flat with the segment they belong to."""
    doc, pos, (d, hashes) = held_in(doc_freq, min_docs, doc_freq, long)
    if not len(pos):
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    d = d.astype(np.float64)
    cut = np.ones(len(pos), dtype=bool)
    cut[1:] = ((np.diff(pos) != 1) | (doc[1:] != doc[:-1])
               | (np.maximum(d[1:], d[:-1]) > STEP * np.minimum(d[1:], d[:-1])))
    starts = np.flatnonzero(cut)
    ends = np.append(starts[1:], len(pos)) - 1
    found = np.stack([doc[starts], pos[starts], pos[ends] + K], axis=1)
    piece = np.cumsum(cut) - 1
    return found, piece, hashes


def _rejoined(found: np.ndarray, labels: np.ndarray, max_gap: int) -> np.ndarray:
    """Labels of texts that stand side by side in most of their documents, and in as many, made one.

    An edit inside a copied paragraph cuts it into pieces whose shingles
    stand in slightly different counts of documents; a formula in 300
    documents next to a paragraph in 11 stays apart. ``found`` holds the
    pieces' ``(doc, lo, hi)`` rows.
    """
    if not len(found):
        return labels
    doc, lo, hi = found[:, 0], found[:, 1], found[:, 2]
    width = int(doc.max()) + 1
    n_labels = int(labels.max()) + 1
    docs_of = np.bincount(np.unique(labels * width + doc) // width, minlength=n_labels)  # documents per label
    # each document's pieces in (lo, hi, label) order: neighbours of different labels close together
    order = arrays.sort_order([doc, lo, hi, labels])
    doc, lo, hi, g = doc[order], lo[order], hi[order], labels[order]
    side = (doc[1:] == doc[:-1]) & (g[1:] != g[:-1]) & (lo[1:] <= hi[:-1] + max_gap)
    g1, g2 = np.minimum(g[:-1], g[1:])[side], np.maximum(g[:-1], g[1:])[side]
    pairs, together = _side_by_side(g1, g2, doc[1:][side], n_labels, width)
    n1, n2 = docs_of[pairs[:, 0]], docs_of[pairs[:, 1]]
    low = np.minimum(n1, n2)
    close = (np.maximum(n1, n2) <= STEP * low) & (2 * together >= low)
    uf = UnionFind(n_labels)
    for x, y in pairs[close].tolist():
        uf.union(x, y)
    present = np.unique(labels)
    root = np.zeros(n_labels, dtype=np.int64)
    root[present] = [uf.find(x) for x in present.tolist()]
    return root[labels]


def _side_by_side(g1: np.ndarray, g2: np.ndarray, doc: np.ndarray, n_labels: int,
                  width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct label pairs ``(g1, g2)`` in ascending order, with the number of documents each stands in."""
    if n_labels * n_labels * width < 2**62:  # one sort of packed (label, label, document) keys
        where = np.unique((g1 * n_labels + g2) * width + doc)
        pairs, together = np.unique(where // width, return_counts=True)
        return np.stack([pairs // n_labels, pairs % n_labels], axis=1), together
    where = np.unique(np.stack([g1, g2, doc], axis=1), axis=0)
    return np.unique(where[:, :2], axis=0, return_counts=True)


def _held_widely(found: np.ndarray, labels: np.ndarray, features: Sequence[Features], *, max_gap: int,
                 min_length: int, min_docs: int) -> np.ndarray:
    """The labels whose pieces ``join`` makes members in ``min_docs`` documents or more, sorted
    (``families.joined_pieces``: decided for every label at once)."""
    if not len(found):
        return labels[:0]
    g, doc, _, _ = joined_pieces(found, labels, features, max_gap=max_gap, min_length=min_length)
    if not len(g):
        return labels[:0]
    width = int(doc.max()) + 1
    held = np.unique(g * width + doc) // width  # each label once per document
    label, n_docs = np.unique(held, return_counts=True)
    return label[n_docs >= min_docs]


def recurring(documents: Sequence[Document], features: Sequence[Features], *, k: int, min_docs: int,
              max_gap: int, min_length: int, long: Sequence[np.ndarray] | None = None,
              doc_freq: Sequence[np.ndarray] | None = None) -> list:
    """Texts whose long shingles stand in ``min_docs`` documents or more, as members per text.

    ``long`` and ``doc_freq``, when the caller has them: as ``families.recurring`` takes them.
    """
    if long is None or doc_freq is None:
        long = long_hashes_of_all(features, k)
        doc_freq = shingle_doc_freq(long)
    K = 2 * k
    found, piece, flat = _all_segments(long, doc_freq, min_docs, K)
    labels = _rejoined(found, split_flat(piece, flat, len(found)), max_gap)
    wide = _held_widely(found, labels, features, max_gap=max_gap, min_length=min_length, min_docs=min_docs)
    kept = np.isin(labels, wide)
    return join_all(found[kept], labels[kept], features, max_gap=max_gap, min_length=min_length)


def original_weight(feat: Features, start: int, end: int) -> int:
    """Han-character weight of the original-text span ``[start, end)``."""
    return feat.weight_between(*_folded_span(feat, start, end))


def _folded_span(feat: Features, start: int, end: int) -> tuple[int, int]:
    return bisect_left(feat.origins, start), bisect_left(feat.origins, end)


def _tokens(feat: Features, lo: int, hi: int) -> tuple[int, int]:
    if feat.uniform:
        return lo, hi
    return bisect_left(feat.token_starts, lo), bisect_left(feat.token_starts, hi)


def plan(documents: Sequence[Document], features: Sequence[Features], groups, templates, *, copy_run: int,
         min_length: int, folded_as_default: bool = False) -> tuple[np.ndarray, list[Phrase]]:
    """What to align of widespread ``groups``, and the phrases among them.

    Returns the token boxes ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` that
    join each member of a long text to its earliest witness (aligned with
    the scan's other candidates, and judged as they are), and the shorter
    texts as phrases. ``groups`` hold members with ``doc`` (index), ``start``
    and ``end`` (original offsets), one list per text, as ``recurring`` gives them.
    A text's wording is its members' text as ``fold_text`` folds it: read
    from ``features`` when they were folded so (``folded_as_default``).
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
        if folded_as_default:  # fold_text is character by character: a span's folded text is a slice
            folded = {d: features[d].folded.text[slice(*_folded_span(features[d], s, e))]
                      for d, (s, e) in longest.items()}
        else:
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
