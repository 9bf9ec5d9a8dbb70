"""The HTML report without a browser: page data (reuse.report.pages), files written, escaping, CLI."""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from report_mini import TEXTS, YEAR_A, mini_result
from reuse.cli import app
from reuse.model import Document, DocumentStats, Pair, Passage, Result
from reuse.report import htmlreport, pages, write_report
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
    for name in (pages.doc_url(doc_id), pages.pair_url(doc_id, "other.txt")):
        assert re.fullmatch(r"[dp]_[A-Za-z0-9_-]+_[0-9a-f]{8}\.html", name), name
        assert len(name) < 120


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


# -- pages from the mini result ---------------------------------------------------------------


@pytest.fixture
def corpus():
    return Corpus(mini_result())


def test_pair_page_marks_the_changed_year_on_both_sides(corpus):
    page = pages.pair_page(corpus, "甲.txt", "乙.txt")
    assert (page.left.id, page.right.id) == ("甲.txt", "乙.txt")
    left = {s.text for s in page.left.segments if s.diff == "replace"}
    right = {s.text for s in page.right.segments if s.diff == "replace"}
    assert "0" in left and "3" in right
    for side in (page.left, page.right):
        assert "".join(s.text for s in side.segments) == TEXTS[side.id]


def test_pair_page_sides_follow_the_order_asked(corpus):
    ab, ba = pages.pair_page(corpus, "甲.txt", "乙.txt"), pages.pair_page(corpus, "乙.txt", "甲.txt")
    assert ab.url == ba.url
    assert [p.left for p in ab.passages] == [p.right for p in sorted(ba.passages, key=lambda p: p.right)]
    left = TEXTS["甲.txt"]
    assert [left[s:e] for s, e in (p.left for p in ab.passages)][1:] == [
        "过去一年，全县各级党组织坚持以新时代中国特色社会主义思想为指导，深入开展主题教育，"
        "牢固树立抓好党建是最大政绩的意识，各项工作取得了新突破，培育了新亮点。", YEAR_A]


def test_pair_page_passages_are_numbered_in_reading_order_with_colours_and_grades(corpus):
    page = pages.pair_page(corpus, "甲.txt", "乙.txt")
    assert [p.n for p in page.passages] == [1, 2, 3]
    assert [p.left[0] for p in page.passages] == sorted(p.left[0] for p in page.passages)
    assert len({p.colour for p in page.passages}) == 3
    assert [p.grade for p in page.passages] == ["template", "red", "red"]
    covered = [s for s in page.right.segments if s.passages]
    assert all(s.colour == page.passages[s.passages[0] - 1].colour for s in covered)


def test_template_passages_have_no_character_diff(corpus):
    page = pages.pair_page(corpus, "甲.txt", "乙.txt")
    tpl = [s for s in page.left.segments if s.passages == (1,)]
    assert tpl and all(s.diff is None and s.grade == "template" for s in tpl)


def test_pair_pages_link_in_order_and_stop_at_the_limit():
    c = Corpus(mini_result(), Options(max_pair_pages=2))
    got = list(pages.pair_pages(c))
    assert len(got) == 2 and got[0].prev_url is None and got[0].next_url == got[1].url
    assert got[1].next_url is None and got[1].position == (2, 2)
    assert c.pair_link("甲.txt", "丙 <b>.txt") is None


def test_doc_page_colours_passages_by_source(corpus):
    page = pages.doc_page(corpus, "甲.txt")
    assert [s.id for s in page.sources] == ["乙.txt", "丙 <b>.txt"]
    colour = {s.id: s.colour for s in page.sources}
    verbatim = next(s for s in page.segments if s.text.startswith("过去一年"))
    assert verbatim.colour == colour["乙.txt"] and verbatim.href.startswith(pages.pair_url("甲.txt", "乙.txt") + "#p")
    opening = page.segments[0]
    assert len(opening.passages) == 2 and opening.grade == "template"  # shared with both, as formula
    assert page.sources[0].share == pytest.approx(149 / corpus.docs["甲.txt"].chars, abs=1e-4)


def crossed() -> Result:
    """Two documents sharing two passages in opposite orders."""
    one, two = "第一段共享的文字内容在这里。", "第二段也是共享的另一些文字。"
    x, y = f"{one}中间{two}", f"{two}之间{one}"
    docs = tuple(Document(i, i, t, "utf-8", len(t)) for i, t in (("x.txt", x), ("y.txt", y)))
    ps = tuple(sorted((Passage("x.txt", x.index(t), x.index(t) + len(t), "y.txt", y.index(t), y.index(t) + len(t),
                               1.0, t, t) for t in (one, two)), key=lambda p: p.a_start))
    return Result({}, docs, (), (), (Pair("x.txt", "y.txt", 0.9, 28, 28, 2),), ps)


