"""Real third-party exports (skipped when shared/data/real is absent)."""

from __future__ import annotations

import pandas as pd
import pytest

from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

pytestmark = pytest.mark.real

PWC_MAP = """
name = "pwc_calls"
table = "calls"
detect = ["Call Id", "Answered (Y/N)", "Speed of answer in seconds"]
[columns]
call_id = "Call Id"
agent_id = "Agent"
queue = "Topic"
queued_at = { date = "Date", time = "Time" }
answered_at = { base = "queued_at", plus = "Speed of answer in seconds", unit = "seconds" }
talk_seconds = { from = "AvgTalkDuration", unit = "hms" }
resolved = { from = "Resolved", true = ["Y"], false = ["N"] }
[constants]
direction = "inbound"
"""

ECSI_MAP = """
name = "{name}"
table = "surveys"
detect = ["{first}"]
[columns]
response_id = "column1"
[constants]
submitted_at = "2005-06-30"          # the survey has no timestamps: one date for every answer
[[melt]]
match = "^{overall}$"
survey = "csat"
question = "overall"
scale = [{low}, {high}]
[[melt]]
match = "^{recommend}$"
survey = "relationship"
question = "recommend"
scale = [{low}, {high}]
"""


def test_zendesk_export_loads_every_ticket_with_business_hours_first_reply(real_data):
    dataset = load_dataset(
        InputSpec(files={"tickets": [real_data / "zendesk-plum/plum_zendesk_tickets_2023.csv"]})
    )
    tickets = dataset.tables["tickets"]
    report = dataset.files[0]
    assert (report.vendor, report.rows_read, report.rows_used) == ("zendesk", 16476, 16476)
    assert "first_response_at" not in tickets  # the calendar column is not in this export
    # sample row 297732: 173 business minutes to first reply, created 08-04-2023 20:52
    row = tickets.set_index("ticket_id").loc["297732"]
    assert row["first_response_business_minutes"] == 173
    assert row["created_at"] == pd.Timestamp("2023-04-08 20:52", tz="UTC")
    assert any("scientific notation" in w for w in report.warnings)


def test_zendesk_satisfaction_scores_become_813_csat_answers(real_data):
    dataset = load_dataset(
        InputSpec(files={"tickets": [real_data / "zendesk-plum/plum_zendesk_tickets_2023.csv"]})
    )
    surveys = dataset.tables["surveys"]
    assert len(surveys) == 813
    assert set(surveys["survey"]) == {"csat"} and surveys["score"].between(1, 5).all()
    assert surveys.set_index("ticket_id").loc["329907", "score"] == 4


def test_pwc_call_log_loads_5000_calls_through_a_user_map(real_data, tmp_path):
    user_map = tmp_path / "pwc.toml"
    user_map.write_text(PWC_MAP, encoding="utf-8")
    dataset = load_dataset(
        InputSpec(
            files={"calls": [real_data / "pwc-callcentre/01 Call-Center-Dataset.xlsx"]},
            map_files=[user_map],
        )
    )
    calls = dataset.tables["calls"].set_index("call_id")
    assert len(calls) == 5000
    assert calls["answered_at"].isna().sum() == 946  # blank speed = not answered
    first = calls.loc["ID0001"]  # 2021-01-01 09:12:58, speed 109
    assert first["queued_at"] == pd.Timestamp("2021-01-01 09:12:58", tz="UTC")
    assert first["answered_at"] == pd.Timestamp("2021-01-01 09:14:47", tz="UTC")
    assert first["talk_seconds"] == 143  # 00:02:23
    assert bool(first["resolved"]) and not bool(calls.loc["ID0002", "resolved"])


def test_servicenow_event_log_becomes_one_row_per_incident(real_data):
    dataset = load_dataset(
        InputSpec(
            files={"tickets": [real_data / "servicenow-incidents/incident_event_log_sample.csv"]}
        )
    )
    report = dataset.files[0]
    assert (report.vendor, report.rows_read, report.rows_used, report.rows_merged) == (
        "servicenow",
        5998,
        890,
        5108,
    )
    assert dataset.tables["tickets"]["ticket_id"].is_unique


