"""Built-in vendor maps: each fixture export is recognised from its headers and loads as expected.

The fixtures in tests/fixtures/vendors/ use each vendor's real header spellings and value formats;
`<name>.expected.json` beside each holds counts and canonical values worked out by hand.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from cskpi.io.inputs import InputSpec
from cskpi.io.schema import TABLES

VENDORS_DIR = Path(__file__).resolve().parents[2] / "src" / "cskpi" / "io" / "vendors"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"
OWN_MAPS = sorted(p for p in VENDORS_DIR.glob("*.toml") if p.stem not in {"zendesk", "servicenow"})
EXPECTED = sorted(FIXTURES.glob("*.expected.json"))
TZ_SUFFIX = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")


def normalise(header: str) -> str:
    """Header as detection compares it: no BOM, no time-zone suffix, any case and spacing."""
    return re.sub(r"\s+", "", TZ_SUFFIX.sub("", header.lstrip("\ufeff"))).casefold()


def fixture_path(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (path,) = [p for p in FIXTURES.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    return path


def load_map(name: str) -> dict:
    return tomllib.loads((VENDORS_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def flatten(record: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def json_records(path: Path, records_key: str | None) -> list[dict]:
    text, decoder, docs = path.read_text(encoding="utf-8").strip(), json.JSONDecoder(), []
    while text:  # one document, JSON lines, or objects back to back as a stream writes them
        doc, end = decoder.raw_decode(text)
        docs.append(doc)
        text = text[end:].strip()
    data = docs[0] if len(docs) == 1 else docs
    for part in (records_key or "").split("."):
        if part:
            data = data[part]
    if isinstance(data, dict):  # a single object, or a list one level down
        data = next((v for v in data.values() if isinstance(v, list)), [data])
    return [flatten(r) for r in data]


def source_headers(path: Path, vendor_map: dict) -> list[str]:
    if vendor_map["name"] == "genesys_cloud_details" and '"participants"' in path.read_text():
        return list(importlib.import_module("cskpi.io.genesys").FIELDS)
    if path.suffix in (".json", ".jsonl"):
        return list(json_records(path, vendor_map.get("records"))[0])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle))
    if vendor_map.get("fields"):  # no header row: the map names the columns
        return vendor_map["fields"][: len(first)]
    aliases = {normalise(k): v for k, v in vendor_map.get("aliases", {}).items()}
    return [aliases.get(normalise(h), h) for h in first]


def source_groups(option: object) -> list[list[str]]:
    """The source headers one [columns] entry reads, as groups of which one must be present
    (`first_of` takes the first present; base = canonical names are not headers)."""
    if isinstance(option, str):
        return [[option]]
    assert isinstance(option, dict)
    groups: list[list[str]] = []
    if option.get("first_of"):
        groups.append(list(option["first_of"]))
    for key in ("from", "plus", "date", "time", "when", "unless"):
        if option.get(key):
            groups.append([option[key]])
    return groups


def cases() -> list:
    """Every fixture, marked xfail where its expected file says what reading it still needs."""
    params = []
    for path in EXPECTED:
        reason = json.loads(path.read_text()).get("xfail")
        marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
        params.append(pytest.param(path, marks=marks, id=path.stem.removesuffix(".expected")))
    return params


# --- the maps themselves (no loader needed) -------------------------------------------------


@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_is_named_after_its_file_and_fills_a_known_table(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    assert vendor_map["name"] == path.stem
    assert vendor_map["table"] in TABLES
    assert vendor_map.get("detect") or vendor_map.get("detect_values"), (
        "a map without detect headers or values can only be forced"
    )


@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_reaches_every_required_column_of_its_table(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    reachable = set(vendor_map.get("columns", {})) | set(vendor_map.get("constants", {}))
    if vendor_map.get("melt"):
        reachable |= {"survey", "question", "score"}
    missing = set(TABLES[vendor_map["table"]].required) - reachable
    assert not missing


@pytest.mark.parametrize("path", OWN_MAPS, ids=lambda p: p.stem)
def test_each_map_maps_only_canonical_columns(path: Path) -> None:
    vendor_map = tomllib.loads(path.read_text(encoding="utf-8"))
    table = TABLES[vendor_map["table"]]
    assert set(vendor_map.get("columns", {})) <= set(table.names)


def test_every_own_map_has_a_fixture_with_expected_values() -> None:
    with_fixture = {json.loads(p.read_text())["vendor"] for p in EXPECTED}
    assert {p.stem for p in OWN_MAPS} <= with_fixture


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_fixture_headers_hold_every_header_its_map_reads(expected: Path) -> None:
    vendor = json.loads(expected.read_text())["vendor"]
    vendor_map = load_map(vendor)
    headers = {normalise(h) for h in source_headers(fixture_path(expected), vendor_map)}
    required = set(TABLES[vendor_map["table"]].required)
    # The vendor's main fixture holds every header the map reads; a variant (another language,
    # another layout) at least the detect headers and those of the required columns.
    main = expected.name == f"{vendor}.expected.json"
    groups = [
        g
        for target, option in vendor_map["columns"].items()
        if main or target in required
        for g in source_groups(option)
    ]
    groups += [[d] for d in vendor_map.get("detect", [])]
    missing = [g for g in groups if not {normalise(n) for n in g} & headers]
    assert not missing


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_fixture_headers_match_exactly_one_map(expected: Path) -> None:
    vendor = json.loads(expected.read_text())["vendor"]
    path = fixture_path(expected)
    matching = []
    for map_path in VENDORS_DIR.glob("*.toml"):
        other = tomllib.loads(map_path.read_text(encoding="utf-8"))
        if other.get("fields"):
            if path.suffix == ".csv":  # a header-less map knows its file by the first row
                with path.open(encoding="utf-8-sig", newline="") as handle:
                    first = next(csv.reader(handle))
                checks = {other["fields"].index(f): p for f, p in other["detect_values"].items()}
                if len(first) > max(checks) and all(
                    re.fullmatch(p, first[i]) for i, p in checks.items()
                ):
                    matching.append(other["name"])
            continue
        try:
            headers = {normalise(h) for h in source_headers(path, other)}
        except (KeyError, TypeError, StopIteration):
            continue
        if {normalise(h) for h in other["detect"]} <= headers:
            matching.append(other["name"])
    assert matching == [vendor]


# --- loading through cskpi.io.load ------------------------------------------------------------


def loader():
    try:
        return importlib.import_module("cskpi.io.load").load_dataset
    except (ImportError, AttributeError):
        pytest.skip("cskpi.io.load.load_dataset is not available yet")


def load(path: Path, table: str, vendor: str | None = None):
    return loader()(InputSpec(files={table: [path]}, vendor=vendor))


def canonical(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def select(frame: pd.DataFrame, table: str, key: object) -> pd.Series:
    where = key if isinstance(key, dict) else {TABLES[table].key: key}
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{where} matches {len(rows)} rows"
    return rows.iloc[0]


@pytest.mark.parametrize("expected", cases())
def test_each_fixture_is_detected_from_its_headers_and_loads_as_worked_out(expected: Path) -> None:
    want = json.loads(expected.read_text())
    dataset = load(fixture_path(expected), want["table"])
    # A map with [[also]] fills a second table from the same file (Zendesk's satisfaction column).
    (report,) = [r for r in dataset.files if r.table == want["table"]]
    assert report.vendor == want["vendor"]
    assert (report.rows_used, report.rows_rejected) == (want["rows_used"], want["rows_rejected"])
    frame = dataset.tables[want["table"]]
    assert len(frame) == want["rows_used"]
    for check in want["checks"]:
        row = select(frame, want["table"], check["key"])
        if "wait_seconds" in check:
            end = row["answered_at"] if pd.notna(row["answered_at"]) else row["ended_at"]
            assert (end - row["queued_at"]).total_seconds() == check["wait_seconds"]
        else:
            assert canonical(row[check["column"]]) == check["equals"], check
    for where in want.get("absent", []):
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            mask &= frame[column] == value
        assert not mask.any(), f"{where} should have no answer (blank cell)"


@pytest.mark.parametrize("expected", cases())
def test_forcing_the_vendor_loads_the_same_rows(expected: Path) -> None:
    want = json.loads(expected.read_text())
    dataset = load(fixture_path(expected), want["table"], vendor=want["vendor"])
    assert dataset.files[0].vendor == want["vendor"]
    assert len(dataset.tables[want["table"]]) == want["rows_used"]


def test_headers_in_other_case_spacing_bom_and_tz_suffix_still_detect(tmp_path: Path) -> None:
    # Freshdesk header row rewritten the way spreadsheets and exports in other locales mangle it:
    # "Ticket ID" -> " TICKET id", "Created time" -> "Created Time (UTC)", and a UTF-8 BOM.
    lines = (FIXTURES / "freshdesk.csv").read_text(encoding="utf-8").splitlines()
    header = (
        lines[0]
        .replace("Ticket ID", " TICKET id")
        .replace("Created time", "Created Time (UTC)")
        .replace("Resolved time", "resolved  time [Europe/Helsinki]")
    )
    variant = tmp_path / "tickets.csv"
    variant.write_text("\ufeff" + "\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    dataset = load(variant, "tickets")
    assert dataset.files[0].vendor == "freshdesk"
    assert len(dataset.tables["tickets"]) == 5


def test_chat_contacts_in_a_contact_record_file_are_left_out_of_calls_and_counted() -> None:
    dataset = load(FIXTURES / "amazon_connect.json", "calls")
    (report,) = dataset.files
    assert report.rejects_by_reason == {"excluded_by_map": 1}
    (detail,) = dataset.rejects["detail"]
    assert detail == "Channel = CHAT (this calls map keeps VOICE)"


def test_a_survey_without_a_scorable_question_reports_every_response() -> None:
    dataset = load(FIXTURES / "surveymonkey_api.json", "surveys")
    (report,) = dataset.files
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (2, 0, 2)
    assert set(dataset.rejects["reason"]) == {"excluded_by_map"}


def test_a_headerless_map_checks_its_detect_values_name_fields() -> None:
    from cskpi.errors import ConfigError
    from cskpi.io.vendor_maps import parse_map

    doc = {"table": "calls", "fields": ["start"], "detect_values": {"stop": r"\d+"}}
    with pytest.raises(ConfigError, match="detect_values"):
        parse_map(doc, "m.toml")


def test_a_file_whose_first_row_is_not_a_cdr_is_not_taken_for_one(tmp_path: Path) -> None:
    # Same width as Master.csv, but a header row: recognised by headers or not at all.
    lines = (FIXTURES / "asterisk_cdr.csv").read_text(encoding="utf-8").splitlines()
    header = ",".join(load_map("asterisk_cdr")["fields"][:18])
    variant = tmp_path / "calls.csv"
    variant.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="required column 'call_id'"):
        load(variant, "calls")


def test_a_jira_satisfaction_rating_is_one_csat_answer_dated_by_its_resolution() -> None:
    dataset = load(FIXTURES / "jira_service_management_all_fields.csv", "tickets")
    surveys = dataset.tables["surveys"]
    # Only SD-41 was rated (5 stars); the unrated requests give no answer.
    assert surveys[["response_id", "ticket_id", "survey", "question", "score"]].values.tolist() == [
        ["SD-41", "SD-41", "csat", "overall", 5.0]
    ]
    assert surveys["submitted_at"].iloc[0] == pd.Timestamp("2026-05-05 13:45", tz="UTC")
    assert surveys["agent_id"].iloc[0] == "anna.berg"


def test_a_servicenow_list_exported_to_excel_with_column_labels_is_still_servicenow(
    tmp_path: Path,
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Page 1"  # the sheet name ServiceNow's Excel export gives
    sheet.append(
        ["Number", "Opened", "Short description", "Caller", "Priority", "State"]
        + ["Category", "Assignment group", "Assigned to", "Updated", "Resolved"]
    )
    sheet.append(
        ["INC0010201", datetime(2026, 5, 13, 9, 15), "VPN does not connect", "Aino Virtanen"]
        + ["2 - High", "Closed", "Network", "Service Desk", "Anna Berg"]
        + [datetime(2026, 5, 16, 12, 0), datetime(2026, 5, 13, 11, 45, 30)]
    )
    sheet.append(
        ["INC0010202", datetime(2026, 5, 14, 10, 0), "Mail server is down", "Ben Ode"]
        + ["1 - Critical", "In Progress", "Software", "Network", None]
        + [datetime(2026, 5, 14, 10, 20), None]
    )
    path = tmp_path / "incident.xlsx"
    book.save(path)
    dataset = load(path, "tickets")
    (report,) = dataset.files
    assert (report.vendor, report.rows_used, report.rows_rejected) == ("servicenow_list", 2, 0)
    first = select(dataset.tables["tickets"], "tickets", "INC0010201")
    assert first["created_at"] == pd.Timestamp("2026-05-13 09:15", tz="UTC")
    assert first["resolved_at"] == pd.Timestamp("2026-05-13 11:45:30", tz="UTC")
    assert (first["team"], first["agent_id"], first["subject"]) == (
        "Service Desk",
        "Anna Berg",
        "VPN does not connect",
    )


def test_calls_whose_direction_no_map_knows_are_counted_as_inbound_and_said() -> None:
    dataset = load(FIXTURES / "asterisk_cdr_plain.csv", "calls")
    (warning,) = [w for w in dataset.files[0].warnings if "neither inbound nor outbound" in w]
    assert (
        "2 call(s)" in warning and "(internal, sip0)" in warning and "count as inbound" in warning
    )


def test_a_trimmed_five9_call_log_is_five9_and_loses_only_what_its_columns_fed(
    tmp_path: Path,
) -> None:
    # A Call Log report built with fewer columns: no queue wait, talk time or abandon flag.
    path = tmp_path / "call_log.csv"
    path.write_text(
        "CALL ID,TIMESTAMP,CAMPAIGN,CALL TYPE,AGENT,DISPOSITION,ANI,DNIS,SESSION ID\n"
        "1,2026-09-03 10:00,Main Inbound,Manual,agent1@example.test,Consult Set,5550100,5550999,a\n"
        "2,2026-09-03 10:05,Main Inbound,Inbound,,Caller Disconnected,5550101,5550999,b\n",
        encoding="utf-8",
    )
    dataset = load(path, "calls")
    (report,) = dataset.files
    assert (report.vendor, report.rows_used) == ("five9", 2)
    assert "QUEUE WAIT TIME" in report.recognition["missed"]
    calls = dataset.tables["calls"]
    assert "answered_at" not in calls and "talk_seconds" not in calls
    assert select(calls, "calls", "1")["direction"] == "outbound"
    assert select(calls, "calls", "2")["queued_at"] == pd.Timestamp("2026-09-03 10:05", tz="UTC")


def test_an_intercom_conversation_rating_is_one_csat_answer_with_its_remark() -> None:
    dataset = load(FIXTURES / "intercom.json", "tickets")
    surveys = dataset.tables["surveys"]
    # Only the first conversation was rated: 4 stars, two hours after it began.
    (row,) = surveys.to_dict("records")
    assert (row["response_id"], row["ticket_id"], row["survey"], row["score"]) == (
        "215467",
        "215467",
        "csat",
        4.0,
    )
    assert (row["comment"], row["agent_id"]) == ("Quick answer", "814860")
    assert row["submitted_at"] == pd.Timestamp(1683022527 + 7200, unit="s", tz="UTC")


def test_zendesk_good_bad_ratings_are_left_out_and_counted_and_the_report_still_runs() -> None:
    from typer.testing import CliRunner

    from cskpi.cli.app import app

    path = FIXTURES / "zendesk_full_export.csv"
    dataset = load(path, "tickets")
    (surveys,) = [r for r in dataset.files if r.table == "surveys"]
    # 4101 Good, 4102 Bad; Offered / Unoffered are no answer at all
    assert (surveys.rows_read, surveys.rows_used) == (2, 0)
    assert surveys.rejects_by_reason == {"excluded_by_map": 2}
    assert sorted(dataset.rejects["detail"]) == [
        "Satisfaction Score = Bad (not a csat score: left out by the map)",
        "Satisfaction Score = Good (not a csat score: left out by the map)",
    ]
    # Left-out answers do not count towards --max-reject-rate: the tickets' KPIs still come out.
    result = CliRunner().invoke(app, ["report", "--tickets", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
