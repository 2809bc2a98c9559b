"""KPI figures of `cskpi report --format csv` on real exports, checked against the raw files.

Every expected figure is computed here from the raw columns with plain pandas/openpyxl (never
through cskpi's loader), and the figure itself is written next to its assertion. The exports live
outside the repo (see tests/conftest.py); the tests skip when they are absent.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cskpi.cli.app import app
from tests.io.test_real_exports import ECSI_MAP, PWC_MAP

pytestmark = pytest.mark.real

ZENDESK = "zendesk-plum/plum_zendesk_tickets_2023.csv"
PWC = "pwc-callcentre/01 Call-Center-Dataset.xlsx"
SERVICENOW = "servicenow-incidents/incident_event_log_sample.csv"
DMY = "%d-%m-%Y %H:%M"  # Zendesk and ServiceNow dates: dd-mm-yyyy HH:MM, naive (UTC)


def tidy_report(*args: object) -> dict[tuple[str, str, str, str], tuple[float | None, int | None]]:
    """Run `cskpi report --format csv` and index its rows by (period, dimension, segment, kpi)."""
    result = CliRunner().invoke(app, ["report", "--format", "csv", *map(str, args)])
    assert result.exit_code == 0, result.stderr
    rows = csv.DictReader(io.StringIO(result.stdout))
    return {
        (r["period"], r["dimension"], r["segment"], r["kpi"]): (
            float(r["value"]) if r["value"] else None,
            int(r["n"]) if r["n"] else None,
        )
        for r in rows
    }


def overall(report: dict, period: str, kpi: str) -> tuple[float | None, int | None]:
    return report[(period, "all", "all", kpi)]


def write_map(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- Zendesk (Plum, Apr–May 2023)


@pytest.fixture(scope="module")
def zendesk_raw(real_data) -> pd.DataFrame:
    raw = pd.read_csv(real_data / ZENDESK, dtype=str, keep_default_na=False)
    return raw.assign(
        created=pd.to_datetime(raw["Created at"], format=DMY),
        solved=pd.to_datetime(raw["Solved at"].replace("", None), format=DMY),
        updated=pd.to_datetime(raw["Updated at"], format=DMY),
        # Only 1–5 are answers: blank (not asked) and "Offered" (asked, no answer) are not.
        rating=pd.to_numeric(
            raw["Satisfaction Score"].where(raw["Satisfaction Score"].str.fullmatch("[1-5]"))
        ),
        reopens=pd.to_numeric(raw["Reopens"].replace("", None)),
        frt_business_minutes=pd.to_numeric(
            raw["First reply time in minutes within business hours"].replace("", None)
        ),
    )


@pytest.fixture(scope="module")
def zendesk_months(real_data) -> dict:
    return tidy_report("--tickets", real_data / ZENDESK, "--quiet")


@pytest.fixture(scope="module")
def zendesk_whole(real_data) -> dict:
    return tidy_report(
        "--tickets", real_data / ZENDESK, "--from", "2023-04-01", "--to", "2023-06-30", "--quiet"
    )


def test_zendesk_csat_counts_only_scores_1_to_5_over_the_whole_export(zendesk_raw, zendesk_whole):
    rated = zendesk_raw["rating"].dropna()
    assert len(rated) == 813  # 11,023 blank and 4,640 "Offered" are not answers
    assert rated.mean() == pytest.approx(4.334563, abs=1e-6)
    assert (rated >= 4).mean() * 100 == pytest.approx(88.560886, abs=1e-6)  # 720 of 813
    period = "2023-04-01..2023-06-30"
    assert overall(zendesk_whole, period, "csat_average") == (pytest.approx(rated.mean()), 813)
    assert overall(zendesk_whole, period, "csat") == (pytest.approx(88.560886, abs=1e-6), 813)


def test_zendesk_csat_per_month_follows_the_solved_date(zendesk_raw, zendesk_months):
    # An answer is submitted when its ticket was solved (every rated ticket has a Solved at).
    rated = zendesk_raw.dropna(subset=["rating"])
    assert rated["solved"].notna().all()
    by_month = rated.groupby(rated["solved"].dt.strftime("%Y-%m"))["rating"]
    # 2023-04: 336 answers, mean 4.446429, 90.77381 % 4–5
    # 2023-05: 397 answers, mean 4.274559, 87.90932 % 4–5
    # 2023-06:  80 answers, mean 4.1625,   82.5     % 4–5
    expected = {"2023-04": (336, 4.446429), "2023-05": (397, 4.274559), "2023-06": (80, 4.1625)}
    for month, (n, mean) in expected.items():
        scores = by_month.get_group(month)
        assert (len(scores), scores.mean()) == (n, pytest.approx(mean, abs=1e-6))
        assert overall(zendesk_months, month, "csat_average") == (pytest.approx(scores.mean()), n)
        top_two = (scores >= 4).mean() * 100
        assert overall(zendesk_months, month, "csat") == (pytest.approx(top_two), n)


def test_zendesk_tickets_created_per_month(zendesk_raw, zendesk_months):
    created = zendesk_raw["created"].dt.strftime("%Y-%m").value_counts()
    assert (created["2023-04"], created["2023-05"]) == (8223, 8253)  # 16,476 in all
    assert overall(zendesk_months, "2023-04", "tickets_created") == (8223, 8223)
    assert overall(zendesk_months, "2023-05", "tickets_created") == (8253, 8253)
    assert overall(zendesk_months, "2023-06", "tickets_created") == (0, 0)


def test_zendesk_business_hours_first_reply_median_and_p90(zendesk_raw, zendesk_months):
    month = zendesk_raw["created"].dt.strftime("%Y-%m")
    # 2023-04: 6,494 replied tickets, median 9.091667 h (545.5 min), p90 78.178333 h
    # 2023-05: 6,266 replied tickets, median 6.8 h (408 min),       p90 78.858333 h
    expected = {"2023-04": (6494, 9.091667, 78.178333), "2023-05": (6266, 6.8, 78.858333)}
    for period, (n, median, p90) in expected.items():
        hours = zendesk_raw.loc[month == period, "frt_business_minutes"].dropna() / 60
        assert len(hours) == n
        assert np.median(hours) == pytest.approx(median, abs=1e-6)
        assert np.percentile(hours, 90) == pytest.approx(p90, abs=1e-6)
        report = zendesk_months
        assert overall(report, period, "first_response_business_hours_median") == (
            pytest.approx(np.median(hours)),
            n,
        )
        assert overall(report, period, "first_response_business_hours_p90") == (
            pytest.approx(np.percentile(hours, 90)),
            n,
        )
    # The calendar first-reply column is not in this export: not available, never 0.
    assert overall(zendesk_months, "2023-04", "first_response_hours_median")[0] is None


def test_zendesk_resolution_time_and_reopen_rate_over_tickets_solved_in_the_month(
    zendesk_raw, zendesk_months
):
    solved_month = zendesk_raw["solved"].dt.strftime("%Y-%m")
    # 2023-04: 5,307 solved, median 51.3 h,   p90 224.6 h,   598 reopened  = 11.268136 %
    # 2023-05: 7,240 solved, median 98.475 h, p90 544.925 h, 1,098 reopened = 15.165746 %
    expected = {
        "2023-04": (5307, 51.3, 224.6, 598, 11.268136),
        "2023-05": (7240, 98.475, 544.925, 1098, 15.165746),
    }
    for period, (n, median, p90, reopened, reopen_rate) in expected.items():
        solved = zendesk_raw[solved_month == period]
        hours = (solved["solved"] - solved["created"]).dt.total_seconds() / 3600
        assert (len(hours), np.median(hours)) == (n, pytest.approx(median))
        assert np.percentile(hours, 90) == pytest.approx(p90)
        assert overall(zendesk_months, period, "tickets_resolved") == (n, n)
        assert overall(zendesk_months, period, "resolution_hours_median") == (
            pytest.approx(median),
            n,
        )
        assert overall(zendesk_months, period, "resolution_hours_p90") == (pytest.approx(p90), n)
        known = solved["reopens"].dropna()
        assert (len(known), int((known > 0).sum())) == (n, reopened)
        assert reopened / n * 100 == pytest.approx(reopen_rate, abs=1e-6)
        assert overall(zendesk_months, period, "reopen_rate") == (
            pytest.approx(reopened / n * 100),
            n,
        )


# ---------------------------------------------------------------- PwC call log (Jan–Mar 2021)


@pytest.fixture(scope="module")
def pwc_raw(real_data) -> pd.DataFrame:
    book = load_workbook(real_data / PWC, read_only=True)
    header, *rows = book.active.iter_rows(values_only=True)
    book.close()
    raw = pd.DataFrame(rows, columns=header)
    talk = raw["AvgTalkDuration"].map(
        lambda t: np.nan if t is None else t.hour * 3600 + t.minute * 60 + t.second
    )
    return raw.assign(
        month=raw["Date"].str[:7],  # Date is a text cell: '2021-01-01'
        # A blank speed is a call nobody answered: missing, not 0 seconds.
        speed=pd.to_numeric(raw["Speed of answer in seconds"]),
        talk=talk.astype("float64"),
    )


@pytest.fixture(scope="module")
def pwc_report(real_data, tmp_path_factory) -> dict:
    user_map = write_map(tmp_path_factory.mktemp("pwc"), "pwc", PWC_MAP)
    months = tidy_report("--calls", real_data / PWC, "--map", user_map, "--by", "agent", "-q")
    whole = tidy_report(
        "--calls", real_data / PWC, "--map", user_map, "--from", "2021-01-01", "--to",
        "2021-03-31", "-q",
    )  # fmt: skip
    return months | whole


def test_pwc_unanswered_calls_are_the_946_blank_speeds(pwc_raw, pwc_report):
    unanswered = pwc_raw["speed"].isna()
    assert unanswered.sum() == 946
    assert (pwc_raw.loc[unanswered, "Answered (Y/N)"] == "N").all()
    period = "2021-01-01..2021-03-31"
    offered, _ = overall(pwc_report, period, "calls_offered")
    answered, _ = overall(pwc_report, period, "calls_answered")
    assert (offered, answered, offered - answered) == (5000, 4054, 946)


def test_pwc_answer_speed_talk_time_and_resolution_per_month(pwc_raw, pwc_report):
    # month: offered, answered, ASA s, talk s, resolved on the call
    # 2021-01: 1,772, 1,455, 67.219931, 226.124399, 1,311 = 90.103093 %
    # 2021-02: 1,616, 1,298, 67.546225, 228.235747, 1,161 = 89.4453 %
    # 2021-03: 1,612, 1,301, 67.831668, 220.273636, 1,174 = 90.238278 %
    # whole:   5,000, 4,054, 67.520720, 224.922792, 3,646 = 89.935866 %
    expected = {
        "2021-01": (1772, 1455, 67.219931, 226.124399, 1311),
        "2021-02": (1616, 1298, 67.546225, 228.235747, 1161),
        "2021-03": (1612, 1301, 67.831668, 220.273636, 1174),
        "2021-01-01..2021-03-31": (5000, 4054, 67.520720, 224.922792, 3646),
    }
    for period, (offered, answered, asa, talk, resolved) in expected.items():
        calls = pwc_raw if ".." in period else pwc_raw[pwc_raw["month"] == period]
        picked = calls[calls["speed"].notna()]
        assert (len(calls), len(picked)) == (offered, answered)
        assert picked["speed"].mean() == pytest.approx(asa, abs=1e-6)
        assert picked["talk"].mean() == pytest.approx(talk, abs=1e-6)
        assert (picked["Resolved"] == "Y").sum() == resolved
        assert overall(pwc_report, period, "calls_offered") == (offered, offered)
        assert overall(pwc_report, period, "calls_answered") == (answered, answered)
        assert overall(pwc_report, period, "average_speed_of_answer") == (
            pytest.approx(asa, abs=1e-6),
            answered,
        )
        assert overall(pwc_report, period, "average_talk_time") == (
            pytest.approx(talk, abs=1e-6),
            answered,
        )
        # talk is the only part in this log, so handle time equals talk time
        assert overall(pwc_report, period, "average_handle_time") == (
            pytest.approx(talk, abs=1e-6),
            answered,
        )
        assert overall(pwc_report, period, "call_resolution_rate") == (
            pytest.approx(resolved / answered * 100, abs=1e-6),
            answered,
        )


def test_pwc_per_agent_answered_calls_add_up_to_the_month_total(pwc_raw, pwc_report):
    answered = pwc_raw[pwc_raw["speed"].notna()]
    per_agent = answered.groupby(["month", "Agent"]).size()
    # 2021-01 answered: Becky 177, Dan 190, Diane 185, Greg 173, Jim 187, Joe 186, Martha 171,
    # Stewart 186 = 1,455
    assert per_agent["2021-01"].to_dict() == {
        "Becky": 177, "Dan": 190, "Diane": 185, "Greg": 173,
        "Jim": 187, "Joe": 186, "Martha": 171, "Stewart": 186,
    }  # fmt: skip
    for month in ("2021-01", "2021-02", "2021-03"):
        reported = {
            segment: value
            for (period, dimension, segment, kpi), (value, _) in pwc_report.items()
            if (period, dimension, kpi) == (month, "agent", "calls_answered")
        }
        assert reported == per_agent[month].to_dict()
        assert sum(reported.values()) == overall(pwc_report, month, "calls_answered")[0]


# ---------------------------------------------------------------- ServiceNow event log (2016)


@pytest.fixture(scope="module")
def servicenow_incidents(real_data) -> pd.DataFrame:
    """One row per incident: its event with the highest sys_mod_count."""
    raw = pd.read_csv(real_data / SERVICENOW, dtype=str, keep_default_na=False)
    raw["mods"] = raw["sys_mod_count"].astype(int)
    last = raw.sort_values(["number", "mods"]).groupby("number").tail(1)
    return last.assign(
        opened=pd.to_datetime(last["opened_at"], format=DMY),
        resolved=pd.to_datetime(last["resolved_at"].replace("?", None), format=DMY),
    )


@pytest.fixture(scope="module")
def servicenow_report(real_data) -> dict:
    return tidy_report("--tickets", real_data / SERVICENOW, "-q")


def test_servicenow_counts_each_incident_once_in_its_opening_month(
    servicenow_incidents, servicenow_report
):
    opened = servicenow_incidents["opened"].dt.strftime("%Y-%m").value_counts()
    assert len(servicenow_incidents) == 890  # 5,998 events
    assert (opened["2016-02"], opened["2016-03"]) == (207, 683)
    assert overall(servicenow_report, "2016-02", "tickets_created") == (207, 207)
    assert overall(servicenow_report, "2016-03", "tickets_created") == (683, 683)


def test_servicenow_resolution_hours_over_incidents_resolved_in_the_month(
    servicenow_incidents, servicenow_report
):
    month = servicenow_incidents["resolved"].dt.strftime("%Y-%m")
    # 2016-02: 36 resolved, median 1.816667 h, p90 8.883333 h, 0 reopened
    # 2016-03: 737 resolved, median 52.75 h, p90 406.513333 h, 8 reopened = 1.085482 %
    expected = {"2016-02": (36, 1.816667, 8.883333, 0), "2016-03": (737, 52.75, 406.513333, 8)}
    for period, (n, median, p90, reopened) in expected.items():
        resolved = servicenow_incidents[month == period]
        hours = (resolved["resolved"] - resolved["opened"]).dt.total_seconds() / 3600
        assert len(hours) == n
        assert np.median(hours) == pytest.approx(median, abs=1e-6)
        assert np.percentile(hours, 90) == pytest.approx(p90, abs=1e-6)
        assert (resolved["reopen_count"].astype(int) > 0).sum() == reopened
        report = servicenow_report
        assert overall(report, period, "tickets_resolved") == (n, n)
        assert overall(report, period, "resolution_hours_median") == (
            pytest.approx(np.median(hours)),
            n,
        )
        assert overall(report, period, "resolution_hours_p90") == (
            pytest.approx(np.percentile(hours, 90)),
            n,
        )
        assert overall(report, period, "reopen_rate") == (pytest.approx(reopened / n * 100), n)


# ---------------------------------------------------------------- ECSI surveys (no timestamps)


def ecsi_report(real_data, folder: Path, file: str, columns: tuple[str, ...], scale: tuple):
    first, overall_column, recommend = columns
    text = ECSI_MAP.format(
        name=file[:-4], first=first, overall=overall_column, recommend=recommend,
        low=scale[0], high=scale[1],
    )  # fmt: skip
    user_map = write_map(folder, file[:-4], text)
    path = real_data / "ecsi-survey" / file
    result = CliRunner().invoke(
        app, ["report", "--format", "csv", "--surveys", str(path), "--map", str(user_map),
              "--period", "2005-06", "--max-reject-rate", "100"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {
        r["kpi"]: (float(r["value"]) if r["value"] else None, int(r["n"]) if r["n"] else None)
        for r in csv.DictReader(io.StringIO(result.stdout))
        if r["dimension"] == "all"
    }
    return rows, result.stderr


def test_ecsi_bank_recommend_question_on_0_to_10_gives_a_relationship_nps(real_data, tmp_path):
    with open(real_data / "ecsi-survey/satisfaction.csv", newline="", encoding="utf-8") as f:
        loy3 = [int(row["loy3"]) for row in csv.DictReader(f)]
    promoters = sum(score >= 9 for score in loy3)
    detractors = sum(score <= 6 for score in loy3)
    # 250 answers on 0–10: 65 promoters, 86 detractors → 100 × (65 − 86) / 250 = −8.4
    assert (len(loy3), promoters, detractors, min(loy3), max(loy3)) == (250, 65, 86, 0, 10)
    rows, stderr = ecsi_report(
        real_data, tmp_path, "satisfaction.csv", ("imag1", "sat1", "loy3"), (0, 10)
    )
    assert rows["relationship_nps"] == (pytest.approx(-8.4), 250)
    # sat1 is 0–10 too: no 1–5 csat answer, so csat is not computed from it (it was 94.4 %)
    assert rows["csat"] == (None, 0) and rows["csat_average"] == (None, 0)
    assert "250 scale_not_standard" in stderr


def test_ecsi_mobile_answers_on_1_to_10_are_never_bucketed_as_0_to_10(real_data, tmp_path):
    with open(real_data / "ecsi-survey/mobi.csv", newline="", encoding="utf-8") as f:
        cusl3 = [int(row["CUSL3"]) for row in csv.DictReader(f)]
    # 250 answers on 1–10 (no 0 exists); read as 0–10 they would give 95 "promoters" and
    # 60 "detractors", an NPS of 14 that no 1–10 survey defines.
    assert (len(cusl3), min(cusl3), max(cusl3)) == (250, 1, 10)
    assert (sum(s >= 9 for s in cusl3), sum(s <= 6 for s in cusl3)) == (95, 60)
    rows, stderr = ecsi_report(
        real_data, tmp_path, "mobi.csv", ("CUEX1", "CUSA1", "CUSL3"), (1, 10)
    )
    # No survey row is usable, so the surveys table is not available: no value and no sample
    # size (not a sample of 0).
    assert rows["relationship_nps"] == (None, None)
    assert rows["csat"] == (None, None)  # CUSA1 is 1–10: every answer ≥ 4 made it "100 %"
    assert "500 of 500 rows rejected (500 scale_not_standard)" in stderr
    assert "every row of" in stderr and "its KPIs are not available" in stderr
