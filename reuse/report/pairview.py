"""The side-by-side view of two documents, as plain data the browser draws (``static/report.js``).

A report folder has one ``pair.html`` and, per document that shares copying,
``data/<page>.js`` with its text and the views of its pairs: the browser
draws any pair from those two files, so every pair with copying opens side
by side while the folder grows with the copying, not with the number of
pairs. ``reuse compare`` puts the same data inside its one page.

Everything a reader sees is decided here, in Python, and tested on a
``Result`` alone: which document goes left (the earlier one, when both are
dated), how passages are numbered and graded, which characters changed, and
which paragraphs face each other.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from rapidfuzz.distance import Levenshtein

from reuse.model import Document, Passage
from reuse.report import words
from reuse.report.pages import Corpus, Stretch, differences, doc_url, passage_grade, percent, sides, stem
from reuse.segment import paragraphs as cut_paragraphs

def passage_words(n: int, p: Passage, template_kinds: dict[str, str]) -> str:
    """What passage ``n`` is, in words: the grade is never colour alone.

    >>> passage_words(3, Passage("a", 0, 1, "b", 0, 1, 0.97, "x", "x"), {})
    '片段 3：几乎原文，相似度 97%'
    """
    g = passage_grade(p)
    if g == "template":
        kind = template_kinds.get(p.template or "", "")
        return f"片段 {n}：套话（{words.template_kind(kind)}）" if kind else f"片段 {n}：套话"
    if g == "quote":
        return f"片段 {n}：共同引用第三方文字"
    held = f"；复制簇 {p.cluster}，三篇以上共有" if p.cluster else ""
    return f"片段 {n}：{words.GRADES[g]}，相似度 {percent(p.score)}{held}"


# -- changed characters -----------------------------------------------------------------------


def changes(items: Sequence[tuple[Passage, Stretch, Stretch]], left_text: str, right_text: str
            ) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every edit inside the copied passages, numbered in reading order of the left text.

    Each side gets ``[start, end, kind, k]``: the edit ``k`` is 'replace' on
    both sides, or 'delete' on the side that has the text and a 'gap'
    (``start == end``) on the other. Formula text is not diffed, and nor is a
    passage whose text does not match its document (offsets not trusted).
    """
    lout: list[list[Any]] = []
    rout: list[list[Any]] = []
    k = 0
    for p, ls, rs in items:
        if passage_grade(p) == "template":
            continue
        if left_text[ls.start:ls.end] != ls.text or right_text[rs.start:rs.end] != rs.text:
            continue
        da, db = differences(ls.text, rs.text)
        for (s1, e1, k1), (s2, e2, k2) in zip(da, db):
            k += 1
            lout.append([ls.start + s1, ls.start + e1, k1, k])
            rout.append([rs.start + s2, rs.start + e2, k2, k])
    return lout, rout


# -- paragraphs that face each other ------------------------------------------------------------


def paragraph_starts(doc: Document) -> list[int]:
    """Where each paragraph of a document begins (the first at 0, so leading space belongs to it)."""
    spans = doc.paragraphs or tuple(cut_paragraphs(doc.text))
    starts = sorted({s.start for s in spans} | {0})
    return [s for s in starts if s < len(doc.text)] or [0]


def _mapper(ls: Stretch, rs: Stretch, exact: bool):
    """Left offset inside a passage → the right offset it aligns to."""
    if exact:
        ops = [op for op in Levenshtein.opcodes(ls.text, rs.text)]

        def at(x: int) -> int:
            rel = x - ls.start
            for op in ops:
                if op.src_start <= rel < op.src_end or (op.src_start == op.src_end == rel):
                    if op.tag == "equal":
                        return rs.start + op.dest_start + rel - op.src_start
                    return rs.start + op.dest_start
            return rs.end
        return at
    span_l, span_r = max(1, ls.end - ls.start), rs.end - rs.start
    return lambda x: rs.start + (x - ls.start) * span_r // span_l


