"""Parsing cell texts into canonical values, one whole column at a time.

Every parser takes a pandas Series (texts, or already typed values from Parquet/XLSX) and returns
the parsed Series plus a boolean mask of cells that held something but could not be parsed. Empty
cells are never "bad": they are missing values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cskpi.io.dates import YEAR_PIVOT, words_to_numbers

# Excel's TRUE/FALSE in the languages our users work in, plus the usual spellings.
TRUE_WORDS = frozenset(
    {
        "true",
        "t",
        "yes",
        "y",
        "1",
        "1.0",
        "on",
        "x",
        "tosi",
        "kyllä",
        "sand",
        "ja",
        "sann",
        "adevărat",
        "adevarat",
        "da",
        "patiess",
        "jā",
        "wahr",
        "vrai",
        "verdadero",
        "vero",
        "waar",
        "prawda",
        "igaz",
    }
)
FALSE_WORDS = frozenset(
    {
        "false",
        "f",
        "no",
        "n",
        "0",
        "0.0",
        "off",
        "epätosi",
        "ei",
        "falsk",
        "nej",
        "usann",
        "nei",
        "fals",
        "nu",
        "aplams",
        "nē",
        "falsch",
        "faux",
        "falso",
        "onwaar",
        "fałsz",
        "hamis",
    }
)

_SPACES = "\u00a0\u202f\u2009 '"
_EXCEL_SERIAL = (20000.0, 80000.0)  # 1954-10-04 .. 2119-01-09
_EPOCH_SECONDS = (1e8, 1e10)  # 1973 .. 2286
_EPOCH_MS = (1e11, 1e13)

DURATION_FACTORS = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "milliseconds": 0.001,
    "excel_days": 86400.0,
}
DURATION_UNITS = (*DURATION_FACTORS, "hms")


@dataclass(frozen=True)
class DateOrder:
    """Which order a file writes dd/mm vs mm/dd dates in, and whether its values proved it."""

    order: str  # "day-first" | "month-first" | "iso"
    ambiguous: bool = False


def clean_text(values: pd.Series, null_values: frozenset[str] = frozenset()) -> pd.Series:
    """Strip spaces; empty cells and the map's null markers become missing."""
    text = values.astype("str").str.strip()
    missing = text.eq("") | text.isna()
    if null_values:
        missing |= text.isin(list(null_values))
    return text.mask(missing)


def _extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """Named regex groups (RE2, in Arrow) as text columns; non-matching rows are missing."""
    array = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())
    found = pc.extract_regex(array, pattern)
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    return pd.DataFrame(
        {
            name: pd.Series(
                pc.struct_field(found, name).to_numpy(zero_copy_only=False), index=text.index
            ).replace("", np.nan)
            for name in names
        },
        index=text.index,
    )


def _present(values: pd.Series) -> np.ndarray:
    return values.notna().to_numpy()


# ---------------------------------------------------------------------------------------- numbers


