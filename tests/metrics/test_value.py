"""Cost, hours and revenue KPIs over hand-built October 2026 data."""

import pytest

from .frames import frame, kpis, overall

# October costs: wages 1000 (a), " Overtime " 200 (b), tools 300, unknown 100 -> service 1600,
# labour 1200 (wages + overtime); the September wages row is left out
COSTS = frame(
    "costs",
    period=["2026-10", "2026-10", "2026-10", "2026-10", "2026-09"],
    category=["wages", " Overtime ", "tools", "unknown", "wages"],
    amount=[1000.0, 200.0, 300.0, 100.0, 5000.0],
    agent_id=["a", "b", None, None, "a"],
)
# October agents: a 100 h 2 training days, b 60 h 0 days -> 160 h, 2 days / 2 agents
AGENTS = frame(
    "agents",
    agent_id=["a", "b", "a"],
    period=["2026-10", "2026-10", "2026-09"],
    hours_worked=[100.0, 60.0, 160.0],
    training_days=[2.0, 0.0, 9.0],
)
# tickets created in October: x, y, y, anonymous -> 4; resolved in October: 2
TICKETS = frame(
    "tickets",
    ticket_id=["t1", "t2", "t3", "t4", "t5"],
    created_at=[
        "2026-10-01T00:00Z",
        "2026-10-02T00:00Z",
        "2026-10-03T00:00Z",
        "2026-10-04T00:00Z",
        "2026-09-04T00:00Z",
    ],
    resolved_at=["2026-10-05T00:00Z", None, None, None, "2026-10-01T00:00Z"],
    customer_id=["x", "y", "y", None, "x"],
    agent_id=["a", "a", "b", "b", "a"],
)
# calls: one answered inbound (customer w, resolved), one unanswered, one answered outbound
CALLS = frame(
    "calls",
    call_id=["c1", "c2", "c3"],
    queued_at=["2026-10-01T00:00Z"] * 3,
    answered_at=["2026-10-01T00:00:10Z", None, "2026-10-01T00:00:10Z"],
    direction=["inbound", "inbound", "outbound"],
    customer_id=["w", "v", "x"],
    resolved=[True, None, True],
    agent_id=["a", None, "a"],
)
# revenue in October: x 500, y 100 -> 600 from 2 customers; the September line is left out
REVENUE = frame(
    "revenue",
    customer_id=["x", "y", "x"],
    date=["2026-10-10T00:00Z", "2026-10-11T00:00Z", "2026-09-30T00:00Z"],
    amount=[500.0, 100.0, 50.0],
    segment=["gold", None, "gold"],
)
ALL = {"costs": COSTS, "agents": AGENTS, "tickets": TICKETS, "calls": CALLS, "revenue": REVENUE}


def row(kpi, tables=ALL, **kw):
    return overall(tables, kpi, **kw)


def test_costs_select_the_month_and_labour_categories_ignore_case_and_spaces():
    r = row("service_cost")
    assert (r.value, r.n, r.unit) == (1600.0, 4, "EUR")
    assert row("labour_cost").value == 1200.0


def test_hours_and_cost_per_hour():
    assert row("hours_worked").value == 160.0
    r = row("labour_cost_per_hour")
    assert (r.value, r.unit) == (7.5, "EUR/h")  # 1200 / 160
    assert row("training_days_per_agent").value == 1.0  # 2 days / 2 agents


def test_a_blank_training_days_is_unknown_not_zero():
    # October: a 4 days, b blank, c blank -> 4 days over the one agent whose days are known;
    # b and c have no value (not 0 days).
    agents = frame(
        "agents",
        agent_id=["a", "b", "c"],
        period=["2026-10"] * 3,
        training_days=[4.0, None, None],
    )
    rows = kpis({"agents": agents}, by=("agent",))
    overall_row = rows[("all", "all", "training_days_per_agent")]
    assert (overall_row.value, overall_row.n) == (4.0, 1)
    assert rows[("agent", "a", "training_days_per_agent")].value == 4.0
    for agent in ("b", "c"):
        assert rows[("agent", agent, "training_days_per_agent")].value is None


def test_cost_per_contact_and_resolution():
    # contacts: 4 tickets created + 1 inbound call answered -> 1600 / 5
    r = row("cost_per_contact")
    assert (r.value, r.n) == (320.0, 5)
    # resolutions: t1 and t5 resolved in October + c1 resolved -> 1600 / 3
    assert row("cost_per_resolution").value == pytest.approx(1600 / 3)


def test_without_a_resolved_column_every_answered_call_counts_as_resolved():
    calls = CALLS.drop(columns=["resolved"])
    assert row("cost_per_resolution", {**ALL, "calls": calls}).value == pytest.approx(1600 / 3)
    calls = CALLS.assign(resolved=CALLS["resolved"].where(CALLS["call_id"] != "c1", False))
    assert row("cost_per_resolution", {**ALL, "calls": calls}).value == 800.0


def test_revenue_margin_and_lifetime_value():
    assert row("revenue").value == 600.0
    assert row("gross_margin").value == -1000.0  # 600 - 1600
    assert row("active_customers").value == 2
    assert row("customer_lifetime_value").value == -500.0  # -1000 / 2


def test_customers_cost_over_value():
    # 1600 / 5 contacts = 320 per contact: x 1 contact (320 < 500), y 2 (640 > 100), w 1 (320 > 0)
    r = row("customers_cost_over_value")
    assert (r.value, r.n) == (2, 3)


def test_a_range_cutting_a_month_makes_cost_kpis_unavailable():
    rows = kpis(ALL, date_from="2026-10-01", date_to="2026-10-15")
    for kpi in (
        "service_cost",
        "labour_cost",
        "hours_worked",
        "cost_per_contact",
        "gross_margin",
        "training_days_per_agent",
        "customers_cost_over_value",
    ):
        r = rows[("all", "all", kpi)]
        assert r.value is None
        assert r.reason == "a range that cuts a month: cost KPIs need whole months"
    assert rows[("all", "all", "revenue")].value == 600.0


def test_a_range_of_whole_months_sums_their_costs():
    rows = kpis(ALL, date_from="2026-09-01", date_to="2026-10-31")
    assert rows[("all", "all", "service_cost")].value == 6600.0


def test_no_cost_rows_is_unavailable_not_zero():
    r = row("service_cost", period="2026-11")
    assert r.value is None and r.reason == "no cost rows for 2026-11"
    assert row("active_customers", period="2026-11").value == 0


def test_cost_breakdown_by_agent_puts_unassigned_costs_in_none():
    rows = kpis(ALL, by=("agent",))
    assert rows[("agent", "a", "service_cost")].value == 1000.0
    assert rows[("agent", "(none)", "service_cost")].value == 400.0
    # a: 1000 / (t1 t2 created + c1 answered)
    assert rows[("agent", "a", "cost_per_contact")].value == pytest.approx(1000 / 3)
    # revenue does not carry agent_id: no revenue or margin rows by agent
    assert not any(k[0] == "agent" and k[2] in ("revenue", "gross_margin") for k in rows)


def test_revenue_breaks_down_by_segment_but_costs_do_not():
    rows = kpis(ALL, by=("segment",))
    assert rows[("segment", "gold", "revenue")].value == 500.0
    assert rows[("segment", "(none)", "revenue")].value == 100.0
    assert not any(k[0] == "segment" and k[2] == "service_cost" for k in rows)


def test_currency_comes_from_the_config():
    from cskpi.config import Config

    assert row("labour_cost_per_hour", config=Config(currency="SEK")).unit == "SEK/h"
