"""Shared phrases: short runs of text that documents share without copying one another.

Official speeches share 党风廉政建设和反腐败斗争 and hundreds of phrases like
it. Each such run is one entry with every document that holds it, never one
row per pair of them: report.json grows with the shared text, not with the
square of a phrase's spread. Phrases are computed from the exact runs
(``reuse.candidates``) with array operations; nothing here aligns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reuse import arrays
from reuse.features import Features, token_spans_in_original

_M = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class PhraseGroups:
    """Runs grouped by their text: ``members`` ``(group, doc, start, end)`` in original offsets, sorted."""

    members: np.ndarray
    """``(n, 4)`` int64: group number, document index, original start and end."""
    groups: int


def run_keys(runs: np.ndarray, features: Sequence[Features]) -> np.ndarray:
    """A 64-bit key per run that equal text shares: its first shingle, its tokens' sum and its length.

    ``runs`` are ``(doc_a, doc_b, a_lo, a_hi, b_lo, b_hi)`` token rows; the
    key is read on side a, and both sides of a run hold the same folded text.
    """
    keys = np.zeros(len(runs), dtype=np.uint64)
    if not len(runs):
        return keys
    with np.errstate(over="ignore"):
        for d, rows in arrays.rows_by_value(runs[:, 0]):
            feat = features[d]
            sums = np.concatenate([[np.uint64(0)], np.cumsum(feat.tokens.hash, dtype=np.uint64)])
            a_lo, a_hi = runs[rows, 2], runs[rows, 3]
            first = feat.shingles[np.minimum(a_lo, len(feat.shingles) - 1)]
            keys[rows] = (first * _M) ^ (sums[a_hi] - sums[a_lo]) ^ (a_hi - a_lo).astype(np.uint64)
    return keys


def original_spans(runs: np.ndarray, features: Sequence[Features], side: int) -> np.ndarray:
    """``(n, 2)`` original-text spans of side a (0) or b (1) of each token run."""
    return token_spans_in_original(features, runs[:, side], runs[:, 2 + 2 * side], runs[:, 3 + 2 * side])


def group_runs(runs: np.ndarray, features: Sequence[Features], spans: tuple[np.ndarray, np.ndarray]) -> PhraseGroups:
    """Runs with the same text, whichever documents share them, as one group with every holder.

    A document holding the phrase at one place is one member however many
    pairs found it there. ``spans`` are the runs' ``original_spans`` on sides
    a and b (the caller has them already).
    """
    if not len(runs):
        return PhraseGroups(np.zeros((0, 4), dtype=np.int64), 0)
    keys = run_keys(runs, features)
    distinct, group = np.unique(keys, return_inverse=True)
    a, b = spans
    members = np.concatenate([
        np.stack([group, runs[:, 0], a[:, 0], a[:, 1]], axis=1),
        np.stack([group, runs[:, 1], b[:, 0], b[:, 1]], axis=1),
    ]).astype(np.int64)
    members = np.unique(members, axis=0)  # sorted by group, document, start
    # number groups by their first member (document, start) for a stable order
    first = np.flatnonzero(np.diff(members[:, 0], prepend=-1))
    rank = np.empty(len(distinct), dtype=np.int64)
    by_place = arrays.sort_order([members[first, 1], members[first, 2], members[first, 3]])
    rank[members[first[by_place], 0]] = np.arange(len(first))
    members[:, 0] = rank[members[:, 0]]
    members = members[arrays.sort_order([members[:, 0], members[:, 1], members[:, 2], members[:, 3]])]
    return PhraseGroups(members, len(first))
