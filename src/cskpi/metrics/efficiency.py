"""Efficiency KPIs: ticket volumes and times, call handling. Functions map a Scope to records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskpi.metrics.scope import HOUR, SEG, Scope, Unavailable, elapsed, lower


def values(frame: pd.DataFrame, x: pd.Series | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {SEG: frame[SEG].array, "x": np.asarray(x, dtype="float64")}, index=frame.index
    )


def flags(
    frame: pd.DataFrame, flag: pd.Series | np.ndarray, known: pd.Series | np.ndarray
) -> pd.DataFrame:
    """1.0 where flag, 0.0 where not, NaN where the record does not qualify for the denominator."""
    return values(
        frame, np.where(np.asarray(known, dtype=bool), np.asarray(flag, dtype=bool), np.nan)
    )


def as_float(values_: pd.Series) -> np.ndarray:
    """Nullable boolean or number -> float64 with NaN for missing."""
    return values_.to_numpy(dtype="float64", na_value=np.nan)


# -- tickets -------------------------------------------------------------------------------------
def created(s: Scope) -> pd.DataFrame:
    return s.tickets_created


def resolved(s: Scope) -> pd.DataFrame:
    return s.tickets_resolved


def open_at_end(s: Scope) -> pd.DataFrame:
    return s.tickets_open_at_end


def messages(column: str):
    def records(s: Scope) -> pd.DataFrame:
        s.need("tickets", column)
        t = s.tickets_created
        return values(t, t[column])

    return records


def first_response_hours(s: Scope) -> pd.DataFrame:
    s.need("tickets", "first_response_at")
    t = s.tickets_created
    return values(t, elapsed(t["first_response_at"], t["created_at"], HOUR))


def sla_hours(tickets: pd.DataFrame, config, kind: str = "first_response") -> pd.Series:
    """Each ticket's SLA in hours: by priority, else by channel, else the default.

    ``kind`` is ``first_response`` or ``resolution``: the two targets are configured apart.
    """
    if kind == "resolution":
        default = config.resolution_sla_hours
        by_channel = config.resolution_sla_hours_by_channel
        by_priority = config.resolution_sla_hours_by_priority
    else:
        default = config.first_response_sla_hours
        by_channel, by_priority = config.sla_hours_by_channel, config.sla_hours_by_priority
    hours = pd.Series(float(default), index=tickets.index)
    for column, overrides in (("channel", by_channel), ("priority", by_priority)):
        if overrides and column in tickets.columns:
            table = {str(k).strip().lower(): float(v) for k, v in overrides.items()}
            override = lower(tickets[column]).map(table).astype("float64")
            hours = override.where(override.notna(), hours)
    return hours


def _breached(s: Scope, column: str, kind: str) -> pd.DataFrame:
    """1 where ``column`` came after the SLA, or has not come and the SLA ran out before end.

    Met exactly at the SLA is not a breach; an open ticket whose SLA runs out after the period
    end counts in the denominator as not breached (KPIS.md clarifications).
    """
    s.need("tickets", column)
    t = s.tickets_created

    def breached() -> np.ndarray:
        deadline = t["created_at"] + pd.to_timedelta(sla_hours(t, s.config, kind), unit="h")
        done = t[column]
        late = (done > deadline).fillna(False).to_numpy()
        ran_out = (deadline < s.end).fillna(False).to_numpy()
        return np.where(done.notna().to_numpy(), late, ran_out)

    flag = s.period_memo(("breached", column, kind), breached)
    return flags(t, flag, np.ones(len(t), dtype=bool))


def sla_breached(s: Scope) -> pd.DataFrame:
    return _breached(s, "first_response_at", "first_response")


def resolution_sla_breached(s: Scope) -> pd.DataFrame:
    return _breached(s, "resolved_at", "resolution")


def resolution_hours(s: Scope) -> pd.DataFrame:
    t = s.tickets_resolved
    return values(t, elapsed(t["resolved_at"], t["created_at"], HOUR))


def resolved_within_24h(s: Scope) -> pd.DataFrame:
    t = s.tickets_resolved
    hours = elapsed(t["resolved_at"], t["created_at"], HOUR)
    with np.errstate(invalid="ignore"):
        return flags(t, hours <= 24, ~np.isnan(hours))


def _reopens(t: pd.DataFrame) -> np.ndarray:
    return as_float(t["reopens"]) if "reopens" in t.columns else np.full(len(t), np.nan)


def first_contact_resolution(s: Scope) -> pd.DataFrame:
    if s.config.fcr_variant == "call_resolved":
        return call_first_contact_resolution(s)
    s.need("tickets", "agent_replies")
    t = s.tickets_resolved
    replies = as_float(t["agent_replies"])
    reopens = _reopens(t)
    one_touch = (replies == 1) & ((reopens == 0) | np.isnan(reopens))
    return flags(t, one_touch, ~np.isnan(replies))


def call_first_contact_resolution(s: Scope) -> pd.DataFrame:
    """Variant for phone teams: answered inbound calls resolved and not transferred."""
    s.need("calls", "answered_at", "resolved")
    c = answered(s)
    done = as_float(c["resolved"])
    transferred = as_float(c["transferred"]) if "transferred" in c.columns else np.zeros(len(c))
    return flags(c, (done == 1) & (transferred != 1), ~np.isnan(done))


def agent_replies(s: Scope) -> pd.DataFrame:
    s.need("tickets", "agent_replies")
    t = s.tickets_resolved
    return values(t, as_float(t["agent_replies"]))


def reopened(s: Scope) -> pd.DataFrame:
    s.need("tickets", "reopens")
    t = s.tickets_resolved
    reopens = _reopens(t)
    return flags(t, reopens > 0, ~np.isnan(reopens))


def escalated(s: Scope) -> pd.DataFrame:
    s.need("tickets", "escalated")
    t = s.tickets_created
    flag = as_float(t["escalated"])
    return flags(t, flag == 1, ~np.isnan(flag))


# -- calls ---------------------------------------------------------------------------------------
def offered(s: Scope) -> pd.DataFrame:
    return s.calls_inbound


def answered(s: Scope) -> pd.DataFrame:
    return s.calls_answered


def _abandon_parts(s: Scope) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Inbound calls, which were abandoned, which were short abandons (wait below the threshold)."""
    s.need("calls", "answered_at", "ended_at")
    c = s.calls_inbound
    unanswered_with_wait = ~c["_answered"].to_numpy() & c["_wait"].notna().to_numpy()
    wait = c["_wait"].to_numpy()
    threshold = float(s.config.short_abandon_seconds)
    with np.errstate(invalid="ignore"):
        abandoned = unanswered_with_wait & (wait >= threshold)
        short = unanswered_with_wait & (wait < threshold)
    return c, abandoned, short


