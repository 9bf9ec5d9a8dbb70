"""Stage 3: cut a document into paragraphs and sentences, as spans of the original.

Units have a bounded size whatever the input: a 50 MB file with no line breaks
still becomes units of at most ``MAX_UNIT`` characters, so memory and the cost
of aligning two units stay bounded.
"""

from __future__ import annotations

import re

from reuse.model import Span

MAX_UNIT = 2000
"""Longest unit in characters; longer paragraphs and sentences are cut."""

_PARAGRAPH = re.compile(r"[^\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+")
# A sentence ends at Chinese or Latin terminal punctuation (with any closing
# quotes after it); a Latin full stop only counts when followed by a space, so
# 3.14 and e.g. stay whole.
_CLOSERS = r"[\"'”’」』》）)\]]*"
# (two alternatives that each start with a character class: re then skips to candidates quickly)
_SENTENCE_END = re.compile(r"[。！？!?；;…][。！？!?；;…]*" + _CLOSERS + r"|\.(?=\s)" + _CLOSERS)


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _bounded(span: Span, limit: int = MAX_UNIT) -> list[Span]:
    if span.end - span.start <= limit:
        return [span]
    return [Span(s, min(s + limit, span.end)) for s in range(span.start, span.end, limit)]


def paragraphs(text: str) -> list[Span]:
    """Non-blank lines, stripped of surrounding whitespace.

    >>> paragraphs("同志们：\\n\\n  今天开会。\\n")
    [Span(start=0, end=4), Span(start=8, end=13)]
    """
    spans = []
    for m in _PARAGRAPH.finditer(text):
        span = _strip(text, m.start(), m.end())
        if span:
            spans.extend(_bounded(span))
    return spans


def sentences(text: str, paras: list[Span]) -> list[Span]:
    """Sentences inside each paragraph, cut after terminal punctuation.

    >>> t = "第一句。第二句！Third one. End"
    >>> [t[s.start:s.end] for s in sentences(t, paragraphs(t))]
    ['第一句。', '第二句！', 'Third one.', 'End']
    """
    spans = []
    for para in paras:
        start = para.start
        for m in _SENTENCE_END.finditer(text, para.start, para.end):
            end = m.end()
            # most sentences: a match ends on punctuation, so only the start may need stripping
            if end - start <= MAX_UNIT and not text[start].isspace():
                spans.append(Span(start, end))
            elif span := _strip(text, start, end):
                spans.extend(_bounded(span))
            start = end
        span = _strip(text, start, para.end)
        if span:
            spans.extend(_bounded(span))
    return spans


_NUMERALS = "一二三四五六七八九十百零〇"
# heading levels, outermost first: 一、 / （一） / 1. / 第一 / 一是
_HEADINGS = (
    re.compile(rf"[{_NUMERALS}]+、"),
    re.compile(rf"[（(][{_NUMERALS}]+[）)]"),
    re.compile(r"[0-9０-９]+[、.．](?![0-9０-９])"),
    re.compile(rf"第[{_NUMERALS}]+[，,、：:是]|第[{_NUMERALS}]+(?:部分|章|节)"),
    re.compile(rf"[{_NUMERALS}]+[是要]"),
)
_HEADING_FIRST = frozenset(_NUMERALS + "（(0123456789０１２３４５６７８９第")
"""Every character a heading of ``_HEADINGS`` can start with."""
MAX_HEADING = 60


def sections(text: str, paras: list[Span]) -> list[tuple[Span, Span]]:
    """A document's sections as ``(title, body)`` spans, cut at its outermost headings.

    The outermost heading style used at least twice wins (一、 before （一）
    before 1. ...); text before the first heading is a section titled by the
    first paragraph. A document without headings is one section.

    >>> t = "讲话\\n一、抓学习\\n内容\\n二、抓落实\\n内容"
    >>> [t[a.start:a.end] for a, _ in sections(t, paragraphs(t))]
    ['讲话', '一、抓学习', '二、抓落实']
    """
    if not paras:
        return []
    # most paragraphs start with a character no heading starts with: the patterns try the rest
    maybe = [(i, p) for i, p in enumerate(paras) if text[p.start : p.start + 1] in _HEADING_FIRST]
    for pattern in _HEADINGS:
        starts = [i for i, p in maybe if pattern.match(text, p.start, p.end)]
        if len(starts) >= 2:
            break
    else:
        starts = []
    cuts = ([0] if not starts or starts[0] != 0 else []) + starts
    out = []
    for n, i in enumerate(cuts):
        last = (cuts[n + 1] if n + 1 < len(cuts) else len(paras)) - 1
        title = paras[i]
        title_end = title.start + min(title.end - title.start, MAX_HEADING)
        out.append((Span(title.start, title_end), Span(paras[i].start, paras[last].end)))
    return out
