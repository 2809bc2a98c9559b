"""Dates written with words: month and weekday names, AM/PM markers and zone abbreviations.

`18/jul/26 9:10 AM` (Jira), `Tue, 01 Sep 2026 00:55:52` (Five9), `3. Okt. 2026 14:05`,
`3. lokakuuta 2026`, `17.3.2026 9.10 ip.` become ISO-like texts (`2026-07-18 9:10 AM`) that the
numeric timestamp parser reads. The names come from CLDR (through Babel) for the languages below,
every width and context, so genitive forms (Finnish `lokakuuta`, Polish `października`) are known.
Each distinct text is rewritten once; a column repeats few distinct dates per row.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

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


_WORD = r"[^\W\d_]+"
_NAMED_DATE = re.compile(
    rf"""^\s*(?:(?P<weekday>{_WORD})\.?,?\s+)?
    (?:
      (?P<d1>\d{{1,2}})\.?[\s/.-]*(?:de\s+)?(?P<m1>{_WORD})\.?[\s/.,-]*(?:de\s+)?(?P<y1>\d{{4}}|\d{{2}})
    | (?P<m2>{_WORD})\.?[\s/-]+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?,?[\s/-]+(?P<y2>\d{{4}}|\d{{2}})
    | (?P<y3>\d{{4}})\.?\s*(?:gada\s+)?(?P<d3>\d{{1,2}})\.\s*(?P<m3>{_WORD})\.?
    )(?P<rest>(?!\d).*)$""",
    re.VERBOSE | re.IGNORECASE,
)
_CONNECTOR = "|".join(re.escape(c) for c in sorted(CONNECTORS, key=len, reverse=True))
_TIME_TAIL = re.compile(
    rf"""^(?P<lead>.*?\d)?(?P<sep>[\sT,]+(?:(?:{_CONNECTOR})\.?\s+)?|^\s*)
    (?P<time>\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}}(?:[.,]\d{{1,9}})?)?)(?P<tail>(?!\d).*)$""",
    re.VERBOSE | re.IGNORECASE,
)
_ZONE_END = re.compile(r"(?:(?<=\s)|^)(?P<name>[A-Za-z]{1,4})?(?P<offset>[+-]\d{2}(?::?\d{2})?)?$")


def _zone(tail: str) -> tuple[str, str] | None:
    """(what is left before the zone, the zone as an offset) when the tail ends in a zone."""
    match = _ZONE_END.search(tail)
    if match is None or not match.group(0):
        return None
    name, offset = (match["name"] or "").upper(), match["offset"]
    if name in ("", "Z", "UT", "UTC", "GMT"):
        if name == "Z" and offset:
            return None
        return tail[: match.start()], offset or "+00:00"
    if name in ZONE_OFFSETS and not offset:
        return tail[: match.start()], ZONE_OFFSETS[name]
    return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= YEAR_PIVOT else 2000
    return year


def _named_date(value: str) -> tuple[str, str] | None:
    """(`YYYY-MM-DD`, the rest) for a date whose month is written as a name, else None."""
    match = _NAMED_DATE.match(value)
    if match is None:
        return None
    weekday = match["weekday"]
    if weekday is not None and word_key(weekday) not in weekday_names():
        return None
    for i in "123":
        if match["m" + i] is not None:
            month = month_numbers().get(word_key(match["m" + i]))
            if month is None:
                return None
            year, day = _year(match["y" + i]), int(match["d" + i])
            return f"{year:04d}-{month:02d}-{day:02d}", match["rest"]
    return None


def _time_tail(text: str) -> str | None:
    """` at 9.10 ip. CEST` -> ` 9.10 PM +02:00`; None when a word in it is not known."""
    match = _TIME_TAIL.match(text)
    if match is None:
        return None
    out = (match["lead"] or "") + " " + match["time"]
    tail = match["tail"].strip()
    zone = _zone(tail) if tail else None
    if zone is not None:
        tail = zone[0].strip()
    if tail:
        marker = period_markers().get(word_key(tail))
        if marker is None:
            return None
        out += " " + marker
    if zone is not None:
        out += " " + zone[1]
    return out


def _rewrite(value: str) -> str:
    named = _named_date(value)
    if named is not None:
        date, rest = named
        if not rest.strip(" ,"):
            return date
        tail = _time_tail(rest)
        return value if tail is None else date + tail
    tail = _time_tail(value)
    return value if tail is None or not tail.strip() else tail.strip()


def words_to_numbers(text: pd.Series) -> pd.Series:
    """Dates and times written with words -> the numeric layouts (other values unchanged).

    Only values holding a letter (other than ISO's T and Z) are looked at, each distinct one once.
    """
    has_words = (
        text.str.contains("[A-SU-Ya-z\u00c0-\u024f]", regex=True).fillna(False).to_numpy(dtype=bool)
    )
    if not has_words.any():
        return text
    worded = text[has_words]
    rewritten = {value: _rewrite(value) for value in pd.unique(worded)}
    out = text.to_numpy(dtype=object, na_value=None, copy=True)
    out[has_words] = worded.map(rewritten).to_numpy(dtype=object)
    return pd.Series(out, index=text.index, dtype="str")
