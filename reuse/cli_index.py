"""`reuse index ...` and `reuse check`: the reference library from the command line.

Parse, call ``reuse.library``, print; registered on the main app by
``register(app)`` in cli.py. Options come from ``reuse.cli_options``; as in
cli.py, a command imports the library when it runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from reuse.cli_options import (CheckFolder, Command, Db, Drafts, Encoding, EngineName, FailOver, Force, Group, Json,
                               LockTimeout, MaxGap, MaxSources, MinLength, MinScore, Names, Paths, Prefix, Quiet,
                               Replace, Scheduler, Shingle, Sidecar, Threshold, Unit, Verbose, Workers, check_paths, err,
                               errors, out, progress_display)
from reuse.config import LOCK_TIMEOUT, Settings
from reuse.errors import FAIL_OVER  # exit 3: a draft is over --fail-over

index_app = typer.Typer(
    name="index",
    cls=Group,
    help="Build and maintain a reference library (one SQLite file) that drafts are checked against.",
    no_args_is_help=True,
)


def _waiting(notice: str) -> None:
    """The library's on_wait: another writer holds the lock, so say that this one waits."""
    err.print(f"reuse: {notice}", markup=False, soft_wrap=True)


def _index_flags(shingle, unit, threshold, min_length) -> dict:
    return {"shingle": shingle, "unit": unit, "threshold": threshold, "min_length": min_length}


def _print_added(report, skipped, quiet: bool, db: str) -> None:
    if quiet:
        return
    for s in skipped:
        out.print(f"  skipped {s.path}: {s.reason}", markup=False, soft_wrap=True)
    parts = [f"added {len(report.added)}"]
    if report.replaced:
        parts.append(f"replaced {len(report.replaced)}")
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} already there")
    out.print(f"{db}: {', '.join(parts)} in {report.seconds:.2f}s.", markup=False, soft_wrap=True)


