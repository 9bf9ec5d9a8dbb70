from reuse.align import Alignment, align, one_to_one
from reuse.candidates import Region
from reuse.config import Settings
from reuse.features import extract
from reuse.ingest import document


def features(text):
    return extract(document(text, "x"), Settings())


def region_over(fa, fb, a_text, b_text, sub_a, sub_b):
    """A region whose runs are the exact token ranges of sub_a/sub_b."""
    ta = fa.folded.text.index(sub_a)
    tb = fb.folded.text.index(sub_b)
    return Region(ta, ta + len(sub_a), tb, tb + len(sub_b), [(ta, ta + len(sub_a), tb, tb + len(sub_b))])


def test_align_trims_to_shared_text_and_scores_edits():
    a = "毫不相干的开头。巩固深化主题教育成果，推动工作落实落细。"
    b = "另一个开头！巩固深化主题教育成果，推进工作落实落细。"
    fa, fb = features(a), features(b)
    r = Region(0, len(fa.tokens), 0, len(fb.tokens), [])
    r.runs = [region_over(fa, fb, a, b, "巩固深化主题教育成果推", "巩固深化主题教育成果推").runs[0]]
    [al] = align(fa, fb, r, k=4, min_length=12, min_score=0.6, max_gap=8)
    a0, a1 = fa.original_span(al.a_lo, al.a_hi)
    b0, b1 = fb.original_span(al.b_lo, al.b_hi)
    assert a[a0:a1] == "巩固深化主题教育成果，推动工作落实落细"
    assert b[b0:b1] == "巩固深化主题教育成果，推进工作落实落细"
    assert 0.9 < al.score < 1.0


def test_align_drops_short_matches():
    a, b = "党的建设要加强。", "党的建设不放松。"
    fa, fb = features(a), features(b)
    r = Region(0, 4, 0, 4, [(0, 4, 0, 4)])
    assert align(fa, fb, r, k=4, min_length=12, min_score=0.6, max_gap=8) == []


def test_one_to_one_keeps_the_strongest_of_overlapping_passages():
    items = [
        Alignment(0, 10, 0, 10, 1.0),
        Alignment(0, 10, 50, 60, 1.0),  # same a-span paired again: dropped
        Alignment(100, 110, 50, 60, 0.9),
    ]
    assert one_to_one(items) == [items[0], items[2]]


def _box(al):
    return (al.a_lo, al.a_hi, al.b_lo, al.b_hi)


def test_merge_joins_pieces_close_on_both_sides():
    from reuse.align import merge_adjacent

    fa = fb = features("甲" * 400)
    items = [Alignment(0, 40, 100, 140, 1.0), Alignment(45, 80, 145, 180, 0.9)]
    [one] = merge_adjacent(items, fa, fb, max_gap=8)
    assert _box(one) == (0, 80, 100, 180)
    assert one.score == round((80 * 1.0 + 70 * 0.9) / 160, 4)  # the 5-character gaps count as unshared


def test_merge_joins_reordered_pieces_into_one_passage():
    from reuse.align import merge_adjacent

    fa = fb = features("甲" * 400)
    # three sentences of a, in the order 3-1-2 in b
    items = [Alignment(0, 30, 140, 170, 1.0), Alignment(30, 70, 170, 210, 1.0), Alignment(70, 100, 100, 140, 1.0)]
    assert [_box(x) for x in merge_adjacent(items, fa, fb, max_gap=8)] == [(0, 100, 100, 210)]


def test_merge_leaves_pieces_close_on_one_side_only():
    from reuse.align import merge_adjacent

    fa = fb = features("甲" * 400)
    items = [Alignment(0, 40, 0, 40, 1.0), Alignment(42, 60, 300, 318, 1.0)]  # a formula found elsewhere in b
    assert merge_adjacent(items, fa, fb, max_gap=8) == items


