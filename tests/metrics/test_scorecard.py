"""The scorecard's cells, marks and significance flags, on rows worked out by hand."""

from __future__ import annotations

import pytest
from scipy import stats

from cskpi.metrics.results import KpiValue
from cskpi.metrics.scorecard import build_scorecard, choose_kpis

P = "2026-10"


def row(dimension, segment, kpi, value, n, unit="%"):
    return KpiValue(P, dimension, segment, kpi, value, unit, n)


# csat: a 90 of 100 satisfied, b 50 of 100, c 5 of 10 -> all 145 of 210
# reopen_rate: a 10 of 100, b 16 of 100 -> 26 of 200
# escalation_rate: a 10 of 100, b 20 of 100 -> 30 of 200
# tickets_resolved: a count, never tested
ROWS = [
    row("all", "all", "csat", 100 * 145 / 210, 210),
    row("all", "all", "reopen_rate", 13.0, 200),
    row("all", "all", "escalation_rate", 15.0, 200),
    row("all", "all", "tickets_resolved", 200, 200, "count"),
    row("agent", "a", "csat", 90.0, 100),
    row("agent", "a", "reopen_rate", 10.0, 100),
    row("agent", "a", "escalation_rate", 10.0, 100),
    row("agent", "a", "tickets_resolved", 100, 100, "count"),
    row("agent", "b", "csat", 50.0, 100),
    row("agent", "b", "reopen_rate", 16.0, 100),
    row("agent", "b", "escalation_rate", 20.0, 100),
    row("agent", "b", "tickets_resolved", 100, 100, "count"),
    row("agent", "c", "csat", 50.0, 10),
    row("agent", "c", "tickets_resolved", 0, 0, "count"),
    row("agent", "(none)", "tickets_resolved", 0, 0, "count"),
]
KPIS = ["csat", "reopen_rate", "escalation_rate", "tickets_resolved"]
DIRECTIONS = {"csat": "up", "reopen_rate": "down", "escalation_rate": "down"}


@pytest.fixture
def card():
    return build_scorecard(ROWS, "agent", KPIS, directions=DIRECTIONS)


def test_cells_hold_the_rows_values_and_n(card):
    assert (card.cell(P, "a", "csat").value, card.cell(P, "a", "csat").n) == (90.0, 100)
    assert card.cell(P, "b", "tickets_resolved").value == 100


def test_a_group_with_no_value_from_records_is_left_out(card):
    # (none) has only a count of 0 over no records
    assert card.groups[P] == ["a", "b", "c"]


def test_cells_from_fewer_than_30_records_are_marked_and_not_tested(card):
    c = card.cell(P, "c", "csat")
    assert c.few and c.value == 50.0
    assert c.p_value is None and c.flag is None
    assert "fewer than 30" in c.test


def test_a_group_far_from_the_rest_is_flagged_in_the_kpis_good_direction(card):
    # a: 90 % against the rest's 55 of 110 = 50 %: pooled 145/210, z far beyond 5
    assert card.cell(P, "a", "csat").flag == "better"
    assert card.cell(P, "b", "csat").flag == "worse"
    assert card.cell(P, "a", "csat").p_value < 1e-9


def test_a_raw_p_below_5_percent_is_not_flagged_after_benjamini_hochberg(card):
    # escalation a 10 % vs b 20 %, n 100 each: pooled 0.15, se = sqrt(0.1275 * 0.02) = 0.0505,
    # z = 1.980, p = 0.0477; six tests (csat a, b; reopen a, b; escalation a, b), sorted
    # p: ~0, ~0, 0.0477, 0.0477, 0.207, 0.207 -> q(0.0477) = 0.0477 * 6 / 4 = 0.0716
    escalation = card.cell(P, "a", "escalation_rate")
    assert escalation.p_value == pytest.approx(0.0477, abs=5e-4)
    assert escalation.q_value == pytest.approx(escalation.p_value * 6 / 4)
    assert escalation.flag is None
    reopen = card.cell(P, "b", "reopen_rate")
    assert reopen.p_value == pytest.approx(2 * stats.norm.sf(0.06 / (0.1131 * 0.02) ** 0.5))
    assert reopen.flag is None


def test_counts_are_not_tested(card):
    cell = card.cell(P, "a", "tickets_resolved")
    assert cell.p_value is None and cell.flag is None


def test_targets_mark_each_cell():
    marks = {
        (P, "agent", "a", "csat"): (">= 85", "met"),
        (P, "agent", "b", "csat"): (">= 85", "missed"),
    }
    card = build_scorecard(ROWS, "agent", KPIS, targets=marks, directions=DIRECTIONS)
    assert card.cell(P, "a", "csat").status == "met"
    assert card.cell(P, "b", "csat").status == "missed"


def test_the_default_columns_and_an_unknown_kpi():
    from cskpi.errors import UsageError

    assert "first_response_sla_breaches" in choose_kpis(None, None, ["x"])
    assert choose_kpis(["csat,nps", "csat"], None, ["csat", "nps"]) == ["csat", "nps"]
    assert choose_kpis(None, "satisfaction", [])[0] == "csat"
    with pytest.raises(UsageError, match="not a KPI id"):
        choose_kpis(["csta"], None, ["csat"])
