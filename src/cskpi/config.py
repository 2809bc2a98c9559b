"""Settings a team keeps in ``cskpi.toml`` (found in the data folder, or given with --config).

The defaults are those of KPIS.md; every field can be changed in the file. Loading and validating
the file lives in :func:`load_config`; docs/config.md shows a complete annotated file.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cskpi.errors import ConfigError
from cskpi.io.schema import LABOUR_CATEGORIES

CONFIG_NAME = "cskpi.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FCR_VARIANTS = ("one_touch", "call_resolved")
WEEK_STARTS = ("mon", "sun")


@dataclass(frozen=True)
class BusinessHours:
    """Weekly opening hours in a timezone, minus public holidays and extra closed dates."""

    tz: str = "UTC"
    # weekday (0 = Monday) -> list of (open "HH:MM", close "HH:MM") intervals
    week: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    holidays_country: str | None = None  # e.g. "FI" (python-holidays)
    holidays_subdivision: str | None = None
    closed_dates: tuple[str, ...] = ()  # ISO dates


@dataclass(frozen=True)
class Config:
    currency: str = "EUR"
    tz: str | None = None  # timezone of naive timestamps and periods (--tz wins)
    week_start: str = "mon"  # first day of a week for --every week: mon | sun
    lang: str = "en"  # language of human outputs (--lang wins)
    short_abandon_seconds: float = 5.0
    service_level_seconds: float = 20.0
    first_response_sla_hours: float = 24.0
    # overrides by priority / channel value (lower-cased); priority wins when both match
    sla_hours_by_priority: dict[str, float] = field(default_factory=dict)
    sla_hours_by_channel: dict[str, float] = field(default_factory=dict)
    resolution_sla_hours: float = 72.0
    resolution_sla_hours_by_priority: dict[str, float] = field(default_factory=dict)
    resolution_sla_hours_by_channel: dict[str, float] = field(default_factory=dict)
    labour_categories: tuple[str, ...] = LABOUR_CATEGORIES
    csat_good_min: float = 4.0  # csat counts scores >= this as satisfied
    fcr_variant: str = "one_touch"  # one_touch | call_resolved
    business_hours: BusinessHours | None = None
    targets: dict[str, str] = field(default_factory=dict)  # kpi id -> "<= 4", ">= 85"
    max_reject_rate: float = 50.0  # % of a file's rows rejected before the run fails
    source: str | None = None  # path of the file it came from
    raw: dict[str, Any] = field(default_factory=dict)


# The keys each part of the file may hold; tables are nested dicts, leaves name their kind.
_SCHEMA: dict[str, Any] = {
    "currency": "currency",
    "tz": "tz",
    "max_reject_rate": "percent",
    "week_start": "week_start",
    "lang": "lang",
    "thresholds": {
        "short_abandon_seconds": "seconds",
        "service_level_seconds": "seconds",
        "csat_good_min": "csat_score",
    },
    "sla": {
        "first_response_hours": "hours",
        "priority": "hours_table",
        "channel": "hours_table",
        "resolution_hours": "hours",
        "resolution_priority": "hours_table",
        "resolution_channel": "hours_table",
    },
    "costs": {"labour_categories": "categories"},
    "fcr": {"variant": "fcr_variant"},
    "business_hours": {
        "tz": "tz",
        **{day: "day_hours" for day in WEEKDAYS},
        "holidays_country": "country",
        "holidays_subdivision": "subdivision",
        "closed_dates": "dates",
    },
    "targets": "targets_table",
}


def load_config(
    path: Path | None = None,
    data_dir: Path | None = None,
    *,
    known_kpis: Collection[str] | None = None,
) -> Config:
    """Read cskpi.toml from ``path``, else from ``data_dir``; defaults when neither has one.

    Every key and value is checked; the first problem raises :class:`ConfigError` naming the
    file, the key and what is allowed. With ``known_kpis``, ``[targets]`` keys must be KPI ids.
    """
    if path is None and data_dir is not None and (Path(data_dir) / CONFIG_NAME).is_file():
        path = Path(data_dir) / CONFIG_NAME
    if path is None:
        return Config()
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder. Give --config the path of a cskpi.toml file")
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file. Give --config the path of a cskpi.toml")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file. Check the --config path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}). Save it as UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML: {exc}. Fix the syntax there (text values "
            'need quotes, e.g. currency = "EUR")'
        ) from None
    except (RecursionError, ValueError) as exc:  # nesting or an integer of thousands of digits
        what = "nests too deeply" if isinstance(exc, RecursionError) else "holds a number too long"
        raise ConfigError(
            f"{path}: {what} to read. Keep it to the keys docs/config.md shows"
        ) from None
    return _build(raw, _Checker(path), known_kpis)


class _Checker:
    """Validates values and raises ConfigError messages that name the file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {problem}. {fix}")

    def known_keys(self, table: dict[str, Any], allowed: Collection[str], where: str) -> None:
        for key in table:
            if key in allowed:
                continue
            name = f"{where}.{key}" if where else key
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            section = f"in [{where}]" if where else "at the top level"
            raise self.fail(name, "unknown key", f"{hint}Allowed {section}: {', '.join(allowed)}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                key,
                f"must be a table, got {_shown(value)}",
                f"Write it as a section: [{key}] on its own line, keys below",
            )
        return value

    def number(
        self,
        value: Any,
        key: str,
        example: str,
        *,
        minimum: float = 0.0,
        positive: bool = False,
        maximum: float | None = None,
        unit: str = "",
    ) -> float:
        bad = isinstance(value, bool) or not isinstance(value, int | float)
        if not bad:
            bad = (
                not math.isfinite(value)
                or value < minimum
                or (positive and value <= minimum)
                or (maximum is not None and value > maximum)
            )
        if bad:
            low = f"> {minimum:g}" if positive else f">= {minimum:g}"
            span = f"between {minimum:g} and {maximum:g}" if maximum is not None else low
            leaf = key.rsplit(".", 1)[-1]
            raise self.fail(
                key,
                f"must be a number{unit} {span}, got {_shown(value)}",
                f"Write a plain number without quotes, e.g. {leaf} = {example}",
            )
        return float(value)

    def string(self, value: Any, key: str, example: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                key,
                f"must be a non-empty text in quotes, got {_shown(value)}",
                f"Write it in quotes, e.g. {key.rsplit('.', 1)[-1]} = {example}",
            )
        return value.strip()


