"""The scorecard as a terminal table, CSV, JSON, XLSX or HTML heat table.

CSV cells are the tidy CSV's values (``plain_number``); every human output marks a cell with
too few records (°), one that differs significantly from the rest of the period (▲ better,
▼ worse; ↑/↓ for KPIs without a good direction) and a missed target (!).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from typing import Any

from cskpi.metrics.scorecard import Cell, Scorecard
from cskpi.report.formatting import (
    current_language,
    human_reason,
    human_value,
    kpi_info,
    language,
    neutralise_formula,
    plain_number,
    word,
)

FORMATS = ("table", "csv", "json", "xlsx", "html")
MARKS = {"better": "▲", "worse": "▼", "higher": "↑", "lower": "↓"}
FEW = "°"
MISSED = "!"


def legend(card: Scorecard) -> str:
    return (
        "▲/▼ significantly better/worse than the rest of the period (Benjamini–Hochberg, 5 %).\n"
        f"{FEW} fewer than {card.min_n} records; {MISSED} target missed."
    )


def cell_text(card: Scorecard, cell: Cell, kpi: str, info: dict[str, dict[str, str]]) -> str:
    value = human_value(cell.value, card.units.get(kpi, ""), card.meta.get("currency", "EUR"))
    marks = (MARKS.get(cell.flag or "", "")) + (FEW if cell.few else "")
    marks += MISSED if cell.status == "missed" else ""
    return value + marks


# -- terminal ------------------------------------------------------------------------------------
def render_table(card: Scorecard, *, width: int = 100, color: bool = False) -> str:
    """Groups as rows, KPIs as columns, paged so each table fits ``width``; with few groups and
    KPIs that do not fit, the table turns: KPIs as rows, groups as columns."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from cskpi.report.terminal import text_console

    info = card.meta.get("kpis", {})
    buffer = io.StringIO()
    console = text_console(buffer, width=width, color=color)
    console.print(Text(f"cskpi scorecard · by {card.dimension} · {card.meta.get('tz', '')}"))
    styles = {"better": "green", "worse": "red"}

    def text(cell: Cell, kpi: str) -> Text:
        style = styles.get(cell.flag or "", "") if color else ""
        return Text(cell_text(card, cell, kpi, info), style=style)

    def label(kpi: str) -> str:
        return kpi_info(card, kpi)["label"]

    for period in card.periods:
        groups = card.groups.get(period, [])
        console.print()
        console.print(Text(f"{word('period')} {period}", style="bold" if color else ""))
        if not groups:
            console.print(Text(f"  no {card.dimension} with records in {period}"))
            continue
        texts = {(g, k): text(card.cell(period, g, k), k) for g in groups for k in card.kpis}
        first = max(len(card.dimension), *(len(g) for g in groups)) + 2
        needed = {
            k: max(
                max(len(t.plain) for (_, kk), t in texts.items() if kk == k),
                min(len(label(k)), 14),
            )
            + 2
            for k in card.kpis
        }
        turn = first + sum(needed.values()) > width and len(groups) <= 4
        if turn:
            table = Table(box=box.SIMPLE_HEAD if color else None, show_edge=False, pad_edge=False)
            table.add_column(word("kpi"), overflow="fold")
            for group in groups:
                table.add_column(Text(group), justify="right", overflow="fold")
            for kpi in card.kpis:
                table.add_row(Text(label(kpi)), *(texts[(g, kpi)] for g in groups))
            console.print(table)
            continue
        for page in _pages(card.kpis, needed, width - first):
            table = Table(box=box.SIMPLE_HEAD if color else None, show_edge=False, pad_edge=False)
            table.add_column(card.dimension.capitalize(), overflow="fold")
            for kpi in page:
                table.add_column(label(kpi), justify="right", overflow="fold")
            for group in groups:
                table.add_row(Text(group), *(texts[(group, k)] for k in page))
            console.print(table)
    console.print()
    console.print(Text(legend(card)))
    return buffer.getvalue()


