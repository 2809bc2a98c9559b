"""Vendor maps (docs/vendor-maps.md): how one vendor's export becomes a canonical table.

A map is read from TOML into a frozen :class:`VendorMap`; :func:`choose_map` picks one by headers
(or by name); :func:`apply_map` renames, converts units, melts and dedupes, giving the canonical
columns still as cell values, which :mod:`cskpi.io.canonical` then types and validates.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from cskpi.errors import ConfigError, SchemaError, UsageError, did_you_mean, located
from cskpi.io import schema, values
from cskpi.io.read import RawTable

_RULE_KEYS = {
    "from",
    "unit",
    "true",
    "false",
    "values",
    "base",
    "plus",
    "date",
    "time",
    "first_of",
    "when_true",
    "when",
    "unless",
}
# Every top-level key of a map and the TOML type it must have: checked before anything reads it,
# so `table = ["tickets"]` or `detect = "Id"` is a message naming the key, not a crash.
_MAP_TYPES: dict[str, tuple[type, str]] = {
    "name": (str, "a text"),
    "title": (str, "a text"),
    "table": (str, "a text"),
    "detect": (list, "a list of header names"),
    "required": (list, "a list of header names"),
    "header_rows": (int, "a whole number"),
    "null_values": (list, "a list of texts"),
    "date_order": (str, "a text"),
    "records": (str, "a text"),
    "columns": (dict, "a table"),
    "constants": (dict, "a table"),
    "dedupe": (dict, "a table"),
    "melt": (list, "an array of tables ([[melt]])"),
    "also": (list, "an array of tables ([[also]])"),
    "aliases": (dict, "a table"),
    "fields": (list, "a list of field names"),
    "detect_values": (dict, "a table"),
    "only": (dict, "a table"),
}
_MAP_KEYS = set(_MAP_TYPES)
# Keys whose list items must be texts, and arrays whose items must be tables.
_TEXT_LISTS = ("detect", "required", "null_values", "fields")
_TABLE_LISTS = ("melt", "also")


def _check_types(doc: dict, path: str | None) -> None:
    for key, (kind, shown) in _MAP_TYPES.items():
        if key not in doc:
            continue
        value = doc[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _fail(
                path, f"{key} must be {shown}, not {value!r}"[:300], "See docs/vendor-maps.md"
            )
        if key in _TEXT_LISTS and not all(isinstance(v, str) for v in value):
            raise _fail(path, f"{key} must be a list of texts", "Quote every item")
        if key in _TABLE_LISTS and not all(isinstance(v, dict) for v in value):
            raise _fail(path, f"{key} must be {shown}", "See docs/vendor-maps.md")


@dataclass(frozen=True)
class ColumnRule:
    """How one canonical column is filled from the export."""

    target: str
    source: str | None = None  # `from`, or the plain string form
    unit: str | None = None  # duration unit of `from` / `plus`
    true: tuple[str, ...] | None = None
    false: tuple[str, ...] | None = None
    values: dict[str, str] | None = None  # value translation
    base: str | None = None  # canonical timestamp column ...
    plus: str | None = None  # ... plus this duration column
    date: str | None = None  # a date column ...
    time: str | None = None  # ... plus a time-of-day column
    first_of: tuple[str, ...] = ()  # the first non-empty of these columns
    when_true: str | None = None  # canonical column copied where `from` is true
    when: str | None = None  # base+plus only where this header is true ...
    unless: str | None = None  # ... or only where it is false

    @property
    def sources(self) -> list[str]:
        named = [
            self.source,
            self.plus,
            self.date,
            self.time,
            *self.first_of,
            self.when,
            self.unless,
        ]
        return [s for s in named if s]


@dataclass(frozen=True)
class MeltRule:
    match: str
    survey: str
    question: str = "overall"
    scale: tuple[float, float] | None = None
    match_text: str | None = None  # regex on the second header row (question text)
    # the question when this is the only column of its survey in the file ("overall")
    question_alone: str | None = None
    # answers that are ratings of another kind (Zendesk "Good" / "Bad"): left out and counted
    not_scores: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dedupe:
    key: str
    order_by: str
    kind: str = "timestamp"


@dataclass(frozen=True)
class VendorMap:
    name: str
    table: str
    title: str = ""
    detect: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # source headers without which the map cannot be used
    header_rows: int = 1
    null_values: tuple[str, ...] = ()
    date_order: str | None = None
    records: str | None = None
    columns: dict[str, ColumnRule] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    dedupe: Dedupe | None = None
    melt: tuple[MeltRule, ...] = ()
    also: tuple[VendorMap, ...] = ()  # further tables filled from the same file
    path: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # other header name -> source name
    fields: tuple[str, ...] = ()  # a file without a header row: its column names in order
    detect_values: dict[str, str] = field(default_factory=dict)  # field -> regex on row 1
    only: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header -> values kept


@dataclass
class Mapped:
    """A file's rows under canonical names, values not yet typed (except unit/boolean rules)."""

    table: str
    frame: pd.DataFrame
    lines: np.ndarray
    prepared: set[str] = field(default_factory=set)  # already typed by a rule
    derived: list[ColumnRule] = field(default_factory=list)  # base+plus / when_true, after typing
    mapped: dict[str, str] = field(default_factory=dict)  # source header -> canonical
    ignored: list[str] = field(default_factory=list)
    merged: int = 0  # rows dropped by [dedupe]
    date_order_hint: str | None = None
    answers_only: bool = False  # melted: empty answers were skipped


