"""What the user asked to load: a data folder and/or explicit files per table, plus read options."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class InputSpec:
    data_dir: Path | None = None
    # Explicit files per canonical table; they override what the data folder holds for that table.
    files: dict[str, list[Path]] = field(default_factory=dict)
    tz: str = "UTC"
    vendor: str | None = None  # force a vendor map by name
    map_files: list[Path] = field(default_factory=list)  # user TOML maps
    date_order: str = "auto"  # auto | day-first | month-first
    decimal: str = "auto"  # auto | "." | ","
    encoding: str | None = None  # force an encoding
    sheet: str | None = None  # the workbook sheet to read (default: the recognised one)
    # Restrict to these columns per table (columnar reads); None = every canonical column.
    columns: dict[str, list[str]] | None = None
    # The columns worth keeping once a file's rows are checked, given the table and the tables
    # the inputs hold (None: every loaded column). The loader keeps each table's key and
    # updated_at besides, until copies across files are merged.
    keep: Callable[[str, frozenset[str]], Collection[str]] | None = None
    # Label columns per table that may be handed over as pandas categoricals (when a file stores
    # them as a dictionary of distinct values, as Parquet writers do); others stay texts.
    categories: dict[str, list[str]] = field(default_factory=dict)
    # Files this run writes (option -> path) and further files it must never write (the settings
    # file, a baseline): io.paths refuses an output that is any of them or an input.
    outputs: dict[str, Path | None] = field(default_factory=dict)
    protected: list[Path] = field(default_factory=list)
