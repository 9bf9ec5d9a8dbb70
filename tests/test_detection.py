"""End to end: disguised copies are found once, with their whole extent (issue 3).

Texts are real: the seed speeches and the English of the standard library's
pydoc topics. Each test pastes an edited copy of a passage into a new
document between unrelated paragraphs and scans the two documents.
"""

import re

import pytest
from pydoc_data import topics

from conftest import make_doc, seed_text
from reuse.pipeline import run


def _paragraphs(prefix):
    return [ln for ln in seed_text(prefix).split("\n") if ln.strip()]


def _english(topic):
    """Prose paragraphs of one pydoc topic (no code, no headings)."""
    out = []
    for block in re.split(r"\n\s*\n", topics.topics[topic]):
        lines = block.split("\n")
        if any(ln.startswith("   ") for ln in lines) or len(block) < 200:
            continue
        out.append(" ".join(ln.strip() for ln in lines))
    return out


def _scan_paste(tmp_path, source, pasted, filler):
    """Scan ``source`` and a document holding ``pasted`` between filler; the passages touching the paste."""
    before, after = "\n".join(filler[:3]) + "\n", "\n" + "\n".join(filler[3:6]) + "\n"
    make_doc(tmp_path, "a.txt", source)
    make_doc(tmp_path, "b.txt", before + pasted + after)
    result = run([str(tmp_path)])
    start, end = len(before), len(before) + len(pasted)
    hits = [p for p in result.passages if p.b == "b.txt" and p.b_start < end and p.b_end > start]
    return hits, start, end


def _covers(hit, start, end, share):
    inside = min(hit.b_end, end) - max(hit.b_start, start)
    return inside >= share * (end - start) and (hit.b_end - hit.b_start) <= (end - start) + 2


def test_reordered_sentences_are_one_passage(tmp_path):
    source = seed_text("001")
    para = _paragraphs("001")[7]
    sentences = re.findall(r"[^。]+。", para)
    assert len(sentences) >= 4
    pasted = "".join(sentences[::-1])
    hits, start, end = _scan_paste(tmp_path, source, pasted, _paragraphs("004")[3:9])
    assert len(hits) == 1, hits
    assert _covers(hits[0], start, end, 0.95)
    src = source.index(para)
    assert hits[0].a_start <= src + 5 and hits[0].a_end >= src + len(para) - 5


def test_copy_with_a_rewritten_sentence_is_one_passage(tmp_path):
    source = seed_text("001")
    para = _paragraphs("001")[13]
    sentences = re.findall(r"[^。]+。", para)
    other = re.findall(r"[^。]+。", _paragraphs("004")[5])[0]  # a sentence of another speech
    assert len(sentences[1]) > 60 and 40 < len(other) < 60
    pasted = "".join(sentences[:1] + [other] + sentences[2:6])
    hits, start, end = _scan_paste(tmp_path, source, pasted, _paragraphs("004")[20:26])
    assert len(hits) == 1, hits
    assert _covers(hits[0], start, end, 0.95)
    assert hits[0].score < 0.95


def test_densely_edited_copy_is_one_passage(tmp_path):
    # one character in six replaced: seeds are sparse, the passage is grown over them
    source = seed_text("001")
    para = _paragraphs("001")[8]
    filler_chars = "".join(_paragraphs("004")[20])
    chars = list(para)
    for n, pos in enumerate(range(3, len(chars) - 3, 6)):
        chars[pos] = filler_chars[n % len(filler_chars)]
    pasted = "".join(chars)
    hits, start, end = _scan_paste(tmp_path, source, pasted, _paragraphs("004")[3:9])
    assert len(hits) == 1, hits
    assert _covers(hits[0], start, end, 0.9)


def test_english_paragraph_with_light_edits_is_found(tmp_path):
    paras = _english("for") + _english("try")
    source = "\n".join(paras[:3]) + "\n"
    target = paras[1]
    pasted = (target.replace("executed", "run", 1).replace("statement", "statment", 1)
              .replace("the", "a", 1))
    assert pasted != target
    filler = _english("import") + _english("raise")
    hits, start, end = _scan_paste(tmp_path, source, pasted, filler[:6])
    assert len(hits) == 1, hits
    assert _covers(hits[0], start, end, 0.9)
    src = source.index(target)
    assert abs(hits[0].a_start - src) <= 5 and abs(hits[0].a_end - (src + len(target))) <= 5


def test_short_english_phrase_is_not_a_passage(tmp_path):
    # five common words in a row (weight 10 < 12) are chance, not reuse
    make_doc(tmp_path, "a.txt", "We went to the end of the road and then turned back home.\n")
    make_doc(tmp_path, "b.txt", "Nobody knew it, but at the end of the road a house stood.\n")
    assert run([str(tmp_path)]).passages == ()


def test_mixed_chinese_and_english_copy_is_found(tmp_path):
    zh = _paragraphs("001")[6]
    en = _english("for")[1]
    source = zh + "\n" + en + "\n" + _paragraphs("001")[12] + "\n"
    pasted = zh.replace("前提", "基础") + "\n" + en.replace("iterable", "iterable", 1).replace("created", "made", 1)
    hits, start, end = _scan_paste(tmp_path, source, pasted, _paragraphs("004")[3:9])
    assert len(hits) == 1, hits
    assert _covers(hits[0], start, end, 0.9)


@pytest.mark.parametrize(
    "changed, found",
    [
        pytest.param("一级抓一级、层层抓落实的党建工作格局", True, id="exact"),
        pytest.param("一级管一级、层层抓落实的党建工作格局", True, id="one-edit"),
        pytest.param("一级带一级、层层促进落实的组织工作格局", False, id="four-edits"),
    ],
)
def test_a_shared_formula_is_a_phrase_while_it_survives_its_edits(tmp_path, changed, found):
    phrase = "一级抓一级、层层抓落实的党建工作格局"
    make_doc(tmp_path, "a.txt", _paragraphs("004")[5] + "\n" + "我们要形成" + phrase + "。\n")
    make_doc(tmp_path, "b.txt", _paragraphs("003")[5] + "\n" + "努力构建" + changed + "。\n")
    result = run([str(tmp_path)])
    assert not [p for p in result.passages if p.kind == "copy"]  # a formula is no evidence of copying
    got = [ph for ph in result.phrases if "层层" in ph.text and "格局" in ph.text]
    assert bool(got) == found, result.phrases
