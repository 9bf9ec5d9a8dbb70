"""reuse.arrays: set operations on arrays of hashes."""

import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from reuse.arrays import ValueSet, contains, doc_counts, frequent_values, occurrences

_values = st.lists(st.integers(0, 50) | st.integers(0, 2**64 - 1), max_size=60)


@hsettings(max_examples=200, deadline=None)
@given(arrays=st.lists(_values, max_size=8), min_docs=st.integers(1, 5))
def test_frequent_values_are_the_values_in_min_docs_arrays(arrays, min_docs):
    arrays = [np.array(a, dtype=np.uint64) for a in arrays]
    want = sorted(v for v in {v for a in arrays for v in a.tolist()}
                  if sum(v in set(a.tolist()) for a in arrays) >= min_docs)
    assert frequent_values(arrays, min_docs).tolist() == want
    values, counts = doc_counts(arrays)
    assert values.tolist() == sorted({v for a in arrays for v in a.tolist()})
    assert counts.tolist() == [sum(v in set(a.tolist()) for a in arrays) for v in values.tolist()]
    if arrays:  # what placing every occurrence says
        occ = occurrences(arrays)
        assert occ.values[occ.order[occ.starts]].tolist() == values.tolist() and occ.doc_freq.tolist() == counts.tolist()


@hsettings(max_examples=200, deadline=None)
@given(members=_values, probes=_values)
def test_value_set_answers_like_a_binary_search(members, probes):
    # small values collide in the bitmap's low bits with large ones: the sorted array must decide
    members = np.unique(np.array(members, dtype=np.uint64))
    probes = np.array(probes + [(v + 2**20) % 2**64 for v in members.tolist()], dtype=np.uint64)
    want = [v in set(members.tolist()) for v in probes.tolist()]
    assert contains(ValueSet(members), probes).tolist() == want
    assert contains(members, probes).tolist() == want


@hsettings(max_examples=300, deadline=None)
@given(
    sets=st.lists(st.sets(st.integers(0, 60) | st.integers(0, 2**64 - 1), max_size=40), min_size=1, max_size=8),
    picks=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30),
    chunk=st.sampled_from([1, 3, 1 << 21]),
)
def test_shared_counts_is_the_size_of_each_intersection(sets, picks, chunk):
    from reuse import arrays

    segments = [np.array(sorted(s), dtype=np.uint64) for s in sets]
    values = np.concatenate(segments)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in segments])]).astype(np.int64)
    pairs = [(a % len(sets), b % len(sets)) for a, b in picks]
    left = np.array([a for a, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b in pairs], dtype=np.int64)
    saved, arrays.SHARED_CHUNK = arrays.SHARED_CHUNK, chunk  # small slices too, so the slicing is tested
    try:
        got = arrays.shared_counts(values, offsets, left, right)
    finally:
        arrays.SHARED_CHUNK = saved
    assert got.tolist() == [len(np.intersect1d(segments[a], segments[b])) for a, b in pairs]


@hsettings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 2**40)), max_size=40),
       wide=st.booleans())
def test_sort_order_is_lexsort(rows, wide):
    from reuse.arrays import sort_order

    keys = [np.array(c, dtype=np.int64) for c in zip(*rows)] if rows else [np.zeros(0, dtype=np.int64)] * 3
    if wide:  # too many bits to pack: the lexsort itself
        keys[1] = keys[1] * 2**40
    assert sort_order(keys).tolist() == np.lexsort(keys[::-1]).tolist()


@hsettings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**32 - 1), st.integers(0, 1)),
                     min_size=1, max_size=30))
def test_sort_order_packs_keys_sixty_four_bits_wide(rows):
    from reuse.arrays import sort_order

    # widths of 31 + 32 + 1 bits whenever the largest values take them: the packed key's every bit in use
    keys = [np.array(c, dtype=np.int64) for c in zip(*rows)]
    keys[0][0], keys[1][0], keys[2][0] = 2**31 - 1, 2**32 - 1, 1
    assert sum(int(k.max()).bit_length() for k in keys) == 64
    assert sort_order(keys).tolist() == np.lexsort(keys[::-1]).tolist()


@hsettings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 2**40), st.booleans()), max_size=40))
def test_furthest_in_group_is_the_running_maximum_of_each_group(rows):
    from reuse.arrays import furthest_in_group

    ends = np.array([e for e, _ in rows], dtype=np.int64)
    new_group = np.array([n or i == 0 for i, (_, n) in enumerate(rows)], dtype=bool)
    want, best = [], 0
    for e, n in zip(ends.tolist(), new_group.tolist()):
        best = e if n else max(best, e)
        want.append(best)
    assert furthest_in_group(ends, new_group).tolist() == want


@hsettings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(0, 1000), min_size=1, max_size=40), extra=st.integers(0, 50),
       dtype=st.sampled_from([np.int32, np.int64]))
def test_gaps_are_the_differences_to_the_next_start_or_the_end(cuts, extra, dtype):
    from reuse.arrays import gaps

    starts = np.unique(np.array(cuts, dtype=dtype))
    end = int(starts[-1]) + extra
    got = gaps(starts, end)
    assert got.dtype == starts.dtype
    assert got.tolist() == np.diff(starts, append=end).tolist()
