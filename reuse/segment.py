"""Stage 3: cut a document into paragraphs and sentences, as spans of the original.

Units have a bounded size whatever the input: a 50 MB file with no line breaks
still becomes units of at most ``MAX_UNIT`` characters, so memory and the cost
of aligning two units stay bounded. A longer line is cut where a sentence
ends (else at a space): speeches and transcripts are often one line per
document, and a cut in mid-sentence made fragments ("The") that recurred as
template text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

from reuse.model import Span
from reuse.normalize import codepoints

MAX_UNIT = 2000
"""Longest unit in characters; longer paragraphs and sentences are cut."""

_PARAGRAPH = re.compile(r"[^\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+")
# A sentence ends at Chinese or Latin terminal punctuation (with any closing
# quotes after it); a Latin full stop only counts when followed by a space, so
# 3.14 and e.g. stay whole.
_CLOSERS = r"[\"'”’」』》）)\]]*"
# (two alternatives that each start with a character class: re then skips to candidates quickly)
_SENTENCE_END = re.compile(r"[。！？!?；;…][。！？!?；;…]*" + _CLOSERS + r"|\.(?=\s)" + _CLOSERS)

ABBREVIATIONS = frozenset({
    # titles before a name
    "mr", "mrs", "ms", "messrs", "mme", "dr", "prof", "rev", "hon", "gen", "col", "capt", "lt", "sgt", "adm",
    "gov", "sen", "rep", "pres", "st", "mt", "ft",
    # Latin, and months before a day
    "e.g", "i.e", "cf", "viz", "vs", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
})
"""Words (lower case) whose full stop is an abbreviation's, not a sentence's end: a title or a month goes on
with a name or a day. Left out where a sentence often ends on them: etc., no., U.S., a.m."""
_OPENERS = "\"'“‘([「『《（"
LONGEST_ABBREVIATION = 8
"""Characters before a full stop looked at: the longest abbreviation with an opening quote or bracket."""


def is_abbreviation(word: str) -> bool:
    """Whether a full stop just after ``word`` (the characters since the last space) leaves the sentence open.

    >>> [is_abbreviation(w) for w in ("Mr", "(Dr", "S", "e.g", "I", "war", "U.S")]
    [True, True, True, True, False, False, False]
    """
    word = word.lstrip(_OPENERS)
    if len(word) == 1:
        return word.isupper() and word != "I"  # an initial (Ulysses S. Grant), not the pronoun
    return word.lower() in ABBREVIATIONS


def _abbreviated(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation (``is_abbreviation`` of the word before it)."""
    lo = dot
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
        if dot - lo > LONGEST_ABBREVIATION:
            return False
    return is_abbreviation(text[lo:dot])


def sentence_ends(text: str, lo: int, hi: int) -> Iterator[re.Match]:
    """The sentence ends (``_SENTENCE_END`` matches) in ``text[lo:hi]``, less the full stops of abbreviations."""
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if text[m.start()] != "." or not _abbreviated(text, m.start()):
            yield m


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


_LAST_BLANK = re.compile(r"\s(?=\S*\Z)")
"""The last blank character of a window (one step per character: a run of blanks is stepped over, never
backtracked into)."""


def _cut(text: str, lo: int, hi: int, limit: int) -> list[Span]:
    """The stripped line ``text[lo:hi]`` as pieces of at most ``limit`` characters.

    Each piece ends at the last sentence end that fits, else before the
    last space that fits, else at ``limit`` (a text without either, such as
    a long run of Han characters with no punctuation); the next one starts
    at the next character that is not blank.
    """
    if hi - lo <= limit:
        return [Span(lo, hi)]
    ends = (m.end() for m in sentence_ends(text, lo, hi))  # read once, in order: a 200 MB line keeps no list
    end = next(ends, None)
    pieces, start = [], lo
    while hi - start > limit:
        stop, last = start + limit, None
        while end is not None and end <= stop:
            if end > start:
                last = end
            end = next(ends, None)
        if last is not None:
            cut = last
        else:
            blank = _LAST_BLANK.search(text, start + 1, stop + 1)
            cut = blank.start() if blank else stop
            while blank and cut > start + 1 and text[cut - 1].isspace():  # the start of its run of blanks
                cut -= 1
        pieces.append(Span(start, cut))
        start = cut
        while text[start].isspace():  # the line ends on a character that is not blank
            start += 1
    pieces.append(Span(start, hi))
    return pieces


def paragraphs(text: str, *, limit: int = MAX_UNIT) -> list[Span]:
    """Non-blank lines, stripped of surrounding whitespace, a long one cut in pieces (``_cut``).

    >>> paragraphs("同志们：\\n\\n  今天开会。\\n")
    [Span(start=0, end=4), Span(start=8, end=13)]
    """
    spans = []
    for m in _PARAGRAPH.finditer(text):
        span = _strip(text, m.start(), m.end())
        if span:
            spans.extend(_cut(text, span.start, span.end, limit))
    return spans


