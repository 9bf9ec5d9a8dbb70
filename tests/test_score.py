from reuse.model import Document, Passage
from reuse.score import score


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


# -- the plain form: a boolean mask per kind and document, as score was first written ----------------

from collections import defaultdict  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

from reuse import segment  # noqa: E402
from reuse.model import (COPY, PHRASE, QUOTE, TEMPLATE, Cluster, DocumentStats, Pair, Phrase, Section,  # noqa: E402
                         Source, Template)
from reuse.normalize import solid  # noqa: E402
from reuse.score import _ratio, _total  # noqa: E402


class Coverage:
    """Character masks of one document: what is shared, and as what kind."""

    def __init__(self, text: str):
        self.solid = solid(text)
        self.template = np.zeros(len(text), dtype=bool)
        self.quote = np.zeros(len(text), dtype=bool)
        self.recurring = np.zeros(len(text), dtype=bool)  # shared text found without a pair passage too
        self._prefix: tuple[bool, np.ndarray] | None = None

    def mask(self, spans: Iterable[tuple[int, int]]) -> np.ndarray:
        m = np.zeros(len(self.solid), dtype=bool)
        for s, e in spans:
            m[s:e] = True
        return m & self.solid

    def count(self, mask: np.ndarray, lo: int = 0, hi: int | None = None) -> int:
        return int(np.count_nonzero(mask[lo:hi]))

    def prefix(self, include_templates: bool) -> np.ndarray:
        """``prefix[i]``: counted characters before ``i``: solid, neither quotation nor (unless included) template."""
        if self._prefix is None or self._prefix[0] != include_templates:
            counted = self.solid & ~self.quote if include_templates else self.solid & ~self.template & ~self.quote
            self._prefix = (include_templates, np.concatenate([[0], np.cumsum(counted, dtype=np.int64)]))
        return self._prefix[1]


def _union_count(prefix: np.ndarray, spans: Iterable[tuple[int, int]]) -> int:
    """Counted characters (by ``prefix``) in the union of ``spans``: no mask of the whole text per pair."""
    total, reach = 0, 0
    for s, e in sorted(spans):
        s = max(s, reach)
        if e > s:
            total += int(prefix[e] - prefix[s])
            reach = e
    return total


def _plain_score(documents: Sequence[Document], passages: Sequence[Passage], templates: Sequence[Template] = (),
          phrases: Sequence[Phrase] = (), clusters: Sequence[Cluster] = (), *,
          include_templates: bool = False) -> tuple[list[Pair], list[DocumentStats]]:
    """Pairs (closest first) and per-document stats (in document order).

    Every shared character counts once, as the first of template, quote,
    copy and phrase that claims it, so the four ratios add up to
    ``reuse_ratio``. Pairs count copying only (and template text when
    ``include_templates``).
    """
    cover = {doc.id: Coverage(doc.text) for doc in documents}
    copied: dict[str, list[tuple[int, int]]] = defaultdict(list)
    phrased: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for t in templates:
        # found in several documents (a library family may have one member in this check's documents)
        shared = max(t.doc_count, len({doc for doc, _, _ in t.members})) > 1
        for doc, start, end in t.members:
            cover[doc].template[start:end] = True
            if shared:
                cover[doc].recurring[start:end] = True
    for c in clusters:
        for doc, start, end in c.members:
            copied[doc].append((start, end))
    for ph in phrases:
        for doc, start, end in ph.members:
            phrased[doc].append((start, end))
    by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    aligned: dict[str, list[tuple[int, int]]] = defaultdict(list)  # template passages' spans, per document
    for p in passages:
        if p.kind == TEMPLATE:
            aligned[p.a].append((p.a_start, p.a_end))
            aligned[p.b].append((p.b_start, p.b_end))
        if p.kind == QUOTE:
            cover[p.a].quote[p.a_start:p.a_end] = True
            cover[p.b].quote[p.b_start:p.b_end] = True
        elif p.kind == COPY:
            copied[p.a].append((p.a_start, p.a_end))
            copied[p.b].append((p.b_start, p.b_end))
        if p.kind == COPY or (include_templates and p.kind == TEMPLATE):
            by_pair[(p.a, p.b)].append(p)
    chars = {doc.id: doc.chars for doc in documents}
    pairs = []
    shared_with: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), items in by_pair.items():
        a_shared = _union_count(cover[a].prefix(include_templates), [(p.a_start, p.a_end) for p in items])
        b_shared = _union_count(cover[b].prefix(include_templates), [(p.b_start, p.b_end) for p in items])
        if not a_shared and not b_shared:
            continue
        pairs.append(Pair(a, b, _ratio(a_shared + b_shared, chars[a] + chars[b]), a_shared, b_shared, len(items)))
        shared_with[a].append((a_shared, b))
        shared_with[b].append((b_shared, a))
    pairs.sort(key=lambda p: (-p.similarity, -(p.a_shared_chars + p.b_shared_chars), p.a, p.b))
    stats = []
    for doc in documents:
        c = cover[doc.id]
        # family text counts as shared where another document holds it too (a watermark of one document
        # is not shared) and is never copy; a template passage's edges are template where no copy claims them
        family = c.template & c.solid
        in_passages = c.mask(aligned[doc.id])
        copy_raw = c.mask(copied[doc.id])
        templated = (family & (c.recurring | in_passages)) | (in_passages & ~copy_raw)
        quoted = c.quote & c.solid & ~family & ~templated
        copy = copy_raw & ~family & ~quoted & ~templated
        phrase = c.mask(phrased[doc.id]) & ~family & ~templated & ~quoted & ~copy
        parts = (templated, quoted, copy, phrase)
        top = None
        if shared_with[doc.id]:
            # most shared characters; ties go to the first id, for stable output
            shared, other = min(shared_with[doc.id], key=lambda t: (-t[0], t[1]))
            if shared:
                top = Source(other, _ratio(shared, doc.chars))
        sections = []
        for title, span in segment.sections(doc.text, list(doc.paragraphs)):
            solid_chars = c.count(c.solid, span.start, span.end)
            t, q, cp, ph = (_ratio(c.count(m, span.start, span.end), solid_chars) for m in parts)
            sections.append(Section(title=doc.text[title.start:title.end], start=span.start, end=span.end,
                                    reuse_ratio=_total(t, q, cp, ph), template_ratio=t, copy_ratio=cp,
                                    quote_ratio=q, phrase_ratio=ph))
        t, q, cp, ph = (_ratio(c.count(m), doc.chars) for m in parts)
        stats.append(DocumentStats(doc.id, _total(t, q, cp, ph), top, template_ratio=t, copy_ratio=cp,
                                   sections=tuple(sections), quote_ratio=q, phrase_ratio=ph))
    return pairs, stats




_TEXT = st.lists(st.sampled_from(["党的建设", "一、总体要求", "（一）", " ", "\n", "\u3000", "。", "ab cd"]), min_size=1,
                 max_size=30).map("".join)


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


@hsettings(max_examples=300, deadline=None)
@given(case=_scored(), include_templates=st.booleans())
def test_score_counts_as_the_plain_masks_do(case, include_templates):
    docs, passages, templates, phrases, clusters = case
    want = _plain_score(docs, passages, templates, phrases, clusters, include_templates=include_templates)
    assert score(docs, passages, templates, phrases, clusters, include_templates=include_templates) == want
