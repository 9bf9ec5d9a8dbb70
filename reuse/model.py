"""The data that flows between stages: plain frozen dataclasses (and spans, named tuples).

Every offset is a Python ``str`` index into the decoded original text of a
document, so ``doc.text[p.a_start:p.a_end] == p.a_text`` holds everywhere.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple


COPY, TEMPLATE, QUOTE, PHRASE = "copy", "template", "quote", "phrase"
"""The kinds of shared text (``reuse.tiers``): every piece of it is exactly one."""
KINDS = (COPY, TEMPLATE, QUOTE, PHRASE)


class Span(NamedTuple):
    """Half-open ``[start, end)`` character range of an original text.

    A named tuple, not a dataclass: a document holds one per sentence, and
    a frozen dataclass took longer to make one than finding its sentence.
    """

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One decoded input file.

    ``id`` is unique in a corpus and orders documents; ``chars`` counts the
    characters that are not whitespace, the denominator of every ratio.
    """

    id: str
    path: str
    text: str
    encoding: str
    chars: int
    paragraphs: tuple[Span, ...] = ()
    sentences: tuple[Span, ...] = ()
    format: str = "text"
    date: str | None = None
    """When it was written (YYYY-MM-DD), from its file name or metadata; None when it does not say."""

    def __reduce__(self):
        # the spans as two arrays of offsets: pickled one by one, a Span per sentence cost more than the text
        return (_document, (self.id, self.path, self.text, self.encoding, self.chars, _packed(self.paragraphs),
                            _packed(self.sentences), self.format, self.date))


def _packed(spans: tuple[Span, ...]) -> array:
    return array("q", [x for span in spans for x in (span.start, span.end)])


def _unpacked(offsets: array) -> tuple[Span, ...]:
    return tuple(map(Span, offsets[0::2], offsets[1::2]))


def _document(id: str, path: str, text: str, encoding: str, chars: int, paragraphs: array, sentences: array,
              format: str, date: str | None) -> Document:
    """A Document from ``Document.__reduce__``'s arguments."""
    return Document(id, path, text, encoding, chars, _unpacked(paragraphs), _unpacked(sentences), format, date)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of text shared by documents ``a`` and ``b`` (``a < b``)."""

    a: str
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    score: float
    a_text: str
    b_text: str
    template: str | None = None
    """Id of the template family this passage belongs to, if it is formula, not copying."""
    kind: str = "copy"
    """What the shared text is (``reuse.tiers.verdict``): copy, template, quote or phrase."""
    cluster: str | None = None
    """Id of the cluster this copy belongs to, when three or more documents hold it."""

    def record(self) -> dict[str, Any]:
        """As report.json and check.json write it."""
        return {"a": self.a, "a_start": self.a_start, "a_end": self.a_end, "b": self.b, "b_start": self.b_start,
                "b_end": self.b_end, "score": self.score, "a_text": self.a_text, "b_text": self.b_text,
                "kind": self.kind, "template": self.template, "cluster": self.cluster}

    def turned(self) -> "Passage":
        """The same passage with its sides swapped (``reuse check`` writes the draft as side ``a``)."""
        return Passage(self.b, self.b_start, self.b_end, self.a, self.a_start, self.a_end, self.score, self.b_text,
                       self.a_text, self.template, self.kind, self.cluster)

    def in_cluster(self, cluster: str) -> "Passage":
        """The same passage as a member of ``cluster`` (``dataclasses.replace`` costs several times as much)."""
        values = [getattr(self, name) for name in _PASSAGE_FIELDS]
        values[_CLUSTER_FIELD] = cluster
        return Passage(*values)

    def __reduce__(self):
        # the fields in order, rebuilt by the constructor: a forked process's passages come back pickled, and
        # the default for a slotted dataclass (a state dict, set field by field) costs several times as much
        return (Passage, tuple(getattr(self, name) for name in _PASSAGE_FIELDS))


_PASSAGE_FIELDS = tuple(f.name for f in fields(Passage))
_CLUSTER_FIELD = _PASSAGE_FIELDS.index("cluster")


@dataclass(frozen=True, slots=True)
class Pair:
    """Two documents that share at least one passage."""

    a: str
    b: str
    similarity: float
    a_shared_chars: int
    b_shared_chars: int
    passages: int


@dataclass(frozen=True, slots=True)
class Source:
    """The single document another one shares most with (单篇最大复制比)."""

    id: str
    ratio: float

    def record(self) -> dict[str, Any]:
        """As report.json and check.json write it."""
        return {"id": self.id, "ratio": self.ratio}


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a document under one heading (一、 / （一） / 1. / 第一), with its own ratios."""

    title: str
    start: int
    end: int
    reuse_ratio: float
    template_ratio: float
    copy_ratio: float
    quote_ratio: float = 0.0
    phrase_ratio: float = 0.0

    def record(self) -> dict[str, Any]:
        """As report.json and check.json write it."""
        return {"title": self.title, "start": self.start, "end": self.end, "reuse_ratio": self.reuse_ratio,
                "template_ratio": self.template_ratio, "quote_ratio": self.quote_ratio,
                "phrase_ratio": self.phrase_ratio, "copy_ratio": self.copy_ratio}


@dataclass(frozen=True, slots=True)
class DocumentStats:
    """How much of one document is shared (总文字复制比) and with whom."""

    id: str
    reuse_ratio: float
    top_source: Source | None
    template_ratio: float = 0.0
    """Share covered by template families (套话)."""
    copy_ratio: float = 0.0
    """Share copied from or into other documents: neither template, quotation nor mere phrase (去除套话与引用复制比)."""
    sections: tuple[Section, ...] = ()
    quote_ratio: float = 0.0
    """Share that other documents quote too, from a third source (引用)."""
    phrase_ratio: float = 0.0
    """Share in phrases other documents use too: shared, but no evidence of copying."""


@dataclass(frozen=True, slots=True)
class Template:
    """A family of near-identical text recurring across many documents."""

    id: str
    kind: str
    text: str
    doc_count: int
    members: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """A short run of text several documents share without copying: one entry with every holder."""

    id: str
    text: str
    doc_count: int
    members: tuple[tuple[str, int, int], ...]

    def record(self) -> dict[str, Any]:
        """As report.json and check.json write it."""
        return {"id": self.id, "text": self.text, "doc_count": self.doc_count, "members": _members(self.members)}


@dataclass(frozen=True, slots=True)
class Cluster:
    """One copied text and every document holding it (three or more), earliest witness first when dated."""

    id: str
    doc_count: int
    members: tuple[tuple[str, int, int], ...]
    earliest: str | None
    """The earliest-dated member's document, when the documents carry dates."""

    def record(self) -> dict[str, Any]:
        """As report.json and check.json write it."""
        return {"id": self.id, "doc_count": self.doc_count, "earliest": self.earliest,
                "members": _members(self.members)}


def _members(members: tuple[tuple[str, int, int], ...]) -> list[dict[str, Any]]:
    return [{"doc": d, "start": s, "end": e} for d, s, e in members]


@dataclass(frozen=True)
class Result:
    """Everything one scan found; reports are rendered from this alone."""

    params: dict[str, Any]
    documents: tuple[Document, ...]
    stats: tuple[DocumentStats, ...]
    skipped: tuple[Skipped, ...]
    pairs: tuple[Pair, ...]
    passages: tuple[Passage, ...]
    templates: tuple[Template, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)
