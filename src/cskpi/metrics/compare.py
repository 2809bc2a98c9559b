"""Compare a report with a baseline: the previous period, or a tidy CSV a scheduled job kept.

Each current row is matched with the baseline row of the same dimension, segment and KPI, and
gets the previous value, the change (in the KPI's unit; percentage points for rates) and a test
chosen for the statistic the KPI is (see :func:`statistic_of`):

- rates and shares (unit ``%``): two-proportion z-test from each value and its ``n``;
- ``nps`` and ``relationship_nps``: the difference against its standard error (see
  :func:`nps_standard_error`);
- means: Welch's t-test on the record-level values;
- medians and percentiles: a seeded bootstrap 95 % interval of the difference (the same data
  always give the same interval); its p-value is the smallest level at which the interval would
  exclude 0;
- maxima, minima, counts and sums of events, and ratios of totals: not tested.

No test is run when either side has fewer than 30 records. The p-values of every comparison in
one output are adjusted together by Benjamini–Hochberg (``q_value``); ``significant`` is
q < 0.05, so about 5 % of the changes called significant are false alarms however many KPIs
and groups are compared. Untested rows have ``significant`` None and ``test`` saying why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cskpi.errors import InputFileError, SchemaError, located
from cskpi.metrics.results import Comparison, KpiValue

ALPHA = 0.05
MIN_RECORDS = 30
Z_95 = 1.96
NPS_KPIS = frozenset({"nps", "relationship_nps"})
NPS_MARGIN_KPI = {"nps": "nps_margin_of_error"}
TIDY_COLUMNS = ("period", "dimension", "segment", "kpi", "value", "unit", "n")
RESAMPLES = 2000
SEED = 20260101  # fixed: a bootstrap must give the same answer on every run

Z_TEST = "two-proportion z-test"
NPS_TEST = "z-test of the NPS difference against its standard error"
NPS_BOUND_TEST = NPS_TEST + " (upper-bound standard error)"
WELCH_TEST = "Welch's t-test"

# Statistic kinds (KpiDef.hooks.statistic).
MEAN, SHARE, QUANTILE, NPS = "mean", "share", "quantile", "nps"
MAXIMUM, MINIMUM, COUNT, SUM, OTHER = "maximum", "minimum", "count", "sum", "other"
UNTESTED = {
    MAXIMUM: "not tested: a maximum is one extreme record, no sampling test fits it",
    MINIMUM: "not tested: a minimum is one extreme record, no sampling test fits it",
    COUNT: "not tested: a count of events has no rate to test",
    SUM: "not tested: a total of events has no rate to test",
    OTHER: "not tested: no sampling test fits this ratio of totals",
}

RowKey = tuple[str, str, str, str]
Samples = Callable[[KpiValue, bool], "np.ndarray | None"]


@dataclass(frozen=True)
class Significance:
    """The outcome of one test: its name, two-sided p (None when not run) and an interval."""

    test: str
    p_value: float | None
    interval: tuple[float, float] | None = None


def statistic_of(kpi: str, unit: str = "") -> tuple[str, float | None]:
    """(statistic kind, quantile) of a KPI id; unknown ids are a share when the unit is %."""
    from cskpi.metrics.registry import BY_ID

    if kpi in BY_ID:
        hooks = BY_ID[kpi].hooks
        if hooks.statistic != OTHER:
            return hooks.statistic, hooks.q
    if kpi in NPS_KPIS:
        return NPS, None
    if unit == "%":
        return SHARE, None
    return (COUNT if unit == "count" else OTHER), None


def compare_samples(
    statistic: str, current: np.ndarray, baseline: np.ndarray, *, q: float | None = None
) -> Significance:
    """The test that fits ``statistic`` on two samples of record-level values.

    Values are those :func:`cskpi.metrics.engine.kpi_samples` returns: shares as 0/100, NPS
    answers as −100/0/100, durations and scores as they are. NaN values are left out.
    """
    now = np.asarray(current, dtype="float64")
    before = np.asarray(baseline, dtype="float64")
    now, before = now[~np.isnan(now)], before[~np.isnan(before)]
    if statistic in UNTESTED:
        return Significance(UNTESTED[statistic], None)
    name = {SHARE: Z_TEST, NPS: NPS_TEST, MEAN: WELCH_TEST}.get(statistic)
    if statistic == QUANTILE:
        name = _bootstrap_name(0.5 if q is None else q)
    reason = _too_few(str(name), len(now), len(before))
    if reason:
        return Significance(reason, None)
    if statistic == SHARE:
        return two_proportion_test(
            int((now > 0).sum()), len(now), int((before > 0).sum()), len(before)
        )
    if statistic == NPS:
        error = math.hypot(_nps_error_of(now), _nps_error_of(before))
        return Significance(NPS_TEST, _normal_p(now.mean() - before.mean(), error))
    if statistic == MEAN:
        return welch_test(now, before)
    return bootstrap_quantile_difference(now, before, 0.5 if q is None else q)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> Significance:
    """Pooled two-proportion z-test of x1/n1 = x2/n2, two-sided."""
    pooled = (x1 + x2) / (n1 + n2)
    error = math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / n1 + 1 / n2))
    return Significance(Z_TEST, _normal_p(x1 / n1 - x2 / n2, error))


def welch_test(current: np.ndarray, baseline: np.ndarray) -> Significance:
    """Welch's unequal-variance t-test of equal means, two-sided."""
    if np.ptp(np.concatenate([current, baseline])) == 0:
        return Significance(WELCH_TEST, 1.0)  # every value the same: no difference at all
    if np.var(current) == 0 and np.var(baseline) == 0:
        return Significance(WELCH_TEST, 0.0)  # two constants that differ
    result = stats.ttest_ind(current, baseline, equal_var=False)
    return Significance(WELCH_TEST, float(result.pvalue))


