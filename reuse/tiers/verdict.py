"""Is a shared passage evidence that one document took it from another?

Official text shares vocabulary everywhere: a 20-character formula that two
speeches both use says nothing about copying, an edited paragraph does. A
passage is ``copy`` when its own evidence is strong enough, decided from:

* its **length** on the shorter side after folding (Han characters; a word of
  a spaced script counts two) and its alignment **score**: ``length *
  score`` is about the characters it shares;
* its **specificity**: how much of that is specific to the documents that
  share it rather than common in the corpus. Each shingle of the passage
  found on both sides (the exact seeds) has a document frequency; the rarest
  estimates how many documents hold the passage (its witnesses), and the
  specificity is the share of its seeds found in not many more documents
  than that. A copied sentence holds its witnesses' text throughout; a
  string of formulas holds words that stand in hundreds of documents in
  other company. A paragraph copied into 60 documents is specific to those
  60. Seeds are measured twice: as ``k``-shingles, and as long shingles
  (``2k`` tokens, the ones template families are found by). In a large
  corpus of one genre most ``k``-shingles of any sentence are common words,
  while its long shingles stay as rare as the sentence: the long measure
  counts for ``LONG_WEIGHT`` of the short one, since a long shingle is rare
  more easily, and the passage gets the better of the two;
* the **longest exact run** inside it: a long stretch identical in both
  after folding is copying whatever its words.

``copy`` when ``length * score * specificity`` reaches ``min_evidence``, or
the longest exact run reaches ``min_run``; otherwise the passage is a
``phrase``, unless a template family or a quotation claims it. How the rule
and its defaults were chosen on real text is in ``benchmarks/quality/RESULTS.md``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz.distance import Indel

from reuse.model import COPY, KINDS, PHRASE, QUOTE, TEMPLATE  # noqa: F401  (the kinds, named where they are decided)
from reuse.shingle import shingle_hashes

MARGIN = 1.25
"""A shingle in up to this many times the passage's witnesses is specific to it (a copy among copies)."""
LONG_WEIGHT = 0.6
"""What the specificity of a passage's long shingles counts for against that of its ``k``-shingles."""
RUN_FIRST = 0.9
"""A passage scoring this much is measured by its longest exact run first: a copy with a run of ``min_run``
(most near-exact copies) is copying whatever its specificity, and finding the run costs a tenth of looking
up its seeds. Only the cost depends on it, never the verdict."""


@dataclass(frozen=True)
class Evidence:
    """What a shared passage says about copying (see the module docstring)."""

    length: int
    score: float
    witnesses: int
    specificity: float
    longest: int

    @property
    def strength(self) -> float:
        """Shared characters, counted only as far as the text is specific to its witnesses."""
        return self.length * self.score * self.specificity

    def is_copy(self, *, min_evidence: float, min_run: int) -> bool:
        return self.strength >= min_evidence or self.longest >= min_run


