"""Reading export files into raw frames: CSV (any common dialect and encoding), Parquet, XLSX, JSON.

A raw frame keeps the file's own headers and cell texts; mapping and typing happen later. Every row
carries the line (CSV), row (XLSX) or record number (JSON) it came from, for error messages.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cskpi.errors import InputFileError, located

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
SUFFIX_FORMAT = {
    **{s: "csv" for s in CSV_SUFFIXES},
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
}
DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODINGS = ("cp1252", "cp1250", "cp1257")


@dataclass
class RawTable:
    """One file's cells under its own headers, plus how it was read."""

    path: Path
    frame: pd.DataFrame  # columns named by `headers` (made unique)
    lines: np.ndarray  # source line / row / record number of each row
    headers: list[str]
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "auto"
    sha256: str | Callable[[], str] | None = None  # a function: computed when shown
    shape_rejects: list[tuple[int, str]] = field(default_factory=list)  # (line, detail)
    typed: bool = False  # values already carry canonical dtypes
    header_text: list[str] | None = None  # second header row (question text), when there is one


def file_format(path: Path) -> str:
    fmt = SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        raise InputFileError(
            located(
                path,
                f"unknown file type {path.suffix!r}",
                fix="Give a .csv, .tsv, .parquet, .xlsx or .json file",
            )
        )
    return fmt


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            located(path, "file not found", fix="Check the path and the file name")
        ) from None
    except OSError as exc:
        raise InputFileError(
            located(
                path,
                f"cannot be read ({exc.strerror})",
                fix="Check that the file exists and is readable",
            )
        ) from None


# -------------------------------------------------------------------------------------- encodings


def detect_encoding(data: bytes, path: Path, forced: str | None = None) -> str:
    """BOM, else UTF-16 by NUL bytes, else UTF-8, else a Windows code page (1252, 1250, 1257)."""
    if forced:
        return forced
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        return "utf-16-le" if head[1] == 0 else "utf-16-be"
    if b"\x00" in head:
        raise InputFileError(
            located(
                path,
                "is not a text file (it holds binary bytes)",
                fix="Export the data as CSV, XLSX, Parquet or JSON",
            )
        )
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"  # a sample cut inside the last character
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=list(FALLBACK_ENCODINGS)).best()
    candidates = ([best.encoding] if best is not None else []) + list(FALLBACK_ENCODINGS)
    # Short texts fool statistical detection: prefer the code page whose letters are its own
    # languages' letters (Lithuanian ų, š in cp1257 read as ř, Đ in cp1250).
    scores = {name: _letter_score(data[:200_000], name) for name in FALLBACK_ENCODINGS}
    top = max(scores.values())
    if top > 0:
        candidates = [n for n in candidates if scores[n] == top] + candidates
    for name in candidates:
        try:
            data.decode(name)
            return name
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        located(path, "unknown text encoding", fix="Save it as UTF-8 (in Excel: 'CSV UTF-8')")
    )


_OWN_LETTERS = {
    "cp1252": set("äöåüéèàçñßøæÄÖÅÜÉÈÀÇÑØÆ"),
    "cp1250": set("ěřůťďňĺľŕłśźżćńőűăâîşţĚŘŮŤĎŇĹĽŔŁŚŹŻĆŃŐŰĂÂÎŞŢ"),
    "cp1257": set("ąčęėįšųūžāēģīķļņŗĄČĘĖĮŠŲŪŽĀĒĢĪĶĻŅŖ"),
}


def _letter_score(data: bytes, encoding: str) -> int:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return -1
    letters = _OWN_LETTERS[encoding]
    return sum(1 for ch in text if ord(ch) > 127 and ch in letters)


def decode(data: bytes, encoding: str, path: Path) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputFileError(
            located(
                path,
                f"cannot be decoded as {encoding}",
                fix="Save it as UTF-8 (in Excel: 'CSV UTF-8')",
            )
        ) from None
    return _check_text(text.lstrip("\ufeff"), path)


