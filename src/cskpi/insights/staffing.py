"""Staffing: when calls arrive, how long they take, and how many agents each interval needs.

Arrival pattern: inbound calls queued in [start, end), counted by local weekday × interval and
divided by how many times that local interval really occurred in the period (intervals without
calls count as 0). On the autumn clock change the repeated hour occurs twice that day, on the
spring one the skipped hour not at all, so no interval is counted double or averaged over a
time that never existed. Short abandons (unanswered, wait below the short-abandon threshold)
are left out of the volume, as the service level leaves them out.
Agents needed: Erlang C for the average volume and handle time of each interval, or Erlang A
when the patience of callers can be estimated from abandoned calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskpi.insights.erlang import agents_needed
from cskpi.insights.result import Insight, not_available

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIN_ABANDONS_FOR_PATIENCE = 10


@dataclass(frozen=True)
class StaffingOptions:
    interval_minutes: int = 30
    target_service_level: float = 0.80  # share 0–1
    threshold_seconds: float = 20.0
    shrinkage: float = 0.0  # share of paid time not on the phones (0–1)
    max_occupancy: float = 1.0  # share 0–1
    short_abandon_seconds: float = 5.0
    use_abandonment: bool = True  # Erlang A when patience can be estimated
    forecast_days: int = 7  # how far the forecast of the next period reaches
    growth: float = 0.0  # share added to the forecast volume (0.05 = +5 %)


def inbound_calls(calls: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Inbound calls queued in [start, end). Any direction other than 'outbound' is inbound."""
    frame = calls[(calls["queued_at"] >= start) & (calls["queued_at"] < end)]
    if "direction" in frame.columns:
        outbound = frame["direction"].str.strip().str.lower().eq("outbound").fillna(False)
        frame = frame[~outbound.to_numpy(dtype=bool)]
    return frame


def handle_seconds(calls: pd.DataFrame) -> pd.Series:
    """talk + hold + wrap of answered calls; NaN when all three are missing or not answered."""
    parts = [c for c in ("talk_seconds", "hold_seconds", "wrap_seconds") if c in calls.columns]
    if not parts:
        return pd.Series(np.nan, index=calls.index)
    total = calls[parts].sum(axis=1, min_count=1)
    if "answered_at" in calls.columns:
        total = total.where(calls["answered_at"].notna())
    return total


def estimate_patience(
    calls: pd.DataFrame, short_abandon_seconds: float = 5.0
) -> tuple[float | None, str]:
    """Mean patience (seconds) by the exponential MLE: abandons ÷ total time callers waited.

    Abandoned calls (wait ≥ the short-abandon threshold) are observed patience; answered calls are
    censored at their wait. Short abandons and unanswered calls without an end are left out.
    """
    missing = [c for c in ("answered_at", "ended_at") if c not in calls.columns]
    if missing:
        return None, (
            f"calls have no {' or '.join(missing)}, so waits of abandoned calls are unknown"
        )
    answered = calls["answered_at"].notna()
    answered_wait = (calls["answered_at"] - calls["queued_at"]).dt.total_seconds()[answered]
    abandon_wait = (calls["ended_at"] - calls["queued_at"]).dt.total_seconds()[~answered].dropna()
    abandon_wait = abandon_wait[abandon_wait >= short_abandon_seconds]
    if len(abandon_wait) < MIN_ABANDONS_FOR_PATIENCE:
        return None, (
            f"only {len(abandon_wait)} abandoned calls "
            f"(need {MIN_ABANDONS_FOR_PATIENCE}) to estimate callers' patience"
        )
    exposure = float(answered_wait.clip(lower=0).sum() + abandon_wait.sum())
    return exposure / len(abandon_wait), f"estimated from {len(abandon_wait)} abandoned calls"


def short_abandons(calls: pd.DataFrame, short_abandon_seconds: float) -> pd.Series:
    """Unanswered calls whose known wait is below the threshold (as the service-level KPI)."""
    if "answered_at" not in calls.columns or "ended_at" not in calls.columns:
        return pd.Series(False, index=calls.index)
    wait = (calls["ended_at"] - calls["queued_at"]).dt.total_seconds()
    return (calls["answered_at"].isna() & wait.notna() & (wait < short_abandon_seconds)).astype(
        bool
    )


