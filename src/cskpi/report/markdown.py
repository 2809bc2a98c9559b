"""The Markdown report: pipe tables per area, for a wiki page or a pull-request comment.

Text from the data (group names, reasons) is escaped so it cannot break the table or inject HTML.
"""

from __future__ import annotations

import re

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.report.formatting import (
    area_title,
    currency,
    for_people,
    human_change,
    human_n,
    human_reason,
    human_value,
    kpi_info,
    report_facts,
    row_key,
    rows_by_area,
    segment_label,
    word,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")


def escape_markdown(text: str) -> str:
    """Backslash every character Markdown (or its inline HTML) could read as syntax; no newlines."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _ordered(rows: list[KpiValue]) -> list[KpiValue]:
    first_seen = {row.kpi: i for i, row in reversed(list(enumerate(rows)))}
    return sorted(rows, key=lambda row: (first_seen[row.kpi], row.dimension != "all"))


def _table(result: ReportResult, rows: list[KpiValue]) -> list[str]:
    with_comparison = bool(result.comparisons)
    with_targets = bool(result.targets)
    header = [word("kpi"), word("group"), word("value"), word("n")]
    if with_comparison:
        header += [word("previous"), word("change")]
    if with_targets:
        header += [word("target"), word("status")]
    header.append(word("note"))
    align = (
        ["---", "---", "---:", "---:"]
        + ["---:", "---:"] * with_comparison
        + ["---", "---"] * with_targets
        + ["---"]
    )
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    money = currency(result)
    for row in _ordered(rows):
        info = kpi_info(result, row.kpi)
        key = row_key(row)
        cells = [
            escape_markdown(info["label"]),
            escape_markdown(segment_label(row)),
            escape_markdown(human_value(row.value, info["unit"], money)),
            human_n(row.n),
        ]
        if with_comparison:
            comparison = result.comparisons.get(key)
            cells.append(
                escape_markdown(
                    human_value(comparison.previous if comparison else None, info["unit"], money)
                )
            )
            change = escape_markdown(
                human_change(comparison.change if comparison else None, info["unit"])
            )
            cells.append(
                change + (" \\*" if comparison is not None and comparison.significant else "")
            )
        if with_targets:
            target, status = result.targets.get(key, ("", ""))
            cells += [
                escape_markdown(target),
                f"**{word(status)}**"
                if status == "missed"
                else (word(status) if status == "met" else status),
            ]
        cells.append("" if row.value is not None else escape_markdown(human_reason(row.reason)))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(result: ReportResult) -> str:
    periods = result.periods or sorted({row.period for row in result.rows})
    lines = [f"# {word('report_title')}: {escape_markdown(', '.join(periods))}", ""]
    facts = [escape_markdown(fact) for fact in report_facts(result)]
    lines += [" · ".join(facts), ""]
    for period in periods:
        period_rows = for_people([row for row in result.rows if row.period == period])
        if len(periods) > 1:
            lines += [f"## {escape_markdown(period)}", ""]
        for area, rows in rows_by_area(result, period_rows).items():
            level = "###" if len(periods) > 1 else "##"
            lines += (
                [f"{level} {escape_markdown(area_title(area))}", ""] + _table(result, rows) + [""]
            )
    if any(c.significant for c in result.comparisons.values()):
        lines += [f"\\* {word('significant_note')}", ""]
    files = result.meta.get("files", [])
    if files:
        lines += [
            f"## {word('inputs')}",
            "",
            "| File | Table | Rows read | Used | Rejected |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {escape_markdown(str(f.get('path', '')))}"
            f" | {escape_markdown(str(f.get('table', '')))}"
            f" | {f.get('rows_read', 0):,} | {f.get('rows_used', 0):,}"
            f" | {f.get('rows_rejected', 0):,} |"
            for f in files
        ]
        lines.append("")
    return "\n".join(lines)
