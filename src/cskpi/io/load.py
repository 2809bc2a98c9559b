"""Loading what the user asked for (InputSpec) into a Dataset of canonical tables."""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from cskpi.errors import InputFileError, SchemaError, UsageError, located
from cskpi.io import genesys, read, recognise, schema
from cskpi.io import paths as paths_module
from cskpi.io.canonical import Canonical, to_canonical
from cskpi.io.dataset import Dataset, FileReport
from cskpi.io.inputs import InputSpec
from cskpi.io.vendor_maps import (
    ColumnRule,
    VendorMap,
    all_maps,
    apply_map,
    choose_headerless,
    choose_map,
    headerless_names,
    identity_map,
    normalise_header,
)

Progress = Callable[[str, int, int], None]
CSV_START = 1 << 20  # bytes read first: enough for the header, dialect and encoding checks
REJECT_COLUMNS = ["file", "line", "table", "reason", "detail", "raw"]


def no_rejects() -> pd.DataFrame:
    """An empty rejects table with the loader's columns."""
    return pd.DataFrame(columns=REJECT_COLUMNS)


def find_files(spec: InputSpec) -> list[tuple[str, Path]]:
    """(table, path) pairs: the folder's `<table>.<ext>` and `<table>/*.<ext>`, then explicit files.

    Explicit files for a table replace what the folder holds for it. Order is the file order
    used to break ties between copies of a record (later file wins).
    """
    found: dict[str, list[Path]] = {}
    if spec.data_dir is not None:
        folder = Path(spec.data_dir)
        if not folder.is_dir():
            raise InputFileError(
                located(
                    folder,
                    "data folder not found",
                    fix="Check the path, or give files with --tickets …",
                )
            )
        for table in schema.TABLES:
            paths = [
                p
                for p in sorted(folder.glob(f"{table}.*"))
                if p.suffix.lower() in read.SUFFIX_FORMAT
            ]
            sub = folder / table
            if sub.is_dir():
                paths += [
                    p
                    for p in paths_module.walk_files(sub)
                    if p.suffix.lower() in read.SUFFIX_FORMAT
                ]
            if paths:
                found[table] = paths
    for table, paths in spec.files.items():
        if table not in schema.TABLES:
            raise InputFileError(f"unknown table {table!r}. Use one of {', '.join(schema.TABLES)}")
        found[table] = [Path(p) for p in paths]
    pairs = [
        (table, paths_module.check_input(path))
        for table in schema.TABLES
        for path in found.get(table, [])
    ]
    if not pairs:
        where = spec.data_dir or "the command line"
        raise InputFileError(
            located(
                where,
                "no input files found",
                fix="Put tickets.csv, calls.csv, surveys.csv, … in the folder "
                "or name files with --tickets, --calls, …",
            )
        )
    return pairs


def input_paths(spec: InputSpec) -> list[Path]:
    """Every file a run would read (exports and map files), for the output checks of io.paths."""
    return [path for _, path in find_files(spec)] + [Path(p) for p in spec.map_files]


