import numpy as np
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from reuse.model import COPY, PHRASE, QUOTE, TEMPLATE, Cluster, Document, Passage, Phrase, Template
from reuse.normalize import solid
from reuse.score import _counted_before, _counts, _kinds, score


def doc(i, text):
    return Document(i, i, text, "utf-8", sum(not c.isspace() for c in text))


def test_ratios_count_non_whitespace_and_unions():
    a = doc("a", "0123456789" * 2)  # 20 chars
    b = doc("b", "abcde fghij")  # 10 solid chars
    c = doc("c", "zzzzzzzzzz")
    passages = [
        Passage("a", 0, 10, "b", 0, 5, 1.0, "", ""),
        Passage("a", 5, 15, "c", 0, 10, 1.0, "", ""),
    ]
    pairs, stats = score([a, b, c], passages)
    by_id = {s.id: s for s in stats}
    assert by_id["a"].reuse_ratio == 0.75  # 0..15 of 20
    assert by_id["a"].top_source.id == "b"  # ties (10 vs 10) go to the first id
    assert by_id["b"].reuse_ratio == 0.5
    assert by_id["c"].top_source.ratio == 1.0
    ab = next(p for p in pairs if (p.a, p.b) == ("a", "b"))
    assert (ab.a_shared_chars, ab.b_shared_chars, ab.passages) == (10, 5, 1)
    assert ab.similarity == round(15 / 30, 4)


def test_document_without_passages_has_no_source():
    _, stats = score([doc("a", "text")], [])
    assert stats[0].reuse_ratio == 0.0 and stats[0].top_source is None


# -- the array forms against the plain one: a boolean mask per kind, as score was first written -------------


def _mask(size, spans):
    m = np.zeros(size, dtype=bool)
    for s, e in spans:
        m[s:e] = True
    return m


def _parts_plainly(text, family, recurring, aligned, quoted, copied, phrased):
    """Template, quote, copy and phrase masks of one document: each kind less the kinds that claim first."""
    solid_ = solid(text)
    fam, in_passages, copy_raw = (_mask(len(text), x) & solid_ for x in (family, aligned, copied))
    templated = (fam & (_mask(len(text), recurring) | in_passages)) | (in_passages & ~copy_raw)
    quote = _mask(len(text), quoted) & solid_ & ~fam & ~templated
    copy = copy_raw & ~fam & ~quote & ~templated
    phrase = _mask(len(text), phrased) & solid_ & ~fam & ~templated & ~quote & ~copy
    return templated, quote, copy, phrase


_TEXT = st.lists(st.sampled_from(["党的建设", "一、总体要求", "（一）", " ", "\n", "\u3000", "。", "ab cd"]), min_size=1,
                 max_size=30).map("".join)


@st.composite
def _spans(draw, text):
    def span():
        s = draw(st.integers(0, len(text)))
        return s, draw(st.integers(s, len(text)))

    return [span() for _ in range(draw(st.integers(0, 4)))]


@hsettings(max_examples=400, deadline=None)
@given(data=st.data(), text=_TEXT)
def test_kinds_count_what_the_plain_masks_count(data, text):
    family, aligned, quoted, copied, phrased = (data.draw(_spans(text)) for _ in range(5))
    recurring = family[: data.draw(st.integers(0, len(family)))]  # the members another document holds too
    kinds = _kinds(solid(text), family, recurring, aligned, quoted, copied, phrased)
    parts = _parts_plainly(text, family, recurring, aligned, quoted, copied, phrased)
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    for a, b in ((0, len(text)), (lo, hi)):  # the whole document and one section
        assert _counts(kinds[a:b]).tolist() == [int(np.count_nonzero(m[a:b])) for m in parts]


@hsettings(max_examples=300, deadline=None)
@given(data=st.data(), text=_TEXT, include_templates=st.booleans())
def test_a_pairs_counted_characters_are_solid_and_neither_quotation_nor_template(data, text, include_templates):
    quoted, family = data.draw(_spans(text)), data.draw(_spans(text))
    counted = solid(text) & ~_mask(len(text), quoted) & (True if include_templates else ~_mask(len(text), family))
    want = np.concatenate([[0], np.cumsum(counted)])
    got = _counted_before(solid(text), quoted, [] if include_templates else family)
    assert got.tolist() == want.tolist()