def sentences(text: str, paras: list[Span], *, limit: int = MAX_UNIT) -> list[Span]:
    """Sentences inside each paragraph, cut after terminal punctuation (``sentence_ends``).

    >>> t = "第一句。第二句！Third one, Mr. Li said. End"
    >>> [t[s.start:s.end] for s in sentences(t, paragraphs(t))]
    ['第一句。', '第二句！', 'Third one, Mr. Li said.', 'End']
    """
    spans = []
    for para in paras:
        start = para.start
        for m in sentence_ends(text, para.start, para.end):
            end = m.end()
            # most sentences: a match ends on punctuation, so only the start may need stripping
            if end - start <= limit and not text[start].isspace():
                spans.append(Span(start, end))
            elif span := _strip(text, start, end):
                spans.extend(_cut(text, span.start, span.end, limit))
            start = end
        span = _strip(text, start, para.end)
        if span:
            spans.extend(_cut(text, span.start, span.end, limit))
    return spans


_LINE_BREAK, _SPACE, _END, _CLOSER, _STOP = 1, 2, 4, 8, 16
"""Bits of ``_classes()``: what ``_PARAGRAPH`` and ``_SENTENCE_END`` look for, character by character."""


@lru_cache(maxsize=1)
def _classes() -> np.ndarray:
    """The ``_LINE_BREAK`` ... ``_STOP`` bits of every code point (whitespace is ``str.isspace``)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[i for i in range(0x3001) if chr(i).isspace()]] |= _SPACE
    for chars, bit in (("\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85", _LINE_BREAK), ("。！？!?；;…", _END),
                       ("\"'”’」』》）)]", _CLOSER), (".", _STOP)):
        table[[ord(c) for c in chars]] |= bit
    return table


AT_ONCE = 1 << 22
"""Texts longer than this (characters) ``segmented`` cuts on their own the plain way: the arrays hold a few
bytes per character of everything they cut, and a file may hold 200 MB."""


def segmented(texts: Sequence[str], *, limit: int = MAX_UNIT) -> list[tuple[list[Span], list[Span]]]:
    """``(paragraphs(t), sentences(t, paragraphs(t)))`` of each of ``texts``, found for all of them at once.

    Character classes and cuts are numpy arrays over the texts laid end to
    end (a line break between two): a Python loop per sentence cost a
    scan's reading more than decoding the files. ``paragraphs`` and
    ``sentences`` are the plain form this is held to, and what a text longer
    than ``AT_ONCE`` is cut by.
    """
    short = iter(_segmented([t for t in texts if len(t) <= AT_ONCE], limit))
    out = []
    for t in texts:
        if len(t) <= AT_ONCE:
            out.append(next(short))
        else:
            paras = paragraphs(t, limit=limit)
            out.append((paras, sentences(t, paras, limit=limit)))
    return out


def _segmented(texts: list[str], limit: int) -> list[tuple[list[Span], list[Span]]]:
    if not texts:
        return []
    text_lo = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]], dtype=np.int64)
    joined = "\n".join(texts)
    cls = _classes()[codepoints(joined)]
    white = _Runs((cls & _SPACE) != 0)
    # paragraphs: runs without a line break, stripped, a long one cut in pieces
    lines = _Runs((cls & _LINE_BREAK) == 0)
    p_lo, p_hi = white.skip_from(lines.lo), white.back_from(lines.hi)
    kept = p_lo < p_hi
    para_lo, para_hi = _pieces(joined, p_lo[kept], p_hi[kept], limit)
    # sentence ends: each run of end marks with the closers after it, and a full stop before whitespace,
    # neither reaching past its paragraph piece (the search runs inside each piece, so a piece that
    # starts inside a run of marks starts a match there)
    marks, closers = _Runs((cls & _END) != 0), _Runs((cls & _CLOSER) != 0)
    inside_marks = marks.holding(para_lo)
    begins = np.union1d(marks.lo[:-1], para_lo[(inside_marks >= 0) & (marks.lo[inside_marks] != para_lo)])
    begins, piece_end = _in_pieces(begins, para_lo, para_hi)
    after_marks = np.minimum(marks.hi[marks.holding(begins)], piece_end)
    at = closers.holding(after_marks)
    starts_there = (at >= 0) & (closers.lo[at] == after_marks)
    after_closers = np.where(starts_there, np.minimum(closers.hi[at], piece_end), after_marks)
    stop, stop_end = _in_pieces(np.flatnonzero((cls & _STOP) != 0), para_lo, para_hi)
    stop = stop[stop + 1 < stop_end]
    stop = stop[white.holding(stop + 1) >= 0]
    stop = stop[~_abbreviations(joined, stop, white)]
    ends = np.sort(np.concatenate([after_closers, stop + 1]))
    # the pieces of text between a paragraph piece's start, its ends and its end; a piece ending on a mark
    # needs only its start stripped, the rest of the paragraph both ends (and may be nothing but whitespace)
    owner = np.searchsorted(para_lo, ends - 1, side="right") - 1
    cut_lo = np.concatenate([para_lo, ends])
    cut_owner = np.concatenate([np.arange(len(para_lo)), owner])
    order = np.lexsort((cut_lo, cut_owner))
    cut_lo, cut_owner = cut_lo[order], cut_owner[order]
    last_of_piece = np.append(cut_owner[1:] != cut_owner[:-1], True)
    cut_hi = np.where(last_of_piece, para_hi[cut_owner], np.append(cut_lo[1:], 0))
    s_lo = white.skip_from(cut_lo)
    s_hi = np.where(last_of_piece, white.back_from(cut_hi), cut_hi)
    has = (s_lo < cut_hi) & (s_hi > s_lo)
    text_hi = text_lo + np.array([len(t) for t in texts], dtype=np.int64)
    return list(zip(_per_text(para_lo, para_hi, text_lo, text_hi), _per_text(s_lo[has], s_hi[has], text_lo, text_hi)))


def _pieces(text: str, lo: np.ndarray, hi: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The pieces ``_cut`` makes of the stripped lines ``[lo, hi)`` of ``text``: a line that fits is one piece,
    and only the long ones (rare, or one per document of one-line files) are cut in Python."""
    long = np.flatnonzero(hi - lo > limit)
    if not len(long):
        return lo, hi
    cuts = [_cut(text, a, b, limit) for a, b in zip(lo[long].tolist(), hi[long].tolist())]
    counts = np.array([len(c) for c in cuts], dtype=np.int64)
    per_line = np.ones(len(lo), dtype=np.int64)
    per_line[long] = counts
    piece_lo, piece_hi = np.repeat(lo, per_line), np.repeat(hi, per_line)
    slots = np.repeat((np.cumsum(per_line) - per_line)[long], counts) + _within(counts)
    piece_lo[slots] = [s.start for c in cuts for s in c]
    piece_hi[slots] = [s.end for c in cuts for s in c]
    return piece_lo, piece_hi


