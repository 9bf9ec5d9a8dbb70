"""Stage 1: reading files of every format and encoding into Documents."""

from __future__ import annotations

import codecs
import io
import sys

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import make_doc, seed_text
from make_corpus_bad import make_docx, make_html, make_pdf

import reuse.segment as segment_module

from reuse.errors import ConfigError
from reuse.readers import EXTENSIONS, Unreadable, format_of, read
from reuse.readers.html import visible_text
from reuse.readers.text import decode
from reuse.config import Settings
from reuse.ingest import discover, document, ingest, label

SEED = seed_text("000")[:3000]
TRAD = opencc.OpenCC("s2tw").convert(SEED)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(SEED.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + SEED.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
        pytest.param(SEED.encode("utf-16"), "utf-16", id="utf-16-bom"),
        pytest.param(codecs.BOM_UTF16_BE + SEED.encode("utf-16-be"), "utf-16", id="utf-16-be-bom"),
        pytest.param(SEED.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param(SEED.encode("utf-32"), "utf-32", id="utf-32-bom"),
        pytest.param(SEED.encode("gbk"), "gb18030", id="gbk"),
        pytest.param((SEED + "\n㐀䶵𠀀").encode("gb18030"), "gb18030", id="gb18030-beyond-gbk"),
        pytest.param(SEED[:40].encode("gbk"), "gb18030", id="gbk-short"),
    ],
)
def test_decode_chinese(data, encoding):
    text, used = decode(data)
    assert used == encoding
    assert text.startswith(SEED[:40])


@pytest.mark.parametrize("size", [40, 400, 3000], ids=lambda n: f"{n}-chars")
def test_decode_big5(size):
    """Big5 bytes are also valid GBK; the detector and the plausibility check must not read them as GBK."""
    text, used = decode(TRAD[:size].encode("big5"))
    assert used == "big5hkscs"
    assert text == TRAD[:size]


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        pytest.param("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。", "shift_jis", id="shift-jis"),
        pytest.param("吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。", "euc_jp", id="euc-jp"),
        pytest.param("대한민국은 민주공화국이다. 모든 권력은 국민으로부터 나온다.", "cp949", id="korean"),
        pytest.param("Съешь же ещё этих мягких французских булок, да выпей чаю.", "cp1251", id="cyrillic"),
        pytest.param("“Smart quotes” and an em dash — in a Windows file, café.", "cp1252", id="cp1252"),
    ],
)
def test_decode_other_scripts(text, codec):
    assert decode(text.encode(codec))[0] == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary", id="png"),
        pytest.param(b"%PDF-1.4\n\x00\x01\x02", "name it .pdf", id="pdf-named-txt"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00", "name it .docx", id="zip-named-txt"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "save it as .docx", id="old-doc"),
        pytest.param(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "binary", id="control-bytes"),
        pytest.param(codecs.BOM_UTF8 + b"ok\xff\xfe", "byte-order mark", id="broken-bom"),
        pytest.param(bytes(range(0x80, 0x100)) * 3, "pass --encoding", id="undecodable"),
    ],
)
def test_decode_refuses(data, reason):
    with pytest.raises(Unreadable, match=reason):
        decode(data)


def test_decode_random_high_bytes_is_not_gb18030():
    """Strict GB18030 decodes almost anything; random bytes must still be refused."""
    import random

    rng = random.Random(0)
    for _ in range(20):
        data = bytes(rng.randrange(0x80, 0x100) for _ in range(400))
        with pytest.raises(Unreadable):
            decode(data)


def test_forced_encoding():
    assert decode(SEED.encode("big5", "replace"), "big5")[1] == "big5"
    assert decode(codecs.BOM_UTF8 + b"abc", "utf-8") == ("abc", "utf-8-sig")
    with pytest.raises(Unreadable, match="not valid utf-8"):
        decode(SEED.encode("gbk"), "utf-8")
    with pytest.raises(Unreadable, match="read as utf-16 it is not text"):
        decode(SEED.encode("utf-8"), "utf-16")
    with pytest.raises(Unreadable, match="read as latin-1 it is not text"):
        decode(SEED.encode("utf-8"), "latin-1")


