"""Stage 4: tokens and k-token shingles of folded text, as numpy arrays.

Two token units are available:

* ``char`` (default): every Han (or other unspaced-script) character is a
  token, and every run of letters/digits of a spaced script is one token.
* ``word``: runs of Han characters are cut into words by jieba instead.

Lengths count Han characters: a token of an unspaced script weighs as many
characters as it holds, a word of a spaced script (Latin, Cyrillic...)
weighs ``WORD_WEIGHT`` and a number weighs one. A shingle of size ``k`` is the shortest run of whole
tokens that weighs at least ``k``: four Han characters, or two English words,
so an English passage needs as much shared text as a Chinese one to be found,
and a typo in one word breaks two shingles, not four.

Shingle hashes are 64-bit (their low 32 bits feed MinHash) and computed for a
whole document at once; there is no Python call per shingle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from reuse import arrays
from reuse.normalize import SINGLE, Folded, codepoints

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)

WORD_WEIGHT = 2
"""Han characters a word of a spaced script counts for (an English word
carries about as much as two Chinese characters)."""


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: a fast avalanching bijection."""
    h = h.astype(np.uint64, copy=True)
    _fmix64_in_place(h, np.empty_like(h))
    return h


def _fmix64_in_place(h: np.ndarray, spare: np.ndarray) -> None:
    """``fmix64`` of the uint64 array ``h`` written over it, with ``spare`` (as long) as its work space."""
    shift = np.uint64(33)
    with np.errstate(over="ignore"):
        for multiplier in (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53), None):
            np.right_shift(h, shift, out=spare)
            h ^= spare
            if multiplier is not None:
                h *= multiplier


_POWERS = np.array(
    [pow(0x100000001B3, i, 1 << 64) for i in range(256)], dtype=np.uint64
)
_SHINGLE_MULTIPLIERS = fmix64(np.arange(1, 65, dtype=np.uint64)) | np.uint64(1)


@dataclass(frozen=True, eq=False)
class Tokens:
    """Tokens of a folded text: ``[start[i], end[i])`` in folded coordinates, with weights.

    Tokens tile the text, so where each ends is where the next starts (the
    text's ``length`` for the last): ``end`` is worked out when asked for, not
    kept (a scan's features hold a corpus of token starts, and ends would be
    as many again).
    """

    start: np.ndarray
    hash: np.ndarray
    weight: np.ndarray
    """Length of each token in Han characters (see the module docstring), uint8."""
    length: int
    """Characters of folded text the tokens tile."""

    def __len__(self) -> int:
        return len(self.start)

    @property
    def end(self) -> np.ndarray:
        """Where each token ends (int32, as ``start``)."""
        if not len(self.start):
            return self.start.copy()
        return np.append(self.start[1:], np.asarray(self.length, dtype=self.start.dtype))


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _token_starts(folded: Folded, unit: str) -> np.ndarray:
    single = folded.cls == SINGLE
    starts = single | folded.word_start
    if unit == "word" and single.any():
        starts = starts.copy()
        # runs of unspaced-script characters are handed to jieba; a run ends
        # wherever a separator was removed, so no word spans a comma
        idx = np.flatnonzero(single)
        new_run = np.ones(len(idx), dtype=bool)
        new_run[1:] = (np.diff(idx) != 1) | (np.diff(folded.origin[idx]) > 1)
        run_starts = idx[new_run]
        run_ends = np.append(idx[np.flatnonzero(new_run)[1:] - 1] + 1, idx[-1] + 1)
        tokenizer = _jieba()
        text = folded.text
        for rs, re_ in zip(run_starts.tolist(), run_ends.tolist()):
            starts[rs:re_] = False
            pos = rs
            for word in tokenizer.cut(text[rs:re_], HMM=False):
                starts[pos] = True
                pos += len(word)
    return np.flatnonzero(starts)


