"""A starter vendor map for any export: its headers read as canonical columns, with the reasons.

`cskpi map FILE` writes it, so an export no map knows gets going in one edit. What the values show
(the day-month order of dates, duration units, a decimal comma) is written as map options or as
comments; columns that name nothing canonical are listed as comments.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pandas as pd

from cskpi.io import read, recognise, schema, values
from cskpi.io.vendor_maps import builtin_maps

_REGEX_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()]")
_HMS = re.compile(r"^\d+:\d{1,2}(?::\d{1,2}(?:[.,]\d+)?)?$")


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


# TOML comments end at a line break and may hold no control character but tab.
_NOT_IN_COMMENT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _comment(text: str) -> str:
    """Text from the file, safe inside a `#` comment: control characters shown as `␤`."""
    return _NOT_IN_COMMENT.sub("\u2424", text)


def _sample(column: pd.Series) -> str:
    filled = values.clean_text(column.astype("str")).dropna()
    if filled.empty:
        return "(empty)"
    text = str(filled.iloc[0])
    return _comment(text if len(text) <= 30 else text[:29] + "…")


def best_table(headers: list[str]) -> str:
    """The table whose canonical layout the headers fit best (required columns first)."""
    scored = [recognise.score_canonical(headers, t) for t in schema.TABLES]
    best = max(scored, key=lambda c: (c.eligible, c.score))
    return best.vmap.table


def _survey_words() -> dict[str, list[str]]:
    """Survey kind -> the words (as header keys) that name its question, in every language."""
    words: dict[str, list[str]] = {}
    for language in recognise.languages():
        for kind, stems in recognise.dictionary_file(language).get("survey_words", {}).items():
            words.setdefault(kind, []).extend(stems)
    return words


def melt_guesses(frame: pd.DataFrame, headers: list[str]) -> list[tuple[str, str, str]]:
    """(header, survey, why) for each column that looks like one scored survey question: its
    header names NPS, CSAT or CES in a known language and every answer is a whole number on
    that survey's scale."""
    found = []
    words = _survey_words()
    for header in headers:
        key = recognise.header_key(header)
        kind, word = next(
            ((k, w) for k in ("nps", "csat", "ces") for w in words.get(k, []) if w in key),
            (None, None),
        )
        if kind is None:
            continue
        numbers, bad = values.parse_number(values.clean_text(frame[header].astype("str")))
        filled = numbers[~bad].dropna()
        low, high = schema.SURVEY_SCALES[kind]
        if bad.any() or filled.empty or not (filled % 1 == 0).all():
            continue
        if filled.min() < low or filled.max() > high:
            continue
        why = (
            f"the header says '{word}' and every answer is a whole number "
            f"{filled.min():g}..{filled.max():g}, within {kind}'s {low:g}-{high:g}"
        )
        found.append((header, kind, why))
    return found


def _duration_unit(header: str, column: pd.Series) -> tuple[str | None, str]:
    """The unit a duration column's values are in, and why."""
    filled = values.clean_text(column.astype("str")).dropna().head(500)
    if len(filled) and filled.str.match(_HMS.pattern).mean() > 0.5:
        return "hms", "values look like H:MM:SS"
    words = recognise.header_key(header)
    for unit, pattern in (
        ("milliseconds", r"(ms|millisec)"),
        ("minutes", r"(min|minute|minuten|minutes|minuti|minutos|minuter|minuutit)"),
        ("hours", r"(hour|hours|stunden|heures|horas|ore|uren|timmar|tunnit|timer|godziny)$"),
        ("seconds", r"(sec|seconds|sekunden|secondes|segundos|secondi|seconden|sekunder|s)$"),
    ):
        if re.search(pattern, words):
            return unit, f"the header says {unit}"
    return None, "no unit in the header or values: values taken as they are"


