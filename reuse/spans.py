"""Character spans ``(start, end)`` of one text: the parts some spans leave uncovered."""

from __future__ import annotations

from collections.abc import Iterable


def uncovered(spans: Iterable[tuple[int, int]], cover: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` outside every ``cover`` span, merged where they touch.

    >>> uncovered([(0, 10), (8, 14), (20, 22)], [(3, 5), (12, 30)])
    [(0, 3), (5, 12)]
    >>> uncovered([(0, 10)], [(2, 4), (3, 6), (8, 12)])
    [(0, 2), (6, 8)]
    """
    out: list[tuple[int, int]] = []
    cover = sorted(cover)
    for s, e in sorted(spans):
        at = s
        for cs, ce in cover:
            if ce <= at or cs >= e:
                continue
            if cs > at:
                out.append((at, cs))
            at = max(at, ce)
        if at < e:
            out.append((at, e))
    merged: list[tuple[int, int]] = []
    for s, e in out:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