@pytest.mark.parametrize(
    ("file", "first", "overall", "recommend", "low", "high", "used", "rejected"),
    [
        # mobi is 1-10: neither csat (1-5) nor relationship (0-10) can read it without rescaling
        ("mobi.csv", "CUEX1", "CUSA1", "CUSL3", 1, 10, 0, 500),
        # satisfaction is 0-10: loy3 loads as relationship, sat1 is no 1-5 csat answer
        ("satisfaction.csv", "imag1", "sat1", "loy3", 0, 10, 250, 250),
    ],
)
def test_ecsi_answers_load_only_where_their_stated_scale_is_the_survey_scale(
    real_data, tmp_path, file, first, overall, recommend, low, high, used, rejected
):
    user_map = tmp_path / "ecsi.toml"
    user_map.write_text(
        ECSI_MAP.format(
            name=file[:-4], first=first, overall=overall, recommend=recommend, low=low, high=high
        ),
        encoding="utf-8",
    )
    dataset = load_dataset(
        InputSpec(files={"surveys": [real_data / "ecsi-survey" / file]}, map_files=[user_map])
    )
    report = dataset.files[0]
    assert report.rejects_by_reason == {"scale_not_standard": rejected}
    if not used:  # a table with no usable row is left out (its KPIs not available), never empty
        assert "surveys" not in dataset.tables
        assert dataset.unusable["surveys"].endswith(f"was rejected: {rejected} scale_not_standard")
        return
    surveys = dataset.tables["surveys"]
    assert len(surveys) == used  # 250 respondents, two answers each
    assert (surveys["survey"] == "relationship").all()
    assert surveys["score"].between(0, 10).all()
    assert (surveys["submitted_at"] == pd.Timestamp("2005-06-30", tz="UTC")).all()


KAGGLE_MAP = """
name = "kaggle"
table = "tickets"
detect = ["Ticket ID", "Ticket Channel"]
[columns]
ticket_id = "Ticket ID"
created_at = "First Response Time"
resolved_at = "Time to Resolution"
"""


def test_multi_line_descriptions_keep_line_numbers_exact_in_rejects(real_data, tmp_path):
    user_map = tmp_path / "kaggle.toml"
    user_map.write_text(KAGGLE_MAP, encoding="utf-8")
    dataset = load_dataset(
        InputSpec(
            files={
                "tickets": [
                    real_data / "kaggle-support-tickets-synthetic/customer_support_tickets.csv"
                ]
            },
            map_files=[user_map],
        )
    )
    report = dataset.files[0]
    assert report.rows_read == 8469
    # SOURCES.md: 1,365 closed tickets are "resolved" before their first response
    assert report.rejects_by_reason["resolved_before_created"] == 1365
    # ticket 4 starts on physical line 19 (tickets 1-3 have multi-line descriptions)
    first = dataset.rejects.iloc[0]
    assert (first["line"], first["reason"]) == (19, "resolved_before_created")


ECSI_OWN_SCALE_MAP = """
name = "{name}"
table = "surveys"
detect = ["{first}"]
[columns]
response_id = "column1"
[constants]
submitted_at = "2005-06-30"
[[melt]]
match = "^{overall}$"
survey = "ecsi_satisfaction"          # a survey of the user's own, on the export's own scale
question = "overall"
scale = [{low}, {high}]
[[melt]]
match = "^{recommend}$"
survey = "{recommend_survey}"
question = "recommend"
scale = [{low}, {high}]
"""


@pytest.mark.parametrize(
    ("file", "first", "overall", "recommend", "low", "high", "recommend_survey"),
    [
        # 1-10 loyalty is no 0-10 NPS question: it stays a survey of its own
        ("mobi.csv", "CUEX1", "CUSA1", "CUSL3", 1, 10, "ecsi_recommend"),
        # 0-10 likelihood to recommend is the relationship NPS question
        ("satisfaction.csv", "imag1", "sat1", "loy3", 0, 10, "relationship"),
    ],
)
def test_ecsi_answers_all_load_when_the_map_states_surveys_on_their_own_scale(
    real_data, tmp_path, file, first, overall, recommend, low, high, recommend_survey
):
    user_map = tmp_path / "ecsi.toml"
    user_map.write_text(
        ECSI_OWN_SCALE_MAP.format(
            name=file[:-4],
            first=first,
            overall=overall,
            recommend=recommend,
            low=low,
            high=high,
            recommend_survey=recommend_survey,
        ),
        encoding="utf-8",
    )
    dataset = load_dataset(
        InputSpec(files={"surveys": [real_data / "ecsi-survey" / file]}, map_files=[user_map])
    )
    surveys = dataset.tables["surveys"]
    report = dataset.files[0]
    # 250 respondents, two answers each, none rejected; every score on the stated scale
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (500, 500, 0)
    assert set(surveys["survey"]) == {"ecsi_satisfaction", recommend_survey}
    assert surveys["score"].between(low, high).all()


