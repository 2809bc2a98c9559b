"""Dates written with words: month and weekday names, AM/PM markers and zone abbreviations.

`18/jul/26 9:10 AM` (Jira), `Tue, 01 Sep 2026 00:55:52` (Five9), `3. Okt. 2026 14:05`,
`3. lokakuuta 2026`, `17.3.2026 9.10 ip.` become numeric texts on a 24-hour clock
(`2026-07-18 09:10:00`, `17.3.2026 21:10:00`) that the timestamp parser reads. The names come from
CLDR (through Babel) for the languages below, every width and context, so genitive forms (Finnish
`lokakuuta`, Polish `października`) are known. Each distinct text is rewritten once, by Arrow
regexes over the whole set of them.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "sv", "fi", "da", "nb", "pl", "ro", "lv")
_WIDTHS = ("wide", "abbreviated")
_CONTEXTS = ("format", "stand-alone")
# Two-digit years: 69-99 are 1969-1999, 00-68 are 2000-2068 (POSIX %y, as Arrow's strptime reads
# them on the fast path; see docs/decisions.md).
YEAR_PIVOT = 69
# RFC 2822's zone names, and the European ones exports write (CET, EEST, …).
ZONE_OFFSETS = {
    "UT": "+00:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "BST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}
# Words between the date and the time: `3 Oct 2026 at 14:05`, `3.10.2026 klo 14.05`, `um`, …
CONNECTORS = ("at", "um", "klo", "kl", "à", "às", "a las", "a la", "alle", "om", "o", "la", "plkst")


def word_key(word: str) -> str:
    """A name as looked up: case-folded, without dots and spaces (`a.\u202fm.` -> `am`)."""
    return re.sub(r"[.\s\u00a0\u202f]", "", word.casefold())


def _unambiguous(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Names with one meaning across the languages; a name meaning two things is left out."""
    table: dict[str, object] = {}
    clashes = set()
    for name, value in pairs:
        key = word_key(name)
        if not key:
            continue
        if table.get(key, value) != value:
            clashes.add(key)
        table[key] = value
    return {k: v for k, v in table.items() if k not in clashes}


@functools.cache
def month_numbers() -> dict[str, int]:
    """Every month name and abbreviation of LANGUAGES -> its number (`okt` -> 10)."""
    from babel.dates import get_month_names

    return _unambiguous(
        [
            (name, number)
            for lang in LANGUAGES
            for width in _WIDTHS
            for context in _CONTEXTS
            for number, name in get_month_names(width, context, lang).items()
        ]
    )


@functools.cache
def weekday_names() -> frozenset[str]:
    from babel.dates import get_day_names

    return frozenset(
        word_key(name)
        for lang in LANGUAGES
        for width in (*_WIDTHS, "short")
        for context in _CONTEXTS
        for name in get_day_names(width, context, lang).values()
    )


@functools.cache
def weekday_numbers() -> dict[str, int]:
    """Weekday names with one meaning across LANGUAGES -> Monday 0 … Sunday 6."""
    from babel.dates import get_day_names

    return _unambiguous(
        [
            (name, number)
            for lang in LANGUAGES
            for width in (*_WIDTHS, "short")
            for context in _CONTEXTS
            for number, name in get_day_names(width, context, lang).items()
        ]
    )


# CLDR's day periods that mean before / after noon on a 12-hour clock: `am`/`pm`, and the forenoon
# and afternoon words some languages write instead (German `vorm.`/`nachm.`, Swedish `fm`/`em`).
_PERIOD_KEYS = {"am": "AM", "pm": "PM", "morning1": "AM", "morning2": "AM"}
_PERIOD_KEYS |= {"afternoon1": "PM", "afternoon2": "PM"}


