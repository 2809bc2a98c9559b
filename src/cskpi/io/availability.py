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


def kpi_availability(
    tables: Mapping[str, pd.DataFrame], registry: Iterable[object]
) -> list[Availability]:
    """For each KPI of ``registry`` (objects with ``id`` and ``inputs`` = "table" or
    "table.column" strings): available when every input table is loaded and every input column
    is present with at least one value."""
    result = []
    for kpi in registry:
        reason = ""
        for needed in getattr(kpi, "inputs", ()):
            table, _, column = str(needed).partition(".")
            frame = tables.get(table)
            if frame is None:
                reason = f"no {table} data"
            elif column and column not in frame.columns:
                reason = f"{table} has no {column} column"
            elif column and len(frame) and frame[column].isna().all():
                reason = f"{table}.{column} is empty in every row"
            if reason:
                break
        result.append(Availability(str(kpi.id), not reason, reason))
    return result
