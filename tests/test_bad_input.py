"""Hostile inputs: every bad file is skipped with its reason, the run goes on, and
every failure a user can cause is one line naming the file and the fix, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import make_doc, seed_text
from make_corpus_bad import BAD, CORPUS, GOOD
from typer.testing import CliRunner

from reuse import segment
from reuse.cli import app
from reuse.errors import CorpusError, UsageError
from reuse.ingest import ingest, read_bytes

runner = CliRunner()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def scan(*args: str, code: int = 0):
    """Run ``reuse scan ARGS``; fail on a traceback or any exception but the exit."""
    result = runner.invoke(app, ["scan", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    return result


def error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("reuse: error: ")
    return lines[0]


def beside(tmp_path: Path) -> Path:
    """A report folder next to ``tmp_path``: one inside the corpus is refused."""
    return tmp_path.with_name(tmp_path.name + "-out")


def skipped_of(tmp_path: Path, *names: str) -> dict[str, str]:
    """Ingest tmp_path (holding the bad files and one good one): {name: reason}."""
    make_doc(tmp_path, "good.txt", "这是一份可以读的文件。")
    docs, skipped = ingest([tmp_path])
    assert [d.id for d in docs] == ["good.txt"]
    return {Path(s.path).name: s.reason for s in skipped}


# -- the command line --------------------------------------------------------


def test_missing_path_one_line_exit_2(tmp_path):
    line = error_line(scan(str(tmp_path / "nope.txt"), code=2))
    assert "nope.txt: no such file or directory" in line
    with pytest.raises(UsageError):
        ingest([tmp_path / "nope.txt"])


def test_folder_with_no_readable_documents_exit_1(tmp_path):
    make_doc(tmp_path, "empty.txt", "")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    line = error_line(scan(str(tmp_path), "-o", str(beside(tmp_path)), code=1))
    assert "no readable documents in" in line and "2 skipped" in line
    assert "bin.txt: binary file" in line and "empty.txt: empty file" in line
    assert not (beside(tmp_path)).exists()


def test_verbose_lists_every_skipped_file(tmp_path):
    for n in range(5):
        make_doc(tmp_path, f"empty{n}.txt", "")
    line = error_line(scan(str(tmp_path), "-o", str(beside(tmp_path)), code=1))
    assert "5 skipped" in line and "and 2 more" in line
    result = scan(str(tmp_path), "-o", str(beside(tmp_path)), "--verbose", code=1)
    lines = result.output.splitlines()
    assert lines[0] == line and len(lines) == 6
    assert all(ln.startswith("  skipped ") and ln.endswith(": empty file") for ln in lines[1:])


def test_skipped_files_print_one_line_each_however_long(tmp_path):
    long_name = "一个很长的文件名" * 8 + ".txt"
    (tmp_path / long_name).write_bytes(bytes(range(0x80, 0x100)) * 2)
    make_doc(tmp_path, "good.txt", "可以读")
    result = scan(str(tmp_path), "-o", str(beside(tmp_path)))
    [line] = [ln for ln in result.output.splitlines() if "skipped " + str(tmp_path) in ln]
    assert line.endswith("pass --encoding, e.g. --encoding gb18030") and long_name in line


def test_folder_with_no_matching_files_says_what_was_looked_for(tmp_path):
    make_doc(tmp_path, "notes.log", "日志")
    line = error_line(scan(str(tmp_path), "-o", str(beside(tmp_path)), code=1))
    assert ".docx" in line and ".txt" in line and "name files directly" in line
    with pytest.raises(CorpusError):
        ingest([tmp_path])


def test_unknown_encoding_one_line(tmp_path):
    make_doc(tmp_path, "a.txt", "文本")
    line = error_line(scan(str(tmp_path), "--encoding", "klingon", "-o", str(beside(tmp_path)), code=2))
    assert "unknown encoding 'klingon'" in line and "gb18030" in line


def test_wrong_forced_encoding_skips_with_the_fix(tmp_path):
    make_doc(tmp_path, "a.txt", "文本" * 10, encoding="gbk")
    make_doc(tmp_path, "b.txt", "ascii is fine in utf-8")
    result = scan(str(tmp_path), "--encoding", "utf-8", "-o", str(beside(tmp_path)))
    report = json.loads((beside(tmp_path) / "report.json").read_text(encoding="utf-8"))
    assert report["skipped"][0]["reason"].startswith("not valid utf-8")
    assert "--encoding" in report["skipped"][0]["reason"]
    assert "skipped" in result.output


def test_output_is_a_file_one_line(tmp_path):
    make_doc(tmp_path, "docs/a.txt", "文本")
    (tmp_path / "out").write_text("not a folder")
    line = error_line(scan(str(tmp_path / "docs"), "-o", str(tmp_path / "out"), code=1))
    assert "out exists and is not a folder" in line and "-o" in line


def test_output_with_foreign_files_one_line(tmp_path):
    make_doc(tmp_path, "docs/a.txt", "文本")
    make_doc(tmp_path, "out/thesis.docx", "mine")
    line = error_line(scan(str(tmp_path / "docs"), "-o", str(tmp_path / "out"), code=1))
    assert "thesis.docx" in line and "--force" in line
    assert (tmp_path / "out" / "thesis.docx").read_text() == "mine"


# -- each bad file is skipped, with its reason --------------------------------


def test_binary_undecodable_empty_and_no_text_files(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "noise.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "spaces.txt").write_bytes(b" \n\t\r\n")
    (tmp_path / "utf16_spaces.txt").write_bytes(" \n \u3000".encode("utf-16"))
    (tmp_path / "scripts.html").write_bytes(b"<script>alert(1)</script><style>p{}</style>")
    reasons = skipped_of(tmp_path)
    assert reasons == {
        "image.txt": "binary file, not text: looks like an image",
        "noise.txt": "cannot tell the text encoding (not UTF-8, and no other encoding gives sensible text); "
                     "pass --encoding, e.g. --encoding gb18030",
        "empty.md": "empty file",
        "spaces.txt": "empty file (only whitespace)",
        "utf16_spaces.txt": "no text (only whitespace)",
        "scripts.html": "no visible text (only markup, scripts or styles)",
    }


def test_huge_single_line_file_is_read_with_bounded_memory_and_units(tmp_path):
    line = seed_text("001").replace("\n", "")
    text = (line * (3_000_000 // len(line) + 1))[:3_000_000]  # 3M characters, 9 MB, no line break
    path = tmp_path / "huge.txt"
    path.write_bytes(text.encode("utf-8"))
    size = path.stat().st_size
    del text
    ingest([make_doc(tmp_path / "warm", "a.txt", "预热")])  # first-use imports and tables are not the file's cost
    tracemalloc.start()
    try:
        docs, _ = ingest([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    doc = docs[0]
    assert len(doc.text) == 3_000_000 and len(doc.paragraphs) >= 3_000_000 // segment.MAX_UNIT
    assert max(s.end - s.start for s in doc.paragraphs + doc.sentences) <= segment.MAX_UNIT
    # cut between sentences, as the line runs on (the last piece ends where the 3 millionth character cut it)
    assert all(doc.text[p.end - 1] in "。！？；”" for p in doc.paragraphs[:-1])
    # the bytes, the decoder's scratch and the text (2 bytes a character): about 4x, never the 200 MB limit
    assert peak < 5 * size, f"peak {peak / 2**20:.0f} MB for a {size / 2**20:.0f} MB file"


def test_file_over_the_size_limit_is_skipped_unread(tmp_path):
    make_doc(tmp_path, "big.txt", "字" * 5000)
    make_doc(tmp_path, "good.txt", "可以读")
    docs, skipped = ingest([tmp_path], max_bytes=4096)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert [d.id for d in docs] == ["good.txt"]
    assert reasons["big.txt"] == "too large (15 KB, over the 4 KB limit); split it"


def test_file_growing_past_the_limit_while_read(tmp_path, monkeypatch):
    path = make_doc(tmp_path, "grows.txt", "x" * 100)
    real_fstat = os.fstat

    def small_fstat(fd):  # the size seen before reading is small; the read finds more
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:]))

    monkeypatch.setattr(os, "fstat", small_fstat)
    with pytest.raises(Exception, match="too large"):
        read_bytes(path, max_bytes=50)


def test_symlink_loops_are_skipped(tmp_path):
    (tmp_path / "self.txt").symlink_to("self.txt")
    (tmp_path / "dangling.txt").symlink_to("missing.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..", target_is_directory=True)
    reasons = skipped_of(tmp_path)
    assert reasons == {
        "self.txt": "cannot read: symlink loop; remove or fix the link",
        "dangling.txt": "cannot read: broken symlink or file removed during the scan",
        "up": "symlink loop: this folder was already read",
    }


def test_symlink_loop_named_directly(tmp_path):
    (tmp_path / "self.txt").symlink_to("self.txt")
    good = make_doc(tmp_path, "good.txt", "可以读")
    docs, skipped = ingest([tmp_path / "self.txt", good])
    assert [d.id for d in docs] == ["good.txt"] and "symlink loop" in skipped[0].reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_skipped_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert skipped_of(tmp_path) == {"pipe.txt": "not a regular file (a device, FIFO or socket); not read"}


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """Tests run as root, where chmod 000 does not stop reads: the refusal is simulated."""
    secret = make_doc(tmp_path, "secret.txt", "机密")
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if Path(path) == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    assert skipped_of(tmp_path) == {"secret.txt": "cannot read: permission denied; check the file's permissions"}


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode; see test_unreadable_file_simulated")
def test_unreadable_file_real(tmp_path):
    secret = make_doc(tmp_path, "secret.txt", "机密")
    secret.chmod(0)
    try:
        assert skipped_of(tmp_path) == {"secret.txt": "cannot read: permission denied; check the file's permissions"}
    finally:
        secret.chmod(0o644)


def test_unlistable_folder_simulated(tmp_path, monkeypatch):
    make_doc(tmp_path, "locked/a.txt", "文本")
    real_scandir = os.scandir

    def guarded(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    reasons = skipped_of(tmp_path)
    assert reasons == {"locked": "cannot list folder: permission denied; check the file's permissions"}


def test_report_folder_inside_the_corpus_is_not_read(tmp_path, monkeypatch):
    """A report written into a corpus by a scan of other documents is not read by a scan of the corpus.

    `reuse scan .` itself is refused before anything is read: its default
    report folder, reports/<name>, would lie inside the corpus.
    """
    make_doc(tmp_path, "corpus/a.txt", seed_text("000")[:1000])
    make_doc(tmp_path, "corpus/b.txt", seed_text("000")[:1000])
    make_doc(tmp_path, "other/c.txt", seed_text("001")[:1000])
    monkeypatch.chdir(tmp_path)
    scan("other", "-o", "corpus/reports/other", "-q")
    result = scan("corpus", "-o", "out", "-q")
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["skipped"] == [
        {"path": "corpus/reports/other", "reason": "a reuse report folder; not read"}]
    assert result.output == ""
    monkeypatch.chdir(tmp_path / "corpus")
    assert error_line(scan(".", code=1)) == (
        "reuse: error: the report folder reports/corpus lies inside the input folder .: a report is never written "
        "among the documents it reads; choose a folder outside the inputs with -o")
    assert not (tmp_path / "corpus" / "reports" / "corpus").exists()


def test_same_id_from_two_folders_kept_apart_in_the_report(tmp_path):
    a = make_doc(tmp_path, "2023/report.txt", seed_text("000")[:1500])
    b = make_doc(tmp_path, "2024/report.txt", seed_text("000")[:1500])
    out = tmp_path / "out"
    scan(str(a), str(b), "-o", str(out), "-q")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(d["id"], Path(d["path"]).parent.name) for d in report["documents"]] == [
        ("report.txt", "2023"), ("report.txt~2", "2024")]
    assert report["pairs"][0]["a"] == "report.txt" and report["pairs"][0]["b"] == "report.txt~2"


def test_file_names_that_are_not_utf8_print_fine(tmp_path):
    name = os.fsdecode(b"bad\xff name\n.txt")
    (tmp_path / name).write_bytes(b"")
    make_doc(tmp_path, "good.txt", "可以读")
    result = scan(str(tmp_path), "-o", str(beside(tmp_path)))
    assert "bad\\xff name\\x0a.txt: empty file" in result.output


# -- tests/corpus_bad: one of each --------------------------------------------


def test_corpus_bad_is_complete():
    names = {p.name for p in CORPUS.iterdir() if not p.name.startswith(".")}
    assert names == set(GOOD) | set(BAD)
    assert all((CORPUS / n).is_symlink() for n in ("loop.txt", "dangling.txt"))


def test_scan_corpus_bad(tmp_path):
    pytest.importorskip("pypdf")
    out = tmp_path / "out"
    result = scan(str(CORPUS), "-o", str(out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert sorted(skipped) == sorted(BAD)
    assert all(reason for reason in skipped.values())
    for name in BAD:
        assert name in result.output
    docs = {d["id"]: d for d in report["documents"]}
    assert sorted(docs) == sorted(GOOD)
    assert {k: (d["format"], d["encoding"]) for k, d in docs.items()} == {
        "notes.pdf": ("pdf", "text layer"),
        "seed.docx": ("docx", "utf-8"),
        "seed.html": ("html", "utf-8"),
        "seed_big5.txt": ("text", "big5hkscs"),
        "seed_gbk.txt": ("text", "gb18030"),
        "seed_utf16.txt": ("text", "utf-16"),
        "seed_utf8.txt": ("text", "utf-8"),
        "seed_utf8_bom.txt": ("text", "utf-8-sig"),
    }
    # every copy of the seed is one text in them all: one cluster, each copy paired with one witness
    copies = sorted(n for n in GOOD if n.startswith("seed"))
    [cluster] = [c for c in report["clusters"] if {m["doc"] for m in c["members"]} == set(copies)]
    sims = {(p["a"], p["b"]): p["similarity"] for p in report["pairs"]}
    assert len(sims) == len(copies) - 1 and all(s >= 0.95 for s in sims.values()), sims
    assert {d for pair in sims for d in pair} == set(copies)
    assert all("notes.pdf" not in pair for pair in sims)
    chars = {d["chars"] for k, d in docs.items() if k.startswith("seed")}
    assert len(chars) == 1  # the same text, however it was stored


def test_corpus_bad_is_what_the_script_makes(tmp_path):
    """The committed files are the script's output (regenerate with python tests/make_corpus_bad.py)."""
    import make_corpus_bad

    make_corpus_bad.build(tmp_path)
    for name in GOOD + BAD:
        made, kept = tmp_path / name, CORPUS / name
        if kept.is_symlink():
            assert os.readlink(made) == os.readlink(kept)
        elif name.endswith(".docx") or name == "word_file.txt":
            continue  # zip bytes depend on the python-docx and zlib versions
        else:
            assert made.read_bytes() == kept.read_bytes(), name


