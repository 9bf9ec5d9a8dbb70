"""The HTML report: Jinja2 pages (``report/jinja/``) fed by ``pages``, written as a self-contained folder.

The folder opens from ``file://`` with no network: report.css and report.js
are copied in with content-hash names (coverage's ``copy_with_cache_bust``),
so a browser never mixes a new page with an old cached script. Every page
carries a Content-Security-Policy that allows only those two files; all
document text goes through Jinja2 autoescaping, so a document holding
``<script>`` shows it as text.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reuse.model import Result
from reuse.report import pages
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
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def _version(result: Result) -> str:
    return str(result.params.get("reuse") or "unknown")


def render(template: str, *, assets: Assets, result: Result, **context) -> str:
    """One page as text."""
    return environment().get_template(template).render(assets=assets, version=_version(result), **context)


def _write(path: Path, text: str) -> None:
    # errors="backslashreplace": a lone surrogate from odd input must not stop the report
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
        fh.write(text)


def write_html(result: Result, folder: Path, options: Options | None = None, *, part: int = 0,
               parts: int = 1) -> None:
    """Write index.html, templates.html, the pair and document pages and their assets into ``folder``.

    With ``parts`` > 1 this writes one share: part 0 the assets, index and
    templates pages, and each part every ``parts``-th pair and document
    page, so processes side by side write the whole report.
    """
    folder = Path(folder)
    corpus = Corpus(result, options or Options())
    assets = folder_assets()
    if part == 0:
        for name, target in (("report.css", assets.css), ("report.js", assets.js)):
            _write(folder / target, static_text(name))
        _write(folder / pages.INDEX, render("index.html", assets=assets, result=result, page=pages.index_page(corpus)))
        _write(folder / pages.TEMPLATES,
               render("templates.html", assets=assets, result=result, page=pages.templates_page(corpus)))
    for page in pages.pair_pages(corpus, part, parts):
        _write(folder / page.url, render("pair.html", assets=assets, result=result, page=page))
    for dpage in pages.doc_pages(corpus, part, parts):
        _write(folder / dpage.url, render("doc.html", assets=assets, result=result, page=dpage))


def render_compare(result: Result, a: str, b: str) -> str:
    """The pair page of documents ``a`` (left) and ``b`` (right) as one standalone HTML file."""
    corpus = Corpus(result, Options())
    page = pages.pair_page(corpus, a, b, index_url=None, links=False)
    return render("pair.html", assets=inline_assets(), result=result, page=page)


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
