"""The exceptions cskpi raises. Each message names what is wrong and ends with what to do.

The CLI turns any :class:`CskpiError` into a message on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class CskpiError(Exception):
    """Base class: bad input or usage that the user can fix."""

    exit_code = 2


class InputFileError(CskpiError):
    """A file cannot be read at all (missing, unreadable, unknown encoding or format)."""


class SchemaError(CskpiError):
    """A file lacks a required column or its columns cannot be mapped to a canonical table."""


class ConfigError(CskpiError):
    """cskpi.toml (or a --map file) is invalid."""


class UsageError(CskpiError):
    """Options that contradict each other or name something unknown."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`Did you mean 'csat'? ` for the closest choice, or nothing when none is close."""
    import difflib

    folded = {choice.casefold(): choice for choice in sorted(choices)}
    close = difflib.get_close_matches(word.strip().casefold(), list(folded), n=1, cutoff=0.6)
    return f"Did you mean {folded[close[0]]!r}? " if close else ""


def located(
    path: object,
    message: str,
    *,
    row: int | None = None,
    column: str | None = None,
    fix: str | None = None,
) -> str:
    """Format an error message naming file, row and column, ending with the fix."""
    where = str(path)
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column {column!r}"
    text = f"{where}: {message}"
    if fix:
        text += f". {fix}"
    return text
