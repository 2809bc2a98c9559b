"""Evaluate the registry over periods and breakdowns into tidy rows (KpiValue).

Row order: periods in the order given; within a period the overall block (dimension ``all``) first,
then one block per ``--by`` dimension in the order given (the ``question`` block holding
``csat_by_question`` comes right after the overall block when question is not asked for); within a
block, segments sorted case-insensitively with ``(none)`` last, and within a segment the KPIs in
catalogue order.

Partitions: :func:`kpi_parts` reduces one slice of rows (e.g. one month file) and
:func:`finish_parts` turns the merged parts of several slices into rows, so a caller that
cannot hold every row at once gets the same numbers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd

from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.metrics.aggregate import forget_recent, merge_parts
from cskpi.metrics.periods import Period
from cskpi.metrics.registry import BY_ID, REGISTRY, KpiDef
from cskpi.metrics.results import KpiValue
from cskpi.metrics.scope import DIMENSIONS, NONE_GROUP, OVERALL, SEG, Scope, Unavailable

QUESTION = "question"
T = TypeVar("T")


def check_dimensions(by: Sequence[str]) -> list[str]:
    """The breakdown names, validated and without repeats."""
    out: list[str] = []
    for name in by:
        key = name.strip().lower()
        if key not in DIMENSIONS:
            raise UsageError(f"unknown breakdown {name!r}. Use one of: {', '.join(DIMENSIONS)}")
        if key not in out:
            out.append(key)
    return out


def segment_order(segment: str) -> tuple[int, str, str]:
    return (segment == NONE_GROUP, segment.casefold(), segment)


def breaks_down(kpi: KpiDef, scope: Scope) -> bool:
    """Whether the KPI has rows in this scope's dimension.

    Overall: every KPI but csat_by_question. A breakdown: only when every table the KPI reads (of
    those present) carries the column; csat_by_question only in the question dimension.
    """
    if kpi.fixed_dimension is not None:
        return scope.dimension == kpi.fixed_dimension
    if scope.column is None:
        return True
    present = [t for t in kpi.tables if scope.has(t)]
    return bool(present) and all(scope.carries(t) for t in present)


def kpi_parts(kpi: KpiDef, scope: Scope) -> pd.DataFrame:
    """The mergeable parts of one KPI over the rows the scope holds; raises Unavailable."""
    return kpi.hooks.parts(scope)


def finish_parts(kpi: KpiDef, scope: Scope, parts: Sequence[pd.DataFrame]) -> list[KpiValue]:
    """Rows of one KPI in one scope from the parts of one or more slices."""
    label = scope.period.label
    unit = kpi.unit_for(scope.config.currency)
    dimension = scope.dimension
    merged = merge_parts(list(parts), kpi.hooks.merge)
    result = kpi.hooks.finish(merged) if len(merged) else None
    if kpi.fixed_dimension is not None:
        groups = set(result.index) if result is not None else set()
    else:
        groups = set().union(*(scope.groups_of(t) for t in kpi.tables if scope.has(t)))
        if result is not None:
            groups |= set(result.index)
    records: dict = {}
    if result is not None:  # group -> (value, n, reason), without a dict per row
        reasons = result["reason"] if "reason" in result.columns else [None] * len(result)
        records = dict(
            zip(
                result.index,
                zip(result["value"].to_numpy(), result["n"].to_numpy(), reasons, strict=True),
                strict=True,
            )
        )
    if kpi.fixed_dimension is not None and not groups:
        return [unavailable(kpi, scope, kpi.empty.format(period=label))]
    rows: list[KpiValue] = []
    for group in sorted(groups, key=segment_order):
        value: float | int | None = None
        n: int | None = 0
        reason: str | None = None
        record = records.get(group)
        if record is not None:
            n = int(record[1])
            if not np.isnan(record[0]):
                value = _number(float(record[0]), unit)
            else:
                reason = record[2]
        if value is None and kpi.hooks.zero_when_empty and reason is None:
            value = 0
        if value is None and reason is None:
            reason = kpi.empty
        segment = OVERALL if dimension == OVERALL else group
        rows.append(
            KpiValue(
                label,
                dimension,
                segment,
                kpi.id,
                value,
                unit,
                n,
                None if reason is None else reason.format(period=label),
            )
        )
    return rows


def _number(value: float, unit: str) -> float | int:
    return int(value) if unit == "count" and value.is_integer() else value


def unavailable(kpi: KpiDef, scope: Scope, reason: str) -> KpiValue:
    """A not-available row; csat_by_question keeps dimension question with segment all."""
    dimension = kpi.fixed_dimension or scope.dimension
    return KpiValue(
        scope.period.label,
        dimension,
        OVERALL,
        kpi.id,
        None,
        kpi.unit_for(scope.config.currency),
        None,
        reason,
    )


def kpi_rows(kpi: KpiDef, scope: Scope) -> list[KpiValue]:
    """One KPI in one scope: its rows, or one not-available row (overall only)."""
    if not breaks_down(kpi, scope):
        return []
    try:
        parts = kpi_parts(kpi, scope)
        return finish_parts(kpi, scope, [parts])
    except Unavailable as why:
        if scope.column is None or kpi.fixed_dimension is not None:
            return [unavailable(kpi, scope, str(why))]
        return []


# Tables from this many rows have their KPIs evaluated in two threads: numpy and Arrow release
# the GIL in the array work that dominates them. Up to a size: two threads hold their working
# arrays at once, and on larger tables that would raise the report's peak memory well above
# what loading them took (at 10M rows two threads keep the whole report's peak at 2.25–2.31
# GiB, with counts held narrow and the heap reused).
PARALLEL_ROWS = 200_000
PARALLEL_ROWS_AT_MOST = 12_000_000


def _rows_of(kpis: Sequence[KpiDef], scope: Scope) -> list[KpiValue]:
    """Every KPI's rows in the scope, in the order of ``kpis``."""
    return [row for rows in each_kpi(kpis, scope, kpi_rows) for row in rows]