def load_dataset(spec: InputSpec, *, progress: Progress | None = None) -> Dataset:
    """Read, map, type and check every file; merge copies of a record found in several files."""
    _check_tz(spec.tz)
    pairs = find_files(spec)
    paths_module.check_outputs(
        spec.outputs, [p for _, p in pairs] + [*spec.map_files, *spec.protected]
    )
    maps = all_maps(spec.map_files)
    if spec.vendor:
        choose_map([], maps, spec.vendor)  # an unknown name stops before any file is read
    parts: dict[str, list[tuple[FileReport, Canonical]]] = {}
    reports: list[FileReport] = []
    present = frozenset(table for table, _ in pairs)
    if spec.keep is not None and spec.columns is not None:
        spec = dataclasses.replace(spec, columns=_ids_kept_or_key(spec, present))
    one_file = _tables_of_one_file(pairs, maps)
    ahead = _ReadAhead(spec, maps)
    for done, (table, path) in enumerate(pairs):
        if progress is not None:
            progress(f"reading {path}", done, len(pairs))
        following = pairs[done + 1] if done + 1 < len(pairs) else None
        ahead.after_read = (lambda nxt=following: ahead.start(*nxt)) if following else None
        for report, result in load_file(path, table, spec, maps, ahead=ahead):
            if spec.keep is not None:  # let go of what nothing reads, file by file
                wanted = spec.keep(report.table, present)
                merged = report.table not in one_file
                result.frame = _kept(result.frame, report.table, wanted, merged_later=merged)
                result.frame = _counts_narrowed(result.frame, report.table)
            parts.setdefault(report.table, []).append((report, result))
            reports.append(report)
    ahead.close()
    if progress is not None:
        progress("done", len(pairs), len(pairs))
    tables = {name: _combine(name, items) for name, items in parts.items()}
    rejects = [
        _rejects_frame(report, result)
        for items in parts.values()
        for report, result in items
        if len(result.rejects)
    ]
    reject_frame = pd.concat(rejects, ignore_index=True) if rejects else no_rejects()
    if spec.columns is not None:
        tables = {name: _restrict(frame, name, spec.columns) for name, frame in tables.items()}
    unusable = _unusable(tables, reports)
    tables = {name: frame for name, frame in tables.items() if name not in unusable}
    return Dataset(
        tables=tables, files=reports, rejects=reject_frame, tz=spec.tz, unusable=unusable
    )


EXCLUDED = "excluded_by_map"


def rejected_in_error(report: FileReport) -> int:
    """Rejected rows of a file that are errors: all but those a vendor map leaves out on purpose."""
    return report.rows_rejected - report.rejects_by_reason.get(EXCLUDED, 0)


def _unusable(tables: dict[str, pd.DataFrame], reports: list[FileReport]) -> dict[str, str]:
    """Tables whose files had rows but none usable -> why; such a table is left out, not zero.

    A table that reaches the KPIs with no rows would count 0 tickets; left out, its KPIs are
    "not available" and the reason names the file and its rejects.
    """
    return unusable_tables({name: len(frame) for name, frame in tables.items()}, reports)


def unusable_tables(used: dict[str, int], reports: Sequence[FileReport]) -> dict[str, str]:
    """:func:`_unusable` from the number of rows each table kept (engines that never hold a
    whole table count them instead)."""
    found: dict[str, str] = {}
    for name, rows in used.items():
        own = [r for r in reports if r.table == name]
        # Rows a vendor map leaves out on purpose (a CHAT contact in a call log) are no errors.
        if rows or not any(rejected_in_error(r) for r in own):
            continue
        parts = []
        for r in own:
            reasons = ", ".join(
                f"{count} {reason}" for reason, count in sorted(r.rejects_by_reason.items())
            )
            parts.append(f"every row of {r.path} was rejected: {reasons or 'merged'}")
        found[name] = "; ".join(parts)
    return found


def _check_tz(tz: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown timezone {tz!r}. Give an IANA name such as Europe/Helsinki or UTC"
        ) from None


def _ids_kept_or_key(spec: InputSpec, present: frozenset[str]) -> dict[str, list[str]]:
    """``spec.columns`` without the ID columns that are neither a table's key nor kept.

    An ID rejects no row: its one check is a warning that Excel destroyed IDs, which then cannot
    be matched across rows. An ID nothing keeps is matched by nothing (customer ids without a
    revenue table), so reading it would cost time and memory for a warning about nothing.
    """
    assert spec.columns is not None and spec.keep is not None
    out = {}
    for table, columns in spec.columns.items():
        known = schema.TABLES.get(table)
        if known is None or table not in present:
            out[table] = columns
            continue
        kept = set(spec.keep(table, present)) | {known.key}
        out[table] = [
            c for c in columns if c in kept or c not in known.names or known.column(c).kind != "id"
        ]
    return out


# Every whole number up to these sizes has a float of that width of its own.
_EXACT_IN_FLOAT16 = 2**11
_EXACT_IN_FLOAT32 = 2**24


