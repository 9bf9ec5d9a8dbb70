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


def test_a_frame_made_a_family_renumbers_the_others_and_their_passages_follow():
    """A frame held by more documents than an earlier family sorts before it: ids shift, and every passage
    keeps pointing at its own family (its members hold it), the frame's passages at the frame."""
    from reuse.ingest import document
    from reuse.model import Passage, Template
    from reuse.tiers.families import Member
    from reuse.tiers.settle import _with_frames

    docs = [document(f"第{n}号 截至2月{n}日累计{70000 + n}例。同志们：", f"{n}.txt") for n in range(1, 6)]
    formula = Template("t001", "structure", "同志们：", 2, (("1.txt", 20, 24), ("2.txt", 20, 24)))
    mark = Template("t002", "watermark", "第1号", 1, (("1.txt", 0, 3),))
    passages = [
        Passage("1.txt", 20, 24, "2.txt", 20, 24, 1.0, "同志们：", "同志们：", template="t001", kind="template"),
        Passage("1.txt", 4, 20, "2.txt", 4, 20, 0.9, "", "", kind="copy", cluster="f0001"),
        Passage("1.txt", 4, 20, "3.txt", 4, 20, 0.9, "", "", kind="copy", cluster="f0001"),
        Passage("1.txt", 0, 3, "4.txt", 0, 3, 1.0, "", "", template="t002", kind="template"),
        Passage("1.txt", 4, 9, "5.txt", 4, 9, 1.0, "", "", kind="copy", cluster="c0001"),
    ]
    frame = [Member(d, 4, 20) for d in range(5)]
    out, families = _with_frames(docs, passages, [formula, mark], [(frame, "f0001")])
    assert [t.id for t in families] == ["t001", "t002", "t003"]
    by_id = {t.id: t for t in families}
    assert by_id["t001"].doc_count == 5 and by_id["t001"].members[0] == ("1.txt", 4, 20)
    assert [(p.kind, p.template, p.cluster) for p in out] == [
        ("template", "t002", None), ("template", "t001", None), ("template", "t001", None),
        ("template", "t003", None), ("copy", None, "c0001")]
    for p in out:  # each template passage lies in a member of the family it names
        if p.kind == "template":
            assert any(doc == p.a and s <= p.a_start and p.a_end <= e for doc, s, e in by_id[p.template].members)


def _through_earlier_plainly(regions, weight, rank, cover=0.8):
    """through_earlier by its definition: every witness tried against every region, the earliest kept."""
    def covered_by(d, lo, hi, w, mine):
        for j, (da, db, a_lo, a_hi, b_lo, b_hi) in enumerate(regions):
            if {da, db} != {d, w} or weight[j] < weight[mine]:
                continue
            s, e = (a_lo, a_hi) if da == d else (b_lo, b_hi)
            if min(e, hi) - max(s, lo) >= cover * (hi - lo):
                return True
        return False

    out = []
    for i, (x, y, a_lo, a_hi, b_lo, b_hi) in enumerate(regions):
        found = [w for w in range(len(rank)) if w not in (x, y) and rank[w] < rank[x] and rank[w] < rank[y]
                 and covered_by(x, a_lo, a_hi, w, i) and covered_by(y, b_lo, b_hi, w, i)]
        out.append(min(found, key=lambda w: rank[w]) if found else -1)
    return out


_REGION = st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 30), st.integers(1, 20),
                    st.integers(0, 30), st.integers(1, 20), st.integers(1, 5))


@hsettings(max_examples=400, deadline=None)
@given(rows=st.lists(_REGION, max_size=25), rank=st.permutations(range(5)))
def test_through_earlier_finds_the_earliest_witness_whose_regions_cover_both_sides(rows, rank):
    """Token boxes of pairs of five documents, some of them over the same text: the array form is the definition."""
    from reuse.tiers.clusters import through_earlier

    rows = [(a, b, s, s + n, t, t + m, w) for a, b, s, n, t, m, w in rows if a != b]
    regions = np.array([r[:6] for r in rows], dtype=np.int64).reshape(-1, 6)
    weight = np.array([r[6] for r in rows], dtype=float)
    rank = np.array(rank, dtype=np.int64)
    assert through_earlier(regions, weight, rank).tolist() == _through_earlier_plainly(regions.tolist(), weight, rank)


def test_a_region_three_documents_hold_is_seen_through_the_earliest_and_only_there():
    from reuse.tiers.clusters import through_earlier

    # documents 0, 1, 2 hold one paragraph (tokens 100-300 in each); 1 and 2 also share a sentence of their own
    regions = np.array([[0, 1, 100, 300, 100, 300], [0, 2, 100, 300, 100, 300], [1, 2, 100, 300, 100, 300],
                        [1, 2, 500, 560, 20, 80]], dtype=np.int64)
    weight = np.array([200.0, 200.0, 200.0, 60.0])
    assert through_earlier(regions, weight, np.array([0, 1, 2])).tolist() == [-1, -1, 0, -1]
    assert through_earlier(regions, weight, np.array([2, 0, 1])).tolist() == [-1, 1, -1, -1]  # 1 comes first
    # a witness that holds less of it than the pair does not stand in for the pair
    assert through_earlier(regions, np.array([100.0, 200.0, 200.0, 60.0]), np.array([0, 1, 2])).tolist() == [-1] * 4


