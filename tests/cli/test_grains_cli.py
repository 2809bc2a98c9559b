"""`--every`, `--period all` and the help text, end to end on the small exports of test_report."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app

from .test_report import CALLS, SURVEYS, TICKETS


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "tickets.csv").write_text(TICKETS)
    (folder / "surveys.csv").write_text(SURVEYS)
    (folder / "calls.csv").write_text(CALLS)
    return folder


def run(*args):
    return CliRunner().invoke(app, [*map(str, args)])


def created(stdout: str) -> dict[str, str]:
    return {
        line.split(",")[0]: line.split(",")[4]
        for line in stdout.splitlines()
        if ",all,all,tickets_created," in line
    }


def test_every_week_splits_october_into_iso_weeks_cut_at_the_month_edges(data):
    result = run("report", data, "--period", "2026-10", "--every", "week", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    # T1, T2, T3 were created Thu 1 to Sat 3 October
    assert created(result.stdout) == {
        "2026-10-01..2026-10-04": "3",
        "2026-W41": "0",
        "2026-W42": "0",
        "2026-W43": "0",
        "2026-10-26..2026-10-31": "0",
    }


def test_every_day_compares_each_day_with_the_day_before(data):
    result = run(
        "report",
        data,
        "--from",
        "2026-10-02",
        "--to",
        "2026-10-03",
        "--every",
        "day",
        "--compare",
        "previous",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.startswith("period,dimension,segment,kpi,value,unit,n,")
    row = next(line for line in lines if line.startswith("2026-10-02,all,all,tickets_created,"))
    # one ticket on Oct 2, one on Oct 1 before it
    assert row.startswith("2026-10-02,all,all,tickets_created,1,count,1,1,")


def test_period_all_is_one_period_from_the_first_to_the_last_dated_record(data):
    result = run("report", data, "--period", "all", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    # T5 created Sep 10, R4 submitted Oct 4: five tickets created in between
    assert created(result.stdout) == {"2026-09-10..2026-10-04": "5"}


def test_an_unknown_grain_is_a_usage_error_that_names_the_grains(data):
    result = run("report", data, "--every", "fortnight")
    assert result.exit_code == 2
    assert "day, week, month, quarter, year" in result.stderr


def test_trend_takes_every_too(data):
    result = run(
        "trend",
        data,
        "--period",
        "2026-10",
        "--every",
        "week",
        "-f",
        "csv",
        "--kpi",
        "tickets_created",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    assert "tickets_created" in result.stdout


def test_help_shows_no_type_for_flags():
    for args in (["--help"], ["report", "--help"], ["trend", "--help"]):
        result = run(*args)
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout
    assert "--every" in run("report", "--help").stdout