def _check_text(text: str, path: Path) -> str:
    controls = sum(text[:10_000].count(chr(c)) for c in range(0, 32) if c not in (9, 10, 13))
    if controls > 10:
        raise InputFileError(
            located(
                path,
                "is not a text file (it holds control characters)",
                fix="Export the data as CSV, XLSX, Parquet or JSON",
            )
        )
    return text


# ----------------------------------------------------------------------------------------- dialect


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    sep_line: bool = False  # Excel's `sep=;` first line


def sniff_dialect(text: str) -> Dialect:
    """The delimiter that splits the first lines most consistently (quoted parts ignored)."""
    first = text[:64].splitlines()[0] if text else ""
    match = re.fullmatch(r'"?sep=(.)"?,*', first.strip())
    if match:
        return Dialect(match.group(1), True)
    sample = re.sub(r'"(?:[^"]|"")*"', '""', text[:65536])
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text[:65536].endswith(("\n", "\r")) and len(text) > 65536:
        lines = lines[:-1]  # the sample cut the last line short
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        counts = [line.count(delim) for line in lines]
        if not counts or counts[0] == 0:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delim, score
    return Dialect(best)


def _header_rows(text: str, dialect: Dialect, header_rows: int) -> tuple[list[list[str]], int]:
    """The first `header_rows` records and how many physical lines they take (sep line included)."""
    body = text.split("\n", 1)[1] if dialect.sep_line else text
    reader = csv.reader(io.StringIO(body[:1_000_000]), delimiter=dialect.delimiter)
    rows = []
    for _ in range(header_rows):
        try:
            rows.append(next(reader))
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputFileError(f"header cannot be parsed ({exc})") from None
    return rows, reader.line_num + int(dialect.sep_line)