MAX_ANCHORS = 4000
"""Anchors a view aligns at most (the heaviest), so a pathological pair stays quick."""


def anchors(items: Sequence[tuple[Passage, Stretch, Stretch]], lstarts: list[int], rstarts: list[int],
            left_text: str, right_text: str) -> list[tuple[int, int, int]]:
    """``(left paragraph, right paragraph, weight)`` for each left paragraph a passage covers, and its twin."""
    out: dict[tuple[int, int], int] = {}
    for p, ls, rs in items:
        if ls.end <= ls.start or rs.end <= rs.start:
            continue
        exact = left_text[ls.start:ls.end] == ls.text and right_text[rs.start:rs.end] == rs.text
        to_right = _mapper(ls, rs, exact)
        i = bisect.bisect_right(lstarts, ls.start) - 1
        while i < len(lstarts) and lstarts[i] < ls.end:
            start = max(ls.start, lstarts[i])
            end = min(ls.end, lstarts[i + 1] if i + 1 < len(lstarts) else len(left_text))
            j = bisect.bisect_right(rstarts, min(to_right(start), rs.end - 1)) - 1
            out[(i, max(j, 0))] = out.get((i, max(j, 0)), 0) + max(1, end - start)
            i += 1
    ranked = sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ANCHORS]
    return sorted((i, j, w) for (i, j), w in ranked)


