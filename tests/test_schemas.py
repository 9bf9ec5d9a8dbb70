"""report.json and check.json against the JSON Schemas shipped in the package (reuse/schemas/)."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse.cli import app


def _schema(name: str) -> dict:
    return json.loads((files("reuse") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A scan of the seeds with a speech that copies two of them and a paragraph in three more, and a check."""
    base = tmp_path_factory.mktemp("schemas")
    corpus = base / "corpus"
    for p in SEEDS.glob("*.txt"):
        make_doc(corpus, p.name, p.read_text(encoding="utf-8"))
    lines = [ln for ln in seed_text("001").split("\n") if len(ln) > 100][:2]
    make_doc(corpus, "2023-05-01_copies.txt", "关于近期工作的几点意见\n" + "\n".join(lines) + "\n以上意见，请认真落实。\n")
    for n in range(3):
        own = seed_text("003")[n * 400:n * 400 + 400]
        make_doc(corpus, f"2023-06-0{n + 1}_notice.txt", f"第{n}号通知\n{own[:200]}\n{lines[0]}\n{own[200:]}\n")
    runner = CliRunner()
    assert runner.invoke(app, ["scan", str(corpus), "-o", str(base / "scan"), "-q"]).exit_code == 0
    db = base / "lib.sqlite"
    assert runner.invoke(app, ["index", "build", str(SEEDS), "--db", str(db), "-q"]).exit_code == 0
    draft = make_doc(base, "draft.txt", "\n".join(lines) + "\n" + seed_text("000")[:400])
    assert runner.invoke(app, ["check", str(draft), "--db", str(db), "-o", str(base / "check"), "-q"]).exit_code == 0
    return base


def test_report_json_follows_its_schema_and_holds_every_kind_of_entry(written):
    report = json.loads((written / "scan" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, _schema("report"))
    assert report["passages"] and report["phrases"] and report["clusters"] and report["templates"]
    assert {p["kind"] for p in report["passages"]} >= {"copy", "template"}


def test_check_json_follows_its_schema_with_report_json_names(written):
    check = json.loads((written / "check" / "check.json").read_text(encoding="utf-8"))
    jsonschema.validate(check, _schema("check"))
    report = json.loads((written / "check" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, _schema("report"))
    mine = next(d for d in report["documents"] if d["id"] == check["draft"]["id"])
    for key in ("reuse_ratio", "copy_ratio", "template_ratio", "quote_ratio", "phrase_ratio", "top_source"):
        assert check[key] == mine[key], key
    text = (written / "draft.txt").read_text(encoding="utf-8")
    assert check["passages"] and all(p["a"] == check["draft"]["id"] for p in check["passages"])
    assert all(text[p["a_start"]:p["a_end"]] == p["a_text"] for p in check["passages"])
    assert check["copy_ratio"] > 0.5


def test_a_report_that_strays_from_the_schema_is_caught(written):
    report = json.loads((written / "scan" / "report.json").read_text(encoding="utf-8"))
    report["passages"][0]["kind"] = "copying"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, _schema("report"))
    del report["passages"][0]["kind"]
    report["documents"][0]["total_ratio"] = 0.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, _schema("report"))