def unique_headers(raw: list[str], sub: list[str] | None = None) -> list[str]:
    """Blank headers become `column<N>`; repeated ones get ` (2)`, ` (3)` …

    With a second header row (SurveyMonkey), a blank first-row cell continues the question to its
    left and is named `<question> / <sub-answer>`.
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    last = ""
    for i, head in enumerate(raw):
        head = head.strip().lstrip("\ufeff")
        below = sub[i].strip() if sub and i < len(sub) else ""
        if not head and below and last:
            head = f"{last} / {below}"
        elif head:
            last = head
        if not head:
            head = f"column{i + 1}"
        if head in seen:
            seen[head] += 1
            head = f"{head} ({seen[head]})"
        else:
            seen[head] = 1
        names.append(head)
    return names


# --------------------------------------------------------------------------------------------- CSV


def read_csv(
    path: Path,
    *,
    encoding: str | None = None,
    header_rows: int = 1,
    decimal: str = "auto",
    data: bytes | None = None,
    names: list[str] | None = None,
) -> RawTable:
    """Any common CSV dialect into string columns (empty cells are missing).

    `names`: the file has no header row; these are its column names.
    """
    data = read_bytes(path) if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    enc = detect_encoding(data, path, encoding)
    if enc in ("utf-8", "utf-8-sig"):
        text = _check_text(data[:200_000].decode("utf-8", errors="replace").lstrip("\ufeff"), path)
        utf8 = data[3:] if enc == "utf-8-sig" else data
    else:
        text = decode(data, enc, path)
        utf8 = text.encode("utf-8")
    if not text.strip():
        raise InputFileError(
            located(path, "is empty", fix="Export the data again with its header row")
        )
    dialect = sniff_dialect(text)
    try:
        header_records, header_lines = (
            ([names], int(dialect.sep_line))
            if names is not None
            else _header_rows(text, dialect, header_rows)
        )
    except InputFileError as exc:
        raise InputFileError(
            located(path, str(exc), row=1, fix="Check the file is a CSV export")
        ) from None
    headers = unique_headers(
        header_records[0], header_records[1] if len(header_records) > 1 else None
    )
    bad_rows: list[tuple[str | None, str]] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        # Called only for rows with the wrong number of fields, never for good rows.
        try:
            text = row.text
        except UnicodeDecodeError:  # a file cut inside a multi-byte character: its last row
            text = None
        bad_rows.append((text, f"{row.actual_columns} fields, header has {row.expected_columns}"))
        return "skip"

    try:
        table = _arrow_rows(_whole_characters(utf8), headers, header_lines, dialect, on_bad_row)
    except pa.ArrowInvalid as exc:
        raise InputFileError(
            located(
                path,
                f"cannot be split into rows ({str(exc).splitlines()[0][:200]})",
                fix="Export the file again; it may be cut short or not be one CSV table",
            )
        ) from None
    frame = table.to_pandas()
    lines = _line_numbers(frame, header_lines)
    shape_rejects = _locate_bad_rows(utf8, bad_rows)
    for line, _ in sorted(shape_rejects):
        lines[lines >= line] += 1  # a skipped row pushes the rows after it one line down
    if decimal == "auto" and dialect.delimiter == ";":
        decimal = ","
    return RawTable(
        path=path,
        frame=frame,
        lines=lines,
        headers=headers,
        format="csv",
        encoding=_encoding_name(enc),
        delimiter=dialect.delimiter,
        decimal=decimal,
        sha256=sha,
        shape_rejects=shape_rejects,
        header_text=header_records[1] if len(header_records) > 1 else None,
    )


def _whole_characters(utf8: bytes) -> bytes:
    """``utf8`` without a multi-byte character cut off at its end (a file cut short): the short
    last row is then rejected as a row, where Arrow would fail on the broken byte."""
    trailing = 0
    while trailing < 3 and trailing < len(utf8) and 0x80 <= utf8[-1 - trailing] <= 0xBF:
        trailing += 1
    if trailing == len(utf8):
        return utf8
    lead = utf8[-1 - trailing]
    size = 2 if 0xC0 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead >= 0xF0 else 1
    return utf8[: -1 - trailing] if size > trailing + 1 else utf8


def _arrow_rows(utf8: bytes, headers, header_lines, dialect, on_bad_row) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(
            column_names=headers, skip_rows=header_lines, block_size=1 << 24
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter, newlines_in_values=True, invalid_row_handler=on_bad_row
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in headers},
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        ),
    )


def _locate_bad_rows(utf8: bytes, bad_rows: list[tuple[str | None, str]]) -> list[tuple[int, str]]:
    """The physical line of each skipped row, found by its text (first unclaimed occurrence)."""
    located_rows = []
    start: dict[bytes, int] = {}
    for text, detail in bad_rows:
        if text is None:
            located_rows.append((utf8.rstrip(b"\n").count(b"\n") + 1, detail))
            continue
        needle = text.encode("utf-8")
        pos = utf8.find(needle, start.get(needle, 0))
        start[needle] = pos + 1
        located_rows.append((utf8.count(b"\n", 0, pos) + 1 if pos >= 0 else 0, detail))
    return located_rows


def _encoding_name(enc: str) -> str:
    return {"utf-8-sig": "utf-8 (BOM)"}.get(enc, enc)


def _line_numbers(frame: pd.DataFrame, header_lines: int) -> np.ndarray:
    """Physical line of each record: rows are one line each plus the newlines quoted inside them."""
    extra = np.zeros(len(frame), dtype=np.int64)
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            counts = column.str.count("\n")
            if counts.notna().any():
                extra += counts.fillna(0).to_numpy(dtype=np.int64)
    heights = 1 + extra
    return header_lines + 1 + np.concatenate([[0], np.cumsum(heights)[:-1]]).astype(np.int64)


# ---------------------------------------------------------------------------------- fast CSV path

# Texts as large strings: what pandas' str dtype holds, so none is cast on the way to pandas.
_ARROW_TYPES = {
    "id": pa.large_string(),
    "str": pa.large_string(),
    "text": pa.large_string(),
    "month": pa.large_string(),
    "number": pa.float64(),
    "int": pa.float64(),
    "bool": pa.bool_(),
}
_TRUE = ["true", "True", "TRUE", "1", "yes", "Yes", "YES"]
_FALSE = ["false", "False", "FALSE", "0", "no", "No", "NO"]


def read_canonical_csv(
    path: Path, kinds: dict[str, str], wanted: list[str], tz: str, data: bytes
) -> RawTable | None:
    """Typed columns straight from pyarrow when the headers are canonical and values clean.

    Returns None when any value needs the careful path (decimal comma, odd dates, …).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    head = data[:65536].decode("utf-8", errors="replace")
    dialect = sniff_dialect(head)
    if dialect.sep_line or dialect.delimiter == ";":
        return None
    first_line = head.split("\n", 1)[0].strip("\r")
    try:
        names = next(csv.reader([first_line], delimiter=dialect.delimiter))
    except (csv.Error, StopIteration):
        return None
    headers = [h.strip() for h in names]
    if headers != names:
        return None  # padded or tabbed names: Arrow would know the columns by their raw names
    if len(set(headers)) != len(headers) or not set(headers) <= set(kinds):
        return None
    include = [h for h in headers if h in wanted]

    def parse(body: bytes, ts_type: pa.DataType) -> pa.Table:
        types = {
            h: (ts_type if kinds[h] == "timestamp" else _ARROW_TYPES[kinds[h]]) for h in include
        }
        return pacsv.read_csv(
            pa.BufferReader(body),  # zero-copy, read in C++ (a BytesIO is read through Python)
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=include,
                strings_can_be_null=True,
                null_values=[""],
                true_values=_TRUE,
                false_values=_FALSE,
            ),
        )

    attempts = [pa.timestamp("ns"), pa.timestamp("ns", tz="UTC")]
    if any(kinds[h] == "timestamp" for h in include) and len(data) > 65536:
        # A failed parse of the whole file costs as much as a good one: when the first lines
        # parse as zoned times but not as naive ones (a Z or offset suffix), go straight to
        # zoned. The result is the same: the naive parse of the whole file would fail too.
        head_body = data[: data.rfind(b"\n", 0, 65536) + 1]
        if not _parses(parse, head_body, attempts[0]) and _parses(parse, head_body, attempts[1]):
            attempts = attempts[1:]
    for ts_type in attempts:
        try:
            table = parse(data, ts_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        if _holds_not_a_number(table):
            return None  # NaN/inf texts: the careful path names them (not_a_number)
        frame = _typed_frame(table, kinds, tz)
        newlines = data.count(b"\n") - (0 if data.endswith(b"\n") else -1)
        if newlines == len(frame) + 1:
            lines = np.arange(2, len(frame) + 2, dtype=np.int64)
        else:
            return None  # quoted newlines or blank lines: let the careful path count lines
        return RawTable(
            path=path,
            frame=frame,
            lines=lines,
            headers=headers,
            format="csv",
            encoding="utf-8",
            delimiter=dialect.delimiter,
            decimal=".",
            sha256=_lazy_sha(path),
            typed=True,
        )
    return None


def _holds_not_a_number(table: pa.Table) -> bool:
    import pyarrow.compute as pc

    return any(
        pc.any(pc.invert(pc.is_finite(column))).as_py()
        for column in table.columns
        if pa.types.is_floating(column.type)
    )


def _parses(parse: Callable[[bytes, pa.DataType], pa.Table], body: bytes, ts: pa.DataType) -> bool:
    try:
        parse(body, ts)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _has_edge_spaces(column: pa.ChunkedArray) -> bool:
    """Whether any value starts or ends with a space or tab (read from the Arrow buffers)."""
    import pyarrow.compute as pc

    if all(isinstance(c, pa.StringArray | pa.LargeStringArray) for c in column.chunks):
        for chunk in column.chunks:
            first, last = _edge_bytes(chunk)
            if ((first == 32) | (first == 9) | (last == 32) | (last == 9)).any():  # space, tab
                return True
        return False
    edges = [pc.starts_with(column, ch) for ch in (" ", "\t")] + [
        pc.ends_with(column, ch) for ch in (" ", "\t")
    ]
    return any(pc.any(edge).as_py() for edge in edges)


def _typed_frame(
    table: pa.Table, kinds: dict[str, str], tz: str, *, trim: bool = True
) -> pd.DataFrame:
    """Trim texts (blank = missing) in Arrow, then hand pandas the canonical dtypes."""
    import pyarrow.compute as pc

    from cskpi.io.values import localise

    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if trim and kinds[name] in ("id", "str", "text", "month") and _has_edge_spaces(column):
            trimmed = pc.utf8_trim_whitespace(column)
            column = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
        columns[name] = column
    # Booleans straight to pandas' nullable dtype: through object values they cost 20× more.
    # One block per column: no consolidating copy of same-typed columns into 2-D blocks.
    frame = pa.table(columns).to_pandas(
        types_mapper={pa.bool_(): pd.BooleanDtype()}.get, split_blocks=True
    )
    for name in table.column_names:
        if kinds[name] == "timestamp" and table.schema.field(name).type.tz is None:
            frame[name] = localise(frame[name], tz)
        elif kinds[name] == "bool" and frame[name].dtype != "boolean":
            frame[name] = frame[name].astype("boolean")
    return frame


# ------------------------------------------------------------------------------------ other formats


# First bytes of the characters Python's str.isspace() accepts: ASCII ones, and the lead bytes of
# U+0085/U+00A0 (C2), U+1680 (E1), U+2000–U+205F (E2), U+3000 (E3). A last byte that is not ASCII
# may end a multi-byte space. Values with such an edge byte are then checked exactly.
_SPACE_BYTES = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32], dtype=np.uint8)
_SPACE_LEADS = np.array([0xC2, 0xE1, 0xE2, 0xE3], dtype=np.uint8)
# The same sets as 256-entry lookup tables (one indexing pass instead of isin's sorting).
_FIRST_MAY_SPACE = np.zeros(256, dtype=bool)
_FIRST_MAY_SPACE[np.concatenate([_SPACE_BYTES, _SPACE_LEADS])] = True
_LAST_MAY_SPACE = np.zeros(256, dtype=bool)
_LAST_MAY_SPACE[_SPACE_BYTES] = True
_LAST_MAY_SPACE[0x80:] = True


