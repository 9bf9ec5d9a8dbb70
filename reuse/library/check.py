"""查重: check a draft against a reference library.

Two steps, so the answer is the one a scan would give:

1. **Retrieve** the library documents the draft may share text with, by
   index lookups only: every distinct shingle of the draft is looked up in
   the postings (exact seeds, chained into runs exactly as a scan chains
   them), and every sentence's LSH bands in the band buckets (near-duplicate
   sentences). Documents are ranked by the evidence found and the best
   ``max_sources`` are kept.
2. **Align** the draft against those documents with the scan's own stages
   (``reuse.candidates`` seeds, runs, unit pairs and regions, then
   ``reuse.align``), restricted to pairs that involve the draft. The passages
   are those ``reuse scan`` finds between the draft and each of its sources
   when it scans the draft together with them.

What is template (套话) comes from the library's families
(``reuse.library.families``), not from the few documents aligned: the
draft's own text that is a family's, and passages whose library side lies in
a family member of that document. So 去除套话复制比 does not depend on how
many sources were retrieved. A library built before families were kept falls
back to the families of the draft and its sources scanned together.

The report is a ``Result`` holding the draft and its sources, rendered by the
usual report writers, plus ``check.json`` with the 查重 figures.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reuse import candidates as cand
from reuse import pipeline
from reuse.config import Settings
from reuse.errors import SettingError
from reuse.features import Features, extract
from reuse.library import families, units
from reuse.library.store import Library
from reuse.model import Document, DocumentStats, Passage, Result, Template
from reuse.score import score
from reuse.shingle import shingle_ends
from reuse.spans import uncovered
from reuse.tiers import families as tier

CHECK_FORMAT = 2
"""2: report.json's names and shapes (``reuse_ratio``, passages with ``a`` the draft, ``kind``), quote and phrase
ratios, phrases and clusters."""
MAX_SOURCES = 20
"""Library documents a draft is aligned against by default: those with the most shared evidence.

The draft is scanned together with them, so each one costs scan time
(what a check costs: ``benchmarks/RESULTS.md``).
"""
MAX_GROUP = 256
"""A shingle seen more often than this (in the library or in the draft plus its sources) seeds nothing, as in a scan."""
MAX_BUCKET = 64
"""An LSH bucket holding more library sentences than this is formula, as in a scan."""


@dataclass(frozen=True)
class SourceShare:
    """A library document the draft shares text with (相似文献)."""

    id: str
    path: str
    similarity: float
    a_shared_chars: int
    """Draft characters (the draft is side ``a``) shared with this document, counted as ``reuse scan`` counts a
    pair: copying only, unless ``include_templates``."""
    ratio: float
    """``a_shared_chars`` / the draft's characters (单篇复制比)."""
    passages: int


@dataclass(frozen=True)
class CheckReport:
    """What a check found for one draft; ``result`` renders as the usual report.

    The draft's figures are those of its ``stats`` in that report (as
    ``reuse scan`` gives them): 总文字复制比 ``reuse_ratio``, 去除套话与引用复制比
    ``copy_ratio`` (copying only: ``reuse.tiers.verdict``), the template,
    quote and phrase ratios, 单篇最大复制比 ``top_source`` and ``sections``.
    """

    draft: str
    result: Result
    stats: DocumentStats
    sources: tuple[SourceShare, ...]
    candidates: tuple[str, ...]
    """Library documents retrieved and aligned (the sources are those that share passages)."""
    library: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    reuse_ratio = property(lambda self: self.stats.reuse_ratio)
    copy_ratio = property(lambda self: self.stats.copy_ratio)
    template_ratio = property(lambda self: self.stats.template_ratio)
    quote_ratio = property(lambda self: self.stats.quote_ratio)
    phrase_ratio = property(lambda self: self.stats.phrase_ratio)
    top_source = property(lambda self: self.stats.top_source)
    sections = property(lambda self: self.stats.sections)


# -- step 1: retrieval --------------------------------------------------------------------------


def check_fail_over(ratio: float | None) -> None:
    """Refuse a ``--fail-over`` that is not a share from 0 to 1 (a copy ratio is never outside it).

    >>> check_fail_over(0.3)
    >>> check_fail_over(5)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    reuse.errors.SettingError: --fail-over must be a share from 0 to 1 ...
    """
    if ratio is not None and not 0.0 <= ratio <= 1.0:  # also refuses NaN
        raise SettingError(f"--fail-over must be a share from 0 to 1 (0.3 is 30%), not {ratio:g}")


