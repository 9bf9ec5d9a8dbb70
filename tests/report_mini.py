"""A tiny hand-built Result for report tests: nothing here depends on detection tuning.

Three short speeches. 甲 and 乙 share a long verbatim paragraph and a
sentence whose year changed (2020年 → 2023年); all three open with the same
formula, a template family whose members fill in different places. The third
document's id, ``丙 <b>.txt``, must neither break a link nor escape a folder.
"""

from __future__ import annotations

from reuse.model import Document, DocumentStats, Pair, Passage, Result, Skipped, Source, Template

OPENING = "同志们：今天我们召开{}工作会议，主要任务是总结{}工作，安排今年任务。"
VERBATIM = ("过去一年，全县各级党组织坚持以新时代中国特色社会主义思想为指导，深入开展主题教育，"
            "牢固树立抓好党建是最大政绩的意识，各项工作取得了新突破，培育了新亮点。")
YEAR_A = "2020年是全面建成小康社会和规划收官之年，也是脱贫攻坚决战决胜之年。"
YEAR_B = "2023年是全面建成小康社会和规划收官之年，也是脱贫攻坚决战决胜之年。"

TEXTS = {
    "甲.txt": (OPENING.format("全县党建", "去年") + "\n" + VERBATIM + "\n"
               "我们要坚持问题导向，把握工作重点。" + YEAR_A + "\n下面，我讲三点意见。\n"),
    "乙.txt": (OPENING.format("全市宣传", "2019年") + "\n会议开始前，请大家关闭手机。\n" + VERBATIM + "\n"
               + YEAR_B + "今年的任务依然繁重。\n"),
    "丙 <b>.txt": (OPENING.format("全县党建", "去年") + "\n<script>alert(1)</script> 这一篇讲的是别的事情，"
                   "和前两篇没有共同的段落。\n"),
}


def _solid(text: str) -> int:
    return sum(not ch.isspace() for ch in text)


def _find(doc: str, part: str) -> tuple[int, int]:
    start = TEXTS[doc].index(part)
    return start, start + len(part)


def _passage(a: str, a_part: str, b: str, b_part: str, score: float, template: str | None = None) -> Passage:
    a_start, a_end = _find(a, a_part)
    b_start, b_end = _find(b, b_part)
    return Passage(a, a_start, a_end, b, b_start, b_end, score, a_part, b_part, template,
                   kind="template" if template else "copy")


def _union(spans: list[tuple[int, int]], text: str) -> int:
    covered = set()
    for s, e in spans:
        covered.update(i for i in range(s, e) if not text[i].isspace())
    return len(covered)


def mini_result() -> Result:
    """The Result of scanning the three texts, built by hand."""
    docs = tuple(Document(i, f"mini/{i}", t, "utf-8", _solid(t)) for i, t in sorted(TEXTS.items()))
    op_a, op_b, op_c = OPENING.format("全县党建", "去年"), OPENING.format("全市宣传", "2019年"), OPENING.format("全县党建", "去年")
    passages = sorted([
        _passage("乙.txt", VERBATIM, "甲.txt", VERBATIM, 1.0),
        _passage("乙.txt", YEAR_B, "甲.txt", YEAR_A, 0.97),
        _passage("乙.txt", op_b, "甲.txt", op_a, 0.83, template="t1"),
        _passage("丙 <b>.txt", op_c, "甲.txt", op_a, 1.0, template="t1"),
        _passage("丙 <b>.txt", op_c, "乙.txt", op_b, 0.83, template="t1"),
    ], key=lambda p: (p.a, p.b, p.a_start))
    by_id = {d.id: d for d in docs}
    pairs, shared = [], {}
    for a, b in sorted({(p.a, p.b) for p in passages}):
        items = [p for p in passages if (p.a, p.b) == (a, b)]
        sa = _union([(p.a_start, p.a_end) for p in items], by_id[a].text)
        sb = _union([(p.b_start, p.b_end) for p in items], by_id[b].text)
        pairs.append(Pair(a, b, round((sa + sb) / (by_id[a].chars + by_id[b].chars), 4), sa, sb, len(items)))
        shared.setdefault(a, []).append((sa, b))
        shared.setdefault(b, []).append((sb, a))
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    stats = []
    for d in docs:
        spans = [(p.a_start, p.a_end) for p in passages if p.a == d.id] + \
                [(p.b_start, p.b_end) for p in passages if p.b == d.id]
        tspans = [(p.a_start, p.a_end) for p in passages if p.a == d.id and p.template] + \
                 [(p.b_start, p.b_end) for p in passages if p.b == d.id and p.template]
        reuse = round(_union(spans, d.text) / d.chars, 4)
        tpl = round(_union(tspans, d.text) / d.chars, 4)
        best = min(shared.get(d.id, []), key=lambda t: (-t[0], t[1]), default=None)
        top = Source(best[1], round(best[0] / d.chars, 4)) if best else None
        stats.append(DocumentStats(d.id, reuse, top, template_ratio=tpl, copy_ratio=round(reuse - tpl, 4)))
    members = tuple(sorted((d, *_find(d, op)) for d, op in (("甲.txt", op_a), ("乙.txt", op_b), ("丙 <b>.txt", op_c))))
    templates = (Template("t1", "opening", op_a, 3, members),)
    params = {"reuse": "9.9.9", "datasketch": "2.0.0",
              "params": {"min_length": 12, "shingle": 4, "threshold": 0.5, "min_score": 0.6}}
    return Result(params, docs, tuple(stats), (Skipped("mini/坏.bin", "binary file (NUL bytes)"),), tuple(pairs),
                  tuple(passages), templates)
