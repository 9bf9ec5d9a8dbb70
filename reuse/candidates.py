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

from reuse import index
from reuse.features import Features


@dataclass
class Region:
    """A box of tokens ``[a_lo, a_hi) x [b_lo, b_hi)`` that may be shared text.

    ``runs`` are the exact matches inside it, as ``(a_lo, a_hi, b_lo, b_hi)``
    token ranges; a unit pair contributes a box but no run.
    """

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    runs: list[tuple[int, int, int, int]] = field(default_factory=list)

    def absorb(self, other: "Region") -> None:
        self.a_lo, self.a_hi = min(self.a_lo, other.a_lo), max(self.a_hi, other.a_hi)
        self.b_lo, self.b_hi = min(self.b_lo, other.b_lo), max(self.b_hi, other.b_hi)
        self.runs.extend(other.runs)

    def near(self, other: "Region", gap: int) -> bool:
        return (
            other.a_lo <= self.a_hi + gap
            and other.a_hi + gap >= self.a_lo
            and other.b_lo <= self.b_hi + gap
            and other.b_hi + gap >= self.b_lo
        )


def seed_matches(shingles: list[np.ndarray], *, max_doc_freq: int, max_group: int = 256) -> np.ndarray:
    """Every pair of equal shingles in two different documents.

    Returns an ``(n, 4)`` int64 array of ``(doc_a, shingle_a, doc_b, shingle_b)``
    with ``doc_a < doc_b``. Shingles found in more than ``max_doc_freq``
    documents, or more than ``max_group`` times in all, are skipped: they are
    formulas every document carries, not evidence of a pair.
    """
    # 1. which hashes occur in 2..max_doc_freq documents (one sort of the
    #    per-document distinct hashes); most shingles occur once and drop out here
    distinct = [np.unique(s) for s in shingles]
    if not distinct or sum(len(u) for u in distinct) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    every = np.sort(np.concatenate(distinct))
    starts = np.flatnonzero(np.concatenate([[True], every[1:] != every[:-1]]))
    doc_freq = np.diff(np.append(starts, len(every)))
    shared = every[starts[(doc_freq >= 2) & (doc_freq <= max_doc_freq)]]
    if not len(shared):
        return np.zeros((0, 4), dtype=np.int64)
    # 2. every occurrence of those hashes, in (document, position) order
    hs, ds, is_ = [], [], []
    for d, s in enumerate(shingles):
        at = np.minimum(np.searchsorted(shared, s), len(shared) - 1)
        pos = np.flatnonzero(shared[at] == s)
        hs.append(s[pos])
        ds.append(np.full(len(pos), d, dtype=np.int64))
        is_.append(pos.astype(np.int64))
    h, d, i = np.concatenate(hs), np.concatenate(ds), np.concatenate(is_)
    order = np.argsort(h, kind="stable")  # stable: (document, position) order within a hash
    h, d, i = h[order], d[order], i[order]
    new_group = np.ones(len(h), dtype=bool)
    new_group[1:] = h[1:] != h[:-1]
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, len(h)))
    ok = (sizes >= 2) & (sizes <= max_group)
    out = []
    for size in np.unique(sizes[ok]).tolist():
        group_starts = starts[ok & (sizes == size)]
        p, q = np.triu_indices(size, 1)
        left = (group_starts[:, None] + p[None, :]).ravel()
        right = (group_starts[:, None] + q[None, :]).ravel()
        cross = d[left] != d[right]  # sorted by doc, so d[left] < d[right]
        left, right = left[cross], right[cross]
        out.append(np.stack([d[left], i[left], d[right], i[right]], axis=1))
    if not out:
        return np.zeros((0, 4), dtype=np.int64)
    return np.concatenate(out)


def diagonal_runs(seeds: np.ndarray, k: int) -> np.ndarray:
    """Consecutive seeds on one diagonal, merged into maximal exact runs.

    Returns ``(n, 6)``: ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` in tokens,
    sorted by documents then ``a_lo``.
    """
    if not len(seeds):
        return np.zeros((0, 6), dtype=np.int64)
    da, ia, db, ib = seeds.T
    diag = ib - ia
    order = _run_order(da, db, diag, ia)
    da, ia, db, ib, diag = da[order], ia[order], db[order], ib[order], diag[order]
    new = np.ones(len(da), dtype=bool)
    new[1:] = (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1]) | (ia[1:] != ia[:-1] + 1)
    starts = np.flatnonzero(new)
    lasts = np.append(starts[1:] - 1, len(da) - 1)
    runs = np.stack([da[starts], db[starts], ia[starts], ia[lasts] + k, ib[starts], ib[lasts] + k], axis=1)
    return runs[np.lexsort((runs[:, 4], runs[:, 2], runs[:, 1], runs[:, 0]))]


def _run_order(da: np.ndarray, db: np.ndarray, diag: np.ndarray, ia: np.ndarray) -> np.ndarray:
    """Order of seeds by (pair, diagonal, position): one sort of packed keys when they fit in 63 bits."""
    _, pair = np.unique(da * (int(db.max()) + 1) + db, return_inverse=True)
    low = int(diag.min())
    diag_bits = max(1, int(diag.max() - low).bit_length())
    pos_bits = max(1, int(ia.max()).bit_length())
    pair_bits = max(1, int(pair.max()).bit_length())
    if pair_bits + diag_bits + pos_bits > 63:
        return np.lexsort((ia, diag, db, da))
    key = (pair.astype(np.int64) << (diag_bits + pos_bits)) | ((diag - low) << pos_bits) | ia
    return np.argsort(key)


