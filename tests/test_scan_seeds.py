"""End to end on the seed speeches, and copies planted into new documents."""

import json

import opencc
import pytest

from conftest import SEEDS, make_doc, seed_text
from reuse.pipeline import run
from reuse.report.jsonreport import dumps

def test_every_passage_slices_back_and_is_template_text(seeds_result):
    texts = {d.id: d.text for d in seeds_result.documents}
    assert len(seeds_result.documents) == 5 and not seeds_result.skipped
    assert seeds_result.passages
    for p in seeds_result.passages:
        assert p.a < p.b
        assert texts[p.a][p.a_start:p.a_end] == p.a_text
        assert texts[p.b][p.b_start:p.b_end] == p.b_text
        assert 0.6 <= p.score <= 1.0
        assert p.kind == "template" and p.template is not None  # the formula all five carry
    for ph in seeds_result.phrases:
        for d, s, e in ph.members:
            assert 0 <= s < e <= len(texts[d])


def test_reuse_ratios_are_covered_shares(seeds_result):
    for doc, stats in zip(seeds_result.documents, seeds_result.stats):
        assert doc.id == stats.id
        assert 0 < stats.reuse_ratio < 0.15  # the seeds share formulas, not whole speeches
        assert stats.copy_ratio == 0 and stats.top_source is None  # and copy nothing from each other


def test_same_corpus_gives_byte_identical_json(seeds_result):
    again = run([str(SEEDS)])
    assert dumps(again) == dumps(seeds_result)
    data = json.loads(dumps(again))
    assert list(data) == ["meta", "documents", "skipped", "pairs", "passages", "clusters", "phrases", "templates"]
    assert data["meta"]["format"] == 2 and data["meta"]["params"]["min_length"] == 12


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
