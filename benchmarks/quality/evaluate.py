"""Score a detector report against a generated truth with the PAN measures.

Usage::

    python -m benchmarks.quality.evaluate TRUTH.json REPORT.json [--json] [--all-kinds | --kinds K,K]
        [--min-score X] [--min-chars N] [--clusters] [--examples N]

Which report passages are detections: by default those whose ``"kind"`` is
``"copy"`` (issue 16's tiers: copy, template, quote, phrase); a passage
without ``"kind"`` (reports written before the tiers) counts as ``copy``
when its ``"template"`` is null and as ``template`` otherwise.  ``--kinds
copy,quote`` takes other tiers, ``--all-kinds`` every passage.  REPORT.json
may be a ``reuse scan`` report.json (``"passages"``), a ``reuse check``
check.json (format 2 names its passages as report.json does; format 1,
``"start"``/``"end"``/``"source"``..., is read too), or a bare list of passages; ``--clusters`` also derives
detections from the report's ``"clusters"`` (each member against the
``"earliest"`` member, or the first member when none is named).

Implemented definition (character level, Potthast, Stein, Barron-Cedeno and
Rosso, "An Evaluation Framework for Plagiarism Detection", COLING 2010, and
the reference implementation ``pan09-plagiarism-detection-performance-
measures.py``):

* A case ``s`` (truth) and a detection ``r`` (report passage) are both
  regarded as SETS OF CHARACTER REFERENCES in two documents: ``s`` covers
  ``src[src_start:src_end]`` and ``dst[dst_start:dst_end]``; ``r`` covers
  ``a[a_start:a_end]`` and ``b[b_start:b_end]``.  Detections are symmetric,
  so ``r`` is compared with ``s`` when ``{a, b} == {src, dst}``, its ``a``
  side being mapped to whichever of ``src``/``dst`` is document ``a``.
  ``|s| = (src_end - src_start) + (dst_end - dst_start)``, likewise ``|r|``.
* ``r`` DETECTS ``s`` iff they concern the same document pair and overlap
  (share at least one character) on BOTH sides.  Then ``s ⊓ r = s ∩ r``,
  otherwise ``s ⊓ r = ∅``.
* Macro-averaged recall over the cases S, precision over the detections R::

      rec(S, R)  = 1/|S| · Σ_{s∈S} |⋃_{r∈R} (s ⊓ r)| / |s|
      prec(S, R) = 1/|R| · Σ_{r∈R} |⋃_{s∈S} (s ⊓ r)| / |r|

  with the reference implementation's conventions: both 1 when S and R are
  both empty, both 0 when exactly one of them is empty.
* Granularity: with ``S_R`` the cases detected by at least one detection and
  ``R_s`` the detections that detect ``s``::

      gran(S, R) = 1/|S_R| · Σ_{s∈S_R} |R_s|      (1 when S_R is empty)

* ``plagdet = F1 / log2(1 + gran)`` with F1 the harmonic mean of prec and
  rec (0 when both are 0).

Spread groups (not part of PAN).  Cases that share a ``"group"`` (one
passage of a source planted into k destinations, kinds ``spread<k>``) are
one text held by k + 1 documents.  A detection between two DESTINATIONS
``Di`` and ``Dj`` of a group that overlaps both of their planted spans is a
group detection; it is never punished:

* precision: it is correct on its characters inside the two spans (as if
  ``Di``–``Dj`` were a case), so it is not unmatched;
* it detects the cases ``(S, Di)`` and ``(S, Dj)``: a case that no
  detection of its own pair ``(S, Di)`` detects is detected through its
  group detections, with recall the share of ``Di``'s span they cover (the
  source side counts as covered as much: the text is the source's) and
  ``|R_s|`` the number of group detections between ``Di`` and one other
  destination (the fewest over the partners it has), so a cluster reported
  as all pairs costs no granularity;
* a case detected by its own pair too takes the larger of the two recalls,
  and its own detections for ``|R_s|``.

A detector that reports each copy against the source (or only against the
other copies) scores 1; one that reports all k(k+1)/2 pairs scores 1 too.

Per obfuscation kind ``k`` (and per language, when the truth has ``lang``):
``S_k`` is the cases of kind ``k`` and ``R_k`` the detections that detect at
least one case of ``S_k``; recall and granularity are computed over ``S_k``
with all detections, precision is ``prec(S_k, R_k)`` (so a detection
attributed to ``k`` is credited only with the characters of kind-``k``
cases, and ``prec`` is 0 when ``R_k`` is empty).  Detections that detect no
case at all are "unmatched": they count with 0 in the overall precision and
are reported separately, bucketed by the length of their longer side
(``--examples N`` prints N of each bucket, evenly spaced through the report).  Zero-length detections count as
unmatched.  ``--min-score``/``--min-chars`` drop report passages before
scoring; they are conveniences, not part of the PAN definition.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

KIND_ORDER = (
    "verbatim",
    "punct_width",
    "traditional",
    "char_edit",
    "word_replace",
    "reorder",
    "names_numbers",
    "mix",
)
DEFAULT_KINDS = frozenset({"copy"})
LENGTH_BUCKETS = ((30, "<30"), (60, "30-59"), (100, "60-99"), (300, "100-299"), (None, ">=300"))


@dataclass(frozen=True)
class Case:
    kind: str
    src: str
    src_start: int
    src_end: int
    dst: str
    dst_start: int
    dst_end: int
    lang: str = ""
    group: str = ""

    @property
    def size(self) -> int:
        return (self.src_end - self.src_start) + (self.dst_end - self.dst_start)


@dataclass(frozen=True)
class Detection:
    a: str
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    score: float = 0.0
    kind: str = "copy"
    text: str = ""  # the a side's text, when the report gives it (for --examples)

    @property
    def size(self) -> int:
        return max(0, self.a_end - self.a_start) + max(0, self.b_end - self.b_start)

    @property
    def length(self) -> int:
        return max(self.a_end - self.a_start, self.b_end - self.b_start)


def _norm_id(doc_id: str) -> str:
    doc_id = str(doc_id).replace("\\", "/")
    while doc_id.startswith("./"):
        doc_id = doc_id[2:]
    return doc_id


def load_truth(data) -> list[Case]:
    if isinstance(data, dict):
        data = data.get("cases", [])
    return [
        Case(
            kind=str(c.get("kind", "unknown")),
            src=_norm_id(c["src"]),
            src_start=int(c["src_start"]),
            src_end=int(c["src_end"]),
            dst=_norm_id(c["dst"]),
            dst_start=int(c["dst_start"]),
            dst_end=int(c["dst_end"]),
            lang=str(c.get("lang", "")),
            group=str(c.get("group") or ""),
        )
        for c in data
    ]


def passage_kind(p: dict) -> str:
    """A report passage's tier: its ``"kind"``, or for a report without tiers ``copy`` unless it is template text."""
    kind = p.get("kind")
    if kind:
        return str(kind)
    return "template" if p.get("template") else "copy"


