"""Stage 6: where might two documents share text? Candidate regions per pair.

Two sources of evidence, both in token coordinates:

* **seeds**: shingles (k tokens) found verbatim, after folding, in two
  documents. They find short shared phrases inside otherwise different
  sentences, which is most of the reuse between speeches. Consecutive seeds
  on one diagonal become *runs* (maximal exact matches).
* **near-duplicate units**: sentences and paragraphs whose MinHash signatures
  collide in the LSH index and whose exact shingle Jaccard passes the
  threshold. They catch units edited too densely for long runs to survive.

Runs and unit pairs of one document pair that lie within ``max_gap`` tokens
of each other (on both sides, in any order, so reordered sentences stay
together) are clustered into regions, which the aligner then measures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from reuse import arrays
from reuse import minhash
from reuse.batching import batches_by_size
from reuse.features import Features


@dataclass
class Region:
    """A box of tokens ``[a_lo, a_hi) x [b_lo, b_hi)`` that may be shared text.

    ``runs`` are the exact matches inside it, as ``(a_lo, a_hi, b_lo, b_hi)``
    token ranges (rows of an ``(n, 4)`` array, or tuples); a unit pair
    contributes a box but no run.
    """

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    runs: np.ndarray | list[tuple[int, int, int, int]] = field(default_factory=list)


def seed_matches(shingles: list[np.ndarray], *, max_doc_freq: int, max_group: int = 256) -> np.ndarray:
    """Every pair of equal shingles in two different documents (the plain form ``exact_runs`` is tested against).

    Returns an ``(n, 4)`` int64 array of ``(doc_a, shingle_a, doc_b, shingle_b)``
    with ``doc_a < doc_b``. Shingles found in more than ``max_doc_freq``
    documents, or more than ``max_group`` times in all, are skipped: they are
    formulas every document carries, not evidence of a pair.
    """
    occ = arrays.occurrences(shingles)
    d, i = occ.doc, occ.pos
    # hashes in 2..max_doc_freq documents pair their occurrences
    sizes = np.where((occ.doc_freq >= 2) & (occ.doc_freq <= max_doc_freq), occ.sizes, 0)
    starts = occ.starts
    left, right = arrays.group_pairs(starts, sizes, max_size=max_group)
    cross = d[left] != d[right]  # sorted by doc, so d[left] < d[right]
    left, right = left[cross], right[cross]
    return np.stack([d[left], i[left], d[right], i[right]], axis=1)


def diagonal_runs(seeds: np.ndarray, k: int, shingle_len: list[np.ndarray] | None = None) -> np.ndarray:
    """Consecutive seeds on one diagonal, merged into maximal exact runs.

    Args:
        k: tokens per shingle, when every shingle has ``k`` tokens.
        shingle_len: per document, the tokens of each shingle
            (``Features.shingle_len``); overrides ``k``.
    Returns:
        ``(n, 6)``: ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` in tokens,
        sorted by documents then ``a_lo``.
    """
    if not len(seeds):
        return np.zeros((0, 6), dtype=np.int64)
    da, ia, db, ib, diag = _by_run(*seeds.T)
    new = np.ones(len(da), dtype=bool)
    new[1:] = (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1]) | (ia[1:] != ia[:-1] + 1)
    starts = np.flatnonzero(new)
    lasts = np.append(starts[1:] - 1, len(da) - 1)
    if shingle_len is None:
        a_hi, b_hi = ia[lasts] + k, ib[lasts] + k
    else:
        flat = _Flat(shingle_len)
        a_hi, b_hi = ia[lasts] + flat.at(da[lasts], ia[lasts]), ib[lasts] + flat.at(db[lasts], ib[lasts])
    return _in_reading_order(np.stack([da[starts], db[starts], ia[starts], a_hi, ib[starts], b_hi], axis=1))


def exact_runs(shingles: list[np.ndarray], k: int, shingle_len: list[np.ndarray] | None = None, *,
               max_doc_freq: int, max_group: int = 256, doc_freq: list[np.ndarray] | None = None) -> np.ndarray:
    """``diagonal_runs(seed_matches(...))`` without listing every seed.

    A seed continues a run when the shingles just before it in both
    documents are equal and seeded too, so only the seeds whose predecessors
    differ (run starts) and those whose successors differ (run ends) are
    listed: pairs across different neighbour groups inside one shingle
    group. On a corpus dense with copies that is a run per eight seeds. On
    one diagonal runs do not overlap, so the n-th start and the n-th end in
    (pair, diagonal, position) order bound the n-th run.

    Returns the same ``(n, 6)`` array as ``diagonal_runs``. When a list is
    given as ``doc_freq``, it is filled with each document's
    ``shingle_doc_freq`` array on the way, from the same grouping.
    """
    return _stacked(_run_columns(shingles, k, shingle_len, max_doc_freq=max_doc_freq, max_group=max_group,
                                 doc_freq=doc_freq))


def passable_runs(shingles: list[np.ndarray], k: int, shingle_len: list[np.ndarray] | None = None, *,
                  max_doc_freq: int, shortest: int, max_gap: int, cums: list[np.ndarray] | None = None,
                  max_group: int = 256, doc_freq: list[np.ndarray] | None = None) -> np.ndarray:
    """``drop_lone_short_runs(exact_runs(...))``, the runs it drops (most of them) never put in rows."""
    columns = _run_columns(shingles, k, shingle_len, max_doc_freq=max_doc_freq, max_group=max_group,
                           doc_freq=doc_freq)
    keep = _passable(*columns, shortest=shortest, max_gap=max_gap, cums=cums)
    return _stacked([c[keep] for c in columns])


def _run_columns(shingles: list[np.ndarray], k: int, shingle_len: list[np.ndarray] | None, *, max_doc_freq: int,
                 max_group: int, doc_freq: list[np.ndarray] | None) -> list[np.ndarray]:
    """``exact_runs`` as its six int64 columns, in reading order."""
    flat, seed_doc, seed_pos, seed_group = _seeded_occurrences(shingles, max_doc_freq, max_group, doc_freq)
    if not len(flat):
        return [np.zeros(0, dtype=np.int64)] * 6
    n, itype = sum(len(a) for a in shingles), flat.dtype
    group = np.full(n, -1, dtype=itype)  # per flat occurrence: its seeded group, or -1
    group[flat] = seed_group
    lengths = np.array([len(a) for a in shingles], dtype=itype)
    # the groups of the shingles just before and just after each seed (-1 past the document's edge)
    before = np.where(seed_pos > 0, group[np.maximum(flat - 1, 0)], -1).astype(itype)
    after = np.where(seed_pos < lengths[seed_doc] - 1, group[np.minimum(flat + 1, n - 1)], -1).astype(itype)
    del group, flat
    # one end of the runs at a time, each sorted by run before the other is listed: this stage's peak memory
    # is these columns (a few per seed that ends a run), and memory a process touches first costs page faults
    sa, si, sb, sj, _ = _by_run(*_edge_seeds(seed_group, before, seed_doc, seed_pos))
    del before
    if not len(sa):
        return [np.zeros(0, dtype=np.int64)] * 6
    ea, ei, eb, ej, _ = _by_run(*_edge_seeds(seed_group, after, seed_doc, seed_pos))
    del after, seed_group, seed_doc, seed_pos
    assert len(sa) == len(ea)  # one start and one end per run
    if shingle_len is None:
        a_hi, b_hi = ei + k, ej + k
    else:
        flat = _Flat(shingle_len)
        a_hi, b_hi = ei + flat.at(ea, ei), ej + flat.at(eb, ej)
    del ea, ei, eb, ej
    order = _reading_order(sa, sb, si, sj)
    return [c[order] for c in (sa, sb, si, a_hi, sj, b_hi)]


def _stacked(columns: list[np.ndarray]) -> np.ndarray:
    """Columns of equal length as the rows of one ``(n, len(columns))`` int64 array."""
    out = np.empty((len(columns[0]), len(columns)), dtype=np.int64)
    for n, c in enumerate(columns):
        out[:, n] = c
    return out


def _in_reading_order(runs: np.ndarray) -> np.ndarray:
    """Runs sorted by (doc_a, doc_b, a_lo, b_lo)."""
    if not len(runs):
        return runs
    return runs[_reading_order(runs[:, 0], runs[:, 1], runs[:, 2], runs[:, 4])]


def _reading_order(da: np.ndarray, db: np.ndarray, a_lo: np.ndarray, b_lo: np.ndarray) -> np.ndarray:
    """The order that sorts runs by (doc_a, doc_b, a_lo, b_lo).

    Runs are distinct in (documents, a_lo, b_lo): no tie, so the sort need not be stable.
    """
    return arrays.sort_order([da, db, a_lo, b_lo], stable=False)


def _seeded_occurrences(shingles: list[np.ndarray], max_doc_freq: int, max_group: int,
                        doc_freq_out: list[np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """Every occurrence of a shingle that seeds, in shingle order: ``(flat, doc, pos, group)``.

    ``flat`` indexes the documents' shingles laid end to end and ``group``
    numbers the seeding shingles in sorted order. What ``arrays.occurrences``
    gives, but documents are placed only for shingles found more than once
    (a minority of them): this stage's peak memory is the corpus's occurrences,
    and memory a process touches first costs page faults
    (``benchmarks/RESULTS.md``).
    """
    lengths = np.array([len(a) for a in shingles], dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    values = np.concatenate(shingles) if len(shingles) else np.zeros(0, dtype=np.uint64)
    order, starts, sizes = arrays.group_equal(values, overwrite=True)  # (values is this function's own)
    del values
    itype = order.dtype  # int32 where it fits
    multi = sizes >= 2
    member = arrays.flatnonzero(np.repeat(multi, sizes), itype)  # sorted positions of repeated shingles
    flat = order[member]
    del order, member, starts
    sizes = sizes[multi]
    owner = np.repeat(np.arange(len(shingles), dtype=itype), lengths)  # each flat position's document
    doc = owner[flat]
    del owner
    first = np.cumsum(sizes, dtype=np.int64) - sizes
    new_doc = np.ones(len(doc), dtype=bool)
    np.not_equal(doc[1:], doc[:-1], out=new_doc[1:])
    new_doc[first] = True
    doc_freq = np.add.reduceat(new_doc, first, dtype=itype) if len(first) else sizes
    if doc_freq_out is not None:
        doc_freq_out[:] = _split_doc_freq(flat, doc_freq, sizes, offsets, lengths)
    seeded = (doc_freq >= 2) & (doc_freq <= max_doc_freq) & (sizes <= max_group)
    keep = np.repeat(seeded, sizes)
    flat, doc = flat[keep], doc[keep]
    group = np.repeat(np.arange(int(seeded.sum()), dtype=itype), sizes[seeded])
    pos = flat - offsets.astype(itype)[doc]
    return flat, doc, pos, group


DOC_FREQ_CAP = np.iinfo(np.uint16).max


def _split_doc_freq(flat: np.ndarray, doc_freq: np.ndarray, sizes: np.ndarray, offsets: np.ndarray,
                    lengths: np.ndarray) -> list[np.ndarray]:
    """Per document, the document frequency of each of its shingles (uint16, capped; 1 when unique)."""
    every = np.ones(int(lengths.sum()), dtype=np.uint16)
    every[flat] = np.repeat(np.minimum(doc_freq, DOC_FREQ_CAP).astype(np.uint16), sizes)
    return [every[o : o + n] for o, n in zip(offsets.tolist(), lengths.tolist())]


def shingle_doc_freq(shingles: list[np.ndarray], may_repeat: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """How many of the documents hold each shingle of each document (uint16, capped).

    ``may_repeat``, when given, is a boolean mask per document, False where
    the caller knows the shingle stands in that document alone
    (``families.long_may_repeat``): only the others are sorted and counted,
    and the rest are 1, as counting them would say.

    >>> [a.tolist() for a in shingle_doc_freq([np.array([5, 1, 5], dtype=np.uint64), np.array([1, 2], dtype=np.uint64)])]
    [[1, 2, 1], [2, 1]]
    """
    out: list[np.ndarray] = []
    if may_repeat is None:
        _seeded_occurrences(shingles, 0, 0, out)
        return out
    _seeded_occurrences([s[m] for s, m in zip(shingles, may_repeat)], 0, 0, out)
    every = []
    for m, counted in zip(may_repeat, out):
        freq = np.ones(len(m), dtype=np.uint16)
        freq[m] = counted
        every.append(freq)
    return every


def _edge_seeds(group: np.ndarray, neighbour: np.ndarray, doc: np.ndarray,
                pos: np.ndarray) -> tuple[np.ndarray, ...]:
    """Seeds at one end of their run: pairs of one group whose neighbours differ.

    Occurrences come one per row, sorted by shingle ``group``, with the group of
    the shingle next to them (-1 when that one seeds nothing or is past the
    document's edge). Returns ``(doc_a, pos_a, doc_b, pos_b)`` with
    ``doc_a < doc_b``.
    """
    m = len(group)
    width = int(group.max()) + 2
    key = group.astype(np.int64) * width + neighbour + 1
    order = np.argsort(key, kind="stable")
    key, nb = key[order], neighbour[order]
    # a subgroup shares group and neighbour; each occurrence without a neighbour is one of its own
    new_sub = np.ones(m, dtype=bool)
    new_sub[1:] = (key[1:] != key[:-1]) | (nb[1:] < 0)
    del key, nb
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = group[1:] != group[:-1]  # groups come sorted: the stable sort kept them in place
    sub_end = _next_true(new_sub)  # index after each row's subgroup
    count = _next_true(new_group)
    count -= sub_end  # partners: every later row of the group outside the subgroup
    total = int(count.sum(dtype=np.int64))
    left = np.repeat(np.arange(m, dtype=np.int64), count)
    right = np.repeat(sub_end - np.cumsum(count, dtype=np.int64) + count, count) + np.arange(total, dtype=np.int64)
    left, right = order[left], order[right]
    dl, dr = doc[left], doc[right]
    cross = dl != dr
    left, right, dl, dr = left[cross], right[cross], dl[cross], dr[cross]
    swap = dl > dr
    del dl, dr
    a = np.where(swap, right, left)
    b = np.where(swap, left, right)
    del swap, left, right
    return doc[a], pos[a], doc[b], pos[b]


def _next_true(flags: np.ndarray) -> np.ndarray:
    """For each index, the next index after it where ``flags`` is True (or the length)."""
    n = len(flags)
    itype = arrays.index_dtype(n + 1)
    at = np.where(flags, np.arange(n, dtype=itype), itype(n))
    out = np.empty(n, dtype=itype)
    out[:-1] = np.minimum.accumulate(at[:0:-1])[::-1]
    out[-1:] = n
    return out


class _Flat:
    """Per-document arrays laid end to end once, so ``arrays[doc[i]][pos[i]]`` for every ``i`` is one lookup."""

    def __init__(self, arrays: list[np.ndarray]):
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        self.offsets = np.cumsum(lengths) - lengths
        self.values = np.concatenate(arrays) if len(arrays) else np.zeros(0, dtype=np.int64)

    def at(self, doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """``arrays[doc[i]][pos[i]]`` for every ``i``, as int64 (``pos`` within its document's array)."""
        if not len(doc):
            return np.zeros(0, dtype=np.int64)
        return self.values[self.offsets[doc] + pos].astype(np.int64)


def _by_run(da: np.ndarray, ia: np.ndarray, db: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, ...]:
    """Seeds sorted by (pair, diagonal, position), as ``(da, ia, db, ib, diag)`` of the inputs' integer type.

    Each seed is unique, so when (pair, diagonal, position) packs into 63 bits
    one np.sort of the packed keys orders them and the fields are read back
    from the keys; otherwise a lexsort does it. The key is the only
    temporary as long as the seeds that is 64-bit wide.
    """
    out = np.result_type(da, ia, db, ib)
    diag = ib.astype(np.int64)
    diag -= ia
    width = int(db.max()) + 1
    low = int(diag.min())
    diag_bits = max(1, int(diag.max() - low).bit_length())
    pos_bits = max(1, int(ia.max()).bit_length())
    pair_bits = max(1, (int(da.max()) * width + int(db.max())).bit_length())
    if pair_bits + diag_bits + pos_bits > 63:
        order = np.lexsort((ia, diag, db, da))
        return da[order], ia[order], db[order], ib[order], diag[order].astype(out)
    key = da.astype(np.int64)
    key *= width
    key += db
    key <<= diag_bits + pos_bits
    diag -= low
    diag <<= pos_bits
    key |= diag
    key |= ia
    del diag
    key.sort()
    sorted_ia = (key & ((1 << pos_bits) - 1)).astype(out)
    pair = key >> (diag_bits + pos_bits)
    sorted_da, sorted_db = (x.astype(out) for x in np.divmod(pair, width))
    del pair
    key >>= pos_bits
    key &= (1 << diag_bits) - 1
    key += low
    sorted_diag = key.astype(out)
    del key
    return sorted_da, sorted_ia, sorted_db, sorted_ia + sorted_diag, sorted_diag


def unit_pairs(features: list[Features], *, k: int, threshold: float, num_perm: int, seed: int,
               storage: dict | None = None, max_bucket: int = 64) -> np.ndarray:
    """Near-duplicate sentences across documents, via MinHash LSH.

    Returns ``(n, 4)`` rows ``(doc_a, unit_a, doc_b, unit_b)`` with ``doc_a < doc_b``, each verified by
    the exact Jaccard similarity of the two shingle sets: an array, which a forked process hands back at a
    fraction of the cost of as many tuples.
    """
    none = np.zeros((0, 4), dtype=np.int64)
    units = flat_unit_sets(features, k)
    units = units.subset(_pairable(units, threshold))
    if len(units) < 2:
        return none
    # astype keeps the low 32 bits of each 64-bit shingle hash
    sigs = minhash.signatures(units.hashes.astype(np.uint32), units.offsets, num_perm=num_perm, seed=seed)
    if storage is None:
        pairs = minhash.colliding_pairs(sigs, units.doc, threshold=threshold, max_bucket=max_bucket)
    else:  # a shared index (e.g. Redis) goes through datasketch's own MinHashLSH
        keys = list(zip(units.doc.tolist(), units.unit.tolist()))
        lsh = minhash.build_lsh(sigs, keys, threshold=threshold, num_perm=num_perm, seed=seed, storage=storage)
        position = {key: n for n, key in enumerate(keys)}
        found: set[tuple[int, int]] = set()
        for bucket in minhash.buckets(lsh, max_size=max_bucket):
            members = sorted(position[tuple(m)] for m in bucket)
            found.update(
                (x, y) for i, x in enumerate(members) for y in members[i + 1 :] if keys[x][0] != keys[y][0]
            )
        pairs = np.array(sorted(found), dtype=np.int64).reshape(-1, 2)
    # LSH hits are candidates: keep those whose signatures agree enough, then
    # check the exact Jaccard similarity of the shingle sets
    if len(pairs):
        estimate = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).mean(axis=1)
        pairs = pairs[estimate >= threshold - 0.15]
    if not len(pairs):
        return none
    x, y = pairs[:, 0], pairs[:, 1]
    inter = arrays.shared_counts(units.hashes, units.offsets, x, y)
    sizes = np.diff(units.offsets)
    ok = inter / (sizes[x] + sizes[y] - inter) >= threshold
    x, y = x[ok], y[ok]
    return np.stack([units.doc[x], units.unit[x], units.doc[y], units.unit[y]], axis=1).astype(np.int64)


PAIRABLE_SLACK = 4
"""``_pairable`` counts shingles in about this many buckets per shingle (a bucket shared by chance ~1 in 5)."""


def _pairable(units: "UnitSets", threshold: float) -> np.ndarray:
    """Units that could reach ``threshold`` with a unit of another document.

    Jaccard similarity ``t`` needs at least ``t`` of a unit's shingles in the
    other unit, so a unit with fewer of its shingles found in any other
    document (most of a corpus: its own text) can never be verified, and is
    neither signed nor bucketed. Shingles are counted in hash buckets: a
    bucket shared by chance only keeps a unit that would have been dropped,
    never the reverse.
    """
    if not len(units):
        return np.zeros(0, dtype=bool)
    doc_bits = max(1, int(units.doc.max()).bit_length())
    bits = min(32, 64 - doc_bits, max(16, (PAIRABLE_SLACK * len(units.hashes)).bit_length()))
    mask = np.uint64((1 << bits) - 1)  # shingle hashes are well mixed: low bits will do
    # one sort of (bucket, document) keys: a bucket is in two documents where
    # two neighbours share the bucket but not the document. Slice by slice, so
    # no temporary is as long as the corpus.
    key = np.repeat(units.doc.astype(np.uint64), np.diff(units.offsets))
    for lo in range(0, len(key), arrays.CHUNK):
        key[lo : lo + arrays.CHUNK] |= (units.hashes[lo : lo + arrays.CHUNK] & mask) << np.uint64(doc_bits)
    key.sort()
    twice = _shared_buckets(key, doc_bits, bits)  # in two documents or more
    del key
    found_there = np.empty(len(units.hashes), dtype=bool)
    for lo in range(0, len(found_there), arrays.CHUNK):
        bucket = units.hashes[lo : lo + arrays.CHUNK] & mask
        found_there[lo : lo + arrays.CHUNK] = (twice[(bucket >> np.uint64(3)).astype(np.intp)]
                                               >> (bucket & np.uint64(7)).astype(np.uint8)) & np.uint8(1)
    found = np.add.reduceat(found_there, units.offsets[:-1], dtype=np.int64) if len(found_there) else 0
    return found >= threshold * np.diff(units.offsets)


def _shared_buckets(key: np.ndarray, doc_bits: int, bits: int) -> np.ndarray:
    """A bit per bucket (bit ``b & 7`` of byte ``b >> 3``), set when the sorted ``bucket << doc_bits | doc``
    keys hold bucket ``b`` with two documents.

    Bits, not a bool per bucket: at 100 MB the buckets number 2**28, and a
    bool array of them was a quarter of a gigabyte of fresh memory, written
    all over, in the process that runs LSH.
    """
    twice = np.zeros(((1 << bits) + 7) >> 3, dtype=np.uint8)
    doc_mask, shift = np.uint64((1 << doc_bits) - 1), np.uint64(doc_bits)
    for lo in range(0, len(key) - 1, arrays.CHUNK):
        part = key[lo : lo + arrays.CHUNK + 1]
        bucket = part >> shift
        spread = (bucket[1:] == bucket[:-1]) & ((part[1:] & doc_mask) != (part[:-1] & doc_mask))
        shared = bucket[:-1][spread]  # ascending, as the keys are
        if not len(shared):
            continue
        byte = (shared >> np.uint64(3)).astype(np.intp)
        bit = np.left_shift(np.uint8(1), (shared & np.uint64(7)).astype(np.uint8))
        first = np.flatnonzero(np.concatenate([[True], byte[1:] != byte[:-1]]))
        twice[byte[first]] |= np.bitwise_or.reduceat(bit, first)
    return twice


@dataclass(frozen=True, eq=False)
class UnitSets:
    """The units compared as near-duplicates and the distinct shingle hashes of each, flat.

    Unit ``n`` is unit ``unit[n]`` of document ``doc[n]``; its sorted
    distinct hashes are ``hashes[offsets[n]:offsets[n + 1]]``. No Python
    object per unit: a corpus has one per sentence.
    """

    doc: np.ndarray
    unit: np.ndarray
    hashes: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    def set(self, n: int) -> np.ndarray:
        return self.hashes[self.offsets[n] : self.offsets[n + 1]]

    def subset(self, keep: np.ndarray) -> "UnitSets":
        """Only the units where ``keep`` is True."""
        sizes = np.diff(self.offsets)
        mask = np.repeat(keep, sizes)
        offsets = np.concatenate([[0], np.cumsum(sizes[keep])]).astype(np.int64)
        return UnitSets(self.doc[keep], self.unit[keep], self.hashes[mask], offsets)


UNIT_CHUNK = 1 << 15
"""Shingles of the documents whose unit sets ``flat_unit_sets`` builds at once: numpy calls per chunk, not
per document, and owners that fit 16 bits."""


def flat_unit_sets(features: list[Features], k: int) -> UnitSets:
    """Every unit of weight ``k`` or more with its distinct shingles, sorted; documents taken a chunk at a time.

    A chunk's documents are laid end to end (tokens, weights, shingles) so
    one sort orders the shingles of all its units: a unit's shingles are a
    subset of its document's, so the output is bounded by them and the unused
    tail is never touched.
    """
    docs, units_kept, sizes_all = [], [], []
    hashes_all = np.empty(sum(len(f.shingles) for f in features), dtype=np.uint64)
    used = 0
    for chunk in batches_by_size(range(len(features)), [len(f.shingles) for f in features], UNIT_CHUNK):
        got = _chunk_unit_sets([features[d] for d in chunk], k)
        if got is None:
            continue
        doc, unit, hashes, sizes = got
        docs.append(np.asarray(chunk, dtype=np.int64)[doc])
        units_kept.append(unit)
        hashes_all[used : used + len(hashes)] = hashes
        used += len(hashes)
        sizes_all.append(sizes)
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return UnitSets(empty, empty, np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(sizes_all))]).astype(np.int64)
    return UnitSets(np.concatenate(docs), np.concatenate(units_kept), hashes_all[:used], offsets)


def _chunk_unit_sets(chunk: list[Features], k: int):
    """``(doc, unit, hashes, sizes)`` of one chunk's heavy units (``doc`` within the chunk), or None."""
    n_units = np.array([len(f.units) for f in chunk], dtype=np.int64)
    if not n_units.sum():
        return None
    n_tokens = np.array([len(f.cum) - 1 for f in chunk], dtype=np.int64)
    n_shingles = np.array([len(f.shingles) for f in chunk], dtype=np.int64)
    tok_off, cum_off, sh_off = (np.cumsum(x) - x for x in (n_tokens, n_tokens + 1, n_shingles))
    doc = np.repeat(np.arange(len(chunk)), n_units)
    units = np.concatenate([f.units for f in chunk]).reshape(-1, 2).astype(np.int64)
    unit = np.arange(len(units)) - np.repeat(np.cumsum(n_units) - n_units, n_units)
    cum = np.concatenate([f.cum for f in chunk]).astype(np.int64)
    heavy = (cum[cum_off[doc] + units[:, 1]] - cum[cum_off[doc] + units[:, 0]]) >= k
    doc, unit, units = doc[heavy], unit[heavy], units[heavy]
    if not len(doc):
        return None
    # laid end to end, shingle ends ascend across documents: a unit's search stays in its document
    ends = np.concatenate([f.shingle_end.astype(np.int64) + off for f, off in zip(chunk, tok_off.tolist())])
    lo = units[:, 0] + sh_off[doc]
    stop = np.maximum(lo, np.searchsorted(ends, units[:, 1] + tok_off[doc], side="right"))
    sizes = stop - lo
    owner = np.repeat(np.arange(len(doc)), sizes)
    pos = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(lo, sizes)
    hashes = np.concatenate([f.shingles for f in chunk])[pos]
    order = _by_owner_then_value(owner, hashes)
    owner, hashes = owner[order], hashes[order]
    keep = np.ones(len(hashes), dtype=bool)
    keep[1:] = (owner[1:] != owner[:-1]) | (hashes[1:] != hashes[:-1])
    owner, hashes = owner[keep], hashes[keep]
    return doc, unit, hashes, np.bincount(owner, minlength=len(doc))


def _by_owner_then_value(owner: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.lexsort((values, owner))`` up to the order of equal rows, several times faster.

    One np.sort of 64-bit keys packing the owner, the value's high bits and
    the row's index (far faster than an argsort); rows whose owner and high
    bits tie are put in value order after, so the order is exact. Owners
    and indices too wide to leave 24 bits of value fall back to two argsorts.
    """
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64)
    ib = max(1, (n - 1).bit_length())
    ob = max(1, int(owner.max()).bit_length())
    vb = 64 - ib - ob
    if vb < 24:
        by_value = np.argsort(values)
        return by_value[np.argsort(owner[by_value], kind="stable")]
    key = (owner.astype(np.uint64) << np.uint64(64 - ob)) | ((values >> np.uint64(64 - vb)) << np.uint64(ib))
    key |= np.arange(n, dtype=np.uint64)
    key.sort()
    order = (key & np.uint64((1 << ib) - 1)).astype(np.int64)
    head = key >> np.uint64(ib)
    tie = np.flatnonzero(head[1:] == head[:-1])
    if len(tie):  # the same owner and high bits: order those runs by the whole value
        arrays.resort_mixed_runs(values, order, head, tie[values[order[tie]] != values[order[tie + 1]]])
    return order


def unit_sets(features: list[Features], k: int) -> tuple[list[tuple[int, int]], list[np.ndarray], np.ndarray]:
    """``flat_unit_sets`` as ``(keys, sets, offsets)``: ``keys[n] = (doc, unit)``, ``sets[n]`` its hashes."""
    flat = flat_unit_sets(features, k)
    keys = list(zip(flat.doc.tolist(), flat.unit.tolist()))
    return keys, [flat.set(n) for n in range(len(flat))], flat.offsets


def drop_lone_short_runs(runs: np.ndarray, *, shortest: int, max_gap: int, window: int = 6,
                         cums: list[np.ndarray] | None = None) -> np.ndarray:
    """Runs that could still become a passage.

    A run shorter than ``shortest`` with no other run of its pair within
    ``max_gap`` on both sides cannot grow into a passage: it is a chance match
    of common words, the bulk of all seeds. Neighbours are looked for among
    the ``window`` runs before and after in reading order. Lengths count
    tokens, or weight when ``cums`` (per document, ``Features.cum``) is given.
    """
    if not len(runs):
        return runs
    return runs[_passable(*runs.T, shortest=shortest, max_gap=max_gap, window=window, cums=cums)]


def _passable(da: np.ndarray, db: np.ndarray, a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray,
              b_hi: np.ndarray, *, shortest: int, max_gap: int, window: int = 6,
              cums: list[np.ndarray] | None = None) -> np.ndarray:
    """``drop_lone_short_runs``'s choice for runs given as columns in reading order: True for those kept."""
    if cums is not None:
        flat = _Flat(cums)
        a_lo, a_hi, b_lo, b_hi = flat.at(da, a_lo), flat.at(da, a_hi), flat.at(db, b_lo), flat.at(db, b_hi)
    n = len(da)
    has_neighbour = np.zeros(n, dtype=bool)
    for step in range(1, min(window, n - 1) + 1):
        i, j = slice(0, n - step), slice(step, n)
        close = (
            (da[i] == da[j]) & (db[i] == db[j])
            & (a_lo[j] <= a_hi[i] + max_gap)
            & (b_lo[j] <= b_hi[i] + max_gap) & (b_hi[j] + max_gap >= b_lo[i])
        )
        has_neighbour[i] |= close
        has_neighbour[j] |= close
    long_enough = (a_hi - a_lo) >= shortest
    return long_enough | has_neighbour


def boxes(runs: np.ndarray, units: np.ndarray, features: list[Features],
          extra: np.ndarray | None = None) -> np.ndarray:
    """Every run and unit pair (and token box ``extra``, ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)``) as one row,
    sorted by pair then position.

    Columns: doc_a, doc_b, token box (a_lo, a_hi, b_lo, b_hi), the same box in
    weight, and 1 for a run (0 for a unit pair). Rows of one pair are
    contiguous, so pairs can be clustered and aligned in separate tasks.
    """
    uniform = all(f.uniform for f in features)  # token i is character i of weight 1: cum is the identity
    cums = None if uniform else _Flat([f.cum for f in features])

    def weight(doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        return pos if cums is None else cums.at(doc, pos)
    # every box as one row: doc_a, doc_b, token box (4), weight box (4), is a run
    rows = []
    if len(runs):
        da, db = runs[:, 0], runs[:, 1]
        w = np.stack([weight(da, runs[:, 2]), weight(da, runs[:, 3]), weight(db, runs[:, 4]), weight(db, runs[:, 5])],
                     axis=1)
        rows.append(np.concatenate([runs, w, np.ones((len(runs), 1), dtype=np.int64)], axis=1))
    if len(units):
        u = np.asarray(units, dtype=np.int64).reshape(-1, 4)
        spans = np.concatenate([f.units.reshape(-1, 2) for f in features]).astype(np.int64)
        first = np.concatenate([[0], np.cumsum([len(f.units) for f in features])])
        a, b = spans[first[u[:, 0]] + u[:, 1]], spans[first[u[:, 2]] + u[:, 3]]
        w = np.stack([weight(u[:, 0], a[:, 0]), weight(u[:, 0], a[:, 1]), weight(u[:, 2], b[:, 0]),
                      weight(u[:, 2], b[:, 1])], axis=1)
        rows.append(np.concatenate([u[:, [0, 2]], a[:, :1], a[:, 1:], b[:, :1], b[:, 1:], w,
                                    np.zeros((len(u), 1), dtype=np.int64)], axis=1))
    if extra is not None and len(extra):
        da, db = extra[:, 0], extra[:, 1]
        w = np.stack([weight(da, extra[:, 2]), weight(da, extra[:, 3]), weight(db, extra[:, 4]),
                      weight(db, extra[:, 5])], axis=1)
        rows.append(np.concatenate([extra, w, np.zeros((len(extra), 1), dtype=np.int64)], axis=1))
    if not rows:
        return np.zeros((0, 11), dtype=np.int64)
    box = np.concatenate(rows)
    return box[arrays.sort_order([box[:, 0], box[:, 1], box[:, 6], box[:, 8]])]  # by pair, then a_lo in weight


def pair_ranges(box: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` row ranges of each document pair in ``boxes()`` output."""
    if not len(box):
        return []
    new_pair = np.ones(len(box), dtype=bool)
    new_pair[1:] = (box[1:, 0] != box[:-1, 0]) | (box[1:, 1] != box[:-1, 1])
    starts = np.flatnonzero(new_pair)
    return list(zip(starts.tolist(), np.append(starts[1:], len(box)).tolist()))


UNIT_SHARE = 0.5
"""A near-duplicate unit pair counts for this share of its length in a region's weight (Jaccard >= 0.5)."""


