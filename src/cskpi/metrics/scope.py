"""The records of one period, each tagged with its breakdown group in a ``_seg`` column.

A :class:`Scope` restricts the canonical tables to a period the way KPIS.md says each table counts
(tickets by created_at or resolved_at, calls by queued_at, surveys by submitted_at, revenue by date,
costs and agents by month) and caches each restriction, so every KPI of a period reuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

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


_KEYS = {"tickets": "ticket_id", "calls": "call_id"}

# The columns the KPIs read from a period's copied records (group labels come from the whole
# table, so breakdown columns need no copy). Copying only these keeps the copies of resolved
# tickets and inbound calls to a few numeric columns instead of every loaded column.
_READ: dict[str, tuple[str, ...]] = {
    "tickets_resolved": (
        "created_at",
        "resolved_at",
        "agent_replies",
        "reopens",
        "resolution_business_minutes",
    ),
    # Waits are derived from the timestamps at selection; customer ids: Scope.original. The
    # handling columns are read of answered calls only: taken for those (_ANSWERED), not here.
    "calls_inbound": (),
    "calls_outbound": (),
    "tickets_open_at_end": (),
}


_ANSWERED = ("talk_seconds", "hold_seconds", "wrap_seconds", "resolved", "transferred")
# What the KPIs read of one survey's answers (satisfaction.py).
_SURVEY_READ = ("question", "score", "_survey")


def _constant(label: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[label])


class Unavailable(Exception):  # noqa: N818 - a signal, not an error
    """A KPI cannot be computed; the message is the reason shown to the user."""


def segments(values: pd.Series) -> pd.Series:
    """Group labels: the trimmed text, with missing and blank values in ``(none)``.

    A categorical: the few distinct values are cleaned once, and grouping works on integer codes.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Index(uniques, dtype=object).astype("str").str.strip()
    # Code -1 (missing) picks the appended (none); labels equal after trimming share one category.
    labels = np.append(np.where(text == "", NONE_GROUP, text).astype(object), NONE_GROUP)
    merged, categories = pd.factorize(labels)
    return pd.Series(
        pd.Categorical.from_codes(merged[codes], categories=pd.Index(categories, dtype=object)),
        index=values.index,
        name=values.name,
    )


def _instants(values: pd.Series) -> np.ndarray:
    """A timestamp column's values as numpy datetime64 in its own unit (no copy)."""
    return values.array.asi8.view(f"M8[{values.dt.unit}]")


def elapsed(
    later: pd.Series, earlier: pd.Series, unit: pd.Timedelta, *, until: pd.Series | None = None
) -> np.ndarray:
    """``(later − earlier) / unit`` as float64, NaN where a time is missing; ``until``: where
    ``later`` is missing, measure to it instead.

    The same numbers as pandas' Series arithmetic (numpy's timedelta division), computed on the
    numpy values without the intermediate Series.
    """
    columns = [later, earlier] if until is None else [later, earlier, until]
    if any(not isinstance(c.dtype, pd.DatetimeTZDtype) for c in columns) or any(
        c.dtype != later.dtype for c in columns
    ):
        if until is not None:
            later = later.where(later.notna(), until)
        return ((later - earlier) / unit).to_numpy(dtype="float64", na_value=np.nan)
    end = _instants(later)
    if until is not None:
        end = np.where(np.isnat(end), _instants(until), end)
    return (end - _instants(earlier)) / unit.to_timedelta64()


