"""Every engine runs the same stages and writes the same report."""

import json
import random

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse.cli import app
from reuse.config import Settings
from reuse.engine import LocalEngine, batches, make_engine
from reuse.errors import ConfigError
from reuse.pipeline import run
from reuse.report.jsonreport import dumps

runner = CliRunner()


def _corpus(folder):
    """A dozen documents with shared paragraphs, so every stage has work."""
    rng = random.Random(2)
    paras = [p for prefix in ("000", "001", "002", "003", "004") for p in seed_text(prefix).split("\n") if len(p) > 40]
    for n in range(12):
        make_doc(folder, f"d{n:02d}.txt", "\n".join(rng.sample(paras, 6)) + "\n")
    return folder


def test_local_worker_processes_give_the_same_report(tmp_path):
    corpus = _corpus(tmp_path / "c")
    alone = run([str(corpus)], Settings(), engine=LocalEngine(1))
    engine = LocalEngine(2)
    try:
        pooled = run([str(corpus)], Settings(), engine=engine)
    finally:
        engine.close()
    assert alone.passages and dumps(pooled) == dumps(alone)


def test_dask_local_cluster_gives_the_same_report(tmp_path):
    pytest.importorskip("distributed")
    corpus = _corpus(tmp_path / "c")
    local = run([str(corpus)], Settings())
    engine = make_engine("dask", workers=2)
    try:
        assert len(engine.client.scheduler_info()["workers"]) == 2
        distributed = run([str(corpus)], Settings(engine="dask"), engine=engine)
    finally:
        engine.close()
    assert local.passages and dumps(distributed) == dumps(local)


def test_engine_is_not_a_result_parameter():
    assert "engine" not in Settings(engine="dask").params()
    with pytest.raises(ConfigError):
        Settings(engine="spark")


def test_cli_engine_dask_writes_the_local_report(tmp_path):
    pytest.importorskip("distributed")
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert runner.invoke(app, ["scan", str(SEEDS), "-o", str(local), "-q"]).exit_code == 0
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(dask), "-q", "--engine", "dask", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert (dask / "report.json").read_bytes() == (local / "report.json").read_bytes()


def test_unreachable_scheduler_is_a_one_line_error(tmp_path):
    pytest.importorskip("distributed")
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r"), "--engine", "dask",
                                 "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1 and "Dask scheduler" in result.output and "Traceback" not in result.output


def test_batches():
    assert batches(range(5), 2) == [[0, 1], [2, 3], [4]]
