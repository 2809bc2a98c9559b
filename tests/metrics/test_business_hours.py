import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.config import BusinessHours
from cskpi.metrics.business_hours import business_seconds

HELSINKI = "Europe/Helsinki"
HOUR = 3600.0
WEEKDAYS_9_TO_17 = {day: [("09:00", "17:00")] for day in range(5)}
EVERY_DAY = {day: [("09:00", "17:00")] for day in range(7)}
ALWAYS = {day: [("00:00", "24:00")] for day in range(7)}


def local(*stamps: str | None, tz: str = HELSINKI) -> pd.Series:
    """Helsinki wall-clock strings -> UTC instants (None -> NaT)."""
    naive = pd.to_datetime(pd.Series(stamps, dtype="str"), format="%Y-%m-%d %H:%M")
    return naive.dt.tz_localize(tz).dt.tz_convert("UTC")


def hours_between(start: str, end: str, week: dict, **extra) -> float:
    hours = BusinessHours(tz=HELSINKI, week=week, **extra)
    return business_seconds(local(start), local(end), hours).iloc[0] / HOUR


def test_a_reply_outside_business_hours_counts_zero():
    # Saturday morning, and Monday evening after closing.
    assert hours_between("2026-03-07 10:00", "2026-03-07 11:00", WEEKDAYS_9_TO_17) == 0
    assert hours_between("2026-03-09 18:00", "2026-03-09 20:00", WEEKDAYS_9_TO_17) == 0


def test_an_interval_spanning_a_weekend_counts_only_friday_and_monday():
    # Fri 6 Mar 16:00 -> Mon 9 Mar 10:00: 1 h on Friday + 1 h on Monday.
    assert hours_between("2026-03-06 16:00", "2026-03-09 10:00", WEEKDAYS_9_TO_17) == 2


def test_a_whole_working_week_is_forty_hours():
    assert hours_between("2026-03-09 00:00", "2026-03-16 00:00", WEEKDAYS_9_TO_17) == 40


def test_a_lunch_break_between_two_intervals_is_not_counted():
    week = {0: [("08:00", "12:00"), ("13:00", "17:00")]}
    # Mon 9 Mar 11:00 -> 14:00: 11-12 and 13-14.
    assert hours_between("2026-03-09 11:00", "2026-03-09 14:00", week) == 2


def test_finnish_independence_day_is_closed():
    # Thu 5 Dec 2024 16:00 -> Mon 9 Dec 10:00: Thursday 1 h, Friday 6 Dec is a public holiday,
    # Monday 1 h. Without the holiday calendar Friday adds 8 h.
    assert (
        hours_between(
            "2024-12-05 16:00", "2024-12-09 10:00", WEEKDAYS_9_TO_17, holidays_country="FI"
        )
        == 2
    )
    assert hours_between("2024-12-05 16:00", "2024-12-09 10:00", WEEKDAYS_9_TO_17) == 10


def test_extra_closed_dates_are_closed():
    assert (
        hours_between(
            "2024-12-05 16:00",
            "2024-12-09 10:00",
            WEEKDAYS_9_TO_17,
            holidays_country="FI",
            closed_dates=("2024-12-05",),
        )
        == 1
    )


def test_a_nine_to_five_day_is_eight_hours_on_both_daylight_saving_days():
    # Spring forward: Sun 29 Mar 2026 03:00 -> 04:00; fall back: Sun 25 Oct 2026 04:00 -> 03:00.
    # Sat 12:00 -> Mon 12:00 with every day 09-17: Sat 5 h + Sun 8 h + Mon 3 h.
    assert hours_between("2026-03-28 12:00", "2026-03-30 12:00", EVERY_DAY) == 16
    assert hours_between("2026-10-24 12:00", "2026-10-26 12:00", EVERY_DAY) == 16


def test_a_clock_change_inside_opening_hours_counts_elapsed_time():
    # Open 02:00-05:00: on the spring-forward day 02:00 EET (00:00Z) to 05:00 EEST (02:00Z) is
    # 2 h; on the fall-back day 02:00 EEST (23:00Z) to 05:00 EET (03:00Z) is 4 h.
    week = {6: [("02:00", "05:00")]}
    assert hours_between("2026-03-29 00:00", "2026-03-29 12:00", week) == 2
    assert hours_between("2026-10-25 00:00", "2026-10-25 12:00", week) == 4
    # Open all day: the spring-forward Sunday lasts 23 h, the fall-back one 25 h.
    assert hours_between("2026-03-29 00:00", "2026-03-30 00:00", ALWAYS) == 23
    assert hours_between("2026-10-25 00:00", "2026-10-26 00:00", ALWAYS) == 25


def test_opening_times_in_a_skipped_or_repeated_hour_follow_the_dst_rule():
    # 03:30 does not exist on 29 Mar: read with the offset before the jump (+02) = 01:30Z;
    # 06:00 EEST = 03:00Z, so 1.5 h. On 25 Oct 03:30 exists twice: the later (EET, +02)
    # = 01:30Z; 06:00 EET = 04:00Z, so 2.5 h.
    week = {6: [("03:30", "06:00")]}
    assert hours_between("2026-03-29 00:00", "2026-03-29 12:00", week) == 1.5
    assert hours_between("2026-10-25 00:00", "2026-10-25 12:00", week) == 2.5


