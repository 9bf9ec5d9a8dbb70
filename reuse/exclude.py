"""Known boilerplate given by the user (``--exclude``): its shingles can match nothing, so it is never reuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from reuse import arrays
from reuse.features import Features
from reuse.ingest import ingest
from reuse.shingle import fmix64


def known_boilerplate(paths: Sequence[str], features_of) -> np.ndarray:
    """Shingle hashes of user-supplied boilerplate (phrase lists or template documents).

    ``features_of(doc)`` extracts features with the run's settings, so the
    hashes are comparable with the corpus's.
    """
    documents, _ = ingest(paths)
    hashes = [features_of(doc).shingles for doc in documents]
    return np.unique(np.concatenate(hashes))  # ingest() raised if nothing was readable


def without(features: Features, excluded: np.ndarray, salt: int) -> Features:
    """Features whose excluded shingles can match nothing: known boilerplate is never reuse."""
    if not len(excluded) or not len(features.shingles):
        return features
    hit = arrays.contains(excluded, features.shingles)
    if not hit.any():
        return features
    shingles = features.shingles.copy()
    positions = np.flatnonzero(hit).astype(np.uint64)
    # a value unique to this document and position stands in for the shingle
    shingles[hit] = fmix64((np.uint64(salt + 1) << np.uint64(40)) | positions) ^ np.uint64(0xB0113E)
    return replace(features, shingles=shingles)
