"""The verdict on real text: copy, template, quote or phrase (issue 16)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from conftest import SEEDS, make_doc, seed_text
from reuse.normalize import fold
from reuse.pipeline import run
from reuse.tiers.quotes import quotation_spans

ISSUE_2_RUNS = [
    ("000", "001", "举旗帜、聚民心、育新人、兴文化、展形象的使命任务"),
    ("002", "003", "以习近平新时代中国特色社会主义思想为指导，全面贯彻"),
    ("002", "003", "团结在以习近平同志为核心的党中央周围"),
    ("000", "003", "巩固深化“不忘初心、牢记使命”主题教育成果"),
    ("000", "002", "一级抓一级、层层抓落实的党建工作格局"),
]


def _text(result, doc_id):
    return result.document(doc_id).text


def test_the_seeds_share_formulas_and_copy_nothing(seeds_result):
    assert [p for p in seeds_result.passages if p.kind == "copy"] == []
    assert seeds_result.pairs == ()  # pairs count copying only
    assert not seeds_result.clusters
    stats = {s.id[:3]: s for s in seeds_result.stats}
    assert stats["002"].copy_ratio < 0.01
    assert all(s.phrase_ratio > 0 and s.template_ratio > 0 for s in stats.values())


@pytest.mark.parametrize("a, b, run_text", ISSUE_2_RUNS)
def test_the_issue_2_runs_are_still_found_as_shared_text(seeds_result, a, b, run_text):
    """Each is a phrase, a template member or a passage in both documents, and slices back."""
    def places(doc_prefix):
        doc = next(d for d in seeds_result.documents if d.id.startswith(doc_prefix))
        spans = [(d, s, e) for p in seeds_result.phrases for d, s, e in p.members]
        spans += [(d, s, e) for t in seeds_result.templates for d, s, e in t.members]
        spans += [(p.a, p.a_start, p.a_end) for p in seeds_result.passages]
        spans += [(p.b, p.b_start, p.b_end) for p in seeds_result.passages]
        return doc, [(s, e) for d, s, e in spans if d == doc.id]

    for prefix in (a, b):
        doc, spans = places(prefix)
        at = doc.text.index(run_text)
        covered = set()
        for s, e in spans:
            assert 0 <= s < e <= len(doc.text)
            covered.update(range(max(s, at), min(e, at + len(run_text))))
        # the run's words are shared text (its punctuation may fall outside a phrase)
        words = [i for i in range(at, at + len(run_text)) if doc.text[i].isalnum()]
        assert set(words) <= covered, (prefix, run_text)


def test_phrases_slice_back_and_hold_one_text(seeds_result):
    assert seeds_result.phrases
    for ph in seeds_result.phrases:
        assert ph.doc_count == len({d for d, _, _ in ph.members}) >= 2
        folded = {fold(_text(seeds_result, d)[s:e]).text for d, s, e in ph.members}
        assert len(folded) == 1, ph
        assert fold(ph.text).text in folded


def test_ratios_sum(seeds_result):
    for s in seeds_result.stats:
        parts = s.copy_ratio + s.template_ratio + s.quote_ratio + s.phrase_ratio
        assert s.reuse_ratio == pytest.approx(parts, abs=1e-9)
        for sec in s.sections:
            assert sec.reuse_ratio == pytest.approx(sec.copy_ratio + sec.template_ratio + sec.quote_ratio
                                                    + sec.phrase_ratio, abs=1e-9)


def _body(prefix):
    lines = [ln for ln in seed_text(prefix).split("\n") if ln.strip()]
    return "\n".join(lines[2:10]) + "\n"


def test_a_body_copied_into_two_documents_is_copy_in_all_three(tmp_path):
    body = _body("001")
    assert len(body) > 1500
    for p in SEEDS.glob("*.txt"):
        make_doc(tmp_path, p.name, p.read_text(encoding="utf-8"))
    make_doc(tmp_path, "copy_one.txt", "关于近期工作的几点意见\n" + body + "以上意见，请结合实际认真落实。\n")
    make_doc(tmp_path, "copy_two.txt", "某乡镇二〇二三年务虚会材料\n" + body)
    result = run([str(tmp_path)])
    stats = {s.id: s for s in result.stats}
    assert stats["copy_one.txt"].copy_ratio >= 0.9 and stats["copy_two.txt"].copy_ratio >= 0.9
    source = next(s for s in stats if s.startswith("001"))
    assert stats[source].copy_ratio > 0.25
    assert [c.doc_count for c in result.clusters] == [3]
    members = {d: (s, e) for d, s, e in result.clusters[0].members}
    assert set(members) == {source, "copy_one.txt", "copy_two.txt"}
    for doc, (s, e) in members.items():  # each member is the body, give or take its edges
        assert _text(result, doc)[s:e] in body and e - s >= len(body) - 30
    # every pair of the cluster's documents is not listed: its passages are derived, none all against all
    copies = [p for p in result.passages if p.kind == "copy"]
    assert all(p.cluster == "c0001" for p in copies)
    assert len(copies) == 2


def test_an_edited_paragraph_pasted_into_another_document_is_copy(tmp_path):
    source = seed_text("001")
    para = next(ln for ln in source.split("\n") if len(ln) >= 200)[:120]
    assert len(para) >= 80
    edited = para[:30] + "认真" + para[32:70] + "切实" + para[72:]
    host = [ln for ln in seed_text("004").split("\n") if ln.strip()]
    make_doc(tmp_path, "001.txt", source)
    make_doc(tmp_path, "host.txt", "\n".join(host[3:6]) + "\n" + edited + "\n" + "\n".join(host[6:9]))
    result = run([str(tmp_path)])
    copies = [p for p in result.passages if p.kind == "copy"]
    assert len(copies) == 1
    p = copies[0]
    assert p.b == "host.txt" and edited[5:-5] in p.b_text and para[5:-5] in p.a_text


def test_a_formula_shared_by_exactly_two_documents_is_a_phrase(tmp_path):
    formula = "坚持以人民为中心的发展思想不断增强人民群众获得感"  # 24 characters
    make_doc(tmp_path, "a.txt", f"今年全县经济运行总体平稳。我们要{formula}，推动各项工作落地见效。\n")
    make_doc(tmp_path, "b.txt", f"会议指出，防汛工作责任重大。各级干部必须{formula}，确保群众安全度汛。\n")
    result = run([str(tmp_path)])
    assert not [p for p in result.passages if p.kind == "copy"]
    assert result.pairs == ()
    texts = [ph.text for ph in result.phrases]
    assert any(formula[2:-2] in t for t in texts), texts
    phrase = next(ph for ph in result.phrases if formula[2:-2] in ph.text)
    assert phrase.doc_count == 2 and {d for d, _, _ in phrase.members} == {"a.txt", "b.txt"}
    stats = {s.id: s for s in result.stats}
    assert stats["a.txt"].copy_ratio == 0 and stats["a.txt"].phrase_ratio > 0


QUOTE = ("习近平总书记指出：“江山就是人民，人民就是江山，打江山、守江山，守的是人民的心。"
         "我们党来自人民、扎根人民、造福人民，全心全意为人民服务是我们党的根本宗旨，"
         "我们要始终把人民放在心中最高位置。”")


def test_the_same_quotation_in_two_unrelated_documents_is_quote(tmp_path):
    assert len(QUOTE) >= 80
    a = [ln for ln in seed_text("000").split("\n") if ln.strip()]
    b = [ln for ln in seed_text("004").split("\n") if ln.strip()]
    make_doc(tmp_path, "a.txt", "\n".join(a[3:5]) + "\n" + QUOTE + "\n" + "\n".join(a[5:7]) + "\n")
    make_doc(tmp_path, "b.txt", "\n".join(b[2:4]) + "\n" + QUOTE + "\n" + "\n".join(b[4:6]) + "\n")
    result = run([str(tmp_path)])
    quotes = [p for p in result.passages if p.kind == "quote"]
    assert len(quotes) == 1 and not [p for p in result.passages if p.kind == "copy"]
    q = quotes[0]
    assert "江山就是人民" in q.a_text and "根本宗旨" in q.b_text
    stats = {s.id: s for s in result.stats}
    assert stats["a.txt"].quote_ratio > 0 and stats["a.txt"].copy_ratio == 0
    assert result.pairs == ()


def test_a_quotation_taken_over_with_its_surrounding_text_is_copy(tmp_path):
    a = [ln for ln in seed_text("000").split("\n") if ln.strip()]
    b = [ln for ln in seed_text("004").split("\n") if ln.strip()]
    context = a[5][:150]
    make_doc(tmp_path, "a.txt", "\n".join(a[3:5]) + "\n" + context + QUOTE + "\n")
    make_doc(tmp_path, "b.txt", "\n".join(b[2:4]) + "\n" + context + QUOTE + "\n")
    result = run([str(tmp_path)])
    assert [p.kind for p in result.passages if "江山就是人民" in p.a_text] == ["copy"]


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet="“”「」《》\"‘’ab中\n", max_size=60))
def test_quotation_spans_are_ordered_disjoint_and_start_on_a_mark(text):
    spans = quotation_spans(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert text[s] in "“「『《〈‘\""
        last = e


def _quotation_spans_plainly(text: str) -> list[tuple[int, int]]:
    """``quotation_spans`` mark by mark, every line break among the marks: the plain form it is held to."""
    from reuse.tiers.quotes import _PAIRS

    spans, stack, start = [], [], 0
    for at, ch in enumerate(text):
        if ch == "\n":
            if stack:
                spans.append((start, at))
                stack.clear()
            continue
        if ch == '"' and stack and stack[-1] == '"':
            stack.pop()
            if not stack:
                spans.append((start, at + 1))
        elif ch == '"' or ch in _PAIRS:
            if not stack:
                start = at
            stack.append(_PAIRS.get(ch, '"'))
        elif ch in _PAIRS.values() and ch in stack:
            while stack.pop() != ch:
                pass
            if not stack:
                spans.append((start, at + 1))
    if stack:
        spans.append((start, len(text)))
    return spans


@hsettings(max_examples=500, deadline=None)
@given(st.text(alphabet="“”「」『』《》〈〉\"‘’ab中\n", max_size=80))
def test_quotation_spans_are_the_plain_forms(text):
    assert quotation_spans(text) == _quotation_spans_plainly(text)


def _paragraph_everywhere(folder, n: int, paragraph: str):
    """``n`` documents of their own text (sentences of the seeds, each used once) with ``paragraph`` in the body."""
    sentences = [s for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").replace("\n", "。").split("。")
                 if len(s) > 12 and paragraph[:20] not in s]
    per = max(2, len(sentences) // n)
    for i in range(n):
        own = sentences[i * per:(i + 1) * per] or sentences[:2]
        cut = len(own) // 2
        make_doc(folder, f"{i:03d}.txt", "。".join(own[:cut]) + "。\n" + paragraph + "\n" + "。".join(own[cut:]) + "。\n")


PARAGRAPH = ("为深入贯彻落实县委经济工作会议精神，全面推进乡村振兴战略，县政府决定在全县范围内开展农村人居环境整治"
             "提升行动，重点整治垃圾乱堆乱放、污水乱泼乱倒、粪污无序排放等突出问题，力争用三年时间使全县农村人居环境"
             "明显改善，村容村貌明显提升，长效管护机制基本建立，群众获得感幸福感进一步增强。")


@pytest.mark.parametrize("n", [60, 100])
def test_one_paragraph_in_many_documents_is_one_cluster_and_a_check_finds_it(tmp_path, n):
    from reuse.ingest import document
    from reuse.library import build, check_documents

    assert len(PARAGRAPH) > 100
    corpus = tmp_path / "corpus"
    _paragraph_everywhere(corpus, n, PARAGRAPH)
    result = run([str(corpus)])
    [cluster] = [c for c in result.clusters if c.doc_count == n]
    for doc, start, end in cluster.members:
        member = _text(result, doc)[start:end]
        assert PARAGRAPH[5:-5] in member
    copies = [p for p in result.passages if p.cluster == cluster.id]
    assert n - 1 <= len(copies) <= 1.1 * n  # each against one witness (or two), not n(n - 1)/2
    for doc, s in zip(result.documents, result.stats):  # the paragraph is copying in every one of them
        assert s.copy_ratio >= 0.95 * (len(PARAGRAPH) - PARAGRAPH.count("，") - 1) / doc.chars
    # a library of those documents, and a draft that is that paragraph with a line of its own
    db = tmp_path / "lib.sqlite"
    build([corpus], db)
    draft = document("关于人居环境整治的通知\n" + PARAGRAPH + "\n", "draft.txt")
    [report] = check_documents([draft], db)
    assert report.copy_ratio >= 0.85 and report.template_ratio == 0
    assert report.sources and PARAGRAPH[10:40] in report.result.document(report.sources[0].id).text


def test_a_copied_paragraph_with_markdown_strong_text_is_copy_not_a_placeholder(tmp_path):
    # **...** in a .md file is markup: the paragraph is no placeholder paragraph (XX县), so it stays copied
    paragraph = PARAGRAPH.replace("县委经济工作会议精神", "**县委经济工作会议精神**")
    _paragraph_everywhere(tmp_path, 12, paragraph)
    result = run([str(tmp_path)])
    [cluster] = [c for c in result.clusters if c.doc_count == 12]
    assert all(p.kind == "copy" for p in result.passages if p.cluster == cluster.id)
    assert not any(t.kind == "placeholder" for t in result.templates)


def _daily_report(day: int) -> str:
    """The 新闻联播 daily bulletin of one day of February: one frame, other numbers in its slots."""
    return (f"国家卫生健康委今天通报，截至2月{day}日24时，31个省（区、市）和新疆生产建设兵团累计报告确诊病例"
            f"{70000 + 311 * day}例，当日新增{900 - 23 * day}例；累计治愈出院病例{9000 + 1013 * day}例，当日新增"
            f"{1500 + 97 * day}例；累计死亡病例{1700 + 41 * day}例，当日新增{150 - 3 * day}例；现有疑似病例{5000 - 97 * day}例。")


def _reports(folder, days: list[int]):
    """A document per day: text of its own (sentences of the seeds, each used once) around that day's bulletin."""
    sentences = [s for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").replace("\n", "。").split("。")
                 if len(s) > 12]
    per = len(sentences) // len(days)
    for i, day in enumerate(days):
        own = sentences[i * per:(i + 1) * per]
        cut = len(own) // 2
        make_doc(folder, f"2020-02-{day:02d}_{i:02d}.txt",
                 "。".join(own[:cut]) + "。\n" + _daily_report(day) + "\n" + "。".join(own[cut:]) + "。\n")


