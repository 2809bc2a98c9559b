"""The columns a report loads: everything a KPI, a breakdown or a row check can use."""

from __future__ import annotations

from cskpi.io import schema
from cskpi.metrics.registry import REGISTRY
from cskpi.pipeline import input_columns


def test_every_kpi_input_and_every_checkable_column_is_loaded():
    columns = input_columns([])
    for kpi in REGISTRY:
        for item in kpi.inputs:
            table, _, column = item.partition(".")
            assert not column or column in columns[table], item
    for name, table in schema.TABLES.items():
        for column in table.columns:
            if column.kind not in ("str", "text"):
                assert column.name in columns[name], (name, column.name)


def test_unread_labels_are_left_out_unless_broken_down_by():
    assert "status" not in input_columns([])["tickets"]
    assert "team" not in input_columns([])["tickets"]
    assert "team" in input_columns(["team"])["tickets"]
    assert "queue" in input_columns(["queue"])["calls"]
    assert "comment" not in input_columns(["agent"])["surveys"]


def test_columns_read_only_to_check_rows_are_let_go_after_loading():
    import pandas as pd

    from cskpi.pipeline import without_checked_only

    tickets = pd.DataFrame(
        {"ticket_id": ["1"], "created_at": [None], "updated_at": [None], "agent_id": ["a"]}
    )
    surveys = pd.DataFrame({"response_id": ["r1"], "ticket_id": ["1"], "score": [9.0]})
    kept = without_checked_only({"tickets": tickets, "surveys": surveys}, ["agent"])
    # tickets: the record id and updated_at only served the row checks and merging copies
    assert list(kept["tickets"].columns) == ["created_at", "agent_id"]
    # surveys: response and ticket ids are read by the survey response rate
    assert list(kept["surveys"].columns) == ["response_id", "ticket_id", "score"]