def test_merge_bridges_gaps_relative_to_the_pieces_around_them():
    from reuse.align import merge_adjacent

    fa = fb = features("甲" * 600)
    long_pieces = [Alignment(0, 100, 0, 100, 1.0), Alignment(140, 240, 140, 240, 1.0)]  # a 40-char sentence lost
    assert len(merge_adjacent(long_pieces, fa, fb, max_gap=8)) == 1
    short_pieces = [Alignment(0, 20, 0, 20, 1.0), Alignment(60, 80, 60, 80, 1.0)]  # 40 between two phrases
    assert len(merge_adjacent(short_pieces, fa, fb, max_gap=8)) == 2


def test_merge_measures_english_gaps_in_words():
    from reuse.align import merge_adjacent

    text = " ".join(f"w{i}x" for i in range(200))  # folded: 'w0xw1x...': words of 3-5 letters
    fa = fb = features(text)
    starts = fa.tokens.start.tolist()
    # 10 words, a gap of 5 words (weight 10 > 8), 10 words
    a0, a1, a2, a3 = starts[0], starts[10], starts[15], starts[25]
    items = [Alignment(a0, a1, a0, a1, 1.0), Alignment(a2, a3, a2, a3, 1.0)]
    assert len(merge_adjacent(items, fa, fb, max_gap=8)) == 1  # 10 <= 0.5 * (20 + 20)
    assert len(merge_adjacent(items, fa, fb, max_gap=8, rel=0.2)) == 2  # 10 > max(8, 0.2 * 40)


def test_align_grows_a_passage_over_densely_edited_text():
    import numpy as np

    from reuse.align import _grown, _RunChars

    a = "坚持和加强党的领导是一切工作的前提和保证做好今年党委工作必须把全面加强和改进党的领导贯穿工作全过程"
    b = list(a)
    for pos in range(24, len(b), 6):  # every sixth character changed after the first 24
        b[pos] = "某"
    b = "".join(b)
    fa, fb = features(a), features(b)
    seed = Alignment(0, 24, 0, 24, 1.0)
    grown = _grown(fa, fb, seed, _RunChars(np.array([[0, 24]]), np.array([[0, 24]])), k=4, min_score=0.6)
    assert grown.a_hi >= len(a) - 4 and grown.b_hi >= len(b) - 4
    assert 0.7 < grown.score < 1.0


def test_merge_never_bridges_more_than_a_paragraph():
    from reuse.align import MAX_BRIDGE, merge_adjacent

    fa = fb = features("甲" * 3000)
    gap = MAX_BRIDGE * 12 + 20  # two copied sections a page apart
    items = [Alignment(0, 600, 0, 600, 1.0), Alignment(600 + gap, 1200 + gap, 600 + gap, 1200 + gap, 1.0)]
    assert len(merge_adjacent(items, fa, fb, max_gap=12)) == 2
    near = [items[0], Alignment(700, 1300, 700, 1300, 1.0)]  # a 100-character rewrite between them
    assert len(merge_adjacent(near, fa, fb, max_gap=12)) == 1


def test_a_merged_passage_keeps_the_minimum_score():
    from reuse.align import merge_adjacent

    fa = fb = features("甲" * 400)
    items = [Alignment(0, 30, 0, 30, 0.6), Alignment(50, 80, 50, 80, 0.6)]  # 20-char gap: union scores 0.45
    assert merge_adjacent(items, fa, fb, max_gap=12, rel=1.0, min_score=0.5) == items
    [one] = merge_adjacent(items, fa, fb, max_gap=12, rel=1.0, min_score=0.4)
    assert one.score == 0.45


from hypothesis import given, settings as hsettings, strategies as st


