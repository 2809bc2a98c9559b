"""``cskpi report --engine partitioned|dask``: the pandas engine's ReportResult from a scale engine.

Without the records in memory, the HTML charts and the significance tests of ``--compare previous``
are left out; the KPI rows are the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.io.inputs import InputSpec
from cskpi.metrics.periods import Period, parse_periods, previous_period
from cskpi.report.model import KpiValue, ReportResult

ENGINES = ("pandas", "partitioned", "dask")


def source_text(data_dir: Path | str) -> str:
    """A data folder or URL as given; a Path turns ``s3://b/x`` into ``s3:/b/x``, undone here."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+):/(?!/)", r"\1://", str(data_dir))


def _periods(
    period: str | None, date_from: str | None, date_to: str | None, tz: str, data_range: Any
) -> list[Period]:
    return parse_periods(
        period, date_from, date_to, tz, data_range=data_range() if not period else None
    )


def scaled_report(
    engine: str,
    spec: InputSpec,
    by: Sequence[str],
    config: Config,
    *,
    tz: str,
    period: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    baseline: str | Path | None = None,
    scheduler: str | None = None,
    redacted: bool = False,
    max_rows: int | None = None,
) -> ReportResult:
    """Every KPI for the periods asked, by the ``partitioned`` or ``dask`` engine."""
    if engine == "partitioned":
        compute, files = _partitioned(spec, by, config, max_rows)
        periods = _periods(period, date_from, date_to, tz, compute.data_range)
    elif engine == "dask":
        compute, files = _dask(spec, by, config, scheduler, tz)
        periods = _periods(period, date_from, date_to, tz, compute.data_range)
    else:
        raise UsageError(f"unknown engine {engine!r}. Use one of: {', '.join(ENGINES)}")
    try:
        return _result(
            compute,
            periods,
            by,
            config,
            tz=tz,
            files=files,
            baseline=baseline,
            redacted=redacted,
            engine=engine,
        )
    finally:
        compute.close()


class _Partitioned:
    def __init__(self, history: Any, config: Config, max_rows: int | None) -> None:
        self.history, self.config, self.max_rows = history, config, max_rows

    def data_range(self) -> Any:
        from cskpi.scale.partitioned import history_range

        return history_range(self.history)

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        from cskpi.scale.partitioned import DEFAULT_MAX_ROWS, compute_partitioned

        return compute_partitioned(
            self.history, periods, self.config, max_rows=self.max_rows or DEFAULT_MAX_ROWS
        )

    def close(self) -> None:
        return None


def _partitioned(
    spec: InputSpec, by: Sequence[str], config: Config, max_rows: int | None
) -> tuple[_Partitioned, list[Any]]:
    from cskpi.scale.partitioned import open_history

    history = open_history(spec, by)
    return _Partitioned(history, config, max_rows), history.reports


class _Dask:
    def __init__(
        self,
        client: Any,
        source: str,
        by: Sequence[str],
        config: Config,
        tz: str,
        loaded: dict[str, Any],
    ) -> None:
        self.client, self.source, self.by, self.config, self.tz = client, source, by, config, tz
        self.loaded = loaded

    def data_range(self) -> Any:
        from cskpi.scale.dask_engine import dask_range, open_dask

        return dask_range(open_dask(self.source, self.by), self.loaded, self.tz)

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        from cskpi.scale.dask_engine import compute_dask, open_dask

        frames = open_dask(self.source, self.by, periods)
        return compute_dask(
            self.client, frames, self.loaded, periods, self.by, self.config, tz=self.tz
        )

    def close(self) -> None:
        self.client.close()


def _dask(
    spec: InputSpec, by: Sequence[str], config: Config, scheduler: str | None, tz: str
) -> tuple[_Dask, list[Any]]:
    from cskpi.io.load import find_files, load_dataset
    from cskpi.scale.columns import needed_columns
    from cskpi.scale.dask_engine import connect, find_parquet
    from cskpi.scale.partitioned import SLICED

    if spec.data_dir is None or spec.files:
        raise UsageError(
            "--engine dask reads a data folder or URL of Parquet files "
            "(tickets/*.parquet, …). Give it as the data argument instead of --tickets …"
        )
    source = source_text(spec.data_dir)
    found = find_parquet(source)
    loaded: dict[str, Any] = {}
    reports: list[Any] = []
    if "://" not in source:
        # Small or non-Parquet tables of a local folder: the ordinary loader, on the client.
        rest: dict[str, list[Path]] = {}
        for table, path in find_files(spec):
            if table not in found or table not in SLICED:
                rest.setdefault(table, []).append(path)
        if rest:
            dataset = load_dataset(
                InputSpec(
                    files=rest,
                    tz=spec.tz,
                    vendor=spec.vendor,
                    map_files=spec.map_files,
                    date_order=spec.date_order,
                    columns={t: needed_columns(t, by) for t in rest},
                )
            )
            loaded, reports = dict(dataset.tables), dataset.files
    else:
        import pandas as pd

        from cskpi.scale.dask_engine import canonical_partition

        for table, path in found.items():
            if table not in SLICED:
                loaded[table] = canonical_partition(pd.read_parquet(path), table, tz)
    return _Dask(connect(scheduler), source, by, config, tz, loaded), reports


def _result(
    compute: Any,
    periods: list[Period],
    by: Sequence[str],
    config: Config,
    *,
    tz: str,
    files: list[Any],
    baseline: str | Path | None,
    redacted: bool,
    engine: str,
) -> ReportResult:
    from cskpi.report.build import PREVIOUS, report_meta

    rows = compute.rows(periods)
    result = ReportResult(
        rows=rows,
        periods=[p.label for p in periods],
        tz=tz,
        meta={**report_meta(config, by, files, redacted=redacted), "engine": engine},
    )
    if baseline is not None:
        from cskpi.report.compare import compare, load_baseline_csv

        if str(baseline) == PREVIOUS:
            before = list({p.label: p for p in (previous_period(p) for p in periods)}.values())
            baseline_rows = compute.rows(before)
            result.meta["baseline"] = "previous period (" + ", ".join(p.label for p in before) + ")"
        else:
            baseline_rows = load_baseline_csv(Path(baseline))
            result.meta["baseline"] = str(baseline)
        result.comparisons = compare(result.rows, baseline_rows)
    if config.targets:
        from cskpi.report.targets import evaluate_targets

        result.targets = evaluate_targets(rows, config.targets)
    return result