def starter_map(path: Path, table: str | None = None, encoding: str | None = None) -> str:
    """The TOML text of a starter map for ``path`` (see docs/vendor-maps.md)."""
    raw = read.read_any(Path(path), encoding=encoding)
    headers = raw.headers
    table = table or best_table(headers)
    spec = schema.TABLES[table]
    guesses = recognise.guess_columns(headers, table)
    kept, doubtful = [], []
    for guess in guesses:
        kind = spec.column(guess.column).kind
        cells = raw.frame[guess.header]
        clock = guess.column.endswith(("_seconds", "_minutes")) and recognise.clock_durations(cells)
        if not clock and recognise.implausible(cells, kind):
            doubtful.append(guess)
        else:
            kept.append(guess)
    by_column = {g.column: g for g in kept}
    melts = []
    if table == "surveys" and "score" not in by_column:  # a wide export: one column a question
        used_now = {g.header for g in kept}
        melts = melt_guesses(raw.frame, [h for h in headers if h not in used_now])
    melted = {"survey", "question", "score"} if melts else set()
    name = re.sub(r"[^0-9a-z]+", "_", Path(path).stem.casefold()).strip("_") or "export"

    shown = _comment(Path(path).name)
    lines = [
        f"# Starter map for {shown}, written by `cskpi map`. Check each guess, fill",
        "# what is missing, then run:",
        f"#   cskpi validate --map THIS_FILE --{table} {_toml(str(path))}",
    ]
    fitting = recognise.recognise(headers, table, list(builtin_maps().values())).chosen
    if fitting is not None and fitting.kind == 1:
        lines.append(
            f"# Note: this file is already recognised as {fitting.name} "
            f"(score {fitting.score:.2f}); you may not need a map."
        )
    required = [by_column[c].header for c in spec.required if c in by_column]
    lines += [
        f"name = {_toml(name)}",
        f"title = {_toml(Path(path).name + ' export')}",
        f"table = {_toml(table)}",
        f"detect = [{', '.join(_toml(h) for h in required)}]",
    ]

    stamps = [
        raw.frame[by_column[c.name].header]
        for c in spec.columns
        if c.kind == "timestamp" and c.name in by_column
    ]
    order = values.detect_date_order(stamps)
    if order.order in ("day-first", "month-first") and not order.ambiguous:
        lines.append(f"date_order = {_toml(order.order)}   # the dates' values prove it")
    elif order.ambiguous:
        lines.append(
            '# date_order = "day-first"   # no date proves day-first or month-first: set it'
        )
    numbers = [
        values.clean_text(raw.frame[by_column[c.name].header].astype("str"))
        for c in spec.columns
        if c.kind in ("number", "int") and c.name in by_column
    ]
    if numbers and values.guess_decimal(pd.concat(numbers)) == ",":
        lines.append("# The numbers use a decimal comma: run cskpi with --decimal ,")

    lines += ["", "[columns]"]
    for column in spec.columns:
        guess = by_column.get(column.name)
        if guess is None:
            continue
        reason = f"{guess.how}; e.g. {_sample(raw.frame[guess.header])}"
        if column.name.endswith(("_seconds", "_minutes")):
            unit, why = _duration_unit(guess.header, raw.frame[guess.header])
            if unit is not None:
                rule = f"{{ from = {_toml(guess.header)}, unit = {_toml(unit)} }}"
                lines.append(f"{column.name} = {rule}   # {reason}; {why}")
                continue
            reason += f"; {why}"
        lines.append(f"{column.name} = {_toml(guess.header)}   # {reason}")
    for column in spec.required:
        if column not in by_column and column not in melted:
            lines.append(
                f'# {column} = "?"   # REQUIRED and not found: name the column that holds it'
                + (" (or give it in [constants])" if table == "surveys" else "")
            )
    for guess in doubtful:
        lines.append(
            f"# {guess.column} = {_toml(guess.header)}   # not used: {guess.how}, but its values "
            f"are not {spec.column(guess.column).kind}s (e.g. {_sample(raw.frame[guess.header])})"
        )
    optional = [
        c for c in spec.names if c not in by_column and c not in spec.required and c not in melted
    ]
    if optional:
        lines += textwrap.wrap(
            f"Not found (optional): {', '.join(optional)}",
            width=98,
            initial_indent="# ",
            subsequent_indent="#   ",
        )
    seen: set[str] = set()
    for header, survey, why in melts:
        # The first question of each survey is its overall score; later ones keep their name.
        question = "{header}" if survey in seen else "overall"
        seen.add(survey)
        pattern = "^" + _REGEX_SPECIAL.sub(lambda m: "\\" + m.group(), header) + "$"
        lines += [
            "",
            f"# Guess: {_toml(header)} is a {survey} question ({why}). Check it.",
            "[[melt]]",
            f"match = {_toml(pattern)}",
            f"survey = {_toml(survey)}",
            f"question = {_toml(question)}",
        ]
    used = {g.header for g in kept} | {m[0] for m in melts}
    unmapped = [h for h in headers if h not in used]
    if unmapped:
        lines += [
            "",
            "# Columns of the file that name no canonical column (map one above if it fits):",
        ]
        lines += [f"#   {_toml(h)}   e.g. {_sample(raw.frame[h])}" for h in unmapped]
    return "\n".join(lines) + "\n"