@index_app.command("build", cls=Command)
def build_cmd(
    paths: Paths,
    db: Db,
    sidecar: Sidecar = None,
    prefix: Prefix = "",
    shingle: Shingle = None,
    unit: Unit = None,
    threshold: Threshold = None,
    min_length: MinLength = None,
    encoding: Encoding = None,
    engine: EngineName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Create a library from documents; the parameters given here are fixed for its life.

    With --engine dask, files are read on the cluster and this process writes
    the library; it is the same library on every engine.

    Example: reuse index build seeds --db library.sqlite
    """
    from reuse import library

    with errors():
        check_paths(paths)
        settings = Settings.load(encoding=encoding, engine=engine, scheduler=scheduler, workers=workers,
                                 **_index_flags(shingle, unit, threshold, min_length))
        with progress_display(not quiet) as progress:
            kwargs = {"progress": progress} if progress else {}
            report, skipped = library.build(paths, db, settings, sidecar=sidecar, prefix=prefix, **kwargs)
        _print_added(report, skipped, quiet, db)


@index_app.command("add", cls=Command)
def add_cmd(
    paths: Paths,
    db: Db,
    sidecar: Sidecar = None,
    prefix: Prefix = "",
    replace: Replace = False,
    lock_timeout: LockTimeout = LOCK_TIMEOUT,
    shingle: Shingle = None,
    unit: Unit = None,
    threshold: Threshold = None,
    min_length: MinLength = None,
    encoding: Encoding = None,
    engine: EngineName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Add documents in one transaction; nothing already indexed is recomputed.

    A document already in the library with the same text is left alone.
    Index parameters, when given, must be the library's own. --engine dask
    reads the files on the cluster, as for `reuse index build`.

    Example: reuse index add speeches/2024 --db library.sqlite --prefix 2024/
    """
    from reuse import library

    with errors():
        check_paths(paths)
        settings = Settings.load(encoding=encoding, engine=engine, scheduler=scheduler, workers=workers)
        with progress_display(not quiet) as progress:
            kwargs = {"progress": progress} if progress else {}
            report, skipped = library.add(paths, db, settings, sidecar=sidecar, prefix=prefix, replace=replace,
                                          explicit=_index_flags(shingle, unit, threshold, min_length),
                                          lock_timeout=lock_timeout, on_wait=_waiting, **kwargs)
        _print_added(report, skipped, quiet, db)


@index_app.command("remove", cls=Command)
def remove_cmd(
    names: Names,
    db: Db,
    sidecar: Sidecar = None,
    lock_timeout: LockTimeout = LOCK_TIMEOUT,
    quiet: Quiet = False,
) -> None:
    """Remove documents by name, in one transaction.

    Example: reuse index remove 2024/draft-copy.txt --db library.sqlite
    """
    from reuse import library

    with errors():
        removed = library.remove(names, db, sidecar=sidecar, lock_timeout=lock_timeout, on_wait=_waiting)
        if not quiet:
            out.print(f"{db}: removed {len(removed)}.", markup=False, soft_wrap=True)


@index_app.command("list", cls=Command)
def list_cmd(db: Db, sidecar: Sidecar = None, as_json: Json = False) -> None:
    """List the library's documents: name, characters, sentences indexed, when added.

    Example: reuse index list --db library.sqlite
    """
    from reuse.library import open_library

    with errors():
        with open_library(db, sidecar=sidecar) as lib:
            docs = lib.listing()
        if as_json:
            out.print_json(json.dumps([{"name": d.name, "path": d.path, "chars": d.chars, "units": d.units,
                                        "added": d.added} for d in docs], ensure_ascii=False))
            return
        table = Table(box=None, pad_edge=False)
        for col in ("name", "chars", "units", "added", "path"):
            table.add_column(col, justify="right" if col in ("chars", "units") else "left", overflow="fold")
        for d in docs:
            table.add_row(d.name, f"{d.chars:,}", str(d.units), d.added, d.path)
        out.print(table)
        out.print(f"{len(docs)} document{'s' * (len(docs) != 1)}.")


@index_app.command("stats", cls=Command)
def stats_cmd(db: Db, sidecar: Sidecar = None, as_json: Json = False) -> None:
    """Show the library's size, format and the parameters it was built with.

    Example: reuse index stats --db library.sqlite
    """
    from reuse import library

    with errors():
        with library.open_library(db, sidecar=sidecar) as lib:
            stats = lib.stats()
        if as_json:
            out.print_json(json.dumps(stats, ensure_ascii=False))
            return
        for key, value in stats.items():
            if key == "params":
                value = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
            elif isinstance(value, int):
                value = f"{value:,}"
            out.print(f"{key:>10}  {value}", markup=False, soft_wrap=True)


def _draft_folder(target: Path, draft_id: str, many: bool) -> Path:
    from reuse.report.pages import slug

    return target / slug(draft_id, 60) if many else target


def check_cmd(
    drafts: Drafts,
    db: Db,
    output: CheckFolder = None,
    sidecar: Sidecar = None,
    fail_over: FailOver = None,
    max_sources: MaxSources = 20,
    min_score: MinScore = None,
    max_gap: MaxGap = None,
    shingle: Shingle = None,
    unit: Unit = None,
    threshold: Threshold = None,
    min_length: MinLength = None,
    encoding: Encoding = None,
    force: Force = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Check drafts against a library (查重): report.json, check.json and the HTML report per draft.

    Prints 总文字复制比 (share of the draft found in the library), 去除套话复制比
    (the same without template text) and 单篇最大复制比 (the closest single
    source). --fail-over 0.3 exits 3 when a copy ratio is over 30%.

    Example: reuse check draft.txt --db library.sqlite -o reports/draft --fail-over 0.3
    """
    from reuse.ingest import ingest
    from reuse.library import check_documents
    from reuse.library.check import check_fail_over, json_writer
    from reuse.report import WRITERS, refuse_inputs, write_report

    with errors(verbose):
        check_paths(drafts)
        check_fail_over(fail_over)
        settings = Settings.load(min_score=min_score, max_gap=max_gap, encoding=encoding)
        first = drafts[0].resolve()
        target = output or Path("reports") / "check" / ((first.name if first.is_dir() else first.stem) or "draft")
        refuse_inputs(target, drafts)  # before anything is read
        documents, skipped = ingest([str(p) for p in drafts], extensions=settings.extensions, encoding=settings.encoding)
        reports = check_documents(documents, db, settings, sidecar=sidecar, max_sources=max_sources,
                                  explicit=_index_flags(shingle, unit, threshold, min_length))
        over = []
        for report in reports:
            folder = _draft_folder(target, report.draft, len(reports) > 1)
            write_report(report.result, folder, force=force, writers=[*WRITERS, json_writer(report)], inputs=drafts)
            if fail_over is not None and report.copy_ratio > fail_over:
                over.append(report)
            if not quiet:
                _check_summary(report, folder, verbose)
        for s in skipped:
            out.print(f"  skipped {s.path}: {s.reason}", markup=False, soft_wrap=True)
    if over:
        for r in over:
            err.print(f"reuse: {r.draft}: copy ratio {r.copy_ratio:.1%} is over --fail-over {fail_over:.1%}",
                      markup=False, soft_wrap=True)
        raise typer.Exit(FAIL_OVER)


def _check_summary(report, folder: Path, verbose: bool) -> None:
    from reuse.report.pages import doc_url

    top = f"{report.top_source.ratio:.1%} ({report.top_source.id})" if report.top_source else "-"
    out.print(f"{report.draft}: 总文字复制比 {report.reuse_ratio:.1%} · 去除套话复制比 {report.copy_ratio:.1%} · "
              f"单篇最大复制比 {top}", markup=False, soft_wrap=True)
    if report.sources:
        table = Table(box=None, pad_edge=False)
        for col in ("share", "chars", "passages", "library document"):
            table.add_column(col, justify="left" if col == "library document" else "right")
        for s in report.sources[:10]:
            table.add_row(f"{s.ratio:.1%}", f"{s.a_shared_chars:,}", str(s.passages), s.id)
        out.print(table)
    if verbose:
        out.print("Timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()))
    out.print(f"Report written to {folder / doc_url(report.draft)}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `reuse index ...` and `reuse check` to the main app."""
    app.add_typer(index_app, name="index")
    app.command("check", cls=Command)(check_cmd)