def test_a_daily_report_with_other_numbers_every_day_is_a_template_frame_not_a_cluster_of_copies(tmp_path):
    # digits fold alike, so the bulletin matches itself every day; its numbers differ: form, not copying
    _reports(tmp_path / "days", list(range(1, 13)))
    result = run([str(tmp_path / "days")])
    [frame] = [t for t in result.templates if "累计报告确诊病例" in t.text]
    assert frame.doc_count == 12 and not any(len(c.members) >= 3 for c in result.clusters)
    for doc, start, end in frame.members:
        assert "累计报告确诊病例" in _text(result, doc)[start:end]
    inside = [p for p in result.passages if "累计报告确诊病例" in p.a_text]
    assert inside and all(p.kind == "template" and p.template == frame.id and p.cluster is None for p in inside)
    assert all(s.copy_ratio < 0.05 for s in result.stats)
    # too few documents for a family of recurring text (min_docs 20): the copies the scan aligned say so
    from reuse.config import Settings

    few = run([str(tmp_path / "days")], Settings(min_docs=20))
    [frame] = [t for t in few.templates if "累计报告确诊病例" in t.text]
    inside = [p for p in few.passages if "累计报告确诊病例" in p.a_text]
    assert inside and all(p.kind == "template" and p.template == frame.id for p in inside)
    assert {t.id for t in few.templates} == {f"t{n:03d}" for n in range(1, len(few.templates) + 1)}
    assert not any(c.doc_count >= 3 for c in few.clusters) and all(s.copy_ratio < 0.05 for s in few.stats)
    # the same bulletin of one day, copied into the documents as it is: a cluster of copies
    _reports(tmp_path / "copied", [7] * 12)
    copied = run([str(tmp_path / "copied")])
    assert not any("累计报告确诊病例" in t.text for t in copied.templates)
    [cluster] = [c for c in copied.clusters if c.doc_count == 12]
    assert all(p.kind == "copy" for p in copied.passages if p.cluster == cluster.id)


