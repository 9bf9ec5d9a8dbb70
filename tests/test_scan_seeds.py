"""End to end on the seed speeches, and copies planted into new documents."""

import json

import opencc
import pytest

from conftest import SEEDS, make_doc, seed_text
from reuse.pipeline import run
from reuse.report.jsonreport import dumps

SHARED_RUNS = [
    pytest.param("000", "001", "举旗帜、聚民心、育新人、兴文化、展形象的使命任务", id="000-001"),
    pytest.param("002", "003", "以习近平新时代中国特色社会主义思想为指导，全面贯彻", id="002-003-guide"),
    pytest.param("002", "003", "团结在以习近平同志为核心的党中央周围", id="002-003-unite"),
    pytest.param("000", "003", "巩固深化“不忘初心、牢记使命”主题教育成果", id="000-003"),
    pytest.param("000", "002", "一级抓一级、层层抓落实的党建工作格局", id="000-002"),
]


@pytest.mark.parametrize("a, b, run_text", SHARED_RUNS)
def test_known_shared_runs_are_passages_in_both_documents(seeds_result, a, b, run_text):
    texts = {d.id: d.text for d in seeds_result.documents}
    hits = [
        p
        for p in seeds_result.passages
        if p.a.startswith(a) and p.b.startswith(b) and run_text in p.a_text and run_text in p.b_text
    ]
    assert hits, f"{run_text} not reported between {a} and {b}"
    for p in hits:
        assert texts[p.a][p.a_start:p.a_end] == p.a_text
        assert texts[p.b][p.b_start:p.b_end] == p.b_text


def test_every_passage_slices_back_and_pairs_are_consistent(seeds_result):
    texts = {d.id: d.text for d in seeds_result.documents}
    assert len(seeds_result.documents) == 5 and not seeds_result.skipped
    for p in seeds_result.passages:
        assert p.a < p.b
        assert texts[p.a][p.a_start:p.a_end] == p.a_text
        assert texts[p.b][p.b_start:p.b_end] == p.b_text
        assert 0.6 <= p.score <= 1.0
    counted = {}
    for p in seeds_result.passages:
        counted[(p.a, p.b)] = counted.get((p.a, p.b), 0) + 1
    assert {(p.a, p.b): p.passages for p in seeds_result.pairs} == counted
    sims = [p.similarity for p in seeds_result.pairs]
    assert sims == sorted(sims, reverse=True)


def test_reuse_ratios_are_covered_shares(seeds_result):
    for doc, stats in zip(seeds_result.documents, seeds_result.stats):
        assert doc.id == stats.id
        assert 0 < stats.reuse_ratio < 0.5  # the seeds share formulas, not whole speeches
        assert stats.top_source is not None and stats.top_source.ratio <= stats.reuse_ratio


def test_same_corpus_gives_byte_identical_json(seeds_result):
    again = run([str(SEEDS)])
    assert dumps(again) == dumps(seeds_result)
    data = json.loads(dumps(again))
    assert list(data) == ["meta", "documents", "skipped", "pairs", "passages", "templates"]
    assert data["meta"]["format"] == 1 and data["meta"]["params"]["min_length"] == 12


def _paragraph(text, index):
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return lines[index]


def _edit(paragraph):
    # change three characters spread through the paragraph
    chars = list(paragraph)
    for pos, new in ((40, "甲"), (120, "乙"), (200, "丙")):
        chars[pos] = new
    return "".join(chars)


def _fullwidth_digits(paragraph):
    return paragraph.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})


@pytest.mark.parametrize(
    "index, change",
    [
        pytest.param(8, lambda p: p, id="verbatim"),
        pytest.param(8, _edit, id="edited"),
        pytest.param(8, lambda p: opencc.OpenCC("s2t").convert(p), id="traditional"),
        pytest.param(2, _fullwidth_digits, id="fullwidth-digits"),
    ],
)
def test_injected_copy_is_found_with_exact_offsets(tmp_path, index, change):
    source = seed_text("001")
    para = _paragraph(source, index)
    pasted = change(para)
    filler = seed_text("004").split("\n")
    before, after = "\n".join(filler[3:6]) + "\n", "\n" + "\n".join(filler[6:9])
    make_doc(tmp_path, "001.txt", source)
    make_doc(tmp_path, "new.txt", before + pasted + after)
    result = run([str(tmp_path)])
    new_text = before + pasted + after
    start = len(before)
    hits = [p for p in result.passages if p.b == "new.txt" and p.b_start < start + len(pasted) and p.b_end > start]
    assert len(hits) == 1, hits
    hit = hits[0]
    # the passage spans the pasted paragraph exactly, its closing 。 included
    assert (hit.b_start, hit.b_end) == (start, start + len(pasted))
    src_start = source.index(para)
    assert (hit.a_start, hit.a_end) == (src_start, src_start + len(para))
    assert new_text[hit.b_start:hit.b_end] == hit.b_text
    if change is _edit:  # three of 288 characters changed: a near-verbatim score, but not 1
        assert 0.97 <= hit.score < 1.0
    else:  # width, script and punctuation are folded away: identical after folding
        assert hit.score == 1.0