# ------------------------------------------------------------------------------------ reading maps


@functools.lru_cache(maxsize=1 << 14)  # every map's headers, compared with every file's
def normalise_header(header: str) -> str:
    """Case- and space-insensitive, without BOM or a trailing timezone suffix like ` (UTC)`."""
    text = header.replace("\ufeff", "").strip()
    text = re.sub(
        r"\s*[\(\[](?:UTC|GMT|Z|[A-Za-z]+/[A-Za-z_+\-/]+|(?:UTC|GMT)?\s?[+-]\d{1,2}"
        r"(?::?\d{2})?)[\)\]]$",
        "",
        text,
    )
    return re.sub(r"\s+", "", text).casefold()


def _fail(path: str | None, message: str, fix: str) -> ConfigError:
    return ConfigError(located(path or "vendor map", message, fix=fix))


def _rule(target: str, spec: object, path: str | None) -> ColumnRule:
    if isinstance(spec, str):
        return ColumnRule(target, source=spec)
    if not isinstance(spec, dict):
        raise _fail(
            path,
            f"[columns] {target} must be a header name or a table",
            'Write it as target = "Header" or target = { from = "Header", … }',
        )
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise _fail(
            path,
            f"[columns] {target} has unknown option(s) {sorted(unknown)}",
            f"Use only {sorted(_RULE_KEYS)}",
        )
    unit = spec.get("unit")
    if unit is not None and unit not in values.DURATION_UNITS:
        raise _fail(
            path,
            f"[columns] {target} has unknown unit {unit!r}",
            f"Use one of {', '.join(values.DURATION_UNITS)}",
        )
    if ("base" in spec) != ("plus" in spec) or ("date" in spec) != ("time" in spec):
        raise _fail(
            path,
            f"[columns] {target}: base needs plus and date needs time",
            "Give both keys of the pair",
        )
    if "plus" in spec and unit is None:
        raise _fail(path, f"[columns] {target}: plus needs a unit", 'Add unit = "minutes" (or …)')
    return ColumnRule(
        target,
        source=spec.get("from"),
        unit=unit,
        true=tuple(spec["true"]) if "true" in spec else None,
        false=tuple(spec["false"]) if "false" in spec else None,
        values=dict(spec["values"]) if "values" in spec else None,
        base=spec.get("base"),
        plus=spec.get("plus"),
        date=spec.get("date"),
        time=spec.get("time"),
        first_of=tuple(spec.get("first_of", ())),
        when_true=spec.get("when_true"),
        when=spec.get("when"),
        unless=spec.get("unless"),
    )


