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


HELSINKI = "Europe/Helsinki"


def test_the_repeated_hour_of_the_autumn_clock_change_is_two_occurrences_not_one():
    # 25 Oct 2026, Helsinki: 04:00 EEST becomes 03:00 EET, so 03:00–03:30 local happens at
    # 00:00 and 01:00 UTC. 60 calls in each occurrence: 60 per occurrence (was 120 on 1 Sunday).
    from cskpi.insights.erlang import agents_needed

    start = pd.Timestamp("2026-10-19", tz=HELSINKI)
    rows = [(f"{hour}-{i}", f"2026-10-25 0{hour}:05", f"2026-10-25 0{hour}:05:05", None, 120,
             "a", None) for hour in (0, 1) for i in range(60)]
    result = staffing(calls_frame(rows), start, start + pd.Timedelta(days=7), HELSINKI,
                      StaffingOptions(use_abandonment=False))
    table = result.tables["staffing_pattern"]
    assert table[["day", "time", "occurrences", "calls_total", "calls_avg"]].values.tolist() == [
        ["Sun", "03:00", 2, 120, 60.0]]
    assert table["agents_needed"].tolist() == [agents_needed(60, 120, 1800).agents]
    assert agents_needed(60, 120, 1800).agents < agents_needed(120, 120, 1800).agents


def test_the_skipped_hour_of_the_spring_clock_change_is_not_averaged_over():
    # 29 Mar 2026, Helsinki: 03:00 EET becomes 04:00 EEST, so Sunday 03:00 local exists only on
    # 5 Apr of the two Sundays: 10 calls there average 10 (not 10 / 2 Sundays = 5).
    start = pd.Timestamp("2026-03-23", tz=HELSINKI)
    occurrences = weekday_occurrences(start, start + pd.Timedelta(days=14), HELSINKI)
    assert occurrences[6] == 2
    rows = [(str(i), "2026-04-05 00:10", "2026-04-05 00:10:05", None, 60, "a", None)
            for i in range(10)]                               # 00:10 UTC = 03:10 EEST
    pattern = arrival_pattern(calls_frame(rows), start, start + pd.Timedelta(days=14), HELSINKI)
    row = pattern[(pattern.weekday == 6) & (pattern.interval == 180)].iloc[0]
    assert (row.occurrences, row.calls_total, row.calls_avg) == (1, 10, 10.0)
    # A day of 23 hours has 46 half-hours, one of 25 hours 50.
    from cskpi.insights.staffing import interval_occurrences

    spring = interval_occurrences(pd.Timestamp("2026-03-29", tz=HELSINKI),
                                  pd.Timestamp("2026-03-30", tz=HELSINKI), HELSINKI, 30)
    autumn = interval_occurrences(pd.Timestamp("2026-10-25", tz=HELSINKI),
                                  pd.Timestamp("2026-10-26", tz=HELSINKI), HELSINKI, 30)
    assert (len(spring), len(autumn)) == (46, 50)


def test_short_abandons_are_left_out_of_the_volume_like_service_level_does():
    # Monday 10:00: 100 answered, 20 hung up after 2 s (short, < 5 s), 10 after 60 s.
    rows = [(f"a{i}", "2026-10-05 10:05", "2026-10-05 10:05:05", None, 180, "a", None)
            for i in range(100)]
    rows += [(f"s{i}", "2026-10-05 10:06", None, "2026-10-05 10:06:02", None, None, None)
             for i in range(20)]
    rows += [(f"l{i}", "2026-10-05 10:07", None, "2026-10-05 10:08:00", None, None, None)
             for i in range(10)]
    result = staffing(calls_frame(rows), START, START + pd.Timedelta(days=7), UTC,
                      StaffingOptions(short_abandon_seconds=5, use_abandonment=False))
    assert result.tables["staffing_pattern"]["calls_total"].tolist() == [110]
    assert any(note.startswith("20 short abandons") for note in result.notes)
