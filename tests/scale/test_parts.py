from pathlib import Path

import pandas as pd
import pytest

from cskpi.config import Config
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import parse_periods
from cskpi.scale.parts import compute_chunked


def _tickets():
    # Five October tickets; first response hours 1, 2, 3, 4, 10 -> median 3, p90 7.6
    # (rank 0.9 × 4 = 3.6: 4 + 0.6 × (10 − 4)).
    created = pd.to_datetime(["2026-10-01 08:00"] * 5, utc=True)
    hours = pd.to_timedelta([1, 2, 3, 4, 10], unit="h")
    return pd.DataFrame(
        {
            "ticket_id": list("ABCDE"),
            "created_at": created.astype("datetime64[ns, UTC]"),
            "first_response_at": (created + hours).astype("datetime64[ns, UTC]"),
            "agent_id": pd.Series(["x", "x", "y", "y", None], dtype="str"),
        }
    )


def _value(rows, kpi, segment="all"):
    return next(r.value for r in rows if r.kpi == kpi and r.segment == segment)


def test_percentiles_merged_from_chunks_are_exact():
    tables = {"tickets": _tickets()}
    periods = parse_periods("2026-10", None, None, "UTC")
    chunks = [{"tickets": tables["tickets"].iloc[i : i + 2]} for i in range(0, 5, 2)]
    rows = compute_chunked(chunks, tables, periods, ["agent"], Config())
    assert rows == compute(tables, periods, ["agent"], Config())
    assert _value(rows, "first_response_hours_median") == 3
    assert _value(rows, "first_response_hours_p90") == pytest.approx(7.6)
    assert _value(rows, "tickets_created", "(none)") == 1


def test_no_chunk_at_all_gives_the_rows_of_empty_tables():
    tables = {"tickets": _tickets().iloc[0:0]}
    periods = parse_periods("2026-10", None, None, "UTC")
    assert compute_chunked([], tables, periods, [], Config()) == compute(
        tables, periods, [], Config()
    )


def test_tickets_open_across_the_period_are_counted_by_the_kpis_that_declare_it_alone():
    """Handing tickets open across the period (created before it, unresolved by its end) to the
    KPIs with counts_open_tickets only gives every row the whole chunk gives: a KPI that reads
    them without declaring it makes this fail."""
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.metrics.registry import REGISTRY
    from cskpi.scale.partitioned import _open_across, open_ticket_columns
    from cskpi.scale.parts import PartsAccumulator

    examples = Path(__file__).resolve().parents[2] / "examples" / "data"
    tables = load_dataset(InputSpec(data_dir=examples)).tables
    periods = parse_periods("2026-10", None, None, "UTC")
    tickets = tables["tickets"]
    open_across = _open_across(tickets, periods[0])
    assert 0 < open_across.sum() < len(tickets)
    by = ["agent", "channel", "team"]
    whole = compute(tables, periods, by, Config())
    split = PartsAccumulator(tables, periods, by, Config())
    split.add({**tables, "tickets": tickets.loc[~open_across]})
    narrow = open_ticket_columns(by, list(tickets.columns))  # what the history engine hands over
    assert len(narrow) < len(tickets.columns)
    split.add({"tickets": tickets.loc[open_across, narrow]}, open_tickets=True)
    assert split.rows() == whole
    assert [k.id for k in REGISTRY if k.counts_open_tickets] == ["backlog_end"]
