"""Plain text (.txt, .md): bytes to str, detecting the encoding.

Order: a forced ``--encoding``; a byte-order mark; strict UTF-8 (which almost
never decodes anything else); then the codecs charset-normalizer proposes,
plus GB18030 and Big5 for Chinese the detector missed.

Strict GB18030 decodes almost any byte string, and Big5 bytes are valid GBK,
so no codec is trusted on its say-so. Each candidate's text is judged: one
with control characters or private-use code points, or whose Han characters
are mostly rare ones, is rejected (``_plausible``); of the rest, the one whose
non-ASCII characters are most often among the most frequent of a language
(的, 是, の, é, ...) wins (``_fit``), except that a plausible GB18030 reading
wins unless another fits clearly better. Only then is the whole file decoded.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from functools import lru_cache

import opencc

from reuse.readers.common import FileText, Unreadable, sniff

SAMPLE = 1 << 18
"""Bytes given to the detector; the chosen codec still decodes the whole file."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Codecs whose bytes a wider codec decodes the same; the widest one is used.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs"}


def read_text(data: bytes, *, encoding: str | None = None) -> FileText:
    """A plain-text file's text and the codec that read it.

    >>> read_text("党的建设".encode("gbk"))
    FileText(text='党的建设', encoding='gb18030', format='text', date=None)
    """
    if data.startswith(b"{\\rtf"):
        raise Unreadable("an RTF file, not plain text; save it as .docx or .txt")
    text, used = decode(data, encoding)
    return FileText(text, used, "text")


