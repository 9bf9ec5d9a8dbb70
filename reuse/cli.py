"""The `reuse` command: parse, call the library, print. Nothing else.

Errors a user can cause are ReuseError subclasses; they print one line on
stderr and exit with their code (2 for a bad command line, 1 otherwise).
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from reuse import __version__
from reuse.config import Settings
from reuse.errors import ReuseError, UsageError
from reuse.model import Result

app = typer.Typer(
    name="reuse",
    help="Find text reused across documents: shared passages, templates, side-by-side reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

_DEFAULTS = Settings()
Paths = Annotated[list[Path], typer.Argument(help="Files and folders (folders are read recursively).",
                                             show_default=False)]
MinLength = Annotated[Optional[int], typer.Option("--min-length", help=f"Shortest passage, in Han characters; an English word counts two. (default: {_DEFAULTS.min_length})")]
Threshold = Annotated[Optional[float], typer.Option("--threshold", help=f"Jaccard threshold for near-duplicate sentences/paragraphs. (default: {_DEFAULTS.threshold})")]
Shingle = Annotated[Optional[int], typer.Option("--shingle", help=f"Exact seed length, in Han characters; an English word counts two. (default: {_DEFAULTS.shingle})")]
MinScore = Annotated[Optional[float], typer.Option("--min-score", help=f"Lowest passage score, 0-1. (default: {_DEFAULTS.min_score})")]
MaxGap = Annotated[Optional[int], typer.Option("--max-gap", help=f"Widest edit bridged inside a passage, in Han characters; a word counts two. (default: {_DEFAULTS.max_gap})")]
Unit = Annotated[Optional[str], typer.Option("--unit", help=f"Han token unit: 'char' or 'word' (jieba). (default: {_DEFAULTS.unit})")]
Encoding = Annotated[Optional[str], typer.Option("--encoding", help="Read every file in this encoding instead of detecting it.")]
MinDocs = Annotated[Optional[float], typer.Option("--min-docs", help="Documents a template family needs: a count, or a share of the corpus below 1. (default: max(3, 5% of documents))")]
Exclude = Annotated[Optional[list[Path]], typer.Option("--exclude", help="Known boilerplate never counted as reuse: a phrase list or documents of templates (file or folder; repeatable).")]
IncludeTemplates = Annotated[bool, typer.Option("--include-templates", help="Count template text in pair similarity and top source.")]
EngineName = Annotated[Optional[str], typer.Option("--engine", help="Where parallel stages run: local or dask. (default: local)")]
Scheduler = Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster on 127.0.0.1).")]
Workers = Annotated[Optional[int], typer.Option("--workers", help="Worker processes; locally, naming it also reads files in workers (default: the CPU count for aligning corpora over 4 MB; 2 for a Dask LocalCluster).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display and no summary.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show stage timings and more detail.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"reuse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Find text reused across documents."""


@contextmanager
def _errors(verbose: bool = False) -> Iterator[None]:
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