def each_kpi(kpis: Sequence[KpiDef], scope: Scope, work: Callable[[KpiDef, Scope], T]) -> list[T]:
    """``work(kpi, scope)`` for every KPI, in the order of ``kpis``; in two threads when the
    scope's tables are large enough to repay them."""
    tickets = scope.tables.get("tickets")
    others = [scope.tables[t] for t in ("calls", "surveys") if t in scope.tables]
    if (
        tickets is None
        or not PARALLEL_ROWS <= len(tickets) <= PARALLEL_ROWS_AT_MOST
        or sum(len(f) for f in others) < PARALLEL_ROWS
    ):
        return [work(kpi, scope) for kpi in kpis]
    # Two threads work through one list from its two ends: the KPIs of tickets alone from the
    # front, the rest from the back, so each mostly reads its own tables' memos; whichever is
    # done first goes on into the other's part (a breakdown's ticket KPIs cost the most).
    # Rows keep catalogue order.
    ticket_only = [i for i, kpi in enumerate(kpis) if kpi.tables == ("tickets",)]
    order = _paired(kpis, ticket_only + [i for i in range(len(kpis)) if i not in set(ticket_only)])
    lock = threading.Lock()
    ends = [0, len(order)]  # the next task from the front; one past the next from the back

    def take(front: bool) -> list[int] | None:
        with lock:
            if ends[0] >= ends[1]:
                return None
            if front:
                ends[0] += 1
                return order[ends[0] - 1]
            ends[1] -= 1
            return order[ends[1]]

    def evaluate(front: bool) -> dict[int, T]:
        done: dict[int, T] = {}
        while (task := take(front)) is not None:
            done.update({i: work(kpis[i], scope) for i in task})
            forget_recent(scope)
        return done

    with ThreadPoolExecutor(max_workers=1) as pool:
        from_front = pool.submit(evaluate, True)
        by_index = evaluate(False)
        by_index.update(from_front.result())
    return [by_index[i] for i in range(len(kpis))]


def _paired(kpis: Sequence[KpiDef], indexes: list[int]) -> list[list[int]]:
    """``indexes`` as tasks: one KPI each, but the percentiles of one duration together (one
    thread lays out a duration's values by group once and reads both percentiles from it)."""
    tasks: list[list[int]] = []
    for i in indexes:
        previous = tasks[-1][-1] if tasks else None
        if previous is not None and _same_values(kpis[previous], kpis[i]):
            tasks[-1].append(i)
        else:
            tasks.append([i])
    return tasks


def _same_values(a: KpiDef, b: KpiDef) -> bool:
    return a.hooks.statistic == b.hooks.statistic == "quantile" and a.inputs == b.inputs


def _block(
    tables: Mapping[str, pd.DataFrame],
    period: Period,
    dimension: str,
    config: Config,
    kpis: Sequence[KpiDef],
    shared: dict | None = None,
    cache: dict | None = None,
) -> list[KpiValue]:
    scope = Scope(tables, period, dimension, config, shared=shared, cache=cache)
    rows = _rows_of(kpis, scope)
    if dimension == OVERALL:
        return rows
    # Segment-major order inside a breakdown block; the sort is stable so KPIs keep catalogue order.
    return sorted(rows, key=lambda r: segment_order(r.segment))


def compute(
    tables: Mapping[str, pd.DataFrame], periods: Sequence[Period], by: Sequence[str], config: Config
) -> list[KpiValue]:
    """Every KPI of the registry for every period, overall and per breakdown dimension."""
    dimensions = check_dimensions(by)
    order = [OVERALL, *dimensions] if QUESTION in dimensions else [OVERALL, QUESTION, *dimensions]
    tables = {name: frame for name, frame in tables.items() if frame is not None}
    rows: list[KpiValue] = []
    cache: dict = {}  # facts of every row (group codes, …), computed once for every period
    for period in periods:
        shared: dict = {}  # the period's records, selected once for every dimension
        for dimension in order:
            kpis = REGISTRY
            if dimension == QUESTION and QUESTION not in dimensions:
                kpis = [k for k in REGISTRY if k.fixed_dimension == QUESTION]
            rows.extend(_block(tables, period, dimension, config, kpis, shared, cache))
    return rows


def kpi_samples(
    tables: Mapping[str, pd.DataFrame],
    period: Period,
    kpi_id: str,
    dimension: str,
    segment: str,
    config: Config,
) -> np.ndarray | None:
    """The per-record values a mean, share (as 0/100), percentile, maximum or NPS (as −100/0/100)
    is computed from, for one group; None when the KPI has no such values or is not available."""
    kpi = BY_ID[kpi_id]
    if kpi.hooks.samples is None:
        return None
    if dimension != OVERALL:
        dimension = check_dimensions([dimension])[0]
    scope = Scope({k: v for k, v in tables.items() if v is not None}, period, dimension, config)
    if not breaks_down(kpi, scope):
        return None
    try:
        frame = kpi.hooks.samples(scope)
    except Unavailable:
        return None
    mask = frame[SEG].to_numpy() == (OVERALL if dimension == OVERALL else segment)
    picked = frame["x"].to_numpy(dtype="float64")[mask]
    return picked[~np.isnan(picked)]