def _counts_narrowed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Whole-number columns (replies, reopens, messages) held in two bytes a value when every
    value fits exactly (up to 2**11, the usual counts of a ticket), else in four when they fit
    there (up to 2**24), not eight: widening them back gives the same float64.

    Their values are whole numbers once checked (others are rejected as not_an_integer); the
    KPIs widen such a column when they read it (metrics.scope), so every figure is unchanged.
    """
    spec = schema.TABLES.get(table)
    if spec is None:
        return frame
    for column in spec.columns:
        if column.kind != "int" or column.name not in frame:
            continue
        values = frame[column.name].to_numpy()
        if values.dtype != np.float64 or not len(values):
            continue
        # The largest magnitude from the extremes (fmax/fmin pass over NaN): no |values| copy.
        highest, lowest = np.fmax.reduce(values), np.fmin.reduce(values)
        largest = 0.0 if np.isnan(highest) else max(highest, -lowest)
        if largest <= _EXACT_IN_FLOAT16:
            frame[column.name] = values.astype(np.float16)
        elif largest <= _EXACT_IN_FLOAT32:
            frame[column.name] = values.astype(np.float32)
    return frame


def _tables_of_one_file(pairs: Sequence[tuple[str, Path]], maps: list[VendorMap]) -> set[str]:
    """Tables whose rows all come from one file: no copies across files to merge, so their key
    and updated_at are not needed once that file is checked (duplicates within a file are
    rejected by its own checks). A map's further tables (``[[also]]``) may add rows from files
    of other tables, so those are never counted as one file's."""
    files = Counter(table for table, _ in pairs)
    filled_also = {further.table for vmap in maps for further in vmap.also}
    return {table for table, count in files.items() if count == 1 and table not in filled_also}


def _kept(
    frame: pd.DataFrame, table: str, wanted: Collection[str], *, merged_later: bool = True
) -> pd.DataFrame:
    """``frame`` with the ``wanted`` columns, and its key and updated_at when copies across
    files are still to be merged."""
    spec = schema.TABLES.get(table)
    merge = (spec.key, "updated_at") if spec is not None and merged_later else ()
    keep = {*wanted, *merge}
    drop = [c for c in frame.columns if c not in keep]
    return frame.drop(columns=drop) if drop else frame


def _restrict(frame: pd.DataFrame, table: str, columns: dict[str, list[str]]) -> pd.DataFrame:
    """The requested columns of a table, always with its required ones."""
    if table not in columns:
        return frame
    keep = {*schema.TABLES[table].required, *columns[table]}
    return frame[[c for c in frame.columns if c in keep]]


def _rejects_frame(report: FileReport, result: Canonical) -> pd.DataFrame:
    frame = result.rejects.sort_values("line", kind="stable").reset_index(drop=True)
    frame.insert(0, "file", report.path)
    frame.insert(2, "table", report.table)
    return frame[REJECT_COLUMNS]


def _wanted(spec: InputSpec, table: str) -> list[str] | None:
    if spec.columns is None or table not in spec.columns:
        return None
    return list(
        dict.fromkeys(
            [
                *schema.TABLES[table].required,
                *spec.columns[table],
                *(["updated_at"] if schema.TABLES[table].key else []),
            ]
        )
    )


