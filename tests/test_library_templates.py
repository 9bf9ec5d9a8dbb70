"""Template families over a reference library: stored, kept current by add and remove, used by check."""

import json
import random
import sqlite3

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse import library
from reuse.cli import app
from reuse.config import Settings
from reuse.ingest import document, ingest
from reuse.library import check_documents, open_library
from reuse.library import families as library_templates
from reuse.library import writing
from reuse.library.families import read_families as families
from reuse.pipeline import scan_documents

FORMULA = "习近平新时代中国特色社会主义思想"
NEW_TEXT = "这是一段全新的文字，和任何文档都没有关系。我们在这里写一些新的内容，讨论天气、山川和湖泊的风景。"
OTHER_TEXT = "春天来了，河边的柳树发出嫩芽，孩子们在草地上放风筝，老人们坐在长椅上晒太阳聊天。"


def _seed_name(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).name


def _content(fams) -> list[tuple]:
    return sorted((t.kind, t.text, t.doc_count, t.members) for t in fams)


def _families(db) -> list:
    with open_library(db) as lib:
        return families(lib)


def _texts(db) -> dict[str, str]:
    with open_library(db) as lib:
        return {d.name: lib.documents([d.id])[d.id].text for d in lib.listing()}


def _family(fams, text: str):
    return next(t for t in fams if t.text == text)


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("lib") / "library.sqlite"
    library.build([SEEDS], db)
    return db


def test_a_library_of_the_seeds_keeps_the_families_a_scan_of_them_finds(seeds_db, seeds_result):
    fams = _families(seeds_db)
    assert _content(fams) == _content(seeds_result.templates)
    texts = _texts(seeds_db)
    formula = _family(fams, FORMULA)
    assert formula.kind == "formula" and formula.doc_count == 5
    assert {name for name, _, _ in formula.members} == set(texts)
    assert all(FORMULA in texts[name][s:e] for name, s, e in formula.members)
    opening = _family(fams, "同志们：")
    assert opening.kind == "structure" and opening.doc_count == 5
    assert all(texts[name][s:e] == "同志们：" for name, s, e in opening.members)
    # vendor lines of seeds 000 and 002 are watermarks of those two documents only
    marks = [t for t in fams if t.kind == "watermark"]
    assert {name for t in marks for name, _, _ in t.members} == {_seed_name("000"), _seed_name("002")}
    notice = _family(fams, "【会员资料仅供内部交流使用，严禁外传及用于商业用途，违者后果自负】")
    assert notice.kind == "watermark" and [m[0] for m in notice.members] == [_seed_name("002")]
    for t in marks:
        assert all(texts[name][s:e] in {ln.strip() for ln in texts[name].splitlines()} for name, s, e in t.members)
    # what template_members holds (row ids) is the same, and slices the stored documents
    with open_library(seeds_db) as lib:
        stored = lib.conn.execute("SELECT m.template, m.doc, m.start, m.end FROM template_members m").fetchall()
        docs = lib.documents({r[1] for r in stored})
        assert lib.stats()["templates"] == len(fams)
    assert len(stored) == sum(len(t.members) for t in fams)
    assert all(docs[doc].text[s:e] for _, doc, s, e in stored)
    assert sorted(docs[doc].text[s:e] for fid, doc, s, e in stored if fid == formula.id) == sorted(
        texts[name][s:e] for name, s, e in formula.members)


def test_adding_a_document_with_the_formula_updates_that_family(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS], db)
    before = _family(_families(db), FORMULA)
    new = make_doc(tmp_path / "in", "new.txt", f"{NEW_TEXT}\n我们必须始终坚持{FORMULA}不动摇，{OTHER_TEXT}\n")
    library.add([new], db)
    after = _family(_families(db), FORMULA)
    assert after.id == before.id and after.doc_count == before.doc_count + 1 == 6
    added = [m for m in after.members if m[0] == "new.txt"]
    assert len(added) == 1
    text = new.read_text(encoding="utf-8")
    assert text[added[0][1]:added[0][2]] == FORMULA
    assert [m for m in after.members if m[0] != "new.txt"] == list(before.members)
    # a document sharing no template text changes no family
    plain = make_doc(tmp_path / "in2", "plain.txt", f"{OTHER_TEXT}\n{NEW_TEXT}\n")
    unchanged = _content(_families(db))
    library.add([plain], db)
    assert _content(_families(db)) == unchanged


