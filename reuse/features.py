"""Stages 2-4 for one document: fold, tokenize, shingle, and cut into units.

This is the per-document work of a scan; it depends on nothing but the
document and the settings, so it can run in any process. ``extract_many``
does the same for a batch of documents at once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from reuse import arrays
from reuse.batching import batches_by_size
from reuse.config import Settings
from reuse.model import Document
from reuse.normalize import Folded, fold
from reuse.shingle import Tokens, shingle_ends, shingle_hashes, tokenize


@dataclass(frozen=True, eq=False)
class Features:
    """What matching needs of one document.

    Attributes:
        folded: matching text and its map to the original.
        tokens: token spans in folded coordinates, with hashes.
        shingles: 64-bit hash of each shingle (``k`` of weight: see
            ``reuse.shingle``); shingle ``i`` covers ``shingle_len[i]``
            tokens from token ``i``.
        units: ``(n, 2)`` token ranges of the sentences long enough to be
            compared as near-duplicates (a paragraph without sentence
            punctuation is one sentence; sentences are at most 2000
            characters). Paragraph pairs add nothing here: a near-duplicate
            paragraph is a chain of near-duplicate sentences and runs.
    """

    folded: Folded
    tokens: Tokens
    shingles: np.ndarray
    units: np.ndarray
    shingle_len: np.ndarray
    """Tokens in each shingle (uint8: at most ``k``)."""
    cum: np.ndarray
    """``cum[i]``: weight of tokens ``0 .. i-1`` (lengths in Han characters; int32)."""

    def __getstate__(self) -> dict:
        # the fields only: cached lookups (memoryviews among them) are rebuilt
        # where the features land, so a Dask worker moving them never ships
        # a memoryview that comes back as bytes
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    @cached_property
    def shingle_end(self) -> np.ndarray:
        """Token end (exclusive) of each shingle (ascending)."""
        return np.arange(len(self.shingle_len), dtype=np.int32) + self.shingle_len

    def weight(self, tok_lo: int, tok_hi: int) -> int:
        """Length of tokens ``[tok_lo, tok_hi)`` in Han characters."""
        return int(self.cum[tok_hi] - self.cum[tok_lo])

    def weight_between(self, lo: int, hi: int) -> int:
        """Length in Han characters of the tokens that start in folded characters ``[lo, hi)``."""
        if self.uniform:
            n = len(self.cum) - 1
            return min(max(hi, 0), n) - min(max(lo, 0), n)
        starts, cum = self._lists
        return cum[bisect_left(starts, hi)] - cum[bisect_left(starts, lo)]

    @cached_property
    def uniform(self) -> bool:
        """Every folded character is a token of weight one (Chinese text, char unit): token = character."""
        return len(self.tokens) == len(self.folded) and int(self.cum[-1]) == len(self.tokens)

    @cached_property
    def boundaries_before(self) -> memoryview:
        """``boundaries_before[i]``: clause boundaries among folded characters ``0 .. i-1``.

        A memoryview of int32, read one item at a time as fast as a list: a
        list would hold an int object per character.
        """
        counts = np.zeros(len(self.folded.boundary) + 1, dtype=np.int32)
        np.cumsum(self.folded.boundary, dtype=np.int32, out=counts[1:])
        return memoryview(counts)

    @cached_property
    def boundary_positions(self) -> memoryview:
        """Folded characters that start a clause, ascending: ``boundaries_before`` indexes into it.

        A memoryview of int32, like ``boundaries_before``: a list holds an int object per clause.
        """
        return memoryview(np.flatnonzero(self.folded.boundary).astype(np.int32))

    @cached_property
    def _lists(self) -> tuple[memoryview, memoryview]:
        # bisect and indexing on a memoryview beat numpy for the many single
        # lookups of alignment, and unlike lists cost no memory
        return memoryview(np.ascontiguousarray(self.tokens.start)), memoryview(np.ascontiguousarray(self.cum))

    @cached_property
    def token_hashes(self) -> memoryview:
        """``tokens.hash`` read one at a time as Python ints, as alignment compares them."""
        return memoryview(np.ascontiguousarray(self.tokens.hash))

    @cached_property
    def origins(self) -> memoryview:
        """``folded.origin`` for ``bisect``: the folded characters of an original span."""
        return memoryview(np.ascontiguousarray(self.folded.origin))

    @property
    def token_starts(self) -> memoryview:
        """Folded character where each token starts (ascending), for ``bisect``."""
        return self._lists[0]

    @cached_property
    def shingle_ends(self) -> memoryview:
        """``shingle_end`` for ``bisect``."""
        return memoryview(self.shingle_end)

    def char_span(self, tok_lo: int, tok_hi: int) -> tuple[int, int]:
        """Folded-text character range of tokens ``[tok_lo, tok_hi)``."""
        if self.uniform:
            return tok_lo, tok_hi
        starts, end = self._lists[0], len(self.folded)
        # tokens tile the folded text: a token ends where the next one starts (the text's end after the last)
        return (starts[tok_lo] if tok_lo < len(starts) else end), (starts[tok_hi] if tok_hi < len(starts) else end)

    def char_spans(self, toks: np.ndarray) -> np.ndarray:
        """``char_span`` of each row of an ``(n, 2)`` array of token ranges, as an ``(n, 2)`` array."""
        return toks if self.uniform else self._token_bounds[toks]

    @cached_property
    def _token_bounds(self) -> np.ndarray:
        # token i starts at [i] and ends at [i + 1]: tokens tile the folded text (int32: a cache per
        # document in every process that aligns, as small as the token starts)
        return np.append(self.tokens.start, len(self.folded)).astype(np.int32)

    def original_span(self, lo: int, hi: int) -> tuple[int, int]:
        """Original-text range of folded characters ``[lo, hi)``."""
        return int(self.folded.origin[lo]), int(self.folded.origin[hi - 1]) + 1


def token_weights(features: Sequence[Features], doc: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Length in Han characters (a word of a spaced script counts two) of tokens ``[lo, hi)`` of documents
    ``doc`` (indices into ``features``): ``weight(lo, hi)`` of each row, a few numpy calls per document."""
    out = (hi - lo).astype(np.int64)
    for d, rows in arrays.rows_by_value(doc):
        feat = features[d]
        if not feat.uniform:  # (else a token is a character of weight one)
            out[rows] = feat.cum[hi[rows]] - feat.cum[lo[rows]]
    return out


