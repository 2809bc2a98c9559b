"""Canonical frames for tests, typed exactly as cskpi.io.schema declares."""

from __future__ import annotations

import pandas as pd

from cskpi.config import Config
from cskpi.io.schema import PANDAS_DTYPE, TABLES
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_periods


def frame(table: str, **columns: list) -> pd.DataFrame:
    """A canonical table holding only the given columns; timestamps are UTC ISO strings."""
    spec = TABLES[table]
    out = {}
    for name, values in columns.items():
        dtype = PANDAS_DTYPE[spec.column(name).kind]
        if dtype.startswith("datetime64"):
            out[name] = pd.to_datetime(
                pd.Series(values, dtype=object), utc=True, format="ISO8601"
            ).astype(dtype)
        else:
            out[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(out)


def kpis(
    tables: dict,
    period: str = "2026-10",
    by: tuple[str, ...] = (),
    config: Config | None = None,
    **period_args,
) -> dict:
    """{(dimension, segment, kpi): KpiValue} of one period."""
    periods = parse_periods(
        period if not period_args else None,
        period_args.get("date_from"),
        period_args.get("date_to"),
        period_args.get("tz", "UTC"),
    )
    rows = compute(tables, periods, list(by), config or Config())
    return {(r.dimension, r.segment, r.kpi): r for r in rows}


def overall(tables: dict, kpi: str, **kw):
    return kpis(tables, **kw)[("all", "all", kpi)]
