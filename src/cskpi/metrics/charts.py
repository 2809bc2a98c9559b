"""Chart data for the HTML report, computed from the canonical tables (vectorised).

Each function takes canonical frames (io.schema) and the period bounds, and returns plain lists and
dicts that the SVG drawing code (report.svg) and the JSON document can use as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cskpi.metrics.results import KpiValue

# Hour buckets for ticket durations: under 1 h, 1–4 h, 4–8 h, 8–24 h, 1–2 d, 2–3 d, over 3 d.
DURATION_EDGES_HOURS = (0.0, 1.0, 4.0, 8.0, 24.0, 48.0, 72.0, float("inf"))
COMMENTS_SHOWN = 12


def _in_period(stamps: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (stamps >= start) & (stamps < end)


def _bin_starts(start: pd.Timestamp, end: pd.Timestamp, tz: str) -> tuple[pd.DatetimeIndex, str]:
    """Local day starts (weeks or months for long ranges) covering [start, end)."""
    local_start = start.tz_convert(tz).normalize()
    days = (end - start) / pd.Timedelta(days=1)
    freq = "D" if days <= 92 else ("W-MON" if days <= 730 else "MS")
    starts = pd.date_range(local_start, end.tz_convert(tz), freq=freq, inclusive="left")
    if len(starts) == 0 or starts[0] > local_start:
        starts = starts.insert(0, local_start)
    return starts, freq


def daily_volume(
    tickets: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, tz: str
) -> dict[str, Any] | None:
    """Tickets created and resolved per day, and the open backlog at each day's end."""
    if tickets is None or "created_at" not in tickets.columns or tickets.empty:
        return None
    starts, freq = _bin_starts(start, end, tz)
    edges = np.append(
        starts.tz_convert("UTC").as_unit("ns").asi8, end.tz_convert("UTC").as_unit("ns").value
    )
    created = tickets["created_at"].dropna().dt.tz_convert("UTC").dt.as_unit("ns")
    created_ns = np.sort(created.astype("int64").to_numpy())
    if "resolved_at" in tickets.columns:
        both = tickets[["created_at", "resolved_at"]].dropna()
        # A resolution stamped before creation is bad data: it cannot close a ticket before it
        # opens.
        resolved_ns = np.sort(
            np.maximum(
                both["resolved_at"].dt.as_unit("ns").astype("int64").to_numpy(),
                both["created_at"].dt.as_unit("ns").astype("int64").to_numpy(),
            )
        )
    else:
        resolved_ns = np.empty(0, dtype="int64")
    created_before = np.searchsorted(created_ns, edges, side="left")
    resolved_before = np.searchsorted(resolved_ns, edges, side="left")
    fmt = "%Y-%m" if freq == "MS" else "%Y-%m-%d"
    return {
        "dates": [d.strftime(fmt) for d in starts],
        "step": {"D": "day", "W-MON": "week", "MS": "month"}[freq],
        "created": np.diff(created_before).tolist(),
        "resolved": np.diff(resolved_before).tolist(),
        "backlog": (created_before[1:] - resolved_before[1:]).tolist(),
    }


def duration_histogram(hours: pd.Series) -> dict[str, Any] | None:
    values = hours.dropna().to_numpy(dtype="float64")
    values = values[values >= 0]
    if values.size == 0:
        return None
    counts, _ = np.histogram(values, bins=np.array(DURATION_EDGES_HOURS))
    return {
        "edges": [None if np.isinf(e) else e for e in DURATION_EDGES_HOURS],
        "counts": counts.tolist(),
        "median": float(np.median(values)),
    }


def first_response_hours(
    tickets: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, Any] | None:
    """First-response times of tickets created in the period (hours)."""
    if tickets is None or not {"created_at", "first_response_at"} <= set(tickets.columns):
        return None
    chosen = tickets[_in_period(tickets["created_at"], start, end)]
    hours = (chosen["first_response_at"] - chosen["created_at"]) / pd.Timedelta(hours=1)
    return duration_histogram(hours)


def resolution_hours(
    tickets: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, Any] | None:
    """Resolution times of tickets resolved in the period (hours)."""
    if tickets is None or not {"created_at", "resolved_at"} <= set(tickets.columns):
        return None
    chosen = tickets[_in_period(tickets["resolved_at"], start, end)]
    hours = (chosen["resolved_at"] - chosen["created_at"]) / pd.Timedelta(hours=1)
    return duration_histogram(hours)


