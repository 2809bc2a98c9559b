"""Turn an Insight into text: a Rich or plain terminal view, CSV, JSON or a small HTML page.

Functions return strings or Rich renderables; only the CLI prints them.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from cskpi.errors import UsageError
from cskpi.i18n import heading, label
from cskpi.insights.result import Insight
from cskpi.report.formatting import human_change, human_value
from cskpi.report.output import csv_text


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


# Columns whose names are translated on screen; every other column keeps its id.
SHOWN_COLUMNS = {"kpi", "label", "baseline", "latest", "change", "direction", "period", "trend"}


def _column(name: object, lang: str) -> str:
    return heading(str(name), lang) if name in SHOWN_COLUMNS else str(name)


def _in_units(frame: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """KPI values and changes in each KPI's unit, as reports show them ('74.1 %', '−4.7 pp').

    Applies to tables with a kpi column when meta names the units: baseline, latest and the
    per-period columns are values, change is a change.
    """
    units = meta.get("units")
    if not units or "kpi" not in frame.columns:
        return frame
    unit = [units.get(k, "") for k in frame["kpi"]]
    currency = meta.get("currency") or "EUR"
    values = [c for c in ("baseline", "latest", *meta.get("periods", [])) if c in frame.columns]
    shown = frame.copy()
    for column in values:
        shown[column] = [
            human_value(v, u, currency) for v, u in zip(frame[column], unit, strict=True)
        ]
    if "change" in frame.columns:
        shown["change"] = [human_change(v, u) for v, u in zip(frame["change"], unit, strict=True)]
    return shown


def _screen(frame: pd.DataFrame, lang: str, meta: dict[str, Any] | None = None) -> pd.DataFrame:
    """Values in their units; words that have a translation: KPI labels, better/worse."""
    shown = _in_units(frame, meta or {})
    if "kpi" in shown.columns and "label" not in shown.columns:
        shown.insert(
            shown.columns.get_loc("kpi") + 1, "label", [label(k, lang) for k in shown["kpi"]]
        )
    if "direction" in shown.columns:
        shown["direction"] = [
            heading(v, lang) if isinstance(v, str) and v else v for v in shown["direction"]
        ]
    return shown


def rich_view(insight: Insight, lang: str = "en") -> Group:
    """One Rich table per result table, titled in ``lang`` (the CLI shows the notes on stderr)."""
    parts: list[Any] = []
    for key, frame in insight.tables.items():
        shown = _screen(frame, lang, insight.meta)
        table = Table(title=heading(key, lang), title_justify="left")
        for column in shown.columns:
            numeric = column in frame.columns and pd.api.types.is_numeric_dtype(frame[column])
            table.add_column(_column(column, lang), justify="right" if numeric else "left")
        for row in shown.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        if frame.empty:
            parts.append(Text(f"{heading(key, lang)}: —"))
        else:
            parts.append(table)
    return Group(*parts)


def plain_view(insight: Insight, lang: str = "en") -> str:
    """The same content as plain text for pipes and files."""
    blocks = []
    for key, frame in insight.tables.items():
        title = heading(key, lang)
        if frame.empty:
            blocks.append(f"{title}: —")
            continue
        shown = (
            _screen(frame, lang, insight.meta).rename(columns=lambda c: _column(c, lang)).map(_cell)
        )
        blocks.append(f"{title}\n{shown.to_string(index=False)}")
    return "\n\n".join(blocks) + "\n"


def to_csv(insight: Insight, table: str | None = None) -> str:
    """One table as CSV (the first unless named); ids as column names, never translated."""
    if not insight.tables:
        return ""
    key = table or next(iter(insight.tables))
    if key not in insight.tables:
        raise UsageError(
            f"--table {key!r} is not part of this result. Use one of {', '.join(insight.tables)}"
        )
    return csv_text(insight.tables[key])


def to_xlsx(insight: Insight) -> bytes:
    """Every table as a sheet (ids as column names, numbers as numbers), notes on the last."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for key, frame in insight.tables.items():
            plain = frame.copy()
            for column in plain.columns:  # Excel has no time zones: keep the local clock
                if isinstance(plain[column].dtype, pd.DatetimeTZDtype):
                    plain[column] = plain[column].dt.tz_localize(None)
            plain.to_excel(writer, sheet_name=key[:31], index=False)
        pd.DataFrame({"note": insight.notes}).to_excel(writer, sheet_name="notes", index=False)
    return buffer.getvalue()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def to_json(insight: Insight) -> str:
    payload = {
        "insight": insight.name,
        "tables": {
            key: [
                _jsonable(dict(zip(frame.columns, row, strict=True)))
                for row in frame.itertuples(index=False)
            ]
            for key, frame in insight.tables.items()
        },
        "notes": insight.notes,
        "meta": _jsonable(insight.meta),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def to_html(insight: Insight, lang: str = "en") -> str:
    title = html.escape(heading(insight.name, lang))
    body = [f"<h1>{title}</h1>"]
    for key, frame in insight.tables.items():
        body.append(f"<h2>{html.escape(heading(key, lang))}</h2>")
        shown = (
            _screen(frame, lang, insight.meta).rename(columns=lambda c: _column(c, lang)).map(_cell)
        )
        body.append(shown.to_html(index=False, escape=True, border=0))
    if insight.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in insight.notes)
        body.append(f"<h2>{html.escape(heading('notes', lang))}</h2><ul>{items}</ul>")
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}"
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
