"""A write to the library: documents in, their rows and every derived structure updated, in one transaction.

``add`` computes what the store writes (features, units and signatures, the
latter in a forked process beside the inserts of a large batch), writes the
rows through ``reuse.library.store``, then hands the change to each
maintainer in turn, inside the same transaction:

* a maintainer keeps one structure derived from the documents (template
  families: ``reuse.library.families``) current in tables of its own;
* ``maintainer.SCHEMA`` creates those tables with a new library;
* ``maintainer.prepare(documents, features, ids, settings)`` computes what
  it can from a new library's batch alone, beside the inserts; its result
  comes back as ``Change.prepared`` (the maintainer checks that it fits);
* ``maintainer.update(library, change)`` brings the structure up to date
  after ``change.added`` and ``change.removed``, costing what they touch,
  never committing: the write's transaction does. The removed documents'
  own rows are already deleted, not those of the maintainer's tables;
* ``maintainer.stats(library)`` gives its sizes for ``reuse index stats``.

A module with those four names is a maintainer. A library holds its
maintainers (``Library.maintainers``, handed to it when opened:
``reuse.library.MAINTAINERS``) without knowing what they compute.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reuse.config import Settings
from reuse.errors import UsageError
from reuse.features import Features, extract, extract_many
from reuse.library import units
from reuse.library.beside import Beside, Inline, worth_forking
from reuse.library.store import Library
from reuse.model import Document

PAUSE_ENV = "TEST_REUSE_ADD_PAUSE"
"""The test suite's switch, not a setting: ``SECONDS[:MARKER]`` makes ``add`` touch MARKER and sleep inside its
transaction (a test then kills it there, or reads the library meanwhile)."""


@dataclass(frozen=True)
class Change:
    """What one write changed, as its maintainers are told."""

    settings: Settings
    """The write's settings, with the library's index parameters."""
    added: list[int]
    """Row ids of the documents written."""
    removed: list[int]
    """Row ids of the documents deleted (their rows are gone already)."""
    features: dict[int, Features] = field(default_factory=dict)
    """Row id -> features of each document written (extracted once, for the rows and the maintainers)."""
    documents: dict[int, Document] = field(default_factory=dict)
    """Row id -> each document written, as read."""
    prepared: Any = None
    """What this maintainer's ``prepare`` computed beside the inserts of a new library (None otherwise)."""


class Maintainer(Protocol):
    """Keeps one structure derived from the library's documents current (see the module's docstring)."""

    SCHEMA: str

    def prepare(self, documents: Sequence[Document], features: Sequence[Features], ids: Sequence[int],
                settings: Settings) -> Any: ...

    def update(self, library: Library, change: Change) -> None: ...

    def stats(self, library: Library) -> dict[str, int]: ...


@dataclass(frozen=True)
class AddReport:
    """What one ``add`` changed."""

    added: list[str]
    replaced: list[str]
    unchanged: list[str]
    seconds: float
    maintain_seconds: float = 0.0
    """Of ``seconds``, the time the maintainers took (keeping template families current)."""


