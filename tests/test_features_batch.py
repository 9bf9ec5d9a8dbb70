"""extract_many against extract, document by document: the batch must change nothing."""

from dataclasses import replace

import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from reuse.config import Settings
from reuse.features import Features, extract, extract_many
from reuse.ingest import document
from reuse.model import Span

_PIECES = st.sampled_from([
    "党的建设", "全面从严治党", "黨的建設", "經濟發展", "２０２０年", "１２３", "2023", "3.5", "GDP", "Hello", "world",
    "réforme", "ﬁle", "…", "㈱", "，", "。", "、", "；", "：", "“", "”", "！", " ", "  ", "\u3000", "\n", "\n\n", "\t",
    "e\u0301", "中", "a", "7",
])
_TEXT = st.one_of(
    st.lists(_PIECES, max_size=30).map("".join),
    st.lists(st.sampled_from([" ", "，", "。", "\n", "“", "”", "\u3000"]), min_size=1, max_size=6).map("".join),
    st.sampled_from(list("党黨a7，。 Ⅻ…")),
)


def assert_same(got: Features, want: Features) -> None:
    assert got.folded.text == want.folded.text
    pairs = [(got.folded.origin, want.folded.origin), (got.folded.cls, want.folded.cls),
             (got.folded.word_start, want.folded.word_start), (got.folded.boundary, want.folded.boundary),
             (got.tokens.start, want.tokens.start), (got.tokens.end, want.tokens.end),
             (got.tokens.hash, want.tokens.hash), (got.tokens.weight, want.tokens.weight),
             (got.shingles, want.shingles), (got.units, want.units), (got.shingle_len, want.shingle_len),
             (got.cum, want.cum)]
    for field, (a, b) in enumerate(pairs):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), field


@hsettings(max_examples=300, deadline=None)
@given(texts=st.lists(_TEXT, min_size=1, max_size=8), unit=st.sampled_from(["char", "word"]),
       simplify=st.booleans(), fold_digits=st.booleans(), k=st.sampled_from([1, 2, 4, 7]),
       min_length=st.sampled_from([1, 3, 12]))
def test_extract_many_is_extract_for_each_document(texts, unit, simplify, fold_digits, k, min_length):
    settings = Settings(unit=unit, simplify=simplify, fold_digits=fold_digits, shingle=k, min_length=min_length)
    documents = [document(text, f"{n}.txt") for n, text in enumerate(texts)]
    got = extract_many(documents, settings)
    assert len(got) == len(documents)
    for feat, doc in zip(got, documents):
        assert_same(feat, extract(doc, settings))


def test_extract_many_of_nothing():
    assert extract_many([], Settings()) == []


def test_units_sorted_and_unique_per_document_when_sentences_repeat():
    # documents from text never repeat a sentence start; one given its spans must still get np.unique's units,
    # and its neighbours theirs unsorted
    settings = Settings(min_length=2, shingle=2)
    text = "全面从严治党永远在路上，党的建设。"
    repeated = replace(document(text, "b.txt"), sentences=(Span(6, 17), Span(0, 11), Span(0, 11), Span(0, 5)))
    documents = [document(text, "a.txt"), repeated, document(text, "c.txt")]
    for feat, doc in zip(extract_many(documents, settings), documents):
        assert_same(feat, extract(doc, settings))
    assert extract(repeated, settings).units.tolist() == [[0, 5], [0, 11], [6, 15]]


def test_documents_beyond_a_batch_are_extracted_in_several(monkeypatch):
    import reuse.features

    monkeypatch.setattr(reuse.features, "BATCH_CHARS", 40)
    settings = Settings()
    texts = ["全面从严治党永远在路上，党的建设。", "Hello world, 2020年。", "，。", "黨的建設" * 20, "a", "党的建设新的伟大工程"]
    documents = [document(text, f"{n}.txt") for n, text in enumerate(texts)]
    got = extract_many(documents, settings)
    assert len(got) == len(documents)
    for feat, doc in zip(got, documents):
        assert_same(feat, extract(doc, settings))


@hsettings(max_examples=200, deadline=None)
@given(texts=st.lists(_TEXT, min_size=1, max_size=5), unit=st.sampled_from(["char", "word"]), data=st.data())
def test_token_spans_in_original_are_each_rows_original_span(texts, unit, data):
    from reuse.features import token_spans_in_original

    docs = [document(t, f"d{n}") for n, t in enumerate(texts) if t.strip()]
    features = [extract(d, Settings(unit=unit)) for d in docs]
    if not any(len(f.tokens) for f in features):
        return
    rows = []
    for _ in range(data.draw(st.integers(0, 20))):
        d = data.draw(st.sampled_from([n for n, f in enumerate(features) if len(f.tokens)]))
        lo = data.draw(st.integers(0, len(features[d].tokens) - 1))
        rows.append((d, lo, data.draw(st.integers(lo + 1, len(features[d].tokens)))))
    doc, lo, hi = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    got = token_spans_in_original(features, doc, lo, hi)
    assert got.tolist() == [list(features[d].original_span(*features[d].char_span(a, b))) for d, a, b in rows]
    for (d, _, _), (start, end) in zip(rows, got.tolist()):
        assert 0 <= start < end <= len(docs[d].text)
