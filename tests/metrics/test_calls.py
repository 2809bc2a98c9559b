"""Call KPIs over a hand-built October 2026 (UTC); short abandon 5 s, service level 20 s."""

import pytest

from cskpi.config import Config

from .frames import frame, kpis, overall

# c1 answered after exactly 20 s (within service level), talk 200 hold 10 wrap 30, resolved
# c2 "INBOUND" answered after 21 s, talk 100, hold/wrap missing, not resolved
# c3 hung up after exactly 5 s -> abandoned (not a short abandon)
# c4 hung up after 4 s -> short abandon
# c5 unanswered with no ended_at -> offered, neither abandoned nor short, stays in denominators
# c6 "Outbound" -> only calls_outbound
# c7 answered after 10 s, no talk/hold/wrap -> left out of handle times, resolved unknown
# c8 queued Sep 30 23:59:59 -> previous month
# c9 no direction -> inbound; queued Oct 31 23:59:59, answered Nov 1 00:00:01 (2 s) -> October
CALLS = frame(
    "calls",
    call_id=["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
    queued_at=[
        "2026-10-01T10:00:00Z",
        "2026-10-02T10:00:00Z",
        "2026-10-03T10:00:00Z",
        "2026-10-04T10:00:00Z",
        "2026-10-05T10:00:00Z",
        "2026-10-03T12:00:00Z",
        "2026-10-06T10:00:00Z",
        "2026-09-30T23:59:59Z",
        "2026-10-31T23:59:59Z",
    ],
    answered_at=[
        "2026-10-01T10:00:20Z",
        "2026-10-02T10:00:21Z",
        None,
        None,
        None,
        "2026-10-03T12:00:30Z",
        "2026-10-06T10:00:10Z",
        "2026-10-01T00:00:00Z",
        "2026-11-01T00:00:01Z",
    ],
    ended_at=[
        "2026-10-01T10:05:00Z",
        "2026-10-02T10:02:00Z",
        "2026-10-03T10:00:05Z",
        "2026-10-04T10:00:04Z",
        None,
        "2026-10-03T12:10:00Z",
        "2026-10-06T10:03:00Z",
        "2026-10-01T00:05:00Z",
        "2026-11-01T00:02:00Z",
    ],
    talk_seconds=[200, 100, None, None, None, 500, None, 999, 50],
    hold_seconds=[10, None, None, None, None, 0, None, 999, 0],
    wrap_seconds=[30, None, None, None, None, 0, None, 999, 10],
    direction=[
        "inbound",
        "INBOUND",
        "inbound",
        "inbound",
        "inbound",
        " Outbound",
        "inbound",
        "inbound",
        None,
    ],
    agent_id=["a", "b", None, None, None, "a", "a", "a", "b"],
    queue=["q1", "q1", "q2", "q2", "q1", "q1", "q2", "q1", "q1"],
    resolved=[True, False, None, None, None, True, None, True, True],
)


def row(kpi, calls=CALLS, **kw):
    return overall({"calls": calls}, kpi, **kw)


def test_volumes_count_inbound_calls_by_queued_time():
    # inbound in October: c1 c2 c3 c4 c5 c7 c9; answered c1 c2 c7 c9; abandoned c3 only
    assert row("calls_offered").value == 7
    assert row("calls_answered").value == 4
    assert row("calls_abandoned").value == 1
    assert row("calls_outbound").value == 1


def test_abandonment_rate_excludes_short_abandons_from_the_denominator():
    # 1 abandoned / (7 offered - 1 short) ; c5 (no ended_at) stays in the denominator
    r = row("abandonment_rate")
    assert (r.value, r.n) == (pytest.approx(100 / 6), 6)


def test_service_level_counts_a_wait_of_exactly_the_threshold_as_met():
    # answered within 20 s: c1 (20), c7 (10), c9 (2) -> 3 / 6
    r = row("service_level")
    assert (r.value, r.n) == (50.0, 6)


def test_thresholds_come_from_the_config():
    config = Config(short_abandon_seconds=6, service_level_seconds=10)
    # c3 (5 s) becomes a short abandon too -> 0 abandoned / 5; within 10 s: c7, c9 -> 2 / 5
    assert row("calls_abandoned", config=config).value == 0
    assert row("abandonment_rate", config=config).value == 0
    assert row("service_level", config=config).value == 40.0


def test_wait_times():
    # answered waits 20, 21, 10, 2 -> 53 / 4; longest of every known wait (20 21 5 4 10 2) = 21
    assert row("average_speed_of_answer").value == 13.25
    r = row("longest_wait")
    assert (r.value, r.n) == (21.0, 6)


def test_handle_time_counts_missing_parts_as_zero_and_skips_empty_calls():
    # c1 240, c2 100 (hold/wrap missing), c9 60; c7 left out -> 400 / 3
    r = row("average_handle_time")
    assert (r.value, r.n) == (pytest.approx(400 / 3), 3)
    # talk 200 100 50 -> 350 / 3 ; hold 10 and 0 -> 5 over 2 calls
    assert row("average_talk_time").value == pytest.approx(350 / 3)
    r = row("average_hold_time")
    assert (r.value, r.n) == (5.0, 2)


def test_call_resolution_uses_answered_inbound_calls_with_resolved_known():
    # c1 true, c2 false, c9 true (c7 unknown, c6 outbound) -> 2 / 3
    r = row("call_resolution_rate")
    assert (r.value, r.n) == (pytest.approx(200 / 3), 3)


def test_calls_without_handle_columns_say_which_are_missing():
    calls = CALLS.drop(columns=["talk_seconds", "hold_seconds", "wrap_seconds"])
    r = row("average_handle_time", calls=calls)
    assert r.value is None
    assert r.reason == "calls table has no talk_seconds/hold_seconds/wrap_seconds"
    assert row("average_talk_time", calls=calls).reason == "calls table has no talk_seconds"


def test_calls_without_direction_are_all_inbound():
    calls = CALLS.drop(columns=["direction"])
    assert row("calls_offered", calls=calls).value == 8
    assert row("calls_outbound", calls=calls).value == 0


def test_queue_breakdown_sums_to_the_total():
    rows = kpis({"calls": CALLS}, by=("queue",))
    # q1: c1 c2 c5 c9 ; q2: c3 c4 c7
    assert rows[("queue", "q1", "calls_offered")].value == 4
    assert rows[("queue", "q2", "calls_offered")].value == 3
    # q2: c3 abandoned / (3 - c4 short) = 50 %
    assert rows[("queue", "q2", "abandonment_rate")].value == 50.0
    # q1 has no abandons: a count of 0, not "not available"
    assert rows[("queue", "q1", "calls_abandoned")].value == 0


def test_an_empty_month_has_zero_counts_and_unavailable_rates():
    rows = kpis({"calls": CALLS}, period="2026-12")
    assert rows[("all", "all", "calls_offered")].value == 0
    r = rows[("all", "all", "service_level")]
    assert r.value is None and r.reason == "no inbound calls offered in 2026-12"
