"""Union-find: which items are connected, through anything they share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class UnionFind:
    """Disjoint sets of ``0 .. n-1``: each set is known by its smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def components(hash_sets: Sequence[Iterable[int]]) -> list[int]:
    """For each item, the smallest index of the items it is connected to by shared hashes.

    >>> components([{1, 2}, {3}, {2, 4}, {4}])
    [0, 1, 0, 0]
    """
    uf = UnionFind(len(hash_sets))
    owner: dict[int, int] = {}
    for n, hs in enumerate(hash_sets):
        for h in hs:
            if h in owner:
                uf.union(n, owner[h])
            else:
                owner[h] = n
    return [uf.find(n) for n in range(len(hash_sets))]
