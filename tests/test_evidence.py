"""The verdict's evidence measure: its quick forms against the plain ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from reuse.tiers.verdict import _found_in

_hashes = st.lists(st.integers(0, 40) | st.integers(0, 2**64 - 1), max_size=120)


@hsettings(max_examples=300, deadline=None)
@given(values=_hashes, other=_hashes)
def test_found_in_is_isin(values, other):
    a, b = np.array(values, dtype=np.uint64), np.array(other, dtype=np.uint64)
    assert _found_in(a, b).tolist() == np.isin(a, b).tolist()


def _features(text: str, unit: str):
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.ingest import document

    return extract(document(text, "d.txt"), Settings(unit=unit))


_TEXTS = {
    "char": "同志们：全面从严治党永远在路上，党风廉政建设和反腐败斗争永远在路上。我们要坚持以人民为中心的发展思想，"
            "推进基层党组织建设，落实管党治党政治责任。",
    "word": "The committee met on Monday to review the draft report, and the draft report was revised twice "
            "before the committee approved it on Friday with two amendments.",
}


@hsettings(max_examples=200, deadline=None)
@given(unit=st.sampled_from(["char", "word"]), cuts=st.lists(st.integers(0, 200), min_size=2, max_size=2),
       k=st.integers(1, 5))
def test_long_shingles_sliced_from_the_document_are_those_of_the_passage(unit, cuts, k):
    from reuse.shingle import shingle_hashes
    from reuse.tiers.families import long_hashes
    from reuse.tiers.verdict import _long_within

    feat = _features(_TEXTS[unit], unit)
    lo, hi = sorted(min(c, len(feat.tokens)) for c in cuts)
    want = shingle_hashes(feat.tokens.hash[lo:hi], 2 * k).tolist()
    assert _long_within(feat, long_hashes(feat, k), lo, hi, 2 * k).tolist() == want
    assert _long_within(feat, None, lo, hi, 2 * k).tolist() == want


@hsettings(max_examples=150, deadline=None)
@given(picks=st.lists(st.tuples(st.sampled_from(["char", "word"]), st.integers(0, 200)), min_size=0, max_size=6),
       k=st.integers(1, 6))
def test_long_hashes_of_all_are_each_documents_long_hashes(picks, k):
    from reuse.tiers.families import long_hashes, long_hashes_of_all

    feats = [_features(_TEXTS[unit][:n] or "。", unit) for unit, n in picks]
    got = long_hashes_of_all(feats, k)
    assert [g.tolist() for g in got] == [long_hashes(f, k).tolist() for f in feats]


@hsettings(max_examples=300, deadline=None)
@given(values=_hashes, other=_hashes, df=st.lists(st.integers(1, 400), min_size=120, max_size=120))
def test_shared_specificity_is_specificity_of_the_shingles_found(values, other, df):
    from reuse.tiers.verdict import _shared_specificity, specificity

    a, b = np.array(values, dtype=np.uint64), np.array(other, dtype=np.uint64)
    df = np.array(df[: len(a)], dtype=np.int32)
    assert _shared_specificity(a, b, df) == specificity(df[_found_in(a, b)])


_PIECES = ["全面从严治党永远在路上，", "党风廉政建设和反腐败斗争", "the draft report was revised twice ", "2019年",
           "推进基层党组织建设，", "review the draft", "落实管党治党政治责任。", "the committee"]


@hsettings(max_examples=150, deadline=None)
@given(docs=st.lists(st.lists(st.integers(0, len(_PIECES) - 1), max_size=8), max_size=6),
       unit=st.sampled_from(["char", "word"]), shingle=st.integers(1, 8))
def test_long_shingles_counted_only_where_their_k_shingles_repeat_get_every_count_right(docs, unit, shingle):
    from reuse.candidates import shingle_doc_freq
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.ingest import document
    from reuse.tiers.families import long_hashes_of_all, long_k, long_may_repeat

    settings = Settings(unit=unit, shingle=shingle)
    feats = [extract(document("".join(_PIECES[i] for i in picks) or "。", f"{n}.txt"), settings)
             for n, picks in enumerate(docs)]
    K = 2 * long_k(settings)
    long = long_hashes_of_all(feats, long_k(settings))
    may = long_may_repeat(shingle_doc_freq([f.shingles for f in feats]), long, shingle, K)
    want = shingle_doc_freq(long)
    assert (may is None) == (K < shingle)
    if may is not None:
        assert [m.shape for m in may] == [w.shape for w in want]
        assert all((w[~m] == 1).all() for w, m in zip(want, may))  # what is left out stands in one document
        assert [g.tolist() for g in shingle_doc_freq(long, may)] == [w.tolist() for w in want]


def test_known_boilerplate_leaves_its_long_shingles_counted_in_every_document():
    """--exclude makes the boilerplate's k-shingles unique but not its tokens: its long shingles still stand in
    every document, so the count must not trust the k-shingles there (it would call them unique)."""
    from reuse.candidates import shingle_doc_freq
    from reuse.config import Settings
    from reuse.exclude import without
    from reuse.features import extract
    from reuse.ingest import document
    from reuse.pipeline import _long_doc_freq
    from reuse.tiers.families import long_hashes_of_all, long_k

    notice = "本文来源于某某网站，仅供学习交流使用，版权归原作者所有。"
    bodies = ["全面从严治党永远在路上。", "推进基层党组织建设。", "落实管党治党政治责任。"]
    plain = Settings()
    feats = [extract(document(notice + body, f"{n}.txt"), plain) for n, body in enumerate(bodies)]
    boilerplate = extract(document(notice, "notice.txt"), plain).shingles
    salted = [without(f, np.unique(boilerplate), salt=n) for n, f in enumerate(feats)]
    short = shingle_doc_freq([f.shingles for f in salted])
    long = long_hashes_of_all(salted, long_k(plain))
    want = shingle_doc_freq(long)
    assert int(want[0][0]) == 3  # the notice's first long shingle, in all three documents
    got = _long_doc_freq(long, short, Settings(exclude=("notice.txt",)))
    assert [g.tolist() for g in got] == [w.tolist() for w in want]
    trusted = _long_doc_freq(long, short, plain)  # what trusting the unique k-shingles would say
    assert int(trusted[0][0]) == 1


_PARAGRAPH = ("全面从严治党永远在路上，党风廉政建设和反腐败斗争永远在路上。我们要坚持以人民为中心的发展思想，推进基层党组织建设，"
              "落实管党治党政治责任，把全面从严治党的要求贯穿到党的建设各个方面，以党风廉政建设的新成效取信于民。")


def _plain_kinds(alignments, fa, fb, df, groups, *, k, min_evidence, min_run):
    """The verdict as the module docstring defines it: strength or longest run, then neighbourhoods lift."""
    from reuse.tiers import verdict

    def strength(al):
        return verdict.evidence(fa, fb, df, al, k).strength

    def copy(al):
        length = min(fa.weight_between(al.a_lo, al.a_hi), fb.weight_between(al.b_lo, al.b_hi))
        if length * al.score < min_evidence and length < min_run:
            return False
        longest = verdict.longest_run(fa, fb, al.a_lo, al.a_hi, al.b_lo, al.b_hi)
        return strength(al) >= min_evidence or (fa.weight_between(al.a_lo, al.a_hi) >= min_run and longest >= min_run)

    out = ["copy" if copy(al) else "phrase" for al in alignments]
    if len(alignments) > 1 and "phrase" in out:
        for group in groups:
            if len(group) > 1 and any(out[n] == "phrase" for n in group):
                if sum(strength(alignments[n]) for n in group) >= min_evidence:
                    for n in group:
                        out[n] = "copy"
    return out


@hsettings(max_examples=300, deadline=None)
@given(edits=st.lists(st.integers(0, len(_PARAGRAPH) - 1), max_size=6),
       cuts=st.lists(st.tuples(st.integers(0, len(_PARAGRAPH)), st.integers(0, len(_PARAGRAPH)),
                               st.floats(0.5, 1.0) | st.just(1.0)), min_size=1, max_size=4),
       df=st.lists(st.sampled_from([2, 3, 300]), min_size=8, max_size=8), min_run=st.integers(8, 80),
       min_evidence=st.floats(5, 120), grouped=st.booleans())
def test_kinds_measuring_the_longest_run_first_is_the_verdict_as_defined(edits, cuts, df, min_run, min_evidence,
                                                                          grouped):
    """Near-exact copies are judged by their longest run before their seeds are looked up: only the cost moves."""
    from reuse.align import Alignment
    from reuse.tiers import verdict

    fa = _features(_PARAGRAPH, "char")
    edited = "".join("改" if i in set(edits) else ch for i, ch in enumerate(_PARAGRAPH))
    fb = _features(edited, "char")
    n_a, n_b = len(fa.folded.text), len(fb.folded.text)
    alignments = [Alignment(min(lo, hi, n_a), min(max(lo, hi), n_a), min(lo, hi, n_b), min(max(lo, hi), n_b), round(s, 4))
                  for lo, hi, s in cuts]
    dfs = np.resize(np.array(df, dtype=np.int32), len(fa.shingles))
    groups = [list(range(len(alignments)))] if grouped else [[n] for n in range(len(alignments))]
    args = dict(k=4, min_evidence=min_evidence, min_run=min_run)
    assert verdict.kinds(alignments, fa, fb, dfs, groups, **args) == _plain_kinds(alignments, fa, fb, dfs, groups, **args)


def test_a_near_exact_copy_with_a_long_run_needs_no_seed_lookup(monkeypatch):
    from reuse.align import Alignment
    from reuse.tiers import verdict

    fa = fb = _features(_PARAGRAPH, "char")
    al = Alignment(0, len(fa.folded.text), 0, len(fb.folded.text), 1.0)
    common = np.full(len(fa.shingles), 300, dtype=np.int32)  # a string of formulas by its seeds alone:
    common[::8] = 2  # those across word joins in these two only
    looked_up = []
    measure = verdict.evidence
    monkeypatch.setattr(verdict, "evidence", lambda *a, **kw: looked_up.append(1) or measure(*a, **kw))
    assert verdict.kinds([al], fa, fb, common, [[0]], k=4, min_evidence=30, min_run=50) == ["copy"]
    assert not looked_up
    assert verdict.kinds([al], fa, fb, common, [[0]], k=4, min_evidence=30, min_run=10_000) == ["phrase"]
    assert looked_up
