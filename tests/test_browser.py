"""The HTML report in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (Debian: ``apt-get install chromium``; another
binary with ``TEST_REUSE_CHROMIUM=/path``); nothing is downloaded, never run
``playwright install``. The browser is offline and every request that is not
``file://`` fails the test, so the report must work from disk alone.
Screenshots go to tests/artifacts/ (git-ignored). Run only these with:

    pytest -m browser
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
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
def browser():
    path = _chromium()
    if path is None:
        pytest.skip("chromium is not installed: apt-get install chromium (or set TEST_REUSE_CHROMIUM)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=ARGS)
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


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True, locale="zh-CN")
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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def url(path: Path) -> str:
    return path.resolve().as_uri()


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> Path:
    """The seeds, which copy nothing from each other, and a new speech that copies paragraphs of two of them."""
    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    for p in SEEDS.glob("*.txt"):
        make_doc(corpus, p.name, p.read_text(encoding="utf-8"))
    lines = [ln for ln in seed_text("001").split("\n") if len(ln) > 100][:2]
    lines += [ln for ln in seed_text("003").split("\n") if len(ln) > 100][:1]
    make_doc(corpus, "005_copies.txt", "关于近期工作的几点意见\n" + "\n".join(lines) + "\n以上意见，请认真落实。\n")
    out = base / "seeds"
    result = CliRunner().invoke(app, ["scan", str(corpus), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def in_view(locator) -> bool:
    """The element is inside its scrolling pane's visible area."""
    return locator.evaluate("""el => {
        const pane = el.closest('.pane').getBoundingClientRect(), r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= pane.top && r.bottom <= pane.bottom;
    }""")


def test_heatmap_cell_opens_the_pair_and_a_passage_brings_its_twin_into_view(watched, seeds_report):
    page = watched.page
    data = json.loads((seeds_report / "report.json").read_text(encoding="utf-8"))
    ids = [d["id"] for d in data["documents"]]
    page.goto(url(seeds_report / "index.html"))
    expect(page.locator("svg rect.cell")).to_have_count(2 * len(data["pairs"]))
    expect(page.locator("svg rect.hd")).to_have_count(len(ids))  # the diagonal
    top = data["pairs"][0]
    cell = page.locator(f'svg a rect.cell[data-row="{ids.index(top["a"])}"][data-col="{ids.index(top["b"])}"]')
    expect(cell).to_have_class(re.compile(r"\bh6\b"))  # the closest pair has the darkest colour
    shot(page, "seeds-index")

    cell.click()
    page.wait_for_url("**/" + pages.pair_url(top["a"], top["b"]))
    shown = [p for p in data["passages"] if (p["a"], p["b"]) == (top["a"], top["b"])]  # copy and template text
    expect(page.locator(".pchip")).to_have_count(len(shown))

    # a passage whose twin is out of sight until the click (scroll the right side away from it if need be)
    right = page.locator('.pane[data-side="right"]')
    n = next((k for k in range(1, len(shown) + 1)
              if not in_view(right.locator(f'.s[data-p~="{k}"]').first)), None)
    if n is None:
        right.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        n = 1
    assert not in_view(right.locator(f'.s[data-p~="{n}"]').first)
    twin = right.locator(f'.s[data-p~="{n}"]').first
    mine = page.locator(f'.pane[data-side="left"] .s[data-p="{n}"]').first
    mine.click()
    expect(twin).to_have_class(CUR)
    expect(mine).to_have_class(CUR)
    assert in_view(twin)
    assert page.url.endswith(f"#p{n}")
    shot(page, "seeds-pair-twin")
    watched.clean()


def test_keyboard_moves_between_passages_pairs_and_the_index(watched, seeds_report):
    page = watched.page
    data = json.loads((seeds_report / "report.json").read_text(encoding="utf-8"))
    first, second = data["pairs"][0], data["pairs"][1]
    page.goto(url(seeds_report / pages.pair_url(first["a"], first["b"])))
    page.keyboard.press("j")
    expect(page.locator('.pchip[data-goto="1"]')).to_have_class(CUR)
    page.keyboard.press("j")
    expect(page.locator('.pchip[data-goto="2"]')).to_have_class(CUR)
    assert in_view(page.locator('.pane[data-side="right"] .s[data-p~="2"]').first)
    assert in_view(page.locator('.pane[data-side="left"] .s[data-p~="2"]').first)
    page.keyboard.press("k")
    expect(page.locator('.pchip[data-goto="1"]')).to_have_class(CUR)
    expect(page.locator(".pchip.cur")).to_have_count(1)

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    shot(page, "seeds-help")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    # keys typed into a field are text, not commands
    page.evaluate("document.body.appendChild(document.createElement('input')).id = 'q'")
    page.locator("#q").type("nu")
    assert page.url.split("#")[0].endswith(pages.pair_url(first["a"], first["b"]))

    page.locator("#q").evaluate("el => el.blur()")
    page.keyboard.press("n")
    page.wait_for_url("**/" + pages.pair_url(second["a"], second["b"]))
    page.keyboard.press("p")
    page.wait_for_url("**/" + pages.pair_url(first["a"], first["b"]))
    page.keyboard.press("u")
    page.wait_for_url("**/index.html")
    watched.clean()