def _raw_passages(data, clusters: bool = False) -> list[dict]:
    """Report passages as report.json spells them, from report.json, check.json or a bare list."""
    if not isinstance(data, dict):
        return list(data)
    passages = data.get("passages", [])
    if isinstance(data.get("draft"), dict) and data.get("meta", {}).get("format", 1) < 2:  # check.json of format 1
        draft = data["draft"]["id"]
        passages = [
            {"a": draft, "a_start": p["start"], "a_end": p["end"], "b": p["source"], "b_start": p["source_start"],
             "b_end": p["source_end"], "score": p.get("score", 0.0), "template": p.get("template"),
             **({"kind": p["kind"]} if p.get("kind") else {}), "a_text": p.get("text", "")}
            for p in passages
        ]
    passages = list(passages)
    if clusters:
        for cl in data.get("clusters") or ():
            members = cl.get("members") or []
            if len(members) < 2:
                continue
            earliest = cl.get("earliest")
            if isinstance(earliest, dict):
                anchor = earliest
            else:
                anchor = next((m for m in members if earliest is not None and m.get("doc") == earliest), members[0])
            for m in members:
                if m is anchor or (m.get("doc"), m.get("start")) == (anchor.get("doc"), anchor.get("start")):
                    continue
                passages.append({"a": anchor["doc"], "a_start": anchor["start"], "a_end": anchor["end"],
                                 "b": m["doc"], "b_start": m["start"], "b_end": m["end"], "score": 1.0,
                                 "kind": cl.get("kind") or "copy", "a_text": anchor.get("text", "")})
    return passages