def interval_occurrences(
    start: pd.Timestamp, end: pd.Timestamp, tz: str, interval_minutes: int
) -> pd.DataFrame:
    """Every interval that really starts in [start, end): its instant, local weekday and time.

    Steps of ``interval_minutes`` in absolute time from the local midnight ``start``: a 25-hour
    day holds its repeated hour twice, a 23-hour day lacks the skipped one.
    """
    instants = pd.date_range(
        start.tz_convert("UTC"),
        end.tz_convert("UTC"),
        freq=f"{interval_minutes}min",
        inclusive="left",
    )
    local = instants.tz_convert(tz)
    return pd.DataFrame(
        {
            "occurrence": instants,
            "date": local.tz_localize(None).normalize(),
            "weekday": local.day_of_week,
            "interval": (local.hour * 60 + local.minute) // interval_minutes * interval_minutes,
        }
    )


def keyed_calls(frame: pd.DataFrame, tz: str, interval_minutes: int) -> pd.DataFrame:
    """Each call's local weekday, interval, the instant its interval started, and handle time."""
    local = frame["queued_at"].dt.tz_convert(tz)
    minutes = local.dt.hour * 60 + local.dt.minute
    into = pd.to_timedelta((minutes % interval_minutes) * 60 + local.dt.second, unit="s")
    return pd.DataFrame(
        {
            "weekday": local.dt.day_of_week,
            "interval": minutes // interval_minutes * interval_minutes,
            # the instant the call's interval started: tells the two 03:00s of a 25-hour day apart
            "occurrence": (frame["queued_at"].dt.floor("s") - into).dt.tz_convert("UTC"),
            "handle": handle_seconds(frame),
        }
    )


def occurrence_counts(
    calls: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, tz: str, interval_minutes: int
) -> pd.DataFrame:
    """Inbound calls of every real interval occurrence in [start, end), zeros included."""
    slots = interval_occurrences(start, end, tz, interval_minutes)
    keyed = keyed_calls(inbound_calls(calls, start, end), tz, interval_minutes)
    counts = keyed.groupby("occurrence").size()
    slots["calls"] = counts.reindex(slots["occurrence"], fill_value=0).to_numpy()
    return slots


def weekday_occurrences(start: pd.Timestamp, end: pd.Timestamp, tz: str) -> pd.Series:
    """How many local days of each weekday (0 = Monday) the period [start, end) touches."""
    first = start.tz_convert(tz).normalize()
    last = (end - pd.Timedelta(microseconds=1)).tz_convert(tz).normalize()
    days = pd.date_range(first.tz_localize(None), last.tz_localize(None), freq="D")
    return pd.Series(days.day_of_week).value_counts().reindex(range(7), fill_value=0)


def arrival_pattern(
    calls: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    tz: str = "UTC",
    interval_minutes: int = 30,
) -> pd.DataFrame:
    """Average inbound calls, handle time and answering agents per weekday × interval occurrence.

    Columns: weekday (0 = Monday), interval (minutes after local midnight), occurrences (how
    often that local interval really happened in the period), calls_total, calls_avg,
    aht_seconds, agents_observed (distinct agent_id answering in each occurrence, averaged;
    NaN when calls carry no agent_id).
    """
    if 24 * 60 % interval_minutes:
        raise ValueError("interval_minutes must divide a day")
    frame = inbound_calls(calls, start, end)
    keyed = keyed_calls(frame, tz, interval_minutes)
    slots = interval_occurrences(start, end, tz, interval_minutes)
    grid = pd.MultiIndex.from_product(
        [range(7), range(0, 24 * 60, interval_minutes)], names=["weekday", "interval"]
    )
    occurrences = slots.groupby(["weekday", "interval"]).size().reindex(grid, fill_value=0)
    grouped = keyed.groupby(["weekday", "interval"])
    out = pd.DataFrame(index=grid)
    out["occurrences"] = occurrences.astype("int64")
    out["calls_total"] = grouped.size().reindex(grid, fill_value=0).astype("int64")
    per_slot = out["occurrences"].to_numpy()
    slots_or_one = np.maximum(per_slot, 1)
    out["calls_avg"] = np.where(per_slot > 0, out["calls_total"] / slots_or_one, np.nan)
    out["aht_seconds"] = grouped["handle"].mean().reindex(grid)
    if "agent_id" in frame.columns and "answered_at" in frame.columns:
        answering = keyed.assign(agent=frame["agent_id"])[frame["answered_at"].notna()]
        per_occurrence = (
            answering.dropna(subset=["agent"])
            .groupby(["weekday", "interval", "occurrence"])["agent"]
            .nunique()
        )
        summed = per_occurrence.groupby(["weekday", "interval"]).sum().reindex(grid, fill_value=0)
        out["agents_observed"] = np.where(per_slot > 0, summed / slots_or_one, np.nan)
    else:
        out["agents_observed"] = np.nan
    return out.reset_index()


