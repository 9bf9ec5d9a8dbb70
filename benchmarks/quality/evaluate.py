"""Score a detector report against a generated truth with the PAN measures.

Usage::

    python -m benchmarks.quality.evaluate TRUTH.json REPORT.json [--json] [--min-score X] [--min-chars N] [--copy-only]

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

Per obfuscation kind ``k`` (and per language, when the truth has ``lang``):
``S_k`` is the cases of kind ``k`` and ``R_k`` the detections that detect at
least one case of ``S_k``; recall and granularity are computed over ``S_k``
with all detections, precision is ``prec(S_k, R_k)`` (so a detection
attributed to ``k`` is credited only with the characters of kind-``k``
cases, and ``prec`` is 0 when ``R_k`` is empty).  Detections that detect no
case at all are "unmatched": they count with 0 in the overall precision and
are reported separately (also bucketed by length).  Zero-length detections
count as unmatched.  ``--min-score``/``--min-chars`` drop report passages
before scoring, ``--copy-only`` those the report marks as template text;
they are conveniences, not part of the PAN definition.
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

    @property
    def size(self) -> int:
        return max(0, self.a_end - self.a_start) + max(0, self.b_end - self.b_start)


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
        )
        for c in data
    ]


def load_report(data, min_score: float | None = None, min_chars: int | None = None,
                copy_only: bool = False) -> list[Detection]:
    if isinstance(data, dict):
        data = data.get("passages", [])
    dets = []
    for p in data:
        if copy_only and p.get("template"):
            continue  # the report calls it template text (formula, boilerplate...), not copying
        d = Detection(
            a=_norm_id(p["a"]),
            a_start=int(p["a_start"]),
            a_end=int(p["a_end"]),
            b=_norm_id(p["b"]),
            b_start=int(p["b_start"]),
            b_end=int(p["b_end"]),
            score=float(p.get("score", 0.0) or 0.0),
        )
        if min_score is not None and d.score < min_score:
            continue
        if min_chars is not None and max(d.a_end - d.a_start, d.b_end - d.b_start) < min_chars:
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
    """case index -> indices of the detections that detect it."""
    by_pair: dict[frozenset, list[int]] = defaultdict(list)
    for j, d in enumerate(dets):
        by_pair[frozenset((d.a, d.b))].append(j)
    out: dict[int, list[int]] = {}
    for i, c in enumerate(cases):
        out[i] = [j for j in by_pair.get(frozenset((c.src, c.dst)), ()) if _detects(c, dets[j]) is not None]
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


def _det_precision(det: Detection, cases: list[Case], idx: list[int]) -> float:
    a_parts, b_parts = [], []
    for i in idx:
        c = cases[i]
        if det.a == c.src and det.b == c.dst:
            a_rng, b_rng = (c.src_start, c.src_end), (c.dst_start, c.dst_end)
        else:
            a_rng, b_rng = (c.dst_start, c.dst_end), (c.src_start, c.src_end)
        a_parts.append((max(det.a_start, a_rng[0]), min(det.a_end, a_rng[1])))
        b_parts.append((max(det.b_start, b_rng[0]), min(det.b_end, b_rng[1])))
    if det.size <= 0:
        return 0.0
    return (_union_len(a_parts) + _union_len(b_parts)) / det.size


def plagdet_score(rec: float, prec: float, gran: float) -> float:
    if (rec == 0 and prec == 0) or rec < 0 or prec < 0 or gran < 1:
        return 0.0
    return (2 * rec * prec / (rec + prec)) / math.log2(1 + gran)


def measures(cases: list[Case], dets: list[Detection], case_ids: list[int], matches: dict[int, list[int]]) -> dict:
    """PAN measures of the case subset ``case_ids`` (indices into ``cases``)."""
    det_to_cases: dict[int, list[int]] = defaultdict(list)
    for i in case_ids:
        for j in matches[i]:
            det_to_cases[j].append(i)
    n_s, n_r = len(case_ids), len(det_to_cases)
    if n_s == 0 and n_r == 0:
        rec = prec = 1.0
    elif n_s == 0 or n_r == 0:
        rec = prec = 0.0
    else:
        rec = sum(_case_recall(cases[i], dets, matches[i]) for i in case_ids) / n_s
        prec = sum(_det_precision(dets[j], cases, idx) for j, idx in det_to_cases.items()) / n_r
    detected = [len(matches[i]) for i in case_ids if matches[i]]
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


def evaluate(truth, report, min_score: float | None = None, min_chars: int | None = None,
             copy_only: bool = False) -> dict:
    """Scores; ``truth``/``report`` are parsed JSON (or Case/Detection lists)."""
    if isinstance(truth, list) and truth and isinstance(truth[0], Case):
        cases = truth
    else:
        cases = load_truth(truth)
    if isinstance(report, list) and report and isinstance(report[0], Detection):
        dets = report
    else:
        dets = load_report(report, min_score, min_chars, copy_only)
    matches = match(cases, dets)
    det_to_cases: dict[int, list[int]] = defaultdict(list)
    for i, idx in matches.items():
        for j in idx:
            det_to_cases[j].append(i)

    # overall: every detection, matched or not, is in the precision average
    n_s, n_r = len(cases), len(dets)
    if n_s == 0 and n_r == 0:
        rec = prec = 1.0
    elif n_s == 0 or n_r == 0:
        rec = prec = 0.0
    else:
        rec = sum(_case_recall(cases[i], dets, matches[i]) for i in range(n_s)) / n_s
        prec = sum(_det_precision(dets[j], cases, idx) for j, idx in det_to_cases.items()) / n_r
    detected = [len(idx) for idx in matches.values() if idx]
    gran = sum(detected) / len(detected) if detected else 1.0
    overall = {
        "cases": n_s,
        "detected": len(detected),
        "detections": n_r,
        "precision": prec,
        "recall": rec,
        "granularity": gran,
        "plagdet": plagdet_score(rec, prec, gran),
    }

    # unmatched detections by length (longer side, in chars): short ones are
    # mostly stock formulas/datelines that the real source texts share
    unmatched_by_length = {"<30": 0, "30-99": 0, ">=100": 0}
    for j, d in enumerate(dets):
        if j not in det_to_cases:
            n = max(d.a_end - d.a_start, d.b_end - d.b_start)
            unmatched_by_length["<30" if n < 30 else "30-99" if n < 100 else ">=100"] += 1

    by_kind: dict[str, list[int]] = defaultdict(list)
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        by_kind[c.kind].append(i)
        if c.lang:
            by_lang[c.lang].append(i)
    order = [k for k in KIND_ORDER if k in by_kind] + sorted(k for k in by_kind if k not in KIND_ORDER)
    return {
        "overall": overall,
        "by_kind": {k: measures(cases, dets, by_kind[k], matches) for k in order},
        "by_lang": {lang: measures(cases, dets, by_lang[lang], matches) for lang in sorted(by_lang)},
        "unmatched_detections": n_r - len(det_to_cases),
        "unmatched_by_length": unmatched_by_length,
        "n_cases": n_s,
        "n_detections": n_r,
    }


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
    buckets = ", ".join(f"{k} chars: {v}" for k, v in res["unmatched_by_length"].items())
    lines.append(f"{'unmatched':<16}{'':>12}{'':>12}{res['unmatched_detections']:>12d}   ({buckets})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quality.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", help="truth.json written by benchmarks.quality.generate")
    ap.add_argument("report", help="report.json written by `reuse scan`")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--min-score", type=float, default=None, help="ignore passages scoring below this")
    ap.add_argument(
        "--min-chars",
        type=int,
        default=None,
        help="ignore passages whose longer side is shorter than this (not PAN; off by default)",
    )
    ap.add_argument(
        "--copy-only",
        action="store_true",
        help="ignore passages the report marks as template text (their \"template\" is set): formulas "
        "many documents share are not copying (not part of PAN; off by default)",
    )
    args = ap.parse_args(argv)
    truth = json.loads(Path(args.truth).read_text(encoding="utf-8"))
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    res = evaluate(truth, report, args.min_score, args.min_chars, args.copy_only)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(format_table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
