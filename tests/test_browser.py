"""The HTML report in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (Debian: ``apt-get install chromium``; another
binary with ``TEST_REUSE_CHROMIUM=/path``); nothing is downloaded, never run
``playwright install``. The browser is offline and every request that is not
``file://`` fails the test, so the report must work from disk alone; any
console error fails it too (a CSP violation is one). Print-to-PDF runs
``chromium --headless --print-to-pdf``, as a reader's check would. The real
articles of ``benchmarks/out/cpcnews`` (``benchmarks/real_corpus.py``; or
``TEST_REUSE_REAL=folder``) are used when present.
Screenshots go to tests/artifacts/ (git-ignored). Run only these with:

    pytest -m browser
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, make_doc, seed_text
from report_mini import mini_result
from reuse.cli import app
from reuse.report import pages, write_report

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
expect = sync_api.expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
CUR = re.compile(r"\bcur\b")


def _chromium() -> str | None:
    for candidate in (os.environ.get("TEST_REUSE_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = _chromium()
    if path is None:
        pytest.skip("chromium is not installed: apt-get install chromium (or set TEST_REUSE_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def browser(chromium):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page plus everything it did that a report page must never do."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self) -> None:
        assert self.dialogs == [], "a dialog fired: document text ran as script"
        assert self.errors == [], "console errors (CSP violations?)"
        assert self.requests == [], "requests beyond file://"


def _context(browser, **kw):
    return browser.new_context(viewport=kw.pop("viewport", {"width": 1400, "height": 900}), offline=True,
                               locale="zh-CN", **kw)


@pytest.fixture
def watched(browser):
    context = _context(browser)
    page = context.new_page()
    w = Watched(page)

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            w.requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    yield w
    context.close()


def shot(page, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def url(path: Path, query: str = "") -> str:
    return path.resolve().as_uri() + query


def open_view(page, folder: Path, link: str) -> None:
    """Open a link of the report (pair.html?a=…&b=…#p…) and wait until the view is drawn."""
    page.goto(url(folder / link.split("?")[0], "?" + link.split("?", 1)[1] if "?" in link else ""))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


def scan(corpus: Path, out: Path) -> Path:
    result = CliRunner().invoke(app, ["scan", str(corpus), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> Path:
    """The seeds, which copy nothing from each other, and a new speech that copies paragraphs of two of them."""
    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    for p in SEEDS.glob("*.txt"):
        make_doc(corpus, p.name, p.read_text(encoding="utf-8"))
    lines = [ln for ln in seed_text("001").split("\n") if len(ln) > 100][:2]
    lines += [ln for ln in seed_text("003").split("\n") if len(ln) > 100][:1]
    edited = lines[1][:40] + "坚决" + lines[1][40:90] + lines[1][95:]
    make_doc(corpus, "005_copies.txt", "关于近期工作的几点意见\n" + "\n".join([lines[0], edited, lines[2]])
             + "\n以上意见，请认真落实。\n")
    return scan(corpus, base / "seeds")


def real_corpus() -> Path | None:
    """A few hundred real articles, when this checkout has them (they are not ours to commit)."""
    folder = Path(os.environ.get("TEST_REUSE_REAL", ROOT / "benchmarks" / "out" / "cpcnews"))
    return folder if folder.is_dir() and any(folder.glob("*.txt")) else None


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> Path:
    source = real_corpus()
    if source is None:
        pytest.skip("no real articles here: benchmarks/real_corpus.py writes them to benchmarks/out/cpcnews")
    base = tmp_path_factory.mktemp("real")
    for p in sorted(source.glob("*.txt"))[:400]:
        make_doc(base / "corpus", p.name, p.read_text(encoding="utf-8"))
    return scan(base / "corpus", base / "report")


def report_data(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


def doc_data(folder: Path, doc_id: str) -> dict:
    text = (folder / pages.data_file(doc_id)).read_text(encoding="utf-8")
    return json.loads(text[len("reuseDoc("):-3])


def shown_text(page, side: str) -> str:
    """What a side of the view says, without the passage numbers drawn before passages."""
    return page.locator(f".cell.{side} .text").evaluate_all("els => els.map(e => e.textContent).join('')")


def in_view(locator) -> bool:
    """The element is inside the window, below the sticky strip."""
    return locator.evaluate("""el => {
        const r = el.getBoundingClientRect(), strip = document.getElementById('strip').getBoundingClientRect();
        return r.height > 0 && r.top >= strip.bottom - 1 && r.bottom <= window.innerHeight + 1;
    }""")


# -- the side-by-side view --------------------------------------------------------------------


def test_heatmap_cell_opens_the_pair_and_a_passage_brings_its_twin_into_view(watched, seeds_report):
    page = watched.page
    data = report_data(seeds_report)
    top = data["pairs"][0]
    page.goto(url(seeds_report / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    cells = page.locator("#heat-box svg rect.cell")
    expect(cells).to_have_count(2 * len(data["pairs"]))
    shot(page, "seeds-index")
    cells.first.click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    assert "pair.html?a=" in page.url
    shown = [p for p in data["passages"] if (p["a"], p["b"]) == (top["a"], top["b"])]  # copy, quote and template
    expect(page.locator(".pchip")).to_have_count(len(shown))

    page.set_viewport_size({"width": 1400, "height": 420})
    n = len(shown)
    right = page.locator(f'.cell.right .s[data-p~="{n}"]').first
    left = page.locator(f'.cell.left .s[data-p~="{n}"]').first
    page.evaluate("window.scrollTo(0, 0)")
    left.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -window.innerHeight / 3)")  # the left part in sight, its twin maybe not
    left.click()
    expect(right).to_have_class(CUR)
    expect(left).to_have_class(CUR)
    assert in_view(right)
    assert page.url.endswith(f"#p{n}")
    shot(page, "seeds-pair-twin")
    watched.clean()


def test_keyboard_moves_between_passages_changes_pairs_and_the_index(watched, seeds_report):
    page = watched.page
    data = report_data(seeds_report)
    page.goto(url(seeds_report / "index.html"))
    first = page.locator("#pairs-table tbody tr").first.locator("a.open-view")
    first.click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    view_url = page.url.split("#")[0]
    page.keyboard.press("j")
    expect(page.locator('.pchip[data-goto="1"]')).to_have_class(CUR)
    page.keyboard.press("j")
    expect(page.locator('.pchip[data-goto="2"]')).to_have_class(CUR)
    assert in_view(page.locator('.cell.left .s[data-p~="2"]').first) or in_view(page.locator('.cell.right .s[data-p~="2"]').first)
    page.keyboard.press("k")
    expect(page.locator('.pchip[data-goto="1"]')).to_have_class(CUR)
    expect(page.locator(".pchip.cur")).to_have_count(1)
    expect(page.get_by_role("button", name="下一处", exact=True)).to_be_visible()  # the steps are words, keys are shortcuts

    # the next-change key walks the edits, marked alike on both sides
    if page.locator(".cell.left .s[data-c]").count():
        page.keyboard.press(".")
        marked = page.locator(".s.cur-c")
        expect(marked.first).to_be_visible()
        k = marked.first.get_attribute("data-c")
        assert {e.get_attribute("data-c") for e in marked.all()} == {k} and marked.count() >= 2

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help kbd", has_text="j")).to_be_visible()
    shot(page, "seeds-help")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    # keys typed into a field are text, not commands
    page.evaluate("document.body.appendChild(document.createElement('input')).id = 'q'")
    page.locator("#q").type("nu")
    assert page.url.split("#")[0] == view_url
    page.locator("#q").evaluate("el => el.blur()")
    if len(data["pairs"]) > 1:
        page.keyboard.press("n")
        page.wait_for_url(lambda u: u.split("#")[0] != view_url)
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        expect(page.locator("#position")).to_contain_text("第 2 /")
        page.keyboard.press("p")
        page.wait_for_url(lambda u: u.split("#")[0] == view_url)
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.keyboard.press("u")
    page.wait_for_url("**/index.html")
    watched.clean()


def check_every_pair_opens(watched, folder: Path) -> int:
    """Open the view of every pair with copying from the pairs table's links; both texts whole, passages all there."""
    page = watched.page
    data = report_data(folder)
    passages = Counter((p["a"], p["b"]) for p in data["passages"])
    copies = Counter((p["a"], p["b"]) for p in data["passages"] if p["kind"] == "copy")
    page.goto(url(folder / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.select_option("#pair-size", "500")
    links = []
    while True:
        links += page.locator("#pairs-table a.open-view").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        nxt = page.locator("#pair-pager button", has_text="下一页")
        if nxt.is_disabled():
            break
        nxt.click()
    assert len(links) == len(set(links)) == len(data["pairs"])
    texts = {}
    for link in links:
        open_view(page, folder, link)
        left, right = page.locator(".heads h2").all_text_contents()
        key = tuple(sorted((left, right)))
        for side, doc_id in (("left", left), ("right", right)):
            if doc_id not in texts:
                texts[doc_id] = doc_data(folder, doc_id)["text"]
            assert shown_text(page, side) == texts[doc_id], (link, side)
        expect(page.locator(".pchip")).to_have_count(passages[key])
        assert page.locator(".pchip.g-red, .pchip.g-orange, .pchip.g-yellow").count() == copies[key]
        pair = next(p for p in data["pairs"] if (p["a"], p["b"]) == key)
        assert pair["passages"] == copies[key]
    watched.clean()
    return len(links)


DRAWN = """side => {
    const out = [];
    for (const cell of document.querySelectorAll('.cell.' + side + ' .text')) {
        for (const node of cell.childNodes) {
            const text = node.textContent, p = node.nodeType === 1 ? node.getAttribute('data-p') || '' : '';
            const diff = node.nodeType === 1 ? (/\\bd-(\\w+)/.exec(node.className) || [null, ''])[1] : '';
            const last = out[out.length - 1];
            if (last && last[1] === p && last[2] === diff && diff !== 'gap') { last[0] += text; } else { out.push([text, p, diff]); }
        }
    }
    return out;
}"""


def expected_segments(text: str, view: dict, side: str) -> list[list[str]]:
    """What pages.segments makes of one side of a view, merged as DRAWN merges what the browser drew."""
    key = "l" if side == "left" else "r"
    marks = [pages.Mark(p[key][0], p[key][1], p["n"]) for p in view["passages"]]
    diffs = [(s, e, kind) for s, e, kind, _ in view["changes"][0 if side == "left" else 1]]
    out: list[list[str]] = []
    for seg in pages.segments(text, marks, diffs):
        ids = seg.ids if seg.passages and not ("\n" in seg.text and not seg.text.strip() and not seg.diff) else ""
        row = [seg.text, ids, seg.diff or ""]
        if out and out[-1][1:] == row[1:] and row[2] != "gap":
            out[-1][0] += seg.text
        else:
            out.append(row)
    return out


def test_the_browser_cuts_texts_as_pages_segments_does(watched, seeds_report, tmp_path):
    """Passages, changed characters and gaps (a changed year in the mini report, a cut and an insertion in the seeds')."""
    page = watched.page
    for folder in (seeds_report, write_report(mini_result(), tmp_path / "mini")):
        for pair in report_data(folder)["pairs"]:
            left, right = doc_data(folder, pair["a"]), doc_data(folder, pair["b"])
            view = left["pairs"].get(right["stem"]) or right["pairs"][left["stem"]]
            texts = {left["stem"]: left["text"], right["stem"]: right["text"]}
            open_view(page, folder, f"pair.html?a={view['left']}&b={view['right']}")
            for side in ("left", "right"):
                got = page.evaluate(DRAWN, side)
                assert got == expected_segments(texts[view[side]], view, side), (folder.name, side)
    watched.clean()


def test_every_pair_with_copying_opens_side_by_side(watched, seeds_report):
    assert check_every_pair_opens(watched, seeds_report) >= 2


def test_every_pair_of_real_articles_opens_side_by_side(watched, real_report):
    assert check_every_pair_opens(watched, real_report) >= 1


def pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), "".join(p.extract_text() or "" for p in reader.pages)


def print_to_pdf(chromium: str, target: str, pdf: Path) -> tuple[int, str]:
    """``chromium --headless --print-to-pdf``, as a reader checks a report before printing it."""
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    if not fonts.strip():
        pytest.skip("no Chinese font to print with: apt-get install fonts-wqy-microhei")
    subprocess.run([chromium, "--headless", *ARGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", target],
                   check=True, capture_output=True, timeout=120)
    return pdf_text(pdf)


def holds(pdf: str, text: str) -> list[str]:
    """Characters of ``text`` the PDF has fewer of than ``text`` does (columns may interleave its lines)."""
    have, need = Counter("".join(pdf.split())), Counter("".join(text.split()))
    return [ch for ch, n in need.items() if have[ch] < n]


@pytest.mark.parametrize("where", ["seeds", "real"])
def test_print_to_pdf_of_a_pair_holds_all_of_both_texts(chromium, seeds_report, request, tmp_path, where):
    folder = seeds_report if where == "seeds" else request.getfixturevalue("real_report")
    data = report_data(folder)
    chars = {d["id"]: d["chars"] for d in data["documents"]}
    pair = max(data["pairs"], key=lambda p: chars[p["a"]] + chars[p["b"]])  # the longest texts: several pages
    index = json.loads((folder / "data/index.js").read_text(encoding="utf-8")[len("reuseIndex("):-3])
    ids = [d[0] for d in index["docs"]]
    row = next(r for r in index["pairs"] if {ids[r[0]], ids[r[1]]} == {pair["a"], pair["b"]})
    link = pages.pair_url(ids[row[0]], ids[row[1]])
    count, text = print_to_pdf(chromium, url(folder / "pair.html", "?" + link.split("?")[1]), tmp_path / "pair.pdf")
    both = doc_data(folder, pair["a"])["text"] + doc_data(folder, pair["b"])["text"]
    assert count >= 2 and holds(text, both) == []
    assert f"第 1 页，共 {count} 页" in "".join(text.split()).replace("第1页", "第 1 页").replace(f"共{count}页", f"共 {count} 页")
    assert "检测时间" in text and "主要检测参数" in text
    shutil.copy(tmp_path / "pair.pdf", ARTIFACTS / f"{where}-pair.pdf") if ARTIFACTS.is_dir() else None


def test_printed_pair_keeps_its_columns_and_drops_the_controls(watched, seeds_report):
    page = watched.page
    page.set_viewport_size({"width": 760, "height": 1000})  # about an A4 page less its margins
    pair = report_data(seeds_report)["pairs"][0]
    open_view(page, seeds_report, pages.pair_url(pair["a"], pair["b"]))
    page.emulate_media(media="print")
    row = page.locator(".row").first
    left, right = row.locator(".cell.left").bounding_box(), row.locator(".cell.right").bounding_box()
    assert left["y"] == right["y"] and left["x"] < right["x"]  # side by side on paper too
    expect(page.locator(".print-head")).to_be_visible()
    expect(page.get_by_role("button", name="下一处", exact=True)).to_be_hidden()
    expect(page.locator(".keys")).to_be_hidden()
    watched.clean()


def test_print_to_pdf_of_a_document_page_holds_its_text(chromium, seeds_report, tmp_path):
    data = report_data(seeds_report)
    doc_id = max(data["documents"], key=lambda d: d["chars"])["id"]
    text = (seeds_report.parent / "corpus" / doc_id).read_text(encoding="utf-8")
    count, printed = print_to_pdf(chromium, url(seeds_report / pages.doc_url(doc_id)), tmp_path / "doc.pdf")
    assert count >= 2 and holds(printed, text) == []


# -- the overview ---------------------------------------------------------------------------------


def column(page, table: str, n: int) -> list[str]:
    return page.locator(f"#{table} tbody tr td:nth-child({n})").all_text_contents()


def pct(text: str) -> float:
    return float(text.strip().rstrip("%")) / 100 if text.strip() not in ("—", "") else 0.0


def test_overview_sorts_and_filters(watched, seeds_report):
    page = watched.page
    data = report_data(seeds_report)
    page.goto(url(seeds_report / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    copy = [pct(t) for t in column(page, "documents-table", 4)]
    assert copy == sorted(copy, reverse=True) and copy[0] > 0  # most copied first
    assert column(page, "documents-table", 1)[0] == max(data["documents"], key=lambda d: d["copy_ratio"])["id"]

    chars = page.locator("#documents-table th", has_text="字数")
    chars.click()
    values = [int(v.replace(",", "")) for v in column(page, "documents-table", 3)]
    assert values == sorted(values, reverse=True)
    chars.click()
    values = [int(v.replace(",", "")) for v in column(page, "documents-table", 3)]
    assert values == sorted(values)
    expect(chars).to_have_attribute("aria-sort", "ascending")

    page.fill("#doc-q", "005")
    expect(page.locator("#documents-table tbody tr")).to_have_count(1)
    expect(page.locator("#doc-pager")).to_contain_text("共 1 篇")
    page.fill("#doc-q", "")
    page.select_option("#doc-tier", "none")
    expect(page.locator("#documents-table tbody tr")).to_have_count(sum(d["reuse_ratio"] == 0 for d in data["documents"]))
    page.select_option("#doc-tier", "copy")
    expect(page.locator("#documents-table tbody tr")).to_have_count(sum(d["copy_ratio"] > 0 for d in data["documents"]))
    page.select_option("#doc-tier", "")
    page.select_option("#doc-field", "4")  # 总文字复制比
    page.select_option("#doc-min", "0.1")
    expect(page.locator("#documents-table tbody tr")).to_have_count(sum(d["reuse_ratio"] >= 0.1 for d in data["documents"]))
    page.select_option("#doc-min", "")

    # a bar of the histogram lists its documents
    bar = page.locator(".histogram a[data-level='0']")
    bar.click()
    expect(page.locator("#doc-range")).to_be_visible()
    expect(page.locator("#documents-table tbody tr")).to_have_count(sum(d["copy_ratio"] == 0 for d in data["documents"]))
    page.locator("#doc-range-clear").click()
    expect(page.locator("#documents-table tbody tr")).to_have_count(len(data["documents"]))

    # pairs: closest first, filtered by similarity
    sims = [pct(t) for t in column(page, "pairs-table", 3)]
    assert sims == sorted(sims, reverse=True) and len(sims) == len(data["pairs"])
    page.select_option("#pair-min", "0.25")
    expect(page.locator("#pairs-table tbody tr")).to_have_count(sum(p["similarity"] >= 0.25 for p in data["pairs"]))

    # the heat map draws the documents the table shows
    page.fill("#doc-q", "005")
    page.select_option("#heat-which", "filtered")
    expect(page.locator("#heat-box svg rect.hd")).to_have_count(1)
    shot(page, "seeds-index-filtered", full=True)
    watched.clean()


def big_index(folder: Path, n: int) -> None:
    """data/index.js with ``n`` documents and ``n`` pairs, in place of the small report's."""
    import random

    rng = random.Random(7)
    docs = []
    for i in range(n):
        copy = rng.random() ** 3
        docs.append([f"文档{i:06}.txt", "d_x", f"20{10 + i % 10}-01-01", rng.randrange(200, 9000), min(1, copy + 0.1),
                     copy, 0.05, 0.01, 0.04, (i + 1) % n, copy, "s", i])
    pairs = [[i, (i + 1) % n, round(rng.random(), 4), 10, 10, 1] for i in range(n)]
    data = {"docs": docs, "pairs": pairs, "scale": [0.05, 0.1, 0.25, 0.5, 0.75], "page": 50, "labels": {}}
    (folder / "data/index.js").write_text(f"reuseIndex({json.dumps(data, ensure_ascii=False)});\n", encoding="utf-8")


def test_overview_stays_fast_at_100000_rows(watched, tmp_path):
    out = write_report(mini_result(), tmp_path / "big")
    big_index(out, 100_000)
    page = watched.page
    page.goto(url(out / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=30_000)
    drawn = int(page.locator("body").get_attribute("data-draw-ms"))
    expect(page.locator("#documents-table tbody tr")).to_have_count(50)
    expect(page.locator("#doc-pager")).to_contain_text("共 100,000 篇")
    page.select_option("#doc-min", "0.5")
    expect(page.locator("#doc-pager")).not_to_contain_text("共 100,000 篇")
    filtered = int(page.locator("body").get_attribute("data-filter-ms"))
    page.locator("#documents-table th", has_text="字数").click()
    page.locator("#doc-pager button", has_text="末页").click()
    expect(page.locator("#doc-pager")).to_contain_text("页")
    print(f"\n100,000 rows: drawn in {drawn} ms, a filter applied in {filtered} ms")
    assert drawn < 3000 and filtered < 1500
    watched.clean()


def test_real_overview_and_document_pages(watched, real_report):
    page = watched.page
    page.goto(url(real_report / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    shot(page, "real-index", full=False)
    copy = [pct(t) for t in column(page, "documents-table", 4)]
    assert copy == sorted(copy, reverse=True)
    page.locator("#documents-table tbody tr td a").first.click()
    expect(page.locator(".sources li").first).to_be_visible()
    shot(page, "real-doc")
    watched.clean()


# -- safety -----------------------------------------------------------------------------------


HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_hostile_documents_show_as_text_and_run_nothing(watched, tmp_path):
    shared = seed_text("002").split("\n")[10][:120]
    assert len(shared) > 80
    make_doc(tmp_path / "corpus", "<b>.txt", f"前言{HOSTILE[0]}。\n{shared[:60]}{HOSTILE[0]}{shared[60:]}\n结尾。\n")
    make_doc(tmp_path / "corpus", 'x" onmouseover="alert(1).txt',
             f"开头{HOSTILE[1]}。\n{shared[:60]}{HOSTILE[0]}{shared[60:]}\n另外{HOSTILE[1]}\n")
    out = scan(tmp_path / "corpus", tmp_path / "report")
    data = report_data(out)
    assert data["pairs"], "the two documents share a paragraph"
    page = watched.page
    for name in ["index.html", "templates.html", "clusters.html", *(pages.doc_url(d["id"]) for d in data["documents"])]:
        page.goto(url(out / name))
        expect(page.locator("body img")).to_have_count(0)
        expect(page.locator("body script:not([src])")).to_have_count(0)
        for seg in page.locator(".s").all()[:6]:
            seg.hover()
    pair = data["pairs"][0]
    open_view(page, out, pages.pair_url(pair["a"], pair["b"]))
    expect(page.locator("body img")).to_have_count(0)
    expect(page.get_by_text(HOSTILE[0]).first).to_be_visible()
    expect(page.get_by_text(HOSTILE[1]).first).to_be_visible()
    expect(page.locator("#title")).to_contain_text('x" onmouseover="alert(1).txt')
    page.locator(".s[data-p]").first.click()
    shot(page, "hostile-pair")
    watched.clean()


def test_the_csp_holds_and_only_report_files_load(watched, tmp_path):
    out = write_report(mini_result(), tmp_path / "r")
    page = watched.page
    page.goto(url(out / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    ran = page.evaluate("""() => new Promise(done => {
        window.ran = false;
        document.addEventListener('securitypolicyviolation', () => done(window.ran), {once: true});
        const s = document.createElement('script');
        s.textContent = 'window.ran = true';
        document.body.appendChild(s);
    })""")
    assert ran is False  # an inline script is refused
    watched.errors.clear()  # that refusal was the point

    # a view asked for a file outside the folder's data names loads nothing
    page.goto(url(out / "pair.html", "?a=../../etc/passwd&b=d_x"))
    expect(page.locator("#view")).to_contain_text("没有指定两篇文档")
    expect(page.locator("script[src*='passwd']")).to_have_count(0)
    page.goto(url(out / "pair.html", "?a=d_nothere_00000000&b=d_noneither_00000000"))
    expect(page.locator("#view")).to_contain_text("没有这两篇文档的对照数据")
    watched.errors[:] = [e for e in watched.errors if "ERR_FILE_NOT_FOUND" not in e]
    watched.clean()


def test_compare_page_works_alone(watched, tmp_path):
    a = make_doc(tmp_path, "甲.txt", seed_text("002"))
    b = make_doc(tmp_path, "乙.txt", seed_text("003"))
    target = tmp_path / "cmp.html"
    result = CliRunner().invoke(app, ["compare", str(a), str(b), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    page = watched.page
    page.goto(url(target))
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # the inline script ran under its CSP hash
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    assert page.locator(".top").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(30, 41, 59)"
    assert page.locator(".heads h2").all_text_contents() == ["甲.txt", "乙.txt"]
    assert shown_text(page, "left") == seed_text("002")
    page.keyboard.press("j")
    expect(page.locator('.cell.right .s[data-p~="1"]').first).to_have_class(CUR)
    shot(page, "compare")
    watched.clean()


def test_document_and_template_pages(watched, tmp_path):
    out = write_report(mini_result(), tmp_path / "mini")
    page = watched.page
    page.goto(url(out / "templates.html"))
    expect(page.locator(".tpl")).to_have_count(1)
    expect(page.locator(".variants .s.d-replace").first).to_be_visible()
    expect(page.locator(".tpl h2 .chip")).to_have_text("开场套话")
    shot(page, "mini-templates")

    page.goto(url(out / pages.doc_url("甲.txt")))
    expect(page.locator(".sources li")).to_have_count(2)
    expect(page.locator("h1")).to_have_text("甲.txt")
    expect(page.locator(".cnki-bar rect.b-red")).to_have_count(2)
    shot(page, "mini-doc")
    page.locator(".s[data-href]", has_text="过去一年").first.click()  # goes to the pair, at that passage
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    n = page.url.rsplit("#p", 1)[1]
    expect(page.locator(f'.pchip[data-goto="{n}"]')).to_have_class(CUR)
    expect(page.locator(f'.cell.right .s[data-p~="{n}"]').first).to_contain_text("过去一年")
    shot(page, "mini-pair")
    page.locator('.heads [data-side="left"] .cnki-bar rect[data-goto="3"]').click()  # the bar over each text
    expect(page.locator('.pchip[data-goto="3"]')).to_have_class(CUR)

    page.goto(url(out / pages.doc_url("丙 <b>.txt")))
    expect(page.locator("h1")).to_have_text("丙 <b>.txt")
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    watched.clean()


# -- access -----------------------------------------------------------------------------------


CONTRAST = """() => {
    const rgb = c => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
                       const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
    const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                       return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const behind = el => { for (; el && el.nodeType === 1; el = el.parentElement) {
                             const c = rgb(getComputedStyle(el).backgroundColor); if (c && c.a > 0.5) return c; }
                           return {r: 255, g: 255, b: 255, a: 1}; };
    const ratio = (x, y) => { const a = lum(x), b = lum(y); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
    const bad = [], seen = new Set();
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
        const el = walk.currentNode.parentElement;
        if (!walk.currentNode.textContent.trim() || seen.has(el)) continue;
        seen.add(el);
        const s = getComputedStyle(el);
        if (!el.getClientRects().length || s.visibility === 'hidden' || el.closest('[aria-disabled="true"], :disabled, .skip')) continue;
        const inSvg = el.closest('svg');
        const fg = rgb(inSvg ? s.fill : s.color);
        if (!fg) continue;
        const big = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && parseInt(s.fontWeight) >= 700);
        const r = ratio(fg, behind(inSvg ? inSvg.parentElement : el));
        if (r < (big ? 3 : 4.5)) bad.push(`${el.tagName}.${el.getAttribute('class')} "${el.textContent.slice(0, 12)}" ${r.toFixed(2)}`);
    }
    return bad;
}"""


def test_every_text_meets_wcag_aa_contrast(watched, seeds_report):
    page = watched.page
    data = report_data(seeds_report)
    pair = data["pairs"][0]
    targets = ["index.html", "templates.html", "clusters.html", pages.doc_url(pair["a"]),
               pages.pair_url(pair["a"], pair["b"])]
    for target in targets:
        open_view(page, seeds_report, target) if target.startswith("pair") else page.goto(url(seeds_report / target))
        if target.startswith("pair"):
            page.keyboard.press("j")
        assert page.evaluate(CONTRAST) == [], target
    watched.clean()


def test_keyboard_reaches_tables_and_passages_with_a_visible_focus(watched, seeds_report):
    page = watched.page
    page.goto(url(seeds_report / "index.html"))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    assert skip.evaluate("el => el.getBoundingClientRect().left >= 0")  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("#documents")).to_be_focused()  # past the heat map in one key
    page.keyboard.press("Tab")
    expect(page.locator("#doc-q")).to_be_focused()
    header = page.locator("#documents-table th button").first
    header.focus()
    assert header.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert page.locator("#heat-box svg a[tabindex='-1']").count() == page.locator("#heat-box svg a").count()

    # the side-by-side view: Tab reaches a passage, Enter chooses it
    page.locator("#pairs-table a.open-view").first.click()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    stop = page.locator(".cell.left .s[tabindex='0']").first
    stop.focus()
    assert stop.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert "几乎原文" in stop.get_attribute("aria-label") or "改动" in stop.get_attribute("aria-label") or \
        "套话" in stop.get_attribute("aria-label") or "引用" in stop.get_attribute("aria-label")
    page.keyboard.press("Enter")
    expect(stop).to_have_class(CUR)
    for chip in page.locator(".pchip").all_text_contents():  # the grade in words, not colour alone
        assert re.search(r"几乎原文|稍有改动|改动较多|套话|引用", chip), chip
    watched.clean()