def _seed_candidates(library: Library, feat: Features, settings: Settings) -> dict[int, int]:
    """Library doc id -> weight of the draft's exact runs shared with it that a scan would keep.

    Runs are chained and filtered by the scan's own ``diagonal_runs`` and
    ``drop_lone_short_runs``, measured in the stored token weights of each
    library document (an English word weighs two, as in a scan).
    """
    k = settings.shingle
    if not len(feat.shingles):
        return {}
    uniq, inverse = np.unique(feat.shingles, return_inverse=True)
    rows = library.postings(uniq, max_doc_freq=settings.max_doc_freq, max_group=MAX_GROUP)
    if not len(rows):
        return {}
    # every (draft position, library posting) pair of one hash is a seed
    order = np.argsort(inverse, kind="stable")
    sorted_hash = inverse[order]
    first = np.searchsorted(sorted_hash, rows[:, 0], side="left")
    count = np.searchsorted(sorted_hash, rows[:, 0], side="right") - first
    which = np.repeat(np.arange(len(rows)), count)
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    draft_pos = order[first[which] + step]
    # the draft is document 0, the library documents 1..n, as in a scan of them all
    lib_ids, lib_doc = np.unique(rows[which, 1], return_inverse=True)
    lib_pos = rows[which, 2]
    seeds = np.stack([np.zeros(len(which), dtype=np.int64), draft_pos.astype(np.int64),
                      lib_doc.astype(np.int64) + 1, lib_pos], axis=1)
    stored = library.weights(lib_ids.tolist())
    lens, cums = [feat.shingle_len], [feat.cum]
    for n, doc in enumerate(lib_ids.tolist()):
        cum = stored.get(doc)
        if cum is None:  # a token is a character of weight one: shingles of k tokens
            last = int(lib_pos[lib_doc == n].max())
            cums.append(np.arange(last + k + 1, dtype=np.int64))
            lens.append(np.full(last + 1, k, dtype=np.uint8))
        else:
            ends = shingle_ends(np.diff(cum), k)  # as ``features.extract`` sizes the shingles
            cums.append(cum)
            lens.append((ends - np.arange(len(ends))).astype(np.uint8))
    weighted = not (feat.uniform and all(stored.get(d) is None for d in lib_ids.tolist()))
    runs = cand.diagonal_runs(seeds, k, shingle_len=lens if weighted else None)
    runs = cand.drop_lone_short_runs(runs, shortest=settings.min_length - 2 * (k - 1), max_gap=settings.max_gap,
                                     cums=cums if weighted else None)
    out: dict[int, int] = defaultdict(int)
    for doc, lo, hi in zip(runs[:, 1].tolist(), runs[:, 2].tolist(), runs[:, 3].tolist()):
        out[int(lib_ids[doc - 1])] += feat.weight(lo, hi)
    return dict(out)


def _unit_candidates(library: Library, feat: Features, settings: Settings) -> dict[int, int]:
    """Library doc id -> weight of draft sentences whose LSH bands collide with one of its sentences."""
    ranges, sets = units.unit_sets(feat, settings.shingle)
    if not ranges:
        return {}
    sigs = units.unit_signatures(sets, settings)
    hits = library.bands.query(library.conn, sigs, max_bucket=MAX_BUCKET)
    if not len(hits):
        return {}
    rows = library.unit_rows(hits[:, 1].tolist())
    out: dict[int, int] = defaultdict(int)
    for x, unit in hits.tolist():
        if unit not in rows:
            continue  # an orphan of an interrupted write to a Redis index
        doc, sig = rows[unit]
        # LSH hits are candidates: keep those whose signatures agree as a scan keeps them
        if (sigs[x] == sig).mean() >= settings.threshold - 0.15:
            out[doc] += feat.weight(ranges[x][1], ranges[x][2])
    return dict(out)


DF_CAP = 1000
"""Library postings of a shingle are counted up to this: a shingle in more documents is common stock alike."""
WIDESPREAD_HOLDERS = 3
"""Library documents fetched for each stretch of the draft too widespread to seed pairs (one copy of it will do)."""


