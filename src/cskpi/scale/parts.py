"""KPIs over a period whose records arrive in chunks: mergeable parts per chunk, finished once.

Each chunk holds some rows of some tables (a row-group batch of one file, a Dask partition). For
every period × breakdown × KPI, :meth:`PartsAccumulator.add` reduces the chunk with the KPI's
``parts`` hook (cskpi.metrics.aggregate) and keeps the groups it saw; :meth:`PartsAccumulator.merge`
combines two accumulators (e.g. from two workers); :meth:`PartsAccumulator.rows` finishes every KPI
into the same tidy rows, in the same order, as :func:`cskpi.metrics.engine.compute` over all rows.

Additive parts (counts, sums, maxima) are folded as they arrive, so they cost one row per group.
Exact percentiles need every value of their period: those parts are kept as float64 arrays per
group, 8 bytes per record and KPI; distinct counts keep their ids the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cskpi.config import Config
from cskpi.metrics.aggregate import merge_parts
from cskpi.metrics.engine import (
    QUESTION,
    breaks_down,
    check_dimensions,
    each_kpi,
    finish_parts,
    segment_order,
    unavailable,
)
from cskpi.metrics.periods import Period
from cskpi.metrics.registry import BY_ID, REGISTRY, KpiDef
from cskpi.metrics.results import KpiValue
from cskpi.metrics.scope import OVERALL, SEG, Scope, Unavailable


def dimension_order(by: Sequence[str]) -> list[str]:
    """Breakdown blocks in the engine's order (the question block right after the overall one)."""
    dimensions = check_dimensions(by)
    return [OVERALL, *dimensions] if QUESTION in dimensions else [OVERALL, QUESTION, *dimensions]


def block_kpis(dimension: str, by: Sequence[str]) -> list[KpiDef]:
    if dimension == QUESTION and QUESTION not in check_dimensions(by):
        return [k for k in REGISTRY if k.fixed_dimension == QUESTION]
    return list(REGISTRY)


@dataclass
class _Values:
    """Per-record values of one KPI (percentiles): float64 arrays per group."""

    by_group: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, part: pd.DataFrame) -> None:
        x = part["x"].to_numpy(dtype="float64")
        seg = part[SEG].to_numpy()
        for group in pd.unique(seg):
            self.by_group.setdefault(group, []).append(x[seg == group])

    def merge(self, other: _Values) -> None:
        for group, arrays in other.by_group.items():
            self.by_group.setdefault(group, []).extend(arrays)

    def frame(self) -> pd.DataFrame:
        groups = list(self.by_group)
        arrays = [np.concatenate(self.by_group[g]) for g in groups]
        x = np.concatenate(arrays) if arrays else np.empty(0)
        if all(isinstance(g, str) for g in groups):
            # The labels as a categorical of the groups in order: a code per value, not a text
            # (the percentiles read the codes; 2M texts took longer than the percentiles).
            codes = np.repeat(np.arange(len(groups), dtype=np.int32), [len(a) for a in arrays])
            labels = pd.Categorical.from_codes(codes, categories=pd.Index(groups, dtype=object))
            return pd.DataFrame({SEG: labels, "x": x})
        labels = np.repeat(np.array(groups, dtype=object), [len(a) for a in arrays])
        return pd.DataFrame({SEG: labels, "x": x})


@dataclass
class _KpiState:
    merge: str
    summed: pd.DataFrame | None = None
    values: _Values | None = None
    rows: list[pd.DataFrame] = field(default_factory=list)
    reason: str | None = None

    def add(self, part: pd.DataFrame) -> None:
        if self.merge == "sum":
            frames = [part] if self.summed is None else [self.summed, part]
            self.summed = merge_parts(frames, "sum")
        elif list(part.columns) == [SEG, "x"]:
            self.values = self.values or _Values()
            self.values.add(part)
        else:
            self.rows.append(part)

    def merge_with(self, other: _KpiState) -> None:
        self.reason = self.reason or other.reason
        if other.summed is not None:
            self.add(other.summed)
        if other.values is not None:
            self.values = self.values or _Values()
            self.values.merge(other.values)
        self.rows.extend(other.rows)

    def parts(self) -> list[pd.DataFrame]:
        out = [f for f in (self.summed,) if f is not None]
        if self.values is not None:
            out.append(self.values.frame())
        return out + self.rows


class _MergedScope:
    """What finish_parts needs of a scope once the records are gone: the period and the groups."""

    def __init__(
        self,
        period: Period,
        dimension: str,
        config: Config,
        tables: set[str],
        groups: Mapping[str, set[str]],
    ) -> None:
        self.period = period
        self.dimension = dimension
        self.config = config
        self._tables = tables
        self._groups = groups

    def has(self, table: str, column: str | None = None) -> bool:
        return table in self._tables

    def groups_of(self, table: str) -> set[str]:
        return set(self._groups.get(table, set()))


