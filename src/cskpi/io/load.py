"""Loading what the user asked for (InputSpec) into a Dataset of canonical tables."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from cskpi.errors import InputFileError, SchemaError, UsageError, located
from cskpi.io import genesys, read, schema
from cskpi.io import paths as paths_module
from cskpi.io.canonical import Canonical, to_canonical
from cskpi.io.dataset import Dataset, FileReport
from cskpi.io.inputs import InputSpec
from cskpi.io.vendor_maps import (
    VendorMap,
    all_maps,
    apply_map,
    choose_headerless,
    choose_map,
    headerless_names,
    identity_map,
    is_canonical,
    normalise_header,
)

Progress = Callable[[str, int, int], None]
REJECT_COLUMNS = ["file", "line", "table", "reason", "detail", "raw"]


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
    parts: dict[str, list[tuple[FileReport, Canonical]]] = {}
    reports: list[FileReport] = []
    for done, (table, path) in enumerate(pairs):
        if progress is not None:
            progress(f"reading {path}", done, len(pairs))
        for report, result in load_file(path, table, spec, maps):
            parts.setdefault(report.table, []).append((report, result))
            reports.append(report)
    if progress is not None:
        progress("done", len(pairs), len(pairs))
    tables = {name: _combine(name, items) for name, items in parts.items()}
    rejects = [
        _rejects_frame(report, result)
        for items in parts.values()
        for report, result in items
        if len(result.rejects)
    ]
    reject_frame = (
        pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    )
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
    found: dict[str, str] = {}
    for name, frame in tables.items():
        own = [r for r in reports if r.table == name]
        # Rows a vendor map leaves out on purpose (a CHAT contact in a call log) are no errors.
        if len(frame) or not any(rejected_in_error(r) for r in own):
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
    path: Path, table: str, spec: InputSpec, maps: list[VendorMap]
) -> list[tuple[FileReport, Canonical]]:
    """One file -> its canonical rows for its table (and for further tables its map fills)."""
    path = Path(path)
    fmt = read.file_format(path)
    data = read.read_bytes(path) if fmt == "csv" else None
    if data is not None and len(data) < 4096 and not data.strip(b"\r\n\t \xef\xbb\xbf\xff\xfe\x00"):
        raise InputFileError(
            located(path, "is empty", fix="Export the data again, with its header row")
        )
    raw: read.RawTable | None = None
    first_row: list[str] = []
    if fmt == "csv":
        headers = read.csv_headers(data, path, spec.encoding)
        first_row = _first_row(data, path, spec.encoding)
    elif fmt == "parquet":
        headers = read.parquet_headers(path)
    else:
        raw = genesys.call_rows(read.read_any(path, encoding=spec.encoding))
        headers = raw.headers
    # A CSV without a header row (Asterisk's Master.csv) is known by the values of its first row.
    headerless = (
        None if spec.vendor else choose_headerless(first_row, [m for m in maps if m.table == table])
    )
    vmap = headerless or _pick_map(headers, table, spec, maps, path)
    if vmap is not None and vmap.fields and fmt == "csv":
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
        and read.detect_encoding(data[:65536], path) in ("utf-8", "utf-8-sig")
    ):
        kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
        fast = read.read_canonical_csv(path, kinds, wanted or list(kinds), spec.tz, data)
        if fast is not None:
            data = None  # the file's bytes are parsed: free them before typing (peak memory)
            mapped = apply_map(fast, identity_map(table, fast.headers), wanted=wanted)
            result = to_canonical(mapped, tz=spec.tz, typed=True)
            return [(_report(path, table, None, fast, mapped, result, 0), result)]

    if vmap is None and fmt == "parquet":
        kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
        fast = read.read_canonical_parquet(path, kinds, wanted or list(kinds), spec.tz)
        if fast is not None:
            mapped = apply_map(fast, identity_map(table, fast.headers), wanted=wanted)
            result = to_canonical(mapped, tz=spec.tz, typed=True)
            return [(_report(path, table, None, fast, mapped, result, 0), result)]

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
        )
    elif vmap is not None and vmap.records and fmt == "json":
        raw = read.read_json(path, vmap.records)
    the_map = vmap or identity_map(table, raw.headers)
    results = []
    for sub in (the_map, *the_map.also):
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
        report = _report(
            path, sub.table, vmap.name if vmap else None, raw, mapped, result, len(shape)
        )
        results.append((report, result))
    return results


def _first_row(data: bytes, path: Path, encoding: str | None) -> list[str]:
    """The first record's cells as written (csv_headers renames blank and repeated ones)."""
    sample = data[:65536]
    text = sample.decode(read.detect_encoding(sample, path, encoding), errors="replace")
    text = text.lstrip("\ufeff")
    if not text.strip():
        return []
    first = text.splitlines()[0]
    return next(csv.reader([first], delimiter=read.sniff_dialect(text).delimiter), [])


def _pick_map(
    headers: list[str], table: str, spec: InputSpec, maps: list[VendorMap], path: Path
) -> VendorMap | None:
    if spec.vendor:
        forced = choose_map(headers, maps, spec.vendor)
        if forced is not None and (
            forced.table == table or any(s.table == table for s in forced.also)
        ):
            return forced
    # A vendor whose detect headers are all present wins over canonical-looking names: Zendesk's
    # ticket metrics JSON has `ticket_id` and `created_at` but is not a canonical file.
    found = choose_map(headers, maps)
    if found is not None and (found.table == table or any(s.table == table for s in found.also)):
        return found
    if is_canonical(headers, table):
        return None
    names = {normalise_header(h) for h in headers}
    missing = [c for c in schema.TABLES[table].required if c not in names]
    if found is not None:
        raise SchemaError(
            located(
                path,
                f"looks like a {found.title or found.name} export, "
                f"which fills {found.table}, not {table}",
                fix=f"Pass it as --{found.table} (or move it in the folder)",
            )
        )
    if not headers:
        raise InputFileError(
            located(path, "has no header row", fix="Export the data again, with its header row")
        )
    raise SchemaError(
        located(
            path,
            f"required column {missing[0]!r} of {table} is missing and "
            f"the headers match no known export",
            row=1,
            column=missing[0],
            fix=f"Rename a column to {missing[0]!r}, or describe the export "
            f"with --map FILE (see docs/vendor-maps.md)",
        )
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