# -- output safety: staged writes, foreign files never lost --------------------


@pytest.fixture(scope="module")
def small_result():
    from reuse.ingest import document
    from reuse.pipeline import scan_documents
    from reuse.config import Settings

    text = seed_text("000")[:800]
    return scan_documents([document(text, "a.txt"), document(text, "b.txt")], Settings())


def _json_only(result, folder: Path) -> None:
    from reuse.report.jsonreport import write_json

    write_json(result, folder / "report.json")


def _leftovers(out: Path) -> list[str]:
    """Staging or swap folders left beside ``out``."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("crash", [RuntimeError("a bug in a writer"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_interrupted_write_leaves_the_previous_report_intact(tmp_path, small_result, crash):
    from reuse.report import write_report

    out = tmp_path / "report"
    write_report(small_result, out, writers=[_json_only])
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def half_then_crash(result, folder):
        (folder / "report.json").write_text("{half", encoding="utf-8")
        raise crash

    with pytest.raises(type(crash)):
        write_report(small_result, out, writers=[half_then_crash])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(out) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_failed_write_is_one_line_and_keeps_the_old_report(tmp_path, small_result, workers):
    # with 2 workers the writer fails in a forked process and its error comes back
    from reuse.errors import OutputError
    from reuse.report import write_report

    out = tmp_path / "report"
    write_report(small_result, out, writers=[_json_only])
    old = (out / "report.json").read_bytes()

    def disk_full(result, folder):
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="cannot write the report to .*report: No space left on device"):
        write_report(small_result, out, writers=[disk_full, _json_only], workers=workers)
    assert (out / "report.json").read_bytes() == old and _leftovers(out) == []


def test_report_written_by_two_processes_is_the_one_written_by_one(tmp_path, small_result):
    from reuse.report import write_report

    one = write_report(small_result, tmp_path / "one")
    two = write_report(small_result, tmp_path / "two", workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len([f for f in files if f.suffix == ".html"]) > 3  # index, templates, pair and document pages
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_interrupted_scan_writes_nothing(tmp_path, monkeypatch):
    from reuse import pipeline

    docs = tmp_path / "docs"
    make_doc(docs, "a.txt", "文本文本")
    out = tmp_path / "out"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", interrupted)
    result = scan(str(docs), "-o", str(out), code=130)
    assert "interrupted; nothing was written" in result.output
    assert not out.exists()


def test_foreign_files_refused_and_untouched(tmp_path, small_result):
    from reuse.errors import OutputError
    from reuse.report import write_report

    out = tmp_path / "report"
    make_doc(out, "thesis/chapter1.md", "我的论文")
    with pytest.raises(OutputError, match=r"holds files reuse did not write \(e.g. thesis/\).*--force"):
        write_report(small_result, out, writers=[_json_only])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["thesis", "thesis/chapter1.md"]
    assert _leftovers(out) == []


def test_force_writes_beside_foreign_files_and_keeps_them(tmp_path, small_result):
    from reuse.report import MANIFEST, write_report

    out = tmp_path / "report"
    mine = make_doc(out, "notes.txt", "我的笔记")
    for _ in range(2):  # a second run replaces only reuse's own files
        write_report(small_result, out, force=True, writers=[_json_only])
        assert mine.read_text(encoding="utf-8") == "我的笔记"
        assert json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"]
        assert json.loads((out / MANIFEST).read_text(encoding="utf-8")) == ["report.json"]
    assert not (out / ".gitignore").exists()  # the folder was the user's; no .gitignore is added to it
    assert _leftovers(out) == []


def test_force_never_overwrites_a_foreign_file_of_the_same_name(tmp_path, small_result):
    from reuse.errors import OutputError
    from reuse.report import write_report

    out = tmp_path / "report"
    theirs = make_doc(out, "report.json", '{"mine": true}')
    with pytest.raises(OutputError, match="report.json"):
        write_report(small_result, out, force=True, writers=[_json_only])
    assert theirs.read_text(encoding="utf-8") == '{"mine": true}'
    assert _leftovers(out) == []


def test_rewriting_our_own_report_needs_no_force(tmp_path, small_result):
    from reuse.report import write_report

    out = tmp_path / "report"

    def with_extra(result, folder):
        _json_only(result, folder)
        (folder / "old-page.html").write_text("old", encoding="utf-8")

    write_report(small_result, out, writers=[with_extra])
    assert (out / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    write_report(small_result, out, writers=[_json_only])
    assert not (out / "old-page.html").exists()  # ours, and not written this time
    assert (out / "report.json").exists() and (out / ".gitignore").exists()
    assert _leftovers(out) == []


def test_existing_empty_folder_is_used(tmp_path, small_result):
    from reuse.report import write_report

    out = tmp_path / "report"
    out.mkdir()
    write_report(small_result, out, writers=[_json_only])
    assert (out / "report.json").exists() and _leftovers(out) == []


def test_report_writers_run_with_the_result_out_of_the_collectors_walks(tmp_path, small_result):
    import gc

    from reuse.report import write_report

    frozen = []
    write_report(small_result, tmp_path / "out", writers=[lambda result, folder: frozen.append(gc.get_freeze_count()),
                                                          _json_only])
    assert frozen[0] > 0 and gc.get_freeze_count() == 0
    assert (tmp_path / "out" / "report.json").exists()


# -- issue 14: hostile use of the command line; each row of its table ----------


def run(*args: str, code: int = 0):
    """Run ``reuse ARGS``; fail on a traceback or any exception but the exit."""
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    return result


HYPERLINK = '=HYPERLINK("http://evil.example/x","点击查看详细内容请访问")'


def test_row7_csv_cells_a_spreadsheet_would_run_get_a_quote_json_keeps_the_text(tmp_path):
    """reuse templates -f csv on documents whose text starts with =HYPERLINK(...)."""
    import csv
    import io

    from reuse.report.csvreport import FORMULA_STARTS

    for n, seed in enumerate(("000", "001", "002", "003")):
        make_doc(tmp_path, f"d{n}.txt", HYPERLINK + "\n" + seed_text(seed)[:600])
    rows = list(csv.reader(io.StringIO(run("templates", str(tmp_path), "-f", "csv").stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + HYPERLINK in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    families = json.loads(run("templates", str(tmp_path), "-f", "json").stdout)
    assert HYPERLINK in [t["text"] for t in families]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_row7_every_formula_start_is_neutralised(cell):
    from reuse.report.csvreport import neutral

    assert neutral(cell) == "'" + cell


def test_row8_encoding_that_is_not_a_text_encoding_one_line(tmp_path):
    make_doc(tmp_path, "a.txt", "文本")
    line = error_line(scan(str(tmp_path), "--encoding", "rot13", "-o", str(beside(tmp_path)), code=2))
    assert line == ("reuse: error: --encoding rot13 is not a text encoding (it does not decode bytes to text); "
                    "use a text encoding such as utf-8, gb18030, big5 or utf-16")
    assert not (beside(tmp_path)).exists()


def test_row8_a_tree_1000_folders_deep_is_read(tmp_path):
    corpus = tmp_path / "deep"
    make_doc(corpus, "top.txt", seed_text("000")[:800])
    deep = str(corpus)
    for _ in range(1000):  # os.makedirs recurses once per level too
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    make_doc(Path(deep), "bottom.txt", seed_text("000")[:800])
    try:
        scan(str(corpus), "-o", str(tmp_path / "out"), "-q")
        report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
        assert sorted(d["id"] for d in report["documents"]) == ["/".join(["d"] * 1000 + ["bottom.txt"]), "top.txt"]
        assert report["pairs"][0]["similarity"] > 0.9
    finally:
        remove_deep(deep, corpus)


def remove_deep(deep: str, top: Path) -> None:
    """Remove a deep chain of folders bottom up (shutil.rmtree, and pytest's cleanup, recurse once per level)."""
    for name in os.listdir(deep):
        os.unlink(os.path.join(deep, name))
    while Path(deep) != top:
        os.rmdir(deep)
        deep = os.path.dirname(deep)


def test_row8_index_remove_takes_a_name_that_is_not_utf8_as_shown_or_as_bytes(tmp_path):
    corpus = tmp_path / "docs"
    raw = os.fsdecode(b"caf\xe9.txt")  # what the shell hands over for the file's own name
    make_doc(corpus, raw, seed_text("000"))
    make_doc(corpus, "other.txt", seed_text("001"))
    db = str(tmp_path / "lib.sqlite")
    run("index", "build", str(corpus), "--db", db, "-q")
    run("check", str(corpus / raw), "--db", db, "-o", str(tmp_path / "check"), "-q")
    shown = json.loads((tmp_path / "check" / "check.json").read_text(encoding="utf-8"))["sources"][0]["id"]
    assert shown == "caf\\xe9.txt"
    assert run("index", "remove", shown, "--db", db).output == f"{db}: removed 1.\n"  # the id a report shows
    run("index", "add", str(corpus / raw), "--db", db, "-q")
    assert run("index", "remove", raw, "--db", db).output == f"{db}: removed 1.\n"  # the file's own name
    assert "caf" not in run("index", "list", "--db", db).output


@pytest.mark.parametrize("args", [["scan", "--min-docs", "-1"], ["templates", "--min-docs", "-0.5"],
                                  ["scan", "--min-docs", "nan"]], ids=["scan", "templates", "nan"])
def test_row10_min_docs_below_zero_is_a_usage_error(tmp_path, args):
    make_doc(tmp_path, "docs/a.txt", "文本")
    result = run(args[0], str(tmp_path / "docs"), *args[1:], code=2)
    assert error_line(result).startswith("reuse: error: min_docs must be a count of documents")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("ratio", ["5", "-0.1", "nan"])
def test_row10_fail_over_outside_0_to_1_is_a_usage_error(tmp_path, ratio):
    draft = make_doc(tmp_path, "draft.txt", seed_text("000"))
    db = tmp_path / "lib.sqlite"
    from reuse import library

    library.build([draft], db)
    line = error_line(run("check", str(draft), "--db", str(db), "--fail-over", ratio, "-o", str(tmp_path / "r"),
                          code=2))
    assert line.startswith("reuse: error: --fail-over must be a share from 0 to 1 (0.3 is 30%), not ")
    assert not (tmp_path / "r").exists()


def test_row10_over_fail_over_exits_3_a_usage_error_2(tmp_path):
    draft = make_doc(tmp_path, "draft.txt", seed_text("000"))
    db = tmp_path / "lib.sqlite"
    from reuse import library

    library.build([draft], db)
    result = run("check", str(draft), "--db", str(db), "--fail-over", "0.3", "-o", str(tmp_path / "r"), "-q", code=3)
    assert result.output == "reuse: draft.txt (draft): copy ratio 99.7% is over --fail-over 30.0%\n"
    run("check", str(draft), "--db", str(db), "--no-such-flag", code=2)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes (symlinks as their target)."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(folder).as_posix()] = os.readlink(path).encode() if path.is_symlink() \
                else path.read_bytes()
    return out


def two_speeches(folder: Path) -> tuple[Path, Path]:
    return make_doc(folder, "A.txt", seed_text("000")), make_doc(folder, "B.txt", seed_text("001"))


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_row1_compare_never_writes_over_an_input(tmp_path, how, force):
    """reuse compare A B -o B: refused, with --force too; B stays byte for byte."""
    a, b = two_speeches(tmp_path)
    target = {"same": b, "symlink": tmp_path / "link.html", "hardlink": tmp_path / "hard.html"}[how]
    if how == "symlink":
        target.symlink_to(b.name)
    elif how == "hardlink":
        os.link(b, target)
    before = snapshot(tmp_path)
    line = error_line(run("compare", str(a), str(b), "-o", str(target), *force, code=1))
    assert line == (f"reuse: error: {target} is the input {b}; compare never writes over a file it compares; "
                    "choose another file with -o")
    assert snapshot(tmp_path) == before


def test_row1_compare_replaces_a_file_reuse_did_not_write_only_with_force(tmp_path):
    """reuse compare A B -o notes.html: a user's file is refused, replaced with --force; a page of ours is replaced."""
    a, b = two_speeches(tmp_path / "docs")
    notes = make_doc(tmp_path, "notes.html", "<p>my notes</p>")
    line = error_line(run("compare", str(a), str(b), "-o", str(notes), code=1))
    assert line == (f"reuse: error: {notes} exists and was not written by reuse; choose another file with -o, "
                    "or pass --force to replace it")
    assert notes.read_bytes() == b"<p>my notes</p>"
    run("compare", str(a), str(b), "-o", str(notes), "--force", "-q")
    page = notes.read_bytes()
    assert b'<meta name="generator" content="reuse ' in page
    run("compare", str(a), str(b), "-o", str(notes), "-q")  # our own page: no --force needed
    assert notes.read_bytes() == page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "notes.html"]  # nothing left beside it


