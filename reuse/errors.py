"""Errors a user can cause: each carries a one-line message naming the culprit and the fix."""

from __future__ import annotations


class ReuseError(Exception):
    """Base of every error the CLI reports as one line, without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, slug: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.slug = slug
        self.detail = detail  # more lines for --verbose (e.g. every skipped file)


class UsageError(ReuseError):
    """The command line names something that does not exist (exit 2)."""

    exit_code = 2


class ConfigError(ReuseError):
    """A setting has an impossible value."""


class CorpusError(ReuseError):
    """No document could be read from the given paths."""


class OutputError(ReuseError):
    """The report cannot be written where asked."""


class MissingExtraError(ReuseError):
    """An optional dependency is needed for what was asked."""