def test_removing_documents_updates_and_then_drops_families(tmp_path):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS], db)
    library.remove([_seed_name("000"), _seed_name("002")], db)
    fams = _families(db)
    formula = _family(fams, FORMULA)
    assert formula.doc_count == 3 and {m[0] for m in formula.members} == {_seed_name(p) for p in ("001", "003", "004")}
    assert not any(t.kind == "watermark" for t in fams)  # the vendor lines went with their documents
    library.remove([_seed_name("001")], db)
    fams = _families(db)
    assert not any(t.text in (FORMULA, "同志们：") for t in fams)  # in two documents: below three
    rebuilt = tmp_path / "rebuilt.sqlite"
    library.build([SEEDS / _seed_name("003"), SEEDS / _seed_name("004")], rebuilt)
    assert _content(fams) == _content(_families(rebuilt))
    with open_library(db) as lib:
        assert lib.stats()["templates"] == len(fams)
        assert not lib.conn.execute("SELECT count(*) FROM template_members WHERE doc NOT IN "
                                    "(SELECT id FROM documents)").fetchone()[0]


# -- incremental == from scratch ------------------------------------------------------------------


def _corpus(folder, n: int, rng: random.Random) -> list:
    """The seeds and ``n`` documents made of their paragraphs, so text is shared by ever more documents."""
    paragraphs = [p for prefix in ("000", "001", "002", "003", "004") for p in seed_text(prefix).split("\n")
                  if len(p.strip()) > 20]
    out = sorted(SEEDS.glob("*.txt"))
    for i in range(n):
        picked = rng.sample(paragraphs, rng.randint(2, 5))
        head = "同志们：\n" if rng.random() < 0.5 else ""
        tail = "\n本文系作者原创投稿，仅供学习参考，请勿照搬照抄！" if rng.random() < 0.3 else ""
        out.append(make_doc(folder, f"mix{i:02d}.txt", head + "\n".join(picked) + f"\n{NEW_TEXT[: 10 + i]}" + tail))
    return out


def _state(db) -> dict:
    """The template tables by document name: frequent shingles, pieces by component, watermark lines, threshold."""
    with sqlite3.connect(db) as conn:
        names = dict(conn.execute("SELECT id, name FROM documents"))
        comps: dict[str, set] = {}
        for doc, lo, hi, start, end, comp in conn.execute("SELECT * FROM tmpl_pieces"):
            comps.setdefault(comp, set()).add((names[doc], lo, hi, start, end))
        return {
            "df": sorted(conn.execute("SELECT hash, df FROM tmpl_df")),
            "components": sorted(sorted(c) for c in comps.values()),
            "marks": sorted((names[d], s, e, k) for k, d, s, e, _ in conn.execute("SELECT * FROM tmpl_marks")),
            "threshold": conn.execute("SELECT value FROM meta WHERE key = 'template_state'").fetchone()[0],
        }


@pytest.mark.parametrize("seed", range(4))
def test_adding_and_removing_gives_the_families_of_a_build_from_scratch(tmp_path, monkeypatch, seed):
    """build(A) then add(B), one or a few at a time, then remove some: each step equals a build of what is there.

    ``min_docs`` is a share of the library here, so the threshold rises as
    documents come and falls as they go.
    """
    monkeypatch.setattr(library_templates, "FULL_SHARE", 1.0)  # every change takes the incremental path
    rng = random.Random(seed)
    files = _corpus(tmp_path / "corpus", 9, rng)
    rng.shuffle(files)
    settings = Settings(min_docs=0.4)
    db = tmp_path / "lib.sqlite"
    present, pool = files[:3], files[3:]
    library.build(present, db, settings)
    thresholds = [json.loads(_state(db)["threshold"])["threshold"]]
    while pool or len(present) > 4:
        if pool and (rng.random() < 0.75 or len(present) < 5):  # mostly adding, then removing
            batch = pool[: rng.choice([1, 1, 2])]
            pool = pool[len(batch):]
            library.add(batch, db)
            present += batch
        else:
            gone = rng.sample(present, rng.choice([1, 2]))
            library.remove([p.name for p in gone], db)
            present = [p for p in present if p not in gone]
        scratch = tmp_path / f"scratch{len(thresholds)}.sqlite"
        library.build(present, scratch, settings)
        assert _content(_families(db)) == _content(_families(scratch)), [p.name for p in present]
        state = _state(db)
        assert state == _state(scratch)
        thresholds.append(json.loads(state["threshold"])["threshold"])
    rises = any(b > a for a, b in zip(thresholds, thresholds[1:]))
    falls = any(b < a for a, b in zip(thresholds, thresholds[1:]))
    assert rises and falls, thresholds