@pytest.mark.parametrize("doc_id", [*sorted(TEXTS), "x.txt", "y.txt"])
def test_doc_page_links_land_on_the_same_passage_of_the_pair_page(doc_id):
    corpus = Corpus(crossed() if doc_id in ("x.txt", "y.txt") else mini_result())
    page = pages.doc_page(corpus, doc_id)
    for n, passage in page.passages.items():
        url, k = passage.href.split("#p")
        a, b = sorted((doc_id, passage.source))
        pair = next(p for p in pages.pair_pages(corpus) if p.url == url)
        row = pair.passages[int(k) - 1]
        start, end = row.left if doc_id == a else row.right
        at, mine = 0, set()
        for seg in page.segments:
            if n in seg.passages:
                mine.update(range(at, at + len(seg.text)))
            at += len(seg.text)
        assert mine == set(range(start, end)), (doc_id, n)


def test_templates_page_aligns_variants_to_the_representative(corpus):
    (block,) = pages.templates_page(corpus).blocks
    assert (block.kind, block.doc_count, block.members) == ("opening", 3, 3)
    same, other = block.variants
    assert same.same and [m.doc for m in same.members] == ["丙 <b>.txt", "甲.txt"]
    marked = "".join(s.text for s in other.segments if s.diff)
    assert "市宣传" in marked and "2019" in marked and "年" not in marked


def test_overlapping_passages_of_one_pair_share_segments():
    r = mini_result()
    a, b = "乙.txt", "甲.txt"
    base = next(p for p in r.passages if (p.a, p.b) == (a, b) and p.score == 1.0)
    text_a, text_b = r.document(a).text, r.document(b).text
    # a second passage overlapping the first on side a, elsewhere on side b
    extra = replace(base, a_start=base.a_start + 10, a_end=base.a_end + 5, b_start=0, b_end=base.a_end - base.a_start - 5,
                    a_text=text_a[base.a_start + 10:base.a_end + 5], b_text=text_b[0:base.a_end - base.a_start - 5],
                    score=0.7)
    page = pages.pair_page(Corpus(replace(r, passages=(*r.passages, extra))), a, b)
    assert any(len(s.passages) == 2 for s in page.left.segments)
    assert "".join(s.text for s in page.left.segments) == text_a
    assert "".join(s.text for s in page.right.segments) == text_b
    assert {p.grade for p in page.passages} >= {"red", "yellow"}


def test_boilerplate_shared_with_many_documents_keeps_tooltips_short():
    text = "同志们：今天我们召开全县工作会议，主要任务是总结去年工作。"
    docs = tuple(Document(f"{i:03}.txt", f"{i:03}.txt", text, "utf-8", len(text)) for i in range(30))
    passages = tuple(Passage(a.id, 0, len(text), b.id, 0, len(text), 1.0, text, text, "t1")
                     for i, a in enumerate(docs) for b in docs[i + 1:])
    pairs = tuple(Pair(p.a, p.b, 1.0, len(text), len(text), 1) for p in passages)
    page = pages.doc_page(Corpus(Result({}, docs, (), (), pairs, passages)), "000.txt")
    (seg,) = page.segments
    assert len(seg.passages) == 29 and seg.title.endswith("…共 29 处") and seg.title.count("；") == pages.TITLES


def test_a_corpus_without_shared_text_still_gets_a_report(tmp_path):
    doc = Document("only.txt", "only.txt", "独一无二的一篇。", "utf-8", 8)
    out = write_report(Result({}, (doc,), (DocumentStats("only.txt", 0.0, None),), (), (), ()), tmp_path / "r")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "没有发现共享文字" in index and 'class="hd"' in index
    assert "没有发现模板或套话" in (out / "templates.html").read_text(encoding="utf-8")
    assert (out / pages.doc_url("only.txt")).is_file()


def test_heatmap_shows_the_closest_documents_of_a_large_corpus():
    n = 60
    docs = tuple(Document(f"{i:03}.txt", f"{i:03}.txt", "文" * 20, "utf-8", 20) for i in range(n))
    pairs = tuple(Pair(f"{i:03}.txt", f"{i + 1:03}.txt", round(1 - i / n, 4), 10, 10, 1) for i in range(n - 1))
    result = Result({}, docs, (), (), pairs, ())
    hm = pages.heatmap(Corpus(result, Options(heatmap_docs=10, max_pair_pages=5)))
    assert (hm.shown, hm.total) == (10, 60)
    assert [label[1] for label in hm.labels] == [f"{i:03}.txt" for i in range(10)]
    assert max(c.level for c in hm.cells) == pages.LEVELS
    assert sum(1 for c in hm.cells if c.url) == 2 * 5


