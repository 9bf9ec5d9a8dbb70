"""The reference library: build, add, remove, refuse what does not fit, and check drafts (查重)."""

import dataclasses
import json
import sqlite3

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse import library
from reuse.cli import app
from reuse.config import Settings
from reuse.errors import ConfigError, ReuseError, UsageError
from reuse.ingest import document
from reuse.library import check_documents, open_library
from reuse.library.store import FORMAT, Library
from reuse.library.families import read_families as families
from reuse.pipeline import scan_documents

runner = CliRunner()

NEW_TEXT = "这是一段全新的文字，和任何文档都没有关系。我们在这里写一些新的内容，讨论天气、山川和湖泊的风景。"


def _paragraphs(prefix: str) -> list[str]:
    return [p for p in seed_text(prefix).split("\n") if len(p.strip()) > 60]


def _draft() -> tuple[str, str, str]:
    """Two paragraphs of seed 000, new text, two paragraphs of seed 003."""
    a, b = _paragraphs("000")[2:4], _paragraphs("003")[3:5]
    return "\n".join([*a, NEW_TEXT, *b]), "\n".join(a), "\n".join(b)


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("lib") / "library.sqlite"
    report, skipped = library.build([SEEDS], db)
    assert len(report.added) == 5 and not skipped
    return db


def _names(db) -> list[str]:
    with open_library(db) as lib:
        return [d.name for d in lib.listing()]


def _seed_name(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).name


