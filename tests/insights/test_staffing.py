import pandas as pd
import pytest

from cskpi.insights.staffing import (
    StaffingOptions,
    arrival_pattern,
    estimate_patience,
    staffing,
    weekday_occurrences,
)

UTC = "UTC"
START = pd.Timestamp("2026-10-05", tz=UTC)   # a Monday
END = pd.Timestamp("2026-10-19", tz=UTC)     # two weeks: two Mondays


def calls_frame(rows):
    frame = pd.DataFrame(rows, columns=["call_id", "queued_at", "answered_at", "ended_at",
                                        "talk_seconds", "agent_id", "direction"])
    for col in ("queued_at", "answered_at", "ended_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["talk_seconds"] = frame["talk_seconds"].astype("float64")
    for col in ("call_id", "agent_id", "direction"):
        frame[col] = frame[col].astype("str")
    return frame


def test_weekday_occurrences_count_days_in_the_period():
    occ = weekday_occurrences(START, END, UTC)
    assert occ.tolist() == [2] * 7


def test_arrival_pattern_averages_per_occurrence_and_counts_distinct_agents():
    # Monday 09:00–09:30: 3 calls in week 1 (agents a, a, b), 1 call in week 2 (agent c).
    # calls_avg = 4 / 2 Mondays = 2; AHT = (100+200+300+400)/4 = 250; agents = (2 + 1) / 2 = 1.5.
    # The outbound call is left out.
    frame = calls_frame([
        ("1", "2026-10-05 09:01", "2026-10-05 09:01:10", None, 100, "a", "inbound"),
        ("2", "2026-10-05 09:10", "2026-10-05 09:10:10", None, 200, "a", None),
        ("3", "2026-10-05 09:29", "2026-10-05 09:29:10", None, 300, "b", "inbound"),
        ("4", "2026-10-12 09:15", "2026-10-12 09:15:10", None, 400, "c", "inbound"),
        ("5", "2026-10-12 09:15", "2026-10-12 09:15:10", None, 999, "d", "OUTBOUND"),
    ])
    pattern = arrival_pattern(frame, START, END, UTC, 30)
    row = pattern[(pattern.weekday == 0) & (pattern.interval == 9 * 60)].iloc[0]
    assert row.calls_total == 4
    assert row.calls_avg == 2.0
    assert row.aht_seconds == 250.0
    assert row.agents_observed == 1.5


def test_arrival_pattern_uses_local_time():
    # 07:30 UTC is 10:30 in Helsinki (UTC+3 in early October).
    frame = calls_frame([("1", "2026-10-05 07:30", "2026-10-05 07:30:05", None, 60, "a", "in")])
    pattern = arrival_pattern(frame, START, END, "Europe/Helsinki", 60)
    assert pattern.loc[pattern.calls_total > 0, "interval"].tolist() == [10 * 60]


def test_patience_is_total_wait_over_abandons():
    # 10 abandons after 60 s each (600 s) + 10 answered after 40 s (400 s): 1000 s / 10 = 100 s.
    rows = [(f"a{i}", "2026-10-05 09:00", None, "2026-10-05 09:01", None, None, None)
            for i in range(10)]
    rows += [(f"b{i}", "2026-10-05 09:00", "2026-10-05 09:00:40", None, 60, "x", None)
             for i in range(10)]
    patience, _ = estimate_patience(calls_frame(rows))
    assert patience == pytest.approx(100.0)


def test_patience_is_not_estimated_from_few_abandons():
    rows = [("a", "2026-10-05 09:00", None, "2026-10-05 09:01", None, None, None)]
    patience, why = estimate_patience(calls_frame(rows))
    assert patience is None and "only 1" in why


def test_staffing_reproduces_the_reference_interval():
    # 100 calls on Monday 10:00–10:30 of one week, AHT 180 s, no abandons → 14 agents (Erlang C).
    rows = [(str(i), "2026-10-05 10:05", "2026-10-05 10:05:05", None, 180, "a", None)
            for i in range(100)]
    result = staffing(calls_frame(rows), START, START + pd.Timedelta(days=7), UTC,
                      StaffingOptions(shrinkage=0.3))
    table = result.tables["staffing_pattern"]
    assert table["agents_needed"].tolist() == [14]
    assert table["agents_scheduled"].tolist() == [20]          # ceil(14 / 0.7)
    assert table["service_level"].tolist() == [88.8]
    assert table["gap"].tolist() == [1 - 14]                   # one agent answered
    assert result.meta["model"] == "Erlang C"


def test_staffing_without_calls_says_not_available():
    assert "not available" in staffing(None, START, END).notes[0]
