"""Stage 5: MinHash signatures of units, in bulk, and a MinHashLSH over them.

Signatures are bit-for-bit the ones datasketch computes for
``MinHash(num_perm, seed, scheme="affine32", hashfunc=<our 32-bit shingle
hash>)``; they are just computed for thousands of units at once with numpy,
and handed to datasketch as ``LeanMinHash`` values for the LSH index.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SCHEME = "affine32"
_CHUNK_ROWS = 1 << 16


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
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def signatures(hashes: np.ndarray, offsets: np.ndarray, *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures of many sets at once.

    Args:
        hashes: uint32 hash values of all sets, concatenated.
        offsets: set ``i`` is ``hashes[offsets[i]:offsets[i+1]]``; every set
            must be non-empty.
    Returns:
        ``(len(offsets) - 1, num_perm)`` uint32 array of hash values.
    """
    a, b = permutations(num_perm, seed)
    n_sets = len(offsets) - 1
    out = np.empty((n_sets, num_perm), dtype=np.uint32)
    mixed = fmix32(hashes)
    first = 0
    while first < n_sets:
        # as many whole sets as fit in one chunk of rows (at least one)
        limit = offsets[first] + _CHUNK_ROWS
        last = max(first + 1, int(np.searchsorted(offsets, limit, side="right")) - 1)
        last = min(last, n_sets)
        lo, hi = offsets[first], offsets[last]
        with np.errstate(over="ignore"):
            permuted = mixed[lo:hi, None] * a[None, :] + b[None, :]
        out[first:last] = np.minimum.reduceat(permuted, offsets[first:last] - lo, axis=0)
        first = last
    return out


def lean_minhash(values: np.ndarray, *, seed: int) -> LeanMinHash:
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
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, storage_config=storage)
    with lsh.insertion_session() as session:
        for key, values in zip(keys, sigs):
            session.insert(key, lean_minhash(values, seed=seed), check_duplication=False)
    return lsh


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