def test_row1_compare_does_not_create_a_missing_folder(tmp_path):
    a, b = two_speeches(tmp_path)
    target = tmp_path / "nodir" / "x.html"
    line = error_line(run("compare", str(a), str(b), "-o", str(target), code=1))
    assert line == (f"reuse: error: cannot write {target}: the folder {target.parent} does not exist; "
                    "create it first or choose another -o")
    assert not target.parent.exists()


def test_row8_compare_into_a_folder_is_one_line_and_with_force_writes_inside(tmp_path):
    """reuse compare A B -o FOLDER (IsADirectoryError on main)."""
    a, b = two_speeches(tmp_path)
    folder = tmp_path / "pages"
    folder.mkdir()
    line = error_line(run("compare", str(a), str(b), "-o", str(folder), code=1))
    assert line == (f"reuse: error: {folder} is a folder; give -o a file name, e.g. -o {folder}/A__B.html "
                    f"(or pass --force to write {folder}/A__B.html)")
    assert list(folder.iterdir()) == []
    run("compare", str(a), str(b), "-o", str(folder), "--force", "-q")
    assert [p.name for p in folder.iterdir()] == ["A__B.html"]


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
@pytest.mark.parametrize("where", ["is", "inside", "holds"])
def test_row2_a_report_folder_that_is_lies_inside_or_holds_an_input_is_refused_before_reading(
        tmp_path, monkeypatch, where, force):
    """reuse scan docs -o docs --force: refused, and the corpus stays a corpus of its own files."""
    from reuse import pipeline

    docs = tmp_path / "docs"
    a, b = two_speeches(docs)
    out, inputs, why = {
        "is": (docs, [docs], f"is the input {docs}"),
        "inside": (docs / "report", [docs], f"lies inside the input folder {docs}"),
        "holds": (tmp_path, [a, b], f"holds the input {a}"),
    }[where]
    before = snapshot(tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("the corpus was read before the output was refused")

    monkeypatch.setattr(pipeline, "run", never)
    line = error_line(scan(*map(str, inputs), "-o", str(out), *force, code=1))
    assert line == (f"reuse: error: the report folder {out} {why}: a report is never written among the documents "
                    "it reads; choose a folder outside the inputs with -o")
    assert snapshot(tmp_path) == before


def test_row2_a_symlink_to_the_corpus_is_the_corpus(tmp_path):
    docs = tmp_path / "docs"
    two_speeches(docs)
    (tmp_path / "alias").symlink_to("docs", target_is_directory=True)
    line = error_line(scan(str(docs), "-o", str(tmp_path / "alias"), "--force", code=1))
    assert f"the report folder {tmp_path / 'alias'} is the input {docs}" in line
    assert sorted(p.name for p in docs.iterdir()) == ["A.txt", "B.txt"]


def _record_listings(monkeypatch) -> list[Path]:
    listed: list[Path] = []
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int):  # shutil.rmtree lists by file descriptor
            listed.append(Path(os.fspath(path)).absolute())
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return listed


