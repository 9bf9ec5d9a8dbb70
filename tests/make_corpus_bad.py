"""Write tests/corpus_bad/: one file of each kind reuse must skip, and good copies of a seed.

Run ``python tests/make_corpus_bad.py`` to regenerate the folder (the output is
committed; every byte is reproducible: seeded randomness, fixed zip times).

Good files, all the same text (the start of seeds/000_*.txt) read seven ways:
    seed_utf8.txt, seed_utf8_bom.txt, seed_gbk.txt, seed_utf16.txt (BOM),
    seed_big5.txt (traditional characters, via OpenCC s2tw), seed.docx (with
    a table in the middle), seed.html (with scripts, styles and navigation
    around the text); and notes.pdf (English; needs reuse-detector[pdf]).

Bad files, each skipped with its reason while the scan goes on:
    binary.txt        an image's bytes with NULs
    word_file.txt     a .docx zip named .txt
    undecodable.txt   random high bytes: no encoding gives sensible text
    broken_bom.txt    a UTF-8 byte-order mark, then bytes that are not UTF-8
    empty.txt         0 bytes
    blank.md          whitespace only
    no_text.html      only scripts, styles and comments
    empty.docx        a Word document with no text
    fake.docx         plain text named .docx
    damaged.pdf       a PDF header, then garbage
    scanned.pdf       a valid PDF with no text layer
    loop.txt          a symlink to itself
    dangling.txt      a symlink to a file that does not exist

Cases that git cannot hold are made by the tests in a temporary folder:
an unreadable file, a FIFO, a folder symlink loop, a file over the size limit,
a huge single-line file.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus_bad"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)

GOOD = ("seed_utf8.txt", "seed_utf8_bom.txt", "seed_gbk.txt", "seed_utf16.txt", "seed_big5.txt", "seed.docx",
        "seed.html", "notes.pdf")
BAD = ("binary.txt", "word_file.txt", "undecodable.txt", "broken_bom.txt", "empty.txt", "blank.md", "no_text.html",
       "empty.docx", "fake.docx", "damaged.pdf", "scanned.pdf", "loop.txt", "dangling.txt")


def seed_excerpt(limit: int = 2500) -> str:
    """The first paragraphs of seeds/000_*.txt, up to about ``limit`` characters."""
    text = next((ROOT / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    lines, size = [], 0
    for line in text.splitlines():
        if size > limit:
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None, *, table_at: int = 0) -> bytes:
    """A .docx holding ``paragraphs``, with ``table`` (rows of cells) inserted before paragraph ``table_at``."""
    import docx

    document = docx.Document()
    for n, para in enumerate(paragraphs):
        if table and n == table_at:
            grid = document.add_table(rows=len(table), cols=max(len(r) for r in table))
            for i, row in enumerate(table):
                for j, cell in enumerate(row):
                    grid.cell(i, j).text = cell
        document.add_paragraph(para)
    fixed = datetime.datetime(*FIXED_TIME)
    document.core_properties.created = document.core_properties.modified = fixed
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member times, so regenerating changes no byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Latin-1 text, Helvetica); no lines: no text layer."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = ("BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({esc(s)}) '" for s in lines) + " ET") if lines else ""
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_html(paragraphs: list[str], title: str = "") -> str:
    """A page as a template site saves it: head, navigation, scripts and styles around the paragraphs."""
    body = "\n".join(f"    <p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <style>body {{ font-family: serif; }} .ad {{ display: none; }}</style>
  <script>window.dataLayer = window.dataLayer || []; function track() {{ return "不是正文"; }}</script>
</head>
<body>
  <nav style="display:none">首页 | 范文 | 登录</nav>
  <div class="article">
{body}
  </div>
  <div hidden>隐藏的广告文字</div>
  <script>track();</script>
  <noscript>请启用脚本</noscript>
</body>
</html>
"""


def build(folder: Path = CORPUS) -> None:
    """Write every file of the corpus into ``folder`` (created if needed)."""
    import opencc

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(6)
    text = seed_excerpt()
    paras = text.splitlines()
    files: dict[str, bytes] = {
        "seed_utf8.txt": text.encode("utf-8"),
        "seed_utf8_bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "seed_gbk.txt": text.encode("gbk"),
        "seed_utf16.txt": text.encode("utf-16"),  # with a BOM, in the machine's byte order
        "seed_big5.txt": opencc.OpenCC("s2tw").convert(text).encode("big5"),
        "seed.docx": make_docx(paras[:3] + paras[6:], [[paras[3]], [paras[4]], [paras[5]]], table_at=3),
        "seed.html": make_html(paras, title=paras[1]).encode("utf-8"),
        "notes.pdf": make_pdf([
            "Minutes of the planning meeting held in the second week of March.",
            "The committee reviewed the budget and agreed to publish the draft report.",
            "Every department will send its comments to the secretary before the next meeting.",
        ]),
        "binary.txt": b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(504)),
        "word_file.txt": make_docx(["这是一个被改成 .txt 扩展名的 Word 文档。"]),
        "undecodable.txt": bytes(rng.randrange(0x80, 0x100) for _ in range(512)),
        "broken_bom.txt": b"\xef\xbb\xbf" + "开头是好的".encode("utf-8") + b"\xff\xfe\xfa\xfb" + b" then junk\n",
        "empty.txt": b"",
        "blank.md": b"  \n\n\t \r\n   \n",
        "no_text.html": b"<html><head><style>p{}</style></head><body><script>var x = '\xe4\xb8\xad';</script>"
                        b"<!-- only a comment --></body></html>\n",
        "empty.docx": make_docx([]),
        "fake.docx": "这个文件只是改了扩展名的纯文本。\n".encode("utf-8"),
        "damaged.pdf": b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(256)),
        "scanned.pdf": make_pdf([]),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for name, target in (("loop.txt", "loop.txt"), ("dangling.txt", "no_such_file.txt")):
        link = folder / name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(target, link)


if __name__ == "__main__":
    build()
    print(f"wrote {len(GOOD) + len(BAD)} files to {CORPUS}")