def test_unknown_forced_encoding_is_a_config_error(tmp_path):
    make_doc(tmp_path, "a.txt", "文本")
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        ingest([tmp_path], encoding="klingon")


def test_forced_encoding_from_settings_reaches_files(tmp_path):
    make_doc(tmp_path, "a.txt", "黨的建設", encoding="big5")
    docs, _ = ingest([tmp_path], encoding=Settings(encoding="big5").encoding)
    assert (docs[0].text, docs[0].encoding) == ("黨的建設", "big5")


def test_rtf_is_refused():
    with pytest.raises(Unreadable, match="RTF"):
        read(b"{\\rtf1\\ansi hello}", "text")


def test_html_visible_text_keeps_blocks_drops_scripts():
    html = """<html><head><title>Title</title><style>p { color: red }</style>
    <script>var hidden = "script text";</script></head>
    <body><h1>Heading</h1><p>First   paragraph
    with <b>bold</b> &amp; entities&nbsp;here.</p>
    <div hidden>hidden div</div><p style="display: none">invisible</p><span aria-hidden="true">icon</span>
    <ul><li>one<li>two</ul><table><tr><td>cell 1<td>cell 2</tr></table>
    line<br>break<pre>  keep
  spaces</pre><!-- a comment --><noscript>enable js</noscript><template><p>tpl</p></template>tail</body></html>"""
    assert visible_text(html).split("\n") == [
        "Heading", "First paragraph with bold & entities\xa0here.", "one", "two", "cell 1", "cell 2",
        "line", "break", "  keep", "  spaces", "tail",
    ]


def test_html_deeply_nested_does_not_recurse():
    assert visible_text("<div>" * 4000 + "deep" + "</div>" * 4000) == "deep"
    assert visible_text("<li>x" * 50_000) == "\n".join(["x"] * 50_000)  # unclosed, but never deep


def test_html_nested_too_deep_is_refused_quickly():
    """lexbor builds deep trees in quadratic time; a hostile page is refused before parsing."""
    import time

    start = time.perf_counter()
    with pytest.raises(Unreadable, match="nested over 5,000 elements deep"):
        read(b"<div>" * 200_000 + b"x", "html")
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param('<meta charset="gbk"><p>党的建设</p>'.encode("gbk"), "gb18030", id="declared-gbk"),
        pytest.param('<meta charset="gb2312"><p>党的建设</p>'.encode("utf-8"), "utf-8", id="declared-wrongly"),
        pytest.param('<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>黨的建設</p>'.encode("big5"),
                     "big5hkscs", id="http-equiv-big5"),
        pytest.param(codecs.BOM_UTF16_LE + "<p>党的建设</p>".encode("utf-16-le"), "utf-16", id="utf-16-bom"),
    ],
)
def test_html_encodings(data, encoding):
    got = read(data, "html")
    assert (got.text[-4:], got.encoding, got.format) == (got.text[-4:], encoding, "html")
    assert got.text.endswith(("党的建设", "黨的建設"))


def test_docx_paragraphs_and_tables_in_document_order():
    data = make_docx(["before", "after"], [["r1c1", "r1c2"], ["r2c1", "r2c2"]], table_at=1)
    got = read(data, "docx")
    assert (got.text.split("\n"), got.format) == (["before", "r1c1", "r1c2", "r2c1", "r2c2", "after"], "docx")


