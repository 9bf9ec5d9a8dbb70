"""Clusters: one copied passage and every document that holds it (passim's clusters).

A paragraph pasted into 60 documents is one cluster with 60 members, not
1,770 pair passages. Members are the places of the text, one per document
(the union of where the copies were found in it), and the witnesses are
listed in date order when the documents carry dates, so the earliest one is
the likely source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reuse import arrays

MIN_DOCS = 3
"""A copy shared by this many documents is a cluster; two documents are a pair."""


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