def test_a_batch_of_documents_and_a_replaced_one_give_the_families_of_a_build_from_scratch(tmp_path, monkeypatch):
    monkeypatch.setattr(library_templates, "FULL_SHARE", 1.0)
    files = _corpus(tmp_path / "corpus", 6, random.Random(7))
    db = tmp_path / "lib.sqlite"
    library.build(files[:4], db)
    library.add(files[4:], db)
    scratch = tmp_path / "scratch.sqlite"
    library.build(files, scratch)
    assert _content(_families(db)) == _content(_families(scratch))
    # a document replaced by other text: its old families go, its new ones come
    target = files[-1]
    target.write_text(f"同志们：\n{seed_text('002')}", encoding="utf-8")
    library.add([target], db, replace=True)
    again = tmp_path / "again.sqlite"
    library.build(files, again)
    assert _content(_families(db)) == _content(_families(again)) != _content(_families(scratch))


# -- check ----------------------------------------------------------------------------------------


def _formula_draft() -> tuple[str, str]:
    """The formula in a new sentence, two sentences copied from seed 003, new text."""
    copied = [p for p in seed_text("003").split("\n") if len(p) > 60 and FORMULA not in p][:2]
    text = "\n".join([f"{OTHER_TEXT}全体同志要坚持用{FORMULA}武装头脑。", *copied, NEW_TEXT])
    return text, "\n".join(copied)


def test_a_check_counts_the_library_formula_as_template_whatever_the_number_of_sources(seeds_db):
    text, copied = _formula_draft()
    draft = document(text, "draft.txt")
    [one] = check_documents([draft], seeds_db, max_sources=1)
    [every] = check_documents([draft], seeds_db, max_sources=20)
    assert len(one.candidates) == 1 and len(every.candidates) > 1  # aligned against one source, or many
    assert [s.id for s in one.sources] == [s.id for s in every.sources]  # only one of them holds a copy
    for report in (one, every):
        assert 0 < report.copy_ratio < report.reuse_ratio
        assert report.template_ratio > 0
        start = text.index(FORMULA)
        marked = [(s, e) for t in report.result.templates for d, s, e in t.members if d == "draft.txt"]
        assert any(s <= start and start + len(FORMULA) <= e for s, e in marked)
    # 去除套话复制比 is the same whichever sources were aligned: the formula is template either way (more
    # sources may share a character or two around it more, which adds to the total and template ratios only)
    assert one.copy_ratio == every.copy_ratio
    assert one.reuse_ratio - one.copy_ratio <= every.reuse_ratio - every.copy_ratio
    # copying is what was copied: the two sentences of seed 003
    expected = sum(not c.isspace() for c in copied) / draft.chars
    assert one.copy_ratio == pytest.approx(expected, abs=0.02)
    # a scan of the draft with its top source alone sees no template (two documents cannot make one)
    [source], _ = ingest([str(SEEDS / one.sources[0].id)])
    alone = next(s for s in scan_documents([draft, source], Settings()).stats if s.id == "draft.txt")
    assert alone.template_ratio == 0 and alone.copy_ratio > one.copy_ratio


