import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from reuse.candidates import cluster_labels, diagonal_runs, seed_matches


def test_seed_matches_pairs_equal_shingles_across_documents_only():
    docs = [np.array([1, 2, 3], dtype=np.uint64), np.array([9, 2, 3, 2], dtype=np.uint64)]
    got = sorted(map(tuple, seed_matches(docs, max_doc_freq=10).tolist()))
    assert got == [(0, 1, 1, 1), (0, 1, 1, 3), (0, 2, 1, 2)]


def test_seed_matches_skip_shingles_in_too_many_documents():
    docs = [np.array([7, 8], dtype=np.uint64) for _ in range(4)]
    assert len(seed_matches(docs, max_doc_freq=3)) == 0
    assert len(seed_matches(docs, max_doc_freq=4)) == 2 * 6


def test_diagonal_runs_merge_consecutive_seeds():
    seeds = np.array([[0, 5, 1, 10], [0, 6, 1, 11], [0, 7, 1, 12], [0, 20, 1, 3]])
    runs = diagonal_runs(seeds, k=4).tolist()
    assert runs == [[0, 1, 5, 11, 10, 16], [0, 1, 20, 24, 3, 7]]


def test_cluster_bridges_small_gaps_and_reordering_but_not_distance():
    boxes = np.array([
        (0, 10, 100, 110),
        (14, 30, 114, 130),  # after a 4-token edit
        (30, 40, 90, 100),  # a sentence moved up in b
        (200, 220, 500, 520),  # far away: another passage
        (35, 45, 400, 410),  # near on a only: another passage
    ])
    label = cluster_labels(boxes, np.zeros(len(boxes), dtype=np.int64), 8).tolist()
    assert label[0] == label[1] == label[2]
    assert len({label[0], label[3], label[4]}) == 3


def test_diagonal_runs_end_where_their_last_shingle_ends():
    # token weights [2, 2, 2] and [1, 2, 2, 2]: shingles of two words, or a character and two words
    sizes = [np.array([2, 2], dtype=np.uint8), np.array([3, 2, 2], dtype=np.uint8)]
    seeds = np.array([[0, 0, 1, 1], [0, 1, 1, 2]])
    assert diagonal_runs(seeds, 4, shingle_len=sizes).tolist() == [[0, 1, 0, 3, 1, 4]]


def test_lone_short_runs_are_measured_in_weight():
    from reuse.candidates import drop_lone_short_runs

    runs = np.array([[0, 1, 0, 3, 0, 3]])  # three tokens
    cums = [np.array([0, 2, 4, 6]), np.array([0, 2, 4, 6])]  # three words: weight 6
    assert len(drop_lone_short_runs(runs, shortest=6, max_gap=8)) == 0
    assert len(drop_lone_short_runs(runs, shortest=6, max_gap=8, cums=cums)) == 1


def test_unit_sets_are_the_distinct_shingles_inside_each_unit():
    from reuse.candidates import unit_sets
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.model import Document
    from reuse import segment

    text = "党的建设是伟大工程。党的建设是伟大工程，党的建设！Words of English are here and here again."
    paras = segment.paragraphs(text)
    doc = Document("x", "x", text, "utf-8", len(text), tuple(paras), tuple(segment.sentences(text, paras)))
    feat = extract(doc, Settings(min_length=4))
    keys, sets, offsets = unit_sets([feat], 4)
    assert [u for _, u in keys] == list(range(len(feat.units)))
    for (_, u), got in zip(keys, sets):
        lo, hi = feat.units[u].tolist()
        want = {h for i, h in enumerate(feat.shingles.tolist()) if i >= lo and feat.shingle_end[i] <= hi}
        assert got.tolist() == sorted(want)
    assert offsets[-1] == sum(len(s) for s in sets)


def test_seed_matches_keep_hashes_apart_that_share_their_high_bits():
    # with 4 occurrences the sort packs 2 index bits into the hash: these differ only there
    h1, h2 = np.uint64(4 * 12345 + 1), np.uint64(4 * 12345 + 2)
    docs = [np.array([h1, h2], dtype=np.uint64), np.array([h2, h1], dtype=np.uint64)]
    got = sorted(map(tuple, seed_matches(docs, max_doc_freq=10).tolist()))
    assert got == [(0, 0, 1, 1), (0, 1, 1, 0)]


from hypothesis import given, settings as hsettings, strategies as st


