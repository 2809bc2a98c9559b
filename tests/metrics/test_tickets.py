"""Ticket KPIs over a hand-built October 2026 (UTC)."""

import math

import pytest

from cskpi.config import Config

from .frames import frame, kpis, overall

NaT = None
# t1 created Oct 1 00:00, first reply +2 h, resolved +10 h, one reply, no reopen
# t2 created Oct 15, reply exactly +24 h (SLA met), resolved +48 h, 3 replies, reopened, escalated
# t3 created Oct 31 23:59:59, nothing yet: its SLA runs out after period end -> not breached
# t4 created Sep 30 23:00, resolved Oct 1 23:00 (exactly 24 h), one reply, reopens unknown
# t5 created Oct 5, reply +25 h (breach), resolved exactly at period end Nov 1 00:00 -> still open
# t6 created Oct 10, never answered, SLA ran out Oct 11 -> breach; blank agent -> (none)
# t7 created Nov 1 00:00 -> next month
# t8 created Aug 1, never resolved -> backlog
TICKETS = frame(
    "tickets",
    ticket_id=["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"],
    created_at=[
        "2026-10-01T00:00Z",
        "2026-10-15T00:00Z",
        "2026-10-31T23:59:59Z",
        "2026-09-30T23:00Z",
        "2026-10-05T00:00Z",
        "2026-10-10T00:00Z",
        "2026-11-01T00:00Z",
        "2026-08-01T00:00Z",
    ],
    first_response_at=[
        "2026-10-01T02:00Z",
        "2026-10-16T00:00Z",
        NaT,
        "2026-09-30T23:30Z",
        "2026-10-06T01:00Z",
        NaT,
        NaT,
        NaT,
    ],
    resolved_at=[
        "2026-10-01T10:00Z",
        "2026-10-17T00:00Z",
        NaT,
        "2026-10-01T23:00Z",
        "2026-11-01T00:00Z",
        NaT,
        NaT,
        NaT,
    ],
    agent_id=["a", "b", "a", None, "b", "  ", "a", "a"],
    priority=["high", "normal", "normal", "normal", "low", "normal", "normal", "low"],
    channel=["email", "chat", "email", "email", "chat", "web", "email", "email"],
    agent_replies=[1, 3, None, 1, 2, None, None, None],
    reopens=[0, 1, None, None, 0, None, None, None],
    messages_in=[2, 3, None, 9, 1, None, 4, None],
    messages_out=[1, 2, None, 9, 0, None, 4, None],
    escalated=[False, True, None, True, False, False, True, None],
)


def value(kpi, **kw):
    return overall({"tickets": TICKETS}, kpi, **kw).value


def test_counts_follow_created_and_resolved_dates():
    # created in October: t1 t2 t3 t5 t6; resolved in October: t1 t2 t4 (t5 resolved at the end)
    assert value("tickets_created") == 5
    assert value("tickets_resolved") == 3
    # created before Nov 1 and not resolved before it: t3, t5 (resolved exactly at end), t6, t8
    assert value("backlog_end") == 4


def test_messages_sum_over_tickets_created_in_the_period():
    # in: 2 + 3 + 1 = 6 (t4 and t7 outside, t3/t6 missing); out: 1 + 2 + 0 = 3
    row = overall({"tickets": TICKETS}, "messages_in")
    assert (row.value, row.n) == (6, 3)
    assert value("messages_out") == 3


def test_first_response_times_use_tickets_created_with_a_response():
    # hours 2, 24, 25 -> median 24, p90 at rank 1.8 -> 24 + 0.8 = 24.8, mean 51/3 = 17
    assert value("first_response_hours_median") == 24
    assert value("first_response_hours_p90") == pytest.approx(24.8)
    row = overall({"tickets": TICKETS}, "first_response_hours_mean")
    assert (row.value, row.n) == (pytest.approx(17.0), 3)


def test_sla_met_at_exactly_the_target_and_pending_tickets_not_breached():
    # t1 met, t2 met at exactly 24 h, t3 pending (not breached), t5 late, t6 ran out -> 2 / 5
    row = overall({"tickets": TICKETS}, "first_response_sla_breach_rate")
    assert (row.value, row.n) == (40.0, 5)


def test_sla_override_by_priority_wins_over_channel():
    # high = 1 h makes t1 (2 h) late although email allows 100 h -> 3 / 5
    config = Config(sla_hours_by_priority={"HIGH": 1}, sla_hours_by_channel={"email": 100})
    assert value("first_response_sla_breach_rate", config=config) == 60.0


