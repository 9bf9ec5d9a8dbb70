"""The `reuse` command: parse, call the library, print. Nothing else.

Errors a user can cause are ReuseError subclasses; they print one line on
stderr and exit with their code (reuse.errors names them: 1 for a file,
folder or library that cannot be used as asked, 2 for a bad command line or
a setting out of range, 3 when ``check`` is over ``--fail-over``; 130 for
Ctrl-C).
Anything else is a bug and keeps its traceback.

Options are declared once, in ``reuse.cli_options``; ``reuse index`` and
``reuse check`` are in ``reuse.cli_index``. A command imports the stages it
runs when it runs: loading numpy, datasketch and rapidfuzz takes most of a
second, which ``reuse --help`` need not wait for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from reuse import heap
from reuse.cli_index import register as register_library
from reuse.cli_options import (Command, CompareDb, Phrases, CompareFile, CompareForce, Encoding, EngineName, Exclude, FileA, FileB, Force,
                               Format, Group, IncludeTemplates, MaxGap, MinDocs, MinLength, MinScore, MinSimilarity,
                               Paths, Quiet, ReportFolder, Scheduler, Shingle, Sidecar, Threshold, Top, Unit, Verbose,
                               Version, Workers,
                               check_paths, errors, out, progress_display)
from reuse.config import Settings
from reuse.errors import UsageError
from reuse.model import Result

app = typer.Typer(
    name="reuse",
    cls=Group,
    help="Find text reused across documents: shared passages, templates, side-by-side reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(version: Version = False) -> None:
    """Find text reused across documents."""


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
    copies = sum(p.kind == "copy" for p in result.passages)
    quotes = sum(p.kind == "quote" for p in result.passages)
    if copies:
        out.print(f"Copying: {copies} passage{'s' * (copies != 1)} in {len(result.pairs)} pair"
                  f"{'s' * (len(result.pairs) != 1)}, {len(result.clusters)} of them held by 3 or more documents.")
    else:
        out.print("Copying: none. No two documents share more than formulas, template text and phrases.")
    out.print(f"Also shared: {len(result.templates)} template families, {len(result.phrases)} phrases, "
              f"{quotes} quotation{'s' * (quotes != 1)} of a third source.")
    if result.pairs:
        table = Table(title="Closest pairs (copying only)", title_justify="left", box=None, pad_edge=False)
        for col in ("similarity", "a", "b", "passages"):
            table.add_column(col, justify="right" if col in ("similarity", "passages") else "left")
        for p in result.pairs[:5]:
            table.add_row(f"{p.similarity:.1%}", p.a, p.b, str(p.passages))
        out.print(table)
    ranked = sorted(result.stats, key=lambda s: (-s.copy_ratio, -s.reuse_ratio, s.id))[:5]
    if ranked and ranked[0].reuse_ratio > 0:
        table = Table(title="Most copied documents" if copies else "Shared text per document", title_justify="left",
                      box=None, pad_edge=False)
        columns = ("copy", "template", "quote", "phrase", "all shared", "document", "top source")
        for col in columns:
            table.add_column(col, justify="left" if col in ("document", "top source") else "right")
        for s in ranked:
            top = f"{s.top_source.id} ({s.top_source.ratio:.1%})" if s.top_source else "-"
            table.add_row(f"{s.copy_ratio:.1%}", f"{s.template_ratio:.1%}", f"{s.quote_ratio:.1%}",
                          f"{s.phrase_ratio:.1%}", f"{s.reuse_ratio:.1%}", s.id, top)
        out.print(table)
    if verbose:
        out.print("Timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    out.print(f"Report written to {where}/", markup=False)


@app.command(cls=Command)
def scan(
    paths: Paths,
    output: ReportFolder = None,
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
    top: Top = None,
    min_similarity: MinSimilarity = None,
    engine: EngineName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    force: Force = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Scan a corpus and write report.json and the HTML report: shared passages, pairs, templates, reuse per document.

    Example: reuse scan seeds -o reports/seeds
    """
    from reuse import pipeline
    from reuse.report import PairList, check_output, write_report, writers_for

    with errors(verbose):
        check_paths(paths + list(exclude or []))
        listed = PairList(top, min_similarity)
        settings = Settings.load(min_length=min_length, threshold=threshold, shingle=shingle, min_score=min_score,
                                 max_gap=max_gap, unit=unit, encoding=encoding, min_docs=min_docs,
                                 exclude=tuple(str(p) for p in exclude) if exclude else None,
                                 include_templates=include_templates or None, engine=engine,
                                 scheduler=scheduler, workers=workers)
        target = output or default_output(paths)
        inputs = paths + list(exclude or [])
        check_output(target, inputs=inputs, force=force)  # refused before the scan, not after
        with progress_display(not quiet) as progress:
            kwargs = {"progress": progress} if progress else {}
            result = pipeline.run([str(p) for p in paths], settings, **kwargs)
            write_report(result, target, force=force, workers=writers_for(result, settings.workers), inputs=inputs,
                         pairs=listed, **kwargs)
        if not quiet:
            _summary(result, target, verbose)


