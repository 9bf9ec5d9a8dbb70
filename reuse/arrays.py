"""Set operations on arrays of integers (hashes), in bulk: group equal values, count documents, look values up.

The helpers every stage that works on a corpus of hashes needs: no Python
object per value, no temporary as long as the corpus where it can be avoided.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 20
"""Elements per slice when a corpus-long array is worked on in place: temporaries stay small."""


def index_dtype(n: int) -> type:
    """int32 for indices into arrays of ``n`` elements when they fit: corpus-long arrays take half the memory."""
    return np.int32 if n < 2**31 - 1 else np.int64


def rows_by_value(values: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(value, row indices)`` for each distinct non-negative value of ``values`` (ascending), the rows in
    order, in one stable sort (``sort_order``): per-document work on rows of many documents (``values`` their
    document numbers).

    >>> [(v, rows.tolist()) for v, rows in rows_by_value(np.array([2, 0, 2, 1]))]
    [(0, [1]), (1, [3]), (2, [0, 2])]
    """
    order = sort_order([values])
    bounds = np.flatnonzero(np.diff(values[order], prepend=-1, append=-1))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield int(values[order[lo]]), order[lo:hi]


def spans_by_label(label: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each distinct non-negative ``label`` (ascending): its first row, the least ``lo`` and the most
    ``hi`` of its rows (column by column): the box that covers the boxes of a group.

    >>> [a.tolist() for a in spans_by_label(np.array([1, 0, 1]), np.array([5, 2, 3]), np.array([9, 4, 6]))]
    [[1, 0], [2, 3], [4, 9]]
    """
    if not len(label):
        return label[:0], lo[:0], hi[:0]
    order = sort_order([label])
    starts = np.flatnonzero(np.concatenate([[True], label[order][1:] != label[order][:-1]]))
    return order[starts], np.minimum.reduceat(lo[order], starts, axis=0), np.maximum.reduceat(hi[order], starts, axis=0)


def group_equal(values: np.ndarray, *, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of ``values`` grouped by value, ties in index order, with group starts and sizes.

    One np.sort of the values with the index packed into their low bits (far
    faster than a stable argsort); values that share all their high bits are
    told apart by their low bits, kept aside (and re-sorted by them, so
    grouping is exact). The indices are int32 when they fit (see
    ``index_dtype``): corpus-long arrays take half the memory, and memory a
    process touches first costs page faults (``benchmarks/RESULTS.md``).
    With ``overwrite`` a uint64 ``values`` is sorted where it lies (its
    contents are lost): a caller's own temporary need not be copied.

    >>> [a.tolist() for a in group_equal(np.array([7, 3, 7, 5], dtype=np.uint64))]
    [[1, 3, 0, 2], [0, 1, 2], [1, 1, 2]]
    """
    n = len(values)
    itype = index_dtype(n)
    if not n:
        empty = np.zeros(0, dtype=itype)
        return empty, empty, empty
    bits = np.uint64(max(1, (n - 1).bit_length()))
    mask = (np.uint64(1) << bits) - np.uint64(1)
    low = np.empty(n, dtype=np.uint32 if bits <= 32 else np.uint64)  # what the packed keys leave out
    packed = values if overwrite and values.dtype == np.uint64 else values.astype(np.uint64, copy=True)
    for lo in range(0, n, CHUNK):  # slice by slice: no corpus-long temporary
        part = packed[lo : lo + CHUNK]
        low[lo : lo + CHUNK] = part & mask
        part >>= bits
        part <<= bits
        part |= np.arange(lo, min(n, lo + CHUNK), dtype=np.uint64)
    packed.sort()
    order = np.empty(n, dtype=itype)
    for lo in range(0, n, CHUNK):
        order[lo : lo + CHUNK] = packed[lo : lo + CHUNK] & mask
    high = packed
    high >>= bits
    new = np.ones(n, dtype=bool)
    np.not_equal(high[1:], high[:-1], out=new[1:])
    # neighbours that share their high bits are equal values, or (rarely) a group to re-sort by the low bits
    for lo in range(0, n - 1, CHUNK):
        at = lo + np.flatnonzero(~new[lo + 1 : lo + 1 + CHUNK])
        differ = low[order[at]] != low[order[at + 1]]
        if differ.any():
            _regroup_mixed(low, order, new, high, at[differ])
    del packed, high, low
    starts = flatnonzero(new, itype)
    return order, starts, gaps(starts, n)


def gaps(starts: np.ndarray, end: int) -> np.ndarray:
    """The sizes of the groups that start at ``starts`` (ascending) and run to the next start or ``end``, of
    their type: ``np.diff(starts, append=end)`` in one array where that makes three (the appended copy, the
    difference, and any cast), for corpus-long groupings.

    >>> gaps(np.array([0, 2, 3], dtype=np.int32), 7).tolist()
    [2, 1, 4]
    """
    sizes = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=sizes[:-1])
    sizes[-1:] = end - starts[-1:]
    return sizes


