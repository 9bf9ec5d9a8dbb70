"""Writing a report folder safely: staged in a temporary folder, then moved into place.

An interrupted run leaves the previous report as it was, and a folder holding
files that reuse did not write is never emptied: it is refused unless
``force``, and even then only reuse's own files are replaced.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reuse import collector
from reuse.errors import OutputError
from reuse.ingest import REPORT_MANIFEST as MANIFEST  # lists the files reuse wrote (and may replace)
from reuse.model import Result
from reuse.report.htmlreport import write_html
from reuse.report.jsonreport import write_json

Writer = Callable[[Result, Path], None]


def _write_json(result: Result, folder: Path) -> None:
    write_json(result, folder / "report.json")


def _write_html(result: Result, folder: Path, part: int = 0, parts: int = 1) -> None:
    write_html(result, folder, part=part, parts=parts)


_write_html.splits = True  # type: ignore[attr-defined]  # takes part=, parts=: several processes share it

WRITERS: list[Writer] = [_write_json, _write_html]
"""Each writer fills a staging folder; HTML pages register here too.

A writer with a true ``splits`` attribute also takes ``part`` and ``parts``
and writes only its share, so several processes can write it side by side.
"""

PARALLEL_DOCUMENTS = 200
"""From this many documents a report is written by worker processes; fewer take longer to fork than to write."""


def writers_for(result: Result, workers: int | None = None) -> int:
    """Processes to write ``result``'s report with: ``workers`` (default: a core each, up to 8) for a large one."""
    if len(result.documents) < PARALLEL_DOCUMENTS:
        return 1
    return workers if workers is not None else min(os.cpu_count() or 1, 8)


_WRITING: tuple[list[Writer], Result, Path] | None = None
"""The writers, result and staging folder of a parallel write, inherited by forked processes."""


def _write_part(task: tuple[int, int, int]) -> None:
    n, part, parts = task
    writers, result, stage = _WRITING
    writer = writers[n]
    if getattr(writer, "splits", False):
        writer(result, stage, part=part, parts=parts)
    else:
        writer(result, stage)


def _write_all(writers: list[Writer], result: Result, stage: Path, workers: int) -> None:
    """Run every writer; with ``workers`` > 1, in forked processes side by side (splitting those that split).

    The HTML pages are most of the work and split; report.json is written
    beside them (``benchmarks/RESULTS.md`` has the times).
    """
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        for writer in writers:
            writer(result, stage)
        return
    global _WRITING
    # splitting writers first (the longest work), each in as many parts as there are workers
    tasks = [(n, part, workers) for n, w in enumerate(writers) if getattr(w, "splits", False) for part in range(workers)]
    tasks += [(n, 0, 1) for n, w in enumerate(writers) if not getattr(w, "splits", False)]
    _WRITING = (list(writers), result, stage)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            for done in [pool.submit(_write_part, task) for task in tasks]:
                done.result()  # a writer's error (a full disk, say) is raised here
    finally:
        _WRITING = None


def _ours(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def write_report(result: Result, out: str | os.PathLike, *, force: bool = False,
                 writers: list[Writer] | None = None, workers: int = 1) -> Path:
    """Write every report file for ``result`` into the folder ``out`` (with ``workers`` forked processes)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another -o")
    foreign = set()
    if out.is_dir():
        foreign = _files(out) - _ours(out) - {MANIFEST}
        if foreign and not force:
            example = sorted(foreign)[0]
            raise OutputError(
                f"{out} holds files reuse did not write (e.g. {example}); "
                "choose an empty or new folder with -o, or pass --force to write beside them"
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as err:
        raise OutputError(f"cannot write to {out.parent}: {err.strerror or err}") from err
    try:
        with collector.frozen():  # the result is millions of objects: collections need not walk them
            _write_all(writers or WRITERS, result, stage, workers)
        written = sorted(_files(stage))
        clash = foreign & set(written)
        if clash:
            raise OutputError(f"{out / sorted(clash)[0]} was not written by reuse and a report file has its name; "
                              "move it away or choose another folder with -o")
        if not out.exists() or ".gitignore" in _ours(out):
            # a fresh folder (or one we made before): keep generated output out of version control
            (stage / ".gitignore").write_text("# created by reuse\n*\n", encoding="utf-8")
            written.append(".gitignore")
        (stage / MANIFEST).write_text(json.dumps(sorted(written), ensure_ascii=False, indent=0), encoding="utf-8")
        _move_into_place(stage, out, keep_others=bool(foreign))
    except OSError as err:
        raise OutputError(f"cannot write the report to {out}: {err.strerror or err}") from err
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return out


def _move_into_place(stage: Path, out: Path, *, keep_others: bool) -> None:
    if not out.exists():
        os.replace(stage, out)
        return
    if not keep_others:
        # the old folder holds only our files: swap whole folders, then drop the old one
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        os.replace(out, old / "report")
        os.replace(stage, out)
        shutil.rmtree(old, ignore_errors=True)
        return
    previous = _ours(out)
    for name in sorted(_files(stage)):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / name, target)
    # the manifest must also cover our earlier files still there
    names = sorted((previous | set(json.loads((out / MANIFEST).read_text(encoding="utf-8")))) - {MANIFEST})
    (out / MANIFEST).write_text(json.dumps(names, ensure_ascii=False, indent=0), encoding="utf-8")