def add(library: Library, documents: Sequence[Document], settings: Settings, *, replace: bool = False,
        maintainers: Sequence[Maintainer] | None = None, features: Sequence[Features] | None = None) -> AddReport:
    """Index ``documents`` in one transaction, and bring every maintainer's structure up to date in it.

    A document whose name is already in the library is left alone when its
    text is the same, replaced when ``replace``, and refused otherwise.
    Nothing already stored is recomputed: adding one document to a library
    of any size costs that document's rows, and what the maintainers say it
    touches.

    Args:
        settings: must carry this library's index parameters (``library.settings``).
        maintainers: called in turn inside the transaction; by default the library's own
            (``library.maintainers``: ``reuse.library.MAINTAINERS`` for one ``open_library`` opened).
        features: the documents' features when already extracted with
            ``settings`` (they are extracted here otherwise).
    """
    start = time.perf_counter()
    maintainers = library.maintainers if maintainers is None else tuple(maintainers)
    units.require_same_code(library, settings)
    names = [d.id for d in documents]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise UsageError(f"document {dup} is named twice; give one of them another name")
    digests = [hashlib.sha256(d.text.encode("utf-8", "surrogatepass")).hexdigest() for d in documents]
    # the CPU work happens before the write lock is taken, so readers and writers wait less
    if features is not None and len(features) != len(documents):
        raise ValueError(f"{len(features)} features for {len(documents)} documents")
    features = list(features) if features is not None else extract_many(documents, settings)
    # unit sets and signatures (the largest CPU part), and what the maintainers can prepare, are computed in
    # a forked process while this one writes the rows of a large batch
    jobs: list[tuple[Callable[..., Any], tuple]] = [(units.unit_index, (features, settings))]
    first = library.first_id_if_empty() if maintainers else None
    if first is not None:
        ids = list(range(first, first + len(documents)))
        jobs += [(m.prepare, (documents, features, ids, settings)) for m in maintainers]
    beside = Beside(jobs) if worth_forking(documents, settings) else Inline(jobs)
    token = uuid.uuid4().hex[:12]
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    try:
        with library.transaction():
            existing = library.digests(names)
            removed_ids: list[int] = []
            added_ids: list[int] = []
            positions: list[int] = []
            for i, (doc, sha, feat) in enumerate(zip(documents, digests, features)):
                if doc.id in existing:
                    old_id, old_sha = existing[doc.id]
                    if old_sha == sha:
                        unchanged.append(doc.id)
                        continue
                    if not replace:
                        raise UsageError(f"{doc.id} is already in {library.label} with other text; pass "
                                         f"--replace to replace it, or --prefix to add it under another name")
                    _delete(library, old_id, settings)
                    removed_ids.append(old_id)
                    replaced.append(doc.id)
                else:
                    added.append(doc.id)
                added_ids.append(library.insert_document(doc, sha, token, None if feat.uniform else feat.cum))
                positions.append(i)
            # the index rows of all documents at once, in key order: a build appends to the B-trees
            # instead of sweeping them once per document
            library.insert_postings([(features[i].shingles, doc_id) for i, doc_id in zip(positions, added_ids)])
            _insert_units(library, beside.result(0), positions, added_ids, token)
            maintaining = time.perf_counter()
            change = Change(settings, added_ids, removed_ids, {d: features[i] for i, d in zip(positions, added_ids)},
                            {d: documents[i] for i, d in zip(positions, added_ids)})
            for n, maintainer in enumerate(maintainers):
                prepared = beside.result(1 + n) if first is not None else None
                maintainer.update(library, dataclasses.replace(change, prepared=prepared))
            maintaining = time.perf_counter() - maintaining
            _pause()
    finally:
        beside.close()
    return AddReport(added, replaced, unchanged, round(time.perf_counter() - start, 4), round(maintaining, 4))


def remove(library: Library, names: Sequence[str], settings: Settings, *,
           maintainers: Sequence[Maintainer] | None = None) -> list[str]:
    """Remove the documents named ``names`` in one transaction; unknown names are refused."""
    maintainers = library.maintainers if maintainers is None else tuple(maintainers)
    units.require_same_code(library, settings)
    with library.transaction():
        ids = []
        for name in names:
            found = library.ids_of([name])
            if not found:
                raise UsageError(f"{name} is not in {library.label}; `reuse index list --db "
                                 f"{library.label}` shows the names")
            ids.append(found[name])
        for doc_id in ids:
            _delete(library, doc_id, settings)
        for maintainer in maintainers:
            maintainer.update(library, Change(settings, [], ids))
        _pause()
    return list(names)


def _delete(library: Library, doc_id: int, settings: Settings) -> None:
    # the postings are found again from the text (hashed by the same code, see units.require_same_code)
    library.delete_document(doc_id, extract(library.document(doc_id), settings).shingles)


def _insert_units(library: Library, index: units.UnitIndex, positions: list[int], doc_ids: list[int],
                  token: str) -> None:
    """The unit rows of the documents written (``positions`` in the batch, ``doc_ids`` their row ids)."""
    doc_of = np.full(len(index.bounds) - 1, -1, dtype=np.int64)
    doc_of[positions] = doc_ids
    keep = doc_of[index.owner] >= 0
    library.insert_units(doc_of[index.owner[keep]], index.rows[keep], index.sigs[keep], token)


def _pause() -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    seconds, _, marker = spec.partition(":")
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(seconds))