_BULLETINS = [_daily_report(1), _daily_report(2), _daily_report(1)[:60], "没有数字的一句话", "第1期第2号第3条"]


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BULLETINS), st.sampled_from(_BULLETINS)), max_size=9))
def test_numbers_in_slots_is_a_majority_of_pairs_with_other_numbers(pairs):
    # the plain form: every pair counted (the rule stops once the majority is decided)
    from reuse.tiers.families import numbers_in_slots, other_numbers

    assert numbers_in_slots(pairs) == (bool(pairs) and 2 * sum(other_numbers(a, b) for a, b in pairs) > len(pairs))


def _titled(folder, n: int, paragraph: str, *, first_in: int):
    """``n`` titled documents of their own text with ``paragraph``: the first body paragraph of the first
    ``first_in`` of them, the second of the others (after a line of their own, near the head all the same)."""
    sentences = [s for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").replace("\n", "。").split("。")
                 if len(s) > 12 and paragraph[:20] not in s]
    per = len(sentences) // n
    for i in range(n):
        own = sentences[i * per:(i + 1) * per]
        cut = 0 if i < first_in else next(m for m in range(1, per) if len("。".join(own[:m])) > 70)
        body = ["。".join(own[:cut]) + "。"] if cut else []
        make_doc(folder, f"{i:03d}.txt", "\n".join([f"第{i}号通知", *body, paragraph, "。".join(own[cut:]) + "。"]) + "\n")