@app.command(cls=Command)
def compare(
    a: FileA,
    b: FileB,
    output: CompareFile = None,
    min_length: MinLength = None,
    threshold: Threshold = None,
    shingle: Shingle = None,
    min_score: MinScore = None,
    max_gap: MaxGap = None,
    unit: Unit = None,
    encoding: Encoding = None,
    exclude: Exclude = None,
    db: CompareDb = None,
    sidecar: Sidecar = None,
    force: CompareForce = False,
    quiet: Quiet = False,
) -> None:
    """Compare two files side by side: one HTML page that works on its own, offline.

    Two files alone cannot tell a formula from copying as a corpus can:
    --db LIBRARY counts how common each phrase is in the library and takes
    its template families; --exclude names known boilerplate. An existing
    file -o names is replaced only when reuse wrote it, unless --force; A and
    B themselves never are.

    Example: reuse compare seeds/000.txt seeds/001.txt -o 000-001.html --db library.sqlite
    """
    from reuse import compare as comparing
    from reuse.report.htmlreport import write_compare

    with errors():
        check_paths([a, b, *(exclude or [])])
        settings = Settings.load(min_length=min_length, threshold=threshold, shingle=shingle, min_score=min_score,
                                 max_gap=max_gap, unit=unit, encoding=encoding,
                                 exclude=tuple(str(p) for p in exclude) if exclude else None)
        target = comparing.output_for(a, b, output, force=force)  # refused before the scan, not after
        if db is None:
            result, left, right = comparing.compare(a, b, settings)
        else:
            from reuse import library

            (left_doc, right_doc), _ = comparing.read_pair(a, b, settings)
            result = library.compare_documents(left_doc, right_doc, db, settings, sidecar=sidecar)
            left, right = left_doc.id, right_doc.id
        target = write_compare(result, left, right, target)
        if not quiet:
            pair = result.pairs[0] if result.pairs else None
            found = (f"{pair.passages} copied passage{'s' * (pair.passages != 1)}, similarity {pair.similarity:.1%}"
                     if pair else "no copying")
            found += f"; {sum(p.kind != 'copy' for p in result.passages)} template or quoted passages, " \
                     f"{len(result.phrases)} shared phrases"
            out.print(f"{left} ↔ {right}: {found}.", markup=False, soft_wrap=True)
            out.print(f"Written to {target}", markup=False, soft_wrap=True)


@app.command(cls=Command)
def templates(
    paths: Paths,
    format: Format = "table",
    phrases: Phrases = False,
    min_docs: MinDocs = None,
    exclude: Exclude = None,
    encoding: Encoding = None,
    unit: Unit = None,
    verbose: Verbose = False,
) -> None:
    """List the template families of a corpus: formulas, skeleton, placeholders, watermarks; most widespread first.

    With --phrases, the shared phrases instead: text documents share that is no evidence of copying.

    Example: reuse templates seeds --format csv > templates.csv
    """
    import json

    from reuse import pipeline
    from reuse.report.csvreport import write_templates as write_templates_csv
    from reuse.report.jsonreport import to_dict

    with errors(verbose):
        if format not in ("table", "json", "csv"):
            raise UsageError(f"--format must be table, json or csv, not {format!r}")
        check_paths(paths + list(exclude or []))
        settings = Settings.load(min_docs=min_docs, encoding=encoding, unit=unit,
                                 exclude=tuple(str(p) for p in exclude) if exclude else None)
        result = pipeline.run([str(p) for p in paths], settings)
        if phrases:
            _print_phrases(to_dict(result)["phrases"], format, len(result.documents))
            return
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


def _print_phrases(phrases: list[dict], format: str, documents: int) -> None:
    import json

    from reuse.report.csvreport import write_phrases

    if format == "json":
        sys.stdout.write(json.dumps(phrases, ensure_ascii=False, indent=1) + "\n")
    elif format == "csv":
        write_phrases(phrases, sys.stdout)
    else:
        table = Table(box=None, pad_edge=False)
        for col in ("id", "docs", "places", "text"):
            table.add_column(col, justify="right" if col in ("docs", "places") else "left",
                             overflow="ellipsis", no_wrap=col != "text")
        for p in phrases:
            text = p["text"].replace("\n", " ⏎ ")
            table.add_row(p["id"], str(p["doc_count"]), str(len(p["members"])),
                          text if len(text) <= 60 else text[:59] + "…")
        out.print(table)
        out.print(f"{len(phrases)} shared phrases in {documents} documents.")


register_library(app)  # reuse index build|add|remove|list|stats, reuse check


def main() -> None:
    """Console-script entry point."""
    heap.for_a_command()
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
