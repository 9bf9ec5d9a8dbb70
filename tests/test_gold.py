"""Golden files: the rendered report of a tiny hand-built corpus, page by page.

The Result comes from tests/report_mini.py, built by hand, so detection
tuning never changes these files; only the report's own code does. Versions
and the ``_cb_`` content hashes of the assets are scrubbed.

On a mismatch the actual output is saved to tests/actual/mini/. When the
change is intended, accept it with:

    python -m pytest tests/test_gold.py --accept-gold

and review ``git diff tests/gold`` before committing (coverage's goldtest).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from report_mini import mini_result
from reuse.report import pages, write_report

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold" / "mini"
ACTUAL = HERE / "actual" / "mini"

PAGES = {
    "index.html": "index.html",
    "templates.html": "templates.html",
    "clusters.html": "clusters.html",
    "pair.html": "pair.html",
    "doc.html": pages.doc_url("丙 <b>.txt"),
    "doc-copied.html": pages.doc_url("甲.txt"),
    "index.js": "data/index.js",
    "doc-data.js": pages.data_file("乙.txt"),
    "report.json": "report.json",
    "pairs.csv": "pairs.csv",
}


def scrub(text: str) -> str:
    """Remove what changes from run to run or release to release."""
    text = re.sub(r"_cb_[0-9a-f]{8}", "_cb_HASH", text)
    text = re.sub(r"\breuse [0-9][^\s<\"]*", "reuse VERSION", text)
    text = re.sub(r'"(reuse|datasketch)": "[^"]*"', r'"\1": "VERSION"', text)
    return text


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 检测时间 in the pages' printed header
        return write_report(mini_result(), tmp_path_factory.mktemp("gold") / "mini")


@pytest.fixture
def accept(request) -> bool:
    return request.config.getoption("--accept-gold")


def _compare(name: str, actual: str, accept: bool) -> None:
    gold = GOLD / name
    if accept:
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text(actual, encoding="utf-8", newline="\n")
        return
    expected = gold.read_text(encoding="utf-8") if gold.exists() else ""
    if actual == expected:
        return
    ACTUAL.mkdir(parents=True, exist_ok=True)
    (ACTUAL / name).write_text(actual, encoding="utf-8", newline="\n")
    diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                             f"gold/mini/{name}", f"actual/mini/{name}"))[:60])
    pytest.fail(f"{name} differs from tests/gold/mini/{name} (actual saved in tests/actual/mini/; "
                f"accept with python -m pytest tests/test_gold.py --accept-gold):\n{diff}", pytrace=False)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_gold(report, name, accept):
    _compare(name, scrub((report / PAGES[name]).read_text(encoding="utf-8")), accept)


def test_file_list_matches_gold(report, accept):
    names = sorted(scrub(p.relative_to(report).as_posix()) for p in report.rglob("*") if p.is_file())
    _compare("files.txt", "\n".join(names) + "\n", accept)  # sorted once scrubbed: the hashes change
