"""The scan, top to bottom: one line per stage."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np

from reuse import align as aligning
from reuse import candidates as cand
from reuse import collector
from reuse.batching import BATCH_BYTES, PARALLEL_BYTES, batches_by_size, file_size
from reuse.config import Settings
from reuse.engine import Engine, LocalEngine, make_engine
from reuse.features import Features, extract
from reuse.ingest import Found, check_encoding, discover, read_or_skip, settle
from reuse.model import Document, Passage, Result, Skipped
from reuse.score import score
from reuse.exclude import known_boilerplate, without
from reuse.tiers.families import assemble, line_families, mark_templates, min_docs_for, recurring
from reuse.timing import Progress, quiet, timer
from reuse.versions import package_versions

ALIGN_JOB_ROWS = 20_000
"""Candidate boxes per alignment task: big enough to be worth a task, small enough to spread."""


def _align_jobs(box) -> list[tuple[object, list[int]]]:
    """Whole pairs of candidate boxes in tasks, each with the documents it needs."""
    cuts, first = [], 0
    for _, end in cand.pair_ranges(box):
        if end - first >= ALIGN_JOB_ROWS:
            cuts.append((first, end))
            first = end
    if first < len(box):
        cuts.append((first, len(box)))
    return [(box[lo:hi], np.unique(box[lo:hi, :2]).tolist()) for lo, hi in cuts]


def _align_job(job, docs) -> list[Passage]:
    """Cluster one task's boxes into regions and align them: the per-pair work of a scan."""
    rows, settings = job
    k = settings.shingle
    passages = []
    for (da, db), regions in cand.regions_of(rows, max_gap=settings.max_gap).items():
        (a, fa), (b, fb) = docs[da], docs[db]
        found = [
            al
            for region in regions
            for al in aligning.align(fa, fb, region, k=k, min_length=settings.min_length,
                                     min_score=settings.min_score, max_gap=settings.max_gap)
        ]
        for al in aligning.merge_adjacent(aligning.one_to_one(found), fa, fb, max_gap=settings.max_gap,
                                          min_score=settings.min_score):
            a_start, a_end, b_start, b_end = aligning.with_shared_punctuation(
                a.text, b.text, *fa.original_span(al.a_lo, al.a_hi), *fb.original_span(al.b_lo, al.b_hi)
            )
            passages.append(Passage(a.id, a_start, a_end, b.id, b_start, b_end, al.score,
                                    a.text[a_start:a_end], b.text[b_start:b_end]))
    return passages