def regions_of(box: np.ndarray, *, max_gap: int, min_weight: float = 0,
               label: np.ndarray | None = None) -> dict[tuple[int, int], list[Region]]:
    """Regions per pair from sorted box rows (all pairs, or any whole pairs of them).

    A region whose exact runs (and near-duplicate units, at ``UNIT_SHARE``
    of their length) weigh less than ``min_weight`` on side a is left out
    before any per-region work: it cannot become a passage that counts as
    copying, and its runs stay shared phrases. ``label``, when given, is
    each row's region as ``region_table`` numbered them (not clustered again).
    """
    if not len(box):
        return {}
    label = _region_labels(box, max_gap) if label is None else label
    if min_weight > 0:
        keep = _region_weights(box, label)[label] >= min_weight
        box, label = box[keep], label[keep]
        if not len(box):
            return {}
    # the rows of each cluster together: its runs first, in row order, then its unit pairs
    order = arrays.sort_order([label, 1 - box[:, 10]], stable=True)
    rows, label = box[order], label[order]
    starts = np.flatnonzero(np.concatenate([[True], label[1:] != label[:-1]]))
    lo = np.minimum.reduceat(rows[:, [2, 4]], starts, axis=0)
    hi = np.maximum.reduceat(rows[:, [3, 5]], starts, axis=0)
    run_ends = starts + np.add.reduceat(rows[:, 10], starts)
    pairs = rows[starts, :2]
    by_place = arrays.sort_order([pairs[:, 0], pairs[:, 1], lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]], stable=True)
    out: dict[tuple[int, int], list[Region]] = defaultdict(list)
    for pair, (a_lo, b_lo), (a_hi, b_hi), s, e in zip(pairs[by_place].tolist(), lo[by_place].tolist(),
                                                     hi[by_place].tolist(), starts[by_place].tolist(),
                                                     run_ends[by_place].tolist()):
        out[tuple(pair)].append(Region(a_lo, a_hi, b_lo, b_hi, rows[s:e, 2:6]))
    return dict(out)