@hsettings(max_examples=300, deadline=None)
@given(
    runs=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12), st.integers(0, 60), st.integers(0, 12)),
                  min_size=0, max_size=20),
    box=st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)),
    lo=st.integers(0, 70), width=st.integers(0, 40),
)
def test_run_coverage_is_the_same_as_lists_and_as_arrays(runs, box, lo, width):
    import numpy as np

    from reuse import align as aligning

    ra = np.array([(a, a + n) for a, n, _, _ in runs], dtype=np.int64).reshape(-1, 2)
    rb = np.array([(b, b + n) for _, _, b, n in runs], dtype=np.int64).reshape(-1, 2)
    box = (box[0], box[0] + box[1], box[2], box[2] + box[3])
    trimmed = (box[0] + 2, box[1] - 2, box[2] + 2, box[3] - 2)
    got = {}
    saved = aligning.SMALL
    try:
        for small in (10**6, -1):  # every region as lists, then as arrays
            aligning.SMALL = small
            rc = aligning._RunChars(ra, rb)
            got[small] = (rc.covered(0, lo, lo + width), rc.covered(1, lo, lo + width), rc.outside(box, trimmed, 4))
    finally:
        aligning.SMALL = saved
    assert got[10**6] == got[-1]
    # and the coverage is what a set of characters says
    chars = {c for s, e in ra.tolist() for c in range(max(s, lo), min(e, lo + width))}
    assert got[-1][0] == len(chars)


def _gain_by_opcodes(sa, sb):
    """``align._gain`` as it read the opcodes, one by one."""
    from rapidfuzz.distance import Indel

    score = best = 0
    at = (0, 0)
    for tag, i1, i2, j1, j2 in Indel.opcodes(sa, sb).as_list():
        n = (i2 - i1) + (j2 - j1)
        if tag == "equal":
            score += n
            if score > best:
                best, at = score, (i2, j2)
        else:
            score -= n
    return at[0], at[1], best


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet="党的建设工作abc", max_size=60), st.text(alphabet="党的建设工作abc", max_size=60))
def test_matching_blocks_are_the_equal_opcodes_and_gain_reads_them_alike(sa, sb):
    from rapidfuzz.distance import Indel

    from reuse.align import _gain

    ops = Indel.opcodes(sa, sb)
    equal = [(i1, j1, i2 - i1) for tag, i1, i2, j1, _ in ops.as_list() if tag == "equal"]
    assert [tuple(b) for b in ops.as_matching_blocks()] == [*equal, (len(sa), len(sb), 0)]
    assert _gain(sa, sb) == _gain_by_opcodes(sa, sb)


@hsettings(max_examples=200, deadline=None)
@given(
    a=st.text(alphabet="党的建设 abc12，", min_size=1, max_size=40),
    b=st.text(alphabet="党的建设 abc12，", min_size=1, max_size=40),
    spans=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), max_size=12),
    as_array=st.booleans(),
)
def test_runs_looked_up_one_by_one_are_the_runs_mapped_in_arrays(a, b, spans, as_array):
    import numpy as np

    from reuse import align as aligning

    fa, fb = features(a), features(b)
    na, nb = len(fa.tokens), len(fb.tokens)
    runs = [(min(int(x * na), int(y * na)), max(int(x * na), int(y * na)),
             min(int(u * nb), int(v * nb)), max(int(u * nb), int(v * nb))) for x, y, u, v in spans]
    given_runs = np.array(runs, dtype=np.int64).reshape(-1, 4) if as_array else runs
    rows = np.array(runs, dtype=np.int64).reshape(-1, 4)
    fast = aligning._RunChars.of_tokens(fa, fb, given_runs)
    plain = aligning._RunChars(fa.char_spans(rows[:, 0:2]), fb.char_spans(rows[:, 2:4]))
    assert fast.big == plain.big
    for side, n in ((0, len(fa.folded)), (1, len(fb.folded))):
        for lo in range(n):
            assert fast.covered(side, lo, lo + 5) == plain.covered(side, lo, lo + 5)
    box = (0, len(fa.folded), 0, len(fb.folded))
    assert fast.outside(box, (1, 2, 1, 2), 1) == plain.outside(box, (1, 2, 1, 2), 1)
    if not fast.big:
        assert (fast.pairs, fast.sa, fast.sb) == (plain.pairs, plain.sa, plain.sb)


def _matched_pieces_plainly(blocks, fa, fb, a_lo, b_lo):
    """Every equal block cut at every clause boundary of either text, in order: the plain form."""
    pieces = []
    starts_a = set(fa.boundary_positions.tolist())
    starts_b = set(fb.boundary_positions.tolist())
    for i1, j1, n in blocks:
        a0, b0 = a_lo + i1, b_lo + j1
        cuts = sorted({c for c in range(1, n) if a0 + c in starts_a or b0 + c in starts_b})
        edges = [0, *cuts, n] if n else []
        pieces += [(a0 + s, a0 + e, b0 + s, b0 + e) for s, e in zip(edges, edges[1:])]
    return pieces


