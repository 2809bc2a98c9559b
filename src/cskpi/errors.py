"""The exceptions cskpi raises. Each message names what is wrong and ends with what to do.

The CLI turns any :class:`CskpiError` into a message on stderr and exit code 2.
"""

from __future__ import annotations


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
