"""A library whose LSH index lives in a real redis-server (started here on a free port, stopped by its pid)."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc, seed_text
from reuse import library
from reuse.cli import app
from reuse.errors import MissingExtraError, UsageError
from reuse.ingest import document
from reuse.library import check_documents, open_library

redis = pytest.importorskip("redis", reason="the redis extra is not installed: pip install 'reuse-detector[redis]'")
SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="redis-server is not installed (apt-get install redis-server)")
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/3"
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _keys(url) -> int:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    return len(redis.Redis(host="127.0.0.1", port=port, db=3).keys("reuse:*"))


def _draft():
    a = [p for p in seed_text("000").split("\n") if len(p) > 60][2:4]
    b = [p for p in seed_text("003").split("\n") if len(p) > 60][3:5]
    return document("\n".join([*a, "这是一段全新的文字，和任何文档都没有关系。", *b]), "draft.txt")


def test_a_redis_library_checks_like_a_file_library(redis_url, tmp_path):
    sidecar = tmp_path / "side.sqlite"
    library.build([SEEDS], redis_url, sidecar=sidecar)
    assert _keys(redis_url) > 0
    plain = tmp_path / "plain.sqlite"
    library.build([SEEDS], plain)
    with open_library(redis_url, sidecar=sidecar) as lib:
        assert lib.meta["redis"] == redis_url and lib.stats()["band_rows"] is None
        # the sidecar holds no band rows: the buckets are in Redis
        assert lib.conn.execute("SELECT count(*) FROM bands").fetchone()[0] == 0
    [in_redis] = check_documents([_draft()], redis_url, sidecar=sidecar)
    [in_file] = check_documents([_draft()], plain)
    assert in_redis.result.passages == in_file.result.passages
    assert in_redis.sources == in_file.sources and in_redis.candidates == in_file.candidates
    # the band lookups found the same units in both stores
    from reuse.features import extract
    from reuse.library.check import _unit_candidates

    with open_library(redis_url, sidecar=sidecar) as a, open_library(plain) as b:
        settings = a.settings()
        feat = extract(_draft(), settings)
        assert _unit_candidates(a, feat, settings) == _unit_candidates(b, feat, settings) != {}


def test_add_and_remove_reach_redis(redis_url, tmp_path):
    sidecar = tmp_path / "side.sqlite"
    library.build([next(SEEDS.glob("000_*.txt"))], redis_url, sidecar=sidecar)
    before = _keys(redis_url)
    new = make_doc(tmp_path / "new", "new.txt", seed_text("003"))
    result = runner.invoke(app, ["index", "add", str(new), "--db", redis_url, "--sidecar", str(sidecar)])
    assert result.exit_code == 0, result.output
    assert _keys(redis_url) > before
    [report] = check_documents([document(seed_text("003"), "d.txt")], redis_url, sidecar=sidecar)
    assert report.sources[0].id == "new.txt"
    library.remove(["new.txt"], redis_url, sidecar=sidecar)
    assert _keys(redis_url) == before


def test_sidecar_and_url_must_match(redis_url, tmp_path):
    sidecar = tmp_path / "side.sqlite"
    library.build([next(SEEDS.glob("000_*.txt"))], redis_url, sidecar=sidecar)
    with pytest.raises(UsageError, match="sidecar of"):
        open_library(sidecar)
    with pytest.raises(UsageError, match="--sidecar"):
        open_library(redis_url)
    other = redis_url.rsplit("/", 1)[0] + "/4"
    with pytest.raises(UsageError, match="pass --db"):
        open_library(other, sidecar=sidecar)


def test_an_unreachable_redis_is_one_line(tmp_path):
    url = f"redis://127.0.0.1:{_free_port()}/0"
    result = runner.invoke(app, ["index", "build", str(SEEDS), "--db", url, "--sidecar", str(tmp_path / "s.sqlite")])
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == 1 and len(lines) == 1 and "Redis" in lines[0], result.output


def test_a_missing_extra_names_the_install_command(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)  # what `import redis` meets without the extra
    with pytest.raises(MissingExtraError, match=r"pip install 'reuse-detector\[redis\]'"):
        library.build([SEEDS], "redis://127.0.0.1:6379/0", sidecar=tmp_path / "s.sqlite")
    result = runner.invoke(app, ["index", "list", "--db", "redis://127.0.0.1:6379/0", "--sidecar", str(tmp_path / "s")])
    assert result.exit_code == 1 and "reuse-detector[redis]" in result.output
