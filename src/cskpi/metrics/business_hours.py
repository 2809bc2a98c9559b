"""Elapsed time counted only while the team is open.

Opening hours are local wall-clock times in ``BusinessHours.tz``. They are turned into UTC instants
once for the whole date range the data covers; the open seconds up to every boundary are summed
into one cumulative index, and every row is then answered with two binary searches (no loop over
rows). A 09:00–17:00 day is 8 hours of elapsed time on a daylight-saving day too, unless the clock
change falls inside the opening hours, where the elapsed time counts (e.g. 00:00–24:00 on the
spring-forward day is 23 hours).

Local times that do not exist or exist twice follow KPIS.md: a time in a repeated hour takes the
later (standard-time) offset; one in a skipped hour takes the offset in force before the jump.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays as holidays_lib
import numpy as np
import pandas as pd

from cskpi.config import BusinessHours

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_DAY = 24 * 60 * NS_PER_MINUTE


def business_seconds(start: pd.Series, end: pd.Series, hours: BusinessHours) -> pd.Series:
    """Seconds of open time between ``start`` and ``end`` (tz-aware instants), row by row.

    NaN where either side is missing; 0 when the interval lies outside opening hours or
    ``end`` is not after ``start``. The result carries ``start``'s index.
    """
    start_ns, start_missing = _utc_nanoseconds(start, "start")
    end_ns, end_missing = _utc_nanoseconds(end, "end")
    if len(start_ns) != len(end_ns):
        raise ValueError("start and end must have the same length")
    missing = start_missing | end_missing
    result = np.full(len(start_ns), np.nan)
    if (~missing).any():
        present_start, present_end = start_ns[~missing], end_ns[~missing]
        lowest = min(present_start.min(), present_end.min())
        highest = max(present_start.max(), present_end.max())
        boundaries, open_before = _open_index(hours, lowest, highest)
        opened = _open_ns_until(present_end, boundaries, open_before) - _open_ns_until(
            present_start, boundaries, open_before
        )
        result[~missing] = np.maximum(opened, 0) / NS_PER_SECOND
    return pd.Series(result, index=start.index, dtype="float64")


def open_intervals(
    hours: BusinessHours, first_day: dt.date, last_day: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanosecond (open, close) arrays of every opening from ``first_day`` to ``last_day``.

    Sorted and non-overlapping: an interval that a clock change makes overlap its neighbour is
    trimmed, and one that it turns inside out has length 0.
    """
    days = pd.date_range(first_day, last_day, freq="D", unit="ns")
    days = days[~days.normalize().isin(_closed_days(hours, first_day.year, last_day.year))]
    day_ns = days.asi8
    weekday = days.day_of_week.to_numpy()
    opens: list[np.ndarray] = []
    closes: list[np.ndarray] = []
    for day_of_week, intervals in sorted(hours.week.items()):
        on_this_day = day_ns[weekday == day_of_week]
        for open_text, close_text in intervals:
            opens.append(on_this_day + _minutes(open_text) * NS_PER_MINUTE)
            closes.append(on_this_day + _minutes(close_text) * NS_PER_MINUTE)
    if not opens:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    local_open, local_close = np.concatenate(opens), np.concatenate(closes)
    order = np.argsort(local_open, kind="stable")
    local_open, local_close = local_open[order], local_close[order]
    # Interleave open/close boundaries; a running maximum keeps them in time order even where a
    # skipped hour maps a boundary past its successor.
    boundaries = np.empty(2 * len(local_open), np.int64)
    boundaries[0::2] = _local_to_utc(local_open, hours.tz)
    boundaries[1::2] = _local_to_utc(local_close, hours.tz)
    boundaries = np.maximum.accumulate(boundaries)
    return boundaries[0::2], boundaries[1::2]


def _open_index(
    hours: BusinessHours, lowest_ns: int, highest_ns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries (open, close, open, close, ...) and the open nanoseconds before each."""
    local = pd.DatetimeIndex([lowest_ns, highest_ns], tz="UTC").tz_convert(hours.tz)
    # One spare day on each side: a local day can start before its UTC date does.
    first_day = (local[0] - pd.Timedelta(days=1)).date()
    last_day = (local[1] + pd.Timedelta(days=1)).date()
    opens, closes = open_intervals(hours, first_day, last_day)
    boundaries = np.empty(2 * len(opens), np.int64)
    boundaries[0::2], boundaries[1::2] = opens, closes
    lengths = closes - opens
    open_before = np.zeros(len(boundaries), np.int64)
    open_before[1::2] = np.cumsum(lengths)
    open_before[2::2] = open_before[1:-1:2]
    return boundaries, open_before


def _open_ns_until(
    instants: np.ndarray, boundaries: np.ndarray, open_before: np.ndarray
) -> np.ndarray:
    """Open nanoseconds from the first boundary up to each instant."""
    if len(boundaries) == 0:
        return np.zeros(len(instants), np.int64)
    last = np.searchsorted(boundaries, instants, side="right") - 1
    clipped = np.clip(last, 0, None)
    total = open_before[clipped].copy()
    inside_open = (last >= 0) & (clipped % 2 == 0)
    total[inside_open] += instants[inside_open] - boundaries[clipped[inside_open]]
    total[last < 0] = 0
    return total


def _utc_nanoseconds(instants: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = pd.DatetimeIndex(instants)
    if values.tz is None:
        raise TypeError(f"business_seconds needs tz-aware instants; {name} is naive")
    values = values.tz_convert("UTC").as_unit("ns")
    missing = np.asarray(values.isna())
    return values.asi8, missing


def _local_to_utc(local_ns: np.ndarray, tz: str) -> np.ndarray:
    """Wall-clock nanoseconds in ``tz`` to UTC nanoseconds, with KPIS.md's DST rule."""
    naive = pd.DatetimeIndex(local_ns.astype("datetime64[ns]"))
    # Standard time for a repeated hour; for a skipped hour the last valid instant before the
    # jump gives the offset in force before it.
    before = naive.tz_localize(
        tz, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_backward"
    )
    offset_ns = before.tz_localize(None).asi8 - before.tz_convert("UTC").tz_localize(None).asi8
    return local_ns - offset_ns


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def _closed_days(hours: BusinessHours, first_year: int, last_year: int) -> pd.DatetimeIndex:
    closed = list(
        _public_holidays(hours.holidays_country, hours.holidays_subdivision, first_year, last_year)
    )
    closed += [dt.date.fromisoformat(day) for day in hours.closed_dates]
    return pd.DatetimeIndex(pd.to_datetime(closed)) if closed else pd.DatetimeIndex([])


@lru_cache(maxsize=32)
def _public_holidays(
    country: str | None, subdivision: str | None, first_year: int, last_year: int
) -> tuple[dt.date, ...]:
    if not country:
        return ()
    calendar = holidays_lib.country_holidays(
        country, subdiv=subdivision, years=range(first_year, last_year + 1)
    )
    return tuple(sorted(calendar))
