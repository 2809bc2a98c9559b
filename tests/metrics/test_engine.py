import threading

import numpy as np
import pandas as pd
import pytest

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.io.schema import PANDAS_DTYPE, TABLES
from cskpi.metrics.engine import compute, finish_parts, kpi_parts, kpi_samples
from cskpi.metrics.periods import parse_periods
from cskpi.metrics.registry import REGISTRY
from cskpi.metrics.scope import Scope, Unavailable

from .frames import kpis
from .test_calls import CALLS
from .test_surveys import SURVEYS
from .test_tickets import TICKETS
from .test_value import ALL

OCTOBER = parse_periods("2026-10", None, None, "UTC")


def empty(table: str) -> pd.DataFrame:
    spec = TABLES[table]
    return pd.DataFrame({c.name: pd.Series(dtype=PANDAS_DTYPE[c.kind]) for c in spec.columns})


@pytest.mark.parametrize(
    "tables",
    [
        {},
        {name: empty(name) for name in TABLES},
        {"tickets": empty("tickets")},
        {"calls": empty("calls").drop(columns=["answered_at", "ended_at"])},
    ],
    ids=["no tables", "empty tables", "tickets only", "calls without times"],
)
def test_every_kpi_survives_empty_input_with_a_value_or_a_reason(tables):
    rows = compute(tables, OCTOBER, ["agent", "question"], Config())
    overall = {r.kpi: r for r in rows if r.dimension in ("all", "question") and r.segment == "all"}
    assert set(overall) == {k.id for k in REGISTRY}
    for row in rows:
        assert (row.value is None) == bool(row.reason)
        if row.unit == "count" and row.kpi in ("tickets_created", "calls_offered") and tables:
            assert row.value in (0, None)


def test_rows_come_period_then_dimension_then_segment_then_catalogue_order():
    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    rows = compute({**ALL, "surveys": SURVEYS}, periods, ["agent"], Config())
    keys = [(r.period, r.dimension, r.segment) for r in rows]
    assert [p for p, _, _ in keys] == sorted(p for p, _, _ in keys)
    october = [k for k in keys if k[0] == "2026-10"]
    dims = list(dict.fromkeys(d for _, d, _ in october))
    assert dims == ["all", "question", "agent"]
    agent_segments = list(dict.fromkeys(s for _, d, s in october if d == "agent"))
    assert agent_segments == ["a", "b", "(none)"]
    order = {k.id: i for i, k in enumerate(REGISTRY)}
    a_rows = [order[r.kpi] for r in rows if r.period == "2026-10" and r.segment == "a"]
    assert a_rows == sorted(a_rows)


def test_identical_input_gives_identical_rows():
    tables = {"tickets": TICKETS, "calls": CALLS, "surveys": SURVEYS}
    first = compute(tables, OCTOBER, ["agent", "channel"], Config())
    again = compute(
        {k: v.copy() for k, v in tables.items()}, OCTOBER, ["agent", "channel"], Config()
    )
    assert first == again


def test_two_threads_give_the_rows_one_gives_in_catalogue_order(monkeypatch):
    from collections import Counter

    from cskpi.metrics import engine

    tables = {"tickets": TICKETS, "calls": CALLS, "surveys": SURVEYS}
    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    taken: list[tuple[str, str]] = []
    kpi_rows = engine.kpi_rows

    def counted(kpi, scope):
        taken.append((threading.current_thread().name, kpi.id))
        return kpi_rows(kpi, scope)

    monkeypatch.setattr(engine, "kpi_rows", counted)
    alone = compute(tables, periods, ["agent", "channel"], Config())
    once = Counter(kpi for _, kpi in taken)
    taken.clear()
    monkeypatch.setattr(engine, "PARALLEL_ROWS", 1)  # these small tables in two threads too
    assert compute(tables, periods, ["agent", "channel"], Config()) == alone
    assert Counter(kpi for _, kpi in taken) == once  # every KPI of every block once
    threads = Counter(thread == "MainThread" for thread, _ in taken)
    assert threads[True] and threads[False]  # both threads evaluated KPIs


def test_a_durations_percentiles_are_one_task_and_others_one_each():
    from cskpi.metrics.engine import _paired

    ids = [k.id for k in REGISTRY]
    tasks = [[ids[i] for i in task] for task in _paired(REGISTRY, list(range(len(ids))))]
    assert ["resolution_hours_median", "resolution_hours_p90"] in tasks
    assert sorted(i for task in tasks for i in task) == sorted(ids)
    assert all(len(task) <= 2 for task in tasks)


def test_unknown_breakdown_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown breakdown 'colour'"):
        compute({}, OCTOBER, ["colour"], Config())


def test_period_boundaries_are_taken_in_the_timezone():
    # 2026-09-30T22:00Z is October 1 01:00 in Helsinki
    rows = kpis(
        {
            "tickets": TICKETS.assign(
                created_at=pd.to_datetime(["2026-09-30T22:00Z"] * len(TICKETS), utc=True).astype(
                    "datetime64[ns, UTC]"
                )
            )
        },
        tz="Europe/Helsinki",
        date_from="2026-10-01",
        date_to="2026-10-31",
    )
    assert rows[("all", "all", "tickets_created")].value == len(TICKETS)