def test_a_copy_that_opens_some_documents_is_still_copy_and_one_opening_all_is_boilerplate(tmp_path):
    """Copied text is template only where it is form: heading most of its documents, past their titles."""
    n = 24  # a family needs max(3, 5%) = 3 documents: the paragraph is a candidate family either way
    _titled(tmp_path / "some", n, PARAGRAPH, first_in=n // 3)
    result = run([str(tmp_path / "some")])
    assert not [t for t in result.templates if t.kind == "boilerplate"]
    [cluster] = [c for c in result.clusters if c.doc_count == n]
    for doc, s in zip(result.documents, result.stats):
        assert s.copy_ratio >= 0.95 * (len(PARAGRAPH) - PARAGRAPH.count("，") - 1) / doc.chars, doc.id
        assert s.template_ratio < 0.1
    _titled(tmp_path / "all", n, PARAGRAPH, first_in=n)
    result = run([str(tmp_path / "all")])
    [family] = [t for t in result.templates if t.doc_count == n and len(t.text) > 100]
    assert family.kind == "boilerplate" and not result.clusters
    for doc, start, end in family.members:
        assert PARAGRAPH[:-10] in result.document(doc).text[start:end]
    assert all(s.copy_ratio == 0 for s in result.stats)


def test_the_formula_family_survives_jieba_words():
    from reuse.config import Settings

    result = run([str(SEEDS)], Settings(unit="word"))
    formula = [t for t in result.templates if t.text == "习近平新时代中国特色社会主义思想"]
    assert formula and formula[0].doc_count == 5
    assert [p for p in result.passages if p.kind == "template"] and not [p for p in result.passages
                                                                       if p.kind == "copy"]


def test_a_body_sentence_that_mentions_wechat_is_no_watermark(tmp_path):
    body = [ln for p in ("000", "001", "003") for ln in seed_text(p).split("\n") if len(ln) > 60]
    mention = "各村要用好微信群、政务平台等渠道，及时把惠民政策免费送到群众手中。"
    # in the body of three long documents, and near the head of a short one
    for n in range(3):
        make_doc(tmp_path, f"{n}.txt", "\n".join(body[n:n + 8] + [mention] + body[n + 8:n + 16]) + "\n")
    make_doc(tmp_path, "short.txt", "\n".join([body[20], "各乡镇要通过微信公众号和服务平台公布办事流程。", body[21]]) + "\n")
    notice = "本文系作者原创投稿，仅供学习参考，请勿照搬照抄！"
    make_doc(tmp_path, "vendor.txt", notice + "\n" + "\n".join(body[22:24]) + "\n")
    result = run([str(tmp_path)])
    watermarks = [t for t in result.templates if t.kind == "watermark"]
    assert [t.text for t in watermarks] == [notice]  # the notice is one; sentences on WeChat groups are not


def test_templates_lists_the_phrases_and_compare_takes_a_library(tmp_path):
    import csv
    import io

    from typer.testing import CliRunner

    from reuse.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["templates", str(SEEDS), "--phrases", "-f", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.output)))
    assert any(r["text"] == "举旗帜、聚民心、育新人、兴文化、展形象的使命任务" and r["doc_count"] == "2" for r in rows)
    a, b = sorted(SEEDS.glob("*.txt"))[:3:2]  # 000 and 002
    db = tmp_path / "lib.sqlite"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--db", str(db), "-q"]).exit_code == 0
    alone = runner.invoke(app, ["compare", str(a), str(b), "-o", str(tmp_path / "alone.html")])
    with_db = runner.invoke(app, ["compare", str(a), str(b), "-o", str(tmp_path / "db.html"), "--db", str(db)])
    assert alone.exit_code == 0 and with_db.exit_code == 0, (alone.output, with_db.output)
    assert "no copying" in alone.output and "no copying" in with_db.output
    # with the library, the formula all five seeds carry is the library's family: template text, not a phrase
    assert "0 template" in alone.output and "0 template" not in with_db.output
    page = (tmp_path / "db.html").read_text(encoding="utf-8")
    assert "习近平新时代中国特色社会主义思想" in page


