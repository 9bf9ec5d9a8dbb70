"""Throughput of `reuse scan`, per stage and end to end, on a synthetic corpus or any folder.

    python benchmarks/scan_bench.py --mb 20            # build (cached) + scan
    python benchmarks/scan_bench.py --mb 100 --profile # also write a pyinstrument profile
    python benchmarks/scan_bench.py --mb 100 --report  # also write report.json and the HTML pages
    python benchmarks/scan_bench.py --corpus benchmarks/out/cpcnews   # time a folder as it is (no build)

With ``--corpus`` the folder is scanned as ``reuse scan`` would scan it
(recursively, every format it reads); MB counts the bytes of those files.
The process keeps the memory it frees, and asks for small pages where a
hypervisor takes freed memory back, as the ``reuse`` command's does
(``reuse.heap``).

The corpus is built from the seed speeches so it looks like the real thing:
each document is mostly its own text (random sentences drawn from the seeds'
character distribution, so they share no passages by construction) plus
edited copies of paragraphs from one to three earlier documents, shuffled
seed paragraphs (stock formulas many documents carry), and a few verbatim
seed sentences. About a third of each document is reused.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUNCT = "，。；：、"
READ_SUFFIXES = (".txt", ".md", ".docx", ".html", ".htm", ".pdf")  # what `reuse scan` reads (README)


def _seed_paragraphs() -> list[str]:
    paras = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paras += [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 30]
    return paras


def _own_text(rng: random.Random, alphabet: str, n: int) -> str:
    out, size = [], 0
    while size < n:
        clause = "".join(rng.choices(alphabet, k=rng.randint(8, 30)))
        out.append(clause + rng.choice(PUNCT))
        size += len(clause) + 1
    return "".join(out)


def _edit(rng: random.Random, text: str, alphabet: str, rate: float) -> str:
    chars = list(text)
    for _ in range(int(len(chars) * rate)):
        chars[rng.randrange(len(chars))] = rng.choice(alphabet)
    return "".join(chars)


def _write_corpus(folder: Path, megabytes: float, seed: int, make_document) -> Path:
    """Write documents ``make_document(rng, alphabet, seeds, earlier)`` (paragraph lists) up to ``megabytes``.

    Written once: a folder holding ``.complete`` is reused as it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / ".complete"
    if done.exists():
        return folder
    rng = random.Random(seed)
    seeds = _seed_paragraphs()
    alphabet = "".join(c for p in seeds for c in p if "\u4e00" <= c <= "\u9fff")
    target = int(megabytes * 1_000_000)
    written, docs = 0, []
    while written < target:
        paras = make_document(rng, alphabet, seeds, docs)
        docs.append(paras)
        body = "\n".join(paras) + "\n"
        (folder / f"doc_{len(docs):06d}.txt").write_text(body, encoding="utf-8")
        written += len(body.encode("utf-8"))
    done.write_text(str(written), encoding="utf-8")
    return folder


def build(folder: Path, megabytes: float, seed: int = 0) -> Path:
    """Write the corpus (once; reused when it exists) and return its folder."""

    def document(rng: random.Random, alphabet: str, seeds: list[str], earlier: list[list[str]]) -> list[str]:
        paras = [_own_text(rng, alphabet, rng.randint(80, 500)) for _ in range(rng.randint(8, 30))]
        if earlier:
            for source in rng.sample(earlier, min(len(earlier), rng.randint(1, 3))):
                for p in rng.sample(source, min(len(source), rng.randint(2, 6))):
                    paras.insert(rng.randrange(len(paras) + 1), _edit(rng, p, alphabet, rng.uniform(0, 0.05)))
        for p in rng.sample(seeds, 2):
            paras.insert(rng.randrange(len(paras) + 1), p)
        return paras

    return _write_corpus(folder, megabytes, seed, document)


def build_boilerplate(folder: Path, megabytes: float, seed: int = 0) -> Path:
    """A corpus where every document carries the same three seed paragraphs and otherwise only its own text.

    Pairs must not grow with the square of the documents: the shared text is
    a template family, found once, not aligned pair by pair.
    """

    def document(rng: random.Random, alphabet: str, seeds: list[str], earlier: list[list[str]]) -> list[str]:
        paras = [_own_text(rng, alphabet, rng.randint(80, 500)) for _ in range(rng.randint(8, 30))]
        for p in seeds[:3]:
            paras.insert(rng.randrange(len(paras) + 1), p)
        return paras

    return _write_corpus(folder, megabytes, seed, document)


def _used_mb() -> float:
    """Memory in use on the machine, as ``free`` counts it (neither free nor file cache), and shared memory.

    Every worker counts, shared pages once; the kernel growing or dropping
    its file cache (it reads the corpus) does not move it. Shared memory
    (what forked readers hand their features back in) sits in the kernel's
    cache figure but is memory in use: it counts.
    """
    with open("/proc/meminfo") as f:
        info = {line.split(":")[0]: int(line.split()[1]) for line in f}
    cache = info["Buffers"] + info["Cached"] - info.get("Shmem", 0) + info.get("SReclaimable", 0)
    return (info["MemTotal"] - info["MemFree"] - cache) / 1024


