"""The shared input options (--date-order, --decimal, --encoding, --quiet) on every data command."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.cli.options import input_spec

# Tab-separated, so "1,250" needs no quotes; nothing in it tells a decimal comma from grouping.
COSTS = "period\tcategory\tamount\n2026-10\twages\t1,250\n"
TICKETS = "ticket_id,created_at,type\nT1,2026-10-01 09:00,Jää\nT2,2026-10-02 09:00,Jää\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "costs.csv").write_text(COSTS, encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def service_cost(result) -> float:
    tidy = pd.read_csv(io.StringIO(result.stdout))
    return float(tidy.loc[tidy["kpi"] == "service_cost", "value"].iloc[0])


@pytest.mark.parametrize("command", [["validate"], ["report"], ["trend"], ["staffing"]])
@pytest.mark.parametrize(
    "option, value, message",
    [
        (
            "--date-order",
            "ymd",
            "--date-order 'ymd' is not known. Use auto, day-first, month-first",
        ),
        ("--decimal", ";", "--decimal ';' is not known. Use auto, . or ,"),
        ("--encoding", "klingon", "--encoding 'klingon' is not a known text encoding"),
    ],
)
def test_a_bad_read_option_is_a_usage_error_on_every_command(
    folder, command, option, value, message
):
    result = run(*command, folder, option, value)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_decimal_comma_reads_1_250_as_one_and_a_quarter(folder):
    guessed = run("report", folder, "--period", "2026-10", "--format", "csv")
    comma = run("report", folder, "--period", "2026-10", "--format", "csv", "--decimal", ",")
    assert guessed.exit_code == 0 and comma.exit_code == 0, guessed.stderr + comma.stderr
    assert service_cost(guessed) == 1250.0  # no proof of a decimal comma: ',' groups thousands
    assert service_cost(comma) == 1.25


def test_a_forced_encoding_is_used_for_reading(folder):
    # "Jää" in UTF-8 read as cp1252 is "JÃ¤Ã¤": proof the option reached the reader.
    result = run("types", folder, "--period", "2026-10", "--format", "csv", "--encoding", "cp1252")
    assert result.exit_code == 0, result.stderr
    assert "JÃ¤Ã¤" in result.stdout and "Jää" not in result.stdout


def test_validate_reports_the_forced_decimal(folder):
    result = run("validate", folder, "--decimal", ",", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"decimal": ","' in result.stdout


def test_input_spec_takes_the_shared_values_once_and_keeps_only_wanted_tables(tmp_path):
    given = {
        "data_dir": tmp_path,
        "tickets": [tmp_path / "t.csv"],
        "calls": [tmp_path / "c.csv"],
        "surveys": None,
        "vendor": "zendesk",
        "map_files": None,
        "date_order": "day-first",
        "decimal": ",",
        "encoding": "cp1252",
        "unrelated": 1,
    }
    spec = input_spec(given, "Europe/Helsinki", ("calls",))
    assert spec.files == {"calls": [tmp_path / "c.csv"]}
    assert (spec.tz, spec.vendor, spec.date_order, spec.decimal, spec.encoding) == (
        "Europe/Helsinki",
        "zendesk",
        "day-first",
        ",",
        "cp1252",
    )
    assert spec.map_files == []


def test_insight_notes_go_to_stderr_and_quiet_silences_them(folder):
    # Two tickets are far fewer than the 30 a significance test needs: types says so in a note.
    loud = run("types", folder, "--period", "2026-10")
    quiet = run("types", folder, "--period", "2026-10", "--quiet")
    assert loud.exit_code == 0 and quiet.exit_code == 0
    assert "note: " in loud.stderr and "need 30" in loud.stderr
    assert "need 30" not in loud.stdout
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


def test_insight_commands_warn_about_rejected_rows_unless_quiet(folder):
    (folder / "tickets.csv").write_text(TICKETS + "T3,not a date,x\n", encoding="utf-8")
    loud = run("types", folder, "--period", "2026-10", "--format", "csv")
    quiet = run("types", folder, "--period", "2026-10", "--format", "csv", "-q")
    assert "warning: " in loud.stderr and "1 of 3 rows rejected" in loud.stderr
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


def test_quiet_keeps_errors(folder):
    result = run("types", folder, "--period", "2026-13", "--quiet")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
