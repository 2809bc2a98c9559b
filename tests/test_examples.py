"""The bundled example data: reproducible from its generator, small, and shaped as documented."""

import importlib.util
import io
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DATA = EXAMPLES / "data"
EXPECTED_FILES = [
    "tickets.csv", "calls/2026-09.csv", "calls/2026-10.csv", "surveys.csv", "costs.csv",
    "agents.csv", "revenue.csv", "cskpi.toml",
]


def _generator():
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples")
    _generator().generate(out)
    return out


def _csv(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False, **kwargs)


def _calls() -> pd.DataFrame:
    return pd.concat([_csv(f"calls/{m}.csv", sep=";", encoding="utf-8-sig")
                      for m in ("2026-09", "2026-10")], ignore_index=True)


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_regenerating_the_examples_gives_byte_identical_files(regenerated, name):
    assert (regenerated / name).read_bytes() == (DATA / name).read_bytes()


def test_the_generator_writes_no_file_that_is_not_committed(regenerated):
    written = sorted(str(p.relative_to(regenerated)) for p in regenerated.rglob("*") if p.is_file())
    assert written == sorted(EXPECTED_FILES)


def test_the_example_data_stays_under_five_megabytes():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 5_000_000


def test_every_table_uses_exactly_the_canonical_column_names():
    from cskpi.io.schema import TABLES

    headers = {
        "tickets": _csv("tickets.csv").columns, "calls": _calls().columns,
        "surveys": _csv("surveys.csv").columns, "costs": _csv("costs.csv").columns,
        "agents": _csv("agents.csv").columns, "revenue": _csv("revenue.csv").columns,
    }
    for table, columns in headers.items():
        assert set(columns) <= set(TABLES[table].names), table
        assert set(TABLES[table].required) <= set(columns), table


def test_tickets_span_both_months_with_open_unanswered_and_reopened_ones():
    tickets = _csv("tickets.csv")
    created = pd.to_datetime(tickets["created_at"], format="ISO8601", utc=True)
    months = created.dt.tz_convert("Europe/Helsinki").dt.strftime("%Y-%m").value_counts()
    assert set(months.index) == {"2026-09", "2026-10"}
    assert months.min() > 1000
    assert tickets["ticket_id"].is_unique
    assert (tickets["resolved_at"] == "").sum() > 50
    assert (tickets["first_response_at"] == "").sum() > 50
    assert (tickets["reopens"].replace("", "0").astype(int) > 0).sum() > 50
    assert (tickets["escalated"] == "true").sum() > 50
    assert set(tickets["channel"]) == {"email", "chat", "web", "phone"}
    assert tickets["agent_id"].replace("", pd.NA).dropna().nunique() == 8
    assert set(tickets["team"]) - {""} == {"Aurora", "Borealis"}


def test_each_call_file_holds_only_its_own_month_in_the_excel_dialect():
    for month in ("2026-09", "2026-10"):
        raw = (DATA / "calls" / f"{month}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfcall_id;queued_at;")
        assert b"\r\n" in raw
        calls = _csv(f"calls/{month}.csv", sep=";", encoding="utf-8-sig")
        queued = pd.to_datetime(calls["queued_at"], format="%d.%m.%Y %H:%M:%S")
        assert set(queued.dt.strftime("%Y-%m")) == {month}
        assert calls["talk_seconds"].str.contains(",").any()
        assert set(calls["resolved"]) == {"TRUE", "FALSE", ""}


def test_calls_have_answered_abandoned_short_abandoned_endless_and_outbound_rows():
    calls = _calls()
    queued = pd.to_datetime(calls["queued_at"], format="%d.%m.%Y %H:%M:%S")
    ended = pd.to_datetime(calls["ended_at"].replace("", None), format="%d.%m.%Y %H:%M:%S")
    unanswered = (calls["answered_at"] == "") & (calls["direction"] == "inbound")
    wait = (ended - queued).dt.total_seconds()
    assert (unanswered & (wait < 5)).sum() > 20
    assert (unanswered & (wait >= 5)).sum() > 100
    assert (unanswered & ended.isna()).sum() > 0
    assert (calls["direction"] == "outbound").sum() > 100
    assert calls["call_id"].is_unique


def test_surveys_cover_every_scale_and_link_to_existing_tickets_and_calls():
    from cskpi.io.schema import SURVEY_SCALES

    surveys = _csv("surveys.csv")
    score = surveys["score"].astype(float)
    for survey, (low, high) in SURVEY_SCALES.items():
        scores = score[surveys["survey"] == survey]
        assert len(scores) > 20, survey
        assert scores.between(low, high).all(), survey
    assert {"overall", "agent_skill", "knowledge"} <= set(surveys["question"])
    linked_tickets = set(surveys["ticket_id"]) - {""}
    linked_calls = set(surveys["call_id"]) - {""}
    assert linked_tickets and linked_tickets <= set(_csv("tickets.csv")["ticket_id"])
    assert linked_calls and linked_calls <= set(_calls()["call_id"])
    assert surveys["comment"].str.contains("Kiitos|Odotin", regex=True).any()


def test_some_customers_cost_more_to_serve_than_they_bring_in():
    tickets, calls, revenue = _csv("tickets.csv"), _calls(), _csv("revenue.csv")
    answered = calls["answered_at"] != ""
    contacts = pd.concat([tickets["customer_id"], calls.loc[answered, "customer_id"]])
    contacts = contacts[contacts != ""].value_counts()
    costs = _csv("costs.csv")["amount"].astype(float).sum()
    cost_per_contact = costs / (len(tickets) + answered.sum())
    value = revenue["amount"].astype(float).groupby(revenue["customer_id"]).sum()
    cost_over_value = (contacts * cost_per_contact).sub(value.reindex(contacts.index).fillna(0)) > 0
    assert 10 < cost_over_value.sum() < len(contacts) / 2


def test_costs_and_agents_cover_both_months_and_every_agent():
    costs, agents = _csv("costs.csv"), _csv("agents.csv")
    assert set(costs["period"]) == set(agents["period"]) == {"2026-09", "2026-10"}
    assert {"wages", "tools", "facilities"} <= set(costs["category"])
    assert (costs["team"] == "").any() and (costs["team"] != "").any()
    assert len(agents) == 16


def test_the_config_names_currency_sla_business_hours_and_targets():
    import tomllib

    config = tomllib.load(io.BytesIO((DATA / "cskpi.toml").read_bytes()))
    assert config["currency"] == "EUR"
    assert config["sla"]["priority"] == {"urgent": 4, "high": 8}
    assert config["business_hours"]["holidays"] == "FI"
    assert set(config["targets"]) == {"first_response_hours_median", "csat", "abandonment_rate"}
