"""Recognising a file's layout by score: forgiving names, synonyms, languages, forced vendors."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.errors import SchemaError
from cskpi.io import schema
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset
from cskpi.io.recognise import (
    THRESHOLD,
    guess_columns,
    header_key,
    languages,
    recognise,
)
from cskpi.io.vendor_maps import builtin_maps, parse_map

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"
BUILTIN = list(builtin_maps().values())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, table: str, **kw):
    return load_dataset(InputSpec(files={table: [path]}, **kw))


def validate(*args: str):
    return CliRunner().invoke(app, ["validate", *[str(a) for a in args]])


# ------------------------------------------------------------------------------ forgiving names


@pytest.mark.parametrize("header", ["Ticket ID", "ticket id", "TicketId", "ticket-id", "TICKET_ID"])
def test_any_spelling_of_a_canonical_name_means_that_column(header):
    [guess] = guess_columns([header], "tickets")
    # case alone was always forgiven: TICKET_ID is the canonical name, the others spell it
    assert guess.column == "ticket_id"
    assert guess.how == ("canonical name" if header == "TICKET_ID" else "spelling")


def test_the_exact_canonical_name_is_no_guess():
    [guess] = guess_columns(["ticket_id"], "tickets")
    assert guess.how == "canonical name"


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Created", "created_at"),
        ("Opened", "created_at"),
        ("Created Date", "created_at"),
        ("Date Created", "created_at"),
        ("Opened At", "created_at"),
        ("Assignee", "agent_id"),
        ("Owner", "agent_id"),
        ("Agent", "agent_id"),
        ("Assigned To", "agent_id"),
        ("Group", "team"),
        ("Queue", "team"),
        ("Solved At", "resolved_at"),
        ("Closed At", "resolved_at"),
        ("Resolved", "resolved_at"),
    ],
)
def test_common_ticket_synonyms_name_their_canonical_column(header, column):
    [guess] = guess_columns([header], "tickets")
    assert (guess.column, guess.how) == (column, "synonym")


def test_each_table_has_synonyms_for_its_columns():
    # a few per table, from en.toml
    cases = {
        "calls": ("Start Time", "queued_at"),
        "surveys": ("Rating", "score"),
        "costs": ("Month", "period"),
        "agents": ("Hours Worked", "hours_worked"),
        "revenue": ("Invoice Date", "date"),
    }
    for table, (header, column) in cases.items():
        [guess] = guess_columns([header], table)
        assert guess.column == column, table


def test_the_surest_of_two_headers_for_one_column_wins():
    guesses = guess_columns(["Closed At", "Resolved At", "Geschlossen am"], "tickets")
    # a spelling of the canonical name beats a synonym, which beats another language
    assert [(g.header, g.column) for g in guesses] == [("Resolved At", "resolved_at")]


def test_header_keys_ignore_case_accents_spaces_and_punctuation():
    assert header_key("Créé le") == header_key("CREE LE") == "creele"
    assert header_key("Løst dato") == header_key("lost-dato")
    assert header_key("Gelöst am (UTC)") == "gelostam"


# ---------------------------------------------------------------------------------- dictionaries


REQUIRED_LANGUAGES = {
    "en",
    "de",
    "fr",
    "es",
    "pt",
    "it",
    "nl",
    "sv",
    "fi",
    "da",
    "nb",
    "pl",
    "ro",
    "lv",
}


def test_the_header_dictionary_speaks_the_fourteen_languages():
    assert set(languages()) >= REQUIRED_LANGUAGES


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_no_header_names_two_columns_of_one_table_in_any_language(table):
    seen: dict[str, tuple[str, str]] = {}
    folder = resources.files("cskpi.io") / "headers"
    for language in languages():
        doc = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
        for column, names in doc.get(table, {}).items():
            assert column in schema.TABLES[table].names, (language, column)
            for name in [column, *names]:
                key = header_key(name)
                first = seen.setdefault(key, (column, language))
                assert first[0] == column, f"{name!r} ({language}) vs {first}"


@pytest.mark.parametrize("language", sorted(REQUIRED_LANGUAGES))
def test_every_language_names_every_required_column_of_every_table(language):
    folder = resources.files("cskpi.io") / "headers"
    doc = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
    for table, spec in schema.TABLES.items():
        assert set(spec.required) <= set(doc.get(table, {})), (language, table)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Erstellt am", "created_at"),
        ("Ticketnummer", "ticket_id"),
        ("Bearbeiter", "agent_id"),
        ("Créé le", "created_at"),
        ("Date de création", "created_at"),
        ("Creada", "created_at"),
        ("Fecha de creación", "created_at"),
        ("Luotu", "created_at"),
        ("Ratkaistu", "resolved_at"),
        ("FECHA DE CREACION", "created_at"),  # no accent, other case
    ],
)
def test_localised_ticket_headers_are_understood(header, column):
    [guess] = guess_columns([header], "tickets")
    assert guess.column == column


# A small canonical table per table: its values written once, read under any language's headers.
SAMPLES = {
    "tickets": {
        "ticket_id": ["T1", "T2", "T3"],
        "created_at": ["2026-10-01 09:00", "2026-10-02 10:00", "2026-10-03 11:00"],
        "first_response_at": ["2026-10-01 09:30", "", "2026-10-03 11:05"],
        "resolved_at": ["2026-10-01 12:00", "", "2026-10-04 08:00"],
        "status": ["solved", "open", "closed"],
        "channel": ["email", "chat", "phone"],
        "type": ["billing", "login", "billing"],
        "priority": ["low", "high", "normal"],
        "agent_id": ["a1", "a2", "a1"],
        "team": ["t1", "t1", "t2"],
        "customer_id": ["c1", "c2", "c3"],
        "agent_replies": ["1", "0", "3"],
        "reopens": ["0", "0", "1"],
        "updated_at": ["2026-10-01 12:00", "2026-10-02 10:00", "2026-10-04 08:00"],
        "escalated": ["false", "true", "false"],
    },
    "calls": {
        "call_id": ["C1", "C2"],
        "queued_at": ["2026-10-01 09:00", "2026-10-01 09:05"],
        "answered_at": ["2026-10-01 09:01", ""],
        "ended_at": ["2026-10-01 09:06", "2026-10-01 09:07"],
        "direction": ["inbound", "inbound"],
        "agent_id": ["a1", ""],
        "queue": ["q1", "q1"],
        "customer_id": ["c1", "c2"],
        "resolved": ["true", ""],
        "transferred": ["false", "false"],
    },
    "surveys": {
        "response_id": ["R1", "R2"],
        "submitted_at": ["2026-10-01 09:00", "2026-10-02 09:00"],
        "survey": ["nps", "csat"],
        "question": ["overall", "overall"],
        "score": ["9", "4"],
        "comment": ["fine", ""],
        "ticket_id": ["T1", "T2"],
        "customer_id": ["c1", "c2"],
        "agent_id": ["a1", "a2"],
        "channel": ["email", "chat"],
    },
    "costs": {
        "period": ["2026-10", "2026-10"],
        "category": ["wages", "tools"],
        "amount": ["1000", "250.5"],
        "agent_id": ["a1", ""],
        "team": ["t1", ""],
    },
    "agents": {
        "agent_id": ["a1", "a2"],
        "period": ["2026-10", "2026-10"],
        "team": ["t1", "t2"],
        "hours_worked": ["160", "80.5"],
        "training_days": ["1", "0"],
    },
    "revenue": {
        "customer_id": ["c1", "c2"],
        "date": ["2026-10-01", "2026-10-15"],
        "amount": ["100", "20.25"],
        "segment": ["smb", "enterprise"],
    },
}


def _translated(table: str, language: str) -> dict[str, str]:
    """Canonical column -> the language's first name for it (columns it has no name for stay)."""
    folder = resources.files("cskpi.io") / "headers"
    doc = tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))
    names = doc.get(table, {})
    return {c: names[c][0] if c in names else c for c in SAMPLES[table]}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    language=st.sampled_from(sorted(REQUIRED_LANGUAGES)),
    table=st.sampled_from(list(SAMPLES)),
    upper=st.booleans(),
)
def test_a_table_written_with_any_languages_headers_reads_back_as_the_english_one(
    tmp_path_factory, language, table, upper
):
    folder = tmp_path_factory.mktemp("lang")
    frame = pd.DataFrame(SAMPLES[table])
    english = folder / "en.csv"
    frame.to_csv(english, index=False)
    names = _translated(table, language)
    if upper:
        names = {c: n.upper() for c, n in names.items()}
    local = folder / "local.csv"
    frame.rename(columns=names).to_csv(local, index=False)
    want = load(english, table).tables[table]
    got_data = load(local, table)
    got = got_data.tables[table]
    pd.testing.assert_frame_equal(got, want)
    assert got_data.files[0].vendor is None  # the canonical layout, not a vendor map


