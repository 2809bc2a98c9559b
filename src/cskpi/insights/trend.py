"""Trends: one line per KPI over many periods, a sparkline, and whether it moved the right way.

The latest period is compared with the baseline by the test that fits the KPI's statistic
(:mod:`cskpi.metrics.compare`, Benjamini–Hochberg over all KPIs shown); a change is called
better or worse only when that test finds it significant. Control limits across all periods
flag single periods outside the usual variation: a p-chart for rates (limits from each
period's own n), an XmR chart (individuals, limits at mean ± 2.66 × mean moving range) for
everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cskpi.errors import UsageError
from cskpi.insights.result import Insight
from cskpi.metrics.compare import SHARE, Samples, compare, statistic_of
from cskpi.metrics.results import KpiValue

BARS = "▁▂▃▄▅▆▇█"
XMR_FACTOR = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two
MIN_CONTROL_PERIODS = 3
NOT_SIGNIFICANT = "not_significant"  # shown as "no significant change"


def sparkline(values: Sequence[float | None]) -> str:
    """Eight-level bars scaled between the series' min and max; a gap for a missing value."""
    numbers = np.array([np.nan if v is None else float(v) for v in values])
    if np.isnan(numbers).all():
        return " " * len(numbers)
    low, high = np.nanmin(numbers), np.nanmax(numbers)
    span = high - low
    levels = (
        np.zeros(len(numbers), dtype=int)
        if span == 0
        else np.round((numbers - low) / span * (len(BARS) - 1)).astype("float")
    )
    return "".join(
        " " if np.isnan(v) else BARS[int(level)]
        for v, level in zip(numbers, np.nan_to_num(levels), strict=True)
    )


def judge(change: float | None, direction: str) -> str:
    """'better', 'worse', 'unchanged' by the KPI's direction; '' when it has none or no change."""
    if change is None or np.isnan(change) or direction not in ("up", "down"):
        return ""
    if change == 0:
        return "unchanged"
    return "better" if (change > 0) == (direction == "up") else "worse"