def heaviest_chain(points: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """The heaviest run of anchors that goes down both texts together (neither side goes back).

    ``points`` are ``(i, j, weight)`` sorted by ``(i, j)``, as ``anchors``
    gives them. Each point's best chain ends on the best one before it with
    ``j`` no greater, found in a Fenwick tree of prefix maxima over ``j``
    (ties: the earliest point), so a view of many anchors stays quick.

    >>> heaviest_chain([(0, 2, 5), (1, 0, 9), (2, 1, 3), (3, 3, 1)])
    [(1, 0), (2, 1), (3, 3)]
    """
    if not points:
        return []
    rank = {j: r for r, j in enumerate(sorted({j for _, j, _ in points}), 1)}
    tree = [(0, 0)] * (len(rank) + 1)  # (best chain weight, -index of its last point); weight 0: none
    back: list[int] = []
    ends: list[tuple[int, int]] = []
    for k, (_, j, w) in enumerate(points):
        r, before = rank[j], (0, 0)
        while r:
            before = max(before, tree[r])
            r -= r & -r
        score, prev = (before[0] + w, -before[1]) if before[0] else (w, -1)
        back.append(prev)
        ends.append((score, -k))
        r = rank[j]
        while r < len(tree):
            tree[r] = max(tree[r], (score, -k))
            r += r & -r
    k = -max(ends)[1]
    chain = []
    while k >= 0:
        chain.append(points[k][:2])
        k = back[k]
    return chain[::-1]


def facing_rows(left: Document, right: Document, items: Sequence[tuple[Passage, Stretch, Stretch]]) -> list[list[int]]:
    """Cuts ``[left offset, right offset]`` that split both texts into rows read side by side.

    Paragraphs joined by a passage share a row; the paragraphs between two
    such rows share the row between them. The first cut is ``[0, 0]`` and the
    last the two lengths, so the rows cover both texts, in order.
    """
    lstarts, rstarts = paragraph_starts(left), paragraph_starts(right)
    chain = heaviest_chain(anchors(items, lstarts, rstarts, left.text, right.text))
    groups: list[list[int]] = []  # [l0, l1, r0, r1] paragraph ranges facing each other
    for i, j in chain:
        if groups and (i <= groups[-1][1] or j <= groups[-1][3]):
            groups[-1][1], groups[-1][3] = max(groups[-1][1], i), max(groups[-1][3], j)
        else:
            groups.append([i, i, j, j])

    def lcut(i: int) -> int:
        return lstarts[i] if i < len(lstarts) else len(left.text)

    def rcut(j: int) -> int:
        return rstarts[j] if j < len(rstarts) else len(right.text)

    cuts = [[0, 0]]
    for l0, l1, r0, r1 in groups:
        cuts += [[lcut(l0), rcut(r0)], [lcut(l1 + 1), rcut(r1 + 1)]]
    cuts.append([len(left.text), len(right.text)])
    out: list[list[int]] = []
    for cut in cuts:
        if not out or cut != out[-1]:
            out.append(cut)
    return out if len(out) > 1 else [[0, 0], [len(left.text), len(right.text)]]


# -- the view ---------------------------------------------------------------------------------


def pair_view(c: Corpus, left: str, right: str, *, position: tuple[int, int] | None = None,
              prev: tuple[str, str] | None = None, next_: tuple[str, str] | None = None) -> dict[str, Any]:
    """Everything the browser needs to draw ``left`` and ``right`` side by side, as JSON-ready data.

    ``direction`` is how the right document stands to the left one
    ('citing': written after it), so the view can say which came first.
    """
    ldoc, rdoc = c.docs[left], c.docs[right]
    items = [(p, *sides(p, left)) for p in c.numbered(left, right)]
    key = (left, right) if left < right else (right, left)
    pair = c.pair_of.get(key)
    shared = (0, 0)
    if pair is not None:
        shared = (pair.a_shared_chars, pair.b_shared_chars) if pair.a == left else (pair.b_shared_chars,
                                                                                    pair.a_shared_chars)
    lchanges, rchanges = changes(items, ldoc.text, rdoc.text)
    passages = [{"n": n, "l": [ls.start, ls.end], "r": [rs.start, rs.end], "grade": passage_grade(p),
                 "score": p.score, "title": passage_words(n, p, c.template_kind)}
                for n, (p, ls, rs) in enumerate(items, 1)]
    return {
        "left": stem(left),
        "right": stem(right),
        "similarity": pair.similarity if pair else 0.0,
        "shared": list(shared),
        "direction": c.direction(left, right),
        "position": list(position) if position else None,
        "prev": [stem(x) for x in prev] if prev else None,
        "next": [stem(x) for x in next_] if next_ else None,
        "passages": passages,
        "changes": [lchanges, rchanges],
        "rows": facing_rows(ldoc, rdoc, items),
    }


def doc_data(c: Corpus, doc_id: str, views: dict[str, dict[str, Any]], *, link: bool = True) -> dict[str, Any]:
    """A document as the pair view reads it: its text, what it is, and the views it is the left side of."""
    doc = c.docs[doc_id]
    s = c.stats.get(doc_id)
    return {
        "stem": stem(doc_id),
        "id": doc.id,
        "path": doc.path,
        "date": doc.date,
        "chars": doc.chars,
        "url": doc_url(doc_id) if link else None,
        "copy_ratio": s.copy_ratio if s else 0.0,
        "reuse_ratio": s.reuse_ratio if s else 0.0,
        "text": doc.text,
        "pairs": views,
    }


def report_views(c: Corpus, lefts: set[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Per left document (by id; only ``lefts`` if given), the views of the report's pairs.

    Each view links to the previous and next pair of the report's order
    (closest first), as the pair list does.
    """
    order = [c.oriented(p.a, p.b) for p in c.paged]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for i, (left, right) in enumerate(order):
        if lefts is not None and left not in lefts:
            continue
        view = pair_view(c, left, right, position=(i + 1, len(order)),
                         prev=order[i - 1] if i else None, next_=order[i + 1] if i + 1 < len(order) else None)
        out.setdefault(left, {})[stem(right)] = view
    return out


def documents_of(c: Corpus) -> list[str]:
    """The documents whose data a report folder needs: those of a pair it shows, in id order."""
    return sorted({d for p in c.paged for d in (p.a, p.b)})