class _Pace(ProgressColumn):
    """Tasks a second since the stage began and the time left at that pace; the time it took once done."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed:
            return Text("")
        if not task.completed:  # nothing to measure a pace by yet: show that the stage is running
            return Text(f"{_clock(elapsed)} so far", style="progress.elapsed")
        rate = task.completed / elapsed
        if task.finished:
            return Text(f"{rate:,.1f}/s, took {_clock(elapsed)}", style="progress.elapsed")
        left = (task.total - task.completed) / rate if task.total else 0.0
        return Text(f"{rate:,.1f}/s, {_clock(left)} left", style="progress.remaining")


def _clock(seconds: float) -> str:
    """``h:mm:ss``.

    >>> _clock(3725.4)
    '1:02:05'
    """
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


@contextmanager
def _progress(enabled: bool):
    """A progress display on stderr: per stage, tasks done of all, their rate and the time left.

    Shown only on a terminal (or when FORCE_COLOR or TTY_COMPATIBLE=1 say
    stderr is one) and never with --quiet; yields the ``progress(stage,
    done, total)`` callback, or None when there is no display.
    """
    if not enabled or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), _Pace(),
                  console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _check_paths(paths: list[Path]) -> None:
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise UsageError(f"{p}: no such file or directory")


def default_output(paths: list[Path]) -> Path:
    """reports/<name of the first path>/."""
    first = paths[0].resolve()
    name = first.name if first.is_dir() else first.stem
    return Path("reports") / (name or "corpus")


def _summary(result: Result, where: Path, verbose: bool) -> None:
    docs, chars = len(result.documents), sum(d.chars for d in result.documents)
    out.print(f"Read {docs} document{'s' * (docs != 1)} ({chars:,} characters); skipped {len(result.skipped)}.")
    for s in result.skipped:
        out.print(f"  skipped {s.path}: {s.reason}", markup=False, soft_wrap=True)
    formula = sum(p.template is not None for p in result.passages)
    out.print(f"Found {len(result.passages)} shared passages in {len(result.pairs)} pairs "
              f"({formula} of them template text) and {len(result.templates)} template families.")
    if result.pairs:
        table = Table(title="Closest pairs", title_justify="left", box=None, pad_edge=False)
        for col in ("similarity", "a", "b", "passages"):
            table.add_column(col, justify="right" if col in ("similarity", "passages") else "left")
        for p in result.pairs[:5]:
            table.add_row(f"{p.similarity:.1%}", p.a, p.b, str(p.passages))
        out.print(table)
    ranked = sorted(result.stats, key=lambda s: (-s.reuse_ratio, s.id))[:5]
    if ranked and ranked[0].reuse_ratio > 0:
        table = Table(title="Most reused documents", title_justify="left", box=None, pad_edge=False)
        for col in ("reuse", "copy", "template", "document", "top source"):
            table.add_column(col, justify="right" if col in ("reuse", "copy", "template") else "left")
        for s in ranked:
            top = f"{s.top_source.id} ({s.top_source.ratio:.1%})" if s.top_source else "-"
            table.add_row(f"{s.reuse_ratio:.1%}", f"{s.copy_ratio:.1%}", f"{s.template_ratio:.1%}", s.id, top)
        out.print(table)
    if verbose:
        out.print("Timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    out.print(f"Report written to {where}/", markup=False)


@app.command()
def scan(
    paths: Paths,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Report folder. (default: reports/<first PATH>)")] = None,
    min_length: MinLength = None,
    threshold: Threshold = None,
    shingle: Shingle = None,
    min_score: MinScore = None,
    max_gap: MaxGap = None,
    unit: Unit = None,
    encoding: Encoding = None,
    min_docs: MinDocs = None,
    exclude: Exclude = None,
    include_templates: IncludeTemplates = False,
    engine: EngineName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    force: Annotated[bool, typer.Option("--force", help="Write into a folder that holds other files (never deletes them).")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Scan a corpus and write report.json and the HTML report: shared passages, pairs, templates, reuse per document.

    Example: reuse scan seeds -o reports/seeds
    """
    from reuse import pipeline
    from reuse.report import check_output, write_report, writers_for

    with _errors(verbose):
        _check_paths(paths + list(exclude or []))
        settings = Settings.load(min_length=min_length, threshold=threshold, shingle=shingle, min_score=min_score,
                                 max_gap=max_gap, unit=unit, encoding=encoding, min_docs=min_docs,
                                 exclude=tuple(str(p) for p in exclude) if exclude else None,
                                 include_templates=include_templates or None, engine=engine,
                                 scheduler=scheduler, workers=workers)
        target = output or default_output(paths)
        inputs = paths + list(exclude or [])
        check_output(target, inputs=inputs, force=force)  # refused before the scan, not after
        with _progress(not quiet) as progress:
            kwargs = {"progress": progress} if progress else {}
            result = pipeline.run([str(p) for p in paths], settings, **kwargs)
        write_report(result, target, force=force, workers=writers_for(result, settings.workers), inputs=inputs)
        if not quiet:
            _summary(result, target, verbose)


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="First file (left side).", show_default=False)],
    b: Annotated[Path, typer.Argument(help="Second file (right side).", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="HTML file to write. (default: reports/compare/<A>__<B>.html)")] = None,
    min_length: MinLength = None,
    threshold: Threshold = None,
    shingle: Shingle = None,
    min_score: MinScore = None,
    max_gap: MaxGap = None,
    unit: Unit = None,
    encoding: Encoding = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a file reuse did not write, or write into the folder -o names (never over A or B).")] = False,
    quiet: Quiet = False,
) -> None:
    """Compare two files side by side: one HTML page that works on its own, offline.

    An existing file -o names is replaced only when reuse wrote it, unless
    --force; A and B themselves never are.

    Example: reuse compare seeds/000.txt seeds/001.txt -o 000-001.html
    """
    from reuse import compare as comparing
    from reuse.report.htmlreport import write_compare

    with _errors():
        _check_paths([a, b])
        settings = Settings.load(min_length=min_length, threshold=threshold, shingle=shingle, min_score=min_score,
                                 max_gap=max_gap, unit=unit, encoding=encoding)
        target = comparing.output_for(a, b, output, force=force)  # refused before the scan, not after
        result, left, right = comparing.compare(a, b, settings)
        target = write_compare(result, left, right, target)
        if not quiet:
            pair = result.pairs[0] if result.pairs else None
            found = f"{pair.passages} shared passages, similarity {pair.similarity:.1%}" if pair else "no shared passages"
            out.print(f"{left} ↔ {right}: {found}.", markup=False, soft_wrap=True)
            out.print(f"Written to {target}", markup=False, soft_wrap=True)


@app.command()
def templates(
    paths: Paths,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    min_docs: MinDocs = None,
    exclude: Exclude = None,
    encoding: Encoding = None,
    verbose: Verbose = False,
) -> None:
    """List the template families of a corpus: formulas, skeleton, placeholders, watermarks; most widespread first.

    Example: reuse templates seeds --format csv > templates.csv
    """
    import json

    from reuse import pipeline
    from reuse.report.csvreport import write_templates as write_templates_csv
    from reuse.report.jsonreport import to_dict

    with _errors(verbose):
        if format not in ("table", "json", "csv"):
            raise UsageError(f"--format must be table, json or csv, not {format!r}")
        _check_paths(paths + list(exclude or []))
        settings = Settings.load(min_docs=min_docs, encoding=encoding,
                                 exclude=tuple(str(p) for p in exclude) if exclude else None)
        result = pipeline.run([str(p) for p in paths], settings)
        families = to_dict(result)["templates"]
        if format == "json":
            sys.stdout.write(json.dumps(families, ensure_ascii=False, indent=1) + "\n")
        elif format == "csv":
            write_templates_csv(families, sys.stdout)  # formula-like cells neutralised
        else:
            table = Table(box=None, pad_edge=False)
            for col in ("id", "kind", "docs", "members", "text"):
                table.add_column(col, justify="right" if col in ("docs", "members") else "left",
                                 overflow="ellipsis", no_wrap=col != "text")
            for t in families:
                text = t["text"].replace("\n", " ⏎ ")
                table.add_row(t["id"], t["kind"], str(t["doc_count"]), str(len(t["members"])),
                              text if len(text) <= 60 else text[:59] + "…")
            out.print(table)
            out.print(f"{len(families)} template families in {len(result.documents)} documents.")


from reuse.cli_index import register as _register_library  # noqa: E402 (needs the app above)

_register_library(app)  # reuse index build|add|remove|list|stats, reuse check


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
