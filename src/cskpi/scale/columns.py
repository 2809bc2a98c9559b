"""Which columns and rows of each table a report needs, so a large history is read selectively."""

from __future__ import annotations

from collections.abc import Sequence

from cskpi.io import schema
from cskpi.metrics.periods import data_range
from cskpi.metrics.registry import REGISTRY, KpiDef
from cskpi.metrics.scope import DIMENSIONS

# The column that decides which period a record counts in (KPIS.md conventions).
DATE_COLUMN = {
    "tickets": "created_at",
    "calls": "queued_at",
    "surveys": "submitted_at",
    "revenue": "date",
    "costs": "period",
    "agents": "period",
}
# Kinds whose values can reject a row on loading: read them even when no KPI does, so the rows used
# are the rows the in-memory path uses.
_CHECKED_KINDS = ("timestamp", "number", "int", "bool", "month")


def needed_columns(table: str, by: Sequence[str], kpis: Sequence[KpiDef] = REGISTRY) -> list[str]:
    """The canonical columns of ``table`` the KPIs read, the breakdowns need, or loading checks."""
    spec = schema.TABLES[table]
    wanted = {
        item.split(".", 1)[1]
        for kpi in kpis
        for item in kpi.inputs
        if "." in item and item.split(".", 1)[0] == table
    }
    wanted |= {DIMENSIONS[name] for name in by if name in DIMENSIONS}
    wanted |= set(spec.required)
    if spec.key:
        wanted |= {spec.key, "updated_at"}
    wanted |= {c.name for c in spec.columns if c.kind in _CHECKED_KINDS}
    return [name for name in spec.names if name in wanted]


def checked_columns(table: str, columns: Sequence[str]) -> list[str]:
    """Of ``columns``, those whose values can reject a row: required ones, the key, and the
    kinds loading checks. Labels, ids and free text reject nothing, so counting rejects skips
    them."""
    spec = schema.TABLES[table]
    return [
        c
        for c in columns
        if c in spec.required or c == spec.key or spec.column(c).kind in _CHECKED_KINDS
    ]


__all__ = ["DATE_COLUMN", "checked_columns", "data_range", "needed_columns"]