def test_docx_merged_and_nested_cells_read_once():
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "top"
    table.cell(0, 1).text = "right"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "merged"
    nested = table.cell(0, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "n1", "n2"
    raw = io.BytesIO()
    document.save(raw)
    lines = [x for x in read(raw.getvalue(), "docx").text.split("\n") if x]
    assert lines == ["top", "right", "n1", "n2", "merged"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"just text", "not a zip archive", id="text"),
        pytest.param(b"PK\x03\x04 broken", "damaged .docx", id="broken-zip"),
        pytest.param(b"%PDF-1.4", "name it .pdf", id="pdf"),
    ],
)
def test_docx_refuses(data, reason):
    with pytest.raises(Unreadable, match=reason):
        read(data, "docx")


def test_docx_zip_without_document_and_zip_bomb():
    import zipfile

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(Unreadable, match="not a Word document"):
        read(raw.getvalue(), "docx")
    from reuse.readers.docx import read_docx

    with pytest.raises(Unreadable, match="unpacks to .* limit"):
        read_docx(make_docx(["x" * 1000]), max_unpacked=1000)
    with pytest.raises(Unreadable, match="zip bomb"):
        read_docx(make_docx(["x" * 1000]), max_xml=1000)


def test_pdf_text_layer():
    pytest.importorskip("pypdf")
    got = read(make_pdf(["First line of the page.", "Second (with parens)."]), "pdf")
    assert got.format == "pdf"
    assert "First line of the page." in got.text and "Second (with parens)." in got.text


def test_pdf_refuses_damaged():
    pytest.importorskip("pypdf")
    with pytest.raises(Unreadable, match="damaged PDF"):
        read(b"%PDF-1.4\n" + bytes(range(256)), "pdf")


def test_pdf_without_the_extra_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pypdf", None)  # import pypdf now raises ImportError
    (tmp_path / "a.pdf").write_bytes(make_pdf(["Some text."]))
    make_doc(tmp_path, "b.txt", "文本")
    docs, skipped = ingest([tmp_path])
    assert [d.id for d in docs] == ["b.txt"]
    assert skipped[0].reason == "reading PDF needs pypdf: pip install 'reuse-detector[pdf]'"


def test_formats_recorded_on_documents(tmp_path):
    pytest.importorskip("pypdf")
    make_doc(tmp_path, "a.txt", SEED, encoding="gbk")
    make_doc(tmp_path, "b.md", "# 标题\n正文")
    (tmp_path / "c.docx").write_bytes(make_docx(["文档"]))
    (tmp_path / "d.html").write_bytes(make_html(["网页"]).encode("utf-8"))
    (tmp_path / "e.htm").write_bytes(make_html(["网页"]).encode("gbk").replace(b"utf-8", b"gbk"))
    (tmp_path / "f.pdf").write_bytes(make_pdf(["PDF text"]))
    docs, skipped = ingest([tmp_path])
    assert not skipped
    assert [(d.id, d.format, d.encoding) for d in docs] == [
        ("a.txt", "text", "gb18030"),
        ("b.md", "text", "utf-8"),
        ("c.docx", "docx", "utf-8"),
        ("d.html", "html", "utf-8"),
        ("e.htm", "html", "gb18030"),
        ("f.pdf", "pdf", "text layer"),
    ]
    assert docs[3].text == docs[4].text == "网页"


def test_default_extensions_cover_every_format():
    assert set(Settings().extensions) == set(EXTENSIONS) >= {".txt", ".md", ".docx", ".html", ".htm", ".pdf"}
    assert [format_of(f"x{e}") for e in (".txt", ".md", ".docx", ".HTML", ".htm", ".pdf", ".log")] == [
        "text", "text", "docx", "html", "html", "pdf", "text"]


def test_extensions_without_dots(tmp_path):
    make_doc(tmp_path, "a.TXT", "文本")
    make_doc(tmp_path, "b.md", "文本")
    assert [d.id for d in ingest([tmp_path], extensions=("txt",))[0]] == ["a.TXT"]