def bootstrap_quantile_difference(
    current: np.ndarray,
    baseline: np.ndarray,
    q: float,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Significance:
    """Percentile bootstrap 95 % interval of quantile(current) − quantile(baseline).

    Each side is resampled on its own (the periods are independent); the quantile is numpy's
    linear interpolation, as the KPI. p = 2 × the smaller share of resampled differences on
    either side of 0 (with +1 smoothing), the lowest level whose interval excludes 0.
    """

    def difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.quantile(a, q, axis=axis) - np.quantile(b, q, axis=axis)

    batch = max(1, 4_000_000 // max(len(current), len(baseline)))
    result = stats.bootstrap(
        (current, baseline),
        difference,
        n_resamples=resamples,
        method="percentile",
        confidence_level=0.95,
        vectorized=True,
        batch=batch,
        rng=np.random.default_rng(seed),
    )
    draws = result.bootstrap_distribution
    below, above = int((draws <= 0).sum()), int((draws >= 0).sum())
    p_value = min(1.0, 2 * (min(below, above) + 1) / (len(draws) + 1))
    low, high = result.confidence_interval
    return Significance(_bootstrap_name(q), p_value, (float(low), float(high)))


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (q); None stays None and takes no part."""
    known = [i for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    adjusted: list[float | None] = [None] * len(pvalues)
    if known:
        values = stats.false_discovery_control([float(pvalues[i]) for i in known], method="bh")
        for i, q in zip(known, np.atleast_1d(values), strict=True):
            adjusted[i] = float(q)
    return adjusted


def compare(
    current: list[KpiValue],
    baseline: list[KpiValue],
    *,
    units: dict[str, str] | None = None,
    samples: Samples | None = None,
) -> dict[RowKey, Comparison]:
    """(period, dimension, segment, kpi) of each current row that has a baseline -> Comparison.

    ``units`` overrides a row's unit by KPI id. ``samples(row, is_baseline)`` returns the
    record-level values behind a row (or None when they are not at hand); means and percentiles
    are tested only with them. When the baseline holds several periods, each current period is
    compared with the latest baseline period that starts before it (else the latest one).
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
    return adjust(comparisons)


def adjust(comparisons: dict[RowKey, Comparison]) -> dict[RowKey, Comparison]:
    """Fill q (Benjamini–Hochberg over all of them) and significant = q < α."""
    keys = list(comparisons)
    qs = benjamini_hochberg([comparisons[k].p_value for k in keys])
    return {
        key: replace(comparisons[key], q_value=q, significant=None if q is None else q < ALPHA)
        for key, q in zip(keys, qs, strict=True)
    }


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
    statistic, q = statistic_of(row.kpi, unit)
    if statistic == NPS:
        tested = _nps_test(row, previous, now, before, margins)
    elif statistic == SHARE or (statistic == OTHER and unit == "%"):
        tested = _proportion_test(row.n, previous.n, now, before)
    elif statistic in UNTESTED:
        tested = Significance(UNTESTED[statistic], None)
    else:  # a mean or a percentile: only on record-level values
        current_values = samples(row, False) if samples else None
        baseline_values = samples(previous, True) if current_values is not None else None
        if current_values is None:
            tested = Significance("not tested: no record-level data", None)
        elif baseline_values is None:
            tested = Significance("not tested: no record-level data in the baseline", None)
        else:
            tested = compare_samples(statistic, current_values, baseline_values, q=q)
    return Comparison(before, change, None, tested.test, tested.p_value, interval=tested.interval)


def _bootstrap_name(q: float) -> str:
    what = "median" if q == 0.5 else f"p{round(q * 100):d}"
    return f"bootstrap 95 % interval of the {what} difference ({RESAMPLES:,} resamples, fixed seed)"


def _too_few(test: str, now_n: int | None, before_n: int | None) -> str | None:
    """Why ``test`` cannot run on these record counts, or None when it can."""
    for side, records in (("current period", now_n), ("baseline", before_n)):
        if records is None:
            return f"{test} not run: the {side} has no record count"
        if records < MIN_RECORDS:
            return f"{test} not run: fewer than {MIN_RECORDS} records in the {side} ({records})"
    return None


def _proportion_test(
    now_n: int | None, before_n: int | None, now: float, before: float
) -> Significance:
    reason = _too_few(Z_TEST, now_n, before_n)
    if reason or now_n is None or before_n is None:
        return Significance(str(reason), None)
    return two_proportion_test(now / 100 * now_n, now_n, before / 100 * before_n, before_n)


def _nps_test(
    row: KpiValue,
    previous: KpiValue,
    now: float,
    before: float,
    margins: tuple[dict[RowKey, float], dict[RowKey, float]],
) -> Significance:
    reason = _too_few(NPS_TEST, row.n, previous.n)
    if reason or row.n is None or previous.n is None:
        return Significance(str(reason), None)
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
    return Significance(NPS_BOUND_TEST if bounded else NPS_TEST, _normal_p(now - before, error))


def _nps_error_of(answers: np.ndarray) -> float:
    """Standard error (points) of the NPS of answers scored −100/0/100."""
    return float(np.sqrt(np.var(answers) / len(answers)))


def _normal_p(difference: float, error: float) -> float:
    if error > 0:
        return float(2 * stats.norm.sf(abs(difference / error)))
    return 1.0 if difference == 0 else 0.0  # both periods without spread: any change is certain


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
