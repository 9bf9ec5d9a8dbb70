"""Errors a user can cause: each carries a one-line message naming the culprit and the fix.

The command's exit code says which kind of failure it was; each code means one thing:
"""

from __future__ import annotations

OK = 0
"""Done."""
ERR = 1
"""An input or output error: a file, folder or library that cannot be read or written as asked."""
USAGE = 2
"""A usage error: an unknown option, a path that does not exist, a value out of its range (click uses 2 too)."""
FAIL_OVER = 3
"""`reuse check --fail-over RATIO`: a draft's copy ratio is over RATIO (coverage's FAIL_UNDER)."""
INTERRUPTED = 130
"""Interrupted (Ctrl-C): 128 + SIGINT, as shells report it."""


class ReuseError(Exception):
    """Base of every error the CLI reports as one line, without a traceback."""

    exit_code = ERR

    def __init__(self, message: str, *, slug: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.slug = slug
        self.detail = detail  # more lines for --verbose (e.g. every skipped file)


class UsageError(ReuseError):
    """The command line names something that does not exist, or asks for what cannot be (exit 2)."""

    exit_code = USAGE


class ConfigError(ReuseError):
    """A setting has an impossible value."""


class SettingError(ConfigError):
    """A setting's value is out of its range or not one it takes (``--min-docs -1``): a usage error (exit 2)."""

    exit_code = USAGE


class CorpusError(ReuseError):
    """No document could be read from the given paths."""


class OutputError(ReuseError):
    """The report cannot be written where asked."""


class LibraryError(ReuseError):
    """A library file cannot be used as asked: damaged, held by another writer, or read-only here."""


class MissingExtraError(ReuseError):
    """An optional dependency is needed for what was asked."""
