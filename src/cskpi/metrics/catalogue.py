"""The KPI catalogue as text, built from the registry: Markdown (docs/kpis.md), JSON and plain rows.

``python -m cskpi.metrics.catalogue > docs/kpis.md`` regenerates the documentation.
"""

from __future__ import annotations

import json

from cskpi.metrics.registry import REGISTRY, KpiDef

AREAS = (
    ("satisfaction", "Satisfaction (service quality)"),
    ("value", "Value (cost and return)"),
    ("efficiency", "Efficiency (operations)"),
)
ARROWS = {"up": "↑", "down": "↓", "none": "·"}


def kpi_catalogue() -> dict[str, dict[str, str]]:
    """Label, area, unit and direction of every registered KPI, as the renderers read them."""
    return {
        d.id: {
            "label": d.label,
            "area": str(d.area),
            "unit": str(d.unit),
            "direction": str(d.direction),
        }
        for d in REGISTRY
    }


def as_dict(kpi: KpiDef) -> dict[str, object]:
    return {
        "id": kpi.id,
        "label": kpi.label,
        "area": kpi.area,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "formula": kpi.formula,
        "inputs": list(kpi.inputs),
    }


def to_json() -> str:
    return json.dumps([as_dict(k) for k in REGISTRY], ensure_ascii=False, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown() -> str:
    lines = [
        "# KPI catalogue",
        "",
        "Generated from `cskpi.metrics.registry` by `python -m cskpi.metrics.catalogue` "
        "(also `cskpi kpis --format md`); do not edit by hand.",
        "",
        "Rates are percentages 0–100, ticket durations hours, call durations seconds; "
        "`currency` is "
        "the configured currency code (EUR unless `cskpi.toml` says otherwise). "
        "↑ higher is better, "
        "↓ lower is better, · neither.",
    ]
    for area, title in AREAS:
        lines += [
            "",
            f"## {title}",
            "",
            "| id | label | unit | dir | definition | inputs |",
            "|---|---|---|---|---|---|",
        ]
        for kpi in (k for k in REGISTRY if k.area == area):
            inputs = ", ".join(f"`{i}`" for i in kpi.inputs)
            lines.append(
                f"| `{kpi.id}` | {_cell(kpi.label)} | {kpi.unit} | {ARROWS[kpi.direction]} "
                f"| {_cell(kpi.formula)} | {inputs} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(to_markdown(), end="")
