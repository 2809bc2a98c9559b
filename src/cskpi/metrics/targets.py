"""Targets a team sets per KPI (``[targets]`` in cskpi.toml, e.g. ``csat = ">= 85"``).

A target is a comparison operator and a number in the KPI's own unit. Every report row of that
KPI — overall and per breakdown group — is marked met, missed, or n/a when the value is not
available.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cskpi.errors import ConfigError
from cskpi.metrics.results import KpiValue

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "==": lambda value, bound: math.isclose(value, bound, rel_tol=1e-9, abs_tol=1e-9),
}
_SPELLINGS = {"≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
_TARGET = re.compile(r"^\s*(<=|>=|==|<|>|≤|≥|=<|=>)\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*%?\s*$")

MET, MISSED, NOT_AVAILABLE = "met", "missed", "n/a"
TARGET_HELP = (
    'write an operator (<=, >=, <, >, ==) and a number in the KPI\'s unit, e.g. "<= 4" or ">= 85"'
)


@dataclass(frozen=True)
class Target:
    op: str  # one of OPERATORS
    bound: float

    @property
    def text(self) -> str:
        """The target as shown in reports: ``">= 85"``, ``"<= 4.5"``."""
        number = f"{self.bound:.6f}".rstrip("0").rstrip(".")
        return f"{self.op} {'0' if number == '-0' else number}"

    def is_met(self, value: float) -> bool:
        return OPERATORS[self.op](float(value), self.bound)


def parse_target(text: str) -> Target:
    """Read ``"<= 4"``, ``">= 85"``, ``"< 5"``, ``"> 1"`` or ``"== 0"`` (≤ and ≥ work too)."""
    match = _TARGET.match(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(f"target {text!r} is not understood: {TARGET_HELP}")
    op = _SPELLINGS.get(match.group(1), match.group(1))
    bound = float(match.group(2))
    if not math.isfinite(bound):
        raise ConfigError(f"target {text!r} has a number too large to compare: {TARGET_HELP}")
    return Target(op, bound)


def evaluate_targets(
    rows: list[KpiValue], targets: Mapping[str, str]
) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """(period, dimension, segment, kpi) -> (target text, "met" | "missed" | "n/a").

    Only rows whose KPI has a target appear. A row without a value is "n/a".
    """
    parsed = {kpi: parse_target(text) for kpi, text in targets.items()}
    marks: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for row in rows:
        target = parsed.get(row.kpi)
        if target is None:
            continue
        if row.value is None or (isinstance(row.value, float) and math.isnan(row.value)):
            status = NOT_AVAILABLE
        else:
            status = MET if target.is_met(row.value) else MISSED
        marks[(row.period, row.dimension, row.segment, row.kpi)] = (target.text, status)
    return marks


def any_missed(marks: Mapping[tuple[str, str, str, str], tuple[str, str]]) -> bool:
    """True when some row missed its target (what ``--fail-on-miss`` turns into exit code 1)."""
    return any(status == MISSED for _, status in marks.values())
