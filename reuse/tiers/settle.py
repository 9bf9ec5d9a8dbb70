"""One verdict for every piece of shared text: copy, template, quote or phrase.

The scan and ``reuse check`` both end here, so the same passage gets the same
kind wherever it is found:

1. a passage lying in a template family is ``template``;
2. a passage with the evidence of copying (``verdict``) that both documents
   present as a quotation (``quotes``) is ``quote``;
3. the rest of those with the evidence are ``copy``, and a copy that three
   or more documents hold is one cluster (``clusters``), whose pair passages
   are each member against the earliest witness, not all against all; unless
   its holders have other numbers in its places (a daily report, a dateline:
   ``families.numbers_in_slots``), which makes it a frame, a template family;
4. everything else two documents share is a ``phrase``: the exact runs
   outside the passages above, grouped by their text (``phrases``).

The alignment tasks decide 1 and 2, beside the evidence, with each
document's text and its families' members at hand; settle takes it from
there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from reuse import arrays
from reuse.features import Features, token_weights
from reuse.model import Cluster, Document, Passage, Phrase, Template
from reuse.tiers import clusters as clustering
from reuse.tiers.clusters import MORE
from reuse.tiers.families import Member, described, numbered, numbers_in_slots, order_key
from reuse.tiers.phrases import group_runs, original_spans
from reuse.tiers.verdict import COPY, PHRASE, TEMPLATE

UNCLAIMED = 4
"""A run is a phrase of its own when at least this many of its characters lie outside every passage and
template member (a formula with a few words more is still a phrase; a run inside a copy is not)."""


def settle(documents: Sequence[Document], features: Sequence[Features], passages: Sequence[Passage],
           runs: np.ndarray, templates: Sequence[Template], *, min_length: int, phrases: Sequence[Phrase] = (),
           join_gap: int = 12) -> tuple[list[Passage], list[Phrase], list[Cluster], list[Template]]:
    """Final passages (copy, quote and template text), phrases, clusters and template families of a scan.

    ``phrases`` found elsewhere (text too widespread to be seeded pair by
    pair, ``widespread``) join those found here.

    ``passages`` carry their ``kind`` as the alignment decided it: template
    (with the family's id) where a family's member holds them, copy with the
    evidence of copying (quote when both documents quote their text), phrase
    without; ``runs`` are the exact runs the passages grew from, ``(doc_a,
    doc_b, a_lo, a_hi, b_lo, b_hi)`` in tokens of the documents in
    ``documents`` order.
    """
    index = {d.id: n for n, d in enumerate(documents)}
    kept = _joined([p for p in passages if p.kind != PHRASE], documents, index, gap=join_gap)
    kept, found, slots = _clusters(documents, index, kept)
    kept, templates = _with_frames(documents, kept, templates, slots)
    found_phrases = _phrases(documents, features, runs, kept, templates, min_length=min_length)
    return kept, _numbered([*found_phrases, *phrases]), found, templates


def copy_places(passages: Sequence[Passage], documents: Sequence[Document], *,
                gap: int) -> list[tuple[int, int, int, int, int, int]]:
    """The places of the copies among ``passages`` as ``settle`` joins and groups them (``_places``)."""
    index = {d.id: n for n, d in enumerate(documents)}
    joined = _joined([p for p in passages if p.kind != PHRASE], documents, index, gap=gap)
    return _places([p for p in joined if p.kind == COPY], index)


def _places(passages: Sequence[Passage], index: dict[str, int]) -> list[tuple[int, int, int, int, int, int]]:
    """``(doc_a, a_start, a_end, doc_b, b_start, b_end)`` of each passage, documents as indices."""
    return [(index[p.a], p.a_start, p.a_end, index[p.b], p.b_start, p.b_end) for p in passages]


def _joined(passages: list[Passage], documents: Sequence[Document], index: dict[str, int], *,
            gap: int) -> list[Passage]:
    """Copies of one pair that overlap or nearly touch on both sides, as one passage.

    The same copy can be found twice: pair by pair where its words are rare,
    and once for all its holders where they are widespread.
    """
    out: list[Passage] = []
    by_pair: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for p in passages:
        (by_pair[(p.a, p.b)] if p.kind == COPY else out).append(p)
    for (a, b), items in by_pair.items():
        items.sort(key=lambda p: (p.a_start, p.b_start))
        merged = [items[0]]
        for p in items[1:]:
            q = merged[-1]
            if p.a_start <= q.a_end + gap and p.b_start <= q.b_end + gap and q.b_start <= p.b_end + gap:
                merged[-1] = _union(q, p, documents[index[a]].text, documents[index[b]].text)
            else:
                merged.append(p)
        out += merged
    return sorted(out, key=lambda p: (p.a, p.b, p.a_start, p.b_start, p.a_end, p.b_end))


def _union(p: Passage, q: Passage, a_text: str, b_text: str) -> Passage:
    a0, a1 = min(p.a_start, q.a_start), max(p.a_end, q.a_end)
    b0, b1 = min(p.b_start, q.b_start), max(p.b_end, q.b_end)
    size = lambda x: (x.a_end - x.a_start) + (x.b_end - x.b_start)  # noqa: E731
    score = round(min(1.0, (p.score * size(p) + q.score * size(q)) / ((a1 - a0) + (b1 - b0))), 4)
    return replace(p, a_start=a0, a_end=a1, b_start=b0, b_end=b1, score=max(score, min(p.score, q.score)),
                   a_text=a_text[a0:a1], b_text=b_text[b0:b1])


def _clusters(documents: Sequence[Document], index: dict[str, int],
              passages: list[Passage]) -> tuple[list[Passage], list[Cluster], list[tuple[list[Member], str]]]:
    """Copies held by three or more documents as clusters; their pair passages each member against the earliest.

    A group whose holders have other numbers in its places is no cluster but a frame: returned as its
    members and the id its pair passages carry in ``cluster`` for now (``_with_frames`` makes it a family).
    """
    copies = [n for n, p in enumerate(passages) if p.kind == COPY]
    places = _places([passages[n] for n in copies], index)
    groups = clustering.group_copies(places)
    dates = [d.date for d in documents]
    ids = [d.id for d in documents]
    drop: set[int] = set()
    tagged: dict[int, str] = {}
    found, slots = [], []
    for group in groups:
        order = clustering.witness_order(group.docs, dates, ids)
        by_doc = {d: (s, e) for d, s, e in group.members}
        ref = order[0]
        mine = [copies[i] for i in group.copies]
        with_ref = {n for n in mine if ref in (index[passages[n].a], index[passages[n].b])}
        # and each member's strongest passage in the cluster, when the earliest holds less of it
        rest: dict[int, int] = {}
        size = lambda n: (passages[n].a_end - passages[n].a_start) + (passages[n].b_end - passages[n].b_start)  # noqa: E731
        for n in mine:
            for d in (index[passages[n].a], index[passages[n].b]):
                if d != ref and (d not in rest or size(n) > size(rest[d])):
                    rest[d] = n
        to_ref: dict[int, int] = {}
        for n in with_ref:
            d = index[passages[n].b] if index[passages[n].a] == ref else index[passages[n].a]
            to_ref[d] = max(to_ref.get(d, 0), size(n))
        keep = with_ref | {n for d, n in rest.items() if size(n) > MORE * to_ref.get(d, 0)}
        frame = numbers_in_slots((passages[n].a_text, passages[n].b_text) for n in sorted(keep))
        cid = f"f{len(slots) + 1:04d}" if frame else f"c{len(found) + 1:04d}"
        drop.update(set(mine) - keep)
        tagged.update({n: cid for n in keep})
        if frame:
            slots.append(([Member(d, *by_doc[d]) for d in sorted(order)], cid))
            continue
        dated = any(dates[d] for d in group.docs)
        found.append(Cluster(cid, len(order), tuple((ids[d], *by_doc[d]) for d in order),
                             ids[ref] if dated and dates[ref] else None))
    out = [p.in_cluster(tagged[n]) if n in tagged else p for n, p in enumerate(passages) if n not in drop]
    return out, found, slots


def _with_frames(documents: Sequence[Document], passages: list[Passage], templates: Sequence[Template],
                 slots: list[tuple[list[Member], str]]) -> tuple[list[Passage], list[Template]]:
    """The frames ``_clusters`` found as template families beside the others, all numbered again, and their
    pair passages as template text of their family."""
    if not slots:
        return passages, list(templates)
    names = [d.id for d in documents]
    made = {cid: described(members, names, [documents[m.doc].text[m.start:m.end] for m in members])
            for members, cid in slots}
    ordered = sorted([*templates, *made.values()], key=order_key)
    renumbered = numbered(ordered)  # (in this order: its sort is stable)
    new_id = {id(t): n.id for t, n in zip(ordered, renumbered)}
    old_id = {t.id: new_id[id(t)] for t in templates}
    frame_id = {cid: new_id[id(t)] for cid, t in made.items()}
    out = []
    for p in passages:
        if p.cluster in frame_id:
            p = replace(p, kind=TEMPLATE, template=frame_id[p.cluster], cluster=None)
        elif p.template in old_id:  # (a family the caller named otherwise, a library's, keeps its id)
            p = replace(p, template=old_id[p.template])
        out.append(p)
    return out, renumbered


def _phrases(documents: Sequence[Document], features: Sequence[Features], runs: np.ndarray,
             passages: Sequence[Passage], templates: Sequence[Template], *, min_length: int) -> list[Phrase]:
    """Exact runs outside every passage and template member, grouped by their text."""
    if not len(runs):
        return []
    weight = _run_weight(runs, features)
    runs = runs[weight >= min_length]
    if not len(runs):
        return []
    claimed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    index = {d.id: n for n, d in enumerate(documents)}
    for p in passages:
        claimed[index[p.a]].append((p.a_start, p.a_end))
        claimed[index[p.b]].append((p.b_start, p.b_end))
    for t in templates:
        for doc, start, end in t.members:
            claimed[index[doc]].append((start, end))
    spans_a, spans_b = original_spans(runs, features, 0), original_spans(runs, features, 1)
    # both sides at once: a document's claimed text is measured once for the runs on either side
    inside = _inside(np.concatenate([runs[:, 0], runs[:, 1]]), np.concatenate([spans_a, spans_b]), claimed, documents)
    free = ~(inside[: len(runs)] | inside[len(runs) :])
    groups = group_runs(runs[free], features, (spans_a[free], spans_b[free]))
    out = []
    members = groups.members
    bounds = np.flatnonzero(np.diff(members[:, 0], prepend=-1, append=-1)) if len(members) else []
    for lo, hi in zip(list(bounds[:-1]), list(bounds[1:])):
        rows = members[lo:hi].tolist()
        first = rows[0]
        text = documents[first[1]].text[first[2]:first[3]]
        items = tuple((documents[d].id, s, e) for _, d, s, e in rows)
        out.append(Phrase("", text, len({d for _, d, _, _ in rows}), items))
    return out


def _numbered(phrases: Sequence[Phrase]) -> list[Phrase]:
    """Phrases most widespread first, with ids in that order."""
    out = sorted(phrases, key=lambda p: (-p.doc_count, -len(p.text), p.text, p.members))
    return [replace(p, id=f"p{n:05d}") for n, p in enumerate(out, 1)]


def _run_weight(runs: np.ndarray, features: Sequence[Features]) -> np.ndarray:
    """Length of each run on side a in Han characters (a word counts two)."""
    return token_weights(features, runs[:, 0], runs[:, 2], runs[:, 3])


def _inside(doc: np.ndarray, spans: np.ndarray, claimed: dict[int, list[tuple[int, int]]],
            documents: Sequence[Document]) -> np.ndarray:
    """For each span, whether all but ``UNCLAIMED`` of it lies in text its document's passages already claim."""
    out = np.zeros(len(doc), dtype=bool)
    for d, rows in arrays.rows_by_value(doc):
        if d not in claimed:
            continue
        claims = np.array(claimed[d], dtype=np.int64).reshape(-1, 2)
        size = len(documents[d].text) + 1
        mask = np.bincount(claims[:, 0], minlength=size) - np.bincount(claims[:, 1], minlength=size)
        covered = np.concatenate([[0], np.cumsum(np.cumsum(mask)[:-1] > 0)])
        s, e = spans[rows, 0], spans[rows, 1]
        out[rows] = (e - s) - (covered[e] - covered[s]) < UNCLAIMED
    return out
