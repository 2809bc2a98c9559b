"""One way to run a report, whatever engine holds the records: ``run_report(request, engine)``.

The engine (:class:`Engine`) knows where the records are — all in memory (cskpi.scale.memory), one
period at a time from a Parquet history (partitioned) or on a Dask cluster — and gives the KPI rows
of periods, the records of a period and the rows it rejected. Everything a report adds to the
rows — the periods, the comparison with a baseline and its significance tests, targets, the HTML
chart data and the report's metadata — is done here once, the same for every engine. The CLI
parses options, opens an engine, calls :func:`run_report` and renders the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from cskpi import DEFINITIONS_VERSION, __version__
from cskpi.config import Config
from cskpi.io.dataset import FileReport
from cskpi.metrics.catalogue import kpi_catalogue
from cskpi.metrics.periods import ALL, Period, parse_periods, previous_period
from cskpi.metrics.results import KpiValue, ReportResult

PREVIOUS = "previous"
DateRange = tuple[pd.Timestamp, pd.Timestamp]
Tables = Mapping[str, pd.DataFrame]
FILE_FIELDS = (
    "path",
    "table",
    "vendor",
    "format",
    "encoding",
    "delimiter",
    "decimal",
    "date_order",
    "date_order_ambiguous",
    "sha256",
    "rows_read",
    "rows_used",
    "rows_rejected",
    "rows_merged",
    "warnings",
    "rejects_by_reason",
)


class Engine(Protocol):
    """Where a report's records are, and how the KPI rows of periods are computed from them."""

    name: str

    @property
    def files(self) -> Sequence[FileReport]:
        """What was read from each input file (rows read, used, rejected, warnings)."""
        ...

    def data_range(self) -> DateRange | None:
        """Earliest and latest dated record over every table (None when nothing is dated)."""
        ...

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        """Every KPI for ``periods``, overall and per breakdown, in metrics.engine's row order."""
        ...

    def records(self, period: Period) -> Tables | None:
        """Every table restricted to (at least) the records that can count in ``period``; None
        when the engine cannot hand them over (charts and significance tests are then left
        out)."""
        ...

    def rejects(self) -> pd.DataFrame | None:
        """The rejected rows (file, line, table, reason, detail, raw) seen so far."""
        ...

    def close(self) -> None: ...


@dataclass
class ReportRequest:
    """What a report is asked for, independent of where the records are."""

    by: list[str]
    config: Config
    tz: str
    period: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    baseline: str | Path | None = None  # "previous" or the path of a kept tidy CSV
    every: str | None = None  # a time grain splitting the periods (day, week, month, …)
    history: Any = None  # metrics.history.History: kept summaries for previous periods
    charts: bool = False  # the HTML report's chart data
    redacted: bool = False
    meta: dict[str, Any] = field(default_factory=dict)  # added to the report's metadata
    # The inputs' SHA-256 in the metadata: hashing reads every file again, so an output that
    # does not show them (the tidy CSV, the table, Markdown) leaves them out (None).
    digests: bool = True


def run_report(request: ReportRequest, engine: Engine) -> ReportResult:
    """KPI rows for the periods asked, with comparison, targets, chart data and metadata."""
    whole = (request.period or "").strip().lower() == ALL
    needs_range = whole or (not request.period and not (request.date_from and request.date_to))
    periods = parse_periods(
        request.period,
        request.date_from,
        request.date_to,
        request.tz,
        data_range=engine.data_range() if needs_range else None,
        every=request.every,
        week_start=request.config.week_start,
    )
    return run_periods(request, engine, periods)


def run_periods(request: ReportRequest, engine: Engine, periods: Sequence[Period]) -> ReportResult:
    """:func:`run_report` for periods already chosen."""
    periods = list(periods)
    rows = engine.rows(periods)
    labels = [p.label for p in periods]
    result = ReportResult(
        rows=rows,
        periods=labels,
        tz=request.tz,
        meta={
            **report_meta(
                request.config,
                request.by,
                engine.files,
                redacted=request.redacted,
                digests=request.digests,
            ),
            **request.meta,
        },
    )
    records = _PeriodRecords(engine, redact=request.redacted)
    if request.baseline is not None:
        _add_comparison(result, engine, periods, request, records)
    if request.config.targets:
        from cskpi.metrics.targets import evaluate_targets

        result.targets = evaluate_targets(rows, request.config.targets)
    if request.charts and periods:
        from cskpi.metrics.charts import chart_data

        start = min(p.start for p in periods)
        end = max(p.end for p in periods)
        span = periods[0] if len(periods) == 1 else Period(f"{labels[0]}..{labels[-1]}", start, end)
        tables = records.get(span)
        if tables is not None:
            result.charts = chart_data(dict(tables), start, end, request.tz, rows, labels)
    return result