def parse_map(doc: dict, path: str | None = None, parent: VendorMap | None = None) -> VendorMap:
    """Check and build a map from its TOML document."""
    unknown = set(doc) - _MAP_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s) {sorted(unknown)}", "See docs/vendor-maps.md")
    _check_types(doc, path)
    table = doc.get("table")
    if table not in schema.TABLES:
        raise _fail(
            path,
            f"table {table!r} is not a canonical table",
            f"Use one of {', '.join(schema.TABLES)}",
        )
    canonical = schema.TABLES[table].names
    columns = {}
    for target, spec in doc.get("columns", {}).items():
        if target not in canonical:
            raise _fail(
                path,
                f"[columns] {target!r} is not a column of {table}",
                f"Use one of {', '.join(canonical)}",
            )
        columns[target] = _rule(target, spec, path)
    constants = dict(doc.get("constants", {}))
    for target in constants:
        if target not in canonical:
            raise _fail(
                path,
                f"[constants] {target!r} is not a column of {table}",
                f"Use one of {', '.join(canonical)}",
            )
    dedupe = None
    if "dedupe" in doc:
        d = doc["dedupe"]
        if (
            "key" not in d
            or "order_by" not in d
            or d.get("kind", "timestamp") not in ("timestamp", "number")
        ):
            raise _fail(
                path,
                "[dedupe] needs key, order_by and kind = timestamp | number",
                "Complete the [dedupe] table",
            )
        dedupe = Dedupe(d["key"], d["order_by"], d.get("kind", "timestamp"))
    melt = []
    for rule in doc.get("melt", []):
        if "match" not in rule or "survey" not in rule:
            raise _fail(path, "every [[melt]] needs match and survey", "Add the missing key")
        try:
            re.compile(rule["match"])
        except re.error as exc:
            raise _fail(
                path,
                f"[[melt]] match {rule['match']!r} is not a regular expression ({exc})",
                "Fix the pattern",
            ) from None
        scale = tuple(float(x) for x in rule["scale"]) if "scale" in rule else None
        melt.append(
            MeltRule(
                rule["match"],
                rule["survey"],
                rule.get("question", "overall"),
                scale,
                rule.get("match_text"),
                rule.get("question_alone"),
                tuple(str(v) for v in rule.get("not_scores", ())),
            )
        )  # type: ignore[arg-type]
    aliases = {str(k): str(v) for k, v in doc.get("aliases", {}).items()}
    fields = tuple(doc.get("fields", ()))
    detect_values = dict(doc.get("detect_values", {}))
    for name_, pattern in detect_values.items():
        if name_ not in fields:
            raise _fail(path, f"[detect_values] {name_!r} is not in fields", "Name a field")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(
                path,
                f"[detect_values] {name_}: {pattern!r} is not a regular expression ({exc})",
                "Fix the pattern",
            ) from None
    only = {str(k): tuple(str(x) for x in v) for k, v in doc.get("only", {}).items()}
    name = doc.get("name") or (parent.name if parent else Path(path or "map").stem)
    inherited_nulls = parent.null_values if parent else ()
    vmap = VendorMap(
        name=name,
        table=table,
        title=doc.get("title", parent.title if parent else ""),
        detect=tuple(doc.get("detect", parent.detect if parent else ())),
        required=tuple(doc.get("required", ())),
        header_rows=int(doc.get("header_rows", parent.header_rows if parent else 1)),
        null_values=tuple(dict.fromkeys((*inherited_nulls, *doc.get("null_values", ())))),
        date_order=doc.get("date_order", parent.date_order if parent else None),
        records=doc.get("records", parent.records if parent else None),
        columns=columns,
        constants=constants,
        dedupe=dedupe,
        melt=tuple(melt),
        path=path,
        aliases=aliases or (dict(parent.aliases) if parent else {}),
        fields=fields or (parent.fields if parent else ()),
        detect_values=detect_values or (dict(parent.detect_values) if parent else {}),
        only=only,
    )
    read = {normalise_header(s) for rule in columns.values() for s in rule.sources}
    unread = [h for h in vmap.required if normalise_header(h) not in read]
    if unread:
        raise _fail(
            path,
            f"required header(s) {unread} are not read by any [columns] rule",
            "List in `required` only headers that [columns] reads",
        )
    also = tuple(parse_map(sub, path, vmap) for sub in doc.get("also", []))
    return VendorMap(**{**vmap.__dict__, "also": also})


