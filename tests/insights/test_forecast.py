import numpy as np
import pandas as pd
import pytest

from cskpi.insights.erlang import agents_needed
from cskpi.insights.forecast import holt_winters, intraday_profile, spread
from cskpi.insights.staffing import StaffingOptions, interval_occurrences, staffing

WEEK = [100.0, 120.0, 110.0, 90.0, 80.0, 0.0, 0.0]
START = pd.Timestamp("2026-09-07", tz="UTC")  # a Monday


def test_holt_winters_continues_a_clean_weekly_pattern():
    predicted, problems = holt_winters(np.tile(WEEK, 4), 7)
    assert predicted == pytest.approx(WEEK, abs=0.5)
    assert (predicted >= 0).all()


def test_a_day_is_spread_by_its_weekdays_profile_and_a_repeated_hour_shares_its_part():
    # Monday history: 30 calls at 09:00, 90 at 09:30 -> shares 0.25 and 0.75.
    counts = pd.DataFrame({"weekday": [0, 0], "interval": [540, 570], "calls": [30, 90]})
    profile = intraday_profile(counts)
    assert profile.to_dict() == {(0, 540): 0.25, (0, 570): 0.75}
    day = pd.Timestamp("2026-10-26")
    slots = pd.DataFrame({"date": [day] * 3, "weekday": [0] * 3, "interval": [540, 540, 570]})
    # 100 forecast calls: 25 for 09:00, split over its two occurrences; 75 for 09:30.
    assert spread(pd.Series([100.0], index=[day]), profile, slots).tolist() == [12.5, 12.5, 75.0]


def calls_of_weeks(weeks, per_interval):
    """per_interval: {(weekday, 'HH:MM'): calls} repeated every week, AHT 180 s."""
    stamps = []
    for week in range(weeks):
        for (weekday, time), calls in per_interval.items():
            moment = START + pd.Timedelta(days=7 * week + weekday) + pd.Timedelta(time + ":00")
            stamps += [moment + pd.Timedelta(seconds=10 * i) for i in range(calls)]
    queued = pd.Series(pd.DatetimeIndex(stamps))
    return pd.DataFrame({"call_id": pd.Series([str(i) for i in range(len(queued))], dtype="str"),
                         "queued_at": queued, "answered_at": queued + pd.Timedelta(seconds=5),
                         "ended_at": queued + pd.Timedelta(seconds=185),
                         "talk_seconds": 180.0})


def test_the_forecast_gives_agents_per_interval_of_the_next_days_with_growth():
    plan = {(0, "09:00"): 40, (0, "09:30"): 20, (2, "10:00"): 30}
    calls = calls_of_weeks(4, plan)
    end = START + pd.Timedelta(days=28)
    options = StaffingOptions(use_abandonment=False, forecast_days=7, growth=0.10)
    result = staffing(calls, START, end, "UTC", options)
    table = result.tables["staffing_forecast"]
    assert len(table) == 7 * 48 and table["start"].iloc[0] == "2026-10-05T00:00:00+00:00"
    monday = table[(table["date"] == "2026-10-05") & (table["time"] == "09:00")].iloc[0]
    assert monday["forecast_calls"] == pytest.approx(44.0, abs=0.5)           # 40 × 1.1
    assert monday["agents_needed"] == agents_needed(monday["forecast_calls"], 180, 1800).agents
    assert table.loc[table["day"] == "Tue", "forecast_calls"].sum() == pytest.approx(0, abs=0.5)
    holdout = result.meta["forecast_holdout"]
    assert holdout["interval_wape"] == pytest.approx(0, abs=2)
    assert holdout["naive_interval_wape"] == 0
    assert any(n.startswith("forecast error on the last 7 days") for n in result.notes)


def test_the_forecast_needs_two_weeks_of_history():
    calls = calls_of_weeks(1, {(0, "09:00"): 10})
    result = staffing(calls, START, START + pd.Timedelta(days=7), "UTC",
                      StaffingOptions(use_abandonment=False))
    assert "staffing_forecast" not in result.tables
    assert "not available: forecast: 7 days of history (need 14" in " ".join(result.notes)


def test_forecast_slots_follow_the_clock_change():
    slots = interval_occurrences(pd.Timestamp("2026-10-25", tz="Europe/Helsinki"),
                                 pd.Timestamp("2026-10-26", tz="Europe/Helsinki"),
                                 "Europe/Helsinki", 60)
    times = slots["occurrence"].dt.tz_convert("Europe/Helsinki").dt.strftime("%H:%M").tolist()
    assert times[:6] == ["00:00", "01:00", "02:00", "03:00", "03:00", "04:00"]
