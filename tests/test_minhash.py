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


def test_band_params_are_datasketchs_choice():
    """The numpy quadrature picks the banding MinHashLSH picks, and refuses where it refuses (fewer than two bands)."""
    import pytest
    from datasketch import MinHashLSH

    from reuse import minhash
    from reuse.errors import SettingError

    checked = refused = 0
    for num_perm in (8, 16, 32, 64, 100, 128, 256):
        for threshold in (0.01, 0.05, 0.1, 0.2, 0.3, 0.33, 0.4, 0.5, 0.6, 0.7, 0.72, 0.8, 0.87, 0.9, 0.95, 0.99):
            minhash.band_params.cache_clear()
            try:
                lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            except ValueError:
                with pytest.raises(SettingError, match="one band"):
                    minhash.band_params(threshold, num_perm)
                refused += 1
                continue
            assert minhash.band_params(threshold, num_perm) == (lsh.b, lsh.r)
            checked += 1
    assert checked > 90 and refused > 5


def test_permutations_are_datasketchs():
    from reuse.minhash import SCHEME, permutations

    for num_perm, seed in ((8, 1), (128, 1), (128, 7), (256, 12345)):
        a, b = permutations(num_perm, seed)
        want_a, want_b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        assert a.dtype == b.dtype == np.uint32
        assert np.array_equal(a, want_a) and np.array_equal(b, want_b)


def test_a_scan_does_not_import_scipy():
    """datasketch (and the scipy it imports) is left to a shared index: half a second of every command's start."""
    import subprocess
    import sys

    code = ("import sys; from reuse import pipeline; from reuse.minhash import band_params; band_params(0.5, 128); "
            "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
