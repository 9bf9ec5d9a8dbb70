"""Template families on the seeds and on generated corpora; formula vs copying scores."""

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse.cli import app
from reuse.pipeline import run
from reuse.tiers.families import min_docs_for, watermark_lines
from reuse.ingest import document

runner = CliRunner()


def _family_with(result, text):
    return [t for t in result.templates if text in t.text]


def test_universal_formula_is_one_family_in_all_five_seeds(seeds_result):
    [family] = [t for t in _family_with(seeds_result, "习近平新时代中国特色社会主义思想") if t.doc_count == 5]
    assert family.kind == "formula"
    texts = {d.id: d.text for d in seeds_result.documents}
    assert {doc for doc, _, _ in family.members} == set(texts)
    for doc, start, end in family.members:
        assert "习近平新时代中国特色社会主义思想" in texts[doc][start:end]


def test_watermarks_of_002_and_first_line_of_000(seeds_result):
    texts = {d.id[:3]: d.text for d in seeds_result.documents}
    marked = {
        (doc[:3], texts[doc[:3]][s:e]) for t in seeds_result.templates if t.kind == "watermark" for doc, s, e in t.members
    }
    first_000 = texts["000"].split("\n")[0]
    assert ("000", first_000) in marked
    lines_002 = [ln.strip() for ln in texts["002"].split("\n") if ln.strip()]
    qq = [i for i, ln in enumerate(lines_002) if "QQ206157060" in ln]
    assert len(qq) == 2  # the vendor's line stands at the head and at the tail
    head, tail = lines_002[:3] + [lines_002[qq[0]]], lines_002[qq[1]:]
    for line in head + tail:  # the notices above the title, the QQ line, the whole tail block
        assert ("002", line) in marked, line
    assert ("002", "同志们：") not in marked
    # the title of 002 and the speeches' content are not watermarks
    assert ("002", "2020年党建工作会议讲话") not in marked
    assert all(len(line) < 130 for _, line in marked)


def test_opening_structure_is_found(seeds_result):
    [family] = [t for t in seeds_result.templates if t.text.startswith("同志们")]
    assert family.kind == "structure" and family.doc_count == 5


def test_the_four_kinds_add_up_to_the_reuse_ratio(seeds_result):
    for s in seeds_result.stats:
        assert abs(s.template_ratio + s.copy_ratio + s.quote_ratio + s.phrase_ratio - s.reuse_ratio) <= 1e-9
        assert s.template_ratio > 0  # every seed carries the formula
        for sec in s.sections:
            assert abs(sec.template_ratio + sec.copy_ratio + sec.quote_ratio + sec.phrase_ratio
                       - sec.reuse_ratio) <= 1e-9


def test_sections_follow_headings(seeds_result):
    by_id = {s.id[:3]: s for s in seeds_result.stats}
    titles = [sec.title for sec in by_id["001"].sections]
    assert titles[1].startswith("一、") and titles[2].startswith("二、") and titles[3].startswith("三、")
    text = seeds_result.document(by_id["001"].id).text
    assert all(text[sec.start:].startswith(sec.title) for sec in by_id["001"].sections)


def test_document_sharing_only_formulas_has_copy_ratio_near_zero(tmp_path):
    for prefix in ("000", "001", "002", "003", "004"):
        make_doc(tmp_path, f"{prefix}.txt", seed_text(prefix))
    formula = "习近平新时代中国特色社会主义思想"
    own = ("这份材料讲的是本地水利设施的维修安排，汛期前要完成全部检查，" "并把结果报送主管部门。" * 3)
    make_doc(tmp_path, "new.txt", f"{own}\n坚持以{formula}为指引。\n{own[::-1]}\n深入学习{formula}。\n")
    result = run([str(tmp_path)])
    stats = {s.id: s for s in result.stats}["new.txt"]
    assert stats.reuse_ratio > 0.05
    assert stats.copy_ratio < 0.01


def test_placeholder_template_filled_in_twenty_documents_is_one_family(tmp_path):
    template = ("XX县要坚持把基层党建作为最大政绩，聚焦XX镇村级组织建设，2020年底前完成全部软弱涣散"
                "党组织整顿工作，确保每个支部都有一支过硬的带头人队伍和一套管用的工作制度。")
    places = ["平安县", "长乐县", "永和县", "安远县", "宁乡县"]
    rng = random.Random(4)
    source = [ln for ln in (seed_text("001") + seed_text("003")).split("\n") if len(ln) > 40]
    for n in range(20):
        filled = template.replace("XX县", rng.choice(places)).replace("XX镇", rng.choice(["城关镇", "河口镇"]))
        filled = filled.replace("2020", str(2018 + n % 5))
        own = "".join(rng.sample("".join(source), 300))  # unrelated characters: no other shared text
        make_doc(tmp_path, f"doc{n:02d}.txt", f"{own}\n{filled}\n{own[::-1]}\n")
    make_doc(tmp_path, "template.txt", "说明\n" + template + "\n")
    result = run([str(tmp_path)])
    families = [t for t in result.templates if "软弱涣散" in t.text]
    assert len(families) == 1
    family = families[0]
    assert family.kind == "placeholder"
    assert family.doc_count == 21 and len({d for d, _, _ in family.members}) == 21
    from reuse.report.jsonreport import to_dict

    [data] = [t for t in to_dict(result)["templates"] if t["id"] == family.id]
    texts = {d.id: d.text for d in result.documents}
    assert data["variants"] and all(v["text"] != family.text for v in data["variants"])
    assert all(texts[v["doc"]][v["start"]:v["end"]] == v["text"] for v in data["variants"])


