"""The columns a report loads: everything a KPI, a breakdown or a row check can use."""

from __future__ import annotations

from cskpi.io import schema
from cskpi.metrics.registry import REGISTRY
from cskpi.pipeline import input_columns, read_columns


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


def test_customer_ids_are_kept_only_when_revenue_can_use_them():
    from cskpi.pipeline import read_columns

    without = read_columns(["agent"], "tickets", frozenset({"tickets", "calls"}))
    with_revenue = read_columns(["agent"], "tickets", frozenset({"tickets", "revenue"}))
    assert "customer_id" not in without
    assert "customer_id" in with_revenue
    assert {"created_at", "resolved_at", "agent_id"} <= without
    assert "customer_id" in read_columns([], "revenue", frozenset({"revenue"}))


def test_a_report_without_revenue_lets_customer_ids_go_and_one_with_it_counts_them():
    import pandas as pd

    from cskpi.pipeline import without_checked_only

    tickets = pd.DataFrame({"ticket_id": ["1"], "customer_id": ["c1"], "agent_id": ["a"]})
    revenue = pd.DataFrame({"customer_id": ["c1"], "amount": [10.0]})
    assert "customer_id" not in without_checked_only({"tickets": tickets}, [])["tickets"]
    kept = without_checked_only({"tickets": tickets, "revenue": revenue}, [])
    assert "customer_id" in kept["tickets"]
    assert "customer_id" in kept["revenue"]


def test_the_loader_keeps_what_is_read_and_what_merges_copies(tmp_path):
    import pandas as pd

    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset

    tickets = tmp_path / "tickets"
    tickets.mkdir()
    header = "ticket_id,created_at,resolved_at,customer_id,agent_id,updated_at\n"
    (tickets / "a.csv").write_text(header + "T1,2026-10-01T08:00Z,,C1,a,2026-10-01T08:00Z\n")
    (tickets / "b.csv").write_text(
        header + "T1,2026-10-01T08:00Z,2026-10-02T08:00Z,C1,a,2026-10-02T08:00Z\n"
    )
    spec = InputSpec(data_dir=tmp_path, keep=lambda table, present: {"created_at", "resolved_at"})
    frame = load_dataset(spec).tables["tickets"]
    # The copy in b.csv is newer: merged by ticket_id and updated_at, which were kept for it.
    assert len(frame) == 1
    assert frame["resolved_at"].iloc[0] == pd.Timestamp("2026-10-02T08:00Z")
    assert "customer_id" not in frame and "agent_id" not in frame


def _tickets_with_a_mangled_customer_id(folder):
    folder.mkdir(exist_ok=True)
    (folder / "tickets.csv").write_text(
        "ticket_id,created_at,customer_id\nT1,2026-10-01T08:00Z,1.03006E+13\n"
        "T2,2026-10-01T09:00Z,C2\n"
    )


def test_an_id_column_nothing_keeps_is_not_read_nor_warned_about(tmp_path):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset

    _tickets_with_a_mangled_customer_id(tmp_path)
    spec = InputSpec(
        data_dir=tmp_path,
        columns=input_columns(["agent"]),
        keep=lambda table, present: read_columns(["agent"], table, present),
    )
    dataset = load_dataset(spec)
    # Customer ids count customers against revenue only: without revenue nothing matches them.
    assert "customer_id" not in dataset.tables["tickets"]
    assert not any("scientific notation" in w for f in dataset.files for w in f.warnings)
    assert dataset.files[0].rows_read == 2 and dataset.files[0].rows_rejected == 0


def test_an_id_column_that_is_kept_is_read_and_warned_about(tmp_path):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset

    _tickets_with_a_mangled_customer_id(tmp_path)
    (tmp_path / "revenue.csv").write_text("customer_id,date,amount\nC2,2026-10-05,100\n")
    spec = InputSpec(
        data_dir=tmp_path,
        columns=input_columns(["agent"]),
        keep=lambda table, present: read_columns(["agent"], table, present),
    )
    dataset = load_dataset(spec)
    assert "customer_id" in dataset.tables["tickets"]
    tickets = next(f for f in dataset.files if f.table == "tickets")
    assert any("1 IDs were turned into scientific notation" in w for w in tickets.warnings)


def test_validate_reads_every_id_column_and_warns_about_mangled_ones(tmp_path):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset

    _tickets_with_a_mangled_customer_id(tmp_path)
    (report,) = load_dataset(InputSpec(data_dir=tmp_path)).files
    assert any("1 IDs were turned into scientific notation" in w for w in report.warnings)


def test_a_table_of_one_file_lets_its_key_go_once_the_file_is_checked(tmp_path):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset

    (tmp_path / "tickets.csv").write_text(
        "ticket_id,created_at,updated_at\nT1,2026-10-01T08:00Z,2026-10-01T09:00Z\n"
        "T1,2026-10-01T08:00Z,2026-10-01T10:00Z\nT2,2026-10-02T08:00Z,2026-10-02T09:00Z\n"
    )
    spec = InputSpec(data_dir=tmp_path, keep=lambda table, present: {"created_at"})
    dataset = load_dataset(spec)
    # No other file can hold a copy: the repeated id was handled by the file's own checks.
    assert list(dataset.tables["tickets"].columns) == ["created_at"]
    (report,) = dataset.files
    assert report.rows_read == 3 and report.rows_used + report.rows_rejected == 3


