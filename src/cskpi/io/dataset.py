"""The loaded data: canonical frames plus what loading them found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd


class _Lazy:
    """A field that may be given a function instead of its value; called on first read, once.

    Hashing every input file costs a full read of it; only some outputs (JSON report inputs,
    `cskpi validate`) show the digest, so it is computed when one of them asks.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> str | None:
        if obj is None:
            return None  # the dataclass default
        value = obj.__dict__.get(self.slot)
        if callable(value):
            value = value()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: object, value: str | Callable[[], str] | None) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    table: str
    vendor: str | None = None
    format: str = "csv"  # csv | parquet | xlsx | json
    sheet: str | None = None  # the workbook sheet read (XLSX)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    date_order: str | None = None  # "day-first" | "month-first" | "iso" | None
    date_order_ambiguous: bool = False
    sha256: str | None = _Lazy()  # type: ignore[assignment]  # or a function giving it
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0
    rows_merged: int = 0  # dropped as an older copy of a record found in another file
    columns_mapped: dict[str, str] = field(default_factory=dict)  # source header -> canonical
    columns_ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    rows_skipped: int = 0  # survey responses without any answer a map knows (counted in rows_read)
    tickets_done_without_time: int = 0  # status says resolved/closed, resolved_at is empty
    recognition: dict | None = None  # how the layout was chosen (io.load._recognition_summary)


@dataclass
class Dataset:
    """Canonical tables (see io.schema) keyed by table name; absent tables are simply missing."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)
    rejects: pd.DataFrame | None = None  # columns: file, line, table, reason, detail, raw
    tz: str = "UTC"
    # Tables whose every row was rejected -> why; they are absent from ``tables``.
    unusable: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def has(self, table: str, column: str | None = None) -> bool:
        frame = self.tables.get(table)
        if frame is None:
            return False
        return column is None or column in frame.columns