@hsettings(max_examples=400, deadline=None)
@given(a=st.text(alphabet="党的建设工作，。；！ab", min_size=1, max_size=80),
       b=st.text(alphabet="党的建设工作，。；！ab", min_size=1, max_size=80),
       min_edge=st.integers(1, 6), lo=st.floats(0, 1), hi=st.floats(0, 1))
def test_inner_blocks_span_the_pieces_from_the_first_solid_to_the_last(a, b, min_edge, lo, hi):
    from rapidfuzz.distance import Indel

    from reuse.align import _covered, _inner_blocks

    fa, fb = features(a), features(b)
    a_lo, b_lo = int(lo * len(fa.folded.text)), int(hi * len(fb.folded.text))
    blocks = Indel.opcodes(fa.folded.text[a_lo:], fb.folded.text[b_lo:]).as_matching_blocks()
    pieces = _matched_pieces_plainly(blocks, fa, fb, a_lo, b_lo)
    solid = [i for i, p in enumerate(pieces) if p[1] - p[0] >= min_edge]
    got = _inner_blocks(blocks, fa, fb, a_lo, b_lo, min_edge)
    if not solid:
        assert got is None
        return
    inner = pieces[solid[0] : solid[-1] + 1]
    assert (got[0][0], got[-1][1], got[0][2], got[-1][3]) == (inner[0][0], inner[-1][1], inner[0][2], inner[-1][3])
    assert sum(p[1] - p[0] for p in got) == sum(p[1] - p[0] for p in inner)
    # whole blocks cover what their pieces cover, on both sides
    for side, text in ((0, fa.folded.text), (2, fb.folded.text)):
        spans = lambda ps: [(p[side], p[side + 1]) for p in ps]  # noqa: E731
        for s in range(len(text) + 1):
            assert _covered(spans(got), s, s + 7) == _covered(spans(inner), s, s + 7)


@hsettings(max_examples=300, deadline=None)
@given(a=st.text(alphabet="党的建设 word，。", min_size=40, max_size=300),
       b=st.text(alphabet="党的建设 word，。", min_size=40, max_size=300), data=st.data())
def test_passages_told_far_apart_group_as_the_full_splitting_groups_them(a, b, data):
    """The shortcut for passages no bridge can join gives the groups the splitting and joining give."""
    import pytest

    import reuse.align as aligning

    fa, fb = extract(document(a, "a"), Settings()), extract(document(b, "b"), Settings())
    n, m = len(fa.folded), len(fb.folded)
    if n < 4 or m < 4:
        return
    items = []
    for _ in range(data.draw(st.integers(1, 7))):
        a_lo, b_lo = data.draw(st.integers(0, n - 2)), data.draw(st.integers(0, m - 2))
        a_hi = data.draw(st.integers(a_lo + 1, min(n, a_lo + 40)))
        b_hi = data.draw(st.integers(b_lo + 1, min(m, b_lo + 40)))
        items.append(Alignment(a_lo, a_hi, b_lo, b_hi, 1.0))
    items = one_to_one(items)
    max_gap = data.draw(st.sampled_from([0, 3, 12]))
    quick = aligning._groups(items, fa, fb, max_gap=max_gap, rel=aligning.MERGE_REL)
    told_apart = aligning._far_apart(sorted(items, key=lambda x: x.a_lo), fa, max_gap=max_gap, rel=aligning.MERGE_REL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aligning, "_far_apart", lambda *a, **k: False)
        full = aligning._groups(items, fa, fb, max_gap=max_gap, rel=aligning.MERGE_REL)
    key = lambda groups: sorted(sorted((x.a_lo, x.b_lo) for x in g) for g in groups)  # noqa: E731
    assert key(quick) == key(full)
    if told_apart:
        assert [[x] for x in sorted(items, key=lambda x: (x.a_lo, x.b_lo))] == quick