def test_sla_override_by_channel():
    # chat = 48 h: t5 (25 h) now met -> t6 only -> 1 / 5
    assert (
        value("first_response_sla_breach_rate", config=Config(sla_hours_by_channel={"Chat": 48}))
        == 20
    )


def test_resolution_times_use_tickets_resolved_in_the_period():
    # hours 10 (t1), 48 (t2), 24 (t4) -> median 24, p90 at rank 1.8 -> 24 + 0.8 * 24 = 43.2
    assert value("resolution_hours_median") == 24
    assert value("resolution_hours_p90") == pytest.approx(43.2)
    # within 24 h: t1 and t4 (exactly 24 h) -> 2 / 3
    assert value("resolved_within_24h_rate") == pytest.approx(200 / 3)


def test_first_contact_resolution_counts_one_reply_without_reopen():
    # t1 (1 reply, 0 reopens) yes, t2 (3 replies) no, t4 (1 reply, reopens missing) yes -> 2 / 3
    row = overall({"tickets": TICKETS}, "first_contact_resolution_rate")
    assert (row.value, row.n) == (pytest.approx(200 / 3), 3)
    # mean replies (1 + 3 + 1) / 3
    assert value("contacts_per_resolution") == pytest.approx(5 / 3)


def test_reopen_and_escalation_rates_use_known_values_only():
    # reopens known on resolved t1 (0), t2 (1) -> 1 / 2
    row = overall({"tickets": TICKETS}, "reopen_rate")
    assert (row.value, row.n) == (50.0, 2)
    # escalated known on created t1 F, t2 T, t5 F, t6 F -> 1 / 4
    assert value("escalation_rate") == 25.0


def test_agent_breakdown_puts_blank_and_missing_agents_in_none():
    rows = kpis({"tickets": TICKETS}, by=("agent",))
    # created: a = t1 t3, b = t2 t5, (none) = t6
    assert [rows[("agent", s, "tickets_created")].value for s in ("a", "b", "(none)")] == [2, 2, 1]
    # resolved: a = t1, b = t2, (none) = t4
    assert [rows[("agent", s, "tickets_resolved")].value for s in ("a", "b", "(none)")] == [1, 1, 1]
    # b has t2 24 h and t5 25 h
    assert rows[("agent", "b", "first_response_hours_median")].value == pytest.approx(24.5)


def test_missing_columns_make_only_their_kpis_unavailable():
    tickets = TICKETS.drop(columns=["resolved_at", "agent_replies", "escalated"])
    rows = kpis({"tickets": tickets})
    assert rows[("all", "all", "tickets_created")].value == 5
    for kpi in (
        "tickets_resolved",
        "backlog_end",
        "resolution_hours_median",
        "first_contact_resolution_rate",
        "escalation_rate",
    ):
        assert rows[("all", "all", kpi)].value is None
        assert rows[("all", "all", kpi)].reason.startswith("tickets table has no ")
    assert rows[("all", "all", "tickets_resolved")].reason == "tickets table has no resolved_at"
    assert "escalated" in rows[("all", "all", "escalation_rate")].reason


def test_an_empty_period_gives_zero_counts_and_unavailable_times():
    rows = kpis({"tickets": TICKETS}, period="2025-01")
    assert rows[("all", "all", "tickets_created")].value == 0
    assert rows[("all", "all", "messages_in")].value == 0
    median = rows[("all", "all", "first_response_hours_median")]
    assert (
        median.value is None
        and median.reason == "no ticket created in 2025-01 has a first response"
    )
    assert rows[("all", "all", "reopen_rate")].value is None


def test_business_hours_come_from_the_exported_minutes():
    tickets = TICKETS.assign(
        first_response_business_minutes=[60.0, 30.0, None, 5.0, 90.0, None, 1, 1],
        resolution_business_minutes=[120.0, 600.0, None, 60.0, 1, 1, 1, 1],
    )
    rows = kpis({"tickets": tickets})
    # created with minutes: 60, 30, 90 -> hours 1, 0.5, 1.5 -> median 1;
    # p90 at rank 1.8 -> 1 + 0.8 * 0.5
    assert rows[("all", "all", "first_response_business_hours_median")].value == 1.0
    assert rows[("all", "all", "first_response_business_hours_p90")].value == pytest.approx(1.4)
    # resolved t1 120, t2 600, t4 60 -> hours 2, 10, 1 -> median 2
    assert rows[("all", "all", "resolution_business_hours_median")].value == 2.0