def sort_order(keys: Sequence[np.ndarray], *, stable: bool = True) -> np.ndarray:
    """The order that sorts rows by non-negative ``keys``, most significant first: ``np.lexsort`` of them
    reversed (stable), done as one sort of the keys packed in 64 bits where they fit, several times
    faster; else the lexsort itself. Without ``stable``, rows with equal keys may come in any order.
    """
    bits = [max(1, int(k.max()).bit_length()) if len(k) else 1 for k in keys]
    if sum(bits) > 64:
        return np.lexsort(keys[::-1])
    n = len(keys[0])
    row_bits = max(1, (n - 1).bit_length())
    packed = np.zeros(n, dtype=np.uint64)
    for k, b in zip(keys, bits):
        packed <<= np.uint64(b)
        packed |= k.astype(np.uint64)
    if sum(bits) + row_bits > 64:
        return np.argsort(packed, kind="stable" if stable else None)
    # the row's index in the low bits: one np.sort (a few times faster than a stable argsort) gives the
    # stable order, ties by row
    packed <<= np.uint64(row_bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64((1 << row_bits) - 1)).astype(np.int64)


def furthest_in_group(ends: np.ndarray, new_group: np.ndarray) -> np.ndarray:
    """For each row, the largest of the non-negative ``ends`` from its group's first row to it, where a group is
    a run of rows that ``new_group`` starts (and the first row always does).

    One running maximum serves every group: each is lifted above all the ones before it.

    >>> furthest_in_group(np.array([3, 1, 5, 2, 4]), np.array([True, False, False, True, False])).tolist()
    [3, 3, 5, 2, 4]
    """
    if not len(ends):
        return np.zeros(0, dtype=np.int64)
    shift = np.cumsum(new_group, dtype=np.int64) * (int(ends.max()) + 1)
    return np.maximum.accumulate(ends + shift) - shift


