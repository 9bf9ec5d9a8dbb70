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
    lengths = np.array([len(s) for s in shingles], dtype=np.int64)
    if lengths.sum() == 0:
        return np.zeros((0, 4), dtype=np.int64)
    h = np.concatenate(shingles)
    d = np.repeat(np.arange(len(shingles), dtype=np.int64), lengths)
    i = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths])
    order = np.lexsort((i, d, h))
    h, d, i = h[order], d[order], i[order]
    new_group = np.ones(len(h), dtype=bool)
    new_group[1:] = h[1:] != h[:-1]
    new_doc = new_group.copy()
    new_doc[1:] |= d[1:] != d[:-1]
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, len(h)))
    doc_freq = np.add.reduceat(new_doc.astype(np.int64), starts)
    ok = (doc_freq >= 2) & (doc_freq <= max_doc_freq) & (sizes <= max_group)
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
    order = np.lexsort((ia, diag, db, da))
    da, ia, db, ib, diag = da[order], ia[order], db[order], ib[order], diag[order]
    new = np.ones(len(da), dtype=bool)
    new[1:] = (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1]) | (ia[1:] != ia[:-1] + 1)
    starts = np.flatnonzero(new)
    lasts = np.append(starts[1:] - 1, len(da) - 1)
    runs = np.stack([da[starts], db[starts], ia[starts], ia[lasts] + k, ib[starts], ib[lasts] + k], axis=1)
    return runs[np.lexsort((runs[:, 4], runs[:, 2], runs[:, 1], runs[:, 0]))]


def unit_pairs(features: list[Features], *, k: int, threshold: float, num_perm: int, seed: int,
               storage: dict | None = None, max_bucket: int = 64) -> list[tuple[int, int, int, int]]:
    """Near-duplicate sentences/paragraphs across documents, via MinHash LSH.

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
    lsh = index.build_lsh(sigs, keys, threshold=threshold, num_perm=num_perm, seed=seed, storage=storage)
    position = {key: n for n, key in enumerate(keys)}
    candidates: set[tuple[int, int]] = set()
    for bucket in index.buckets(lsh, max_size=max_bucket):
        members = sorted(position[tuple(m)] for m in bucket)
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if keys[members[x]][0] != keys[members[y]][0]:
                    candidates.add((members[x], members[y]))
    verified = []
    for x, y in sorted(candidates):
        inter = len(np.intersect1d(sets[x], sets[y], assume_unique=True))
        if inter / (len(sets[x]) + len(sets[y]) - inter) >= threshold:
            verified.append((*keys[x], *keys[y]))
    return verified


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