@st.composite
def _scored(draw):
    texts = draw(st.lists(_TEXT, min_size=1, max_size=4))
    docs = [doc(f"d{n}", t) for n, t in enumerate(texts)]

    def place():
        d = draw(st.sampled_from(docs))
        s = draw(st.integers(0, len(d.text)))
        return d.id, s, draw(st.integers(s, len(d.text)))

    passages = []
    for _ in range(draw(st.integers(0, 6))):
        (a, a0, a1), (b, b0, b1) = sorted([place(), place()])
        kind = draw(st.sampled_from([COPY, TEMPLATE, QUOTE, PHRASE]))
        passages.append(Passage(a, a0, a1, b, b0, b1, 1.0, "", "", kind=kind,
                                template="t1" if kind == TEMPLATE else None))
    templates = [Template(f"t{n}", "formula", "", draw(st.integers(1, 3)),
                          tuple(place() for _ in range(draw(st.integers(1, 3))))) for n in range(draw(st.integers(0, 2)))]
    phrases = [Phrase(f"p{n}", "", 2, tuple(place() for _ in range(2))) for n in range(draw(st.integers(0, 2)))]
    clusters = [Cluster(f"c{n}", 3, tuple(place() for _ in range(3)), None) for n in range(draw(st.integers(0, 1)))]
    return docs, passages, templates, phrases, clusters


def _in(passages, kinds, doc_id):
    """The spans in ``doc_id`` of the passages of ``kinds``, on either side."""
    return ([(p.a_start, p.a_end) for p in passages if p.kind in kinds and p.a == doc_id]
            + [(p.b_start, p.b_end) for p in passages if p.kind in kinds and p.b == doc_id])


def _members_in(groups, doc_id):
    return [(a, b) for g in groups for d, a, b in g.members if d == doc_id]


@hsettings(max_examples=300, deadline=None)
@given(case=_scored(), include_templates=st.booleans())
def test_score_counts_what_the_plain_masks_count(case, include_templates):
    docs, passages, templates, phrases, clusters = case
    pairs, stats = score(docs, passages, templates, phrases, clusters, include_templates=include_templates)
    for d, s in zip(docs, stats):
        shared = [t for t in templates if max(t.doc_count, len({m[0] for m in t.members})) > 1]
        parts = _parts_plainly(d.text, _members_in(templates, d.id), _members_in(shared, d.id),
                               _in(passages, {TEMPLATE}, d.id), _in(passages, {QUOTE}, d.id),
                               _in(passages, {COPY}, d.id) + _members_in(clusters, d.id), _members_in(phrases, d.id))
        want = [round(int(np.count_nonzero(m)) / d.chars, 4) if d.chars else 0.0 for m in parts]
        assert [s.template_ratio, s.quote_ratio, s.copy_ratio, s.phrase_ratio] == want
        assert s.reuse_ratio == round(sum(want), 4)
    # a pair counts the union of its copies (and template passages, when included) on each side, less
    # quotations and (unless included) template family text
    texts = {d.id: d.text for d in docs}
    kinds = {COPY, TEMPLATE} if include_templates else {COPY}
    for p in pairs:
        items = [q for q in passages if (q.a, q.b) == (p.a, p.b)]
        for doc_id, got, spans in ((p.a, p.a_shared_chars, [(q.a_start, q.a_end) for q in items if q.kind in kinds]),
                                   (p.b, p.b_shared_chars, [(q.b_start, q.b_end) for q in items if q.kind in kinds])):
            text = texts[doc_id]
            excluded = _in(passages, {QUOTE}, doc_id) + ([] if include_templates else _members_in(templates, doc_id))
            counted = solid(text) & ~_mask(len(text), excluded)
            assert got == int(np.count_nonzero(counted & _mask(len(text), spans)))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_scored(), include_templates=st.booleans(), workers=st.integers(2, 3))
def test_documents_measured_in_slices_on_several_workers_score_as_in_one(case, include_templates, workers,
                                                                           monkeypatch):
    from reuse import score as score_module
    from reuse.engine import LocalEngine

    docs, passages, templates, phrases, clusters = case
    alone = score(docs, passages, templates, phrases, clusters, include_templates=include_templates)
    with monkeypatch.context() as patch:
        patch.setattr(score_module, "SIDE_BY_SIDE", 0)  # these few characters too
        side_by_side = score(docs, passages, templates, phrases, clusters, include_templates=include_templates,
                             engine=LocalEngine(workers))
    assert side_by_side == alone


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(0, 50), max_size=12), n=st.integers(1, 4))
def test_slices_are_runs_of_every_document_in_order(sizes, n, monkeypatch):
    from reuse import score as score_module
    from reuse.score import _Marks, _slices

    marks = [(doc(f"d{i}", "字" * size), _Marks([], [], [], [], [(0, 1)] if size else [], [], []))
             for i, size in enumerate(sizes)]
    slices = _slices(marks, n)
    assert [i for s in slices for i in s] == list(range(len(marks)))
    assert len(slices) <= 1  # a few characters are measured in one run
    with monkeypatch.context() as patch:
        patch.setattr(score_module, "SIDE_BY_SIDE", 0)
        slices = _slices(marks, n)
    assert [i for s in slices for i in s] == list(range(len(marks)))
    assert len(slices) <= max(1, n) and all(slices)