def test_samples_are_the_values_behind_a_mean_or_percentile():
    tables = {"tickets": TICKETS, "calls": CALLS, "surveys": SURVEYS}
    hours = kpi_samples(tables, OCTOBER[0], "first_response_hours_median", "all", "all", Config())
    assert sorted(hours) == [2.0, 24.0, 25.0]
    waits = kpi_samples(tables, OCTOBER[0], "average_speed_of_answer", "queue", "q1", Config())
    assert sorted(waits) == [2.0, 20.0, 21.0]
    nps = kpi_samples(tables, OCTOBER[0], "nps", "agent", "a", Config())
    assert sorted(nps) == [0.0, 100.0, 100.0]
    csat = kpi_samples(tables, OCTOBER[0], "csat", "all", "all", Config())
    assert np.mean(csat) == 60.0
    assert kpi_samples(tables, OCTOBER[0], "tickets_created", "all", "all", Config()) is None
    assert kpi_samples({}, OCTOBER[0], "ces", "all", "all", Config()) is None


@pytest.mark.parametrize(
    "kpi", [k for k in REGISTRY if k.fixed_dimension is None], ids=lambda k: k.id
)
def test_parts_of_month_slices_merge_to_the_whole(kpi):
    tables = {**ALL, "tickets": TICKETS, "calls": CALLS, "surveys": SURVEYS}
    # split every table in two by row parity, as two files would
    halves = [{name: frame.iloc[i::2] for name, frame in tables.items()} for i in (0, 1)]
    whole_scope = Scope(tables, OCTOBER[0], "agent", Config())
    try:
        whole = finish_parts(kpi, whole_scope, [kpi_parts(kpi, whole_scope)])
    except Unavailable:
        return
    parts = [kpi_parts(kpi, Scope(h, OCTOBER[0], "agent", Config())) for h in halves]
    merged = finish_parts(kpi, whole_scope, parts)
    assert [(r.segment, r.n, r.reason) for r in merged] == [
        (r.segment, r.n, r.reason) for r in whole
    ]
    assert [r.value for r in merged] == pytest.approx([r.value for r in whole])


def test_most_of_a_table_is_selected_as_a_mask_over_it_without_copies():
    tables = {"tickets": TICKETS, "calls": CALLS, "surveys": SURVEYS}
    scope = Scope(tables, OCTOBER[0], "agent", Config())
    inbound = scope.calls_inbound
    # c1 c2 c3 c4 c5 c7 c9 are inbound in October (c6 is outbound, c8 queued in September):
    # 7 of 9 rows, so a mask over the whole table, whose columns are the loaded ones.
    assert inbound.positions is None
    assert list(inbound.mask) == [True] * 5 + [False, True, False, True]
    assert inbound.count() == 7
    assert np.shares_memory(inbound.floats("talk_seconds"), CALLS["talk_seconds"].to_numpy())
    # Each row's group code names its agent; only the records are counted per group.
    assert [inbound.labels[c] for c in inbound.codes] == [
        "a",
        "b",
        "(none)",
        "(none)",
        "(none)",
        "a",
        "a",
        "a",
        "b",
    ]
    assert dict(zip(inbound.labels, inbound.group_counts(), strict=True)) == {
        "a": 2,
        "b": 2,
        "(none)": 3,
    }


def test_a_few_rows_of_a_table_are_gathered_at_their_positions():
    scope = Scope({"calls": CALLS}, OCTOBER[0], "agent", Config())
    outbound = scope.calls_outbound
    # c6 is the one outbound call: gathered, its columns read at its position only.
    assert list(outbound.positions) == [5]
    assert outbound.mask is None
    assert list(outbound.floats("talk_seconds")) == [500.0]
    assert [outbound.labels[c] for c in outbound.codes] == ["a"]


def test_a_table_wholly_in_the_period_is_selected_without_positions():
    # t1 t2 t3 t5 t6: created in October
    tickets = TICKETS.iloc[[0, 1, 2, 4, 5]].reset_index(drop=True)
    scope = Scope({"tickets": tickets}, OCTOBER[0], "all", Config())
    assert (tickets["created_at"] < "2026-11-01").all()
    assert scope.tickets_created.positions is None
    assert len(scope.tickets_created) == len(tickets)


def test_whole_numbers_held_narrow_are_compared_as_held_and_widened_for_arithmetic():
    tickets = TICKETS.assign(reopens=TICKETS["reopens"].astype("float16"))
    scope = Scope({"tickets": tickets}, OCTOBER[0], "agent", Config())
    resolved = scope.tickets_resolved
    held = resolved.whole_numbers("reopens")
    wide = resolved.floats("reopens")
    assert held.dtype == np.float16 and wide.dtype == np.float64
    np.testing.assert_array_equal(held.astype(np.float64), wide)  # NaN where missing, alike
    assert resolved.whole_numbers("agent_replies").dtype == np.float64  # held wide: as floats
    # Narrow or wide, the reopen rate and first-contact resolution are the same.
    wide_rows = compute({"tickets": TICKETS}, OCTOBER, ["agent"], Config())
    narrow_rows = compute({"tickets": tickets}, OCTOBER, ["agent"], Config())
    assert narrow_rows == wide_rows
