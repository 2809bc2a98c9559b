"""Settings a team keeps in ``cskpi.toml`` (found in the data folder, or given with --config).

The defaults are those of KPIS.md; every field can be changed in the file. Loading and validating
the file lives in :func:`load_config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cskpi.io.schema import LABOUR_CATEGORIES


@dataclass(frozen=True)
class BusinessHours:
    """Weekly opening hours in a timezone, minus public holidays and extra closed dates."""

    tz: str = "UTC"
    # weekday (0 = Monday) -> list of (open "HH:MM", close "HH:MM") intervals
    week: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    holidays_country: str | None = None      # e.g. "FI" (python-holidays)
    holidays_subdivision: str | None = None
    closed_dates: tuple[str, ...] = ()       # ISO dates


@dataclass(frozen=True)
class Config:
    currency: str = "EUR"
    short_abandon_seconds: float = 5.0
    service_level_seconds: float = 20.0
    first_response_sla_hours: float = 24.0
    # overrides by priority / channel value (lower-cased); priority wins over channel when both match
    sla_hours_by_priority: dict[str, float] = field(default_factory=dict)
    sla_hours_by_channel: dict[str, float] = field(default_factory=dict)
    labour_categories: tuple[str, ...] = LABOUR_CATEGORIES
    csat_good_min: float = 4.0               # csat counts scores >= this as satisfied
    fcr_variant: str = "one_touch"           # one_touch | call_resolved
    business_hours: BusinessHours | None = None
    targets: dict[str, str] = field(default_factory=dict)   # kpi id -> "<= 4", ">= 85"
    source: str | None = None                # path of the file it came from
    raw: dict[str, Any] = field(default_factory=dict)


def load_config(path: Path | None = None, data_dir: Path | None = None) -> Config:
    """Read cskpi.toml from ``path``, else from ``data_dir``; defaults when neither has one."""
    if path is None and data_dir is not None and (Path(data_dir) / "cskpi.toml").is_file():
        path = Path(data_dir) / "cskpi.toml"
    if path is None:
        return Config()
    raise NotImplementedError("config parsing")
