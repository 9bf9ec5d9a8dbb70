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
A passage is then grown at both ends over text that still aligns better than
chance (seed and extend), and the passages of one document pair that lie
close together on both sides, in any order, are merged into one
(``merge_adjacent``), so a copied block is reported once, not in fragments.

Lengths are in Han characters; a word of a spaced script counts two (see
``reuse.shingle``).
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
    """Characters of ``[lo, hi)`` inside the union of ``spans`` (sorted by start)."""
    total, reach = 0, lo
    for s, e in spans:
        s, e = max(s, reach), min(e, hi)
        if e > s:
            total += e - s
            reach = e
    return total


SMALL = 8
"""Regions with at most this many runs handle them as Python lists; larger ones as numpy arrays."""


class _RunChars:
    """A region's exact runs in folded characters: paired, and each side sorted for coverage.

    Most regions hold a few runs and plain lists are fastest; a long copied
    passage holds hundreds, which numpy sweeps at once.
    """

    def __init__(self, ra: np.ndarray, rb: np.ndarray):
        self.big = len(ra) > SMALL
        if self.big:
            self.ra, self.rb = ra, rb
            self.sa = ra[np.lexsort((ra[:, 1], ra[:, 0]))]
            self.sb = rb[np.lexsort((rb[:, 1], rb[:, 0]))]
        else:
            self._take_pairs(list(zip(map(tuple, ra.tolist()), map(tuple, rb.tolist()))))

    def _take_pairs(self, pairs: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
        self.pairs = pairs
        self.sa, self.sb = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)

    @classmethod
    def of_tokens(cls, fa: Features, fb: Features, runs) -> "_RunChars":
        """The runs of a region (token ranges ``(a_lo, a_hi, b_lo, b_hi)``, as ``Region.runs``) in characters.

        A few runs are looked up one by one (``char_span``): the numpy calls
        that map many at once cost a small region more than its lookups.
        """
        if len(runs) > SMALL:
            runs = np.asarray(runs, dtype=np.int64).reshape(-1, 4)
            return cls(fa.char_spans(runs[:, 0:2]), fb.char_spans(runs[:, 2:4]))
        made = cls.__new__(cls)
        made.big = False
        rows = runs.tolist() if isinstance(runs, np.ndarray) else runs
        made._take_pairs([(fa.char_span(a_lo, a_hi), fb.char_span(b_lo, b_hi)) for a_lo, a_hi, b_lo, b_hi in rows])
        return made

    def outside(self, box: tuple[int, int, int, int], trimmed: tuple[int, int, int, int],
                shortest: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Runs inside ``box``, at least ``shortest`` long on a, and not inside ``trimmed``, in order."""
        a_lo, a_hi, b_lo, b_hi = box
        ta_lo, ta_hi, tb_lo, tb_hi = trimmed
        if not self.big:
            return [((ra_lo, ra_hi), (rb_lo, rb_hi)) for (ra_lo, ra_hi), (rb_lo, rb_hi) in self.pairs
                    if a_lo <= ra_lo and ra_hi <= a_hi and b_lo <= rb_lo and rb_hi <= b_hi
                    and ra_hi - ra_lo >= shortest
                    and not (ta_lo <= ra_lo and ra_hi <= ta_hi and tb_lo <= rb_lo and rb_hi <= tb_hi)]
        ra, rb = self.ra, self.rb
        keep = ((a_lo <= ra[:, 0]) & (ra[:, 1] <= a_hi) & (b_lo <= rb[:, 0]) & (rb[:, 1] <= b_hi)
                & (ra[:, 1] - ra[:, 0] >= shortest)
                & ~((ta_lo <= ra[:, 0]) & (ra[:, 1] <= ta_hi) & (tb_lo <= rb[:, 0]) & (rb[:, 1] <= tb_hi)))
        if not keep.any():
            return []
        return [(tuple(x), tuple(y)) for x, y in zip(ra[keep].tolist(), rb[keep].tolist())]

    def covered(self, side: int, lo: int, hi: int) -> int:
        """Characters of ``[lo, hi)`` on side a (0) or b (1) inside some run."""
        spans = self.sa if side == 0 else self.sb
        if not self.big:
            return _covered(spans, lo, hi)
        s, e = np.maximum(spans[:, 0], lo), np.minimum(spans[:, 1], hi)
        reach = np.maximum.accumulate(np.concatenate([[lo], e[:-1]]))
        return int(np.maximum(e - np.maximum(s, reach), 0).sum())


def _extend(fa: Features, fb: Features, r: Region, steps: int) -> tuple[int, int, int, int]:
    """A region's token box grown over whole tokens that still match exactly at both ends."""
    ha, hb = fa.token_hashes, fb.token_hashes
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
    return a_lo, a_hi, b_lo, b_hi


def _inner_blocks(blocks, fa: Features, fb: Features, a_lo: int, b_lo: int,
                  min_edge: int) -> list[tuple[int, int, int, int]] | None:
    """The alignment's equal blocks from its first solid piece to its last, as ``(a_lo, a_hi, b_lo, b_hi)``.

    A piece is an equal block cut wherever either text has a clause
    boundary, and it is solid at ``min_edge`` characters: a passage starts
    and ends with one. The first and last blocks are trimmed to those
    pieces; the blocks between are whole (their pieces tile them). None
    when no piece is solid. The first solid piece is looked for from the
    start and the last from the end, so the blocks between (most of a long
    copy's) are taken as they are.
    """
    ca, cb = fa.boundaries_before, fb.boundaries_before
    pa, pb = fa.boundary_positions, fb.boundary_positions
    for first, (i1, j1, n) in enumerate(blocks):
        if n >= min_edge and n and (found := _solid_ends(a_lo + i1, b_lo + j1, n, ca, cb, pa, pb, min_edge)):
            start, end = found
            break
    else:
        return None
    last = first  # unless a later block has a solid piece: the first such from the end
    for i in range(len(blocks) - 1, first, -1):
        i1, j1, n = blocks[i]
        if n >= min_edge and n and (found := _solid_ends(a_lo + i1, b_lo + j1, n, ca, cb, pa, pb, min_edge)):
            last, end = i, found[1]
            break
    out = [(a_lo + i1, a_lo + i1 + n, b_lo + j1, b_lo + j1 + n) for i1, j1, n in blocks[first : last + 1] if n]
    i1, j1, _ = blocks[first]
    out[0] = (a_lo + i1 + start, out[0][1], b_lo + j1 + start, out[0][3])
    i1, j1, _ = blocks[last]
    out[-1] = (out[-1][0], a_lo + i1 + end, out[-1][2], b_lo + j1 + end)
    return out


def _solid_ends(a0: int, b0: int, n: int, ca, cb, pa, pb, min_edge: int) -> tuple[int, int] | None:
    """Where a block (``n >= min_edge`` long) has its first solid piece start and its last one end, or None."""
    # the boundaries strictly inside the block, on either side
    ia, ja, ib, jb = ca[a0 + 1], ca[a0 + n], cb[b0 + 1], cb[b0 + n]
    if ia == ja and ib == jb:  # most blocks: none
        return 0, n
    if (min(pa[ia] - a0 if ia < ja else n, pb[ib] - b0 if ib < jb else n) >= min_edge
            and n - max(pa[ja - 1] - a0 if ia < ja else 0, pb[jb - 1] - b0 if ib < jb else 0) >= min_edge):
        return 0, n  # the pieces before its first boundary and after its last are solid
    if ib == jb:
        cuts = [p - a0 for p in pa[ia:ja]]
    elif ia == ja:
        cuts = [p - b0 for p in pb[ib:jb]]
    else:
        cuts = sorted({p - a0 for p in pa[ia:ja]} | {p - b0 for p in pb[ib:jb]})
    s = _first_solid(cuts, n, min_edge)
    return None if s is None else (s, n - _first_solid([n - c for c in reversed(cuts)], n, min_edge))


def _first_solid(cuts: list[int], n: int, min_edge: int) -> int | None:
    """Where the first piece of ``[0, n)`` cut at ``cuts`` (ascending, strictly inside) that is ``min_edge``
    long starts; None when no piece is."""
    prev = 0
    for c in cuts:
        if c - prev >= min_edge:
            return prev
        prev = c
    return prev if n - prev >= min_edge else None


def _measure(fa: Features, fb: Features, a_lo: int, a_hi: int, b_lo: int, b_hi: int,
             run_chars: _RunChars, *, min_edge: int):
    """Trim to matching text and score; returns (Alignment, opcodes, a_lo, b_lo) or None.

    A passage starts and ends with a matched piece of at least ``min_edge``
    characters that does not cross a clause boundary, so two characters that
    happen to match before a full stop are not pulled into it.
    """
    sa, sb = fa.folded.text[a_lo:a_hi], fb.folded.text[b_lo:b_hi]
    if not sa or not sb:
        return None
    ops = Indel.opcodes(sa, sb)
    # the equal opcodes as matching blocks: the pieces need no others (as_list would list them all)
    inner = _inner_blocks(ops.as_matching_blocks(), fa, fb, a_lo, b_lo, min_edge)
    if inner is None:
        return None
    ta_lo, ta_hi, tb_lo, tb_hi = inner[0][0], inner[-1][1], inner[0][2], inner[-1][3]
    # exact runs inside the box that the alignment, which follows one order,
    # left out on both sides are shared text too (sentences swapped in the
    # copy); a run whose text the alignment matched elsewhere is a phrase
    # repeated in one document, and a run shorter than two shingles may be
    # chance: they stay out
    # outside() drops the runs inside the first trimmed span; the span grows
    # as runs are taken in, so each one is checked again against it here
    left_out = run_chars.outside((a_lo, a_hi, b_lo, b_hi), (ta_lo, ta_hi, tb_lo, tb_hi), 2 * min_edge)
    used_a = [(p[0], p[1]) for p in inner] if left_out else []
    used_b = [(p[2], p[3]) for p in inner] if left_out else []
    for (ra_lo, ra_hi), (rb_lo, rb_hi) in left_out:
        if (not (ta_lo <= ra_lo and ra_hi <= ta_hi and tb_lo <= rb_lo and rb_hi <= tb_hi)
                and 2 * _covered(used_a, ra_lo, ra_hi) < ra_hi - ra_lo
                and 2 * _covered(used_b, rb_lo, rb_hi) < rb_hi - rb_lo):
            ta_lo, ta_hi = min(ta_lo, ra_lo), max(ta_hi, ra_hi)
            tb_lo, tb_hi = min(tb_lo, rb_lo), max(tb_hi, rb_hi)
    matched = sum(p[1] - p[0] for p in inner)
    la, lb = ta_hi - ta_lo, tb_hi - tb_lo
    ratio = 2 * matched / (la + lb)
    cover = (run_chars.covered(0, ta_lo, ta_hi) + run_chars.covered(1, tb_lo, tb_hi)) / (la + lb)
    return Alignment(ta_lo, ta_hi, tb_lo, tb_hi, round(max(ratio, min(cover, 1.0)), 4)), ops, a_lo, b_lo


def align(fa: Features, fb: Features, region: Region, *, k: int, min_length: int, min_score: float,
          max_gap: int) -> list[Alignment]:
    """The shared passages inside one candidate region (possibly none).

    Args:
        k: shingle size; matching tokens up to ``k - 1`` beyond the region's
            runs are taken in, since no seed could start there.
        min_length: shortest passage, in Han characters (a word of a spaced
            script counts two) of the shorter side.
        min_score: lowest score kept.
        max_gap: longest unmatched stretch (in Han characters, as
            ``min_length``) a passage may contain when it has to be cut.
    """
    ta_lo, ta_hi, tb_lo, tb_hi = _extend(fa, fb, region, k - 1)
    a_lo, a_hi = fa.char_span(ta_lo, ta_hi)
    b_lo, b_hi = fb.char_span(tb_lo, tb_hi)
    run_chars = _RunChars.of_tokens(fa, fb, region.runs)
    measured = _measure(fa, fb, a_lo, a_hi, b_lo, b_hi, run_chars, min_edge=k)
    if measured is None:
        return []
    best, ops, base_a, base_b = measured

    def evidence(al: Alignment) -> float:
        # what is shared less what is not (a local alignment score of +1 per
        # shared and -1 per unshared character) must reach min_length: an
        # exact 12-character phrase is a passage, a 16-character one needs a
        # score of 0.875 (two edits), a 100-character one 0.56, so two
        # formulas that differ in a third of their words are not
        span = min(fa.weight_between(al.a_lo, al.a_hi), fb.weight_between(al.b_lo, al.b_hi))
        return span * (2 * al.score - 1)

    def kept(al: Alignment) -> Alignment | None:
        # seed and extend: a match with half the evidence needed may still
        # grow into a passage over densely edited text around it
        e = evidence(al)
        if e < GROW_FROM * min_length:
            return None
        grown = _grown(fa, fb, al, run_chars, k, min_score)
        return grown if e >= min_length or evidence(grown) >= min_length else None

    if best.score >= min_score:
        return [x for x in [kept(best)] if x]
    # Too loose as a whole: cut at unmatched stretches longer than max_gap
    # on either side and measure each piece on its own.
    pieces, start = [], None
    for tag, i1, i2, j1, j2 in ops.as_list():
        if tag == "equal":
            if start is None:
                start = (i1, j1)
            end = (i2, j2)
        elif start is not None and 2 * max(i2 - i1, j2 - j1) > max_gap and max(
            fa.weight_between(base_a + i1, base_a + i2),
            fb.weight_between(base_b + j1, base_b + j2),
        ) > max_gap:  # (a character weighs at most two: most edits are too short to look up)
            pieces.append((start, end))
            start = None
    if start is not None:
        pieces.append((start, end))
    if len(pieces) <= 1:
        return []
    out = []
    for (sa, sb), (ea, eb) in pieces:
        m = _measure(fa, fb, base_a + sa, base_a + ea, base_b + sb, base_b + eb, run_chars, min_edge=k)
        if m and m[0].score >= min_score and (x := kept(m[0])):
            out.append(x)
    return out


GROW_FROM = 0.5
"""A match is grown when it has this share of the evidence a passage needs."""

EXTEND_WINDOW = 48
"""Characters of folded text compared at a time when a passage is grown."""


def _gain(sa: str, sb: str) -> tuple[int, int, int]:
    """How far a passage that ends just before ``sa`` and ``sb`` should grow into them.

    Scores the alignment of the two texts from their start, +1 for every
    character matched on either side and -1 for every one left out (so a
    stretch pays off where over half of it is shared), and returns the
    lengths on both sides where that running score peaks, and the peak.
    """
    score = best = 0
    at = (0, 0)
    i_end = j_end = 0  # where the last matching block ended: what lies between two blocks is unmatched
    for i1, j1, n in Indel.opcodes(sa, sb).as_matching_blocks():
        score -= (i1 - i_end) + (j1 - j_end)
        if n:
            score += 2 * n
            if score > best:
                best, at = score, (i1 + n, j1 + n)
        i_end, j_end = i1 + n, j1 + n
    return at[0], at[1], best


def _grow(a: str, b: str, a_hi: int, b_hi: int, *, forward: bool, min_gain: int) -> tuple[int, int]:
    """Move one end of a passage (``a_hi``/``b_hi``, or its start when not ``forward``) over text still shared."""
    w = EXTEND_WINDOW
    while True:
        if forward:
            sa, sb = a[a_hi : a_hi + w], b[b_hi : b_hi + w]
        else:
            sa, sb = a[max(0, a_hi - w) : a_hi][::-1], b[max(0, b_hi - w) : b_hi][::-1]
        if not sa or not sb:
            return a_hi, b_hi
        if "\u3400" <= sa[0] <= "\u9fff" and len(set(sa[:16]) & set(sb[:16])) < 3:
            return a_hi, b_hi  # Chinese text that shares too few characters to pay off: nearly always
        da, db, gain = _gain(sa, sb)
        if gain < min_gain:
            return a_hi, b_hi
        step = 1 if forward else -1
        a_hi, b_hi = a_hi + step * da, b_hi + step * db
        if max(da, db) < w // 2:  # the shared text ended inside the window
            return a_hi, b_hi


def _grown(fa: Features, fb: Features, al: Alignment, run_chars: _RunChars, k: int,
           min_score: float) -> Alignment:
    """Seed and extend: grow a passage at both ends over text that is still mostly shared.

    Seeds need ``k`` tokens in a row to match; where edits are dense (a typo
    every few words) the seeds stop short of the copied text, but the text
    on both sides of the passage still aligns better than chance.
    """
    a, b = fa.folded.text, fb.folded.text
    a_hi, b_hi = _grow(a, b, al.a_hi, al.b_hi, forward=True, min_gain=2 * k)
    a_lo, b_lo = _grow(a, b, al.a_lo, al.b_lo, forward=False, min_gain=2 * k)
    if (a_lo, a_hi, b_lo, b_hi) == (al.a_lo, al.a_hi, al.b_lo, al.b_hi):
        return al
    m = _measure(fa, fb, a_lo, a_hi, b_lo, b_hi, run_chars, min_edge=k)
    return m[0] if m and m[0].score >= min_score else al


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


MERGE_REL = 0.5
"""A gap inside a passage may be up to this share of the text on both sides of it..."""
MAX_BRIDGE = 16
"""...and at most this many times ``max_gap`` (192 characters by default: a paragraph)."""


def _bridge(max_gap: int, rel: float, left: int, right: int) -> float:
    """Widest gap joined between two pieces of ``left`` and ``right`` weight.

    ``max_gap`` always, and up to ``rel`` times the pieces' joint length
    (at most ``MAX_BRIDGE`` times ``max_gap``): a sentence too edited (or
    too short) to be found on its own between two found ones is part of the
    passage; an unrelated paragraph between two short matches, or a page
    between two copied sections, is not.
    """
    return max(max_gap, min(MAX_BRIDGE * max_gap, rel * (left + right)))


def _groups(items: list[Alignment], fa: Features, fb: Features, *, max_gap: int,
            rel: float) -> list[list[Alignment]]:
    """Split ``items`` into groups that are contiguous on both sides at once.

    Contiguous: sorted on one side, each passage starts within the allowed gap
    of the ones before it. A group is cut on the a side, each part on the b
    side, and so on until nothing changes, so sentences reordered inside a
    passage stay together while a phrase that happens to sit next to a
    passage on one side only is left out.
    """
    ordered = sorted(items, key=lambda x: (x.a_lo, x.b_lo))
    if _far_apart(ordered, fa, max_gap=max_gap, rel=rel):
        return [[x] for x in ordered]
    groups = [items]
    while True:
        out = []
        for group in groups:
            for part in _contiguous(group, fa, 0, max_gap, rel):
                out.extend(_contiguous(part, fb, 1, max_gap, rel))
        if len(out) == len(groups):
            break
        groups = out
    # splitting reads left to right, so a few short pieces ahead of a long
    # passage can be cut off before the passage is seen: join groups whose
    # boxes are close on both sides, measured against their joint size
    boxes = [_Box.of(g, fa, fb) for g in out]
    joined = True
    while joined:
        joined = False
        boxes.sort(key=lambda x: (x.a_lo, x.b_lo))
        for i, x in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                y = boxes[j]
                allowed = _bridge(max_gap, rel, x.size, y.size)
                if fa.weight_between(x.a_hi, y.a_lo) > allowed:
                    break  # sorted by a_lo: the rest start later still
                if x.near_b(y, fb, allowed):
                    boxes[i] = x.join(y)
                    del boxes[j]
                    joined = True
                    break
            if joined:
                break
    return [b.items for b in boxes]


def _far_apart(items: list[Alignment], fa: Features, *, max_gap: int, rel: float) -> bool:
    """Whether no two of ``items`` (sorted on side a) can join in ``_groups``: each starts further from all
    before it than the widest gap any two could bridge there (all of them together on either side of it,
    weighed on side a, which the first split weighs by and every box's size is at most). Most pairs'
    passages are a few formulas far apart: they are told so without the splitting and joining."""
    widest = _bridge(max_gap, rel, sum(fa.weight_between(x.a_lo, x.a_hi) for x in items), 0)
    reach = None
    for x in items:
        if reach is not None and fa.weight_between(reach, x.a_lo) <= widest:
            return False
        reach = x.a_hi if reach is None else max(reach, x.a_hi)
    return True


@dataclass
class _Box:
    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    size: int
    items: list[Alignment]

    @classmethod
    def of(cls, items: list[Alignment], fa: Features, fb: Features) -> "_Box":
        size = sum(min(fa.weight_between(x.a_lo, x.a_hi), fb.weight_between(x.b_lo, x.b_hi)) for x in items)
        return cls(min(x.a_lo for x in items), max(x.a_hi for x in items), min(x.b_lo for x in items),
                   max(x.b_hi for x in items), size, items)

    def near_b(self, other: "_Box", fb: Features, allowed: float) -> bool:
        return fb.weight_between(self.b_hi, other.b_lo) <= allowed and fb.weight_between(other.b_hi, self.b_lo) <= allowed

    def join(self, other: "_Box") -> "_Box":
        return _Box(min(self.a_lo, other.a_lo), max(self.a_hi, other.a_hi), min(self.b_lo, other.b_lo),
                    max(self.b_hi, other.b_hi), self.size + other.size, self.items + other.items)


def _contiguous(items: list[Alignment], feat: Features, side: int, max_gap: int,
                rel: float) -> list[list[Alignment]]:
    def span(x: Alignment) -> tuple[int, int]:
        return (x.a_lo, x.a_hi) if side == 0 else (x.b_lo, x.b_hi)

    parts: list[list[Alignment]] = []
    reach, size = 0, 0
    for x in sorted(items, key=span):
        lo, hi = span(x)
        n = feat.weight_between(lo, hi)
        if parts and feat.weight_between(reach, lo) <= _bridge(max_gap, rel, size, n):
            parts[-1].append(x)
            reach, size = max(reach, hi), size + n
        else:
            parts.append([x])
            reach, size = hi, n
    return parts


def merge_adjacent(items: list[Alignment], fa: Features, fb: Features, *, max_gap: int,
                   rel: float = MERGE_REL, min_score: float = 0.0) -> list[Alignment]:
    """Join the passages of one document pair that are close on both sides into one.

    Args:
        max_gap: a gap of this length (Han characters; a word of a spaced
            script counts two) is always bridged.
        rel: a gap up to this share of the joint length of the pieces on
            either side of it is bridged too, so a long passage with a dense
            patch of edits, or with a sentence too short to be found on its
            own, stays one passage.
        min_score: a group whose union would score lower stays in pieces.
    Returns:
        Passages, each the union of a group; its score is the mean of the
        members' scores weighted by their size, with the gaps counted as
        unshared.
    """
    if len(items) < 2:
        return list(items)
    out = []
    for group in _groups(items, fa, fb, max_gap=max_gap, rel=rel):
        if len(group) == 1:
            out.append(group[0])
            continue
        a_lo, a_hi = min(x.a_lo for x in group), max(x.a_hi for x in group)
        b_lo, b_hi = min(x.b_lo for x in group), max(x.b_hi for x in group)
        shared = sum(x.score * (x.a_hi - x.a_lo + x.b_hi - x.b_lo) for x in group)
        score = round(min(1.0, shared / (a_hi - a_lo + b_hi - b_lo)), 4)
        if score >= min_score:
            out.append(Alignment(a_lo, a_hi, b_lo, b_hi, score))
        else:
            out.extend(group)
    return sorted(out, key=lambda x: (x.a_lo, x.b_lo))


def neighbourhoods(items: list[Alignment], fa: Features, fb: Features, *, max_gap: int,
                   rel: float = MERGE_REL) -> list[list[int]]:
    """Indices of ``items`` in groups that lie close together on both sides, as ``merge_adjacent`` groups them.

    Passages that ``merge_adjacent`` kept apart (their union scores too low)
    may still be a run of sentences copied with edits between them.
    """
    if len(items) < 2:  # nothing to group (most pairs share one passage)
        return [[n] for n in range(len(items))]
    position = {id(x): n for n, x in enumerate(items)}
    return [sorted(position[id(x)] for x in group) for group in _groups(list(items), fa, fb, max_gap=max_gap, rel=rel)]


def _is_punct(ch: str) -> bool:
    return not ch.isspace() and not ch.isalnum()


SHARED_PUNCTUATION = 3
"""Characters of punctuation ``with_shared_punctuation`` widens a passage by at most, on each side."""


def with_shared_punctuation(a: str, b: str, a_start: int, a_end: int, b_start: int, b_end: int,
                            limit: int = SHARED_PUNCTUATION) -> tuple[int, int, int, int]:
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