def test_long_shingles_rare_to_two_documents_make_common_words_a_copy():
    """In a large corpus of one genre every 4-character window of an edited paragraph is common vocabulary;
    its 8-character windows are as rare as the paragraph. Either measure of specificity may carry it."""
    import numpy as np
    from reuse.align import Alignment
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.ingest import document
    from reuse.tiers import verdict

    settings = Settings()
    paragraph = next(ln for ln in seed_text("001").split("\n") if len(fold(ln).text) >= 80)
    edited = paragraph[:20] + "进一步" + paragraph[20:50] + paragraph[53:]
    fa, fb = extract(document(paragraph, "a.txt"), settings), extract(document(edited, "b.txt"), settings)
    al = Alignment(0, len(fa.folded.text), 0, len(fb.folded.text), 0.95)
    common = np.full(len(fa.shingles), 300, dtype=np.uint16)  # most 4-grams are in 300 documents,
    common[::8] = 2  # those across word joins in these two only
    args = dict(k=settings.shingle, min_evidence=settings.copy_evidence, min_run=10_000)  # no run rule here
    assert verdict.kinds([al], fa, fb, common, [[0]], **args) == ["phrase"]
    rare = np.full(len(fa.tokens.hash), 2, dtype=np.int64)  # but its 8-grams only in these two
    ev = verdict.evidence(fa, fb, common, al, settings.shingle, rare)
    assert ev.specificity == verdict.LONG_WEIGHT and ev.strength >= settings.copy_evidence
    assert verdict.evidence(fa, fb, common, al, settings.shingle).specificity <= 0.15
    assert verdict.kinds([al], fa, fb, common, [[0]], long_df_a=rare, **args) == ["copy"]
    formula = np.full(len(fa.tokens.hash), 300, dtype=np.int64)  # a formula: its long windows are everywhere too
    formula[:3] = 2
    assert verdict.evidence(fa, fb, common, al, settings.shingle, formula).specificity <= 0.15
    assert verdict.kinds([al], fa, fb, common, [[0]], long_df_a=formula, **args) == ["phrase"]


