"""Every engine runs the same stages and writes the same report."""

import json
import os
import random
import sys

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

    import time

    with open(_PIDS, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(0.05)  # long enough that both processes take some of the tasks
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
    monkeypatch.setattr(pipeline, "_ALIGN", pipeline._align_task, raising=False)
    monkeypatch.setattr(pipeline, "_align_task", _spy_align_job)
    pooled = run([str(corpus)], Settings(workers=2), engine=LocalEngine(2))
    assert alone.passages and dumps(pooled) == dumps(alone)
    pids = set(_PIDS.read_text().split())
    assert str(os.getpid()) in pids and len(pids) == 2  # alignment tasks ran here and in the forked process


@pytest.fixture(scope="module")
def dask_engine():
    """One LocalCluster of two worker processes for the module's tests (its address is for --scheduler)."""
    pytest.importorskip("distributed")
    engine = make_engine("dask", workers=2)
    try:
        assert len(engine.client.scheduler_info()["workers"]) == 2
        yield engine
    finally:
        engine.close()


def test_dask_local_cluster_gives_the_same_report(tmp_path, dask_engine):
    corpus = _corpus(tmp_path / "c")
    local = run([str(corpus)], Settings())
    distributed = run([str(corpus)], Settings(engine="dask"), engine=dask_engine)
    assert local.passages and dumps(distributed) == dumps(local)


def _first_or_wait(item):
    """Task 0 ends at once; the others wait until progress has reported it (or give up after 30 s)."""
    import time

    n, marker = item
    deadline = time.monotonic() + 30
    while n and not os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.02)
    return n == 0 or os.path.exists(marker)


def test_dask_reports_progress_as_each_task_ends(tmp_path, dask_engine):
    marker = str(tmp_path / "first task reported")
    calls = []

    def progress(stage, done, total):
        calls.append((stage, done, total))
        if done == 1:
            open(marker, "w").close()

    # tasks 1-3 end only once task 0 has been reported, so a report made after all ends would time them out
    done = dask_engine.map(_first_or_wait, [(n, marker) for n in range(4)], stage="wait", progress=progress)
    assert done == [True] * 4
    assert calls == [("wait", done, 4) for done in range(5)]


@pytest.mark.parametrize("workers", [1, 2])
def test_local_engine_reports_the_start_and_each_task(workers):
    calls = []
    assert LocalEngine(workers).map(abs, [-1, -2, -3], stage="abs", progress=lambda *c: calls.append(c)) == [1, 2, 3]
    if workers == 1:
        assert calls == [("abs", done, 3) for done in range(4)]
    else:  # items done in forked processes are counted as this process sees them: several may end between looks
        done = [d for _, d, _ in calls]
        assert done[0] == 0 and done[-1] == 3 and done == sorted(set(done))


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



def _library_rows(db) -> dict[str, list]:
    """Every row of a library but the time and the random token of each add."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        out = {"documents": conn.execute("SELECT id, name, path, encoding, format, chars, sha256, text, paragraphs, "
                                         "sentences, weights FROM documents ORDER BY id").fetchall()}
        for table in ("units", "bands", "postings", "templates", "template_members"):
            out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        return out
    finally:
        conn.close()


def _listed(db) -> tuple[list, dict]:
    """`index list --json` without the time added, `index stats --json` without the file's path, date and size."""
    listed = runner.invoke(app, ["index", "list", "--db", str(db), "--json"])
    stats = runner.invoke(app, ["index", "stats", "--db", str(db), "--json"])
    assert listed.exit_code == stats.exit_code == 0, listed.output + stats.output
    docs = [{k: v for k, v in d.items() if k != "added"} for d in json.loads(listed.stdout)]
    return docs, {k: v for k, v in json.loads(stats.stdout).items() if k not in ("path", "created", "bytes")}