def load_map(path: Path) -> VendorMap:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(located(path, "map file not found", fix="Check the --map path")) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            located(
                path, f"is not valid TOML ({exc})", fix="Fix the syntax (see docs/vendor-maps.md)"
            )
        ) from None
    except (RecursionError, ValueError, UnicodeDecodeError, IsADirectoryError):
        raise ConfigError(
            located(
                path,
                "cannot be read as a map (not UTF-8 text, nested too deeply or a number too long)",
                fix="See docs/vendor-maps.md for the layout",
            )
        ) from None
    try:
        return parse_map(doc, str(path))
    except (TypeError, ValueError, AttributeError) as exc:  # a nested option of the wrong type
        raise ConfigError(
            located(
                path,
                f"has an option of the wrong type ({exc})",
                fix="See docs/vendor-maps.md for each option's form",
            )
        ) from None


@functools.cache
def builtin_maps() -> dict[str, VendorMap]:
    folder = resources.files("cskpi.io") / "vendors"
    maps = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            vmap = parse_map(
                tomllib.loads(entry.read_text(encoding="utf-8")), f"vendors/{entry.name}"
            )
            maps[vmap.name] = vmap
    return maps


def all_maps(user_maps: list[Path]) -> list[VendorMap]:
    """User maps first, so they win over built-in ones with the same headers."""
    return [load_map(p) for p in user_maps] + list(builtin_maps().values())


def choose_map(
    headers: list[str], maps: list[VendorMap], forced: str | None = None, path: Path | None = None
) -> VendorMap | None:
    """The map named ``forced``, else the best-scoring map that fits (see io.recognise)."""
    if forced:
        for vmap in maps:
            if vmap.name == forced:
                return vmap
        raise UsageError(
            f"unknown vendor {forced!r}. {did_you_mean(forced, {m.name for m in maps})}Use one of "
            f"{', '.join(sorted({m.name for m in maps}))}, or give your map with --map"
        )
    from cskpi.io.recognise import best_map

    return best_map(headers, maps)


def header_lookup(headers: list[str], vmap: VendorMap) -> dict[str, str]:
    """Normalised source name -> the file's header, with the map's [aliases] applied first.

    An alias names the same column in another export language (Jira's `Creada` is `Created`); a
    header that is itself a source name wins over an alias pointing at that name.
    """
    aliases = {normalise_header(k): normalise_header(v) for k, v in vmap.aliases.items()}
    lookup: dict[str, str] = {}
    for h in headers:
        norm = normalise_header(h)
        if norm in aliases:
            lookup.setdefault(aliases[norm], h)
    lookup.update({normalise_header(h): h for h in headers})
    return lookup


def choose_headerless(first_row: list[str], maps: list[VendorMap]) -> VendorMap | None:
    """A map for a file without a header row, recognised by the values of its first row.

    The row needs as many cells as the map's fields up to the last one it checks, and every
    `detect_values` pattern must match its cell (Asterisk: timestamps and the disposition word).
    """
    for vmap in maps:
        if not vmap.fields or not vmap.detect_values:
            continue
        positions = {vmap.fields.index(f): p for f, p in vmap.detect_values.items()}
        if len(first_row) <= max(positions):
            continue
        if all(re.fullmatch(p, first_row[i].strip()) for i, p in positions.items()):
            return vmap
    return None


def headerless_names(vmap: VendorMap, width: int) -> list[str]:
    """The map's field names for a row of `width` cells (optional trailing fields may be absent)."""
    names = list(vmap.fields[:width])
    return names + [f"column{i + 1}" for i in range(len(names), width)]


def is_canonical(headers: list[str], table: str) -> bool:
    """Headers that already are the table's canonical names (all required ones present)."""
    names = {normalise_header(h) for h in headers}
    spec = schema.TABLES[table]
    return set(spec.required) <= names and bool(names & set(spec.names))


# ------------------------------------------------------------------------------------ applying maps


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_") or "question"


def identity_map(table: str, headers: list[str]) -> VendorMap:
    """The map of a file whose headers already are canonical names."""
    by_norm = {normalise_header(h): h for h in headers}
    columns = {
        c: ColumnRule(c, source=by_norm[c]) for c in schema.TABLES[table].names if c in by_norm
    }
    return VendorMap(name="canonical", table=table, columns=columns)