def load_file(
    path: Path,
    table: str,
    spec: InputSpec,
    maps: list[VendorMap],
    data: bytes | None = None,
    *,
    ahead: _ReadAhead | None = None,
) -> list[tuple[FileReport, Canonical]]:
    """One file -> its canonical rows for its table (and for further tables its map fills).

    A gzip or zip file is loaded as the files it holds; ``data`` is then one of them. ``ahead``:
    the next file's canonical Parquet columns may already be read, and are read in the
    background while this file's rows are checked.
    """
    path = Path(path)
    packed = data is not None
    if not packed:
        members = read.unpack(path)
        if members is not None:
            return [
                item
                for inner, blob in members
                for item in load_file(inner, table, spec, maps, blob)
            ]
    fmt = read.file_format(path, data)
    # A CSV's first part decides how to read it; the canonical fast path then reads the file
    # itself, so the whole file is read into memory only for the careful path.
    start = data if data is not None else b""
    if data is None and fmt == "csv":
        start = read.read_start(path, CSV_START)
        if len(start) < CSV_START:
            data = start  # all of it
    if (
        (packed or fmt == "csv")
        and len(start) < 4096
        and not start.strip(b"\r\n\t \xef\xbb\xbf\xff\xfe\x00")
    ):
        raise InputFileError(
            located(path, "is empty", fix="Export the data again, with its header row")
        )
    raw: read.RawTable | None = None
    first_row: list[str] = []
    if fmt == "csv":
        headers = read.csv_headers(start, path, spec.encoding)
        first_row = _first_row(start, path, spec.encoding)
    elif fmt == "parquet":
        headers = read.parquet_headers(path, data)
    else:
        raw = genesys.call_rows(
            read.read_any(
                path,
                encoding=spec.encoding,
                data=data,
                sheet=spec.sheet,
                accept=lambda heads: _recognised(heads, table, spec, maps),
            )
        )
        headers = raw.headers
    # A CSV without a header row (Asterisk's Master.csv) is known by the values of its first row.
    headerless = (
        _forced_headerless(spec.vendor, maps, table)
        if spec.vendor
        else choose_headerless(first_row, [m for m in maps if m.table == table])
    )
    if headerless is not None and fmt == "csv":
        names = headerless_names(headerless, len(first_row))
        chosen = recognise.score_map(names, headerless, 1)
        found = recognise.Recognition(table, [chosen], chosen, forced=bool(spec.vendor))
    else:
        found = _recognise(headers, table, spec, maps, path)
    vmap = _map_to_use(found)
    if vmap is not None and vmap.fields and fmt == "csv":
        data = read.read_bytes(path) if data is None else data
        raw = read.read_csv(
            path,
            encoding=spec.encoding,
            decimal=spec.decimal,
            data=data,
            names=headerless_names(vmap, len(first_row)),
        )

    wanted = _wanted(spec, table)
    if (
        vmap is None
        and fmt == "csv"
        and spec.encoding is None
        and spec.decimal in ("auto", ".")
        and read.detect_encoding(start[:65536], path) in ("utf-8", "utf-8-sig")
    ):
        kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
        fast = read.read_canonical_csv(
            path, kinds, wanted or list(kinds), spec.tz, data, packed=packed
        )
        if fast is not None:
            start, data = b"", None  # the file's bytes are parsed: free them before typing
            mapped = apply_map(fast, identity_map(table, fast.headers), wanted=wanted)
            result = to_canonical(mapped, tz=spec.tz, typed=True)
            return [_fast_report(path, table, fast, mapped, result, found)]

    if data is None and fmt == "csv":
        data = read.read_bytes(path)
    if vmap is None and fmt == "parquet":
        fast = ahead.take(path) if ahead is not None and not packed else _NOT_READ
        if fast is _NOT_READ:
            fast = _read_canonical_parquet(path, table, spec, data)
        if ahead is not None and isinstance(fast, read.RawTable):
            ahead.read_next(len(fast.frame))
        if isinstance(fast, read.RawTable):
            mapped = apply_map(fast, identity_map(table, fast.headers), wanted=wanted)
            result = to_canonical(mapped, tz=spec.tz, typed=True)
            return [_fast_report(path, table, fast, mapped, result, found)]

    if raw is None or (vmap is not None and vmap.header_rows > 1):
        header_rows = vmap.header_rows if vmap else 1
        columns = None
        if fmt == "parquet":
            columns = _needed_sources(vmap or identity_map(table, headers), headers, wanted)
        raw = read.read_any(
            path,
            encoding=spec.encoding,
            header_rows=header_rows,
            records_key=vmap.records if vmap else None,
            columns=columns,
            decimal=spec.decimal,
            data=data,
            sheet=raw.sheet if raw is not None else spec.sheet,
        )
    elif vmap is not None and vmap.records and fmt == "json":
        raw = read.read_json(path, vmap.records, data)
    the_map = vmap or identity_map(table, raw.headers)
    if found.chosen is not None and found.chosen.guesses and vmap is not None:
        the_map = _plausible_guesses(raw, the_map, found, path)
    results = []
    for sub in (the_map, *_fillable_also(the_map, raw.headers)):
        mapped = apply_map(raw, sub, wanted=_wanted(spec, sub.table))
        result = to_canonical(mapped, tz=spec.tz, date_order=spec.date_order, decimal=raw.decimal)
        shape = raw.shape_rejects if sub is the_map else []
        if shape:
            extra = pd.DataFrame(
                {
                    "line": [line for line, _ in shape],
                    "reason": "bad_row_shape",
                    "detail": [d for _, d in shape],
                    "raw": None,
                }
            )
            result.rejects = pd.concat([result.rejects, extra], ignore_index=True)
        vendor = None if vmap is None or vmap.name == "canonical" else vmap.name
        report = _report(path, sub.table, vendor, raw, mapped, result, len(shape))
        if sub is the_map:
            report.recognition = _recognition_summary(found)
            _no_answers(report, raw, sub, mapped)
        _resolved_without_time(report, result)
        _unknown_directions(report, result)
        results.append((report, result))
    return results


