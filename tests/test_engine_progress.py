"""The progress display: every stage with tasks, done of all, pace and time left, on stderr of a terminal only."""

import re

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from reuse.cli import app

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _frames(stderr: str) -> list[str]:
    """The lines the display drew, without terminal control codes."""
    return [line.strip() for line in ANSI.sub("", stderr).replace("\r", "\n").split("\n") if line.strip()]


def _stages(stderr: str) -> dict[str, str]:
    """The last line drawn for each stage (the megabytes read, drawn under ``read``, as ``bytes``)."""
    return {("bytes" if " MB " in line and line[0] in "━╸╺" else line.split()[0]): line for line in _frames(stderr)}


@pytest.fixture
def terminal(monkeypatch):
    """stderr counts as a terminal, as a user forces it with TTY_COMPATIBLE=1 (read when the console is made)."""
    from rich.console import Console

    from reuse import cli_options

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setattr(cli_options, "err", Console(stderr=True, highlight=False))


def test_scan_shows_each_stage_with_its_tasks_pace_and_time(tmp_path, terminal):
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    stages = _stages(result.stderr)
    assert {"read", "bytes", "align", "write"} <= set(stages)
    size = sum(p.stat().st_size for p in SEEDS.glob("*.txt"))
    for stage, unit in (("read", "documents"), ("align", "tasks"), ("write", "parts")):
        assert re.search(rf" (\d+)/\1 {unit} +[\d,.]+/s, took \d:\d\d:\d\d$", stages[stage]), stages[stage]
    assert " 5/5 documents " in stages["read"]
    megabytes = f"{size / 1e6:,.1f}"
    assert f" {megabytes}/{megabytes} MB " in stages["bytes"] and "MB/s, took" in stages["bytes"], stages["bytes"]
    assert "read" not in result.stdout  # the summary alone goes to stdout


def test_index_build_and_add_show_reading_and_indexing(tmp_path, terminal):
    db = str(tmp_path / "library.sqlite")
    built = runner.invoke(app, ["index", "build", str(SEEDS / next(SEEDS.glob("000_*")).name), "--db", db])
    added = runner.invoke(app, ["index", "add", str(SEEDS), "--db", db])
    assert built.exit_code == added.exit_code == 0, built.output + added.output
    for result, documents in ((built, 1), (added, 5)):
        stages = _stages(result.stderr)
        assert set(stages) == {"read", "bytes", "index"}
        for stage in ("read", "index"):
            assert f" {documents}/{documents} documents " in stages[stage] and "took" in stages[stage]


@pytest.mark.parametrize("case", ["quiet on a terminal", "not a terminal"])
def test_no_display_with_quiet_or_off_a_terminal(tmp_path, monkeypatch, request, case):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    if case == "quiet on a terminal":
        request.getfixturevalue("terminal")
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r")] + (["-q"] if "quiet" in case else []))
    assert result.exit_code == 0 and result.stderr == ""


def test_the_pace_column_reads_rate_and_time_left():
    from rich.progress import Progress

    from reuse.cli_options import Pace as _Pace

    with Progress(disable=True) as bar:
        task = bar.add_task("align", total=10)
        bar.tasks[0].start_time = bar.get_time() - 4.0  # started four seconds ago
        assert _Pace().render(bar.tasks[0]).plain == "0:00:04 so far"
        bar.update(task, completed=2)
        assert _Pace().render(bar.tasks[0]).plain == "0.5/s, 0:00:16 left"