def test_build_records_every_parameter_that_makes_hashes_comparable(seeds_db):
    with open_library(seeds_db) as lib:
        stats = lib.stats()
        meta = lib.meta
    assert stats["documents"] == 5 and stats["units"] > 0 and stats["postings"] > 0 and stats["band_rows"] > 0
    params = stats["params"]
    assert params["scheme"] == "affine32" and params["num_perm"] == 128 and params["seed"] == 1
    assert (params["bands"], params["rows"]) == (25, 5) and params["shingle"] == 4 and params["unit"] == "char"
    assert params["simplify"] is True and params["fold_digits"] is True
    assert meta["format"] == str(FORMAT) and meta["datasketch"] and meta["reuse"]
    assert set(json.loads(meta["fingerprints"])) == {"permutations", "text"}
    with sqlite3.connect(seeds_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # lookups are index seeks: the draft's hashes and band keys lead both clustered keys
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT doc, pos FROM postings WHERE hash = 1"))
        assert "SEARCH" in plan and "hash=?" in plan
        plan = " ".join(r[3] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT unit FROM bands WHERE band = 1 AND key = 2"))
        assert "SEARCH" in plan and "key=?" in plan


def test_the_draft_of_two_seeds_finds_both_with_shares_and_spans(seeds_db):
    text, from_a, from_b = _draft()
    [report] = check_documents([document(text, "draft.txt")], seeds_db)
    ranked = [s.id for s in report.sources]
    assert set(ranked[:2]) == {_seed_name("000"), _seed_name("003")}
    draft = report.result.document("draft.txt")
    for source, copied in ((_seed_name("000"), from_a), (_seed_name("003"), from_b)):
        share = next(s for s in report.sources if s.id == source)
        expected = sum(not c.isspace() for c in copied) / draft.chars
        assert share.ratio == pytest.approx(expected, abs=0.05)
        # the draft's spans shared with that source lie in the text copied from it
        lo = text.index(copied)
        spans = [(p.a_start, p.a_end) if p.a == "draft.txt" else (p.b_start, p.b_end)
                 for p in report.result.passages if source in (p.a, p.b)]
        long = [(s, e) for s, e in spans if e - s > 30]
        assert long and all(lo <= s and e <= lo + len(copied) for s, e in long)
    new_at = text.index(NEW_TEXT)
    assert not any(s < new_at + len(NEW_TEXT) and e > new_at for s, e, *_ in _draft_spans(report))
    assert 0.75 < report.reuse_ratio <= 1.0
    assert report.top_source is not None and report.top_source.id in ranked[:2]
    assert report.copy_ratio <= report.reuse_ratio


def _draft_spans(report):
    from reuse.library.check import _draft_spans

    return _draft_spans(report.result.passages, report.draft)


def _unmarked(passages):
    return [dataclasses.replace(p, template=None) for p in passages]


def test_check_agrees_with_a_scan_of_the_draft_and_its_sources(seeds_db, tmp_path):
    """Passages and total ratio are a scan's; what is template is the library's (none of its families is in this draft)."""
    text, _, _ = _draft()
    draft = document(text, "draft.txt")
    [report] = check_documents([draft], seeds_db)
    sources = [d for d in report.result.documents if d.id != "draft.txt"]
    assert len(sources) >= 2
    # the sources as a scan reads them from disk
    from reuse.ingest import ingest

    on_disk, _ = ingest([str(SEEDS / d.id) for d in sources])
    scanned = scan_documents([draft, *on_disk], Settings())
    touching = [p for p in scanned.passages if "draft.txt" in (p.a, p.b)]
    assert _unmarked(report.result.passages) == _unmarked(touching)
    mine = next(s for s in scanned.stats if s.id == "draft.txt")
    assert report.reuse_ratio == mine.reuse_ratio
    # what is template the library says (none of its families is in this draft), not these few documents
    with open_library(seeds_db) as lib:
        texts = [t.text for t in families(lib) if t.kind != "watermark"]
    assert texts and not any(t in text for t in texts)
    assert report.template_ratio == 0 and report.copy_ratio == report.reuse_ratio
    assert not any(p.template for p in report.result.passages)
    assert report.top_source.id == mine.top_source.id
    assert [(s.title, s.reuse_ratio) for s in report.sections] == [(s.title, s.reuse_ratio) for s in mine.sections]


def test_adding_a_document_is_found_by_the_next_check_and_rebuilds_nothing(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS], db)
    with sqlite3.connect(db) as conn:
        before_units = conn.execute("SELECT id, doc, signature FROM units ORDER BY id").fetchall()
        before_postings = conn.execute("SELECT count(*) FROM postings").fetchone()[0]
    new = make_doc(tmp_path / "new", "new.txt", NEW_TEXT * 2 + "\n" + _paragraphs("001")[3])
    draft = document(NEW_TEXT, "draft.txt")
    [before] = check_documents([draft], db)
    assert "new.txt" not in [s.id for s in before.sources]
    report, _ = library.add([new], db)
    assert report.added == ["new.txt"]
    with sqlite3.connect(db) as conn:
        after_units = conn.execute("SELECT id, doc, signature FROM units ORDER BY id").fetchall()
        new_id = conn.execute("SELECT id FROM documents WHERE name = 'new.txt'").fetchone()[0]
        new_shingles = conn.execute("SELECT count(*) FROM postings WHERE doc = ?", (new_id,)).fetchone()[0]
        after_postings = conn.execute("SELECT count(*) FROM postings").fetchone()[0]
    assert after_units[: len(before_units)] == before_units  # old rows untouched, new rows appended
    assert after_postings == before_postings + new_shingles
    [after] = check_documents([draft], db)
    assert [s.id for s in after.sources] == ["new.txt"]
    assert after.reuse_ratio > 0.9 > before.reuse_ratio


def test_re_adding_is_a_no_op_changed_text_needs_replace_and_prefix_renames(tmp_path):
    db = tmp_path / "lib.sqlite"
    doc = make_doc(tmp_path / "in", "a.txt", _paragraphs("000")[2])
    library.build([doc], db)
    report, _ = library.add([doc], db)
    assert report.unchanged == ["a.txt"] and not report.added
    doc.write_text(_paragraphs("001")[2], encoding="utf-8")
    with pytest.raises(UsageError, match="--replace"):
        library.add([doc], db)
    report, _ = library.add([doc], db, replace=True)
    assert report.replaced == ["a.txt"]
    library.add([doc], db, prefix="2024/")
    assert _names(db) == ["2024/a.txt", "a.txt"]
    assert library.remove(["a.txt"], db) == ["a.txt"]
    assert _names(db) == ["2024/a.txt"]
    with sqlite3.connect(db) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM documents")}
        assert {r[0] for r in conn.execute("SELECT DISTINCT doc FROM postings")} == ids
        assert {r[0] for r in conn.execute("SELECT DISTINCT doc FROM units")} == ids
        units = {r[0] for r in conn.execute("SELECT id FROM units")}
        assert {r[0] for r in conn.execute("SELECT DISTINCT unit FROM bands")} == units
    with pytest.raises(UsageError, match="not in"):
        library.remove(["nope.txt"], db)


def test_other_parameters_are_refused_not_mixed(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS / _seed_name("000")], db)
    with pytest.raises(ConfigError, match="shingle=4; --shingle 5 cannot be mixed in"):
        library.add([SEEDS], db, explicit={"shingle": 5})
    result = runner.invoke(app, ["index", "add", str(SEEDS), "--db", str(db), "--shingle", "5"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--shingle 5 cannot be mixed in" in lines[0]
    # the library's own value, or none, is fine
    assert library.add([SEEDS], db, explicit={"shingle": 4, "unit": None})[0].added
    assert _names(db) == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_a_library_hashed_by_other_code_is_refused(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS / _seed_name("000")], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'fingerprints'",
                     (json.dumps({"permutations": "0", "text": "0"}),))
    with pytest.raises(ReuseError, match="rebuild it"):
        check_documents([document(NEW_TEXT, "d.txt")], db)
    with pytest.raises(ReuseError, match="rebuild it"):
        library.add([SEEDS], db)


@pytest.mark.parametrize("case", ["text", "empty", "other_sqlite", "newer", "folder", "missing", "no_meta"])
def test_what_is_not_a_library_is_refused_in_one_line(tmp_path, case):
    db = tmp_path / "lib.sqlite"
    expected = {"text": "not an SQLite file", "empty": "empty file", "other_sqlite": "another tool",
                "newer": "newer reuse", "folder": "is a folder", "missing": "no such library",
                "no_meta": "not a readable reuse library"}[case]
    if case == "text":
        db.write_text("hello\n", encoding="utf-8")
    elif case == "empty":
        db.write_bytes(b"")
    elif case == "other_sqlite":
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE t (x)")
    elif case in ("newer", "no_meta"):
        library.build([SEEDS / _seed_name("000")], db)
        with sqlite3.connect(db) as conn:
            if case == "newer":
                conn.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(FORMAT + 1),))
            else:
                conn.execute("DROP TABLE meta")
    elif case == "folder":
        db.mkdir()
    with pytest.raises(ReuseError, match=expected):
        Library.open(db)
    draft = make_doc(tmp_path, "draft.txt", NEW_TEXT)
    for args in (["index", "list", "--db", str(db)], ["check", str(draft), "--db", str(db), "-o", str(tmp_path / "r")],
                 ["index", "add", str(draft), "--db", str(db)]):
        result = runner.invoke(app, args)
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        assert result.exit_code in (1, 2) and len(lines) == 1 and expected in lines[0], (args, result.output)
        assert "Traceback" not in result.output


