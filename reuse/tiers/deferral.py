"""Which pairs a cluster makes redundant: aligned only when the copies that would drop them do not come.

A paragraph in k documents is k(k - 1)/2 candidate pairs, and ``settle``
keeps the pair passages of each member against the earliest witness (and a
member's passage with another member only where that one holds more of it).
Aligning every pair and dropping most of them afterwards is half of what a
scan aligns on a corpus of clusters (``benchmarks/RESULTS.md``). So, before
alignment, a pair whose every region is seen through an earlier witness
(``clusters.through_earlier``) is deferred whole; once the other pairs are
aligned, it is aligned after all unless ``settle`` would drop its copy: the
earliest document of the text the copies found make holds it with both of
its documents (``clusters.witnessed``). Whole pairs keep each pair's
passages what they were: a pair's regions are merged and judged together.

Template text and quotations are never deferred (no cluster drops them),
and deferral runs only in a corpus of clusters (``DEFER_SHARE``): where the
pairs a cluster would drop are few, most regions seen through a witness are
shared formulas, whose witness's regions are phrases too, and their pairs
would be aligned after all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reuse import arrays
from reuse import candidates as cand
from reuse.align import MAX_BRIDGE
from reuse.config import Settings
from reuse.features import Features, token_spans_in_original
from reuse.model import Document, Passage
from reuse.tiers import clusters as clustering
from reuse.tiers import quotes
from reuse.tiers.settle import copy_places

HEAVY = 2.0
"""A region whose exact runs weigh this many times the evidence of copying is a copy as a rule."""
DEFER_SHARE = 0.1
"""Pairs are deferred only where this share of them hold only heavy regions an earlier witness holds too."""
QUOTED_HERE = quotes.QUOTED / 2
"""A region this much inside quotation marks on both sides may align as a quotation: its pair is not deferred."""


@dataclass(frozen=True)
class Deferral:
    """The plan for one scan's candidate boxes (rows of ``candidates.boxes``)."""

    region: np.ndarray
    """Each row's region (``candidates.region_table``): the alignment tasks need not cluster the rows again."""
    later: np.ndarray
    """Each row's deferred pair (numbered from 0), or -1 for a row aligned now."""
    pair_of: np.ndarray
    """The deferred pair of each of ``looked_for``."""
    rank: np.ndarray
    """Each document's place in ``clusters.witness_order``."""
    looked_for: list[tuple[int, int, int, int, int, int]]
    """The regions of the deferred pairs (those one passage could join, as one) as ``(x, x_start, x_end, y,
    y_start, y_end)``: their places in the two documents' original text (``clusters.witnessed``)."""

    def again(self, passages: Sequence[Passage], documents: Sequence[Document], *, gap: int) -> np.ndarray:
        """Rows of the deferred pairs to align after all: ``settle`` would keep some copy of theirs, given
        ``passages`` (those of the rows aligned now), joined as ``settle`` joins them (within ``gap``)."""
        if not self.looked_for:
            return np.zeros(len(self.later), dtype=bool)
        copies = copy_places(passages, documents, gap=gap)
        held = np.array(clustering.witnessed(copies, self.looked_for, self.rank), dtype=bool)
        return np.isin(self.later, np.unique(self.pair_of[~held]))


