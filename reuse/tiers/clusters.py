"""Clusters: one copied passage and every document that holds it (passim's clusters).

A paragraph pasted into 60 documents is one cluster with 60 members, not
1,770 pair passages. Members are the places of the text, one per document
(the union of where the copies were found in it), and the witnesses are
listed in date order when the documents carry dates, so the earliest one is
the likely source.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reuse import arrays

MIN_DOCS = 3
"""A copy shared by this many documents is a cluster; two documents are a pair."""
MORE = 1.2
"""A cluster member keeps its passage with another member too when it is this much larger than with the earliest."""


@dataclass(frozen=True)
class Group:
    """Places ``(doc, start, end)`` of one copied text, one per document, in document order."""

    members: tuple[tuple[int, int, int], ...]
    copies: tuple[int, ...] = ()
    """Indices of the copies (as given to ``group_copies``) that found this text."""

    @property
    def docs(self) -> list[int]:
        return [d for d, _, _ in self.members]


def group_copies(places: Sequence[tuple[int, int, int, int, int, int]], *, min_docs: int = MIN_DOCS,
                 overlap: float = 0.5) -> list[Group]:
    """Copies ``(doc_a, a_start, a_end, doc_b, b_start, b_end)`` joined into the texts they spread.

    Two copies are of one text when they share a document and overlap there
    by ``overlap`` of the shorter place. Only texts in ``min_docs`` documents
    or more are returned, in order of their first member.

    Each copy's two places are nodes; in each document a place is joined to
    the place before it that reaches furthest (the first to reach that far),
    when they overlap enough. The texts are the connected nodes, found in
    arrays (``arrays.components_of_edges``); only those of ``min_docs``
    documents are walked one by one.

    >>> group_copies([(0, 10, 50, 1, 0, 40), (1, 5, 40, 2, 100, 135), (3, 0, 9, 4, 0, 9)])
    [Group(members=((0, 10, 50), (1, 0, 40), (2, 100, 135)), copies=(0, 1))]
    """
    if not len(places):
        return []
    rows = np.asarray(places, dtype=np.int64).reshape(-1, 6)
    n = 2 * len(rows)  # node 2i is copy i's place in doc_a, 2i + 1 its place in doc_b
    doc, start, end = rows[:, [0, 3]].ravel(), rows[:, [1, 4]].ravel(), rows[:, [2, 5]].ravel()
    order = arrays.sort_order([doc, start])  # by document, then start; ties in node order
    d, s, e = doc[order], start[order], end[order]
    # before each place, the one reaching furthest in its document: the largest end, the first to reach it
    new_doc = np.ones(n, dtype=bool)
    new_doc[1:] = d[1:] != d[:-1]
    reach_end = arrays.furthest_in_group(e, new_doc)
    record = new_doc.copy()  # where a new furthest end is reached
    record[1:] |= e[1:] > reach_end[:-1]
    reach = np.maximum.accumulate(np.where(record, np.arange(n, dtype=np.int64), 0))
    i = np.flatnonzero(~new_doc[1:] & (reach_end[:-1] > s[1:])) + 1
    j = reach[i - 1]
    enough = (np.minimum(e[i], e[j]) - np.maximum(s[i], s[j])) >= overlap * np.minimum(e[i] - s[i], e[j] - s[j])
    pairs = np.arange(0, n, 2, dtype=np.int64)
    root = arrays.components_of_edges(n, np.concatenate([pairs, order[i[enough]]]),
                                      np.concatenate([pairs + 1, order[j[enough]]]))
    # the texts in min_docs documents or more, their nodes in (root, node) order
    held = np.unique(root * (int(doc.max()) + 1) + doc) // (int(doc.max()) + 1)
    roots, docs_held = np.unique(held, return_counts=True)
    wide = np.isin(root, roots[docs_held >= min_docs])
    nodes = np.flatnonzero(wide)
    nodes = nodes[np.argsort(root[nodes], kind="stable")]
    groups = []
    bounds = np.flatnonzero(np.diff(root[nodes], prepend=-1, append=-1)).tolist()
    places_of = list(zip(doc[nodes].tolist(), start[nodes].tolist(), end[nodes].tolist()))
    nodes = nodes.tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        mine = nodes[lo:hi]
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for dd, a, b in places_of[lo:hi]:
            spans[dd].append((a, b))
        members = []
        for dd in sorted(spans):
            ordered = sorted(spans[dd])
            m_lo, m_hi = ordered[0]
            for a, b in ordered[1:]:
                if a > m_hi:  # a second place in one document: the cluster's largest stays its member
                    members.append((dd, m_lo, m_hi))
                    m_lo, m_hi = a, b
                m_hi = max(m_hi, b)
            members.append((dd, m_lo, m_hi))
        groups.append(Group(tuple(_one_per_doc(members)), tuple(node // 2 for node in mine if node % 2 == 0)))
    return sorted(groups, key=lambda g: g.members[0])


def _one_per_doc(members: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    best: dict[int, tuple[int, int, int]] = {}
    for m in members:
        if m[0] not in best or m[2] - m[1] > best[m[0]][2] - best[m[0]][1]:
            best[m[0]] = m
    return [best[d] for d in sorted(best)]


def witness_order(docs: Sequence[int], dates: Sequence[str | None], ids: Sequence[str]) -> list[int]:
    """``docs`` earliest first: dated ones by date, then the undated, each by id.

    >>> witness_order([0, 1, 2], ["2020-05-01", None, "2019-01-02"], ["a", "b", "c"])
    [2, 0, 1]
    """
    return sorted(docs, key=lambda d: (dates[d] is None, dates[d] or "", ids[d]))


COVER = 0.8
"""A region is seen through an earlier witness when that witness's regions cover this share of it on each side."""
MAX_CANDIDATES = 20_000_000
"""``through_earlier`` pairs no more regions than this (memory): beyond, every region is aligned."""
MAX_PLACE = 256
"""Regions of a place in one document beyond which ``through_earlier`` finds none of them a witness (a clique
of k documents would pair k³/6 of them)."""