def parse_number(values: pd.Series, decimal: str = "auto") -> tuple[pd.Series, np.ndarray]:
    """Numbers with `.` or `,` decimals and space / nbsp / narrow-space / `.` / `,` thousands."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), np.zeros(len(values), bool)
    text = clean_text(values)
    for ch in _SPACES:
        text = text.str.replace(ch, "", regex=False)
    text = text.str.replace("\u2212", "-", regex=False)  # typographic minus
    sep = decimal if decimal in (".", ",") else guess_decimal(text)
    thousands = "," if sep == "." else "."
    grouped = text.str.fullmatch(rf"-?\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{sep}\d+)?").fillna(
        False
    )
    text = text.where(~grouped, text.str.replace(thousands, "", regex=False))
    if sep == ",":
        # "1.5" in a `;` file is still one and a half: only a comma-less dot value stays decimal.
        text = text.str.replace(",", ".", regex=False)
    number = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = _present(text) & number.isna().to_numpy()
    return number, bad


_NOT_A_NUMBER = r"[+-]?(?:nan|inf|infinity)"


def not_a_number(values: pd.Series, number: pd.Series) -> np.ndarray:
    """Cells that hold inf, NaN or a number too large for a float (1e309): never summed."""
    infinite = np.isinf(number.to_numpy(dtype="float64", na_value=np.nan))
    if pd.api.types.is_numeric_dtype(values):
        return infinite
    text = clean_text(values)
    named = text.str.fullmatch(_NOT_A_NUMBER, case=False).fillna(False).to_numpy(dtype=bool)
    return infinite | named


# Instants pandas can hold (nanoseconds since 1970 in int64): 1677-09-21 .. 2262-04-11. A value
# outside is a typo or a placeholder (0001-01-01, 9999-12-31), never a real contact.
_LOWEST, _HIGHEST = np.datetime64("1677-09-22", "s"), np.datetime64("2262-04-11", "s")
_YEAR_FIRST = r"^\s*[+-]?(\d{4,6})-\d{1,2}-\d{1,2}"
_YEAR_LAST = r"^\s*\d{1,2}[./-]\d{1,2}[./-](\d{4,6})(?!\d)"


def out_of_range(values: pd.Series) -> np.ndarray:
    """Timestamps outside what datetime64[ns] holds: typed values, or texts by their year."""
    if pd.api.types.is_datetime64_any_dtype(values):
        ticks = getattr(values.array, "asi8", None)  # UTC ticks of zoned times, no copy
        if ticks is not None and _within(ticks, values.array.unit):
            return np.zeros(len(values), bool)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        stamps = values.to_numpy()
        return (stamps < _LOWEST) | (stamps > _HIGHEST)
    if pd.api.types.is_numeric_dtype(values):
        return np.zeros(len(values), bool)  # serial days and epochs are bounded by their ranges
    text = clean_text(values)
    year = text.str.extract(_YEAR_FIRST)[0].fillna(text.str.extract(_YEAR_LAST)[0])
    year = pd.to_numeric(year, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return (year <= 1677) | (year >= 2262)


def _within(ticks: np.ndarray, unit: str) -> bool:
    """Whether every time (integer ticks of ``unit``, NaT the smallest) is inside
    [_LOWEST, _HIGHEST]: a few whole-column reductions instead of two masks kept."""
    if not ticks.size:
        return True
    lowest = _LOWEST.astype(f"datetime64[{unit}]").view(np.int64)
    highest = _HIGHEST.astype(f"datetime64[{unit}]").view(np.int64)
    if ticks.max() > highest:
        return False
    nat = np.iinfo(np.int64).min
    smallest = ticks.min()
    if smallest != nat:
        return bool(smallest >= lowest)
    # Below the lowest bound only NaT itself: as many as there are gaps.
    return int(np.count_nonzero(ticks < lowest)) == int(np.count_nonzero(ticks == nat))


def guess_decimal(text: pd.Series) -> str:
    """`,` when values show a decimal comma (`12,5`, `1.234,5`) and none a decimal point."""
    sample = text.dropna()
    if sample.empty:
        return "."
    comma_decimal = sample.str.fullmatch(r"-?[\d.]*\d,\d{1,2}|-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d{4,}")
    dot_decimal = sample.str.fullmatch(r"-?[\d,]*\d\.\d{1,2}|-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.\d{4,}")
    return "," if comma_decimal.any() and not dot_decimal.any() else "."


# --------------------------------------------------------------------------------------- booleans


def parse_bool(
    values: pd.Series,
    true_words: frozenset[str] | None = None,
    false_words: frozenset[str] | None = None,
) -> tuple[pd.Series, np.ndarray]:
    """true/false, yes/no, 1/0, Y/N and Excel's localised TRUE/FALSE, in any case."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean"), np.zeros(len(values), bool)
    text = clean_text(values).str.casefold()
    trues = TRUE_WORDS if true_words is None else frozenset(w.casefold() for w in true_words)
    falses = FALSE_WORDS if false_words is None else frozenset(w.casefold() for w in false_words)
    is_true = text.isin(list(trues)).to_numpy()
    is_false = text.isin(list(falses)).to_numpy()
    result = pd.array(np.where(is_true, True, False), dtype="boolean")
    result[~(is_true | is_false)] = pd.NA
    bad = _present(text) & ~(is_true | is_false)
    return pd.Series(result, index=values.index), bad


