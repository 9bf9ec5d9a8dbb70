import numpy as np
from datasketch import MinHash

from reuse.index import build_lsh, buckets, signatures


def test_bulk_signatures_equal_datasketch_minhash():
    rng = np.random.default_rng(7)
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint32) for n in (1, 3, 100, 70_000)]
    offsets = np.cumsum([0] + [len(s) for s in sets])
    sigs = signatures(np.concatenate(sets), offsets, num_perm=32, seed=5)
    for values, row in zip(sets, sigs):
        m = MinHash(num_perm=32, seed=5, scheme="affine32", hashfunc=lambda x: x)
        m.update_batch(values.tolist())
        assert np.array_equal(m.hashvalues, row)


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


from hypothesis import given, settings as hsettings, strategies as st

from reuse.index import ValueSet, contains, doc_counts, frequent_values, occurrences

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