def token_spans_in_original(features: Sequence[Features], doc: np.ndarray, lo: np.ndarray,
                            hi: np.ndarray) -> np.ndarray:
    """``(n, 2)`` original-text spans of tokens ``[lo, hi)`` of documents ``doc`` (indices into ``features``):
    ``original_span(*char_span(lo, hi))`` of each row, a few numpy calls per document."""
    out = np.zeros((len(doc), 2), dtype=np.int64)
    for d, rows in arrays.rows_by_value(doc):
        feat = features[d]
        chars = feat.char_spans(np.stack([lo[rows], hi[rows]], axis=1))
        origin = feat.folded.origin
        out[rows, 0] = origin[chars[:, 0]]
        out[rows, 1] = origin[chars[:, 1] - 1] + 1
    return out


def extract(doc: Document, settings: Settings) -> Features:
    """One document's features: ``extract_many`` of it alone."""
    return FeatureBatch.of([doc], settings).features()[0]


BATCH_CHARS = 250_000
"""Characters ``extract_many`` extracts at once: a batch of 1 MB of files read (two to three times this) took
10% longer at once on news articles, its arrays outgrowing a processor's cache; 100,000 is no faster."""


def extract_many(documents: Sequence[Document], settings: Settings) -> list[Features]:
    """``[extract(d, settings) for d in documents]``, with the numpy work done once per batch of documents.

    ``extract`` costs a short article some 150 small numpy calls whatever its
    length, most of its time. Here a batch's texts are folded, tokenized and
    hashed as one, then cut per document: a token never spans two documents,
    and a shingle's hash depends on its tokens alone. Batches hold about
    ``BATCH_CHARS`` characters, so what they make on the way is a few times
    that, however many documents are given.

    A document's arrays are views of its batch's (``FeatureBatch``), not
    copies: the callers keep every document, so the batch's arrays are kept
    whole anyway (a caller keeping a few documents would keep them all).
    """
    return [feat for batch in extract_batches(documents, settings) for feat in batch.features()]


