"""--history: tidy CSVs kept by earlier runs read as the past, joined with computed periods."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.errors import UsageError
from cskpi.metrics.history import History, join, load_history, sort_periods
from cskpi.metrics.periods import label_kind, label_start, parse_periods
from cskpi.metrics.results import KpiValue

HEADER = "period,dimension,segment,kpi,value,unit,n\n"
UNITS = {"csat": "%", "tickets_created": "count", "service_cost": "EUR"}


def kept(folder, name, *lines):
    path = folder / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    return path


def test_labels_of_every_grain_sort_in_time_order():
    labels = ["2026-Q4", "2026", "2026-W41", "2026-10-05", "2026-10", "2025-12", "2026-W41-sun"]
    assert sort_periods(labels) == [
        "2025-12",
        "2026",
        "2026-10",
        "2026-Q4",
        "2026-10-04" if False else "2026-W41-sun",
        "2026-10-05",
        "2026-W41",
    ]
    assert label_start("2026-W53") is not None and label_kind("2026-W41-sun") == "week-sun"


def test_kept_rows_with_another_unit_or_an_unknown_kpi_are_named_not_mixed(tmp_path):
    path = kept(
        tmp_path,
        "2026-09.csv",
        "2026-09,all,all,csat,80,%,100",
        "2026-09,all,all,service_cost,900,USD,3",
        "2026-09,all,all,old_kpi,1,count,1",
    )
    history = load_history([tmp_path], UNITS)
    assert [(r.period, r.kpi, r.value) for r in history.rows] == [("2026-09", "csat", 80)]
    assert history.notes == [
        f"{path}: left out KPI id(s) not in the catalogue now: old_kpi",
        f"{path}: left out service_cost: kept in 'USD', computed in 'EUR' now",
    ]


def test_computed_periods_win_and_kept_ones_of_another_form_are_left_out():
    periods = parse_periods("2026-10", None, None, "UTC")
    computed = [KpiValue("2026-10", "all", "all", "csat", 70.0, "%", 50)]
    history = History(
        [
            KpiValue("2026-10", "all", "all", "csat", 99.0, "%", 50),  # raw covers it: raw wins
            KpiValue("2026-09", "all", "all", "csat", 80.0, "%", 40),
            KpiValue("2026-W38", "all", "all", "csat", 60.0, "%", 10),  # a week among months
            KpiValue("2026-11", "all", "all", "csat", 60.0, "%", 10),  # after the range
        ]
    )
    rows = join(computed, periods, {"2026-10"}, history)
    assert [(r.period, r.value) for r in rows] == [("2026-09", 80.0), ("2026-10", 70.0)]


def test_two_years_of_kept_monthly_csvs_give_a_two_year_trend_with_no_raw_file(tmp_path):
    months = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
    for index, month in enumerate(months):
        kept(tmp_path, f"{month}.csv", f"{month},all,all,tickets_created,{100 + index},count,1")
    result = CliRunner().invoke(
        app, ["trend", "--history", str(tmp_path), "--kpi", "tickets_created", "-f", "csv", "-q"]
    )
    assert result.exit_code == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (float(row["baseline"]), float(row["latest"])) == (100, 123)
    values = CliRunner().invoke(
        app,
        ["trend", "--history", str(tmp_path), "--kpi", "tickets_created", "-f", "json", "-q"],
    )
    assert values.stdout.count('"2026-12"') >= 1 and '"2025-01"' in values.stdout


def test_a_missing_history_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        load_history([tmp_path / "nope"], UNITS)
    with pytest.raises(UsageError, match="no .csv files"):
        load_history([tmp_path], UNITS)


def test_compare_previous_reads_a_period_the_raw_data_lacks_from_history(tmp_path):
    from tests.cli.test_report import TICKETS

    folder = tmp_path / "exports"
    folder.mkdir()
    # September has T4 and T5 only; August has no raw record at all
    (folder / "tickets.csv").write_text(TICKETS)
    store = tmp_path / "kept"
    store.mkdir()
    kept(store, "2026-08.csv", "2026-08,all,all,tickets_created,7,count,7")
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(folder),
            "--period",
            "2026-09",
            "--compare",
            "previous",
            "--history",
            str(store),
            "-f",
            "csv",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if ",all,all,tickets_created," in x)
    assert line == "2026-09,all,all,tickets_created,2,count,2,7,-5"


def test_a_scorecard_from_kept_csvs_alone_tests_agents_against_the_rest(tmp_path):
    # a: 90 of 100 satisfied, b: 50 of 100 -> each far from the other (z = 6.17)
    kept(
        tmp_path,
        "2026-09.csv",
        "2026-09,all,all,csat,70,%,200",
        "2026-09,agent,a,csat,90,%,100",
        "2026-09,agent,b,csat,50,%,100",
    )
    args = ["scorecard", "--history", str(tmp_path), "--kpi", "csat", "-q"]
    result = CliRunner().invoke(app, [*args, "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "period,agent,csat\n2026-09,a,90\n2026-09,b,50\n"
    document = CliRunner().invoke(app, [*args, "-f", "json"]).stdout
    assert '"flag": "better"' in document and '"flag": "worse"' in document


def test_a_kept_quarterly_csv_is_compared_quarter_with_the_quarter_before():
    from cskpi.metrics.compare import compare

    current = [KpiValue("2027-Q1", "all", "all", "tickets_created", 10, "count", 10)]
    baseline = [
        KpiValue(label, "all", "all", "tickets_created", value, "count", value)
        for label, value in (("2026-Q3", 3), ("2026-Q4", 7), ("2027-Q2", 99))
    ]
    result = compare(current, baseline)
    assert result[("2027-Q1", "all", "all", "tickets_created")].previous == 7
