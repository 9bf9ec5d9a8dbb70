"""Hypothesis drives the whole pipeline with hostile Unicode: it never crashes,
every passage slices back to its text in both documents, and the report is valid JSON."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from reuse.config import Settings
from reuse.readers import Unreadable, read
from reuse.readers.html import visible_text
from reuse.readers.text import decode
from reuse.ingest import document, ingest
from reuse.pipeline import scan_documents
from reuse.report.jsonreport import dumps, write_json

# modest by default so the suite stays fast; FUZZ_EXAMPLES=2000 for a long hunt
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of hostile text, mixed freely: any code point (lone surrogates and
# controls included), and runs from the scripts and marks that break naive code.
HOSTILE = st.one_of(
    st.characters(codec=None),  # anything, surrogates included
    st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"]),  # controls, bidi marks, odd spaces
    st.characters(categories=["Mn", "Me", "Mc"]),  # combining marks
    st.sampled_from("\u202e\u202d\u200f\u200e\u2066\u2069\ufeff\u200b\u00ad"),  # RTL override, BOM, ZWSP
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.sampled_from("。，！？\n\r\n\t  .,;:!?"),  # sentence and paragraph ends
)
TEXT = st.text(HOSTILE, max_size=300)
ANCHOR = "同一段共享的文字内容在两篇文件里都出现了。"
"""Appended to every shared string, so that two documents always share a passage worth reporting."""
SHARED = st.text(HOSTILE, min_size=1, max_size=400).map(lambda s: s + ANCHOR)
SMALL = Settings(min_length=4, shingle=2, max_gap=4)


def check(result) -> None:
    by_id = {d.id: d for d in result.documents}
    for p in result.passages:
        a, b = by_id[p.a], by_id[p.b]
        assert 0 <= p.a_start < p.a_end <= len(a.text)
        assert 0 <= p.b_start < p.b_end <= len(b.text)
        assert a.text[p.a_start:p.a_end] == p.a_text
        assert b.text[p.b_start:p.b_end] == p.b_text
    for entry in (*result.phrases, *result.clusters):
        for doc, start, end in entry.members:
            assert 0 <= start < end <= len(by_id[doc].text)
    report = json.loads(dumps(result))
    assert len(report["passages"]) == len(result.passages)
    assert len(report["phrases"]) == len(result.phrases) and len(report["clusters"]) == len(result.clusters)
    assert [d["id"] for d in report["documents"]] == sorted(by_id)


@FUZZ
@given(a_pre=TEXT, shared=SHARED, a_post=TEXT, b_pre=TEXT, b_post=TEXT, c=TEXT)
@example(a_pre="", shared="\ud800" * 50 + ANCHOR, a_post="", b_pre="", b_post="", c="")
@example(a_pre="\u0301" * 30, shared="e\u0301" * 40 + ANCHOR, a_post="\u202e", b_pre="\x00", b_post="", c="🎉" * 30)
@example(a_pre="\u202e", shared="\u05d0\u0645" * 20 + "\U0001F600" * 20 + ANCHOR, a_post="\x1e\x1c", b_pre="\u2028",
         b_post="\ufeff", c="\U0001F600" * 20)
def test_scan_never_crashes_and_offsets_slice_back(a_pre, shared, a_post, b_pre, b_post, c):
    docs = [
        document(a_pre + shared + a_post, "a"),
        document(b_pre + shared + b_post, "b"),
        document(c + shared[: len(shared) // 2], "c"),
    ]
    result = scan_documents(docs, SMALL)
    check(result)
    # the shared tail is long enough that a and b always share something: a passage, a phrase or a cluster
    together = [{d for d, _, _ in e.members} for e in (*result.phrases, *result.clusters)]
    assert any({p.a, p.b} == {"a", "b"} for p in result.passages) or any({"a", "b"} <= docs for docs in together)


@FUZZ
@given(shared=SHARED, edits=st.lists(st.tuples(st.integers(0, 10_000), TEXT.filter(bool)), max_size=4))
def test_near_copies_with_hostile_edits(shared, edits):
    """An edited copy: insertions of hostile text at random places."""
    copy = shared
    for at, piece in edits:
        at %= len(copy) + 1
        copy = copy[:at] + piece + copy[at:]
    result = scan_documents([document(shared, "orig"), document(copy, "copy")], Settings(min_length=4, shingle=2))
    check(result)


@FUZZ
@given(text=TEXT)
def test_single_document_and_default_settings(text):
    result = scan_documents([document(text or "x", "only")], Settings())
    check(result)


@FUZZ
@given(text=TEXT.filter(lambda t: t.strip()), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_files_round_trip_through_ingest(tmp_path_factory, text, encoding):
    """Text written with a self-describing encoding is read back exactly, offsets and all."""
    assume(not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
    # FF FE 00 00 opens UTF-32 text and UTF-16 text whose first character is NUL; where both decode, UTF-32 wins
    assume(not (encoding == "utf-16" and text.startswith("\x00")))
    assume(encoding != "utf-8" or (not text.startswith("\ufeff") and text.strip(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")))
    folder = tmp_path_factory.mktemp("rt")
    (folder / "a.txt").write_bytes(text.encode(encoding))
    try:
        docs, skipped = ingest([folder])
    except Exception as err:  # only the documented "nothing readable" error is allowed
        from reuse.errors import CorpusError

        assert isinstance(err, CorpusError)
        return
    if docs:
        assert docs[0].text == text
        for span in docs[0].paragraphs + docs[0].sentences:
            assert docs[0].text[span.start:span.end]


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(data=st.binary(max_size=2000))
def test_decode_arbitrary_bytes_returns_text_or_says_why(data):
    try:
        text, used = decode(data)
    except Unreadable as why:
        assert str(why) and "\n" not in str(why)
    else:
        assert isinstance(text, str) and used


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(data=st.binary(max_size=3000), fmt=st.sampled_from(["text", "html", "docx", "pdf"]))
def test_extract_arbitrary_bytes_only_raises_unreadable(data, fmt):
    if fmt == "pdf":
        pytest.importorskip("pypdf")
    try:
        got = read(data, fmt)
    except Unreadable as why:
        assert str(why) and "\n" not in str(why)
    else:
        assert got.format == fmt


TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<br>", "<pre>", "</pre>", "<!--",
                        "-->", "&amp;", "&#0;", "&#xD800;", "<td>", "<", ">", "<style>", "</style>", "<b hidden>",
                        "<table>", "<li>", "<template>", "<svg>", "<textarea>"])
MARKUP = st.lists(st.one_of(HOSTILE, TAGS), max_size=120).map("".join)


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(before=MARKUP, after=MARKUP)
def test_visible_text_of_arbitrary_markup(before, after):
    # the marked script and style open the page: markup before them could
    # legitimately turn them into text (after "<textarea>" or "<?" a browser
    # shows "<script>" as text), so only what follows is arbitrary
    text = visible_text("<script>SCRIPTMARK</script><style>STYLEMARK</style>" + before + after)
    assert isinstance(text, str)
    assert "SCRIPTMARK" not in text and "STYLEMARK" not in text


def test_written_report_is_valid_json_with_surrogates(tmp_path):
    docs = [document("\ud800共享文字内容一二三四五六七八九十\udfff", "a"), document("共享文字内容一二三四五六七八九十", "b")]
    result = scan_documents(docs, SMALL)
    write_json(result, tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["documents"][0]["id"] == "a"


# -- issue 14: what reaches a spreadsheet or the library from hostile text and names --


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(text=st.one_of(TEXT, st.tuples(st.sampled_from("=+-@\t\r"), TEXT).map("".join)))
def test_no_csv_cell_starts_like_a_formula_and_the_text_is_kept(text):
    import csv
    import io

    from reuse.report.csvreport import FORMULA_STARTS, write_templates

    assume("\x00" not in text)  # csv cannot write NUL
    out = io.StringIO(newline="")
    write_templates([{"id": text, "kind": "formula", "doc_count": 3, "members": [], "text": text}], out)
    [_, row] = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    for cell in (row[0], row[4]):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell == text or cell == "'" + text and text.startswith(FORMULA_STARTS)


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(name=st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_a_file_name_of_any_bytes_round_trips_to_the_library(tmp_path_factory, name):
    """The id a report shows and the name the shell hands over both remove the document (index remove)."""
    from reuse import library
    from reuse.ingest import label

    assume(name not in (b".", b"..") and not name.startswith(b"."))
    folder = tmp_path_factory.mktemp("names")
    raw = os.fsdecode(name)
    (folder / raw).write_text("同志们：今天我们召开县委工作会议，主要任务是回顾总结过去一年的工作。", encoding="utf-8")
    db = folder / "lib.sqlite"
    library.build([folder / raw], db)
    with library.open_library(db) as lib:
        [shown] = [d.name for d in lib.listing()]
    assert shown == label(raw) and "\n" not in shown
    shown.encode("utf-8")  # no surrogate left: SQLite and a terminal take it
    assert library.remove([raw], db) == [shown]
    library.add([folder / raw], db)
    assert library.remove([shown], db) == [shown]


PARTS = st.lists(st.sampled_from(["a", "b", "报告", ".", "..", "a b"]), min_size=1, max_size=4)


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(given=PARTS, out=PARTS)
def test_a_report_folder_is_refused_exactly_when_it_overlaps_an_input(tmp_path_factory, given, out):
    """Whatever the spelling (., .., spaces, CJK), a report folder that is, holds or lies inside the input is refused."""
    from reuse.errors import OutputError
    from reuse.report import refuse_inputs

    root = tmp_path_factory.mktemp("overlap")
    corpus = root.joinpath(*given)
    target = root.joinpath(*out)
    real_in, real_out = os.path.realpath(corpus), os.path.realpath(target)
    overlap = real_in == real_out or real_out.startswith(real_in + os.sep) or real_in.startswith(real_out + os.sep)
    try:
        refuse_inputs(target, [corpus])
    except OutputError as err:
        assert overlap and "\n" not in str(err)
    else:
        assert not overlap
