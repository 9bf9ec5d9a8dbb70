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
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from reuse import collector, leftovers
from reuse.errors import OutputError, UsageError
from reuse.ingest import REPORT_MANIFEST as MANIFEST  # lists the files reuse wrote (and may replace)
from reuse.model import Result
from reuse.timing import Progress, quiet
from reuse.report.csvreport import write_pairs
from reuse.report.htmlreport import when, write_html
from reuse.report.pages import Options
from reuse.report.jsonreport import write_json

Writer = Callable[[Result, Path], None]


@dataclass(frozen=True)
class PairList:
    """Which pairs a report lists (``--top``, ``--min-similarity``): the same in every file it writes.

    Only the list of pairs is cut; documents, their ratios and the passages
    stay whole.
    """

    top: int | None = None
    min_similarity: float | None = None

    def __post_init__(self) -> None:
        if self.top is not None and self.top < 0:
            raise UsageError(f"--top must be 0 or more, not {self.top}")
        if self.min_similarity is not None and not 0.0 <= self.min_similarity <= 1.0:
            raise UsageError(f"--min-similarity must be in [0, 1], not {self.min_similarity}")

    def of(self, result: Result) -> Result:
        """``result`` with only the pairs listed (itself when nothing is left out)."""
        pairs = result.pairs
        if self.min_similarity:
            pairs = tuple(p for p in pairs if p.similarity >= self.min_similarity)
        if self.top is not None:
            pairs = pairs[: self.top]
        return result if len(pairs) == len(result.pairs) else replace(result, pairs=pairs)


def _write_json(result: Result, folder: Path) -> None:
    write_json(result, folder / "report.json")


def _write_csv(result: Result, folder: Path) -> None:
    with open(folder / "pairs.csv", "w", encoding="utf-8-sig", newline="") as fh:
        write_pairs(result, fh)


_WHEN: str | None = None
"""检测时间 of the report being written: one for all the processes that write it."""
_PAIRS_FOUND: int | None = None
"""Pairs with copying before ``--top`` / ``--min-similarity``, for the HTML's "N of M"."""


def _write_html(result: Result, folder: Path, part: int = 0, parts: int = 1) -> None:
    write_html(result, folder, Options(when=_WHEN or when(), pairs_found=_PAIRS_FOUND), part=part, parts=parts)


_write_html.splits = True  # type: ignore[attr-defined]  # takes part=, parts=: several processes share it

WRITERS: list[Writer] = [_write_json, _write_csv, _write_html]
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


def _write_all(writers: list[Writer], result: Result, stage: Path, workers: int,
               progress: Progress = quiet) -> None:
    """Run every writer; with ``workers`` > 1, in forked processes side by side (splitting those that split).

    The HTML pages are most of the work and split; report.json is written
    beside them (``benchmarks/RESULTS.md`` has the times). ``progress``
    counts the parts written (stage ``write``).
    """
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        progress("write", 0, len(writers))
        for n, writer in enumerate(writers):
            writer(result, stage)
            progress("write", n + 1, len(writers))
        return
    global _WRITING
    # splitting writers first (the longest work), each in as many parts as there are workers
    tasks = [(n, part, workers) for n, w in enumerate(writers) if getattr(w, "splits", False) for part in range(workers)]
    tasks += [(n, 0, 1) for n, w in enumerate(writers) if not getattr(w, "splits", False)]
    _WRITING = (list(writers), result, stage)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            progress("write", 0, len(tasks))
            for n, done in enumerate(as_completed([pool.submit(_write_part, task) for task in tasks])):
                done.result()  # a writer's error (a full disk, say) is raised here
                progress("write", n + 1, len(tasks))
    finally:
        _WRITING = None


def label(path: str | os.PathLike) -> str:
    """A path as printable text (``reuse.ingest.label``, which imports this module)."""
    from reuse.ingest import label as printable

    return printable(path)


