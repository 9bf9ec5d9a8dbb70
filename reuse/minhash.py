"""Stage 5: MinHash signatures of units, in bulk, and a MinHashLSH over them.

Signatures are bit-for-bit the ones datasketch computes for
``MinHash(num_perm, seed, scheme="affine32", hashfunc=<our 32-bit shingle
hash>)``; they are just computed for thousands of units at once with numpy,
and handed to datasketch as ``LeanMinHash`` values for the LSH index.

datasketch itself is imported only for a shared index (``build_lsh``) or a
banding too close to call (``band_params``): it imports scipy, which took
half a second of every command's start, for an integral numpy does as well.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from reuse.arrays import group_equal, group_pairs
from reuse.errors import SettingError
from reuse.shingle import fmix64

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHashLSH

SCHEME = "affine32"
_CHUNK_SHINGLES = 16_384
"""Shingles permuted at a time: a few MB of work space that the cache still holds."""


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before permuting."""
    h = h.astype(np.uint32, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` permutation parameters datasketch draws for this seed."""
    # datasketch 2's affine32 draw (MinHash._init_permutations): odd multipliers, then offsets
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures(hashes: np.ndarray, offsets: np.ndarray, *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures of many sets at once.

    Args:
        hashes: uint32 hash values of all sets, concatenated.
        offsets: set ``i`` is ``hashes[offsets[i]:offsets[i+1]]``; every set
            must be non-empty.
    Returns:
        ``(len(offsets) - 1, num_perm)`` uint32 array of hash values, column
        major (each permutation's values together, as band keys read them).
    """
    a, b = permutations(num_perm, seed)
    n_sets = len(offsets) - 1
    out = np.empty((num_perm, n_sets), dtype=np.uint32)
    mixed = fmix32(hashes)
    # a chunk of sets at a time, one row per permutation: each set's values
    # lie side by side, so every minimum reduces a contiguous stretch (on
    # rows of num_perm values, one set's minima took a call per shingle)
    buf = np.empty((num_perm, _CHUNK_SHINGLES), dtype=np.uint32)
    first = 0
    while first < n_sets:
        # as many whole sets as fit in one chunk (at least one)
        limit = offsets[first] + _CHUNK_SHINGLES
        last = min(n_sets, max(first + 1, int(np.searchsorted(offsets, limit, side="right")) - 1))
        lo, hi = offsets[first], offsets[last]
        if hi - lo > buf.shape[1]:
            buf = np.empty((num_perm, hi - lo), dtype=np.uint32)
        view = buf[:, : hi - lo]
        np.multiply(a[:, None], mixed[None, lo:hi], out=view)
        np.add(view, b[:, None], out=view)
        out[:, first:last] = np.minimum.reduceat(view, offsets[first:last] - lo, axis=1)
        first = last
    return out.T


def lean_minhash(values: np.ndarray, *, seed: int) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)


def build_lsh(
    sigs: np.ndarray,
    keys: Sequence[Hashable],
    *,
    threshold: float,
    num_perm: int,
    seed: int,
    storage: dict | None = None,
) -> MinHashLSH:
    """A datasketch MinHashLSH holding ``sigs`` under ``keys``.

    ``storage`` is passed through as datasketch's ``storage_config`` (a dict by
    default; Redis for a shared index).
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, storage_config=storage)
    with lsh.insertion_session() as session:
        for key, values in zip(keys, sigs):
            session.insert(key, lean_minhash(values, seed=seed), check_duplication=False)
    return lsh


@lru_cache(maxsize=64)
def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's choice of (bands, rows) for this threshold and num_perm.

    The (bands, rows) that minimise the mean of the false positive and false
    negative probabilities, as ``MinHashLSH`` chooses them, with the two
    integrals taken by Gauss-Legendre quadrature in numpy rather than by
    scipy. Where the best two choices are too close for that to decide,
    datasketch decides.
    """
    choices = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    errors = dict(zip(choices, _errors(threshold, np.array(choices, dtype=np.float64)).tolist()))
    ranked = sorted(errors, key=errors.__getitem__)
    best = ranked[0]
    if len(ranked) > 1 and errors[ranked[1]] - errors[best] <= CLOSE_CALL * max(errors[best], 1e-300):
        best = _datasketch_choice(threshold, num_perm)
    if best[0] < 2:  # as datasketch refuses it: one band of nearly every row finds next to nothing
        raise SettingError(f"threshold {threshold:g} with num_perm {num_perm} leaves the near-duplicate index one "
                           "band; lower the threshold or raise num_perm")
    return best


def _datasketch_choice(threshold: float, num_perm: int) -> tuple[int, int]:
    from datasketch import MinHashLSH

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    except ValueError:  # it refuses fewer than two bands
        return 1, num_perm
    return lsh.b, lsh.r


CLOSE_CALL = 1e-9
"""Relative difference of two choices' errors below which quadrature does not decide between them."""


@lru_cache(maxsize=1)
def _nodes() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(200)


def _errors(threshold: float, choices: np.ndarray) -> np.ndarray:
    """Half the false positive plus half the false negative probability of each ``(bands, rows)`` row of
    ``choices``, all at once (one at a time, the few hundred choices of 128 permutations took 50 ms of
    every scan's start)."""
    x, w = _nodes()
    b, r = choices[:, :1], choices[:, 1:]

    def integral(f, lo: float, hi: float) -> np.ndarray:
        s = (hi - lo) / 2 * x + (hi + lo) / 2
        return (hi - lo) / 2 * (f(s[None, :]) @ w)

    false_positive = integral(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)
    false_negative = integral(lambda s: 1 - (1 - (1 - s**r) ** b), threshold, 1.0)
    return 0.5 * false_positive + 0.5 * false_negative


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(n, bands)`` uint64 key of each band of each signature.

    Equal bands give equal keys; unequal bands collide with probability
    about 2^-64, so a key stands for the band as datasketch's bucket does.
    """
    out = np.zeros((len(sigs), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(rows):
            column = sigs[:, j : bands * rows : rows].astype(np.uint64)
            out = out * np.uint64(0x100000001B3) + column
    return fmix64(out)


def colliding_pairs(sigs: np.ndarray, group: np.ndarray, *, threshold: float, max_bucket: int) -> np.ndarray:
    """Pairs of signatures sharing an LSH bucket, in bulk.

    The same banding as ``MinHashLSH(threshold, num_perm)``, but every bucket
    of every band is found by one sort of the band keys instead of one insert
    per set. Only pairs from different ``group`` values (documents) are kept,
    and a bucket holding more than ``max_bucket`` sets is skipped: that many
    near-identical units are boilerplate, found by template detection, not a
    thousand pairs to align.

    Returns:
        ``(n, 2)`` int64 array of signature indices ``x < y``, sorted, unique.
    """
    n, num_perm = sigs.shape
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bands, rows = band_params(threshold, num_perm)
    # one value per (band, bucket): equal only when band and band key are equal
    salt = fmix64(np.arange(1, bands + 1, dtype=np.uint64))
    buckets = (band_keys(sigs, bands, rows) ^ salt[None, :]).ravel()  # row-major: index = member * bands + band
    order, starts, sizes = group_equal(buckets, overwrite=True)
    del buckets
    member = order // bands
    left, right = group_pairs(starts, sizes, max_size=max_bucket)
    x, y = member[left], member[right]
    cross = group[x] != group[y]
    if not cross.any():
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.stack([x[cross], y[cross]], axis=1)
    # unique rows through one 1-D sort of packed codes (np.unique on rows is much slower)
    codes = np.unique(pairs[:, 0] * np.int64(n) + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1)


def buckets(lsh: MinHashLSH, *, max_size: int) -> Iterator[list[Hashable]]:
    """Every LSH bucket holding 2 to ``max_size`` keys.

    A bucket shared by more keys than that is boilerplate, not a thousand
    pairs of near-duplicates; it is left to template detection.
    """
    for table in lsh.hashtables:
        for band_key in table.keys():
            members = table.get(band_key)
            if 2 <= len(members) <= max_size:
                yield list(members)