def p_chart(values: np.ndarray, n: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Centre and per-period 3-sigma limits (in %) of rates ``values`` (%) on ``n`` records."""
    known = ~np.isnan(values) & (n > 0)
    centre = float((values[known] / 100 * n[known]).sum() / n[known].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(centre * (1 - centre) / n)
    return (
        100 * centre,
        np.clip(100 * (centre - 3 * sigma), 0, 100),
        np.clip(100 * (centre + 3 * sigma), 0, 100),
    )


def xmr_chart(values: np.ndarray) -> tuple[float, float, float]:
    """Centre, lower and upper natural process limits of an individuals (XmR) chart."""
    known = values[~np.isnan(values)]
    centre = float(known.mean())
    spread = XMR_FACTOR * float(np.abs(np.diff(known)).mean())
    return centre, centre - spread, centre + spread


def control_limits(wide: pd.DataFrame, counts: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    """One row per KPI and period: value, chart, centre, limits and whether it falls outside."""
    parts = []
    for kpi, values in wide.iterrows():
        x = values.to_numpy(dtype="float64")
        if (~np.isnan(x)).sum() < MIN_CONTROL_PERIODS:
            continue
        n = counts.loc[kpi].to_numpy(dtype="float64")
        if statistic_of(str(kpi), units.get(kpi, ""))[0] == SHARE and not np.isnan(n).any():
            chart, (centre, lower, upper) = "p-chart", p_chart(x, n)
        else:
            chart, (centre, lower, upper) = "XmR", xmr_chart(x)
        lower, upper = np.broadcast_to(lower, x.shape), np.broadcast_to(upper, x.shape)
        parts.append(
            pd.DataFrame(
                {
                    "kpi": kpi,
                    "period": wide.columns,
                    "value": x,
                    "chart": chart,
                    "centre": round(centre, 6),
                    "lower": np.round(lower, 6),
                    "upper": np.round(upper, 6),
                    "outside": ~np.isnan(x) & ((x < lower) | (x > upper)),
                }
            )
        )
    columns = ["kpi", "period", "value", "chart", "centre", "lower", "upper", "outside"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def trend(
    rows: Sequence[KpiValue],
    periods: Sequence[str],
    directions: Mapping[str, str],
    *,
    baseline: str | None = None,
    kpis: Sequence[str] | None = None,
    units: Mapping[str, str] | None = None,
    currency: str = "EUR",
    samples: Samples | None = None,
) -> Insight:
    """Overall rows of many periods → one line per KPI with sparkline, baseline, latest, change.

    ``units`` (KPI id → unit, currency already filled in) override the rows' own units; they and
    ``currency`` go to meta so a terminal view can show values the way reports do. Numbers keep
    at most six decimals, as in the tidy CSV. ``samples`` gives record-level values (see
    :func:`cskpi.metrics.compare.compare`) so means and percentiles can be tested too.
    """
    result = Insight("trend")
    if baseline is not None and baseline not in periods:
        raise UsageError(
            f"--baseline {baseline!r} is not one of the periods "
            f"({periods[0]} … {periods[-1]}). Give one of them"
        )
    base = baseline or periods[0]
    overall = [r for r in rows if r.dimension == "all" and (kpis is None or r.kpi in kpis)]
    frame = pd.DataFrame(
        {
            "kpi": [r.kpi for r in overall],
            "period": [r.period for r in overall],
            "value": [np.nan if r.value is None else float(r.value) for r in overall],
            "unit": [r.unit for r in overall],
            "n": [np.nan if r.n is None else float(r.n) for r in overall],
        }
    )
    if frame.empty:
        result.notes.append("no KPI rows to show")
        return result
    order = list(dict.fromkeys(frame["kpi"]))
    wide = frame.pivot_table(
        index="kpi", columns="period", values="value", aggfunc="first", dropna=False
    ).reindex(index=order, columns=list(periods))
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
    tested = _tests(overall, base, latest_period, units, samples)
    for column in ("test", "p_value", "q_value", "significant"):
        table[column] = [getattr(tested.get(k), column, None) for k in table.index]
    table["direction"] = [
        ""
        if significant is None
        else judge(c, directions.get(k, "none"))
        if significant
        else NOT_SIGNIFICANT
        for k, c, significant in zip(
            table.index, table["change"], table["significant"], strict=True
        )
    ]
    counts = frame.pivot_table(
        index="kpi", columns="period", values="n", aggfunc="first", dropna=False
    ).reindex(index=order, columns=list(periods))
    limits = control_limits(wide.loc[table.index], counts.loc[table.index], units)
    flagged = limits.loc[limits["outside"].astype(bool)].groupby("kpi")["period"].agg(", ".join)
    table["outside_limits"] = flagged.reindex(table.index).fillna("")
    table = table.dropna(subset=["baseline", "latest"], how="all")
    result.tables["trend"] = table.rename_axis("kpi").reset_index()
    result.tables["trend_values"] = wide.loc[table.index].rename_axis("kpi").reset_index()
    result.tables["control_limits"] = limits[limits["kpi"].isin(table.index)].reset_index(drop=True)
    result.meta.update(
        baseline=base,
        latest=latest_period,
        periods=list(periods),
        units=table["unit"].to_dict(),
        currency=currency,
    )
    return result


def _tests(
    overall: Sequence[KpiValue], base: str, latest: str, units: pd.Series, samples: Samples | None
) -> dict:
    """KPI id -> Comparison of the latest period with the baseline (BH over all KPIs)."""
    if base == latest:
        return {}
    current = [r for r in overall if r.period == latest]
    before = [r for r in overall if r.period == base]
    found = compare(current, before, units=units.to_dict(), samples=samples)
    return {key[3]: comparison for key, comparison in found.items()}