# -- files ------------------------------------------------------------------------------------


def test_report_folder_holds_pages_and_cache_busted_assets(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "templates.html", "report.json"} <= names
    assert pages.pair_url("甲.txt", "乙.txt") in names and pages.doc_url("丙 <b>.txt") in names
    css = [n for n in names if re.fullmatch(r"report_cb_[0-9a-f]{8}\.css", n)]
    js = [n for n in names if re.fullmatch(r"report_cb_[0-9a-f]{8}\.js", n)]
    assert len(css) == len(js) == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{css[0]}"' in index and f'src="{js[0]}"' in index
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == []


def test_every_page_is_utf8_chinese_with_a_csp_and_no_network(tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh\">"), page.name
        assert '<meta charset="utf-8">' in html
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert csp and htmllib.unescape(csp.group(1)) == htmlreport.CSP
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), page.name
        for target in re.findall(r'(?:src|href)="([^"#]+)', html):
            assert (out / target).is_file(), f"{page.name} links to missing {target}"


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
    html = (out / pages.pair_url("甲.txt", "乙.txt")).read_text(encoding="utf-8")
    bodies = re.findall(r'<div class="text">(.*?)</div>\n', html, flags=re.S)
    texts = [htmllib.unescape(re.sub(r"<[^>]+>", "", b)) for b in bodies]
    assert texts == [TEXTS["乙.txt"], TEXTS["甲.txt"]]  # a report's pair page has the smaller id on the left


def test_a_real_scan_of_the_mini_texts_highlights_the_shared_paragraph(tmp_path):
    """The pipeline end to end, asserting structure only: tuning may move passage edges a little."""
    from report_mini import VERBATIM
    from reuse.pipeline import run

    for name, text in TEXTS.items():
        make_doc(tmp_path / "mini", name, text)
    result = run([str(tmp_path / "mini")])
    page = pages.pair_page(Corpus(result), "甲.txt", "乙.txt")
    assert page.passages
    for side in (page.left, page.right):
        at, covered = 0, set()
        for s in side.segments:
            if s.passages:
                covered.update(range(at, at + len(s.text)))
            at += len(s.text)
        start = TEXTS[side.id].index(VERBATIM)
        assert set(range(start, start + len(VERBATIM))) <= covered, side.id


def test_scan_writes_the_html_report(tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for p in data["pairs"][: Options().max_pair_pages]:
        assert (out / pages.pair_url(p["a"], p["b"])).is_file()
    for d in data["documents"]:
        assert (out / pages.doc_url(d["id"])).is_file()
    assert (out / "index.html").is_file() and (out / "templates.html").is_file()


def test_surrogates_in_text_do_not_stop_the_report(tmp_path):
    r = mini_result()
    bad = replace(r.documents[0], text=r.documents[0].text + "\udcff")
    write_report(replace(r, documents=(bad, *r.documents[1:])), tmp_path / "r")


# -- compare ----------------------------------------------------------------------------------


def test_compare_writes_one_standalone_page(tmp_path):
    a = make_doc(tmp_path, "甲.txt", seed_text("002"))
    b = make_doc(tmp_path, "乙.txt", seed_text("003"))
    target = tmp_path / "out" / "cmp.html"
    target.parent.mkdir()  # -o's folder must exist (only the default one is created)
    result = runner.invoke(app, ["compare", str(a), str(b), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Written to" in result.output and str(target) in result.output.replace("\n", "")
    html = target.read_text(encoding="utf-8")
    assert "<style>" in html and "<script>" in html and "script-src 'sha256-" in htmllib.unescape(html)
    assert not re.search(r'(?:src|href)="[^"#]', html)  # nothing to load: the one file works alone
    assert html.index(">甲.txt<") < html.index(">乙.txt<")  # A on the left
    assert 'class="pchip' in html


def test_compare_keeps_the_order_given(tmp_path):
    a = make_doc(tmp_path, "b.txt", seed_text("002"))
    b = make_doc(tmp_path, "a.txt", seed_text("003"))
    target = tmp_path / "cmp.html"
    assert runner.invoke(app, ["compare", str(a), str(b), "-o", str(target), "-q"]).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert html.index(">b.txt<") < html.index(">a.txt<")


def test_compare_default_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = make_doc(tmp_path, "x/甲.txt", "完全不同的第一篇文字。")
    b = make_doc(tmp_path, "y/<b>.txt", "另一篇毫无关系的内容。")
    result = runner.invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    written = Path("reports/compare/甲__b.html")
    assert written.is_file() and "没有共享片段" in written.read_text(encoding="utf-8")


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
