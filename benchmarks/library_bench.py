"""Speed of the reference library: build, add one document, check a draft.

    python benchmarks/library_bench.py --mb 20       # corpus of scan_bench.py (cached), library beside it
    python benchmarks/library_bench.py --mb 90 --scan   # also time `reuse scan` of the same corpus

Figures printed: build time and MB/s (to compare with `reuse scan` per MB),
file size, time to add one document to the built library (and the part of
it spent keeping template families current), and time to check
a 10,000-character draft made of paragraphs of two library documents plus
new text (the issue's target: under 2 seconds against 100,000 paragraphs).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _draft(corpus: Path, chars: int, seed: int = 7) -> str:
    """Paragraphs of two library documents and new text, about ``chars`` characters."""
    from scan_bench import _own_text

    rng = random.Random(seed)
    files = sorted(corpus.glob("*.txt"))
    a, b = (files[i].read_text(encoding="utf-8").split("\n") for i in rng.sample(range(len(files)), 2))
    alphabet = "".join(sorted({c for p in a + b for c in p if "\u4e00" <= c <= "\u9fff"}))
    parts, size = [], 0
    while size < chars:
        pick = rng.random()
        p = rng.choice(a) if pick < 0.3 else rng.choice(b) if pick < 0.5 else _own_text(rng, alphabet, 300)
        parts.append(p)
        size += len(p)
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (UTF-8)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--scan", action="store_true", help="also time reuse scan of the corpus")
    parser.add_argument("--keep", action="store_true", help="reuse an existing library file")
    args = parser.parse_args()

    from scan_bench import build as build_corpus

    from reuse import library
    from reuse.config import Settings
    from reuse.ingest import document

    corpus = build_corpus(args.out / f"corpus_{args.mb:g}MB", args.mb)
    files = sorted(corpus.glob("*.txt"))
    size = sum(p.stat().st_size for p in files) / 1e6
    paragraphs = sum(1 for p in files for line in p.read_text(encoding="utf-8").split("\n") if line.strip())
    db = args.out / f"library_{args.mb:g}MB.sqlite"
    print(f"corpus: {len(files)} documents, {paragraphs:,} paragraphs, {size:.1f} MB")
    last = files[-1]
    built = None
    size_built = sum(p.stat().st_size for p in files[:-1]) / 1e6
    if not (args.keep and db.exists()):
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
        staging = args.out / "library_stage"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for p in files[:-1]:
            (staging / p.name).symlink_to(p)
        start = time.perf_counter()
        report, _ = library.build([staging], db)
        built = time.perf_counter() - start
        # of all documents but the last (added afterwards)
        print(f"build: {built:.1f} s, {size_built / built:.2f} MB/s (template families {report.maintain_seconds:.1f} s); "
              f"file {db.stat().st_size / 1e6:.0f} MB")
        shutil.rmtree(staging)
        start = time.perf_counter()
        report, _ = library.add([last], db)
        print(f"add one document ({last.stat().st_size / 1e3:.0f} KB) to {len(files) - 1} documents: "
              f"{time.perf_counter() - start:.2f} s (of which the transaction {report.seconds:.2f} s, "
              f"template families {report.maintain_seconds:.2f} s)")
        # and a few more, as copies of library documents under new names (each adds to template families)
        for again in files[1:: max(1, len(files) // 3)][:3]:
            start = time.perf_counter()
            report, _ = library.add([again], db, prefix="again/")
            print(f"add again/{again.name} ({again.stat().st_size / 1e3:.0f} KB): "
                  f"{time.perf_counter() - start:.2f} s (template families {report.maintain_seconds:.2f} s)")
        with library.open_library(db) as lib:
            print(f"template families: {lib.stats()['templates']}")
    draft = document(_draft(corpus, 10_000), "draft.txt")
    for attempt in (1, 2):
        start = time.perf_counter()
        [report] = library.check_documents([draft], db)
        took = time.perf_counter() - start
        print(f"check of a {len(draft.text):,}-character draft (run {attempt}): {took:.2f} s; "
              f"{len(report.sources)} sources, total {report.reuse_ratio:.1%}, copy {report.copy_ratio:.1%}; "
              + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()))
    if args.scan:
        from reuse.pipeline import run

        start = time.perf_counter()
        result = run([str(corpus)], Settings())
        took = time.perf_counter() - start
        print(f"reuse scan: {took:.1f} s, {size / took:.2f} MB/s ({len(result.passages)} passages)")
        if built is not None:
            print(f"build per MB: {(built / size_built) / (took / size):.2f} times the scan's")


if __name__ == "__main__":
    main()