def tokenize(folded: Folded, *, unit: str = "char") -> Tokens:
    """Tokens of a folded text with a stable 64-bit hash each.

    >>> from reuse.normalize import fold
    >>> t = tokenize(fold("党的建设 hello world"))
    >>> [(int(s), int(e)) for s, e in zip(t.start, t.end)]
    [(0, 1), (1, 2), (2, 3), (3, 4), (4, 9), (9, 14)]
    """
    n = len(folded)
    starts = _token_starts(folded, unit) if n else np.zeros(0, dtype=np.int64)
    if not len(starts):
        empty = np.zeros(0, dtype=np.int32)
        return Tokens(empty, np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint8), n)
    ends = np.append(starts[1:], n)
    cps = codepoints(folded.text).astype(np.uint64)
    lengths = ends - starts
    salt = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        # a token's hash sums char * power(position) + salt over its characters;
        # every token has a first character, and in Chinese text few have more
        sums = cps[starts] * _POWERS[0] + salt
        longer = np.flatnonzero(lengths > 1)
        if len(longer):
            rest = lengths[longer] - 1  # characters after the first
            first_of = np.cumsum(rest) - rest
            pos = np.arange(int(rest.sum())) - np.repeat(first_of, rest) + 1
            at = np.repeat(starts[longer], rest) + pos
            sums[longer] += np.add.reduceat(cps[at] * _POWERS[pos % 256] + salt, first_of)
        hashes = fmix64(sums ^ lengths.astype(np.uint64))
    first = cps[starts]
    number = (first >= ord("0")) & (first <= ord("9"))  # a number says little, whatever its digits
    weight = np.where(folded.cls[starts] == SINGLE, np.minimum(ends - starts, 255), np.where(number, 1, WORD_WEIGHT))
    weight = weight.astype(np.uint8)
    return Tokens(starts.astype(np.int32), hashes, weight, n)  # int32: half the memory of a corpus


def shingle_ends(weights: np.ndarray, k: int) -> np.ndarray:
    """Token end (exclusive) of every shingle: the shortest run from each token weighing ``k``.

    Only tokens with at least ``k`` of weight left after them start a shingle.

    >>> shingle_ends(np.array([1, 1, 2, 1, 1]), 2).tolist()
    [2, 3, 3, 5]
    """
    cum = np.concatenate([[0], np.cumsum(weights, dtype=np.int64)])
    n = int(np.searchsorted(cum, cum[-1] - k, side="right"))  # shingles start at tokens 0..n-1
    # every token weighs at least one, so a shingle ends within k tokens: k - 1 comparisons, not a binary
    # search per token (the last shingles end before token i + j: nothing to compare there)
    target = cum[:n] + k
    ends = np.arange(1, n + 1, dtype=np.int64)
    for j in range(1, min(k, len(cum))):
        m = min(n, len(cum) - j)
        ends[:m] += cum[j:j + m] < target[:m]
    return ends


def shingle_hashes(token_hashes: np.ndarray, k: int, weights: np.ndarray | None = None, *,
                   ends: np.ndarray | None = None) -> np.ndarray:
    """64-bit hash of every shingle: ``k`` consecutive tokens, or ``k`` of weight.

    Without ``weights`` shingle ``i`` covers tokens ``i .. i+k-1`` and a text
    with fewer than ``k`` tokens has none; with them it covers tokens ``i ..
    shingle_ends(weights, k)[i] - 1`` (``ends``, when the caller has them).
    Equal token runs hash equal either way.

    >>> h = np.arange(5, dtype=np.uint64)
    >>> len(shingle_hashes(h, 3)), len(shingle_hashes(h, 6))
    (3, 0)
    >>> bool(shingle_hashes(h, 2, np.array([2, 1, 1, 2, 2]))[1] == shingle_hashes(h, 2)[1])
    True
    """
    if weights is None or not len(weights) or int(weights.max()) == 1 == int(weights.min()):
        n = len(token_hashes) - k + 1
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        # a slice at a time, summed and mixed in place: on a corpus's tokens laid end to end, whole-length
        # temporaries were most of the stage's memory, and memory a process touches first costs page faults
        out = np.empty(n, dtype=np.uint64)
        spare = np.empty(min(n, arrays.CHUNK), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for lo in range(0, n, arrays.CHUNK):
                hi = min(n, lo + arrays.CHUNK)
                acc, work = out[lo:hi], spare[: hi - lo]
                np.multiply(token_hashes[lo:hi], _SHINGLE_MULTIPLIERS[0], out=acc)
                for j in range(1, k):
                    np.multiply(token_hashes[lo + j : hi + j], _SHINGLE_MULTIPLIERS[j % 64], out=work)
                    acc += work
                _fmix64_in_place(acc, work)
        return out
    ends = shingle_ends(weights, k) if ends is None else ends
    n = len(ends)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    size = ends - np.arange(n)
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(int(size.max())):
            # token j of every shingle that has one (none of those from the last j tokens has)
            m = min(n, len(token_hashes) - j)
            np.add(acc[:m], token_hashes[j:j + m] * _SHINGLE_MULTIPLIERS[j % 64], out=acc[:m], where=size[:m] > j)
    return fmix64(acc)
