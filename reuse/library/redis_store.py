"""A library whose LSH band buckets live in Redis, through datasketch's own ``storage_config``.

``--db redis://host:port/N --sidecar library.sqlite``: Redis holds the LSH
index (datasketch ``MinHashLSH`` with ``{"type": "redis", ...}`` storage under
the basename ``reuse:<library uuid>``), so a team can share one index server;
the SQLite sidecar holds everything else (documents, units, signatures,
shingle postings, template families) and records the Redis URL.

Consistency: the sidecar's transaction commits after the Redis inserts. A
writer killed in between leaves Redis keys of units the sidecar never
committed; their keys carry the writer's random token, which no committed
unit has, so a check ignores them (LSH hits are only candidates anyway).
Removing a document deletes its keys after its rows, inside the same
transaction.
"""

from __future__ import annotations

import importlib
import json
import pickle
import sqlite3
from collections.abc import Sequence
from urllib.parse import unquote, urlparse

import numpy as np
from datasketch import MinHashLSH

from reuse import minhash
from reuse.errors import MissingExtraError, ReuseError, UsageError
from reuse.library.store import BandIndex, Library

INSTALL = "pip install 'reuse-detector[redis]'"


def _require_redis():
    try:
        importlib.import_module("redis")
    except ImportError:
        raise MissingExtraError(f"Redis storage needs: {INSTALL}") from None


def redis_config(url: str) -> dict:
    """``redis://[:password@]host:port/N`` as ``redis.Redis`` keyword arguments.

    >>> redis_config("redis://127.0.0.1:6390/2")
    {'host': '127.0.0.1', 'port': 6390, 'db': 2}
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise UsageError(f"--db {url}: expected redis://host:port/N")
    path = parsed.path.strip("/")
    try:
        db = int(path) if path else 0
        port = parsed.port or 6379
    except ValueError:
        raise UsageError(f"--db {url}: the port and the database number must be numbers (redis://host:port/N)") from None
    config = {"host": parsed.hostname, "port": port, "db": db}
    if parsed.password:
        config["password"] = unquote(parsed.password)
    if parsed.username:
        config["username"] = unquote(parsed.username)
    if parsed.scheme == "rediss":
        config["ssl"] = True
    return config


def storage_config(url: str, library_uuid: str) -> dict:
    """datasketch's ``storage_config`` for this library's LSH index."""
    return {"type": "redis", "redis": redis_config(url), "basename": f"reuse:{library_uuid}".encode()}


def _public(url: str) -> str:
    """The URL without a password, as recorded in the sidecar."""
    c = redis_config(url)
    return f"redis://{c['host']}:{c['port']}/{c['db']}"


def meta_for(url: str) -> dict[str, str]:
    _require_redis()
    return {"redis": _public(url)}


def band_factory(url: str):
    _require_redis()
    return lambda meta: RedisBands(url, meta)


def require_same(library: Library, url: str) -> None:
    recorded = library.meta.get("redis")
    if recorded is None:
        raise UsageError(f"{library.path} is a library file of its own, not a Redis sidecar; pass --db {library.path} "
                         "without --sidecar")
    if recorded != _public(url):
        raise UsageError(f"{library.path} is the sidecar of {recorded}, not {_public(url)}; pass --db {recorded}")


class RedisBands(BandIndex):
    """The LSH buckets as a datasketch ``MinHashLSH`` with Redis storage."""

    def __init__(self, url: str, meta: dict[str, str]):
        _require_redis()
        import redis  # the optional extra: imported once it is known to be there

        params = json.loads(meta["params"])
        self.seed = params["seed"]
        try:
            self.lsh = MinHashLSH(threshold=params["threshold"], num_perm=params["num_perm"],
                                  storage_config=storage_config(url, meta["uuid"]))
        except redis.exceptions.ConnectionError as err:
            raise ReuseError(f"cannot reach Redis at {_public(url)}: {err}") from None
        if (self.lsh.b, self.lsh.r) != (params["bands"], params["rows"]):
            raise UsageError(f"datasketch now bands this library as {self.lsh.b}x{self.lsh.r}, not "
                             f"{params['bands']}x{params['rows']}; rebuild it")
        self._errors = redis.exceptions.RedisError

    @staticmethod
    def _key(unit: int, token: str) -> str:
        return f"{unit}:{token}"

    def insert(self, conn: sqlite3.Connection, unit_ids: np.ndarray, sigs: np.ndarray, tokens: Sequence[str]) -> None:
        try:
            with self.lsh.insertion_session() as session:
                for unit, sig, token in zip(unit_ids.tolist(), sigs, tokens):
                    session.insert(self._key(unit, token), minhash.lean_minhash(sig, seed=self.seed),
                                   check_duplication=False)
        except self._errors as err:
            raise ReuseError(f"Redis failed while adding: {err}; nothing was committed") from None

    def remove(self, conn: sqlite3.Connection, unit_ids: np.ndarray, sigs: np.ndarray, tokens: Sequence[str]) -> None:
        try:
            for unit, token in zip(unit_ids.tolist(), tokens):
                key = self._key(unit, token)
                if key in self.lsh:
                    self.lsh.remove(key)
        except self._errors as err:
            raise ReuseError(f"Redis failed while removing: {err}; nothing was committed") from None

    def query(self, conn: sqlite3.Connection, sigs: np.ndarray, *, max_bucket: int) -> np.ndarray:
        """Colliding units, one pipelined Redis round trip per band (datasketch's ``getmany``)."""
        found: set[tuple[int, str, int]] = set()
        try:
            for (start, end), table in zip(self.lsh.hashranges, self.lsh.hashtables):
                keys = [self.lsh._H(sig[start:end]) for sig in sigs]
                for x, members in enumerate(table.getmany(*keys)):
                    if len(members) > max_bucket:
                        continue  # formula, as in a scan
                    for raw in members:
                        key = pickle.loads(raw) if self.lsh.prepickle else raw
                        unit, _, token = (key.decode() if isinstance(key, bytes) else key).partition(":")
                        found.add((x, token, int(unit)))
        except self._errors as err:
            raise ReuseError(f"Redis failed while checking: {err}") from None
        tokens = {}
        for unit in {u for _, _, u in found}:
            row = conn.execute("SELECT d.token FROM units u JOIN documents d ON d.id = u.doc WHERE u.id = ?",
                               (unit,)).fetchone()
            tokens[unit] = row[0] if row else None
        pairs = sorted({(x, u) for x, token, u in found if tokens.get(u) == token})  # orphans of killed writers drop out
        return np.array(pairs, dtype=np.int64).reshape(-1, 2)