def test_row3_output_root_is_refused_without_listing_anything(tmp_path, monkeypatch):
    """reuse scan FILE -o / (a PermissionError traceback from /proc on main, after walking the whole tree)."""
    a = make_doc(tmp_path, "a.txt", seed_text("000"))
    listed = _record_listings(monkeypatch)
    line = error_line(scan(str(a), "-o", "/", code=1))
    assert line == (f"reuse: error: the report folder / holds the input {a}: a report is never written among the "
                    "documents it reads; choose a folder outside the inputs with -o")
    assert listed == []


def test_row3_a_folder_full_of_other_files_is_judged_by_its_first_level(tmp_path, monkeypatch):
    """reuse scan docs -o ~ (home folder, walked whole on main): refused by its first level; --force writes beside."""
    docs = tmp_path / "docs"
    two_speeches(docs)
    home = tmp_path / "home"
    make_doc(home, "notes.txt", "我的笔记")
    make_doc(home, "projects/thesis/chapter1.md", "我的论文")
    before = snapshot(home)
    listed = _record_listings(monkeypatch)
    line = error_line(scan(str(docs), "-o", str(home), code=1))
    assert line == (f"reuse: error: {home} holds files reuse did not write (e.g. notes.txt); choose an empty or new "
                    "folder with -o, or pass --force to write beside them")
    scan(str(docs), "-o", str(home), "--force", "-q")
    assert {p for p in listed if home in p.parents or p == home} == {home}
    assert {k: v for k, v in snapshot(home).items() if k in before} == before
    assert (home / "report.json").is_file()