@functools.cache
def period_markers() -> dict[str, str]:
    """Every AM/PM marker of LANGUAGES -> `AM` or `PM` (`ip.` -> PM, `a. m.` -> AM)."""
    from babel.dates import get_period_names

    pairs = [
        (name, _PERIOD_KEYS[key])
        for lang in LANGUAGES
        for width in (*_WIDTHS, "narrow")
        for context in _CONTEXTS
        for key, name in get_period_names(width, context, lang).items()
        if key in _PERIOD_KEYS
    ]
    # Older CLDR releases (and the software built on them) wrote these: keep reading them.
    pairs += [("vorm.", "AM"), ("nachm.", "PM"), ("a.m.", "AM"), ("p.m.", "PM")]
    return _unambiguous(pairs)


# Arrow's RE2 patterns (no look-around): run over each distinct value in C, not row by row.
_NAMED_DATE = (
    r"(?i)^\s*(?:(?P<weekday>\pL+)\.?,?\s+)?(?:"
    # 3. Okt. 2026 | 18/jul/26 | 01 Sep 2026 | 18 de julio de 2026
    r"(?P<d1>\d{1,2})\.?[\s/.\-]*(?:de\s+)?(?P<m1>\pL+)\.?[\s/.,\-]*(?:de\s+)?(?P<y1>\d{4}|\d{2})"
    # Mar 17, 2025
    r"|(?P<m2>\pL+)\.?[\s/\-]+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\.?,?[\s/\-]+(?P<y2>\d{4}|\d{2})"
    # 2026. gada 3. oktobris
    r"|(?P<y3>\d{4})\.?\s*(?:gada\s+)?(?P<d3>\d{1,2})\.\s*(?P<m3>\pL+)\.?"
    r")(?P<rest>\D.*)?$"
)
_CONNECTOR = "|".join(re.escape(c) for c in sorted(CONNECTORS, key=len, reverse=True))
_TIME_TAIL = (
    r"(?i)^(?:(?P<lead>.*?\d)[\sT,]+|[\s,]*)(?:(?:" + _CONNECTOR + r")\.?\s+)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?(?P<tail>\D.*)?$"
)
# What follows the time: a marker (AM, ip., p. m.) and/or a zone (+0200, GMT+02:00, CEST).
_PERIOD_ZONE = (
    r"^\s*(?P<period>.*?)\s*"
    r"(?P<zone>(?:Z|UTC|GMT|UT)?[+-]\d{2}(?::?\d{2})?|Z|UTC|GMT|UT|[A-Z]{3,4})?\s*$"
)


def _parts(values: pd.Series, pattern: str) -> pd.DataFrame:
    """Named groups of an RE2 pattern; a group that took no part (or no match) is missing."""
    array = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
    found = pc.extract_regex(array, pattern)
    return pd.DataFrame(
        {
            found.type.field(i).name: pd.Series(
                pc.struct_field(found, i).to_numpy(zero_copy_only=False), dtype="str"
            ).replace("", None)
            for i in range(found.type.num_fields)
        }
    )


def _lookup(words: pd.Series, table: dict) -> pd.Series:
    """Each word's entry in a names table (case-folded, no dots or spaces), per distinct word."""
    codes, distinct = pd.factorize(words)
    keys = pd.Series(distinct, dtype="str").str.casefold()
    found = keys.str.replace(r"[.\s\u00a0\u202f]", "", regex=True).map(table).to_numpy(object)
    out = np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else None, None)
    return pd.Series(out, index=words.index, dtype=object)


