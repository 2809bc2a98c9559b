"""The vendor-map engine: every feature of docs/vendor-maps.md on small inline exports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cskpi.errors import ConfigError, SchemaError, UsageError
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset
from cskpi.io.vendor_maps import builtin_maps, choose_map, normalise_header


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def load(tmp_path: Path, table: str, name: str, text: str, map_text: str | None = None, **kw):
    source = write(tmp_path / name, text)
    maps = [write(tmp_path / "map.toml", map_text)] if map_text else []
    return load_dataset(InputSpec(files={table: [source]}, map_files=maps, **kw))


def test_headers_match_ignoring_case_spaces_bom_and_timezone_suffix():
    headers = ["\ufeffID", "requester  ID", "Created at (UTC)", "Solved at [Europe/Helsinki]"]
    assert choose_map(headers, list(builtin_maps().values())).name == "zendesk"
    assert (
        normalise_header("Manual Tagging of Categories [list]") == "manualtaggingofcategories[list]"
    )


def test_an_unknown_forced_vendor_is_a_usage_error_listing_the_known_ones():
    with pytest.raises(UsageError, match="zendesk"):
        choose_map(["a"], list(builtin_maps().values()), forced="nope")


def test_zendesk_map_derives_first_response_at_from_the_calendar_minutes(tmp_path):
    text = (
        "Id,Requester id,Created at,Updated at,Solved at,First reply time in minutes,"
        "Satisfaction Score\n"
        "1,9,01-10-2026 09:00,01-10-2026 12:00,01-10-2026 12:00,30,Offered\n"
        "2,9,13-10-2026 09:00,14-10-2026 08:00,,,5\n"
    )
    dataset = load(tmp_path, "tickets", "export.csv", text)
    tickets = dataset.tables["tickets"]
    # 13-10 proves day-first; 09:00 + 30 min = 09:30; blank minutes = never answered
    assert tickets["first_response_at"].tolist()[0] == pd.Timestamp("2026-10-01 09:30", tz="UTC")
    assert tickets["first_response_at"].isna().tolist() == [False, True]
    # "Offered" is no answer; ticket 2's answer is dated by Updated at as it is not solved
    surveys = dataset.tables["surveys"]
    assert surveys["response_id"].tolist() == ["2"] and surveys["score"].tolist() == [5.0]
    assert surveys["submitted_at"].tolist() == [pd.Timestamp("2026-10-14 08:00", tz="UTC")]


CALLS_MAP = """
name = "acme"
table = "calls"
detect = ["Call", "Start"]
null_values = ["n/a"]
[columns]
call_id = "Call"
queued_at = { date = "Day", time = "Start" }
answered_at = { base = "queued_at", plus = "Wait", unit = "minutes" }
talk_seconds = { from = "Talk", unit = "hms" }
direction = { from = "Kind", values = { IN = "inbound", CB = "inbound", OUT = "outbound" } }
transferred = { from = "Xfer", true = ["moved"], false = ["stayed"] }
queue = { first_of = ["Queue", "Skill"] }
[constants]
agent_id = "A1"
[dedupe]
key = "Call"
order_by = "Changed"
kind = "timestamp"
"""


def test_a_user_map_applies_every_kind_of_column_rule(tmp_path):
    text = (
        "Call,Day,Start,Wait,Talk,Kind,Xfer,Skill,Changed\n"
        "c1,2026-10-01,09:00:00,1.5,0:02:00,IN,moved,billing,2026-10-01 10:00\n"
        "c1,2026-10-01,09:00:00,1.5,0:03:00,IN,moved,billing,2026-10-01 11:00\n"
        "c2,2026-10-01,10:00:00,n/a,n/a,OUT,stayed,,2026-10-01 10:00\n"
    )
    dataset = load(tmp_path, "calls", "calls.csv", text, CALLS_MAP)
    calls = dataset.tables["calls"]
    report = dataset.files[0]
    assert (report.vendor, report.rows_read, report.rows_used, report.rows_merged) == (
        "acme",
        3,
        2,
        1,
    )
    # c1's later copy (11:00) wins: talk 3 min; answered 09:00 + 1.5 min
    assert calls["talk_seconds"].tolist()[0] == 180
    assert calls["answered_at"].tolist()[0] == pd.Timestamp("2026-10-01 09:01:30", tz="UTC")
    assert pd.isna(calls["answered_at"].tolist()[1])
    assert calls["direction"].tolist() == ["inbound", "outbound"]
    assert calls["transferred"].tolist() == [True, False]
    assert calls["queue"].tolist()[0] == "billing" and calls["agent_id"].tolist() == ["A1", "A1"]
    assert "Changed" in report.columns_ignored


def test_a_missing_required_source_stops_naming_the_expected_header(tmp_path):
    with pytest.raises(SchemaError, match="'call_id'.*'Call'"):
        load(
            tmp_path,
            "calls",
            "calls.csv",
            "Start,Day\n09:00,2026-10-01\n",
            CALLS_MAP.replace('detect = ["Call", "Start"]', 'detect = ["Start"]'),
        )


def test_a_bad_map_is_a_config_error_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match="unit"):
        load(
            tmp_path,
            "calls",
            "calls.csv",
            "x\n1\n",
            'name="m"\ntable="calls"\n[columns]\ntalk_seconds={from="T", unit="days"}\n',
        )


MELT_MAP = """
name = "wide"
table = "surveys"
detect = ["Respondent"]
header_rows = 2
[columns]
response_id = "Respondent"
submitted_at = "Ended"
[[melt]]
match = "(?i)recommend"
survey = "nps"
question = "overall"
[[melt]]
match = "(?i)^rate"
survey = "csat"
question = "{header}"
scale = [1, 10]
"""


def test_a_wide_survey_is_melted_to_one_row_per_answer_with_its_scale(tmp_path):
    text = (
        "Respondent,Ended,How likely to recommend us?,Rate the agent,Comment\n"
        ",,Response,Response,Open-Ended Response\n"
        "r1,2026-10-01 10:00,9,8,great\n"
        "r2,2026-10-02 10:00,,11,\n"
    )
    dataset = load(tmp_path, "surveys", "wide.csv", text, MELT_MAP)
    surveys = dataset.tables["surveys"]
    report = dataset.files[0]
    # answers: r1 nps 9, r1 csat 8 (scale 1-10), r2 csat 11 (out of scale); r2's empty nps: none
    assert report.rows_read == 3 and report.rows_used == 2
    assert report.rejects_by_reason == {"score_out_of_scale": 1}
    assert sorted(zip(surveys["survey"], surveys["question"], surveys["score"], strict=True)) == [
        ("csat", "rate_the_agent", 8.0),
        ("nps", "overall", 9.0),
    ]
    assert dataset.rejects["line"].tolist() == [4]
    assert report.columns_ignored == ["Comment"]


def test_json_records_under_a_key_are_flattened_to_dotted_names(tmp_path):
    doc = {
        "meta": {},
        "ticket_metrics": [
            {"id": 1, "created": "2026-10-01T09:00:00Z", "Agent": {"Username": "ann"}},
            {"id": 2, "created": "2026-10-02T09:00:00+03:00", "Agent": {"Username": "bob"}},
        ],
    }
    map_text = (
        'name="js"\ntable="tickets"\ndetect=["id","Agent.Username"]\nrecords="ticket_metrics"\n'
        '[columns]\nticket_id="id"\ncreated_at="created"\nagent_id="Agent.Username"\n'
    )
    source = write(tmp_path / "t.json", json.dumps(doc))
    mapfile = write(tmp_path / "m.toml", map_text)
    tickets = load_dataset(InputSpec(files={"tickets": [source]}, map_files=[mapfile])).tables[
        "tickets"
    ]
    assert tickets["agent_id"].tolist() == ["ann", "bob"]
    assert tickets["created_at"].tolist()[1] == pd.Timestamp("2026-10-02 06:00", tz="UTC")


def test_a_ticket_in_two_monthly_files_is_kept_once_with_the_latest_update(tmp_path):
    folder = tmp_path / "data" / "tickets"
    folder.mkdir(parents=True)
    write(
        folder / "2026-09.csv",
        "ticket_id,created_at,updated_at,status\n"
        "T1,2026-09-30 09:00,2026-10-02 09:00,solved\nT2,2026-09-29 09:00,,open\n",
    )
    write(
        folder / "2026-10.csv",
        "ticket_id,created_at,updated_at,status\n"
        "T1,2026-09-30 09:00,2026-10-01 09:00,open\nT3,2026-10-01 09:00,,open\n",
    )
    write(tmp_path / "data" / "cskpi.toml", "currency = 'EUR'\n")
    dataset = load_dataset(InputSpec(data_dir=tmp_path / "data"))
    tickets = dataset.tables["tickets"].set_index("ticket_id")
    assert sorted(tickets.index) == ["T1", "T2", "T3"]
    assert tickets.loc["T1", "status"] == "solved"  # the September copy was updated later
    september, october = dataset.files
    assert (october.rows_read, october.rows_used, october.rows_merged) == (2, 1, 1)
    assert (september.rows_used, september.rows_merged) == (2, 0)


def test_requested_columns_restrict_a_parquet_read(tmp_path):
    frame = pd.DataFrame(
        {
            "call_id": ["c1", "c2"],
            "queued_at": pd.to_datetime(["2026-10-01 09:00", "2026-10-01 10:00"]).tz_localize(
                "UTC"
            ),
            "talk_seconds": [60.0, 120.0],
            "queue": ["a", "b"],
        }
    )
    frame.to_parquet(tmp_path / "calls.parquet")
    dataset = load_dataset(InputSpec(data_dir=tmp_path, columns={"calls": ["talk_seconds"]}))
    calls = dataset.tables["calls"]
    assert list(calls.columns) == ["call_id", "queued_at", "talk_seconds"]
    assert calls["talk_seconds"].tolist() == [60.0, 120.0]


def test_xlsx_date_text_and_time_cells_combine(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["call_id", "queued_at", "talk_seconds"])
    sheet.append(["c1", dt.datetime(2026, 10, 1, 9, 0), 30])
    sheet.append([1001, "2026-10-01 10:00", 45.5])
    book.save(tmp_path / "calls.xlsx")
    calls = load_dataset(InputSpec(data_dir=tmp_path)).tables["calls"]
    assert calls["call_id"].tolist() == ["c1", "1001"]
    assert calls["queued_at"].tolist()[0] == pd.Timestamp("2026-10-01 09:00", tz="UTC")
    assert calls["talk_seconds"].tolist() == [30.0, 45.5]


def test_when_true_copies_another_canonical_column_where_the_flag_is_true(tmp_path):
    map_text = (
        'name="flag"\ntable="calls"\ndetect=["Id","Answered"]\n[columns]\ncall_id="Id"\n'
        'queued_at="Queued"\nanswered_at={from="Answered", when_true="queued_at"}\n'
    )
    text = "Id,Queued,Answered\nc1,2026-10-01 09:00,Y\nc2,2026-10-01 10:00,N\n"
    calls = load(tmp_path, "calls", "calls.csv", text, map_text).tables["calls"]
    assert calls["answered_at"].tolist()[0] == pd.Timestamp("2026-10-01 09:00", tz="UTC")
    assert pd.isna(calls["answered_at"].tolist()[1])