def extract_batches(documents: Sequence[Document], settings: Settings) -> list[FeatureBatch]:
    """``extract_many`` as its batches, each one ``FeatureBatch``: what travels between processes."""
    batches = batches_by_size(documents, [len(d.text) for d in documents], BATCH_CHARS)
    return [FeatureBatch.of(batch, settings) for batch in batches]


@dataclass(frozen=True, eq=False)
class FeatureBatch:
    """The features of a batch of documents as a few arrays: each document's are views of them.

    What a forked reader hands back: pickled, a batch is a dozen buffers,
    where its documents' features one by one were a dozen per document
    (tens of thousands for a corpus, each costing more to pickle, write and
    rebuild than its bytes).
    """

    text: str
    """The batch's folded text; document ``i`` has ``[chars[i], chars[i + 1])`` of it and of each per-character
    array below."""
    chars: np.ndarray
    origin: np.ndarray
    """``Folded.origin`` of each document in its own offsets."""
    cls: np.ndarray
    word_start: np.ndarray
    boundary: np.ndarray
    tokens: np.ndarray
    """Document ``i`` has tokens ``[tokens[i], tokens[i + 1])`` of each per-token array; its cum array is
    ``cum[tokens[i] + i : tokens[i + 1] + i + 1]``."""
    token_start: np.ndarray
    """``Tokens.start`` of each document in its own folded offsets."""
    token_hash: np.ndarray
    token_weight: np.ndarray
    shingled: np.ndarray
    """Shingles of document ``i``: ``shingles[tokens[i] : tokens[i] + shingled[i]]``."""
    shingles: np.ndarray
    shingle_len: np.ndarray
    cum: np.ndarray
    """Each document's ``Features.cum`` (starting at 0), one after another."""
    unit_rows: np.ndarray
    units: np.ndarray
    """Document ``i`` has rows ``[unit_rows[i], unit_rows[i + 1])``, in its own token numbers."""

    @classmethod
    def of(cls, documents: Sequence[Document], settings: Settings) -> "FeatureBatch":
        """The batch's texts folded, tokenized and hashed as one (see ``extract_many``)."""
        texts = [d.text for d in documents]
        # a line break between documents: folding drops it, so each document's first character starts a word
        # and a clause as in a text of its own, and no jieba run goes on into the next (there is a gap in the
        # origins)
        text_lo = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]], dtype=np.int64)
        folded = fold("\n".join(texts), simplify=settings.simplify, fold_digits=settings.fold_digits)
        tokens = tokenize(folded, unit=settings.unit)
        char_lo = np.searchsorted(folded.origin, text_lo)
        chars = np.append(char_lo, len(folded))
        tok_lo = np.searchsorted(tokens.start, char_lo)  # a document's first folded character starts a token
        tok = np.append(tok_lo, len(tokens))
        tok_hi = tok[1:]
        k = settings.shingle
        cum = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(tokens.weight, out=cum[1:])
        ends = shingle_ends(tokens.weight, k)
        shingles = shingle_hashes(tokens.hash, k, tokens.weight, ends=ends)
        size = (ends - np.arange(len(ends))).astype(np.uint8)
        # a document's shingles start at its tokens with k of weight left in it (every token weighs at least one)
        shingled = np.maximum(np.searchsorted(cum, cum[tok_hi] - k, side="right") - tok_lo, 0)
        units, unit_lo, unsorted = _units_many(documents, text_lo, folded, tokens, cum, settings)
        n_chars, n_tokens, n_units = np.diff(chars), np.diff(tok), np.diff(unit_lo)
        # each document's cum: its tokens' cum less the one at its first token, and one more at its end
        own = np.repeat(np.arange(len(documents)), n_tokens + 1)
        at = np.arange(len(own)) - own  # batch token of each entry: a document's end is the next one's start
        own_units = units - np.repeat(tok_lo, n_units)[:, None]
        if unsorted:  # (a document made from text has none) its units sorted and unique, as ``_units`` gives them
            pieces = [np.unique(own_units[lo:hi], axis=0).reshape(-1, 2) if i in unsorted else own_units[lo:hi]
                      for i, (lo, hi) in enumerate(zip(unit_lo[:-1].tolist(), unit_lo[1:].tolist()))]
            own_units = np.concatenate(pieces).astype(np.int64, copy=False)
            unit_lo = np.concatenate([[0], np.cumsum([len(x) for x in pieces])]).astype(unit_lo.dtype)
        return cls(
            text=folded.text, chars=chars,
            origin=folded.origin - np.repeat(text_lo.astype(np.int32), n_chars),
            cls=folded.cls, word_start=folded.word_start, boundary=folded.boundary, tokens=tok,
            token_start=tokens.start - np.repeat(char_lo.astype(np.int32), n_tokens),
            token_hash=tokens.hash, token_weight=tokens.weight, shingled=shingled, shingles=shingles,
            shingle_len=size, cum=(cum[at] - np.repeat(cum[tok_lo], n_tokens + 1)).astype(np.int32),
            unit_rows=unit_lo, units=own_units,
        )

    def features(self) -> list[Features]:
        """Each document's features, views of the batch's arrays."""
        out = []
        for i, (c_lo, c_hi, s_lo, s_hi, n, u_lo, u_hi) in enumerate(zip(
                self.chars[:-1].tolist(), self.chars[1:].tolist(), self.tokens[:-1].tolist(),
                self.tokens[1:].tolist(), self.shingled.tolist(), self.unit_rows[:-1].tolist(),
                self.unit_rows[1:].tolist())):
            folded = Folded(self.text[c_lo:c_hi], self.origin[c_lo:c_hi], self.cls[c_lo:c_hi],
                            self.word_start[c_lo:c_hi], self.boundary[c_lo:c_hi])
            tokens = Tokens(self.token_start[s_lo:s_hi], self.token_hash[s_lo:s_hi], self.token_weight[s_lo:s_hi],
                            c_hi - c_lo)
            out.append(Features(folded, tokens, self.shingles[s_lo:s_lo + n], self.units[u_lo:u_hi],
                                self.shingle_len[s_lo:s_lo + n], self.cum[s_lo + i : s_hi + i + 1]))
        return out