def _build(raw: dict[str, Any], check: _Checker, known_kpis: Collection[str] | None) -> Config:
    check.known_keys(raw, list(_SCHEMA), "")
    settings: dict[str, Any] = {"source": str(check.path), "raw": raw}
    if "currency" in raw:
        currency = check.string(raw["currency"], "currency", '"EUR"').upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise check.fail(
                "currency",
                f"must be a three-letter ISO 4217 code, got {_shown(raw['currency'])}",
                'Write the code in quotes, e.g. currency = "EUR"',
            )
        settings["currency"] = currency
    if "tz" in raw:
        settings["tz"] = _timezone(raw["tz"], "tz", check)
    if "max_reject_rate" in raw:
        settings["max_reject_rate"] = check.number(
            raw["max_reject_rate"], "max_reject_rate", "50", maximum=100, unit=" (a percentage)"
        )
    if "week_start" in raw:
        if raw["week_start"] not in WEEK_STARTS:
            raise check.fail(
                "week_start",
                f'must be "mon" or "sun", got {_shown(raw["week_start"])}',
                'Write week_start = "sun" for weeks from Sunday to Saturday',
            )
        settings["week_start"] = raw["week_start"]
    if "lang" in raw:
        from cskpi.i18n import LANGUAGES, resolve

        lang = resolve(check.string(raw["lang"], "lang", '"fi"'))
        if lang not in LANGUAGES:
            raise check.fail(
                "lang",
                f"{raw['lang']!r} is not a language cskpi speaks",
                f"Use one of: {', '.join(LANGUAGES)}",
            )
        settings["lang"] = lang

    thresholds = _section(raw, "thresholds", check)
    for key in ("short_abandon_seconds", "service_level_seconds"):
        if key in thresholds:
            settings[key] = check.number(
                thresholds[key], f"thresholds.{key}", "20", unit=" of seconds"
            )
    if "csat_good_min" in thresholds:
        settings["csat_good_min"] = check.number(
            thresholds["csat_good_min"], "thresholds.csat_good_min", "4", minimum=1, maximum=5
        )

    sla = _section(raw, "sla", check)
    if "first_response_hours" in sla:
        settings["first_response_sla_hours"] = check.number(
            sla["first_response_hours"],
            "sla.first_response_hours",
            "24",
            positive=True,
            unit=" of hours",
        )
    if "resolution_hours" in sla:
        settings["resolution_sla_hours"] = check.number(
            sla["resolution_hours"], "sla.resolution_hours", "72", positive=True, unit=" of hours"
        )
    for part, field_name in (
        ("priority", "sla_hours_by_priority"),
        ("channel", "sla_hours_by_channel"),
        ("resolution_priority", "resolution_sla_hours_by_priority"),
        ("resolution_channel", "resolution_sla_hours_by_channel"),
    ):
        if part in sla:
            overrides = check.table(sla[part], f"sla.{part}")
            settings[field_name] = {
                name.strip().lower(): check.number(
                    hours, f"sla.{part}.{name}", "8", positive=True, unit=" of hours"
                )
                for name, hours in overrides.items()
            }

    costs = _section(raw, "costs", check)
    if "labour_categories" in costs:
        settings["labour_categories"] = _categories(costs["labour_categories"], check)

    fcr = _section(raw, "fcr", check)
    if "variant" in fcr:
        if fcr["variant"] not in FCR_VARIANTS:
            allowed = ", ".join(map(repr, FCR_VARIANTS))
            raise check.fail(
                "fcr.variant",
                f"must be one of {allowed}, got {_shown(fcr['variant'])}",
                'Pick one, e.g. variant = "one_touch"',
            )
        settings["fcr_variant"] = fcr["variant"]

    if "business_hours" in raw:
        settings["business_hours"] = _business_hours(_section(raw, "business_hours", check), check)
    if "targets" in raw:
        settings["targets"] = _targets(check.table(raw["targets"], "targets"), check, known_kpis)
    return Config(**settings)


