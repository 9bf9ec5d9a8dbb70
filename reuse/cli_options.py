"""What every `reuse` command shares: each option declared once, the consoles, one-line errors, progress.

``cli.py`` (scan, compare, templates) and ``cli_index.py`` (index, check)
import their options from here, so an option reads the same in every
command's ``--help``. Help is written for people: a placeholder names what
a value is (``N``, ``0-1``, ``DIR``) rather than its Python type, a flag
shows none, and a default is given at the end of the help as "(default: X)".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text
from typer.core import TyperArgument, TyperCommand, TyperGroup

from reuse.config import LOCK_TIMEOUT, Settings
from reuse.errors import ReuseError, UsageError
from reuse.versions import __version__

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

_DEFAULTS = Settings()


def _option(*names: str, help: str, metavar: str | None = None, default: object = None) -> Any:
    """An option whose help ends with its default, if it has one worth saying: "(default: 12)"."""
    if default is not None:
        help = f"{help} (default: {default})"
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


def _quiet_types(params: list) -> None:
    """No type column for arguments (their name says it) and flags (they take no value)."""
    for param in params:
        if isinstance(param, TyperArgument) or getattr(param, "is_flag", False):
            param.display_type_rich = lambda ctx: None


class Command(TyperCommand):
    """A command whose help and usage line show placeholders, never Python types: ``reuse scan [OPTIONS] PATH...``."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _quiet_types(self.params)

    def get_help_option(self, ctx: typer.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            _quiet_types([option])
        return option

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar or param.name.upper())
        return pieces