def test_kinds_asks_for_the_neighbourhoods_only_when_a_passage_is_a_phrase_on_its_own():
    """A run of sentences lifts its weak members to copying; passages that are copying alone need no groups (most
    passages of a corpus dense with copies), so the groups are worked out only when asked for."""
    import numpy as np
    from reuse.align import Alignment
    from reuse.config import Settings
    from reuse.features import extract
    from reuse.ingest import document
    from reuse.tiers import verdict

    settings = Settings()
    paragraph = next(ln for ln in seed_text("001").split("\n") if len(fold(ln).text) >= 80)
    fa = fb = extract(document(paragraph, "a.txt"), settings)
    n = len(fa.folded.text)
    halves = [Alignment(0, n // 2, 0, n // 2, 1.0), Alignment(n // 2, n, n // 2, n, 1.0)]
    rare = np.full(len(fa.shingles), 2, dtype=np.uint16)  # in these two documents only
    asked = []

    def together() -> list[list[int]]:
        asked.append(True)
        return [[0, 1]]

    args = dict(k=settings.shingle, min_run=10_000)  # no run rule here
    assert verdict.kinds(halves, fa, fb, rare, together, min_evidence=settings.copy_evidence, **args) == ["copy"] * 2
    assert not asked
    half = max(fa.weight_between(x.a_lo, x.a_hi) for x in halves)
    weak = dict(min_evidence=1.5 * half, **args)  # neither half alone, both together
    assert verdict.kinds(halves, fa, fb, rare, [[0], [1]], **weak) == ["phrase"] * 2
    assert verdict.kinds(halves, fa, fb, rare, together, **weak) == ["copy"] * 2
    assert asked == [True]


@hsettings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=list("党的“”「」《》\"\n字 "), max_size=80), data=st.data())
def test_a_passages_quoted_share_is_the_share_of_its_characters_in_quotations(text, data):
    from reuse.tiers.quotes import disjoint_quotations, share_inside

    inside = [False] * len(text)
    for s, e in quotation_spans(text):
        inside[s:e] = [True] * (e - s)
    starts, ends = disjoint_quotations(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    want = sum(inside[start:end]) / (end - start) if end > start else 0.0
    assert share_inside(starts, ends, start, end) == want


@hsettings(max_examples=500, deadline=None)
@given(members=st.lists(st.tuples(st.integers(-12, 12), st.integers(1, 20)), max_size=4),
       length=st.integers(0, 16), widen=st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_a_passage_no_member_reaches_lies_in_no_family_however_punctuation_widens_it(members, length, widen):
    """The scan drops a phrase passage that no family member reaches before widening it: widened, it would
    have found no family either."""
    from reuse.align import SHARED_PUNCTUATION
    from reuse.tiers.families import lies_in, reaches

    start, end = 50, 50 + length
    spans = [(start + at if at < 0 else end + at, (start + at if at < 0 else end + at) + n, f"t{i}")
             for i, (at, n) in enumerate(members)]
    if not reaches(start, end, spans, SHARED_PUNCTUATION):
        assert lies_in(start - widen[0], end + widen[1], spans) is None


@hsettings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="“”「」《》\"‘’ab中\n", max_size=60), start=st.integers(0, 60), size=st.integers(1, 30),
       look_back=st.sampled_from([3, 10, 2000]))
