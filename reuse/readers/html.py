"""HTML (.html, .htm): the visible text, one line per block.

The bytes are decoded first (byte-order mark, then a ``<meta charset>`` in
the first 4 KB, then the plain-text detector), so the text and its offsets
are the same whatever the parser would have guessed. The page is parsed with
lexbor (selectolax), a complete HTML5 parser, and walked without recursion so
a hostile page nested 100,000 deep is as easy as a flat one.
"""

from __future__ import annotations

import codecs
import re

from reuse.readers.common import FileText, Unreadable
from reuse.readers.text import decode

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)

SKIP = frozenset({
    "head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "audio", "video", "select", "button", "input", "textarea", "map",
})
"""Elements whose content a reader does not see as text."""

BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "br",
})
"""Elements that start a new line (cells too, so each cell is its own paragraph)."""

_SPACES = re.compile(r"[ \t\n\r\f]+")

MAX_DEPTH = 5000
"""Deepest nesting read. Tree building is quadratic in depth (every start tag
scans the stack of open elements), so a hostile page of 200,000 nested divs
would take minutes; real pages stay under a few hundred."""

_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
_NO_DEPTH = frozenset({
    # void elements, and those whose end tag may be left out (the parser closes them)
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rb", "rt",
    "rp", "rtc", "html", "head", "body",
})


def read_html(data: bytes, *, encoding: str | None = None) -> FileText:
    """The visible text of an HTML page.

    >>> read_html(b"<p>Hello <b>world</b></p><script>x()</script><p>Two</p>").text
    'Hello world\\nTwo'
    """
    # the page's own word is a hint, not a verdict: pages saved as UTF-8 often still say gb2312
    text, used = decode(data, encoding, hint=None if encoding else _declared(data))
    return FileText(visible_text(text), used, "html", published(text))


_PUBLISHED = re.compile(
    r"<meta\b[^>]*?(?:name|property|itemprop)\s*=\s*[\"']?(?:date|pubdate|publishdate|publish_date|"
    r"article:published_time|datePublished|dc\.date|dcterms\.created)[\"']?[^>]*>|<time\b[^>]*\bdatetime\s*=[^>]*>",
    re.I,
)


def published(page: str) -> str | None:
    """The publication date a page's ``<meta>`` or ``<time datetime>`` gives, as YYYY-MM-DD.

    >>> published('<meta property="article:published_time" content="2020-11-28T08:00:00+08:00">')
    '2020-11-28'
    >>> published('<p>2020-11-28</p>') is None
    True
    """
    from reuse.dates import date_in

    for m in _PUBLISHED.finditer(page[:200_000]):
        value = re.search(r"(?:content|datetime)\s*=\s*[\"']?([^\"'>]+)", m.group(), re.I)
        if value and (found := date_in(value.group(1))):
            return found
    return None


def _declared(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB, when there is no BOM and Python knows it."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    m = _META.search(data[:4096])
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # a meta tag read as ASCII cannot be UTF-16 (HTML5 reads it as UTF-8)
    # legacy charsets are read as the supersets browsers use for them
    return {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "iso8859-1": "cp1252"}.get(name, name)


def visible_text(html: str) -> str:
    """What a browser shows of ``html`` as plain text: blocks on their own lines.

    Whitespace inside a block collapses to one space, as a browser renders it,
    except inside ``<pre>``. Hidden elements (``hidden``, ``aria-hidden``,
    ``display:none``) are left out.
    """
    from selectolax.lexbor import LexborHTMLParser

    if _depth(html) > MAX_DEPTH:
        raise Unreadable(f"HTML nested over {MAX_DEPTH:,} elements deep (a broken or hostile page); not read")
    try:
        root = LexborHTMLParser(html).root
    except Exception as err:  # lexbor refuses very few inputs; say which
        raise Unreadable(f"cannot parse the HTML ({type(err).__name__}: {err})") from err
    lines: list[str] = []
    line: list[str] = []
    pre = 0

    def newline() -> None:
        text = "".join(line)
        if not pre:
            text = _SPACES.sub(" ", text).strip()
        if text.strip():
            lines.append(text)
        line.clear()

    node = root
    while node is not None:
        tag = node.tag
        entering = True
        if tag == "-text":
            line.append(node.text_content or "")
        elif node.is_element_node and tag not in SKIP and not _hidden(node):
            if tag in BLOCK:
                newline()
            if tag in ("pre", "textarea", "listing", "plaintext"):
                pre += 1
                newline()
        else:
            entering = False
        # depth first, without recursion: down, else right, else up and right
        child = node.child if entering and tag != "-text" else None
        if child is not None:
            node = child
            continue
        while node is not None:
            if node.is_element_node and node.tag not in SKIP and not _hidden(node):
                if node.tag in BLOCK:
                    newline()
                if node.tag in ("pre", "textarea", "listing", "plaintext"):
                    newline()
                    pre -= 1
            if node.mem_id == root.mem_id:
                node = None
                break
            if node.next is not None:
                node = node.next
                break
            node = node.parent
    newline()
    return "\n".join(lines)


def _depth(html: str) -> int:
    """The deepest nesting of elements that need an end tag, from the tags alone (linear time).

    >>> _depth("<div><div><p>x</div><span>y</span></div>"), _depth("<ul><li>a<li>b</ul>")
    (2, 1)
    """
    depth = deepest = 0
    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if name in _NO_DEPTH or m.group(3):
            continue
        if m.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _hidden(node) -> bool:
    attrs = node.attributes
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style
