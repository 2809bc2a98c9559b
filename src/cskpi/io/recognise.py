"""Recognising a file's layout from its headers: which vendor map, or the canonical layout, fits.

Every map, and the canonical layout of the file's table, is scored on the file's headers (see
docs/decisions.md, "Recognition by score"): the weighted share of the source columns it reads that
the file has. A layout whose required columns are not all there cannot win; the best one at or
above :data:`THRESHOLD` does, ties going to user maps, then built-in maps, then the canonical
layout, then the name.

The canonical layout understands any spelling of a canonical name (`Ticket ID`, `TicketId`,
`TICKET-ID`) and the synonyms and translations of `headers/<language>.toml`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

from cskpi.io import schema, values
from cskpi.io.vendor_maps import ColumnRule, VendorMap, header_lookup, normalise_header

REQUIRED_WEIGHT = 3.0  # a source column feeding a required canonical column
SIGNATURE_WEIGHT = 2.0  # a `detect` header: the vendor's own spelling
OPTIONAL_WEIGHT = 1.0
THRESHOLD = 0.25

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "ß": "ss"})


def header_key(text: str) -> str:
    """A header as names are compared: no case, accents, spaces, punctuation or timezone suffix.

    `Ticket ID`, `ticket id`, `TicketId`, `ticket-id` and `TICKET_ID` all give `ticketid`.
    """
    stripped = _without_suffix(text)
    letters = unicodedata.normalize("NFKD", stripped.casefold().translate(_FOLD))
    letters = "".join(ch for ch in letters if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", letters)


def _without_suffix(text: str) -> str:
    text = text.replace("\ufeff", "").strip()
    return re.sub(
        r"\s*[\(\[](?:UTC|GMT|Z|[A-Za-z]+/[A-Za-z_+\-/]+|(?:UTC|GMT)?\s?[+-]\d{1,2}"
        r"(?::?\d{2})?)[\)\]]$",
        "",
        text,
    )


# ------------------------------------------------------------------------------- header dictionary


@dataclass(frozen=True)
class Name:
    column: str
    language: str  # "canonical", "en", "de", …
    position: int  # place in its language's list: earlier names win


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages of the header dictionary, English first."""
    folder = resources.files("cskpi.io") / "headers"
    found = sorted(e.name[:-5] for e in folder.iterdir() if e.name.endswith(".toml"))
    return tuple(sorted(found, key=lambda lang: (lang != "en", lang)))


@functools.cache
def dictionary_file(language: str) -> dict[str, dict[str, list[str]]]:
    folder = resources.files("cskpi.io") / "headers"
    return tomllib.loads((folder / f"{language}.toml").read_text(encoding="utf-8"))


@functools.cache
def dictionary(table: str) -> dict[str, Name]:
    """Header key -> the canonical column it names in ``table``; the first entry of a key wins."""
    names: dict[str, Name] = {
        header_key(c): Name(c, "canonical", 0) for c in schema.TABLES[table].names
    }
    for language in languages():
        for column, spellings in dictionary_file(language).get(table, {}).items():
            for position, spelling in enumerate(spellings):
                key = header_key(spelling)
                name = names.setdefault(key, Name(column, language, position))
                shared = name.language not in ("canonical", "en", language)
                if shared and name.column == column and language not in name.language.split("/"):
                    # one word in several languages: name them all ("da/de/nl")
                    names[key] = Name(column, f"{name.language}/{language}", name.position)
    return names


@dataclass(frozen=True)
class Guess:
    """One header read as one canonical column, and why."""

    header: str
    column: str
    how: str  # "canonical name", "spelling", "synonym", or "<language> name"

    @property
    def shown(self) -> str:
        return f"`{self.header}` read as {self.column} ({self.how})"


