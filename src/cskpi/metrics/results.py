"""The plain result model every renderer consumes.

One :class:`KpiValue` is one row of the tidy CSV of KPIS.md:
``period,dimension,segment,kpi,value,unit,n``. ``value`` is ``None`` when the KPI is not
available, and ``reason`` then says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KpiValue:
    period: str  # "2026-10" for a month, "2026-10-01..2026-10-15" for a range (both inclusive)
    dimension: str  # "all" for overall rows, else the breakdown column (agent, team, question, ...)
    segment: str  # "all" for overall rows, else the group's value, "(none)" for empty
    kpi: str
    value: float | int | None
    unit: str
    n: int | None
    reason: str | None = None


@dataclass
class Comparison:
    """How a row compares with a baseline (previous period or a kept CSV)."""

    previous: float | int | None
    change: float | None
    significant: bool | None  # None = not tested (too few records, no test for this unit)
    test: str | None  # e.g. "two-proportion z-test", "bootstrap of the median"
    p_value: float | None = None
    # Benjamini–Hochberg adjusted p over every comparison of one output; significant = q < 0.05.
    q_value: float | None = None
    # 95 % interval of the change (bootstrap tests), in the KPI's unit.
    interval: tuple[float, float] | None = None


@dataclass
class ReportResult:
    rows: list[KpiValue]
    periods: list[str]
    tz: str
    meta: dict[str, Any] = field(
        default_factory=dict
    )  # tool version, definitions version, config, files
    comparisons: dict[tuple[str, str, str, str], Comparison] = field(default_factory=dict)
    targets: dict[tuple[str, str, str, str], tuple[str, str]] = field(
        default_factory=dict
    )  # -> (target, met|missed)
    charts: dict[str, Any] = field(default_factory=dict)  # chart data for html (see metrics.charts)
