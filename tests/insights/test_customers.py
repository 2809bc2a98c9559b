import pandas as pd
import pytest

from cskpi.insights.customers import contacts_by_customer, customer_value, whole_months
from cskpi.insights.windows import month_window, parse_window

OCT = month_window("2026-10")


def frame(columns, rows, times=()):
    out = pd.DataFrame(rows, columns=columns)
    for col in times:
        out[col] = pd.to_datetime(out[col], utc=True)
    for col in out.columns:
        if col in ("talk_seconds", "amount"):
            out[col] = out[col].astype("float64")
        elif col not in times:
            out[col] = out[col].astype("str")
    return out


TICKETS = frame(["ticket_id", "created_at", "customer_id"], [
    ("t1", "2026-10-02", "A"), ("t2", "2026-10-03", "A"), ("t3", "2026-10-04", "B"),
    ("t4", "2026-10-05", None), ("t5", "2026-09-30", "A")], times=["created_at"])
CALLS = frame(["call_id", "queued_at", "answered_at", "talk_seconds", "customer_id"], [
    ("c1", "2026-10-02", "2026-10-02 00:00:10", 300, "A"),
    ("c2", "2026-10-02", None, None, "B"),                     # not answered: no contact
    ("c3", "2026-10-02", "2026-10-02 00:00:10", 100, "C")], times=["queued_at", "answered_at"])
REVENUE = frame(["customer_id", "date", "amount", "segment"], [
    ("A", "2026-10-10", 100, "gold"), ("B", "2026-10-10", 500, "silver"),
    ("D", "2026-10-11", 50, "silver")], times=["date"])
COSTS = frame(["period", "category", "amount"], [("2026-10", "wages", 300)])


def test_contacts_are_tickets_created_and_answered_calls_per_customer():
    contacts, total = contacts_by_customer(TICKETS, CALLS, OCT)
    # A: t1, t2, c1 = 3; B: t3 = 1; C: c3 = 1; all contacts incl. t4 without id = 6
    assert contacts["contacts"].to_dict() == {"A": 3, "B": 1, "C": 1}
    assert total == 6


def test_customers_whose_cost_exceeds_revenue_are_listed_with_revenue_zero_when_absent():
    # cost per contact = 300 / 6 = 50. A: 3 × 50 = 150 > 100; C: 50 > 0; B: 50 < 500; D: 0 < 50.
    result = customer_value(TICKETS, CALLS, REVENUE, COSTS, OCT)
    over = result.tables["customers_cost_over_value"].set_index("customer_id")
    assert set(over.index) == {"A", "C"}
    assert over.loc["A", "margin"] == -50 and over.loc["C", "revenue"] == 0
    assert result.meta["customers_cost_over_value"] == 2
    segments = result.tables["customer_segments"].set_index("segment")
    assert segments.loc["silver", "customers"] == 2 and segments.loc["(none)", "customers"] == 1


def test_handle_time_weighting_keeps_total_cost():
    # calls c1 300 s, c3 100 s: mean 200 → weights 1.5 and 0.5
    contacts, _ = contacts_by_customer(TICKETS, CALLS, OCT, weight_by_handle_time=True)
    assert contacts.loc["A", "contacts"] == pytest.approx(3.5)
    assert contacts.loc["C", "contacts"] == pytest.approx(0.5)


def test_a_range_that_cuts_a_month_needs_a_given_cost_per_contact():
    window = parse_window("2026-10-01..2026-10-15")
    assert whole_months(window) is None
    assert "cuts a month" in customer_value(TICKETS, CALLS, REVENUE, COSTS, window).notes[0]
    given = customer_value(TICKETS, CALLS, REVENUE, COSTS, window, cost_per_contact=10)
    assert given.meta["cost_per_contact"] == 10


def test_whole_months_of_a_quarter():
    assert whole_months(parse_window("2026-10-01..2026-12-31")) == ["2026-10", "2026-11", "2026-12"]