def staffing(
    calls: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    tz: str = "UTC",
    options: StaffingOptions | None = None,
) -> Insight:
    """Arrival pattern and agents needed vs observed per weekday × interval."""
    options = options or StaffingOptions()
    result = Insight("staffing")
    if calls is None:
        result.notes.append(not_available("no calls table was loaded"))
        return result
    short = short_abandons(calls, options.short_abandon_seconds)
    counted = calls[~short.to_numpy()]
    pattern = arrival_pattern(counted, start, end, tz, options.interval_minutes)
    if int(pattern["calls_total"].sum()) == 0:
        result.notes.append(not_available("no inbound calls in the period"))
        return result
    left_out = int(short[inbound_calls(calls, start, end).index].sum())
    if left_out:
        result.notes.append(
            f"{left_out} short abandons (wait under "
            f"{options.short_abandon_seconds:g} s) are left out of the volume, "
            "as the service level leaves them out"
        )
    inbound = inbound_calls(counted, start, end)
    overall_aht = float(handle_seconds(inbound).mean())
    if math.isnan(overall_aht):
        result.notes.append(
            not_available("calls carry no talk, hold or wrap seconds, so handle time is unknown")
        )
        return result
    fallback = pattern["aht_seconds"].isna() & (pattern["calls_total"] > 0)
    if fallback.any():
        result.notes.append(
            f"{int(fallback.sum())} intervals have calls but no handle time; "
            f"they use the period's average handle time ({overall_aht:.0f} s)"
        )
    pattern["aht_seconds"] = pattern["aht_seconds"].fillna(overall_aht)

    patience = None
    if options.use_abandonment:
        patience, why = estimate_patience(inbound, options.short_abandon_seconds)
        result.notes.append(
            f"Erlang A, mean patience {patience:.0f} s {why}"
            if patience
            else f"Erlang C (no abandonment): {why}"
        )
    else:
        result.notes.append("Erlang C (no abandonment), as asked")
    outcomes = _outcomes(pattern["calls_avg"].fillna(0), pattern["aht_seconds"], options, patience)
    pattern["agents_needed"] = [o.agents for o in outcomes]
    pattern["agents_scheduled"] = _scheduled(pattern["agents_needed"], options)
    pattern["service_level"] = [round(100 * o.service_level, 1) for o in outcomes]
    pattern["occupancy"] = [round(100 * o.occupancy, 1) for o in outcomes]
    pattern["asa_seconds"] = [round(o.asa_seconds, 1) for o in outcomes]
    if patience:
        pattern["abandon_rate"] = [round(100 * o.abandon_probability, 1) for o in outcomes]
    pattern["gap"] = pattern["agents_observed"] - pattern["agents_needed"]
    if pattern["agents_observed"].isna().all():
        result.notes.append(not_available("observed agents: calls carry no agent_id"))
    pattern.insert(0, "day", [WEEKDAYS[d] for d in pattern["weekday"]])
    pattern.insert(2, "time", [f"{m // 60:02d}:{m % 60:02d}" for m in pattern["interval"]])
    active = pattern[pattern["calls_total"] > 0].drop(columns=["interval"])
    result.tables["staffing_pattern"] = active.reset_index(drop=True)
    _add_forecast(result, counted, start, end, tz, options, pattern, overall_aht, patience)
    result.meta.update(
        model="Erlang A" if patience else "Erlang C",
        patience_seconds=patience,
        interval_minutes=options.interval_minutes,
        target_service_level=options.target_service_level,
        threshold_seconds=options.threshold_seconds,
        shrinkage=options.shrinkage,
        max_occupancy=options.max_occupancy,
    )
    return result