def through_earlier(regions: np.ndarray, weight: np.ndarray, rank: np.ndarray, *,
                    cover: float = COVER) -> np.ndarray:
    """For each candidate region, a document earlier than both of its own whose text it shares there, or -1.

    ``regions`` are ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` rows (token
    boxes, as ``candidates.region_table`` gives them) with their
    ``weight``; ``rank`` is each document's place in ``witness_order``. A
    region of documents x and y is seen through w when w ranks before both,
    and a region of w and x as heavy covers ``cover`` of it in x, and one of
    w and y in y (the earliest such w is given). Once those are aligned and
    found to be copies, this one's copy joins their cluster, whose pair
    passages run against the earliest witness (``settle``): it need not be
    aligned (``witnessed`` tells). So a paragraph in 50 documents is aligned
    49 times, not 1,225.

    Regions overlap only within one document's place (the regions that
    touch one another there), so candidates are paired within places.
    """
    n = len(regions)
    found = np.full(n, -1, dtype=np.int64)
    if not n:
        return found
    index = np.arange(n, dtype=np.int64)
    # each region's two sides as nodes: document, token span, the other document, region
    doc = np.concatenate([regions[:, 0], regions[:, 1]])
    lo = np.concatenate([regions[:, 2], regions[:, 4]])
    hi = np.concatenate([regions[:, 3], regions[:, 5]])
    partner = np.concatenate([regions[:, 1], regions[:, 0]])
    region = np.concatenate([index, index])
    order = arrays.sort_order([doc, lo])
    doc, lo, hi, partner, region = doc[order], lo[order], hi[order], partner[order], region[order]
    side_b = order >= n
    new_doc = np.ones(2 * n, dtype=bool)
    new_doc[1:] = doc[1:] != doc[:-1]
    reach = arrays.furthest_in_group(hi, new_doc)
    new_place = new_doc.copy()
    new_place[1:] |= lo[1:] >= reach[:-1]
    place = np.cumsum(new_place) - 1
    # within each place, the nodes by their partner's rank: a node's candidates are those whose partner ranks
    # before both of its documents, a run from its place's start (none in a star: one document and many
    # later ones, as widespread text's boxes are)
    by_partner = arrays.sort_order([place, rank[partner]])
    doc, lo, hi, partner, region, side_b, place = (a[by_partner] for a in (doc, lo, hi, partner, region, side_b,
                                                                        place))
    key = place * len(rank) + rank[partner]
    size = np.searchsorted(key, place * len(rank) + np.minimum(rank[doc], rank[partner])) - np.searchsorted(
        key, place * len(rank))
    size[np.bincount(place)[place] > MAX_PLACE] = 0  # (a text held by hundreds, pair by pair: its regions are aligned)
    if int(size.sum()) > MAX_CANDIDATES:
        return found  # (a corpus so tangled is aligned pair by pair)
    start = np.searchsorted(key, place * len(rank))
    node = np.repeat(np.arange(2 * n, dtype=np.int64), size)
    other = np.repeat(start, size) + np.arange(len(node), dtype=np.int64) - np.repeat(np.cumsum(size) - size, size)
    witness = partner[other]
    covers = ((np.minimum(hi[node], hi[other]) - np.maximum(lo[node], lo[other]) >= cover * (hi[node] - lo[node]))
              & (weight[region[other]] >= weight[region[node]]))
    node, witness = node[covers], witness[covers]
    # (region, witness) found on side a and on side b, the witness by rank
    key = region[node] * len(rank) + rank[witness]
    both = np.intersect1d(key[~side_b[node]], key[side_b[node]])
    first = np.ones(len(both), dtype=bool)  # each region's earliest witness (keys ascend by rank)
    first[1:] = both[1:] // len(rank) != both[:-1] // len(rank)
    both = both[first]
    by_rank = np.argsort(rank)
    found[both // len(rank)] = by_rank[both % len(rank)]
    return found


def witnessed(copies: Sequence[tuple[int, int, int, int, int, int]],
              deferred: Sequence[tuple[int, int, int, int, int, int]], rank: np.ndarray, *,
              overlap: float = 0.5) -> list[bool]:
    """Whether each deferred region ``(x, x_start, x_end, y, y_start, y_end)`` would be a cluster's pair
    passage that ``settle`` drops, given the ``copies`` ``(doc_a, a_start, a_end, doc_b, b_start, b_end)``
    found without it (joined as ``settle`` joins them). Its places in x and in y must each join copies of
    one text only (``group_copies``: a place joining two would link them, and their earliest could change),
    the same one, whose earliest document (by ``rank``, as ``witness_order``) is neither x nor y and holds
    the place with each of them in a copy at least a ``MORE``-th as large as its own copy (both sides, as
    ``settle`` weighs them). Where not, it must be aligned after all.
    """
    text_of = [0] * len(copies)
    earliest = []
    for n, group in enumerate(group_copies(copies, min_docs=2, overlap=overlap)):
        earliest.append(min(group.docs, key=lambda d: rank[d]))
        for c in group.copies:
            text_of[c] = n
    places: dict[int, list[tuple[int, int, int, int, int]]] = defaultdict(list)  # per document: its places
    for c, (da, a0, a1, db, b0, b1) in enumerate(copies):
        size = (a1 - a0) + (b1 - b0)
        places[da].append((a0, a1, text_of[c], db, size))
        places[db].append((b0, b1, text_of[c], da, size))

    # each document's places by start, with the longest: only those starting within that of a span can reach it
    index = {}
    for d, held in places.items():
        held.sort()
        index[d] = ([p[0] for p in held], held, max(p[1] - p[0] for p in held))

    def near(d: int, start: int, end: int) -> list[tuple[int, int, int, int, int]]:
        if d not in index:
            return []
        starts, held, longest = index[d]
        return [p for p in held[bisect_left(starts, start - longest + 1) : bisect_left(starts, end)]
                if p[1] > start and min(p[1], end) - max(p[0], start) >= overlap * min(p[1] - p[0], end - start)]

    def dropped(x: int, x0: int, x1: int, y: int, y0: int, y1: int) -> bool:
        at_x = near(x, x0, x1)
        at_y = near(y, y0, y1) if at_x else []
        texts = {p[2] for p in at_x} | {p[2] for p in at_y}
        if len(texts) != 1 or not at_y:
            return False
        first = earliest[texts.pop()]
        size = (x1 - x0) + (y1 - y0)
        return (first not in (x, y) and any(p[3] == first and MORE * p[4] >= size for p in at_x)
                and any(p[3] == first and MORE * p[4] >= size for p in at_y))

    return [dropped(*region) for region in deferred]
