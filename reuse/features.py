"""Stages 2-4 for one document: fold, tokenize, shingle, and cut into units.

This is the per-document work of a scan; it depends on nothing but the
document and the settings, so it can run in any process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reuse.config import Settings
from reuse.model import Document
from reuse.normalize import Folded, fold
from reuse.shingle import Tokens, shingle_hashes, tokenize


@dataclass(frozen=True, eq=False)
class Features:
    """What matching needs of one document.

    Attributes:
        folded: matching text and its map to the original.
        tokens: token spans in folded coordinates, with hashes.
        shingles: 64-bit hash of each window of ``k`` tokens.
        units: ``(n, 2)`` token ranges of the sentences long enough to be
            compared as near-duplicates (a paragraph without sentence
            punctuation is one sentence; sentences are at most 2000
            characters). Paragraph pairs add nothing here: a near-duplicate
            paragraph is a chain of near-duplicate sentences and runs.
    """

    folded: Folded
    tokens: Tokens
    shingles: np.ndarray
    units: np.ndarray

    def char_span(self, tok_lo: int, tok_hi: int) -> tuple[int, int]:
        """Folded-text character range of tokens ``[tok_lo, tok_hi)``."""
        return int(self.tokens.start[tok_lo]), int(self.tokens.end[tok_hi - 1])

    def original_span(self, lo: int, hi: int) -> tuple[int, int]:
        """Original-text range of folded characters ``[lo, hi)``."""
        return int(self.folded.origin[lo]), int(self.folded.origin[hi - 1]) + 1


def extract(doc: Document, settings: Settings) -> Features:
    folded = fold(doc.text, simplify=settings.simplify, fold_digits=settings.fold_digits)
    tokens = tokenize(folded, unit=settings.unit)
    shingles = shingle_hashes(tokens.hash, settings.shingle)
    return Features(folded, tokens, shingles, _units(doc, folded, tokens, settings))


def _units(doc: Document, folded: Folded, tokens: Tokens, settings: Settings) -> np.ndarray:
    spans = doc.sentences
    if not spans or not len(tokens):
        return np.zeros((0, 2), dtype=np.int64)
    bounds = np.array([(s.start, s.end) for s in spans], dtype=np.int64)
    token_origin = folded.origin[tokens.start]
    lo = np.searchsorted(token_origin, bounds[:, 0], side="left")
    hi = np.searchsorted(token_origin, bounds[:, 1], side="left")
    keep = (hi - lo) >= max(settings.min_length, settings.shingle)
    units = np.unique(np.stack([lo[keep], hi[keep]], axis=1), axis=0)
    return units.reshape(-1, 2)