def _read_canonical_parquet(
    path: Path, table: str, spec: InputSpec, data: bytes | None = None
) -> read.RawTable | None:
    kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
    return read.read_canonical_parquet(
        path,
        kinds,
        _wanted(spec, table) or list(kinds),
        spec.tz,
        data,
        categories=spec.categories.get(table, ()),
    )


_NOT_READ = object()


READ_AHEAD_ROWS_AT_MOST = 12_000_000


class _ReadAhead:
    """The next canonical Parquet file read in a background thread while this file's rows are
    checked (the checks run mostly in one thread; the reading of columns fills the other core).

    Only a plain Parquet file laid out as the canonical table is read ahead; anything else, or
    anything that goes wrong, is left to :func:`load_file`, which then reads the file itself and
    reports what it finds in the usual order.
    """

    def __init__(self, spec: InputSpec, maps: list[VendorMap]) -> None:
        self.spec, self.maps = spec, maps
        self.after_read: Callable[[], None] | None = None  # called once a file is read
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[Path, Future] = {}

    def read_next(self, rows: int) -> None:
        """Once a file of ``rows`` rows is read: start reading the next one, unless the file is
        so large that two files' buffers at once would raise the report's peak memory more
        than the overlap is worth (at 10M rows a file: −0.3 s, +70–90 MiB on a 2.1 GiB peak)."""
        if self.after_read is not None and rows <= READ_AHEAD_ROWS_AT_MOST:
            self.after_read()

    def start(self, table: str, path: Path) -> None:
        if path in self._pending:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending[path] = self._pool.submit(self._read, table, path)

    def take(self, path: Path) -> object:
        """The file's columns read ahead (a RawTable, or None: not canonical as stored), or
        _NOT_READ."""
        future = self._pending.pop(path, None)
        return _NOT_READ if future is None else future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _read(self, table: str, path: Path) -> object:
        try:
            if read.file_format(path) != "parquet" or read.unpack(path) is not None:
                return _NOT_READ
            found = recognise.recognise(
                read.parquet_headers(path),
                table,
                self.maps,
                user_maps=len(self.spec.map_files),
                forced=self.spec.vendor,
            )
            if found.forced or _map_to_use(found) is not None or found.chosen is None:
                return _NOT_READ
            return _read_canonical_parquet(path, table, self.spec)
        except Exception:  # noqa: BLE001 - load_file reads it again and says what is wrong
            return _NOT_READ


def _recognised(headers: list[str], table: str, spec: InputSpec, maps: list[VendorMap]) -> bool:
    """Whether a sheet's headers fit a layout of the table (which sheet of a workbook to read)."""
    found = recognise.recognise(headers, table, maps, user_maps=len(spec.map_files))
    return found.chosen is not None


def _forced_headerless(name: str, maps: list[VendorMap], table: str) -> VendorMap | None:
    """The --vendor map when it describes a headerless export of this table."""
    return next((m for m in maps if m.name == name and m.fields and m.table == table), None)


def _first_row(data: bytes, path: Path, encoding: str | None) -> list[str]:
    """The first record's cells as written (csv_headers renames blank and repeated ones)."""
    sample = data[:65536]
    text = sample.decode(read.detect_encoding(sample, path, encoding), errors="replace")
    text = text.lstrip("\ufeff")
    if not text.strip():
        return []
    first = text.splitlines()[0]
    return next(csv.reader([first], delimiter=read.sniff_dialect(text).delimiter), [])