def test_templates_command_lists_families_as_table_json_csv():
    table = runner.invoke(app, ["templates", str(SEEDS)])
    assert table.exit_code == 0 and "习近平新时代中国特色社会主义思想" in table.output and "watermark" in table.output
    data = json.loads(runner.invoke(app, ["templates", str(SEEDS), "--format", "json"]).output)
    counts = [t["doc_count"] for t in data]
    assert counts == sorted(counts, reverse=True) and data[0]["doc_count"] == 5
    csv_out = runner.invoke(app, ["templates", str(SEEDS), "-f", "csv"]).output.splitlines()
    assert csv_out[0] == "id,kind,doc_count,members,text" and len(csv_out) == len(data) + 1
    bad = runner.invoke(app, ["templates", str(SEEDS), "-f", "xml"])
    assert bad.exit_code == 2 and "--format" in bad.output


def test_exclusion_list_is_never_counted_as_reuse(tmp_path):
    shared = "巩固深化不忘初心牢记使命主题教育成果，持续推动全面从严治党向纵深发展"
    make_doc(tmp_path / "corpus", "a.txt", f"甲地的工作安排如下。{shared}。其余事项另行通知。")
    make_doc(tmp_path / "corpus", "b.txt", f"乙地会议纪要全文。{shared}。散会。")
    phrases = make_doc(tmp_path, "known.txt", shared + "\n")
    before = run([str(tmp_path / "corpus")])
    assert before.passages
    out = tmp_path / "r"
    result = runner.invoke(app, ["scan", str(tmp_path / "corpus"), "-o", str(out), "--exclude", str(phrases), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["passages"] == [] and all(d["reuse_ratio"] == 0 for d in data["documents"])


def test_include_templates_counts_formulas_in_similarity(tmp_path):
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(app, ["scan", str(SEEDS), "-o", str(out_a), "-q"]).exit_code == 0
    assert runner.invoke(app, ["scan", str(SEEDS), "-o", str(out_b), "-q", "--include-templates"]).exit_code == 0
    sims_a = {(p["a"], p["b"]): p["a_shared_chars"] for p in json.loads((out_a / "report.json").read_text())["pairs"]}
    sims_b = {(p["a"], p["b"]): p["a_shared_chars"] for p in json.loads((out_b / "report.json").read_text())["pairs"]}
    assert all(sims_b[k] >= sims_a[k] for k in sims_a) and sum(sims_b.values()) > sum(sims_a.values())


def test_watermark_needs_a_notice_not_just_a_short_line():
    doc = document("关于加强管理的通知\n同志们：\n" + "正文内容要长一些才像讲话。" * 10 + "\n谢谢大家。\n", "d")
    assert watermark_lines(doc, repeated={"同志们："}) == []
    marked = document("仅供学习 禁止外传\n标题\n" + "正文。" * 50 + "\n获取完整版请加微信 abc123\n", "m")
    lines = [marked.text[s.start:s.end] for s in watermark_lines(marked, repeated=set())]
    assert lines == ["仅供学习 禁止外传", "获取完整版请加微信 abc123"]


def test_a_news_sentence_that_gives_a_hotline_is_no_watermark():
    # as 新闻联播 transcripts (china-data/xwlb) give them: a report's sentence with a number, an address or
    # 未经授权 is content, and the short title after it is no notice block
    news = document("[视频]长江禁渔行动首批案件全部告破\n央视网消息（新闻联播）：公安部今天召开新闻发布会通报，"
                    "挂牌督办的第一批100起重点案件已全部告破。\n同时，公安部设立了24小时举报热线（010-66262044）"
                    "和举报邮箱（changjiangjinbu@163.com）并同步开通了私信举报。\n报告显示，导弹发射台错位、士兵与指挥官沟通不畅、士兵未经授权按下发射键等原因，"
                    "导致革命卫队错把客机当成敌对目标并将其击落，事故共造成一百七十六人遇难。\n日本多地持续暴雨 至少72人死亡\n", "n")
    assert watermark_lines(news, repeated=set()) == []
    # one notice is one, however its parts match: a labelled address, a web address with its www.
    for sentence in ("家长如有疑问可以发送邮件咨询，市教育局今天发布通知，全市中小学将于下周一起恢复线下教学，投稿邮箱：tougao@example.com",
                     "市教育局今天发布通知，全市中小学将于下周一起恢复线下教学，详见官方网站 https://www.example.gov.cn 的公告内容"):
        one = document("[视频]全市中小学恢复线下教学\n央视网消息（新闻联播）：" + "教学秩序平稳。" * 8 + "\n" + sentence
                       + "\n日本多地持续暴雨 至少72人死亡\n", "one")
        assert len(sentence) > 60 and watermark_lines(one, repeated=set()) == []
    notice = ("本文档仅供学习交流使用，如有侵权请联系删除，更多精品资料请关注微信公众号：abcdef123，"
              "每日更新各类讲话稿、心得体会和工作总结")
    vendor = document("标题\n" + "正文。" * 50 + "\n" + notice + "\n", "v")
    assert len(notice) > 60 and [vendor.text[s.start:s.end] for s in watermark_lines(vendor, repeated=set())] == [notice]


@pytest.mark.parametrize("n, given, expected", [(5, None, 3), (1000, None, 50), (200, 0.1, 20), (10, 4, 4)])
def test_min_docs(n, given, expected):
    assert min_docs_for(n, given) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=list("同志们：今天开会。\n 一、abc.，"), max_size=120), min_length=st.sampled_from([3, 6, 12]))