def test_offsets_refer_to_the_extracted_text(tmp_path):
    """Paragraph spans index Document.text, whatever the bytes looked like."""
    (tmp_path / "a.html").write_text("<p>第一段。</p>\n\n<div><p>第二段，  有空格。</p></div>", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(SEED.encode("utf-16"))
    for doc in ingest([tmp_path])[0]:
        assert doc.paragraphs
        for span in doc.paragraphs + doc.sentences:
            piece = doc.text[span.start:span.end]
            assert piece and piece == piece.strip()
    html = ingest([tmp_path / "a.html"])[0][0]
    assert [html.text[s.start:s.end] for s in html.paragraphs] == ["第一段。", "第二段， 有空格。"]


def test_document_builds_from_memory():
    doc = document("同志们：\n今天开会。 Hello world.", "mem", encoding="none", format="text")
    assert (doc.id, doc.path, doc.chars, len(doc.paragraphs)) == ("mem", "mem", 20, 2)


def test_ids_relative_to_each_folder_and_made_unique(tmp_path):
    a = make_doc(tmp_path, "one/doc.txt", "第一份文件")
    b = make_doc(tmp_path, "two/doc.txt", "第二份文件")
    c = make_doc(tmp_path, "three/doc.txt", "第三份文件")
    docs, skipped = ingest([a, b, c])
    assert [d.id for d in docs] == ["doc.txt", "doc.txt~2", "doc.txt~3"]
    assert [d.text for d in docs] == ["第一份文件", "第二份文件", "第三份文件"]
    assert not skipped


def test_same_file_named_twice_is_read_once(tmp_path):
    a = make_doc(tmp_path, "a.txt", "文本")
    docs, skipped = ingest([a, tmp_path])
    assert [d.id for d in docs] == ["a.txt"]
    assert skipped[0].reason == "named twice; read once"


def test_unknown_extension_read_only_when_named(tmp_path):
    log = make_doc(tmp_path, "notes.log", "日志文本")
    make_doc(tmp_path, "a.txt", "文本")
    assert [d.id for d in ingest([tmp_path])[0]] == ["a.txt"]
    assert [d.id for d in ingest([log])[0]] == ["notes.log"]


def test_hidden_files_and_folders_are_passed_over(tmp_path):
    make_doc(tmp_path, ".hidden.txt", "隐藏")
    make_doc(tmp_path, ".git/x.txt", "隐藏")
    make_doc(tmp_path, "a.txt", "文本")
    found, _ = discover([tmp_path], EXTENSIONS)
    assert [f.id for f in found] == ["a.txt"]


def test_label_makes_names_printable():
    assert label("a\nb\x1b.txt") == "a\\x0ab\\x1b.txt"
    assert label("正常.txt") == "正常.txt"


def test_undecodable_file_name(tmp_path):
    import os

    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_bytes("文本".encode())
    docs, _ = ingest([tmp_path])
    assert docs[0].id == "caf\\xe9.txt"
    docs[0].id.encode("utf-8")  # printable and encodable, unlike the surrogate-escaped name


def test_utf8_cut_inside_its_last_character_is_still_utf8():
    from reuse.readers.text import decode

    data = "巩固深化主题教育成果".encode("utf-8")
    text, name = decode(data[:-1])
    assert (text, name) == ("巩固深化主题教育成", "utf-8")


def _english_sentences() -> list[str]:
    import re
    from pydoc_data.topics import topics

    text = " ".join(topics[name] for name in ("if", "while", "class", "assignment", "try"))
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if 40 < len(s) < 300 and s.isascii()]


ENGLISH = _english_sentences()
GB_MARKS = ("“", "”", "‘", "’", "—", "…", "——", "，", "ｅ", "＂")


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, len(ENGLISH) - 12), count=st.integers(1, 10),
       marks=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(GB_MARKS)), min_size=1, max_size=6))