def _recognise(
    headers: list[str], table: str, spec: InputSpec, maps: list[VendorMap], path: Path
) -> recognise.Recognition:
    """The layout the file is read with; stops with exit 2 naming what is missing when none fits."""
    found = recognise.recognise(
        headers, table, maps, user_maps=len(spec.map_files), forced=spec.vendor
    )
    if found.forced and found.chosen is not None and found.chosen.missing_required:
        forced = found.chosen
        expected = "; ".join(
            f"{c} (expects {_expected(forced.vmap, c)})" for c in forced.missing_required
        )
        raise SchemaError(
            located(
                path,
                f"the {forced.name} map cannot fill the required column(s) of {table}: {expected}",
                row=1,
                column=forced.missing_required[0],
                fix="Export the file with those columns, or describe it with --map FILE "
                f"(`cskpi map {path} --table {table}` writes a starter)",
            )
        )
    if found.chosen is not None:
        return found
    if not headers:
        raise InputFileError(
            located(path, "has no header row", fix="Export the data again, with its header row")
        )
    if found.elsewhere is not None:
        other = found.elsewhere.vmap
        raise SchemaError(
            located(
                path,
                f"looks like a {other.title or other.name} export, "
                f"which fills {other.table}, not {table}",
                fix=f"Pass it as --{other.table} (or move it in the folder)",
            )
        )
    closest = min(
        (c for c in found.candidates if c.missing_required),
        key=lambda c: (-c.score, c.kind, c.name),
        default=found.candidates[0],
    )
    missing = closest.missing_required[0] if closest.missing_required else table
    if closest.name == "canonical":
        why = f"required column {missing!r} of {table} is missing"
    else:
        why = (
            f"required column {missing!r} of {table} is missing "
            f"(closest: map {closest.name!r}, which expects {_expected(closest.vmap, missing)})"
        )
    raise SchemaError(
        located(
            path,
            f"{why} and the headers match no known export",
            row=1,
            column=missing,
            fix=f"Write a map for this export with `cskpi map {path} --table {table}` and pass "
            f"it with --map, or rename a column to {missing!r} (see docs/vendor-maps.md)",
        )
    )


def _fillable_also(vmap: VendorMap, headers: list[str]) -> list[VendorMap]:
    """The map's further tables whose required columns this file can fill; a forced or partly
    matching map may miss them, which loses that table, not the file."""
    return [s for s in vmap.also if not recognise.score_map(headers, s, 1).missing_required]


def _expected(vmap: VendorMap, column: str) -> str:
    rule = vmap.columns.get(column)
    return " or ".join(repr(s) for s in rule.sources) if rule and rule.sources else "no header"


def _map_to_use(found: recognise.Recognition) -> VendorMap | None:
    """None for a file with canonical names (it may take the fast typed read)."""
    chosen = found.chosen
    assert chosen is not None
    if chosen.kind == 2 and all(g.how == "canonical name" for g in chosen.guesses):
        return None
    return chosen.vmap


def _plausible_guesses(
    raw: read.RawTable, vmap: VendorMap, found: recognise.Recognition, path: Path
) -> VendorMap:
    """Drop a guessed column whose values are not of its kind (a `Resolved` yes/no column is not
    a resolution time); a required one stops the file."""
    chosen = found.chosen
    assert chosen is not None
    spec = schema.TABLES[vmap.table]
    dropped = []
    columns = dict(vmap.columns)
    for guess in chosen.guesses:
        if guess.how == "canonical name":
            continue
        kind = spec.column(guess.column).kind
        cells = raw.frame[guess.header]
        if guess.column.endswith(("_seconds", "_minutes")) and recognise.clock_durations(cells):
            columns[guess.column] = ColumnRule(guess.column, source=guess.header, unit="hms")
        elif recognise.implausible(cells, kind):
            dropped.append(guess)
    if not dropped:
        return VendorMap(**{**vmap.__dict__, "columns": columns})
    required = [g for g in dropped if spec.column(g.column).required]
    if required:
        g = required[0]
        raise SchemaError(
            located(
                path,
                f"`{g.header}` was read as {g.column} ({g.how}) but its values are not "
                f"{spec.column(g.column).kind}s",
                row=1,
                column=g.header,
                fix=f"Describe the file with --map FILE (`cskpi map {path}` writes a starter)",
            )
        )
    found.rejected_guesses = dropped
    columns = {k: v for k, v in columns.items() if k not in {g.column for g in dropped}}
    return VendorMap(**{**vmap.__dict__, "columns": columns})