def test_short_lines_are_each_distinct_line_and_sentence_too_short_for_shingles(text, min_length):
    # the plain form: paragraphs and sentences as a set of spans, in (start, end) order, kept by folded length
    import numpy as np

    from reuse.config import Settings
    from reuse.features import extract
    from reuse.tiers.families import short_lines

    doc = document(text, "x")
    feat = extract(doc, Settings())
    want = []
    for span in sorted(set(doc.paragraphs) | set(doc.sentences), key=lambda s: (s.start, s.end)):
        lo, hi = (int(np.searchsorted(feat.folded.origin, x)) for x in (span.start, span.end))
        if 2 <= hi - lo < min_length:
            want.append((feat.folded.text[lo:hi], span))
    assert short_lines(doc, feat, min_length=min_length) == want


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("ab@.-_中文QQ微信号公众号:：12345 wwwhttps://仅供学习mail"), max_size=40))
def test_a_notice_is_what_one_pattern_with_the_address_in_it_finds(line):
    """The e-mail address is searched apart, only in a line with an @: the same lines are notices."""
    import re

    from reuse.tiers import families

    whole = re.compile(families._WATERMARK_STRICT.pattern.replace("https?://\\S*|", "https?://\\S*|" + families._EMAIL.pattern + "|"))
    assert whole.pattern != families._WATERMARK_STRICT.pattern
    assert families._is_watermark_line(line) == (whole.search(line) is not None)


@settings(max_examples=300, deadline=None)
@given(sets=st.lists(st.lists(st.integers(0, 12), max_size=6), max_size=12), seed=st.integers(0, 2**32 - 1))
def test_split_flat_groups_pieces_whatever_order_their_hashes_come_in(sets, seed):
    """A piece's hashes in any order (the packed sort keeps rows piece by piece) give the same groups."""
    import numpy as np

    from reuse.tiers.families import split_flat

    rng = np.random.default_rng(seed)
    piece = np.array([p for p, hs in enumerate(sets) for _ in hs], dtype=np.int64)
    hashes = np.array([h * 0x9E3779B97F4A7C15 % 2**64 for hs in sets for h in hs], dtype=np.uint64)
    shuffled = np.array([h * 0x9E3779B97F4A7C15 % 2**64 for hs in sets for h in rng.permutation(hs).tolist()], dtype=np.uint64)
    assert split_flat(piece, hashes, len(sets)).tolist() == split_flat(piece, shuffled, len(sets)).tolist()