def load_report(data, min_score: float | None = None, min_chars: int | None = None,
                kinds: frozenset[str] | set[str] | None = DEFAULT_KINDS, clusters: bool = False) -> list[Detection]:
    """The detections of a report: its passages of ``kinds`` (None: all; see ``passage_kind``)."""
    dets = []
    for p in _raw_passages(data, clusters):
        kind = passage_kind(p)
        if kinds is not None and kind not in kinds:
            continue
        d = Detection(
            a=_norm_id(p["a"]),
            a_start=int(p["a_start"]),
            a_end=int(p["a_end"]),
            b=_norm_id(p["b"]),
            b_start=int(p["b_start"]),
            b_end=int(p["b_end"]),
            score=float(p.get("score", 0.0) or 0.0),
            kind=kind,
            text=str(p.get("a_text") or ""),
        )
        if min_score is not None and d.score < min_score:
            continue
        if min_chars is not None and d.length < min_chars:
            continue
        dets.append(d)
    return dets


def _overlaps(s1: int, e1: int, s2: int, e2: int) -> bool:
    return max(s1, s2) < min(e1, e2)


def _union_len(intervals: list[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def _orient(case: Case, det: Detection):
    """Detection's ranges as (range in case.src, range in case.dst), or None."""
    if det.a == case.src and det.b == case.dst:
        return (det.a_start, det.a_end), (det.b_start, det.b_end)
    if det.b == case.src and det.a == case.dst:
        return (det.b_start, det.b_end), (det.a_start, det.a_end)
    return None


def _detects(case: Case, det: Detection):
    o = _orient(case, det)
    if o is None:
        return None
    (ss, se), (ds, de) = o
    if _overlaps(ss, se, case.src_start, case.src_end) and _overlaps(ds, de, case.dst_start, case.dst_end):
        return o
    return None


def match(cases: list[Case], dets: list[Detection]) -> dict[int, list[int]]:
    """case index -> indices of the detections of its own document pair that detect it."""
    by_pair: dict[frozenset, list[int]] = defaultdict(list)
    for j, d in enumerate(dets):
        by_pair[frozenset((d.a, d.b))].append(j)
    out: dict[int, list[int]] = {}
    for i, c in enumerate(cases):
        out[i] = [j for j in by_pair.get(frozenset((c.src, c.dst)), ()) if _detects(c, dets[j]) is not None]
    return out


def spread_matches(cases: list[Case], dets: list[Detection]) -> dict[int, dict[str, list[int]]]:
    """Group detections: case index -> {other destination of its group: detections between the two}.

    A detection between two destinations of one group that overlaps both of
    their spans (see the module docstring).
    """
    groups: dict[str, dict[str, int]] = defaultdict(dict)  # group -> destination -> case index
    for i, c in enumerate(cases):
        if c.group:
            groups[c.group][c.dst] = i
    by_doc: dict[str, list[str]] = defaultdict(list)
    for g, members in groups.items():
        for doc in members:
            by_doc[doc].append(g)
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for j, d in enumerate(dets):
        if d.a == d.b:
            continue
        for g in set(by_doc.get(d.a, ())) & set(by_doc.get(d.b, ())):
            ia, ib = groups[g][d.a], groups[g][d.b]
            ca, cb = cases[ia], cases[ib]
            if _overlaps(d.a_start, d.a_end, ca.dst_start, ca.dst_end) and _overlaps(
                d.b_start, d.b_end, cb.dst_start, cb.dst_end
            ):
                out[ia][d.b].append(j)
                out[ib][d.a].append(j)
    return out


def _case_recall(case: Case, dets: list[Detection], idx: list[int]) -> float:
    src_parts, dst_parts = [], []
    for j in idx:
        (ss, se), (ds, de) = _orient(case, dets[j])
        src_parts.append((max(ss, case.src_start), min(se, case.src_end)))
        dst_parts.append((max(ds, case.dst_start), min(de, case.dst_end)))
    if case.size <= 0:
        return 0.0
    return (_union_len(src_parts) + _union_len(dst_parts)) / case.size


def _via_recall(case: Case, dets: list[Detection], via: dict[str, list[int]]) -> float:
    """Share of a spread case's destination span that its group detections cover."""
    n = case.dst_end - case.dst_start
    if n <= 0:
        return 0.0
    parts = []
    for idx in via.values():
        for j in idx:
            d = dets[j]
            s, e = (d.a_start, d.a_end) if d.a == case.dst else (d.b_start, d.b_end)
            parts.append((max(s, case.dst_start), min(e, case.dst_end)))
    return _union_len(parts) / n


def _rect_precision(det: Detection, rects: list[tuple[tuple[int, int], tuple[int, int]]]) -> float:
    """Share of ``det``'s characters inside the truth ranges ``rects`` ((a range, b range) each)."""
    if det.size <= 0:
        return 0.0
    a_parts = [(max(det.a_start, ar[0]), min(det.a_end, ar[1])) for ar, _ in rects]
    b_parts = [(max(det.b_start, br[0]), min(det.b_end, br[1])) for _, br in rects]
    return (_union_len(a_parts) + _union_len(b_parts)) / det.size


def plagdet_score(rec: float, prec: float, gran: float) -> float:
    if (rec == 0 and prec == 0) or rec < 0 or prec < 0 or gran < 1:
        return 0.0
    return (2 * rec * prec / (rec + prec)) / math.log2(1 + gran)


@dataclass
class _Scored:
    """Per case and per detection figures that every subset of the cases is measured from."""

    recall: list[float]  # per case
    hits: list[int]  # per case: |R_s| (0: not detected)
    det_cases: dict[int, set[int]]  # detection -> cases it detects (own pair or group)
    rects: dict[int, list[tuple[frozenset, tuple[int, int], tuple[int, int]]]]  # detection -> (cases, a, b) ranges


def _score(cases: list[Case], dets: list[Detection]) -> _Scored:
    matches = match(cases, dets)
    via = spread_matches(cases, dets)
    recall, hits = [], []
    det_cases: dict[int, set[int]] = defaultdict(set)
    rects: dict[int, list] = defaultdict(list)
    for i, c in enumerate(cases):
        own = matches[i]
        rec = _case_recall(c, dets, own) if own else 0.0
        n = len(own)
        if via.get(i):
            rec = max(rec, _via_recall(c, dets, via[i]))
            n = n or min(len(v) for v in via[i].values())
        recall.append(rec)
        hits.append(n)
        for j in own:
            det_cases[j].add(i)
            d = dets[j]
            src, dst = (c.src_start, c.src_end), (c.dst_start, c.dst_end)
            rects[j].append((frozenset((i,)), *((src, dst) if d.a == c.src and d.b == c.dst else (dst, src))))
    case_of = {(c.group, c.dst): i for i, c in enumerate(cases) if c.group}
    for i, partners in via.items():
        c = cases[i]
        for other, idx in partners.items():
            o = cases[case_of[(c.group, other)]]
            for j in idx:
                det_cases[j].add(i)
                if dets[j].a == c.dst:  # each group detection adds its rectangle once, from its a side
                    rects[j].append((frozenset((i, case_of[(c.group, other)])), (c.dst_start, c.dst_end),
                                     (o.dst_start, o.dst_end)))
    return _Scored(recall, hits, det_cases, rects)


def _measures(sc: _Scored, dets: list[Detection], case_ids: list[int], all_dets: bool = False) -> dict:
    """PAN measures of the case subset ``case_ids``; detections: those detecting one of them, or all."""
    ids = set(case_ids)
    if all_dets:
        r_ids = list(range(len(dets)))
    else:
        r_ids = sorted(j for j, cs in sc.det_cases.items() if cs & ids)
    n_s, n_r = len(case_ids), len(r_ids)
    if n_s == 0 and n_r == 0:
        rec = prec = 1.0
    elif n_s == 0 or n_r == 0:
        rec = prec = 0.0
    else:
        rec = sum(sc.recall[i] for i in case_ids) / n_s
        prec = sum(
            _rect_precision(dets[j], [(a, b) for cs, a, b in sc.rects.get(j, ()) if cs & ids]) for j in r_ids
        ) / n_r
    detected = [sc.hits[i] for i in case_ids if sc.hits[i]]
    gran = sum(detected) / len(detected) if detected else 1.0
    return {
        "cases": n_s,
        "detected": len(detected),
        "detections": n_r,
        "precision": prec,
        "recall": rec,
        "granularity": gran,
        "plagdet": plagdet_score(rec, prec, gran),
    }


def _kind_key(kind: str):
    if kind in KIND_ORDER:
        return (0, KIND_ORDER.index(kind), "")
    if kind.startswith("spread") and kind[6:].isdigit():
        return (1, int(kind[6:]), "")
    return (2, 0, kind)


def _bucket(n: int) -> str:
    for limit, name in LENGTH_BUCKETS:
        if limit is None or n < limit:
            return name
    raise AssertionError


def evaluate(truth, report, min_score: float | None = None, min_chars: int | None = None,
             kinds: frozenset[str] | set[str] | None = DEFAULT_KINDS, clusters: bool = False,
             examples: int = 0) -> dict:
    """Scores; ``truth``/``report`` are parsed JSON (or Case/Detection lists).

    ``kinds``: the passage tiers that are detections (None: every passage).
    ``examples``: also list that many unmatched detections per length bucket.
    """
    if isinstance(truth, list) and truth and isinstance(truth[0], Case):
        cases = truth
    else:
        cases = load_truth(truth)
    if isinstance(report, list) and report and isinstance(report[0], Detection):
        dets = report
    else:
        dets = load_report(report, min_score, min_chars, kinds, clusters)
    sc = _score(cases, dets)
    overall = _measures(sc, dets, list(range(len(cases))), all_dets=True)

    # unmatched detections by length (longer side, in chars): short ones are
    # mostly stock formulas/datelines that the real source texts share
    unmatched: dict[str, list[Detection]] = {name: [] for _, name in LENGTH_BUCKETS}
    for j, d in enumerate(dets):
        if j not in sc.det_cases:
            unmatched[_bucket(d.length)].append(d)
    unmatched_by_length = {name: len(ds) for name, ds in unmatched.items()}
    shown: dict[str, list[dict]] = {}
    for name, ds in unmatched.items():  # evenly spaced through the report's order
        picked = [ds[k * len(ds) // examples] for k in range(examples)] if len(ds) > examples else ds
        shown[name] = [{"a": d.a, "a_start": d.a_start, "a_end": d.a_end, "b": d.b, "b_start": d.b_start,
                        "b_end": d.b_end, "score": d.score, "kind": d.kind, "text": d.text} for d in picked]

    by_kind: dict[str, list[int]] = defaultdict(list)
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        by_kind[c.kind].append(i)
        if c.lang:
            by_lang[c.lang].append(i)
    res = {
        "overall": overall,
        "by_kind": {k: _measures(sc, dets, by_kind[k]) for k in sorted(by_kind, key=_kind_key)},
        "by_lang": {lang: _measures(sc, dets, by_lang[lang]) for lang in sorted(by_lang)},
        "unmatched_detections": len(dets) - len(sc.det_cases),
        "unmatched_by_length": unmatched_by_length,
        "n_cases": len(cases),
        "n_detections": len(dets),
    }
    if examples:
        res["unmatched_examples"] = shown
    return res


def format_table(res: dict) -> str:
    cols = ("cases", "detected", "detections", "precision", "recall", "granularity", "plagdet")
    head = f"{'kind':<16}" + "".join(f"{c:>12}" for c in cols)
    lines = [head, "-" * len(head)]

    def row(name: str, m: dict) -> str:
        cells = []
        for c in cols:
            v = m[c]
            cells.append(f"{v:>12d}" if isinstance(v, int) else f"{v:>12.4f}")
        return f"{name:<16}" + "".join(cells)

    for k, m in res["by_kind"].items():
        lines.append(row(k, m))
    if len(res["by_lang"]) > 1:
        lines.append("-" * len(head))
        for lang, m in res["by_lang"].items():
            lines.append(row(f"lang:{lang}", m))
    lines.append("-" * len(head))
    lines.append(row("overall", res["overall"]))
    buckets = ", ".join(f"{k}: {v}" for k, v in res["unmatched_by_length"].items())
    lines.append(f"{'unmatched':<16}{'':>12}{'':>12}{res['unmatched_detections']:>12d}   (chars {buckets})")
    for name, shown in res.get("unmatched_examples", {}).items():
        if shown:
            lines.append(f"unmatched {name} chars, {len(shown)} of {res['unmatched_by_length'][name]}:")
        for e in shown:
            text = " ".join(e["text"].split())
            text = text if len(text) <= 100 else text[:97] + "..."
            lines.append(f"  {e['a']}[{e['a_start']}:{e['a_end']}] ~ {e['b']}[{e['b_start']}:{e['b_end']}] "
                         f"score {e['score']:.2f}: {text}")
    return "\n".join(lines)


def _kinds_arg(text: str) -> frozenset[str]:
    return frozenset(k.strip() for k in text.split(",") if k.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", help="truth.json written by benchmarks.quality.generate")
    ap.add_argument("report", help="report.json written by `reuse scan` (or check.json of `reuse check`)")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--all-kinds", action="store_true",
                       help="every passage is a detection, whatever its kind (default: kind copy only)")
    which.add_argument("--kinds", type=_kinds_arg, default=None, metavar="K,K",
                       help="passage kinds that are detections (default: copy; a passage without a kind is copy "
                       "unless its template is set)")
    which.add_argument("--copy-only", action="store_true", help=argparse.SUPPRESS)  # now the default
    ap.add_argument("--clusters", action="store_true",
                    help="also derive detections from the report's clusters: each member against the earliest")
    ap.add_argument("--min-score", type=float, default=None, help="ignore passages scoring below this")
    ap.add_argument(
        "--min-chars",
        type=int,
        default=None,
        help="ignore passages whose longer side is shorter than this (not PAN; off by default)",
    )
    ap.add_argument("--examples", type=int, default=0, metavar="N",
                    help="list N unmatched detections of each length bucket")
    args = ap.parse_args(argv)
    truth = json.loads(Path(args.truth).read_text(encoding="utf-8"))
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    kinds = None if args.all_kinds else (args.kinds or DEFAULT_KINDS)
    res = evaluate(truth, report, args.min_score, args.min_chars, kinds, args.clusters, args.examples)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
    else:
        print(format_table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
