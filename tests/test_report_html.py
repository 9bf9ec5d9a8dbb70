"""The HTML report without a browser: page data (reuse.report.pages, pairview, overview), files written, escaping, CLI.

What report.js draws from the data is tested in a browser (tests/test_browser.py).
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from report_mini import TEXTS, VERBATIM, YEAR_A, mini_result
from reuse.cli import app
from reuse.model import Cluster, Document, DocumentStats, Pair, Passage, Result
from reuse.report import csvreport, htmlreport, overview, pages, pairview, words, write_report
from reuse.report.pages import Corpus, Mark, Options, segments

runner = CliRunner()


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc_id",
    [
        pytest.param("../../x", id="parent-dirs"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param("<b>.txt", id="markup"),
        pytest.param('a"b\'c&d.txt', id="quotes"),
        pytest.param("讲话/二〇二〇年.txt", id="chinese"),
        pytest.param("", id="empty"),
        pytest.param("x" * 500, id="long"),
        pytest.param("a\\..\\..\\b", id="backslashes"),
        pytest.param("CON", id="windows-device"),
    ],
)
def test_page_names_are_safe_file_names(doc_id):
    assert re.fullmatch(r"d_[A-Za-z0-9_-]+_[0-9a-f]{8}\.html", pages.doc_url(doc_id))
    assert re.fullmatch(r"data/d_[A-Za-z0-9_-]+_[0-9a-f]{8}\.js", pages.data_file(doc_id))
    assert len(pages.doc_url(doc_id)) < 120
    link = pages.pair_url(doc_id, "other.txt", 3)
    assert re.fullmatch(r"pair\.html\?a=d_[A-Za-z0-9_-]+_[0-9a-f]{8}&b=d_other-txt_[0-9a-f]{8}#p3", link), link


def test_page_names_differ_for_ids_that_slug_alike():
    ids = ["a b.txt", "a-b.txt", "a_b.txt", "A b.txt", "a/b.txt", "a\\b.txt"]
    names = {pages.doc_url(i) for i in ids}
    assert len(names) == len(ids)
    assert len({n.lower() for n in names}) == len(ids)  # case-insensitive file systems too


# -- segments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marks, expected",
    [
        pytest.param([], [("abcdef", ())], id="plain"),
        pytest.param([Mark(0, 6, 1)], [("abcdef", (1,))], id="whole"),
        pytest.param([Mark(1, 3, 1), Mark(3, 5, 2)], [("a", ()), ("bc", (1,)), ("de", (2,)), ("f", ())], id="touching"),
        pytest.param([Mark(1, 4, 1), Mark(2, 5, 2)],
                     [("a", ()), ("b", (1,)), ("cd", (1, 2)), ("e", (2,)), ("f", ())], id="overlapping"),
        pytest.param([Mark(1, 5, 1), Mark(2, 3, 2)],
                     [("a", ()), ("b", (1,)), ("c", (1, 2)), ("de", (1,)), ("f", ())], id="nested"),
        pytest.param([Mark(2, 4, 1), Mark(2, 4, 2)], [("ab", ()), ("cd", (1, 2)), ("ef", ())], id="identical"),
        pytest.param([Mark(4, 9, 1), Mark(3, 3, 2)], [("abcdef", ())], id="out-of-range-ignored"),
    ],
)
def test_segments_split_at_every_boundary(marks, expected):
    assert [(s.text, s.passages) for s in segments("abcdef", marks)] == expected


def test_segments_carry_differences_and_gaps():
    segs = segments("2020年工作", [Mark(0, 7, 1)], [(3, 4, "replace"), (5, 5, "gap")])
    assert [(s.text, s.passages, s.diff) for s in segs] == [
        ("202", (1,), None), ("0", (1,), "replace"), ("年", (1,), None), ("", (1,), "gap"), ("工作", (1,), None)]


marks_strategy = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)).map(sorted), max_size=8)


@given(st.text(max_size=30), marks_strategy, marks_strategy)
def test_segments_rebuild_the_text_and_cover_exactly_the_marks(text, spans, diffs):
    marks = [Mark(s, e, n) for n, (s, e) in enumerate(spans, 1) if e <= len(text)]
    segs = segments(text, marks, [(s, e, "replace") for s, e in diffs])
    assert "".join(s.text for s in segs) == text
    at = 0
    for s in segs:
        for i in range(at, at + len(s.text)):
            assert set(s.passages) == {m.pid for m in marks if m.start <= i < m.end}
        at += len(s.text)


@pytest.mark.parametrize(
    "a, b, a_marks, b_marks",
    [
        pytest.param("2020年", "2023年", [(3, 4, "replace")], [(3, 4, "replace")], id="changed-year"),
        pytest.param("全县党建", "全县党的建设", [(3, 3, "gap"), (4, 4, "gap")], [(3, 4, "delete"), (5, 6, "delete")],
                     id="inserted"),
        pytest.param("一二\n三", "一二三", [], [], id="whitespace-only"),
        pytest.param("相同", "相同", [], [], id="equal"),
    ],
)
def test_differences(a, b, a_marks, b_marks):
    assert pages.differences(a, b) == (a_marks, b_marks)


# -- the side-by-side view from the mini result -------------------------------------------------


@pytest.fixture
def corpus():
    return Corpus(mini_result())


def dated(result: Result, dates: dict[str, str]) -> Result:
    """The result with dates on some documents."""
    return replace(result, documents=tuple(replace(d, date=dates.get(d.id)) for d in result.documents))


def covered(side_text: str, spans) -> str:
    return "".join(side_text[s:e] for s, e in spans)


def test_pair_view_marks_the_changed_year_on_both_sides(corpus):
    view = pairview.pair_view(corpus, "甲.txt", "乙.txt")
    assert (view["left"], view["right"]) == (pages.stem("甲.txt"), pages.stem("乙.txt"))
    left, right = view["changes"]
    assert [(TEXTS["甲.txt"][s:e], kind) for s, e, kind, _ in left] == [("0", "replace")]
    assert [(TEXTS["乙.txt"][s:e], kind) for s, e, kind, _ in right] == [("3", "replace")]
    assert [k for *_, k in left] == [k for *_, k in right] == [1]  # one edit, numbered alike on both sides


def test_pair_view_sides_follow_the_order_asked(corpus):
    ab, ba = pairview.pair_view(corpus, "甲.txt", "乙.txt"), pairview.pair_view(corpus, "乙.txt", "甲.txt")
    assert sorted(tuple(p["l"]) for p in ab["passages"]) == sorted(tuple(p["r"]) for p in ba["passages"])
    left = TEXTS["甲.txt"]
    assert [left[s:e] for s, e in (p["l"] for p in ab["passages"])][1:] == [VERBATIM, YEAR_A]


def test_pair_view_numbers_passages_in_reading_order_with_grades_in_words(corpus):
    view = pairview.pair_view(corpus, "甲.txt", "乙.txt")
    assert [p["n"] for p in view["passages"]] == [1, 2, 3]
    assert [p["l"][0] for p in view["passages"]] == sorted(p["l"][0] for p in view["passages"])
    assert [p["grade"] for p in view["passages"]] == ["template", "red", "red"]
    assert [p["title"] for p in view["passages"]] == [
        "片段 1：套话（开场套话）", "片段 2：几乎原文，相似度 100%", "片段 3：几乎原文，相似度 97%"]


def test_template_passages_have_no_character_diff(corpus):
    view = pairview.pair_view(corpus, "甲.txt", "乙.txt")
    start, end = view["passages"][0]["l"]
    assert not [c for c in view["changes"][0] if start <= c[0] < end]


def test_rows_cover_both_texts_and_put_the_copied_paragraphs_face_to_face(corpus):
    view = pairview.pair_view(corpus, "乙.txt", "甲.txt")
    rows = view["rows"]
    assert rows[0] == [0, 0] and rows[-1] == [len(TEXTS["乙.txt"]), len(TEXTS["甲.txt"])]
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(rows, rows[1:]))
    cells = [(TEXTS["乙.txt"][a[0]:b[0]], TEXTS["甲.txt"][a[1]:b[1]]) for a, b in zip(rows, rows[1:])]
    assert "".join(left for left, _ in cells) == TEXTS["乙.txt"]
    assert "".join(right for _, right in cells) == TEXTS["甲.txt"]
    facing = [(left, right) for left, right in cells if VERBATIM in left]
    assert len(facing) == 1 and VERBATIM in facing[0][1]
    alone = next(left for left, _ in cells if "会议开始前" in left)
    assert "过去一年" not in alone  # the paragraph only one side has sits in a row of its own


def test_heaviest_chain_keeps_the_order_of_both_texts():
    # paragraphs 0→2 and 1→0 cross: the heavier one stays, the lighter is left unaligned
    assert pairview.heaviest_chain([(0, 2, 5), (1, 0, 9), (2, 1, 3)]) == [(1, 0), (2, 1)]
    assert pairview.heaviest_chain([]) == []


def _heaviest_chain_by_every_pair(points):
    """The plain quadratic search ``heaviest_chain`` must agree with: each point after the best one before it."""
    best, back = [], []
    for k, (i, j, w) in enumerate(points):
        score, prev = w, -1
        for m in range(k):
            if points[m][0] <= i and points[m][1] <= j and best[m] + w > score:
                score, prev = best[m] + w, m
        best.append(score)
        back.append(prev)
    if not points:
        return []
    k, chain = max(range(len(points)), key=lambda x: (best[x], -x)), []
    while k >= 0:
        chain.append(points[k][:2])
        k = back[k]
    return chain[::-1]


@given(st.dictionaries(st.tuples(st.integers(0, 12), st.integers(0, 12)), st.integers(1, 6), max_size=40))
def test_heaviest_chain_is_the_heaviest_of_all_and_breaks_ties_alike(weights):
    points = sorted((i, j, w) for (i, j), w in weights.items())
    assert pairview.heaviest_chain(points) == _heaviest_chain_by_every_pair(points)


def test_the_earlier_document_is_the_suspected_source():
    c = Corpus(dated(mini_result(), {"甲.txt": "2019-01-01", "乙.txt": "2020-06-01"}))
    assert c.oriented("乙.txt", "甲.txt") == ("甲.txt", "乙.txt")  # 甲 is earlier: it goes left
    assert c.direction("乙.txt", "甲.txt") == "source" and c.direction("甲.txt", "乙.txt") == "citing"
    assert c.direction("丙 <b>.txt", "甲.txt") == "similar"  # 丙 carries no date
    assert c.pair_link("乙.txt", "甲.txt") == pages.pair_url("甲.txt", "乙.txt")
    view = pairview.pair_view(c, "甲.txt", "乙.txt")
    assert view["direction"] == "citing"
    page = pages.doc_page(c, "乙.txt")
    assert [(s.id, s.direction) for s in page.sources] == [("甲.txt", "source"), ("丙 <b>.txt", "similar")]
    undated = Corpus(mini_result())
    assert undated.oriented("甲.txt", "乙.txt") == ("乙.txt", "甲.txt")  # the smaller id (乙 < 甲 by code point)


def test_every_pair_gets_a_view_linked_to_its_neighbours():
    c = Corpus(mini_result())
    views = pairview.report_views(c)
    got = {(left, right): v for left, per in views.items() for right, v in per.items()}
    assert len(got) == len(c.result.pairs)
    ordered = sorted(got.values(), key=lambda v: v["position"][0])
    assert [v["position"] for v in ordered] == [[i, len(ordered)] for i in range(1, len(ordered) + 1)]
    assert ordered[0]["prev"] is None and ordered[-1]["next"] is None
    assert ordered[0]["next"] == [ordered[1]["left"], ordered[1]["right"]]
    assert pairview.documents_of(c) == sorted(c.docs)


def test_top_and_min_similarity_leave_pairs_out_of_the_html():
    c = Corpus(mini_result(), Options(top=1))
    assert len(c.paged) == 1 and c.pair_link("甲.txt", "丙 <b>.txt") is None
    assert pairview.documents_of(c) == ["乙.txt", "甲.txt"]
    c = Corpus(mini_result(), Options(min_similarity=0.3))
    assert [p.similarity >= 0.3 for p in c.paged] == [True, True]


# -- document pages ---------------------------------------------------------------------------


def test_doc_page_numbers_sources_and_grades_passages(corpus):
    page = pages.doc_page(corpus, "甲.txt")
    assert [(s.k, s.id) for s in page.sources] == [(1, "乙.txt"), (2, "丙 <b>.txt")]
    verbatim = next(s for s in page.segments if s.text.startswith("过去一年"))
    assert verbatim.grade == "red" and verbatim.ref == "[1]"
    assert verbatim.href == pages.pair_url("乙.txt", "甲.txt", 2)
    opening = page.segments[0]
    assert len(opening.passages) == 2 and opening.grade == "template"  # shared with both, as formula
    assert page.sources[0].share == pytest.approx(149 / corpus.docs["甲.txt"].chars, abs=1e-4)
    assert [p.grade for p in page.bar] == ["template", "red", "red"]


def test_long_source_lists_are_capped():
    c = Corpus(mini_result(), Options(shown_sources=1))
    page = pages.doc_page(c, "甲.txt")
    assert [s.k for s in page.sources] == [1] and [s.k for s in page.more_sources] == [2]


def crossed() -> Result:
    """Two documents sharing two passages in opposite orders."""
    one, two = "第一段共享的文字内容在这里。", "第二段也是共享的另一些文字。"
    x, y = f"{one}中间{two}", f"{two}之间{one}"
    docs = tuple(Document(i, i, t, "utf-8", len(t)) for i, t in (("x.txt", x), ("y.txt", y)))
    ps = tuple(sorted((Passage("x.txt", x.index(t), x.index(t) + len(t), "y.txt", y.index(t), y.index(t) + len(t),
                               1.0, t, t) for t in (one, two)), key=lambda p: p.a_start))
    return Result({}, docs, (), (), (Pair("x.txt", "y.txt", 0.9, 28, 28, 2),), ps)


@pytest.mark.parametrize("doc_id", [*sorted(TEXTS), "x.txt", "y.txt"])
@pytest.mark.parametrize("dates", [{}, {"甲.txt": "2021-01-01", "乙.txt": "2020-01-01", "y.txt": "2001-01-01",
                                        "x.txt": "2002-02-02"}], ids=["undated", "dated"])
def test_doc_page_links_land_on_the_same_passage_of_the_view(doc_id, dates):
    corpus = Corpus(dated(crossed() if doc_id in ("x.txt", "y.txt") else mini_result(), dates))
    page = pages.doc_page(corpus, doc_id)
    starts = {}
    at = 0
    for seg in page.segments:
        if seg.ref is not None and seg.href:
            starts[seg.href] = at
        at += len(seg.text)
    assert starts
    for href, start in starts.items():
        query, k = href.split("#p")
        a, b = re.fullmatch(r"pair\.html\?a=(\S+)&b=(\S+)", query).groups()
        ids = {pages.stem(i): i for i in corpus.docs}
        view = pairview.pair_view(corpus, ids[a], ids[b])
        passage = view["passages"][int(k) - 1]
        mine = passage["l"] if ids[a] == doc_id else passage["r"]
        assert mine[0] == start, (doc_id, href)


def test_phrases_show_only_outside_copied_text():
    from reuse.spans import uncovered

    assert uncovered([(0, 10), (8, 14), (20, 22)], [(3, 5), (12, 30)]) == [(0, 3), (5, 12)]


def test_bar_counts_each_character_once_by_the_order_of_kinds():
    parts = pages.bar(200, [(0, 100, "phrase"), (50, 150, "orange"), (120, 130, "template")])
    assert [(p.x, p.width, p.grade) for p in parts] == [
        (0.0, 250.0, "phrase"), (250.0, 350.0, "orange"), (600.0, 50.0, "template"), (650.0, 100.0, "orange")]
    assert parts[1].title == "复制（稍有改动）：第 51–120 字"


# -- templates, clusters, overview ----------------------------------------------------------------


def test_templates_page_aligns_variants_and_names_each_document_once(corpus):
    (block,) = pages.templates_page(corpus).blocks
    assert (block.kind, block.kind_words, block.doc_count, block.members) == ("opening", "开场套话", 3, 3)
    same, other = block.variants
    assert same.same and [h.doc for h in same.holders] == ["丙 <b>.txt", "甲.txt"]
    marked = "".join(s.text for s in other.segments if s.diff)
    assert "市宣传" in marked and "2019" in marked and "年" not in marked
    twice = pages.holders(corpus, ["a", "b", "a", "a"])
    assert [(h.doc, h.times) for h in twice] == [("a", 3), ("b", 1)]


def clustered() -> Result:
    """Three dated documents holding one copied sentence: a cluster, earliest first."""
    text = "这是一段被三篇文档先后复制的较长文字，内容完全相同。"
    docs = tuple(Document(f"{n}.txt", f"c/{n}.txt", f"开头{n}。{text}结尾。", "utf-8", 30, date=d)
                 for n, d in (("a", "2020-03-01"), ("b", "2020-01-01"), ("c", None)))
    at = {d.id: d.text.index(text) for d in docs}
    members = tuple((d, at[d], at[d] + len(text)) for d in ("b.txt", "a.txt", "c.txt"))
    ps = tuple(Passage(x, at[x], at[x] + len(text), y, at[y], at[y] + len(text), 1.0, text, text, cluster="c1")
               for x, y in (("a.txt", "b.txt"), ("b.txt", "c.txt")))
    pairs = tuple(Pair(p.a, p.b, 0.8, 25, 25, 1) for p in ps)
    return Result({}, docs, (), (), pairs, ps, clusters=(Cluster("c1", 3, members, "b.txt"),))


def test_clusters_list_their_witnesses_earliest_first():
    c = Corpus(clustered())
    (block,) = pages.clusters_page(c).blocks
    assert [(w.k, w.doc, w.date) for w in block.witnesses] == [
        (1, "b.txt", "2020-01-01"), (2, "a.txt", "2020-03-01"), (3, "c.txt", None)]
    assert block.witnesses[0].view is None
    assert block.witnesses[1].view == pages.pair_url("b.txt", "a.txt", 1)
    assert block.text.startswith("这是一段") and block.dated
    (row,) = pages.doc_page(c, "a.txt").clusters
    assert (row.id, row.place, row.earliest) == ("c1", 2, "b.txt")


def test_overview_ranks_documents_by_copy_ratio():
    c = Corpus(mini_result())
    page = overview.index_page(c)
    ratios = [r.copy_ratio for r in page.doc_rows]
    assert ratios == sorted(ratios, reverse=True)
    assert [r.id for r in page.doc_rows] == overview.ranked_documents(c)
    data = overview.index_data(c)
    assert [d[0] for d in data["docs"]] == [d.id for d in c.result.documents]
    for row in data["pairs"]:
        left, right = data["docs"][row[0]][0], data["docs"][row[1]][0]
        assert (left, right) == c.oriented(left, right)
    top = {d[0]: d for d in data["docs"]}["甲.txt"]
    assert data["docs"][top[9]][0] == "乙.txt" and top[12] == 0  # the closest pair, first in the list


def test_histogram_counts_every_document_once():
    c = Corpus(mini_result())
    bins = overview.histogram(c)
    assert sum(b.count for b in bins) == len(c.docs)
    assert [b.label for b in bins] == ["0%", "低于 5%", "5%–10%", "10%–25%", "25%–50%", "50%–75%", "75% 以上"]
    assert {b.level: b.count for b in bins}[5] == 2  # 甲 and 乙: 63% copied


def test_heatmap_uses_the_fixed_scale_and_the_most_copied_documents():
    n = 60
    docs = tuple(Document(f"{i:03}.txt", f"{i:03}.txt", "文" * 20, "utf-8", 20) for i in range(n))
    pairs = tuple(Pair(f"{i:03}.txt", f"{i + 1:03}.txt", round(1 - i / n, 4), 10, 10, 1) for i in range(n - 1))
    stats = tuple(DocumentStats(d.id, 0.5, None, copy_ratio=round(1 - i / n, 4)) for i, d in enumerate(docs))
    hm = overview.heatmap(Corpus(Result({}, docs, stats, (), pairs, ()), Options(heatmap_docs=10)))
    assert (hm.shown, hm.total) == (10, 60)
    assert [label[1] for label in hm.labels] == [f"{i:03}.txt" for i in range(10)]
    assert {c.level for c in hm.cells} == {6}  # 85 % and more: the top step, whatever the closest pair
    assert [w for _, w in hm.legend] == ["低于 5%", "5%–10%", "10%–25%", "25%–50%", "50%–75%", "75% 以上"]
    assert all("（" in label[3] for label in hm.labels)  # the full name, date and ratio on hover


@pytest.mark.parametrize("ratio, level", [(0.0, 0), (0.049, 1), (0.05, 2), (0.1, 3), (0.25, 4), (0.5, 5), (0.75, 6)])
def test_levels_follow_the_fixed_scale(ratio, level):
    assert pages.level(ratio) == level


def test_every_setting_reads_in_words():
    from reuse.config import Settings

    values = Settings().params()
    got = dict(words.params(values))
    assert set(words.PARAMS) >= set(values), "a new setting needs its words in reuse/report/words.py"
    assert got["数字不同视为相同（2020年≈2023年）"] == "是" and got["文本编码"] == "自动识别"
    assert not any(v in ("True", "False", "None") for v in got.values())


# -- files ------------------------------------------------------------------------------------


def report_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_report_folder_holds_pages_data_and_cache_busted_assets(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    names = report_files(out)
    assert {"index.html", "templates.html", "clusters.html", "pair.html", "report.json", "data/index.js"} <= names
    assert pages.doc_url("丙 <b>.txt") in names and pages.data_file("丙 <b>.txt") in names
    assert not [n for n in names if n.startswith("p_")]  # no page per pair: pair.html draws any of them
    css = [n for n in names if re.fullmatch(r"report_cb_[0-9a-f]{8}\.css", n)]
    js = [n for n in names if re.fullmatch(r"report_cb_[0-9a-f]{8}\.js", n)]
    assert len(css) == len(js) == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{css[0]}"' in index and f'src="{js[0]}"' in index and 'src="data/index.js"' in index


def test_data_files_only_for_documents_with_copying(tmp_path):
    r = mini_result()
    lone = Document("lone.txt", "mini/lone.txt", "独一无二。", "utf-8", 5)
    out = write_report(replace(r, documents=(*r.documents, lone), stats=(*r.stats, DocumentStats("lone.txt", 0.0, None))),
                       tmp_path / "r")
    data = sorted(n for n in report_files(out) if n.startswith("data/d_"))
    assert data == sorted(pages.data_file(d) for d in TEXTS)
    assert (out / pages.doc_url("lone.txt")).is_file()


def read_data(path: Path, call: str):
    text = path.read_text(encoding="utf-8")
    assert text.startswith(call + "(") and text.endswith(");\n")
    return json.loads(text[len(call) + 1:-3])


def test_data_files_carry_the_exact_texts_and_every_view(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    views = 0
    for doc_id, text in TEXTS.items():
        data = read_data(out / pages.data_file(doc_id), "reuseDoc")
        assert data["text"] == text and data["stem"] == pages.stem(doc_id) and data["url"] == pages.doc_url(doc_id)
        views += len(data["pairs"])
        for right, view in data["pairs"].items():
            assert view["left"] == data["stem"] and view["right"] == right
    assert views == len(mini_result().pairs)
    index = read_data(out / "data/index.js", "reuseIndex")
    assert len(index["docs"]) == 3 and len(index["pairs"]) == 3


def test_report_is_byte_identical_run_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one, two = write_report(mini_result(), tmp_path / "one"), write_report(mini_result(), tmp_path / "two")
    names = report_files(one)
    assert names == report_files(two)
    for n in sorted(names):
        assert (one / n).read_bytes() == (two / n).read_bytes(), n
    assert "检测时间：2023-11-14 22:13 UTC" in (one / "index.html").read_text(encoding="utf-8")


def test_every_page_is_utf8_chinese_with_a_csp_and_no_network(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh\">"), page.name
        assert '<meta charset="utf-8">' in html
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert csp and htmllib.unescape(csp.group(1)) == htmlreport.CSP
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), page.name
        for target in re.findall(r'(?:src|href)="([^"#?]+)', html):
            assert (out / target).is_file(), f"{page.name} links to missing {target}"


ENGLISH = re.compile(r">[^<]*\b(?:formula|structure|watermark|boilerplate|placeholder|opening|True|False|None)\b")


def test_pages_speak_chinese_with_parameters_in_words(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not ENGLISH.search(html), (page.name, ENGLISH.search(html).group(0))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<dt>最短片段</dt><dd>12 字</dd>" in index and "min_length" not in index


def test_document_text_and_ids_are_escaped(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<b>.txt" not in html, page.name
    doc = (out / pages.doc_url("丙 <b>.txt")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc and "丙 &lt;b&gt;.txt" in doc


def test_segments_join_to_the_exact_document_text(tmp_path):
    """No whitespace from the templates leaks into a pre-wrapped text."""
    out = write_report(mini_result(), tmp_path / "r")
    for doc_id, text in TEXTS.items():
        html = (out / pages.doc_url(doc_id)).read_text(encoding="utf-8")
        (body,) = re.findall(r'<div class="text">(.*?)</div>\n', html, flags=re.S)
        assert htmllib.unescape(re.sub(r"<[^>]+>", "", body)) == text


def test_a_real_scan_of_the_mini_texts_highlights_the_shared_paragraph(tmp_path):
    """The pipeline end to end, asserting structure only: tuning may move passage edges a little."""
    from reuse.pipeline import run

    for name, text in TEXTS.items():
        make_doc(tmp_path / "mini", name, text)
    result = run([str(tmp_path / "mini")])
    c = Corpus(result)
    view = pairview.pair_view(c, *c.oriented("甲.txt", "乙.txt"))
    assert view["passages"]
    for side, doc_id in (("l", c.oriented("甲.txt", "乙.txt")[0]), ("r", c.oriented("甲.txt", "乙.txt")[1])):
        got = set()
        for p in view["passages"]:
            got.update(range(*p[side]))
        start = TEXTS[doc_id].index(VERBATIM)
        assert set(range(start, start + len(VERBATIM))) <= got, doc_id


def test_scan_writes_the_html_report(tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for p in data["pairs"]:
        assert (out / pages.data_file(p["a"])).is_file() and (out / pages.data_file(p["b"])).is_file()
    for d in data["documents"]:
        assert (out / pages.doc_url(d["id"])).is_file()
    assert {"index.html", "templates.html", "clusters.html", "pair.html"} <= {p.name for p in out.iterdir()}


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> Path:
    """A speech and four documents copying one, two, three and four of its paragraphs: pairs of every similarity."""
    corpus = tmp_path_factory.mktemp("copies")
    paragraphs = [ln for ln in seed_text("001").split("\n") if len(ln) > 60]
    for n in range(4):
        make_doc(corpus, f"copy{n}.txt", "题目\n" + "\n".join(paragraphs[: n + 1]) + f"\n结尾第{n}篇。\n")
    make_doc(corpus, "source.txt", seed_text("001"))
    return corpus


@pytest.mark.parametrize("args", [["--top", "2"], ["--min-similarity", "0.3"], ["--top", "0"], []])
def test_top_and_min_similarity_cut_the_pair_list_in_every_file(tmp_path, copies, args):
    out, whole = tmp_path / "r", tmp_path / "all"
    for folder, more in ((out, args), (whole, [])):
        result = runner.invoke(app, ["scan", str(copies), "-o", str(folder), "-q", *more])
        assert result.exit_code == 0, result.output
    every = json.loads((whole / "report.json").read_text(encoding="utf-8"))
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(every["pairs"]) >= 4
    expected = every["pairs"]
    if "--top" in args:
        expected = expected[: int(args[1])]
    if "--min-similarity" in args:
        expected = [p for p in expected if p["similarity"] >= float(args[1])]
        assert 0 < len(expected) < len(every["pairs"])
    assert data["pairs"] == expected
    assert {k: v for k, v in data.items() if k != "pairs"} == {k: v for k, v in every.items() if k != "pairs"}
    with open(out / "pairs.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["a"], r["b"]) for r in rows] == [(p["a"], p["b"]) for p in expected]
    index = json.loads((out / "data/index.js").read_text(encoding="utf-8")[len("reuseIndex("):-3])
    assert len(index["pairs"]) == len(expected)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert (f"只列出 {len(expected)} 对（共 {len(every['pairs'])} 对）" in html) == (len(expected) < len(every["pairs"]))


@pytest.mark.parametrize("args", [["--top", "-1"], ["--min-similarity", "1.5"]])
def test_pair_list_options_out_of_range_are_usage_errors(tmp_path, args):
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r"), "-q", *args])
    assert result.exit_code == 2 and "must be" in result.output and not (tmp_path / "r").exists()


def test_pairs_csv_cannot_run_as_a_spreadsheet_formula(tmp_path):
    r = mini_result()
    out = write_report(r, tmp_path / "r")
    with open(out / "pairs.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(x["a"], x["b"], float(x["similarity"])) for x in rows] == [(p.a, p.b, p.similarity) for p in r.pairs]
    buf = io.StringIO()
    csvreport.write_pairs(replace(r, pairs=(replace(r.pairs[0], a="=HYPERLINK(1)"),)), buf)
    assert "'=HYPERLINK(1)" in buf.getvalue()


def test_surrogates_in_text_do_not_stop_the_report(tmp_path):
    r = mini_result()
    bad = replace(r.documents[0], text=r.documents[0].text + "\udcff")
    out = write_report(replace(r, documents=(bad, *r.documents[1:])), tmp_path / "r")
    assert read_data(out / pages.data_file(bad.id), "reuseDoc")["text"].endswith("\udcff")


def test_a_corpus_without_shared_text_still_gets_a_report(tmp_path):
    doc = Document("only.txt", "only.txt", "独一无二的一篇。", "utf-8", 8)
    out = write_report(Result({}, (doc,), (DocumentStats("only.txt", 0.0, None),), (), (), ()), tmp_path / "r")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "没有发现复制" in index and "没有有复制的文档" in index
    assert "没有发现模板或套话" in (out / "templates.html").read_text(encoding="utf-8")
    assert (out / pages.doc_url("only.txt")).is_file()


def test_inline_data_cannot_end_its_script_element():
    assert htmlreport.inline_json({"text": "</script><script>alert(1)</script>&"}) == (
        '{"text":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026"}')


# -- compare ----------------------------------------------------------------------------------


def inline_data(html: str) -> dict:
    (text,) = re.findall(r'<script type="application/json" id="reuse-data">(.*?)</script>', html, flags=re.S)
    return json.loads(text)


def test_compare_writes_one_standalone_page(tmp_path):
    a = make_doc(tmp_path, "甲.txt", seed_text("002"))
    b = make_doc(tmp_path, "乙.txt", seed_text("003"))
    target = tmp_path / "out" / "cmp.html"
    target.parent.mkdir()  # -o's folder must exist (only the default one is created)
    result = runner.invoke(app, ["compare", str(a), str(b), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Written to" in result.output and str(target) in result.output.replace("\n", "")
    html = target.read_text(encoding="utf-8")
    assert "<style>" in html and "script-src 'sha256-" in htmllib.unescape(html)
    assert not re.search(r'(?:src|href)="[^"#]', html)  # nothing to load: the one file works alone
    data = inline_data(html)
    assert [d["id"] for d in data["docs"]] == ["甲.txt", "乙.txt"]  # A on the left
    assert data["a"] == data["docs"][0]["stem"] and data["docs"][0]["pairs"][data["b"]]["passages"]
    assert data["docs"][0]["text"] == seed_text("002")
    assert "<title>甲.txt ↔ 乙.txt · 文本复用检测报告</title>" in html


def test_compare_keeps_the_order_given(tmp_path):
    a = make_doc(tmp_path, "b.txt", seed_text("002"))
    b = make_doc(tmp_path, "a.txt", seed_text("003"))
    target = tmp_path / "cmp.html"
    assert runner.invoke(app, ["compare", str(a), str(b), "-o", str(target), "-q"]).exit_code == 0
    data = inline_data(target.read_text(encoding="utf-8"))
    assert [d["id"] for d in data["docs"]] == ["b.txt", "a.txt"]
    assert data["docs"][0]["pairs"][data["b"]]["left"] == data["a"]


def test_compare_default_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = make_doc(tmp_path, "x/甲.txt", "完全不同的第一篇文字。")
    b = make_doc(tmp_path, "y/<b>.txt", "另一篇毫无关系的内容。")
    result = runner.invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    written = Path("reports/compare/甲__b.html")
    assert written.is_file()
    data = inline_data(written.read_text(encoding="utf-8"))
    assert data["docs"][0]["pairs"][data["b"]]["passages"] == []


@pytest.mark.parametrize("case", ["same-file", "folder"])
def test_compare_refuses_what_it_cannot_compare(tmp_path, case):
    a = make_doc(tmp_path, "a.txt", "第一篇")
    b = a if case == "same-file" else tmp_path
    result = runner.invoke(app, ["compare", str(a), str(b), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert ("named twice" in result.output or "given twice" in result.output or "same" in result.output) \
        if case == "same-file" else "is a folder" in result.output


def test_compare_help_has_an_example():
    result = runner.invoke(app, ["compare", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
