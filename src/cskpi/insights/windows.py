"""Report periods as half-open [start, end) windows, and the windows they are compared with."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from cskpi.errors import UsageError

MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class Window:
    label: str  # "2026-10" or "2026-10-01..2026-10-15" (both inclusive)
    start: pd.Timestamp  # tz-aware
    end: pd.Timestamp  # exclusive

    @property
    def is_month(self) -> bool:
        return bool(MONTH.match(self.label))


def month_window(label: str, tz: str = "UTC") -> Window:
    start = pd.Timestamp(f"{label}-01").tz_localize(tz)
    return Window(label, start, start + pd.DateOffset(months=1))


def parse_window(text: str, tz: str = "UTC") -> Window:
    """``YYYY-MM`` for a month or ``YYYY-MM-DD..YYYY-MM-DD`` (both days inclusive)."""
    text = text.strip()
    try:
        if MONTH.match(text):
            return month_window(text, tz)
        first, last = text.split("..")
        start = pd.Timestamp(first).tz_localize(tz)
        end = pd.Timestamp(last).tz_localize(tz) + pd.Timedelta(days=1)
    except ValueError:
        raise UsageError(
            f"--period {text!r} is not a period. Write 2026-10 for a month or "
            "2026-10-01..2026-10-15 for a range of days"
        ) from None
    if end <= start:
        raise UsageError(f"--period {text!r} ends before it starts. Put the earlier day first")
    return Window(f"{start:%Y-%m-%d}..{end - pd.Timedelta(days=1):%Y-%m-%d}", start, end)


def month_windows(first: str, last: str, tz: str = "UTC") -> list[Window]:
    months = pd.period_range(first, last, freq="M")
    return [month_window(str(m), tz) for m in months]


def shifted(window: Window, how: str) -> Window:
    """The previous window (same length just before) or the same window one year earlier."""
    tz = window.start.tz
    if window.is_month:
        offset = pd.DateOffset(months=1) if how == "previous" else pd.DateOffset(years=1)
        start = (window.start.tz_localize(None) - offset).tz_localize(tz)
        return month_window(f"{start:%Y-%m}", str(tz))
    if how == "previous":
        length = window.end - window.start
        start, end = window.start - length, window.start
    else:
        start = (window.start.tz_localize(None) - pd.DateOffset(years=1)).tz_localize(tz)
        end = (window.end.tz_localize(None) - pd.DateOffset(years=1)).tz_localize(tz)
    label = f"{start:%Y-%m-%d}..{end - pd.Timedelta(days=1):%Y-%m-%d}"
    return Window(label, start, end)


def in_window(times: pd.Series, window: Window) -> pd.Series:
    return (times >= window.start) & (times < window.end)
