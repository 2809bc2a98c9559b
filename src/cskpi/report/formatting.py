"""How values are written: exact decimals for machines, units for people, safe spreadsheet text.

Every renderer formats through these functions so a value reads the same in every output.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.metrics.scope import NONE_GROUP

# Characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_SIX_PLACES = Decimal("0.000001")

AREAS = ("Satisfaction", "Value", "Efficiency")

# The language of the human outputs being rendered (terminal, Markdown, HTML, XLSX); CSV and JSON
# never read it. English keeps cskpi's own number style; other languages format through Babel.
_LANGUAGE: ContextVar[str] = ContextVar("cskpi_language", default="en")
LOCALES = {"fi": "fi_FI", "da": "da_DK", "no": "nb_NO", "ro": "ro_RO", "lv": "lv_LV"}


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Render human outputs in ``lang`` (i18n codes: en, fi, da, no, ro, lv) inside the block."""
    from cskpi.i18n import catalogue, resolve

    lang = resolve(lang)
    catalogue(lang)  # an unknown language fails here, before any output
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def current_language() -> str:
    return _LANGUAGE.get()


def word(key: str) -> str:
    """A heading or word of the human outputs in the current language (i18n [headings])."""
    from cskpi.i18n import heading

    return heading(key, _LANGUAGE.get())


def human_reason(reason: str | None) -> str:
    """Why a value is not available, in the current language (English when not translated)."""
    from cskpi.i18n import reason as translated

    return translated(reason, _LANGUAGE.get()) if reason else word("not_available")


def area_title(area: str) -> str:
    return word(f"area_{area.lower()}") if area in AREAS else area


def _locale() -> str | None:
    return LOCALES.get(_LANGUAGE.get())


def plain_number(value: Any) -> str:
    """A value as the tidy CSV writes it: '.' decimal, no grouping, no exponent, at most 6 decimals.

    Integers are exact; other numbers are rounded half-to-even on their shortest decimal form (so
    0.1 + 0.2 is "0.3"), trailing zeros dropped; "-0" becomes "0"; None/NaN/inf give "".
    """
    if value is None or isinstance(value, bool):
        return "" if value is None else str(int(value))
    if isinstance(value, int) or (
        hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"
    ):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        return ""
    rounded = Decimal(repr(number)).quantize(_SIX_PLACES, rounding=ROUND_HALF_EVEN)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def neutralise_formula(text: str) -> str:
    """Prefix a data-derived text with ' when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _grouped(number: float, decimals: int) -> str:
    return f"{number:,.{decimals}f}"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def human_hours(hours: float) -> str:
    """Ticket durations: '3 h 12 min', '45 min', '2 d 4 h' for long ones.

    From 240 h on, whole hours ('1,222 h'): such values are totals like hours worked, where
    24-hour days would mislead."""
    if hours >= 240:
        return f"{_grouped(hours, 0)} h"
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        whole, rest = divmod(minutes, 60)
        return f"{whole} h {rest} min" if rest else f"{whole} h"
    days, rest_minutes = divmod(minutes, 24 * 60)
    rest_hours = round(rest_minutes / 60)
    return f"{days} d {rest_hours} h" if rest_hours else f"{days} d"


def human_seconds(seconds: float) -> str:
    """Call durations: '42 s', '3 min 5 s', '1 h 2 min'."""
    whole = round(seconds)
    if whole < 60:
        return f"{_trim(f'{seconds:.1f}')} s" if seconds < 10 and whole != seconds else f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def unit_kind(unit: str) -> str:
    """Collapse the catalogue's unit texts into the few ways a value is shown."""
    text = (unit or "").strip().lower()
    if text in ("%", "percent", "pct"):
        return "percent"
    if text in ("hours", "hour", "h"):
        return "hours"
    if text in ("seconds", "second", "s"):
        return "seconds"
    if text.startswith("currency/h") or text.endswith("/h"):
        return "money_per_hour"
    if text.startswith("currency") or text == "money" or (len(text) == 3 and unit.isupper()):
        return "money"
    if text in ("count", "calls", "tickets", "customers", "contacts"):
        return "count"
    if text in ("days", "day"):
        return "days"
    return "score"


def human_value(value: Any, unit: str, currency: str = "EUR") -> str:
    """A value in its unit for people: '3 h 12 min', '42 s', '1,234.50 EUR', '87.5 %', '1,204'."""
    if is_missing(value):
        return "—"
    number = float(value)
    kind = unit_kind(unit)
    locale = _locale()
    if locale is not None:
        return _localised(number, kind, currency, locale)
    if kind == "percent":
        return f"{_trim(f'{number:.1f}')} %"
    if kind == "hours":
        return human_hours(number)
    if kind == "seconds":
        return human_seconds(number)
    if kind == "money":
        return f"{_grouped(number, 2)} {currency}"
    if kind == "money_per_hour":
        return f"{_grouped(number, 2)} {currency}/h"
    if kind == "count":
        return _grouped(number, 0) if number == int(number) else _trim(_grouped(number, 2))
    if kind == "days":
        return f"{_trim(f'{number:.1f}')} d"
    return _trim(f"{number:.2f}") if abs(number) < 10 else _trim(f"{number:.1f}")