class _PeriodRecords:
    """The records of the last two periods asked for: a comparison asks for a period and the one
    before it in turn, so two are enough to read each period once."""

    def __init__(self, engine: Engine, *, redact: bool) -> None:
        self.engine = engine
        self.salt: bytes | None = None
        if redact:
            from cskpi.io.redact import new_salt

            self.salt = new_salt()  # one salt per report, so ids match across its periods
        self.kept: dict[str, Tables | None] = {}

    def get(self, period: Period) -> Tables | None:
        if period.label not in self.kept:
            tables = self.engine.records(period)
            if tables is not None and self.salt is not None:
                from cskpi.io.redact import redact_tables

                tables = redact_tables(dict(tables), self.salt)
            if len(self.kept) >= 2:
                self.kept.pop(next(iter(self.kept)))
            self.kept[period.label] = tables
        return self.kept[period.label]


def _add_comparison(
    result: ReportResult,
    engine: Engine,
    periods: Sequence[Period],
    request: ReportRequest,
    records: _PeriodRecords,
) -> None:
    baseline = request.baseline
    assert baseline is not None
    from cskpi.metrics.compare import compare, load_baseline_csv

    samples: Callable[[KpiValue, bool], np.ndarray | None] | None = None
    if str(baseline) == PREVIOUS:
        from cskpi.metrics.engine import kpi_samples

        before = {p.label: p for p in (previous_period(p) for p in periods)}
        baseline_rows = engine.rows(list(before.values()))
        kept_periods: set[str] = set()  # previous periods read from kept summaries
        if request.history is not None:
            from cskpi.metrics.history import covered_periods, join

            covered = covered_periods(list(before.values()), engine.data_range())
            baseline_rows = [
                row
                for row in join(baseline_rows, list(before.values()), covered, request.history)
                if row.period in before
            ]
            kept_periods = set(before) - covered
        result.meta["baseline"] = "previous period (" + ", ".join(before) + ")"
        by_label = {**{p.label: p for p in periods}, **before}
        config = request.config

        def samples(row: KpiValue, is_baseline: bool) -> np.ndarray | None:
            # Record-level values let compare() test means and percentiles; a kept summary has
            # none.
            if is_baseline and row.period in kept_periods:
                return None
            period = by_label[row.period]
            tables = records.get(period)
            if tables is None:
                return None
            return kpi_samples(tables, period, row.kpi, row.dimension, row.segment, config)
    else:
        baseline_rows = load_baseline_csv(Path(baseline))
        result.meta["baseline"] = str(baseline)
    result.comparisons = compare(result.rows, baseline_rows, samples=samples)


def report_meta(
    config: Config,
    by: Sequence[str],
    files: Sequence[FileReport],
    *,
    redacted: bool,
    digests: bool = True,
) -> dict[str, Any]:
    """What every report states about itself: versions, currency, breakdowns, config, inputs."""
    return {
        "tool_version": __version__,
        "definitions_version": DEFINITIONS_VERSION,
        "currency": config.currency,
        "by": list(by),
        "config": config_meta(config),
        "files": file_meta(files, digests=digests),
        "kpis": kpi_catalogue(),
        "redacted": redacted,
    }


def file_meta(files: Sequence[FileReport], *, digests: bool = True) -> list[dict[str, Any]]:
    return [
        {
            name: None if name == "sha256" and not digests else getattr(report, name)
            for name in FILE_FIELDS
        }
        for report in files
    ]


def config_meta(config: Config) -> dict[str, Any]:
    settings = dataclasses.asdict(config)
    settings.pop("raw", None)
    return settings


