"""Labels and headings in the languages cskpi speaks: en, fi, da, no, ro, lv.

KPI ids never change; only the words people read do. A key missing in a language falls back to
English, and a key English lacks too comes back as itself, so output never breaks.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from cskpi.errors import UsageError

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
        raise UsageError(f"--lang {lang!r} is not a language cskpi knows. "
                         f"Use one of {', '.join(LANGUAGES)} (nb for no)")
    text = resources.files("cskpi.i18n").joinpath(f"{lang}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {"labels": data.get("labels", {}), "headings": data.get("headings", {})}


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