class PartsAccumulator:
    """Mergeable KPI parts for ``periods`` × breakdowns, fed chunk by chunk.

    ``template`` has an (empty or not) frame with the full column set of every table present; a
    chunk that lacks a table gets its empty frame, so every chunk sees the same tables and columns.
    """

    def __init__(
        self,
        template: Mapping[str, pd.DataFrame],
        periods: Sequence[Period],
        by: Sequence[str],
        config: Config,
        *,
        settle: bool = True,
    ) -> None:
        self.template = {
            name: frame.iloc[0:0] for name, frame in template.items() if frame is not None
        }
        self.periods = list(periods)
        self.by = list(by)
        self.config = config
        self.states: dict[tuple[str, str, str], _KpiState] = {}
        self.groups: dict[tuple[str, str, str], set[str]] = {}
        self.chunks = 0
        # One pass over no rows settles which KPIs are not available and why (a matter of tables
        # and columns, never of values), so chunks only need to feed the KPIs their rows touch.
        # A worker's accumulator skips this; the one that finishes must not.
        if settle:
            self._add(self.template, every_kpi=True)
        self.chunks = 0

    def _filled(self, chunk: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        return {
            name: (chunk[name] if chunk.get(name) is not None else empty)
            for name, empty in self.template.items()
        }

    def add(
        self, chunk: Mapping[str, pd.DataFrame], *, open_tickets: bool = False
    ) -> PartsAccumulator:
        """Reduce a chunk into the parts. ``open_tickets``: the chunk holds only tickets open
        across every period of the accumulator (created before its start, not resolved before
        its end), which only the KPIs that count open tickets select; the others skip them."""
        return self._add(self._filled(chunk), every_kpi=False, open_tickets=open_tickets)

    def _add(
        self, tables: dict[str, pd.DataFrame], *, every_kpi: bool, open_tickets: bool = False
    ) -> PartsAccumulator:
        self.chunks += 1
        with_rows = {name for name, frame in tables.items() if len(frame)}
        cache: dict = {}  # the chunk's per-row facts (group codes, …), for every period
        for period in self.periods:
            shared: dict = {}  # the period's records of the chunk, selected once per breakdown
            for dimension in dimension_order(self.by):
                scope = Scope(tables, period, dimension, self.config, shared=shared, cache=cache)
                for table in tables if every_kpi else with_rows:
                    key = (period.label, dimension, table)
                    self.groups.setdefault(key, set()).update(scope.groups_of(table))
                wanted: list[KpiDef] = []
                for kpi in block_kpis(dimension, self.by):
                    if not breaks_down(kpi, scope):
                        continue
                    if not every_kpi and not with_rows.intersection(kpi.tables):
                        continue
                    if open_tickets and not kpi.counts_open_tickets:
                        continue
                    state = self.states.setdefault(
                        (period.label, dimension, kpi.id), _KpiState(kpi.hooks.merge)
                    )
                    if state.reason is None:
                        wanted.append(kpi)
                # In two threads on large chunks, as the in-memory engine evaluates them.
                for kpi, part in zip(wanted, each_kpi(wanted, scope, _parts), strict=True):
                    state = self.states[(period.label, dimension, kpi.id)]
                    if isinstance(part, Unavailable):
                        state.reason = str(part)
                    else:
                        state.add(part)
        return self

    def merge(self, other: PartsAccumulator) -> PartsAccumulator:
        self.chunks += other.chunks
        for key, groups in other.groups.items():
            self.groups.setdefault(key, set()).update(groups)
        for key, state in other.states.items():
            if key in self.states:
                self.states[key].merge_with(state)
            else:
                self.states[key] = state
        return self

    def rows(self) -> list[KpiValue]:
        """Finished tidy rows; an accumulator that saw no chunk counts as one empty chunk."""
        if self.chunks == 0:
            self.add({})
        out: list[KpiValue] = []
        for period in self.periods:
            for dimension in dimension_order(self.by):
                out.extend(self._block(period, dimension))
        return out

    def _block(self, period: Period, dimension: str) -> list[KpiValue]:
        probe = Scope(self.template, period, dimension, self.config)
        groups = {t: self.groups.get((period.label, dimension, t), set()) for t in self.template}
        merged = _MergedScope(period, dimension, self.config, set(self.template), groups)
        rows: list[KpiValue] = []
        for kpi in block_kpis(dimension, self.by):
            if not breaks_down(kpi, probe):
                continue
            state = self.states.get((period.label, dimension, kpi.id))
            if state is None:
                continue
            if state.reason is not None:
                if dimension == OVERALL or kpi.fixed_dimension is not None:
                    rows.append(unavailable(kpi, probe, state.reason))
                continue
            rows.extend(finish_parts(kpi, merged, state.parts()))  # type: ignore[arg-type]
        if dimension == OVERALL:
            return rows
        return sorted(rows, key=lambda r: segment_order(r.segment))


def _parts(kpi: KpiDef, scope: Scope) -> pd.DataFrame | Unavailable:
    try:
        return kpi.hooks.parts(scope)
    except Unavailable as why:
        return why


def compute_chunked(
    chunks: Iterable[Mapping[str, pd.DataFrame]],
    template: Mapping[str, pd.DataFrame],
    periods: Sequence[Period],
    by: Sequence[str],
    config: Config,
) -> list[KpiValue]:
    """Every KPI for ``periods`` from chunks of rows, as engine.compute gives over their union."""
    accumulator = PartsAccumulator(template, periods, by, config)
    for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.rows()


__all__ = ["BY_ID", "PartsAccumulator", "block_kpis", "compute_chunked", "dimension_order"]