def kinds(alignments, fa, fb, df_a: np.ndarray, neighbourhoods: list[list[int]] | Callable[[], list[list[int]]], *, k: int,
          min_evidence: float, min_run: int, long_df_a=None, long_k: int | None = None,
          long_a: np.ndarray | None = None, long_b: np.ndarray | None = None) -> list[str]:
    """``copy`` or ``phrase`` for each alignment of one pair: its own evidence, or its neighbourhood's.

    Copied sentences with edits between them are found as passages close
    together on both sides (``neighbourhoods``, as ``align.neighbourhoods``
    gives them, or a function that gives them: called only when some passage
    is a phrase on its own); each may be too short to be copying alone, but a
    run of them is (a run of sentences): their strengths add up. Evidence is
    measured only where it can decide: a passage too short to reach
    ``min_evidence`` or ``min_run`` alone is a phrase unless its neighbours
    lift it. ``long_df_a`` holds the document frequency of each of ``fa``'s
    long shingles (``2 * long_k`` tokens; indexable by an array of
    positions), when known; ``long_a`` and ``long_b``, when given, are the
    two documents' long shingle hashes (``families.long_hashes``), sliced for
    each passage instead of hashing it again.
    """
    measured: dict[int, Evidence] = {}
    longest: dict[int, int] = {}

    def run(n: int) -> int:
        if n not in longest:
            al = alignments[n]
            longest[n] = longest_run(fa, fb, al.a_lo, al.a_hi, al.b_lo, al.b_hi)
        return longest[n]

    def ev(n: int) -> Evidence:
        if n not in measured:
            al = alignments[n]
            e = evidence(fa, fb, df_a, al, k, long_df_a, long_k, with_longest=False, need=min_evidence,
                         long_a=long_a, long_b=long_b)
            # the longest run decides only short of min_evidence, and only a passage that long can hold it
            if e.strength < min_evidence and fa.weight_between(al.a_lo, al.a_hi) >= min_run:
                e = replace(e, longest=run(n))
            measured[n] = e
        return measured[n]

    out = []
    for n, al in enumerate(alignments):
        length = min(fa.weight_between(al.a_lo, al.a_hi), fb.weight_between(al.b_lo, al.b_hi))
        if length * al.score < min_evidence and length < min_run:
            out.append(PHRASE)
        elif length >= min_run and al.score >= RUN_FIRST and run(n) >= min_run:
            out.append(COPY)  # copying whatever its specificity: the seeds need not be looked up
        else:
            out.append(COPY if ev(n).is_copy(min_evidence=min_evidence, min_run=min_run) else PHRASE)
    if len(alignments) < 2 or PHRASE not in out:
        return out  # no group to lift
    for group in neighbourhoods() if callable(neighbourhoods) else neighbourhoods:
        if len(group) > 1 and any(out[n] == PHRASE for n in group):
            if sum(ev(n).strength for n in group) >= min_evidence:
                for n in group:
                    out[n] = COPY
    return out


def specificity(shared_df: np.ndarray | list[int]) -> tuple[int, float]:
    """``(witnesses, specificity)`` from the document frequencies of a passage's shared shingles.

    An array is measured in numpy, a short list of ints in Python (a few
    shingles cost less as ints than as numpy calls).

    >>> specificity(np.array([2, 2, 2, 2]))            # only these two documents hold it
    (2, 1.0)
    >>> specificity(np.array([2, 2, 300, 300]))        # half of it is common stock
    (2, 0.5)
    >>> specificity(np.array([60, 60, 61, 60]))        # a paragraph copied into 60 documents
    (60, 1.0)
    >>> specificity(np.array([], dtype=int))           # nothing long enough to tell: judge by length and score
    (0, 1.0)
    """
    if not len(shared_df):
        return 0, 1.0
    if isinstance(shared_df, list):
        w = min(shared_df)
        return w, sum(d <= MARGIN * w for d in shared_df) / len(shared_df)
    w = int(shared_df.min())
    return w, float(np.count_nonzero(shared_df <= MARGIN * w)) / len(shared_df)


