"""Compare a report with a baseline: the previous period, or a tidy CSV a scheduled job kept.

Each current row is matched with the baseline row of the same dimension, segment and KPI, and
gets the previous value, the change (in the KPI's unit; percentage points for rates) and, where
a test fits, whether the change is significant at α = 0.05:

- rates and shares (unit ``%``): two-proportion z-test from each value and its ``n``;
- ``nps`` and ``relationship_nps``: the difference against its standard error (see
  :func:`nps_standard_error`);
- means and medians: Mann–Whitney U when record-level values exist for both periods;
- counts and sums: not tested.

No test is run when either side has fewer than 30 records; ``significant`` is then None and
``test`` says why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cskpi.errors import InputFileError, SchemaError, located
from cskpi.report.model import Comparison, KpiValue

ALPHA = 0.05
MIN_RECORDS = 30
Z_95 = 1.96
NPS_KPIS = frozenset({"nps", "relationship_nps"})
NPS_MARGIN_KPI = {"nps": "nps_margin_of_error"}
TIDY_COLUMNS = ("period", "dimension", "segment", "kpi", "value", "unit", "n")

Z_TEST = "two-proportion z-test"
NPS_TEST = "z-test of the NPS difference against its standard error"
NPS_BOUND_TEST = NPS_TEST + " (upper-bound standard error)"
U_TEST = "Mann-Whitney U test"

RowKey = tuple[str, str, str, str]
Samples = Callable[[KpiValue, bool], "np.ndarray | None"]


def compare(
    current: list[KpiValue],
    baseline: list[KpiValue],
    *,
    units: dict[str, str] | None = None,
    samples: Samples | None = None,
) -> dict[RowKey, Comparison]:
    """(period, dimension, segment, kpi) of each current row that has a baseline -> Comparison.

    ``units`` overrides a row's unit by KPI id. ``samples(row, is_baseline)`` returns the
    record-level values behind a mean or median row (or None when they are not at hand).
    When the baseline holds several periods, each current period is compared with the latest
    baseline period that starts before it (else the latest baseline period).
    """
    units = units or {}
    baseline_period = _baseline_periods(
        {row.period for row in current}, {row.period for row in baseline}
    )
    by_key = {(row.period, row.dimension, row.segment, row.kpi): row for row in baseline}
    margins = (_margins(current), _margins(baseline))
    comparisons: dict[RowKey, Comparison] = {}
    for row in current:
        previous = by_key.get(
            (baseline_period.get(row.period), row.dimension, row.segment, row.kpi)
        )
        if previous is None:
            continue
        unit = units.get(row.kpi, row.unit)
        comparisons[(row.period, row.dimension, row.segment, row.kpi)] = _compare_row(
            row, previous, unit, margins, samples
        )
    return comparisons


def nps_standard_error(nps: float, n: int, margin: float | None = None) -> float:
    """Standard error of an NPS (in NPS points) from its 95 % margin, else an upper bound.

    KPIS.md's margin is 196 × sqrt(var / n) with var = p + d − (p − d)², the variance of one
    answer scored +1 / 0 / −1. The NPS is 100 × the mean of those scores, so its standard error
    in points is 100 × sqrt(var / n) = margin / 1.96. Without the margin, p and d are unknown;
    var ≤ 1 − (NPS / 100)² (reached when nobody is passive) gives a conservative error.
    """
    if margin is not None:
        return margin / Z_95
    share_difference = nps / 100
    return 100 * math.sqrt(max(1 - share_difference**2, 0.0) / n)


def load_baseline_csv(path: Path) -> list[KpiValue]:
    """Rows of a tidy CSV written by ``cskpi report --format csv`` (extra columns ignored).

    A repeated (period, dimension, segment, kpi) keeps its last row, so a file a scheduled job
    appended to twice for one month still loads.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file. Check the --baseline path") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputFileError(
            located(
                path,
                f"not a readable CSV ({exc})",
                fix="Give the tidy CSV of `cskpi report --format csv`",
            )
        ) from None
    missing = [name for name in TIDY_COLUMNS if name not in frame.columns]
    if missing:
        raise SchemaError(
            located(
                path,
                f"missing column(s) {', '.join(missing)}",
                fix="A baseline needs the header "
                f"{','.join(TIDY_COLUMNS)}, as `cskpi report --format "
                "csv` writes it",
            )
        )
    frame = frame[list(TIDY_COLUMNS)].apply(lambda column: column.str.strip())
    line = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # header is line 1
    for name in ("period", "kpi"):
        _fail_on_first(
            path, frame, frame[name] == "", line, name, f"empty {name}", f"Every row needs a {name}"
        )
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    _fail_on_first(
        path,
        frame,
        value.isna() & (frame["value"] != ""),
        line,
        "value",
        "{!r} is not a number",
        "Write values with a '.' decimal point and no thousands "
        "separator, or leave the cell empty for not available",
    )
    count = pd.to_numeric(frame["n"], errors="coerce")
    bad_count = (frame["n"] != "") & (count.isna() | (count < 0) | (count % 1 != 0))
    _fail_on_first(
        path,
        frame,
        bad_count,
        line,
        "n",
        "{!r} is not a whole number of records",
        "Write n as a whole number, or leave it empty",
    )
    frame = frame.assign(value=value, n=count).drop_duplicates(
        ["period", "dimension", "segment", "kpi"], keep="last"
    )
    return [
        KpiValue(
            period,
            dimension or "all",
            segment or "all",
            kpi,
            _number(number, unit),
            unit,
            None if math.isnan(records) else int(records),
            "not available in the baseline" if math.isnan(number) else None,
        )
        for period, dimension, segment, kpi, number, unit, records in zip(
            *(frame[name] for name in TIDY_COLUMNS), strict=True
        )
    ]


