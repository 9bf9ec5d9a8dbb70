"""Stage 4: tokens and k-token shingles of folded text, as numpy arrays.

Two token units are available:

* ``char`` (default): every Han (or other unspaced-script) character is a
  token, and every run of letters/digits of a spaced script is one token.
* ``word``: runs of Han characters are cut into words by jieba instead.

Shingle hashes are 64-bit (their low 32 bits feed MinHash) and computed for a
whole document at once; there is no Python call per shingle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from reuse.normalize import SINGLE, Folded, codepoints

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: a fast avalanching bijection."""
    h = h.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
    return h


_POWERS = np.array(
    [pow(0x100000001B3, i, 1 << 64) for i in range(256)], dtype=np.uint64
)
_SHINGLE_MULTIPLIERS = fmix64(np.arange(1, 65, dtype=np.uint64)) | np.uint64(1)


@dataclass(frozen=True, eq=False)
class Tokens:
    """Tokens of a folded text: ``[start[i], end[i])`` in folded coordinates."""

    start: np.ndarray
    end: np.ndarray
    hash: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


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
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(empty, empty, np.zeros(0, dtype=np.uint64))
    ends = np.append(starts[1:], n)
    cps = codepoints(folded.text).astype(np.uint64)
    token_of = np.repeat(np.arange(len(starts)), ends - starts)
    pos = np.arange(n) - starts[token_of]
    with np.errstate(over="ignore"):
        weighted = cps * _POWERS[pos % 256] + np.uint64(0x9E3779B97F4A7C15)
    hashes = fmix64(np.add.reduceat(weighted, starts) ^ (ends - starts).astype(np.uint64))
    return Tokens(starts.astype(np.int64), ends.astype(np.int64), hashes)


def shingle_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """64-bit hash of every window of ``k`` consecutive tokens.

    Shingle ``i`` covers tokens ``i .. i+k-1``; a text with fewer than ``k``
    tokens has no shingles.

    >>> h = np.arange(5, dtype=np.uint64)
    >>> len(shingle_hashes(h, 3)), len(shingle_hashes(h, 6))
    (3, 0)
    """
    n = len(token_hashes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc += token_hashes[j : j + n] * _SHINGLE_MULTIPLIERS[j % 64]
    return fmix64(acc)