def _ours(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def _files(folder: Path) -> set[str]:
    """Every file under ``folder``: only ever a staging folder, which holds nothing but what the writers wrote."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def _foreign(folder: Path, ours: set[str]) -> list[str]:
    """Entries of ``folder`` that reuse did not write, sorted.

    Only the folder's own listing is read, and the listings of the
    subfolders the manifest names: a folder full of other files (``-o ~``,
    ``-o /``) is judged by its first level, never walked.
    """
    files = {n for n in ours if "/" not in n}
    dirs: dict[str, set[str]] = {}
    for n in ours:
        if "/" in n:
            top, rest = n.split("/", 1)
            dirs.setdefault(top, set()).add(rest)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as err:
        raise OutputError(f"cannot list {label(folder)}: {err.strerror or err}; choose another folder with -o") from err
    foreign: list[str] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if entry.name == MANIFEST or (entry.name in files and not is_dir):
            continue
        if entry.name in dirs and is_dir:
            foreign += [f"{entry.name}/{n}" for n in _foreign(Path(entry.path), dirs[entry.name] | {MANIFEST})]
            continue
        foreign.append(entry.name + "/" * is_dir)
    return foreign


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def refuse_inputs(out: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> None:
    """Refuse a report folder that is an input, holds one, or lies inside an input folder.

    Symlinks are followed, so another name for the same folder is caught.
    Nothing is listed or walked: this is decided from the paths alone.

    Raises:
        OutputError: naming the input and the fix.
    """
    target = _real(Path(out))
    for given in inputs:
        real = _real(Path(given))
        if real == target:
            why = f"is the input {label(given)}"
        elif target in real.parents:
            why = f"holds the input {label(given)}"
        elif real in target.parents:
            why = f"lies inside the input folder {label(given)}"
        else:
            continue
        raise OutputError(f"the report folder {label(out)} {why}: a report is never written among the documents "
                          "it reads; choose a folder outside the inputs with -o")


def check_output(out: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (), force: bool = False) -> None:
    """Refuse, before a scan starts, a report folder ``write_report`` would refuse after it.

    Raises:
        OutputError: ``out`` is, holds or lies inside one of ``inputs``; it
            is a file; or (without ``force``) it holds files reuse did not write.
    """
    out = Path(out)
    refuse_inputs(out, inputs)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{label(out)} exists and is not a folder; choose another -o")
    if out.is_dir() and not force:
        foreign = _foreign(out, _ours(out))
        if foreign:
            raise OutputError(
                f"{label(out)} holds files reuse did not write (e.g. {label(foreign[0])}); "
                "choose an empty or new folder with -o, or pass --force to write beside them"
            )


def write_report(result: Result, out: str | os.PathLike, *, force: bool = False,
                 writers: list[Writer] | None = None, workers: int = 1,
                 inputs: Iterable[str | os.PathLike] = (), pairs: PairList | None = None,
                 progress: Progress = quiet) -> Path:
    """Write every report file for ``result`` into the folder ``out`` (with ``workers`` forked processes).

    ``inputs`` are the paths the result was read from: ``out`` may not be,
    hold or lie inside one of them (see ``check_output``). Staging folders
    that killed runs left beside ``out`` are removed first (``reuse.leftovers``).
    ``pairs`` says which pairs every file lists (default: all). ``progress``
    counts the parts of the report written.
    """
    out = Path(out)
    check_output(out, inputs=inputs, force=force)
    where = Path(os.path.abspath(out))  # "-o ." has no name of its own: stage beside the real folder
    ours = _ours(where) if where.is_dir() else set()
    foreign = set(_foreign(where, ours)) if where.is_dir() else set()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        leftovers.remove_dead(where.parent, where.name)
        stage = where.parent / leftovers.owned_name(where.name, "stage")
        stage.mkdir(mode=0o777)  # less the umask, as any folder the user makes
    except OSError as err:
        raise OutputError(f"cannot write to {label(where.parent)}: {err.strerror or err}") from err
    global _WHEN, _PAIRS_FOUND
    _WHEN, _PAIRS_FOUND = when(), len(result.pairs)
    result = (pairs or PairList()).of(result)
    try:
        with collector.frozen():  # the result is millions of objects: collections need not walk them
            _write_all(writers or WRITERS, result, stage, workers, progress)
        written = sorted(_files(stage))
        clash = [n for n in written if n not in ours and _exists(where / n)]
        if clash:
            raise OutputError(f"{label(out / clash[0])} was not written by reuse and a report file has its name; "
                              "move it away or choose another folder with -o")
        if not where.exists() or ".gitignore" in ours:
            # a fresh folder (or one we made before): keep generated output out of version control
            (stage / ".gitignore").write_text("# created by reuse\n*\n", encoding="utf-8")
            written.append(".gitignore")
        (stage / MANIFEST).write_text(json.dumps(sorted(written), ensure_ascii=False, indent=0), encoding="utf-8")
        _move_into_place(stage, where, ours, keep_others=bool(foreign))
    except OSError as err:
        raise OutputError(f"cannot write the report to {label(out)}: {err.strerror or err}") from err
    finally:
        _WHEN = _PAIRS_FOUND = None
        shutil.rmtree(stage, ignore_errors=True)
    return out


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _swappable(folder: Path) -> bool:
    """Whether ``folder`` can be replaced whole: not a mount point, and not this process's working folder
    (nor one holding it), which would leave the user's shell in a deleted folder."""
    try:
        cwd = Path(os.getcwd())
    except OSError:
        cwd = None
    return not os.path.ismount(folder) and (cwd is None or (cwd != folder and folder not in cwd.parents))


def _move_into_place(stage: Path, out: Path, ours: set[str], *, keep_others: bool) -> None:
    if not out.exists():
        os.replace(stage, out)
        return
    if not keep_others and _swappable(out):
        # the old folder holds only our files: swap whole folders, then drop the old one
        old = out.parent / leftovers.owned_name(out.name, "old")
        old.mkdir(mode=0o700)
        os.replace(out, old / "report")
        os.replace(stage, out)
        shutil.rmtree(old, ignore_errors=True)
        return
    written = _files(stage)
    for name in sorted(written):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / name, target)
    if keep_others:
        # the manifest must also cover our earlier files still there
        kept = {n for n in ours if _exists(out / n)}
    else:
        # only our files were there (the working folder, a mount point): the old report's other pages go
        for name in sorted(ours - written - {MANIFEST}):
            (out / name).unlink(missing_ok=True)
        kept = set()
    names = sorted((kept | written) - {MANIFEST})
    (out / MANIFEST).write_text(json.dumps(names, ensure_ascii=False, indent=0), encoding="utf-8")