def _compare_row(
    row: KpiValue,
    previous: KpiValue,
    unit: str,
    margins: tuple[dict[RowKey, float], dict[RowKey, float]],
    samples: Samples | None,
) -> Comparison:
    now, before = _value(row), _value(previous)
    if now is None or before is None:
        return Comparison(before, None, None, "not tested: value not available")
    change = now - before
    if row.kpi in NPS_KPIS:
        return _nps_test(row, previous, now, before, change, margins)
    if unit == "%":
        return _proportion_test(row.n, previous.n, now, before, change)
    current_values = samples(row, False) if samples else None
    if current_values is not None:
        baseline_values = samples(previous, True)
        if baseline_values is None:
            return Comparison(
                before, change, None, "not tested: no record-level data in the baseline"
            )
        return _rank_test(
            np.asarray(current_values, float), np.asarray(baseline_values, float), before, change
        )
    if unit == "count":
        return Comparison(before, change, None, "not tested: counts have no sampling test")
    return Comparison(before, change, None, "not tested: no record-level data")


def _too_few(test: str, now_n: int | None, before_n: int | None) -> str | None:
    """Why ``test`` cannot run on these record counts, or None when it can."""
    for side, records in (("current period", now_n), ("baseline", before_n)):
        if records is None:
            return f"{test} not run: the {side} has no record count"
        if records < MIN_RECORDS:
            return f"{test} not run: fewer than {MIN_RECORDS} records in the {side} ({records})"
    return None


def _proportion_test(
    now_n: int | None, before_n: int | None, now: float, before: float, change: float
) -> Comparison:
    reason = _too_few(Z_TEST, now_n, before_n)
    if reason or now_n is None or before_n is None:
        return Comparison(before, change, None, reason)
    p_now, p_before = now / 100, before / 100
    pooled = (p_now * now_n + p_before * before_n) / (now_n + before_n)
    error = math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / now_n + 1 / before_n))
    return _normal_result(p_now - p_before, error, before, change, Z_TEST)


