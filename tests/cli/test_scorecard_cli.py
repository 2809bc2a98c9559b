"""`cskpi scorecard` on the bundled example data: the same values as the tidy CSV, every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cskpi.cli.app import app

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
KPIS = "csat,nps,tickets_resolved,first_response_hours_median,first_response_sla_breaches"
ARGS = [str(DATA), "--period", "2026-10", "--kpi", KPIS, "-q"]


def run(*args):
    return CliRunner().invoke(app, [*map(str, args)])


@pytest.fixture(scope="module")
def tidy():
    result = run("report", *ARGS[:3], "--by", "agent", "-f", "csv", "-q")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_scorecard_csv_values_are_those_of_the_tidy_csv(tidy):
    result = run("scorecard", *ARGS, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0] == ["period", "agent", *KPIS.split(",")]
    expected = {(r["segment"], r["kpi"]): r["value"] for r in tidy if r["dimension"] == "agent"}
    cells = 0
    for period, agent, *values in lines[1:]:
        assert period == "2026-10"
        for kpi, value in zip(KPIS.split(","), values, strict=True):
            assert value == expected[(agent, kpi)], (agent, kpi)
            cells += 1
    assert cells == 5 * 9  # eight agents and the tickets without one


def test_scorecard_json_carries_n_and_the_test_of_each_cell(tidy):
    result = run("scorecard", *ARGS, "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    groups = document["periods"][0]["groups"]
    a101 = next(g for g in groups if g["group"] == "A101")["cells"]["csat"]
    row = next(r for r in tidy if r["segment"] == "A101" and r["kpi"] == "csat")
    assert a101["n"] == int(row["n"])
    assert a101["test"] == "two-proportion z-test"
    assert {k["id"] for k in document["kpis"]} == set(KPIS.split(","))


def test_scorecard_terminal_fits_100_columns_and_explains_its_marks():
    result = run("scorecard", str(DATA), "--period", "2026-10", "-q")
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    assert "A101" in result.stdout and "Benjamini–Hochberg" in result.stdout


def test_scorecard_turns_to_kpis_as_rows_when_groups_are_few():
    result = run(
        "scorecard",
        str(DATA),
        "--period",
        "2026-10",
        "--by",
        "channel",
        "-q",
        "--area",
        "efficiency",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any(line.startswith("Tickets resolved") for line in lines)


def test_scorecard_xlsx_has_frozen_headers_and_conditional_formats(tmp_path):
    target = tmp_path / "card.xlsx"
    result = run("scorecard", *ARGS, "-o", target)
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target)["Scorecard"]
    assert sheet.freeze_panes == "C2"
    assert sheet["B2"].value == "A101"
    ranges = {str(r.sqref) for r in sheet.conditional_formatting}
    assert "C2:C10" in ranges  # csat: the example's target and its quartiles


def test_scorecard_html_is_a_heat_table_with_n_on_hover():
    result = run("scorecard", *ARGS, "-f", "html", "--every", "month")
    assert result.exit_code == 0, result.stderr
    assert '<table class="heat">' in result.stdout
    assert 'title="n = ' in result.stdout and "background:rgb(" in result.stdout


def test_sla_breaches_per_agent_per_day():
    result = run(
        "scorecard",
        str(DATA),
        "--from",
        "2026-10-05",
        "--to",
        "2026-10-06",
        "--every",
        "day",
        "--kpi",
        "first_response_sla_breaches",
        "-f",
        "csv",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    periods = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert periods == {"2026-10-05", "2026-10-06"}


def test_default_columns_the_dimension_does_not_carry_are_left_out_but_named_ones_stay():
    # surveys carry no team: csat has no value for any team
    default = run("scorecard", str(DATA), "--period", "2026-10", "--by", "team", "-f", "csv", "-q")
    assert default.exit_code == 0, default.stderr
    header = default.stdout.splitlines()[0].split(",")
    assert "csat" not in header and "tickets_resolved" in header
    named = run(
        "scorecard",
        str(DATA),
        "--period",
        "2026-10",
        "--by",
        "team",
        "--kpi",
        "csat",
        "-f",
        "csv",
        "-q",
    )
    assert named.stdout.splitlines()[0] == "period,team,csat"


def _tickets(folder: Path, resolved: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    lines = ["ticket_id,created_at,resolved_at,agent_id"]
    lines += [f"{i},2026-10-0{i}T10:00:00Z,{r},A{i % 2}" for i, r in enumerate(resolved, 1)]
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_scorecard_exits_2_after_writing_when_more_rejects_than_the_threshold(tmp_path):
    # 3 of 4 tickets resolved before they were created: 75 % > 50 % (the default)
    data = _tickets(tmp_path / "data", ["2026-09-01T00:00:00Z"] * 3 + ["2026-10-05T10:00:00Z"])
    out = tmp_path / "card.csv"
    result = run("scorecard", data, "--period", "2026-10", "--kpi", "tickets_created", "-o", out)
    assert result.exit_code == 2
    assert "3 of 4 rows rejected (75.0 % > max_reject_rate 50 %" in result.stderr
    assert out.read_text().splitlines() == ["period,agent,tickets_created", "2026-10,A0,1"]
    allowed = run(
        "scorecard", data, "--period", "2026-10", "--kpi", "tickets_created",
        "--max-reject-rate", "80", "-o", out,
    )  # fmt: skip
    assert allowed.exit_code == 0, allowed.stderr


def test_scorecard_of_a_table_whose_every_row_is_rejected_says_why_not_zero(tmp_path):
    data = _tickets(tmp_path / "data", ["2026-09-01T00:00:00Z"] * 2)
    result = run("scorecard", data, "--period", "2026-10", "--kpi", "tickets_created", "-f", "json")
    assert result.exit_code == 2
    why = f"every row of {data / 'tickets.csv'} was rejected: 2 resolved_before_created"
    assert f"warning: {why}; its KPIs are not available" in result.stderr
    assert '"value": 0' not in result.stdout


def test_scorecard_refuses_to_write_over_its_input_or_a_kept_history_file(tmp_path):
    data = _tickets(tmp_path / "data", ["2026-10-05T10:00:00Z"])
    before = (data / "tickets.csv").read_bytes()
    result = run("scorecard", data, "--period", "2026-10", "-o", data / "tickets.csv")
    assert result.exit_code == 2
    assert "would destroy it" in result.stderr
    assert (data / "tickets.csv").read_bytes() == before
    kept = tmp_path / "kept"
    kept.mkdir()
    report = run("report", data, "--period", "2026-10", "-o", kept / "2026-10.csv", "-q")
    assert report.exit_code == 0, report.stderr
    tidy_csv = (kept / "2026-10.csv").read_bytes()
    result = run("scorecard", "--history", kept, "--period", "2026-10", "-o", kept / "2026-10.csv")
    assert result.exit_code == 2
    assert "would destroy it" in result.stderr
    assert (kept / "2026-10.csv").read_bytes() == tidy_csv
