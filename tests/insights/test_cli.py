"""The insight commands end to end on a small data folder written by the test."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app


@pytest.fixture
def folder(tmp_path):
    # 100 inbound calls on Monday 2026-10-05 10:00–10:30, AHT 180 s, all answered after 5 s.
    queued = pd.Timestamp("2026-10-05 10:05")
    pd.DataFrame({
        "call_id": [f"c{i}" for i in range(100)],
        "queued_at": [queued] * 100,
        "answered_at": [queued + pd.Timedelta(seconds=5)] * 100,
        "talk_seconds": [180] * 100,
        "agent_id": ["a1"] * 50 + ["a2"] * 50,
        "customer_id": ["k1"] * 100,
    }).to_csv(tmp_path / "calls.csv", index=False)
    pd.DataFrame({
        "ticket_id": ["t1", "t2", "t3"], "created_at": ["2026-09-02", "2026-10-02", "2026-10-03"],
        "type": ["billing", "billing", "outage"], "customer_id": ["k1", "k2", "k2"],
    }).to_csv(tmp_path / "tickets.csv", index=False)
    pd.DataFrame({
        "response_id": ["r1", "r2", "r3"], "submitted_at": ["2026-10-04"] * 3,
        "survey": ["nps", "nps", "csat"], "score": [2, 10, 1],
        "comment": ["very slow refund", "lovely", "slow again"],
    }).to_csv(tmp_path / "surveys.csv", index=False)
    pd.DataFrame({"customer_id": ["k1", "k2"], "date": ["2026-10-10", "2026-10-11"],
                  "amount": [10.0, 1000.0]}).to_csv(tmp_path / "revenue.csv", index=False)
    pd.DataFrame({"period": ["2026-10"], "category": ["wages"], "amount": [1020.0]}).to_csv(
        tmp_path / "costs.csv", index=False)
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_staffing_csv_gives_the_reference_14_agents(folder):
    result = run("staffing", folder, "--period", "2026-10-05..2026-10-11", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert rows[["day", "time", "agents_needed", "agents_observed"]].values.tolist() == [
        ["Mon", "10:00", 14, 2.0]]


def test_staffing_writes_the_forecast_plan_as_a_workbook(folder):
    import io

    from openpyxl import load_workbook

    calls = pd.read_csv(folder / "calls.csv")
    weeks = [calls.assign(call_id=calls["call_id"] + f"w{w}",
                          queued_at=pd.to_datetime(calls["queued_at"]) - pd.Timedelta(weeks=w),
                          answered_at=pd.to_datetime(calls["answered_at"])
                          - pd.Timedelta(weeks=w)) for w in range(3)]
    pd.concat(weeks).to_csv(folder / "calls.csv", index=False)
    result = run("staffing", folder, "--period", "2026-09-21..2026-10-11", "--format", "xlsx",
                 "--forecast-days", "7", "--growth", "10")
    assert result.exit_code == 0, result.output
    book = load_workbook(io.BytesIO(result.stdout_bytes))
    assert book.sheetnames == ["staffing_pattern", "staffing_forecast", "notes"]
    rows = list(book["staffing_forecast"].values)
    assert rows[0] == ("start", "date", "day", "time", "forecast_calls", "aht_seconds",
                       "agents_needed", "agents_scheduled")
    monday_ten = [r for r in rows[1:] if r[1] == "2026-10-12" and r[3] == "10:00"]
    assert monday_ten[0][4] == pytest.approx(110, abs=1)         # 100 calls a Monday, +10 %


def test_types_json_lists_the_new_type(folder):
    result = run("types", folder, "--period", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [r["type"] for r in payload["tables"]["new_types"]] == ["outage"]
    assert any("need 30" in n for n in payload["notes"])


def test_themes_redact_leaves_out_comments(folder):
    result = run("themes", folder, "--period", "2026-10", "--format", "json", "--redact")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert "negative_examples" not in payload["tables"]
    assert payload["tables"]["negative_terms"][0]["term"] == "slow"


def test_themes_read_ticket_subjects_and_descriptions_by_type(folder):
    tickets = pd.DataFrame({
        "ticket_id": [f"t{i}" for i in range(40)],
        "created_at": ["2026-10-02"] * 40,
        "type": ["billing"] * 20 + ["outage"] * 20,
        "subject": ["Laskun summa väärin"] * 10 + ["Laskua ei tullut"] * 10
        + ["Palvelu poikki"] * 20,
        "description": [""] * 40,
        "tags": ["lasku"] * 20 + ["katko"] * 20,
    })
    tickets.to_csv(folder / "tickets.csv", index=False)
    result = run("themes", folder, "--period", "2026-10", "--format", "json", "--redact")
    assert result.exit_code == 0, result.output
    groups = pd.DataFrame(json.loads(result.stdout)["tables"]["ticket_themes_by_group"])
    billing = groups[groups["type"] == "billing"]
    # laskun / laskua / lasku are one Finnish stem, in all 20 billing tickets and no outage one.
    assert billing.iloc[0][["stem", "group", "others"]].tolist() == ["lasku", 20, 0]


def test_customers_lists_who_costs_more_than_they_bring(folder):
    # contacts: k1 100 calls, k2 2 tickets → 102; cost per contact 1020 / 102 = 10.
    # k1: cost 1000 > revenue 10; k2: 20 < 1000.
    result = run("customers", folder, "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert rows["customer_id"].tolist() == ["k1"] and rows["cost_to_serve"].tolist() == [1000.0]


def test_trend_in_finnish_on_a_pipe_is_plain_text(folder):
    result = run("trend", folder, "--period", "2026-09..2026-10", "--lang", "fi",
                 "--kpi", "tickets_created")
    assert result.exit_code == 0, result.output
    assert "Kehitys" in result.stdout and "tickets_created" in result.stdout
    assert "Luodut tiketit" in result.stdout


def test_html_output_is_a_page(folder):
    result = run("clv", folder, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>") and "need 20" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "--format 'xml'"),
    (["--lang", "sv"], "--lang 'sv'"),
    (["--interval", "7"], "--interval 7"),
    (["--growth", "-100"], "--growth -100"),
    (["--forecast-days", "0"], "--forecast-days 0"),
    (["--period", "2026-13"], "no month 13"),
])
def test_bad_options_exit_2_with_a_message_on_stderr(folder, args, message):
    result = run("staffing", folder, *args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""