def _string_buffers(
    chunk: pa.Array, width: type
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """A string array's offsets, bytes and validity as numpy views (no copies of the texts)."""
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    valid = chunk.is_valid().to_numpy(zero_copy_only=False)
    data = None if data_buffer is None else np.frombuffer(data_buffer, dtype=np.uint8)
    return offsets, data, valid


def _edge_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """First and last byte of every non-empty, non-null value of a string array."""
    width = np.int64 if isinstance(chunk, pa.LargeStringArray) else np.int32
    offsets, data, valid = _string_buffers(chunk, width)
    if data is None or not len(chunk):
        return np.empty(0, np.uint8), np.empty(0, np.uint8)
    filled = valid & (np.diff(offsets) > 0)
    return data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]


def _untidy(column: pa.ChunkedArray) -> bool:
    """Whether clean_text would change a value: blank, or white space (Python's) at an edge.

    Reads the first and last byte of every value from the Arrow buffers; only values whose edge
    byte could belong to a space are compared with their ``str.strip()``.
    """
    for chunk in column.chunks:
        if isinstance(chunk, pa.LargeStringArray):
            width = np.int64
        elif isinstance(chunk, pa.StringArray):
            width = np.int32
        else:
            return True
        offsets, data, valid = _string_buffers(chunk, width)
        lengths = np.diff(offsets)
        if (valid & (lengths == 0)).any():
            return True
        if data is None or not len(chunk):
            continue
        filled = valid & (lengths > 0)
        first = data[offsets[:-1][filled]]
        last = data[offsets[1:][filled] - 1]
        edge = _FIRST_MAY_SPACE[first] | _LAST_MAY_SPACE[last]
        if edge.any():
            rows = np.flatnonzero(filled)[edge]
            if any(v != v.strip() for v in chunk.take(pa.array(rows)).to_pylist()):
                return True
    return False