def longest_run(fa, fb, a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> int:
    """Weight (Han characters; a word counts two) of the longest stretch equal in both folded texts."""
    best, at = 0, None
    for i1, _, n in Indel.opcodes(fa.folded.text[a_lo:a_hi], fb.folded.text[b_lo:b_hi]).as_matching_blocks():
        if n > best:
            best, at = n, i1
    return fa.weight_between(a_lo + at, a_lo + at + best) if at is not None else 0


def evidence(fa, fb, df_a: np.ndarray, al, k: int, long_df_a=None, long_k: int | None = None, *,
             with_longest: bool = True, need: float | None = None,
             long_a: np.ndarray | None = None, long_b: np.ndarray | None = None) -> Evidence:
    """The evidence of alignment ``al`` (folded coordinates) between documents with features ``fa``, ``fb``.

    ``df_a`` holds the document frequency of each of ``fa``'s shingles
    (``reuse.candidates.shingle_doc_freq``), ``long_df_a`` (when given)
    that of each of its long shingles (``2 * long_k`` tokens, ``long_k``
    by default ``k``): an array, or anything that an array of positions
    indexes (a library counts them on demand). Without ``with_longest``
    the longest run is not measured (0): ``kinds`` measures it where it
    decides. Given ``need``, the long shingles are measured only where the
    short ones leave the strength below it: a passage that is copying on its
    own is copying whatever they say, and so is any neighbourhood it is in.
    """
    length = min(fa.weight_between(al.a_lo, al.a_hi), fb.weight_between(al.b_lo, al.b_hi))
    ta0, ta1 = _tokens(fa, al.a_lo, al.a_hi)
    tb0, tb1 = _tokens(fb, al.b_lo, al.b_hi)
    sa = fa.shingles[ta0 : max(ta0, _last(fa, ta1))]
    sb = fb.shingles[tb0 : max(tb0, _last(fb, tb1))]
    w, spec = _shared_specificity(sa, sb, df_a[ta0 : ta0 + len(sa)])
    if long_df_a is not None and (need is None or length * al.score * spec < need):
        K = 2 * (long_k or k)
        la, lb = _long_within(fa, long_a, ta0, ta1, K), _long_within(fb, long_b, tb0, tb1, K)
        shared = np.flatnonzero(_found_in(la, lb))
        if len(shared):  # no long seed at all says nothing either way
            spec = max(spec, LONG_WEIGHT * specificity(np.asarray(long_df_a[ta0 + shared]))[1])
    longest = longest_run(fa, fb, al.a_lo, al.a_hi, al.b_lo, al.b_hi) if with_longest else 0
    return Evidence(length, al.score, w, spec, longest)


def _shared_specificity(values: np.ndarray, other: np.ndarray, df: np.ndarray) -> tuple[int, float]:
    """``specificity(df[_found_in(values, other)])``: of the shingles ``values`` that ``other`` holds too.

    Most passages are short: their few shingles are read as Python ints, with
    none of the numpy calls (each costing more than the whole sum here).
    """
    if len(other) >= 32:
        return specificity(df[_found_in(values, other)])
    found = set(other.tolist())
    return specificity([d for v, d in zip(values.tolist(), df.tolist()) if v in found])


def _long_within(feat, long: np.ndarray | None, lo: int, hi: int, K: int) -> np.ndarray:
    """Hashes of the long shingles (``K`` tokens) inside tokens ``[lo, hi)``: sliced from the document's
    (``long``) when given, since a shingle's hash depends on its tokens alone; else hashed here."""
    if long is None:
        return shingle_hashes(feat.tokens.hash[lo:hi], K)
    return long[lo : max(lo, hi - K + 1)]


def _found_in(values: np.ndarray, other: np.ndarray) -> np.ndarray:
    """True for each of ``values`` that ``other`` holds.

    A set for a few shingles; else a binary search in ``other`` sorted
    (np.isin hashes or sorts both, several times slower on passages).
    """
    if len(other) < 32:
        found = set(other.tolist())
        return np.fromiter(map(found.__contains__, values.tolist()), dtype=bool, count=len(values))
    ordered = np.sort(other)
    at = np.searchsorted(ordered, values)
    at[at == len(ordered)] = 0
    return ordered[at] == values


def _last(feat, tok_hi: int) -> int:
    """One past the last shingle that ends by token ``tok_hi``."""
    if not len(feat.shingle_len):
        return 0
    if feat.uniform:  # every shingle k tokens long
        return max(0, tok_hi - int(feat.shingle_len[0]) + 1)
    return bisect_right(feat.shingle_ends, tok_hi)


def _tokens(feat, lo: int, hi: int) -> tuple[int, int]:
    """Token range of folded characters ``[lo, hi)``."""
    if feat.uniform:
        return lo, hi
    starts = feat.token_starts
    return bisect_left(starts, lo), bisect_left(starts, hi)