def test_build_refuses_an_existing_file_and_leaves_nothing_when_it_fails(tmp_path, monkeypatch):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS / _seed_name("000")], db)
    with pytest.raises(UsageError, match="already exists"):
        library.build([SEEDS], db)
    fresh = tmp_path / "fresh.sqlite"

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Library, "insert_postings", broken)
    with pytest.raises(RuntimeError):
        library.build([SEEDS], fresh)
    assert not fresh.exists() and not list(tmp_path.glob(".fresh.sqlite*"))


def test_cli_build_check_writes_reports_and_fail_over_exits_3(tmp_path):
    db = tmp_path / "lib.sqlite"
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "added 5" in result.output
    text, _, _ = _draft()
    draft = make_doc(tmp_path, "draft.txt", text)
    out = tmp_path / "report"
    result = runner.invoke(app, ["check", str(draft), "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "总文字复制比" in result.output and "去除套话复制比" in result.output and "单篇最大复制比" in result.output
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert data["draft"]["id"] == "draft.txt" and data["reuse_ratio"] > 0.75
    assert {s["id"] for s in data["sources"][:2]} == {_seed_name("000"), _seed_name("003")}
    assert data["meta"]["library"]["index"]["shingle"] == 4
    assert all(p["a"] == "draft.txt" and text[p["a_start"]:p["a_end"]] == p["a_text"] for p in data["passages"])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "draft.txt" in [d["id"] for d in report["documents"]]
    assert (out / "index.html").exists() and (out / "pair.html").exists() and list(out.glob("d_draft*.html"))
    assert list(out.glob("data/d_draft*.js"))  # the draft side by side with its sources
    result = runner.invoke(app, ["check", str(draft), "--db", str(db), "-o", str(out), "--fail-over", "0.3"])
    assert result.exit_code == 3 and "over --fail-over" in result.output
    result = runner.invoke(app, ["check", str(draft), "--db", str(db), "-o", str(out), "--fail-over", "0.999"])
    assert result.exit_code == 0
    other = make_doc(tmp_path, "other.txt", NEW_TEXT)
    many = tmp_path / "many"
    result = runner.invoke(app, ["check", str(draft), str(other), "--db", str(db), "-o", str(many)])
    assert result.exit_code == 0, result.output
    assert (many / "draft-txt" / "check.json").exists() and (many / "other-txt" / "check.json").exists()
    assert json.loads((many / "other-txt" / "check.json").read_text(encoding="utf-8"))["reuse_ratio"] == 0.0
    for args in (["index", "list"], ["index", "stats"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0 and "documents" in result.output
    result = runner.invoke(app, ["index", "list", "--db", str(db), "--json"])
    assert len(json.loads(result.output)) == 5
    result = runner.invoke(app, ["index", "remove", _seed_name("000"), "--db", str(db)])
    assert result.exit_code == 0 and "removed 1" in result.output


def test_a_draft_named_like_a_library_document_keeps_both(seeds_db):
    name = _seed_name("000")
    [report] = check_documents([document(seed_text("000"), name)], seeds_db)
    assert report.draft == f"{name} (draft)"
    assert report.sources[0].id == name and report.sources[0].ratio > 0.95


def test_every_library_command_has_help():
    for args in (["index", "--help"], ["index", "build", "--help"], ["index", "add", "--help"],
                 ["index", "remove", "--help"], ["index", "list", "--help"], ["index", "stats", "--help"],
                 ["check", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output, args


ENGLISH_TOPICS = ("assignment", "class", "calls", "if", "try", "while", "function", "import")


def _english_draft() -> tuple[str, str]:
    """A lightly edited paragraph of the Python reference on classes between new sentences, and its source."""
    from pydoc_data.topics import topics

    source = topics["class"]
    para = next(p for p in source.split("\n\n") if len(p) > 300)
    edited = para.replace("class", "klass", 1).replace("the ", "a ", 2)
    text = ("This is an entirely new introduction written for this draft, about mountains and lakes.\n\n"
            f"{edited}\n\nAnd a closing remark that nobody else wrote, about the weather in the hills.")
    return text, source


@pytest.fixture(scope="module")
def english_db(tmp_path_factory):
    from pydoc_data.topics import topics

    folder = tmp_path_factory.mktemp("english")
    for name in ENGLISH_TOPICS:
        make_doc(folder / "lib", f"{name}.txt", topics[name])
    db = folder / "library.sqlite"
    library.build([folder / "lib"], db)
    return db, folder / "lib"


def test_an_english_draft_checks_as_a_scan_of_it_and_its_source(english_db):
    from reuse.ingest import ingest

    db, folder = english_db
    text, _ = _english_draft()
    draft = document(text, "draft.txt")
    [report] = check_documents([draft], db)
    assert [s.id for s in report.sources] == ["class.txt"] and report.candidates[0] == "class.txt"
    on_disk, _ = ingest([str(folder)])
    everything = scan_documents([draft, *on_disk], Settings())
    assert {x for p in everything.passages if "draft.txt" in (p.a, p.b) for x in (p.a, p.b)} == {
        "draft.txt", "class.txt"}
    scanned = scan_documents([draft, *(d for d in on_disk if d.id == "class.txt")], Settings())
    assert list(report.result.passages) == [p for p in scanned.passages if "draft.txt" in (p.a, p.b)]
    mine = next(s for s in scanned.stats if s.id == "draft.txt")
    assert 0.5 < report.reuse_ratio < 0.9
    assert (report.reuse_ratio, report.copy_ratio, report.template_ratio) == (
        mine.reuse_ratio, mine.copy_ratio, mine.template_ratio)
    assert report.sources[0].ratio == mine.top_source.ratio


def test_english_retrieval_measures_runs_and_units_as_a_scan(english_db):
    """Seeds chain into the runs a scan keeps, in weight (a word weighs two); units are the scan's units."""
    from reuse import candidates as cand
    from reuse import minhash
    from reuse.features import extract
    from reuse.library.check import _seed_candidates
    from reuse.ingest import ingest

    db, folder = english_db
    settings = Settings()
    k = settings.shingle
    text, _ = _english_draft()
    draft = document(text, "draft.txt")
    [source], _ = ingest([str(folder / "class.txt")])
    feats = [extract(draft, settings), extract(source, settings)]
    assert not any(f.uniform for f in feats)
    seeds = cand.seed_matches([f.shingles for f in feats], max_doc_freq=settings.max_doc_freq)
    runs = cand.diagonal_runs(seeds, k, shingle_len=[f.shingle_len for f in feats])
    runs = cand.drop_lone_short_runs(runs, shortest=settings.min_length - 2 * (k - 1), max_gap=settings.max_gap,
                                     cums=[f.cum for f in feats])
    expected = sum(feats[0].weight(lo, hi) for lo, hi in runs[:, 2:4].tolist())
    with open_library(db) as lib:
        found = _seed_candidates(lib, feats[0], lib.settings(settings))
        row = lib.ids_of(["class.txt"])["class.txt"]
        assert found[row] == expected > 0
        stored = lib.conn.execute("SELECT tok_lo, tok_hi, signature FROM units WHERE doc = ? ORDER BY idx",
                                  (row,)).fetchall()
    keys, sets, offsets = cand.unit_sets([feats[1]], k)
    sigs = minhash.signatures(np.concatenate(sets).astype(np.uint32), offsets, num_perm=settings.num_perm,
                            seed=settings.seed)
    assert [(lo, hi) for lo, hi, _ in stored] == [tuple(feats[1].units[u].tolist()) for _, u in keys]
    assert [np.frombuffer(s, dtype="<u4").tolist() for _, _, s in stored] == sigs.tolist()


def test_fingerprints_follow_english_word_weights(tmp_path, monkeypatch):
    """A library built before English words were weighed otherwise is refused, not silently mismatched."""
    import reuse.shingle
    from reuse.library.units import fingerprints

    db = tmp_path / "lib.sqlite"
    library.build([SEEDS / _seed_name("000")], db)
    before = fingerprints(Settings())
    monkeypatch.setattr(reuse.shingle, "WORD_WEIGHT", 3)
    assert fingerprints(Settings())["text"] != before["text"]
    with pytest.raises(ReuseError, match="text hashing"):
        check_documents([document(NEW_TEXT, "d.txt")], db)


def test_reuse_check_is_the_library_check_of_the_drafts(tmp_path, seeds_db):
    import reuse

    text, _, _ = _draft()
    draft = make_doc(tmp_path, "draft.txt", text)
    [public] = reuse.check([str(draft)], str(seeds_db))
    [direct] = library.check_paths([draft], seeds_db)
    assert public.reuse_ratio == direct.reuse_ratio > 0 and public.result.passages == direct.result.passages


def test_a_library_counts_long_shingles_as_a_scan_of_its_documents_does(seeds_db):
    """The verdict's long-shingle document frequencies: a library counts through its postings what a scan counts
    among the documents (plus the draft), for every long shingle of a draft that mixes two seeds."""
    from reuse.candidates import shingle_doc_freq
    from reuse.features import extract
    from reuse.ingest import ingest
    from reuse.library.check import LongDocFreq
    from reuse.tiers.families import long_hashes, long_k

    text, _, _ = _draft()
    draft = document(text, "draft.txt")
    settings = Settings()
    on_disk, _ = ingest([str(SEEDS)])
    feats = [extract(d, settings) for d in [draft, *on_disk]]
    k = long_k(settings)
    expected = shingle_doc_freq([long_hashes(f, k) for f in feats])[0]
    with open_library(seeds_db) as lib:
        counted = LongDocFreq(lib, feats[0], k, 1, {})[np.arange(len(expected))]
    assert len(expected) > 500 and int(expected.max()) >= 3 and int(expected.min()) == 1
    assert counted.tolist() == expected.tolist()


def test_a_check_knows_the_dates_of_library_documents_from_their_names(tmp_path):
    """Who came first needs the sources' dates: a library document's file name still gives its date."""
    text, _, _ = _draft()
    corpus = tmp_path / "corpus"
    for n, prefix in enumerate(("000", "003")):
        make_doc(corpus, f"2021-0{n + 1}-15_{prefix}.txt", seed_text(prefix))
    db = tmp_path / "lib.sqlite"
    library.build([corpus], db)
    [report] = check_documents([document(text, "2022-05-01_draft.txt", date="2022-05-01")], db)
    dates = {d.id: d.date for d in report.result.documents}
    assert dates == {"2021-01-15_000.txt": "2021-01-15", "2021-02-15_003.txt": "2021-02-15",
                     "2022-05-01_draft.txt": "2022-05-01"}