def read_canonical_parquet(
    path: Path, kinds: dict[str, str], wanted: list[str], tz: str
) -> RawTable | None:
    """Typed columns straight from Arrow when a canonical Parquet file already stores them so.

    Only the wanted columns are read. Returns None (the careful path) when a column's Parquet type
    is not its canonical kind's (numbers as text, integer IDs, months, …).
    """
    headers = parquet_headers(path)
    if len(set(headers)) != len(headers) or not set(headers) <= set(kinds):
        return None
    include = [h for h in headers if h in wanted]
    arrow_schema = pq.read_schema(path)
    types = dict(zip(arrow_schema.names, arrow_schema.types, strict=True))
    for name in include:
        kind, type_ = kinds[name], types[name]
        fits = (
            (
                kind in ("id", "str", "text")
                and (pa.types.is_string(type_) or pa.types.is_large_string(type_))
            )
            or (kind == "timestamp" and pa.types.is_timestamp(type_))
            or (
                kind in ("number", "int")
                and (pa.types.is_integer(type_) or pa.types.is_floating(type_))
            )
            or (kind == "bool" and pa.types.is_boolean(type_))
        )
        if not fits:
            return None
    try:
        # Texts decoded as large strings: pandas' str dtype holds those, so none is cast after.
        as_large = pa.schema(
            [
                field.with_type(pa.large_string()) if pa.types.is_string(field.type) else field
                for field in arrow_schema
            ],
            metadata=arrow_schema.metadata,
        )
        table = pq.read_table(path, columns=include, schema=as_large)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable_parquet(path, exc) from None
    columns = {}
    for name in include:
        column, kind = table.column(name), kinds[name]
        if kind in ("id", "str", "text"):
            if _untidy(column):
                return None  # blanks or edge spaces: clean_text's exact rules on the careful path
        elif kind in ("number", "int"):
            column = column.cast(pa.float64())
        elif kind == "timestamp":
            try:
                column = column.cast(pa.timestamp("ns", tz=column.type.tz))
            except pa.ArrowInvalid:
                return None  # outside the nanosecond range
        columns[name] = column
    # Texts were found tidy above: nothing to trim.
    frame = _typed_frame(pa.table(columns) if columns else table.select([]), kinds, tz, trim=False)
    return RawTable(
        path=path,
        frame=frame,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        headers=headers,
        format="parquet",
        sha256=_lazy_sha(path),
        typed=True,
    )