def plan(box: np.ndarray, documents: Sequence[Document], features: Sequence[Features],
         members: dict[str, list[tuple[int, int, str]]], settings: Settings, *, floor: float) -> Deferral:
    """Which rows of ``box`` to align now, which to defer (see the module docstring).

    ``members`` are the template families' (``families.members_by_doc``); ``floor`` is the weight a region
    needs to be aligned at all (lighter ones never are, and count for nothing here).
    """
    label, regions, weight = cand.region_table(box, max_gap=settings.max_gap)
    n_docs = len(documents)
    rank = np.empty(n_docs, dtype=np.int64)
    rank[clustering.witness_order(range(n_docs), [d.date for d in documents], [d.id for d in documents])] = (
        np.arange(n_docs))
    nothing = Deferral(label, np.full(len(box), -1, dtype=np.int64), np.zeros(0, dtype=np.int64), rank, [])
    aligned = np.flatnonzero(weight >= floor)
    if not len(aligned):
        return nothing
    regions, weight = regions[aligned], weight[aligned]
    pairs, at = np.unique(_pair_key(regions[:, 0], regions[:, 1], n_docs), return_inverse=True)
    # first among the heavy regions alone (a region is covered by ones as heavy as itself): few, off clusters
    heavy = np.flatnonzero(weight >= HEAVY * settings.copy_evidence)
    seen_heavy = np.zeros(len(regions), dtype=bool)
    seen_heavy[heavy] = clustering.through_earlier(regions[heavy], weight[heavy], rank) >= 0
    only_heavy = np.ones(len(pairs), dtype=bool)  # only heavy regions, each seen through an earlier witness
    np.logical_and.at(only_heavy, at, seen_heavy)
    if only_heavy.sum() < DEFER_SHARE * len(pairs):
        return nothing
    witness = clustering.through_earlier(regions, weight, rank)
    whole = np.ones(len(pairs), dtype=bool)  # every region of the pair that would be aligned is seen
    np.logical_and.at(whole, at, witness >= 0)
    # the witness's pairs with the two documents must be aligned now, or its copies will not be there to see
    seen = np.flatnonzero(whole[at])
    chained = np.zeros(len(seen), dtype=bool)
    for d in (regions[seen, 0], regions[seen, 1]):
        where, found = _looked_up(pairs, _pair_key(witness[seen], d, n_docs))
        chained |= found & whole[where]
    whole[at[seen[chained]]] = False
    looked = np.flatnonzero(whole[at])
    r = regions[looked]
    a_side = token_spans_in_original(features, r[:, 0], r[:, 2], r[:, 3])
    b_side = token_spans_in_original(features, r[:, 1], r[:, 4], r[:, 5])
    in_family = (reach_members(r[:, 0], a_side[:, 0], a_side[:, 1], documents, members)
                 | reach_members(r[:, 1], b_side[:, 0], b_side[:, 1], documents, members))
    share = quotes.Quotations().share
    apart = np.array([family or (share(da, documents[da].text, a0, a1) >= QUOTED_HERE
                                 and share(db, documents[db].text, b0, b1) >= QUOTED_HERE)
                      for (da, db), (a0, a1), (b0, b1), family
                      in zip(r[:, :2].tolist(), a_side.tolist(), b_side.tolist(), in_family.tolist())], dtype=bool)
    whole[at[looked[apart]]] = False
    number = np.full(len(pairs), -1, dtype=np.int64)
    number[whole] = np.arange(int(whole.sum()))
    row_pair, found = _looked_up(pairs, _pair_key(box[:, 0], box[:, 1], n_docs))
    later = np.where(found, number[row_pair], -1)
    # what is looked for: the deferred pairs' regions, joined where alignment could make one passage of them
    final = whole[at[looked]]
    looked_for, pair_of = _joinable(regions[looked[final]], np.concatenate([a_side, b_side], axis=1)[final],
                                    number[at[looked[final]]], settings.max_gap * MAX_BRIDGE)
    return Deferral(label, later, pair_of, rank, looked_for)


def _joinable(regions: np.ndarray, original: np.ndarray, pair: np.ndarray,
              bridge: int) -> tuple[list[tuple[int, int, int, int, int, int]], np.ndarray]:
    """Regions of each pair joined where ``align.merge_adjacent`` could make one passage of them (no more than
    ``bridge`` tokens apart on both sides, in any order, clustered as regions are), as ``looked_for`` lists
    them (their ``original`` spans, ``(a_start, a_end, b_start, b_end)`` per region, joined alike), and each
    one's pair."""
    if not len(regions):
        return [], np.zeros(0, dtype=np.int64)
    first, lo, hi = arrays.spans_by_label(cand.cluster_labels(regions[:, 2:6], pair, bridge), original[:, [0, 2]],
                                          original[:, [1, 3]])
    looked_for = [(da, a0, a1, db, b0, b1) for (da, db), (a0, b0), (a1, b1)
                  in zip(regions[first, :2].tolist(), lo.tolist(), hi.tolist())]
    return looked_for, pair[first]


def reach_members(doc: np.ndarray, lo: np.ndarray, hi: np.ndarray, documents: Sequence[Document],
                  members: dict[str, list[tuple[int, int, str]]]) -> np.ndarray:
    """For each original span ``[lo, hi)`` of document ``doc`` (an index), whether a family member there
    overlaps it (``families.reaches`` with no margin, all spans at once)."""
    rows = sorted((n, s, e) for n, d in enumerate(documents) for s, e, _ in members.get(d.id, ()))
    if not rows:
        return np.zeros(len(doc), dtype=bool)
    m = np.array(rows, dtype=np.int64)
    new_doc = np.ones(len(m), dtype=bool)
    new_doc[1:] = m[1:, 0] != m[:-1, 0]
    reach = arrays.furthest_in_group(m[:, 2], new_doc)  # the furthest end of a member starting there or before
    width = int(max(m[:, 2].max(), hi.max() if len(hi) else 0)) + 1
    before = np.searchsorted(m[:, 0] * width + m[:, 1], doc * width + hi) - 1  # the last member starting before hi
    found = before >= 0
    before = np.maximum(before, 0)
    return found & (m[before, 0] == doc) & (reach[before] > lo)


def _pair_key(a: np.ndarray, b: np.ndarray, n_docs: int) -> np.ndarray:
    """One number per unordered pair of documents."""
    return np.minimum(a, b) * n_docs + np.maximum(a, b)


def _looked_up(pairs: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each ``key`` stands in the sorted, non-empty ``pairs``, and whether it is there."""
    where = np.minimum(np.searchsorted(pairs, key), len(pairs) - 1)
    return where, pairs[where] == key