def lower(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.lower()


class Scope:
    """One period × one breakdown dimension over the canonical tables."""

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        period: Period,
        dimension: str,
        config: Config,
        *,
        shared: dict | None = None,
    ) -> None:
        self.tables = tables
        # The period's records do not depend on the dimension: scopes of one period and config
        # may share them (and each table's group labels) through ``shared``.
        self._shared: dict = {} if shared is None else shared
        self._groups: dict = {}
        self._surveys: dict[str, pd.DataFrame] = {}
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

    def period_memo(self, key: object, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per period for every dimension's scope: for values of the
        period's selected records that do not depend on the breakdown (flags, durations)."""
        slot = ("memo", key)
        if slot not in self._shared:
            self._shared[slot] = make()
        return self._shared[slot]

    def carries(self, table: str) -> bool:
        """Whether ``table`` can be broken down by this scope's dimension."""
        if self.column is None:
            return True
        if table == "surveys" and self.column == "question":
            return self.has("surveys")
        return self.has(table, self.column)

    def _labels(self, table: str) -> pd.Categorical:
        """Every row's group in this scope's dimension (categorical), computed once per table."""
        key = ("labels", table, self.column)
        if key not in self._shared:
            frame = self.tables[table]
            if self.column is None:
                labels = _constant(OVERALL, len(frame))
            elif self.column in frame.columns:
                labels = segments(frame[self.column]).array
            else:
                labels = _constant(NONE_GROUP, len(frame))
            self._shared[key] = labels
        return self._shared[key]

    def _rows(
        self, name: str, table: str, mask: Callable[[], np.ndarray], extend=None
    ) -> pd.DataFrame:
        """The records of ``table`` where ``mask()`` holds, tagged with this scope's ``_seg``.

        The rows (and ``extend(rows, pick)``'s added columns, where ``pick(column)`` is a column
        of the whole table at the selected rows) are selected once per period and shared by every
        dimension's scope; tagging is a shallow copy plus one categorical column.
        """
        key = ("rows", name)
        if key not in self._shared:
            positions = np.flatnonzero(np.asarray(mask(), dtype=bool))
            frame = self.tables[table]
            # Usually every row of a month's export is in the month: no copy then. Otherwise the
            # record ids (tickets.ticket_id, calls.call_id), which no KPI reads, are not copied.
            read = _READ.get(name)
            if len(positions) == len(frame):
                rows = frame
            elif read is not None:
                rows = frame[[c for c in frame.columns if c in read]].take(positions)
            else:
                record_id = _KEYS.get(table)
                unread = [record_id] if record_id in frame.columns else []
                rows = frame.drop(columns=unread).take(positions)
            if extend is not None:
                whole = len(positions) == len(frame)
                rows = extend(rows, lambda c: frame[c] if whole else frame[c].take(positions))
            self._shared[key] = (positions, rows)
            self._shared[("table", name)] = table
        return self._tag(table, *self._shared[key])

    def original(self, name: str, column: str) -> pd.Series | None:
        """``column`` of the whole table at the rows of the already selected period records
        ``name`` (for columns their copy leaves out); None when the table has no such column."""
        table = self._shared[("table", name)]
        frame = self.tables[table]
        if column not in frame.columns:
            return None
        positions, rows = self._shared[("rows", name)]
        if len(positions) == len(frame):
            return frame[column]
        return frame[column].take(positions)

    def _subset(
        self,
        name: str,
        parent: str,
        table: str,
        keep: Callable[[pd.DataFrame], np.ndarray],
        *,
        columns: tuple[str, ...] | None = None,
        from_table: tuple[str, ...] = (),
    ):
        """Like :meth:`_rows`, for the rows of an already selected ``parent`` where ``keep``.

        ``columns``: copy only these of the parent's columns; ``from_table``: columns the parent
        did not copy, taken from the whole table for these rows only (placed first).
        """
        key = ("rows", name)
        if key not in self._shared:
            positions, rows = self._shared[("rows", parent)]
            wanted = np.flatnonzero(np.asarray(keep(rows), dtype=bool))
            if columns is not None:
                rows = rows[[c for c in rows.columns if c in columns]]
            picked = rows.take(wanted)
            frame = self.tables[table]
            extra = [c for c in frame.columns if c in from_table and c not in rows.columns]
            if extra:
                picked = pd.concat([frame[extra].take(positions[wanted]), picked], axis=1)
            self._shared[key] = (positions[wanted], picked)
            self._shared[("table", name)] = table
        return self._tag(table, *self._shared[key])

    def _tag(self, table: str, positions: np.ndarray, rows: pd.DataFrame) -> pd.DataFrame:
        tagged = rows.copy(deep=False)
        tagged[SEG] = self._labels(table).take(positions)
        return tagged

    def _tagged(self, table: str, mask: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
        frame = self.tables[table]
        tagged = frame.copy(deep=False)
        tagged[SEG] = self._labels(table)
        if mask is not None:
            tagged = tagged.loc[np.asarray(mask, dtype=bool)]
        return tagged

    def _within(self, stamps: pd.Series) -> np.ndarray:
        return ((stamps >= self.start) & (stamps < self.end)).fillna(False).to_numpy(dtype=bool)

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
        frame = self.tables["tickets"]
        return self._rows("tickets_created", "tickets", lambda: self._within(frame["created_at"]))

    @cached_property
    def tickets_resolved(self) -> pd.DataFrame:
        self.need("tickets", "created_at", "resolved_at")
        frame = self.tables["tickets"]
        return self._rows("tickets_resolved", "tickets", lambda: self._within(frame["resolved_at"]))

    @cached_property
    def tickets_open_at_end(self) -> pd.DataFrame:
        self.need("tickets", "created_at", "resolved_at")
        frame = self.tables["tickets"]

        def mask() -> np.ndarray:
            resolved = frame["resolved_at"]
            return (
                (frame["created_at"] < self.end).fillna(False)
                & (resolved.isna() | (resolved >= self.end))
            ).to_numpy(dtype=bool)

        return self._rows("tickets_open_at_end", "tickets", mask)

    def _calls(self) -> tuple[np.ndarray, np.ndarray]:
        self.need("calls", "queued_at")
        key = ("calls_masks",)
        if key not in self._shared:
            frame = self.tables["calls"]
            if "direction" in frame.columns:
                # Lower-case the few distinct directions, not every row's.
                codes, uniques = pd.factorize(frame["direction"], use_na_sentinel=True)
                is_outbound = lower(pd.Series(uniques, dtype="str")).to_numpy() == "outbound"
                outbound = np.append(is_outbound, False)[codes]
            else:
                outbound = np.zeros(len(frame), dtype=bool)
            self._shared[key] = (self._within(frame["queued_at"]), outbound)
        return self._shared[key]

    @cached_property
    def calls_inbound(self) -> pd.DataFrame:
        """Inbound calls queued in the period, with ``_wait`` in seconds (NaN when unknown)."""
        within, outbound = self._calls()

        columns = self.tables["calls"].columns

        def extend(frame: pd.DataFrame, pick) -> pd.DataFrame:
            queued = pick("queued_at")
            answered = (
                pick("answered_at")
                if "answered_at" in columns
                else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
            )
            ended = (
                pick("ended_at")
                if "ended_at" in columns
                else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
            )
            frame = frame.copy(deep=False)
            frame["_answered"] = answered.notna().to_numpy()
            frame["_wait"] = elapsed(answered, queued, SECOND, until=ended)
            return frame

        return self._rows("calls_inbound", "calls", lambda: within & ~outbound, extend)

    @cached_property
    def calls_answered(self) -> pd.DataFrame:
        """The inbound calls of the period that were answered."""
        self.need("calls", "answered_at")
        self.calls_inbound  # noqa: B018 - selects the parent rows
        return self._subset(
            "calls_answered",
            "calls_inbound",
            "calls",
            lambda c: c["_answered"].to_numpy(),
            columns=(*_ANSWERED, "_answered", "_wait"),
            from_table=_ANSWERED,
        )

    @cached_property
    def calls_outbound(self) -> pd.DataFrame:
        within, outbound = self._calls()
        return self._rows("calls_outbound", "calls", lambda: within & outbound)

    @cached_property
    def surveys(self) -> pd.DataFrame:
        """Answers submitted in the period; survey and question lower-cased (empty = overall)."""
        self.need("surveys", "submitted_at", "survey", "score")
        table = self.tables["surveys"]

        def extend(frame: pd.DataFrame, pick) -> pd.DataFrame:
            frame = frame.copy(deep=False)
            question = (
                frame["question"]
                if "question" in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype="str")
            )
            # Question ids compare case-insensitively; empty means overall (DATA.md).
            text = question.astype("str").str.strip().str.lower()
            frame["question"] = text.where(question.notna() & (text != ""), "overall")
            frame["_survey"] = lower(frame["survey"])
            return frame

        rows = self._rows("surveys", "surveys", lambda: self._within(table["submitted_at"]), extend)
        if self.column == "question":
            # Grouped by the cleaned question, not the raw column.
            rows[SEG] = segments(rows["question"]).array
        return rows

    def survey(self, name: str) -> pd.DataFrame:
        if name not in self._surveys:
            frame = self.surveys
            if self.column == "question":  # grouped by the cleaned question of these rows
                self._surveys[name] = frame.loc[(frame["_survey"] == name).to_numpy()]
            else:  # selected once per period, like the answers themselves
                self._surveys[name] = self._subset(
                    f"surveys {name}",
                    "surveys",
                    "surveys",
                    lambda rows: (rows["_survey"] == name).to_numpy(),
                    columns=_SURVEY_READ,
                )
        return self._surveys[name]

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
        key = ("groups", table, self.dimension)
        if key not in self._groups:
            self._groups[key] = self._groups_of(table)
        return set(self._groups[key])

    def _groups_of(self, table: str) -> set[str]:
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
        return set().union(*(_present(f[SEG]) for f in frames)) if frames else set()


def _present(labels: pd.Series) -> set[str]:
    """The distinct labels, from the integer codes when categorical."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes = np.unique(labels.array.codes)
        return set(labels.array.categories[codes[codes >= 0]])
    return set(labels.unique())
