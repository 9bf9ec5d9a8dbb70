"""Stage 9: what is templated? Families of text that recur across documents (template families).

Most text official speeches share is not one speech copying another: it is
stock formulas (套话), the skeleton of a speech, template paragraphs with
placeholders, and watermarks that template sites stamp on their files. This
stage finds them so that scores can tell formula from copying:

* **families**: stretches of text whose long shingles (``2k`` tokens) recur in
  at least ``min_docs`` documents, grouped by the shingles they share, so the
  'XX县' and '平安县' versions of one template paragraph are one family (the
  pieces on either side of a slot are joined within ``max_gap`` tokens);
* **watermarks**: distribution notices and contact lines at a document's head
  or tail, found by pattern, position and repetition, in one document or many.

Each family gets a kind: watermark, placeholder, structure, boilerplate or
formula.

Every rule of what a family is lives here, and the scan, the library and
``reuse check`` all call it: which candidates are kept (``kept``: the
``min_docs`` threshold of ``min_docs_for``, copies of whole documents,
families inside watermark lines), which lines can be watermarks
(``candidate_lines``, ``watermark_lines``), a family's kind and representative
text (``described``), the order of families (``order_key``) and their ids
(``numbered`` for a corpus; ``component_id`` and ``line_id`` for a library,
whose families stay while others come and go), and when a passage is a
family's (``lies_in``, ``members_by_doc``). A scan finds the candidates over
its corpus (``recurring``, ``line_families``) and ``assemble`` applies the
rules; the library keeps the same candidates in tables and applies the same
rules to those a change touches (``reuse.library.families``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from reuse import arrays
from reuse.features import Features, token_spans_in_original, token_weights
from reuse.model import Document, Passage, Span, Template
from reuse.normalize import fold_text
from reuse.shingle import shingle_hashes

_PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])[XxＸｘ×]{2,}(?![A-Za-z])|某某|[□○＊〇]{2,}|\*{2,}(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\*{2,}|"
    r"(?<![A-Za-zＡ-Ｚａ-ｚ])[XxＸｘ×](?=[省市州县区镇乡村街局委办厅部同])"
)
_MARKDOWN_STRONG = re.compile(r"(?<!\*)\*\*(?=[^*\s])[^*\n]*?(?<=[^*\s])\*\*(?!\*)")
"""Markdown's **strong** text: its asterisks are markup, not a placeholder's (***同志在**县 still is one). ASCII
asterisks are a placeholder only beside a Han character: a member of a family may hold half of a strong pair."""
# Notices and contact details of template sites, in generic words, not one vendor's name. A notice says
# what may be done with the text or how to reach its seller; mentioning 微信 or 平台 is not one.
_WATERMARK_STRICT = re.compile(
    r"(?:QQ|ＱＱ|微信号?|公众号|电话|手机|联系方式|邮箱|E-?mail)\s*(?:群\s*)?[:：]?\s*[\dA-Za-z@]{5,}|"
    r"https?://\S*|www\.\w\S*|"
    r"仅供(?:学习|参考|内部|交流|个人)|(?:禁止|严禁|不得)(?:外传|转载|商用|倒卖)|用后删除|版权所有|侵权必究|"
    r"转载请注明|未经.{0,8}(?:许可|授权|同意)|请勿(?:照搬|转载|外传|抄袭|传播)|违者(?:必究|后果自负)|"
    r"唯一指定|下载地址|获取完整版|资料均不完整"
)
_EMAIL = re.compile(r"[\w.]+@[\w-]+\.\w{2,}")
"""Apart, and tried only on a line with an @: searched at every character, its leading run of word characters
(every Han character is one) made the notice pattern cost a scan per character of the line."""
# Words of notices and source lines: a short line that has them and recurs at the head or tail of other
# documents too is a watermark (来源：人民日报 微信公众号)
_WATERMARK_HINT = re.compile(
    r"会员|订阅|资料|整理|下载|倒卖|获取|原创|投稿|咨询|举报|群[:：]|免费|分享|内部|微信|公众号|QQ|"
    r"来源[:：]|责任编辑|编辑[:：]|转自|转载|版权"
)
_STRUCTURE = re.compile(
    r"^同志们|同志们[：:，,]|下面.{0,6}(讲|谈)|几点意见|会议上的讲话|谢谢大家|以上.{0,4}(意见|讲话)|"
    r"^今天.{0,8}召开|^最后|主要任务是"
)
_HEADING_NUMBER = re.compile(r"(?:[IVXLC]+|[0-9０-９]+|[一二三四五六七八九十]+|[（(][0-9一二三四五六七八九十]+[）)])[.．、:：]?")
"""A section's number standing alone (II., 3., 一、, （二）): the skeleton of a report, not a formula."""


def is_placeholder(text: str) -> bool:
    """Whether ``text`` holds a template's placeholder: XX县, ××同志, 某某, □□, ***.

    >>> [is_placeholder(t) for t in ("XX县人民政府", "***同志在**县", "**Mr Speaker:**", "Exxon Mobil", "某某单位",
    ...                                  "(Mr Lee Hsien Loong):**Mr Speaker", "**同志们：**")]
    [True, True, False, False, True, False, False]
    """
    return _PLACEHOLDER.search(_MARKDOWN_STRONG.sub(" ", text) if "**" in text else text) is not None


HEAD_PARAGRAPHS = 6
TAIL_PARAGRAPHS = 8
LINE_CHARS = 120
"""Longest line that can be a watermark."""
LIES_IN = 0.8
"""Share of a passage inside one family's member for the passage to be that family's (template, not copying)."""