def unit_pairs(features: list[Features], *, k: int, threshold: float, num_perm: int, seed: int,
               storage: dict | None = None, max_bucket: int = 64) -> list[tuple[int, int, int, int]]:
    """Near-duplicate sentences across documents, via MinHash LSH.

    Returns ``(doc_a, unit_a, doc_b, unit_b)`` with ``doc_a < doc_b``, each
    verified by the exact Jaccard similarity of the two shingle sets.
    """
    keys, sets = [], []
    for d, feat in enumerate(features):
        for u, (lo, hi) in enumerate(feat.units.tolist()):
            if hi - lo >= k:
                keys.append((d, u))
                sets.append(np.unique(feat.shingles[lo : hi - k + 1]))
    if len(keys) < 2:
        return []
    offsets = np.cumsum([0] + [len(s) for s in sets])
    sigs = index.signatures(
        np.concatenate(sets).astype(np.uint32), offsets, num_perm=num_perm, seed=seed
    )  # astype keeps the low 32 bits of each 64-bit shingle hash
    if storage is None:
        doc_of = np.array([d for d, _ in keys], dtype=np.int64)
        pairs = index.colliding_pairs(sigs, doc_of, threshold=threshold, max_bucket=max_bucket)
    else:  # a shared index (e.g. Redis) goes through datasketch's own MinHashLSH
        lsh = index.build_lsh(sigs, keys, threshold=threshold, num_perm=num_perm, seed=seed, storage=storage)
        position = {key: n for n, key in enumerate(keys)}
        found: set[tuple[int, int]] = set()
        for bucket in index.buckets(lsh, max_size=max_bucket):
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
    verified = []
    for x, y in pairs.tolist():
        inter = len(np.intersect1d(sets[x], sets[y], assume_unique=True))
        if inter / (len(sets[x]) + len(sets[y]) - inter) >= threshold:
            verified.append((*keys[x], *keys[y]))
    return verified


def drop_lone_short_runs(runs: np.ndarray, *, shortest: int, max_gap: int, window: int = 6) -> np.ndarray:
    """Runs that could still become a passage.

    A run shorter than ``shortest`` tokens with no other run of its pair
    within ``max_gap`` tokens on both sides cannot grow into a passage: it is
    a chance match of common words, the bulk of all seeds. Neighbours are
    looked for among the ``window`` runs before and after in reading order.
    """
    if not len(runs):
        return runs
    da, db, a_lo, a_hi, b_lo, b_hi = runs.T
    has_neighbour = np.zeros(len(runs), dtype=bool)
    for step in range(1, min(window, len(runs) - 1) + 1):
        i, j = slice(0, len(runs) - step), slice(step, len(runs))
        close = (
            (da[i] == da[j]) & (db[i] == db[j])
            & (a_lo[j] <= a_hi[i] + max_gap)
            & (b_lo[j] <= b_hi[i] + max_gap) & (b_hi[j] + max_gap >= b_lo[i])
        )
        has_neighbour[i] |= close
        has_neighbour[j] |= close
    long_enough = (a_hi - a_lo) >= shortest
    return runs[long_enough | has_neighbour]


def regions(runs: np.ndarray, units: list[tuple[int, int, int, int]], features: list[Features], *,
            max_gap: int) -> dict[tuple[int, int], list[Region]]:
    """Cluster runs and unit pairs into regions, per document pair."""
    boxes: dict[tuple[int, int], list[Region]] = defaultdict(list)
    for da, db, a_lo, a_hi, b_lo, b_hi in runs.tolist():
        boxes[(da, db)].append(Region(a_lo, a_hi, b_lo, b_hi, [(a_lo, a_hi, b_lo, b_hi)]))
    for da, ua, db, ub in units:
        (a_lo, a_hi), (b_lo, b_hi) = features[da].units[ua].tolist(), features[db].units[ub].tolist()
        boxes[(da, db)].append(Region(a_lo, a_hi, b_lo, b_hi))
    return {pair: _cluster(items, max_gap) for pair, items in sorted(boxes.items())}


def _cluster(items: list[Region], gap: int) -> list[Region]:
    items.sort(key=lambda r: (r.a_lo, r.b_lo, r.a_hi, r.b_hi))
    clusters: list[Region] = []
    active: list[Region] = []
    for item in items:
        active = [c for c in active if c.a_hi + gap >= item.a_lo]
        for c in active:
            if c.near(item, gap):
                c.absorb(item)
                break
        else:
            fresh = Region(item.a_lo, item.a_hi, item.b_lo, item.b_hi, list(item.runs))
            clusters.append(fresh)
            active.append(fresh)
    # growing boxes can come to touch each other: merge until stable
    merged = True
    while merged:
        merged = False
        clusters.sort(key=lambda r: (r.a_lo, r.b_lo))
        out: list[Region] = []
        for c in clusters:
            for o in out:
                if o.near(c, gap):
                    o.absorb(c)
                    merged = True
                    break
            else:
                out.append(c)
        clusters = out
    return clusters
