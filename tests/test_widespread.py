"""Widespread text: the whole-corpus array forms against the per-document and per-label plain forms."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from reuse.tiers.families import join, join_all
from reuse.tiers.widespread import _all_segments, _held_widely, segments


@hsettings(max_examples=200, deadline=None)
@given(
    dfs=st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=6),
    min_docs=st.integers(1, 20),
    K=st.integers(1, 8),
)
def test_all_segments_are_each_documents_segments(dfs, min_docs, K):
    doc_freq = [np.array(df, dtype=np.uint16) for df in dfs]
    long = [np.arange(len(df), dtype=np.uint64) + 1000 * d for d, df in enumerate(dfs)]
    found, piece, flat = _all_segments(long, doc_freq, min_docs, K)
    want = [(d, lo, hi) for d, df in enumerate(doc_freq) for lo, hi in segments(df, min_docs, K)]
    assert [tuple(row) for row in found.tolist()] == want
    held = [long[d][lo : hi - K + 1] for d, lo, hi in want]
    assert flat.tolist() == [h for part in held for h in part.tolist()]
    assert piece.tolist() == [n for n, part in enumerate(held) for _ in part]


class _Doubled:
    """Features whose original text has a character before each folded one: spans are not the identity."""

    folded = SimpleNamespace(origin=np.arange(200) * 2 + 1)  # folded character i is original 2i + 1
    cum = np.concatenate([[0], np.cumsum(1 + (np.arange(200) % 3 == 0))])  # every third token a word: weight two
    uniform = False

    def weight(self, lo, hi):
        return int(self.cum[hi] - self.cum[lo])

    def char_span(self, lo, hi):
        return lo, hi

    def char_spans(self, toks):
        return toks

    def original_span(self, lo, hi):
        return 2 * lo + 1, 2 * hi


_PIECES = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 60), st.integers(1, 20), st.integers(0, 4)),
                   max_size=40)
"""Pieces ``(doc, tok_lo, length, label)`` of a few texts in a few documents."""


def _as_rows(rows):
    """Pieces ``(doc, lo, hi, label)`` as the ``(doc, lo, hi)`` rows and labels the array forms take, and as
    each label's pieces for ``join``."""
    found = np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3)
    labels = np.array([r[3] for r in rows], dtype=np.int64)
    by_label = defaultdict(list)
    for d, lo, hi, g in rows:
        by_label[g].append((d, lo, hi))
    return found, labels, by_label


@hsettings(max_examples=300, deadline=None)
@given(
    pieces=_PIECES,
    max_gap=st.integers(0, 10),
    min_length=st.integers(1, 25),
    min_docs=st.integers(1, 4),
)
def test_held_widely_is_what_join_keeps(pieces, max_gap, min_length, min_docs):
    found, labels, by_label = _as_rows(sorted({(d, lo, lo + n, g) for d, lo, n, g in pieces}))
    features = defaultdict(_Doubled)
    want = sorted(g for g, items in by_label.items()
                  if len({m.doc for m in join(items, features, max_gap=max_gap, min_length=min_length)}) >= min_docs)
    got = _held_widely(found, labels, features, max_gap=max_gap, min_length=min_length, min_docs=min_docs)
    assert got.tolist() == want


def _rejoined_plainly(found, labels, max_gap):
    """``_rejoined`` one piece at a time, with sets and a union-find."""
    from reuse.tiers.widespread import STEP
    from reuse.unionfind import UnionFind

    docs, side, by_doc = defaultdict(set), defaultdict(set), defaultdict(list)
    for (d, lo, hi), g in zip(found, labels):
        docs[g].add(d)
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


@hsettings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 60), st.integers(1, 20), st.integers(0, 6)),
                    max_size=40),
    max_gap=st.integers(0, 10),
)
def test_rejoined_is_the_plain_union_of_labels_side_by_side(pieces, max_gap):
    from reuse.tiers.widespread import _rejoined

    rows = sorted({(d, lo, lo + n): g for d, lo, n, g in pieces}.items())
    found = [r for r, _ in rows]
    labels = [g for _, g in rows]
    got = _rejoined(np.array(found, dtype=np.int64).reshape(-1, 3), np.array(labels, dtype=np.int64), max_gap)
    assert got.tolist() == _rejoined_plainly(found, labels, max_gap)


def test_label_pairs_too_many_to_pack_are_counted_alike():
    from reuse.tiers.widespread import _side_by_side

    g1, g2, doc = np.array([0, 0, 1, 0]), np.array([2, 2, 2, 1]), np.array([5, 5, 3, 4])
    packed = _side_by_side(g1, g2, doc, 3, 10)
    rows = _side_by_side(g1, g2, doc, 2**31, 2**31)  # would overflow 64-bit keys
    for got in (packed, rows):
        assert got[0].tolist() == [[0, 1], [0, 2], [1, 2]] and got[1].tolist() == [1, 1, 1]


@hsettings(max_examples=300, deadline=None)
@given(
    pieces=_PIECES,
    max_gap=st.integers(0, 10),
    min_length=st.integers(1, 25),
)
def test_join_all_is_join_of_each_label(pieces, max_gap, min_length):
    # repeats and any order, as join takes them
    found, labels, by_label = _as_rows([(d, lo, lo + n, g) for d, lo, n, g in pieces])
    features = defaultdict(_Doubled)
    want = [join(by_label[g], features, max_gap=max_gap, min_length=min_length) for g in sorted(by_label)]
    assert join_all(found, labels, features, max_gap=max_gap, min_length=min_length) == want


class _Tokens:
    def __init__(self, n):
        self.tokens = range(n)


@hsettings(max_examples=300, deadline=None)
@given(docs=st.lists(st.tuples(st.integers(0, 30), st.lists(st.integers(1, 9), max_size=30)), max_size=6),
       min_docs=st.integers(1, 9), K=st.integers(1, 6))
def test_covered_in_all_is_each_documents_covered_by(docs, min_docs, K):
    from reuse.tiers.families import _covered_by, _covered_in_all

    feats, dfs = [], []
    for extra, df in docs:  # a document has K - 1 tokens more than long shingles (none when it is short)
        n = len(df) + K - 1 if df else extra % K
        feats.append(_Tokens(n))
        dfs.append(np.array(df, dtype=np.uint16))
    want = [(d, lo, hi) for d, (f, df) in enumerate(zip(feats, dfs)) if len(df)
            for lo, hi in _covered_by(f, df >= min_docs, K)]
    assert _covered_in_all(feats, dfs, min_docs, K) == want