@hsettings(max_examples=200, deadline=None)
@given(
    docs=st.lists(st.lists(st.integers(0, 6), max_size=30), min_size=1, max_size=6),
    max_doc_freq=st.integers(2, 6),
    max_group=st.integers(2, 12),
    weighted=st.booleans(),
)
def test_exact_runs_are_the_runs_of_all_seeds(docs, max_doc_freq, max_group, weighted):
    # few distinct values: many repeats, runs that touch, shingles too common to seed
    from reuse.candidates import exact_runs

    shingles = [np.array(d, dtype=np.uint64) for d in docs]
    lens = [np.array([(v % 3) + 1 for v in d], dtype=np.uint8) for d in docs] if weighted else None
    seeds = seed_matches(shingles, max_doc_freq=max_doc_freq, max_group=max_group)
    want = diagonal_runs(seeds, 4, shingle_len=lens)
    got = exact_runs(shingles, 4, lens, max_doc_freq=max_doc_freq, max_group=max_group)
    assert got.tolist() == want.tolist()


@hsettings(max_examples=200, deadline=None)
@given(
    docs=st.lists(st.lists(st.integers(0, 6), max_size=30), min_size=1, max_size=6),
    max_doc_freq=st.integers(2, 6),
    shortest=st.integers(1, 8),
    max_gap=st.integers(0, 6),
    weighted=st.booleans(),
)
def test_passable_runs_are_the_exact_runs_lone_short_ones_dropped(docs, max_doc_freq, shortest, max_gap, weighted):
    from reuse.candidates import drop_lone_short_runs, exact_runs, passable_runs

    shingles = [np.array(d, dtype=np.uint64) for d in docs]
    lens = [np.array([(v % 3) + 1 for v in d], dtype=np.uint8) for d in docs] if weighted else None
    cums = [np.arange(len(d) + 5, dtype=np.int32) * 2 for d in docs] if weighted else None
    want_df, got_df = [], []
    want = drop_lone_short_runs(exact_runs(shingles, 4, lens, max_doc_freq=max_doc_freq, doc_freq=want_df),
                                shortest=shortest, max_gap=max_gap, cums=cums)
    got = passable_runs(shingles, 4, lens, max_doc_freq=max_doc_freq, shortest=shortest, max_gap=max_gap, cums=cums,
                        doc_freq=got_df)
    assert got.shape == want.shape and got.tolist() == want.tolist()
    assert [a.tolist() for a in got_df] == [a.tolist() for a in want_df]


@hsettings(max_examples=200, deadline=None)
@given(
    raw=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30), st.integers(0, 200), st.integers(1, 30)),
                 min_size=1, max_size=25),
    gap=st.integers(0, 15),
)
def test_clusters_are_gap_free_on_both_sides_and_apart_on_one(raw, gap):
    from reuse.candidates import cluster_labels

    boxes = np.array([(a, a + la, b, b + lb) for a, la, b, lb in raw], dtype=np.int64)
    label = cluster_labels(boxes, np.zeros(len(boxes), dtype=np.int64), gap).tolist()
    clusters = [boxes[[i for i, c in enumerate(label) if c == n]] for n in sorted(set(label))]

    def gap_free(spans):
        reach = None
        for lo, hi in sorted(spans.tolist()):
            if reach is not None and lo > reach + gap:
                return False
            reach = hi if reach is None else max(reach, hi)
        return True

    for c in clusters:
        assert gap_free(c[:, 0:2]) and gap_free(c[:, 2:4])
    hulls = [(c[:, 0].min(), c[:, 1].max(), c[:, 2].min(), c[:, 3].max()) for c in clusters]
    for i, x in enumerate(hulls):
        for y in hulls[i + 1 :]:
            apart_a = y[0] > x[1] + gap or x[0] > y[1] + gap
            apart_b = y[2] > x[3] + gap or x[2] > y[3] + gap
            assert apart_a or apart_b


@hsettings(max_examples=200, deadline=None)
@given(
    units=st.lists(st.tuples(st.integers(0, 4), st.sets(st.integers(0, 40), min_size=1, max_size=12)),
                   min_size=1, max_size=12),
    threshold=st.sampled_from([0.3, 0.5, 0.8]),
)
def test_pairable_keeps_every_unit_that_has_a_near_duplicate_elsewhere(units, threshold):
    from reuse.candidates import UnitSets, _pairable

    units = sorted(units, key=lambda u: u[0])  # units come document by document
    flat = UnitSets(np.array([d for d, _ in units]), np.arange(len(units)),
                    np.array([h for _, s in units for h in sorted(s)], dtype=np.uint64),
                    np.cumsum([0] + [len(s) for _, s in units]))
    keep = _pairable(flat, threshold).tolist()
    for (doc, s), kept in zip(units, keep):
        others = set().union(*[t for d, t in units if d != doc])
        # small hashes fall in buckets of their own: the filter is exact here
        assert kept == (len(s & others) >= threshold * len(s))
        partners = [t for d, t in units if d != doc and len(s & t) / len(s | t) >= threshold]
        assert kept or not partners


