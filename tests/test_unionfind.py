"""reuse.unionfind: connected items, alone."""

import random

import pytest

from reuse.unionfind import UnionFind, components


def test_each_set_is_known_by_its_smallest_member():
    uf = UnionFind(6)
    uf.union(4, 2)
    uf.union(5, 4)
    uf.union(3, 1)
    assert [uf.find(x) for x in range(6)] == [0, 1, 2, 1, 2, 2]


@pytest.mark.parametrize("case, sets, expected", [
    ("nothing", [], []),
    ("apart", [{1}, {2}, {3}], [0, 1, 2]),
    ("chain", [{1}, {1, 2}, {2, 3}, {3}], [0, 0, 0, 0]),
    ("joined late", [{1}, {2}, {1, 2}], [0, 0, 0]),
    ("empty sets stand alone", [set(), {1}, set(), {1}], [0, 1, 2, 1]),
])
def test_components_connect_items_sharing_a_value(case, sets, expected):
    assert components(sets) == expected


def test_components_agree_with_a_search_of_the_graph():
    rng = random.Random(5)
    for _ in range(50):
        sets = [set(rng.sample(range(30), rng.randint(0, 3))) for _ in range(rng.randint(1, 25))]
        roots = components(sets)
        for i, si in enumerate(sets):
            for j, sj in enumerate(sets):
                if si & sj:
                    assert roots[i] == roots[j]
        for i, root in enumerate(roots):  # a root is the smallest item of its component
            assert root == min(j for j, r in enumerate(roots) if r == root)