class PeakMemory:
    """Peak memory in use on the machine above what was in use at the start, sampled every 0.2 s (Linux).

    Counts the main process and its workers alike, shared pages once. Reading
    /proc/meminfo is cheap; per-process PSS (smaps_rollup) walks page tables
    and slowed a 100 MB scan by 3 s. Run it on a quiet machine.
    """

    def __init__(self):
        self.peak = 0.0  # MB; stays 0 where /proc cannot tell
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, _used_mb() - self._base)

    def __enter__(self) -> "PeakMemory":
        if os.path.exists("/proc/meminfo"):
            self._base = _used_mb()
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
            self.peak = max(self.peak, _used_mb() - self._base)  # a run shorter than a sample still gets one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (UTF-8)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--profile", action="store_true", help="write a pyinstrument HTML profile")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (reading in workers too, as `reuse scan --workers N`)")
    parser.add_argument("--report", action="store_true",
                        help="also write the report (report.json and the HTML pages) as `reuse scan` does")
    parser.add_argument("--boilerplate", action="store_true",
                        help="every document repeats the same paragraphs (pairs must not grow quadratically)")
    parser.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                        help="time this folder as it is instead of a synthetic corpus (--mb and --boilerplate "
                        "are ignored), e.g. benchmarks/out/cpcnews from benchmarks/real_corpus.py")
    args = parser.parse_args()
    if args.corpus is not None and not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: not a folder")

    from reuse.config import Settings
    from reuse import heap
    from reuse.pipeline import run

    heap.for_a_command()  # as the `reuse` command does when it starts (reuse.cli.main)
    if args.corpus is not None:
        corpus = args.corpus
        files = [p for p in corpus.rglob("*") if p.suffix.lower() in READ_SUFFIXES and p.is_file()]
    elif args.boilerplate:
        corpus = build_boilerplate(args.out / f"boilerplate_{args.mb:g}MB", args.mb)
        files = list(corpus.glob("*.txt"))
    else:
        corpus = build(args.out / f"corpus_{args.mb:g}MB", args.mb)
        files = list(corpus.glob("*.txt"))
    size = sum(p.stat().st_size for p in files) / 1e6
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    cpu_before = _cpu()
    start = time.perf_counter()
    with PeakMemory() as memory:
        result = run([str(corpus)], Settings(workers=args.workers))
        total = time.perf_counter() - start
        if args.report:
            import shutil

            from reuse.report import write_report, writers_for

            target = args.out / f"report_{corpus.name}"
            if corpus.resolve() in (target.resolve(), *target.resolve().parents):
                raise SystemExit(f"{target}: the report would lie inside the corpus; give --out elsewhere")
            shutil.rmtree(target, ignore_errors=True)
            write_report(result, target, workers=writers_for(result, args.workers))
            result.timings["write report"] = round(time.perf_counter() - start - total, 4)
    if profiler:
        profiler.stop()
        target = args.out / (f"profile_{corpus.name}.html" if args.corpus else f"profile_{args.mb:g}MB.html")
        target.write_text(profiler.output_html(), encoding="utf-8")
        print(f"profile: {target}")
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:  # pragma: no cover - not on Windows
        peak = float("nan")
    skipped = f" ({len(result.skipped)} skipped)" if result.skipped else ""
    print(f"corpus: {corpus}, {len(result.documents)} documents{skipped}, {size:.1f} MB; {len(result.pairs)} pairs, "
          f"{len(result.passages)} passages, {len(result.templates)} template families")
    print(f"{'stage':<12}{'seconds':>9}{'MB/s':>9}")
    for stage, seconds in result.timings.items():
        print(f"{stage:<12}{seconds:>9.2f}{size / seconds if seconds else float('inf'):>9.1f}")
    print(f"{'end to end':<12}{total:>9.2f}{size / total:>9.2f}")
    if args.report:
        with_report = total + result.timings["write report"]
        print(f"{'with report':<12}{with_report:>9.2f}{size / with_report:>9.2f}")
    print(f"peak memory: {memory.peak:.0f} MB in use above the start (all processes, sampled every 0.2 s); "
          f"{peak:.0f} MB max RSS of the main process")
    if cpu_before is not None:
        user, system, faults = (after - before for after, before in zip(_cpu(), cpu_before))
        print(f"cpu: {user:.1f} s user, {system:.1f} s system, {faults:,} page faults (this process and the ones it "
              f"forked); where a page fault costs tens of µs, system time is most of a slow run (RESULTS.md)")


def _cpu() -> tuple[float, float, int] | None:
    """User and system seconds and minor page faults so far, of this process and its finished children."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (me.ru_utime + children.ru_utime, me.ru_stime + children.ru_stime, me.ru_minflt + children.ru_minflt)


if __name__ == "__main__":
    main()
