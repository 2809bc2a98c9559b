"""`cskpi report` end to end on small CSVs: every option, exit code, stdout and stderr apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import cskpi
from cskpi.cli.app import app

TICKETS = """\
ticket_id,created_at,first_response_at,resolved_at,channel,type,priority,agent_id,customer_id,agent_replies,reopens
T1,2026-10-01 09:00,2026-10-01 10:00,2026-10-01 12:00,email,billing,normal,a1,C1,1,0
T2,2026-10-02 09:00,2026-10-02 13:00,2026-10-03 09:00,chat,"=HYPERLINK(""x"")",high,a2,SECRET-CUSTOMER,2,1
T3,2026-10-03 09:00,,,email,billing,normal,a1,C3,,
T4,2026-09-20 09:00,2026-09-20 10:00,2026-10-02 09:00,email,tech,low,a2,C1,3,0
T5,2026-09-10 09:00,2026-09-10 11:00,2026-09-11 09:00,email,tech,low,a2,C1,1,0
"""  # noqa: E501
SURVEYS = """\
response_id,submitted_at,survey,question,score,comment,ticket_id,customer_id
R1,2026-10-01 13:00,nps,overall,10,great <script>alert(1)</script>,T1,C1
R2,2026-10-03 10:00,nps,overall,3,slow,T2,SECRET-CUSTOMER
R3,2026-10-03 10:00,csat,overall,5,,T2,SECRET-CUSTOMER
R4,2026-10-04 10:00,csat,overall,2,too slow,T4,C1
"""
CALLS = """\
call_id,queued_at,answered_at,ended_at,talk_seconds,hold_seconds,wrap_seconds,direction,agent_id,queue
K1,2026-10-01 09:00:00,2026-10-01 09:00:15,2026-10-01 09:05:00,285,0,30,inbound,a1,main
K2,2026-10-01 10:00:00,,2026-10-01 10:01:00,,,,inbound,,main
"""
# csat in October is 50 % (one 5 and one 2): the target misses.
CONFIG = '[targets]\ncsat = ">= 85"\n'


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS)
    (folder / "surveys.csv").write_text(SURVEYS)
    (folder / "calls.csv").write_text(CALLS)
    return folder


def run(*args):
    return CliRunner().invoke(app, ["report", *map(str, args)])


def test_default_is_a_plain_terminal_table_on_stdout_and_nothing_on_stderr(data):
    result = run(data, "--period", "2026-10")
    assert result.exit_code == 0, result.stderr
    assert "Satisfaction" in result.stdout and "Efficiency" in result.stdout
    assert "Tickets created" in result.stdout
    assert "\x1b[" not in result.stdout
    assert result.stderr == ""


def test_csv_to_stdout_is_the_tidy_csv_with_formulas_neutralised(data):
    result = run(data, "--period", "2026-10", "--by", "type", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "period,dimension,segment,kpi,value,unit,n"
    assert "2026-10,all,all,tickets_created,3,count,3" in lines
    assert any(line.startswith("2026-10,type,\"'=HYPERLINK(") for line in lines)
    assert not any(",=" in line for line in lines)


def test_the_same_input_gives_the_same_csv_bytes(data):
    first = run(data, "--period", "2026-10", "-f", "csv").stdout_bytes
    assert first == run(data, "--period", "2026-10", "-f", "csv").stdout_bytes


def test_output_file_format_follows_its_suffix_and_stdout_stays_empty(data, tmp_path):
    target = tmp_path / "out.json"
    result = run(data, "--period", "2026-10", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    document = json.loads(target.read_text())
    assert document["periods"] == ["2026-10"]
    assert {f["table"] for f in document["inputs"]} == {"tickets", "surveys", "calls"}
    assert all(len(f["sha256"]) == 64 for f in document["inputs"])


def test_an_unknown_output_suffix_without_format_is_a_usage_error(data, tmp_path):
    result = run(data, "--period", "2026-10", "-o", tmp_path / "out.pdf")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cannot tell the format" in result.stderr


def test_dash_output_means_stdout(data):
    result = run(data, "--period", "2026-10", "-f", "md", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Customer-service KPIs: 2026-10")


def test_xlsx_goes_to_a_file_or_to_a_pipe_as_bytes(data, tmp_path):
    target = tmp_path / "k.xlsx"
    assert run(data, "--period", "2026-10", "-o", target).exit_code == 0
    assert "Efficiency" in load_workbook(target).sheetnames
    piped = run(data, "--period", "2026-10", "-f", "xlsx")
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(b"PK")


def test_html_has_charts_and_escapes_a_script_comment(data, tmp_path):
    target = tmp_path / "k.html"
    result = run(data, "--period", "2026-10", "-o", target)
    assert result.exit_code == 0, result.stderr
    html = target.read_text()
    assert "<svg" in html and "<script" not in html
    assert "great &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_redact_hashes_customers_and_drops_comments_from_every_output(data, tmp_path):
    for suffix in ("html", "json", "csv", "md"):
        target = tmp_path / f"r.{suffix}"
        result = run(data, "--period", "2026-10", "--redact", "--by", "type", "-o", target)
        assert result.exit_code == 0, result.stderr
        text = target.read_text()
        assert "SECRET-CUSTOMER" not in text and "too slow" not in text and "alert" not in text
    assert json.loads((tmp_path / "r.json").read_text())["redacted"] is True


def test_by_accepts_repeats_and_commas_and_rejects_unknown_names(data):
    result = run(data, "--period", "2026-10", "--by", "type,channel", "--by", "type", "-f", "csv")
    assert result.exit_code == 0
    dimensions = {line.split(",")[1] for line in result.stdout.splitlines()[1:]}
    assert {"all", "type", "channel"} <= dimensions
    bad = run(data, "--period", "2026-10", "--by", "colour")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "--by 'colour' is not a breakdown" in bad.stderr


def test_from_to_gives_one_range_period(data):
    result = run(data, "--from", "2026-10-01", "--to", "2026-10-02", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("2026-10-01..2026-10-02,all,all,")


def test_a_bad_period_is_a_usage_error_on_stderr(data):
    result = run(data, "--period", "October")
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.startswith("error: ")


def test_compare_previous_adds_previous_and_change_columns(data):
    result = run(data, "--period", "2026-10", "--compare", "previous", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "period,dimension,segment,kpi,value,unit,n,previous,change"
    # September: T4 and T5 created (2), October: T1-T3 (3) -> change +1.
    assert "2026-10,all,all,tickets_created,3,count,3,2,1" in lines


def test_compare_with_a_kept_csv_and_a_missing_one(data, tmp_path):
    kept = tmp_path / "sept.csv"
    assert run(data, "--period", "2026-09", "-o", kept).exit_code == 0
    result = run(data, "--period", "2026-10", "--compare", kept, "-f", "json")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in json.loads(result.stdout)["rows"] if r["kpi"] == "tickets_created")
    assert (row["previous"], row["change"]) == (2, 1)
    missing = run(data, "--period", "2026-10", "--compare", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_a_missed_target_exits_1_only_with_fail_on_miss(data, tmp_path):
    config = tmp_path / "cskpi.toml"
    config.write_text(CONFIG)
    failing = run(data, "--period", "2026-10", "--config", config, "--fail-on-miss", "-f", "csv")
    assert failing.exit_code == 1
    assert "2026-10,all,all,csat,50,%,2,>= 85,missed" in failing.stdout
    assert "error: 1 target(s) missed: csat >= 85 (2026-10)" in failing.stderr
    passing = run(data, "--period", "2026-10", "--config", config, "-f", "csv")
    assert passing.exit_code == 0
    assert "note: 1 target(s) missed" in passing.stderr
    quiet = run(data, "--period", "2026-10", "--config", config, "-f", "csv", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_rejected_rows_warn_on_stderr_unless_quiet_and_go_to_the_rejects_file(data, tmp_path):
    (data / "tickets.csv").write_text(TICKETS + "T9,not a date,,,email,x,low,a1,C1,1,0\n")
    warned = run(data, "--period", "2026-10", "-f", "csv")
    assert warned.exit_code == 0, warned.stderr
    assert "tickets.csv" in warned.stderr and "rejected" in warned.stderr
    rejects = tmp_path / "rejects.csv"
    quiet = run(data, "--period", "2026-10", "-f", "csv", "--quiet", "--rejects", rejects)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == warned.stdout
    assert ",7,tickets,bad_timestamp," in rejects.read_text()


def test_explicit_files_and_tz_work_without_a_data_folder(data):
    result = run(
        "--tickets",
        data / "tickets.csv",
        "--period",
        "2026-10",
        "--tz",
        "Europe/Helsinki",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tz"] == "Europe/Helsinki"


def test_no_data_at_all_is_a_usage_error():
    result = run("--period", "2026-10")
    assert result.exit_code == 2 and "no data given" in result.stderr


def test_debug_shows_the_traceback_instead_of_the_short_message(data):
    result = run(data, "--period", "October", "--debug")
    assert result.exit_code != 2 and result.exception is not None


def test_help_does_not_import_pandas():
    code = textwrap.dedent("""
        import sys
        from cskpi.cli.app import app
        print('pandas' in sys.modules, 'openpyxl' in sys.modules)
    """)
    source = str(Path(cskpi.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": source}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "False False"
