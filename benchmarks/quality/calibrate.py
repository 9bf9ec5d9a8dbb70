"""How the verdict's rule was chosen: the evidence of every aligned passage, planted or natural.

    python -m benchmarks.quality.calibrate CORPUS_DIR [CORPUS_DIR ...] [--weights 0,0.5,0.6,0.67,0.75]

Each CORPUS_DIR is a corpus ``generate.py`` wrote (its ``truth.json`` beside
the documents). Every passage the scan aligns (before the verdict: copy and
phrase alike) is measured as ``reuse.tiers.verdict`` measures it: length,
alignment score, the specificity of its ``k``-shingles and of its long
shingles, its longest exact run, and the neighbourhood it lies in. A passage
is *planted* when it overlaps a truth case on both sides, *natural*
otherwise (what the real articles share by themselves: formulas, quotations of
central documents, real reprints, and the copies of a spread group among
themselves, which the truth lists against their source only).

For each weight ``w`` of the long shingles it prints how many planted and
natural passages the rule ``length * score * max(spec_k, w * spec_long) >=
copy_evidence`` (or the longest run, or the neighbourhood's sum) calls copy.
``w = 0`` is the rule without long shingles. A weight is good when it calls
more planted passages copy and few more natural ones, in every corpus, and
keeps doing so as the corpus grows (the natural share of common words grows
with it). The counts are of aligned fragments, a proxy: the PAN measures of
``evaluate.py`` on a scan's report are the final word.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from reuse import pipeline
from reuse.config import Settings
from reuse.engine import LocalEngine
from reuse.ingest import discover
from reuse.tiers import verdict
from reuse.tiers.families import long_k as long_k_of


def measured(corpus: Path, settings: Settings) -> list[dict]:
    """Every aligned passage of ``corpus`` with what the verdict measures of it."""
    found, _ = discover([str(corpus)], settings.extensions)
    read = pipeline._read_batch((found, settings))
    docs, feats = pipeline._in_id_order([d for d, _, _ in read if d], [f for d, _, f in read if d], settings, {},
                                        lambda *a: None)
    names = {id(f): d.id for d, f in zip(docs, feats)}
    out: list[dict] = []
    decide = verdict.kinds

    def spy(alignments, fa, fb, df_a, neighbourhoods, *, k, min_evidence, min_run, long_df_a=None, long_k=None):
        group = {n: g for g, members in enumerate(neighbourhoods) for n in members if len(members) > 1}
        for n, al in enumerate(alignments):
            short = verdict.evidence(fa, fb, df_a, al, k)
            both = verdict.evidence(fa, fb, df_a, al, k, long_df_a, long_k) if long_df_a is not None else short
            a0, a1 = fa.original_span(al.a_lo, al.a_hi)
            b0, b1 = fb.original_span(al.b_lo, al.b_hi)
            long_spec = both.specificity / verdict.LONG_WEIGHT if both.specificity > short.specificity else 0.0
            out.append(dict(a=names[id(fa)], b=names[id(fb)], a0=a0, a1=a1, b0=b0, b1=b1, length=short.length,
                            score=short.score, spec=short.specificity, long_spec=min(long_spec, 1.0),
                            longest=short.longest, group=(names[id(fa)], names[id(fb)], group.get(n))))
        return decide(alignments, fa, fb, df_a, neighbourhoods, k=k, min_evidence=min_evidence, min_run=min_run,
                      long_df_a=long_df_a, long_k=long_k)

    # the long specificity alone is measured against a weight of 1 (it is reported as the share itself)
    verdict.kinds, weight = spy, verdict.LONG_WEIGHT
    verdict.LONG_WEIGHT = 1.0
    try:
        pipeline.find_passages(docs, feats, settings, engine=LocalEngine(1))
    finally:
        verdict.kinds, verdict.LONG_WEIGHT = decide, weight
    _label(out, json.loads((corpus / "truth.json").read_text(encoding="utf-8")))
    return out


def _label(passages: list[dict], truth: list[dict]) -> None:
    cases = defaultdict(list)
    for c in truth:
        cases[(c["src"], c["dst"])].append((c["src_start"], c["src_end"], c["dst_start"], c["dst_end"]))
        cases[(c["dst"], c["src"])].append((c["dst_start"], c["dst_end"], c["src_start"], c["src_end"]))
    for p in passages:
        p["planted"] = any(p["a0"] < s1 and p["a1"] > s0 and p["b0"] < d1 and p["b1"] > d0
                           for s0, s1, d0, d1 in cases[(p["a"], p["b"])])


def copies(passages: list[dict], weight: float, settings: Settings) -> np.ndarray:
    """Which passages the rule with long shingles at ``weight`` calls copy."""
    strength = np.array([p["length"] * p["score"] * max(p["spec"], weight * p["long_spec"]) for p in passages])
    out = (strength >= settings.copy_evidence) | np.array([p["longest"] >= settings.copy_run for p in passages])
    groups = defaultdict(list)
    for n, p in enumerate(passages):
        if p["group"][2] is not None:
            groups[p["group"]].append(n)
    for members in groups.values():
        if strength[members].sum() >= settings.copy_evidence:
            out[members] = True
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--weights", default="0,0.5,0.6,0.67,0.75")
    args = ap.parse_args(argv)
    settings = Settings()
    weights = [float(w) for w in args.weights.split(",")]
    data = {c: measured(c, settings) for c in args.corpora}
    print("planted passages called copy / planted passages, natural passages called copy")
    print(f"{'weight':>8}" + "".join(f"{c.name:>24}" for c in args.corpora))
    for w in weights:
        row = f"{w:>8}"
        for c in args.corpora:
            passages = data[c]
            planted = np.array([p["planted"] for p in passages], dtype=bool)
            hit = copies(passages, w, settings)
            row += f"{int((hit & planted).sum()):>10}/{int(planted.sum()):<6}{int((hit & ~planted).sum()):>7} "
        print(row)


if __name__ == "__main__":
    main()