def region_table(box: np.ndarray, *, max_gap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The regions ``regions_of`` makes of ``boxes()`` rows, as arrays: each row's region, and per region
    ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` (its token box) and its weight (what ``min_weight`` is held to)."""
    if not len(box):
        return np.zeros(0, dtype=np.int64), np.zeros((0, 6), dtype=np.int64), np.zeros(0)
    label = _region_labels(box, max_gap)
    first, lo, hi = arrays.spans_by_label(label, box[:, [2, 4]], box[:, [3, 5]])
    table = np.stack([box[first, 0], box[first, 1], lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1]], axis=1)
    return label, table, _region_weights(box, label)


def _region_labels(box: np.ndarray, max_gap: int) -> np.ndarray:
    """Each row's region (numbered from 0): its pair's boxes clustered within ``max_gap`` on both sides."""
    new_pair = np.ones(len(box), dtype=bool)
    new_pair[1:] = (box[1:, 0] != box[:-1, 0]) | (box[1:, 1] != box[:-1, 1])
    return cluster_labels(box[:, 6:10], np.cumsum(new_pair), max_gap)


def _region_weights(box: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Each region's exact runs on side a, with near-duplicate units at ``UNIT_SHARE`` of their length."""
    length = (box[:, 7] - box[:, 6]).astype(np.float64)
    return np.bincount(label, weights=np.where(box[:, 10] == 1, length, UNIT_SHARE * length))


def cluster_labels(boxes: np.ndarray, group: np.ndarray, gap: int) -> np.ndarray:
    """A cluster number for each of ``boxes`` (``(n, 4)``: a_lo, a_hi, b_lo, b_hi), within its ``group``.

    Boxes within ``gap`` of each other on both sides, in any order, belong
    together: each group is cut wherever the boxes, sorted on the a side,
    leave a gap wider than ``gap``, each part likewise on the b side, and so
    on until no cut is left. A cluster's boxes then cover its span on both
    sides without such a gap, and any two clusters are that far apart on one
    side at least, so reordered sentences stay together while separate
    passages do not. All in numpy: one sort per round, a few rounds.
    """
    n = len(boxes)
    label = np.asarray(group, dtype=np.int64)
    if not n:
        return label
    parts, still = -1, 0
    side = 0
    while still < 2:  # a round on each side without a cut
        lo, hi = boxes[:, 2 * side], boxes[:, 2 * side + 1]
        order = arrays.sort_order([label, lo], stable=True)
        sorted_label, lo, hi = label[order], lo[order], hi[order]
        new_part = np.ones(n, dtype=bool)
        new_part[1:] = sorted_label[1:] != sorted_label[:-1]
        reach = arrays.furthest_in_group(hi, new_part)
        cut = new_part
        cut[1:] |= lo[1:] > reach[:-1] + gap
        label = np.empty(n, dtype=np.int64)
        label[order] = np.cumsum(cut) - 1
        count = int(label.max()) + 1
        still = still + 1 if count == parts else 1
        parts, side = count, 1 - side
    return label
