import numpy as np
from datasketch import MinHash

from reuse.minhash import build_lsh, buckets, signatures


def test_bulk_signatures_equal_datasketch_minhash():
    rng = np.random.default_rng(7)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint32) for n in (1, 3, 100, 70_000)]
    offsets = np.cumsum([0] + [len(s) for s in sets])
    sigs = signatures(np.concatenate(sets), offsets, num_perm=32, seed=5)
    for values, row in zip(sets, sigs):
        m = MinHash(num_perm=32, seed=5, scheme="affine32", hashfunc=lambda x: x)
        m.update_batch(values.tolist())
        assert np.array_equal(m.hashvalues, row)


def test_bulk_signatures_of_many_small_sets_across_chunks():
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 40, size=3000)
    flat = rng.integers(0, 2**32, size=int(sizes.sum()), dtype=np.uint32)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    sigs = signatures(flat, offsets, num_perm=16, seed=2)
    assert sigs.shape == (3000, 16)
    for n in range(0, 3000, 97):
        m = MinHash(num_perm=16, seed=2, scheme="affine32", hashfunc=lambda x: x)
        m.update_batch(flat[offsets[n]:offsets[n + 1]].tolist())
        assert np.array_equal(m.hashvalues, sigs[n])


def test_lsh_buckets_pair_near_duplicates_only():
    base = np.arange(200, dtype=np.uint32)
    near = np.concatenate([base[:190], np.arange(1000, 1010, dtype=np.uint32)])
    other = np.arange(5000, 5200, dtype=np.uint32)
    sets = [base, near, other]
    sigs = signatures(np.concatenate(sets), np.cumsum([0] + [len(s) for s in sets]), num_perm=64, seed=1)
    lsh = build_lsh(sigs, ["base", "near", "other"], threshold=0.5, num_perm=64, seed=1)
    pairs = {tuple(sorted(b)) for b in buckets(lsh, max_size=10)}
    assert ("base", "near") in pairs
    assert not any("other" in p for p in pairs)
