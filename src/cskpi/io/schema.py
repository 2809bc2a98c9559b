"""The canonical tables of the data contract (DATA.md): columns, kinds and required flags.

Every loader produces frames with exactly these column names and these dtypes:

- ``id`` / ``str``: pandas string dtype (``"str"``), missing = NA. IDs are never numbers.
- ``timestamp``: ``datetime64[ns, UTC]``; naive inputs are localised in ``--tz`` first.
- ``number`` / ``int``: ``float64`` with NaN for missing (integers are checked, not stored as Int64,
  so arithmetic stays vectorised on plain numpy).
- ``bool``: pandas nullable ``"boolean"``.
- ``month``: ``str`` ``YYYY-MM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "str", "text", "timestamp", "number", "int", "bool", "month"]

PANDAS_DTYPE: dict[str, str] = {
    "id": "str",
    "str": "str",
    "text": "str",
    "timestamp": "datetime64[ns, UTC]",
    "number": "float64",
    "int": "float64",
    "bool": "boolean",
    "month": "str",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    non_negative: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # unique id column, if any

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: Kind, req: bool = False, nonneg: bool = False) -> Column:
    return Column(name, kind, req, nonneg)


TICKETS = Table(
    "tickets",
    (
        _c("ticket_id", "id", True),
        _c("created_at", "timestamp", True),
        _c("first_response_at", "timestamp"),
        _c("resolved_at", "timestamp"),
        _c("status", "str"),
        _c("channel", "str"),
        _c("type", "str"),
        _c("priority", "str"),
        _c("agent_id", "id"),
        _c("team", "str"),
        _c("customer_id", "id"),
        _c("agent_replies", "int", nonneg=True),
        _c("reopens", "int", nonneg=True),
        _c("updated_at", "timestamp"),
        _c("escalated", "bool"),
        _c("messages_in", "int", nonneg=True),
        _c("messages_out", "int", nonneg=True),
        # Durations some vendors export instead of timestamps; kept for business-hours KPIs.
        _c("first_response_business_minutes", "number", nonneg=True),
        _c("resolution_business_minutes", "number", nonneg=True),
        # Free text for `themes`; no KPI reads it.
        _c("subject", "text"),
        _c("description", "text"),
        _c("tags", "text"),
    ),
    key="ticket_id",
)

CALLS = Table(
    "calls",
    (
        _c("call_id", "id", True),
        _c("queued_at", "timestamp", True),
        _c("answered_at", "timestamp"),
        _c("ended_at", "timestamp"),
        _c("talk_seconds", "number", nonneg=True),
        _c("hold_seconds", "number", nonneg=True),
        _c("wrap_seconds", "number", nonneg=True),
        _c("direction", "str"),
        _c("agent_id", "id"),
        _c("queue", "str"),
        _c("customer_id", "id"),
        _c("resolved", "bool"),
        _c("transferred", "bool"),
    ),
    key="call_id",
)

SURVEYS = Table(
    "surveys",
    (
        _c("response_id", "id", True),
        _c("submitted_at", "timestamp", True),
        _c("survey", "str", True),
        _c("question", "str"),
        _c("score", "number", True),
        _c("comment", "text"),
        _c("ticket_id", "id"),
        _c("call_id", "id"),
        _c("customer_id", "id"),
        _c("agent_id", "id"),
        _c("channel", "str"),
    ),
)

COSTS = Table(
    "costs",
    (
        _c("period", "month", True),
        _c("category", "str", True),
        _c("amount", "number", True),
        _c("agent_id", "id"),
        _c("team", "str"),
    ),
)

AGENTS = Table(
    "agents",
    (
        _c("agent_id", "id", True),
        _c("period", "month", True),
        _c("team", "str"),
        _c("hours_worked", "number", nonneg=True),
        _c("training_days", "number", nonneg=True),
    ),
)

REVENUE = Table(
    "revenue",
    (
        _c("customer_id", "id", True),
        _c("date", "timestamp", True),
        _c("amount", "number", True),
        _c("segment", "str"),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (TICKETS, CALLS, SURVEYS, COSTS, AGENTS, REVENUE)}

# Survey scales (inclusive). A score outside its survey's scale is a row error.
SURVEY_SCALES: dict[str, tuple[float, float]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "self_service": (0, 1),
    "relationship": (0, 10),
    "review": (1, 5),
}

LABOUR_CATEGORIES = (
    "wages",
    "overtime",
    "social_security",
    "payroll_tax",
    "benefits",
    "other_staff",
)
OTHER_CATEGORIES = ("tools", "facilities", "outsourcing", "training", "other")