def test_text_that_may_not_be_quoted_lies_in_no_quotation(text, start, size, look_back):
    """may_quote looks at a few lines only: no where no quotation opens between its paragraph's start and its
    end, maybe where the paragraph starts further back than it looks; where it says no, the whole text's
    quotations agree."""
    from reuse.tiers import quotes

    end = min(len(text), start + size)
    if start >= end:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quotes, "LOOK_BACK", look_back)  # (paragraphs longer than it: maybe)
        maybe = quotes.may_quote(text, start, end)
    paragraph = text.rfind("\n", 0, start) + 1
    opens = any(c in "“「『《〈‘\"" for c in text[paragraph:end])
    assert maybe == (opens or (start > look_back and start - paragraph >= look_back))
    if not maybe:
        assert quotes.share_inside(*quotes.disjoint_quotations(text), start, end) == 0


@hsettings(max_examples=300, deadline=None)
@given(members=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 80), st.integers(1, 30)), max_size=12),
       spans=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 100), st.integers(1, 30)), min_size=1, max_size=20))
def test_spans_reaching_a_family_member_are_found_all_at_once_as_one_by_one(members, spans):
    import numpy as np

    from reuse.ingest import document
    from reuse.tiers.deferral import reach_members
    from reuse.tiers.families import reaches

    docs = [document("文" * 140, f"{n}.txt") for n in range(4)]
    by_doc: dict[str, list] = {}
    for d, s, n in members:
        by_doc.setdefault(f"{d}.txt", []).append((s, s + n, "t001"))
    doc, lo, hi = (np.array(c, dtype=np.int64) for c in zip(*[(d, s, s + n) for d, s, n in spans]))
    want = [reaches(s, e, by_doc.get(f"{d}.txt", ()), 0) for d, s, e in zip(doc.tolist(), lo.tolist(), hi.tolist())]
    assert reach_members(doc, lo, hi, docs, by_doc).tolist() == want


