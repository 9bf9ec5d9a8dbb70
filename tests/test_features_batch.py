"""extract_many against the plain per-document form, document by document: the batch must change nothing."""

from dataclasses import replace

import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from reuse.config import Settings
from reuse.features import Features, extract, extract_many
from reuse.ingest import document
from reuse.model import Document, Span
from reuse.normalize import Folded, fold
from reuse.shingle import Tokens, shingle_ends, shingle_hashes, tokenize


def _extract_plainly(doc: Document, settings: Settings) -> Features:
    """One document's features computed from it alone: the plain form ``extract_many`` is held to."""
    folded = fold(doc.text, simplify=settings.simplify, fold_digits=settings.fold_digits)
    tokens = tokenize(folded, unit=settings.unit)
    k, n = settings.shingle, len(tokens)
    if n and int(tokens.weight.max()) == 1:  # every token one character (Chinese text, char unit)
        shingles = shingle_hashes(tokens.hash, k)
        cum, size = np.arange(n + 1, dtype=np.int32), np.full(max(0, n - k + 1), k, dtype=np.uint8)
    else:
        ends = shingle_ends(tokens.weight, k)
        shingles = shingle_hashes(tokens.hash, k, tokens.weight, ends=ends)
        cum = np.concatenate([[0], np.cumsum(tokens.weight, dtype=np.int32)]).astype(np.int32)
        size = (ends - np.arange(len(ends))).astype(np.uint8)
    return Features(folded, tokens, shingles, _units_plainly(doc, folded, tokens, cum, settings), size, cum)


def _units_plainly(doc: Document, folded: Folded, tokens: Tokens, cum: np.ndarray, settings: Settings) -> np.ndarray:
    spans = doc.sentences
    if not spans or not len(tokens):
        return np.zeros((0, 2), dtype=np.int64)
    bounds = np.array([(s.start, s.end) for s in spans], dtype=np.int64)
    token_origin = folded.origin[tokens.start]
    lo = np.searchsorted(token_origin, bounds[:, 0], side="left")
    hi = np.searchsorted(token_origin, bounds[:, 1], side="left")
    keep = (cum[hi] - cum[lo]) >= max(settings.min_length, settings.shingle)
    units = np.stack([lo[keep], hi[keep]], axis=1)
    # sentences come in order: with distinct starts the units are already what np.unique would give
    if np.all(np.diff(units[:, 0]) > 0):
        return units
    return np.unique(units, axis=0).reshape(-1, 2)


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
        assert_same(feat, _extract_plainly(doc, settings))


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
        assert_same(feat, _extract_plainly(doc, settings))
    assert extract(repeated, settings).units.tolist() == [[0, 5], [0, 11], [6, 15]]
    assert_same(extract(repeated, settings), _extract_plainly(repeated, settings))


def test_documents_beyond_a_batch_are_extracted_in_several(monkeypatch):
    import reuse.features

    monkeypatch.setattr(reuse.features, "BATCH_CHARS", 40)
    settings = Settings()
    texts = ["全面从严治党永远在路上，党的建设。", "Hello world, 2020年。", "，。", "黨的建設" * 20, "a", "党的建设新的伟大工程"]
    documents = [document(text, f"{n}.txt") for n, text in enumerate(texts)]
    got = extract_many(documents, settings)
    assert len(got) == len(documents)
    for feat, doc in zip(got, documents):
        assert_same(feat, _extract_plainly(doc, settings))


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


@hsettings(max_examples=200, deadline=None)
@given(text=_TEXT, unit=st.sampled_from(["char", "word"]), k=st.sampled_from([1, 4, 7]))
def test_extract_of_one_document_is_its_plain_features(text, unit, k):
    settings = Settings(unit=unit, shingle=k)
    doc = document(text, "a.txt")
    assert_same(extract(doc, settings), _extract_plainly(doc, settings))


def test_a_read_batch_travels_as_a_few_arrays_and_arrives_the_same(tmp_path):
    """A forked reader's batch pickles as its batches' arrays, not a dozen buffers per document, and the
    documents, reasons and features unpickled are the ones read."""
    import pickle

    from reuse import pipeline
    from reuse.ingest import discover
    from conftest import make_doc, seed_text

    for n, name in enumerate(("000", "001", "002", "003", "004") * 4):
        make_doc(tmp_path, f"{n:02d}.txt", seed_text(name)[n * 7:])
    (tmp_path / "empty.txt").write_bytes(b"")
    found, _ = discover([str(tmp_path)], (".txt",))
    read = pipeline._read_batch((found, Settings()))
    buffers: list = []
    moved = pickle.loads(pickle.dumps(read, protocol=5, buffer_callback=buffers.append), buffers=buffers)
    assert len(buffers) <= 16 * len(read.batches) < 20 * 11  # the batches' arrays, not a dozen per document
    assert len(moved) == len(read) == 21 and sum(why is not None for _, why, _ in moved) == 1
    for (doc, why, feat), (doc2, why2, feat2) in zip(read, moved):
        assert doc == doc2 and why == why2
        if feat is not None:
            assert_same(feat2, feat)