def decode(data: bytes, encoding: str | None = None, *, hint: str | None = None) -> tuple[str, str]:
    """Bytes to text and the name of the codec used.

    Args:
        data: the bytes of a whole file.
        encoding: a codec to use instead of detecting one.
        hint: a codec the file declares (an HTML meta tag); tried right after
            UTF-8, and used only if it gives sensible text.

    Raises:
        Unreadable: binary data, a broken BOM, or no encoding gives sensible text.

    >>> decode("党".encode("utf-8"))
    ('党', 'utf-8')
    >>> decode(codecs.BOM_UTF16_LE + "党".encode("utf-16-le"))
    ('党', 'utf-16')
    """
    if encoding:
        return _forced(data, encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as err:
                if bom == codecs.BOM_UTF32_LE:  # FF FE 00 00 is also UTF-16 text that starts with a NUL
                    try:
                        return data.decode("utf-16"), "utf-16"
                    except UnicodeDecodeError:
                        pass
                shown = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-32": "UTF-32"}[name]
                raise Unreadable(
                    f"broken {shown} text after its byte-order mark (at byte {err.start}); "
                    "re-save the file or pass --encoding"
                ) from err
    if sniff(data):
        raise Unreadable(_binary(data))
    head = data[:65536]
    nuls = max(head[0::2].count(0), head[1::2].count(0))
    if b"\x00" in head and (nuls < 2 or nuls < 0.3 * (len(head) + 1) / 2):
        # NULs, but not in every other byte as UTF-16/32 of Latin text has them: in text that is UTF-8
        # they are stray NULs (else UTF-16 of Chinese text, or binary: below)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            if _junk_share(text.replace("\x00", "")) > 0.1:
                raise Unreadable(_binary(data))
            return text, "utf-8"
    if b"\x00" in head:
        # NUL bytes: UTF-16/32 without a BOM, or binary; binary decodes as UTF-16 to rare characters
        names = _unique([*_candidates(head, wide_only=True), "utf-16-le", "utf-16-be"])
        text, name = _best(data, names, min_fit=0.2)
        if text is not None:
            return text, name
        raise Unreadable(_binary(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        # a file cut off inside its last character (head -c, a broken download)
        # is still UTF-8: drop the incomplete character
        text = None
        if err.reason == "unexpected end of data" and err.start >= len(data) - 3:
            try:
                text = data[: err.start].decode("utf-8")
            except UnicodeDecodeError:
                text = None
    if text is not None:
        if _junk_share(text) > 0.1:
            raise Unreadable(_binary(data))
        return text, "utf-8"
    if hint:
        text = _try(data, hint)
        if text is not None:
            return text, hint
    text, name = _best(data, _order(_candidates(data[:SAMPLE])))
    if text is not None:
        return text, name
    raise Unreadable("cannot tell the text encoding (not UTF-8, and no other encoding gives sensible text); "
                     "pass --encoding, e.g. --encoding gb18030")


_CJK = ("gb18030", "big5hkscs", "hz", "cp949", "euc_kr", "johab", "cp932", "shift_jis", "euc_jp", "euc_jis",
        "iso2022")


def _order(candidates: list[str]) -> list[str]:
    """The codecs to try; on a tie in fit, the earlier wins.

    The detector tells CJK from other scripts well, but short Chinese texts
    from Korean or Japanese codecs poorly; this tool reads Chinese first, and
    ``_fit`` still prefers the Korean or Japanese codec on such bytes.
    """
    if candidates and candidates[0].startswith(_CJK):
        return _unique(["gb18030", "big5hkscs", *candidates])
    return _unique([*candidates, "gb18030", "big5hkscs"])


CLEARLY_BETTER = 0.1
"""Fit by which another codec must beat a plausible GB18030 reading to be chosen instead."""


def _best(data: bytes, names: list[str], *, min_fit: float = 0.0) -> tuple[str | None, str]:
    """The decode of ``data`` that reads most like text, among ``names``.

    Each codec is judged on a sample first; the winner then decodes the whole
    file strictly, and if that fails the next best is tried. GB18030, when it
    reads the sample strictly and plausibly, wins unless another codec fits
    ``CLEARLY_BETTER`` more.
    """
    whole = len(data) <= SAMPLE
    sample = data[:SAMPLE]
    ranked = []
    for rank, name in enumerate(names):
        try:
            # incremental: a character cut at the end of the sample is not an error
            text = codecs.getincrementaldecoder(name)().decode(sample, final=whole)
        except (UnicodeDecodeError, LookupError):
            continue
        fit = _fit(text) if _plausible(text) else -1.0
        if fit >= min_fit:
            ranked.append((-fit, rank, name))
    ranked.sort()
    gb = next((r for r in ranked if r[2] == "gb18030"), None)
    if gb is not None and -gb[0] >= -ranked[0][0] - CLEARLY_BETTER:
        # Chinese first: English or Chinese text in GB18030 often holds only a
        # few non-ASCII characters (curly quotes, dashes), too few for the fit
        # to tell it from Korean or a Cyrillic code page
        ranked.remove(gb)
        ranked.insert(0, gb)
    for _, _, name in ranked:
        if whole:
            return data.decode(name), name
        text = _try(data, name)
        if text is not None:
            return text, name
    return None, ""


def _cut(data: bytes, size: int = SAMPLE) -> bytes:
    """The start of ``data``, cut at a line end so no multi-byte character is split."""
    if len(data) <= size:
        return data
    cut = data.rfind(b"\n", size // 2, size)
    return data[: cut + 1] if cut > 0 else data[:size]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _forced(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as err:
        raise Unreadable(f"unknown encoding {encoding!r}; pass a codec name such as gb18030 or utf-16") from err
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"  # a forced UTF-8 read still drops the BOM
    try:
        text = data.decode(name)
    except UnicodeDecodeError as err:
        raise Unreadable(f"not valid {encoding} (bad bytes at {err.start}); pass another --encoding or none") from err
    except (UnicodeError, LookupError, ValueError, TypeError) as err:  # rot13, idna...: not a decoder of files
        raise Unreadable(f"cannot be read as {encoding} ({err}); pass another --encoding or none") from err
    if _junk_share(text) > 0.05:
        # UTF-16 and Latin-1 decode any bytes; garbage is no reading
        raise Unreadable(f"read as {encoding} it is not text (control or unassigned characters); "
                         "pass another --encoding or none")
    return text, name


def _binary(data: bytes) -> str:
    what = sniff(data)
    return f"binary file, not text: {what}" if what else "binary file, not text"


def _candidates(sample: bytes, *, wide_only: bool = False) -> list[str]:
    """Codec names charset-normalizer proposes for ``sample``, best first, deduplicated."""
    from charset_normalizer import from_bytes

    sample = _cut(sample)
    out: list[str] = []
    for match in from_bytes(sample, explain=False):
        try:
            name = codecs.lookup(match.encoding).name
        except LookupError:
            continue
        if wide_only and not name.startswith(("utf-16", "utf-32")):
            continue
        name = _WIDER.get(name, name)
        if name not in out and name != "utf-8":
            out.append(name)
    return out[:6]


def _try(data: bytes, name: str) -> str | None:
    """``data`` decoded strictly as ``name``, if the result looks like text."""
    try:
        text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _plausible(text) else None


_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85")


def _junk_share(text: str, sample: int = 65536) -> float:
    """Share of the non-space characters of the start of ``text`` that no text holds."""
    head = text[:sample]
    # no control, private, unassigned or surrogate character once spaces (str.isspace, as re's \s) are gone
    if "".join(head.split()).isprintable():  # most text
        return 0.0
    counts = Counter(head)
    junk = visible = 0
    for ch, n in counts.items():
        if ch.isspace():
            continue
        visible += n
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in _WHITESPACE_CONTROLS:
            junk += n
    return junk / visible if visible else 0.0


def _plausible(text: str, sample: int = 65536) -> bool:
    """True when ``text`` reads as text: little junk, and common Han characters if Han at all.

    A wrong CJK codec still yields Han characters, but rare ones: in real
    Chinese or Japanese over 90% of Han characters are among the ~8,000 most
    common, in a wrong decode far fewer.
    """
    counts = Counter(text[:sample])
    visible = junk = han = common_han = 0
    common = _common_han()
    for ch, n in counts.items():
        if ch.isspace():
            continue
        visible += n
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Co", "Cn", "Cs") and ch not in _WHITESPACE_CONTROLS:
            junk += n
        elif cat == "Lo" and _is_han(ch):
            han += n
            common_han += n * (ch in common)
    if not visible:
        return True
    if junk > 0.01 * visible:
        return False
    return han < 2 or common_han >= 0.75 * han


def _fit(text: str, sample: int = 65536) -> float:
    """Share of the non-ASCII letters and marks of ``text`` that are among the most frequent of some language.

    A right decode of CJK text is full of 的, 是, の, 이 and full-width
    punctuation; a wrong one, of characters that are valid but rare.
    """
    counts = Counter(text[:sample])
    frequent = _frequent()
    total = hits = 0
    for ch, n in counts.items():
        if ch.isascii() or ch.isspace():
            continue
        total += n
        hits += n * (ch in frequent)
    return hits / total if total else 1.0


@lru_cache(maxsize=1)
def _frequent() -> frozenset[str]:
    """The most frequent letters of each language charset-normalizer knows, and CJK punctuation."""
    from charset_normalizer.constant import FREQUENCIES

    chars = {c for letters in FREQUENCIES.values() for c in letters if not c.isascii()}
    chars |= set("。，、；：？！“”‘’《》（）【】…—·「」『』〈〉．")
    # full-width ASCII forms (ｅ, ＂, ＿...) and the ideographic space are common in CJK text
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)} | {"\u3000"}
    # and the traditional forms of the frequent simplified characters
    chars |= set(opencc.OpenCC("s2t").convert("".join(sorted(chars))))
    return frozenset(chars)


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """The common Han characters: GB2312 level 1, Big5 frequent, JIS X 0208 level 1."""
    chars: set[str] = set()
    tables = (
        ("gb2312", range(0xB0, 0xD8), [*range(0xA1, 0xFF)]),
        ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
        ("euc_jp", range(0xB0, 0xD0), [*range(0xA1, 0xFF)]),
    )
    for codec, leads, trails in tables:
        for lead in leads:
            for trail in trails:
                try:
                    chars.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    pass
    return frozenset(c for c in chars if len(c) == 1 and _is_han(c))