RECURRING, SHORT, WATERMARK = "recurring", "short", "watermark"
"""Where a candidate family comes from: recurring long shingles, a short line, a watermark line."""


class Member(NamedTuple):
    """Where a family occurs: a document (as the caller numbers them) and original-text offsets."""

    doc: int
    start: int
    end: int


def min_docs_for(n_docs: int, min_docs: float | None) -> int:
    """The document count a family needs: an int, a share of the corpus (< 1), or the default.

    The default is 3 documents or 5% of the corpus, whichever is more: two
    documents sharing text is a pair, three or more begin to be a template.

    >>> min_docs_for(5, None), min_docs_for(1000, None), min_docs_for(200, 0.1), min_docs_for(10, 4)
    (3, 50, 20, 4)
    """
    if min_docs is None:
        return max(3, round(0.05 * n_docs))
    if min_docs < 1:
        return max(2, round(min_docs * n_docs))
    return max(2, int(min_docs))


def _pieces(feat: Features, frequent: np.ndarray | arrays.ValueSet, hashes: np.ndarray, K: int) -> list[tuple[int, int]]:
    """Token ranges covered by frequent long shingles."""
    if not len(hashes):
        return []
    return _covered_by(feat, arrays.contains(frequent, hashes), K)


def _covered_by(feat: Features, hit: np.ndarray, K: int) -> list[tuple[int, int]]:
    """Token ranges covered by the long shingles where ``hit`` is True."""
    covered = np.zeros(len(feat.tokens) + 1, dtype=np.int64)
    idx = np.flatnonzero(hit)
    np.add.at(covered, idx, 1)
    np.add.at(covered, idx + K, -1)
    mask = np.cumsum(covered)[:-1] > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def held_in(doc_freq: Sequence[np.ndarray], min_docs: int,
            *read: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """``(doc, pos)`` (int64) of every shingle held by ``min_docs`` documents or more, in document then
    position order, and what each per-document array of ``read`` holds there.

    A document at a time: the frequencies (or the hashes read) laid end to end would be corpus-long
    temporaries, and memory a process touches first costs page faults (``benchmarks/RESULTS.md``).
    """
    found = [(n, pos) for n, df in enumerate(doc_freq) if len(pos := np.flatnonzero(df >= min_docs))]
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, [per_doc[0][:0] if len(per_doc) else empty for per_doc in read]
    doc = np.repeat(np.array([n for n, _ in found], dtype=np.int64), [len(pos) for _, pos in found])
    pos = np.concatenate([pos for _, pos in found]).astype(np.int64, copy=False)
    return doc, pos, [np.concatenate([per_doc[n][at] for n, at in found]) for per_doc in read]


def _covered_in_all(features: Sequence[Features], doc_freq: Sequence[np.ndarray], min_docs: int,
                    K: int) -> list[tuple[int, int, int]]:
    """``(doc, tok_lo, tok_hi)`` of every document's ``_covered_by(feat, df >= min_docs, K)``, in one pass.

    The documents' tokens are laid end to end with one empty token between
    two documents, so no range runs from one document into the next. The
    frequent shingles are few: their ranges, all ``K`` long, are joined in
    order, with nothing as long as the corpus but the frequencies read.
    """
    doc, pos, _ = held_in(doc_freq, min_docs)
    if not len(pos):
        return []
    n_tokens = np.array([len(f.tokens) for f in features], dtype=np.int64)
    starts = np.cumsum(n_tokens + 1) - (n_tokens + 1)  # each document's first token, laid end to end
    at = pos + starts[doc]
    # ranges of equal length in order: a new one starts past the end of the one before it
    new = np.ones(len(at), dtype=bool)
    new[1:] = at[1:] > at[:-1] + K
    lo, hi, doc = at[new], at[np.append(new[1:], True)] + K, doc[new]
    return list(zip(doc.tolist(), (lo - starts[doc]).tolist(), (hi - starts[doc]).tolist()))


def long_k(settings) -> int:
    """Half the length in tokens of a long shingle: the shingle size for Han characters, half of it for jieba
    words (a word is two characters or so: 习近平新时代中国特色社会主义思想 is six words, not eight)."""
    return settings.shingle if settings.unit == "char" else max(1, settings.shingle // 2)


def long_hashes(feat: Features, k: int) -> np.ndarray:
    """Hashes of the long shingles (``2k`` tokens, unweighted) that template families are found by."""
    return shingle_hashes(feat.tokens.hash, 2 * k)


def long_hashes_of_all(features: Sequence[Features], k: int) -> list[np.ndarray]:
    """``long_hashes`` of every document, hashed in one pass over their tokens laid end to end.

    A shingle's hash depends only on its tokens, so each document's are the
    ones that start in it and end in it; those that straddle two documents
    are never handed out.
    """
    K = 2 * k
    lengths = [len(f.tokens.hash) for f in features]
    every = shingle_hashes(np.concatenate([f.tokens.hash for f in features]) if features else
                           np.zeros(0, dtype=np.uint64), K)
    out, at = [], 0
    for n in lengths:
        out.append(every[at : at + max(0, n - K + 1)])
        at += n
    return out


def long_may_repeat(short_doc_freq: Sequence[np.ndarray], long: Sequence[np.ndarray], k: int,
                    K: int) -> list[np.ndarray] | None:
    """Per document, False where its long shingle (``K`` tokens) stands in no other document, as its
    ``k``-shingles tell: ``short_doc_freq`` (``candidates.shingle_doc_freq`` of the documents' own shingles).

    Every token weighs at least one, so a ``k``-shingle spans at most ``k``
    tokens and those that start at tokens ``i .. i + K - k`` lie inside the
    long shingle at ``i``; a document that holds the long one holds them. In
    most of a corpus one of them stands in its document alone (two thirds of
    cpcnews's long shingles), so ``shingle_doc_freq(long, may_repeat)``
    sorts a third as many. None when ``K < k``: no ``k``-shingle need lie
    inside. The counts must be of the shingles the tokens make: known
    boilerplate's shingles are made unique (``reuse.exclude``), its tokens
    are not.
    """
    if K < k:
        return None
    out = []
    for freq, hashes in zip(short_doc_freq, long):
        n = len(hashes)
        repeats = freq >= 2
        may = repeats[:n].copy()
        for j in range(1, K - k + 1):
            may &= repeats[j : j + n]
        out.append(may)
    return out


def pieces(feat: Features, frequent: np.ndarray | arrays.ValueSet, hashes: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Token ranges of a document covered by its long shingles found in ``frequent`` (sorted array or ValueSet)."""
    return _pieces(feat, frequent, hashes, 2 * k)


def piece_hashes(hashes: np.ndarray, lo: int, hi: int, k: int) -> set[int]:
    """The long shingle hashes inside the piece ``[lo, hi)``: pieces sharing one are one family."""
    return set(hashes[lo : hi - 2 * k + 1].tolist())


def recurring(documents: Sequence[Document], features: Sequence[Features], *, k: int, min_docs: int,
              max_gap: int, min_length: int, long: Sequence[np.ndarray] | None = None,
              doc_freq: Sequence[np.ndarray] | None = None) -> list[list[Member]]:
    """Candidate families of text whose long shingles recur in at least ``min_docs`` documents, as members.

    ``assemble`` keeps those that ``kept`` allows. ``long`` and ``doc_freq``
    (each document's long shingle hashes and how many documents hold each),
    when the caller has them, spare counting them again.
    """
    found: list[tuple[int, int, int]] = []  # (doc, tok_lo, tok_hi)
    if long is None or doc_freq is None:
        long = long_hashes_of_all(features, k)
        frequent = arrays.ValueSet(arrays.frequent_values(long, min_docs))
        if not len(frequent):
            return []
        for d, (feat, hashes) in enumerate(zip(features, long)):
            found += [(d, lo, hi) for lo, hi in pieces(feat, frequent, hashes, k)]
    else:
        found = _covered_in_all(features, doc_freq, min_docs, 2 * k)
    held = [long[d][lo : hi - 2 * k + 1] for d, lo, hi in found]
    piece = np.repeat(np.arange(len(held), dtype=np.int64), [len(h) for h in held])
    roots = split_flat(piece, np.concatenate(held) if held else np.zeros(0, dtype=np.uint64), len(found))
    # a family is named by its first piece: in ascending order of names, they come in the order they start
    return join_all(np.array(found, dtype=np.int64).reshape(-1, 3), roots, features, max_gap=max_gap,
                    min_length=min_length)


def split_by_anchor(hash_sets: Sequence[set[int]], share: float = 0.5) -> list[int]:
    """A group number per piece: pieces that repeat one text, however texts sit side by side in documents.

    Grouping pieces by any shingle they share joins every formula of a
    corpus into one family, since formulas stand next to each other in some
    document or other, and a copied paragraph with the formula it quotes.
    Here each piece is claimed by its anchor: one of its shingles held by as
    many pieces as its median shingle (the smallest such hash, so every copy
    of a text picks the same one), so a paragraph in 3 documents that quotes
    a formula from 300 stays the paragraph. A copy that lost its text's
    anchor to an edit still joins its text, since the anchor it keeps is
    held by ``share`` of that text's pieces. Counts are of pieces holding a
    shingle, so the result depends on the pieces alone.

    >>> split_by_anchor([{1, 2}, {1, 2}, {2, 3}, {7, 8}, {7, 8}, {7, 8, 9}])   # two texts, one edited copy
    [0, 0, 0, 3, 3, 3]
    >>> split_by_anchor([{1, 2}, {1, 2}, {1, 2, 7}, {7, 8}, {7, 8}])        # side by side once: still two
    [0, 0, 0, 3, 3]
    >>> split_by_anchor([{1}, {1}, {1}, {1, 5, 6, 7}, {1, 5, 6, 7}])        # a paragraph quoting a formula
    [0, 0, 0, 3, 3]
    """
    sizes = [len(hs) for hs in hash_sets]
    piece = np.repeat(np.arange(len(hash_sets), dtype=np.int64), sizes)
    # hashes as unsigned 64-bit values whatever their sign (a library reads them back signed from SQLite)
    hashes = np.array([h & _M64 for hs in hash_sets for h in hs], dtype=np.uint64)
    return split_flat(piece, hashes, len(hash_sets), share).tolist()


_M64 = (1 << 64) - 1


def _by_piece(piece: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``piece`` and ``c`` (both non-negative) in (piece, c) order: one np.sort of the two packed in 64 bits
    where they fit, far faster than the argsort that orders rows (equal rows are equal values here)."""
    bits = max(1, int(c.max()).bit_length()) if len(c) else 1
    if len(piece) and int(piece.max()).bit_length() + bits > 64:
        order = arrays.sort_order([piece, c])
        return piece[order], c[order]
    packed = (piece.astype(np.uint64) << np.uint64(bits)) | c.astype(np.uint64)
    packed.sort()
    return (packed >> np.uint64(bits)).astype(np.int64), (packed & np.uint64((1 << bits) - 1)).astype(np.int64)


def split_flat(piece: np.ndarray, hashes: np.ndarray, n: int, share: float = 0.5) -> np.ndarray:
    """``split_by_anchor`` of ``n`` pieces given as flat (piece, hash) pairs, laid out piece by piece (``piece``
    ascending, as ``np.repeat`` of the pieces' numbers makes it): a group number per piece."""
    label = np.arange(n, dtype=np.int64)
    if not len(piece):
        return label
    order = arrays.group_equal(hashes)[0]  # hashes in order, ties by row: (hash, piece) order, by a packed sort
    piece, hashes = piece[order], hashes[order]
    keep = np.ones(len(piece), dtype=bool)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (piece[1:] != piece[:-1])  # a hash counts once per piece
    piece, hashes = piece[keep], hashes[keep]
    new = np.ones(len(hashes), dtype=bool)
    new[1:] = hashes[1:] != hashes[:-1]
    hid = np.cumsum(new) - 1  # hash ids in ascending hash order
    starts = np.flatnonzero(new)
    count = arrays.gaps(starts, len(hashes))
    c = count[hid]
    # each piece's level: the median count of its hashes; its anchor: the smallest hash held that often
    p_sorted, c_sorted = _by_piece(piece, c)
    first = np.searchsorted(p_sorted, np.arange(n), side="left")
    last = np.searchsorted(p_sorted, np.arange(n), side="right")
    has = last > first
    level = np.zeros(n, dtype=np.int64)
    level[has] = c_sorted[(first[has] + (last[has] - first[has]) // 2)]
    at_level = c == level[piece]
    anchor = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(anchor, piece[at_level], hid[at_level])
    # anchors most widespread first; a group is named by its anchor while it forms
    holding = np.flatnonzero(has)
    claimants = holding[np.argsort(anchor[holding], kind="stable")]
    a_vals = anchor[claimants]
    a_new = np.ones(len(a_vals), dtype=bool)
    a_new[1:] = a_vals[1:] != a_vals[:-1]
    a_starts = np.flatnonzero(a_new)
    a_ends = np.append(a_starts[1:], len(a_vals))
    anchors = a_vals[a_starts]
    ranked = np.lexsort((anchors, -count[anchors]))
    group_of = np.full(n, -1, dtype=np.int64)  # anchor id of each assigned piece's group
    size: dict[int, int] = {}
    holders_start, holders_end = starts, np.append(starts[1:], len(hashes))
    for r in ranked.tolist():
        a = int(anchors[r])
        mine = claimants[a_starts[r]:a_ends[r]]
        target = a
        if size:
            held = group_of[piece[holders_start[a]:holders_end[a]]]
            held = held[held >= 0]
            if len(held):
                # the group holding most of the anchor's pieces, then the most widespread, then the first
                # (counted in Python: most anchors have a few holders, where np.unique costs more)
                g, n_held = min(Counter(held.tolist()).items(), key=lambda gn: (-gn[1], -count[gn[0]], gn[0]))
                if n_held >= share * size[g]:
                    target = g
        group_of[mine] = target
        size[target] = size.get(target, 0) + len(mine)
    # each group named by its first piece
    out = label.copy()
    assigned = np.flatnonzero(group_of >= 0)
    groups, first = np.unique(group_of[assigned], return_index=True)
    out[assigned] = assigned[first][np.searchsorted(groups, group_of[assigned])]
    return out


def whole_documents(members: Sequence[Member], frames, share: float = 0.5) -> bool:
    """True when the family is most of its documents: copies of one document, not a template in them.

    ``frames[doc]`` is each member's document's ``frame`` (its ``length`` counts).
    """
    covered: dict[int, int] = defaultdict(int)
    for m in members:
        covered[m.doc] += m.end - m.start
    big = sum(covered[d] > share * frames[d].length for d in covered)
    return big * 2 > len(covered)


def join(items: list[tuple[int, int, int]], features, *, max_gap: int, min_length: int) -> list[Member]:
    """One family's pieces ``(doc, tok_lo, tok_hi)`` as members: pieces of a document close together are one member.

    ``features[doc]`` maps token ranges to the original text (``char_span``
    and ``original_span``, as ``Features`` does). A library joins a draft's
    pieces with it; a scan joins every family at once (``join_all``).
    """
    by_doc: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for doc, lo, hi in items:
        by_doc[doc].append((lo, hi))
    members = []
    for d in sorted(by_doc):
        spans = sorted(by_doc[d])
        merged = [list(spans[0])]
        for lo, hi in spans[1:]:
            if lo <= merged[-1][1] + max_gap:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        feat = features[d]
        for lo, hi in merged:
            if hi - lo < min_length and feat.weight(lo, hi) < min_length:  # (a token weighs one or more)
                continue
            start, end = feat.original_span(*feat.char_span(lo, hi))
            members.append(Member(d, start, end))
    return members


def join_all(found: np.ndarray, labels: np.ndarray, features, *, max_gap: int,
             min_length: int) -> list[list[Member]]:
    """``join`` of every text at once: the pieces ``found`` (``(doc, tok_lo, tok_hi)`` rows) of each label,
    one list of members per label in ascending label order.

    The merging is done in arrays for all labels and documents together
    (``joined_pieces``); only the members kept are mapped to the original
    text, a document at a time.
    """
    if not len(found):
        return []
    out: dict[int, list[Member]] = {label: [] for label in np.unique(labels).tolist()}
    label, doc, lo, hi = joined_pieces(found, labels, features, max_gap=max_gap, min_length=min_length)
    spans = token_spans_in_original(features, doc, lo, hi)
    for g, d, start, end in zip(label.tolist(), doc.tolist(), spans[:, 0].tolist(), spans[:, 1].tolist()):
        out[g].append(Member(d, start, end))
    return [out[g] for g in sorted(out)]


def joined_pieces(found: np.ndarray, labels: np.ndarray, features: Sequence[Features], *, max_gap: int,
                  min_length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(label, doc, tok_lo, tok_hi)`` of the members ``join`` makes of each label's pieces, in
    (label, document, position) order: the pieces of a document and label closer than ``max_gap`` tokens
    merge, and a merged piece shorter than ``min_length`` Han characters (a word of a spaced script counts
    two, as everywhere) is no member."""
    doc, lo, hi = found[:, 0], found[:, 1], found[:, 2]
    order = arrays.sort_order([labels, doc, lo, hi])
    g, doc, lo, hi = labels[order], doc[order], lo[order], hi[order]
    group = np.ones(len(g), dtype=bool)
    group[1:] = (g[1:] != g[:-1]) | (doc[1:] != doc[:-1])
    reach = arrays.furthest_in_group(hi, group)  # within each (label, document)
    start = group.copy()
    start[1:] |= lo[1:] > reach[:-1] + max_gap
    first = np.flatnonzero(start)
    last = np.append(first[1:], len(g)) - 1
    keep = reach[last] - lo[first] >= min_length
    few = np.flatnonzero(~keep)  # too few tokens to be sure: weighed (a token weighs one or more)
    keep[few] = token_weights(features, doc[first[few]], lo[first[few]], reach[last[few]]) >= min_length
    first, last = first[keep], last[keep]
    return g[first], doc[first], lo[first], reach[last]


NOTICE_CHARS = 60
"""Longest line that one notice makes a watermark: a template site's notices run 8-47 characters in the seeds,
while a news sentence that gives a hotline, an address or a website (or says 未经授权) runs 50-110. A longer
line takes two notices (仅供学习 and a 公众号, a website and an e-mail address)."""


def _is_watermark_line(text: str) -> bool:
    """A notice that needs no second document to be one: contact details, terms of use; one on a short line,
    two on a longer one."""
    needed = 1 if len(text) <= NOTICE_CHARS else 2
    spans = [m.span() for m in _WATERMARK_STRICT.finditer(text)]  # a web address is one, its www. and all
    if len(spans) < needed and "@" in text:  # an address that a label (邮箱：) already holds is the same notice
        spans += [m.span() for m in _EMAIL.finditer(text) if not any(s < m.end() and m.start() < e for s, e in spans)]
    return len(spans) >= needed


HINTED_CHARS = 40
"""Longest line that is a watermark by recurring in other documents with a notice's words (a source line)."""


def watermark_lines(doc: Document, repeated: set[str]) -> list[Span]:
    """Paragraphs of a document that are a template site's or a publisher's notices, not its content.

    A watermark sits in the head or tail of the document and is a notice:
    contact details or terms of use (a strict pattern); or a short line with
    the words of one (来源、公众号、资料、会员...) that recurs at the head or
    tail of other documents too; or, in a document that carries a strict
    notice, a short line that recurs in it (the site's name at both ends). In
    the tail, the short lines after a strict notice are the same block (the
    site's slogans). A sentence of the body that mentions 微信 is none.
    """
    paras = list(doc.paragraphs)
    if not paras:
        return []
    out: set[int] = set()
    text = doc.text
    head = range(min(HEAD_PARAGRAPHS, len(paras)))
    tail = range(max(len(paras) - TAIL_PARAGRAPHS, 0), len(paras))
    ends = sorted({*head, *tail})
    lines = [text[p.start:p.end] for p in paras]
    strict = {i for i in ends if len(lines[i]) <= LINE_CHARS and _is_watermark_line(lines[i])}
    local = Counter(lines[i] for i in ends)
    for i in ends:
        line = lines[i]
        if len(line) > LINE_CHARS:
            continue
        if i in strict or (line in repeated and len(line) <= HINTED_CHARS and _WATERMARK_HINT.search(line)) or (
                strict and local[line] > 1 and len(line) < HINTED_CHARS):
            out.add(i)
    # the block rule is for the tail only: in a short document head and tail overlap
    tail_notices = sorted(i for i in strict if i in tail and i >= len(paras) // 2)
    if tail_notices:
        for i in range(tail_notices[0], len(paras)):
            if len(lines[i]) <= NOTICE_CHARS:
                out.add(i)
    return [paras[i] for i in sorted(out)]


def short_lines(doc: Document, feat: Features, *, min_length: int) -> list[tuple[str, Span]]:
    """Lines and sentences of a document too short for shingles, as ``(folded text, span)``."""
    starts = [s.start for s in doc.paragraphs] + [s.start for s in doc.sentences]
    if not starts:
        return []
    ends = [s.end for s in doc.paragraphs] + [s.end for s in doc.sentences]
    # each distinct span once, by start then end: offsets packed in one int64 (a text is under 2**31 characters)
    packed = np.unique((np.array(starts, dtype=np.int64) << 32) | np.array(ends, dtype=np.int64))
    start, end = packed >> 32, packed & 0xFFFFFFFF
    lo = np.searchsorted(feat.folded.origin, start)
    hi = np.searchsorted(feat.folded.origin, end)
    short = (hi - lo >= 2) & (hi - lo < min_length)
    text = feat.folded.text
    return [(text[a:b], Span(s, e)) for s, e, a, b in zip(start[short].tolist(), end[short].tolist(),
                                                           lo[short].tolist(), hi[short].tolist())]


def short_units(documents: Sequence[Document], features: Sequence[Features], *, min_docs: int,
                min_length: int) -> list[list[Member]]:
    """Whole lines and sentences too short for shingles that recur in ``min_docs`` documents.

    This is where a speech's skeleton shows: 同志们： opens all five seeds.
    """
    where: dict[str, list[Member]] = defaultdict(list)
    for d, (doc, feat) in enumerate(zip(documents, features)):
        for key, span in short_lines(doc, feat, min_length=min_length):
            where[key].append(Member(d, span.start, span.end))
    return [
        sorted(set(ms), key=lambda m: (m.doc, m.start))
        for key, ms in sorted(where.items())
        if enough_documents(len({m.doc for m in ms}), min_docs)  # the others can never be kept
    ]


def candidate_lines(doc: Document) -> set[str]:
    """The lines (whole paragraphs) of a document that can be watermark lines: ``LINE_CHARS`` at most."""
    return {line for line in (doc.text[p.start:p.end] for p in doc.paragraphs) if len(line) <= LINE_CHARS}


def repeated_lines(documents: Sequence[Document]) -> set[str]:
    """Candidate lines found in more than one document (a hint a watermark line needs)."""
    line_counts: Counter = Counter()
    for doc in documents:
        line_counts.update(candidate_lines(doc))
    return {line for line, n in line_counts.items() if n > 1}


def watermark_marks(doc: Document, repeated: set[str]) -> list[tuple[str, Span]]:
    """A document's watermark lines as ``(folded text, span)``: the same folded line is one family."""
    return [(fold_text(doc.text[span.start:span.end]), span) for span in watermark_lines(doc, repeated)]


def describe(texts: Sequence[str], positions: Sequence[str], *, is_watermark: bool, short: bool = False,
             keys: Sequence[str] | None = None) -> tuple[str, str]:
    """A family's kind and representative text, from its members' texts in (document, start) order.

    The most common wording (folded: ``keys``, when the caller has them) is
    the representative (ties: the first in text order); ``positions``
    ('head', 'tail' or 'body' of each member) matter for short lines only.
    """
    keys = list(keys) if keys is not None else [fold_text(t) for t in texts]
    counts = Counter(keys)
    top = max(counts.values())
    rep = texts[keys.index(min(key for key, n in counts.items() if n == top))]
    return _kind(rep, texts, positions, is_watermark, short=short), rep


def _kind(rep: str, texts: list[str], positions: list[str], is_watermark: bool, short: bool = False) -> str:
    if is_watermark:
        return "watermark"
    if any(is_placeholder(t) for t in texts):
        return "placeholder"
    if _STRUCTURE.search(rep) or _HEADING_NUMBER.fullmatch(rep.strip()):
        return "structure"
    if short and sum(p != "body" for p in positions) * 2 >= len(positions):
        return "structure"  # a short line at the head or tail of most documents: salutation, heading
    return "boilerplate" if len(rep) >= 50 else "formula"


def position(doc: Document, start: int) -> str:
    """'head' (first three paragraphs), 'tail' (last two) or 'body'."""
    paras = doc.paragraphs
    if not paras:
        return "body"
    at = min(bisect.bisect_right([p.end for p in paras], start), len(paras) - 1)
    if at < 3:
        return "head"
    if at >= len(paras) - 2:
        return "tail"
    return "body"


def find_templates(documents: Sequence[Document], features: Sequence[Features], *, k: int, min_docs: int,
                   max_gap: int, min_length: int) -> list[Template]:
    """Every template family of the corpus, most widespread first, with stable ids.

    The two halves (``recurring`` and ``line_families``) read the corpus
    independently, so a scan runs them as separate tasks and joins them
    with ``assemble``.
    """
    groups = recurring(documents, features, k=k, min_docs=min_docs, max_gap=max_gap, min_length=min_length)
    return assemble(documents, groups, line_families(documents, features, min_docs=min_docs, min_length=min_length),
                    min_docs=min_docs)


def line_families(documents: Sequence[Document], features: Sequence[Features], *, min_docs: int,
                  min_length: int) -> tuple[list[list[Member]], dict[str, list[Member]]]:
    """Short units recurring in ``min_docs`` documents, and watermark lines by their folded text."""
    shorts = short_units(documents, features, min_docs=min_docs, min_length=min_length)
    # watermark lines: same line (folded) in several documents is one family
    repeated = repeated_lines(documents)
    marks: dict[str, list[Member]] = defaultdict(list)
    for d, doc in enumerate(documents):
        for key, span in watermark_marks(doc, repeated):
            marks[key].append(Member(d, span.start, span.end))
    return shorts, dict(marks)


def assemble(documents: Sequence[Document], groups: list[list[Member]],
             lines: tuple[list[list[Member]], dict[str, list[Member]]], *, min_docs: int) -> list[Template]:
    """Template families from ``recurring`` groups and ``line_families``: kept, described, ordered and numbered."""
    shorts, marks = lines
    names = [doc.id for doc in documents]
    frames = Frames(lambda d: documents[d].text)
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ms in marks.values():
        for m in ms:
            spans[m.doc].append((m.start, m.end))
    watermarks = lambda doc: spans.get(doc, ())  # noqa: E731
    candidates = [(RECURRING, g, None) for g in groups] + [(SHORT, g, None) for g in shorts]
    candidates += [(WATERMARK, ms, key) for key, ms in marks.items()]
    templates = []
    for source, members, key in candidates:
        texts = [documents[m.doc].text[m.start:m.end] for m in members]
        if not kept(source, members, min_docs=min_docs, frames=frames, watermarks=watermarks, key=key,
                    texts=texts):
            continue
        positions = [position(documents[m.doc], m.start) for m in members] if source == SHORT else None
        templates.append(described(members, names, texts, positions=positions, watermark=source == WATERMARK))
    return numbered(templates)


# -- the rules, for a corpus and for a library ------------------------------------------------------


def enough_documents(doc_count: int, min_docs: int, *, watermark: bool = False) -> bool:
    """Whether a family stands on ``doc_count`` documents: ``min_docs`` (``min_docs_for``), or one for a watermark.

    >>> enough_documents(2, 3), enough_documents(3, 3), enough_documents(1, 3, watermark=True)
    (False, True, True)
    """
    return watermark or doc_count >= min_docs


BOILERPLATE_CHARS = 50
"""Recurring text this long is boilerplate when it is a template (``_kind``), and else copied text."""
FRAME_LINES = 2
"""Short lines a document may carry before its body (a title, a byline) and after it (a date, a signature)."""
FRAME_LINE_CHARS = 60
"""Longest line that counts as a heading or a sign-off rather than body text."""
FRAME_SLACK = 8
"""Characters (a number, a bullet, a quotation mark) a member may stand in from its document's frame."""


class Frame(NamedTuple):
    """A document's length and where its body lies (``frame``)."""

    length: int
    start: int
    end: int


def frame(text: str) -> Frame:
    """A document's frame: its body starts past at most ``FRAME_LINES`` short lines at its head and ends
    before at most as many at its tail.

    Boilerplate that heads or closes documents stands right at this frame: a
    paragraph planted after a title stands at it by chance in one document,
    not in most.

    >>> text = "标题\\n" + "正文。" * 30 + "\\n2020年1月1日\\n"
    >>> frame(text), text[3:93] == "正文。" * 30
    (Frame(length=104, start=3, end=93), True)
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    if not lines:
        return Frame(len(text), 0, len(text))
    short = [len(text[lo:hi].strip()) <= FRAME_LINE_CHARS for lo, hi in lines]
    head = 0
    while head < min(FRAME_LINES, len(lines) - 1) and short[head]:
        head += 1
    tail = len(lines)
    while tail > max(head + 1, len(lines) - FRAME_LINES) and short[tail - 1]:
        tail -= 1
    return Frame(len(text), lines[head][0], lines[tail - 1][1])


class Frames:
    """``frames[doc]``: each document's ``frame``, found the first time ``kept`` asks for it.

    Only documents holding a candidate family are asked for, so a corpus or
    a library is not read through for them. ``text_of(doc)`` gives a
    document's text.
    """

    def __init__(self, text_of: Callable[[int], str]):
        self.text_of = text_of
        self.found: dict[int, Frame] = {}

    def __getitem__(self, doc: int) -> Frame:
        if doc not in self.found:
            self.found[doc] = frame(self.text_of(doc))
        return self.found[doc]


def copied_text(members: Sequence[Member], texts: Sequence[str], frames: Frames | Mapping[int, Frame]) -> bool:
    """Whether long recurring text is copied text (a cluster of copies), not a template.

    Long text is a template only when it is form: a placeholder paragraph
    (XX县), a frame with other numbers in its slots (``numbers_in_slots``),
    or boilerplate that opens or closes most of its documents (a header, a
    disclaimer, a sign-off: nothing but short lines before it, or after it;
    ``frames[doc]`` is each document's ``frame``). Anywhere else it is
    copied, whether in 3 documents or 300.
    """
    spans = sorted(m.end - m.start for m in members)
    if not spans or spans[len(spans) // 2] < BOILERPLATE_CHARS:
        return False
    if any(is_placeholder(t) for t in texts) or numbers_in_slots((texts[0], t) for t in texts[1:]):
        return False
    heads = sum(m.start <= frames[m.doc].start + FRAME_SLACK for m in members)
    tails = sum(m.end >= frames[m.doc].end - FRAME_SLACK for m in members)
    return 2 * max(heads, tails) <= len(members)


_NUMBER = re.compile(r"\d+(?:[.,．]\d+)*")
SLOTS = 3
"""Distinct numbers each of two texts holds where their numbers are said to differ (a dateline has two)."""
SLOT_CHARS = 50
"""Characters of a frame's text per number it holds, at most: a daily report has one every 15 or so."""


def other_numbers(a: str, b: str) -> bool:
    """Whether two texts that match with their digits folded are a frame with other numbers in its slots:
    each holds ``SLOTS`` numbers or more, a number every ``SLOT_CHARS`` characters or closer (a paragraph
    copied with its figures changed holds a few in hundreds of characters), and most are not the other's.

    >>> other_numbers("截至2月26日累计78497例，新增433例", "截至2月27日累计78824例，新增327例")
    True
    >>> other_numbers("截至2月26日累计78497例，新增433例", "北京2月27日电 截至2月26日累计78491例，新增433例")
    False
    """
    na, nb = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    least = min(len(na), len(nb))
    return (least >= SLOTS and len(a) <= SLOT_CHARS * len(na) and len(b) <= SLOT_CHARS * len(nb)
            and 2 * len(na & nb) < least)


def numbers_in_slots(pairs: Iterable[tuple[str, str]]) -> bool:
    """Whether text that recurs in several documents is a frame with other numbers in its slots, not copied:
    most of its ``pairs`` of texts (each holder against one of them) hold other numbers (``other_numbers``).

    Digits fold alike, so a daily report (截至2月26日24时……累计报告确诊病例78497例) matches itself
    every day, and a decree's frame (2020年6月29日中共中央政治局会议审议批准 2020年7月13日中共中央
    发布) every time it is used. A copy keeps its numbers, or has one of them edited; a republished report
    adds a dateline of its own (12月3日讯), and that makes no frame.
    """
    pairs = list(pairs)
    need = len(pairs) // 2 + 1  # more than half; a verbatim copy holds the same numbers on both sides
    other = 0
    for at, (a, b) in enumerate(pairs):
        other += a != b and other_numbers(a, b)
        if other >= need or other + len(pairs) - at - 1 < need:  # decided
            return other >= need
    return False


def kept(source: str, members: Sequence[Member], *, min_docs: int, frames: Frames | Mapping[int, Frame],
         watermarks: Callable[[int], Iterable[tuple[int, int]]], key: str | None = None,
         texts: Sequence[str] | None = None) -> bool:
    """Whether a candidate family is a template family.

    Args:
        source: ``RECURRING``, ``SHORT`` or ``WATERMARK``.
        members: where it occurs (``doc`` as the caller numbers documents).
        min_docs: the threshold (``min_docs_for``).
        frames: ``frames[doc]``, each document's ``frame`` (``Frames`` finds them as asked).
        watermarks: ``watermarks(doc)``, the spans of a document's watermark lines.
        key: a watermark line's folded text (an empty one is no family).
        texts: the members' texts, for recurring text (``copied_text``).
    """
    if source == WATERMARK:
        return bool(members) and bool(key)
    if not enough_documents(len({m.doc for m in members}), min_docs):
        return False
    if source == RECURRING and (whole_documents(members, frames)
                                or (texts is not None and copied_text(members, texts, frames))):
        return False
    return not inside_watermarks(members, watermarks)


def inside_watermarks(members: Sequence[Member], watermarks: Callable[[int], Iterable[tuple[int, int]]]) -> bool:
    """True when every member lies inside a watermark line of its document: the family is that watermark."""
    return all(any(s <= m.start and m.end <= e for s, e in watermarks(m.doc)) for m in members)


def described(members: Sequence[Member], names: Sequence[str] | Mapping[int, str], texts: Sequence[str], *,
              keys: Sequence[str] | None = None, positions: Sequence[str] | None = None,
              watermark: bool = False) -> Template:
    """A kept family as a Template (id to be given): kind, representative text, documents, members.

    Members are read in (document name, start) order, ``names[doc]`` naming
    each member's document; ``texts`` (and the folded ``keys``, when the
    caller has them; ``positions`` of a short line's members) go with
    ``members``. The Template's members are ``(document name, start, end)``.
    """
    order = sorted(range(len(members)), key=lambda n: (names[members[n].doc], members[n].start))
    kind, rep = describe([texts[n] for n in order], [positions[n] for n in order] if positions is not None else [],
                         is_watermark=watermark, short=positions is not None,
                         keys=[keys[n] for n in order] if keys is not None else None)
    return Template("", kind, rep, len({m.doc for m in members}),
                    tuple((names[members[n].doc], members[n].start, members[n].end) for n in order))


def order_key(t: Template) -> tuple:
    """Families most widespread first, then by kind, longest text first, text and members."""
    return (-t.doc_count, t.kind, -len(t.text), t.text, t.members)


def numbered(templates: Iterable[Template]) -> list[Template]:
    """A corpus's families in order, numbered ``t001``, ``t002``...: a scan's ids."""
    ordered = sorted(templates, key=order_key)
    return [Template(f"t{n:03d}", t.kind, t.text, t.doc_count, t.members) for n, t in enumerate(ordered, 1)]


def component_id(doc: int, lo: int) -> str:
    """A library's id of a recurring family: its first piece, ``r<doc row id>.<token>``.

    Pieces belong to one component each, so ids never collide, and the id
    stays as other documents come and go unless the first piece does.
    """
    return f"r{doc}.{lo}"


def line_id(source: str, key: str) -> str:
    """A library's id of a short-line or watermark-line family: stable for its folded text ``key``.

    >>> line_id(SHORT, "同志们"), line_id(WATERMARK, "同志们")
    ('s0b2eeec78607', 'w0b2eeec78607')
    """
    prefix = {SHORT: "s", WATERMARK: "w"}[source]
    return prefix + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def lies_in(lo: int, hi: int, spans: Iterable[tuple[int, int, str]]) -> tuple[int, int, str] | None:
    """The member ``(start, end, family)`` covering most of ``[lo, hi)``, if it covers ``LIES_IN`` of it."""
    best, most = None, 0
    for span in spans:
        overlap = min(hi, span[1]) - max(lo, span[0])
        if overlap > most:
            best, most = span, overlap
    return best if hi > lo and most >= LIES_IN * (hi - lo) else None


def reaches(lo: int, hi: int, spans: Iterable[tuple[int, int, str]], margin: int) -> bool:
    """Whether any member of ``spans`` overlaps ``[lo, hi)`` widened by ``margin`` on each side: where none
    does, ``lies_in`` finds none for any span within that margin (a caller about to widen one need not)."""
    return any(min(hi + margin, span[1]) > max(lo - margin, span[0]) for span in spans)


def members_by_doc(templates: Sequence[Template]) -> dict[str, list[tuple[int, int, str]]]:
    """Each document's family members as ``(start, end, family)``: what ``lies_in`` looks a passage up in."""
    members: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for t in templates:
        for doc, start, end in t.members:
            members[doc].append((start, end, t.id))
    return dict(members)