def _units_many(documents: Sequence[Document], text_lo: np.ndarray, folded: Folded, tokens: Tokens,
                cum: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray, set[int]]:
    """``_units`` of every document of a batch, in batch token numbers.

    The units of document ``i`` are rows ``unit_lo[i] .. unit_lo[i + 1] - 1``;
    ``unsorted`` holds the documents whose units ``np.unique`` must sort, as
    ``_units`` does (sentences given out of order or overlapping: a document
    made from text has none).
    """
    counts = np.array([len(d.sentences) for d in documents], dtype=np.int64)
    spans = [s for d in documents for s in d.sentences]
    shift = np.repeat(text_lo, counts)
    starts = np.fromiter((s.start for s in spans), dtype=np.int64, count=len(spans)) + shift
    ends = np.fromiter((s.end for s in spans), dtype=np.int64, count=len(spans)) + shift
    token_origin = folded.origin[tokens.start]
    lo = np.searchsorted(token_origin, starts, side="left")
    hi = np.searchsorted(token_origin, ends, side="left")
    keep = (cum[hi] - cum[lo]) >= max(settings.min_length, settings.shingle)
    units = np.stack([lo[keep], hi[keep]], axis=1)
    kept = np.zeros(len(spans) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    unit_lo = kept[np.append(0, np.cumsum(counts))]
    # a unit starts before the next document's first token: a start that does not rise is within a document
    repeats = np.flatnonzero(np.diff(units[:, 0]) <= 0)
    return units, unit_lo, set((np.searchsorted(unit_lo, repeats, side="right") - 1).tolist())


def extract_tokens(text: str, settings: Settings) -> Features:
    """What template detection reads of a text: ``extract``'s folded text, tokens and weights only.

    Its shingles and units are left empty: re-reading a stored document costs
    folding and tokenizing, not hashing shingles and cutting units again.
    """
    folded = fold(text, simplify=settings.simplify, fold_digits=settings.fold_digits)
    tokens = tokenize(folded, unit=settings.unit)
    cum = np.concatenate([[0], np.cumsum(tokens.weight, dtype=np.int64)]).astype(np.int32)
    return Features(folded, tokens, np.zeros(0, dtype=np.uint64), np.zeros((0, 2), dtype=np.int64),
                    np.zeros(0, dtype=np.uint8), cum)
