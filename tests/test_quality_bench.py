"""Tests of the PAN-style quality benchmark (benchmarks/quality).

They do not use the ``reuse`` package: corpora are generated in tmp dirs and
the evaluator is fed hand-made reports.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# benchmarks/ is not an installed package: import it from the repo root even
# when pytest is started as plain `pytest` (no cwd on sys.path).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks.quality import evaluate as ev  # noqa: E402
from benchmarks.quality import generate as gen  # noqa: E402

N_DOCS = 12
SEED = 3


def _sources_available() -> bool:
    return gen.find_seeds_dir() is not None or bool(gen.load_peoples_daily()[0])


needs_sources = pytest.mark.skipif(not _sources_available(), reason="no Chinese source text here")


def _read_corpus(out: Path):
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    texts = {d["id"]: (out / d["id"]).read_bytes().decode(d["encoding"]) for d in meta["docs"]}
    return truth, meta, texts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not _sources_available():
        pytest.skip("no Chinese source text here")
    out = tmp_path_factory.mktemp("corpus")
    gen.generate(out, n_docs=N_DOCS, seed=SEED)
    return out


# --------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------


def _files(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@needs_sources
def test_generator_is_deterministic(corpus, tmp_path):
    again = tmp_path / "again"
    gen.main([str(again), "--docs", str(N_DOCS), "--seed", str(SEED)])
    assert _files(again) == _files(corpus)
    other = tmp_path / "other"
    gen.generate(other, n_docs=N_DOCS, seed=SEED + 1)
    assert _files(other) != _files(corpus)


@needs_sources
def test_documents_and_encodings(corpus):
    truth, meta, texts = _read_corpus(corpus)
    docs = sorted(p.name for p in corpus.glob("doc_*.txt"))
    assert len(docs) == N_DOCS == len(meta["docs"])
    gb = [d for d in meta["docs"] if d["encoding"] == "gb18030"]
    assert len(gb) == round(0.2 * N_DOCS)
    # some GB18030 files really are not UTF-8
    not_utf8 = 0
    for d in gb:
        try:
            (corpus / d["id"]).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            not_utf8 += 1
    assert not_utf8 >= 1
    for d in meta["docs"]:
        if d["encoding"] == "utf-8":
            (corpus / d["id"]).read_bytes().decode("utf-8")  # strict
    assert {d["lang"] for d in meta["docs"]} == {"zh", "en"}
    # negatives: documents in no case
    involved = {c["src"] for c in truth} | {c["dst"] for c in truth}
    negatives = {d["id"] for d in meta["docs"] if d["negative"]}
    assert negatives and not (negatives & involved)
    for t in texts.values():
        assert 1000 <= len(t.encode("utf-8")) <= gen.MAX_DOC_BYTES


@needs_sources
def test_truth_spans_slice_back(corpus):
    truth, meta, texts = _read_corpus(corpus)
    assert truth
    kinds = set(gen.KINDS_ZH) | set(gen.KINDS_EN)
    for c in truth:
        assert c["kind"] in kinds
        assert c["src"] != c["dst"]
        assert re.fullmatch(r"doc_\d+\.txt", c["src"]) and re.fullmatch(r"doc_\d+\.txt", c["dst"])
        src, dst = texts[c["src"]], texts[c["dst"]]
        assert 0 <= c["src_start"] < c["src_end"] <= len(src)
        assert 0 <= c["dst_start"] < c["dst_end"] <= len(dst)
        s = src[c["src_start"] : c["src_end"]]
        d = dst[c["dst_start"] : c["dst_end"]]
        assert gen.MIN_PASSAGE <= len(s) <= gen.MAX_PASSAGE
        assert s.strip() == s and d.strip()
        if c["kind"] == "verbatim":
            assert s == d
        else:
            assert s != d
        if c["kind"] == "punct_width":
            # same text once width is folded and punctuation removed
            def fold(x):
                x = unicodedata.normalize("NFKC", x)
                return "".join(ch for ch in x if unicodedata.category(ch)[0] not in "PS")

            assert fold(s) == fold(d)
        if c["kind"] == "mix":
            assert 2 <= len(c["mix_of"]) <= 3


@needs_sources
def test_planted_spans_do_not_overlap(corpus):
    truth, _, _ = _read_corpus(corpus)
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in truth:
        spans.setdefault(c["src"], []).append((c["src_start"], c["src_end"]))
        spans.setdefault(c["dst"], []).append((c["dst_start"], c["dst_end"]))
    for doc, sp in spans.items():
        sp.sort()
        for (a0, a1), (b0, b1) in zip(sp, sp[1:]):
            assert a1 <= b0, (doc, (a0, a1), (b0, b1))


@needs_sources
def test_background_text_is_disjoint(corpus):
    """Outside the planted spans no document shares a window with another, folded as a detector folds."""
    truth, meta, texts = _read_corpus(corpus)
    lang = {d["id"]: d["lang"] for d in meta["docs"]}
    flt = gen.ShingleFilter()
    seen: dict[str, str] = {}
    for doc, t in texts.items():
        planted = sorted((c[s + "_start"], c[s + "_end"]) for c in truth for s in ("src", "dst") if c[s] == doc)
        cuts = [0] + [x for span in planted for x in span] + [len(t)]
        background = [t[a:b] for a, b in zip(cuts[0::2], cuts[1::2])]
        for part in background:  # windows run across line breaks, as a detector's matches do
            for window in _full_windows(flt, part, lang[doc]):
                other = seen.setdefault(window, doc)
                assert other == doc, f"{window!r} in {other} and {doc}"


def _full_windows(flt, text, lang):
    folded = gen.fold_for_filter(text)
    if lang == "en":
        words = re.findall(r"[^\W_]+", folded)
        return {" ".join(words[i : i + flt.en_window]) for i in range(len(words) - flt.en_window + 1)}
    chars = "".join(c for c in folded if c.isalnum())
    return {chars[i : i + flt.zh_window] for i in range(len(chars) - flt.zh_window + 1)}


def test_filter_folds_width_script_case_and_digits():
    flt = gen.ShingleFilter()
    assert flt.accept("新华社北京１月６日电（记者李明）今天召开会议", "zh")
    assert not flt.accept("據新華社北京2月7日電，記者王芳報道", "zh")  # 新华社北京0月0日电 again
    assert flt.accept("（附图片１张）", "zh") and flt.accept("本报记者王霞光", "zh")
    flt.new_document()
    assert flt.accept("（附图片２张）", "zh")  # too short alone...
    assert not flt.accept("本報記者王霞光", "zh")  # ...but not after the same caption line
    flt.new_document()
    assert flt.accept("The value of an object is stored here.", "en")
    assert not flt.accept("THE VALUE OF AN apple", "en")
    stock = gen.ShingleFilter(stock=True)  # version 1: 20 raw characters
    assert stock.accept("新华社北京１月６日电（记者李明）今天召开会议", "zh")
    assert stock.accept("新华社北京１月７日电（记者李明）今天召开会议", "zh")


@needs_sources
def test_seed_only_fallback(tmp_path):
    if gen.find_seeds_dir() is None:
        pytest.skip("no seeds directory")
    truth = gen.generate(tmp_path, n_docs=7, seed=1, use_news=False)
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert len(meta["docs"]) == 7 and truth
    origins = [d["origin"] for d in meta["docs"] if d["lang"] == "zh"]
    assert all(o.startswith("seed:") for o in origins)


def test_obfuscators_on_fixed_text():
    import random

    ctx = gen.make_context(
        {"ns": ["延安县", "哈尔滨市", "桐梓县"], "nr": ["张建国", "李明"], "n": ["工作", "会议", "同志"]},
        ["今天我们召开全县工作会议。"],
        ["The quick brown fox jumps over the lazy dog. Python is used here."],
    )
    text = "在2020年全县党建工作会议上，XX县委书记讲话。同志们，今天我们召开会议！"
    rng = random.Random(0)
    nn = gen.ob_names_numbers(text, rng, ctx, "zh")
    assert "2020年" not in nn and re.search(r"20\d\d年", nn) and "XX" not in nn
    assert gen.ob_traditional("国家发展", rng, ctx, "zh") == "國家發展"
    re_ = gen.ob_reorder(text, rng, ctx, "zh")
    assert re_ != text and sorted(re_) == sorted(text)
    ce = gen.ob_char_edit(text * 3, rng, ctx, "zh")
    assert ce != text * 3
    pw = gen.ob_punct_width("价格为１２３元，约合USD 17。", random.Random(5), ctx, "zh")
    assert pw != "价格为１２３元，约合USD 17。"


# --------------------------------------------------------------------------
# evaluator
# --------------------------------------------------------------------------


TRUTH = [
    {"kind": "verbatim", "src": "d1.txt", "src_start": 0, "src_end": 90, "dst": "d2.txt", "dst_start": 30, "dst_end": 120},
    {"kind": "char_edit", "src": "d3.txt", "src_start": 300, "src_end": 600, "dst": "d1.txt", "dst_start": 500, "dst_end": 810},
    {"kind": "traditional", "src": "d2.txt", "src_start": 400, "src_end": 460, "dst": "d4.txt", "dst_start": 0, "dst_end": 60},
    {"kind": "verbatim", "src": "d5.txt", "src_start": 10, "src_end": 130, "dst": "d4.txt", "dst_start": 200, "dst_end": 320},
]


def _passage(src, s0, s1, dst, d0, d1):
    if src < dst:
        return {"a": src, "a_start": s0, "a_end": s1, "b": dst, "b_start": d0, "b_end": d1, "score": 1.0}
    return {"a": dst, "a_start": d0, "a_end": d1, "b": src, "b_start": s0, "b_end": s1, "score": 1.0}


def _perfect(truth):
    return {"passages": [_passage(c["src"], c["src_start"], c["src_end"], c["dst"], c["dst_start"], c["dst_end"]) for c in truth]}


def _check_all(res, **expected):
    for key, val in expected.items():
        assert res["overall"][key] == pytest.approx(val), key


def test_perfect_report():
    res = ev.evaluate(TRUTH, _perfect(TRUTH))
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    assert res["unmatched_detections"] == 0
    for m in res["by_kind"].values():
        assert m["precision"] == m["recall"] == m["plagdet"] == 1.0


@needs_sources
def test_perfect_report_on_generated_corpus(corpus):
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    res = ev.evaluate(truth, _perfect(truth))
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)


def test_empty_report():
    res = ev.evaluate(TRUTH, {"passages": []})
    _check_all(res, recall=0.0, precision=0.0, plagdet=0.0, granularity=1.0)
    assert ev.evaluate([], {"passages": []})["overall"]["plagdet"] == 1.0


def _split(c, parts=3):
    out = []
    for k in range(parts):
        s0 = c["src_start"] + (c["src_end"] - c["src_start"]) * k // parts
        s1 = c["src_start"] + (c["src_end"] - c["src_start"]) * (k + 1) // parts
        d0 = c["dst_start"] + (c["dst_end"] - c["dst_start"]) * k // parts
        d1 = c["dst_start"] + (c["dst_end"] - c["dst_start"]) * (k + 1) // parts
        out.append(_passage(c["src"], s0, s1, c["dst"], d0, d1))
    return out


def test_fragmented_report():
    rep = {"passages": [p for c in TRUTH for p in _split(c)]}
    res = ev.evaluate(TRUTH, rep)
    _check_all(res, recall=1.0, precision=1.0, granularity=3.0, plagdet=1 / math.log2(4))
    assert res["overall"]["plagdet"] < ev.evaluate(TRUTH, _perfect(TRUTH))["overall"]["plagdet"]


def test_spurious_passage_lowers_precision():
    rep = _perfect(TRUTH)
    rep["passages"].append(_passage("d6.txt", 0, 100, "d7.txt", 0, 100))
    res = ev.evaluate(TRUTH, rep)
    assert res["overall"]["precision"] < 1.0
    assert res["overall"]["precision"] == pytest.approx(len(TRUTH) / (len(TRUTH) + 1))
    assert res["overall"]["recall"] == 1.0
    assert res["unmatched_detections"] == 1
    assert res["unmatched_by_length"][">=100"] == 1


def test_copy_only_ignores_passages_marked_as_templates():
    rep = _perfect(TRUTH)
    formula = _passage("d6.txt", 0, 16, "d7.txt", 0, 16)
    formula["template"] = "formula"
    rep["passages"].append(formula)
    assert ev.evaluate(TRUTH, rep)["unmatched_detections"] == 1
    res = ev.evaluate(TRUTH, rep, copy_only=True)
    assert res["unmatched_detections"] == 0 and res["overall"]["plagdet"] == 1.0


def test_partial_overlap_hand_computed():
    truth = [{"kind": "verbatim", "src": "A", "src_start": 0, "src_end": 100, "dst": "B", "dst_start": 0, "dst_end": 100}]
    # half of the src side is outside the case: 150 of 200 chars are right
    rep = [{"a": "A", "a_start": 50, "a_end": 150, "b": "B", "b_start": 0, "b_end": 100, "score": 1}]
    res = ev.evaluate(truth, rep)
    _check_all(res, recall=0.75, precision=0.75, granularity=1.0, plagdet=0.75)
    # same pair, overlapping on one side only: not a detection (PAN)
    rep = [{"a": "A", "a_start": 0, "a_end": 100, "b": "B", "b_start": 200, "b_end": 300}]
    res = ev.evaluate(truth, rep)
    _check_all(res, recall=0.0, precision=0.0, plagdet=0.0)
    assert res["unmatched_detections"] == 1


def test_direction_is_irrelevant():
    truth = [{"kind": "mix", "src": "z.txt", "src_start": 10, "src_end": 40, "dst": "a.txt", "dst_start": 70, "dst_end": 100}]
    rep = {"passages": [{"a": "a.txt", "a_start": 70, "a_end": 100, "b": "z.txt", "b_start": 10, "b_end": 40}]}
    _check_all(ev.evaluate(truth, rep), precision=1.0, recall=1.0, plagdet=1.0)
    # wrong orientation (a.txt range applied to z.txt) detects nothing
    rep = {"passages": [{"a": "a.txt", "a_start": 10, "a_end": 40, "b": "z.txt", "b_start": 70, "b_end": 100}]}
    _check_all(ev.evaluate(truth, rep), recall=0.0)


def test_per_kind_precision_attribution():
    rep = _perfect(TRUTH)
    # a detection covering the char_edit case plus as much again outside it
    c = TRUTH[1]
    rep["passages"][1] = _passage(c["src"], c["src_start"], c["src_end"] + 300, c["dst"], c["dst_start"], c["dst_end"] + 310)
    res = ev.evaluate(TRUTH, rep)
    assert res["by_kind"]["char_edit"]["precision"] == pytest.approx(0.5)
    assert res["by_kind"]["verbatim"]["precision"] == 1.0
    assert res["by_kind"]["char_edit"]["recall"] == 1.0


def test_cli_json(tmp_path, capsys):
    (tmp_path / "truth.json").write_text(json.dumps(TRUTH))
    (tmp_path / "report.json").write_text(json.dumps(_perfect(TRUTH)))
    ev.main([str(tmp_path / "truth.json"), str(tmp_path / "report.json"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["overall"]["plagdet"] == 1.0 and set(out["by_kind"]) == {"verbatim", "char_edit", "traditional"}
    ev.main([str(tmp_path / "truth.json"), str(tmp_path / "report.json")])
    assert "overall" in capsys.readouterr().out


DOCS = ["a", "b", "c"]


@st.composite
def _annotation(draw, kind: bool):
    x, y = draw(st.lists(st.sampled_from(DOCS), min_size=2, max_size=2, unique=True))
    s0 = draw(st.integers(0, 200))
    s1 = s0 + draw(st.integers(1, 100))
    d0 = draw(st.integers(0, 200))
    d1 = d0 + draw(st.integers(1, 100))
    if kind:
        k = draw(st.sampled_from(["verbatim", "mix", "reorder"]))
        return {"kind": k, "src": x, "src_start": s0, "src_end": s1, "dst": y, "dst_start": d0, "dst_end": d1}
    a, b = sorted((x, y))
    return {"a": a, "a_start": s0, "a_end": s1, "b": b, "b_start": d0, "b_end": d1, "score": 0.5}


@settings(max_examples=200, deadline=None)
@given(st.lists(_annotation(True), max_size=6), st.lists(_annotation(False), max_size=10))
def test_measures_are_bounded(truth, passages):
    res = ev.evaluate(truth, {"passages": passages})
    for m in [res["overall"], *res["by_kind"].values()]:
        assert 0.0 <= m["precision"] <= 1.0 + 1e-12
        assert 0.0 <= m["recall"] <= 1.0 + 1e-12
        assert m["granularity"] >= 1.0
        assert 0.0 <= m["plagdet"] <= 1.0 + 1e-12
    assert 0 <= res["unmatched_detections"] <= len(passages)
    # adding the exact truth as detections can only raise recall to 1
    full = ev.evaluate(truth, {"passages": passages + _perfect(truth)["passages"]})
    if truth:
        assert full["overall"]["recall"] == pytest.approx(1.0)
