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

from reuse.unionfind import UnionFind

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

    >>> group_copies([(0, 10, 50, 1, 0, 40), (1, 5, 40, 2, 100, 135), (3, 0, 9, 4, 0, 9)])
    [Group(members=((0, 10, 50), (1, 0, 40), (2, 100, 135)), copies=(0, 1))]
    """
    nodes: list[tuple[int, int, int]] = []
    for da, a0, a1, db, b0, b1 in places:
        nodes += [(da, a0, a1), (db, b0, b1)]
    uf = UnionFind(len(nodes))
    for n in range(0, len(nodes), 2):
        uf.union(n, n + 1)
    by_doc: dict[int, list[int]] = defaultdict(list)
    for n, (d, _, _) in enumerate(nodes):
        by_doc[d].append(n)
    for items in by_doc.values():
        items.sort(key=lambda n: nodes[n][1])
        reach_end, reach = -1, -1  # the node reaching furthest so far
        for n in items:
            _, s, e = nodes[n]
            if reach >= 0 and reach_end > s:
                _, rs, re_ = nodes[reach]
                if min(e, re_) - max(s, rs) >= overlap * min(e - s, re_ - rs):
                    uf.union(n, reach)
            if e > reach_end:
                reach_end, reach = e, n
    parts: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    copies: dict[int, list[int]] = defaultdict(list)
    for n, (d, s, e) in enumerate(nodes):
        parts[uf.find(n)][d].append((s, e))
        if n % 2 == 0:
            copies[uf.find(n)].append(n // 2)
    groups = []
    for root, docs in parts.items():
        if len(docs) < min_docs:
            continue
        members = []
        for d in sorted(docs):
            spans = sorted(docs[d])
            lo, hi = spans[0]
            for s, e in spans[1:]:
                if s > hi:  # a second place in one document: the cluster's largest stays its member
                    members.append((d, lo, hi))
                    lo, hi = s, e
                hi = max(hi, e)
            members.append((d, lo, hi))
        groups.append(Group(tuple(_one_per_doc(members)), tuple(copies[root])))
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