def _section(raw: dict[str, Any], name: str, check: _Checker) -> dict[str, Any]:
    table = check.table(raw.get(name, {}), name)
    check.known_keys(table, list(_SCHEMA[name]), name)
    return table


def _categories(value: Any, check: _Checker) -> tuple[str, ...]:
    key = "costs.labour_categories"
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        raise check.fail(
            key,
            f"must be a non-empty list of category names, got {_shown(value)}",
            'Write a list in brackets, e.g. labour_categories = ["wages", "overtime", "benefits"]',
        )
    return tuple(dict.fromkeys(item.strip().lower() for item in value))


_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d|24:00"
_INTERVAL = re.compile(rf"^\s*({_CLOCK})\s*-\s*({_CLOCK})\s*$")


def _business_hours(section: dict[str, Any], check: _Checker) -> BusinessHours:
    if "tz" not in section:
        raise check.fail(
            "business_hours.tz",
            "missing",
            'Name the timezone the opening hours are in, e.g. tz = "Europe/Helsinki"',
        )
    tz = _timezone(section["tz"], "business_hours.tz", check)
    week = {
        index: _day_hours(section[day], f"business_hours.{day}", check)
        for index, day in enumerate(WEEKDAYS)
        if day in section
    }
    week = {index: intervals for index, intervals in week.items() if intervals}
    if not week:
        raise check.fail(
            "business_hours",
            "no opening hours on any day",
            'Give each open day its hours, e.g. mon = "08:00-17:00"',
        )
    country = section.get("holidays_country")
    subdivision = section.get("holidays_subdivision")
    if country is not None:
        country = _country(country, check)
    if subdivision is not None:
        subdivision = _subdivision(country, subdivision, check)
    return BusinessHours(
        tz=tz,
        week=week,
        holidays_country=country,
        holidays_subdivision=subdivision,
        closed_dates=_dates(section.get("closed_dates", []), check),
    )


