"""The scan, top to bottom: one timed line per stage.

``run`` reads the files (stage 1, with each document's features: stages
2-4), then ``scan_documents`` takes it from there: known boilerplate out,
then the stages that read the whole corpus side by side (exact runs, LSH
near-duplicates, the two halves of template detection), candidate regions,
alignment, template families, scores. Where the parallel stages run is the
engine's business (``reuse.engine``); the result is the same on every one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from reuse import align as aligning
from reuse import candidates as cand
from reuse import collector
from reuse.batching import BATCH_BYTES, PARALLEL_BYTES, batches_by_size, file_size
from reuse.config import Settings
from reuse.engine import Engine, LocalEngine, make_engine, map_alongside
from reuse.exclude import known_boilerplate, without
from reuse.features import Features, FeatureBatch, extract, extract_batches, extract_many
from reuse.ingest import Found, check_encoding, discover, read_many, settle
from reuse.minhash import band_params
from reuse.model import Document, Passage, Result, Skipped, Template
from reuse.score import score
from reuse.tiers import deferral as deferring
from reuse.tiers import quotes, verdict, widespread
from reuse.tiers.families import (assemble, lies_in, line_families, long_hashes_of_all, long_k, long_may_repeat,
                                  members_by_doc, min_docs_for, reaches, recurring)
from reuse.tiers.settle import settle as settle_kinds
from reuse.timing import Progress, documents_read, quiet, timer
from reuse.versions import package_versions


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
    band_params(settings.threshold, settings.num_perm)  # a threshold the near-duplicate index cannot band fails here
    found, skipped = discover(paths, settings.extensions)
    sizes = [file_size(f.path) for f in found]
    owned = engine is None
    if engine is None:
        small = settings.engine == "local" and sum(sizes) < PARALLEL_BYTES
        engine = make_engine(settings.engine, scheduler=settings.scheduler, workers=1 if small else settings.workers)
    try:
        with timer(timings, "read"), collector.off():
            jobs = [(batch, settings) for batch in batches_by_size(found, sizes, BATCH_BYTES)]
            counted = documents_read(progress, "read", [b for b, _ in jobs], sizes)
            read = [item for batch in _read(jobs, engine, settings, counted) for item in batch]
        documents = [doc for doc, _, _ in read if doc is not None]
        features = [feat for doc, _, feat in read if doc is not None]
        skipped = settle(paths, settings.extensions, documents, skipped + [why for _, why, _ in read if why])
        return scan_documents(documents, settings, skipped=skipped, progress=progress, features=features,
                              timings=timings, engine=engine)
    finally:
        if owned:
            engine.close()


def scan_documents(documents: Sequence[Document], settings: Settings, *, skipped: Iterable[Skipped] = (),
                   progress: Progress = quiet, features: Sequence[Features] | None = None,
                   timings: dict[str, float] | None = None, engine: Engine | None = None,
                   doc_freq: Callable[[str, Features], np.ndarray] | None = None,
                   long_doc_freq: Callable[[str, Features], Any] | None = None,
                   families: Callable[[list[Document], list[Features]], list[Template]] | None = None) -> Result:
    """A scan of documents already in memory (ids unique), with their features if already extracted.

    ``doc_freq(id, features)``, when given, says in how many documents each
    shingle of a document stands, in place of counting them among these
    documents: ``reuse check`` counts them in the whole library, so a
    passage's specificity (``reuse.tiers.verdict``) is the library's.
    ``long_doc_freq(id, features)`` does the same for the long shingles
    (anything an array of positions indexes: a library counts on demand).
    ``families(documents, features)``, when given, are the template families
    instead of those these documents make (a library's, for ``reuse compare
    --db``).

    Everything after feature extraction runs on ``engine``: the whole-corpus
    stages side by side (on two workers each gets about half of them), then
    the alignment tasks, each a batch of candidate pairs.
    """
    timings = {} if timings is None else timings
    engine = engine or LocalEngine(1)
    documents, features = _in_id_order(documents, features, settings, timings, progress)
    if settings.exclude:
        with timer(timings, "exclude"):
            features = _without_known_boilerplate(features, settings)
    min_docs = min_docs_for(len(documents), settings.min_docs)
    with collector.frozen():
        shared = list(zip(documents, features))
        # wall time of the stages side by side: seeding then recurring text (which counts only where seeds
        # repeat) and LSH first, each the longest on some corpora, then short lines after the one that ends
        # first. This process takes the first: recurring text runs slower in a forked process
        # (benchmarks/RESULTS.md)
        with timer(timings, "match"):
            ((exact, seeds, recurred, rec), _), (units, lsh), (lines, lin) = _side_by_side(
                [_exact_runs_then_recurring, _near_duplicates, _lines], shared, settings, engine, progress)
        (runs, counted), (groups, spread, long_counted, long) = exact, recurred
        timings.update(recurring=rec, lsh=lsh, seeds=seeds, lines=lin)
        doc_freq = counted if doc_freq is None else [doc_freq(d.id, f) for d, f in zip(documents, features)]
        long_doc_freq = (long_counted if long_doc_freq is None
                         else [long_doc_freq(d.id, f) for d, f in zip(documents, features)])
        templates = (assemble(documents, groups, lines, min_docs=min_docs) if families is None
                     else families(documents, features))
        with timer(timings, "candidates"):
            # text too widespread to seed pairs: each copy against its earliest witness, aligned with the rest
            spread_boxes, common = widespread.plan(documents, features, spread, templates,
                                                   copy_run=settings.copy_run, min_length=settings.min_length,
                                                   folded_as_default=settings.simplify and settings.fold_digits)
            box = cand.boxes(runs, units, features, spread_boxes)
            members = members_by_doc(templates)
            deferral = deferring.plan(box, documents, features, members, settings,
                                      floor=PREFILTER * settings.copy_evidence)
        # alignment (with the passages of the forked processes unpickled), settling and scoring make an object
        # or more per passage and phrase, and no cycle: no collection
        with timer(timings, "align"), collector.off():
            shared = list(zip(documents, features, doc_freq, long_doc_freq, long))
            now = deferral.later < 0
            passages = _aligned(box[now], shared, settings, engine, progress, members=members,
                                region=deferral.region[now])
            again = deferral.again(passages, documents, gap=settings.max_gap)  # pairs a cluster would keep
            if again.any():
                passages += _aligned(box[again], shared, settings, engine, progress, members=members,
                                     region=deferral.region[again])
                passages.sort(key=_in_pair_order)
        with timer(timings, "settle"), collector.off():
            passages, phrases, clusters, templates = settle_kinds(
                documents, features, passages, runs, templates,
                min_length=settings.min_length, phrases=common, join_gap=settings.max_gap)
        with timer(timings, "score"), collector.off():
            pairs, stats = score(documents, passages, templates, phrases, clusters,
                                 include_templates=settings.include_templates, engine=engine)
    return Result(
        params={**package_versions(), "params": settings.params()},
        documents=tuple(documents),
        stats=tuple(stats),
        skipped=tuple(skipped),
        pairs=tuple(pairs),
        passages=tuple(passages),
        templates=tuple(templates),
        phrases=tuple(phrases),
        clusters=tuple(clusters),
        timings=timings,
    )


def find_passages(documents: Sequence[Document], features: Sequence[Features], settings: Settings,
                  timings: dict[str, float] | None = None, progress: Progress = quiet,
                  engine: Engine | None = None) -> list[Passage]:
    """Every passage shared by two of ``documents`` (stages 6-7), without template detection: ``kind`` copy
    where it has the evidence of copying, phrase where it has not."""
    timings = {} if timings is None else timings
    engine = engine or LocalEngine(1)
    shared = list(zip(documents, features))
    with timer(timings, "match"):
        (units, lsh), ((runs, doc_freq), seeds) = _side_by_side([_near_duplicates, _exact_runs], shared, settings,
                                                                engine, progress)
    timings.update(lsh=lsh, seeds=seeds)
    with timer(timings, "candidates"):
        box = cand.boxes(runs, units, list(features))
    long = long_hashes_of_all(features, long_k(settings))
    long_doc_freq = _long_doc_freq(long, doc_freq, settings)
    with timer(timings, "align"):
        return _aligned(box, list(zip(documents, features, doc_freq, long_doc_freq, long)), settings, engine, progress)


# -- reading -------------------------------------------------------------------------------------


def _read(jobs: list[tuple[list[Found], Settings]], engine: Engine, settings: Settings,
          progress: Progress) -> list[list[tuple[Document | None, Skipped | None, Features | None]]]:
    """Every batch read, where the engine says.

    Locally this process reads a share of the batches while forked ones read
    the rest, whose documents and features come back through shared memory:
    through a pipe, sending features costs about what extracting them does
    (``benchmarks/RESULTS.md``). Workers asked for read it all, as Dask
    workers must: they get paths.
    """
    if engine.name == "dask" or settings.workers:
        return engine.map(_read_batch, jobs, stage="read", progress=progress)
    workers = engine.workers if isinstance(engine, LocalEngine) else 1
    return map_alongside(_read_batch, jobs, workers=workers, stage="read", progress=progress)


def _read_batch(job: tuple[list[Found], Settings]) -> list[tuple[Document | None, Skipped | None, Features | None]]:
    """Read and extract a batch of files: the per-document work a worker does, from paths.

    The features of the documents read are extracted together (``extract_many``): one by one, a short
    article's features cost more in numpy calls than in work.
    """
    items, settings = job
    with collector.off():
        read = read_many(items, encoding=settings.encoding)
        return _Read(read, extract_batches([doc for doc, _ in read if doc is not None], settings))


class _Read(list):
    """``_read_batch``'s rows ``(document, skipped, features)``, which pickle as the documents, the reasons and
    the features' few batch arrays (``FeatureBatch``), as a forked reader hands them back."""

    def __init__(self, read: list[tuple[Document | None, Skipped | None]], batches: list[FeatureBatch]):
        features = iter([feat for batch in batches for feat in batch.features()])
        super().__init__((doc, why, next(features) if doc is not None else None) for doc, why in read)
        self.batches = batches

    def __reduce__(self):
        return _Read, ([(doc, why) for doc, why, _ in self], self.batches)