# -------------------------------------------------------------------------------------- durations

_HMS = r"(?:(?P<d>\d+)[ .])?(?P<h>\d+):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}(?:[.,]\d+)?))?"


def parse_duration(values: pd.Series, unit: str) -> tuple[pd.Series, np.ndarray]:
    """A duration in `unit` (seconds, minutes, hours, milliseconds, hms, excel_days) -> seconds.

    `hms` cells read H:MM:SS (or H:MM, or `D HH:MM:SS`); numbers in an `hms` column are taken as
    Excel day fractions, which is what an Excel time cell holds.
    """
    if unit not in DURATION_UNITS:
        raise ValueError(f"unknown duration unit {unit!r}")
    if pd.api.types.is_timedelta64_dtype(values):
        return values.dt.total_seconds().astype("float64"), np.zeros(len(values), bool)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        text = values.astype("float64")
    else:
        text = clean_text(values)
    number, bad_number = parse_number(text)
    factor = DURATION_FACTORS["excel_days" if unit == "hms" else unit]
    seconds = number.to_numpy() * factor
    is_hms = np.zeros(len(values), bool)
    if bad_number.any():
        # Only cells that are not plain numbers can be H:MM:SS.
        parts = _extract(text[bad_number], f"^{_HMS}$")
        hms_seconds = (
            parts["d"].astype("float64").fillna(0) * 86400
            + parts["h"].astype("float64") * 3600
            + parts["m"].astype("float64") * 60
            + parts["s"].str.replace(",", ".").astype("float64").fillna(0)
        ).to_numpy()
        is_hms[bad_number] = parts["h"].notna().to_numpy()
        seconds[bad_number] = hms_seconds
    seconds = pd.Series(seconds, index=values.index, dtype="float64")
    bad = bad_number & ~is_hms
    return seconds, bad


# ------------------------------------------------------------------------------------- timestamps

# One pattern per family; components are named so one assembly step builds them all.
_TIME = (
    r"(?:[ T]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?)?"
)
_OFFSET = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
_ISO = rf"^(?P<Y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<D>\d{{1,2}}){_TIME}{_OFFSET}$"
# Years of two digits too: Excel's re-saved `3/17/25 6:04` and `17.03.25 06:04` (see YEAR_PIVOT).
_YEAR = r"(?P<Y>\d{4}|\d{2})(?!\d)"
_DOTTED = rf"^(?P<D>\d{{1,2}})\.(?P<mo>\d{{1,2}})\.{_YEAR}\.?{_TIME}{_OFFSET}$"
_SLASH_DASH = rf"^(?P<a>\d{{1,2}})(?P<sep>[/-])(?P<b>\d{{1,2}})(?P=sep){_YEAR}{_TIME}{_OFFSET}$"
_ISO_FAST = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"


def detect_date_order(columns: list[pd.Series], forced: str = "auto") -> DateOrder:
    """Day-first or month-first for a file's `a/b/yyyy` and `a-b-yyyy` dates, from all its values.

    A first part above 12 proves day-first, a second part above 12 proves month-first. When no value
    proves either, day-first is assumed and the order is reported as ambiguous. ``forced`` wins.
    """
    if forced in ("day-first", "month-first"):
        return DateOrder(forced, False)
    firsts, seconds = [], []
    dotted = False
    for values in columns:
        if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
            continue
        text = clean_text(values)
        parts = _extract(text, r"^(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?:\d{4}|\d{2})(?:\D|$)")
        firsts.append(parts["a"].dropna().astype(int))
        seconds.append(parts["b"].dropna().astype(int))
        dotted = dotted or bool(
            text.str.match(r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?:\D|$)").fillna(False).any()
        )
    first = pd.concat(firsts) if firsts else pd.Series(dtype=int)
    second = pd.concat(seconds) if seconds else pd.Series(dtype=int)
    if first.empty:
        # dd.mm.yyyy is the one dotted layout in use: day-first, nothing to decide
        return DateOrder("day-first" if dotted else "iso", False)
    day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
    if day_first and not month_first:
        return DateOrder("day-first", False)
    if month_first and not day_first:
        return DateOrder("month-first", False)
    return DateOrder("day-first", True)