# --- vendor-samples/: genuine vendor layouts, one small file each ------------------------------

SAMPLES = "vendor-samples"


def _load_sample(real_data, relative: str, table: str):
    path = real_data / SAMPLES / relative
    if not path.exists():
        pytest.skip(f"{relative} not found")
    dataset = load_dataset(InputSpec(files={table: [path]}))
    return dataset, dataset.files[0]


def test_servicenow_list_export_loads_every_incident(real_data):
    dataset, report = _load_sample(real_data, "servicenow/pdi_incident_list_export.csv", "tickets")
    # 67 lines: the header and 66 incidents, one row each (no audit columns, nothing to merge)
    assert (report.vendor, report.rows_read, report.rows_used) == ("servicenow_list", 66, 66)
    row = dataset.tables["tickets"].set_index("ticket_id").loc["INC0000001"]
    assert row["created_at"] == pd.Timestamp("2020-11-28 15:09:51", tz="UTC")
    assert (row["priority"], row["status"], row["team"]) == (
        "1 - Critical",
        "Closed",
        "Service Desk",
    )


def test_delighted_responses_with_an_expanded_person_load_all_three(real_data):
    dataset, report = _load_sample(
        real_data, "delighted/justeat_survey_responses_expand_person.json", "surveys"
    )
    assert (report.vendor, report.rows_read, report.rows_used) == ("delighted", 3, 3)
    surveys = dataset.tables["surveys"].set_index("response_id")
    assert surveys.loc["51443265", "customer_id"] == "142408248"  # person.id, not the object
    assert surveys.loc["51443265", "submitted_at"] == pd.Timestamp(1519570868, unit="s", tz="UTC")
    assert set(surveys["survey"]) == {"nps"}


def test_surveymonkey_api_responses_are_all_read_though_none_can_be_scored(real_data):
    dataset, report = _load_sample(real_data, "surveymonkey/api_v3_responses_bulk.json", "surveys")
    assert (report.vendor, report.rows_read, report.rows_used) == ("surveymonkey_api", 2, 0)
    assert report.rejects_by_reason == {"excluded_by_map": 2}


def test_german_qualtrics_export_reads_its_one_response(real_data):
    dataset, report = _load_sample(real_data, "qualtrics/qualtrics_sample_de.csv", "surveys")
    # one response, with a multiple-choice and a free-text question: nothing to score
    assert (report.vendor, report.rows_read, report.rows_used) == ("qualtrics", 1, 0)
    assert report.rejects_by_reason == {"excluded_by_map": 1}


def test_help_scout_list_response_loads_its_conversation(real_data):
    dataset, report = _load_sample(
        real_data, "helpscout/docs_list_conversations_example.json", "tickets"
    )
    assert (report.vendor, report.rows_read, report.rows_used) == ("helpscout", 1, 1)
    row = dataset.tables["tickets"].iloc[0]
    assert row["resolved_at"] == pd.Timestamp("2012-03-16 14:07:23", tz="UTC")
    assert row["agent_id"] == "none@nowhere.com"


def test_intercom_conversation_object_loads_as_one_ticket(real_data):
    dataset, report = _load_sample(real_data, "intercom/docs_conversation_example.json", "tickets")
    assert (report.vendor, report.rows_read, report.rows_used) == ("intercom", 1, 1)
    row = dataset.tables["tickets"].iloc[0]
    assert row["ticket_id"] == "1295"
    assert row["created_at"] == pd.Timestamp(1663597223, unit="s", tz="UTC")
    # its conversation_rating (5 stars) is one csat answer
    surveys = dataset.tables["surveys"]
    assert surveys[["ticket_id", "survey", "score"]].values.tolist() == [["1295", "csat", 5.0]]


def test_zendesk_ticket_metric_object_loads_as_one_ticket(real_data):
    dataset, report = _load_sample(real_data, "zendesk/docs_ticket_metric_example.json", "tickets")
    assert (report.vendor, report.rows_read, report.rows_used) == ("zendesk_metrics", 1, 1)
    row = dataset.tables["tickets"].iloc[0]
    assert (row["ticket_id"], row["reopens"], row["agent_replies"]) == ("4343", 55, 322)
    # created 2009-07-20 22:55:29 + 2391 calendar minutes to the first reply
    assert row["first_response_at"] == pd.Timestamp("2009-07-22 14:46:29", tz="UTC")
