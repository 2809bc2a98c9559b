"""The KPI catalogue of KPIS.md, declared once: what each KPI means and how it is computed.

``REGISTRY`` lists every KPI in catalogue order; ``cskpi kpis`` and docs/kpis.md print it, the
engine evaluates it. Money units are written ``currency`` here and become the configured code
(``EUR``, ``EUR/h``) in results; see :meth:`KpiDef.unit_for`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cskpi.metrics import aggregate as agg
from cskpi.metrics import efficiency as eff
from cskpi.metrics import satisfaction as sat
from cskpi.metrics import value as val


@dataclass(frozen=True)
class KpiDef:
    id: str
    label: str
    area: str  # "satisfaction" | "value" | "efficiency"
    unit: str  # %, score, points, stars, hours, seconds, count, days, currency, currency/h
    direction: str  # "up" | "down" | "none"
    formula: str
    inputs: tuple[str, ...]  # "table.column" or "table"
    hooks: agg.Hooks
    empty: str = "no records in {period}"  # reason when a group has nothing to compute from
    fixed_dimension: str | None = None  # csat_by_question: always broken down by question
    # Whether it counts tickets open across the whole period (created before it, not resolved by
    # its end). Every other KPI reads tickets created or resolved in the period only, so a long
    # history's backlog is handed to this one alone (cskpi.scale.parts).
    counts_open_tickets: bool = False

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables the KPI reads, in input order."""
        seen: dict[str, None] = {}
        for item in self.inputs:
            seen.setdefault(item.split(".", 1)[0], None)
        return tuple(seen)

    def unit_for(self, currency: str) -> str:
        return self.unit.replace("currency", currency)

    @property
    def has_samples(self) -> bool:
        return self.hooks.samples is not None


_SURVEY = ("surveys.submitted_at", "surveys.survey", "surveys.score")
_CREATED = ("tickets.created_at",)
_RESOLVED = ("tickets.created_at", "tickets.resolved_at")
_INBOUND = ("calls.queued_at", "calls.direction")
_WAIT = (*_INBOUND, "calls.answered_at", "calls.ended_at")
_COSTS = ("costs.period", "costs.amount")


def _k(
    id_: str,
    label: str,
    area: str,
    unit: str,
    direction: str,
    formula: str,
    inputs: tuple[str, ...],
    hooks: agg.Hooks,
    empty: str = "no records in {period}",
    fixed_dimension: str | None = None,
    counts_open_tickets: bool = False,
) -> KpiDef:
    return KpiDef(
        id_,
        label,
        area,
        unit,
        direction,
        formula,
        inputs,
        hooks,
        empty,
        fixed_dimension,
        counts_open_tickets,
    )