class Group(TyperGroup):
    """A command group whose help shows no Python types either."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _quiet_types(self.params)

    def get_help_option(self, ctx: typer.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            _quiet_types([option])
        return option


# -- arguments --------------------------------------------------------------------------------------

Paths = Annotated[list[Path], typer.Argument(help="Files and folders (folders are read recursively).",
                                             metavar="PATH...", show_default=False)]
Drafts = Annotated[list[Path], typer.Argument(help="Draft files (or folders of drafts) to check.",
                                              metavar="DRAFT...", show_default=False)]
Names = Annotated[list[str], typer.Argument(help="Document names, as `reuse index list` shows them.",
                                            metavar="NAME...", show_default=False)]
FileA = Annotated[Path, typer.Argument(help="First file (left side).", metavar="A", show_default=False)]
FileB = Annotated[Path, typer.Argument(help="Second file (right side).", metavar="B", show_default=False)]

# -- what a scan finds ------------------------------------------------------------------------------

MinLength = Annotated[Optional[int], _option(
    "--min-length", metavar="N", default=_DEFAULTS.min_length,
    help="Shortest passage, in Han characters; an English word counts two.")]
Threshold = Annotated[Optional[float], _option(
    "--threshold", metavar="0-1", default=_DEFAULTS.threshold,
    help="Jaccard similarity of near-duplicate sentences.")]
Shingle = Annotated[Optional[int], _option(
    "--shingle", metavar="N", default=_DEFAULTS.shingle,
    help="Exact seed length, in Han characters; an English word counts two.")]
MinScore = Annotated[Optional[float], _option(
    "--min-score", metavar="0-1", default=_DEFAULTS.min_score, help="Lowest passage score.")]
MaxGap = Annotated[Optional[int], _option(
    "--max-gap", metavar="N", default=_DEFAULTS.max_gap,
    help="Widest edit bridged inside a passage, in Han characters; an English word counts two.")]
Unit = Annotated[Optional[str], _option(
    "--unit", metavar="char|word", default=_DEFAULTS.unit,
    help="Han tokens: each character, or jieba words.")]
Encoding = Annotated[Optional[str], _option(
    "--encoding", metavar="CODEC", help="Read every file in this encoding instead of detecting it.")]
MinDocs = Annotated[Optional[float], _option(
    "--min-docs", metavar="N", default="max(3, 5% of the documents)",
    help="Documents a template family needs: a count, or a share of the corpus below 1.")]
Exclude = Annotated[Optional[list[Path]], _option(
    "--exclude", metavar="PATH",
    help="Known boilerplate never counted as reuse: a phrase list or documents of templates (file or folder; "
         "repeatable).")]
IncludeTemplates = Annotated[bool, _option(
    "--include-templates", help="Count template text in pair similarity and top source.")]

# -- what the report lists --------------------------------------------------------------------------

Top = Annotated[Optional[int], _option(
    "--top", metavar="N", default="every pair with copying",
    help="List only the N closest pairs, in report.json, pairs.csv and the HTML report alike.")]
MinSimilarity = Annotated[Optional[float], _option(
    "--min-similarity", metavar="0-1", default=0,
    help="List only pairs at least this similar (e.g. 0.05 leaves out pairs under 5 %), in every output.")]

# -- where it runs ----------------------------------------------------------------------------------

EngineName = Annotated[Optional[str], _option(
    "--engine", metavar="local|dask", default=_DEFAULTS.engine, help="Where the parallel stages run.")]
Scheduler = Annotated[Optional[str], _option(
    "--scheduler", metavar="ADDRESS", default="a LocalCluster on 127.0.0.1",
    help="A running Dask scheduler, e.g. tcp://10.0.0.5:8786.")]
Workers = Annotated[Optional[int], _option(
    "--workers", metavar="N", default="a process per core for corpora over 4 MB; 2 for a Dask LocalCluster",
    help="Worker processes; locally, naming it also reads files in workers.")]

# -- output -----------------------------------------------------------------------------------------

ReportFolder = Annotated[Optional[Path], _option(
    "--output", "-o", metavar="DIR", default="reports/<first PATH>", help="Report folder.")]
CompareFile = Annotated[Optional[Path], _option(
    "--output", "-o", metavar="FILE", default="reports/compare/<A>__<B>.html", help="HTML file to write.")]
CheckFolder = Annotated[Optional[Path], _option(
    "--output", "-o", metavar="DIR", default="reports/check/<first DRAFT>",
    help="Report folder; one subfolder per draft when there are several.")]
Format = Annotated[str, _option("--format", "-f", metavar="table|json|csv", default="table",
                                help="How to print the families.")]
Force = Annotated[bool, _option("--force", help="Write into a folder that holds other files (never deletes them).")]
CompareForce = Annotated[bool, _option(
    "--force", help="Replace a file reuse did not write, or write into the folder -o names (never over A or B).")]
Phrases = Annotated[bool, _option(
    "--phrases", help="List the shared phrases (text documents share that is no evidence of copying) instead.")]
CompareDb = Annotated[Optional[str], _option(
    "--db", metavar="LIBRARY",
    help="A library that says what is common stock and template (its families, how many documents hold each "
         "phrase): two files alone cannot tell a formula from copying.")]
Quiet = Annotated[bool, _option("--quiet", "-q", help="No progress display and no summary.")]
Verbose = Annotated[bool, _option("--verbose", "-v", help="Show stage timings and more detail.")]
Json = Annotated[bool, _option("--json", help="Print JSON instead of a table.")]


def _print_version(value: bool) -> None:
    if value:
        out.print(f"reuse {__version__}")
        raise typer.Exit()


Version = Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, show_default=False,
                                       help="Print the version and exit.")]

# -- the library ------------------------------------------------------------------------------------

Db = Annotated[str, typer.Option("--db", metavar="LIBRARY", show_default=False,
                                 help="Library file (SQLite), or redis://host:port/N with --sidecar.")]
Sidecar = Annotated[Optional[Path], _option(
    "--sidecar", metavar="FILE",
    help="With --db redis://…: the SQLite file holding documents and shingle postings (Redis holds the LSH "
         "buckets).")]
Prefix = Annotated[str, _option("--prefix", metavar="TEXT", help="Put this before every document name, e.g. 2023/.")]
Replace = Annotated[bool, _option("--replace", help="Replace a document of the same name whose text changed.")]
FailOver = Annotated[Optional[float], _option(
    "--fail-over", metavar="RATIO",
    help="Exit 3 when a draft's copy ratio (去除套话复制比) is above this share, e.g. 0.3.")]
MaxSources = Annotated[int, _option(
    "--max-sources", metavar="N", default=20,
    help="Align against at most this many library documents, those sharing the most.")]
LockTimeout = Annotated[float, _option(
    "--lock-timeout", metavar="SECONDS", default=f"{LOCK_TIMEOUT:g}",
    help="Wait this long for another writer of the library to finish, then stop.")]


# -- running a command ------------------------------------------------------------------------------


@contextmanager
def errors(verbose: bool = False) -> Iterator[None]:
    """A ReuseError as one line on stderr and its exit code; Ctrl-C as one line and 130."""
    try:
        yield
    except ReuseError as e:
        err.print(f"reuse: error: {e}", markup=False, soft_wrap=True)
        if verbose and e.detail:
            err.print(e.detail, markup=False, soft_wrap=True)
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        err.print("reuse: interrupted; nothing was written", markup=False)
        raise typer.Exit(130) from None


def check_paths(paths: list[Path]) -> None:
    """UsageError for the first path that does not exist."""
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"{p}: no such file or directory")


UNITS = {"read": "documents", "index": "documents", "write": "parts"}
"""What a stage counts, where it is not tasks (``reuse.timing.Progress``)."""


class Count(ProgressColumn):
    """Done of all, in the stage's unit: documents read, megabytes read, tasks aligned..."""

    def render(self, task: Task) -> Text:
        if task.fields.get("bytes"):
            return Text(f"{task.completed / 1e6:,.1f}/{(task.total or 0) / 1e6:,.1f} MB", style="progress.download")
        unit = task.fields.get("unit", "tasks")
        return Text(f"{int(task.completed):,}/{int(task.total or 0):,} {unit}", style="progress.download")