def test_a_library_built_before_families_were_kept_gets_them_at_its_next_change(tmp_path):
    db = tmp_path / "lib.sqlite"
    settings = Settings()
    documents, _ = ingest([str(SEEDS)])
    with library.open_library(db, create=settings) as lib:
        # no maintainers: no families
        writing.add(lib, sorted(documents, key=lambda d: d.id)[:4], lib.settings(settings), maintainers=())
    assert _families(db) == []
    with open_library(db) as lib:
        assert not library_templates.ready(lib)
    text, _ = _formula_draft()
    [report] = check_documents([document(text, "draft.txt")], db)  # the draft and its sources alone tell
    assert report.reuse_ratio > 0
    library.add([SEEDS / _seed_name("004")], db)
    scratch = tmp_path / "scratch.sqlite"
    library.build([SEEDS], scratch)
    assert _content(_families(db)) == _content(_families(scratch))


def test_family_writes_stay_in_the_callers_transaction(tmp_path, monkeypatch):
    db = tmp_path / "lib.sqlite"
    library.build([SEEDS / _seed_name(p) for p in ("000", "001")], db)
    with sqlite3.connect(db) as conn:
        tables = ["templates", "template_members", *library_templates.TABLES, "meta"]
        before = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    update = library_templates.update
    statements: list[str] = []

    def failing(lib, change):
        lib.conn.set_trace_callback(statements.append)
        try:
            update(lib, change)
        finally:
            lib.conn.set_trace_callback(None)
        raise RuntimeError("killed after the families were written")

    monkeypatch.setattr(library_templates, "update", failing)
    with pytest.raises(RuntimeError):
        library.add([SEEDS / _seed_name(p) for p in ("002", "003", "004")], db)
    assert any("INSERT INTO tmpl_pieces" in s for s in statements)
    assert not any(s.strip().upper().startswith(("COMMIT", "BEGIN", "ROLLBACK", "SAVEPOINT", "RELEASE", "END"))
                   for s in statements)
    with sqlite3.connect(db) as conn:
        assert {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables} == before


def test_index_stats_counts_the_families(seeds_db):
    result = CliRunner().invoke(app, ["index", "stats", "--db", str(seeds_db)])
    assert result.exit_code == 0
    line = next(ln for ln in result.output.splitlines() if ln.strip().startswith("templates"))
    assert int(line.split()[-1]) == len(_families(seeds_db)) == 14


def test_a_drafts_watermark_lines_are_template_whether_the_library_has_them_or_not(seeds_db):
    from reuse.features import extract
    from reuse.library.families import draft_families

    known, own = "本文系作者原创投稿，仅供学习参考，请勿照搬照抄！", "更多精品资料请关注微信公众号：文稿之家"
    text = f"{NEW_TEXT}\n{OTHER_TEXT}\n{known}\n{own}\n"
    draft = document(text, "draft.txt")
    with open_library(seeds_db) as lib:
        found = {t.text: t for t in draft_families(lib, draft, extract(draft, lib.settings()))}
    assert set(found) == {known, own}
    assert found[known].kind == "watermark" and found[known].doc_count == 1  # the library's family (seed 000)
    assert found[own].kind == "watermark" and found[own].doc_count == 0  # the draft's own vendor line
    assert all(text[s:e] == t.text for t in found.values() for _, s, e in t.members)


@pytest.mark.parametrize("unit", ["char", "word"])
def test_documents_are_read_again_as_extract_reads_them(unit):
    """Stored documents are re-read by folding and tokenizing only; what templates use is extract's own."""
    from pydoc_data.topics import topics

    from reuse.features import extract
    from reuse.features import extract_tokens as tokens_only
    from reuse.tiers.families import long_hashes

    settings = Settings(unit=unit)
    for text in (seed_text("002"), topics["class"], "同志们：\n" + topics["if"] + OTHER_TEXT):
        full, light = extract(document(text, "a.txt"), settings), tokens_only(text, settings)
        assert light.folded.text == full.folded.text and np.array_equal(light.folded.origin, full.folded.origin)
        assert np.array_equal(light.tokens.start, full.tokens.start) and np.array_equal(light.cum, full.cum)
        assert np.array_equal(long_hashes(light, 4), long_hashes(full, 4)) and light.uniform == full.uniform
