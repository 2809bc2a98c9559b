"""The in-memory engine: every record loaded as pandas frames, KPIs by cskpi.metrics.engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

import pandas as pd

from cskpi.config import Config
from cskpi.io.dataset import FileReport
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import Period, Span, data_span
from cskpi.metrics.results import KpiValue


class MemoryEngine:
    """Tables already loaded (io.load.load_dataset) behind the pipeline's Engine protocol."""

    name = "pandas"

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame | None],
        config: Config,
        by: Sequence[str],
        *,
        files: Sequence[FileReport] = (),
        rejects: pd.DataFrame | None = None,
    ) -> None:
        self.tables = {name: frame for name, frame in tables.items() if frame is not None}
        self.config, self.by = config, list(by)
        self._files, self._rejects = list(files), rejects

    @property
    def files(self) -> Sequence[FileReport]:
        return self._files

    def data_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        return self._span.range if self._span is not None else None

    def data_span(self) -> Span | None:
        """The bulk of the dated records and the outlier dates the default period leaves out."""
        return self._span

    @cached_property
    def _span(self) -> Span | None:
        # A median over every date: once per run, whoever asks first (the note or the periods).
        return data_span(self.tables)

    def rows(self, periods: Sequence[Period]) -> list[KpiValue]:
        return compute(self.tables, list(periods), self.by, self.config)

    def records(self, period: Period) -> Mapping[str, pd.DataFrame]:
        return self.tables

    def rejects(self) -> pd.DataFrame | None:
        return self._rejects

    def close(self) -> None:
        return None
