"""Settings: the parameters of a run and where they come from.

Precedence, lowest first:
 1. the defaults below;
 2. ``[tool.reuse]`` in ./pyproject.toml, or ./reuse.toml;
 3. ``REUSE_<NAME>`` environment variables;
 4. keyword arguments (the CLI's flags).
Unknown keys are ignored with one warning line naming the key and where it
was set (logged to ``reuse.config``), so an old config never stops a run.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reuse.errors import ConfigError, SettingError

LOCK_TIMEOUT = 600.0
"""Seconds a library write waits for another writer to finish (``--lock-timeout``): longer than an ``index add``
of thousands of documents takes, short enough that a writer that hangs is noticed. Not a Settings field: it
changes no result."""

ENV_PREFIX = "REUSE_"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """Every parameter that changes what a scan finds.

    The defaults are tuned on Chinese speeches and work on English prose:
    lengths count Han characters, and a word of a spaced script (English)
    counts as two, so 12 is a 12-character phrase or a 6-word one.
    """

    min_length: int = 12
    """Shortest passage reported, in Han characters (a word counts two): what is shared less what is not."""
    shingle: int = 4
    """Shingle length (the seed that must match exactly): 4 Han characters, or 2 words."""
    threshold: float = 0.5
    """Jaccard similarity above which two sentences/paragraphs are near-duplicates (MinHash LSH)."""
    min_score: float = 0.5
    """Lowest alignment score (0-1) of a reported passage: it shares more than it does not."""
    max_gap: int = 12
    """Widest edit bridged inside one passage whatever its length, in Han characters (a word counts two)."""
    unit: str = "char"
    """Token unit for Han text: 'char' (each character) or 'word' (jieba words)."""
    num_perm: int = 128
    seed: int = 1
    max_doc_freq: int = 8
    """A shingle in more documents than this seeds no pair: such text is the corpus's common stock, found
    once with every document holding it (template families, clusters), not pair by pair."""
    copy_evidence: float = 30.0
    """Evidence a passage needs to be copying: shared less unshared Han characters, counted as far as its
    text is specific to the documents sharing it (``reuse.tiers.verdict``). Less is a shared phrase."""
    copy_run: int = 50
    """An exact run this long (Han characters; a word counts two) is copying whatever its words."""
    min_docs: float | None = None
    """Documents a template family needs: a count, a share of the corpus (< 1), or None for max(3, 5%)."""
    include_templates: bool = False
    """Count template text in pair similarity and top source (it always counts in reuse_ratio)."""
    exclude: tuple[str, ...] = ()
    """Files or folders of known boilerplate (phrase lists, template documents) never counted as reuse."""
    simplify: bool = True
    """Fold traditional Chinese characters to simplified ones before matching."""
    fold_digits: bool = True
    """Match numbers regardless of their digits (2020年 ~ 2023年)."""
    extensions: tuple[str, ...] = (".txt", ".md", ".docx", ".html", ".htm", ".pdf")
    """Files picked up in folders (a file named directly is always read); .pdf needs reuse-detector[pdf]."""
    encoding: str | None = None
    """Force one encoding for every file instead of detecting it."""
    engine: str = field(default="local", compare=False)
    """Where the parallel stages run: 'local' (this machine) or 'dask'. Never changes results."""
    workers: int | None = field(default=None, compare=False)
    """Worker processes (local; None: the CPU count, up to 8, for alignment of corpora over 4 MB) or
    LocalCluster workers (dask; None: two)."""
    scheduler: str | None = field(default=None, compare=False)
    """Address of a running Dask scheduler (tcp://host:8786); None starts a LocalCluster."""
    storage: dict[str, Any] | None = field(default=None, compare=False)
    """datasketch storage_config for the LSH index (None: in memory)."""

    def __post_init__(self) -> None:
        # out-of-range values are usage errors (exit 2), whether given as flags, variables or in a file
        if self.unit not in ("char", "word"):
            raise SettingError(f"unit must be 'char' or 'word', not {self.unit!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise SettingError(f"threshold must be in (0, 1], not {self.threshold}")
        if not 0.0 <= self.min_score <= 1.0:
            raise SettingError(f"min_score must be in [0, 1], not {self.min_score}")
        if self.shingle < 1 or self.min_length < 1 or self.max_gap < 0:
            raise SettingError("shingle and min_length must be at least 1, max_gap at least 0")
        if self.shingle > 64:
            raise SettingError("shingle must be at most 64 tokens")
        if self.min_docs is not None and not 0.0 <= self.min_docs < math.inf:  # also refuses NaN
            raise SettingError(f"min_docs must be a count of documents (1 or more) or a share of them (0 to 1), "
                               f"not {self.min_docs:g}")
        if self.engine not in ("local", "dask"):
            raise SettingError(f"engine must be 'local' or 'dask', not {self.engine!r}")
        if self.workers is not None and self.workers < 1:
            raise SettingError("workers must be at least 1")
        if self.max_doc_freq < 2:
            raise SettingError("max_doc_freq must be at least 2")
        if self.copy_evidence < 0 or self.copy_run < 1:
            raise SettingError("copy_evidence must be at least 0 and copy_run at least 1")
        if self.num_perm < 8:
            raise SettingError("num_perm must be at least 8")

    @classmethod
    def load(cls, cwd: Path | None = None, **overrides: Any) -> "Settings":
        """Settings from config files, the environment and ``overrides`` (None means unset)."""
        cwd = cwd or Path.cwd()
        values: dict[str, Any] = {}
        where: dict[str, str] = {}
        found, path = _from_files(cwd)  # 2
        values.update(found)
        where.update({key: f"{key!r} in {path}" for key in found})
        env = _from_env(os.environ)  # 3
        values.update(env)
        where.update({key: f"{ENV_PREFIX}{key.upper()} in the environment" for key in env})
        given = {k: v for k, v in overrides.items() if v is not None}  # 4
        values.update(given)
        where.update({key: f"{key!r} among the arguments" for key in given})
        known = {f.name for f in dataclasses.fields(cls)}
        for key in sorted(set(values) - known):
            _log.warning("reuse: warning: unknown setting %s ignored", where[key])
            values.pop(key)
        for key in ("extensions", "exclude"):
            if key in values:
                values[key] = tuple(str(v) for v in values[key])
        return cls(**values)

    def params(self) -> dict[str, Any]:
        """The parameters recorded in a report (everything that changes results)."""
        out = dataclasses.asdict(self)
        for where in ("storage", "engine", "workers", "scheduler"):  # how, not what: same report on any engine
            out.pop(where)
        out["extensions"] = list(self.extensions)
        out["exclude"] = list(self.exclude)
        return out


def _from_files(cwd: Path) -> tuple[dict[str, Any], Path | None]:
    """The settings of the first config file found in ``cwd``, and that file."""
    for name, section in (("reuse.toml", None), ("pyproject.toml", ("tool", "reuse"))):
        path = cwd / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: cannot read settings ({err}); fix or remove the file") from err
        for key in section or ():
            data = data.get(key, {})
        if data:
            return {k.replace("-", "_"): v for k, v in data.items()}, path
    return {}, None


def _from_env(environ: os._Environ | dict[str, str]) -> dict[str, Any]:
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):].lower()
        kind = str(types.get(name, "str"))
        try:
            if kind == "int":
                out[name] = int(raw)
            elif kind == "float":
                out[name] = float(raw)
            elif kind == "bool":
                out[name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif kind.startswith("tuple"):
                out[name] = tuple(x.strip() for x in raw.split(",") if x.strip())
            else:
                out[name] = raw
        except ValueError as err:
            raise SettingError(f"{key}={raw!r} is not a valid {kind}") from err
    return out
