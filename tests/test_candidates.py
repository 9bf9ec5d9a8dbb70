import numpy as np

from reuse.candidates import Region, _cluster, diagonal_runs, seed_matches


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
    boxes = [
        Region(0, 10, 100, 110, [(0, 10, 100, 110)]),
        Region(14, 30, 114, 130, [(14, 30, 114, 130)]),  # after a 4-token edit
        Region(30, 40, 90, 100, [(30, 40, 90, 100)]),  # a sentence moved up in b
        Region(200, 220, 500, 520, [(200, 220, 500, 520)]),  # far away: another passage
    ]
    got = [(c.a_lo, c.a_hi, c.b_lo, c.b_hi) for c in _cluster(boxes, gap=8)]
    assert got == [(0, 40, 90, 130), (200, 220, 500, 520)]