def _checked(db, draft, out) -> list[dict]:
    """report.json and check.json of `reuse check`, without the library's path and id."""
    result = runner.invoke(app, ["check", str(draft), "--db", str(db), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    files = [json.loads((out / name).read_text(encoding="utf-8")) for name in ("report.json", "check.json")]
    del files[1]["meta"]["library"]["path"], files[1]["meta"]["library"]["uuid"]
    return files


def test_index_built_and_added_on_dask_is_the_local_library(tmp_path, dask_engine):
    corpus = _corpus(tmp_path / "c")
    more = tmp_path / "more"
    for prefix in ("000", "003"):
        make_doc(more, f"{prefix}.txt", seed_text(prefix))
    draft = make_doc(tmp_path, "draft.txt", "\n".join(seed_text("003").split("\n")[:6]) + "\n")
    scheduler = dask_engine.client.scheduler.address
    for name, flags in (("local", []), ("dask", ["--engine", "dask", "--scheduler", scheduler])):
        db = str(tmp_path / f"{name}.sqlite")
        built = runner.invoke(app, ["index", "build", str(corpus), "--db", db, "-q", *flags])
        added = runner.invoke(app, ["index", "add", str(more), "--db", db, "--prefix", "new/", "-q", *flags])
        assert built.exit_code == added.exit_code == 0, built.output + added.output
    local, dask = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    rows = _library_rows(local)
    assert len(rows["documents"]) == 14 and rows["units"] and rows["postings"]
    assert _library_rows(dask) == rows
    prefixes = dask_engine.client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert "read_files" in prefixes  # the files were read on the cluster (task names drop the underscore)
    assert _listed(dask) == _listed(local)
    checked = _checked(local, draft, tmp_path / "r_local")
    assert checked[1]["sources"] and _checked(dask, draft, tmp_path / "r_dask") == checked


def test_index_reads_in_this_process_unless_asked_and_large_enough():
    from reuse.library import _engine_for
    from reuse.batching import PARALLEL_BYTES

    assert _engine_for(Settings(), 10 * PARALLEL_BYTES).workers == 1  # features cost as much to send back
    assert _engine_for(Settings(workers=2), PARALLEL_BYTES - 1).workers == 1  # workers cost more to start
    assert _engine_for(Settings(workers=2), PARALLEL_BYTES).workers == 2


@pytest.mark.parametrize("command", [["scan", str(SEEDS)], ["index", "build", str(SEEDS), "--db"]])
def test_dask_without_its_extra_names_the_install_in_one_line(tmp_path, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    db = tmp_path / "library.sqlite"
    args = [*command, str(db)] if command[-1] == "--db" else [*command, "-o", str(tmp_path / "r")]
    result = runner.invoke(app, [*args, "--engine", "dask"])
    assert result.exit_code == 1
    assert result.output.strip() == "reuse: error: the Dask engine needs: pip install 'reuse-detector[dask]'"
    assert not db.exists() and not (tmp_path / "r").exists()


def test_workers_of_another_reuse_are_refused_in_one_line(tmp_path, dask_engine, monkeypatch):
    from reuse import versions

    scheduler = dask_engine.client.scheduler.address
    monkeypatch.setattr(versions, "__version__", "0.0.1")  # this process now differs from the workers
    db = tmp_path / "library.sqlite"
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--db", str(db), "--engine", "dask",
                                 "--scheduler", scheduler])
    assert result.exit_code == 1 and "Traceback" not in result.output and not db.exists()
    assert f"of {scheduler} has reuse " in result.output and "install reuse-detector[dask]==0.0.1" in result.output


def test_features_travel_without_their_cached_lookups():
    """Features used here (lookups cached) and then moved between Dask workers must read the same."""
    import pickle

    from reuse.features import extract
    from reuse.ingest import document

    feat = extract(document("Words of English, 以及中文的句子。" * 40, "x"), Settings())
    before = (feat.char_span(5, 40), feat.weight_between(3, 300), feat.boundaries_before[-1])
    assert "_lists" in feat.__dict__  # the lookups are cached now
    moved = pickle.loads(pickle.dumps(feat, protocol=5))
    assert "_lists" not in moved.__dict__
    assert (moved.char_span(5, 40), moved.weight_between(3, 300), moved.boundaries_before[-1]) == before


def test_a_scan_task_runs_without_the_collector_and_leaves_it_as_found(monkeypatch):
    import gc

    from reuse import pipeline

    def probe(documents, features, settings):
        return gc.isenabled()

    seen = []
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            during, _ = pipeline._whole_corpus((probe, Settings()), {})
            seen.append((during, gc.isenabled()))
    finally:
        gc.enable()
    assert seen == [(False, True), (False, False)]


def test_files_are_read_without_the_collector(tmp_path, monkeypatch):
    import gc

    from reuse import pipeline
    from reuse.ingest import discover

    make_doc(tmp_path, "a.txt", seed_text("000"))
    seen = []
    read_many = pipeline.read_many

    def noting_the_collector(*args, **kwargs):
        seen.append(gc.isenabled())
        return read_many(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_many", noting_the_collector)
    found, _ = discover([str(tmp_path)], Settings().extensions)
    [(doc, why, features)] = pipeline._read_batch((found, Settings()))
    assert seen == [False] and gc.isenabled()
    assert doc is not None and why is None and len(features.shingles)


def test_passages_are_aligned_settled_and_scored_without_the_collector(tmp_path, monkeypatch):
    import gc

    from reuse import pipeline

    for name in ("000", "001"):
        make_doc(tmp_path, f"{name}.txt", seed_text(name))
    seen = {}

    def noting(name, fn):
        def call(*args, **kwargs):
            seen[name] = gc.isenabled()
            return fn(*args, **kwargs)
        return call

    for name in ("_aligned", "settle_kinds", "score"):
        monkeypatch.setattr(pipeline, name, noting(name, getattr(pipeline, name)))
    result = run([str(tmp_path)], Settings(), engine=LocalEngine(1))
    assert seen == {"_aligned": False, "settle_kinds": False, "score": False} and gc.isenabled()
    assert result.stats and result.phrases


def _arrays_of(n):
    import numpy as np

    return n, os.getpid(), np.arange(n, dtype=np.uint64) * 3, np.full((n, 2), n, dtype=np.int32, order="F")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_map_alongside_is_map_with_arrays_back_from_forked_processes(workers):
    import numpy as np

    from reuse.engine import map_alongside

    calls = []
    got = map_alongside(_arrays_of, list(range(7)), workers=workers, stage="s", progress=lambda *c: calls.append(c))
    assert [g[0] for g in got] == list(range(7))
    for n, _, flat, grid in got:
        assert flat.tolist() == (np.arange(n) * 3).tolist() and grid.shape == (n, 2) and (grid == n).all()
    pids = {pid for _, pid, _, _ in got}
    assert len(pids) == workers and os.getpid() in pids  # this process maps a share too
    assert calls[0] == ("s", 0, 7) and calls[-1] == ("s", 7, 7)
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)


def _slow_pid(n):
    import time

    time.sleep(0.05)  # long enough that every process takes some of the items
    return n * n, os.getpid()


@pytest.mark.parametrize("workers", [2, 3])
def test_local_map_runs_here_and_in_forked_processes_in_order(workers):
    calls = []
    got = LocalEngine(workers).map(_slow_pid, list(range(9)), stage="s", progress=lambda *c: calls.append(c))
    assert [v for v, _ in got] == [n * n for n in range(9)]
    pids = {pid for _, pid in got}
    assert os.getpid() in pids and len(pids) == workers  # this process works too, beside the forked ones
    assert calls[0] == ("s", 0, 9) and calls[-1] == ("s", 9, 9)
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)