# ------------------------------------------------------------------------------------- scoring


def test_generic_ticket_headers_load_instead_of_being_refused(tmp_path):
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Resolved At,Agent\nT1,2026-10-01 09:00,2026-10-01 11:00,ann\n",
    )
    data = load(path, "tickets")
    tickets = data.tables["tickets"]
    assert list(tickets.columns) == ["ticket_id", "created_at", "resolved_at", "agent_id"]
    assert tickets["agent_id"].tolist() == ["ann"]
    found = data.files[0].recognition
    assert found["map"] == "canonical"
    # ticket_id 3 + created_at 3 + resolved_at 1 + agent_id 1 of 2*3 + 20*1 = 8/26
    assert found["score"] == round(8 / 26, 3)
    assert {"header": "Agent", "column": "agent_id", "how": "synonym"} in found["guesses"]


SERVICENOW_LIST = (
    '"number","opened_at","short_description","caller_id","priority","state",'
    '"assignment_group","assigned_to"\n'
    '"INC0010112","2019-07-29 11:48:43","ATF","survey user","5 - Planning","New","",""\n'
    '"INC0010111","2019-07-22 14:04:57","Test1","System Administrator","5 - Planning","New","",""\n'
)


def test_a_servicenow_incident_list_without_the_audit_columns_is_recognised(tmp_path):
    data = load(write(tmp_path / "incidents.csv", SERVICENOW_LIST), "tickets")
    report = data.files[0]
    assert report.vendor == "servicenow_list" and report.rows_used == 2
    assert report.recognition["score"] > report.recognition["runner_up_score"]
    assert data.tables["tickets"]["customer_id"].tolist() == ["survey user", "System Administrator"]