def _unreadable_parquet(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(
        located(
            path,
            f"is not a readable Parquet file ({exc})",
            fix="Write it again with a Parquet writer",
        )
    )


def parquet_headers(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable_parquet(path, exc) from None


def read_parquet(path: Path, columns: list[str] | None = None) -> RawTable:
    """Only the needed columns are read; values keep their Parquet types."""
    headers = parquet_headers(path)
    try:
        table = pq.read_table(path, columns=[c for c in headers if columns is None or c in columns])
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable_parquet(path, exc) from None
    frame = table.to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(
        path=path,
        frame=frame,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        headers=headers,
        format="parquet",
        sha256=_lazy_sha(path),
    )


def _sha(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return hashlib.sha256(read_bytes(path)).hexdigest()  # raises cskpi's message


def _lazy_sha(path: Path) -> Callable[[], str]:
    """The file's SHA-256, computed only if an output shows it (see dataset.FileReport)."""
    return functools.partial(_sha, Path(path))


def _cell_text(value: object) -> object:
    """An XLSX cell as the text an analyst sees; time cells as H:MM:SS, dates as ISO."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{seconds % 60:02g}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, header_rows: int = 1, sheet: str | None = None) -> RawTable:
    """The first sheet (or `sheet`) as texts; Excel dates/times become ISO / H:MM:SS texts."""
    import openpyxl

    data = read_bytes(path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputFileError(
            located(
                path,
                f"is not a readable XLSX workbook ({type(exc).__name__})",
                fix="Open it in Excel and save it again as .xlsx",
            )
        ) from None
    try:
        sheet_obj = book[sheet] if sheet else book.worksheets[0]
        rows = list(sheet_obj.iter_rows(values_only=True))
    except Exception as exc:  # noqa: BLE001 - a cut or missing sheet part fails in many ways
        raise InputFileError(
            located(
                path,
                f"has a damaged sheet ({type(exc).__name__})",
                fix="Open it in Excel and save it again as .xlsx",
            )
        ) from None
    finally:
        book.close()
    if not rows:
        raise InputFileError(
            located(
                path,
                "the first sheet is empty",
                fix="Put the data with its header row on the first sheet",
            )
        )
    width = max(len(r) for r in rows)
    head = [("" if v is None else str(_cell_text(v))) for v in rows[0]] + [""] * (
        width - len(rows[0])
    )
    sub = None
    if header_rows > 1 and len(rows) > 1:
        sub = [("" if v is None else str(_cell_text(v))) for v in rows[1]]
    headers = unique_headers(head, sub)
    body = rows[header_rows:]
    frame = (
        pd.DataFrame(body, columns=headers, dtype=object)
        if body
        else pd.DataFrame(columns=headers, dtype=object)
    )
    for name in headers:
        frame[name] = frame[name].map(_cell_text).astype("str").replace("", np.nan)
    keep = frame.notna().any(axis=1).to_numpy()  # Excel's formatted-but-empty rows
    lines = np.arange(header_rows + 1, header_rows + 1 + len(frame), dtype=np.int64)[keep]
    frame = frame[keep].reset_index(drop=True)
    return RawTable(
        path=path,
        frame=frame,
        lines=lines,
        headers=headers,
        format="xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_json(path: Path, records_key: str | None = None) -> RawTable:
    """A list of records, or the list under `records_key` (or the first key holding one)."""
    data = read_bytes(path)
    try:
        doc = json.loads(data.decode(detect_encoding(data, path)).lstrip("\ufeff"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(
            located(path, f"is not valid JSON ({exc})", fix="Export the data again as JSON")
        ) from None
    except (RecursionError, ValueError):  # nesting thousands deep, an integer of 5,000 digits
        raise InputFileError(
            located(
                path,
                "nests too deeply or holds a number too long to read",
                fix="Export the data again as a plain list of records",
            )
        ) from None
    records = doc
    if isinstance(doc, dict):
        if records_key is not None:
            records = doc
            for part in records_key.split("."):  # "_embedded.conversations"
                records = records.get(part) if isinstance(records, dict) else None
        else:
            records = next((v for v in doc.values() if isinstance(v, list)), None)
            if records is None:  # one level down: Help Scout {"_embedded": {"conversations": [..]}}
                inner = [v for v in doc.values() if isinstance(v, dict)]
                records = next((v for d in inner for v in d.values() if isinstance(v, list)), None)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        where = f"key {records_key!r}" if records_key else "the document"
        raise InputFileError(
            located(
                path,
                f"{where} does not hold a list of records",
                fix="Give a JSON list of objects, or name its key in the map",
            )
        )
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    frame.columns = [str(c) for c in frame.columns]
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].map(
                lambda v: json.dumps(v) if isinstance(v, list | dict) else v
            )
    return RawTable(
        path=path,
        frame=frame,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        headers=list(frame.columns),
        format="json",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_any(
    path: Path,
    *,
    encoding: str | None = None,
    header_rows: int = 1,
    records_key: str | None = None,
    columns: list[str] | None = None,
    decimal: str = "auto",
) -> RawTable:
    fmt = file_format(path)
    if fmt == "csv":
        return read_csv(path, encoding=encoding, header_rows=header_rows, decimal=decimal)
    if fmt == "parquet":
        return read_parquet(path, columns)
    if fmt == "xlsx":
        return read_xlsx(path, header_rows)
    return read_json(path, records_key)


def csv_headers(data: bytes, path: Path, encoding: str | None = None) -> list[str]:
    """A CSV file's header names only (for choosing a vendor map before the full read)."""
    sample = data[:200_000]
    enc = detect_encoding(sample, path, encoding)
    text = sample.decode(enc, errors="replace").lstrip("\ufeff")
    if not text.strip():
        return []
    dialect = sniff_dialect(text)
    try:
        rows, _ = _header_rows(text, dialect, 1)
    except InputFileError:
        return []
    return unique_headers(rows[0]) if rows else []