def _witnessed_plainly(copies, deferred, rank, overlap=0.5, more=1.2):
    """witnessed by its definition: the union-find texts, each region's places looked up in every copy."""
    texts = _group_copies_plainly(copies, min_docs=2, overlap=overlap)
    text_of = {c: n for n, text in enumerate(texts) for c in text.copies}

    def near(d, start, end):  # (start, end, text, other document, size) of each copy's place in d near it
        out = []
        for c, (da, a0, a1, db, b0, b1) in enumerate(copies):
            for mine, (s, e), other in ((da, (a0, a1), db), (db, (b0, b1), da)):
                if mine == d and min(e, end) - max(s, start) >= overlap * min(e - s, end - start) and e > start and s < end:
                    out.append((s, e, text_of[c], other, (a1 - a0) + (b1 - b0)))
        return out

    out = []
    for x, x0, x1, y, y0, y1 in deferred:
        at_x, at_y = near(x, x0, x1), near(y, y0, y1)
        found = {p[2] for p in at_x + at_y}
        dropped = False
        if len(found) == 1 and at_x and at_y:
            first = min(texts[found.pop()].docs, key=lambda d: rank[d])
            size = (x1 - x0) + (y1 - y0)
            dropped = (first not in (x, y) and any(p[3] == first and more * p[4] >= size for p in at_x)
                       and any(p[3] == first and more * p[4] >= size for p in at_y))
        out.append(dropped)
    return out


_SPAN = st.tuples(st.integers(0, 4), st.integers(0, 40), st.integers(1, 30))


@hsettings(max_examples=400, deadline=None)
@given(copies=st.lists(st.tuples(_SPAN, _SPAN), max_size=20), deferred=st.lists(st.tuples(_SPAN, _SPAN), max_size=10),
       rank=st.permutations(range(5)))
def test_a_deferred_region_is_witnessed_where_the_earliest_of_its_text_holds_copies_of_it_with_both(copies, deferred,
                                                                                                     rank):
    from reuse.tiers.clusters import witnessed

    copies = [(a, s, s + n, b, t, t + m) for (a, s, n), (b, t, m) in copies if a != b]
    deferred = [(x, s, s + n, y, t, t + m) for (x, s, n), (y, t, m) in deferred if x != y]
    assert witnessed(copies, deferred, np.array(rank)) == _witnessed_plainly(copies, deferred, rank)


def test_a_later_document_holding_both_places_does_not_stand_in_for_the_earliest():
    """w < x < y < v (by id): copies x-v and y-v came, w's did not; x is then the text's earliest, and its
    pair with y is what settle keeps: it must be aligned."""
    from reuse.tiers.clusters import witnessed

    w, x, y, v = 0, 1, 2, 3
    copies = [(x, 0, 100, v, 0, 100), (y, 0, 100, v, 0, 100)]
    assert witnessed(copies, [(x, 0, 100, y, 0, 100)], np.arange(4)) == [False]
    # with w's copies of both, w is the earliest and the pair x-y is a member's weaker passage
    copies += [(w, 0, 100, x, 0, 100), (w, 0, 100, y, 0, 100)]
    assert witnessed(copies, [(x, 0, 100, y, 0, 100)], np.arange(4)) == [True]
    # a text whose earliest document holds nothing with x: settle keeps x's strongest, so no
    copies = [(0, 500, 600, y, 0, 100), (x, 0, 100, y, 0, 100), (v, 0, 100, y, 0, 100), (v, 0, 100, x, 0, 100)]
    assert witnessed(copies, [(x, 0, 100, y, 0, 100)], np.arange(4)) == [False]


def test_a_deferred_pair_that_would_link_two_texts_or_outweigh_the_earliest_is_aligned():
    """Two cases a review found: the pair's place joins a second text (settle would merge them, with another
    earliest), and a pair larger on both sides together than MORE times what the earliest holds."""
    from reuse.tiers.clusters import witnessed

    # doc 3 holds the paragraph (from 1) and, right after it, a sentence of doc 0's: its place 0-100 joins both
    copies = [(1, 0, 90, 3, 0, 90), (1, 0, 90, 4, 0, 90), (0, 0, 20, 3, 90, 110)]
    assert witnessed(copies, [(3, 0, 100, 4, 0, 100)], np.arange(5)) == [False]
    assert witnessed(copies[:2], [(3, 0, 100, 4, 0, 100)], np.arange(5)) == [True]
    # settle weighs both sides: 100 + 170 against 1.2 * (100 + 100)
    assert witnessed([(0, 0, 100, 1, 0, 100), (0, 0, 170, 2, 0, 170)], [(1, 0, 100, 2, 0, 170)],
                     np.arange(3)) == [False]
    assert witnessed([(0, 0, 100, 1, 0, 100), (0, 0, 170, 2, 0, 170)], [(1, 0, 100, 2, 0, 110)],
                     np.arange(3)) == [True]


def test_regions_one_passage_could_join_are_looked_for_as_one_place():
    """Regions of a pair close on both sides in any order join, through one another: as alignment groups them."""
    from reuse.tiers.deferral import _joinable

    regions = np.array([[0, 1, 0, 100, 0, 100], [0, 1, 50, 60, 5000, 5010], [0, 1, 110, 200, 110, 200],
                        [0, 2, 0, 100, 0, 100]], dtype=np.int64)
    original = regions[:, 2:6][:, [0, 1, 2, 3]] * 2  # (original spans: any monotone map of the tokens)
    looked_for, pair = _joinable(regions, original, np.array([0, 0, 0, 1]), 192)
    assert looked_for == [(0, 0, 400, 1, 0, 400), (0, 100, 120, 1, 10000, 10020), (0, 0, 200, 2, 0, 200)]
    assert pair.tolist() == [0, 0, 1]