def test_the_audit_log_map_alone_still_takes_a_list_export_lacking_its_signature_columns():
    headers = SERVICENOW_LIST.splitlines()[0].replace('"', "").split(",")
    found = recognise(headers, "tickets", [builtin_maps()["servicenow"]])
    assert found.chosen.name == "servicenow"
    assert {"sys_mod_count", "incident_state"} <= set(found.chosen.missed)


def test_a_map_missing_a_required_source_cannot_win_however_many_others_it_has():
    zendesk = builtin_maps()["zendesk"]
    headers = ["Requester id", "Solved at", "Group", "Status", "Priority", "Via", "Created at"]
    found = recognise(headers, "tickets", BUILTIN)
    candidate = next(c for c in found.candidates if c.vmap is zendesk)
    assert not candidate.eligible and candidate.missing_required == ("ticket_id",)
    assert found.chosen is None or found.chosen.vmap is not zendesk


def test_a_vendor_map_reading_only_canonical_names_does_not_take_a_canonical_file():
    # zendesk_metrics reads ticket_id and created_at; so does any canonical tickets file
    found = recognise(["ticket_id", "created_at"], "tickets", BUILTIN)
    assert found.chosen.name == "canonical" and found.chosen.fits


USER_MAP = """
name = "acme"
table = "tickets"
[columns]
ticket_id = "Ref"
created_at = "Opened"
"""


