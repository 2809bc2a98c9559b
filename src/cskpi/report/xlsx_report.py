"""The Excel workbook: one sheet per area for people, plus the tidy data sheet for formulas.

Numbers are stored as numbers with a number format for their unit; every text cell is stored as a
string, never as a formula, so a group named ``=HYPERLINK(...)`` stays inert text.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.report.formatting import (
    LOCALES,
    area_title,
    currency,
    current_language,
    human_reason,
    is_missing,
    kpi_info,
    row_key,
    rows_by_area,
    unit_kind,
    word,
)
from cskpi.report.tidy_csv import COLUMNS

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F3F4F6")
MISSED_FONT = Font(bold=True, color="B91C1C")
MET_FONT = Font(color="15803D")


def number_format(unit: str, money: str) -> str:
    """An Excel number format; the reader's Excel shows its own separators, so only the currency
    is written the reader's way (the symbol, € for EUR) in languages other than English."""
    kind = unit_kind(unit)
    if current_language() != "en":
        from babel.numbers import get_currency_symbol

        money = get_currency_symbol(money, locale=LOCALES[current_language()])
    return {
        "percent": '0.0" %"',
        "hours": '0.00" h"',
        "seconds": '0" s"',
        "money": f'#,##0.00" {money}"',
        "money_per_hour": f'#,##0.00" {money}/h"',
        "count": "#,##0",
        "days": '0.0" d"',
    }.get(kind, "0.0#")


def _put(cell: Cell, value: Any, fmt: str | None = None) -> None:
    """Write a number as a number and anything else as plain text (never a formula)."""
    if value is None or (isinstance(value, float) and is_missing(value)):
        cell.value = None
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        # Control characters (from data) are no XML: dropped, where openpyxl would raise.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
        return
    cell.value = int(value) if isinstance(value, int) else float(value)
    if fmt:
        cell.number_format = fmt


def _header(sheet: Any, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=column)
        _put(cell, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"


def _widths(sheet: Any, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _area_sheet(book: Workbook, result: ReportResult, area: str, rows: list[KpiValue]) -> None:
    sheet = book.create_sheet(title=area_title(area)[:31])
    money = currency(result)
    names = [word("period"), word("kpi"), "Dimension", word("group"), word("value"), "Unit", "n"]
    if result.comparisons:
        names += [word("previous"), word("change"), word("significant").capitalize()]
    if result.targets:
        names += [word("target"), word("status")]
    status_column = len(names)
    names.append(word("note"))
    _header(sheet, names)
    for index, row in enumerate(rows, start=2):
        info = kpi_info(result, row.kpi)
        fmt = number_format(info["unit"], money)
        values: list[tuple[Any, str | None]] = [
            (row.period, None),
            (info["label"], None),
            (row.dimension, None),
            (row.segment, None),
            (row.value, fmt),
            (info["unit"] or row.unit, None),
            (row.n, "#,##0"),
        ]
        if result.comparisons:
            comparison = result.comparisons.get(row_key(row))
            values += [
                (comparison.previous if comparison else None, fmt),
                (comparison.change if comparison else None, fmt),
                (
                    ""
                    if comparison is None or comparison.significant is None
                    else ("yes" if comparison.significant else "no"),
                    None,
                ),
            ]
        status = ""
        if result.targets:
            target, status = result.targets.get(row_key(row), ("", ""))
            values += [
                (target, None),
                (word(status) if status in ("met", "missed") else status, None),
            ]
        values.append(("" if row.value is not None else human_reason(row.reason), None))
        for column, (value, value_format) in enumerate(values, start=1):
            _put(sheet.cell(row=index, column=column), value, value_format)
        if status:
            sheet.cell(row=index, column=status_column).font = (
                MISSED_FONT if status == "missed" else MET_FONT
            )
    _widths(sheet, [10, 34, 12, 24, 16, 10, 9] + [14] * (len(names) - 8) + [40])
    for cells in sheet.iter_rows(min_row=2, min_col=len(names), max_col=len(names)):
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")


def _data_sheet(book: Workbook, result: ReportResult) -> None:
    """The tidy CSV's columns and values, unformatted, for pivot tables and lookups."""
    sheet = book.create_sheet(title="Data")
    names = list(COLUMNS) + ["reason"]
    if result.targets:
        names += ["target", "status"]
    if result.comparisons:
        names += ["previous", "change"]
    _header(sheet, names)
    for index, row in enumerate(result.rows, start=2):
        values: list[Any] = [
            row.period,
            row.dimension,
            row.segment,
            row.kpi,
            row.value,
            row.unit,
            row.n,
            row.reason if row.value is None else None,
        ]
        if result.targets:
            values += list(result.targets.get(row_key(row), (None, None)))
        if result.comparisons:
            comparison = result.comparisons.get(row_key(row))
            values += [comparison.previous, comparison.change] if comparison else [None, None]
        for column, value in enumerate(values, start=1):
            _put(sheet.cell(row=index, column=column), value)
    _widths(sheet, [10, 12, 24, 32, 14, 10, 9, 30])
    sheet.auto_filter.ref = sheet.dimensions


def _about_sheet(book: Workbook, result: ReportResult) -> None:
    sheet = book.create_sheet(title="About")
    facts = [
        ("Periods", ", ".join(result.periods)),
        ("Timezone", result.tz),
        ("cskpi", result.meta.get("tool_version")),
        ("KPI definitions", result.meta.get("definitions_version")),
        ("Currency", currency(result)),
        ("Baseline", result.meta.get("baseline")),
        ("Redacted", "yes" if result.meta.get("redacted") else "no"),
    ]
    for index, (name, value) in enumerate(facts, start=1):
        _put(sheet.cell(row=index, column=1), name)
        sheet.cell(row=index, column=1).font = HEADER_FONT
        _put(sheet.cell(row=index, column=2), value)
    start = len(facts) + 2
    columns = ["path", "table", "vendor", "sha256", "rows_read", "rows_used", "rows_rejected"]
    for column, name in enumerate(columns, start=1):
        _put(sheet.cell(row=start, column=column), name)
        sheet.cell(row=start, column=column).font = HEADER_FONT
    for offset, info in enumerate(result.meta.get("files", []), start=1):
        for column, name in enumerate(columns, start=1):
            _put(sheet.cell(row=start + offset, column=column), info.get(name))
    _widths(sheet, [40, 14, 14, 66, 10, 10, 12])


def render_xlsx(result: ReportResult) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for area, rows in rows_by_area(result, result.rows).items():
        _area_sheet(book, result, area, rows)
    _data_sheet(book, result)
    _about_sheet(book, result)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
