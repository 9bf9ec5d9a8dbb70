"""What a document's library rows are computed from: its units and their MinHash signatures.

The units are the ones a scan compares (``candidates.flat_unit_sets``) and
their signatures are the ones a scan computes, so a check finds in the
library what a scan of the same documents would. ``fingerprints`` digest
what this code computes of a probe text: a library whose fingerprints differ
from the running code's was hashed another way and is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reuse import candidates as cand
from reuse import ingest, minhash
from reuse.config import Settings
from reuse.errors import ReuseError
from reuse.features import Features, extract
from reuse.library.store import INDEX_PARAMS, Library, spans_blob
from reuse.versions import package_versions

# A probe that exercises folding (traditional, full-width digits, Latin case)
# and sentence cutting: its hashes change whenever normalisation does.
_PROBE = ("黨的建設２０２０年取得新成效，Hello World 3.14 e.g. 同志們：今天我們召開會議。"
          "堅持以人民為中心的發展思想！要把學習貫徹落實到各項工作中去；推動高質量發展。\n"
          "第二段落，繼續推進全面從嚴治黨向縱深發展，不斷提高黨的建設質量。\n"
          "The Quick brown fox jumps over 2 lazy dogs, then over 12 more; it is tired by now.")


def index_params(settings: Settings) -> dict[str, Any]:
    """Every parameter that makes two libraries' hashes and signatures comparable."""
    bands, rows = minhash.band_params(settings.threshold, settings.num_perm)
    out = {name: getattr(settings, name) for name in INDEX_PARAMS}
    out.update(scheme=minhash.SCHEME, bands=bands, rows=rows)
    return out


def fingerprints(settings: Settings) -> dict[str, str]:
    """Digests of what this code computes: MinHash permutations and what a probe text becomes.

    The probe's digest covers its folded text, shingle hashes and sizes, token
    weights, units and their signatures, so a change to any of them (English
    word weights, say) refuses libraries built before it.

    datasketch 2.0 changed its permutations and the detection core is tuned
    over time; a library whose fingerprints differ from the running code's
    would silently miss matches, so it is refused instead.
    """
    a, b = minhash.permutations(settings.num_perm, settings.seed)
    perm = hashlib.sha256(a.tobytes() + b.tobytes()).hexdigest()[:16]
    doc = ingest.document(_PROBE, "probe")
    feat = extract(doc, settings)
    h = hashlib.sha256()
    ranges, sets = unit_sets(feat, settings.shingle)
    for part in (feat.folded.text.encode("utf-8"), feat.shingles.tobytes(), feat.shingle_len.tobytes(),
                 feat.cum.astype(np.int64).tobytes(), feat.units.astype(np.int64).tobytes(),
                 np.array(ranges, dtype=np.int64).tobytes(), unit_signatures(sets, settings).tobytes(),
                 spans_blob(doc.sentences), spans_blob(doc.paragraphs)):
        h.update(part)
        h.update(b"\0")
    return {"permutations": perm, "text": h.hexdigest()[:16]}


def new_meta(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """What a new library records of the code and the parameters that write it (its ``meta`` table)."""
    versions = package_versions()
    return {
        "uuid": uuid.uuid4().hex,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "reuse": versions["reuse"],
        "datasketch": versions["datasketch"],
        "params": json.dumps(index_params(settings), sort_keys=True),
        "fingerprints": json.dumps(fingerprints(settings), sort_keys=True),
        **(extra or {}),
    }


def require_same_code(library: Library, settings: Settings) -> None:
    """Refuse a library whose stored hashes this code would not reproduce."""
    stored = json.loads(library.meta.get("fingerprints", "{}"))
    now = fingerprints(settings)
    if stored != now:
        what = "MinHash permutations" if stored.get("permutations") != now["permutations"] else "text hashing"
        versions = package_versions()
        raise ReuseError(
            f"{library.label} was indexed by reuse {library.meta.get('reuse')} with datasketch "
            f"{library.meta.get('datasketch')}, whose {what} differ from this reuse {versions['reuse']} with "
            f"datasketch {versions['datasketch']}; rebuild it with `reuse index build`"
        )


def unit_sets(feat: Features, k: int) -> tuple[list[tuple[int, int, int]], list[np.ndarray]]:
    """The units a scan compares, by ``candidates.unit_sets`` itself: ``[(index, tok_lo, tok_hi)]`` and the
    distinct shingle hashes of each."""
    keys, sets, _ = cand.unit_sets([feat], k)
    return [(u, *(int(x) for x in feat.units[u])) for _, u in keys], sets


def unit_signatures(sets: Sequence[np.ndarray], settings: Settings) -> np.ndarray:
    """MinHash signatures of many shingle sets at once, as ``candidates.unit_pairs`` computes them."""
    if not sets:
        return np.zeros((0, settings.num_perm), dtype=np.uint32)
    offsets = np.cumsum([0] + [len(s) for s in sets])
    # astype keeps the low 32 bits of each 64-bit shingle hash, as a scan does
    return minhash.signatures(np.concatenate(sets).astype(np.uint32), offsets, num_perm=settings.num_perm,
                            seed=settings.seed)


@dataclass(frozen=True)
class UnitIndex:
    """The units of a batch of documents a scan compares, with their MinHash signatures, flat."""

    owner: np.ndarray
    """Position in the batch of each unit's document (ascending)."""
    rows: np.ndarray
    """``(n, 5)``: unit index in its document, token range, original-text range."""
    sigs: np.ndarray
    """``(n, num_perm)`` uint32 signatures."""
    bounds: np.ndarray
    """The units of document ``d`` are ``bounds[d]:bounds[d + 1]``."""


def unit_index(features: Sequence[Features], settings: Settings) -> UnitIndex:
    """Units and signatures of every document at once, as ``unit_sets`` and ``unit_signatures`` give them
    one document at a time (``candidates.flat_unit_sets`` cuts each document on its own)."""
    flat = cand.flat_unit_sets(list(features), settings.shingle)
    bounds = np.searchsorted(flat.doc, np.arange(len(features) + 1), side="left")
    parts = []
    for d in np.flatnonzero(np.diff(bounds)).tolist():
        feat, idx = features[d], flat.unit[bounds[d]: bounds[d + 1]]
        toks = feat.units[idx].astype(np.int64)
        chars = feat.char_spans(toks)
        origin = np.asarray(feat.folded.origin, dtype=np.int64)
        parts.append(np.column_stack([idx, toks, origin[chars[:, 0]], origin[chars[:, 1] - 1] + 1]))
    rows = np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)
    if len(flat):
        # astype keeps the low 32 bits of each 64-bit shingle hash, as a scan does
        sigs = minhash.signatures(flat.hashes.astype(np.uint32), flat.offsets, num_perm=settings.num_perm,
                                seed=settings.seed)
    else:
        sigs = np.zeros((0, settings.num_perm), dtype=np.uint32)
    return UnitIndex(flat.doc.astype(np.int64), rows, sigs, bounds)
