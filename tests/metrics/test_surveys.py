"""Survey KPIs over hand-built October 2026 answers."""

import math

import pytest

from cskpi.config import Config

from .frames import frame, kpis, overall

# nps: 10 10 9 7 3 -> promoters 3/5, detractors 1/5 -> NPS 40
# csat overall: 5 4 3 1 and one without question (= overall) 4 -> 3 of 5 good = 60 %, mean 17/5
# csat agent_skill: 5 2 -> 50 %, not part of csat
# ces: 7 5 6 -> 6 ; self_service: 1 0 1 1 -> 75 % ; relationship 9 5 -> NPS 0
# review: 5 4 5 1 -> 3.75 stars, 50 % five-star ; one nps 0 answer in November is ignored
ROWS = [
    # response, day, survey, question, score, ticket, call, agent
    ("r1", "2026-10-01", "nps", None, 10, "t1", None, "a"),
    ("r2", "2026-10-02", "nps", None, 10, None, "c1", "b"),
    ("r3", "2026-10-03", "NPS", None, 9, None, None, "a"),
    ("r4", "2026-10-04", "nps", None, 7, None, None, "a"),
    ("r5", "2026-10-05", "nps", None, 3, None, None, None),
    ("r1", "2026-10-01", "csat", "overall", 5, "t1", None, "a"),
    ("r6", "2026-10-06", "csat", "Overall", 4, "", None, "b"),
    ("r7", "2026-10-07", "csat", "overall", 3, None, None, "b"),
    ("r8", "2026-10-08", "csat", "overall", 1, "t2", None, "b"),
    ("r9", "2026-10-09", "csat", None, 4, None, None, "a"),
    ("r8", "2026-10-08", "csat", "agent_skill", 2, "t2", None, "b"),
    ("r1", "2026-10-01", "csat", "agent_skill", 5, "t1", None, "a"),
    ("s1", "2026-10-10", "ces", None, 7, "t3", None, "a"),
    ("s2", "2026-10-10", "ces", None, 5, None, None, "a"),
    ("s3", "2026-10-10", "ces", None, 6, None, None, "a"),
    ("h1", "2026-10-11", "self_service", "findable", 1, None, None, None),
    ("h2", "2026-10-11", "self_service", None, 0, None, None, None),
    ("h3", "2026-10-11", "self_service", None, 1, None, None, None),
    ("h4", "2026-10-11", "self_service", None, 1, None, None, None),
    ("l1", "2026-10-12", "relationship", None, 9, None, None, None),
    ("l2", "2026-10-12", "relationship", None, 5, None, None, None),
    ("v1", "2026-10-13", "review", None, 5, None, None, None),
    ("v2", "2026-10-13", "review", None, 4, None, None, None),
    ("v3", "2026-10-13", "review", None, 5, None, None, None),
    ("v4", "2026-10-13", "review", None, 1, None, None, None),
    ("x1", "2026-11-01", "nps", None, 0, "t9", None, "a"),
]
SURVEYS = frame(
    "surveys",
    response_id=[r[0] for r in ROWS],
    submitted_at=[r[1] + "T12:00Z" for r in ROWS],
    survey=[r[2] for r in ROWS],
    question=[r[3] for r in ROWS],
    score=[r[4] for r in ROWS],
    ticket_id=[r[5] for r in ROWS],
    call_id=[r[6] for r in ROWS],
    agent_id=[r[7] for r in ROWS],
)


def row(kpi, tables=None, **kw):
    return overall(tables or {"surveys": SURVEYS}, kpi, **kw)


def test_nps_and_its_margin_of_error():
    r = row("nps")
    assert (r.value, r.n) == (pytest.approx(40.0), 5)
    # p = 0.6, d = 0.2: 196 * sqrt((0.8 - 0.16) / 5) = 196 * sqrt(0.128) = 70.1231...
    margin = row("nps_margin_of_error")
    assert margin.value == pytest.approx(196 * math.sqrt(0.128))
    assert margin.value == pytest.approx(70.1231, abs=1e-4)


def test_csat_filters_on_the_overall_question_only():
    r = row("csat")
    assert (r.value, r.n) == (60.0, 5)
    assert row("csat_average").value == pytest.approx(3.4)