def _in_id_order(documents: Sequence[Document], features: Sequence[Features] | None, settings: Settings,
                 timings: dict[str, float], progress: Progress) -> tuple[list[Document], list[Features]]:
    """The documents sorted by id with their features, extracted here when not given."""
    if features is not None:
        order = sorted(range(len(documents)), key=lambda i: documents[i].id)
        return [documents[i] for i in order], [features[i] for i in order]
    documents = sorted(documents, key=lambda d: d.id)
    with timer(timings, "features"):
        out: list[Features] = []
        for batch in batches_by_size(documents, [len(d.text) for d in documents], BATCH_BYTES):
            out += extract_many(batch, settings)
            progress("features", len(out), len(documents))
    return documents, out


def _without_known_boilerplate(features: list[Features], settings: Settings) -> list[Features]:
    excluded = known_boilerplate(list(settings.exclude), lambda doc: extract(doc, settings))
    return [without(f, excluded, salt=n) for n, f in enumerate(features)]


# -- the stages that read the whole corpus -------------------------------------------------------

Stage = Callable[[Sequence[Document], Sequence[Features], Settings], Any]


def _exact_runs(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Exact runs shared by two documents, less the lone short ones (chance matches), and how many documents
    hold each shingle (what the verdict measures a passage's specificity by)."""
    k = settings.shingle
    weighted = not all(f.uniform for f in features)  # else a token is a character: no weights needed
    doc_freq: list[np.ndarray] = []
    # less the lone short ones; matching tokens just beyond a run may extend it by up to k - 1 on each side
    lens = [f.shingle_len for f in features] if weighted else None
    runs = cand.passable_runs([f.shingles for f in features], k, lens, max_doc_freq=settings.max_doc_freq,
                              shortest=settings.min_length - 2 * (k - 1), max_gap=settings.max_gap,
                              cums=[f.cum for f in features] if weighted else None, doc_freq=doc_freq)
    return runs, doc_freq


def _exact_runs_then_recurring(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """``_exact_runs`` and ``_recurring`` in one task, each with its seconds: recurring text counts long
    shingles only where the exact runs' ``k``-shingles repeat (``_long_doc_freq``)."""
    start = time.perf_counter()
    runs, doc_freq = _exact_runs(documents, features, settings)
    seeds = time.perf_counter() - start
    recurring = _recurring(documents, features, settings, doc_freq)
    return (runs, doc_freq), round(seeds, 4), recurring, round(time.perf_counter() - start - seeds, 4)


def _long_doc_freq(long: list[np.ndarray], short_doc_freq: Sequence[np.ndarray],
                   settings: Settings) -> list[np.ndarray]:
    """How many documents hold each long shingle, counted only where the ``k``-shingles inside it repeat
    (``families.long_may_repeat``: a third of them on cpcnews). Everywhere when known boilerplate's
    ``k``-shingles were made unique (``settings.exclude``): its tokens, which long shingles hash, were not."""
    may_repeat = (None if settings.exclude
                  else long_may_repeat(short_doc_freq, long, settings.shingle, 2 * long_k(settings)))
    return cand.shingle_doc_freq(long, may_repeat)


def _near_duplicates(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Near-duplicate sentences across documents (MinHash LSH, verified)."""
    # a bucket shared by more units than a shingle may be shared by documents is boilerplate, as with seeds
    return cand.unit_pairs(list(features), k=settings.shingle, threshold=settings.threshold,
                           num_perm=settings.num_perm, seed=settings.seed, storage=settings.storage,
                           max_bucket=settings.max_doc_freq)


def _recurring(documents: Sequence[Document], features: Sequence[Features], settings: Settings,
               short_doc_freq: Sequence[np.ndarray]):
    """Text recurring in many documents, counted once for three readers: the candidate template families
    (``min_docs``), text too widespread to seed pairs (``reuse.tiers.widespread``), and the verdict (how
    many documents hold each long shingle: ``reuse.tiers.verdict``); and the long shingles' hashes, which
    the verdict slices for each passage. ``short_doc_freq``: how many documents hold each ``k``-shingle
    (``_long_doc_freq``)."""
    k = long_k(settings)
    long = long_hashes_of_all(features, k)
    counts = _long_doc_freq(long, short_doc_freq, settings)
    common = dict(k=k, max_gap=settings.max_gap, min_length=settings.min_length, long=long, doc_freq=counts)
    families = recurring(list(documents), list(features), min_docs=min_docs_for(len(documents), settings.min_docs),
                         **common)
    spread = widespread.recurring(list(documents), list(features), min_docs=settings.max_doc_freq + 1, **common)
    return families, spread, counts, long


def _lines(documents: Sequence[Document], features: Sequence[Features], settings: Settings):
    """Short recurring units and watermark lines: the second half of template detection."""
    return line_families(list(documents), list(features), min_docs=min_docs_for(len(documents), settings.min_docs),
                         min_length=settings.min_length)


def _side_by_side(stages: list[Stage], shared: list[tuple[Document, Features]], settings: Settings,
                  engine: Engine, progress: Progress) -> list[tuple[Any, float]]:
    """Whole-corpus stages that need no other stage's output, run at once: each one's result and seconds."""
    every = list(range(len(shared)))
    return engine.map_shared(_whole_corpus, [((stage, settings), every) for stage in stages], shared,
                             stage="match", progress=progress)


def _whole_corpus(job: tuple[Stage, Settings], docs: dict[int, tuple[Document, Features]]) -> tuple[Any, float]:
    """One whole-corpus stage as a task, with the seconds it took where it ran."""
    stage, settings = job
    start = time.perf_counter()
    ordered = [docs[i] for i in sorted(docs)]
    with collector.off():
        out = stage([d for d, _ in ordered], [f for _, f in ordered], settings)
    return out, round(time.perf_counter() - start, 4)


# -- alignment -----------------------------------------------------------------------------------

ALIGN_JOB_ROWS = 20_000
"""Candidate boxes per alignment task: big enough to be worth a task, small enough to spread."""


def _aligned(box: np.ndarray, shared: list[tuple[Document, Features, np.ndarray, Any, np.ndarray]],
             settings: Settings, engine: Engine, progress: Progress,
             members: dict[str, list[tuple[int, int, str]]] | None = None,
             region: np.ndarray | None = None) -> list[Passage]:
    """Every candidate box aligned, in tasks of whole pairs; the passages in (pair, position) order.

    Given the template families' ``members`` (``families.members_by_doc``),
    a passage whose ``a`` side lies in one is that family's template text,
    and a phrase passage is kept only then: the scan reports the rest of what
    two documents share as phrases grouped by text, from the exact runs.
    ``region``, when given, is each row's region (``candidates.region_table``), so the tasks need not
    cluster the rows again.
    """
    jobs = [((box[lo:hi], None if region is None else region[lo:hi], settings, members), needs)
            for (lo, hi), needs in _align_jobs(box)]
    done = engine.map_shared(_align_task, jobs, shared, stage="align", progress=progress)
    passages = [p for batch in done for p in batch]
    passages.sort(key=_in_pair_order)
    return passages


def _in_pair_order(p: Passage) -> tuple:
    return p.a, p.b, p.a_start, p.b_start, p.a_end, p.b_end


def _align_jobs(box) -> list[tuple[tuple[int, int], list[int]]]:
    """Whole pairs of candidate boxes in tasks (row ranges), each with the documents it needs."""
    cuts, first = [], 0
    for _, end in cand.pair_ranges(box):
        if end - first >= ALIGN_JOB_ROWS:
            cuts.append((first, end))
            first = end
    if first < len(box):
        cuts.append((first, len(box)))
    return [((lo, hi), np.unique(box[lo:hi, :2]).tolist()) for lo, hi in cuts]


PREFILTER = 0.5
"""Regions whose exact runs weigh less than this share of the evidence of copying are never aligned."""


def _align_task(job, docs) -> list[Passage]:
    """Cluster one task's boxes into regions and align them: the per-pair work of a scan.

    Only regions whose runs could add up to the evidence of copying are
    aligned (decided in arrays, before any per-region work); each passage
    carries its verdict (``reuse.tiers.verdict``): template where a family's
    member holds it (given template ``members``: see ``_aligned``), else copy
    with that evidence, quote when both documents present it as a quotation
    (``reuse.tiers.quotes``), phrase without.
    """
    rows, region, settings, members = job
    k = settings.shingle
    passages = []
    floor = PREFILTER * settings.copy_evidence
    quoted = quotes.Quotations().share  # per document of this task, as it is needed

    with collector.off():
        for (da, db), regions in cand.regions_of(rows, max_gap=settings.max_gap, min_weight=floor,
                                                          label=region).items():
            (a, fa, df_a, long_df_a, long_a), (b, fb, _, _, long_b) = docs[da], docs[db]
            found = [
                al
                for region in regions
                for al in aligning.align(fa, fb, region, k=k, min_length=settings.min_length,
                                         min_score=settings.min_score, max_gap=settings.max_gap)
            ]
            merged = aligning.merge_adjacent(aligning.one_to_one(found), fa, fb, max_gap=settings.max_gap,
                                             min_score=settings.min_score)
            kinds = verdict.kinds(merged, fa, fb, df_a,
                                  lambda: aligning.neighbourhoods(merged, fa, fb, max_gap=settings.max_gap), k=k,
                                  min_evidence=settings.copy_evidence, min_run=settings.copy_run, long_df_a=long_df_a,
                                  long_k=long_k(settings), long_a=long_a, long_b=long_b)
            in_a = members.get(a.id, ()) if members is not None else ()
            for al, kind in zip(merged, kinds):
                a_start, a_end = fa.original_span(al.a_lo, al.a_hi)
                if (kind == verdict.PHRASE and members is not None
                        and not reaches(a_start, a_end, in_a, aligning.SHARED_PUNCTUATION)):
                    continue  # a phrase no family member can hold, however punctuation widens it: from the runs
                a_start, a_end, b_start, b_end = aligning.with_shared_punctuation(
                    a.text, b.text, a_start, a_end, *fb.original_span(al.b_lo, al.b_hi)
                )
                family = lies_in(a_start, a_end, in_a)  # the template family whose member holds its a side
                if family is not None:
                    kind = verdict.TEMPLATE
                elif kind == verdict.PHRASE and members is not None:
                    continue
                elif (kind == verdict.COPY and quoted(da, a.text, a_start, a_end) >= quotes.QUOTED
                        and quoted(db, b.text, b_start, b_end) >= quotes.QUOTED):
                    kind = verdict.QUOTE
                passages.append(Passage(a.id, a_start, a_end, b.id, b_start, b_end, al.score,
                                        a.text[a_start:a_end], b.text[b_start:b_end],
                                        template=family[2] if family is not None else None, kind=kind))
    return passages
