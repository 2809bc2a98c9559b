import re
from pathlib import Path

from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.metrics.registry import REGISTRY

CATALOGUE_IDS = [
    "nps",
    "nps_margin_of_error",
    "csat",
    "csat_average",
    "csat_by_question",
    "ces",
    "self_service_helpful_rate",
    "relationship_nps",
    "review_avg_rating",
    "review_five_star_share",
    "survey_response_rate",
    "service_cost",
    "labour_cost",
    "hours_worked",
    "labour_cost_per_hour",
    "cost_per_contact",
    "cost_per_resolution",
    "revenue",
    "gross_margin",
    "active_customers",
    "customer_lifetime_value",
    "training_days_per_agent",
    "customers_cost_over_value",
    "tickets_created",
    "tickets_resolved",
    "backlog_end",
    "messages_in",
    "messages_out",
    "first_response_hours_median",
    "first_response_hours_p90",
    "first_response_hours_mean",
    "first_response_business_hours_median",
    "first_response_business_hours_p90",
    "first_response_sla_breach_rate",
    "first_response_sla_breaches",
    "resolution_sla_breach_rate",
    "resolution_hours_median",
    "resolution_hours_p90",
    "resolution_business_hours_median",
    "resolution_business_hours_p90",
    "resolved_within_24h_rate",
    "first_contact_resolution_rate",
    "contacts_per_resolution",
    "reopen_rate",
    "escalation_rate",
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "abandonment_rate",
    "service_level",
    "average_speed_of_answer",
    "longest_wait",
    "average_handle_time",
    "average_talk_time",
    "average_hold_time",
    "call_resolution_rate",
    "calls_outbound",
]


def _spec() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "spec" / "KPIS.md"
        if candidate.is_file():
            return candidate
    return None


def test_the_registry_holds_the_catalogue_in_order_once_each():
    assert [k.id for k in REGISTRY] == CATALOGUE_IDS


def test_every_id_of_kpis_md_is_registered():
    spec = _spec()
    if spec is None:
        return
    ids = set()
    for cell in re.findall(r"^\| ([a-z0-9_ /]+) \|", spec.read_text(encoding="utf-8"), re.M):
        if cell.strip() == "id":
            continue
        first, *rest = [p.strip() for p in cell.split("/")]
        ids.add(first)
        ids.update(first.rsplit("_", 1)[0] + p if p.startswith("_") else p for p in rest)
    ids.discard("first_response_hours")
    assert len(ids) >= 50
    assert ids <= {k.id for k in REGISTRY}


def test_declarations_use_the_documented_vocabulary():
    units = {
        "%",
        "score",
        "points",
        "stars",
        "hours",
        "seconds",
        "count",
        "days",
        "currency",
        "currency/h",
    }
    for kpi in REGISTRY:
        assert kpi.area in ("satisfaction", "value", "efficiency")
        assert kpi.direction in ("up", "down", "none")
        assert kpi.unit in units
        assert kpi.formula and kpi.label and kpi.inputs


def test_kpis_command_prints_the_catalogue_in_every_format():
    runner = CliRunner()
    plain = runner.invoke(app, ["kpis"])
    assert plain.exit_code == 0
    assert [line.split("\t")[0] for line in plain.stdout.splitlines()] == CATALOGUE_IDS
    md = runner.invoke(app, ["kpis", "--format", "md"])
    assert "| `service_level` |" in md.stdout
    js = runner.invoke(app, ["kpis", "--format", "json"])
    assert '"id": "nps"' in js.stdout
    bad = runner.invoke(app, ["kpis", "--format", "xml"])
    assert bad.exit_code == 2