class Pace(ProgressColumn):
    """Units a second since the stage began and the time left at that pace; the time it took once done."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed:
            return Text("")
        if not task.completed:  # nothing to measure a pace by yet: show that the stage is running
            return Text(f"{clock(elapsed)} so far", style="progress.elapsed")
        rate = task.completed / elapsed
        if task.fields.get("bytes"):
            left = (task.total - task.completed) / rate if task.total else 0.0
            done = f"took {clock(elapsed)}" if task.finished else f"{clock(left)} left"
            return Text(f"{rate / 1e6:,.1f} MB/s, {done}", style="progress.elapsed")
        if task.finished:
            return Text(f"{rate:,.1f}/s, took {clock(elapsed)}", style="progress.elapsed")
        left = (task.total - task.completed) / rate if task.total else 0.0
        return Text(f"{rate:,.1f}/s, {clock(left)} left", style="progress.remaining")


def clock(seconds: float) -> str:
    """``h:mm:ss``.

    >>> clock(3725.4)
    '1:02:05'
    """
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


@contextmanager
def progress_display(enabled: bool):
    """A progress display on stderr: per stage, done of all (documents and megabytes read, tasks, parts of the
    report written), their rate and the time left.

    Shown only on a terminal (or when FORCE_COLOR or TTY_COMPATIBLE=1 say
    stderr is one) and never with --quiet; yields the ``progress(stage,
    done, total)`` callback, or None when there is no display.
    """
    if not enabled or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), Count(), Pace(),
                  console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                counts_bytes = stage.endswith(" bytes")
                name = "" if counts_bytes else stage  # the bytes of a stage sit under its documents
                tasks[stage] = bar.add_task(name, total=total, bytes=counts_bytes, unit=UNITS.get(stage, "tasks"))
            bar.update(tasks[stage], completed=done, total=total)

        yield update