def library_doc_freq(library: Library, feat: Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many documents hold each of the draft's shingles: the library's (up to ``DF_CAP``) and the draft.

    Returns the counts per draft shingle, and the distinct hashes (sorted)
    with their counts, to look up the same shingles in the library's documents.
    """
    uniq = np.unique(feat.shingles)
    counted = library.count_postings(uniq.tolist(), DF_CAP)
    per_hash = np.array([counted.get(h, 0) + 1 for h in uniq.tolist()], dtype=np.int64)
    per_hash = np.minimum(per_hash, np.iinfo(np.uint16).max).astype(np.uint16)
    return per_hash[np.searchsorted(uniq, feat.shingles)], uniq, per_hash


class LongDocFreq:
    """How many documents hold each long shingle of one document, counted in the library on demand.

    The verdict asks only for the long shingles of passages it measures, so
    they are counted as it asks (a long shingle is a chain of ``k``-shingles
    on one diagonal of the postings index; ``families.chain``), once per
    distinct shingle across the documents sharing ``cache``. The verdict
    asks only for shingles both documents of a pair hold: ``extra`` counts
    the documents outside the library that hold them (the draft; both files
    of ``reuse compare --db``).
    """

    def __init__(self, library: Library, feat: Features, long_k: int, extra: int, cache: dict[int, int]):
        self.library, self.feat, self.K, self.extra, self.cache = library, feat, 2 * long_k, extra, cache
        self.hashes = tier.long_hashes(feat, long_k)

    def __getitem__(self, positions) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        hashes = self.hashes[positions].tolist()
        missing = {h: p for p, h in zip(positions.tolist(), hashes) if h not in self.cache}
        if missing:
            self.cache.update(library_holders(self.library, self.feat, missing, self.K))
        return np.array([self.cache[h] + self.extra for h in hashes], dtype=np.int64)


def library_holders(library: Library, feat: Features, at: dict[int, int], K: int) -> dict[int, int]:
    """``{long shingle hash: library documents holding it}`` for the long shingles (``K`` tokens) of ``feat``
    starting at the token positions ``at`` (hash -> position)."""
    chains = {h: families.chain(feat, p, K)[0] for h, p in at.items()}
    count = library.count_postings(sorted({part for chain in chains.values() for part, _ in chain}), DF_CAP)
    held = families.chain_documents(library, chains, count)
    return {h: len(held.get(h, ())) for h in chains}


def _widespread_candidates(library: Library, feat: Features, df: np.ndarray, settings: Settings) -> dict[int, int]:
    """Library doc id -> weight of the draft's stretches held by more documents than pairs are seeded for.

    Such text (a paragraph in 100 library documents) seeds no pair, as in a
    scan; it is copying when it is long (``copy_run``), and a few of its
    holders are enough to align it against.
    """
    out: dict[int, int] = defaultdict(int)
    wide = np.flatnonzero(df > settings.max_doc_freq)
    if not len(wide):
        return {}
    cut = np.flatnonzero(np.diff(wide) != 1) + 1
    for run in np.split(wide, cut):
        lo, hi = int(run[0]), int(run[-1]) + int(feat.shingle_len[run[-1]])
        weight = feat.weight(lo, hi)
        if weight < settings.copy_run:
            continue
        rarest = int(run[np.argmin(df[run])])
        for doc in library.holders(int(feat.shingles[rarest]), WIDESPREAD_HOLDERS):
            out[doc] += weight
    return dict(out)


def retrieve(library: Library, feat: Features, settings: Settings, *, max_sources: int,
             doc_freq: np.ndarray | None = None) -> list[int]:
    """Library doc ids worth aligning against the draft, most evidence first."""
    weight: dict[int, int] = defaultdict(int)
    found = [_seed_candidates(library, feat, settings), _unit_candidates(library, feat, settings)]
    if doc_freq is not None:
        found.append(_widespread_candidates(library, feat, doc_freq, settings))
    for hits in found:
        for doc, w in hits.items():
            weight[doc] += w
    ranked = sorted(weight, key=lambda d: (-weight[d], d))
    return ranked[:max_sources]


# -- step 2: the scan of the draft with its sources ---------------------------------------------


def _unique_id(draft: Document, taken: set[str]) -> Document:
    """The draft under an id no library source has (``name (draft)``)."""
    if draft.id not in taken:
        return draft
    new, n = f"{draft.id} (draft)", 2
    while new in taken:
        new, n = f"{draft.id} (draft {n})", n + 1
    return dataclasses.replace(draft, id=new)


def _touches(p: Passage, doc_id: str) -> bool:
    return p.a == doc_id or p.b == doc_id


def _draft_spans(passages: Sequence[Passage], draft: str) -> list[tuple[int, int, str, Passage]]:
    """``(start, end, source, passage)`` of each passage, on the draft's side."""
    out = []
    for p in passages:
        if p.a == draft:
            out.append((p.a_start, p.a_end, p.b, p))
        elif p.b == draft:
            out.append((p.b_start, p.b_end, p.a, p))
    return out


def _library_templates(library: Library, drafted: list[Template], passages: Sequence[Passage], draft: str,
                       rows: dict[str, int]) -> tuple[list[Template], list[Passage]]:
    """The check's templates: the library's families, in the draft and in its sources.

    What is template in the draft does not depend on the sources aligned:

    * ``drafted``: the families found in the draft itself
      (``reuse.library.families.draft_families``);
    * a passage whose library side lies in a member of that library document
      (or whose draft side lies in ``drafted``) is a template passage: the
      draft text aligned with the member is the family's, and so are the rest
      of its draft side that no copying passage covers (a formula's edges are
      not copying because one source shares them).

    Each family comes back as a Template (id ``L`` + the library's id) whose
    members are in the draft and the sources only; passages are marked with
    the family they lie in.
    """
    names = {row: name for name, row in rows.items()}
    spans = families.spans_of(library, rows.values())
    members: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    info = {t.id: (t.kind, t.text, t.doc_count) for t in drafted}
    in_draft: list[tuple[int, int, str]] = []
    for t in drafted:
        members[t.id].update(t.members)
        in_draft += [(s, e, t.id) for _, s, e in t.members]
    for row, items in spans.items():
        for start, end, family in items:
            members[family].add((names[row], start, end))
    marked, copying, templated = [], [], []
    for p in passages:
        lib, lo, hi, dlo, dhi = ((p.b, p.b_start, p.b_end, p.a_start, p.a_end) if p.a == draft
                                 else (p.a, p.a_start, p.a_end, p.b_start, p.b_end))
        found = tier.lies_in(lo, hi, spans.get(rows.get(lib, -1), ()))
        if found is not None:
            start, end, family = found
            # the draft text aligned with the member (offsets from the passage's ends)
            a, b = dlo + max(0, start - lo), dhi - max(0, hi - end)
            if a < b:
                members[family].add((draft, a, b))
        else:
            found = tier.lies_in(dlo, dhi, in_draft)
        if found is None:
            copying.append((dlo, dhi))
        else:
            templated.append((dlo, dhi, found[2]))
        marked.append(dataclasses.replace(p, template=None if found is None else f"L{found[2]}"))
    for dlo, dhi, family in templated:
        for a, b in uncovered([(dlo, dhi)], copying):
            members[family].add((draft, a, b))
    templates = []
    for family in sorted(members):
        if family not in info:
            row = library.conn.execute("SELECT kind, text, doc_count FROM templates WHERE id = ?", (family,)).fetchone()
            info[family] = row or ("library", "", 0)
        templates.append(Template(f"L{family}", *info[family], tuple(sorted(members[family]))))
    return templates, marked


def _sharing(draft: Document, draft_feat: Features, docs: list[Document], ids: list[int],
             settings: Settings) -> list[int]:
    """The ids of ``docs`` that share a passage with the draft when aligned with it alone.

    Cheap (one pair at a time, no template detection), it spares the full
    scan the retrieved documents that share nothing after all.
    """
    out = []
    for doc, i in zip(docs, ids):
        pair = sorted([(draft, draft_feat), (doc, extract(doc, settings))], key=lambda t: t[0].id)
        if pipeline.find_passages([d for d, _ in pair], [f for _, f in pair], settings):
            out.append(i)
    return out


def check(library: Library, draft: Document, settings: Settings, *, max_sources: int = MAX_SOURCES) -> CheckReport:
    """Check one draft against the library.

    Retrieved documents that share no passage with the draft (aligned one
    pair at a time) are dropped; the draft and the rest are scanned together
    by ``pipeline.scan_documents``, the code ``reuse scan`` runs, and any
    document that then shares nothing is dropped and the rest scanned again,
    so the figures are those of ``reuse scan`` of the draft with exactly its
    sources. Passages between two sources are left out.

    Args:
        settings: the library's index parameters (``library.settings(...)``);
            the others (``min_score``, ``max_gap``, templates...) may differ
            per check.
        max_sources: align against at most this many library documents, those
            with the most shared evidence.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    units.require_same_code(library, settings)
    settings = dataclasses.replace(settings, storage=None)
    draft_feat = extract(draft, settings)
    draft_df, known, known_df = library_doc_freq(library, draft_feat)
    candidates = retrieve(library, draft_feat, settings, max_sources=max_sources, doc_freq=draft_df)
    loaded = library.documents(candidates)
    draft = _unique_id(draft, {d.id for d in loaded.values()})
    timings["retrieve"] = round(time.perf_counter() - t0, 4)
    t1 = time.perf_counter()
    chosen = _sharing(draft, draft_feat, [loaded[i] for i in candidates], candidates, settings)

    def doc_freq(doc_id: str, feat: Features) -> np.ndarray:
        # the draft's shingles as the library holds them; a source shares with the draft only those
        if doc_id == draft.id:
            return draft_df
        at = np.minimum(np.searchsorted(known, feat.shingles), len(known) - 1) if len(known) else None
        if at is None:
            return np.ones(len(feat.shingles), dtype=np.uint16)
        return np.where(known[at] == feat.shingles, known_df[at], 1).astype(np.uint16)

    long_counted: dict[int, int] = {}
    long_of: dict[str, LongDocFreq] = {}  # a scan again with fewer sources asks again: the same answer

    def long_doc_freq(doc_id: str, feat: Features) -> LongDocFreq:
        if doc_id not in long_of:  # the draft holds them too
            long_of[doc_id] = LongDocFreq(library, feat, tier.long_k(settings), 1, long_counted)
        return long_of[doc_id]

    for _ in range(3):
        scanned = pipeline.scan_documents([draft, *(loaded[i] for i in chosen)], settings, doc_freq=doc_freq,
                                          long_doc_freq=long_doc_freq)
        productive = {x for p in scanned.passages if _touches(p, draft.id) for x in (p.a, p.b)}
        kept = [i for i in chosen if loaded[i].id in productive]
        if len(kept) == len(chosen):
            break
        chosen = kept
    timings["scan"] = round(time.perf_counter() - t1, 4)
    rows = {loaded[i].id: i for i in chosen}
    keep = {draft.id, *rows}
    documents = [d for d in scanned.documents if d.id in keep]
    passages = [p for p in scanned.passages if _touches(p, draft.id)]
    drafted = families.draft_families(library, draft, draft_feat)
    if drafted is None:  # a library built before families were kept: the draft and its sources alone tell
        templates = list(scanned.templates)
    else:
        templates, passages = _library_templates(library, drafted, passages, draft.id, rows)
    phrases = [ph for ph in scanned.phrases if any(d == draft.id for d, _, _ in ph.members)]
    clusters = [c for c in scanned.clusters if any(d == draft.id for d, _, _ in c.members)]
    pairs, stats = score(documents, passages, templates, phrases, clusters,
                         include_templates=settings.include_templates)
    lib_meta = {"path": str(library.path), "uuid": library.meta.get("uuid"), "format": int(library.meta["format"]),
                "documents": library.document_count(),
                "index": library.params}
    result = Result(
        params={**scanned.params, "library": lib_meta},
        documents=tuple(documents),
        stats=tuple(stats),
        skipped=(),
        pairs=tuple(pairs),
        passages=tuple(passages),
        templates=tuple(t for t in templates if any(d in keep for d, _, _ in t.members)),
        phrases=tuple(phrases),
        clusters=tuple(clusters),
        timings={**scanned.timings, **timings},
    )
    return _report(draft, result, [loaded[i].id for i in candidates], lib_meta, timings)


def compare(library: Library, a: Document, b: Document, settings: Settings) -> Result:
    """``reuse compare A B --db LIBRARY``: the two documents scanned as a check scans a draft with its sources.

    What is common stock and what is template the library says: each
    shingle counts the library's documents holding it (and these two), and
    the families are the library's families in either document.
    """
    units.require_same_code(library, settings)
    settings = dataclasses.replace(settings, storage=None)
    counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for doc in (a, b):
        _, known, known_df = library_doc_freq(library, extract(doc, settings))
        counts[doc.id] = (known, known_df)
    both = np.intersect1d(*(counts[d.id][0] for d in (a, b)))

    def doc_freq(doc_id: str, feat: Features) -> np.ndarray:
        known, known_df = counts[doc_id]
        at = np.searchsorted(known, feat.shingles)
        return (known_df[at] + np.isin(feat.shingles, both)).astype(np.uint16)  # the other one holds it too

    def library_families(documents: list[Document], features: list[Features]) -> list[Template]:
        out = []
        for doc, feat in zip(documents, features):
            found = families.draft_families(library, doc, feat) or []
            out += [Template(f"L{t.id}", t.kind, t.text, t.doc_count, t.members) for t in found]
        return _merged(out)

    long_counted: dict[int, int] = {}

    def long_doc_freq(doc_id: str, feat: Features) -> LongDocFreq:
        return LongDocFreq(library, feat, tier.long_k(settings), 2, long_counted)  # both files hold them too

    return pipeline.scan_documents([a, b], settings, doc_freq=doc_freq, long_doc_freq=long_doc_freq,
                                   families=library_families)


def _merged(templates: list[Template]) -> list[Template]:
    """Templates of one family found in several documents, as one (members of them all)."""
    by_id: dict[str, Template] = {}
    for t in templates:
        if t.id in by_id:
            t = dataclasses.replace(t, members=tuple(sorted(set(by_id[t.id].members) | set(t.members))))
        by_id[t.id] = t
    return [by_id[i] for i in sorted(by_id)]


def _report(draft: Document, result: Result, candidates: list[str], lib_meta: dict[str, Any],
            timings: dict[str, float]) -> CheckReport:
    mine = next(s for s in result.stats if s.id == draft.id)
    shares = []
    for pair in result.pairs:
        if draft.id not in (pair.a, pair.b):
            continue
        other, shared = (pair.b, pair.a_shared_chars) if pair.a == draft.id else (pair.a, pair.b_shared_chars)
        shares.append(SourceShare(other, result.document(other).path, pair.similarity, shared,
                                  _ratio(shared, draft.chars), pair.passages))
    shares.sort(key=lambda s: (-s.a_shared_chars, -s.passages, s.id))
    return CheckReport(draft.id, result, mine, tuple(shares), tuple(candidates), lib_meta, timings)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# -- check.json ---------------------------------------------------------------------------------


def to_dict(report: CheckReport) -> dict[str, Any]:
    """check.json: the 查重 figures of one draft, keys in a fixed order.

    Every concept has report.json's name and shape (``reuse.report.jsonreport``):
    the ratios, ``top_source``, the sections, and the passages, whose side
    ``a`` is always the draft; phrases and clusters are those the draft is
    in. The schema is ``reuse/schemas/check.schema.json``.
    """
    r = report.result
    draft = r.document(report.draft)
    spans = _draft_spans(r.passages, report.draft)
    spans.sort(key=lambda t: (t[0], t[1], t[2]))
    return {
        "meta": {"format": CHECK_FORMAT, "reuse": r.params.get("reuse"), "datasketch": r.params.get("datasketch"),
                 "params": r.params.get("params", {}), "library": report.library},
        "draft": {"id": draft.id, "path": draft.path, "chars": draft.chars},
        "reuse_ratio": report.reuse_ratio,
        "copy_ratio": report.copy_ratio,
        "template_ratio": report.template_ratio,
        "quote_ratio": report.quote_ratio,
        "phrase_ratio": report.phrase_ratio,
        "top_source": report.top_source.record() if report.top_source else None,
        "sources": [dataclasses.asdict(s) for s in report.sources],
        "sections": [sec.record() for sec in report.sections],
        "passages": [(p if p.a == report.draft else p.turned()).record() for _, _, _, p in spans],
        "clusters": [c.record() for c in r.clusters],
        "phrases": [ph.record() for ph in r.phrases],
        "candidates": list(report.candidates),
    }


def json_writer(report: CheckReport):
    """A report writer (see ``reuse.report.write_report``) that adds check.json."""

    def write(result: Result, folder: Path) -> None:
        text = json.dumps(to_dict(report), ensure_ascii=False, indent=1) + "\n"
        with open(folder / "check.json", "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fh.write(text)

    return write