def guess_columns(headers: list[str], table: str) -> list[Guess]:
    """The canonical column each header names, one header per column (the surest wins)."""
    names = dictionary(table)
    best: dict[str, tuple[tuple[int, int, int], Guess]] = {}
    for place, header in enumerate(headers):
        name = names.get(header_key(header))
        if name is None:
            continue
        if name.language == "canonical":
            exact = normalise_header(header) == name.column
            rank, how = (0, "canonical name") if exact else (1, "spelling")
        elif name.language == "en":
            rank, how = 2, "synonym"
        else:
            rank, how = 3, f"{name.language} name"
        order = (rank, name.position, place)
        if name.column not in best or order < best[name.column][0]:
            best[name.column] = (order, Guess(header, name.column, how))
    by_header = {g.header: g for _, g in best.values()}
    return [by_header[h] for h in headers if h in by_header]


def canonical_layout(headers: list[str], table: str) -> tuple[VendorMap, list[Guess]]:
    """The canonical layout of ``table`` as a map over these headers, with its guesses."""
    guesses = guess_columns(headers, table)
    columns = {g.column: ColumnRule(g.column, source=g.header) for g in guesses}
    return VendorMap(name="canonical", table=table, columns=columns), guesses


# ------------------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Slot:
    """Something a layout reads: any one of ``anyof`` (or all of ``allof``) headers."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]  # canonical columns it fills
    weight: float
    required: bool
    all_needed: bool = False


@dataclass(frozen=True)
class Candidate:
    """How well one layout fits one file's headers."""

    vmap: VendorMap
    score: float
    eligible: bool  # every required source is there
    used: tuple[str, ...]  # the file's headers it reads
    missed: tuple[str, ...]  # headers it would read that the file lacks
    missing_required: tuple[str, ...]  # required canonical columns it cannot fill
    missing_optional: tuple[str, ...]  # optional canonical columns it fills only from missed ones
    kind: int  # 0 user map, 1 built-in map, 2 canonical layout (the tie-break order)
    guesses: tuple[Guess, ...] = ()
    own: bool = True  # reads a header the canonical layout does not read the same way

    @property
    def name(self) -> str:
        return self.vmap.name

    @property
    def fits(self) -> bool:
        # A file naming every required column of the contract is a canonical file whatever its
        # share of optional columns; the threshold keeps weak vendor guesses out.
        canonical = self.kind == 2
        return self.eligible and self.own and (canonical or self.score >= THRESHOLD)


def _slots(vmap: VendorMap) -> list[Slot]:
    spec = schema.TABLES[vmap.table]
    explicit = {normalise_header(h) for h in vmap.required}
    slots: list[Slot] = []
    for target, rule in vmap.columns.items():
        if rule.date is not None:
            sources, all_needed = (rule.date, rule.time or ""), True
        elif rule.first_of:
            sources, all_needed = rule.first_of, False
        elif rule.plus is not None:
            sources, all_needed = (rule.plus,), True
        elif rule.source is not None:
            sources, all_needed = (rule.source,), True
        else:
            continue
        required = (
            target in spec.required
            and target not in vmap.constants
            and not (vmap.melt and target in ("score", "survey"))
        ) or any(normalise_header(s) in explicit for s in sources)
        weight = REQUIRED_WEIGHT if required else OPTIONAL_WEIGHT
        slots.append(Slot(tuple(sources), (target,), weight, required, all_needed))
    known = {normalise_header(s) for slot in slots for s in slot.sources}
    extra = list(vmap.detect)
    if vmap.dedupe is not None:
        extra += [vmap.dedupe.key, vmap.dedupe.order_by]
    signature = {normalise_header(d) for d in vmap.detect}
    for header in dict.fromkeys(extra):
        if normalise_header(header) not in known:
            known.add(normalise_header(header))
            weight = SIGNATURE_WEIGHT if normalise_header(header) in signature else OPTIONAL_WEIGHT
            slots.append(Slot((header,), (), weight, False))
    return [
        Slot(
            s.sources,
            s.targets,
            max(
                s.weight,
                SIGNATURE_WEIGHT
                if any(normalise_header(h) in signature for h in s.sources)
                else 0.0,
            ),
            s.required,
            s.all_needed,
        )
        for s in slots
    ]