def abandoned(s: Scope) -> pd.DataFrame:
    c, gone, _ = _abandon_parts(s)
    return c.loc[gone]


def abandonment(s: Scope) -> pd.DataFrame:
    c, gone, short = _abandon_parts(s)
    return flags(c, gone, ~short)


def within_service_level(s: Scope) -> pd.DataFrame:
    c, _, short = _abandon_parts(s)
    with np.errstate(invalid="ignore"):
        fast = c["_answered"].to_numpy() & (
            c["_wait"].to_numpy() <= float(s.config.service_level_seconds)
        )
    return flags(c, fast, ~short)


def answer_wait(s: Scope) -> pd.DataFrame:
    c = answered(s)
    return values(c, c["_wait"])


def any_wait(s: Scope) -> pd.DataFrame:
    s.need("calls", "answered_at", "ended_at")
    c = s.calls_inbound
    return values(c, c["_wait"])


HANDLE_PARTS = ("talk_seconds", "hold_seconds", "wrap_seconds")


def handle_time(s: Scope) -> pd.DataFrame:
    s.need("calls", "answered_at")
    present = [p for p in HANDLE_PARTS if s.has("calls", p)]
    if not present:
        raise Unavailable("calls table has no talk_seconds/hold_seconds/wrap_seconds")
    c = answered(s)
    # np.nansum's order for a few columns: 0.0, then each known part added left to right.
    total = np.zeros(len(c))
    any_known = np.zeros(len(c), dtype=bool)
    for name in present:
        part = as_float(c[name])
        missing = np.isnan(part)
        total += np.where(missing, 0.0, part)
        any_known |= ~missing
    return values(c, np.where(any_known, total, np.nan))


def part_time(column: str):
    def records(s: Scope) -> pd.DataFrame:
        s.need("calls", "answered_at", column)
        c = answered(s)
        return values(c, as_float(c[column]))

    return records


def call_resolved(s: Scope) -> pd.DataFrame:
    s.need("calls", "answered_at", "resolved")
    c = answered(s)
    done = as_float(c["resolved"])
    return flags(c, done == 1, ~np.isnan(done))


def outbound(s: Scope) -> pd.DataFrame:
    return s.calls_outbound


# -- business hours ------------------------------------------------------------------------------
def _business_hours(
    s: Scope, frame: pd.DataFrame, minutes_column: str, end_column: str
) -> pd.DataFrame:
    has_minutes = minutes_column in frame.columns
    hours_config = s.config.business_hours
    if not has_minutes and hours_config is None:
        raise Unavailable(
            f"tickets have no {minutes_column} and no opening hours are set: "
            "add [business_hours] to cskpi.toml"
        )
    hours = as_float(frame[minutes_column]) / 60.0 if has_minutes else np.full(len(frame), np.nan)
    if hours_config is not None and end_column in frame.columns:
        todo = np.isnan(hours) & frame[end_column].notna().to_numpy()
        if todo.any():
            try:
                from cskpi.metrics.business_hours import business_seconds
            except ImportError:
                raise Unavailable("this build has no business-hours calendar") from None
            seconds = business_seconds(
                frame["created_at"].loc[todo], frame[end_column].loc[todo], hours_config
            )
            hours[todo] = np.asarray(seconds, dtype="float64") / 3600.0
    return values(frame, hours)


def first_response_business_hours(s: Scope) -> pd.DataFrame:
    return _business_hours(
        s, s.tickets_created, "first_response_business_minutes", "first_response_at"
    )


def resolution_business_hours(s: Scope) -> pd.DataFrame:
    return _business_hours(s, s.tickets_resolved, "resolution_business_minutes", "resolved_at")