def test_tables_sort_by_clicked_header(watched, seeds_report):
    page = watched.page
    page.goto(url(seeds_report / "index.html"))
    chars = page.locator("#documents-table tbody tr td:nth-child(2)")
    page.locator("#documents-table th", has_text="字符数").click()
    values = [int(v) for v in chars.evaluate_all("cells => cells.map(c => c.dataset.v)")]
    assert values == sorted(values, reverse=True)
    page.locator("#documents-table th", has_text="字符数").click()
    values = [int(v) for v in chars.evaluate_all("cells => cells.map(c => c.dataset.v)")]
    assert values == sorted(values)
    expect(page.locator("#documents-table th", has_text="字符数")).to_have_attribute("aria-sort", "ascending")
    watched.clean()


HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_hostile_documents_show_as_text_and_run_nothing(watched, tmp_path):
    shared = seed_text("002").split("\n")[10][:120]
    assert len(shared) > 80
    make_doc(tmp_path / "corpus", "<b>.txt", f"前言{HOSTILE[0]}。\n{shared[:60]}{HOSTILE[0]}{shared[60:]}\n结尾。\n")
    make_doc(tmp_path / "corpus", 'x" onmouseover="alert(1).txt',
             f"开头{HOSTILE[1]}。\n{shared[:60]}{HOSTILE[0]}{shared[60:]}\n另外{HOSTILE[1]}\n")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "corpus"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["pairs"], "the two documents share a paragraph"
    page = watched.page
    for name in ["index.html", "templates.html",
                 *(pages.doc_url(d["id"]) for d in data["documents"]),
                 *(pages.pair_url(p["a"], p["b"]) for p in data["pairs"])]:
        page.goto(url(out / name))
        expect(page.locator("body img")).to_have_count(0)
        expect(page.locator("body script:not([src])")).to_have_count(0)
        for seg in page.locator(".s[data-p]").all()[:6]:
            seg.hover()
    pair = data["pairs"][0]
    page.goto(url(out / pages.pair_url(pair["a"], pair["b"])))
    expect(page.get_by_text(HOSTILE[0]).first).to_be_visible()
    expect(page.get_by_text(HOSTILE[1]).first).to_be_visible()
    page.locator(".s[data-p]").first.click()
    shot(page, "hostile-pair")
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
    assert page.locator(".top").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(30, 41, 59)"
    page.keyboard.press("j")
    expect(page.locator('.pane[data-side="right"] .s[data-p~="1"]').first).to_have_class(CUR)
    shot(page, "compare")
    watched.clean()


def test_document_and_template_pages(watched, tmp_path):
    out = write_report(mini_result(), tmp_path / "mini")
    page = watched.page
    page.goto(url(out / "templates.html"))
    expect(page.locator(".tpl")).to_have_count(1)
    expect(page.locator(".variants .s.d-replace").first).to_be_visible()
    shot(page, "mini-templates")

    page.goto(url(out / pages.doc_url("甲.txt")))
    expect(page.locator(".sources li")).to_have_count(2)
    expect(page.locator("h1")).to_have_text("甲.txt")
    shot(page, "mini-doc")
    page.locator(".s[data-p]", has_text="过去一年").first.click()  # goes to the pair, at that passage
    page.wait_for_url(re.compile(re.escape(pages.pair_url("甲.txt", "乙.txt")) + r"#p\d+$"))
    n = page.url.rsplit("#p", 1)[1]
    expect(page.locator(f'.pchip[data-goto="{n}"]')).to_have_class(CUR)
    expect(page.locator(f'.pane[data-side="left"] .s[data-p~="{n}"]').first).to_contain_text("过去一年")
    shot(page, "mini-pair")

    page.goto(url(out / pages.doc_url("丙 <b>.txt")))
    expect(page.locator("h1")).to_have_text("丙 <b>.txt")
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    watched.clean()
