"""Which KPIs the loaded tables make available, with the reason for the others."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cskpi.io.availability import kpi_availability


@dataclass(frozen=True)
class FakeKpi:
    id: str
    label: str = ""
    area: str = ""
    unit: str = ""
    direction: str = ""
    formula: str = ""
    inputs: tuple[str, ...] = ()


def test_each_kpi_is_available_only_when_its_tables_and_columns_hold_values():
    tables = {"tickets": pd.DataFrame({"created_at": [1, 2], "first_response_at": [None, None]})}
    registry = [
        FakeKpi("tickets_created", inputs=("tickets", "tickets.created_at")),
        FakeKpi("frt", inputs=("tickets.created_at", "tickets.first_response_at")),
        FakeKpi("reopen_rate", inputs=("tickets.reopens",)),
        FakeKpi("asa", inputs=("calls.answered_at",)),
    ]
    result = {a.kpi: (a.available, a.reason) for a in kpi_availability(tables, registry)}
    assert result == {
        "tickets_created": (True, ""),
        "frt": (False, "tickets.first_response_at is empty in every row"),
        "reopen_rate": (False, "tickets has no reopens column"),
        "asa": (False, "no calls data"),
    }


def test_a_present_but_empty_table_still_makes_its_counts_available():
    tables = {"calls": pd.DataFrame({"queued_at": pd.Series([], dtype="float64")})}
    [result] = kpi_availability(tables, [FakeKpi("calls_offered", inputs=("calls.queued_at",))])
    assert result.available
