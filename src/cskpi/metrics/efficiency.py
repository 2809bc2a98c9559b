"""Efficiency KPIs: ticket volumes and times, call handling.

Functions map a Scope to the records a KPI counts (:class:`Records`) or to their per-record values
(:class:`Values`); every array is read once per period and shared by the KPIs that need it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskpi.metrics.scope import (
    HOUR,
    Records,
    Scope,
    Unavailable,
    Values,
    above_zero,
    elapsed_between,
    equal_to,
    is_missing,
    lower,
    period_bound,
)


# -- tickets -------------------------------------------------------------------------------------
def created(s: Scope) -> Records:
    return s.tickets_created


def resolved(s: Scope) -> Records:
    return s.tickets_resolved


def open_at_end(s: Scope) -> Records:
    return s.tickets_open_at_end


def messages(column: str):
    def records(s: Scope) -> Values:
        s.need("tickets", column)
        t = s.tickets_created
        return t.values(t.floats(column))

    return records


def _first_response_hours(s: Scope) -> np.ndarray:
    t = s.tickets_created
    return s.period_memo(
        ("first_response_hours",),
        lambda: elapsed_between(t.instants("first_response_at"), t.instants("created_at"), HOUR),
    )


def first_response_hours(s: Scope) -> Values:
    s.need("tickets", "first_response_at")
    return s.tickets_created.values(_first_response_hours(s))


def sla_hours(tickets: pd.DataFrame, config, kind: str = "first_response") -> pd.Series:
    """Each ticket's SLA in hours: by priority, else by channel, else the default.

    ``kind`` is ``first_response`` or ``resolution``: the two targets are configured apart.
    """
    default = (
        config.resolution_sla_hours if kind == "resolution" else config.first_response_sla_hours
    )
    hours = pd.Series(float(default), index=tickets.index)
    for column, overrides in sla_overrides(config, kind):
        if overrides and column in tickets.columns:
            table = {str(k).strip().lower(): float(v) for k, v in overrides.items()}
            override = lower(tickets[column]).map(table).astype("float64")
            hours = override.where(override.notna(), hours)
    return hours


def sla_overrides(config, kind: str) -> tuple[tuple[str, dict], ...]:
    """The per-channel, then per-priority SLA hours configured for ``kind`` (later wins)."""
    if kind == "resolution":
        return (
            ("channel", config.resolution_sla_hours_by_channel),
            ("priority", config.resolution_sla_hours_by_priority),
        )
    return (("channel", config.sla_hours_by_channel), ("priority", config.sla_hours_by_priority))


def _sla_deadlines(s: Scope, kind: str) -> np.ndarray:
    """Each ticket created in the period: when its SLA runs out (numpy datetime64)."""
    t = s.tickets_created
    created_at = t.instants("created_at")
    # Only the columns with overrides are read: the rest do not change any ticket's SLA.
    columns = [c for c, overrides in sla_overrides(s.config, kind) if overrides and t.has(c)]
    if not columns:  # one SLA for every ticket: one conversion, by the same function
        hours = np.array([sla_hours(pd.DataFrame(index=[0]), s.config, kind).iloc[0]])
        return created_at + pd.to_timedelta(hours, unit="h").to_numpy()[0]
    frame = pd.DataFrame({c: t.texts(c) for c in columns}, index=pd.RangeIndex(len(t)))
    hours = sla_hours(frame, s.config, kind).to_numpy(dtype="float64")
    # The same instants as pandas' Timestamp + to_timedelta(hours, unit="h").
    return created_at + pd.to_timedelta(hours, unit="h").to_numpy()


def _breached(s: Scope, column: str, kind: str) -> Values:
    """1 where ``column`` came after the SLA, or has not come and the SLA ran out before end.

    Met exactly at the SLA is not a breach; an open ticket whose SLA runs out after the period
    end counts in the denominator as not breached (KPIS.md clarifications).
    """
    s.need("tickets", column)
    t = s.tickets_created

    def breached() -> np.ndarray:
        deadline = _sla_deadlines(s, kind)
        done = t.instants(column)
        late = done > deadline  # NaT compares False
        ran_out = deadline < period_bound(s.end, deadline)
        return np.where(~np.isnat(done), late, ran_out)

    flag = s.period_memo(("breached", column, kind), breached)
    return t.flags(flag, np.ones(len(t), dtype=bool))


def sla_breached(s: Scope) -> Values:
    return _breached(s, "first_response_at", "first_response")


def resolution_sla_breached(s: Scope) -> Values:
    return _breached(s, "resolved_at", "resolution")


def _resolution_hours(s: Scope) -> np.ndarray:
    t = s.tickets_resolved
    return s.period_memo(
        ("resolution_hours",),
        lambda: elapsed_between(t.instants("resolved_at"), t.instants("created_at"), HOUR),
    )


def resolution_hours(s: Scope) -> Values:
    return s.tickets_resolved.values(_resolution_hours(s))


def resolved_within_24h(s: Scope) -> Values:
    hours = _resolution_hours(s)
    with np.errstate(invalid="ignore"):
        return s.tickets_resolved.flags(hours <= 24, ~np.isnan(hours))


def first_contact_resolution(s: Scope) -> Values:
    if s.config.fcr_variant == "call_resolved":
        return call_first_contact_resolution(s)
    s.need("tickets", "agent_replies")
    t = s.tickets_resolved
    replies = t.whole_numbers("agent_replies")
    reopens = t.whole_numbers("reopens")
    one_touch = equal_to(replies, 1) & (equal_to(reopens, 0) | is_missing(reopens))
    return t.flags(one_touch, ~is_missing(replies))


def call_first_contact_resolution(s: Scope) -> Values:
    """Variant for phone teams: answered inbound calls resolved and not transferred."""
    s.need("calls", "answered_at", "resolved")
    c = s.calls_answered
    done, known = c.truths("resolved")
    transferred, _ = c.truths("transferred")
    return c.flags(done & ~transferred, known)


def agent_replies(s: Scope) -> Values:
    s.need("tickets", "agent_replies")
    t = s.tickets_resolved
    return t.values(t.floats("agent_replies"))


def reopened(s: Scope) -> Values:
    s.need("tickets", "reopens")
    t = s.tickets_resolved
    reopens = t.whole_numbers("reopens")
    return t.flags(above_zero(reopens), ~is_missing(reopens))


def escalated(s: Scope) -> Values:
    s.need("tickets", "escalated")
    t = s.tickets_created
    flag, known = t.truths("escalated")
    return t.flags(flag, known)


# -- calls ---------------------------------------------------------------------------------------
def offered(s: Scope) -> Records:
    return s.calls_inbound


def answered(s: Scope) -> Records:
    return s.calls_answered


def _abandon_parts(s: Scope) -> tuple[Records, np.ndarray, np.ndarray]:
    """Inbound calls, which were abandoned, which were short abandons (wait below the threshold)."""
    s.need("calls", "answered_at", "ended_at")
    c = s.calls_inbound

    def make() -> tuple[np.ndarray, np.ndarray]:
        was_answered, wait = s.call_waits()
        unanswered_with_wait = ~was_answered & ~np.isnan(wait)
        threshold = float(s.config.short_abandon_seconds)
        with np.errstate(invalid="ignore"):
            return unanswered_with_wait & (wait >= threshold), unanswered_with_wait & (
                wait < threshold
            )

    gone, short = s.period_memo(("abandons",), make)
    return c, gone, short


def abandoned(s: Scope) -> Records:
    c, gone, _ = _abandon_parts(s)
    return c.where(gone, "calls_abandoned")


def abandonment(s: Scope) -> Values:
    c, gone, short = _abandon_parts(s)
    return c.flags(gone, ~short)


def within_service_level(s: Scope) -> Values:
    c, _, short = _abandon_parts(s)
    was_answered, wait = s.call_waits()
    with np.errstate(invalid="ignore"):
        fast = was_answered & (wait <= float(s.config.service_level_seconds))
    return c.flags(fast, ~short)


def answer_wait(s: Scope) -> Values:
    c = s.calls_answered
    was_answered, wait = s.call_waits()
    return c.values(
        s.period_memo(("answer_waits",), lambda: c.narrow(s.calls_inbound, wait, was_answered))
    )


def any_wait(s: Scope) -> Values:
    s.need("calls", "answered_at", "ended_at")
    return s.calls_inbound.values(s.call_waits()[1])


HANDLE_PARTS = ("talk_seconds", "hold_seconds", "wrap_seconds")


def handle_time(s: Scope) -> Values:
    s.need("calls", "answered_at")
    present = [p for p in HANDLE_PARTS if s.has("calls", p)]
    if not present:
        raise Unavailable("calls table has no talk_seconds/hold_seconds/wrap_seconds")
    c = s.calls_answered

    def total() -> np.ndarray:
        # np.nansum's order for a few columns: 0.0, then each known part added left to right.
        # In place, so a call's parts cost one array, not one per step (0.0 + -0.0 is 0.0, so
        # skipping a missing part adds exactly what adding 0.0 would).
        out = np.zeros(len(c))
        any_known = np.zeros(len(c), dtype=bool)
        for name in present:
            part = c.floats(name)
            known = ~np.isnan(part)
            np.add(out, part, out=out, where=known)
            any_known |= known
        out[~any_known] = np.nan
        return out

    # Summed for each breakdown, not held for the period: one more column-sized array there
    # would raise a large report's peak memory.
    return c.values(total())


def part_time(column: str):
    def records(s: Scope) -> Values:
        s.need("calls", "answered_at", column)
        c = s.calls_answered
        return c.values(c.floats(column))

    return records


def call_resolved(s: Scope) -> Values:
    s.need("calls", "answered_at", "resolved")
    c = s.calls_answered
    done, known = c.truths("resolved")
    return c.flags(done, known)


def outbound(s: Scope) -> Records:
    return s.calls_outbound


# -- business hours ------------------------------------------------------------------------------
def _business_hours(s: Scope, t: Records, minutes_column: str, end_column: str) -> Values:
    has_minutes = t.has(minutes_column)
    hours_config = s.config.business_hours
    if not has_minutes and hours_config is None:
        raise Unavailable(
            f"tickets have no {minutes_column} and no opening hours are set: "
            "add [business_hours] to cskpi.toml"
        )
    hours = t.floats(minutes_column) / 60.0 if has_minutes else np.full(len(t), np.nan)
    if hours_config is not None and t.has(end_column):
        todo = np.isnan(hours) & ~np.isnat(t.instants(end_column))
        if t.mask is not None:  # rows of the table that are not these records
            todo &= t.mask
        if todo.any():
            try:
                from cskpi.metrics.business_hours import business_seconds
            except ImportError:
                raise Unavailable("this build has no business-hours calendar") from None
            seconds = business_seconds(
                _utc_series(t.instants("created_at")[todo]),
                _utc_series(t.instants(end_column)[todo]),
                hours_config,
            )
            hours[todo] = np.asarray(seconds, dtype="float64") / 3600.0
    return t.values(hours)


def _utc_series(instants: np.ndarray) -> pd.Series:
    return pd.Series(instants).dt.tz_localize("UTC")


def first_response_business_hours(s: Scope) -> Values:
    return _business_hours(
        s, s.tickets_created, "first_response_business_minutes", "first_response_at"
    )


def resolution_business_hours(s: Scope) -> Values:
    return _business_hours(s, s.tickets_resolved, "resolution_business_minutes", "resolved_at")