def components_of_edges(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """For each of ``n`` nodes, the smallest node it is connected to by the edges ``u[i]``-``v[i]``.

    Roots are hooked to the smaller root across every edge and paths are
    halved until every node points at its root, a few rounds of array
    operations however the edges chain.

    >>> components_of_edges(5, np.array([0, 3]), np.array([2, 1])).tolist()
    [0, 1, 0, 1, 4]
    """
    parent = np.arange(n, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        apart = pu != pv
        if not apart.any():
            return parent
        np.minimum.at(parent, np.maximum(pu, pv)[apart], np.minimum(pu, pv)[apart])
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up


def flatnonzero(flags: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """``np.flatnonzero`` straight into ``dtype``, slice by slice: no int64 array as long as the result.

    >>> flatnonzero(np.array([0, 3, 0, 1], dtype=bool), np.int32).tolist()
    [1, 3]
    """
    out = np.empty(int(np.count_nonzero(flags)), dtype=dtype)
    at = 0
    for lo in range(0, len(flags), CHUNK):
        found = np.flatnonzero(flags[lo : lo + CHUNK])
        out[at : at + len(found)] = found + lo
        at += len(found)
    return out


def _regroup_mixed(values: np.ndarray, order: np.ndarray, new: np.ndarray, high: np.ndarray,
                   mixed: np.ndarray) -> None:
    """Re-sort by value the runs of equal high bits that hold unequal values, and mark their groups (``values``:
    the values, or only their bits below the high ones, which order a run alike)."""
    for lo, hi in resort_mixed_runs(values, order, high, mixed):
        sorted_part = values[order[lo:hi]]
        new[lo + 1 : hi] = sorted_part[1:] != sorted_part[:-1]


def resort_mixed_runs(values: np.ndarray, order: np.ndarray, head: np.ndarray,
                      mixed: np.ndarray) -> list[tuple[int, int]]:
    """After a sort of keys that pack only the high bits of ``values`` (``head``, ascending, with the row
    index below them), put in full value order, ties by row, each run of equal ``head`` that one of the
    positions ``mixed`` falls in (``order`` is changed in place); the runs' bounds.

    The packed sort is far faster than a stable argsort of the values; runs
    whose values differ below the packed bits are rare.
    """
    runs: list[tuple[int, int]] = []
    settled = 0
    for at in mixed.tolist():
        if at < settled:  # inside a run already re-sorted
            continue
        lo, hi = int(np.searchsorted(head, head[at], "left")), int(np.searchsorted(head, head[at], "right"))
        settled = hi
        part = order[lo:hi]
        order[lo:hi] = part[np.lexsort((part, values[part]))]
        runs.append((lo, hi))
    return runs


@dataclass(frozen=True, eq=False)
class Occurrences:
    """Every value of several per-document arrays, grouped by value.

    ``order[starts[g]:starts[g] + sizes[g]]`` are the flat indices of group
    ``g``, in (document, position) order; ``doc`` and ``pos`` say where each
    sorted occurrence is; ``doc_freq[g]`` counts the documents holding it.
    """

    values: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    doc: np.ndarray
    pos: np.ndarray
    doc_freq: np.ndarray


def occurrences(arrays: Sequence[np.ndarray]) -> Occurrences:
    """Group every value of ``arrays`` (one per document) by value, with document frequencies."""
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    values = np.concatenate(arrays) if len(arrays) else np.zeros(0, dtype=np.uint64)
    order, starts, sizes = group_equal(values)
    itype = order.dtype
    doc = np.repeat(np.arange(len(arrays), dtype=itype), lengths)[order]
    offset = (np.cumsum(lengths) - lengths).astype(itype)
    pos = np.empty(len(doc), dtype=itype)
    for lo in range(0, len(doc), CHUNK):
        np.subtract(order[lo : lo + CHUNK], offset[doc[lo : lo + CHUNK]], out=pos[lo : lo + CHUNK])
    new_doc = np.ones(len(doc), dtype=bool)
    np.not_equal(doc[1:], doc[:-1], out=new_doc[1:])
    new_doc[starts] = True
    doc_freq = np.add.reduceat(new_doc, starts, dtype=itype) if len(starts) else starts
    return Occurrences(values, order, starts, sizes, doc, pos, doc_freq)


def doc_counts(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct value of ``arrays``, sorted, and how many of the arrays hold it.

    What ``occurrences`` tells of each value without placing every
    occurrence: a fraction of the time and memory.

    >>> [a.tolist() for a in doc_counts([np.array([5, 1, 5]), np.array([1, 2]), np.array([2, 1])])]
    [[1, 2, 5], [3, 2, 1]]
    """
    pooled = _pooled(arrays)
    new = np.ones(len(pooled), dtype=bool)
    np.not_equal(pooled[1:], pooled[:-1], out=new[1:])
    starts = flatnonzero(new, index_dtype(len(pooled) + 1))
    return pooled[starts], gaps(starts, len(pooled))


def frequent_values(arrays: Sequence[np.ndarray], min_docs: int) -> np.ndarray:
    """Sorted distinct values found in at least ``min_docs`` of ``arrays``: ``doc_counts`` filtered, leaner.

    No count per value: a value in ``min_docs`` arrays equals the one
    ``min_docs - 1`` places on in the pooled values (template detection holds
    less memory for it: ``benchmarks/RESULTS.md``).

    >>> frequent_values([np.array([5, 1, 5]), np.array([1, 2]), np.array([2, 1])], 2).tolist()
    [1, 2]
    """
    pooled = _pooled(arrays)
    m = max(1, min_docs)
    if len(pooled) < m:
        return pooled[:0]
    head = pooled[: len(pooled) - m + 1]
    return _distinct(head[head == pooled[m - 1 :]])


def _pooled(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Each array's distinct values, all together, sorted."""
    if not len(arrays):
        return np.zeros(0, dtype=np.uint64)
    pooled = np.concatenate([_distinct(a) for a in arrays])
    pooled.sort()
    return pooled


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique hashes instead, several times slower on arrays of hashes)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


class ValueSet:
    """A sorted array of distinct integers that answers ``contains`` for many values quickly.

    A bitmap of the members' low bits rules most values out with one lookup;
    only the rest are looked up in the sorted array. For hashes against a
    small set (frequent shingles against every shingle of a corpus) that is
    several times faster than a binary search for each.
    """

    def __init__(self, sorted_values: np.ndarray):
        self.values = sorted_values
        bits = max(10, min(24, (64 * len(sorted_values)).bit_length()))
        self._mask = (1 << bits) - 1
        self._table = np.zeros(1 << bits, dtype=bool)
        self._table[self._low(sorted_values)] = True

    def _low(self, values: np.ndarray) -> np.ndarray:
        return (values & values.dtype.type(self._mask)).astype(np.intp)

    def __len__(self) -> int:
        return len(self.values)

    def contains(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(len(values), dtype=bool)
        if len(self.values) and len(values):
            maybe = np.flatnonzero(self._table[self._low(values)])
            out[maybe] = contains(self.values, values[maybe])
        return out


def contains(sorted_set: np.ndarray | ValueSet, values: np.ndarray) -> np.ndarray:
    """True for each of ``values`` found in the sorted array (or ``ValueSet``) ``sorted_set``.

    >>> contains(np.array([2, 5, 9]), np.array([5, 6, 9, 10])).tolist()
    [True, False, True, False]
    >>> contains(ValueSet(np.array([2, 5, 9])), np.array([5, 6, 9, 10])).tolist()
    [True, False, True, False]
    """
    if isinstance(sorted_set, ValueSet):
        return sorted_set.contains(values)
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


def group_pairs(starts: np.ndarray, sizes: np.ndarray, *, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions ``left < right`` inside each group of a sorted array.

    Groups are ``[starts[g], starts[g] + sizes[g])``; groups of one, or of more
    than ``max_size``, give none. Built per distinct group size with numpy,
    no Python loop per group.

    >>> [a.tolist() for a in group_pairs(np.array([0, 3]), np.array([3, 1]), max_size=5)]
    [[0, 0, 1], [1, 2, 2]]
    """
    ok = (sizes >= 2) & (sizes <= max_size)
    lefts, rights = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for size in np.unique(sizes[ok]).tolist():
        first = starts[ok & (sizes == size)]
        p, q = np.triu_indices(size, 1)
        lefts.append((first[:, None] + p[None, :]).ravel())
        rights.append((first[:, None] + q[None, :]).ravel())
    return np.concatenate(lefts), np.concatenate(rights)


SHARED_CHUNK = 1 << 21
"""Looked-up values per slice in ``shared_counts``: its temporaries stay a few tens of MB."""


def shared_counts(values: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each pair ``(left[i], right[i])`` of segments, how many values the two hold in common.

    Segment ``s`` is ``values[offsets[s]:offsets[s + 1]]``, sorted and
    distinct. Each value of the smaller segment is looked up in the larger
    by a binary search run for every pair at once (a dozen numpy steps for
    all of them, not a set intersection per pair). The search takes steps of
    descending powers of two; with the pairs laid out longest larger segment
    first, the values a step can still move are a prefix, so a value looked
    up in a short segment takes only the few steps it needs.

    >>> v = np.array([1, 4, 9, 2, 4, 9, 10], dtype=np.uint64)
    >>> shared_counts(v, np.array([0, 3, 7]), np.array([0]), np.array([1])).tolist()
    [2]
    """
    out = np.zeros(len(left), dtype=np.int64)
    if not len(left):
        return out
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    size_l, size_r = offsets[left + 1] - offsets[left], offsets[right + 1] - offsets[right]
    swap = size_l > size_r
    small, large = np.where(swap, right, left), np.where(swap, left, right)
    n_small, n_large = np.minimum(size_l, size_r), np.maximum(size_l, size_r)
    ends = np.cumsum(n_small)
    last = len(values) - 1
    start = 0
    while start < len(left):  # pairs in slices of about SHARED_CHUNK looked-up values each
        before = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + SHARED_CHUNK, side="right")))
        order = start + np.argsort(-n_large[start:stop], kind="stable")  # longest larger segment first
        counts, reach = n_small[order], n_large[order]
        taken = np.cumsum(counts)  # values of the pairs up to each
        owner = np.repeat(np.arange(len(order)), counts)
        within = np.arange(int(taken[-1])) - np.repeat(taken - counts, counts)
        wanted = values[offsets[small[order]][owner] + within]
        base = offsets[large[order]][owner]
        end = base + reach[owner]
        below = base - 1  # the last place known to hold a value below the one wanted
        step = 1 << (int(reach[0]).bit_length() - 1) if len(reach) and reach[0] else 0
        while step:
            # the values whose segment holds at least step values: the only ones a step this long can move
            m = int(taken[np.searchsorted(-reach, -step, side="right") - 1])
            further = below[:m] + step
            ok = (further < end[:m]) & (values[np.minimum(further, last)] < wanted[:m])
            np.add(below[:m], step, out=below[:m], where=ok)
            step >>= 1
        at = below + 1
        found = (at < end) & (values[np.minimum(at, last)] == wanted)
        out[order] = np.bincount(owner, weights=found, minlength=len(order)).astype(np.int64)
        start = stop
    return out