def _satisfaction() -> list[KpiDef]:
    s = "satisfaction"
    nps_scores = sat.scores("nps")
    return [
        _k(
            "nps",
            "Net Promoter Score",
            s,
            "score",
            "up",
            "survey = nps: 100 × (share of scores 9–10 − share of scores 0–6)",
            _SURVEY,
            agg.nps(nps_scores),
            "no nps answers in {period}",
        ),
        _k(
            "nps_margin_of_error",
            "NPS margin of error (95 %)",
            s,
            "points",
            "down",
            "196 × sqrt((p + d − (p − d)²) / n), p and d the promoter and detractor shares "
            "of the nps "
            "answers, n their number",
            _SURVEY,
            agg.nps_margin(nps_scores),
            "no nps answers in {period}",
        ),
        _k(
            "csat",
            "Customer satisfaction (CSAT)",
            s,
            "%",
            "up",
            "survey = csat, question = overall: share of scores 4–5 (csat_good_min and above)",
            (*_SURVEY, "surveys.question"),
            agg.share(sat.csat_good),
            "no overall csat answers in {period}",
        ),
        _k(
            "csat_average",
            "CSAT average score",
            s,
            "score",
            "up",
            "survey = csat, question = overall: mean score (1–5)",
            (*_SURVEY, "surveys.question"),
            agg.mean(sat.csat_scores),
            "no overall csat answers in {period}",
        ),
        _k(
            "csat_by_question",
            "CSAT by question",
            s,
            "%",
            "up",
            "as csat, one row per question (overall, agent_skill, knowledge, …)",
            (*_SURVEY, "surveys.question"),
            agg.share(sat.csat_good_any_question),
            "no csat answers in {period}",
            fixed_dimension="question",
        ),
        _k(
            "ces",
            "Customer Effort Score",
            s,
            "score",
            "up",
            "survey = ces, CES 2.0 scale (1 = strongly disagree … 7 = strongly agree that "
            "the issue "
            "was easy to handle): mean score",
            _SURVEY,
            agg.mean(sat.scores("ces")),
            "no ces answers in {period}",
        ),
        _k(
            "self_service_helpful_rate",
            "Self-service helpful rate",
            s,
            "%",
            "up",
            "survey = self_service: share of answers with score 1 (helpful)",
            _SURVEY,
            agg.share(sat.score_is("self_service", 1.0)),
            "no self_service answers in {period}",
        ),
        _k(
            "relationship_nps",
            "Relationship NPS",
            s,
            "score",
            "up",
            "survey = relationship: the NPS formula on its 0–10 scores",
            _SURVEY,
            agg.nps(sat.scores("relationship")),
            "no relationship answers in {period}",
        ),
        _k(
            "review_avg_rating",
            "Review average rating",
            s,
            "stars",
            "up",
            "survey = review: mean score (1–5 stars)",
            _SURVEY,
            agg.mean(sat.scores("review")),
            "no review answers in {period}",
        ),
        _k(
            "review_five_star_share",
            "Five-star review share",
            s,
            "%",
            "up",
            "survey = review: share of scores 5",
            _SURVEY,
            agg.share(sat.score_is("review", 5.0)),
            "no review answers in {period}",
        ),
        _k(
            "survey_response_rate",
            "Survey response rate",
            s,
            "%",
            "up",
            "distinct csat/nps response_id linked to a ticket or call (submitted in the period) ÷ "
            "(tickets resolved + inbound calls answered in the period)",
            (
                *_SURVEY,
                "surveys.response_id",
                "surveys.ticket_id",
                "surveys.call_id",
                "tickets.resolved_at",
                "calls.queued_at",
                "calls.answered_at",
            ),
            sat.RESPONSE_RATE,
            "no resolved tickets or answered calls in {period}",
        ),
    ]


def _value() -> list[KpiDef]:
    v = "value"
    no_costs = "no cost rows for {period}"
    return [
        _k(
            "service_cost",
            "Service cost",
            v,
            "currency",
            "down",
            "sum of costs.amount",
            _COSTS,
            agg.total(val.cost_amounts, zero_when_empty=False),
            no_costs,
        ),
        _k(
            "labour_cost",
            "Labour cost",
            v,
            "currency",
            "down",
            "sum of costs.amount in the labour categories (wages, overtime, social_security, "
            "payroll_tax, benefits, other_staff unless configured)",
            (*_COSTS, "costs.category"),
            agg.total(val.labour_amounts, zero_when_empty=False),
            "no labour cost rows for {period}",
        ),
        _k(
            "hours_worked",
            "Hours worked",
            v,
            "hours",
            "none",
            "sum of agents.hours_worked",
            ("agents.period", "agents.hours_worked"),
            agg.total(val.hours, zero_when_empty=False),
            "no agent hours for {period}",
        ),
        _k(
            "labour_cost_per_hour",
            "Labour cost per hour",
            v,
            "currency/h",
            "down",
            "labour_cost ÷ hours_worked",
            (*_COSTS, "costs.category", "agents.period", "agents.hours_worked"),
            val.LABOUR_PER_HOUR,
        ),
        _k(
            "cost_per_contact",
            "Cost per contact",
            v,
            "currency",
            "down",
            "service_cost ÷ (tickets_created + calls_answered)",
            (*_COSTS, *_CREATED, *_INBOUND, "calls.answered_at"),
            val.COST_PER_CONTACT,
        ),
        _k(
            "cost_per_resolution",
            "Cost per resolution",
            v,
            "currency",
            "down",
            "service_cost ÷ (tickets_resolved + calls resolved); calls resolved = answered inbound "
            "calls with resolved true, or all answered inbound calls when the export has "
            "no resolved "
            "column",
            (*_COSTS, *_RESOLVED, *_INBOUND, "calls.answered_at", "calls.resolved"),
            val.COST_PER_RESOLUTION,
        ),
        _k(
            "revenue",
            "Revenue",
            v,
            "currency",
            "up",
            "sum of revenue.amount",
            ("revenue.date", "revenue.amount"),
            agg.total(val.revenue_amounts, zero_when_empty=False),
            "no revenue rows for {period}",
        ),
        _k(
            "gross_margin",
            "Gross margin",
            v,
            "currency",
            "up",
            "revenue − service_cost",
            ("revenue.date", "revenue.amount", *_COSTS),
            val.GROSS_MARGIN,
        ),
        _k(
            "active_customers",
            "Active customers",
            v,
            "count",
            "up",
            "distinct revenue.customer_id",
            ("revenue.date", "revenue.customer_id"),
            val.ACTIVE_CUSTOMERS,
        ),
        _k(
            "customer_lifetime_value",
            "Customer lifetime value",
            v,
            "currency",
            "up",
            "gross_margin ÷ active_customers",
            ("revenue.date", "revenue.amount", "revenue.customer_id", *_COSTS),
            val.LIFETIME_VALUE,
        ),
        _k(
            "training_days_per_agent",
            "Training days per agent",
            v,
            "days",
            "up",
            "sum of agents.training_days ÷ distinct agents.agent_id with a known training_days in "
            "the period",
            ("agents.period", "agents.agent_id", "agents.training_days"),
            val.TRAINING,
            "no agent rows for {period}",
        ),
        _k(
            "customers_cost_over_value",
            "Customers costing more than they bring",
            v,
            "count",
            "down",
            "customers whose cost to serve (their tickets created + answered inbound calls × "
            "cost_per_contact) exceeds their revenue in the period (no revenue = 0)",
            (
                *_COSTS,
                *_CREATED,
                "tickets.customer_id",
                *_INBOUND,
                "calls.answered_at",
                "calls.customer_id",
                "revenue.date",
                "revenue.amount",
                "revenue.customer_id",
            ),
            val.COST_OVER_VALUE,
        ),
    ]


