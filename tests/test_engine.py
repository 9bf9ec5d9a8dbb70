"""Every engine runs the same stages and writes the same report."""

import json
import os
import random

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse.cli import app
from reuse.config import Settings
from reuse.engine import LocalEngine, make_engine
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


_PIDS = None


def _spy_align_job(job, docs):
    """The real alignment task, noting which process ran it."""
    from reuse import pipeline

    with open(_PIDS, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    return pipeline._ALIGN(job, docs)


def test_local_worker_processes_give_the_same_report(tmp_path, monkeypatch):
    from reuse import pipeline

    corpus = _corpus(tmp_path / "c")
    alone = run([str(corpus)], Settings(), engine=LocalEngine(1))
    # one pair per alignment task and files read by workers too, so the pool really runs
    monkeypatch.setattr(pipeline, "ALIGN_JOB_ROWS", 1)
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 1)
    global _PIDS
    _PIDS = tmp_path / "pids"
    monkeypatch.setattr(pipeline, "_ALIGN", pipeline._align_job, raising=False)
    monkeypatch.setattr(pipeline, "_align_job", _spy_align_job)
    pooled = run([str(corpus)], Settings(workers=2), engine=LocalEngine(2))
    assert alone.passages and dumps(pooled) == dumps(alone)
    pids = set(_PIDS.read_text().split())
    assert pids and str(os.getpid()) not in pids  # alignment tasks ran in worker processes


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