def test_a_cluster_is_aligned_against_its_earliest_witness_and_reports_as_if_every_pair_were(tmp_path, monkeypatch):
    """A paragraph edited a little in each of 12 documents: the pairs of later members are not aligned, and
    the report is the one aligning all 66 pairs gives, but for members no wider than the paragraph."""
    from reuse import pipeline
    from reuse.config import Settings
    from reuse.tiers import deferral

    edited = [PARAGRAPH[: 10 + 7 * i] + "某" + PARAGRAPH[11 + 7 * i:] for i in range(12)]
    sentences = [s for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").replace("\n", "。").split("。")
                 if len(s) > 12]
    for i, paragraph in enumerate(edited):
        own = sentences[i * 12:(i + 1) * 12]
        make_doc(tmp_path, f"{i:03d}.txt", "。".join(own[:6]) + "。\n" + paragraph + "\n" + "。".join(own[6:]) + "。\n")
    aligned: list[tuple[int, int]] = []
    task = pipeline._align_task

    def counting(job, docs):
        aligned.extend({tuple(r) for r in job[0][:, :2].tolist()})
        return task(job, docs)

    monkeypatch.setattr(pipeline, "_align_task", counting)
    deferred = run([str(tmp_path)], Settings(workers=1))
    pairs_deferred, aligned[:] = sorted(aligned), []
    monkeypatch.setattr(deferral, "DEFER_SHARE", 2.0)  # more than every pair: nothing deferred
    every = run([str(tmp_path)], Settings(workers=1))
    assert len(set(aligned)) == 66 and len(set(pairs_deferred)) < 20
    [cluster], [cluster_of_every] = deferred.clusters, every.clusters
    assert cluster.doc_count == 12 and cluster.earliest == cluster_of_every.earliest
    # a member is where the copies found the text in its document: the pairs of later members no longer
    # widen it over what two of them share beside the paragraph
    for (doc, start, end), (doc_every, start_every, end_every) in zip(cluster.members, cluster_of_every.members):
        assert doc == doc_every and start_every <= start < end <= end_every
        assert edited[int(doc[:3])][5:-5] in _text(deferred, doc)[start:end]
    # the same passages: each member against the earliest, and where two later members share more (the
    # paragraph and a formula beside it) that one too, as its region reaches the formula's family
    assert deferred.passages == every.passages
    assert sum(p.kind == "copy" and "000.txt" not in (p.a, p.b) for p in deferred.passages) == 1
    for mine, theirs in zip(deferred.stats, every.stats):  # a member counts as copied text: a little less
        assert theirs.copy_ratio - 0.02 <= mine.copy_ratio <= theirs.copy_ratio
