"""Clusters: the array form of group_copies against the plain one, a union-find over the copies' places."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from reuse.arrays import components_of_edges
from reuse.tiers.clusters import Group, _one_per_doc, group_copies
from reuse.unionfind import UnionFind


def _group_copies_plainly(places, *, min_docs=3, overlap=0.5):
    """group_copies as first written: each document's places scanned in order, joined in a union-find."""
    nodes = []
    for da, a0, a1, db, b0, b1 in places:
        nodes += [(da, a0, a1), (db, b0, b1)]
    uf = UnionFind(len(nodes))
    for n in range(0, len(nodes), 2):
        uf.union(n, n + 1)
    by_doc = defaultdict(list)
    for n, (d, _, _) in enumerate(nodes):
        by_doc[d].append(n)
    for items in by_doc.values():
        items.sort(key=lambda n: nodes[n][1])
        reach_end, reach = -1, -1
        for n in items:
            _, s, e = nodes[n]
            if reach >= 0 and reach_end > s:
                _, rs, re_ = nodes[reach]
                if min(e, re_) - max(s, rs) >= overlap * min(e - s, re_ - rs):
                    uf.union(n, reach)
            if e > reach_end:
                reach_end, reach = e, n
    parts = defaultdict(lambda: defaultdict(list))
    copies = defaultdict(list)
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
                if s > hi:
                    members.append((d, lo, hi))
                    lo, hi = s, e
                hi = max(hi, e)
            members.append((d, lo, hi))
        groups.append(Group(tuple(_one_per_doc(members)), tuple(copies[root])))
    return sorted(groups, key=lambda g: g.members[0])


_PLACE = st.tuples(st.integers(0, 6), st.integers(0, 60), st.integers(1, 40))


@hsettings(max_examples=400, deadline=None)
@given(copies=st.lists(st.tuples(_PLACE, _PLACE), max_size=30), min_docs=st.integers(2, 4),
       overlap=st.sampled_from([0.25, 0.5, 0.9]))
def test_group_copies_in_arrays_is_the_union_find_over_places(copies, min_docs, overlap):
    places = [(da, a0, a0 + la, db, b0, b0 + lb) for (da, a0, la), (db, b0, lb) in copies if da != db]
    want = _group_copies_plainly(places, min_docs=min_docs, overlap=overlap)
    assert group_copies(places, min_docs=min_docs, overlap=overlap) == want


@hsettings(max_examples=300, deadline=None)
@given(n=st.integers(1, 40), data=st.data())
def test_components_are_the_union_finds_sets_named_by_their_smallest_node(n, data):
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    uf = UnionFind(n)
    for a, b in edges:
        uf.union(a, b)
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    assert components_of_edges(n, u, v).tolist() == [uf.find(x) for x in range(n)]


def test_a_paragraph_pasted_in_sixty_documents_is_one_group_of_sixty():
    # each document's copy found against the next one's: a chain of 59 pairs joins one text
    places = [(d, 7 + d, 337 + d, d + 1, 8 + d, 338 + d) for d in range(59)]
    [group] = group_copies(places)
    assert group.docs == list(range(60)) and group.copies == tuple(range(59))
    assert group.members == tuple((d, 7 + d, 337 + d) for d in range(60))


def test_a_passage_in_a_cluster_is_the_passage_with_only_its_cluster_replaced():
    import dataclasses

    from reuse.model import Passage

    p = Passage("a", 1, 5, "b", 2, 9, 0.5, "xx", "yy", "t1", kind="quote", cluster=None)
    assert p.in_cluster("c0007") == dataclasses.replace(p, cluster="c0007")


def test_places_far_into_long_documents_of_a_large_corpus_group_as_near_ones_do():
    # offsets of a 200 MB file and document numbers of a large corpus: nothing they are multiplied by overflows
    far, docs = 200_000_000, 300_000
    near = [(0, 10, 50, 1, 0, 40), (1, 5, 40, 2, 100, 135), (3, 0, 9, 4, 0, 9)]
    moved = [(docs + da, far + a0, far + a1, docs + db, far + b0, far + b1) for da, a0, a1, db, b0, b1 in near]
    pad = [(d, 0, 5, d + 1, 0, 5) for d in range(0, 200_000, 2)]  # many places before them
    got = group_copies(pad + moved)
    want = [(docs + d, far + lo, far + hi) for d, lo, hi in group_copies(near)[0].members]
    assert [g.members for g in got if g.members[0][0] >= docs] == [tuple(want)]
    assert got == _group_copies_plainly(pad + moved)