def parse_timestamp(
    values: pd.Series, tz: str = "UTC", date_order: str = "day-first", numeric_dates: bool = True
) -> tuple[pd.Series, np.ndarray]:
    """Any timestamp format of DATA.md -> datetime64[ns, UTC].

    An offset in the value wins; naive values are local times in ``tz`` (DST: a repeated hour
    takes the later, standard-time offset; a skipped hour is moved forward by the gap).
    Bare numbers are Excel serial days, epoch seconds or epoch milliseconds by their size.
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is None:
            return localise(values, tz), np.zeros(len(values), bool)
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), np.zeros(
            len(values), bool
        )
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return _from_numbers(values.astype("float64"), tz, numeric_dates)
    text = words_to_numbers(clean_text(values))
    present = _present(text)
    # Instants accumulate as UTC nanoseconds; each lane fills the rows it can read.
    utc = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    arrow_text = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())
    # Fast lane 1: plain naive ISO values, parsed in C.
    iso_plain = _matches(arrow_text, f"^{_ISO_FAST}$")
    if iso_plain.any():
        naive = pd.to_datetime(text[iso_plain], format="ISO8601", errors="coerce")
        utc[iso_plain] = _utc_values(localise(naive, tz))
    rest = present & ~iso_plain
    if rest.any():
        # Fast lane 2: the file's usual layout (dd-mm-yyyy HH:MM, …), parsed by Arrow.
        layout = _guess_layout(arrow_text.filter(pa.array(rest)), date_order)
        if layout is not None:
            naive = _strptime_checked(arrow_text, layout)
            done = rest & ~np.isnat(naive)
            if done.any():
                utc[done] = _utc_values(localise(pd.Series(naive[done]), tz))
                rest &= ~done
    bad = np.zeros(len(values), bool)
    if rest.any():
        parsed, failed = _parse_components(text[rest], tz, date_order)
        utc[rest] = _utc_values(parsed)
        bad[rest] = failed
    result = pd.Series(utc, index=index).dt.tz_localize("UTC")
    bad |= present & np.isnat(utc)
    return result, bad


def _utc_values(stamps: pd.Series) -> np.ndarray:
    """Tz-aware stamps -> naive UTC datetime64[ns] values (no per-row objects)."""
    stamps = pd.Series(stamps)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps.to_numpy(dtype="datetime64[ns]")


def _matches(arrow_text: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arrow_text, pattern), False).to_numpy(
        zero_copy_only=False
    )


def _layouts(date_order: str) -> list[str]:
    day, month = ("%m", "%d") if date_order == "month-first" else ("%d", "%m")
    # %y reads two-digit years with the POSIX pivot, which is YEAR_PIVOT.
    dates = [f"{day}-{month}-%Y", f"{day}/{month}/%Y", "%d.%m.%Y", "%d.%m.%Y."]
    dates += [f"{day}/{month}/%y", "%d.%m.%y"]
    times = [" %H:%M", " %H:%M:%S", " %H.%M.%S", " %H.%M", ""]
    return [d + t for d in dates for t in times]


def _guess_layout(arrow_text: pa.Array, date_order: str) -> str | None:
    """The strptime layout that reads every one of the first values, if one does."""
    sample = arrow_text.slice(0, 200)
    best, best_read = None, len(sample) // 2
    for layout in _layouts(date_order):
        read = (
            len(sample)
            - pc.strptime(sample, format=layout, unit="ns", error_is_null=True).null_count
        )
        if read > best_read:
            best, best_read = layout, read
    return best


def _strptime_checked(arrow_text: pa.Array, layout: str) -> np.ndarray:
    """Arrow's strptime, minus the dates it rolled over (30-02 read as 02-03)."""
    parsed = pc.strptime(arrow_text, format=layout, unit="ns", error_is_null=True)
    day_group = r"^\d{1,2}[/-](\d{1,2})" if layout.startswith("%m") else r"^(\d{1,2})"
    written = pc.extract_regex(arrow_text, day_group.replace("(", "(?P<d>", 1))
    written_day = pc.cast(pc.struct_field(written, "d"), pa.int64())
    rolled = pc.fill_null(pc.not_equal(pc.day(parsed), written_day), False)
    kept = pc.if_else(rolled, pa.scalar(None, parsed.type), parsed)
    return kept.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _parse_components(text: pd.Series, tz: str, date_order: str) -> tuple[pd.Series, np.ndarray]:
    frames = []
    for pattern in (_ISO, _DOTTED, _SLASH_DASH):
        part = text.str.extract(pattern)
        if "a" in part:
            first, second = part["a"], part["b"]
            day_first = date_order != "month-first"
            part["D"] = first if day_first else second
            part["mo"] = second if day_first else first
        frames.append(part[["Y", "mo", "D", "H", "M", "S", "f", "ampm", "tz"]])
    parts = frames[0].combine_first(frames[1]).combine_first(frames[2])
    year = parts["Y"].astype("float64")
    short = (parts["Y"].str.len() == 2).fillna(False)
    year = year.where(~short, year + np.where(year >= YEAR_PIVOT, 1900, 2000))
    numeric = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    matched = parts["Y"].notna().to_numpy()
    hour = parts["H"].astype("float64").fillna(0)
    ampm = parts["ampm"].str.lower()
    # `13:00 PM` or `00:30 AM` is no 12-hour clock: which of hour and marker is wrong is unknown.
    matched = matched & (ampm.isna() | hour.between(1, 12)).to_numpy()
    hour = hour.where(ampm.isna(), hour % 12 + np.where(ampm.eq("pm"), 12, 0))
    minute = parts["M"].astype("float64").fillna(0)
    second = parts["S"].astype("float64").fillna(0)
    # Hours, minutes and seconds are added to the day: out of range, they would roll over into a
    # later day (`99:30` three days on) instead of being refused.
    matched = matched & (hour.le(23) & minute.le(59) & second.le(59)).to_numpy()
    frac = parts["f"].fillna("0").str.ljust(9, "0").astype("float64")
    stamp = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": parts["mo"].astype("float64"),
                "day": parts["D"].astype("float64"),
                "hour": hour,
                "minute": minute,
                "second": second,
                "nanosecond": frac,
            }
        ).fillna({"year": 1970, "month": 1, "day": 1}),
        errors="coerce",
    )
    stamp = stamp.where(matched)
    offset_minutes = _offset_minutes(parts["tz"])
    has_offset = offset_minutes.notna().to_numpy()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if (~has_offset).any():
        result[~has_offset] = localise(stamp[~has_offset], tz)
    if has_offset.any():
        utc = stamp[has_offset] - pd.to_timedelta(offset_minutes[has_offset], unit="min")
        result[has_offset] = utc.dt.tz_localize("UTC")
    from_number, _ = _from_numbers(numeric, tz, True)
    use_number = ~matched & numeric.notna().to_numpy()
    result[use_number] = from_number[use_number]
    failed = result.isna().to_numpy()
    return result, failed