def _runs(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Exact runs shared by two documents, less the lone short ones (chance matches)."""
    k = settings.shingle
    weighted = not all(f.uniform for f in features)  # else a token is a character: no weights needed
    runs = cand.exact_runs([f.shingles for f in features], k, [f.shingle_len for f in features] if weighted else None,
                           max_doc_freq=settings.max_doc_freq)
    # matching tokens just beyond a run may extend it by up to k - 1 on each side
    return cand.drop_lone_short_runs(runs, shortest=settings.min_length - 2 * (k - 1), max_gap=settings.max_gap,
                                     cums=[f.cum for f in features] if weighted else None)


def _units(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Near-duplicate sentences across documents (MinHash LSH, verified)."""
    # a bucket shared by more units than a shingle may be shared by documents is boilerplate, as with seeds
    return cand.unit_pairs(list(features), k=settings.shingle, threshold=settings.threshold,
                           num_perm=settings.num_perm, seed=settings.seed, storage=settings.storage,
                           max_bucket=settings.max_doc_freq)


def _recurring(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Text recurring in many documents: the first half of template detection (``reuse.tiers.families``)."""
    return recurring(list(documents), list(features), k=settings.shingle, max_gap=settings.max_gap,
                     min_docs=min_docs_for(len(documents), settings.min_docs), min_length=settings.min_length)


def _lines(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Short recurring units and watermark lines: the second half of template detection."""
    return line_families(list(documents), list(features), min_docs=min_docs_for(len(documents), settings.min_docs),
                         min_length=settings.min_length)


_CORPUS_STAGES = {"lsh": _units, "seeds": _runs, "recurring": _recurring, "lines": _lines}
"""Stages that read the whole corpus and need no other stage's output."""


def _corpus_stage(job, docs) -> tuple[object, float]:
    """One whole-corpus stage, with the seconds it took where it ran."""
    stage, settings = job
    start = time.perf_counter()
    ordered = [docs[i] for i in sorted(docs)]
    out = _CORPUS_STAGES[stage]([d for d, _ in ordered], [f for _, f in ordered], settings)
    return out, round(time.perf_counter() - start, 4)


def _task(job, docs):
    """A whole-corpus stage (``(name, settings)``) or a batch of pairs to align (``("align", rows, settings)``)."""
    with collector.off():
        if job[0] == "align":
            return _align_job(job[1:], docs)
        return _corpus_stage(job, docs)


def _match(documents: Sequence[Document], features: Sequence[Features], settings: Settings,
           timings: dict[str, float], progress: Progress, engine: Engine, *,
           with_templates: bool) -> tuple[list[Passage], list | None]:
    """Passages shared by two documents and, if asked, the corpus's template families.

    Seeding, LSH and the two halves of template detection read the whole
    corpus and no other stage's output: they run side by side, longest
    first, so on two workers (100 MB: LSH ~9 s, seeding ~7 s, recurring text
    ~3 s, lines ~1.5 s) each worker gets about half. The alignment tasks
    follow, each a batch of candidate pairs.
    """
    every = list(range(len(documents)))
    shared = list(zip(documents, features))
    stages = ("lsh", "seeds", "recurring", "lines") if with_templates else ("lsh", "seeds")
    start = time.perf_counter()
    found = dict(zip(stages, engine.map_shared(_task, [((stage, settings), every) for stage in stages], shared,
                                               stage="match", progress=progress)))
    timings["match"] = round(time.perf_counter() - start, 4)  # wall time of the stages side by side
    timings["lsh"], timings["seeds"] = found["lsh"][1], found["seeds"][1]
    units, runs = found["lsh"][0], found["seeds"][0]
    templates = None
    if with_templates:
        timings["templates"] = round(found["recurring"][1] + found["lines"][1], 4)
        templates = assemble(list(documents), found["recurring"][0], found["lines"][0],
                             min_docs=min_docs_for(len(documents), settings.min_docs))
    with timer(timings, "candidates"):
        box = cand.boxes(runs, units, list(features))
        jobs = [(("align", rows, settings), needs) for rows, needs in _align_jobs(box)]
    with timer(timings, "align"):
        done = engine.map_shared(_task, jobs, shared, stage="align", progress=progress)
    passages = [p for batch in done for p in batch]
    passages.sort(key=lambda p: (p.a, p.b, p.a_start, p.b_start, p.a_end, p.b_end))
    return passages, templates


def find_passages(documents: Sequence[Document], features: Sequence[Features], settings: Settings,
                  timings: dict[str, float] | None = None, progress: Progress = quiet,
                  engine: Engine | None = None) -> list[Passage]:
    """Every passage shared by two of ``documents`` (stages 6-7), without template detection."""
    timings = {} if timings is None else timings
    return _match(documents, features, settings, timings, progress, engine or LocalEngine(1),
                  with_templates=False)[0]


def scan_documents(documents: Sequence[Document], settings: Settings, *, skipped: Iterable[Skipped] = (),
                   progress: Progress = quiet, features: Sequence[Features] | None = None,
                   timings: dict[str, float] | None = None, engine: Engine | None = None) -> Result:
    """A scan of documents already in memory (ids unique), with their features if already extracted.

    Everything after feature extraction runs on ``engine`` (see ``_match``).
    """
    timings = {} if timings is None else timings
    engine = engine or LocalEngine(1)
    if features is None:
        documents = sorted(documents, key=lambda d: d.id)
        with timer(timings, "features"):
            features = []
            for n, doc in enumerate(documents):
                features.append(extract(doc, settings))
                progress("features", n + 1, len(documents))
    else:
        order = sorted(range(len(documents)), key=lambda i: documents[i].id)
        documents, features = [documents[i] for i in order], [features[i] for i in order]
    if settings.exclude:
        with timer(timings, "exclude"):
            excluded = known_boilerplate(list(settings.exclude), lambda doc: extract(doc, settings))
            features = [without(f, excluded, salt=n) for n, f in enumerate(features)]
    with collector.frozen():
        passages, templates = _match(documents, features, settings, timings, progress, engine, with_templates=True)
        passages = mark_templates(passages, templates)
        with timer(timings, "score"):
            pairs, stats = score(documents, passages, templates, include_templates=settings.include_templates)
    return Result(
        params={**package_versions(), "params": settings.params()},
        documents=tuple(documents),
        stats=tuple(stats),
        skipped=tuple(skipped),
        pairs=tuple(pairs),
        passages=tuple(passages),
        templates=tuple(templates),
        timings=timings,
    )


def _read_batch(job: tuple[list[Found], Settings]) -> list[tuple[Document | None, Skipped | None, Features | None]]:
    """Read and extract a batch of files: the per-document work a worker does, from paths."""
    items, settings = job
    out = []
    with collector.off():
        for item in items:
            doc, why = read_or_skip(item, encoding=settings.encoding)
            out.append((doc, why, extract(doc, settings) if doc is not None else None))
    return out


def run(paths: Iterable[str], settings: Settings | None = None, *, progress: Progress = quiet,
        engine: Engine | None = None) -> Result:
    """Scan the documents under ``paths`` (stages 1-10).

    Pairs are aligned on ``engine`` (by default the one ``settings.engine``
    names: a worker per core for a large corpus, or Dask); files are read on
    it too with Dask or when workers are asked for. The report is the same on
    every engine.
    """
    settings = settings or Settings()
    paths = list(paths)
    timings: dict[str, float] = {}
    check_encoding(settings.encoding)
    found, skipped = discover(paths, settings.extensions)
    sizes = [file_size(f.path) for f in found]
    owned = engine is None
    if engine is None:
        small = settings.engine == "local" and sum(sizes) < PARALLEL_BYTES
        engine = make_engine(settings.engine, scheduler=settings.scheduler, workers=1 if small else settings.workers)
    # Locally, features are extracted in this process unless workers were asked
    # for: sending them back from a worker costs about what extracting them
    # does (20 MB: 2.3 s either way). Dask workers must read: they get paths.
    reader = engine if engine.name == "dask" or settings.workers else LocalEngine(1)
    try:
        with timer(timings, "read"), collector.off():
            jobs = [(batch, settings) for batch in batches_by_size(found, sizes, BATCH_BYTES)]
            read = [item for batch in reader.map(_read_batch, jobs, stage="read", progress=progress) for item in batch]
        documents = [doc for doc, _, _ in read if doc is not None]
        features = [feat for doc, _, feat in read if doc is not None]
        skipped = settle(paths, settings.extensions, documents, skipped + [why for _, why, _ in read if why])
        return scan_documents(documents, settings, skipped=skipped, progress=progress, features=features,
                              timings=timings, engine=engine)
    finally:
        if owned:
            engine.close()