def test_ties_go_to_the_users_map_before_built_in_ones_and_the_canonical_layout():
    mine = parse_map(tomllib.loads(USER_MAP), "acme.toml")
    twin = parse_map(tomllib.loads(USER_MAP.replace("acme", "zzz")), "zzz.toml")
    found = recognise(["Ref", "Opened"], "tickets", [mine, twin, *BUILTIN], user_maps=2)
    assert found.chosen.name == "acme" and found.runner_up.name == "zzz"
    assert found.chosen.score == found.runner_up.score == 1.0


def test_a_required_list_in_a_map_makes_an_optional_source_required():
    doc = tomllib.loads(USER_MAP + 'agent_id = "Who"\n')
    doc["required"] = ["Who"]
    vmap = parse_map(doc, "acme.toml")
    found = recognise(["Ref", "Opened"], "tickets", [vmap], user_maps=1)
    candidate = next(c for c in found.candidates if c.vmap is vmap)
    assert not candidate.eligible and candidate.missing_required == ("agent_id",)


def test_a_required_header_the_map_never_reads_is_a_config_error():
    from cskpi.errors import ConfigError

    doc = tomllib.loads(USER_MAP)
    doc["required"] = ["Nope"]
    with pytest.raises(ConfigError, match="Nope"):
        parse_map(doc, "acme.toml")


def test_every_fixture_is_still_recognised_as_its_vendor_by_score():
    for expected in FIXTURES.glob("*.expected.json"):
        want = json.loads(expected.read_text())
        if want.get("xfail"):  # the reader cannot read it yet (test_vendors says what it needs)
            continue
        stem = expected.name.removesuffix(".expected.json")
        (path,) = [p for p in FIXTURES.glob(stem + ".*") if p != expected]
        report = load(path, want["table"]).files[0]
        assert report.recognition["map"] == want["vendor"], stem
        assert report.recognition["score"] >= THRESHOLD


# -------------------------------------------------------------------------------- forced vendor


def test_forcing_a_vendor_reports_its_missing_optional_columns(tmp_path):
    path = write(tmp_path / "z.csv", "Id,Created at\n1,2026-10-01 09:00\n")
    result = validate("--tickets", path, "--vendor", "zendesk", "--format", "json")
    assert result.exit_code == 0, result.stderr
    [file] = json.loads(result.stdout)["tables"]["tickets"]["files"]
    assert file["vendor"] == "zendesk" and file["recognition"]["forced"] is True
    assert {"Solved at", "Requester id", "Group"} <= set(file["recognition"]["missed"])
    assert "resolved_at" in file["recognition"]["columns_missed"]


def test_forcing_a_vendor_that_cannot_fill_required_columns_exits_2_naming_them(tmp_path):
    path = write(tmp_path / "z.csv", "Ticket,When\n1,2026-10-01 09:00\n")
    result = validate("--tickets", path, "--vendor", "zendesk")
    assert result.exit_code == 2
    assert "ticket_id (expects 'Id')" in result.stderr
    assert "created_at (expects 'Created at')" in result.stderr
    assert "Traceback" not in result.stderr


# -------------------------------------------------------------------------- values and warnings


def test_a_guess_whose_values_are_not_of_its_kind_is_dropped_and_said(tmp_path):
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created,Resolved\nT1,2026-10-01 09:00,yes\nT2,2026-10-02 09:00,no\n",
    )
    data = load(path, "tickets")
    assert "resolved_at" not in data.tables["tickets"]
    assert data.files[0].rows_used == 2
    [dropped] = data.files[0].recognition["guesses_rejected"]
    assert (dropped["header"], dropped["column"]) == ("Resolved", "resolved_at")
    result = validate("--tickets", path)
    assert "`Resolved` not read as resolved_at (synonym)" in result.stdout