def _abbreviations(text: str, dots: np.ndarray, white: "_Runs") -> np.ndarray:
    """``_abbreviated`` of each full stop at ``dots``: the word before it starts where the last blank run
    before it ends, and only words short enough to be an abbreviation are looked at in Python."""
    before = np.searchsorted(white.hi[:-1], dots, side="right") - 1
    word_lo = np.where(before >= 0, white.hi[before], 0)
    short = np.flatnonzero(dots - word_lo <= LONGEST_ABBREVIATION)
    out = np.zeros(len(dots), dtype=bool)
    out[short] = [is_abbreviation(text[a:b]) for a, b in zip(word_lo[short].tolist(), dots[short].tolist())]
    return out


class _Runs:
    """The runs of True in a boolean array, as sorted starts ``lo`` and ends ``hi``: a few lookups per run
    instead of an array as long as the text per question. Index -1 (no run) reads -1 from both."""

    def __init__(self, flags: np.ndarray):
        # where a flag differs from the one before it, with the edges of the text where a run touches them: one
        # comparison of neighbours, no padded copy of the flags in another type
        edges = np.flatnonzero(flags[1:] != flags[:-1]) + 1
        if len(flags) and flags[0]:
            edges = np.insert(edges, 0, 0)
        if len(flags) and flags[-1]:
            edges = np.append(edges, len(flags))
        self.lo, self.hi = np.append(edges[0::2], -1), np.append(edges[1::2], -1)

    def holding(self, at: np.ndarray) -> np.ndarray:
        """For each position, the run it lies in, or -1."""
        which = np.searchsorted(self.lo[:-1], at, side="right") - 1
        return np.where(at < self.hi[which], which, -1)

    def skip_from(self, at: np.ndarray) -> np.ndarray:
        """For each position, the first position at or after it outside every run."""
        which = self.holding(at)
        return np.where(which >= 0, self.hi[which], at)

    def back_from(self, end: np.ndarray) -> np.ndarray:
        """For each end, the end with the run just before it taken off (the start of the run holding end - 1)."""
        which = self.holding(end - 1)
        return np.where(which >= 0, self.lo[which], end)


def _per_text(lo: np.ndarray, hi: np.ndarray, text_lo: np.ndarray, text_hi: np.ndarray) -> list[list[Span]]:
    """The spans ``[lo, hi)`` (sorted) of each text ``[text_lo[i], text_hi[i])``, in that text's offsets."""
    bounds = np.searchsorted(lo, np.stack([text_lo, text_hi], axis=1)).tolist()
    owner = np.repeat(text_lo, np.diff(np.searchsorted(lo, np.append(text_lo, lo[-1] + 1 if len(lo) else 0))))
    starts, ends = (lo - owner).tolist(), (hi - owner).tolist()
    return [list(map(Span, starts[a:b], ends[a:b])) for a, b in bounds]


def _in_pieces(at: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions ``at`` (ascending) inside one of the sorted disjoint ranges ``[lo, hi)``, with its end."""
    if not len(lo):
        return at[:0], at[:0]
    which = np.searchsorted(lo, at, side="right") - 1
    inside = (which >= 0) & (at < hi[np.maximum(which, 0)])
    return at[inside], hi[which[inside]]


def _within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., counts[i] - 1 for each i, laid end to end."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


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