@settings(max_examples=200, deadline=None)
@given(freqs=st.lists(st.lists(st.integers(1, 9), max_size=12), max_size=6), min_docs=st.integers(1, 9))
def test_shingles_held_widely_are_found_a_document_at_a_time_as_in_the_corpus_laid_end_to_end(freqs, min_docs):
    import numpy as np

    from reuse.tiers.families import held_in

    doc_freq = [np.array(f, dtype=np.uint16) for f in freqs]
    lengths = np.array([len(f) for f in freqs], dtype=np.int64)
    first = np.cumsum(lengths) - lengths
    hit = np.flatnonzero(np.concatenate([np.zeros(0, dtype=np.uint16), *doc_freq]) >= min_docs)
    doc = np.searchsorted(first, hit, side="right") - 1
    tagged = [np.arange(len(f), dtype=np.uint64) * 10 + n for n, f in enumerate(freqs)]  # says where it was read
    got_doc, got_pos, (got_freq, got_tag) = held_in(doc_freq, min_docs, doc_freq, tagged)
    assert got_doc.tolist() == doc.tolist() and got_pos.tolist() == (hit - first[doc]).tolist()
    assert got_freq.tolist() == [freqs[d][p] for d, p in zip(doc.tolist(), (hit - first[doc]).tolist())]
    assert got_tag.tolist() == [p * 10 + d for d, p in zip(doc.tolist(), (hit - first[doc]).tolist())]
    if freqs:  # (with no document there is no type to read)
        assert got_freq.dtype == np.uint16 and got_tag.dtype == np.uint64


def test_a_section_number_standing_alone_is_structure_not_a_formula():
    from reuse.tiers.families import describe

    for number in ("II.", "III.", "3.", "一、", "（二）"):
        assert describe([number] * 4, ["body"] * 4, is_watermark=False, short=True) == ("structure", number)
    assert describe(["坚持和发展中国特色社会主义"] * 4, ["body"] * 4, is_watermark=False) == (
        "formula", "坚持和发展中国特色社会主义")
    assert describe(["In 1990."] * 4, ["body"] * 4, is_watermark=False, short=True)[0] == "formula"


SALUTATION = "Fellow-Citizens of the Senate and House of Representatives:"
"""Nine English words (eighteen Han characters' weight, under twelve tokens): the State of the Union's opening."""


def _addresses(folder):
    from pydoc_data.topics import topics

    for n, name in enumerate(("if", "while", "for", "try", "with", "class")):
        make_doc(folder, f"address_{n}.txt", f"{SALUTATION}\n\n{topics[name]}")
    return folder


def test_an_english_formula_of_nine_words_is_a_family_in_every_document(tmp_path):
    # a member is measured in Han characters (a word counts two), as passages and phrases are, not in tokens
    result = run([str(_addresses(tmp_path))])
    family = next(t for t in result.templates if SALUTATION.rstrip(":") in t.text)
    assert family.doc_count == 6
    texts = {d.id: d.text for d in result.documents}
    for doc, start, end in family.members:  # the opening, and the word after it that the topics share ("The")
        assert start == 0 and texts[doc][start:end].startswith(SALUTATION.rstrip(":"))
        assert len(texts[doc][start:end].split()) <= 10


def test_a_library_keeps_the_english_formula_a_scan_finds(tmp_path):
    from reuse import library
    from reuse.library import open_library
    from reuse.library.families import read_families

    folder = _addresses(tmp_path / "docs")
    db = tmp_path / "lib.sqlite"
    library.build([folder], db)
    with open_library(db) as lib:
        stored = sorted((t.kind, t.text, t.doc_count, t.members) for t in read_families(lib))
    assert stored == sorted((t.kind, t.text, t.doc_count, t.members) for t in run([str(folder)]).templates)
    assert any(SALUTATION.rstrip(":") in text for _, text, _, _ in stored)


def _split_plainly(hash_sets, share=0.5):
    """``split_by_anchor`` as its docstring says it, one piece and one anchor at a time."""
    from collections import Counter

    sets = [set(hs) for hs in hash_sets]
    count = Counter(h for s in sets for h in s)
    anchor = {}
    for p, s in enumerate(sets):
        if s:
            level = sorted(count[h] for h in s)[len(s) // 2]  # the median count of its shingles
            anchor[p] = min(h for h in s if count[h] == level)
    group_of, size = {}, Counter()
    for a in sorted(set(anchor.values()), key=lambda h: (-count[h], h)):  # most widespread anchors first
        target = a
        held = Counter(group_of[p] for p, s in enumerate(sets) if a in s and p in group_of)
        if held:
            g = min(held, key=lambda g: (-held[g], -count[g], g))
            if held[g] >= share * size[g]:
                target = g
        for p in (p for p, x in anchor.items() if x == a):
            group_of[p] = target
            size[target] += 1
    first = {}
    for p in sorted(group_of):
        first.setdefault(group_of[p], p)
    return [first[group_of[p]] if p in group_of else p for p in range(len(sets))]


@settings(max_examples=400, deadline=None)
@given(sets=st.lists(st.lists(st.sampled_from([1, 2, 3, 5, 8, 2**63 + 7, 2**64 - 1]), max_size=5), max_size=14),
       share=st.sampled_from([0.3, 0.5, 0.8]))
def test_split_by_anchor_is_the_rule_its_docstring_states(sets, share):
    from reuse.tiers.families import split_by_anchor

    assert split_by_anchor([set(s) for s in sets], share) == _split_plainly(sets, share)
