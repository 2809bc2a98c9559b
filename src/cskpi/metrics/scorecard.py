"""The scorecard: one row per agent (or team, channel, …), one column per KPI, per period.

Each cell holds the tidy row of that group and KPI (the same value and ``n`` as the tidy CSV),
whether it has too few records to read much into (``n < min_n``), its target status, and whether
the group differs significantly from the rest of the period's records. The tests are those of
``--compare`` (report.compare), the group against everyone else; the p-values of the whole table
are adjusted together with Benjamini–Hochberg, so a table of 20 agents × 10 KPIs does not flag
noise as a coaching need. compare() adjusts each period's tests on its own; the scorecard adjusts
their raw p-values once more, over every period of the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cskpi.metrics.compare import ALPHA, MIN_RECORDS, NPS_KPIS, benjamini_hochberg, compare
from cskpi.metrics.results import KpiValue
from cskpi.metrics.scope import NONE_GROUP, OVERALL

REST = "rest"  # the period label of the rest-of-the-period rows handed to compare()

# What a lead asks about each area first; `--kpi` chooses others.
DEFAULT_KPIS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("csat", "csat_average", "nps", "ces"),
    "efficiency": (
        "tickets_resolved",
        "first_response_hours_median",
        "first_response_sla_breaches",
        "first_response_sla_breach_rate",
        "resolution_hours_median",
        "resolution_sla_breach_rate",
        "first_contact_resolution_rate",
        "reopen_rate",
        "calls_answered",
        "average_handle_time",
    ),
    "value": ("hours_worked", "training_days_per_agent"),
}
DEFAULT_SET = (
    "csat",
    "nps",
    "tickets_resolved",
    "first_response_hours_median",
    "first_response_sla_breaches",
    "resolution_sla_breach_rate",
    "first_contact_resolution_rate",
    "reopen_rate",
    "average_handle_time",
)

# (period, kpi) -> (group label of each record, its value), or None when the KPI has none.
GroupSamples = Callable[[str, str], "tuple[np.ndarray, np.ndarray] | None"]


@dataclass
class Cell:
    value: float | int | None
    n: int | None
    reason: str | None = None
    few: bool = False  # n below the scorecard's min_n: shown, but marked
    flag: str | None = None  # "better" | "worse": differs significantly from the rest
    p_value: float | None = None
    q_value: float | None = None  # Benjamini–Hochberg adjusted over the whole table
    test: str | None = None
    target: str | None = None
    status: str | None = None  # met | missed | n/a


@dataclass
class Scorecard:
    dimension: str
    kpis: list[str]
    periods: list[str]
    groups: dict[str, list[str]]  # period -> group labels in engine order
    cells: dict[tuple[str, str, str], Cell]  # (period, group, kpi)
    units: dict[str, str]
    min_n: int = MIN_RECORDS
    meta: dict = field(default_factory=dict)

    def cell(self, period: str, group: str, kpi: str) -> Cell:
        return self.cells.get((period, group, kpi)) or Cell(None, None, "no row for this group")


def build_scorecard(
    rows: Sequence[KpiValue],
    dimension: str,
    kpis: Sequence[str],
    *,
    samples: GroupSamples | None = None,
    targets: Mapping[tuple[str, str, str, str], tuple[str, str]] | None = None,
    min_n: int = MIN_RECORDS,
    directions: Mapping[str, str] | None = None,
) -> Scorecard:
    """A scorecard from the engine's rows over ``[dimension]`` (overall rows included).

    ``samples`` gives record-level values for the rank test of means and medians; ``targets``
    are the marks of report.targets.evaluate_targets over the same rows.
    """
    wanted = set(kpis)
    directions = directions or {}
    periods = list(dict.fromkeys(row.period for row in rows))
    overall = {(r.period, r.kpi): r for r in rows if r.dimension == OVERALL and r.kpi in wanted}
    mine = [r for r in rows if r.dimension == dimension and r.kpi in wanted]
    units = {r.kpi: r.unit for r in [*overall.values(), *mine]}
    cells: dict[tuple[str, str, str], Cell] = {}
    groups: dict[str, list[str]] = {p: [] for p in periods}
    for row in mine:
        if row.segment not in groups[row.period]:
            groups[row.period].append(row.segment)
        status = (targets or {}).get((row.period, row.dimension, row.segment, row.kpi))
        cells[(row.period, row.segment, row.kpi)] = Cell(
            row.value,
            row.n,
            row.reason,
            few=row.value is not None and (row.n or 0) < min_n,
            target=status[0] if status else None,
            status=status[1] if status else None,
        )
    for period in periods:
        groups[period] = [g for g in groups[period] if _holds_a_value(cells, period, g, kpis)]
    _flag(cells, mine, overall, samples, directions)
    return Scorecard(dimension, list(kpis), periods, groups, cells, units, min_n)


def _holds_a_value(cells: dict, period: str, group: str, kpis: Sequence[str]) -> bool:
    """A group is listed when one of its cells has a value from records (n > 0)."""
    return any(
        (c := cells.get((period, group, k))) is not None and c.value is not None and (c.n or 0) > 0
        for k in kpis
    )


def _rest(row: KpiValue, whole: KpiValue | None) -> KpiValue | None:
    """Everyone else in the period: shares, NPS and means are linear in their records."""
    if whole is None or whole.value is None or row.value is None:
        return None
    if whole.n is None or row.n is None or whole.n - row.n <= 0:
        return None
    rest_n = whole.n - row.n
    value = (float(whole.value) * whole.n - float(row.value) * row.n) / rest_n
    return KpiValue(REST, row.dimension, row.segment, row.kpi, value, row.unit, rest_n)


def _flag(
    cells: dict[tuple[str, str, str], Cell],
    rows: list[KpiValue],
    overall: dict[tuple[str, str], KpiValue],
    samples: GroupSamples | None,
    directions: Mapping[str, str],
) -> None:
    """Test each group against the rest of its period; flag what survives the FDR control."""
    tested: list[tuple[tuple[str, str, str], float, float]] = []  # key, p, signed difference
    cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray] | None] = {}

    def values(period: str, kpi: str) -> tuple[np.ndarray, np.ndarray] | None:
        if samples is None:
            return None
        if (period, kpi) not in cache:
            cache[(period, kpi)] = samples(period, kpi)
        return cache[(period, kpi)]

    for period in dict.fromkeys(r.period for r in rows):
        current, baseline = [], []
        for row in rows:
            if row.period != period or row.segment == NONE_GROUP:
                continue
            rest = _rest(row, overall.get((row.period, row.kpi)))
            linear = row.unit == "%" or row.kpi in NPS_KPIS
            if rest is None or not (linear or values(period, row.kpi) is not None):
                continue
            current.append(row)
            baseline.append(rest)

        def record_values(row: KpiValue, is_rest: bool, period: str = period) -> np.ndarray | None:
            found = values(period, row.kpi)
            if found is None:
                return None
            labels, x = found
            mask = labels != row.segment if is_rest else labels == row.segment
            picked = x[mask]
            return picked[~np.isnan(picked)]

        results = compare(current, baseline, samples=record_values)
        for row in current:
            result = results.get((row.period, row.dimension, row.segment, row.kpi))
            if result is None:
                continue
            cell = cells[(row.period, row.segment, row.kpi)]
            cell.test = result.test
            if result.p_value is None or math.isnan(result.p_value):
                continue
            cell.p_value = result.p_value
            difference = result.change or 0.0
            if result.interval is not None:  # a percentile's bootstrap interval of the difference
                difference = (result.interval[0] + result.interval[1]) / 2
            tested.append(((row.period, row.segment, row.kpi), result.p_value, difference))
    if not tested:
        return
    adjusted = benjamini_hochberg([p for _, p, _ in tested])
    for (key, _, difference), q in zip(tested, adjusted, strict=True):
        cell = cells[key]
        cell.q_value = q
        if q is not None and q < ALPHA and difference != 0:
            direction = directions.get(key[2], "none")
            if direction == "up":
                cell.flag = "better" if difference > 0 else "worse"
            elif direction == "down":
                cell.flag = "better" if difference < 0 else "worse"
            else:
                cell.flag = "higher" if difference > 0 else "lower"


def choose_kpis(kpis: Sequence[str] | None, area: str | None, known: Sequence[str]) -> list[str]:
    """The scorecard's columns: ``--kpi`` as given, else the default set of an area or of all."""
    from cskpi.errors import UsageError, did_you_mean

    if kpis:
        names = [k.strip() for value in kpis for k in value.split(",") if k.strip()]
        unknown = [k for k in names if k not in known]
        if unknown:
            hint = did_you_mean(unknown[0], known)
            raise UsageError(f"--kpi {unknown[0]!r} is not a KPI id. {hint}See `cskpi kpis`")
        return list(dict.fromkeys(names))
    if area is None:
        return list(DEFAULT_SET)
    key = area.strip().lower()
    if key not in DEFAULT_KPIS:
        raise UsageError(f"--area {area!r} is not an area. Use {', '.join(DEFAULT_KPIS)}")
    return list(DEFAULT_KPIS[key])