def _dates_from_names(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(`YYYY-MM-DD`, what follows) for values whose month is a name; missing for the others."""
    parts = _parts(values, _NAMED_DATE)
    day = parts["d1"].fillna(parts["d2"]).fillna(parts["d3"])
    word = parts["m1"].fillna(parts["m2"]).fillna(parts["m3"])
    year_text = parts["y1"].fillna(parts["y2"]).fillna(parts["y3"])
    month = _lookup(word, month_numbers()).astype("float64")
    year = year_text.astype("float64")
    short = (year_text.str.len() == 2).fillna(False)
    year = year.where(~short, year + np.where(year >= YEAR_PIVOT, 1900, 2000))
    weekdays = dict.fromkeys(weekday_names(), True)
    weekday_ok = parts["weekday"].isna() | _lookup(parts["weekday"], weekdays).notna()
    # `Tue 5 Oct 2026` when 5 Oct is a Monday: one of the two is wrong, so the value is rejected
    # rather than read as either (a weekday name that means two days is not checked).
    said = _lookup(parts["weekday"], weekday_numbers()).astype("float64")
    real = pd.to_datetime(
        {"year": year, "month": month, "day": day.astype("float64")}, errors="coerce"
    ).dt.day_of_week
    weekday_ok &= said.isna() | real.isna() | said.eq(real)
    ok = (month.notna() & weekday_ok).to_numpy()
    date = (
        year.astype("Int64").astype("str").str.zfill(4)
        + "-"
        + month.astype("Int64").astype("str").str.zfill(2)
        + "-"
        + day.str.zfill(2)
    )
    return date.where(ok), parts["rest"].fillna("").where(ok)


_ZONES = {"Z": "+00:00", "UTC": "+00:00", "GMT": "+00:00", "UT": "+00:00", **ZONE_OFFSETS}


def _times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(what precedes the time, `HH:MM:SS[.f] [±HH:MM]` on a 24-hour clock).

    Missing where a word after the time is not a known marker or zone, or a 12-hour clock reads
    an hour outside 1..12.
    """
    parts = _parts(values, _TIME_TAIL)
    tail = _parts(parts["tail"].fillna(""), _PERIOD_ZONE)
    marker = _lookup(tail["period"], period_markers())
    zone = tail["zone"]
    name = zone.str.extract(r"^([A-Z]+)", expand=False)
    number = zone.str.extract(r"([+-]\d.*)$", expand=False)
    offset = number.where(number.notna(), name.map(_ZONES))
    offset = offset.where(~(name.notna() & number.notna() & ~name.isin(["UTC", "GMT", "UT"])))
    hour = parts["H"].astype("float64")
    twelve = marker.notna()
    ok = (
        parts["H"].notna()
        & (tail["period"].isna() | twelve)
        & (zone.isna() | offset.notna())
        & (parts["tail"].isna() | tail["period"].notna() | zone.notna())
        & (~twelve | hour.between(1, 12))
    ).to_numpy()
    hour = hour.where(~twelve, hour % 12 + np.where(marker.eq("PM"), 12, 0))
    clock = (
        hour.astype("Int64").astype("str").str.zfill(2)
        + ":"
        + parts["M"]
        + ":"
        + parts["S"].fillna("00")
        + ("." + parts["f"]).fillna("")
        + (" " + offset).fillna("")
    )
    clock.index = values.index
    lead = parts["lead"].fillna("")
    lead.index = values.index
    return lead.where(ok), clock.where(ok)


def _rewrite(values: pd.Series) -> pd.Series:
    """Distinct texts -> their numeric layout (unchanged where nothing is known to rewrite)."""
    values = values.reset_index(drop=True)
    date, rest = _dates_from_names(values)
    named = date.notna()
    # A named date's time follows it; other values may still carry a worded marker or zone.
    has_time = rest.str.strip(" ,").fillna("").ne("")
    source = rest.where(named, values)
    lead, clock = _times(source)
    out = values.copy()
    out[named & ~has_time] = date[named & ~has_time]
    timed = named & has_time & clock.notna()
    out[timed] = date[timed] + " " + clock[timed]
    plain = ~named & clock.notna()
    out[plain] = (lead[plain] + " " + clock[plain]).str.strip()
    return out


def words_to_numbers(text: pd.Series) -> pd.Series:
    """Dates and times written with words -> the numeric layouts (other values unchanged).

    Only values holding a letter (other than ISO's T and Z) are looked at, each distinct one once.
    """
    has_words = text.str.contains("[A-SU-Ya-z\u00c0-\u024f]", regex=True).fillna(False)
    has_words = has_words.to_numpy(dtype=bool)
    if not has_words.any():
        return text
    codes, distinct = pd.factorize(text[has_words])
    rewritten = _rewrite(pd.Series(distinct, dtype="str")).to_numpy(dtype=object)
    out = text.to_numpy(dtype=object, na_value=None, copy=True)
    out[has_words] = rewritten[codes]
    return pd.Series(out, index=text.index, dtype="str")