def test_tables_another_files_map_can_fill_keep_their_key_for_merging():
    from pathlib import Path

    from cskpi.io.load import _tables_of_one_file
    from cskpi.io.vendor_maps import all_maps

    maps = all_maps([])
    pairs = [("tickets", Path("t.csv")), ("calls", Path("c.csv")), ("calls", Path("d.csv"))]
    assert _tables_of_one_file(pairs, maps) == {"tickets"}  # calls: two files to merge
    # Built-in ticket exports also fill surveys ([[also]]): never counted as one file's.
    assert "surveys" not in _tables_of_one_file([("surveys", Path("s.csv"))], maps)


def test_whole_number_columns_are_held_narrow_only_when_every_value_fits(tmp_path):
    import numpy as np

    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.metrics.scope import _as_floats

    (tmp_path / "tickets.csv").write_text(
        "ticket_id,created_at,agent_replies,messages_in,messages_out,reopens\n"
        "T1,2026-10-01T08:00Z,2,16777216,2048,2049\nT2,2026-10-01T09:00Z,,16777217,0,\n"
        "T3,2026-10-01T10:00Z,0,3,7,16777216\n"
    )
    keep = {"agent_replies", "messages_in", "messages_out", "reopens"}
    frame = load_dataset(InputSpec(data_dir=tmp_path, keep=lambda t, p: keep)).tables["tickets"]
    # Up to 2**11 in two bytes, up to 2**24 in four; 2**24 + 1 has no float32 of its own: that
    # column stays eight bytes a value.
    assert frame["agent_replies"].dtype == np.float16
    assert frame["messages_out"].dtype == np.float16
    assert frame["reopens"].dtype == np.float32  # 2049 has no float16 of its own
    assert frame["messages_in"].dtype == np.float64
    assert frame["messages_in"].tolist() == [16777216.0, 16777217.0, 3.0]
    assert _as_floats(frame["messages_out"], None).tolist() == [2048.0, 0.0, 7.0]
    assert _as_floats(frame["reopens"], None)[[0, 2]].tolist() == [2049.0, 16777216.0]
    # Read by the KPIs as float64, missing ones NaN.
    widened = _as_floats(frame["agent_replies"], None)
    assert widened.dtype == np.float64 and np.isnan(widened[1])
    assert widened[[0, 2]].tolist() == [2.0, 0.0]
    assert _as_floats(frame["agent_replies"], np.array([2, 0])).tolist() == [0.0, 2.0]


def test_a_report_of_narrow_counts_equals_the_report_of_wide_ones(tmp_path):
    """The bundled examples reported with replies, reopens and messages held narrow (as a
    report does) and held wide: every row of the tidy CSV is the same."""
    from typer.testing import CliRunner

    from cskpi.cli.app import app

    examples = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "data"
    runner = CliRunner()
    narrow = runner.invoke(
        app, ["report", str(examples), "--period", "2026-10", "--by", "agent", "-f", "csv", "-q"]
    )
    assert narrow.exit_code == 0, narrow.output
    import cskpi.io.load as load
    from cskpi.cli import report as report_cli  # noqa: F401 - the command's module is loaded

    original = load._counts_narrowed
    try:
        load._counts_narrowed = lambda frame, table: frame
        wide = runner.invoke(
            app,
            ["report", str(examples), "--period", "2026-10", "--by", "agent", "-f", "csv", "-q"],
        )
    finally:
        load._counts_narrowed = original
    assert wide.exit_code == 0
    assert narrow.stdout == wide.stdout


def test_ticket_channel_and_priority_are_read_only_when_sla_hours_or_a_breakdown_use_them():
    from cskpi.config import Config

    def tickets(by, config):
        return set(input_columns(by, config)["tickets"])

    assert {"channel", "priority"} <= tickets(["agent"], None)  # no config: every reader's
    assert not {"channel", "priority"} & tickets(["agent"], Config())
    assert "channel" in tickets(["channel"], Config()) - {"priority"}
    assert "priority" in tickets(["agent"], Config(sla_hours_by_priority={"high": 4}))
    resolution = Config(resolution_sla_hours_by_channel={"phone": 8})
    assert tickets(["agent"], resolution) & {"channel", "priority"} == {"channel"}


def test_a_report_that_leaves_the_sla_labels_unread_equals_one_that_reads_them(tmp_path):
    """The examples, with and without SLA hours by priority, reported from the columns the
    configuration needs and from every column: the same rows."""
    from cskpi.config import Config
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.metrics.engine import compute
    from cskpi.metrics.periods import parse_periods

    examples = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "data"
    october = parse_periods("2026-10", None, None, "UTC")
    every = load_dataset(InputSpec(data_dir=examples)).tables
    for config in (Config(), Config(sla_hours_by_priority={"urgent": 1, "high": 2})):
        spec = InputSpec(data_dir=examples, columns=input_columns(["agent"], config))
        some = load_dataset(spec).tables
        assert ("priority" in some["tickets"]) == bool(config.sla_hours_by_priority)
        assert compute(some, october, ["agent"], config) == compute(
            every, october, ["agent"], config
        )
