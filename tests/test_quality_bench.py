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
    gen.generate(out, n_docs=N_DOCS, seed=SEED, disjoint=True)
    return out


# --------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------


def _files(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@needs_sources
def test_generator_is_deterministic(corpus, tmp_path):
    again = tmp_path / "again"
    gen.main([str(again), "--docs", str(N_DOCS), "--seed", str(SEED), "--disjoint"])
    assert _files(again) == _files(corpus)
    other = tmp_path / "other"
    gen.generate(other, n_docs=N_DOCS, seed=SEED + 1, disjoint=True)
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
    assert res["unmatched_by_length"]["100-299"] == 1
    assert sum(res["unmatched_by_length"].values()) == 1


def test_passages_without_kind_count_unless_template():
    """A report written before the tiers: a passage is copy unless the report marks it as template text."""
    rep = _perfect(TRUTH)
    formula = _passage("d6.txt", 0, 16, "d7.txt", 0, 16)
    formula["template"] = "formula"
    rep["passages"].append(formula)
    res = ev.evaluate(TRUTH, rep)
    assert res["unmatched_detections"] == 0 and res["overall"]["plagdet"] == 1.0
    res = ev.evaluate(TRUTH, rep, kinds=None)  # --all-kinds
    assert res["unmatched_detections"] == 1 and res["n_detections"] == len(TRUTH) + 1
    plain = _passage("d6.txt", 100, 116, "d7.txt", 100, 116)
    plain["template"] = None
    rep["passages"].append(plain)
    assert ev.evaluate(TRUTH, rep)["unmatched_detections"] == 1


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


def test_default_keeps_stock_phrases(tmp_path):
    """Without --disjoint the backgrounds are filtered as generator version 1 did (20 raw characters)."""
    if not _sources_available():
        pytest.skip("no Chinese source text here")
    gen.main([str(tmp_path / "c"), "--docs", "8", "--seed", "1"])
    meta = json.loads((tmp_path / "c" / "meta.json").read_text(encoding="utf-8"))
    assert meta["keep_stock_phrases"] is True and "spreads" not in meta
    gen.main([str(tmp_path / "d"), "--docs", "8", "--seed", "1", "--disjoint"])
    meta = json.loads((tmp_path / "d" / "meta.json").read_text(encoding="utf-8"))
    assert meta["keep_stock_phrases"] is False


# --------------------------------------------------------------------------
# generator: planted into real articles (--real), spread groups
# --------------------------------------------------------------------------

_WORDS = (
    "我们 发展 工作 建设 国家 社会 经济 问题 时候 政府 企业 地区 干部 群众 组织 党员 基层 支部 学习 教育 思想 理论 实践 制度 改革 创新 开放 文化 生态 环境 "
    "乡村 城市 农民 工人 学生 老师 医院 学校 道路 交通 水利 农业 工业 科技 人才 服务 管理 监督 检查 考核 会议 文件 精神 任务 目标 措施 方法 经验 成绩 困难 "
    "机制 平台 项目 资金 市场 产品 质量 安全 生产 生活 健康 卫生 扶贫 脱贫 帮扶 就业 收入 住房 养老 保险 法律 法治 纪律 作风 责任 义务 权利 公平 正义 民主 "
    "今天 明天 去年 今年 上午 下午 全面 深入 扎实 认真 积极 主动 不断 持续 加快 推进 落实 完善 提高 增强 加强 促进 保障 推动 实现 坚持 围绕 聚焦 突出 强化"
).split()
N_HOSTS = 90


def _sentence(rng, n):
    return "".join(rng.choice(_WORDS) for _ in range(max(1, n // 2)))


def _paragraph(rng):
    return "".join(_sentence(rng, rng.randint(8, 20)) + rng.choice("，，，。") for _ in range(rng.randint(4, 9)))[:-1] + "。"


def _fake_hosts(folder: Path) -> dict:
    """Dated articles of random characters (no two share a 50-character window by chance), and some that do."""
    import datetime
    import random

    rng = random.Random(7)
    folder.mkdir()
    (folder / "sub").mkdir()
    day = datetime.date(2019, 1, 1)
    texts = {}
    for i in range(N_HOSTS):
        name = f"{day + datetime.timedelta(days=i // 2)}_sec_{i % 2 + 1:02d}.txt"
        lines = [_sentence(rng, 12)] + [_paragraph(rng) for _ in range(rng.randint(4, 9))]
        while len("".join(lines).encode("utf-8")) < 1200:
            lines.append(_paragraph(rng))
        texts[("sub/" if i % 30 == 29 else "") + name] = lines
    names = sorted(texts)
    # a near-duplicate: a late article taking 60 characters of an early one (one of the two is left out)
    dup_src, dup = names[3], "2020-06-01_sec_01.txt"
    texts[dup] = [_sentence(rng, 12), _paragraph(rng), texts[dup_src][1][:60]] + [_paragraph(rng) for _ in range(6)]
    # a natural 40-character formula in two articles: both stay, and the truth does not list it
    formula = _sentence(rng, 40)
    texts[names[10]].insert(2, formula + "。")
    texts[names[11]].insert(3, "在" + formula + "。")
    for rel, lines in texts.items():
        (folder / rel).write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    (folder / "notes.txt").write_text(_paragraph(rng) * 5, encoding="utf-8")  # no date: not a host
    (folder / "2019-02-02_short_01.txt").write_text("短文。\n", encoding="utf-8")  # under 1,000 bytes
    (folder / "SOURCE").write_text("test/hosts\ncommit 0000\n", encoding="utf-8")
    return {"texts": texts, "dup": (dup_src, dup), "formula": (names[10], names[11], formula)}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    base = tmp_path_factory.mktemp("real")
    hosts = _fake_hosts(base / "hosts")
    out = base / "corpus"
    gen.main([str(out), "--real", str(base / "hosts"), "--docs", "200", "--seed", "5", "--no-news"])
    truth, meta, texts = _read_corpus(out)
    return {"base": base, "hosts": hosts, "out": out, "truth": truth, "meta": meta, "texts": texts}


def _host_text(real, doc):
    """A generated document with the passages planted into it taken out again: the host as it was."""
    t = real["texts"][doc]
    spans = sorted((c["dst_start"], c["dst_end"]) for c in real["truth"] if c["dst"] == doc)
    parts, last = [], 0
    for s, e in spans:
        parts.append(t[last:s])
        last = e + (1 if t[e : e + 1] == "\n" and (s == 0 or t[s - 1] == "\n") else 0)
    return "".join(parts) + t[last:]


def test_real_is_deterministic(real, tmp_path):
    args = ["--real", str(real["base"] / "hosts"), "--docs", "200", "--seed", "5", "--no-news"]
    gen.main([str(tmp_path / "again"), *args])
    assert _files(tmp_path / "again") == _files(real["out"])
    gen.main([str(tmp_path / "other"), *args[:-3], "--seed", "6", "--no-news"])
    assert _files(tmp_path / "other") != _files(real["out"])


def test_real_hosts_keep_names_dates_and_text(real):
    meta, hosts = real["meta"], real["hosts"]
    ids = {d["id"] for d in meta["docs"]}
    assert ids <= set(hosts["texts"]) and "sub/" in "".join(ids)  # names kept, folders too
    assert "notes.txt" not in ids and "2019-02-02_short_01.txt" not in ids
    assert meta["mode"] == "real" and meta["hosts"]["source"] == "test/hosts\ncommit 0000"
    assert meta["hosts"]["available"] == N_HOSTS + 1 and meta["hosts"]["left_out_shared_window"] == 1
    assert len(ids) == N_HOSTS
    for d in meta["docs"]:
        assert d["id"].rsplit("/", 1)[-1].startswith(d["date"])
        lines = hosts["texts"][d["id"]]
        assert _host_text(real, d["id"]) == "\n".join(lines) + "\n"  # every planted passage taken out: the host
        assert real["texts"][d["id"]].split("\n", 1)[0] == lines[0]  # the title line is never planted into
    assert {d["encoding"] for d in meta["docs"]} == {"utf-8", "gb18030"}


def test_real_truth_slices_back(real):
    truth, texts, hosts = real["truth"], real["texts"], real["hosts"]["texts"]
    date = {d["id"]: d["date"] for d in real["meta"]["docs"]}
    kinds = set(gen.KINDS_ZH) | {f"spread{k}" for k in gen.SPREAD_SIZES}
    assert {c["kind"] for c in truth} == kinds
    for c in truth:
        assert date[c["src"]] < date[c["dst"]]
        s = texts[c["src"]][c["src_start"] : c["src_end"]]
        d = texts[c["dst"]][c["dst_start"] : c["dst_end"]]
        assert s in "\n".join(hosts[c["src"]]) and s.strip() == s  # the source is the host's own text...
        assert s not in hosts[c["src"]][0] or len(hosts[c["src"]][0]) < 30  # ...never its title
        if c["kind"] == "verbatim" or c.get("variant") == "verbatim":
            assert s == d
        else:
            assert s != d and d.strip()
        assert (c["src"], c["src_start"]) != (c["dst"], c["dst_start"])


def _windows(text, w=gen.HOST_WINDOW):
    units = "".join(c for c in gen.fold_for_filter(text) if c.isalnum())
    return {units[i : i + w] for i in range(len(units) - w + 1)}


def test_real_hosts_share_no_window(real):
    seen: dict[str, str] = {}
    for doc in real["texts"]:
        for w in _windows(_host_text(real, doc)):
            assert seen.setdefault(w, doc) == doc, f"{w!r} in {seen[w]} and {doc}"
    dup_src, dup = real["hosts"]["dup"]
    assert (dup_src in real["texts"]) != (dup in real["texts"])  # one of the near-duplicates is left out
    a, b, formula = real["hosts"]["formula"]
    assert formula in real["texts"][a] and formula in real["texts"][b]  # shorter shared text stays, unlisted


def test_hash_windows_match_string_windows():
    text = "中国共产党新闻网" * 3 + "，" + _paragraph(__import__("random").Random(1)) + "１２３４５６７８９０ABC"
    assert len(gen.window_hashes(text, 10)) == len(_windows(text, 10))
    assert len(gen.window_hashes("太短", 10)) == 0


def test_spread_groups(real):
    truth, texts = real["truth"], real["texts"]
    date = {d["id"]: d["date"] for d in real["meta"]["docs"]}
    negative = {d["id"] for d in real["meta"]["docs"] if d["negative"]}
    groups: dict[str, list[dict]] = {}
    for c in truth:
        if c["kind"].startswith("spread"):
            groups.setdefault(c["group"], []).append(c)
        else:
            assert "group" not in c
    assert sorted(len(g) for g in groups.values()) == [3, 10, 60]
    for g in groups.values():
        k = len(g)
        assert {c["kind"] for c in g} == {f"spread{k}"}
        assert len({(c["src"], c["src_start"], c["src_end"]) for c in g}) == 1  # one passage of one source
        src = g[0]["src"]
        dsts = [c["dst"] for c in g]
        assert len(set(dsts)) == k and src not in dsts and not (negative & {src, *dsts})
        assert all(date[d] > date[src] for d in dsts)
        passage = texts[src][g[0]["src_start"] : g[0]["src_end"]]
        assert gen.SPREAD_MIN * 0.5 <= len(passage)
        for c in g:
            assert c["variant"] in gen.SPREAD_EDITS
            copy = texts[c["dst"]][c["dst_start"] : c["dst_end"]]
            assert (copy == passage) == (c["variant"] == "verbatim")
            if c["variant"] == "light_edit":
                import difflib

                assert difflib.SequenceMatcher(None, passage, copy, autojunk=False).ratio() > 0.9


def test_real_refuses_to_write_into_the_hosts(real):
    with pytest.raises(SystemExit):
        gen.generate(real["base"] / "hosts" / "corpus", real=real["base"] / "hosts", use_news=False)
    with pytest.raises(SystemExit):
        gen.main([str(real["base"] / "x"), "--real", str(real["base"] / "hosts"), "--disjoint"])


def test_spread_in_a_built_corpus(tmp_path):
    if not _sources_available():
        pytest.skip("no Chinese source text here")
    truth = gen.generate(tmp_path, n_docs=14, seed=2, spreads=(4,))
    group = [c for c in truth if c.get("group")]
    assert len(group) == 4 and {c["kind"] for c in group} == {"spread4"}


# --------------------------------------------------------------------------
# evaluator: passage kinds, report shapes, spread groups
# --------------------------------------------------------------------------


def _kinded(kind, *args, **extra):
    p = _passage(*args)
    p["kind"] = kind
    p.update(extra)
    return p


def test_only_copy_passages_are_detections_by_default():
    rep = _perfect(TRUTH)
    for p in rep["passages"]:
        p["kind"] = "copy"
    others = [
        _kinded("template", "d6.txt", 0, 16, "d7.txt", 0, 16, template="f1"),
        _kinded("quote", "d6.txt", 20, 100, "d7.txt", 20, 100),
        _kinded("phrase", "d6.txt", 200, 214, "d8.txt", 0, 14),
        # a template passage lying on a case: no credit either, and not counted
        _kinded("phrase", *[TRUTH[0][k] for k in ("src", "src_start", "src_end", "dst", "dst_start", "dst_end")]),
    ]
    rep["passages"] += others
    res = ev.evaluate(TRUTH, rep)
    assert res["n_detections"] == len(TRUTH) and res["unmatched_detections"] == 0
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    res = ev.evaluate(TRUTH, rep, kinds=None)
    assert res["n_detections"] == len(TRUTH) + 4 and res["unmatched_detections"] == 3
    assert res["overall"]["granularity"] == pytest.approx(5 / 4)
    res = ev.evaluate(TRUTH, rep, kinds={"copy", "quote"})
    assert res["n_detections"] == len(TRUTH) + 1 and res["unmatched_by_length"]["60-99"] == 1
    # without any kind, the template rule: the copy passages plus the quote and phrases (template is null)
    for p in rep["passages"]:
        p.pop("kind")
    assert ev.evaluate(TRUTH, rep)["n_detections"] == len(TRUTH) + 3


def test_kind_options_on_the_command_line(tmp_path, capsys):
    rep = _perfect(TRUTH)
    rep["passages"].append(_kinded("phrase", "d6.txt", 0, 16, "d7.txt", 0, 16, a_text="中共中央政治局委员、国务院副总理"))
    (tmp_path / "t.json").write_text(json.dumps(TRUTH))
    (tmp_path / "r.json").write_text(json.dumps(rep, ensure_ascii=False), encoding="utf-8")
    args = [str(tmp_path / "t.json"), str(tmp_path / "r.json"), "--json"]
    ev.main(args)
    assert json.loads(capsys.readouterr().out)["n_detections"] == len(TRUTH)  # kindless ones are copy
    ev.main(args + ["--all-kinds"])
    assert json.loads(capsys.readouterr().out)["n_detections"] == len(TRUTH) + 1
    ev.main(args + ["--kinds", "phrase"])
    assert json.loads(capsys.readouterr().out)["n_detections"] == 1
    ev.main(args[:2] + ["--all-kinds", "--examples", "5"])
    out = capsys.readouterr().out
    assert "unmatched <30 chars, 1 of 1:" in out and "d6.txt[0:16] ~ d7.txt[0:16]" in out and "国务院副总理" in out
    with pytest.raises(SystemExit):
        ev.main(args + ["--all-kinds", "--kinds", "copy"])


def test_check_json_passages():
    check = {
        "draft": {"id": "d2.txt", "path": "x/d2.txt", "chars": 500},
        "passages": [
            {"start": 30, "end": 120, "source": "d1.txt", "source_start": 0, "source_end": 90, "score": 1.0,
             "template": None, "text": "..."},
            {"start": 400, "end": 420, "source": "d9.txt", "source_start": 0, "source_end": 20, "score": 1.0,
             "template": "f2", "text": "..."},
        ],
    }
    res = ev.evaluate(TRUTH[:1], check)
    _check_all(res, precision=1.0, recall=1.0, plagdet=1.0)
    assert ev.evaluate(TRUTH[:1], check, kinds=None)["unmatched_detections"] == 1
    # format 2 names its passages as report.json does, the draft as side a
    v2 = {"meta": {"format": 2}, "draft": check["draft"], "passages": [
        {"a": "d2.txt", "a_start": 30, "a_end": 120, "b": "d1.txt", "b_start": 0, "b_end": 90, "score": 1.0,
         "a_text": "...", "b_text": "...", "kind": "copy", "template": None, "cluster": None},
        {"a": "d2.txt", "a_start": 400, "a_end": 420, "b": "d9.txt", "b_start": 0, "b_end": 20, "score": 1.0,
         "a_text": "...", "b_text": "...", "kind": "template", "template": "f2", "cluster": None}]}
    _check_all(ev.evaluate(TRUTH[:1], v2), precision=1.0, recall=1.0, plagdet=1.0)
    assert ev.evaluate(TRUTH[:1], v2, kinds=None)["unmatched_detections"] == 1


# a spread group: S's passage in D1..D4 (all dated after S), plus an ordinary case
SPREAD = [
    {"kind": "spread4", "src": "S", "src_start": 100, "src_end": 300, "dst": f"D{i}", "dst_start": 10 * i,
     "dst_end": 10 * i + 200, "group": "spread4_0", "variant": "verbatim"}
    for i in range(1, 5)
] + [{"kind": "verbatim", "src": "S", "src_start": 0, "src_end": 50, "dst": "D1", "dst_start": 500, "dst_end": 550}]


def _span(c, side):
    return c[side], c[side + "_start"], c[side + "_end"]


def _pair(x, y):
    return _passage(*x, *y)


def test_spread_each_copy_against_the_source():
    res = ev.evaluate(SPREAD, _perfect(SPREAD))
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    assert res["by_kind"]["spread4"]["plagdet"] == 1.0


def test_spread_all_pairs_are_not_punished():
    dsts = [_span(c, "dst") for c in SPREAD[:4]]
    rep = _perfect(SPREAD)
    rep["passages"] += [_pair(x, y) for k, x in enumerate(dsts) for y in dsts[k + 1 :]]  # 6 copy-copy pairs
    res = ev.evaluate(SPREAD, rep)
    assert res["n_detections"] == 11 and res["unmatched_detections"] == 0
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    m = res["by_kind"]["spread4"]
    assert m["detections"] == 10 and m["plagdet"] == 1.0


def test_spread_copies_found_only_among_themselves():
    """No detection against the source: each case is detected through its group's copy-copy detections."""
    d = [_span(c, "dst") for c in SPREAD[:4]]
    rep = {"passages": [_pair(d[0], d[1]), _pair(d[1], d[2]), _pair(d[2], d[3])]}  # a chain
    res = ev.evaluate(SPREAD[:4], rep)
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    assert res["by_kind"]["spread4"]["detected"] == 4
    # half of D4's copy found (against D3): D4's case gets recall 0.5, the precision is still 1
    half = list(d[3])
    half[2] = half[1] + 100
    d3 = list(d[2])
    d3[2] = d3[1] + 100
    rep = {"passages": [_pair(d[0], d[1]), _pair(d[1], d[2]), _pair(d3, half)]}
    res = ev.evaluate(SPREAD[:4], rep)
    assert res["overall"]["recall"] == pytest.approx((1 + 1 + 1 + 0.5) / 4)
    assert res["overall"]["precision"] == 1.0
    # D3–D4 in three pieces: granularity 3 for D4, which only they detect; D3 is whole against D2
    rep = {"passages": [_pair(d[0], d[1]), _pair(d[1], d[2])]}
    for k in range(3):
        rep["passages"].append(_pair((d[2][0], d[2][1] + 66 * k, d[2][1] + 66 * (k + 1)),
                                     (d[3][0], d[3][1] + 66 * k, d[3][1] + 66 * (k + 1))))
    res = ev.evaluate(SPREAD[:4], rep)
    assert res["overall"]["granularity"] == pytest.approx((1 + 1 + 1 + 3) / 4)


def test_spread_rule_needs_the_group_spans():
    d = [_span(c, "dst") for c in SPREAD[:4]]
    outside = ("D2", 400, 450)
    rep = {"passages": [
        _pair(d[0], outside),  # D1's copy against text of D2 outside D2's copy
        _pair(d[0], ("X", 0, 200)),  # a copy against a document outside the group
        _pair(("D3", 300, 330), ("D4", 300, 330)),  # two destinations, outside their copies
    ]}
    res = ev.evaluate(SPREAD, rep)
    assert res["unmatched_detections"] == 3 and res["overall"]["recall"] == 0.0
    # copies of two different groups share nothing the truth lists
    other = [dict(c, group="spread4_1", src="T", dst=c["dst"].replace("D", "E")) for c in SPREAD[:4]]
    rep = {"passages": [_pair(d[0], _span(other[1], "dst"))]}
    assert ev.evaluate(SPREAD[:4] + other, rep)["unmatched_detections"] == 1


def test_spread_partly_outside_the_copies():
    d = [_span(c, "dst") for c in SPREAD[:4]]
    # D1–D2 detection running 200 characters past both copies: half of it is right
    rep = {"passages": [_pair((d[0][0], d[0][1], d[0][2] + 200), (d[1][0], d[1][1], d[1][2] + 200))]}
    res = ev.evaluate(SPREAD[:4], rep)
    assert res["overall"]["precision"] == pytest.approx(0.5)
    assert res["by_kind"]["spread4"]["detected"] == 2
    assert res["overall"]["recall"] == pytest.approx(0.5)  # two of the four cases, fully


def test_clusters_give_each_member_against_the_earliest():
    members = [{"doc": "S", "start": 100, "end": 300}] + [
        {"doc": c["dst"], "start": c["dst_start"], "end": c["dst_end"]} for c in SPREAD[:4]
    ]
    rep = {"passages": [], "clusters": [{"id": "c1", "doc_count": 5, "members": members[::-1], "earliest": "S"}]}
    assert ev.evaluate(SPREAD[:4], rep)["n_detections"] == 0  # only with --clusters
    res = ev.evaluate(SPREAD[:4], rep, clusters=True)
    assert res["n_detections"] == 4
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)
    # no earliest named: against the first member (D4 here); the rule for copies among themselves applies
    rep["clusters"][0].pop("earliest")
    res = ev.evaluate(SPREAD[:4], rep, clusters=True)
    _check_all(res, precision=1.0, recall=1.0, granularity=1.0, plagdet=1.0)


@st.composite
def _spread_truth(draw):
    k = draw(st.integers(1, 4))
    s0 = draw(st.integers(0, 100))
    n = draw(st.integers(1, 80))
    cases = []
    for i in range(k):
        d0 = draw(st.integers(0, 100))
        cases.append({"kind": f"spread{k}", "src": "a", "src_start": s0, "src_end": s0 + n, "dst": f"g{i}",
                      "dst_start": d0, "dst_end": d0 + draw(st.integers(1, 80)), "group": "G"})
    return cases


@st.composite
def _spread_passage(draw):
    x, y = draw(st.lists(st.sampled_from(["a", "b", "g0", "g1", "g2", "g3"]), min_size=2, max_size=2, unique=True))
    s0, d0 = draw(st.integers(0, 150)), draw(st.integers(0, 150))
    a, b = sorted((x, y))
    return {"a": a, "a_start": s0, "a_end": s0 + draw(st.integers(1, 90)), "b": b, "b_start": d0,
            "b_end": d0 + draw(st.integers(1, 90))}


@settings(max_examples=200, deadline=None)
@given(_spread_truth(), st.lists(_annotation(True), max_size=3), st.lists(_spread_passage(), max_size=10))
def test_measures_are_bounded_with_spread_groups(group, others, passages):
    truth = group + others
    res = ev.evaluate(truth, {"passages": passages})
    for m in [res["overall"], *res["by_kind"].values(), *res["by_lang"].values()]:
        assert 0.0 <= m["precision"] <= 1.0 + 1e-12
        assert 0.0 <= m["recall"] <= 1.0 + 1e-12
        assert m["granularity"] >= 1.0
    full = ev.evaluate(truth, {"passages": passages + _perfect(truth)["passages"]})
    assert full["overall"]["recall"] == pytest.approx(1.0)
    assert full["overall"]["recall"] >= res["overall"]["recall"] - 1e-12


def test_output_folder_is_replaced_only_when_the_generator_wrote_it(real, tmp_path):
    args = ["--real", str(real["base"] / "hosts"), "--docs", "200", "--no-news", "--spread", ""]
    out = tmp_path / "c"
    gen.main([str(out), *args, "--docs", "70", "--seed", "1"])
    gen.main([str(out), *args, "--docs", "65", "--seed", "2"])  # a previous corpus is replaced whole
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["n_docs"] == 65 and "spreads" not in meta
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == sorted(d["id"] for d in meta["docs"])
    (out / "mine.txt").write_text("someone else's", encoding="utf-8")
    with pytest.raises(SystemExit, match="did not write"):
        gen.main([str(out), *args, "--seed", "3"])
    assert (out / "mine.txt").read_text(encoding="utf-8") == "someone else's"
    assert all((out / d["id"]).is_file() for d in meta["docs"])  # refused before anything was removed
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit):
        gen.main([str(other), *args])
    assert [p.name for p in other.iterdir()] == ["notes.md"]