@hsettings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=300), shift=st.integers(0, 60))
def test_group_equal_groups_like_a_stable_argsort(values, shift):
    # small values (and values that differ only in low bits once shifted) share the sort's high bits
    from reuse.arrays import group_equal

    arr = np.array([(v << shift) % 2**64 if v <= 40 else v for v in values], dtype=np.uint64)
    order, starts, sizes = group_equal(arr)
    want = np.argsort(arr, kind="stable")
    assert order.tolist() == want.tolist()
    own = arr.copy()  # sorted where it lies: the same groups
    assert [a.tolist() for a in group_equal(own, overwrite=True)] == [order.tolist(), starts.tolist(), sizes.tolist()]
    distinct = np.unique(arr)
    assert len(starts) == len(distinct) and sizes.sum() == len(arr)
    assert [arr[order[s]] for s in starts.tolist()] == distinct.tolist()
    assert all(len(set(arr[order[s:s + z]].tolist())) == 1 for s, z in zip(starts.tolist(), sizes.tolist()))


def test_runs_are_ordered_alike_from_int32_and_int64_seeds():
    # grouping hands out int32 arrays; (pair, diagonal, position) keys need 64 bits
    from reuse.candidates import _by_run

    rng = np.random.default_rng(3)
    da = rng.integers(0, 3, 200)
    db = da + 1
    ia, ib = rng.integers(0, 1 << 20, 200), rng.integers(0, 1 << 20, 200)
    want = [x.tolist() for x in _by_run(da, ia, db, ib)]
    got = [x.tolist() for x in _by_run(*(x.astype(np.int32) for x in (da, ia, db, ib)))]
    assert got == want


_PIECES = ["党的建设是伟大工程。", "全面从严治党，", "Words of English are here ", "and here again. ", "２０２０年", "、", "\n", " "]


@hsettings(max_examples=150, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1, max_size=6),
       chunk=st.sampled_from([1, 5, 40, 1 << 15]), k=st.sampled_from([1, 2, 4]))
def test_flat_unit_sets_in_chunks_are_each_units_distinct_shingles(texts, chunk, k):
    from reuse import candidates
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.ingest import document

    feats = [extract(document(t, f"d{n}.txt"), Settings(min_length=2, shingle=k)) for n, t in enumerate(texts)
             if t.strip()]
    want = []
    for d, feat in enumerate(feats):
        for u, (lo, hi) in enumerate(feat.units.tolist()):
            if feat.cum[hi] - feat.cum[lo] >= k:
                shingles = {h for i, h in enumerate(feat.shingles.tolist()) if i >= lo and feat.shingle_end[i] <= hi}
                want.append((d, u, sorted(shingles)))
    saved, candidates.UNIT_CHUNK = candidates.UNIT_CHUNK, chunk
    try:
        got = candidates.flat_unit_sets(feats, k)
    finally:
        candidates.UNIT_CHUNK = saved
    assert [(d, u, got.set(n).tolist()) for n, (d, u) in enumerate(zip(got.doc.tolist(), got.unit.tolist()))] == want


@hsettings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 40) | st.integers(0, 2**40), st.integers(0, 2**64 - 1)), max_size=60),
       low=st.booleans())
def test_by_owner_then_value_sorts_as_lexsort(rows, low):
    from reuse.candidates import _by_owner_then_value

    owner = np.array([o for o, _ in rows], dtype=np.int64)
    # values apart only in their low bits tie on the packed high bits and must still come in order
    values = np.array([(v % 16) if low else v for _, v in rows], dtype=np.uint64) + np.uint64(2**63 if low else 0)
    order = _by_owner_then_value(owner, values)
    want = np.lexsort((values, owner))
    assert owner[order].tolist() == owner[want].tolist() and values[order].tolist() == values[want].tolist()
    assert sorted(order.tolist()) == list(range(len(rows)))



@hsettings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 5)), max_size=120),
       chunk=st.sampled_from([1, 2, 7, 1 << 20]))
def test_shared_buckets_sets_the_bit_of_every_bucket_two_documents_hold(rows, chunk):
    """Slice by slice (the slices overlap by one key), a bucket's bit is set exactly when two documents hold it."""
    import pytest

    from reuse import arrays
    from reuse.candidates import _shared_buckets

    doc_bits, bits = 3, 8
    key = np.sort(np.array([(b << doc_bits) | d for b, d in rows], dtype=np.uint64))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrays, "CHUNK", chunk)
        got = _shared_buckets(key, doc_bits, bits)
    shared = np.unpackbits(got, bitorder="little")[: 1 << bits].astype(bool)
    held: dict[int, set[int]] = {}
    for b, d in rows:
        held.setdefault(b, set()).add(d)
    assert np.flatnonzero(shared).tolist() == sorted(b for b, docs in held.items() if len(docs) >= 2)