def _pages(kpis: list[str], needed: dict[str, int], room: int) -> list[list[str]]:
    pages: list[list[str]] = [[]]
    used = 0
    for kpi in kpis:
        if pages[-1] and used + needed[kpi] > room:
            pages.append([])
            used = 0
        pages[-1].append(kpi)
        used += needed[kpi]
    return pages


# -- CSV and JSON --------------------------------------------------------------------------------
def render_csv(card: Scorecard) -> str:
    """``period,<dimension>,<kpi ids…>`` with the tidy CSV's values; empty = not available."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", card.dimension, *card.kpis])
    for period in card.periods:
        for group in card.groups.get(period, []):
            writer.writerow(
                [
                    period,
                    neutralise_formula(group),
                    *(plain_number(card.cell(period, group, k).value) for k in card.kpis),
                ]
            )
    return buffer.getvalue()


def _json_number(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def document(card: Scorecard) -> dict[str, Any]:
    info = card.meta.get("kpis", {})
    return {
        "dimension": card.dimension,
        "min_n": card.min_n,
        "tz": card.meta.get("tz"),
        "currency": card.meta.get("currency"),
        "significance": "each group against the rest of its period, the tests of --compare, "
        "Benjamini-Hochberg adjusted over the table at 5 %",
        "kpis": [
            {"id": k, "unit": card.units.get(k, info.get(k, {}).get("unit", "")), **info.get(k, {})}
            for k in card.kpis
        ],
        "periods": [
            {
                "period": period,
                "groups": [
                    {
                        "group": group,
                        "cells": {k: _json_cell(card.cell(period, group, k)) for k in card.kpis},
                    }
                    for group in card.groups.get(period, [])
                ],
            }
            for period in card.periods
        ],
    }


def _json_cell(cell: Cell) -> dict[str, Any]:
    return {
        "value": _json_number(cell.value),
        "n": cell.n,
        "few": cell.few,
        "flag": cell.flag,
        "p_value": _json_number(cell.p_value),
        "q_value": _json_number(cell.q_value),
        "test": cell.test,
        "target": cell.target,
        "status": cell.status,
        "reason": cell.reason if cell.value is None else None,
    }


def render_json(card: Scorecard) -> str:
    return json.dumps(document(card), ensure_ascii=False, indent=2) + "\n"


# -- XLSX ----------------------------------------------------------------------------------------
def render_xlsx(card: Scorecard) -> bytes:
    """One sheet, a block of rows per period; targets met/missed and best/worst quartile as
    conditional formats, so they follow edits; header row and group column frozen."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from cskpi.metrics.targets import parse_target
    from cskpi.report.xlsx_report import HEADER_FILL, HEADER_FONT, _put, number_format

    info = card.meta.get("kpis", {})
    money = card.meta.get("currency", "EUR")
    book = Workbook()
    sheet = book.active
    sheet.title = "Scorecard"
    header = [
        word("period"),
        card.dimension.capitalize(),
        *(kpi_info(card, k)["label"] for k in card.kpis),
    ]
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        _put(cell, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "C2"
    few_font = Font(italic=True, color="6B7280")
    green = PatternFill("solid", fgColor="DCFCE7")
    red = PatternFill("solid", fgColor="FEE2E2")
    best = Font(bold=True, color="15803D")
    worst = Font(bold=True, color="B91C1C")
    targets = card.meta.get("targets", {})
    row_number = 2
    for period in card.periods:
        first = row_number
        for group in card.groups.get(period, []):
            _put(sheet.cell(row=row_number, column=1), period)
            _put(sheet.cell(row=row_number, column=2), group)
            for offset, kpi in enumerate(card.kpis, start=3):
                cell_data = card.cell(period, group, kpi)
                target = sheet.cell(row=row_number, column=offset)
                _put(target, cell_data.value, number_format(card.units.get(kpi, ""), money))
                notes = []
                if cell_data.few:
                    target.font = few_font
                    notes.append(f"n = {cell_data.n}: fewer than {card.min_n} records")
                if cell_data.flag:
                    notes.append(
                        f"significantly {cell_data.flag} than the rest "
                        f"(q = {cell_data.q_value:.3g}, {cell_data.test})"
                    )
                if cell_data.value is None and cell_data.reason:
                    notes.append(human_reason(cell_data.reason))
                if notes:
                    target.comment = Comment("\n".join(notes), "cskpi")
            row_number += 1
        last = row_number - 1
        if last < first:
            continue
        for offset, kpi in enumerate(card.kpis, start=3):
            letter = get_column_letter(offset)
            block = f"{letter}{first}:{letter}{last}"
            whole = f"${letter}${first}:${letter}${last}"
            text = targets.get(kpi)
            if text:
                goal = parse_target(text)
                ops = {
                    ">=": ("greaterThanOrEqual", "lessThan"),
                    "<=": ("lessThanOrEqual", "greaterThan"),
                    ">": ("greaterThan", "lessThanOrEqual"),
                    "<": ("lessThan", "greaterThanOrEqual"),
                    "==": ("equal", "notEqual"),
                }[goal.op]
                bound = [repr(goal.bound)]
                sheet.conditional_formatting.add(
                    block, CellIsRule(operator=ops[0], formula=bound, fill=green)
                )
                sheet.conditional_formatting.add(
                    block,
                    FormulaRule(
                        formula=[
                            f"AND(ISNUMBER({letter}{first}),"
                            f"NOT({letter}{first}{_excel_op(goal.op)}{goal.bound!r}))"
                        ],
                        fill=red,
                    ),
                )
            direction = info.get(kpi, {}).get("direction", "none")
            if direction in ("up", "down") and last - first >= 3:
                top, bottom = (best, worst) if direction == "up" else (worst, best)
                sheet.conditional_formatting.add(
                    block,
                    FormulaRule(
                        formula=[
                            f"AND(ISNUMBER({letter}{first}),{letter}{first}>=QUARTILE({whole},3))"
                        ],
                        font=top,
                    ),
                )
                sheet.conditional_formatting.add(
                    block,
                    FormulaRule(
                        formula=[
                            f"AND(ISNUMBER({letter}{first}),{letter}{first}<=QUARTILE({whole},1))"
                        ],
                        font=bottom,
                    ),
                )
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 18
    for offset in range(3, 3 + len(card.kpis)):
        sheet.column_dimensions[get_column_letter(offset)].width = 14
    legend_row = row_number + 1
    _put(sheet.cell(row=legend_row, column=1), legend(card).replace("▲/▼", "Comments mark cells"))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _excel_op(op: str) -> str:
    return {"==": "="}.get(op, op)


# -- HTML ----------------------------------------------------------------------------------------
HEAT_CSS = """
body { margin:0; background:#f8fafc; color:#1f2937;
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width:1200px; margin:0 auto; padding:28px 24px 48px; }
h1 { font-size:22px; margin:0 0 4px; } h2 { font-size:17px; margin:28px 0 10px; }
.note { color:#6b7280; font-size:12px; }
table.heat { border-collapse:collapse; background:#fff; font-variant-numeric:tabular-nums; }
table.heat th, table.heat td { padding:6px 10px; border:1px solid #e5e7eb; }
table.heat th { font-size:12px; color:#6b7280; background:#f9fafb; vertical-align:bottom; }
table.heat td.num { text-align:right; white-space:nowrap; }
td.few { font-style:italic; color:#6b7280; }
td.missed { outline:2px solid #b91c1c; outline-offset:-2px; }
.better { font-weight:700; color:#14532d; } .worse { font-weight:700; color:#7f1d1d; }
"""


def heat(rank: float | None) -> str:
    """Background for a cell at ``rank`` (0 worst … 1 best among its column's groups)."""
    if rank is None:
        return ""
    # red (worst) through near-white to green (best)
    if rank < 0.5:
        share = rank / 0.5
        red, green, blue = 254, int(202 + 48 * share), int(202 + 48 * share)
    else:
        share = (rank - 0.5) / 0.5
        red, green, blue = int(250 - 30 * share), int(250 - 2 * share), int(250 - 30 * share)
    return f"background:rgb({red},{green},{blue})"


def _ranks(card: Scorecard, period: str, kpi: str) -> dict[str, float]:
    direction = card.meta.get("kpis", {}).get(kpi, {}).get("direction", "none")
    if direction not in ("up", "down"):
        return {}
    values = {
        g: float(c.value)
        for g in card.groups.get(period, [])
        if (c := card.cell(period, g, kpi)).value is not None and not c.few
    }
    if len(values) < 2:
        return {}
    ordered = sorted(values.values(), reverse=direction == "down")
    top = len(ordered) - 1
    return {g: ordered.index(v) / top for g, v in values.items()}


def heat_tables(card: Scorecard, esc: Callable[[str], str], level: str | None = "h2") -> str:
    """One heat table per period (the HTML scorecard, and the per-agent section of a report)."""
    sections = []
    for period in card.periods:
        groups = card.groups.get(period, [])
        if not groups:
            continue
        head = "".join(f"<th>{esc(kpi_info(card, k)['label'])}</th>" for k in card.kpis)
        ranks = {k: _ranks(card, period, k) for k in card.kpis}
        body = []
        for group in groups:
            cells = [f"<th>{esc(group)}</th>"]
            for kpi in card.kpis:
                cells.append(_heat_cell(card, period, group, kpi, ranks[kpi], esc))
            body.append(f"<tr>{''.join(cells)}</tr>")
        sections.append(
            (f"<{level}>{esc(period)}</{level}>" if level else "")
            + f'<table class="heat"><thead><tr><th>{esc(card.dimension.capitalize())}</th>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    return "".join(sections)


def _heat_cell(
    card: Scorecard,
    period: str,
    group: str,
    kpi: str,
    ranks: dict[str, float],
    esc: Callable[[str], str],
) -> str:
    cell = card.cell(period, group, kpi)
    css = ["num"] + (["few"] if cell.few else []) + (["missed"] if cell.status == "missed" else [])
    title_parts = [f"n = {cell.n}" if cell.n is not None else "n = —"]
    if cell.test:
        q = f", q = {cell.q_value:.3g}" if cell.q_value is not None else ""
        title_parts.append(cell.test + q)
    if cell.value is None and cell.reason:
        title_parts.append(human_reason(cell.reason))
    if cell.target:
        title_parts.append(f"target {cell.target}: {cell.status}")
    mark = MARKS.get(cell.flag or "", "")
    flag = f' <span class="{esc(cell.flag or "")}">{mark}</span>' if mark else ""
    value = human_value(cell.value, card.units.get(kpi, ""), card.meta.get("currency", "EUR"))
    return (
        f'<td class="{" ".join(css)}" style="{heat(ranks.get(group))}" '
        f'title="{esc("; ".join(title_parts))}">{esc(value)}{FEW if cell.few else ""}{flag}</td>'
    )


def render_html(card: Scorecard) -> str:
    from cskpi.report.html_report import CSP
    from cskpi.report.svg import esc

    title = f"Scorecard by {card.dimension} · {', '.join(card.periods)}"
    sections = heat_tables(card, esc)
    return f"""<!DOCTYPE html>
<html lang="{esc(current_language())}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{esc(title)}</title>
<style>{HEAT_CSS}</style>
</head>
<body>
<main>
<h1>{esc(title)}</h1>
<p class="note">{esc(card.meta.get("tz", ""))} · green is better, red worse within each column;
hover a cell for n and the test.</p>
{sections}
<p class="note">{esc(legend(card))}</p>
</main>
</body>
</html>
"""


def render(
    card: Scorecard, fmt: str, *, width: int = 100, color: bool = False, lang: str = "en"
) -> str | bytes:
    """The scorecard in ``fmt``; ``lang`` sets the words and numbers of the human formats."""
    with language(lang if fmt not in ("csv", "json") else "en"):
        if fmt == "table":
            return render_table(card, width=width, color=color)
        renderers = {"csv": render_csv, "json": render_json, "xlsx": render_xlsx}
        return renderers.get(fmt, render_html)(card)
