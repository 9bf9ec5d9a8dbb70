"""report.json: the whole result as stable, byte-reproducible JSON."""

from __future__ import annotations

import json
from typing import Any

from reuse.model import Result

FORMAT_VERSION = 2
"""2: passages carry ``kind`` and ``cluster``; ``phrases`` and ``clusters``; quote and phrase ratios; dates."""


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
                "date": d.date,
                "chars": d.chars,
                "paragraphs": len(d.paragraphs),
                "reuse_ratio": stats[d.id].reuse_ratio,
                "template_ratio": stats[d.id].template_ratio,
                "quote_ratio": stats[d.id].quote_ratio,
                "phrase_ratio": stats[d.id].phrase_ratio,
                "copy_ratio": stats[d.id].copy_ratio,
                "top_source": stats[d.id].top_source.record() if stats[d.id].top_source else None,
                "sections": [sec.record() for sec in stats[d.id].sections],
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
        "passages": [p.record() for p in result.passages],
        "clusters": [c.record() for c in result.clusters],
        "phrases": [ph.record() for ph in result.phrases],
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
    return indented(to_dict(result)) + "\n"


_SCALARS = (str, int, float, bool, type(None))


def indented(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1)``, byte for byte, faster (``benchmarks/RESULTS.md``).

    With ``indent`` json encodes in Python; here every dict or list of plain
    values (a passage, a pair: nearly all of a report) goes through json's C
    encoder, whose item separator carries the newline and indentation. An
    encoded string never holds a raw newline, so only the brackets need
    placing. Anything else (keys that are not strings, say) is left to
    ``json.dumps``.
    """
    out: list[str] = []
    try:
        _indent(data, 0, out)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, indent=1)
    return "".join(out)


_flat_encoders: dict[int, json.JSONEncoder] = {}


def _flat(level: int) -> json.JSONEncoder:
    """A C encoder whose items are separated as ``indent=1`` separates them at ``level``."""
    if level not in _flat_encoders:
        _flat_encoders[level] = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + " " * level, ": "))
    return _flat_encoders[level]


def _is_flat(obj: dict) -> bool:
    return all(type(k) is str for k in obj) and all(type(v) in _SCALARS for v in obj.values())


def _indent(obj: Any, level: int, out: list[str]) -> None:
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(obj, dict):
        if not obj:
            out.append("{}")
        elif _is_flat(obj):
            out.append("{\n" + inner + _flat(level + 1).encode(obj)[1:-1] + "\n" + pad + "}")
        else:
            for n, (key, value) in enumerate(obj.items()):
                if type(key) is not str:
                    raise TypeError("a key that is not a string")
                out.append(("{\n" if n == 0 else ",\n") + inner + _flat(0).encode(key) + ": ")
                _indent(value, level + 1, out)
            out.append("\n" + pad + "}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
        elif all(type(v) in _SCALARS for v in obj):
            out.append("[\n" + inner + _flat(level + 1).encode(list(obj))[1:-1] + "\n" + pad + "]")
        elif all(type(v) is dict and v and _is_flat(v) for v in obj):
            # rows (passages, pairs, members) in one call; between two rows the
            # encoder writes "}" + separator + "{", which no string can hold
            deeper = " " * (level + 2)
            sep = ",\n" + deeper
            text = _flat(level + 2).encode(list(obj)).replace("}" + sep + "{", "\n" + inner + "},\n" + inner + "{\n" + deeper)
            out += ["[\n", inner, "{\n", deeper, text[2:-2], "\n", inner, "}\n", pad, "]"]  # joined once, at the end
        else:
            for n, value in enumerate(obj):
                out.append(("[\n" if n == 0 else ",\n") + inner)
                _indent(value, level + 1, out)
            out.append("\n" + pad + "]")
    elif type(obj) in _SCALARS:
        out.append(_flat(0).encode(obj))
    else:
        raise TypeError(f"not JSON: {type(obj).__name__}")


def write_json(result: Result, path) -> None:
    text = dumps(result)
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
        fh.write(text)
