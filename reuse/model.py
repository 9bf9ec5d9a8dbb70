"""The data that flows between stages: plain frozen dataclasses.

Every offset is a Python ``str`` index into the decoded original text of a
document, so ``doc.text[p.a_start:p.a_end] == p.a_text`` holds everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Half-open ``[start, end)`` character range of an original text."""

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


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a document under one heading (一、 / （一） / 1. / 第一), with its own ratios."""

    title: str
    start: int
    end: int
    reuse_ratio: float
    template_ratio: float
    copy_ratio: float


@dataclass(frozen=True, slots=True)
class DocumentStats:
    """How much of one document is shared (总文字复制比) and with whom."""

    id: str
    reuse_ratio: float
    top_source: Source | None
    template_ratio: float = 0.0
    """Share covered by template families (套话)."""
    copy_ratio: float = 0.0
    """Share shared with specific documents beyond templates (去除套话复制比)."""
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    """A family of near-identical text recurring across many documents."""

    id: str
    kind: str
    text: str
    doc_count: int
    members: tuple[tuple[str, int, int], ...]


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
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)