def apply_map(raw: RawTable, vmap: VendorMap, *, wanted: list[str] | None = None) -> Mapped:
    """Rename, convert units, dedupe and melt one file's rows into one canonical table."""
    by_norm = header_lookup(raw.headers, vmap)

    def header(name: str) -> str | None:
        return by_norm.get(normalise_header(name))

    for target in schema.TABLES[vmap.table].required:
        rule = vmap.columns.get(target)
        if (
            rule
            and rule.sources
            and target not in vmap.constants
            and all(header(s) is None for s in rule.sources)
        ):
            _missing_required(raw, vmap, target)
    frame = raw.frame
    lines = raw.lines
    nulls = frozenset(vmap.null_values)
    merged = 0
    if vmap.dedupe is not None:
        frame, lines, merged = _dedupe(frame, lines, vmap.dedupe, header, raw, nulls)

    spec = schema.TABLES[vmap.table]
    wanted_set = set(wanted) if wanted is not None else set(spec.names)
    wanted_set |= set(spec.required)
    out: dict[str, pd.Series] = {}
    prepared: set[str] = set()
    derived: list[ColumnRule] = []
    used: dict[str, str] = {}

    def cell(source: str) -> pd.Series:
        column = frame[header(source)]
        if raw.typed:
            return column
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            return values.clean_text(column, nulls)
        return column

    for target, rule in vmap.columns.items():
        if target not in wanted_set and not _needed_by(target, vmap, wanted_set):
            continue
        present = [s for s in rule.sources if header(s) is not None]
        if rule.first_of:
            if not present:
                continue
            picked = cell(present[0])
            for other in present[1:]:
                picked = picked.fillna(cell(other))
            out[target] = picked
        elif rule.date is not None:
            if header(rule.date) is None or header(rule.time) is None:
                continue
            out[target] = _date_plus_time(cell(rule.date), cell(rule.time))
        elif rule.plus is not None:
            if header(rule.plus) is None:
                continue
            seconds, bad = values.parse_duration(cell(rule.plus), rule.unit or "seconds")
            out[f"__plus_{target}"] = seconds.where(~bad, np.nan)
            out[f"__plusbad_{target}"] = pd.Series(bad, index=frame.index)
            condition = rule.when or rule.unless
            if condition is not None and header(condition) is not None:
                # answered vs abandoned: keep base+plus only where the flag says so
                flag, _ = values.parse_bool(cell(condition))
                keep = flag if rule.when else ~flag
                out[f"__keep_{target}"] = keep.fillna(False).astype(bool)
            derived.append(rule)
        elif rule.source is None or header(rule.source) is None:
            continue
        elif rule.when_true is not None:
            flag, _ = values.parse_bool(cell(rule.source), _given(rule.true), _given(rule.false))
            out[f"__flag_{target}"] = flag
            derived.append(rule)
        elif rule.unit is not None:
            seconds, bad = values.parse_duration(cell(rule.source), rule.unit)
            per = (
                60.0
                if target.endswith("_minutes")
                else 3600.0
                if target.endswith("_hours")
                else 1.0
            )
            out[target] = seconds / per
            out[f"__bad_{target}"] = pd.Series(bad, index=frame.index)
            prepared.add(target)
        elif rule.true is not None or rule.false is not None:
            flag, bad = values.parse_bool(cell(rule.source), _words(rule.true), _words(rule.false))
            fallback, fallback_bad = values.parse_bool(cell(rule.source))
            out[target] = flag.where(~bad, fallback)
            out[f"__bad_{target}"] = pd.Series(bad & fallback_bad, index=frame.index)
            prepared.add(target)
        elif rule.values is not None:
            text = cell(rule.source)
            lookup = {k.casefold(): v for k, v in rule.values.items()}
            out[target] = text.str.casefold().map(lookup).fillna(text)
        else:
            out[target] = cell(rule.source)
        for s in present:
            name = header(s)
            used[name] = f"{used[name]}, {target}" if name in used else target

    for target, constant in vmap.constants.items():
        if target not in out:
            out[target] = pd.Series([constant] * len(frame), index=frame.index, dtype=object)

    # copy=False: the columns stay the file's arrays (no consolidating copy of every one).
    mapped_frame = pd.DataFrame(out, index=frame.index, copy=False)
    excluded = _excluded(vmap, header, cell, frame.index)
    if excluded is not None:
        mapped_frame["__excluded"] = excluded
    for name in vmap.only:
        if header(name) is not None:
            used.setdefault(header(name), "(rows kept: " + ", ".join(vmap.only[name]) + ")")
    missing = [
        c
        for c in spec.required
        if c not in mapped_frame
        and c not in {r.target for r in derived}
        and not (vmap.melt and c in ("score", "survey"))
    ]
    if missing:
        _missing_required(raw, vmap, missing[0])
    ignored = [h for h in raw.headers if h not in used]
    result = Mapped(
        table=vmap.table,
        frame=mapped_frame,
        lines=lines,
        prepared=prepared,
        derived=derived,
        mapped=used,
        ignored=ignored,
        merged=merged,
        date_order_hint=vmap.date_order,
    )
    if vmap.melt:
        texts = dict(zip(raw.headers, raw.header_text or [], strict=False))
        result = _melt(result, frame, vmap, nulls, texts)
    return result


