"""The `validate` command: what was read, used and rejected, and which KPIs the data allows."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cskpi.cli import loading, options
from cskpi.cli.errors import user_errors
from cskpi.errors import UsageError

Format = Annotated[str, typer.Option("--format", metavar="FORMAT", help="table or json.")]


def _registry() -> list[object] | None:
    try:
        from cskpi.metrics.registry import REGISTRY
    except ImportError:
        return None
    return list(REGISTRY)


def validate(
    data_dir: options.DataDir = None,
    tickets: options.Tickets = None,
    calls: options.Calls = None,
    surveys: options.Surveys = None,
    costs: options.Costs = None,
    agents: options.Agents = None,
    revenue: options.Revenue = None,
    format: Format = "table",
    rejects: options.Rejects = None,
    max_reject_rate: options.MaxRejectRate = None,
    tz: options.Tz = None,
    config_path: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="cskpi.toml to use (default: the one in the data folder).",
        ),
    ] = None,
    vendor: options.Vendor = None,
    map_files: options.MapFile = None,
    date_order: options.DateOrder = "auto",
    decimal: options.Decimal = "auto",
    encoding: options.Encoding = None,
    sheet: options.Sheet = None,
    quiet: options.Quiet = False,
    debug: options.Debug = False,
) -> None:
    """Check the exports: files, vendors, dialects, rows used and rejected, KPIs available."""
    from cskpi.io.availability import kpi_availability
    from cskpi.io.load import load_dataset, no_rejects
    from cskpi.report.output import write_rejects

    with user_errors(debug):
        if format not in ("table", "json"):
            raise UsageError(f"unknown --format {format!r}. Use table or json")

        config = options.load_settings(config_path, data_dir)
        reject_limit = options.resolve_reject_rate(max_reject_rate, config)
        spec = options.input_spec(
            locals(),
            options.resolve_tz(tz, config),
            outputs={"--rejects": rejects},
            protected=[config.source],
        )

        def progress(message: str, done: int, total: int) -> None:
            if not quiet and total > 1 and done < total:
                print(f"[{done + 1}/{total}] {message}", file=sys.stderr)

        dataset = load_dataset(spec, progress=progress)
        if rejects is not None:
            write_rejects(
                rejects, dataset.rejects if dataset.rejects is not None else no_rejects(), raw=False
            )
        registry = _registry()
        kpis = (
            kpi_availability(
                dataset.tables,
                registry,
                business_hours_configured=config.business_hours is not None,
                unusable={**_unusable(dataset), **dataset.unusable},
            )
            if registry is not None
            else None
        )
        summary = _summary(dataset, kpis, registry)
        if not quiet:
            for report in dataset.files:
                for warning in report.warnings:
                    print(f"warning: {warning}", file=sys.stderr)
        if format == "json":
            print(json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False))
        else:
            print(_as_text(summary))
        loading.fail_on_rejects(dataset, reject_limit)


def _unusable(dataset) -> dict[str, str]:
    """Tables whose files held rows but gave none to use (also when a map left every row out)."""
    read: dict[str, int] = {}
    used: dict[str, int] = {}
    for report in dataset.files:
        read[report.table] = read.get(report.table, 0) + report.rows_read
        used[report.table] = used.get(report.table, 0) + report.rows_used
    return {
        t: f"no usable {t} row: every row read was rejected or had no answer"
        for t, n in read.items()
        if n and not used[t]
    }


def _lost_kpis(table: str, columns: list[str], kpis, registry) -> list[str]:
    """The unavailable KPIs that need one of these columns of ``table``."""
    if kpis is None or registry is None:
        return []
    missing = {f"{table}.{c}" for c in columns}
    why = {k.kpi: k.reason for k in kpis if not k.available}
    return [
        str(k.id)
        for k in registry
        if str(k.id) in why
        and any(
            needed in missing and needed.partition(".")[2] in why[str(k.id)]
            for needed in map(str, getattr(k, "inputs", ()))
        )
    ]


def _summary(dataset, kpis, registry=None) -> dict:
    tables: dict[str, dict] = {}
    for report in dataset.files:
        entry = tables.setdefault(
            report.table,
            {"rows_read": 0, "rows_used": 0, "rows_rejected": 0, "rows_merged": 0, "files": []},
        )
        for key in ("rows_read", "rows_used", "rows_rejected", "rows_merged"):
            entry[key] += getattr(report, key)
        entry["files"].append(
            {
                "path": report.path,
                "vendor": report.vendor or "canonical",
                "format": report.format,
                "sheet": report.sheet,
                "encoding": report.encoding,
                "delimiter": report.delimiter,
                "decimal": report.decimal,
                "date_order": report.date_order,
                "date_order_ambiguous": report.date_order_ambiguous,
                "rows_read": report.rows_read,
                "rows_used": report.rows_used,
                "rows_rejected": report.rows_rejected,
                "rows_merged": report.rows_merged,
                "rejects_by_reason": report.rejects_by_reason,
                "columns_mapped": report.columns_mapped,
                "columns_ignored": report.columns_ignored,
                "warnings": report.warnings,
                "rows_skipped": report.rows_skipped,
                "tickets_done_without_time": report.tickets_done_without_time,
                "recognition": _recognition(report, kpis, registry),
            }
        )
    from cskpi.io.schema import TABLES
    from cskpi.metrics.periods import bulk_span

    for name, frame in dataset.tables.items():
        entry = tables.setdefault(
            name,
            {"rows_read": 0, "rows_used": 0, "rows_rejected": 0, "rows_merged": 0, "files": []},
        )
        entry["columns"] = list(frame.columns)
        stamps = [c.name for c in TABLES[name].columns if c.kind == "timestamp" and c.name in frame]
        if stamps and len(frame):
            first = frame[stamps[0]]
            entry["date_range"] = [_iso(first.min()), _iso(first.max())]
            entry["date_column"] = stamps[0]
            span = bulk_span([first])
            if span is not None and span.outliers:
                entry["date_outliers"] = {
                    "count": span.outliers,
                    "examples": [_iso(stamp) for stamp in span.examples],
                    "bulk": [_iso(span.low), _iso(span.high)],
                }
    summary: dict = {"tables": tables}
    if kpis is not None:
        summary["kpis_available"] = [k.kpi for k in kpis if k.available]
        summary["kpis_not_available"] = {k.kpi: k.reason for k in kpis if not k.available}
    return summary


def _recognition(report, kpis, registry) -> dict | None:
    found = report.recognition
    if found is None:
        return None
    return {
        **found,
        "kpis_lost": _lost_kpis(report.table, found["columns_missed"], kpis, registry),
    }


def _iso(value) -> str | None:
    return None if value is None or value != value else value.isoformat()


def _as_text(summary: dict) -> str:
    out = []
    for name, entry in summary["tables"].items():
        out.append(
            f"{name}: {entry['rows_used']:,} rows used of {entry['rows_read']:,} read, "
            f"{entry['rows_rejected']:,} rejected, {entry['rows_merged']:,} merged"
        )
        if entry.get("date_range"):
            out.append(
                f"  {entry['date_column']}: {entry['date_range'][0]} .. {entry['date_range'][1]}"
            )
        if entry.get("date_outliers"):
            far = entry["date_outliers"]
            shown = ", ".join(far["examples"])
            out.append(
                f"  {far['count']:,} outlier date(s) far from the rest ({shown}"
                f"{', …' if far['count'] > len(far['examples']) else ''}): left out of the "
                f"default period, which covers {far['bulk'][0][:10]} .. {far['bulk'][1][:10]}"
            )
        for f in entry["files"]:
            dialect = (
                f"{f['encoding']}, delimiter {f['delimiter']!r}, decimal {f['decimal']!r}"
                if f["format"] == "csv"
                else f["format"] + (f", sheet {f['sheet']!r}" if f.get("sheet") else "")
            )
            order = f["date_order"] or "-"
            if f["date_order_ambiguous"]:
                order += " (ambiguous: no date proves the order; use --date-order)"
            out.append(f"  {Path(f['path']).name}: vendor {f['vendor']}, {dialect}, dates {order}")
            out.append(
                f"    read {f['rows_read']:,}, used {f['rows_used']:,}, rejected "
                f"{f['rows_rejected']:,}, merged {f['rows_merged']:,}"
                + (f", without an answer {f['rows_skipped']:,}" if f["rows_skipped"] else "")
            )
            out += _recognition_lines(f["recognition"])
            if f["tickets_done_without_time"]:
                out.append(
                    f"    warning: {f['tickets_done_without_time']:,} ticket(s) say resolved or "
                    "closed but have no resolution time"
                )
            for reason, count in sorted(f["rejects_by_reason"].items()):
                out.append(f"    rejected {reason}: {count:,}")
            pairs = f["columns_mapped"].items()
            if pairs and all(source == column for source, column in pairs):
                out.append(f"    columns: {', '.join(f['columns_mapped'])}")
            else:
                mapped = ", ".join(f"{s} -> {c}" for s, c in pairs)
                out.append(f"    mapped: {mapped or '-'}")
            if f["columns_ignored"]:
                out.append(f"    ignored: {', '.join(f['columns_ignored'])}")
    if "kpis_available" in summary:
        out.append(
            f"KPIs available ({len(summary['kpis_available'])}): "
            f"{', '.join(summary['kpis_available']) or '-'}"
        )
        if summary["kpis_not_available"]:
            out.append(f"KPIs not available ({len(summary['kpis_not_available'])}):")
            out += [f"  {k}: {why}" for k, why in summary["kpis_not_available"].items()]
    else:
        out.append("KPIs: the KPI catalogue is not installed, so availability is not shown")
    return "\n".join(out)


def _recognition_lines(found: dict | None) -> list[str]:
    if found is None:
        return []
    how = "forced with --vendor" if found["forced"] else "recognised"
    second = (
        f"; runner-up {found['runner_up']} {found['runner_up_score']:.2f}"
        if found["runner_up"]
        else ""
    )
    lines = [f"    layout: {found['map']} ({how}, score {found['score']:.2f}{second})"]
    lines += [f"    `{g['header']}` read as {g['column']} ({g['how']})" for g in found["guesses"]]
    lines += [
        f"    `{g['header']}` not read as {g['column']} ({g['how']}): "
        "its values are not of that kind"
        for g in found["guesses_rejected"]
    ]
    if found["missed"]:
        lines.append(f"    missed: {', '.join(found['missed'])}")
    if found["kpis_lost"]:
        lines.append(f"    KPIs lost by the missed columns: {', '.join(found['kpis_lost'])}")
    return lines


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