def test_intervals_that_the_skipped_hour_turns_over_are_counted_once():
    # 29 Mar 2026: 02:00-03:10 -> 00:00Z-01:10Z (70 min); 03:30-04:10 -> 01:30Z-01:10Z, inside
    # out, so 0; 04:20-05:00 -> 01:20Z-02:00Z, trimmed to start at 01:30Z (30 min). 100 min.
    week = {6: [("02:00", "03:10"), ("03:30", "04:10"), ("04:20", "05:00")]}
    assert hours_between("2026-03-29 00:00", "2026-03-29 12:00", week) * 60 == pytest.approx(100)


def test_missing_instants_give_nan_and_reversed_intervals_give_zero():
    start = local("2026-03-09 10:00", None, "2026-03-09 12:00")
    end = local(None, "2026-03-09 12:00", "2026-03-09 10:00")
    result = business_seconds(start, end, BusinessHours(tz=HELSINKI, week=WEEKDAYS_9_TO_17))
    assert result.isna().tolist() == [True, True, False]
    assert result.iloc[2] == 0


def test_the_result_keeps_the_index_and_accepts_any_timezone_for_the_instants():
    start = local("2026-03-09 10:00").set_axis([42]).dt.tz_convert("America/New_York")
    end = local("2026-03-09 11:30").set_axis([42])
    result = business_seconds(start, end, BusinessHours(tz=HELSINKI, week=WEEKDAYS_9_TO_17))
    assert result.index.tolist() == [42]
    assert result.iloc[0] == 1.5 * HOUR


def test_no_opening_hours_at_all_gives_zero():
    result = business_seconds(
        local("2026-03-09 10:00"), local("2026-03-10 10:00"), BusinessHours(tz=HELSINKI, week={})
    )
    assert result.tolist() == [0.0]


def test_naive_instants_are_refused():
    naive = pd.Series(pd.to_datetime(["2026-03-09 10:00"]))
    with pytest.raises(TypeError, match="tz-aware"):
        business_seconds(naive, naive, BusinessHours(tz=HELSINKI, week=WEEKDAYS_9_TO_17))


PROPERTY_HOURS = BusinessHours(
    tz=HELSINKI,
    week={
        0: [("08:00", "12:00"), ("13:00", "17:00")],
        1: [("09:00", "17:00")],
        2: [("03:30", "06:00")],
        4: [("09:00", "24:00")],
        5: [("00:00", "24:00")],
        # On the spring-forward Sunday 03:30 and 04:10 map past 04:20 (the gap is 03-04).
        6: [("02:00", "03:10"), ("03:30", "04:10"), ("04:20", "05:00"), ("22:00", "24:00")],
    },
    holidays_country="FI",
    closed_dates=("2026-03-30",),
)
# Three years around both clock changes, in whole minutes.
FIRST = pd.Timestamp("2025-01-01", tz="UTC")
minutes = st.integers(min_value=0, max_value=3 * 366 * 24 * 60)


def at(offsets: list[int]) -> pd.Series:
    return pd.Series(FIRST + pd.to_timedelta(offsets, unit="min"))


@settings(max_examples=150, deadline=None)
@given(st.lists(minutes, min_size=3, max_size=3))
def test_business_seconds_are_additive_non_negative_and_never_exceed_elapsed_time(offsets):
    a, b, c = at(sorted(offsets))
    starts, ends = pd.Series([a, b, a]), pd.Series([b, c, c])
    ab, bc, ac = business_seconds(starts, ends, PROPERTY_HOURS).tolist()
    assert min(ab, bc, ac) >= 0
    assert ab + bc == pytest.approx(ac, abs=1e-6)
    assert ac <= (c - a).total_seconds()


@settings(max_examples=100, deadline=None)
@given(st.lists(minutes, min_size=2, max_size=2))
def test_when_always_open_business_time_is_elapsed_time(offsets):
    a, b = at(sorted(offsets))
    result = business_seconds(
        pd.Series([a]), pd.Series([b]), BusinessHours(tz=HELSINKI, week=ALWAYS)
    ).iloc[0]
    assert result == (b - a).total_seconds()


@pytest.mark.slow
def test_a_large_batch_stays_within_zero_and_elapsed_time():
    rng = np.random.default_rng(7)
    created = FIRST.value + rng.integers(0, 365 * 86_400, 200_000) * 200_000_000
    replied = created + rng.integers(0, 5 * 86_400, 200_000) * 200_000_000
    start = pd.Series(pd.to_datetime(created, utc=True))
    end = pd.Series(pd.to_datetime(replied, utc=True))
    result = business_seconds(start, end, PROPERTY_HOURS)
    assert (result >= 0).all() and (result <= (end - start).dt.total_seconds()).all()