def _excluded(vmap: VendorMap, header, cell, index: pd.Index) -> pd.Series | None:
    """Per row, why the map's [only] table leaves it out (None for rows it keeps)."""
    why = None
    for name, kept in vmap.only.items():
        if header(name) is None:
            continue
        text = cell(name)
        other = text.notna() & ~text.str.casefold().isin({k.casefold() for k in kept})
        if not other.any():
            continue
        detail = (
            f"{name} = " + text.astype("str") + f" (this {vmap.table} map keeps {', '.join(kept)})"
        )
        detail = detail.where(other, None).astype(object)
        why = detail if why is None else why.fillna(detail)
    return None if why is None else pd.Series(why.to_numpy(), index=index, dtype=object)


def _missing_required(raw: RawTable, vmap: VendorMap, target: str) -> None:
    rule = vmap.columns.get(target)
    expected = ", ".join(repr(s) for s in rule.sources) if rule else "(no rule in the map)"
    raise SchemaError(
        located(
            raw.path,
            f"required column {target!r} of {vmap.table} is missing "
            f"(map {vmap.name!r} expects {expected})",
            row=1,
            column=target,
            fix="Export the file with that column, or map it with --map",
        )
    )


def _given(words: tuple[str, ...] | None) -> frozenset[str] | None:
    """The map's own words, or None for the standard true/false words."""
    return frozenset(words) if words is not None else None


def _words(words: tuple[str, ...] | None) -> frozenset[str] | None:
    return frozenset(words) if words is not None else frozenset()


def _needed_by(target: str, vmap: VendorMap, wanted: set[str]) -> bool:
    return any(
        r.base == target or r.when_true == target
        for r in vmap.columns.values()
        if r.target in wanted
    )


def _date_plus_time(date: pd.Series, time: pd.Series) -> pd.Series:
    """`2021-01-01` + `09:12:58` (or an Excel day fraction) -> `2021-01-01 09:12:58`."""
    seconds, bad = values.parse_duration(time, "hms")
    whole = seconds.round()
    clock = pd.Series(pd.to_timedelta(whole, unit="s"), index=time.index).astype(str).str[-8:]
    date_text = date.astype("str").str.slice(0, 10)
    combined = date_text + " " + clock
    return combined.where(time.notna() & ~pd.Series(bad, index=time.index), date_text)