def _outcomes(
    volumes: pd.Series, ahts: pd.Series, options: StaffingOptions, patience: float | None
) -> list:
    interval_seconds = options.interval_minutes * 60.0
    return [
        agents_needed(
            float(volume),
            float(aht),
            interval_seconds,
            target_sl=options.target_service_level,
            threshold=options.threshold_seconds,
            max_occupancy=options.max_occupancy,
            patience=patience,
        )
        for volume, aht in zip(volumes, ahts, strict=True)
    ]


def _scheduled(needed: pd.Series, options: StaffingOptions) -> np.ndarray:
    """Agents to put on the schedule so that ``needed`` remain after shrinkage."""
    return np.ceil(np.asarray(needed, dtype="float64") / (1 - options.shrinkage) - 1e-9).astype(
        "int64"
    )


def _add_forecast(
    result: Insight,
    calls: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    tz: str,
    options: StaffingOptions,
    pattern: pd.DataFrame,
    overall_aht: float,
    patience: float | None,
) -> None:
    """The staffing_forecast table: forecast calls and agents per interval of the next days."""
    from cskpi.insights.forecast import forecast_calls

    # The forecast learns from every call loaded before the period's end, not the period only.
    first = calls.loc[calls["queued_at"] < end, "queued_at"].min()
    history_start = min(start, first.tz_convert(tz).normalize()) if pd.notna(first) else start
    counts = occurrence_counts(calls, history_start, end, tz, options.interval_minutes)
    found = forecast_calls(
        counts, end, options.forecast_days, tz, options.interval_minutes, options.growth
    )
    if isinstance(found, str):
        result.notes.append(not_available(f"forecast: {found}"))
        return
    slots = found.slots
    aht = pattern.set_index(["weekday", "interval"])["aht_seconds"]
    key = pd.MultiIndex.from_arrays([slots["weekday"], slots["interval"]])
    slots["aht_seconds"] = aht.reindex(key).fillna(overall_aht).round(1).to_numpy()
    outcomes = _outcomes(slots["forecast_calls"], slots["aht_seconds"], options, patience)
    local = slots["occurrence"].dt.tz_convert(tz)
    table = pd.DataFrame(
        {
            "start": local.map(lambda t: t.isoformat()),
            "date": local.dt.strftime("%Y-%m-%d"),
            "day": [WEEKDAYS[d] for d in slots["weekday"]],
            "time": local.dt.strftime("%H:%M"),
            "forecast_calls": slots["forecast_calls"].round(2),
            "aht_seconds": slots["aht_seconds"],
            "agents_needed": [o.agents for o in outcomes],
        }
    )
    table["agents_scheduled"] = _scheduled(table["agents_needed"], options)
    result.tables["staffing_forecast"] = table
    result.notes.extend(found.notes)
    holdout = found.holdout
    result.meta.update(
        forecast_days=options.forecast_days,
        growth=options.growth,
        forecast_method="Holt-Winters (additive damped trend, weekly season) "
        "on daily volume × weekday intraday profile",
        forecast_holdout=holdout,
    )
    if "skipped" in holdout:
        result.notes.append(f"forecast error not measured: {holdout['skipped']}")
    else:
        result.notes.append(
            f"forecast error on the last {holdout['holdout_days']} days held out: "
            f"{holdout['interval_wape']:.1f} % per interval, {holdout['daily_wape']:.1f} % per "
            f"day (WAPE); the same interval a week earlier would miss by "
            f"{holdout['naive_interval_wape']:.1f} %"
        )
