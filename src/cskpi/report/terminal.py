"""The terminal report: one Rich table per area, values in their units, reasons where missing.

Colour and box characters only when asked (a TTY without NO_COLOR); piped output stays plain text.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.report.formatting import (
    area_title,
    change_is_good,
    currency,
    for_people,
    human_change,
    human_n,
    human_reason,
    human_value,
    kpi_info,
    row_key,
    rows_by_area,
    segment_label,
    word,
)


def _significance(result: ReportResult, row: KpiValue) -> str:
    comparison = result.comparisons.get(row_key(row))
    if comparison is None or comparison.significant is None:
        return ""
    return "*" if comparison.significant else ""


def _status(status: str) -> str:
    return word(status) if status in ("met", "missed") else status


def _ordered(rows: list[KpiValue]) -> list[KpiValue]:
    """Each KPI's overall row first, then its groups, KPIs in the order the engine gave them."""
    first_seen = {row.kpi: i for i, row in reversed(list(enumerate(rows)))}
    return sorted(rows, key=lambda row: (first_seen[row.kpi], row.dimension != "all"))


def _area_table(
    result: ReportResult, area: str, rows: list[KpiValue], *, fancy: bool, width: int
) -> tuple[Table, list[str]]:
    """The area's table and the reasons that did not fit in it (narrow terminals)."""
    with_comparison = bool(result.comparisons)
    with_targets = bool(result.targets)
    with_notes = width >= 100
    with_previous = with_comparison and width >= 80
    table = Table(
        title=area_title(area),
        title_justify="left",
        box=box.SIMPLE_HEAD if fancy else None,
        show_edge=False,
        pad_edge=False,
        expand=False,
        title_style="bold" if fancy else "",
        header_style="bold" if fancy else "",
    )
    table.add_column(word("kpi"), overflow="fold", min_width=14)
    table.add_column(word("value"), justify="right", no_wrap=True)
    table.add_column(word("n"), justify="right", no_wrap=True)
    if with_previous:
        table.add_column(word("previous"), justify="right", no_wrap=True)
    if with_comparison:
        table.add_column(word("change"), justify="right", no_wrap=True)
    if with_targets:
        table.add_column(word("target"), no_wrap=True)
    if with_notes:
        table.add_column(word("note"), overflow="fold", min_width=12)

    money = currency(result)
    footnotes: list[str] = []
    with_overall = {row.kpi for row in rows if row.dimension == "all"}
    for row in _ordered(rows):
        info = kpi_info(result, row.kpi)
        key = row_key(row)
        label = (
            info["label"]
            if row.dimension == "all"
            else f"  {segment_label(row)}"
            if row.kpi in with_overall
            else f"{info['label']}: {segment_label(row)}"
        )
        # Text objects are never parsed as markup, so data text cannot inject styles.
        cells: list[Text] = [Text(label)]
        value_text = human_value(row.value, info["unit"], money)
        reason = "" if row.value is not None else human_reason(row.reason)
        if reason and not with_notes:
            footnotes.append(
                f"{info['label']}"
                f"{'' if row.dimension == 'all' else ' (' + segment_label(row) + ')'}"
                f": {reason}"
            )
        cells.append(Text(value_text))
        cells.append(Text(human_n(row.n)))
        if with_comparison:
            comparison = result.comparisons.get(key)
            previous = comparison.previous if comparison else None
            change = comparison.change if comparison else None
            good = change_is_good(change, info["direction"])
            style = "" if not fancy or good is None else ("green" if good else "red")
            if with_previous:
                cells.append(Text(human_value(previous, info["unit"], money)))
            cells.append(
                Text(human_change(change, info["unit"]) + _significance(result, row), style=style)
            )
        if with_targets:
            target, status = result.targets.get(key, ("", ""))
            status_style = (
                "" if not fancy else {"met": "green", "missed": "bold red"}.get(status, "")
            )
            cells.append(
                Text(f"{_status(status)} ({target})" if status else "", style=status_style)
            )
        if with_notes:
            cells.append(Text(reason, style="dim" if fancy else ""))
        table.add_row(*cells)
    return table, footnotes


def text_console(buffer: io.StringIO, *, width: int, color: bool) -> Console:
    """A Rich console that writes into ``buffer``: fixed width, colour only when asked, and no
    markup, emoji or highlighting taken from the data's text."""
    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def render_table(result: ReportResult, *, width: int = 100, color: bool = False) -> str:
    """The report as terminal text, ``width`` columns wide; colour and box lines with ``color``."""
    buffer = io.StringIO()
    console = text_console(buffer, width=width, color=color)
    periods = result.periods or sorted({row.period for row in result.rows})
    header = f"cskpi report · {', '.join(periods)} · {result.tz}"
    if result.meta.get("baseline"):
        header += f" · compared with {result.meta['baseline']}"
    console.print(Text(header, style="bold" if color else ""))
    for period in periods:
        period_rows = for_people([row for row in result.rows if row.period == period])
        if len(periods) > 1:
            console.print()
            console.print(
                Text(f"{word('period')} {period}", style="bold underline" if color else "")
            )
        for area, rows in rows_by_area(result, period_rows).items():
            console.print()
            table, footnotes = _area_table(result, area, rows, fancy=color, width=width)
            console.print(table)
            for note in footnotes:
                console.print(Text(f"  — {note}", style="dim" if color else ""))
    if result.comparisons and any(c.significant for c in result.comparisons.values()):
        console.print()
        console.print(Text(f"* {word('significant_note')}"))
    missed = sum(1 for _, status in result.targets.values() if status == "missed")
    if result.targets:
        console.print()
        console.print(
            Text(
                word("targets_summary").format(met=len(result.targets) - missed, missed=missed),
                style=("bold red" if missed else "green") if color else "",
            )
        )
    return buffer.getvalue()
