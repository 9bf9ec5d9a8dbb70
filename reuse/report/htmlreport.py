"""The HTML report: Jinja2 pages (``report/jinja/``) fed by ``pages``, written as a self-contained folder.

The folder opens from ``file://`` with no network: report.css and report.js
are copied in with content-hash names (coverage's ``copy_with_cache_bust``),
so a browser never mixes a new page with an old cached script. Every page
carries a Content-Security-Policy that allows only the folder's own files.
All document text in a page goes through Jinja2 autoescaping, so a document
holding ``<script>`` shows it as text; the data files the browser draws the
overview's tables and the side-by-side views from (``data/``) are JSON
inside a function call, and report.js puts their text on the page with
``textContent`` only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reuse.model import Result
from reuse.report import overview, pages, pairview, words
from reuse.report.pages import Corpus, Options

CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
"""For a report folder. Chromium treats other file:// files as 'self'."""


@dataclass(frozen=True)
class Assets:
    """How a page gets its CSS and JS: file names in the folder, or inlined text."""

    csp: str
    css: str | None = None
    js: str | None = None
    css_inline: str | None = None
    js_inline: str | None = None


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of a file shipped in reuse/report/static/."""
    return resources.files("reuse.report").joinpath("static", name).read_text(encoding="utf-8")


def cache_busted(name: str) -> str:
    """``report.css`` → ``report_cb_<8 hex>.css``, named after its content.

    >>> cache_busted("report.css").startswith("report_cb_")
    True
    """
    stem, ext = os.path.splitext(name)
    digest = hashlib.sha256(static_text(name).encode("utf-8")).hexdigest()[:8]
    return f"{stem}_cb_{digest}{ext}"


def folder_assets() -> Assets:
    return Assets(CSP, css=cache_busted("report.css"), js=cache_busted("report.js"))


def inline_assets() -> Assets:
    """CSS and JS inside the page, for a single file that works on its own."""
    css, js = static_text("report.css"), static_text("report.js")
    # our own files, never document text: they must not end their element early
    assert "</style" not in css.lower() and "</script" not in js.lower()
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return Assets(csp, css_inline=css, js_inline=js)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reuse.report", "jinja"),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["percent"] = pages.percent
    env.filters["level"] = pages.level
    env.filters["direction"] = lambda way: words.DIRECTIONS.get(way or "similar", words.DIRECTIONS["similar"])
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def _version(result: Result) -> str:
    return str(result.params.get("reuse") or "unknown")


def render(template: str, *, assets: Assets, result: Result, **context) -> str:
    """One page as text."""
    return environment().get_template(template).render(assets=assets, version=_version(result), **context)


def _write(path: Path, text: str) -> None:
    # errors="backslashreplace": a lone surrogate from odd input must not stop the report
    # (in a data file it becomes a \uXXXX escape, which JavaScript reads back)
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
        fh.write(text)


def when() -> str:
    """检测时间: now, or ``SOURCE_DATE_EPOCH`` (UTC) when set, so a build can be reproduced byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def as_json(data: Any) -> str:
    """Compact JSON in a fixed order, as a data file holds it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def data_script(call: str, data: Any) -> str:
    """A data file: a call of ``call`` with ``data``, which report.js defines (file:// forbids fetch)."""
    return f"{call}({as_json(data)});\n"


def inline_json(data: Any) -> str:
    """JSON to sit inside a <script type="application/json"> element: no "<" can end it early."""
    return as_json(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class PairShell:
    """pair.html: the frame the browser draws a side-by-side view into."""

    title: str
    info: pages.ReportInfo
    index_url: str | None = pages.INDEX
    inline_data: str | None = None


def write_html(result: Result, folder: Path, options: Options | None = None, *, part: int = 0,
               parts: int = 1) -> None:
    """Write the HTML report into ``folder``: pages, their assets and the data the browser draws from.

    index.html, templates.html, clusters.html and pair.html (one page that
    shows any pair), data/index.js (every row of the overview's tables), a
    page per document and, per document of a pair with copying,
    data/<page>.js (its text and the side-by-side views it is the left side
    of). With ``parts`` > 1 this writes one share: part 0 the assets and the
    single pages, and each part every ``parts``-th document's page and data,
    so processes side by side write the whole report.
    """
    folder = Path(folder)
    options = options or Options(when=when())
    corpus = Corpus(result, options)
    assets = folder_assets()
    (folder / pages.DATA).mkdir(exist_ok=True)
    if part == 0:
        for name, target in (("report.css", assets.css), ("report.js", assets.js)):
            _write(folder / target, static_text(name))
        _write(folder / pages.INDEX, render("index.html", assets=assets, result=result,
                                            page=overview.index_page(corpus)))
        _write(folder / overview.INDEX_DATA, data_script("reuseIndex", overview.index_data(corpus)))
        _write(folder / pages.TEMPLATES,
               render("templates.html", assets=assets, result=result, page=pages.templates_page(corpus)))
        _write(folder / pages.CLUSTERS,
               render("clusters.html", assets=assets, result=result, page=pages.clusters_page(corpus)))
        _write(folder / pages.PAIR, render("pair.html", assets=assets, result=result,
                                           page=PairShell("两篇对照", pages.report_info(corpus))))
    mine = pairview.documents_of(corpus)[part::parts]
    views = pairview.report_views(corpus, set(mine))
    for doc_id in mine:
        data = pairview.doc_data(corpus, doc_id, views.get(doc_id, {}))
        _write(folder / pages.data_file(doc_id), data_script("reuseDoc", data))
    for dpage in pages.doc_pages(corpus, part, parts):
        _write(folder / dpage.url, render("doc.html", assets=assets, result=result, page=dpage))


def render_compare(result: Result, a: str, b: str) -> str:
    """The side-by-side view of documents ``a`` (left) and ``b`` (right) as one standalone HTML file."""
    corpus = Corpus(result, Options(when=when()))
    view = pairview.pair_view(corpus, a, b)
    data = {"a": view["left"], "b": view["right"],
            "docs": [pairview.doc_data(corpus, a, {view["right"]: view}, link=False),
                     pairview.doc_data(corpus, b, {}, link=False)]}
    shell = PairShell(f"{a} ↔ {b}", pages.report_info(corpus), index_url=None, inline_data=inline_json(data))
    return render("pair.html", assets=inline_assets(), result=result, page=shell)


def write_compare(result: Result, a: str, b: str, path: str | os.PathLike) -> Path:
    """Write the standalone pair page of ``a`` and ``b`` to ``path`` (whose folder must exist).

    The page is written beside ``path`` under a name carrying this process's
    id and moved over it when complete, so an interrupted write leaves what
    was there; a killed one leaves its file, removed by the next write
    (``reuse.leftovers``). Where it may write is ``reuse.compare.output_for``'s
    decision.
    """
    from reuse import leftovers

    path = Path(path)
    leftovers.remove_dead(path.parent, path.name)
    tmp = path.parent / leftovers.owned_name(path.name, "tmp")
    try:
        _write(tmp, render_compare(result, a, b))
        os.replace(tmp, path)
    except OSError as err:
        from reuse.errors import OutputError
        from reuse.ingest import label

        raise OutputError(f"cannot write {label(path)}: {err.strerror or err}") from err
    finally:
        tmp.unlink(missing_ok=True)
    return path