def test_english_in_gb18030_with_a_few_curly_quotes_and_dashes_is_gb18030(start, count, marks):
    """English text saved as GB18030 with a few two-byte characters is not read as Korean or a Cyrillic code page."""
    text = " ".join(ENGLISH[start: start + count])
    for at, mark in sorted(marks, reverse=True):
        i = text.find(" ", int(at * len(text)))
        i = len(text) if i < 0 else i
        text = f"{text[:i]} {mark}{text[i:]}"
    assert decode(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize("text", [
    pytest.param("It said “yes” — and then… nothing at all, not a word more.", id="quotes-dash-ellipsis"),
    pytest.param("The value ’s name is ｅｑｕａｌ to the other one, as the manual says.", id="full-width"),
])
def test_short_english_in_gb18030_is_gb18030(text):
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_files_resolve_through_their_folders_as_path_resolve_does(tmp_path):
    from reuse.ingest import _resolved

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(real)
    (real / "sub" / "b.txt").symlink_to(real / "sub" / "a.txt")
    (real / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    folders = {}
    for path in [tmp_path / "link" / "sub" / "a.txt", tmp_path / "link" / "sub" / "b.txt", real / "sub" / "a.txt",
                 tmp_path / "link" / "dangling.txt", tmp_path / "link" / "sub" / "gone.txt"]:
        assert _resolved(path, folders) == str(path.resolve())


@pytest.mark.parametrize("at_once", [segment_module.AT_ONCE, 1500])
def test_read_many_reads_each_file_as_read_or_skip_does(tmp_path, monkeypatch, at_once):
    """Batch reading gives the documents and reasons one-by-one reading gives, long texts cut the plain way."""
    from reuse.ingest import discover, read_many, read_or_skip

    monkeypatch.setattr(segment_module, "AT_ONCE", at_once)
    for name in ("000", "001", "002"):
        make_doc(tmp_path, f"{name}.txt", seed_text(name))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\u3000\n", encoding="utf-8")
    found, _ = discover([str(tmp_path)], (".txt",))
    got = read_many(found)
    assert got == [read_or_skip(item) for item in found]
    assert sum(doc is not None for doc, _ in got) == 3 and sum(why is not None for _, why in got) == 2
    assert any(len(doc.text) > at_once for doc, _ in got if doc is not None) == (at_once == 1500)


def test_discover_reads_each_real_file_once_as_path_resolve_tells_them_apart(tmp_path):
    """Files reached twice (a folder symlink, a file symlink, a file named again) are read once, as resolving
    every path would decide; the ids are the paths relative to the folder named."""
    from reuse.ingest import discover

    tree = tmp_path / "tree"
    (tree / "sub" / "deep").mkdir(parents=True)
    for rel in ("a.txt", "sub/b.txt", "sub/deep/c.txt", "sub/deep/d.md"):
        (tree / rel).write_text(rel, encoding="utf-8")
    (tree / "sub" / "deep" / "link.txt").symlink_to(tree / "a.txt")
    (tree / "zlink").symlink_to(tree / "sub", target_is_directory=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "e.txt").write_text("e", encoding="utf-8")
    (tree / "sub" / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    found, skipped = discover([tree, tree / "sub" / "b.txt", tmp_path / "outside"], (".txt",))
    # the plain rule: walk order (zlink is sub, already read), each path resolved on its own, the first of a
    # real file kept
    seen, want = set(), []
    walked = [tree / "a.txt", tree / "sub/b.txt", tree / "sub/deep/c.txt", tree / "sub/deep/link.txt",
              tree / "sub/out/e.txt", tree / "sub/b.txt", tmp_path / "outside/e.txt"]
    for path in walked:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            want.append(path)
    assert [f.path for f in found] == want
    assert [f.id for f in found] == ["a.txt", "sub/b.txt", "sub/deep/c.txt", "sub/out/e.txt"]
    assert sorted(s.reason for s in skipped) == ["named twice; read once"] * (len(walked) - len(want)) + [
        "symlink loop: this folder was already read"]