@pytest.mark.parametrize("failing", [0, 5])
def test_local_map_raises_what_any_process_raised(failing):
    def fails(n):
        if n == failing:
            raise ValueError(f"no {n}")
        return _slow_pid(n)

    with pytest.raises(ValueError, match=f"no {failing}"):
        LocalEngine(2).map(fails, list(range(8)))


def _fails_past_three(n):
    if n > 3:
        raise ValueError(f"no {n}")
    return n


def test_map_alongside_raises_what_a_forked_process_raised():
    from reuse.engine import map_alongside

    with pytest.raises(ValueError, match="no 4"):
        map_alongside(_fails_past_three, list(range(6)), workers=2)


def test_files_read_alongside_give_the_same_report(tmp_path, monkeypatch):
    from reuse import pipeline

    corpus = _corpus(tmp_path / "c")
    alone = run([str(corpus)], Settings(), engine=LocalEngine(1))
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 1)  # a batch per file: both processes read some
    pids = []
    read_batch = pipeline._read_batch

    def noting_the_reader(job):
        pids.append(os.getpid())
        return read_batch(job)

    monkeypatch.setattr(pipeline, "_read_batch", noting_the_reader)
    beside = run([str(corpus)], Settings(), engine=LocalEngine(2))
    assert alone.passages and dumps(beside) == dumps(alone)
    # the forked reader notes its calls in its own memory: here only this process's share shows
    assert 0 < len(pids) < 12 and set(pids) == {os.getpid()}


def test_local_map_without_shared_semaphores_runs_in_this_process(monkeypatch):
    from reuse import engine

    def refused():
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(engine, "_counters", refused)
    got = LocalEngine(2).map(_slow_pid, [1, 2, 3])
    assert [v for v, _ in got] == [1, 4, 9] and {pid for _, pid in got} == {os.getpid()}


def test_a_passage_pickled_as_forked_processes_send_it_comes_back_whole():
    import dataclasses
    import pickle

    from reuse.model import Passage

    # every field away from its default, so a field the reduction forgot would come back as the default
    values = {f.name: f"{f.name}!" if f.type in ("str", "str | None") else 7 for f in dataclasses.fields(Passage)}
    values["score"] = 0.25
    passage = Passage(**values)
    back = pickle.loads(pickle.dumps(passage, protocol=5))
    assert back == passage and dataclasses.asdict(back) == values


def test_the_align_stage_marks_template_text_and_drops_only_the_phrase_passages_no_family_claims(monkeypatch):
    """Given the families' members, a passage whose a side a member holds is that family's template text, and
    phrase passages outside every member never leave the alignment tasks; the rest are as without them."""
    from dataclasses import replace

    from reuse import pipeline
    from reuse.tiers.families import lies_in
    from reuse.tiers.verdict import PHRASE, TEMPLATE

    seen = []
    real = pipeline._aligned

    def both(box, shared, settings, engine, progress, members=None, region=None):
        kept = real(box, shared, settings, engine, progress, members=members, region=region)
        seen.append((kept, real(box, shared, settings, engine, progress), members))
        return kept

    monkeypatch.setattr(pipeline, "_aligned", both)
    pipeline.run([str(SEEDS)])
    [(kept, every, members)] = seen
    family = [lies_in(p.a_start, p.a_end, members.get(p.a, ())) for p in every]
    want = [replace(p, kind=TEMPLATE, template=f[2]) if f else p
            for p, f in zip(every, family) if f or p.kind != PHRASE]
    # both cases occur on the seeds: phrases a family holds, and phrases none does
    assert any(f and p.kind == PHRASE for p, f in zip(every, family))
    assert any(not f and p.kind == PHRASE for p, f in zip(every, family))
    assert all(p.template is None for p in every) and kept == want