def _efficiency() -> list[KpiDef]:
    e = "efficiency"
    no_created = "no tickets created in {period}"
    no_response = "no ticket created in {period} has a first response"
    no_resolved = "no tickets resolved in {period}"
    no_answered = "no inbound calls answered in {period}"
    no_offered = "no inbound calls offered in {period}"
    frh = eff.first_response_hours
    fbh = eff.first_response_business_hours
    rbh = eff.resolution_business_hours
    fr_inputs = (*_CREATED, "tickets.first_response_at")
    handle = (*_INBOUND, "calls.answered_at")
    return [
        _k(
            "tickets_created",
            "Tickets created",
            e,
            "count",
            "none",
            "tickets created in the period",
            _CREATED,
            agg.count(eff.created),
        ),
        _k(
            "tickets_resolved",
            "Tickets resolved",
            e,
            "count",
            "none",
            "tickets with resolved_at in the period",
            _RESOLVED,
            agg.count(eff.resolved),
        ),
        _k(
            "backlog_end",
            "Backlog at period end",
            e,
            "count",
            "down",
            "tickets created before the period end and not resolved before it",
            _RESOLVED,
            agg.count(eff.open_at_end),
            counts_open_tickets=True,
        ),
        _k(
            "messages_in",
            "Customer messages",
            e,
            "count",
            "none",
            "sum of messages_in over tickets created in the period",
            (*_CREATED, "tickets.messages_in"),
            agg.total(eff.messages("messages_in"), zero_when_empty=True),
        ),
        _k(
            "messages_out",
            "Agent messages",
            e,
            "count",
            "none",
            "sum of messages_out over tickets created in the period",
            (*_CREATED, "tickets.messages_out"),
            agg.total(eff.messages("messages_out"), zero_when_empty=True),
        ),
        _k(
            "first_response_hours_median",
            "First response time (median)",
            e,
            "hours",
            "down",
            "median of first_response_at − created_at over tickets created in the period "
            "that have a "
            "response",
            fr_inputs,
            agg.quantile(frh, 0.5),
            no_response,
        ),
        _k(
            "first_response_hours_p90",
            "First response time (90th percentile)",
            e,
            "hours",
            "down",
            "90th percentile of first_response_at − created_at over tickets created in the period "
            "that have a response",
            fr_inputs,
            agg.quantile(frh, 0.9),
            no_response,
        ),
        _k(
            "first_response_hours_mean",
            "First response time (mean)",
            e,
            "hours",
            "down",
            "mean of first_response_at − created_at over tickets created in the period that have a "
            "response",
            fr_inputs,
            agg.mean(frh),
            no_response,
        ),
        _k(
            "first_response_business_hours_median",
            "First response business hours (median)",
            e,
            "hours",
            "down",
            "median first response time counted in opening hours: the export's "
            "first_response_business_minutes, else created_at → first_response_at within "
            "[business_hours]",
            (*fr_inputs, "tickets.first_response_business_minutes"),
            agg.quantile(fbh, 0.5),
            no_response,
        ),
        _k(
            "first_response_business_hours_p90",
            "First response business hours (90th percentile)",
            e,
            "hours",
            "down",
            "90th percentile of the first response time counted in opening hours",
            (*fr_inputs, "tickets.first_response_business_minutes"),
            agg.quantile(fbh, 0.9),
            no_response,
        ),
        _k(
            "first_response_sla_breach_rate",
            "First response SLA breach rate",
            e,
            "%",
            "down",
            "tickets created in the period whose first response came after the SLA (24 h unless "
            "configured per priority or channel), or has not come and the SLA ran out before the "
            "period end ÷ tickets created in the period",
            (*fr_inputs, "tickets.priority", "tickets.channel"),
            agg.share(eff.sla_breached),
            no_created,
        ),
        _k(
            "first_response_sla_breaches",
            "First response SLA breaches",
            e,
            "count",
            "down",
            "the breach rate's numerator: tickets created in the period whose first response "
            "came after the SLA, or has not come and the SLA ran out before the period end "
            "(n = tickets created); with --by agent --every day, SLA breaches per agent per day",
            (*fr_inputs, "tickets.priority", "tickets.channel"),
            agg.total(eff.sla_breached, zero_when_empty=True),
            no_created,
        ),
        _k(
            "resolution_sla_breach_rate",
            "Resolution SLA breach rate",
            e,
            "%",
            "down",
            "tickets created in the period whose resolution came after the resolution SLA (72 h "
            "unless configured per priority or channel), or has not come and that SLA ran out "
            "before the period end ÷ tickets created in the period",
            (*_RESOLVED, "tickets.priority", "tickets.channel"),
            agg.share(eff.resolution_sla_breached),
            no_created,
        ),
        _k(
            "resolution_hours_median",
            "Resolution time (median)",
            e,
            "hours",
            "down",
            "median of resolved_at − created_at over tickets resolved in the period",
            _RESOLVED,
            agg.quantile(eff.resolution_hours, 0.5),
            no_resolved,
        ),
        _k(
            "resolution_hours_p90",
            "Resolution time (90th percentile)",
            e,
            "hours",
            "down",
            "90th percentile of resolved_at − created_at over tickets resolved in the period",
            _RESOLVED,
            agg.quantile(eff.resolution_hours, 0.9),
            no_resolved,
        ),
        _k(
            "resolution_business_hours_median",
            "Resolution business hours (median)",
            e,
            "hours",
            "down",
            "median resolution time counted in opening hours: the export's "
            "resolution_business_minutes, else created_at → resolved_at within [business_hours]",
            (*_RESOLVED, "tickets.resolution_business_minutes"),
            agg.quantile(rbh, 0.5),
            no_resolved,
        ),
        _k(
            "resolution_business_hours_p90",
            "Resolution business hours (90th percentile)",
            e,
            "hours",
            "down",
            "90th percentile of the resolution time counted in opening hours",
            (*_RESOLVED, "tickets.resolution_business_minutes"),
            agg.quantile(rbh, 0.9),
            no_resolved,
        ),
        _k(
            "resolved_within_24h_rate",
            "Resolved within 24 h",
            e,
            "%",
            "up",
            "tickets resolved in the period with resolution time ≤ 24 h ÷ tickets resolved in the "
            "period",
            _RESOLVED,
            agg.share(eff.resolved_within_24h),
            no_resolved,
        ),
        _k(
            "first_contact_resolution_rate",
            "First contact resolution rate",
            e,
            "%",
            "up",
            "tickets resolved in the period with exactly one agent reply and reopens = 0 (or "
            "missing) ÷ tickets resolved with agent_replies known",
            (*_RESOLVED, "tickets.agent_replies", "tickets.reopens"),
            agg.share(eff.first_contact_resolution),
            "no resolved ticket has agent_replies in {period}",
        ),
        _k(
            "contacts_per_resolution",
            "Contacts per resolution",
            e,
            "count",
            "down",
            "mean agent_replies over tickets resolved in the period",
            (*_RESOLVED, "tickets.agent_replies"),
            agg.mean(eff.agent_replies),
            "no resolved ticket has agent_replies in {period}",
        ),
        _k(
            "reopen_rate",
            "Reopen rate",
            e,
            "%",
            "down",
            "tickets resolved in the period with reopens > 0 ÷ tickets resolved with reopens known",
            (*_RESOLVED, "tickets.reopens"),
            agg.share(eff.reopened),
            "no resolved ticket has reopens in {period}",
        ),
        _k(
            "escalation_rate",
            "Escalation rate",
            e,
            "%",
            "down",
            "tickets created in the period with escalated true ÷ tickets created with escalated "
            "known",
            (*_CREATED, "tickets.escalated"),
            agg.share(eff.escalated),
            "no ticket created in {period} has escalated known",
        ),
        _k(
            "calls_offered",
            "Calls offered",
            e,
            "count",
            "none",
            "inbound calls queued in the period",
            _INBOUND,
            agg.count(eff.offered),
        ),
        _k(
            "calls_answered",
            "Calls answered",
            e,
            "count",
            "none",
            "inbound calls queued in the period with answered_at",
            handle,
            agg.count(eff.answered),
        ),
        _k(
            "calls_abandoned",
            "Calls abandoned",
            e,
            "count",
            "down",
            "inbound calls not answered whose wait (ended_at − queued_at) ≥ the short-abandon "
            "threshold (5 s unless configured)",
            _WAIT,
            agg.count(eff.abandoned),
        ),
        _k(
            "abandonment_rate",
            "Abandonment rate",
            e,
            "%",
            "down",
            "calls_abandoned ÷ (calls_offered − short abandons)",
            _WAIT,
            agg.share(eff.abandonment),
            no_offered,
        ),
        _k(
            "service_level",
            "Service level",
            e,
            "%",
            "up",
            "inbound calls answered with wait ≤ the service-level threshold "
            "(20 s unless configured) "
            "÷ (calls_offered − short abandons)",
            _WAIT,
            agg.share(eff.within_service_level),
            no_offered,
        ),
        _k(
            "average_speed_of_answer",
            "Average speed of answer",
            e,
            "seconds",
            "down",
            "mean wait (answered_at − queued_at) of answered inbound calls",
            handle,
            agg.mean(eff.answer_wait),
            no_answered,
        ),
        _k(
            "longest_wait",
            "Longest wait",
            e,
            "seconds",
            "down",
            "max wait of any inbound call (to answer, or to hang up when not answered)",
            _WAIT,
            agg.maximum(eff.any_wait),
            "no inbound call in {period} has a known wait",
        ),
        _k(
            "average_handle_time",
            "Average handle time",
            e,
            "seconds",
            "down",
            "mean of talk + hold + wrap over answered inbound calls (missing parts count 0; calls "
            "with all three missing left out)",
            (*handle, "calls.talk_seconds", "calls.hold_seconds", "calls.wrap_seconds"),
            agg.mean(eff.handle_time),
            "no answered inbound call in {period} has handle times",
        ),
        _k(
            "average_talk_time",
            "Average talk time",
            e,
            "seconds",
            "down",
            "mean talk_seconds over answered inbound calls that have it",
            (*handle, "calls.talk_seconds"),
            agg.mean(eff.part_time("talk_seconds")),
            "no answered inbound call in {period} has talk_seconds",
        ),
        _k(
            "average_hold_time",
            "Average hold time",
            e,
            "seconds",
            "down",
            "mean hold_seconds over answered inbound calls that have it",
            (*handle, "calls.hold_seconds"),
            agg.mean(eff.part_time("hold_seconds")),
            "no answered inbound call in {period} has hold_seconds",
        ),
        _k(
            "call_resolution_rate",
            "Call resolution rate",
            e,
            "%",
            "up",
            "answered inbound calls with resolved true ÷ answered inbound calls with "
            "resolved known",
            (*handle, "calls.resolved"),
            agg.share(eff.call_resolved),
            "no answered inbound call in {period} has resolved known",
        ),
        _k(
            "calls_outbound",
            "Outbound calls",
            e,
            "count",
            "none",
            "outbound calls in the period",
            _INBOUND,
            agg.count(eff.outbound),
        ),
    ]


REGISTRY: list[KpiDef] = [*_satisfaction(), *_value(), *_efficiency()]
BY_ID: dict[str, KpiDef] = {k.id: k for k in REGISTRY}
