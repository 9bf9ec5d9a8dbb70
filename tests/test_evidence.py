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