def group_samples(tables: Mapping, periods: Sequence, dimension: str, config) -> GroupSamples:
    """Record-level values of each KPI by group, one scope per period (metrics' samples hooks)."""
    from cskpi.metrics.engine import breaks_down
    from cskpi.metrics.registry import BY_ID
    from cskpi.metrics.scope import SEG, Scope, Unavailable

    present = {name: frame for name, frame in tables.items() if frame is not None}
    by_label = {p.label: p for p in periods}
    scopes: dict[str, Scope] = {}

    def get(period: str, kpi_id: str) -> tuple[np.ndarray, np.ndarray] | None:
        kpi = BY_ID[kpi_id]
        if kpi.hooks.samples is None or period not in by_label:
            return None
        if period not in scopes:
            scopes[period] = Scope(present, by_label[period], dimension, config)
        scope = scopes[period]
        if not breaks_down(kpi, scope):
            return None
        try:
            frame = kpi.hooks.samples(scope)
        except Unavailable:
            return None
        labels = frame[SEG].astype("object").to_numpy().astype(str)
        return labels, frame["x"].to_numpy(dtype="float64")

    return get


def scorecard_for(
    tables: Mapping,
    periods: Sequence,
    dimension: str,
    kpis: Sequence[str],
    config,
    *,
    tz: str,
    min_n: int = MIN_RECORDS,
    history=None,
    drop_empty: bool = False,
) -> Scorecard:
    """The library function behind ``cskpi scorecard``: compute, mark targets, test, build.

    ``history`` (report.history.History) adds the kept periods the raw data does not cover.
    ``drop_empty`` leaves out KPIs no group has a value for (a default column the dimension's
    records do not carry, such as survey KPIs by team); columns asked for by name stay.
    """
    from cskpi.metrics.catalogue import kpi_catalogue
    from cskpi.metrics.engine import check_dimensions, compute
    from cskpi.metrics.targets import evaluate_targets

    [dimension] = check_dimensions([dimension])
    rows = compute(tables, list(periods), [dimension], config) if periods else []
    labels = [p.label for p in periods]
    if history is not None:
        from cskpi.metrics.history import covered_periods, join, sort_periods
        from cskpi.metrics.periods import data_range

        rows = join(rows, periods, covered_periods(periods, data_range(tables)), history)
        labels = sort_periods(r.period for r in rows)
    wanted = set(kpis)
    rows = [r for r in rows if r.kpi in wanted and r.dimension in (OVERALL, dimension)]
    catalogue = kpi_catalogue()
    card = build_scorecard(
        rows,
        dimension,
        kpis,
        samples=group_samples(tables, periods, dimension, config),
        targets=evaluate_targets(rows, config.targets) if config.targets else None,
        min_n=min_n,
        directions={k: v["direction"] for k, v in catalogue.items()},
    )
    card.periods = labels
    if drop_empty:
        card.kpis = [
            k
            for k in card.kpis
            if any(c.value is not None for (_, _, kk), c in card.cells.items() if kk == k)
        ]
    card.meta.update(
        kpis={k: catalogue[k] for k in kpis},
        tz=tz,
        currency=config.currency,
        targets={k: t for k, t in config.targets.items() if k in wanted},
    )
    return card
