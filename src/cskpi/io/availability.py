"""Which KPIs the loaded data makes available, and why the others are not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Availability:
    kpi: str
    available: bool
    reason: str = ""


# Exported business-hours durations; without them the KPI works from timestamps when the
# config gives [business_hours].
BUSINESS_MINUTES = {
    "tickets.first_response_business_minutes",
    "tickets.resolution_business_minutes",
}


def kpi_availability(
    tables: Mapping[str, pd.DataFrame],
    registry: Iterable[object],
    *,
    business_hours_configured: bool = False,
    unusable: Mapping[str, str] | None = None,
) -> list[Availability]:
    """For each KPI of ``registry`` (objects with ``id`` and ``inputs`` = "table" or
    "table.column" strings): available when every input table is loaded and every input column
    is present with at least one value. ``unusable`` maps the tables whose files had rows but
    none usable to why, so nothing is available from them (an export of no rows still counts
    zero)."""
    result = []
    for kpi in registry:
        reason = ""
        for needed in getattr(kpi, "inputs", ()):
            if business_hours_configured and needed in BUSINESS_MINUTES:
                continue
            table, _, column = str(needed).partition(".")
            frame = tables.get(table)
            if frame is None:
                reason = (unusable or {}).get(table) or f"no {table} data"
            elif table in (unusable or {}):
                reason = (unusable or {})[table]
            elif column and column not in frame.columns and needed in BUSINESS_MINUTES:
                reason = (
                    f"{table} have no {column} and no opening hours are set: "
                    "add [business_hours] to cskpi.toml"
                )
            elif column and column not in frame.columns:
                reason = f"{table} has no {column} column"
            elif column and len(frame) and frame[column].isna().all():
                reason = f"{table}.{column} is empty in every row"
            if reason:
                break
        result.append(Availability(str(kpi.id), not reason, reason))
    return result