def score_map(headers: list[str], vmap: VendorMap, kind: int) -> Candidate:
    """Score a vendor map: the weighted share of its slots the file's headers fill (a header
    named by the map's [aliases] counts as the source it stands for)."""
    present = header_lookup(headers, vmap)
    slots = _slots(vmap)
    got = total = 0.0
    used: list[str] = []
    missed: list[str] = []
    missing_required: list[str] = []
    missing_optional: list[str] = []
    for slot in slots:
        have = [s for s in slot.sources if normalise_header(s) in present]
        filled = len(have) == len(slot.sources) if slot.all_needed else bool(have)
        total += slot.weight
        if filled:
            got += slot.weight
            used += [present[normalise_header(s)] for s in have]
        else:
            missed += [s for s in slot.sources if normalise_header(s) not in present]
            (missing_required if slot.required else missing_optional).extend(slot.targets)
    if vmap.melt:
        # Answer columns: any header left that a [[melt]] rule's `match` takes.
        rest = [h for h in headers if h not in used]
        answers = [h for h in rest if any(re.search(m.match, h) for m in vmap.melt)]
        total += OPTIONAL_WEIGHT
        if answers:
            got += OPTIONAL_WEIGHT
    spec = schema.TABLES[vmap.table]
    unreachable = [
        c
        for c in spec.required
        if c not in vmap.columns
        and c not in vmap.constants
        and not (vmap.melt and c in ("score", "survey"))
    ]
    missing_required += unreachable
    return Candidate(
        vmap=vmap,
        score=got / total if total else 0.0,
        eligible=not missing_required,
        used=tuple(dict.fromkeys(used)),
        missed=tuple(dict.fromkeys(missed)),
        missing_required=tuple(dict.fromkeys(missing_required)),
        missing_optional=tuple(dict.fromkeys(missing_optional)),
        kind=kind,
    )


def score_canonical(headers: list[str], table: str) -> Candidate:
    """Score the canonical layout: the weighted share of the table's columns the headers name."""
    vmap, guesses = canonical_layout(headers, table)
    spec = schema.TABLES[table]
    found = {g.column for g in guesses}
    got = total = 0.0
    for column in spec.columns:
        weight = REQUIRED_WEIGHT if column.required else OPTIONAL_WEIGHT
        total += weight
        got += weight if column.name in found else 0.0
    missing_required = tuple(c for c in spec.required if c not in found)
    return Candidate(
        vmap=vmap,
        score=got / total,
        eligible=not missing_required,
        used=tuple(g.header for g in guesses),
        missed=tuple(c for c in spec.names if c not in found and c not in missing_required),
        missing_required=missing_required,
        missing_optional=tuple(
            c for c in spec.names if c not in found and not spec.column(c).required
        ),
        kind=2,
        guesses=tuple(guesses),
    )


def _with_evidence(candidate: Candidate, read_as: dict[str, str]) -> Candidate:
    """A vendor map must read some header the canonical layout does not read as the same column:
    a canonical file with `ticket_id` and `created_at` is not a vendor export that also has them."""
    by_norm = {normalise_header(h): c for h, c in read_as.items()}
    reads: dict[str, str] = {}
    for rule in candidate.vmap.columns.values():
        plain = rule.source is not None and rule.unit is None and rule.values is None
        plain = plain and rule.true is None and rule.false is None and rule.when_true is None
        for s in rule.sources:
            # a conversion (unit, value table, true/false words) is the vendor's own knowledge
            reads[normalise_header(s)] = rule.target if plain else "\0converted"
    own = any(
        by_norm.get(normalise_header(h)) != reads.get(normalise_header(h), "\0signature")
        for h in candidate.used
    )
    return dataclasses.replace(candidate, own=own)


def _fills(vmap: VendorMap, table: str) -> bool:
    return vmap.table == table or any(s.table == table for s in vmap.also)


