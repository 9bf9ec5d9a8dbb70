"""Stage 7: measure each candidate region with rapidfuzz and cut it to exact passages.

A region's ends are trimmed to the outermost matching blocks of the
alignment, so a passage starts and ends on shared text in both documents.
Its score is the larger of two measures of how much of it is shared:

* the rapidfuzz Indel similarity of the two folded texts (edits inside a
  passage lower it gently), and
* the share of characters covered by exact runs, which stays high when
  sentences were reordered inside the passage (the alignment can follow only
  one order).

A region that scores too low is cut at its long unmatched stretches and the
parts are measured again, so a loose region never hides the passages in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from reuse.candidates import Region
from reuse.features import Features


@dataclass(frozen=True)
class Alignment:
    """A shared passage in folded coordinates of both documents."""

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    score: float


def _covered(spans: list[tuple[int, int]], lo: int, hi: int) -> int:
    total, reach = 0, lo
    for s, e in sorted(spans):
        s, e = max(s, reach), min(e, hi)
        if e > s:
            total += e - s
            reach = e
    return total


def _extend(fa: Features, fb: Features, r: Region, steps: int) -> Region:
    """Grow a region over whole tokens that still match exactly at both ends."""
    ha, hb = fa.tokens.hash, fb.tokens.hash
    a_lo, a_hi, b_lo, b_hi = r.a_lo, r.a_hi, r.b_lo, r.b_hi
    for _ in range(steps):
        if a_lo > 0 and b_lo > 0 and ha[a_lo - 1] == hb[b_lo - 1]:
            a_lo, b_lo = a_lo - 1, b_lo - 1
        else:
            break
    for _ in range(steps):
        if a_hi < len(ha) and b_hi < len(hb) and ha[a_hi] == hb[b_hi]:
            a_hi, b_hi = a_hi + 1, b_hi + 1
        else:
            break
    return Region(a_lo, a_hi, b_lo, b_hi, r.runs)


def _matched_pieces(ops, fa: Features, fb: Features, a_lo: int, b_lo: int) -> list[tuple[int, int, int, int]]:
    """Equal blocks of the alignment, cut wherever either text has a clause boundary."""
    ba, bb = fa.folded.boundary, fb.folded.boundary
    pieces = []
    for op in ops:
        if op.tag != "equal":
            continue
        n = op.src_end - op.src_start
        a0, b0 = a_lo + op.src_start, b_lo + op.dest_start
        cuts = np.flatnonzero(ba[a0 + 1 : a0 + n] | bb[b0 + 1 : b0 + n]) + 1
        edges = [0, *cuts.tolist(), n]
        for s, e in zip(edges, edges[1:]):
            pieces.append((a0 + s, a0 + e, b0 + s, b0 + e))
    return pieces


def _measure(fa: Features, fb: Features, a_lo: int, a_hi: int, b_lo: int, b_hi: int,
             run_chars: tuple[list, list], *, min_edge: int):
    """Trim to matching text and score; returns (Alignment, opcodes, a_lo, b_lo) or None.

    A passage starts and ends with a matched piece of at least ``min_edge``
    characters that does not cross a clause boundary, so two characters that
    happen to match before a full stop are not pulled into it.
    """
    sa, sb = fa.folded.text[a_lo:a_hi], fb.folded.text[b_lo:b_hi]
    if not sa or not sb:
        return None
    ops = Indel.opcodes(sa, sb)
    pieces = _matched_pieces(ops, fa, fb, a_lo, b_lo)
    solid = [i for i, p in enumerate(pieces) if p[1] - p[0] >= min_edge]
    if not solid:
        return None
    inner = pieces[solid[0] : solid[-1] + 1]
    ta_lo, ta_hi, tb_lo, tb_hi = inner[0][0], inner[-1][1], inner[0][2], inner[-1][3]
    matched = sum(p[1] - p[0] for p in inner)
    la, lb = ta_hi - ta_lo, tb_hi - tb_lo
    ratio = 2 * matched / (la + lb)
    cover = (_covered(run_chars[0], ta_lo, ta_hi) + _covered(run_chars[1], tb_lo, tb_hi)) / (la + lb)
    return Alignment(ta_lo, ta_hi, tb_lo, tb_hi, round(max(ratio, min(cover, 1.0)), 4)), ops, a_lo, b_lo


def _tokens_in(feat: Features, lo: int, hi: int) -> int:
    starts = feat.tokens.start
    return int(np.searchsorted(starts, hi, side="left") - np.searchsorted(starts, lo, side="left"))


def align(fa: Features, fb: Features, region: Region, *, k: int, min_length: int, min_score: float,
          max_gap: int) -> list[Alignment]:
    """The shared passages inside one candidate region (possibly none).

    Args:
        k: shingle size; matching tokens up to ``k - 1`` beyond the region's
            runs are taken in, since no seed could start there.
        min_length: shortest passage, in tokens of the shorter side.
        min_score: lowest score kept.
        max_gap: longest unmatched stretch (tokens) a passage may contain when
            it has to be cut.
    """
    region = _extend(fa, fb, region, k - 1)
    a_lo, a_hi = fa.char_span(region.a_lo, region.a_hi)
    b_lo, b_hi = fb.char_span(region.b_lo, region.b_hi)
    run_chars = (
        [fa.char_span(r[0], r[1]) for r in region.runs],
        [fb.char_span(r[2], r[3]) for r in region.runs],
    )
    measured = _measure(fa, fb, a_lo, a_hi, b_lo, b_hi, run_chars, min_edge=k)
    if measured is None:
        return []
    best, ops, base_a, base_b = measured

    def long_enough(al: Alignment) -> bool:
        # the shared content, not just the span, must reach min_length, so
        # two common words a few characters apart do not make a passage
        span = min(_tokens_in(fa, al.a_lo, al.a_hi), _tokens_in(fb, al.b_lo, al.b_hi))
        return span * al.score >= min_length

    if best.score >= min_score:
        return [best] if long_enough(best) else []
    # Too loose as a whole: cut at unmatched stretches longer than max_gap
    # characters on either side and measure each piece on its own.
    pieces, start = [], None
    for op in ops:
        if op.tag == "equal":
            if start is None:
                start = (op.src_start, op.dest_start)
            end = (op.src_end, op.dest_end)
        elif max(op.src_end - op.src_start, op.dest_end - op.dest_start) > max_gap and start is not None:
            pieces.append((start, end))
            start = None
    if start is not None:
        pieces.append((start, end))
    if len(pieces) <= 1:
        return []
    out = []
    for (sa, sb), (ea, eb) in pieces:
        m = _measure(fa, fb, base_a + sa, base_a + ea, base_b + sb, base_b + eb, run_chars, min_edge=k)
        if m and m[0].score >= min_score and long_enough(m[0]):
            out.append(m[0])
    return out


def _overlap(lo: int, hi: int, lo2: int, hi2: int) -> int:
    return max(0, min(hi, hi2) - max(lo, lo2))


def one_to_one(items: list[Alignment]) -> list[Alignment]:
    """Pair each stretch of either text at most once: the strongest passage wins.

    A formula found three times in one document and twice in the other gives
    two passages, not six.
    """
    strongest = sorted(items, key=lambda x: (-(x.a_hi - x.a_lo + x.b_hi - x.b_lo) * x.score, x.a_lo, x.b_lo))
    kept: list[Alignment] = []
    for x in strongest:
        if any(
            2 * _overlap(x.a_lo, x.a_hi, y.a_lo, y.a_hi) > x.a_hi - x.a_lo
            or 2 * _overlap(x.b_lo, x.b_hi, y.b_lo, y.b_hi) > x.b_hi - x.b_lo
            for y in kept
        ):
            continue
        kept.append(x)
    return sorted(kept, key=lambda x: (x.a_lo, x.b_lo))


def _is_punct(ch: str) -> bool:
    return not ch.isspace() and not ch.isalnum()


def with_shared_punctuation(a: str, b: str, a_start: int, a_end: int, b_start: int, b_end: int,
                            limit: int = 3) -> tuple[int, int, int, int]:
    """Widen original spans over punctuation both texts have around them.

    Matching ignores punctuation, so a passage ends on its last word; a
    reader expects the shared sentence's own full stop or closing quote too.

    >>> with_shared_punctuation("说：好。", "说：好。", 2, 3, 2, 3)
    (1, 4, 1, 4)
    """
    for _ in range(limit):
        if a_end < len(a) and b_end < len(b) and a[a_end] == b[b_end] and _is_punct(a[a_end]):
            a_end, b_end = a_end + 1, b_end + 1
        else:
            break
    for _ in range(limit):
        if a_start > 0 and b_start > 0 and a[a_start - 1] == b[b_start - 1] and _is_punct(a[a_start - 1]):
            a_start, b_start = a_start - 1, b_start - 1
        else:
            break
    return a_start, a_end, b_start, b_end
