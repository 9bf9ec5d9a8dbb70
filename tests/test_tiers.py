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