def _recognition_summary(found: recognise.Recognition) -> dict:
    chosen = found.chosen
    assert chosen is not None
    second = found.runner_up
    rejected = {g.header for g in found.rejected_guesses}
    return {
        "map": chosen.name,
        "score": round(chosen.score, 3),
        "forced": found.forced,
        "runner_up": second.name if second else None,
        "runner_up_score": round(second.score, 3) if second else None,
        "used": [h for h in chosen.used if h not in rejected],
        "missed": list(chosen.missed),
        "columns_missed": list(chosen.missing_optional),
        "guesses": [
            {"header": g.header, "column": g.column, "how": g.how}
            for g in chosen.guesses
            if g.how != "canonical name" and g.header not in rejected
        ],
        "guesses_rejected": [
            {"header": g.header, "column": g.column, "how": g.how} for g in found.rejected_guesses
        ],
    }


def _fast_report(path, table, fast, mapped, result, found) -> tuple[FileReport, Canonical]:
    report = _report(path, table, None, fast, mapped, result, 0)
    report.recognition = _recognition_summary(found)
    _resolved_without_time(report, result)
    _unknown_directions(report, result)
    return report, result


def _no_answers(report: FileReport, raw: read.RawTable, vmap: VendorMap, mapped) -> None:
    """A survey export whose questions hold no NPS/CSAT/CES answer: count its responses and name
    its questions, so "0 rows" never hides a file that was read."""
    if not (vmap.melt and mapped.answers_only) or report.rows_used:
        return
    responses = len(raw.frame)
    if not report.rows_read:  # answer columns found, every one empty
        report.rows_read = responses
        report.rows_skipped = responses
        empty = [h for h, target in mapped.mapped.items() if target.startswith("score (")]
        report.warnings.append(
            f"{report.path}: none of the {responses} responses has an answer: the answer "
            f"columns {', '.join(empty)} are empty in every row"
        )
        return
    texts = dict(zip(raw.headers, raw.header_text or [], strict=False))
    takeable = [h for h in mapped.ignored if any(re.search(m.match, h) for m in vmap.melt)]

    def question_first(header: str) -> bool:  # Q1, Q2_3 … or a text asking something
        return not (re.match(r"(?i)^q\d", header) or "?" in texts.get(header, ""))

    takeable.sort(key=question_first)  # stable: file order within each group
    questions = [f"{h} ({texts[h]})" if texts.get(h) else h for h in takeable]
    shown = ", ".join(questions[:12]) + (" …" if len(questions) > 12 else "")
    report.warnings.append(
        f"{report.path}: none of the {responses} responses answers an NPS, CSAT or CES question "
        f"the {vmap.name} map knows; columns found: {shown or '-'}. To count one, add a "
        f'[[melt]] rule to a map (match = "^<column>$", survey = "csat") and pass it with --map'
    )


def _resolved_without_time(report: FileReport, result: Canonical) -> None:
    """Tickets whose status says done but carry no resolution time: counted, and said (the
    status decides nothing; resolved_at does)."""
    frame = result.frame
    if report.table != "tickets" or "status" not in frame or not len(frame):
        return
    open_rows = frame["resolved_at"].isna() if "resolved_at" in frame else None
    status = frame["status"] if open_rows is None else frame["status"][open_rows]
    # Few distinct statuses: test those, not every row.
    distinct = pd.Series(status.dropna().unique(), dtype="str")
    done_words = distinct[distinct.str.casefold().str.contains(recognise.done_pattern())]
    done = status.isin(done_words.tolist())
    count = int(done.sum())
    if count:
        report.tickets_done_without_time = count
        report.warnings.append(
            f"{report.path}: {count} ticket(s) have a resolved/closed status but no resolution "
            "time; they count as unresolved (resolved_at decides, not the status)"
        )


