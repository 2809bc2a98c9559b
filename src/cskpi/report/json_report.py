"""The JSON report: every row plus what a reader needs to trust it (versions, inputs, reasons).

Numbers are JSON numbers (NaN becomes null), keys keep a fixed order, and nothing depends on the
clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any

from cskpi.metrics.results import ReportResult
from cskpi.report.formatting import row_key

SCHEMA_VERSION = 1


def _number(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    number = float(value)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _row(result: ReportResult, row: Any) -> dict[str, Any]:
    key = row_key(row)
    out: dict[str, Any] = {
        "period": row.period,
        "dimension": row.dimension,
        "segment": row.segment,
        "kpi": row.kpi,
        "value": _number(row.value),
        "unit": row.unit,
        "n": _number(row.n),
    }
    if row.value is None or out["value"] is None:
        out["reason"] = row.reason or "not available"
    if key in result.targets:
        target, status = result.targets[key]
        out["target"] = target
        out["status"] = status
    comparison = result.comparisons.get(key)
    if comparison is not None:
        out["previous"] = _number(comparison.previous)
        out["change"] = _number(comparison.change)
        out["significant"] = comparison.significant
        out["test"] = comparison.test
        out["p_value"] = _number(comparison.p_value)
        out["q_value"] = _number(comparison.q_value)
        if comparison.interval is not None:
            out["change_interval"] = [_number(bound) for bound in comparison.interval]
    return out


def report_document(result: ReportResult) -> dict[str, Any]:
    """The JSON document as a dict (shared by the JSON and HTML renderers)."""
    meta = result.meta
    tests = sorted(
        {
            c.test
            for c in result.comparisons.values()
            if c.test and not c.test.startswith("not tested")
        }
    )
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "cskpi", "version": meta.get("tool_version")},
        "definitions_version": meta.get("definitions_version"),
        "periods": list(result.periods),
        "tz": result.tz,
        "currency": meta.get("currency"),
        "breakdowns": list(meta.get("by", [])),
        "config": meta.get("config", {}),
        "inputs": [dict(f) for f in meta.get("files", [])],
        "redacted": bool(meta.get("redacted", False)),
    }
    if result.comparisons:
        document["comparison"] = {"baseline": meta.get("baseline"), "tests": tests}
    if result.targets:
        document["targets"] = meta.get("config", {}).get("targets", {})
    document["rows"] = [_row(result, row) for row in result.rows]
    return document


def render_json(result: ReportResult) -> str:
    return (
        json.dumps(
            report_document(result), ensure_ascii=False, indent=2, allow_nan=False, default=str
        )
        + "\n"
    )
