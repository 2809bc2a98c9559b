"""Labels and headings in the languages cskpi speaks: en, fi, da, no, ro, lv.

KPI ids never change; only the words people read do. A key missing in a language falls back to
English, and a key English lacks too comes back as itself, so output never breaks.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from cskpi.errors import UsageError, did_you_mean

LANGUAGES = ("en", "fi", "da", "no", "ro", "lv")
DEFAULT = "en"
ALIASES = {"nb": "no"}  # Norwegian Bokmål is what no.toml holds


def resolve(lang: str) -> str:
    """The catalogue code of ``lang``: ``nb`` is ``no``; case and spaces do not matter."""
    code = lang.strip().lower()
    return ALIASES.get(code, code)


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The [labels] and [headings] tables of one language file."""
    lang = resolve(lang)
    if lang not in LANGUAGES:
        raise UsageError(
            f"--lang {lang!r} is not a language cskpi knows. {did_you_mean(lang, LANGUAGES)}"
            f"Use one of {', '.join(LANGUAGES)} (nb for no)"
        )
    text = resources.files("cskpi.i18n").joinpath(f"{lang}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {
        "labels": data.get("labels", {}),
        "headings": data.get("headings", {}),
        "reasons": data.get("reasons", {}),
    }


def _lookup(section: str, key: str, lang: str) -> str:
    found = catalogue(lang)[section].get(key)
    if found is None and lang != DEFAULT:
        found = catalogue(DEFAULT)[section].get(key)
    return found if found is not None else key


def label(kpi_id: str, lang: str = DEFAULT) -> str:
    """What a KPI is called in ``lang`` (falls back to English, then to the id)."""
    return _lookup("labels", kpi_id, lang)


def heading(key: str, lang: str = DEFAULT) -> str:
    """A table heading or word of the output in ``lang`` (falls back to English, then the key)."""
    return _lookup("headings", key, lang)


@cache
def _reason_patterns(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    patterns = []
    for english, translated in catalogue(lang)["reasons"].items():
        parts = re.split(r"\{(\w+)\}", english)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(f"^{regex}$"), translated))
    return tuple(patterns)


def reason(text: str, lang: str = DEFAULT) -> str:
    """A not-available reason in ``lang``: the first [reasons] sentence it matches, its parts
    (ids, periods) kept; a reason no sentence matches stays English."""
    lang = resolve(lang)
    if lang == DEFAULT:
        return text
    for pattern, translated in _reason_patterns(lang):
        match = pattern.match(text)
        if match:
            return translated.format(**match.groupdict())
    return text