KILLED_WRITER = """
import pathlib, sys, time
from reuse.config import Settings
from reuse.ingest import document
from reuse.pipeline import scan_documents
from reuse.report import write_report

def stuck(result, folder):
    (folder / "report.json").write_text("{half", encoding="utf-8")
    pathlib.Path(sys.argv[2]).write_text("writing", encoding="utf-8")
    time.sleep(120)

text = "同志们：今天我们召开县委工作会议，主要任务是回顾总结过去一年的工作。" * 20
write_report(scan_documents([document(text, "a.txt"), document(text, "b.txt")], Settings()), sys.argv[1],
             writers=[stuck])
"""


def test_row9_a_scan_removes_the_staging_folders_of_killed_runs_and_only_theirs(tmp_path):
    """kill -9 during a scan's write, then scan again: the killed run's staging folder goes; a live run's,
    and a hidden folder of the user's with a like name, stay."""
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    docs = tmp_path / "docs"
    two_speeches(docs)
    out = tmp_path / "out"
    marker = tmp_path / "writing"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    killed = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out), str(marker)], env=env)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        for _ in range(600):
            if marker.exists() or killed.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the writer never reached its pause"
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        [left] = _leftovers(out)
        assert f".{killed.pid}." in left
        live_stage = tmp_path / f".out.{live.pid}.0123abcd.reuse-stage"
        live_stage.mkdir()
        make_doc(tmp_path, ".out.backup/mine.txt", "我的")
        scan(str(docs), "-o", str(out), "-q")
        assert _leftovers(out) == sorted([".out.backup", live_stage.name])
        assert (tmp_path / ".out.backup" / "mine.txt").read_text(encoding="utf-8") == "我的"
    finally:
        for proc in (killed, live):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_row10_report_folders_follow_the_umask(tmp_path, umask):
    import stat

    docs = tmp_path / "docs"
    two_speeches(docs)
    old = os.umask(umask)
    try:
        scan(str(docs), "-o", str(tmp_path / "out"), "-q")
        scan(str(docs), "-o", str(tmp_path / "out"), "-q")  # replacing a report keeps to it too
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path / "out" / "report.json").stat().st_mode) == 0o666 & ~umask


def test_row10_output_is_the_current_folder(tmp_path, monkeypatch):
    """reuse scan docs -o . in an empty current folder ("Device or resource busy" on main); then again."""
    docs = tmp_path / "docs"
    two_speeches(docs)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    inode = work.stat().st_ino
    scan(str(docs), "-o", ".", "-q")
    first = snapshot(work)
    assert "report.json" in first and "index.html" in first
    make_doc(docs, "C.txt", seed_text("002"))
    scan(str(docs), "-o", ".", "-q")  # our own report, replaced file by file: the folder itself stays
    assert work.stat().st_ino == inode and Path.cwd() == work
    assert len(json.loads((work / "report.json").read_text(encoding="utf-8"))["documents"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "work"]