def _localised(number: float, kind: str, currency: str, locale: str) -> str:
    """A value for a reader of ``locale``: Babel's separators, percent and currency patterns."""
    from babel.core import Locale
    from babel.numbers import format_currency, format_decimal, format_percent

    if kind == "percent":
        pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.#")
        return format_percent(number / 100, format=pattern, locale=locale)
    if kind in ("money", "money_per_hour"):
        money = format_currency(number, currency, locale=locale)
        return money + ("/h" if kind == "money_per_hour" else "")
    if kind == "hours":
        if number >= 240:
            return f"{format_decimal(number, format='#,##0', locale=locale)} h"
        return human_hours(number)
    if kind == "seconds":
        if number < 10 and round(number) != number:
            return f"{format_decimal(number, format='0.#', locale=locale)} s"
        return human_seconds(number)
    if kind == "count":
        return format_decimal(number, format="#,##0.##", locale=locale)
    if kind == "days":
        return f"{format_decimal(number, format='0.#', locale=locale)} d"
    return format_decimal(number, format="0.##" if abs(number) < 10 else "0.#", locale=locale)


def human_n(n: int | None) -> str:
    """A record count for people: '3,368' in English, the reader's grouping otherwise."""
    if n is None:
        return ""
    locale = _locale()
    if locale is None:
        return f"{n:,}"
    from babel.numbers import format_decimal

    return format_decimal(n, format="#,##0", locale=locale)


def human_change(change: Any, unit: str) -> str:
    """A change against the baseline, signed, in the KPI's unit ('+2.1 pp' for percentages)."""
    if is_missing(change):
        return "—"
    number = float(change)
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    kind = unit_kind(unit)
    size = abs(number)
    locale = _locale()
    if locale is not None and kind == "percent":
        from babel.numbers import format_decimal

        return f"{sign}{format_decimal(size, format='0.#', locale=locale)} pp"
    if locale is not None and kind in ("money", "money_per_hour"):
        from babel.numbers import format_decimal

        return sign + format_decimal(size, format="#,##0.00", locale=locale)
    if locale is not None and kind not in ("hours", "seconds"):
        return sign + _localised(size, kind, "", locale)
    if kind == "percent":
        return f"{sign}{_trim(f'{size:.1f}')} pp"
    if kind in ("hours", "seconds"):
        return sign + human_value(size, unit)
    if kind in ("money", "money_per_hour"):
        return f"{sign}{_grouped(size, 2)}"
    if kind == "count" and size == int(size):
        return f"{sign}{_grouped(size, 0)}"
    return sign + (_trim(f"{size:.2f}") if size < 10 else _trim(f"{size:.1f}"))


def change_is_good(change: Any, direction: str) -> bool | None:
    """True when the change moves the KPI the good way, None when it has no good way."""
    if is_missing(change) or float(change) == 0:
        return None
    if direction in ("up", "↑", "higher", "higher_is_better"):
        return float(change) > 0
    if direction in ("down", "↓", "lower", "lower_is_better"):
        return float(change) < 0
    return None


def kpi_info(result: ReportResult, kpi: str) -> dict[str, str]:
    """Label, area, unit and direction of a KPI from the result's metadata, with safe fallbacks."""
    info = result.meta.get("kpis", {}).get(kpi, {})
    label = info.get("label")
    if _LANGUAGE.get() != "en":
        from cskpi.i18n import label as translated

        label = translated(kpi, _LANGUAGE.get()) if translated(kpi, "en") != kpi else label
    return {
        "label": label or kpi.replace("_", " ").capitalize(),
        "area": info.get("area") or "Other",
        "unit": info.get("unit", ""),
        "direction": info.get("direction", ""),
    }


def rows_by_area(result: ReportResult, rows: list[KpiValue]) -> dict[str, list[KpiValue]]:
    """Rows grouped by area in catalogue order (Satisfaction, Value, Efficiency, then others)."""
    grouped: dict[str, list[KpiValue]] = {}
    for row in rows:
        area = kpi_info(result, row.kpi)["area"]
        area = next((known for known in AREAS if known.lower() == area.lower()), area)
        grouped.setdefault(area, []).append(row)
    order = [a for a in AREAS if a in grouped] + sorted(a for a in grouped if a not in AREAS)
    return {area: grouped[area] for area in order}


def for_people(rows: list[KpiValue]) -> list[KpiValue]:
    """The rows a person reads: a ``(none)`` group without a value from records is left out.

    A KPI whose records carry no agent (costs, calls by queue) would otherwise list an empty
    ``agent = (none)`` row under itself; CSV and JSON keep every row.
    """
    return [
        row
        for row in rows
        if row.segment != NONE_GROUP or (row.value is not None and (row.n or 0) > 0)
    ]


def row_key(row: KpiValue) -> tuple[str, str, str, str]:
    return (row.period, row.dimension, row.segment, row.kpi)


def currency(result: ReportResult) -> str:
    return str(result.meta.get("currency") or "EUR")


def segment_label(row: KpiValue) -> str:
    return "all" if row.dimension == "all" else f"{row.dimension} = {row.segment}"


def report_facts(result: Any) -> list[str]:
    """The facts under a report's title, as plain text (renderers escape them for their format)."""
    facts = [
        f"{word('timezone')} {result.tz}",
        f"cskpi {result.meta.get('tool_version', '')}",
        f"KPI definitions {result.meta.get('definitions_version', '')}",
    ]
    if result.meta.get("baseline"):
        facts.append(f"compared with {result.meta['baseline']}")
    if result.meta.get("redacted"):
        facts.append("customer ids hashed, comments removed")
    return facts