def _unknown_directions(report: FileReport, result: Canonical) -> None:
    """Calls whose direction is neither inbound nor outbound count as inbound (DATA.md): said,
    so an outbound call under a name no map knows (an Asterisk context) is not hidden."""
    frame = result.frame
    if report.table != "calls" or "direction" not in frame or not len(frame):
        return
    distinct = pd.Series(frame["direction"].dropna().unique(), dtype="str")
    other = distinct[~distinct.str.strip().str.casefold().isin(("inbound", "outbound"))]
    if other.empty:
        return
    count = int(frame["direction"].isin(other.tolist()).sum())
    shown = ", ".join(sorted(other.tolist())[:8]) + (" …" if len(other) > 8 else "")
    report.warnings.append(
        f"{report.path}: {count} call(s) have a direction that is neither inbound nor outbound "
        f"({shown}); they count as inbound. If some are outbound, say so in a map: "
        'direction = { from = "<column>", values = { <value> = "outbound" } }'
    )


def _needed_sources(vmap: VendorMap, headers: list[str], wanted: list[str] | None) -> list[str]:
    needed = {
        normalise_header(s)
        for rule in vmap.columns.values()
        if wanted is None
        or rule.target in wanted
        or rule.target in schema.TABLES[vmap.table].required
        for s in rule.sources
    }
    if vmap.dedupe:
        needed |= {normalise_header(vmap.dedupe.key), normalise_header(vmap.dedupe.order_by)}
    if vmap.melt or vmap.also:
        return headers
    return [h for h in headers if normalise_header(h) in needed]


def _report(
    path: Path,
    table: str,
    vendor: str | None,
    raw: read.RawTable,
    mapped,
    result: Canonical,
    shape_rejects: int,
) -> FileReport:
    used = len(result.frame)
    rejected = len(result.rejects)
    merged = mapped.merged
    read_rows = used + rejected + merged
    counts = result.rejects["reason"].value_counts()
    order = result.date_order
    return FileReport(
        path=str(path),
        table=table,
        vendor=vendor,
        format=raw.format,
        sheet=raw.sheet,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal=raw.decimal if raw.format == "csv" else None,
        date_order=order.order if order else None,
        date_order_ambiguous=bool(order and order.ambiguous),
        sha256=raw.sha256,
        rows_read=read_rows,
        rows_used=used,
        rows_rejected=rejected,
        rows_merged=merged,
        columns_mapped=dict(mapped.mapped),
        columns_ignored=list(mapped.ignored),
        warnings=[f"{path}: {w}" for w in result.warnings],
        rejects_by_reason={str(k): int(v) for k, v in counts.items()},
    )


def _combine(table: str, items: list[tuple[FileReport, Canonical]]) -> pd.DataFrame:
    """Concatenate a table's files; one copy per key (latest updated_at, else later file)."""
    spec = schema.TABLES[table]
    frames = [result.frame for _, result in items]
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        combined = frames[0].iloc[0:0] if frames else pd.DataFrame()
    elif len(non_empty) == 1:
        combined = non_empty[0]
    else:
        combined = pd.concat(non_empty, ignore_index=True)
    combined = combined.reset_index(drop=True)
    if len(items) < 2 or spec.key is None or spec.key not in combined:
        return combined
    file_index = np.concatenate([np.full(len(r.frame), i) for i, (_, r) in enumerate(items)])
    order = pd.DataFrame(
        {"key": combined[spec.key], "file": file_index, "pos": np.arange(len(combined))}
    )
    if "updated_at" in combined:
        order["updated"] = combined["updated_at"]
        order = order.sort_values(["updated", "file", "pos"], na_position="first", kind="stable")
    else:
        order = order.sort_values(["file", "pos"], kind="stable")
    dropped = order["key"].duplicated(keep="last").to_numpy()
    if not dropped.any():
        return combined
    per_file = np.bincount(order["file"].to_numpy()[dropped], minlength=len(items))
    for (report, _), count in zip(items, per_file, strict=True):
        report.rows_merged += int(count)
        report.rows_used -= int(count)
    keep = np.sort(order["pos"].to_numpy()[~dropped])
    return combined.iloc[keep].reset_index(drop=True)
