"""report.json: the whole result as stable, byte-reproducible JSON."""

from __future__ import annotations

import json
from typing import Any

from reuse.model import Result

FORMAT_VERSION = 1


def to_dict(result: Result) -> dict[str, Any]:
    """The report as plain data, keys and lists in a fixed order."""
    stats = {s.id: s for s in result.stats}
    return {
        "meta": {
            "format": FORMAT_VERSION,
            "reuse": result.params.get("reuse"),
            "datasketch": result.params.get("datasketch"),
            "params": result.params.get("params", {}),
        },
        "documents": [
            {
                "id": d.id,
                "path": d.path,
                "encoding": d.encoding,
                "format": d.format,
                "chars": d.chars,
                "paragraphs": len(d.paragraphs),
                "reuse_ratio": stats[d.id].reuse_ratio,
                "template_ratio": stats[d.id].template_ratio,
                "copy_ratio": stats[d.id].copy_ratio,
                "top_source": (
                    {"id": stats[d.id].top_source.id, "ratio": stats[d.id].top_source.ratio}
                    if stats[d.id].top_source
                    else None
                ),
                "sections": [
                    {
                        "title": sec.title,
                        "start": sec.start,
                        "end": sec.end,
                        "reuse_ratio": sec.reuse_ratio,
                        "template_ratio": sec.template_ratio,
                        "copy_ratio": sec.copy_ratio,
                    }
                    for sec in stats[d.id].sections
                ],
            }
            for d in result.documents
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "similarity": p.similarity,
                "a_shared_chars": p.a_shared_chars,
                "b_shared_chars": p.b_shared_chars,
                "passages": p.passages,
            }
            for p in result.pairs
        ],
        "passages": [
            {
                "a": p.a,
                "a_start": p.a_start,
                "a_end": p.a_end,
                "b": p.b,
                "b_start": p.b_start,
                "b_end": p.b_end,
                "score": p.score,
                "a_text": p.a_text,
                "b_text": p.b_text,
                "template": p.template,
            }
            for p in result.passages
        ],
        "templates": [
            {
                "id": t.id,
                "kind": t.kind,
                "text": t.text,
                "doc_count": t.doc_count,
                "members": [{"doc": d, "start": s, "end": e} for d, s, e in t.members],
                "variants": _variants(result, t),
            }
            for t in result.templates
        ],
    }


def _variants(result: Result, template) -> list[dict[str, Any]]:
    """Members whose text differs from the representative (a filled-in slot, another year)."""
    texts = {d.id: d.text for d in result.documents}
    return [
        {"doc": d, "start": s, "end": e, "text": texts[d][s:e]}
        for d, s, e in template.members
        if texts[d][s:e] != template.text
    ]


def dumps(result: Result) -> str:
    # ensure_ascii=False keeps Chinese readable; surrogates (possible in
    # decoded input) are escaped by json so the file stays valid UTF-8
    return json.dumps(to_dict(result), ensure_ascii=False, indent=1) + "\n"


def write_json(result: Result, path) -> None:
    text = dumps(result)
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
        fh.write(text)
