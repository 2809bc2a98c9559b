"""``--engine partitioned|dask``: the engines that read the files themselves, behind the pipeline's
Engine protocol (cskpi.pipeline), so a report from them has the pandas engine's rows, comparison,
significance tests, targets and charts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.io.dataset import FileReport
from cskpi.io.inputs import InputSpec
from cskpi.metrics.periods import Period, Span
from cskpi.metrics.results import KpiValue

ENGINES = ("pandas", "partitioned", "dask")


def source_text(data_dir: Path | str) -> str:
    """A data folder or URL as given; a Path turns ``s3://b/x`` into ``s3:/b/x``, undone here."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+):/(?!/)", r"\1://", str(data_dir))


def open_scaled(
    engine: str,
    spec: InputSpec,
    by: Sequence[str],
    config: Config,
    *,
    tz: str,
    scheduler: str | None = None,
    max_rows: int | None = None,
    every_column: bool = False,
) -> PartitionedEngine | DaskEngine:
    """The ``partitioned`` or ``dask`` engine over the inputs of ``spec``.

    ``every_column`` reads every column the files have (the HTML report's charts show comments
    and labels no KPI reads), not only the ones KPIs, breakdowns and checks need.
    """
    if engine == "partitioned":
        return PartitionedEngine(spec, by, config, max_rows, every_column=every_column)
    if engine == "dask":
        dask = DaskEngine.open(spec, by, config, scheduler, tz)
        dask.every_column = every_column
        return dask
    raise UsageError(f"--engine {engine!r} is not an engine. Use one of: {', '.join(ENGINES)}")


class PartitionedEngine:
    """A Parquet history one period at a time (cskpi.scale.partitioned)."""

    name = "partitioned"

    def __init__(
        self,
        spec: InputSpec,
        by: Sequence[str],
        config: Config,
        max_rows: int | None = None,
        *,
        every_column: bool = False,
    ) -> None:
        from cskpi.scale.partitioned import DEFAULT_MAX_ROWS, open_history, scan

        history = open_history(spec, by, every_column=every_column)
        self.history = scan(history, max_rows or DEFAULT_MAX_ROWS)
        self.config, self.max_rows = config, max_rows

    @property
    def files(self) -> Sequence[FileReport]:
        return self.history.reports

    @property
    def unusable(self) -> dict[str, str]:
        """Tables whose every row was rejected -> why (left out, so their KPIs are not
        available)."""
        return self.history.unusable

    def data_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        from cskpi.scale.partitioned import history_range

        return history_range(self.history)

    def data_span(self) -> Span | None:
        """The bulk of the dated records and the outlier dates the default period leaves out."""
        return self.history.span

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        from cskpi.scale.partitioned import DEFAULT_MAX_ROWS, compute_partitioned

        return compute_partitioned(
            self.history, periods, self.config, max_rows=self.max_rows or DEFAULT_MAX_ROWS
        )

    def records(self, period: Period) -> Mapping[str, pd.DataFrame]:
        from cskpi.scale.partitioned import period_tables

        return period_tables(self.history, period)

    def rejects(self) -> pd.DataFrame | None:
        return self.history.rejected()

    def close(self) -> None:
        return None


class DaskEngine:
    """Canonical Parquet tables on a Dask cluster (cskpi.scale.dask_engine)."""

    name = "dask"

    def __init__(
        self,
        client: Any,
        source: str,
        by: Sequence[str],
        config: Config,
        tz: str,
        loaded: dict[str, pd.DataFrame],
        reports: list[FileReport],
        rejects: pd.DataFrame | None,
    ) -> None:
        self.client, self.source, self.by, self.config, self.tz = client, source, by, config, tz
        self.loaded, self._files, self._rejects = loaded, reports, rejects
        self.every_column = False  # records() reads every column (the HTML charts show comments)

    @classmethod
    def open(
        cls, spec: InputSpec, by: Sequence[str], config: Config, scheduler: str | None, tz: str
    ) -> DaskEngine:
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
        reports: list[FileReport] = []
        rejects = None
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
                loaded, reports, rejects = dict(dataset.tables), dataset.files, dataset.rejects
        else:
            from cskpi.scale.dask_engine import canonical_partition

            for table, url in found.items():
                if table not in SLICED:
                    loaded[table] = canonical_partition(pd.read_parquet(url), table, tz)
        return cls(connect(scheduler), source, by, config, tz, loaded, reports, rejects)

    @property
    def files(self) -> Sequence[FileReport]:
        return self._files

    def data_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        from cskpi.scale.dask_engine import dask_range, open_dask

        return dask_range(open_dask(self.source, self.by), self.loaded, self.tz)

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        from cskpi.scale.dask_engine import compute_dask, open_dask

        frames = open_dask(self.source, self.by, periods)
        return compute_dask(
            self.client, frames, self.loaded, periods, self.by, self.config, tz=self.tz
        )

    def records(self, period: Period) -> Mapping[str, pd.DataFrame]:
        """The period's records gathered on the client (for charts and significance tests)."""
        from cskpi.scale.dask_engine import canonical_partition, open_dask

        tables = dict(self.loaded)
        lazy_frames = open_dask(self.source, self.by, [period], every_column=self.every_column)
        for table, lazy in lazy_frames.items():
            tables[table] = canonical_partition(self.client.compute(lazy).result(), table, self.tz)
        return tables

    def rejects(self) -> pd.DataFrame | None:
        """Rows rejected by the client-side loader; rows a worker rejects are left out of the
        KPIs and counted nowhere else (the workers keep no rejects)."""
        return self._rejects

    def close(self) -> None:
        self.client.close()