def _timezone(value: Any, key: str, check: _Checker) -> str:
    tz = check.string(value, key, '"Europe/Helsinki"')
    if not _is_timezone(tz):
        close = difflib.get_close_matches(tz, sorted(available_timezones()), n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        raise check.fail(
            key,
            f"unknown timezone {tz!r}",
            f'{hint}Use an IANA name such as "Europe/Helsinki" or "UTC"',
        )
    return tz


def _day_hours(value: Any, key: str, check: _Checker) -> list[tuple[str, str]]:
    fix = (
        'Write "HH:MM-HH:MM", several separated by commas ("08:00-12:00,13:00-17:00"), '
        'or "" for closed; a night shift is split at midnight ("22:00-24:00" and next day '
        '"00:00-06:00")'
    )
    if not isinstance(value, str):
        raise check.fail(key, f"must be a text in quotes, got {_shown(value)}", fix)
    intervals: list[tuple[str, str]] = []
    for part in filter(None, (piece.strip() for piece in value.split(","))):
        match = _INTERVAL.match(part)
        if match is None:
            raise check.fail(key, f"{part!r} is not an opening interval", fix)
        opens, closes = match.groups()
        if closes <= opens:
            raise check.fail(key, f"{part!r} closes before it opens", fix)
        if intervals and opens < intervals[-1][1]:
            raise check.fail(
                key,
                f"{part!r} overlaps or comes before the previous interval",
                "List the intervals in time order without overlaps",
            )
        intervals.append((opens, closes))
    return intervals


def _country(value: Any, check: _Checker) -> str:
    import holidays

    key = "business_hours.holidays_country"
    code = check.string(value, key, '"FI"').upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise check.fail(
            key,
            f"{value!r} is not a country the holidays package knows",
            'Use an ISO 3166-1 alpha-2 code such as "FI", "SE", "DE" or "US"',
        )
    return code


def _subdivision(country: str | None, value: Any, check: _Checker) -> str:
    import holidays

    key = "business_hours.holidays_subdivision"
    if country is None:
        raise check.fail(
            key,
            "given without holidays_country",
            'Add holidays_country = "..." or remove holidays_subdivision',
        )
    code = check.string(value, key, '"BY"').upper()
    allowed = holidays.list_supported_countries()[country]
    if code not in allowed:
        shown = ", ".join(allowed[:40]) + (" …" if len(allowed) > 40 else "")
        raise check.fail(
            key,
            f"{value!r} is not a subdivision of {country}",
            f"Use one of: {shown}"
            if allowed
            else f"{country} has no subdivisions; remove holidays_subdivision",
        )
    return code


def _dates(value: Any, check: _Checker) -> tuple[str, ...]:
    import datetime as dt

    key = "business_hours.closed_dates"
    fix = 'Write a list of ISO dates, e.g. closed_dates = ["2026-12-24", "2026-12-31"]'
    if not isinstance(value, list):
        raise check.fail(key, f"must be a list of dates, got {_shown(value)}", fix)
    dates = []
    for item in value:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            dates.append(item.isoformat())
            continue
        try:
            dates.append(dt.date.fromisoformat(item).isoformat())
        except (TypeError, ValueError):
            raise check.fail(key, f"{_shown(item)} is not a date", fix) from None
    return tuple(dates)


def _targets(
    table: dict[str, Any], check: _Checker, known_kpis: Collection[str] | None
) -> dict[str, str]:
    from cskpi.metrics.targets import TARGET_HELP, parse_target

    targets: dict[str, str] = {}
    for kpi, text in table.items():
        key = f"targets.{kpi}"
        if known_kpis is not None and kpi not in known_kpis:
            close = difflib.get_close_matches(kpi, sorted(known_kpis), n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise check.fail(key, "unknown KPI id", f"{hint}`cskpi kpis` lists the ids")
        if not isinstance(text, str):
            raise check.fail(
                key,
                f"must be a text in quotes, got {_shown(text)}",
                f"{TARGET_HELP[0].upper()}{TARGET_HELP[1:]}",
            )
        try:
            targets[kpi] = parse_target(text).text
        except ConfigError:
            raise check.fail(
                key, f"{text!r} is not a target", f"{TARGET_HELP[0].upper()}{TARGET_HELP[1:]}"
            ) from None
    return targets


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return False
    return True


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
