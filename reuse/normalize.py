"""Stage 2: fold a document's text into a matching form, with a map back.

Matching must ignore what a copy editor or a file conversion changes without
changing the words: full-width vs half-width forms, traditional vs simplified
characters, letter case, accents, whitespace, punctuation, and (optionally)
the digits of years and numbers. Everything here is for matching only; every
offset that leaves the pipeline goes back through ``origin`` to the original.

The work is done per *distinct* character (a corpus has a few thousand), then
applied to the whole text with numpy (``str.translate`` for the text alone),
so the cost per megabyte is a few C-level passes, not a Python loop per
character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Character classes of the folded text.
SPACE, WORD, SINGLE = 0, 1, 2
"""SPACE: separates tokens and is dropped; WORD: letters and digits of
scripts written with spaces (a run is one token); SINGLE: scripts written
without spaces (Han, kana, Thai, ...): each character is one token."""

_UNSPACED_SCRIPT_PREFIXES = (
    "CJK",
    "HIRAGANA",
    "KATAKANA",
    "HALFWIDTH KATAKANA",
    "BOPOMOFO",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
    "TIBETAN",
    "YI ",
    "TANGUT",
)


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=None)
def _to_simplified(ch: str) -> str:
    """One traditional character to its simplified form, one character in, one out."""
    if "\ud800" <= ch <= "\udfff":
        return ch  # a lone surrogate (possible through the API) cannot reach OpenCC, which encodes UTF-8
    out = _opencc().convert(ch)
    return out if len(out) == 1 else ch


@lru_cache(maxsize=None)
def char_class(ch: str) -> int:
    """Class of one folded character: SPACE, WORD or SINGLE."""
    cat = unicodedata.category(ch)
    if cat[0] not in "LNM":
        return SPACE
    if cat[0] == "M":
        return WORD
    o = ord(ch)
    if 0x3400 <= o <= 0x9FFF or 0x20000 <= o <= 0x3FFFF or 0xF900 <= o <= 0xFAFF:
        return SINGLE
    name = unicodedata.name(ch, "")
    if name.startswith(_UNSPACED_SCRIPT_PREFIXES):
        return SINGLE
    return WORD


@lru_cache(maxsize=None)
def fold_char(ch: str, *, simplify: bool = True, fold_digits: bool = True) -> str:
    """The matching form of one character; separators become one space.

    >>> fold_char("Ａ"), fold_char("黨"), fold_char("，"), fold_char("７")
    ('a', '党', ' ', '0')
    """
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(c) in ("Mn", "Me"):
            continue  # accents: 'é' and 'e' + U+0301 both fold to 'e'
        if simplify:
            c = _to_simplified(c)
        for d in c.casefold():
            cls = char_class(d)
            if cls == SPACE:
                out.append(" ")
            elif fold_digits and unicodedata.category(d) == "Nd":
                out.append("0")
            else:
                out.append(d)
    return "".join(out)


def codepoints(text: str) -> np.ndarray:
    """The text as a uint32 array of code points (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def from_codepoints(cps: np.ndarray) -> str:
    return np.ascontiguousarray(cps, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


_CLAUSE_BREAKS = frozenset(",.!?;:。\n\r\u2028\u2029")


def is_clause_break(ch: str) -> bool:
    """Punctuation that ends a clause or sentence, and line breaks.

    Enumeration commas (、), quotes and brackets do not break a clause: they
    sit inside stock phrases like 举旗帜、聚民心.

    >>> is_clause_break("，"), is_clause_break("、"), is_clause_break("\\n")
    (True, False, True)
    """
    folded = unicodedata.normalize("NFKC", ch)
    return bool(folded) and folded[0] in _CLAUSE_BREAKS


@dataclass(frozen=True, eq=False)
class Folded:
    """A document's matching text.

    Attributes:
        text: the folded characters with separators removed.
        origin: ``origin[i]`` is the index in the original text of ``text[i]``.
        cls: class of each folded character (WORD or SINGLE).
        word_start: True where a WORD run begins (the first letter after a
            separator or a SINGLE character), so tokens can be rebuilt after
            the separators are gone.
        boundary: True where a clause break (see ``is_clause_break``) was
            removed just before the character, which a chance match of a few
            characters should not straddle.
    """

    text: str
    origin: np.ndarray
    cls: np.ndarray
    word_start: np.ndarray
    boundary: np.ndarray

    def __len__(self) -> int:
        return len(self.text)


class _Tables:
    """Per-options cache of translate tables, lengths and classes of characters seen so far."""

    def __init__(self, simplify: bool, fold_digits: bool):
        self.simplify, self.fold_digits = simplify, fold_digits
        self.several: dict[int, str] = {}  # the fold of characters that fold to more than one character
        self.text_only: dict[int, str] = {}  # every changed fold, separators dropped: fold(text).text in one pass
        self.single = np.arange(0x110000, dtype=np.uint32)  # the fold of characters that fold to one character
        self.length = np.ones(0x110000, dtype=np.uint8)
        self.cls = np.full(0x110000, 255, dtype=np.uint8)
        self.punct = np.zeros(0x110000, dtype=bool)
        self.seen = np.zeros(0x110000, dtype=bool)

    def learn(self, cps: np.ndarray) -> None:
        """Fill the tables for the code points ``cps`` not seen before.

        Looking each one up in ``seen`` is much cheaper than building a set of
        the text's characters, and after the first documents hardly any are new.
        """
        new = cps[~self.seen[cps]]
        if not len(new):
            return
        for ch in map(chr, np.unique(new).tolist()):
            folded = fold_char(ch, simplify=self.simplify, fold_digits=self.fold_digits)
            kept = "".join(d for d in folded if char_class(d) != SPACE)
            if kept != ch:
                self.text_only[ord(ch)] = kept
            if len(folded) > 255:  # pragma: no cover - no such character exists
                folded = folded[:255]
            if len(folded) == 1:
                self.single[ord(ch)] = ord(folded)
            elif folded:
                self.several[ord(ch)] = folded
            self.length[ord(ch)] = len(folded)
            self.punct[ord(ch)] = is_clause_break(ch)
            for d in folded:
                self.cls[ord(d)] = char_class(d)
            self.seen[ord(ch)] = True


_TABLES: dict[tuple[bool, bool], _Tables] = {}


def _tables(simplify: bool, fold_digits: bool) -> _Tables:
    tables = _TABLES.get((simplify, fold_digits))
    if tables is None:  # built once per options: the tables span all of Unicode
        tables = _TABLES[(simplify, fold_digits)] = _Tables(simplify, fold_digits)
    return tables


def fold(text: str, *, simplify: bool = True, fold_digits: bool = True) -> Folded:
    """Fold a whole text for matching.

    >>> f = fold("黨的建設，２０２０年 Hello")
    >>> f.text
    '党的建设0000年hello'
    >>> [int(i) for i in f.origin[:5]]
    [0, 1, 2, 3, 5]
    """
    tables = _tables(simplify, fold_digits)
    cps = codepoints(text)
    tables.learn(cps)
    lengths = tables.length[cps]
    spaced = tables.single[cps]  # nearly all text: one character each, looked up in numpy
    origin = np.arange(len(cps), dtype=np.int32)
    if not (lengths == 1).all():
        # the few that fold to none (a lone accent) or several (… to ...) spliced in: translating the whole
        # text for them cost as much as the rest of folding, and one news article in five has a "…"
        origin = np.repeat(origin, lengths)
        spaced = np.repeat(spaced, lengths)
        several = cps[lengths > 1].tolist()
        if several:
            spaced[lengths[origin] > 1] = codepoints("".join(map(tables.several.__getitem__, several)))
    cls = tables.cls[spaced]
    keep = cls != SPACE
    prev_cls = np.empty_like(cls)
    if len(cls):
        prev_cls[0] = SPACE
        prev_cls[1:] = cls[:-1]
    word_start = (cls == WORD) & (prev_cls != WORD)
    origin = origin[keep]
    punct_before = np.concatenate([[0], np.cumsum(tables.punct[cps], dtype=np.int64)])
    boundary = np.ones(len(origin), dtype=bool)
    boundary[1:] = punct_before[origin[1:]] > punct_before[origin[:-1] + 1]
    return Folded(
        text=from_codepoints(spaced[keep]),
        origin=origin,
        cls=cls[keep],
        word_start=word_start[keep],
        boundary=boundary,
    )


def fold_text(text: str, *, simplify: bool = True, fold_digits: bool = True) -> str:
    """``fold(text).text`` alone, in one ``str.translate``: what comparing the wording of short texts needs.

    >>> fold_text("黨的建設，２０２０年 Hello")
    '党的建设0000年hello'
    """
    tables = _tables(simplify, fold_digits)
    tables.learn(codepoints(text))
    return text.translate(tables.text_only)


_WHITESPACE = np.zeros(0x110000, dtype=bool)
_WHITESPACE[[i for i in range(0x3001) if chr(i).isspace()]] = True


def solid(text: str) -> np.ndarray:
    """True for each character of ``text`` that is not whitespace.

    Ratios count these, as 查重 reports count 字符.
    """
    return ~_WHITESPACE[codepoints(text)]