def test_csat_good_threshold_is_configurable():
    # scores >= 5: one of five
    assert row("csat", config=Config(csat_good_min=5)).value == 20.0


def test_csat_by_question_is_always_a_question_breakdown():
    rows = kpis({"surveys": SURVEYS}, by=("agent",))
    assert rows[("question", "overall", "csat_by_question")].value == 60.0
    assert rows[("question", "agent_skill", "csat_by_question")].value == 50.0
    assert not any(k[2] == "csat_by_question" and k[0] != "question" for k in rows)


def test_the_other_surveys_use_every_answer():
    assert row("ces").value == 6.0
    assert row("self_service_helpful_rate").value == 75.0
    assert row("relationship_nps").value == 0.0
    assert row("review_avg_rating").value == 3.75
    assert row("review_five_star_share").value == 50.0


def test_survey_breakdown_uses_the_answer_agent():
    rows = kpis({"surveys": SURVEYS}, by=("agent",))
    # a: 10 9 7 -> 2/3 promoters, 0 detractors; b: 10 -> 100; (none): 3 -> -100
    assert rows[("agent", "a", "nps")].value == pytest.approx(200 / 3)
    assert rows[("agent", "b", "nps")].value == 100.0
    assert rows[("agent", "(none)", "nps")].value == -100.0


def test_response_rate_counts_each_linked_response_once():
    tickets = frame(
        "tickets",
        ticket_id=["t1", "t2", "t3"],
        created_at=["2026-09-01T00:00Z"] * 3,
        resolved_at=["2026-10-01T00:00Z", "2026-10-02T00:00Z", "2026-11-02T00:00Z"],
    )
    calls = frame(
        "calls",
        call_id=["c1", "c2"],
        queued_at=["2026-10-01T00:00Z"] * 2,
        answered_at=["2026-10-01T00:00:10Z", None],
    )
    # linked csat/nps responses: r1 (nps and csat, once), r2 (call), r8 (csat); r6 has a blank
    # ticket id; s1 is ces -> 3 responses / (2 tickets resolved in October + 1 call answered)
    r = row("survey_response_rate", {"surveys": SURVEYS, "tickets": tickets, "calls": calls})
    assert (r.value, r.n) == (100.0, 3)
    # tickets only: 3 / 2
    r = row("survey_response_rate", {"surveys": SURVEYS, "tickets": tickets})
    assert (r.value, r.n) == (150.0, 2)


def test_response_rate_needs_something_to_respond_to():
    r = row("survey_response_rate")
    assert r.value is None and r.reason == "no tickets or calls table to relate responses to"


def test_surveys_missing_give_reasons_not_errors():
    rows = kpis({})
    assert rows[("all", "all", "nps")].reason == "no surveys table"
    assert rows[("question", "all", "csat_by_question")].value is None


def test_a_month_without_answers_has_no_score():
    r = row("ces", period="2026-12")
    assert r.value is None and r.reason == "no ces answers in 2026-12"
    rows = kpis({"surveys": SURVEYS}, period="2026-12")
    assert rows[("question", "all", "csat_by_question")].reason == "no csat answers in 2026-12"


def _linked_answers(ids):
    return frame(
        "surveys",
        response_id=ids,
        submitted_at=["2026-10-05T12:00Z"] * len(ids),
        survey=["csat"] * len(ids),
        score=[5] * len(ids),
        ticket_id=["t1"] * len(ids),
    )


RESOLVED_FOUR = frame(
    "tickets",
    ticket_id=["t1", "t2", "t3", "t4"],
    created_at=["2026-10-01T00:00Z"] * 4,
    resolved_at=["2026-10-02T00:00Z"] * 4,
)


def test_response_rate_counts_distinct_numbered_ids_as_one_each():
    surveys = _linked_answers(["R7", "R3", "R12"])  # distinct numbers, not in order
    r = row("survey_response_rate", {"surveys": surveys, "tickets": RESOLVED_FOUR})
    assert (r.value, r.n) == (75.0, 4)


def test_response_rate_tells_ids_apart_that_share_a_number():
    # R01 and R1 read as the same number but are different responses; R1 twice is one.
    surveys = _linked_answers(["R01", "R1", "R1"])
    r = row("survey_response_rate", {"surveys": surveys, "tickets": RESOLVED_FOUR})
    assert (r.value, r.n) == (50.0, 4)
