"""Assemble a :class:`ReportResult`: KPI rows, baseline comparison, targets, metadata and charts.

This is the library function behind ``cskpi report``; the CLI only parses options around it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cskpi import DEFINITIONS_VERSION, __version__
from cskpi.config import Config
from cskpi.io.dataset import FileReport
from cskpi.report.model import KpiValue, ReportResult

PREVIOUS = "previous"
# The column that dates each table's records (KPIS.md conventions), for the default periods.
DATE_COLUMNS = {
    "tickets": "created_at",
    "calls": "queued_at",
    "surveys": "submitted_at",
    "revenue": "date",
}
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


def report_meta(
    config: Config, by: Sequence[str], files: Sequence[Any], *, redacted: bool
) -> dict[str, Any]:
    """What every report states about itself: versions, currency, breakdowns, config, inputs."""
    return {
        "tool_version": __version__,
        "definitions_version": DEFINITIONS_VERSION,
        "currency": config.currency,
        "by": list(by),
        "config": config_meta(config),
        "files": file_meta(files),
        "kpis": kpi_catalogue(),
        "redacted": redacted,
    }


def data_range(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Earliest and latest dated record over every table, outlier dates left out (None when
    nothing is dated)."""
    span = data_span(tables)
    return span.range if span is not None else None


def data_span(tables: dict[str, pd.DataFrame]):
    """The bulk of the dated records over every table, and the outliers it leaves out."""
    from cskpi.metrics.periods import bulk_span

    return bulk_span(
        [
            tables[table][column]
            for table, column in DATE_COLUMNS.items()
            if table in tables and column in tables[table].columns
        ]
    )


def kpi_catalogue() -> dict[str, dict[str, str]]:
    """Label, area, unit and direction of every registered KPI, as the renderers read them."""
    from cskpi.metrics.registry import REGISTRY

    definitions = REGISTRY.values() if isinstance(REGISTRY, dict) else REGISTRY
    return {
        d.id: {
            "label": d.label,
            "area": str(d.area),
            "unit": str(d.unit),
            "direction": str(d.direction),
        }
        for d in definitions
    }


def file_meta(files: Sequence[FileReport]) -> list[dict[str, Any]]:
    return [{name: getattr(report, name) for name in FILE_FIELDS} for report in files]


def config_meta(config: Config) -> dict[str, Any]:
    settings = dataclasses.asdict(config)
    settings.pop("raw", None)
    return settings


def build_report(
    tables: dict[str, pd.DataFrame],
    periods: Sequence[Any],
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
    """Compute every KPI for ``periods`` (metrics.periods.Period) and what the report adds to them.

    ``baseline`` is ``"previous"`` (the same KPIs over the period before each one) or the path of
    a tidy CSV kept from an earlier run. ``charts`` adds the HTML report's chart data.
    ``history`` (report.history.History) gives the previous periods the raw data does not cover.
    """
    from cskpi.metrics.engine import compute

    rows = compute(tables, list(periods), list(by), config)
    labels = [p.label for p in periods]
    result = ReportResult(
        rows=rows,
        periods=labels,
        tz=tz,
        meta=report_meta(config, by, files, redacted=redacted),
    )
    if baseline is not None:
        _add_comparison(result, tables, periods, by, config, baseline, history)
    if config.targets:
        from cskpi.report.targets import evaluate_targets

        result.targets = evaluate_targets(rows, config.targets)
    if charts and periods:
        from cskpi.report.charts import chart_data

        start = min(p.start for p in periods)
        end = max(p.end for p in periods)
        result.charts = chart_data(tables, start, end, tz, rows, labels)
    return result


def _add_comparison(
    result: ReportResult,
    tables: dict[str, pd.DataFrame],
    periods: Sequence[Any],
    by: Sequence[str],
    config: Config,
    baseline: str | Path,
    history: Any = None,
) -> None:
    from cskpi.metrics.engine import compute
    from cskpi.report.compare import compare, load_baseline_csv

    samples = None
    if str(baseline) == PREVIOUS:
        from cskpi.metrics.engine import kpi_samples
        from cskpi.metrics.periods import previous_period

        before = {p.label: p for p in (previous_period(p) for p in periods)}
        baseline_rows = compute(tables, list(before.values()), list(by), config)
        kept_periods: set[str] = set()  # previous periods read from kept summaries
        if history is not None:
            from cskpi.report.history import covered_periods, join

            covered = covered_periods(list(before.values()), data_range(tables))
            baseline_rows = [
                row
                for row in join(baseline_rows, list(before.values()), covered, history)
                if row.period in before
            ]
            kept_periods = set(before) - covered
        result.meta["baseline"] = "previous period (" + ", ".join(before) + ")"
        by_label = {**{p.label: p for p in periods}, **before}

        def samples(row: KpiValue, is_baseline: bool) -> Any:
            # Record-level values let compare() test means and medians (Mann-Whitney U); a kept
            # summary has none.
            if is_baseline and row.period in kept_periods:
                return None
            return kpi_samples(
                tables, by_label[row.period], row.kpi, row.dimension, row.segment, config
            )
    else:
        baseline_rows = load_baseline_csv(Path(baseline))
        result.meta["baseline"] = str(baseline)
    result.comparisons = compare(result.rows, baseline_rows, samples=samples)
