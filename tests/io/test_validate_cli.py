"""`cskpi validate`: exit codes, stdout and stderr kept apart, no traceback ever."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cskpi.cli.app import app

MESSY = Path(__file__).resolve().parents[1] / "fixtures" / "messy"


def run(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


def test_json_output_has_per_table_counts_and_file_details():
    result = run("--tickets", str(MESSY / "duplicate_ids.csv"), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    tickets = json.loads(result.stdout)["tables"]["tickets"]
    assert (tickets["rows_read"], tickets["rows_used"], tickets["rows_rejected"]) == (3, 2, 1)
    [file] = tickets["files"]
    assert file["rejects_by_reason"] == {"duplicate_id": 1}
    assert file["vendor"] == "canonical" and file["delimiter"] == ","


def test_ambiguous_dates_are_named_in_the_table_output():
    result = run("--tickets", str(MESSY / "ambiguous_dates.csv"))
    assert result.exit_code == 0
    assert "day-first (ambiguous" in result.stdout


def test_an_unknown_vendor_exits_2_with_the_known_names_on_stderr():
    result = run("--tickets", str(MESSY / "bom.csv"), "--vendor", "nope")
    assert result.exit_code == 2 and result.stdout == ""
    assert "unknown vendor 'nope'" in result.stderr and "zendesk" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_wrong_format_option_exits_2():
    result = run("--tickets", str(MESSY / "bom.csv"), "--format", "xml")
    assert result.exit_code == 2 and "--format" in result.stderr


def test_a_missing_data_folder_exits_2_naming_it(tmp_path):
    result = run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_excel_damaged_ids_are_warned_on_stderr_unless_quiet(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,created_at,customer_id\nT1,2026-10-01,1.03006E+13\n")
    loud = run(str(tmp_path))
    assert loud.exit_code == 0 and "scientific notation" in loud.stderr
    assert "scientific notation" not in loud.stdout
    quiet = run(str(tmp_path), "--quiet")
    assert quiet.stderr == ""


def test_kpi_availability_is_listed_with_reasons_when_the_catalogue_exists(monkeypatch):
    import cskpi.cli.validate as command
    from tests.io.test_availability import FakeKpi

    registry = [
        FakeKpi("tickets_created", inputs=("tickets.created_at",)),
        FakeKpi("reopen_rate", inputs=("tickets.reopens",)),
    ]
    monkeypatch.setattr(command, "_registry", lambda: registry)
    text = run("--tickets", str(MESSY / "bom.csv"))
    assert "KPIs available (1): tickets_created" in text.stdout
    assert "reopen_rate: tickets has no reopens column" in text.stdout
    as_json = json.loads(run("--tickets", str(MESSY / "bom.csv"), "--format", "json").stdout)
    assert as_json["kpis_available"] == ["tickets_created"]
    assert as_json["kpis_not_available"] == {"reopen_rate": "tickets has no reopens column"}