def input_columns(by: Sequence[str], config: Config | None = None) -> dict[str, list[str]]:
    """The canonical columns a report over ``by`` needs loaded, per table (a columnar read).

    Every KPI's inputs and the breakdown columns, plus every column whose values can reject a row
    or raise a warning (timestamps, numbers, booleans, IDs, months), so that what is loaded,
    rejected and reported does not depend on the projection. Only labels and free text that
    nothing reads are left unread: with ``config``, also the tickets' channel and priority when
    it sets no SLA hours by them (the SLA KPIs read them for nothing else).
    """
    from cskpi.io import schema
    from cskpi.metrics.engine import check_dimensions
    from cskpi.metrics.registry import REGISTRY
    from cskpi.metrics.scope import DIMENSIONS

    wanted: dict[str, set[str]] = {name: set() for name in schema.TABLES}
    for kpi in REGISTRY:
        for item in kpi.inputs:
            table_name, _, column_name = item.partition(".")
            if column_name:
                wanted[table_name].add(column_name)
    breakdown = {DIMENSIONS[d] for d in check_dimensions(by)}
    if config is not None:
        wanted["tickets"] -= sla_labels_unread(config) - breakdown
    for name, table in schema.TABLES.items():
        for column in table.columns:
            if column.kind not in ("str", "text") or column.name in breakdown:
                wanted[name].add(column.name)
    return {
        name: [c for c in table.names if c in wanted[name]] for name, table in schema.TABLES.items()
    }


def sla_labels_unread(config: Config) -> set[str]:
    """The tickets' label columns (channel, priority) by which ``config`` sets no SLA hours: the
    SLA KPIs, their only readers, give every ticket the same hours without them."""
    from cskpi.metrics.efficiency import sla_overrides

    used = {
        column
        for kind in ("first_response", "resolution")
        for column, overrides in sla_overrides(config, kind)
        if overrides
    }
    return {"channel", "priority"} - used


def label_columns(by: Sequence[str]) -> dict[str, list[str]]:
    """The columns of :func:`input_columns` that hold labels: breakdowns, call directions, survey
    names and questions, agent ids. The KPIs only compare and group them, so a reader may hand them
    over as pandas categoricals (one small code per row, each distinct text once)."""
    from cskpi.io import schema

    return {
        name: [c for c in columns if schema.TABLES[name].column(c).kind == "str" or c == "agent_id"]
        for name, columns in input_columns(by).items()
    }


def read_columns(by: Sequence[str], table: str, present: Collection[str]) -> set[str]:
    """The columns of ``table`` a report over ``by`` reads once the rows are checked: the KPIs'
    inputs and the breakdowns. Customer ids only count customers against revenue, so without a
    revenue table the tickets' and calls' ones are not kept."""
    from cskpi.metrics.engine import check_dimensions
    from cskpi.metrics.registry import REGISTRY
    from cskpi.metrics.scope import DIMENSIONS

    read = {
        column
        for kpi in REGISTRY
        for name, _, column in (item.partition(".") for item in kpi.inputs)
        if name == table and column
    }
    if "revenue" not in present and table != "revenue":
        read.discard("customer_id")
    return read | {DIMENSIONS[d] for d in check_dimensions(by)}


def without_checked_only(tables: Tables, by: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``tables`` without the columns loaded only to check rows and merge copies (record ids,
    updated_at) that no KPI or breakdown reads: once loaded, holding them only costs memory."""
    from cskpi.io import schema
    from cskpi.metrics.engine import check_dimensions
    from cskpi.metrics.registry import REGISTRY
    from cskpi.metrics.scope import DIMENSIONS

    read = {item for kpi in REGISTRY for item in kpi.inputs}
    breakdown = {DIMENSIONS[d] for d in check_dimensions(by)}
    out = {}
    for name, frame in tables.items():
        spec = schema.TABLES.get(name)
        checked = {spec.key, "updated_at"} if spec is not None else set()
        if "revenue" not in tables and name != "revenue":
            checked.add("customer_id")  # read only to count customers against revenue
        drop = [
            c
            for c in frame.columns
            if c in checked
            and (f"{name}.{c}" not in read or c == "customer_id")
            and c not in breakdown
        ]
        out[name] = frame.drop(columns=drop) if drop else frame
    return out


def build_report(
    tables: dict[str, pd.DataFrame],
    periods: Sequence[Period],
    by: Sequence[str],
    config: Config,
    *,
    tz: str,
    files: Sequence[FileReport] = (),
    baseline: str | Path | None = None,
    charts: bool = False,
    redacted: bool = False,
    history: Any = None,
) -> ReportResult:
    """The report of tables already in memory for ``periods`` (a library entry point).

    ``history`` (metrics.history.History) gives the previous periods the raw data does not cover.
    """
    from cskpi.scale.memory import MemoryEngine

    engine = MemoryEngine(tables, config, by, files=files)
    request = ReportRequest(
        by=list(by),
        config=config,
        tz=tz,
        baseline=baseline,
        charts=charts,
        redacted=redacted,
        history=history,
    )
    return run_periods(request, engine, periods)