def _dedupe(
    frame: pd.DataFrame,
    lines: np.ndarray,
    rule: Dedupe,
    header,
    raw: RawTable,
    nulls: frozenset[str],
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Keep one row per key: the greatest `order_by` (ties: the later row)."""
    key, order = header(rule.key), header(rule.order_by)
    if key is None or order is None:
        # A list export holds one row per record: nothing to merge (repeats are still rejected
        # as duplicate_id when typing).
        return frame, lines, 0
    order_text = values.clean_text(frame[order], nulls)
    if rule.kind == "number":
        rank, _ = values.parse_number(order_text)
    else:
        rank, _ = values.parse_timestamp(order_text)
    keys = values.clean_text(frame[key], nulls)
    position = np.arange(len(frame))
    ordering = pd.DataFrame({"key": keys, "rank": rank, "pos": position}).sort_values(
        ["rank", "pos"], na_position="first", kind="stable"
    )
    keep = ~ordering["key"].duplicated(keep="last") | ordering["key"].isna()
    chosen = np.sort(ordering.loc[keep, "pos"].to_numpy())
    return frame.iloc[chosen], lines[chosen], len(frame) - len(chosen)


def _melt(
    mapped: Mapped,
    source: pd.DataFrame,
    vmap: VendorMap,
    nulls: frozenset[str],
    texts: dict[str, str] | None = None,
) -> Mapped:
    """Wide survey rows -> one row per non-empty answer cell."""
    taken = set(mapped.mapped)
    pieces, rules = [], []
    used = dict(mapped.mapped)
    for header in source.columns:
        if header in taken:
            continue
        text = (texts or {}).get(header, "")
        rule = next(
            (
                m
                for m in vmap.melt
                if re.search(m.match, header)
                and (m.match_text is None or re.search(m.match_text, text))
            ),
            None,
        )
        if rule is None:
            continue
        taken.add(header)
        answer = source[header]
        if answer.dtype == object or pd.api.types.is_string_dtype(answer):
            answer = values.clean_text(answer, nulls)
        present = answer.notna().to_numpy()
        piece = mapped.frame[present].copy()
        piece["score"] = answer[present].astype(object)
        piece["survey"] = rule.survey
        piece["question"] = (
            rule.question.replace("{header}", _slug(header))
            if "{header}" in rule.question
            else rule.question
        )
        piece["__scale_min"] = rule.scale[0] if rule.scale else np.nan
        piece["__scale_max"] = rule.scale[1] if rule.scale else np.nan
        piece["__line"] = mapped.lines[present]
        if rule.not_scores:
            text = piece["score"].astype("str").str.strip()
            other = text.str.casefold().isin({v.casefold() for v in rule.not_scores}).to_numpy()
            if other.any():
                why = f"{header} = " + text + f" (not a {rule.survey} score: left out by the map)"
                piece["__excluded"] = why.where(other, None)
                piece.loc[other, "score"] = None
        pieces.append(piece)
        rules.append(rule)
        used[header] = f"score ({rule.survey})"
    # A survey asked through one column only: a rule may name that column's question
    # (`question_alone = "overall"`: a survey's single satisfaction question is its overall one).
    for piece, rule in zip(pieces, rules, strict=True):
        if rule.question_alone and [r.survey for r in rules].count(rule.survey) == 1:
            piece["question"] = rule.question_alone
    if pieces:
        frame = pd.concat(pieces, ignore_index=True)
    elif taken == set(mapped.mapped):
        # No question of the survey is one cskpi can score: every response is still read and
        # counted, each rejected with the reason, instead of the file looking empty.
        frame = mapped.frame.copy()
        frame["score"] = None
        frame["survey"] = None
        frame["question"] = None
        frame["__scale_min"] = np.nan
        frame["__scale_max"] = np.nan
        frame["__excluded"] = (
            "no NPS, CSAT or CES question found in the export "
            "(name the question's column with a [[melt]] rule in --map)"
        )
        frame["__line"] = mapped.lines
    else:
        frame = mapped.frame.iloc[0:0].assign(
            score=pd.Series(dtype=object), survey="", question="", __line=pd.Series(dtype=np.int64)
        )
        frame["__scale_min"] = np.nan
        frame["__scale_max"] = np.nan
    lines = frame.pop("__line").to_numpy(dtype=np.int64)
    ignored = [h for h in mapped.ignored if h not in taken]
    return Mapped(
        table=mapped.table,
        frame=frame,
        lines=lines,
        prepared=mapped.prepared,
        derived=mapped.derived,
        mapped=used,
        ignored=ignored,
        merged=mapped.merged,
        date_order_hint=mapped.date_order_hint,
        answers_only=True,
    )
