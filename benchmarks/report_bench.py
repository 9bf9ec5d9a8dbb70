"""How fast a report reads in a browser: first paint of index.html and a filter applied, in headless Chromium.

    python benchmarks/report_bench.py REPORT_FOLDER [--runs 5]

REPORT_FOLDER is what ``reuse scan`` wrote (say ``reuse scan
benchmarks/out/cpcnews -o /tmp/cpcnews_report``). Each run opens index.html
in a new browser context (Debian's ``/usr/bin/chromium`` through Playwright,
no network) and prints the medians of: first contentful paint; the tables
drawn (the page's own ``data-draw-ms``); a filter (去除套话复制比 at least
50 %) from the change event to the table redrawn and painted, and its own
filter-sort-draw time (``data-filter-ms``). The folder's size is printed too.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(folder: Path, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    index = (folder / "index.html").resolve().as_uri()
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(runs):
            ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(index)
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_function("performance.getEntriesByType('paint')"
                                   ".some(p => p.name === 'first-contentful-paint')")
            paint = page.evaluate("performance.getEntriesByType('paint')"
                                  ".find(p => p.name === 'first-contentful-paint').startTime")
            drawn = int(page.get_attribute("body", "data-draw-ms"))
            filtered = page.evaluate("""() => new Promise(done => {
                const s = document.getElementById('doc-min'); s.value = '0.5';
                const t0 = performance.now();
                s.dispatchEvent(new Event('change'));
                requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
            })""")
            inner = int(page.get_attribute("body", "data-filter-ms"))
            rows.append((paint, drawn, filtered, inner))
            ctx.close()
        browser.close()
    names = ("first_paint_ms", "tables_drawn_ms", "filter_painted_ms", "filter_sort_draw_ms")
    return {name: statistics.median(column) for name, column in zip(names, zip(*rows))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = measure(args.folder, args.runs)
    files = sum(1 for p in args.folder.rglob("*") if p.is_file())
    print(f"report folder: {folder_size(args.folder) / 1e6:.1f} MB in {files} files")
    print(f"first contentful paint {figures['first_paint_ms']:.0f} ms; tables drawn in "
          f"{figures['tables_drawn_ms']:.0f} ms; a filter applied and painted in {figures['filter_painted_ms']:.0f} ms "
          f"(filter, sort and draw {figures['filter_sort_draw_ms']:.0f} ms); medians of {args.runs}")


if __name__ == "__main__":
    main()
