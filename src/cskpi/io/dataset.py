"""The loaded data: canonical frames plus what loading them found."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    table: str
    vendor: str | None = None
    format: str = "csv"  # csv | parquet | xlsx | json
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    date_order: str | None = None  # "day-first" | "month-first" | "iso" | None
    date_order_ambiguous: bool = False
    sha256: str | None = None
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0
    rows_merged: int = 0  # dropped as an older copy of a record found in another file
    columns_mapped: dict[str, str] = field(default_factory=dict)  # source header -> canonical
    columns_ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass
class Dataset:
    """Canonical tables (see io.schema) keyed by table name; absent tables are simply missing."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)
    rejects: pd.DataFrame | None = None  # columns: file, line, table, reason, detail, raw
    tz: str = "UTC"

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def has(self, table: str, column: str | None = None) -> bool:
        frame = self.tables.get(table)
        if frame is None:
            return False
        return column is None or column in frame.columns