@dataclass
class Recognition:
    """Every layout's fit to one file, best first; ``chosen`` is None when none fits."""

    table: str
    candidates: list[Candidate] = field(default_factory=list)  # for the file's table
    chosen: Candidate | None = None
    forced: bool = False
    elsewhere: Candidate | None = None  # a fitting map of another table
    rejected_guesses: list[Guess] = field(default_factory=list)  # values not of the column's kind

    @property
    def runner_up(self) -> Candidate | None:
        rest = [c for c in self.candidates if c is not self.chosen]
        return rest[0] if rest else None


def _order(candidate: Candidate) -> tuple:
    return (not candidate.fits, -round(candidate.score, 9), candidate.kind, candidate.name)


def recognise(
    headers: list[str],
    table: str,
    maps: list[VendorMap],
    user_maps: int = 0,
    forced: str | None = None,
) -> Recognition:
    """Score every map and the canonical layout on ``headers``; the first ``user_maps`` are the
    user's own. ``forced`` names the map to use whatever its score."""
    # A map of a headerless export (`fields`) is known by its first row's values, not by headers.
    maps = [m for m in maps if not m.fields or m.name == forced]
    canonical = score_canonical(headers, table)
    read_as = {g.header: g.column for g in canonical.guesses}
    # The user's own maps need no evidence beyond fitting: passing one says the file is theirs.
    scored = [
        score_map(headers, m, 0)
        if i < user_maps
        else _with_evidence(score_map(headers, m, 1), read_as)
        for i, m in enumerate(maps)
    ]
    mine = [c for c in scored if _fills(c.vmap, table)]
    mine.append(canonical)
    mine.sort(key=_order)
    result = Recognition(table, mine)
    if forced is not None:
        result.chosen = next((c for c in mine if c.name == forced), None)
        result.forced = result.chosen is not None
        if result.forced:
            return result
    if mine and mine[0].fits:
        result.chosen = mine[0]
        return result
    others = sorted((c for c in scored if not _fills(c.vmap, table) and c.fits), key=_order)
    result.elsewhere = others[0] if others else None
    return result


def best_map(headers: list[str], maps: list[VendorMap]) -> VendorMap | None:
    """The best-scoring map of any table that fits these headers, or None."""
    scored = sorted((score_map(headers, m, 1) for m in maps), key=_order)
    return scored[0].vmap if scored and scored[0].fits else None


# ------------------------------------------------------------------------------------------- values


def _sample(column: pd.Series) -> pd.Series:
    sample = column.head(2000)
    if sample.dtype == object or pd.api.types.is_string_dtype(sample):
        sample = values.clean_text(sample)
    return sample.dropna().head(500)


def clock_durations(column: pd.Series) -> bool:
    """Most filled cells read H:MM:SS (a duration column exported as clock times)."""
    sample = _sample(column)
    if sample.empty or pd.api.types.is_numeric_dtype(sample):
        return False
    return bool(
        sample.astype("str")
        .str.fullmatch(r"(?:\d+[ .])?\d+:\d{1,2}(?::\d{1,2}(?:[.,]\d+)?)?")
        .mean()
        > 0.5
    )


def implausible(column: pd.Series, kind: str) -> bool:
    """Most of the first 500 filled cells are not values of ``kind``: the guess is wrong."""
    if kind in ("id", "str", "text"):
        return False
    sample = _sample(column)
    if sample.empty:
        return False
    if kind == "timestamp":
        _, bad = values.parse_timestamp(sample)
    elif kind == "bool":
        _, bad = values.parse_bool(sample)
    elif kind == "month":
        _, bad = values.parse_month(sample)
    else:
        _, bad = values.parse_number(sample)
    return bool(bad.mean() > 0.5)


@functools.cache
def done_pattern() -> str:
    """A status that says the ticket is done, in every dictionary language (`6 - Resolved` too)."""
    words = [
        re.escape(w.casefold())
        for language in languages()
        for w in dictionary_file(language).get("status", {}).get("resolved", [])
    ]
    return rf"^\s*(?:\d+\s*[-.:]\s*)?(?:{'|'.join(words)})\s*$"
