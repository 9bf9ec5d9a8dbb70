from reuse.align import Alignment, align, one_to_one
from reuse.candidates import Region
from reuse.config import Settings
from reuse.features import extract
from reuse.ingest import Found
from reuse.model import Document
from reuse import segment


def features(text):
    paras = segment.paragraphs(text)
    doc = Document("x", "x", text, "utf-8", len(text), tuple(paras), tuple(segment.sentences(text, paras)))
    return extract(doc, Settings())


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