def _offset_minutes(tz_text: pd.Series) -> pd.Series:
    parts = tz_text.str.extract(r"^(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})?$")
    minutes = parts["h"].astype("float64") * 60 + parts["m"].astype("float64").fillna(0)
    minutes = minutes.where(parts["sign"].ne("-"), -minutes)
    return minutes.where(~tz_text.isin(["Z", "UTC", "GMT"]), 0.0)


def _from_numbers(number: pd.Series, tz: str, allow: bool) -> tuple[pd.Series, np.ndarray]:
    """Excel serial days (local time) or epoch seconds / milliseconds (UTC instants)."""
    result = pd.Series(pd.NaT, index=number.index, dtype="datetime64[ns, UTC]")
    if not allow:
        return result, number.notna().to_numpy()
    excel = number.between(*_EXCEL_SERIAL).to_numpy()
    seconds = number.between(*_EPOCH_SECONDS).to_numpy()
    millis = number.between(*_EPOCH_MS).to_numpy()
    if excel.any():
        naive = pd.Timestamp("1899-12-30") + pd.to_timedelta(
            (number[excel] * 86400).round(3), unit="s"
        )
        result[excel] = localise(naive, tz)
    if seconds.any():
        result[seconds] = pd.to_datetime(number[seconds], unit="s", utc=True)
    if millis.any():
        result[millis] = pd.to_datetime(number[millis], unit="ms", utc=True)
    bad = number.notna().to_numpy() & result.isna().to_numpy()
    return result, bad


