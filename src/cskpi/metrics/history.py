"""Kept summaries as the past: tidy CSVs written by earlier runs, joined with computed periods.

A scheduled job keeps each month's tidy CSV; ``--history`` reads them back so a trend or a
comparison reaches further back than the raw exports do. Periods computed from raw data win: a
kept row is used only for a period the raw data does not cover. A kept row whose KPI id is no
longer in the catalogue, or whose unit differs from the KPI's unit today (a changed definition or
currency), is left out and named in a note rather than mixed with today's values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cskpi.errors import UsageError
from cskpi.metrics.compare import load_baseline_csv
from cskpi.metrics.periods import label_kind, label_start
from cskpi.metrics.results import KpiValue


@dataclass
class History:
    rows: list[KpiValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        return sort_periods({row.period for row in self.rows})


def sort_periods(labels: Iterable[str]) -> list[str]:
    """Period labels in time order; a week, month and quarter starting the same day by length."""
    return sorted(set(labels), key=lambda p: (label_start(p) is None, label_start(p) or 0, p))


def history_files(paths: Sequence[Path]) -> list[Path]:
    """Every tidy CSV named: a file as given, a folder's *.csv files in name order."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.glob("*.csv") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(
                f"--history {str(path)!r}: no such file or folder. Give tidy CSVs kept from "
                "`cskpi report --format csv`, or the folder that holds them"
            )
    if not files:
        raise UsageError(
            f"--history {', '.join(map(str, paths))}: no .csv files there. Give the folder "
            "where the kept tidy CSVs are"
        )
    return files


def load_history(paths: Sequence[Path], units: dict[str, str]) -> History:
    """The kept rows of every file (a later file wins for the same row), checked against today's
    catalogue: ``units`` maps each KPI id to its unit now (currency filled in)."""
    history = History()
    kept: dict[tuple[str, str, str, str], KpiValue] = {}
    for path in history_files(paths):
        unknown: set[str] = set()
        changed: dict[str, tuple[str, str]] = {}
        for row in load_baseline_csv(path):
            if row.kpi not in units:
                unknown.add(row.kpi)
                continue
            if row.unit != units[row.kpi]:
                changed[row.kpi] = (row.unit, units[row.kpi])
                continue
            kept[(row.period, row.dimension, row.segment, row.kpi)] = row
        if unknown:
            history.notes.append(
                f"{path}: left out KPI id(s) not in the catalogue now: {', '.join(sorted(unknown))}"
            )
        for kpi, (was, now) in sorted(changed.items()):
            history.notes.append(
                f"{path}: left out {kpi}: kept in {was!r}, computed in {now!r} now"
            )
    history.rows = list(kept.values())
    return history


def covered_periods(periods: Sequence, data_range: tuple | None) -> set[str]:
    """The labels of the periods (metrics.periods.Period) that hold some raw record."""
    if data_range is None:
        return set()
    low, high = data_range
    return {p.label for p in periods if p.start <= high and p.end > low}


def join(
    computed: Sequence[KpiValue], periods: Sequence, covered: set[str], history: History
) -> list[KpiValue]:
    """Computed rows of the ``covered`` periods, kept rows of every other period, in time order.

    With computed ``periods`` (metrics.periods.Period), kept periods must have their form (months
    with months, weeks with weeks) and start before the last one ends; without, every kept
    period is used.
    """
    kinds = {label_kind(p.label) for p in periods}
    last = max((p.end.date() for p in periods), default=None)

    def wanted(label: str) -> bool:
        if label in covered:
            return False
        if not kinds:
            return True
        start = label_start(label)
        return label_kind(label) in kinds and start is not None and start < last

    rows = [row for row in computed if row.period in covered]
    rows += [row for row in history.rows if wanted(row.period)]
    order = {label: i for i, label in enumerate(sort_periods(row.period for row in rows))}
    return sorted(rows, key=lambda row: order[row.period])
