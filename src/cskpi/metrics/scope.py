"""The records of one period, each tagged with its breakdown group in a ``_seg`` column.

A :class:`Scope` restricts the canonical tables to a period the way KPIS.md says each table counts
(tickets by created_at or resolved_at, calls by queued_at, surveys by submitted_at, revenue by date,
costs and agents by month) and caches each restriction, so every KPI of a period reuses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd

from cskpi.config import Config
from cskpi.metrics.periods import Period

SEG = "_seg"
NONE_GROUP = "(none)"
OVERALL = "all"

# --by name -> canonical column
DIMENSIONS: dict[str, str] = {
    "agent": "agent_id",
    "team": "team",
    "channel": "channel",
    "type": "type",
    "priority": "priority",
    "queue": "queue",
    "question": "question",
    "segment": "segment",
}

HOUR = pd.Timedelta(hours=1)
SECOND = pd.Timedelta(seconds=1)


class Unavailable(Exception):  # noqa: N818 - a signal, not an error
    """A KPI cannot be computed; the message is the reason shown to the user."""


def segments(values: pd.Series) -> pd.Series:
    """Group labels: the trimmed text, with missing and blank values in ``(none)``."""
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""), NONE_GROUP).astype(object)


def lower(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.lower()


class Scope:
    """One period × one breakdown dimension over the canonical tables."""

    def __init__(
        self, tables: Mapping[str, pd.DataFrame], period: Period, dimension: str, config: Config
    ) -> None:
        self.tables = tables
        self.period = period
        self.dimension = dimension
        self.column = None if dimension == OVERALL else DIMENSIONS[dimension]
        self.config = config
        self.start = period.start.tz_convert("UTC")
        self.end = period.end.tz_convert("UTC")

    # -- access ---------------------------------------------------------------------------------
    def has(self, table: str, column: str | None = None) -> bool:
        frame = self.tables.get(table)
        return frame is not None and (column is None or column in frame.columns)

    def need(self, table: str, *columns: str) -> None:
        """Raise Unavailable naming the missing table or columns."""
        if table not in self.tables or self.tables[table] is None:
            raise Unavailable(f"no {table} table")
        missing = [c for c in columns if c not in self.tables[table].columns]
        if missing:
            raise Unavailable(f"{table} table has no {'/'.join(missing)}")

    def carries(self, table: str) -> bool:
        """Whether ``table`` can be broken down by this scope's dimension."""
        if self.column is None:
            return True
        if table == "surveys" and self.column == "question":
            return self.has("surveys")
        return self.has(table, self.column)

    def _tagged(self, table: str, mask: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
        frame = self.tables[table]
        if mask is not None:
            frame = frame.loc[np.asarray(mask, dtype=bool)]
        frame = frame.copy()
        if self.column is None:
            frame[SEG] = OVERALL
        elif self.column in frame.columns:
            frame[SEG] = segments(frame[self.column])
        else:
            frame[SEG] = NONE_GROUP
        return frame

    def _within(self, stamps: pd.Series) -> pd.Series:
        return ((stamps >= self.start) & (stamps < self.end)).fillna(False)

    @property
    def months(self) -> list[str]:
        months = self.period.months()
        if months is None:
            raise Unavailable("a range that cuts a month: cost KPIs need whole months")
        return months

    # -- the period's records -------------------------------------------------------------------
    @cached_property
    def tickets_created(self) -> pd.DataFrame:
        self.need("tickets", "created_at")
        return self._tagged("tickets", self._within(self.tables["tickets"]["created_at"]))

    @cached_property
    def tickets_resolved(self) -> pd.DataFrame:
        self.need("tickets", "created_at", "resolved_at")
        return self._tagged("tickets", self._within(self.tables["tickets"]["resolved_at"]))

    @cached_property
    def tickets_open_at_end(self) -> pd.DataFrame:
        self.need("tickets", "created_at", "resolved_at")
        frame = self.tables["tickets"]
        resolved = frame["resolved_at"]
        mask = (frame["created_at"] < self.end).fillna(False) & (
            resolved.isna() | (resolved >= self.end)
        )
        return self._tagged("tickets", mask)

    def _calls(self) -> tuple[pd.Series, pd.Series]:
        self.need("calls", "queued_at")
        frame = self.tables["calls"]
        if "direction" in frame.columns:
            outbound = (lower(frame["direction"]) == "outbound") & frame["direction"].notna()
        else:
            outbound = pd.Series(False, index=frame.index)
        return self._within(frame["queued_at"]), outbound

    @cached_property
    def calls_inbound(self) -> pd.DataFrame:
        """Inbound calls queued in the period, with ``_wait`` in seconds (NaN when unknown)."""
        within, outbound = self._calls()
        frame = self._tagged("calls", within & ~outbound)
        queued = frame["queued_at"]
        answered = (
            frame["answered_at"]
            if "answered_at" in frame.columns
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        )
        ended = (
            frame["ended_at"]
            if "ended_at" in frame.columns
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        )
        frame["_answered"] = answered.notna().to_numpy()
        waited_until = answered.where(answered.notna(), ended)
        frame["_wait"] = ((waited_until - queued) / SECOND).astype("float64")
        return frame

    @cached_property
    def calls_outbound(self) -> pd.DataFrame:
        within, outbound = self._calls()
        return self._tagged("calls", within & outbound)

    @cached_property
    def surveys(self) -> pd.DataFrame:
        """Answers submitted in the period; survey and question lower-cased (empty = overall)."""
        self.need("surveys", "submitted_at", "survey", "score")
        frame = self.tables["surveys"]
        frame = frame.loc[self._within(frame["submitted_at"]).to_numpy()].copy()
        question = (
            frame["question"]
            if "question" in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="str")
        )
        # Question ids compare case-insensitively; empty means overall (DATA.md).
        text = question.astype("str").str.strip().str.lower()
        frame["question"] = text.where(question.notna() & (text != ""), "overall")
        frame["_survey"] = lower(frame["survey"])
        if self.column is None:
            frame[SEG] = OVERALL
        elif self.column in frame.columns:
            frame[SEG] = segments(frame[self.column])
        else:
            frame[SEG] = NONE_GROUP
        return frame

    def survey(self, name: str) -> pd.DataFrame:
        frame = self.surveys
        return frame.loc[(frame["_survey"] == name).to_numpy()]

    def _monthly(self, table: str) -> pd.DataFrame:
        self.need(table, "period")
        months = self.months
        frame = self.tables[table]
        return self._tagged(
            table, frame["period"].astype("str").str.strip().isin(months).to_numpy()
        )

    @cached_property
    def costs(self) -> pd.DataFrame:
        self.need("costs", "period", "amount")
        frame = self._monthly("costs")
        return frame.loc[frame["amount"].notna().to_numpy()]

    @cached_property
    def agents(self) -> pd.DataFrame:
        return self._monthly("agents")

    @cached_property
    def revenue(self) -> pd.DataFrame:
        self.need("revenue", "date", "amount")
        frame = self.tables["revenue"]
        tagged = self._tagged("revenue", self._within(frame["date"]))
        return tagged.loc[tagged["amount"].notna().to_numpy()]

    # -- the groups each table contributes ------------------------------------------------------
    def groups_of(self, table: str) -> set[str]:
        """Every group the table has records for in this period (in any of its period senses)."""
        if self.column is None:
            return {OVERALL}
        frames: list[pd.DataFrame] = []
        try:
            if table == "tickets":
                frames.append(self.tickets_created)
                if self.has("tickets", "resolved_at"):
                    frames += [self.tickets_resolved, self.tickets_open_at_end]
            elif table == "calls":
                frames += [self.calls_inbound, self.calls_outbound]
            elif table == "surveys":
                frames.append(self.surveys)
            elif table in ("costs", "agents"):
                frames.append(self.costs if table == "costs" else self.agents)
            elif table == "revenue":
                frames.append(self.revenue)
        except Unavailable:
            return set()
        return set().union(*(set(f[SEG].unique()) for f in frames)) if frames else set()
