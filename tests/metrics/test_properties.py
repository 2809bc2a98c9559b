"""Invariants of the engine over generated tickets and calls."""

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cskpi.config import Config
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_periods

OCTOBER = parse_periods("2026-10", None, None, "UTC")
BASE = pd.Timestamp("2026-09-20T00:00Z")
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

agents = st.sampled_from(["a", "b", None, ""])
maybe_hours = st.one_of(st.none(), st.floats(0, 400, allow_nan=False))
ticket = st.tuples(
    st.floats(0, 60 * 24, allow_nan=False),
    maybe_hours,
    maybe_hours,
    agents,
    st.one_of(st.none(), st.integers(0, 4)),
    st.one_of(st.none(), st.integers(0, 2)),
    st.one_of(st.none(), st.booleans()),
)
call = st.tuples(
    st.floats(0, 60 * 24, allow_nan=False),
    st.one_of(st.none(), st.floats(0, 60)),
    st.one_of(st.none(), st.floats(0, 60)),
    st.sampled_from(["inbound", "outbound", None]),
    agents,
    st.one_of(st.none(), st.floats(0, 600)),
    st.one_of(st.none(), st.booleans()),
)


def _stamps(hours):
    return pd.Series(
        [None if h is None else BASE + pd.Timedelta(hours=h) for h in hours],
        dtype="datetime64[ns, UTC]",
    )


def tickets_frame(rows):
    created = [r[0] for r in rows]
    return pd.DataFrame(
        {
            "ticket_id": pd.Series([f"t{i}" for i in range(len(rows))], dtype="str"),
            "created_at": _stamps(created),
            "first_response_at": _stamps([None if r[1] is None else r[0] + r[1] for r in rows]),
            "resolved_at": _stamps([None if r[2] is None else r[0] + r[2] for r in rows]),
            "agent_id": pd.Series([r[3] for r in rows], dtype="str"),
            "agent_replies": pd.Series([r[4] for r in rows], dtype="float64"),
            "reopens": pd.Series([r[5] for r in rows], dtype="float64"),
            "escalated": pd.Series([r[6] for r in rows], dtype="boolean"),
        }
    )


def calls_frame(rows):
    queued = [r[0] for r in rows]
    return pd.DataFrame(
        {
            "call_id": pd.Series([f"c{i}" for i in range(len(rows))], dtype="str"),
            "queued_at": _stamps(queued),
            "answered_at": _stamps([None if r[1] is None else r[0] + r[1] / 3600 for r in rows]),
            "ended_at": _stamps(
                [None if r[2] is None else r[0] + ((r[1] or 0) + r[2]) / 3600 for r in rows]
            ),
            "direction": pd.Series([r[3] for r in rows], dtype="str"),
            "agent_id": pd.Series([r[4] for r in rows], dtype="str"),
            "talk_seconds": pd.Series([r[5] for r in rows], dtype="float64"),
            "resolved": pd.Series([r[6] for r in rows], dtype="boolean"),
        }
    )


def run(tables, by=("agent",)):
    return compute(tables, OCTOBER, list(by), Config())


def same(a, b):
    assert [(r.dimension, r.segment, r.kpi, r.n, r.reason) for r in a] == [
        (r.dimension, r.segment, r.kpi, r.n, r.reason) for r in b
    ]
    for x, y in zip(a, b, strict=True):
        if x.value is None or y.value is None:
            assert x.value is y.value
        else:
            assert math.isclose(x.value, y.value, rel_tol=1e-9, abs_tol=1e-9)


@SETTINGS
@given(st.lists(ticket, max_size=25), st.lists(call, max_size=25))
def test_rates_stay_between_0_and_100(ticket_rows, call_rows):
    for row in run({"tickets": tickets_frame(ticket_rows), "calls": calls_frame(call_rows)}):
        if row.unit == "%" and row.value is not None:
            assert 0 <= row.value <= 100, row


@SETTINGS
@given(st.lists(ticket, max_size=25), st.lists(call, max_size=25))
def test_counts_over_the_agent_breakdown_sum_to_the_total(ticket_rows, call_rows):
    rows = run({"tickets": tickets_frame(ticket_rows), "calls": calls_frame(call_rows)})
    for kpi in (
        "tickets_created",
        "tickets_resolved",
        "backlog_end",
        "calls_offered",
        "calls_answered",
        "calls_abandoned",
        "calls_outbound",
    ):
        total = next(r.value for r in rows if r.dimension == "all" and r.kpi == kpi)
        assert sum(r.value for r in rows if r.dimension == "agent" and r.kpi == kpi) == total


@SETTINGS
@given(st.lists(ticket, max_size=25), st.lists(call, max_size=25), st.randoms())
def test_row_order_never_changes_a_result(ticket_rows, call_rows, rnd):
    tickets, calls = tickets_frame(ticket_rows), calls_frame(call_rows)
    before = run({"tickets": tickets, "calls": calls})
    shuffled_t = tickets.sample(frac=1, random_state=rnd.randint(0, 10_000))
    shuffled_c = calls.sample(frac=1, random_state=rnd.randint(0, 10_000))
    same(before, run({"tickets": shuffled_t, "calls": shuffled_c}))
    same(before, run({"tickets": tickets, "calls": calls}))  # identical input, identical result


@SETTINGS
@given(st.lists(ticket, max_size=20), st.lists(call, max_size=20), ticket, call)
def test_a_record_outside_the_period_or_outbound_moves_nothing_else(
    ticket_rows, call_rows, extra_t, extra_c
):
    base = {"tickets": tickets_frame(ticket_rows), "calls": calls_frame(call_rows)}
    before = run(base)
    # a ticket created after the period ends (so never open at its end either)
    late = (45 * 24 + extra_t[0], *extra_t[1:])
    with_late = {**base, "tickets": tickets_frame([*ticket_rows, late])}
    same(before, run(with_late))
    # an outbound call changes calls_outbound only
    outbound = (*extra_c[:3], "outbound", *extra_c[4:])
    after = run({**base, "calls": calls_frame([*call_rows, outbound])})
    # (its agent may appear as a new call group, with counts of 0 and nothing else)
    keep = [r for r in before if r.kpi != "calls_outbound"]
    seen = {(r.dimension, r.segment, r.kpi) for r in keep}
    same(keep, [r for r in after if (r.dimension, r.segment, r.kpi) in seen])