def _nps_test(
    row: KpiValue,
    previous: KpiValue,
    now: float,
    before: float,
    change: float,
    margins: tuple[dict[RowKey, float], dict[RowKey, float]],
) -> Comparison:
    reason = _too_few(NPS_TEST, row.n, previous.n)
    if reason or row.n is None or previous.n is None:
        return Comparison(before, change, None, reason)
    margin_kpi = NPS_MARGIN_KPI.get(row.kpi, "")
    now_margin = margins[0].get((row.period, row.dimension, row.segment, margin_kpi))
    before_margin = margins[1].get(
        (previous.period, previous.dimension, previous.segment, margin_kpi)
    )
    bounded = now_margin is None or before_margin is None
    if bounded:
        now_margin = before_margin = None
    error = math.hypot(
        nps_standard_error(now, row.n, now_margin),
        nps_standard_error(before, previous.n, before_margin),
    )
    return _normal_result(change, error, before, change, NPS_BOUND_TEST if bounded else NPS_TEST)


def _normal_result(
    difference: float, error: float, before: float, change: float, test: str
) -> Comparison:
    if error > 0:
        p_value = float(2 * stats.norm.sf(abs(difference / error)))
    else:  # both periods without spread: any difference is certain
        p_value = 1.0 if difference == 0 else 0.0
    return Comparison(before, change, p_value < ALPHA, test, p_value)


def _rank_test(
    now_values: np.ndarray, before_values: np.ndarray, before: float, change: float
) -> Comparison:
    now_values = now_values[~np.isnan(now_values)]
    before_values = before_values[~np.isnan(before_values)]
    reason = _too_few(U_TEST, len(now_values), len(before_values))
    if reason:
        return Comparison(before, change, None, reason)
    if np.ptp(np.concatenate([now_values, before_values])) == 0:
        return Comparison(before, change, False, U_TEST, 1.0)  # every value tied
    p_value = float(stats.mannwhitneyu(now_values, before_values, alternative="two-sided").pvalue)
    return Comparison(before, change, p_value < ALPHA, U_TEST, p_value)


def _margins(rows: Iterable[KpiValue]) -> dict[RowKey, float]:
    margin_kpis = set(NPS_MARGIN_KPI.values())
    return {
        (row.period, row.dimension, row.segment, row.kpi): float(row.value)
        for row in rows
        if row.kpi in margin_kpis and _value(row) is not None
    }


def _baseline_periods(current: set[str], baseline: set[str]) -> dict[str, str]:
    """Each current period -> the baseline period it is compared with."""
    if not baseline:
        return {}
    ordered = sorted(baseline, key=lambda period: (_period_start(period), period))
    chosen = {}
    for period in current:
        start = _period_start(period)
        earlier = [other for other in ordered if _period_start(other) < start]
        chosen[period] = earlier[-1] if earlier else ordered[-1]
    return chosen


def _period_start(period: str) -> dt.date:
    """First day of any period label cskpi writes (month, range, day, week, quarter, year);
    unreadable labels sort first."""
    from cskpi.metrics.periods import label_start

    return label_start(period) or dt.date.min


def _value(row: KpiValue) -> float | None:
    if row.value is None or (isinstance(row.value, float) and math.isnan(row.value)):
        return None
    return float(row.value)


def _number(value: float, unit: str) -> float | int | None:
    if math.isnan(value):
        return None
    return int(value) if unit == "count" and value.is_integer() else float(value)


def _fail_on_first(
    path: Path,
    frame: pd.DataFrame,
    bad: pd.Series,
    line: pd.Series,
    column: str,
    problem: str,
    fix: str,
) -> None:
    """Raise for the first row flagged ``bad``; ``{!r}`` in ``problem`` shows its cell."""
    if bad.any():
        first = bad.idxmax()
        raise InputFileError(
            located(
                path,
                problem.format(frame.at[first, column]),
                row=int(line[first]),
                column=column,
                fix=fix,
            )
        )