def nps_mix(
    surveys: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, int] | None:
    """Promoters (9–10), passives (7–8) and detractors (0–6) among NPS answers in the period."""
    if surveys is None or not {"survey", "score", "submitted_at"} <= set(surveys.columns):
        return None
    chosen = surveys[
        (surveys["survey"].str.strip().str.lower() == "nps")
        & _in_period(surveys["submitted_at"], start, end)
    ]
    scores = chosen["score"].dropna()
    if scores.empty:
        return None
    return {
        "promoters": int((scores >= 9).sum()),
        "passives": int(((scores >= 7) & (scores < 9)).sum()),
        "detractors": int((scores < 7).sum()),
    }


def calls_heatmap(
    calls: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, tz: str
) -> dict[str, Any] | None:
    """Inbound calls by local weekday (Monday first) and hour of day: 7 rows of 24 counts."""
    if calls is None or "queued_at" not in calls.columns:
        return None
    chosen = calls[_in_period(calls["queued_at"], start, end)]
    if "direction" in chosen.columns:
        chosen = chosen[chosen["direction"].fillna("").str.strip().str.lower() != "outbound"]
    if chosen.empty:
        return None
    local = chosen["queued_at"].dt.tz_convert(tz)
    slot = (local.dt.day_of_week * 24 + local.dt.hour).to_numpy(dtype="int64")
    counts = np.bincount(slot, minlength=7 * 24).reshape(7, 24)
    return {"counts": counts.tolist(), "total": int(counts.sum())}


def recent_comments(
    surveys: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    tz: str,
    limit: int = COMMENTS_SHOWN,
) -> list[dict[str, Any]]:
    """The latest non-empty survey comments of the period, newest first (text kept as written)."""
    if surveys is None or "comment" not in surveys.columns:
        return []
    chosen = surveys[
        _in_period(surveys["submitted_at"], start, end)
        & surveys["comment"].fillna("").str.strip().ne("")
    ]
    chosen = chosen.sort_values("submitted_at", ascending=False, kind="stable").head(limit)
    when = chosen["submitted_at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M")
    return [
        {"submitted_at": w, "survey": s, "score": float(sc), "comment": c}
        for w, s, sc, c in zip(
            when, chosen["survey"], chosen["score"], chosen["comment"], strict=True
        )
    ]


def kpi_trends(rows: list[KpiValue], periods: list[str]) -> dict[str, list[float | None]]:
    """Overall value of each KPI per period, in period order (only when there are several)."""
    if len(periods) < 2:
        return {}
    frame = pd.DataFrame(
        [(r.period, r.kpi, r.value) for r in rows if r.dimension == "all" and r.segment == "all"],
        columns=["period", "kpi", "value"],
    )
    if frame.empty:
        return {}
    table = frame.pivot_table(
        index="kpi", columns="period", values="value", aggfunc="first", sort=False, dropna=False
    ).reindex(columns=periods)
    table = table[table.notna().sum(axis=1) >= 2]
    return {
        kpi: [None if pd.isna(v) else float(v) for v in values]
        for kpi, values in zip(table.index, table.to_numpy(), strict=True)
    }


def chart_data(
    tables: dict[str, pd.DataFrame],
    start: pd.Timestamp,
    end: pd.Timestamp,
    tz: str,
    rows: list[KpiValue] | None = None,
    periods: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the HTML report draws, for the span [start, end) of the report's periods."""
    tickets, calls, surveys = tables.get("tickets"), tables.get("calls"), tables.get("surveys")
    charts: dict[str, Any] = {
        "daily_volume": daily_volume(tickets, start, end, tz),
        "first_response_hours": first_response_hours(tickets, start, end),
        "resolution_hours": resolution_hours(tickets, start, end),
        "nps_mix": nps_mix(surveys, start, end),
        "calls_heatmap": calls_heatmap(calls, start, end, tz),
        "comments": recent_comments(surveys, start, end, tz),
        "kpi_trends": kpi_trends(rows or [], periods or []),
    }
    return {name: data for name, data in charts.items() if data}
