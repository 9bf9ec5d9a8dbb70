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