def test_tickets_said_resolved_without_a_resolution_time_are_counted_and_warned(tmp_path):
    path = write(
        tmp_path / "t.csv",
        "ticket_id,created_at,resolved_at,status\n"
        "T1,2026-10-01 09:00,2026-10-01 10:00,Solved\n"
        "T2,2026-10-01 09:00,,Closed\n"
        "T3,2026-10-01 09:00,,6 - Resolved\n"
        "T4,2026-10-01 09:00,,Open\n"
        "T5,2026-10-01 09:00,,Not resolved\n",
    )
    data = load(path, "tickets")
    assert data.files[0].tickets_done_without_time == 2  # T2 and T3
    result = validate("--tickets", path)
    assert "2 ticket(s) say resolved or closed but have no resolution time" in result.stdout
    assert "2 ticket(s) have a resolved/closed status" in result.stderr


def test_a_survey_without_an_nps_csat_or_ces_question_still_counts_its_responses(tmp_path):
    lines = (FIXTURES / "qualtrics.csv").read_text(encoding="utf-8").splitlines()
    texts = lines[1]
    for question in (
        "How likely are you to recommend us to a friend or colleague?",
        "Overall how satisfied are you with our support?",
        "How easy was it to get your issue resolved?",
    ):
        texts = texts.replace(question, "Which colour do you like")
    path = tmp_path / "q.csv"
    path.write_text("\n".join([lines[0], texts, *lines[2:]]) + "\n", encoding="utf-8")
    responses = len(lines) - 3
    data = load(path, "surveys")
    report = data.files[0]
    assert report.vendor == "qualtrics"
    assert (report.rows_read, report.rows_used) == (responses, 0)
    assert report.rows_rejected + report.rows_skipped == responses
    [warning] = [w for w in report.warnings if "NPS, CSAT or CES" in w]
    assert "Q1 (Which colour do you like" in warning and "[[melt]]" in warning
    result = validate("--surveys", path, "--format", "json")
    summary = json.loads(result.stdout)
    assert "nps" not in summary["kpis_available"]
    assert "no usable surveys row" in summary["kpis_not_available"]["nps"]


