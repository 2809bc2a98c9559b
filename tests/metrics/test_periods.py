import pandas as pd
import pytest

from cskpi.errors import UsageError
from cskpi.metrics.periods import parse_periods, previous_period


def test_a_month_is_half_open_in_the_timezone():
    [p] = parse_periods("2026-10", None, None, "Europe/Helsinki")
    assert p.label == "2026-10"
    # Helsinki is UTC+3 on Oct 1 and UTC+2 on Nov 1 (DST ends Oct 25)
    assert p.start == pd.Timestamp("2026-09-30T21:00Z")
    assert p.end == pd.Timestamp("2026-10-31T22:00Z")
    assert p.months() == ["2026-10"]


def test_a_month_range_gives_one_period_per_month():
    periods = parse_periods("2026-11..2027-02", None, None, "UTC")
    assert [p.label for p in periods] == ["2026-11", "2026-12", "2027-01", "2027-02"]


def test_from_to_is_one_inclusive_range():
    [p] = parse_periods(None, "2026-10-01", "2026-10-15", "UTC")
    assert p.label == "2026-10-01..2026-10-15"
    assert p.end == pd.Timestamp("2026-10-16T00:00Z")
    assert p.months() is None
    [whole] = parse_periods(None, "2026-10-01", "2026-11-30", "UTC")
    assert whole.months() == ["2026-10", "2026-11"]


def test_nothing_given_means_every_month_the_data_covers():
    data = (pd.Timestamp("2026-08-15T10:00Z"), pd.Timestamp("2026-10-01T01:00Z"))
    assert [p.label for p in parse_periods(None, None, None, "UTC", data_range=data)] == [
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    # in Los Angeles the last record is still September 30
    assert [
        p.label for p in parse_periods(None, None, None, "America/Los_Angeles", data_range=data)
    ][-1] == "2026-09"


def test_previous_period_has_the_same_length():
    [october] = parse_periods("2026-10", None, None, "UTC")
    assert previous_period(october).label == "2026-09"
    [january] = parse_periods("2027-01", None, None, "UTC")
    assert previous_period(january).label == "2026-12"
    [fortnight] = parse_periods(None, "2026-10-01", "2026-10-14", "UTC")
    assert previous_period(fortnight).label == "2026-09-17..2026-09-30"
    [quarter] = parse_periods(None, "2026-10-01", "2026-12-31", "UTC")
    assert previous_period(quarter).label == "2026-07-01..2026-09-30"


@pytest.mark.parametrize(
    "args, message",
    [
        (("2026-13", None, None), "has no month 13"),
        (("October", None, None), "Write it as YYYY-MM"),
        (("2026-10", "2026-10-01", None), "cannot be combined"),
        ((None, "2026-10-15", "2026-10-01"), "ends before it starts"),
        ((None, "1.10.2026", "2026-10-31"), "is not a date"),
        ((None, None, None), "no period given"),
        (("2026-10..2026-08", None, None), "ends before it starts"),
    ],
)
def test_bad_periods_are_usage_errors_that_say_what_to_write(args, message):
    with pytest.raises(UsageError, match=message):
        parse_periods(*args, "UTC")


def test_an_unknown_timezone_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown timezone"):
        parse_periods("2026-10", None, None, "Mars/Olympus")
