"""Trends: one line per KPI over many periods, a sparkline, and whether it moved the right way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cskpi.errors import UsageError
from cskpi.insights.result import Insight
from cskpi.metrics.results import KpiValue

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """Eight-level bars scaled between the series' min and max; a gap for a missing value."""
    numbers = np.array([np.nan if v is None else float(v) for v in values])
    if np.isnan(numbers).all():
        return " " * len(numbers)
    low, high = np.nanmin(numbers), np.nanmax(numbers)
    span = high - low
    levels = np.zeros(len(numbers), dtype=int) if span == 0 else np.round(
        (numbers - low) / span * (len(BARS) - 1)).astype("float")
    return "".join(" " if np.isnan(v) else BARS[int(level)]
                   for v, level in zip(numbers, np.nan_to_num(levels), strict=True))


def judge(change: float | None, direction: str) -> str:
    """'better', 'worse', 'unchanged' by the KPI's direction; '' when it has none or no change."""
    if change is None or np.isnan(change) or direction not in ("up", "down"):
        return ""
    if change == 0:
        return "unchanged"
    return "better" if (change > 0) == (direction == "up") else "worse"


def trend(rows: Sequence[KpiValue], periods: Sequence[str], directions: Mapping[str, str], *,
          baseline: str | None = None, kpis: Sequence[str] | None = None,
          units: Mapping[str, str] | None = None, currency: str = "EUR") -> Insight:
    """Overall rows of many periods → one line per KPI with sparkline, baseline, latest, change.

    ``units`` (KPI id → unit, currency already filled in) override the rows' own units; they and
    ``currency`` go to meta so a terminal view can show values the way reports do. Numbers keep
    at most six decimals, as in the tidy CSV.
    """
    result = Insight("trend")
    if baseline is not None and baseline not in periods:
        raise UsageError(f"--baseline {baseline!r} is not one of the periods "
                         f"({periods[0]} … {periods[-1]}). Give one of them")
    base = baseline or periods[0]
    overall = [r for r in rows if r.dimension == "all" and (kpis is None or r.kpi in kpis)]
    frame = pd.DataFrame({"kpi": [r.kpi for r in overall], "period": [r.period for r in overall],
                          "value": [np.nan if r.value is None else float(r.value) for r in overall],
                          "unit": [r.unit for r in overall]})
    if frame.empty:
        result.notes.append("no KPI rows to show")
        return result
    order = list(dict.fromkeys(frame["kpi"]))
    wide = frame.pivot_table(index="kpi", columns="period", values="value", aggfunc="first",
                             dropna=False).reindex(index=order, columns=list(periods))
    own_units = frame.drop_duplicates("kpi").set_index("kpi")["unit"]
    units = pd.Series({k: (units or {}).get(k, own) for k, own in own_units.items()}, dtype="str")
    wide = wide.round(6)
    latest_period = periods[-1]
    table = pd.DataFrame(index=wide.index)
    table["unit"] = units.reindex(wide.index)
    table["trend"] = [sparkline(list(row)) for row in wide.to_numpy()]
    table["baseline"] = wide[base]
    table["latest"] = wide[latest_period]
    table["change"] = (table["latest"] - table["baseline"]).round(6)
    table["direction"] = [judge(c, directions.get(k, "none"))
                          for k, c in zip(table.index, table["change"], strict=True)]
    table = table.dropna(subset=["baseline", "latest"], how="all")
    result.tables["trend"] = table.rename_axis("kpi").reset_index()
    result.tables["trend_values"] = wide.loc[table.index].rename_axis("kpi").reset_index()
    result.meta.update(baseline=base, latest=latest_period, periods=list(periods),
                       units=table["unit"].to_dict(), currency=currency)
    return result