def test_a_survey_whose_answer_columns_are_all_empty_counts_its_responses_as_skipped(tmp_path):
    lines = (FIXTURES / "qualtrics.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    answers = [i for i, h in enumerate(header) if h in ("Q1", "Q2", "Q3")]
    rows = []
    for line in lines[3:]:
        cells = line.split(",")
        rows.append(",".join("" if i in answers else c for i, c in enumerate(cells)))
    path = tmp_path / "q.csv"
    path.write_text("\n".join([*lines[:3], *rows]) + "\n", encoding="utf-8")
    report = load(path, "surveys").files[0]
    assert (report.rows_read, report.rows_used, report.rows_skipped) == (len(rows), 0, len(rows))
    assert any("none of the" in w and "Q1" in w for w in report.warnings)


# ----------------------------------------------------------------------------- cskpi map


GERMAN = (
    "Ticketnummer;Betreff;Erstellt am;Gelöst am;Bearbeiter;Gruppe;Gesprächsdauer\n"
    "1001;Drucker;13.10.2026 09:00;14.10.2026 10:30;anna;Support;0:05:10\n"
    "1002;Rechnung;14.10.2026 11:00;;ben;Billing;0:01:00\n"
)


def test_a_written_map_loads_the_file_it_was_made_from(tmp_path):
    source = write(tmp_path / "export.csv", GERMAN)
    written = tmp_path / "export.toml"
    result = CliRunner().invoke(app, ["map", str(source), "--table", "tickets", "-o", str(written)])
    assert result.exit_code == 0, result.stderr
    text = written.read_text(encoding="utf-8")
    assert 'ticket_id = "Ticketnummer"' in text and 'date_order = "day-first"' in text
    assert '#   "Betreff"' in text and '#   "Gesprächsdauer"' in text
    check = validate("--map", written, "--tickets", source, "--format", "json")
    assert check.exit_code == 0, check.stderr
    tickets = json.loads(check.stdout)["tables"]["tickets"]
    assert tickets["files"][0]["vendor"] == "export"
    assert tickets["columns"] == ["ticket_id", "created_at", "resolved_at", "agent_id", "team"]
    assert tickets["date_range"] == ["2026-10-13T09:00:00+00:00", "2026-10-14T11:00:00+00:00"]


WIDE_SURVEY = (
    "Antwort-ID;Datum;Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?;"
    "How satisfied were you (1-5)?;Wie einfach war es, Ihr Anliegen zu lösen?;"
    "Hoe tevreden bent u over de prijs?;Alter\n"
    "R1;13.10.2026 09:00;9;5;6;2;34\n"
    "R2;14.10.2026 11:30;6;3;;4;51\n"
    "R3;15.10.2026 08:15;10;;7;;28\n"
)


def test_a_written_map_melts_each_scored_question_of_a_wide_survey_and_loads_it(tmp_path):
    source = write(tmp_path / "umfrage.csv", WIDE_SURVEY)
    written = tmp_path / "umfrage.toml"
    result = CliRunner().invoke(app, ["map", str(source), "--table", "surveys", "-o", str(written)])
    assert result.exit_code == 0, result.stderr
    text = written.read_text(encoding="utf-8")
    assert "# Guess:" in text and "REQUIRED" not in text
    rules = tomllib.loads(text)["melt"]
    assert [(r["survey"], r["question"]) for r in rules] == [
        ("nps", "overall"),
        ("csat", "overall"),
        ("ces", "overall"),
        ("csat", "{header}"),
    ]
    # Ages are whole numbers too, but no survey word names them.
    assert '#   "Alter"' in text
    check = validate("--map", written, "--surveys", source, "--format", "json")
    assert check.exit_code == 0, check.stderr
    surveys = json.loads(check.stdout)["tables"]["surveys"]
    # 3 nps + 2 csat + 2 ces + 2 price csat answers, blank cells skipped.
    assert surveys["files"][0]["rows_used"] == 9 and surveys["files"][0]["rows_rejected"] == 0
    frame = load_dataset(InputSpec(files={"surveys": [source]}, map_files=[written])).tables[
        "surveys"
    ]
    overall_csat = frame[(frame["survey"] == "csat") & (frame["question"] == "overall")]
    assert sorted(overall_csat["score"]) == [3, 5]
    price = frame[frame["question"] == "hoe_tevreden_bent_u_over_de_prijs"]
    assert sorted(price["score"]) == [2, 4]


def test_a_question_column_with_answers_off_its_scale_gets_no_melt_rule(tmp_path):
    # Satisfaction asked on 1-10 is not the 1-5 csat scale: left for the user to decide.
    source = write(
        tmp_path / "s.csv",
        "Response ID,Submitted At,Satisfaction (1-10)\n"
        "R1,2026-10-01 09:00,8\nR2,2026-10-01 10:00,3\n",
    )
    result = CliRunner().invoke(app, ["map", str(source), "--table", "surveys"])
    assert result.exit_code == 0, result.stderr
    assert "[[melt]]" not in result.stdout
    assert '# score = "?"   # REQUIRED' in result.stdout


def test_map_infers_duration_units_and_a_decimal_comma_from_values(tmp_path):
    source = write(
        tmp_path / "calls.csv",
        "Call ID;Start Time;Talk Time (seconds);Hold Time Seconds\n"
        "C1;2026-10-01 09:00;0:03:10;12,5\nC2;2026-10-01 09:10;0:01:00;3,25\n",
    )
    result = CliRunner().invoke(app, ["map", str(source)])
    assert result.exit_code == 0, result.stderr
    assert 'table = "calls"' in result.stdout
    assert 'talk_seconds = { from = "Talk Time (seconds)", unit = "hms" }' in result.stdout
    assert 'hold_seconds = { from = "Hold Time Seconds", unit = "seconds" }' in result.stdout
    assert "decimal comma" in result.stdout
    assert tomllib.loads(result.stdout)["columns"]["talk_seconds"]["unit"] == "hms"


def test_map_refuses_to_overwrite_the_export_it_reads(tmp_path):
    source = write(tmp_path / "export.csv", GERMAN)
    result = CliRunner().invoke(app, ["map", str(source), "-o", str(source)])
    assert result.exit_code == 2 and "export itself" in result.stderr
    assert source.read_text(encoding="utf-8") == GERMAN


def test_a_file_that_matches_nothing_is_told_to_run_cskpi_map(tmp_path):
    path = write(tmp_path / "odd.csv", "Foo,Bar\n1,2\n")
    result = validate("--tickets", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr and f"cskpi map {path} --table tickets" in result.stderr
    with pytest.raises(SchemaError, match="ticket_id"):
        load(path, "tickets")


def test_validate_prints_the_layout_its_runner_up_every_guess_and_the_kpis_lost(tmp_path):
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Resolved At,Agent\nT1,2026-10-01 09:00,2026-10-01 11:00,ann\n",
    )
    result = validate("--tickets", path)
    assert result.exit_code == 0, result.stderr
    assert "    layout: canonical (recognised, score 0.31; runner-up " in result.stdout
    assert "    `Created At` read as created_at (spelling)" in result.stdout
    assert "    `Agent` read as agent_id (synonym)" in result.stdout
    assert "    missed: first_response_at, status, channel," in result.stdout
    lost = next(line for line in result.stdout.splitlines() if "KPIs lost" in line)
    assert "reopen_rate" in lost and "first_response_hours_median" in lost
    assert "nps" not in lost.split(": ", 1)[1].split(", ")  # lost to no surveys, not a column
    summary = json.loads(validate("--tickets", path, "--format", "json").stdout)
    found = summary["tables"]["tickets"]["files"][0]["recognition"]
    assert found["used"] == ["Ticket ID", "Created At", "Resolved At", "Agent"]
    assert found["runner_up"] is not None and found["runner_up_score"] < found["score"]


def test_every_header_language_names_the_words_of_an_nps_csat_and_ces_question():
    from cskpi.io.recognise import dictionary_file, header_key, languages

    assert len(languages()) == 14
    for language in languages():
        words = dictionary_file(language)["survey_words"]
        assert set(words) == {"nps", "csat", "ces"}, language
        for stems in words.values():
            # compared with header keys, so written the way header_key leaves a header
            assert stems and all(header_key(w) == w for w in stems), language


@pytest.mark.parametrize(
    ("header", "survey"),
    [
        ("Jak prawdopodobne jest, że polecisz nas znajomemu?", "nps"),
        ("Hvor tilfreds er du med kundeservice?", "csat"),
        ("Cât de ușor a fost să rezolvați problema?", "ces"),
        ("Cik apmierināts esat ar atbalstu?", "csat"),
        ("Hur nöjd är du med supporten?", "csat"),
    ],
)
def test_a_survey_question_in_another_language_is_guessed_by_its_words(header, survey):
    from cskpi.io.starter import melt_guesses

    frame = pd.DataFrame({header: ["4", "5", "", "3"]})
    ((found_header, found_survey, _),) = melt_guesses(frame, [header])
    assert (found_header, found_survey) == (header, survey)


def test_map_keeps_an_existing_map_unless_told_to_replace_it(tmp_path):
    source = write(tmp_path / "export.csv", GERMAN)
    mine = write(tmp_path / "mine.toml", 'name = "mine"\ntable = "tickets"\n')
    result = CliRunner().invoke(app, ["map", str(source), "--table", "tickets", "-o", str(mine)])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert mine.read_text(encoding="utf-8") == 'name = "mine"\ntable = "tickets"\n'
    forced = ["map", str(source), "--table", "tickets", "-o", str(mine), "--force"]
    assert CliRunner().invoke(app, forced).exit_code == 0
    assert tomllib.loads(mine.read_text(encoding="utf-8"))["table"] == "tickets"
    assert not list(tmp_path.glob("*.tmp"))