UTC_NAMES = ("UTC", "Etc/UTC", "utc")  # zones whose wall times are UTC already


def localise(naive: pd.Series, tz: str) -> pd.Series:
    """Naive local times in ``tz`` -> UTC, with KPIS.md's daylight-saving rule."""
    naive = pd.Series(naive).astype("datetime64[ns]")
    if tz in UTC_NAMES:
        return naive.dt.tz_localize("UTC")
    standard = np.zeros(len(naive), bool)  # repeated hour -> the later, standard-time offset
    local = naive.dt.tz_localize(tz, ambiguous=standard, nonexistent="NaT")
    skipped = local.isna().to_numpy() & naive.notna().to_numpy()
    if skipped.any():
        # Read with the offset in force before the jump: take the offset of three hours earlier.
        before = (naive[skipped] - pd.Timedelta(hours=3)).dt.tz_localize(
            tz, ambiguous=np.zeros(int(skipped.sum()), bool), nonexistent="shift_forward"
        )
        offset = before.dt.tz_localize(None) - before.dt.tz_convert("UTC").dt.tz_localize(None)
        fixed = (naive[skipped] - offset).dt.tz_localize("UTC").dt.tz_convert(tz)
        local = local.astype(fixed.dtype)
        local[skipped] = fixed
    return local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


# -------------------------------------------------------------------------------------------- ids

_SCIENTIFIC = r"-?\d(?:[.,]\d+)?[eE][+]?\d+"


def parse_id(values: pd.Series) -> tuple[pd.Series, int]:
    """IDs are text. Returns the IDs and how many look destroyed by Excel (`1.03006E+13`)."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        # Beyond 2**53 a float is no exact integer (and inf none at all): keep it as its text.
        if (whole == whole.round()).all() and (whole.abs() < 2**53).all():
            values = values.astype("Int64")
    text = clean_text(values)
    damaged = int(text.str.fullmatch(_SCIENTIFIC).fillna(False).sum())
    return text, damaged


def parse_month(values: pd.Series, tz: str = "UTC") -> tuple[pd.Series, np.ndarray]:
    """`YYYY-MM` periods; full dates give their month (in ``tz``)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps, bad = parse_timestamp(values, tz)
    else:
        text = clean_text(values)
        month = text.str.extract(r"^(\d{4})[-/.](\d{1,2})$")
        is_month = month[0].notna().to_numpy()
        as_month = month[0] + "-" + month[1].str.zfill(2)
        stamps, bad = parse_timestamp(text.mask(is_month), tz)
        from_stamp = stamps.dt.tz_convert(tz).dt.strftime("%Y-%m")
        result = as_month.where(is_month, from_stamp).astype("str")
        valid_month = month[1].astype("float64").between(1, 12).to_numpy()
        bad = (bad & ~is_month) | (is_month & ~valid_month)
        return result.mask(is_month & ~valid_month), bad
    return stamps.dt.tz_convert(tz).dt.strftime("%Y-%m").astype("str"), bad
