"""Report periods: half-open intervals [start, end) in the user's timezone.

A month is labelled ``YYYY-MM``; any other range ``START..END`` with both ISO dates inclusive.
With a time grain (``--every``) a range is split into days ``YYYY-MM-DD``, ISO weeks ``YYYY-Www``
(``YYYY-Www-sun`` for weeks that start on Sunday), months, quarters ``YYYY-Qn`` or years ``YYYY``;
a grain period cut by the range's edge keeps the ``START..END`` label of what is left of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from cskpi.errors import UsageError, did_you_mean
from cskpi.stamps import instants_of

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bounds that keep every period inside pandas' nanosecond range and a run short: a report of
# more months than this is a typo (a 200-year range), not a question.
FIRST_YEAR, LAST_YEAR = 1900, 2199
MAX_MONTHS = 240
MAX_PERIODS = 1000  # periods of a --every split (a day each: almost three years)
# The default period leaves out dates far from the rest (a 1900-01-01 placeholder, Excel's day 0,
# a year typo): farther from the median than OUTLIER_MADS median absolute deviations, and at
# least OUTLIER_FLOOR (docs/decisions.md).
OUTLIER_MADS = 10
OUTLIER_FLOOR = pd.Timedelta(days=366)


@dataclass(frozen=True)
class Period:
    label: str
    start: pd.Timestamp  # tz-aware, inclusive
    end: pd.Timestamp  # tz-aware, exclusive
    grain: str | None = None  # day | week | month | quarter | year for a whole grain period
    week_start: str = "mon"  # mon | sun: the first day of a week (grain week only)

    @property
    def tz(self) -> str:
        return str(self.start.tz)

    @property
    def is_month(self) -> bool:
        return bool(_MONTH.match(self.label))

    def months(self) -> list[str] | None:
        """The calendar months the period covers, or None when it cuts a month."""
        first, last = self.start, self.end
        if (first.day, first.hour, first.minute, first.second, first.microsecond) != (
            1,
            0,
            0,
            0,
            0,
        ):
            return None
        if (last.day, last.hour, last.minute, last.second, last.microsecond) != (1, 0, 0, 0, 0):
            return None
        final_day = last.date() - timedelta(days=1)
        span = pd.period_range(first.strftime("%Y-%m"), final_day.strftime("%Y-%m"), freq="M")
        return [str(p) for p in span]


GRAINS = ("day", "week", "month", "quarter", "year")
WEEK_STARTS = ("mon", "sun")
ALL = "all"


def grain_floor(day: date, grain: str, week_start: str = "mon") -> date:
    """The first day of the ``grain`` period holding ``day``."""
    if grain == "day":
        return day
    if grain == "week":
        back = day.weekday() if week_start == "mon" else (day.weekday() + 1) % 7
        return day - timedelta(days=back)
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def grain_next(first: date, grain: str) -> date:
    """The first day of the ``grain`` period after the one starting on ``first``."""
    if grain == "day":
        return first + timedelta(days=1)
    if grain == "week":
        return first + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def grain_label(first: date, grain: str, week_start: str = "mon") -> str:
    if grain == "day":
        return first.isoformat()
    if grain == "week":
        # A Sunday week is named after the ISO week of its Monday, with which it shares six days.
        monday = first if week_start == "mon" else first + timedelta(days=1)
        year, week, _ = monday.isocalendar()
        return f"{year:04d}-W{week:02d}" + ("" if week_start == "mon" else "-sun")
    if grain == "month":
        return f"{first.year:04d}-{first.month:02d}"
    if grain == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}"


def grain_period(day: date, grain: str, tz: str, week_start: str = "mon") -> Period:
    """The whole ``grain`` period holding ``day``, boundaries at local midnight in ``tz``."""
    first = grain_floor(day, grain, week_start)
    return Period(
        grain_label(first, grain, week_start),
        local_midnight(first, tz),
        local_midnight(grain_next(first, grain), tz),
        grain=grain,
        week_start=week_start,
    )


def split_periods(
    first: date, after: date, grain: str, tz: str, week_start: str = "mon"
) -> list[Period]:
    """The days ``first`` (inclusive) to ``after`` (exclusive) in periods of ``grain``.

    A period the range cuts keeps only the days inside the range and is labelled as a range, so
    a label never claims days that were not counted.
    """
    out: list[Period] = []
    day = grain_floor(first, grain, week_start)
    while day < after:
        following = grain_next(day, grain)
        if day >= first and following <= after:
            out.append(grain_period(day, grain, tz, week_start))
        else:
            out.append(range_period(max(day, first), min(following, after) - timedelta(days=1), tz))
        day = following
    return out


def check_grain(every: str | None, week_start: str = "mon") -> str | None:
    if every is None:
        return None
    grain = every.strip().lower()
    if grain not in GRAINS:
        raise UsageError(
            f"--every {every!r} is not a time grain. {did_you_mean(grain, GRAINS)}"
            f"Use one of: {', '.join(GRAINS)}"
        )
    if week_start not in WEEK_STARTS:
        raise UsageError(f"week_start {week_start!r} is not known. Use mon or sun")
    return grain


def local_midnight(day: date, tz: str) -> pd.Timestamp:
    """Midnight of ``day`` in ``tz`` (a skipped midnight moves forward; repeated = standard)."""
    return pd.Timestamp(day).tz_localize(tz, ambiguous=False, nonexistent="shift_forward")


def month_period(year: int, month: int, tz: str) -> Period:
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    return Period(f"{year:04d}-{month:02d}", local_midnight(first, tz), local_midnight(after, tz))


def range_period(first: date, last: date, tz: str) -> Period:
    """Days ``first``..``last``, both inclusive."""
    return Period(
        f"{first.isoformat()}..{last.isoformat()}",
        local_midnight(first, tz),
        local_midnight(last + timedelta(days=1), tz),
    )


def _month(text: str, what: str) -> tuple[int, int]:
    if not _MONTH.match(text):
        raise UsageError(f"{what} {text!r} is not a month. Write it as YYYY-MM, e.g. 2026-10")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise UsageError(f"{what} {text!r} has no month {month}. Write it as YYYY-MM, e.g. 2026-10")
    _check_year(year, text, what)
    return year, month


def _check_year(year: int, text: str, what: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(
            f"{what} {text!r} is outside the years cskpi reports on ({FIRST_YEAR}–{LAST_YEAR}). "
            "Check the year"
        )


def _date(text: str, what: str) -> date:
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{what} {text!r} is not a date. Write it as YYYY-MM-DD, e.g. 2026-10-01"
        ) from None
    _check_year(day.year, text, what)
    return day


def _months_between(first: tuple[int, int], last: tuple[int, int], tz: str) -> list[Period]:
    index_first, index_last = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    if index_last - index_first + 1 > MAX_MONTHS:
        raise UsageError(
            f"{first[0]:04d}-{first[1]:02d}..{last[0]:04d}-{last[1]:02d} is "
            f"{index_last - index_first + 1} months; a report covers at most {MAX_MONTHS} "
            "(one period each). Give a shorter --period, or --from/--to for one period"
        )
    return [month_period(i // 12, i % 12 + 1, tz) for i in range(index_first, index_last + 1)]


def _check_tz(tz: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception:  # noqa: BLE001 - pytz/zoneinfo raise different types
        raise UsageError(
            f"unknown timezone {tz!r}. Give an IANA name such as Europe/Helsinki or UTC"
        ) from None


def parse_periods(
    period: str | None,
    date_from: str | None,
    date_to: str | None,
    tz: str,
    *,
    data_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    every: str | None = None,
    week_start: str = "mon",
) -> list[Period]:
    """The periods a report covers; with ``every``, those split into periods of that grain.

    Without a chosen range (no period, or ``period="all"``) the grains cover the data whole: the
    first and last periods are not cut. A chosen range is split exactly, its edges cutting grains.
    """
    grain = check_grain(every, week_start)
    chosen = _chosen_periods(period, date_from, date_to, tz, data_range)
    if grain is None:
        return chosen
    first, after = chosen[0].start.date(), chosen[-1].end.date()
    days_each = {"day": 1, "week": 7, "month": 28, "quarter": 90}.get(grain, 365)
    approx = (after - first).days // days_each
    if approx > MAX_PERIODS:
        raise UsageError(
            f"--every {grain} splits {first}..{after - timedelta(days=1)} into about {approx:,} "
            f"periods; a report covers at most {MAX_PERIODS:,}. Give a shorter range or a "
            "longer grain"
        )
    whole = (period is None and not (date_from or date_to)) or (period or "").strip().lower() == ALL
    if whole:
        local = _local_range(data_range, tz)
        if local is not None:  # the data's own days, not the months that hold them
            first, after = local[0], local[1] + timedelta(days=1)
        first = grain_floor(first, grain, week_start)
        after = grain_floor(after - timedelta(days=1), grain, week_start)
        after = grain_next(after, grain)
    return split_periods(first, after, grain, tz, week_start)


def _chosen_periods(
    period: str | None,
    date_from: str | None,
    date_to: str | None,
    tz: str,
    data_range: tuple[pd.Timestamp, pd.Timestamp] | None,
) -> list[Period]:
    """The periods a report covers without a grain.

    - ``period="2026-10"``: that month; ``"2026-07..2026-10"``: one period per month (inclusive);
      ``"2026-10-01..2026-10-15"``: one range period.
    - ``date_from`` / ``date_to`` (inclusive dates): one range period ``START..END``; a missing side
      is taken from ``data_range``.
    - ``period="all"``: one range period from the first to the last day ``data_range`` covers.
    - nothing: one period per month from the first to the last month ``data_range`` covers.
    """
    _check_tz(tz)
    if period and (date_from or date_to):
        raise UsageError("--period cannot be combined with --from/--to. Give one or the other")
    if period and period.strip().lower() == ALL:
        local = _local_range(data_range, tz)
        if local is None:
            raise UsageError(
                "--period all: no dated records to take the period from. "
                "Give --period YYYY-MM or --from/--to"
            )
        return [range_period(local[0], local[1], tz)]
    if period:
        text = period.strip()
        if ".." in text:
            left, _, right = text.partition("..")
            if _MONTH.match(left) and _MONTH.match(right):
                first, last = _month(left, "--period start"), _month(right, "--period end")
                if last < first:
                    raise UsageError(
                        f"--period {text!r} ends before it starts. Put the earlier month first"
                    )
                return _months_between(first, last, tz)
            first_day, last_day = _date(left, "--period start"), _date(right, "--period end")
            return [_checked_range(first_day, last_day, tz, f"--period {text!r}")]
        kind = label_kind(text)
        if kind in ("day", "week", "week-sun", "quarter", "year"):
            first_day = label_start(text)
            if first_day is None:
                raise UsageError(f"--period {text!r} names no such day, week or quarter")
            grain = kind.split("-")[0]
            return [grain_period(first_day, grain, tz, "sun" if kind == "week-sun" else "mon")]
        return [month_period(*_month(text, "--period"), tz)]
    if date_from or date_to:
        local = _local_range(data_range, tz)
        if date_from:
            first_day = _date(date_from, "--from")
        elif local:
            first_day = local[0]
        else:
            raise UsageError(
                "--to needs --from when there is no data to take the start from. "
                "Add --from YYYY-MM-DD"
            )
        if date_to:
            last_day = _date(date_to, "--to")
        elif local:
            last_day = local[1]
        else:
            raise UsageError(
                "--from needs --to when there is no data to take the end from. Add --to YYYY-MM-DD"
            )
        return [_checked_range(first_day, last_day, tz, "--from/--to")]
    local = _local_range(data_range, tz)
    if local is None:
        raise UsageError(
            "no period given and no dated records to take one from. "
            "Add --period YYYY-MM or --from/--to"
        )
    return _months_between((local[0].year, local[0].month), (local[1].year, local[1].month), tz)


def _checked_range(first: date, last: date, tz: str, what: str) -> Period:
    if last < first:
        raise UsageError(f"{what} ends before it starts. Put the earlier date first")
    return range_period(first, last, tz)


def _local_range(
    data_range: tuple[pd.Timestamp, pd.Timestamp] | None, tz: str
) -> tuple[date, date] | None:
    if data_range is None:
        return None
    low, high = data_range
    if pd.isna(low) or pd.isna(high):
        return None
    first, last = _as_local(low, tz).date(), _as_local(high, tz).date()
    for day in (first, last):
        _check_year(day.year, day.isoformat(), "the data's date")
    return first, last


@dataclass(frozen=True)
class Span:
    """The dates the bulk of the data covers, and the outliers left out of it."""

    low: pd.Timestamp
    high: pd.Timestamp
    outliers: int = 0
    examples: tuple[pd.Timestamp, ...] = ()

    @property
    def range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.low, self.high

    def note(self) -> str | None:
        """What the default period left out, for the user; None when nothing was."""
        if not self.outliers:
            return None
        shown = ", ".join(str(stamp.date()) for stamp in self.examples)
        return (
            f"{self.outliers} outlier date(s) far from the rest of the data ({shown}) are left "
            f"out of the default period {self.low.date()}..{self.high.date()}; give --period or "
            "--from/--to to include them, and `cskpi validate` lists them"
        )


def bulk_span(stamps: list[pd.Series]) -> Span | None:
    """The earliest and latest dates of ``stamps`` without outliers (None when nothing is dated).

    An outlier lies farther from the median than OUTLIER_MADS median absolute deviations and
    at least OUTLIER_FLOOR: robust to up to half the dates being wrong, and one stray date never
    turns a month of data into a century of periods.
    """
    # Nanoseconds since the epoch in UTC (a tz-aware column stores UTC; a naive one is read as
    # UTC): views of the columns, gathered into the one copy that span_of_instants reads.
    parts = [instants_of(s).astype("M8[ns]", copy=False).view("int64") for s in stamps if len(s)]
    values = np.concatenate(parts) if parts else np.zeros(0, dtype="int64")
    missing = values == np.iinfo(np.int64).min  # NaT
    if missing.any():
        values = values[~missing]
    del missing
    return span_of_instants(values)


def span_of_instants(values: np.ndarray, block: int = 4_000_000) -> Span | None:
    """:func:`bulk_span` of dates given as UTC nanoseconds (int64, none missing), read in that one
    array: the medians partition about 1 % of it (:func:`median`) and the distances are taken a
    block at a time once their median is known: 50 million dates need the 0.4 GB they hold and
    0.4 GB of distances at most here, not five copies of them."""
    if not len(values):
        return None
    middle = median(values)  # values are read, never reordered
    distance = values.astype("float64")
    distance -= middle
    np.abs(distance, out=distance)
    limit = max(OUTLIER_MADS * float(median(distance)), OUTLIER_FLOOR.value)
    del distance
    # |float(v) − middle| grows with v on either side of middle: when neither extreme is far,
    # no date is (the common case, decided without another pass over the distances).
    lowest, highest = values.min(), values.max()
    if not any(np.abs(np.float64(v) - middle) > limit for v in (lowest, highest)):
        return Span(pd.Timestamp(int(lowest), tz="UTC"), pd.Timestamp(int(highest), tz="UTC"))
    low, high, outliers, far_values = None, None, 0, []
    for start in range(0, len(values), block):
        chunk = values[start : start + block]
        far = np.abs(chunk.astype("float64") - middle) > limit
        kept = chunk[~far]
        if len(kept):
            low = kept.min() if low is None else min(low, kept.min())
            high = kept.max() if high is None else max(high, kept.max())
        outliers += int(far.sum())
        far_values.append(np.unique(chunk[far])[:3])
    examples = np.unique(np.concatenate(far_values))[:3]
    assert low is not None and high is not None  # the median is never far
    return Span(
        pd.Timestamp(int(low), tz="UTC"),
        pd.Timestamp(int(high), tz="UTC"),
        outliers,
        tuple(pd.Timestamp(int(v), tz="UTC") for v in examples),
    )


def median(values: np.ndarray) -> float:
    """``np.median(values)`` (no NaN in ``values``), found without partitioning all of them.

    A sorted sample of every 64th value brackets the middle rank; the values inside the bracket
    (about 1 %) are counted and partitioned. np.median of the middle value(s) then averages
    them as np.median does. Dates often come sorted or in bursts, which only makes the sample
    better; when the bracket misses, the whole array is partitioned (a copy) instead.
    """
    n = len(values)
    if n < 1 << 16:
        return float(np.median(values))
    middle_ranks = (n // 2,) if n % 2 else (n // 2 - 1, n // 2)
    sample = np.sort(values[::64])
    m = len(sample)
    slack = 8 * int(np.sqrt(m)) + 8  # ranks: far wider than a sample's spread around them
    low = sample[max(middle_ranks[0] * m // n - slack, 0)]
    high = sample[min(middle_ranks[-1] * m // n + slack, m - 1)]
    below = int(np.count_nonzero(values < low))
    inside = values[(values >= low) & (values <= high)]
    first, last = middle_ranks[0] - below, middle_ranks[-1] - below
    if first < 0 or last >= len(inside):
        return float(np.median(values))
    picked = np.partition(inside, (first, last))[[first, last] if first != last else [first]]
    return float(np.median(picked))


def _as_local(stamp: pd.Timestamp, tz: str) -> pd.Timestamp:
    stamp = pd.Timestamp(stamp)
    return stamp.tz_localize(tz) if stamp.tz is None else stamp.tz_convert(tz)


def previous_period(p: Period) -> Period:
    """The period of the same length immediately before ``p``.

    A grain period gives the one before at the same grain; a month the previous month; a range
    of whole months the same number of months before;
    any other range the same number of days before.
    """
    tz = p.tz
    if p.grain is not None:
        return grain_period(p.start.date() - timedelta(days=1), p.grain, tz, p.week_start)
    months = p.months()
    if months is not None:
        count = len(months)
        first = p.start.year * 12 + p.start.month - 1 - count
        periods = _months_between(
            (first // 12, first % 12 + 1),
            ((first + count - 1) // 12, (first + count - 1) % 12 + 1),
            tz,
        )
        if p.is_month:
            return periods[0]
        return range_period(periods[0].start.date(), periods[-1].end.date() - timedelta(days=1), tz)
    first_day = p.start.date()
    days = (p.end.date() - first_day).days
    return range_period(first_day - timedelta(days=days), first_day - timedelta(days=1), tz)


_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-sun)?$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^\d{4}$")


def label_start(label: str) -> date | None:
    """The first day a period label names (every form cskpi writes), or None when unreadable."""
    text = label.split("..", 1)[0].strip()
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
        if _MONTH.match(text):
            return date(int(text[:4]), int(text[5:]), 1)
        if week := _WEEK.match(text):
            monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
            return monday - timedelta(days=1) if week.group(3) else monday
        if quarter := _QUARTER.match(text):
            return date(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1)
        if _YEAR.match(text):
            return date(int(text), 1, 1)
    except ValueError:
        return None
    return None


def label_kind(label: str) -> str:
    """day, week, week-sun, month, quarter, year or range: the form of a period label."""
    if ".." in label:
        return "range"
    if _DATE.match(label):
        return "day"
    if week := _WEEK.match(label):
        return "week-sun" if week.group(3) else "week"
    if _MONTH.match(label):
        return "month"
    if _QUARTER.match(label):
        return "quarter"
    return "year" if _YEAR.match(label) else "range"


# The columns that date each table's records for the default periods (KPIS.md conventions).
RANGE_COLUMNS = {
    "tickets": "created_at",
    "calls": "queued_at",
    "surveys": "submitted_at",
    "revenue": "date",
}


def data_range(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Earliest and latest dated record over every table, outlier dates left out (None when
    nothing is dated)."""
    span = data_span(tables)
    return span.range if span is not None else None


def data_span(tables: Mapping[str, pd.DataFrame]) -> Span | None:
    """The bulk of the dated records over every table, and the outliers it leaves out."""
    return bulk_span(
        [
            tables[table][column]
            for table, column in RANGE_COLUMNS.items()
            if table in tables and tables[table] is not None and column in tables[table].columns
        ]
    )
