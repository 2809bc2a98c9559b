"""Years of Parquet history in bounded memory: the report computed period by period.

For each report period only the records that can count in it are read (tickets created in it,
resolved in it or open across its end; calls by queued_at; surveys by submitted_at; revenue by
date), with column projection (the columns the KPIs, the breakdowns and the load checks need) and
predicate pushdown into Parquet row groups (pyarrow.dataset). The read window is two days wider
than the period on each side, so timezone and daylight-saving shifts of naive timestamps never cut
a record off; the engine's own period rules then pick the exact records.

A slice that fits (``max_rows`` rows per table) goes through the pandas engine unchanged, so the
rows are the in-memory path's rows. A larger one is streamed in batches of ``max_rows`` rows whose
KPI parts are merged (cskpi.scale.parts); then means and sums may differ from the in-memory path
in the last bits of a float (summation order), far below the 6 decimals the outputs show.

Tables that are not canonical Parquet (CSV, XLSX, vendor exports) and the small monthly tables
(costs, agents) are loaded whole, once, by the ordinary loader.

Copies of a ticket or call found in several files (overlapping exports) are merged exactly as the
loader does: for each period the ids of its slice are looked up in every file; when one has a copy
elsewhere, every copy of the slice's ids is read and the loader's rule picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from cskpi.config import Config
from cskpi.heap import give_back_freed_memory
from cskpi.ids import as_integers, rising
from cskpi.io import read, schema
from cskpi.io.canonical import Canonical, to_canonical
from cskpi.io.dataset import FileReport
from cskpi.io.inputs import InputSpec
from cskpi.io.load import (
    REJECT_COLUMNS,
    _combine,
    find_files,
    load_dataset,
    no_rejects,
    unusable_tables,
)
from cskpi.io.vendor_maps import apply_map, identity_map, is_canonical
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import RANGE_COLUMNS, Period, Span, span_of_instants
from cskpi.metrics.results import KpiValue
from cskpi.metrics.scope import DIMENSIONS, instants_of, period_bound
from cskpi.scale.columns import DATE_COLUMN, checked_columns, needed_columns
from cskpi.scale.parts import PartsAccumulator

# Tables read selectively per period; the others are small (one row per cost item or agent month).
SLICED = ("tickets", "calls", "surveys", "revenue")
MARGIN = timedelta(days=2)
DEFAULT_MAX_ROWS = 2_000_000


@dataclass
class History:
    """Where each table's records are: Parquet files read per period, or a frame loaded whole."""

    spec: InputSpec
    by: list[str]
    files: dict[str, list[Path]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)  # per sliced table, over its files
    loaded: dict[str, pd.DataFrame] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)
    loaded_rejects: pd.DataFrame | None = None  # rows the loader rejected from the other tables
    # Per tickets file: its latest created_at (None: always read the file), and once a later
    # period needs it, its tickets still open after that moment (what later backlogs can hold).
    latest: dict[Path, pa.Scalar | None] = field(default_factory=dict)
    # Per file: earliest and latest value of its date column (None: unknown, always read it).
    bounds: dict[Path, tuple[pa.Scalar, pa.Scalar] | None] = field(default_factory=dict)
    schemas: dict[Path, pa.Schema] = field(default_factory=dict)
    carried: dict[Path, Carried] = field(default_factory=dict)
    # Per keyed table: ids (as integers) found more than once over all files; None: not integers.
    repeated: dict[str, np.ndarray | None] = field(default_factory=dict)
    # Filled by scan(): the dates of every used row (the default period's bulk span) and the
    # tables whose every row was rejected -> why (left out, so their KPIs are not available).
    scanned: bool = False
    span: Span | None = None
    unusable: dict[str, str] = field(default_factory=dict)

    def rejected(self, batch_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
        """Every rejected row (file, line, table, reason, detail, raw) of every input.

        The per-period reads cannot number rows (a pushed-down filter drops the others), so each
        Parquet file is read once more in batches, numbering rows as the loader does (from 1);
        only the rejected rows are kept.
        """
        frames = [self.loaded_rejects] if self.loaded_rejects is not None else []
        for table, paths in self.files.items():
            for path in paths:
                dataset = _file_dataset(path)
                scanner = dataset.scanner(
                    columns=_columns_in(dataset, self.columns[table]), batch_size=batch_rows
                )
                first = 1
                for batch in scanner.to_batches():
                    if batch.num_rows == 0:
                        continue
                    rejects = _canonical(
                        path, table, pa.Table.from_batches([batch]), self.spec, first_line=first
                    ).rejects
                    first += batch.num_rows
                    if len(rejects):
                        rejects = rejects.sort_values("line", kind="stable")
                        frames.append(rejects.assign(file=str(path), table=table)[REJECT_COLUMNS])
        frames = [f for f in frames if len(f)]
        if not frames:
            return no_rejects()
        return pd.concat(frames, ignore_index=True)

    def template(self) -> dict[str, pd.DataFrame]:
        """An empty frame with the full column set of every table present."""
        out = {name: frame.iloc[0:0] for name, frame in self.loaded.items()}
        for table, columns in self.columns.items():
            out[table] = empty_frame(table, columns)
        return out


@dataclass
class Carried:
    """The tickets of one file still open after its last creation, kept for the later periods.

    ``raw`` holds them as read; once typed (``typed``: canonical rows, ``rows``: the position in
    ``raw`` of each), only the columns the read window and the copy check look at stay in ``raw``,
    and a period takes its rows from ``typed`` instead of typing them again. ``window`` remembers
    the positions in ``raw`` of the last period asked for (each is asked for several times).
    """

    raw: pa.Table
    columns: list[str]  # the columns read (all of them in ``raw`` until typed)
    typed: pd.DataFrame | None = None
    rows: np.ndarray | None = None
    ids: pa.Array | None = None  # the key of each ``raw`` row as text (the copy check's input)
    window: tuple[tuple[pd.Timestamp, pd.Timestamp], np.ndarray] | None = None


def empty_frame(table: str, columns: Sequence[str]) -> pd.DataFrame:
    spec = schema.TABLES[table]
    return pd.DataFrame(
        {c: pd.Series(dtype=schema.PANDAS_DTYPE[spec.column(c).kind]) for c in columns}
    )


def open_history(spec: InputSpec, by: Sequence[str], *, every_column: bool = False) -> History:
    """Sort the input files into Parquet read per period and the rest, loaded now.

    ``every_column`` reads every column of the files (the HTML charts show labels and comments no
    KPI reads) instead of the ones KPIs, breakdowns and checks need.
    """
    history = History(spec=spec, by=list(by))
    whole: dict[str, list[Path]] = {}
    for table, path in find_files(spec):
        whole.setdefault(table, []).append(path)
    for table, paths in list(whole.items()):
        if (
            table in SLICED
            and spec.vendor is None
            and all(
                read.file_format(p) == "parquet" and is_canonical(read.parquet_headers(p), table)
                for p in paths
            )
        ):
            wanted = needed_columns(table, by)
            present = {h for p in paths for h in read.parquet_headers(p)}
            if every_column:
                wanted = schema.TABLES[table].names
            history.files[table] = paths
            history.columns[table] = [c for c in wanted if c in present]
            del whole[table]
    if whole:
        columns = None if every_column else {table: needed_columns(table, by) for table in whole}
        rest = InputSpec(
            files=whole,
            tz=spec.tz,
            vendor=spec.vendor,
            map_files=spec.map_files,
            date_order=spec.date_order,
            decimal=spec.decimal,
            encoding=spec.encoding,
            columns=columns,
        )
        dataset = load_dataset(rest)
        history.loaded = dict(dataset.tables)
        history.reports = dataset.files
        history.loaded_rejects = dataset.rejects
        history.unusable = dict(dataset.unusable)
    return history


# ------------------------------------------------------------------------------------ read filters


def _scalar(type_: pa.DataType, stamp: pd.Timestamp, tz: str) -> pa.Scalar | None:
    """``stamp`` as a value comparable with a column of ``type_`` (None: no pushdown possible)."""
    if pa.types.is_timestamp(type_):
        if type_.tz is not None:
            return pa.scalar(
                stamp.tz_convert("UTC").to_pydatetime(), type=pa.timestamp("us", "UTC")
            ).cast(type_)
        return pa.scalar(
            stamp.tz_convert(tz).tz_localize(None).to_pydatetime(), type=pa.timestamp("us")
        ).cast(type_)
    if pa.types.is_date(type_):
        return pa.scalar(stamp.tz_convert(tz).date(), type=pa.date32()).cast(type_)
    return None


def period_filter(
    table: str, period: Period, file_schema: pa.Schema, tz: str
) -> ds.Expression | None:
    """A pushdown filter keeping (at least) every record of ``table`` that counts in ``period``."""
    start, end = period.start - MARGIN, period.end + MARGIN
    date = DATE_COLUMN[table]
    if date not in file_schema.names:
        return None
    type_ = file_schema.field(date).type
    low, high = _scalar(type_, start, tz), _scalar(type_, end, tz)
    if low is None or high is None:
        return None
    field_ = ds.field(date)
    if table != "tickets" or "resolved_at" not in file_schema.names:
        return (field_ >= low) & (field_ < high)
    resolved_type = file_schema.field("resolved_at").type
    resolved_low = _scalar(resolved_type, start, tz)
    if resolved_low is None:
        return field_ < high
    resolved = ds.field("resolved_at")
    # Created in the window, resolved in it, or still open at its end (backlog_end).
    return (field_ < high) & ((field_ >= low) | resolved.is_null() | (resolved >= resolved_low))


def _exact_window(table: str, frame: pd.DataFrame, period: Period) -> np.ndarray:
    """The same window on canonical values, for files whose dates could not be pushed down."""
    start, end = (period.start - MARGIN).tz_convert("UTC"), (period.end + MARGIN).tz_convert("UTC")
    date = frame[DATE_COLUMN[table]]
    keep = (date < end).fillna(False)
    if table == "tickets" and "resolved_at" in frame.columns:
        resolved = frame["resolved_at"]
        keep &= (date >= start).fillna(False) | resolved.isna() | (resolved >= start).fillna(False)
    else:
        keep &= (date >= start).fillna(False)
    return keep.to_numpy(dtype=bool)


# ------------------------------------------------------------------------------------- reading


def _file_dataset(path: Path) -> ds.Dataset:
    return ds.dataset(str(path), format="parquet")


def _file_schema(history: History, path: Path) -> pa.Schema:
    """A file's schema, read once per report (a history asks for it every period)."""
    if path not in history.schemas:
        history.schemas[path] = _file_dataset(path).schema
    return history.schemas[path]


def _columns_in(dataset: ds.Dataset, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in dataset.schema.names]


def _canonical(
    path: Path, table: str, data: pa.Table, spec: InputSpec, *, first_line: int = 1
) -> Canonical:
    """Type and check rows read from a canonical Parquet file exactly as the loader does: columns
    stored as their canonical kinds take the loader's typed path (no text per cell), the others
    its careful one."""
    kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
    frame = read.typed_arrow_columns(data, kinds, spec.tz)
    typed = frame is not None
    if frame is None:
        frame = data.to_pandas()
        frame.columns = [str(c) for c in frame.columns]
    headers = list(frame.columns)
    raw = read.RawTable(
        path=path,
        frame=frame,
        lines=np.arange(first_line, first_line + len(frame), dtype=np.int64),
        headers=headers,
        format="parquet",
        typed=typed,
    )
    mapped = apply_map(raw, identity_map(table, headers))
    if typed:
        return to_canonical(mapped, tz=spec.tz, typed=True)
    return to_canonical(mapped, tz=spec.tz, date_order=spec.date_order, decimal=raw.decimal)


def _finish_frame(history: History, table: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame with the table's full column set (columns a file lacks are empty, as a concat)."""
    columns = history.columns[table]
    frames = [f for f in frames if len(f)]
    combined = pd.concat(frames, ignore_index=True) if frames else empty_frame(table, columns)
    template = empty_frame(table, columns)
    for name in columns:
        if name not in combined.columns:
            combined[name] = pd.Series(pd.NA, index=combined.index).astype(template[name].dtype)
    return combined[columns]


def _read_window(
    history: History,
    table: str,
    path: Path,
    period: Period,
    columns: Sequence[str] | None = None,
    extra: ds.Expression | None = None,
) -> pa.Table:
    wanted = columns or history.columns[table]
    if extra is None:
        found = _carried_rows(history, table, path, period)
        # Kept columns only: once typed, the kept tickets as read lose the columns no later read
        # of them needs (the file has them; read it for those).
        if found is not None and all(
            c in found[0].raw.schema.names for c in wanted if c in found[0].columns
        ):
            raw = found[0].raw.take(found[1])
            return raw.select(_columns_in_table(raw, wanted))
    dataset = _file_dataset(path)
    expr = period_filter(table, period, dataset.schema, history.spec.tz)
    if extra is not None:
        expr = extra if expr is None else expr & extra
    return dataset.to_table(columns=_columns_in(dataset, wanted), filter=expr)


def _columns_in_table(data: pa.Table, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in data.schema.names]


def _touching(history: History, table: str, period: Period) -> list[Path]:
    """The files of ``table`` that can hold records of ``period``: a file whose dates all lie
    outside the read window is skipped without opening it again (a monthly history would
    otherwise open every file for every period)."""
    paths = []
    for path in history.files[table]:
        if path not in history.bounds:
            history.bounds[path] = _date_bounds(table, path)
        bounds = history.bounds[path]
        if bounds is not None:
            earliest, latest = bounds
            high = _scalar(earliest.type, period.end + MARGIN, history.spec.tz)
            low = _scalar(earliest.type, period.start - MARGIN, history.spec.tz)
            if high is not None and pc.greater_equal(earliest, high).as_py():
                continue  # created (queued, submitted) after the window
            # Tickets created before the window can still be open in it (see _carried).
            if table != "tickets" and low is not None and pc.less(latest, low).as_py():
                continue
        paths.append(path)
    return paths


def _date_bounds(table: str, path: Path) -> tuple[pa.Scalar, pa.Scalar] | None:
    dataset = _file_dataset(path)
    column = DATE_COLUMN[table]
    if column not in dataset.schema.names:
        return None
    bounds = pc.min_max(dataset.to_table(columns=[column]).column(column))
    earliest, latest = bounds["min"], bounds["max"]
    if not earliest.is_valid or _scalar(earliest.type, pd.Timestamp(0, tz="UTC"), "UTC") is None:
        return None
    return earliest, latest


def _carried_rows(
    history: History, table: str, path: Path, period: Period
) -> tuple[Carried, np.ndarray] | None:
    """The kept tickets of a file created wholly before ``period``, and the positions (in their
    ``raw`` table) of those that count in it; None when the file must be read.

    Such a file can only add tickets open across the period (backlog), and those are a subset of
    the tickets it had open after its own last creation. Keeping them once makes a history of N
    monthly files cost N reads instead of N²/2 (each period re-reading every earlier file), and
    typing them once keeps each period's work to its own records and a filter over the backlog.
    """
    if table != "tickets":
        return None
    if path not in history.latest:
        history.latest[path] = _latest_created(path)
    latest = history.latest[path]
    if latest is None:
        return None
    low = _scalar(latest.type, period.start - MARGIN, history.spec.tz)
    if low is None or not pc.less(latest, low).as_py():
        return None
    if path not in history.carried:
        history.carried[path] = _keep_open(history, path, latest)
    carried = history.carried[path]
    key = (period.start, period.end)
    if carried.window is None or carried.window[0] != key:
        expr = period_filter(table, period, carried.raw.schema, history.spec.tz)
        if expr is None:
            return None
        numbered = carried.raw.select(
            _columns_in_table(carried.raw, ["created_at", "resolved_at"])
        ).append_column("__row", pa.array(np.arange(carried.raw.num_rows, dtype=np.int64)))
        rows = ds.dataset(numbered).to_table(columns=["__row"], filter=expr).column("__row")
        carried.window = (key, rows.to_numpy())
    return carried, carried.window[1]


def _keep_open(history: History, path: Path, latest: pa.Scalar) -> Carried:
    """Read a file's tickets still open after ``latest`` and, when their values type row by row,
    type them once (the period slices take their rows from that)."""
    resolved = ds.field("resolved_at")
    dataset = _file_dataset(path)
    still_open = dataset.to_table(
        columns=_columns_in(dataset, history.columns["tickets"]),
        filter=resolved.is_null() | (resolved >= latest),
    )
    columns = list(still_open.schema.names)
    key = schema.TABLES["tickets"].key
    ids = (
        still_open.column(key).cast(pa.string()).combine_chunks()
        if key in still_open.schema.names
        else None
    )
    if not _types_row_by_row("tickets", still_open.schema):
        return Carried(still_open, columns, ids=ids)
    typed = _canonical(path, "tickets", still_open, history.spec)
    narrow = _columns_in_table(still_open, ["created_at", "resolved_at"])
    return Carried(still_open.select(narrow), columns, typed.frame, typed.lines - 1, ids)


def _types_row_by_row(table: str, file_schema: pa.Schema) -> bool:
    """Whether typing rows of these column types gives each row the value it gets in any other
    selection of rows: true of typed Parquet columns; text dates (their day/month order) and
    decimal separators of text numbers are decided from a whole column, and so are float ids."""
    spec = schema.TABLES[table]
    for column in file_schema:
        kind, type_ = spec.column(column.name).kind, column.type
        text = pa.types.is_string(type_) or pa.types.is_large_string(type_)
        if kind == "timestamp":
            ok = pa.types.is_timestamp(type_)
        elif kind == "id":
            ok = text or pa.types.is_integer(type_)
        elif kind in ("number", "int"):
            ok = pa.types.is_integer(type_) or pa.types.is_floating(type_)
        elif kind == "bool":
            ok = pa.types.is_boolean(type_)
        elif kind in ("str", "text"):
            ok = text
        else:
            ok = False
        if not ok:
            return False
    return True


def _carried_frame(history: History, table: str, path: Path, period: Period) -> pd.DataFrame | None:
    """The typed rows of a carried file that count in ``period``: what typing its slice gives
    (None when the file must be read and typed)."""
    found = _carried_rows(history, table, path, period)
    if found is None:
        return None
    carried, rows = found
    if carried.typed is None or carried.rows is None:
        return None
    typed: pd.DataFrame = carried.typed.loc[_typed_in_window(carried, rows)]
    return typed.reset_index(drop=True)


def _typed_in_window(carried: Carried, rows: np.ndarray) -> np.ndarray:
    """Which of a carried file's typed rows are at ``rows`` (positions in its ``raw`` table)."""
    assert carried.rows is not None
    wanted = np.zeros(carried.raw.num_rows, dtype=bool)
    wanted[rows] = True
    return wanted[carried.rows]


def _latest_created(path: Path) -> pa.Scalar | None:
    """The latest created_at of a tickets file (None when its timestamps do not allow carrying:
    created and resolved of different or non-timestamp types, or no dated ticket)."""
    dataset = _file_dataset(path)
    names = dataset.schema.names
    if "created_at" not in names or "resolved_at" not in names:
        return None
    created_type = dataset.schema.field("created_at").type
    if not pa.types.is_timestamp(created_type):
        return None
    if dataset.schema.field("resolved_at").type != created_type:
        return None
    latest = pc.max(dataset.to_table(columns=["created_at"]).column("created_at"))
    return latest if latest.is_valid else None


def _windowed(
    history: History, table: str, path: Path, data: pa.Table, period: Period
) -> pd.DataFrame:
    frame = _canonical(path, table, data, history.spec).frame
    if period_filter(table, period, _file_schema(history, path), history.spec.tz) is None:
        frame = frame.loc[_exact_window(table, frame, period)].reset_index(drop=True)
    return frame


def _slice_ids(history: History, table: str, period: Period) -> tuple[pa.Array, int]:
    """The distinct ids (as exported) of the period's slice, and how many slice rows carry one.

    Only the id and date columns are read; a file whose dates cannot be pushed down gives all
    its ids, which only makes the check below look at more ids than it must.
    """
    key = schema.TABLES[table].key
    arrays = []
    for path in _touching(history, table, period):
        if key not in _file_schema(history, path).names:
            continue
        found = _carried_rows(history, table, path, period)
        if found is not None and found[0].ids is not None:
            arrays.append(pc.drop_null(found[0].ids.take(found[1])))
            continue
        data = _read_window(history, table, path, period, [key])
        arrays.extend(pc.drop_null(data.column(key).cast(pa.string())).chunks)
    ids = pa.concat_arrays(arrays) if arrays else pa.array([], type=pa.string())
    return pc.unique(ids), len(ids)


def _has_copies(history: History, table: str, period: Period) -> bool:
    """Whether an id of the period's slice occurs more than once across the files (or twice in
    the slice)."""
    if table not in history.repeated:
        history.repeated[table] = _repeated_ids(history, table)
    repeated = history.repeated[table]
    if repeated is not None and not len(repeated):
        return False  # no id occurs twice in the whole history: no slice holds a copy
    ids, rows = _slice_ids(history, table, period)
    if len(ids) != rows:
        return True
    numbers = as_integers(pa.chunked_array([ids])) if len(ids) else np.empty(0, np.int64)
    if repeated is not None and numbers is not None:
        # Equal texts give equal integers, so no shared integer proves no copy.
        return bool(np.isin(numbers, repeated).any())
    key = schema.TABLES[table].key
    found = 0
    for path in history.files[table]:
        dataset = _file_dataset(path)
        if key in dataset.schema.names:
            found += dataset.count_rows(filter=ds.field(key).cast(pa.string()).isin(ids))
    return found != rows


def _repeated_ids(history: History, table: str) -> np.ndarray | None:
    """The ids, as integers (cskpi.ids.as_integers), found more than once over every file of
    ``table``: one read of the id column per file for the whole report. None when some file's ids
    do not read as integers (the per-period lookup is used then)."""
    key = schema.TABLES[table].key
    datasets = [_file_dataset(path) for path in history.files[table]]
    datasets = [dataset for dataset in datasets if key in dataset.schema.names]
    if _rising_across(datasets, key):
        return np.empty(0, dtype=np.int64)
    # Every file's integers go straight into one array, sorted in place: a long history holds
    # one integer per record once, not a list of them, their concatenation and a sorted copy.
    ordered = np.empty(sum(dataset.count_rows() for dataset in datasets), dtype=np.int64)
    filled = 0
    for dataset in datasets:
        ids = pc.drop_null(dataset.to_table(columns=[key]).column(key).cast(pa.string()))
        if not len(ids):
            continue
        numbers = as_integers(ids)
        if numbers is None:
            return None
        ordered[filled : filled + len(numbers)] = numbers
        filled += len(numbers)
    ordered = ordered[:filled]
    ordered.sort()
    return np.unique(ordered[1:][ordered[1:] == ordered[:-1]])


def _rising_across(datasets: list[ds.Dataset], key: str) -> bool:
    """Whether the ids of every file, file after file, rise in shortlex order (cskpi.ids.rising):
    a monthly history numbered as exported holds no id twice, proved without parsing one."""
    last: str | None = None
    for dataset in datasets:
        ids = dataset.to_table(columns=[key]).column(key).cast(pa.string())
        if ids.null_count or not rising(ids):
            return False
        if not len(ids):
            continue
        if last is not None and not rising(pa.chunked_array([[last], [ids[0].as_py()]])):
            return False
        last = ids[len(ids) - 1].as_py()
    return True


def _merged_copies(history: History, table: str, ids: pa.Array) -> pd.DataFrame:
    """Every copy of ``ids`` in every file, merged by the loader's rule (latest updated_at, then
    later file)."""
    key = schema.TABLES[table].key
    items: list[tuple[FileReport, Canonical]] = []
    for path in history.files[table]:
        dataset = _file_dataset(path)
        data = dataset.to_table(
            columns=_columns_in(dataset, history.columns[table]),
            filter=ds.field(key).cast(pa.string()).isin(ids),
        )
        items.append(
            (FileReport(path=str(path), table=table), _canonical(path, table, data, history.spec))
        )
    return _finish_frame(history, table, [_combine(table, items)])


def _slice(history: History, table: str, period: Period) -> pd.DataFrame:
    """Every record of ``table`` that can count in ``period`` (copies merged), canonical."""
    if schema.TABLES[table].key is not None and _has_copies(history, table, period):
        return _merged_copies(history, table, _slice_ids(history, table, period)[0])
    frames = []
    for path in _touching(history, table, period):
        typed = _carried_frame(history, table, path, period)
        if typed is not None:
            frames.append(typed)
            continue
        data = _read_window(history, table, path, period)
        if data.num_rows:
            frames.append(_windowed(history, table, path, data, period))
    return _finish_frame(history, table, frames)


def _slice_rows(history: History, table: str, period: Period) -> int:
    total = 0
    for path in _touching(history, table, period):
        carried = _carried_rows(history, table, path, period)
        if carried is not None:
            total += len(carried[1])
            continue
        dataset = _file_dataset(path)
        total += dataset.count_rows(
            filter=period_filter(table, period, dataset.schema, history.spec.tz)
        )
    return total


def _open_across(frame: pd.DataFrame, period: Period) -> np.ndarray:
    """Tickets created before ``period`` and not resolved before its end: of the period's
    records, only backlog_end's (a missing resolved_at is "not resolved")."""
    created, resolved = instants_of(frame["created_at"]), instants_of(frame["resolved_at"])
    # The comparisons of Scope.tickets_open_at_end (NaT compares False).
    return (created < period_bound(period.start, created)) & ~(
        resolved < period_bound(period.end, resolved)
    )


def open_ticket_columns(by: Sequence[str], columns: Sequence[str]) -> list[str]:
    """What backlog_end and the breakdown groups read of a ticket open across the period."""
    wanted = {"created_at", "resolved_at", *(DIMENSIONS[d] for d in by if d in DIMENSIONS)}
    return [c for c in columns if c in wanted]


def _carried_parts(
    history: History, carried: Carried, rows: np.ndarray, period: Period
) -> Iterator[tuple[pd.DataFrame, bool]]:
    """The typed rows of a carried file that count in ``period``: those open across the whole
    period (with only the columns they are read for) apart from the others."""
    typed = carried.typed
    assert typed is not None
    in_window = _typed_in_window(carried, rows)
    if {"created_at", "resolved_at"} <= set(typed.columns):
        open_across = in_window & _open_across(typed, period)
        if open_across.any():
            in_window &= ~open_across
            narrow = open_ticket_columns(history.by, list(typed.columns))
            yield typed.loc[open_across, narrow].reset_index(drop=True), True
    if in_window.any():
        yield typed.loc[in_window].reset_index(drop=True), False


class _Backlog:
    """Kept tickets of earlier files gathered into batches across files (a batch per earlier
    file would cost a KPI pass per file and period); those open across the whole period apart,
    as they feed backlog_end alone."""

    def __init__(self, history: History, table: str, max_rows: int) -> None:
        self.history, self.table, self.max_rows = history, table, max_rows
        self.pending: dict[bool, list[pd.DataFrame]] = {False: [], True: []}

    def add(self, frame: pd.DataFrame, open_only: bool) -> Iterator[tuple[pd.DataFrame, bool]]:
        held = self.pending[open_only]
        if held and sum(map(len, held)) + len(frame) > self.max_rows:
            yield from self.flush(open_only)
        self.pending[open_only].append(frame)

    def flush(self, *kinds: bool) -> Iterator[tuple[pd.DataFrame, bool]]:
        for open_only in kinds or (False, True):
            held = self.pending[open_only]
            if held:
                # Open tickets keep only the columns read of them (open_ticket_columns).
                frame = (
                    pd.concat(held, ignore_index=True)
                    if open_only
                    else _finish_frame(self.history, self.table, held)
                )
                yield frame, open_only
                self.pending[open_only] = []


def _grouped(batches: Iterable[pa.RecordBatch], max_rows: int) -> Iterator[list[pa.RecordBatch]]:
    """Non-empty record batches gathered until they hold ``max_rows`` rows (the last, fewer)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        if count >= max_rows:
            yield pending
            pending, count = [], 0
    if pending:
        yield pending


def _batches(
    history: History, table: str, period: Period, max_rows: int
) -> Iterator[tuple[pd.DataFrame, bool]]:
    """The period's records of one table, ``max_rows`` at most at a time, each batch with whether
    it holds only tickets open across the period."""
    backlog = _Backlog(history, table, max_rows)
    for path in _touching(history, table, period):
        found = _carried_rows(history, table, path, period)
        if found is not None and found[0].typed is not None:
            if len(found[1]) <= max_rows:
                for frame, open_only in _carried_parts(history, found[0], found[1], period):
                    yield from backlog.add(frame, open_only)
                continue
            found = None  # more than a batch: read them from the file (the same rows)
        yield from backlog.flush()
        if found is not None:
            raw = found[0].raw.take(found[1])
            batches: Iterable[pa.RecordBatch] = raw.to_batches(max_chunksize=max_rows)
        else:
            dataset = _file_dataset(path)
            expr = period_filter(table, period, dataset.schema, history.spec.tz)
            batches = dataset.scanner(
                columns=_columns_in(dataset, history.columns[table]),
                filter=expr,
                batch_size=max_rows,
            ).to_batches()
        for group in _grouped(batches, max_rows):
            rows = _windowed(history, table, path, pa.Table.from_batches(group), period)
            yield _finish_frame(history, table, [rows]), False
    yield from backlog.flush()


# ----------------------------------------------------------------------------------- the report


def period_tables(history: History, period: Period) -> dict[str, pd.DataFrame]:
    """Every table restricted to what can count in ``period``: what the engine needs of it."""
    tables = dict(history.loaded)
    for table in history.files:
        tables[table] = _slice(history, table, period)
    return tables


def _period_rows(history: History, period: Period, config: Config, max_rows: int) -> list[KpiValue]:
    big = [t for t in history.files if _slice_rows(history, t, period) > max_rows]
    if not big:
        return compute(period_tables(history, period), [period], history.by, config)
    keyed_copies = False
    for table in big:
        if schema.TABLES[table].key is not None:
            keyed_copies |= _has_copies(history, table, period)
    if keyed_copies:
        # Copies must meet before one is picked: merge them in memory (rare: overlapping exports).
        return compute(period_tables(history, period), [period], history.by, config)
    accumulator = PartsAccumulator(history.template(), [period], history.by, config)
    accumulator.add(history.loaded)
    # The small tables' slices go in with the first batch of a large one: one chunk of several
    # tables is evaluated in two threads, as the in-memory engine does.
    small = {t: _slice(history, t, period) for t in history.files if t not in big}
    for table in big:
        for frame, open_only in _batches(history, table, period, max_rows):
            if small and not open_only:
                accumulator.add({**small, table: frame})
                small = {}
            else:
                accumulator.add({table: frame}, open_tickets=open_only)
    if small:
        accumulator.add(small)
    return accumulator.rows()


def compute_partitioned(
    history: History, periods: Sequence[Period], config: Config, *, max_rows: int = DEFAULT_MAX_ROWS
) -> list[KpiValue]:
    """Every KPI for ``periods``, one period in memory at a time; rows in the engine's order."""
    rows: list[KpiValue] = []
    for period in periods:
        rows.extend(_period_rows(history, period, config, max_rows))
        give_back_freed_memory()  # the next period's slice would stack on this one's leftovers
    return rows


def scan(history: History, batch_rows: int = DEFAULT_MAX_ROWS) -> History:
    """Read every Parquet file once, in batches, typing its rows as the loader does: count what
    each file kept and rejected (a FileReport per file, as the loader's), collect the dates that
    place records in the default periods, and leave out a table none of whose rows is usable.

    Without it a history whose every ticket is rejected would count 0 tickets (the per-period
    reads see no row and cannot tell "none" from "none usable"), the reject threshold would not
    see those files, and one stray date would stretch the default period. Runs once.
    """
    if history.scanned:
        return history
    stamps: list[np.ndarray] = []
    used: dict[str, int] = {}
    for table, paths in history.files.items():
        column = DATE_COLUMN[table]
        for path in paths:
            dataset = _file_dataset(path)
            report = FileReport(path=str(path), table=table, format="parquet")
            counts: dict[str, int] = {}
            columns = checked_columns(table, _columns_in(dataset, history.columns[table]))
            for batch in dataset.scanner(columns=columns, batch_size=batch_rows).to_batches():
                if batch.num_rows == 0:
                    continue
                result = _canonical(
                    path,
                    table,
                    pa.Table.from_batches([batch]),
                    history.spec,
                    first_line=report.rows_read + 1,
                )
                report.rows_read += batch.num_rows
                report.rows_used += len(result.frame)
                for reason, count in result.rejects["reason"].value_counts().items():
                    counts[str(reason)] = counts.get(str(reason), 0) + int(count)
                if column in result.frame.columns:
                    stamps.append(stamp_values(result.frame[column]))
            report.rows_rejected = sum(counts.values())
            report.rejects_by_reason = counts
            history.reports.append(report)
            used[table] = used.get(table, 0) + report.rows_used
    unusable = unusable_tables(used, history.reports)
    for table in unusable:
        del history.files[table], history.columns[table]
    history.unusable.update(unusable)
    stamps += [
        stamp_values(frame[column])
        for table, column in RANGE_COLUMNS.items()
        if (frame := history.loaded.get(table)) is not None and column in frame.columns
    ]
    history.span = span_of(stamps)
    history.scanned = True
    return history


def stamp_values(stamps: pd.Series) -> np.ndarray:
    """Dates as UTC nanoseconds (naive ones as they are), as cskpi.metrics.periods.bulk_span
    reads them: 8 bytes a date, where a Series of them costs more to keep by the million."""
    stamps = stamps.dropna()
    if not len(stamps):
        return np.empty(0, dtype="int64")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC")
    return stamps.to_numpy(dtype="datetime64[ns]").view("int64")


def span_of(parts: list[np.ndarray]) -> Span | None:
    """cskpi.metrics.periods.bulk_span of dates given as :func:`stamp_values`, in one copy of
    them (span_of_instants)."""
    values = np.concatenate(parts) if parts else np.zeros(0, dtype="int64")
    parts.clear()
    give_back_freed_memory()  # the parts (a few MB each) stay in the C heap otherwise
    return span_of_instants(values)


def history_range(history: History) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Earliest and latest dated record over every table, outlier dates left out (as
    cskpi.metrics.periods.data_range does for tables in memory)."""
    span = scan(history).span
    return span.range if span is not None else None
