"""Time grains (--every): labels, DST-correct boundaries, year ends, ISO week 53, Sunday weeks."""

import pandas as pd
import pytest

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_periods, previous_period

from .frames import frame


def data(first: str, last: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(first), pd.Timestamp(last)


def labels(periods) -> list[str]:
    return [p.label for p in periods]


def test_a_day_across_the_autumn_dst_change_lasts_25_hours():
    # Helsinki leaves summer time on Sun 2026-10-25 at 04:00 (+03:00 -> +02:00)
    [day] = parse_periods(None, "2026-10-25", "2026-10-25", "Europe/Helsinki", every="day")
    assert day.label == "2026-10-25"
    assert day.start == pd.Timestamp("2026-10-24T21:00Z")
    assert day.end == pd.Timestamp("2026-10-25T22:00Z")
    assert day.end - day.start == pd.Timedelta(hours=25)


def test_a_day_across_the_spring_dst_change_lasts_23_hours():
    # Helsinki starts summer time on Sun 2026-03-29 at 03:00 (+02:00 -> +03:00)
    days = parse_periods(None, "2026-03-29", "2026-03-30", "Europe/Helsinki", every="day")
    assert [d.end - d.start for d in days] == [pd.Timedelta(hours=23), pd.Timedelta(hours=24)]
    assert days[0].start == pd.Timestamp("2026-03-28T22:00Z")
    assert days[1].start == pd.Timestamp("2026-03-29T21:00Z")


def test_the_iso_week_holding_the_dst_change_runs_monday_to_sunday_local_time():
    periods = parse_periods("2026-10", None, None, "Europe/Helsinki", every="week")
    assert labels(periods) == [
        "2026-10-01..2026-10-04",  # W40 is cut by the start of the month
        "2026-W41",
        "2026-W42",
        "2026-W43",
        "2026-10-26..2026-10-31",  # W44 is cut by its end
    ]
    w43 = periods[3]
    assert w43.start == pd.Timestamp("2026-10-18T21:00Z")  # Mon Oct 19 00:00 +03:00
    assert w43.end == pd.Timestamp("2026-10-25T22:00Z")  # Mon Oct 26 00:00 +02:00
    assert periods[-1].end == pd.Timestamp("2026-10-31T22:00Z")


def test_a_ticket_late_on_the_dst_sunday_counts_in_that_local_day():
    # 21:30Z on Oct 25 is 23:30 in Helsinki (+02:00): still Sunday Oct 25, week 43
    tickets = frame(
        "tickets",
        ticket_id=["t1", "t2"],
        created_at=["2026-10-25T21:30Z", "2026-10-25T22:00Z"],
    )
    periods = parse_periods(None, "2026-10-25", "2026-10-26", "Europe/Helsinki", every="day")
    rows = compute({"tickets": tickets}, periods, [], Config())
    created = {r.period: r.value for r in rows if r.kpi == "tickets_created"}
    assert created == {"2026-10-25": 1, "2026-10-26": 1}


def test_every_grain_over_a_year_end_without_a_chosen_range_covers_whole_periods():
    span = data("2026-12-30T10:00Z", "2027-01-02T10:00Z")
    got = {
        grain: labels(parse_periods(None, None, None, "UTC", data_range=span, every=grain))
        for grain in ("day", "week", "month", "quarter", "year")
    }
    assert got == {
        "day": ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"],
        "week": ["2026-W53"],  # Mon 2026-12-28 .. Sun 2027-01-03: 2026 has 53 ISO weeks
        "month": ["2026-12", "2027-01"],
        "quarter": ["2026-Q4", "2027-Q1"],
        "year": ["2026", "2027"],
    }
    [w53] = parse_periods(None, None, None, "UTC", data_range=span, every="week")
    assert (w53.start, w53.end) == (
        pd.Timestamp("2026-12-28T00:00Z"),
        pd.Timestamp("2027-01-04T00:00Z"),
    )
    q4 = parse_periods(None, None, None, "UTC", data_range=span, every="quarter")[0]
    assert (q4.start, q4.end) == (
        pd.Timestamp("2026-10-01T00:00Z"),
        pd.Timestamp("2027-01-01T00:00Z"),
    )
    assert q4.months() == ["2026-10", "2026-11", "2026-12"]


def test_a_chosen_range_cuts_the_grain_at_its_edges():
    periods = parse_periods(None, "2026-12-30", "2027-01-02", "UTC", every="month")
    assert labels(periods) == ["2026-12-30..2026-12-31", "2027-01-01..2027-01-02"]
    assert labels(parse_periods("2026-10..2026-12", None, None, "UTC", every="quarter")) == [
        "2026-Q4"
    ]


def test_sunday_weeks_are_named_after_the_iso_week_of_their_monday_and_say_so():
    span = data("2026-12-26T12:00Z", "2027-01-03T12:00Z")  # Sat .. Sun
    periods = parse_periods(
        None, None, None, "UTC", data_range=span, every="week", week_start="sun"
    )
    assert labels(periods) == ["2026-W52-sun", "2026-W53-sun", "2027-W01-sun"]
    assert periods[1].start == pd.Timestamp("2026-12-27T00:00Z")  # Sunday
    assert periods[1].end == pd.Timestamp("2027-01-03T00:00Z")  # the next Sunday
    assert previous_period(periods[2]).label == "2026-W53-sun"


def test_the_previous_period_is_the_one_before_at_the_same_grain():
    def before(label_args, grain):
        [p] = parse_periods(None, *label_args, "Europe/Helsinki", every=grain)
        return previous_period(p)

    assert before(("2027-01-01", "2027-01-01"), "day").label == "2026-12-31"
    week = before(("2027-01-04", "2027-01-10"), "week")
    assert week.label == "2026-W53"
    assert week.start == pd.Timestamp("2026-12-27T22:00Z")  # Mon Dec 28 00:00 +02:00
    assert before(("2027-01-01", "2027-03-31"), "quarter").label == "2026-Q4"
    assert before(("2027-01-01", "2027-12-31"), "year").label == "2026"
    # the week after the DST change compares with the 169-hour week that holds it
    w43 = before(("2026-10-26", "2026-11-01"), "week")
    assert w43.label == "2026-W43"
    assert w43.end - w43.start == pd.Timedelta(hours=169)


def test_period_all_is_one_range_over_the_data():
    span = data("2026-09-14T08:00Z", "2026-11-02T16:00Z")
    [p] = parse_periods("all", None, None, "UTC", data_range=span)
    assert p.label == "2026-09-14..2026-11-02"
    months = parse_periods("all", None, None, "UTC", data_range=span, every="month")
    assert labels(months) == ["2026-09", "2026-10", "2026-11"]


def test_cost_kpis_are_not_available_for_a_week_but_are_for_a_quarter():
    costs = frame("costs", period=["2026-10", "2026-11", "2026-12"], amount=[100.0, 200.0, 300.0])
    periods = parse_periods("2026-10..2026-12", None, None, "UTC", every="quarter")
    periods += parse_periods(None, "2026-10-05", "2026-10-11", "UTC", every="week")
    rows = {
        r.period: r
        for r in compute({"costs": costs}, periods, [], Config())
        if r.kpi == "service_cost"
    }
    assert rows["2026-Q4"].value == 600
    assert rows["2026-W41"].value is None
    assert "cuts a month" in rows["2026-W41"].reason


@pytest.mark.parametrize(
    ("every", "week_start", "message"),
    [
        ("fortnight", "mon", "--every 'fortnight' is not a time grain"),
        ("week", "wed", "week_start 'wed' is not known"),
    ],
)
def test_unknown_grains_are_usage_errors(every, week_start, message):
    with pytest.raises(UsageError, match=message):
        parse_periods("2026-10", None, None, "UTC", every=every, week_start=week_start)


@pytest.mark.parametrize(
    ("label", "start", "end", "before"),
    [
        ("2026-W53", "2026-12-28", "2027-01-04", "2026-W52"),
        ("2027-W01-sun", "2027-01-03", "2027-01-10", "2026-W53-sun"),
        ("2026-Q1", "2026-01-01", "2026-04-01", "2025-Q4"),
        ("2026", "2026-01-01", "2027-01-01", "2025"),
        ("2026-03-01", "2026-03-01", "2026-03-02", "2026-02-28"),
    ],
)
def test_period_takes_any_label_the_grains_write(label, start, end, before):
    [p] = parse_periods(label, None, None, "UTC")
    assert (p.label, p.start, p.end) == (
        label,
        pd.Timestamp(f"{start}T00:00Z"),
        pd.Timestamp(f"{end}T00:00Z"),
    )
    assert previous_period(p).label == before


def test_a_week_that_does_not_exist_is_a_usage_error():
    with pytest.raises(UsageError, match="no such day, week or quarter"):
        parse_periods("2026-W54", None, None, "UTC")