def test_business_hours_without_minutes_or_opening_hours_say_how_to_fix_it():
    row = overall({"tickets": TICKETS}, "resolution_business_hours_p90")
    assert row.value is None
    assert "add [business_hours] to cskpi.toml" in row.reason
    assert not math.isnan(overall({"tickets": TICKETS}, "tickets_created").value)


def test_sla_breaches_count_the_breach_rates_numerator_over_tickets_created():
    # t5 late and t6 ran out -> 2 breaches among the 5 tickets created in October
    row = overall({"tickets": TICKETS}, "first_response_sla_breaches")
    assert (row.value, row.n, row.unit) == (2, 5, "count")


def test_sla_breaches_per_agent_per_day_judge_each_day_at_its_own_end():
    # Oct 5: t5 (agent b) answered 25 h later -> 1 breach. Oct 10: t6 unanswered, its SLA runs
    # out at Oct 11 00:00, exactly the day's end -> not yet breached in that day.
    from cskpi.metrics.engine import compute
    from cskpi.metrics.periods import parse_periods

    periods = parse_periods(None, "2026-10-05", "2026-10-10", "UTC", every="day")
    rows = compute({"tickets": TICKETS}, periods, ["agent"], Config())
    got = {
        (r.period, r.segment): (r.value, r.n)
        for r in rows
        if r.kpi == "first_response_sla_breaches" and r.dimension == "agent" and r.n
    }
    # every other agent-day is a count of 0 over no tickets
    assert len(rows) > len(got)
    assert got == {("2026-10-05", "b"): (1, 1), ("2026-10-10", "(none)"): (0, 1)}


# Resolution SLA (72 h by default), all created in October 2026 (UTC):
# r1 resolved exactly 72 h later -> met; r2 72 h and 1 s later -> breach;
# r3 open, SLA ran out Oct 31 00:00 before the end -> breach;
# r4 open, SLA runs out Nov 1 00:00:01 after the end -> not breached;
# r5 open, SLA runs out exactly at the end Nov 1 00:00 -> not breached;
# r6 chat, resolved 5 h later -> met at 72 h, breach with a 4 h chat resolution SLA.
RESOLUTION = frame(
    "tickets",
    ticket_id=["r1", "r2", "r3", "r4", "r5", "r6"],
    created_at=[
        "2026-10-01T00:00Z",
        "2026-10-02T00:00Z",
        "2026-10-28T00:00Z",
        "2026-10-29T00:00:01Z",
        "2026-10-29T00:00Z",
        "2026-10-20T00:00Z",
    ],
    resolved_at=["2026-10-04T00:00Z", "2026-10-05T00:00:01Z", NaT, NaT, NaT, "2026-10-20T05:00Z"],
    channel=["email", "email", "email", "email", "email", "chat"],
    priority=["normal"] * 6,
)


def test_resolution_sla_met_at_exactly_72_hours_and_open_tickets_breach_once_it_ran_out():
    row = overall({"tickets": RESOLUTION}, "resolution_sla_breach_rate")
    assert row.value == pytest.approx(100 * 2 / 6)
    assert row.n == 6


def test_resolution_sla_override_by_channel_and_by_priority():
    by_channel = Config(resolution_sla_hours_by_channel={"Chat": 4})
    row = overall({"tickets": RESOLUTION}, "resolution_sla_breach_rate", config=by_channel)
    assert row.value == 50.0
    # a priority override wins over the channel's: normal = 200 h meets r1, r2 and r6, and r3's
    # SLA (Oct 28 + 200 h = Nov 5) runs out after the end -> no breach at all
    both = Config(
        resolution_sla_hours_by_channel={"chat": 4},
        resolution_sla_hours_by_priority={"NORMAL": 200},
    )
    assert overall({"tickets": RESOLUTION}, "resolution_sla_breach_rate", config=both).value == 0


def test_resolution_sla_does_not_follow_the_first_response_sla():
    config = Config(first_response_sla_hours=1, sla_hours_by_channel={"chat": 1})
    row = overall({"tickets": RESOLUTION}, "resolution_sla_breach_rate", config=config)
    assert row.value == pytest.approx(100 * 2 / 6)
