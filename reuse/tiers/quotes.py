"""Quotations: the stretches of a document it presents as somebody else's words.

Two speeches that both quote 习近平总书记强调：“……” share that text because
they quote the same third source, not because one copied the other (CNKI
reports such text as 引用, apart from copying). A quotation here is text
between paired quotation marks (“…”, 「…」, 『…』, "…", ‘…’) or a title in
《…》 / 〈…〉. Chinese usage opens every paragraph of a multi-paragraph
quotation and closes only the last one, so an opening mark left unclosed at
a paragraph's end quotes to the end of that paragraph.

>>> text = '他强调：“要坚持人民至上。”我们要落实。'
>>> [text[s:e] for s, e in quotation_spans(text)]
['“要坚持人民至上。”']
"""

from __future__ import annotations

import re
from bisect import bisect_right

_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", "‘": "’"}
_OPENERS = "".join(_PAIRS)
_CLOSERS = "".join(_PAIRS.values())
_MARK = re.compile(r'[%s%s"\n]' % (re.escape(_OPENERS), re.escape(_CLOSERS)))


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quotations of ``text`` as ``[start, end)`` spans, marks included, in order.

    Nested quotations lie inside their outer one and are not listed apart.
    A straight double quote opens and closes by turns within a paragraph.

    >>> t = '《关于新形势下党内政治生活的若干准则》和"the rule of law"'
    >>> [t[s:e] for s, e in quotation_spans(t)]
    ['《关于新形势下党内政治生活的若干准则》', '"the rule of law"']
    >>> t = '他说：“第一段\\n“第二段。”'
    >>> [t[s:e] for s, e in quotation_spans(t)]
    ['“第一段', '“第二段。”']
    """
    spans: list[tuple[int, int]] = []
    stack: list[str] = []  # expected closers, innermost last
    start = 0
    for m in _MARK.finditer(text):
        ch, at = m.group(), m.start()
        if ch == "\n":
            if stack:  # an unclosed quotation ends with its paragraph
                spans.append((start, at))
                stack.clear()
            continue
        if ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
                if not stack:
                    spans.append((start, at + 1))
                continue
            ch = '"'
            closer = '"'
        elif ch in _PAIRS:
            closer = _PAIRS[ch]
        else:  # a closer
            if ch in stack:
                while stack and stack.pop() != ch:
                    pass
                if not stack:
                    spans.append((start, at + 1))
            continue
        if not stack:
            start = at
        stack.append(closer)
    if stack:
        spans.append((start, len(text)))
    return spans


QUOTED = 0.8
"""A passage is a quotation when this share of it lies inside quotation marks in both documents."""

_OPENING = re.compile(r'[%s"]' % re.escape(_OPENERS))
LOOK_BACK = 2000
"""Characters ``may_quote`` reads back for the paragraph's start; a longer paragraph may always be quoted."""


def may_quote(text: str, start: int, end: int) -> bool:
    """False when no quotation of ``text`` overlaps ``[start, end)``: none opens in its paragraphs before
    ``end`` (a quotation ends with its paragraph). A look at a few lines, not at the whole text: where the
    paragraph starts more than ``LOOK_BACK`` characters before ``start``, it says maybe (True).

    >>> t = '他说：“好。”' + chr(10) + '我们要落实。'
    >>> may_quote(t, 9, 15), may_quote(t, 0, 5)
    (False, True)
    """
    line_break = text.rfind("\n", max(0, start - LOOK_BACK), start)
    if line_break < 0 and start > LOOK_BACK:
        return True
    return _OPENING.search(text, line_break + 1, end) is not None


class Quotations:
    """Each document's quotations (``disjoint_quotations``), read the first time a span of it is asked about,
    and not at all where no quotation can reach the span (``may_quote``)."""

    def __init__(self) -> None:
        self._by_doc: dict[int, tuple[list[int], list[int]]] = {}

    def share(self, doc: int, text: str, start: int, end: int) -> float:
        """The share of ``text[start:end]`` (``doc`` names the text) inside its quotations."""
        if not may_quote(text, start, end):
            return 0.0
        if doc not in self._by_doc:
            self._by_doc[doc] = disjoint_quotations(text)
        return share_inside(*self._by_doc[doc], start, end)


def disjoint_quotations(text: str) -> tuple[list[int], list[int]]:
    """``quotation_spans(text)`` merged where they overlap or touch, as sorted lists of starts and of ends."""
    return _disjoint(quotation_spans(text))


def _disjoint(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted spans merged where they overlap or touch, as lists of starts and of ends."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(spans):
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        elif e > s:
            starts.append(s)
            ends.append(e)
    return starts, ends


def share_inside(starts: list[int], ends: list[int], start: int, end: int) -> float:
    """The share of ``[start, end)`` inside the disjoint sorted spans ``starts``/``ends`` (0 when empty)."""
    if end <= start:
        return 0.0
    total, i = 0, bisect_right(ends, start)  # the first span that ends after ``start``
    while i < len(starts) and starts[i] < end:
        total += min(ends[i], end) - max(starts[i], start)
        i += 1
    return total / (end - start)
