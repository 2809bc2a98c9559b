"""Reading export files into raw frames: CSV (any common dialect and encoding), Parquet, XLSX, JSON.

Files packed in gzip or zip are unpacked first (see containers); what a file holds is decided
from its bytes, the suffix only breaks ties between text formats.

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
import os
import re
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cskpi.errors import InputFileError, did_you_mean, located
from cskpi.io import containers

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
SUFFIX_FORMAT = {
    **{s: "csv" for s in CSV_SUFFIXES},
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    **containers.CONTAINER_SUFFIXES,
}
MAX_NESTING = 3  # a zip of gzipped CSVs is two levels; deeper is refused
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
    sheet: str | None = None  # the workbook sheet read (XLSX)


def file_format(path: Path, data: bytes | None = None) -> str:
    """csv, parquet, xlsx, json, gzip or zip: the bytes decide, the suffix breaks ties for text.

    ``data`` is the file's content when it came out of a container (else the file is read).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    by_suffix = SUFFIX_FORMAT.get(suffix)
    if by_suffix is None and data is None:
        raise InputFileError(
            located(
                path,
                f"unknown file type {path.suffix!r}",
                fix="Give a .csv, .tsv, .parquet, .xlsx or .json file (or one packed in .gz/.zip)",
            )
        )
    head = data[: containers.HEAD] if data is not None else _read_head(path)
    found = containers.sniff(head, suffix)
    if found == "zip":
        return containers.zip_kind(data, path)
    if found == "xls":
        return "xlsx"  # calamine reads the legacy binary workbook too
    if found is not None:
        return found
    # Text that is not JSON: CSV, whatever the suffix says (a "workbook" saved as CSV).
    return "csv"


def _read_head(path: Path, size: int = containers.HEAD) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(size)
    except OSError:
        return read_bytes(path)  # raises cskpi's message for a missing or unreadable file


def read_start(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file (all of it when shorter)."""
    return _read_head(path, size)


def unpack(
    path: Path, data: bytes | None = None, depth: int = 0
) -> list[tuple[Path, bytes]] | None:
    """The files inside a gzip or zip container as (shown path, bytes); None for a plain file.

    A member is shown as `<archive>/<member>`; containers inside containers are unpacked too.
    """
    path = Path(path)
    fmt = file_format(path, data)
    if fmt not in ("gzip", "zip"):
        return None
    if depth >= MAX_NESTING:
        raise InputFileError(
            located(path, "is packed too many times over", fix="Unpack it and give the files")
        )
    data = read_bytes(path) if data is None else data
    if fmt == "gzip":
        inner = [(containers.gzip_inner_name(path), containers.gunzip(data, path))]
    else:
        supported = tuple(SUFFIX_FORMAT)
        inner = [
            (path / name, blob) for name, blob in containers.zip_members(data, path, supported)
        ]
    files = []
    for inner_path, blob in inner:
        nested = unpack(inner_path, blob, depth + 1)
        files += nested if nested is not None else [(inner_path, blob)]
    return files


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
    # Rows Arrow skipped (blank lines, rows of the wrong shape) push the rows after them down.
    skipped = {line for line, _ in shape_rejects}
    skipped.update(int(line) for line in _blank_lines(utf8) if line > header_lines)
    lines = _past_skipped(lines, np.array(sorted(skipped), dtype=np.int64))
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


def _blank_lines(utf8: bytes) -> np.ndarray:
    """The physical numbers (from 1) of the empty lines outside quoted values, before the last
    row (blank lines at the end push no row down). A byte or two of memory per byte of text."""
    end = len(utf8.rstrip(b"\r\n"))
    if utf8.find(b"\n\n", 0, end) < 0 and utf8.find(b"\n\r\n", 0, end) < 0:
        return np.zeros(0, dtype=np.int64)
    data = np.frombuffer(utf8, dtype=np.uint8, count=end)
    newline = data == ord("\n")
    # An empty line starts right after a newline with a newline (or a lone CR before one).
    empty = newline.copy()
    empty[:-1] |= (data[:-1] == ord("\r")) & newline[1:]
    starts = np.flatnonzero(empty[1:] & newline[:-1]) + 1
    bounds = np.concatenate(([0], starts))
    quotes_before = np.cumsum(np.add.reduceat(data == ord('"'), bounds, dtype=np.int64))[:-1]
    lines_before = np.cumsum(np.add.reduceat(newline, bounds, dtype=np.int64))[:-1]
    return (lines_before + 1)[quotes_before % 2 == 0]


def _past_skipped(lines: np.ndarray, skipped: np.ndarray) -> np.ndarray:
    """Line numbers counted without the ``skipped`` physical lines (ascending), made physical."""
    if not len(skipped):
        return lines
    # The j-th skipped line sits after j − 1 other skipped ones: in the numbering without them it
    # is where the rows from it on start.
    without = skipped - np.arange(len(skipped))
    return lines + np.searchsorted(without, lines, side="right")


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
CANONICAL_BLOCK = 1 << 24  # bytes Arrow parses at a time, one block per thread
_TRUE = ["true", "True", "TRUE", "1", "yes", "Yes", "YES"]
_FALSE = ["false", "False", "FALSE", "0", "no", "No", "NO"]


def read_canonical_csv(
    path: Path,
    kinds: dict[str, str],
    wanted: list[str],
    tz: str,
    data: bytes | None = None,
    *,
    packed: bool = False,
) -> RawTable | None:
    """Typed columns straight from pyarrow when the headers are canonical and values clean.

    Returns None when any value needs the careful path (decimal comma, odd dates, …). Without
    ``data`` Arrow reads the file itself, block by block: the whole file is never held in memory.
    ``packed``: the bytes came out of a container, so the digest is theirs (there is no file to
    hash later).
    """
    digest = _lazy_sha(path, data if packed else None)
    bom = len(codecs.BOM_UTF8)
    start = data[: 65536 + bom] if data is not None else read_start(path, 65536 + bom)
    source: Path | pa.Buffer = Path(path) if data is None else pa.py_buffer(data)
    size = len(data) if data is not None else Path(path).stat().st_size
    if start.startswith(codecs.BOM_UTF8):
        size -= bom
        if isinstance(source, pa.Buffer):
            source = source.slice(bom)  # a zero-copy view; Arrow skips the mark in a file itself
    else:
        bom = 0
    start = start[bom : 65536 + bom]
    head = start.decode("utf-8", errors="replace")
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

    def parse(body: pa.Buffer | _CountingFile, ts_type: pa.DataType) -> pa.Table:
        types = {
            h: (ts_type if kinds[h] == "timestamp" else _ARROW_TYPES[kinds[h]]) for h in include
        }
        return pacsv.read_csv(
            # A buffer is read zero-copy in C++ (a BytesIO is read through Python); a file is
            # read block by block, its lines counted on the way.
            pa.BufferReader(body) if isinstance(body, pa.Buffer) else pa.PythonFile(body, "r"),
            read_options=pacsv.ReadOptions(block_size=CANONICAL_BLOCK),
            # Blocks end at any newline (a quarter less work than tracking quotes across them):
            # a quoted newline at a block's end stops the parse, one inside a block shows in the
            # line count; either way the file goes to the careful path.
            parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=include,
                strings_can_be_null=True,
                null_values=[""],
                true_values=_TRUE,
                false_values=_FALSE,
            ),
            memory_pool=_parse_pool(),
        )

    attempts = [pa.timestamp("ns"), pa.timestamp("ns", tz="UTC")]
    if any(kinds[h] == "timestamp" for h in include) and size > 65536:
        # A failed parse of the whole file costs as much as a good one: when the first lines
        # parse as zoned times but not as naive ones (a Z or offset suffix), go straight to
        # zoned. The result is the same: the naive parse of the whole file would fail too.
        head_body = pa.py_buffer(start[: start.rfind(b"\n") + 1])
        if not _parses(parse, head_body, attempts[0]) and _parses(parse, head_body, attempts[1]):
            attempts = attempts[1:]
    for ts_type in attempts:
        try:
            if isinstance(source, pa.Buffer):
                table = parse(source, ts_type)
                lines = _count_lines(data or b"")
            else:
                with open(source, "rb", buffering=0) as file:
                    counted = _CountingFile(file)
                    table = parse(counted, ts_type)
                    lines = counted.lines()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            if "out of sync" in str(exc):
                return None  # a quoted newline: no other timestamp type would parse the file
            continue
        except OSError:
            return None  # gone or unreadable since its start was read: the careful path says so
        if _holds_not_a_number(table):
            return None  # NaN/inf texts: the careful path names them (not_a_number)
        # One line per row: quoted newlines or blank lines go to the careful path, which counts
        # the lines of each row.
        if lines != table.num_rows + 1:
            return None
        frame = _typed_frame(table, kinds, tz)
        return RawTable(
            path=path,
            frame=frame,
            lines=np.arange(2, len(frame) + 2, dtype=np.int64),
            headers=headers,
            format="csv",
            encoding="utf-8",
            delimiter=dialect.delimiter,
            decimal=".",
            sha256=digest,
            typed=True,
        )
    return None


def _parse_pool() -> pa.MemoryPool | None:
    """The C library's allocator unless ARROW_DEFAULT_MEMORY_POOL chooses one (as in cskpi.cli):
    Arrow's bundled allocators take fresh pages for each block's buffers, up to twice the CPU on
    a large file."""
    return None if os.environ.get("ARROW_DEFAULT_MEMORY_POOL") else pa.system_memory_pool()


def _count_lines(data: bytes) -> int:
    """Lines of a text: its newlines, plus one when the last line has none."""
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


class _CountingFile:
    """A file that counts the newlines of what is read from it: Arrow parses it and the lines
    are counted in the same pass over its bytes, never held whole in memory."""

    closed = False

    def __init__(self, file: io.RawIOBase) -> None:
        self.file = file
        self.newlines = 0
        self.last = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size) or b""
        if chunk:
            self.newlines += int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))
            self.last = chunk[-1:]
        return chunk

    def lines(self) -> int:
        return self.newlines + (0 if self.last == b"\n" else 1)


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
        return any(_edge_space_in(chunk) for chunk in column.chunks)
    edges = [pc.starts_with(column, ch) for ch in (" ", "\t")] + [
        pc.ends_with(column, ch) for ch in (" ", "\t")
    ]
    return any(pc.any(edge).as_py() for edge in edges)


def _edge_space_in(chunk: pa.Array) -> bool:
    """Whether a non-empty, non-null value of a string array has a space or tab at an edge.

    The first and last byte of every slot are read at once (an empty slot reads a neighbour's,
    then is left out with the nulls, whose validity is only looked at for the few candidates).
    """
    _, offsets_buffer, data_buffer = chunk.buffers()
    if data_buffer is None or not len(chunk):
        return False
    width = np.int64 if isinstance(chunk, pa.LargeStringArray) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    if not len(data):
        return False
    starts, ends = offsets[:-1], offsets[1:]
    first, last = data.take(starts, mode="clip"), data.take(ends - 1, mode="clip")
    candidates = (first == 32) | (first == 9) | (last == 32) | (last == 9)  # space, tab
    if not candidates.any():
        return False
    rows = np.flatnonzero(candidates & (ends > starts))
    return bool(chunk.is_valid().to_numpy(zero_copy_only=False)[rows].any())


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
    chunk: pa.Array, width: type, *, validity: bool = True
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """A string array's offsets, bytes and validity as numpy views (no copies of the texts)."""
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=width)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    valid = chunk.is_valid().to_numpy(zero_copy_only=False) if validity else None
    data = None if data_buffer is None else np.frombuffer(data_buffer, dtype=np.uint8)
    return offsets, data, valid


def _untidy(column: pa.ChunkedArray) -> bool:
    """Whether clean_text would change a value: blank, or white space (Python's) at an edge.

    Reads the first and last byte of every value from the Arrow buffers; only values whose edge
    byte could belong to a space are compared with their ``str.strip()``.
    """
    for chunk in column.chunks:
        if isinstance(chunk, pa.DictionaryArray):
            chunk = chunk.dictionary  # the distinct values (a label column read as categories)
        if isinstance(chunk, pa.LargeStringArray):
            width = np.int64
        elif isinstance(chunk, pa.StringArray):
            width = np.int32
        else:
            return True
        if not len(chunk):
            continue
        if not chunk.null_count:  # no mask to build: every value has an edge, or is blank
            offsets, data = _string_buffers(chunk, width, validity=False)[:2]
            if data is None or (offsets[1:] == offsets[:-1]).any():
                return True
            edge = _FIRST_MAY_SPACE[data[offsets[:-1]]]
            edge |= _LAST_MAY_SPACE[data[offsets[1:] - 1]]
            rows = np.flatnonzero(edge) if edge.any() else None
        else:
            offsets, data, valid = _string_buffers(chunk, width)
            lengths = np.diff(offsets)
            if (valid & (lengths == 0)).any():
                return True
            if data is None:
                continue
            filled = valid & (lengths > 0)
            first = data[offsets[:-1][filled]]
            last = data[offsets[1:][filled] - 1]
            edge = _FIRST_MAY_SPACE[first] | _LAST_MAY_SPACE[last]
            rows = np.flatnonzero(filled)[edge] if edge.any() else None
        if rows is not None and any(v != v.strip() for v in chunk.take(pa.array(rows)).to_pylist()):
            return True
    return False


def read_canonical_parquet(
    path: Path,
    kinds: dict[str, str],
    wanted: list[str],
    tz: str,
    data: bytes | None = None,
    *,
    categories: Collection[str] = (),
) -> RawTable | None:
    """Typed columns straight from Arrow when a canonical Parquet file already stores them so.

    Only the wanted columns are read. Returns None (the careful path) when a column's Parquet type
    is not its canonical kind's (numbers as text, integer IDs, months, …). Texts named in
    ``categories`` are read as Parquet stores labels, a dictionary of distinct values, and handed
    over as pandas categoricals: no per-row string is built.
    """
    headers = parquet_headers(path, data)
    if len(set(headers)) != len(headers) or not set(headers) <= set(kinds):
        return None
    include = [h for h in headers if h in wanted]
    arrow_schema = pq.read_schema(_parquet_source(path, data))
    types = dict(zip(arrow_schema.names, arrow_schema.types, strict=True))
    for name in include:
        if not _fits(kinds[name], types[name]):
            return None
    labels = [n for n in include if n in categories and kinds[n] in ("id", "str")]
    try:
        rows = pq.ParquetFile(_parquet_source(path, data)).metadata.num_rows
        typed = _read_typed_columns(path, data, include, kinds, tz, labels)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable_parquet(path, exc) from None
    if typed is None:
        return None
    columns = dict(zip(include, typed, strict=True))
    frame = (
        pd.DataFrame(columns, copy=False) if columns else pd.DataFrame(index=pd.RangeIndex(rows))
    )
    return RawTable(
        path=path,
        frame=frame,
        lines=np.arange(1, rows + 1, dtype=np.int64),
        headers=headers,
        format="parquet",
        sha256=_lazy_sha(path, data),
        typed=True,
    )


PARQUET_READERS = 2  # columns read and typed at once (Arrow decodes one column in one thread)


def _read_typed_columns(
    path: Path,
    data: bytes | None,
    names: list[str],
    kinds: dict[str, str],
    tz: str,
    labels: list[str],
) -> list[pd.Series] | None:
    """The named columns, each read and typed on its own and its Arrow copy let go at once.

    A column at a time per reader: the decoding buffers of two columns, not of the whole file,
    come on top of the frame. Two readers, each with its own file handle: Arrow decodes a column
    in one thread and releases the GIL, and so do the numpy steps that type it, so two columns
    at once take about half the time of one after the other. None: a column needs the careful
    path (blanks or edge spaces, or a type outside what pandas holds).
    """
    local = threading.local()

    def read_one(name: str) -> pd.Series | None:
        file = getattr(local, "file", None)
        if file is None:
            file = local.file = pq.ParquetFile(
                _parquet_source(path, data), read_dictionary=labels or None
            )
        kind = kinds[name]
        if kind in _STREAMED and file.metadata.num_row_groups > 1:
            pieces = (
                file.read_row_group(i, columns=[name], use_threads=False).column(0)
                for i in range(file.metadata.num_row_groups)
            )
            streamed = _streamed_column(pieces, file.metadata.num_rows, kind, tz)
            if streamed is not _NOT_STREAMED:
                return streamed
        column = file.read(columns=[name], use_threads=False).column(0)
        if kind in ("id", "str", "text") and _untidy(column):
            return None  # clean_text's exact rules on the careful path
        return _pandas_column(column, kind, tz)

    if len(names) < 2:
        typed = [read_one(name) for name in names]
    else:
        with ThreadPoolExecutor(max_workers=PARQUET_READERS) as pool:
            typed = list(pool.map(read_one, names))
    if any(column is None for column in typed):
        return None
    return [column for column in typed if column is not None]


# Kinds held in one fixed-width array, read a row group at a time straight into it: the decoded
# Arrow values of one row group, not of the whole column, come on top of the final array.
_STREAMED = ("timestamp", "number", "int")
_NOT_STREAMED = object()


def _streamed_column(
    pieces: Iterator[pa.ChunkedArray], rows: int, kind: str, tz: str
) -> pd.Series | None | object:
    """A number or time column from its row groups' pieces, as :func:`_pandas_column` gives it
    (None: the careful path; _NOT_STREAMED: times in a named zone, read whole instead)."""
    is_time = kind == "timestamp"
    out = np.empty(rows, dtype=np.int64 if is_time else np.float64)
    start, naive = 0, True
    for piece in pieces:
        end = start + len(piece)
        if is_time:
            if piece.type.tz not in (None, "UTC"):
                return _NOT_STREAMED
            naive = piece.type.tz is None
            if not _nanoseconds_into(piece, out[start:end]):
                return None  # outside the nanosecond range
        else:
            try:
                values = piece.cast(pa.float64())
            except pa.ArrowInvalid:
                return None  # an integer a float cannot hold exactly
            at = start
            for chunk in values.chunks:  # missing ones NaN
                out[at : at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
                at += len(chunk)
        start = end
    return _instants(out, naive, tz) if is_time else pd.Series(out, copy=False)


def typed_arrow_columns(table: pa.Table, kinds: dict[str, str], tz: str) -> pd.DataFrame | None:
    """Rows of a canonical Parquet file already read into Arrow, typed as
    :func:`read_canonical_parquet` types the whole file's columns (None: the careful path, for the
    same reasons). A file read a window or a batch at a time thus types each row as loading it
    whole does, without building a Python object per cell."""
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = kinds.get(name)
        if kind is None or not _fits(kind, column.type):
            return None
        if kind in ("id", "str", "text") and _untidy(column):
            return None
        typed = _pandas_column(column, kind, tz)
        if typed is None:
            return None
        columns[name] = typed.reset_index(drop=True)
    if not columns:
        return None
    return pd.DataFrame(columns, copy=False)


def _fits(kind: str, type_: pa.DataType) -> bool:
    """Whether a Parquet column's Arrow type already is its canonical kind's."""
    if kind in ("id", "str", "text"):
        return pa.types.is_string(type_) or pa.types.is_large_string(type_)
    if kind == "timestamp":
        return pa.types.is_timestamp(type_)
    if kind in ("number", "int"):
        return pa.types.is_integer(type_) or pa.types.is_floating(type_)
    return kind == "bool" and pa.types.is_boolean(type_)


def _pandas_column(column: pa.ChunkedArray, kind: str, tz: str) -> pd.Series | None:
    """One Arrow column as the pandas column of its kind (None: outside what pandas holds)."""
    from cskpi.io.values import localise

    if kind in ("number", "int"):
        try:
            column = column.cast(pa.float64())
        except pa.ArrowInvalid:
            return None  # an integer a float cannot hold exactly
    elif kind == "timestamp":
        if column.type.tz in (None, "UTC"):
            return _nanoseconds(column, tz)
        try:
            column = column.cast(pa.timestamp("ns", tz=column.type.tz))
        except pa.ArrowInvalid:
            return None  # outside the nanosecond range
    elif kind == "bool":
        # Straight to pandas' nullable dtype: through object values it costs 20× more.
        return column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    series = column.to_pandas()
    if kind == "timestamp" and column.type.tz is None:
        return localise(series, tz)
    return series


_PER_NANOSECOND = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_NAT = np.iinfo(np.int64).min


def _nanoseconds(column: pa.ChunkedArray, tz: str) -> pd.Series | None:
    """UTC or naive Arrow times as pandas' nanoseconds: one multiplication into the new column,
    missing ones NaT (Arrow's cast and pandas' conversion would each copy the column)."""
    out = np.empty(len(column), dtype=np.int64)
    if not _nanoseconds_into(column, out):
        return None  # outside the nanosecond range
    return _instants(out, column.type.tz is None, tz)


def _nanoseconds_into(column: pa.ChunkedArray, out: np.ndarray) -> bool:
    """Write UTC or naive Arrow times into ``out`` as nanoseconds, missing ones NaT; False
    (nothing to use) when one is outside what nanoseconds hold."""
    factor = _PER_NANOSECOND[column.type.unit]
    lowest, highest = _stored_range(column)
    if lowest is not None and not (lowest * factor > -(2**63) and highest * factor < 2**63):
        return False
    start = 0
    for chunk in column.chunks:
        if not len(chunk):
            continue
        end = start + len(chunk)
        values = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[
            chunk.offset : chunk.offset + len(chunk)
        ]
        np.multiply(values, factor, out=out[start:end])
        if chunk.null_count:
            np.putmask(out[start:end], ~chunk.is_valid().to_numpy(zero_copy_only=False), _NAT)
        start = end
    return True


def _instants(nanoseconds: np.ndarray, naive: bool, tz: str) -> pd.Series:
    """Nanoseconds since the epoch as pandas instants: UTC, or wall times in ``tz`` (naive)."""
    from cskpi.io.values import UTC_NAMES, localise

    if naive and tz not in UTC_NAMES:  # local wall times: to UTC
        return localise(pd.Series(nanoseconds.view("datetime64[ns]"), copy=False), tz)
    # The nanoseconds as UTC instants in place: pandas reads integers given a zoned dtype as
    # UTC, without the copy a datetime64 array given that dtype costs.
    return pd.Series(nanoseconds, copy=False).astype(pd.DatetimeTZDtype("ns", "UTC"))


def _stored_range(column: pa.ChunkedArray) -> tuple[int | None, int | None]:
    """The smallest and largest stored integers of a time column (None, None: all missing)."""
    import pyarrow.compute as pc

    found = pc.min_max(column.cast(pa.int64()) if not pa.types.is_integer(column.type) else column)
    return found["min"].as_py(), found["max"].as_py()


def _unreadable_parquet(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(
        located(
            path,
            f"is not a readable Parquet file ({exc})",
            fix="Write it again with a Parquet writer",
        )
    )


def _parquet_source(path: Path, data: bytes | None) -> Path | pa.BufferReader:
    return path if data is None else pa.BufferReader(data)


def parquet_headers(path: Path, data: bytes | None = None) -> list[str]:
    try:
        return list(pq.read_schema(_parquet_source(path, data)).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable_parquet(path, exc) from None


def read_parquet(
    path: Path, columns: list[str] | None = None, data: bytes | None = None
) -> RawTable:
    """Only the needed columns are read; values keep their Parquet types."""
    headers = parquet_headers(path, data)
    try:
        table = pq.read_table(
            _parquet_source(path, data),
            columns=[c for c in headers if columns is None or c in columns],
        )
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
        sha256=_lazy_sha(path, data),
    )


def _sha(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return hashlib.sha256(read_bytes(path)).hexdigest()  # raises cskpi's message


def _lazy_sha(path: Path, data: bytes | None = None) -> Callable[[], str]:
    """The file's SHA-256, computed only if an output shows it (see dataset.FileReport)."""
    if data is not None:
        return lambda: hashlib.sha256(data).hexdigest()
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


HeaderCheck = Callable[[list[str]], bool]


def read_xlsx(
    path: Path,
    header_rows: int = 1,
    sheet: str | None = None,
    data: bytes | None = None,
    accept: HeaderCheck | None = None,
) -> RawTable:
    """One sheet as texts; Excel dates/times become ISO / H:MM:SS texts, blank cells missing.

    The sheet is `sheet` when named, else the first whose headers `accept` recognises, else the
    first sheet that holds anything (visible sheets before hidden ones, each in workbook order).
    Read with calamine; openpyxl only when calamine cannot.
    """
    data = read_bytes(path) if data is None else data
    try:
        sheets = _calamine_sheets(data)
    except Exception:  # calamine raises its own kinds and plain ones for a file it cannot read
        sheets = _openpyxl_sheets(data, path)
    try:
        name, rows, first = _choose_sheet(sheets, path, sheet, accept, header_rows)
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cut or missing sheet part fails in many ways
        raise InputFileError(
            located(
                path,
                f"has a damaged sheet ({type(exc).__name__})",
                fix="Open it in Excel and save it again as .xlsx",
            )
        ) from None
    width = max(len(r) for r in rows[first:])
    head = [_header_text(v) for v in rows[first]] + [""] * (width - len(rows[first]))
    sub = None
    if header_rows > 1 and len(rows) > first + 1:
        sub = [_header_text(v) for v in rows[first + 1]]
    headers = unique_headers(head, sub)
    body = rows[first + header_rows :]
    if any(len(r) != width for r in body):
        body = [list(r) + [None] * (width - len(r)) for r in body]
    cells = np.empty((len(body), width), dtype=object)
    if body:
        cells[:] = body
    frame = pd.DataFrame(
        {name_: _column_texts(cells[:, i]) for i, name_ in enumerate(headers)},
        index=pd.RangeIndex(len(body)),
    )
    keep = frame.notna().any(axis=1).to_numpy()  # Excel's formatted-but-empty rows
    start = first + header_rows + 1  # sheet row of the first body row
    lines = np.arange(start, start + len(frame), dtype=np.int64)[keep]
    frame = frame[keep].reset_index(drop=True)
    return RawTable(
        path=path,
        frame=frame,
        lines=lines,
        headers=headers,
        format="xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        sheet=name,
    )


def _header_text(value: object) -> str:
    text = _cell_text(value)
    return "" if text is None else str(text)


def _calamine_sheets(data: bytes) -> list[tuple[str, Callable[[], list[list]]]]:
    """(name, rows loader) of each worksheet, in workbook order (chart sheets left out)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))

    def rows(name: str) -> list[list]:
        # Leading blank rows kept: row numbers in messages are the sheet's own.
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)

    sheets = [meta for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
    sheets.sort(key=lambda meta: meta.visible != SheetVisibleEnum.Visible)  # hidden ones last
    return [(meta.name, functools.partial(rows, meta.name)) for meta in sheets]


def _openpyxl_sheets(data: bytes, path: Path) -> list[tuple[str, Callable[[], list[list]]]]:
    import openpyxl

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

    def rows(name: str) -> list[list]:
        # From row 1: openpyxl starts at the sheet's first used row otherwise.
        sheet = book[name]
        return [list(r) for r in sheet.iter_rows(min_row=1, values_only=True)]

    names = sorted(book.sheetnames, key=lambda name: book[name].sheet_state != "visible")
    return [(name, functools.partial(rows, name)) for name in names]


def _choose_sheet(
    sheets: list[tuple[str, Callable[[], list[list]]]],
    path: Path,
    wanted: str | None,
    accept: HeaderCheck | None,
    header_rows: int,
) -> tuple[str, list[list], int]:
    """(sheet name, its rows, index of its header row): the named, recognised or first used one."""
    names = [name for name, _ in sheets]
    if wanted is not None:
        if wanted not in names:
            raise InputFileError(
                located(
                    path,
                    f"has no sheet {wanted!r}",
                    fix=f"{did_you_mean(wanted, names)}Use one of: "
                    f"{', '.join(repr(n) for n in names)}",
                )
            )
        sheets = [s for s in sheets if s[0] == wanted]
    first_used = None
    for name, load_rows in sheets:
        rows = load_rows()
        first = _first_filled(rows)
        if first is None:
            continue
        if first_used is None:
            first_used = (name, rows, first)
        if accept is None or wanted is not None:
            break
        head = unique_headers([_header_text(v) for v in rows[first]])
        if accept(head):
            return name, rows, first
    if first_used is None:
        where = f"sheet {wanted!r}" if wanted else "every sheet"
        raise InputFileError(
            located(path, f"{where} is empty", fix="Put the data with its header row on a sheet")
        )
    return first_used


def _first_filled(rows: list[list]) -> int | None:
    return next(
        (i for i, row in enumerate(rows) if any(v is not None and v != "" for v in row)), None
    )


def _column_texts(values: np.ndarray) -> pd.Series:
    """One sheet column's cells as texts (blank = missing), by whole columns where types allow."""
    values = values.copy()
    values[values == ""] = None
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return pd.Series(values, dtype="str")
    if kind in ("floating", "integer", "mixed-integer-float"):
        present = pd.notna(values)
        number = np.zeros(len(values))
        number[present] = values[present].astype("float64")
        whole = present & (np.floor(number) == number) & (np.abs(number) < 2**53)
        text = np.full(len(values), None, dtype=object)
        text[whole] = number[whole].astype(np.int64).astype(str)
        rest = present & ~whole
        text[rest] = number[rest].astype(str)
        return pd.Series(text, dtype="str")
    if kind in ("date", "datetime"):  # date and date-time cells: one C conversion, not one per cell
        try:
            stamps = pd.to_datetime(pd.Series(values, dtype=object)).to_numpy("datetime64[us]")
        except (ValueError, TypeError, OverflowError):
            stamps = None
        if stamps is not None:
            present = ~np.isnat(stamps)
            whole = (stamps[present] == stamps[present].astype("datetime64[s]")).all()
            text = np.full(len(values), None, dtype=object)
            text[present] = np.char.replace(
                np.datetime_as_string(stamps[present], unit="s" if whole else "us"), "T", " "
            )
            return pd.Series(text, dtype="str")
    if kind == "time":
        present = pd.notna(values)
        values[present] = values[present].astype(str)  # str(time) is its ISO form, HH:MM:SS
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object).map(_cell_text).astype("str")


# Extended-JSON wrappers (MongoDB exports) around one value: the value is what an analyst means.
_EXTENDED = frozenset(
    {"$oid", "$date", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal", "$uuid"}
)


def _plain_value(obj: dict) -> object:
    """`{"$oid": "…"}` -> "…", `{"$date": {"$numberLong": "…"}}` -> "…" (epoch ms), else obj."""
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key in _EXTENDED:
            return value
    return obj


def json_documents(text: str, path: Path) -> list[object]:
    """Every JSON value of a text: one document, JSON lines, or objects written back to back.

    Amazon Connect streams contact records as `{…}{…}` with no separator; raw_decode reads one
    value at a time, so all three layouts go through one loop.
    """
    decoder = json.JSONDecoder(object_hook=_plain_value if '"$' in text else None)
    documents = []
    space = re.compile(r"[\s\x00]*")
    pos = space.match(text).end()
    while pos < len(text):
        try:
            value, end = decoder.raw_decode(text, pos)
        except RecursionError:
            raise InputFileError(
                located(path, "is nested too deeply to be records", fix="Export it as a table")
            ) from None
        except json.JSONDecodeError as exc:
            # JSON lines: the line where the broken record starts; one document: where it breaks.
            line = text.count("\n", 0, pos) + 1 if documents else exc.lineno
            raise InputFileError(
                located(
                    path,
                    f"is not valid JSON ({exc.msg})",
                    row=line,
                    fix="Export the data again as JSON or JSON lines",
                )
            ) from None
        except ValueError:  # an integer of thousands of digits (Python's int conversion limit)
            raise InputFileError(
                located(path, "holds a number too long to read", fix="Export it as a table")
            ) from None
        documents.append(value)
        pos = space.match(text, end).end()
    return documents


def _id_like(key: str) -> bool:
    return key.casefold() in ("id", "_id") or key.endswith(("_id", "Id", "ID", "_ID"))


def _object_lists(doc: dict) -> list[list]:
    """Lists of objects at the top of a document, then one level down, in document order."""
    top = [v for v in doc.values() if isinstance(v, list) and all(isinstance(r, dict) for r in v)]
    down = [
        v
        for inner in doc.values()
        if isinstance(inner, dict)
        for v in inner.values()
        if isinstance(v, list) and all(isinstance(r, dict) for r in v)
    ]
    return top + down


def json_records(documents: list[object], records_key: str | None) -> list | None:
    """The records of a JSON file's documents; None when they hold none.

    Several documents (JSON lines, back-to-back objects) are one record each, or lists of records.
    One document is a list of records, an envelope holding one (`{"tickets": […]}`,
    `{"_embedded": {"conversations": […]}}`, or under `records_key`), or one record itself: an
    object with an ID field (`id`, `ContactId`, `_id`, …) is a record even when it holds lists.
    """
    if len(documents) != 1:
        records: list = []
        for doc in documents:
            if isinstance(doc, list):
                records += doc
            else:
                records.append(doc)
        return records
    doc = documents[0]
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        return None
    if records_key is not None:
        if records_key.split(".")[0] not in doc:
            return [doc]  # one record as the API returns it singly (`ticket_metric`, not the list)
        found: object = doc
        for part in records_key.split("."):  # "_embedded.conversations"
            found = found.get(part) if isinstance(found, dict) else None
        return found if isinstance(found, list) else None
    lists = _object_lists(doc)
    has_id = any(_id_like(k) and not isinstance(v, dict | list) for k, v in doc.items())
    if lists and not has_id:
        return next((v for v in lists if v), lists[0])  # the first non-empty list wins
    return [doc]


def read_json(path: Path, records_key: str | None = None, data: bytes | None = None) -> RawTable:
    """Records from a JSON document, JSON lines or back-to-back objects (see json_records)."""
    data = read_bytes(path) if data is None else data
    try:
        text = data.decode(detect_encoding(data, path)).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            located(path, f"is not valid JSON ({exc})", fix="Export the data again as JSON")
        ) from None
    documents = json_documents(text, path)
    if not documents:
        raise InputFileError(
            located(path, "is empty", fix="Export the data again as JSON or JSON lines")
        )
    records = json_records(documents, records_key)
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
        column = frame[name]
        if column.dtype == object:
            frame[name] = column.map(_json_cell)
        elif column.dtype == "float64" and column.isna().any():
            # Whole numbers with a null among them come back as floats: keep them whole, so an id
            # or group number reads "98738", not "98738.0" (past 2**53 no float is an exact whole).
            filled = column.dropna()
            if (filled == filled.round()).all() and (filled.abs() < 2**53).all():
                frame[name] = column.astype("Int64").astype(object).where(column.notna(), None)
    return RawTable(
        path=path,
        frame=frame,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        headers=list(frame.columns),
        format="json",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _json_cell(value: object) -> object:
    """A nested value as one cell: a list of plain values (Zendesk `tags`) as their text joined by
    ", " and an empty list as empty; other lists and objects as JSON text."""
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) if value else None
    return json.dumps(value) if isinstance(value, list | dict) else value


def read_any(
    path: Path,
    *,
    encoding: str | None = None,
    header_rows: int = 1,
    records_key: str | None = None,
    columns: list[str] | None = None,
    decimal: str = "auto",
    data: bytes | None = None,
    sheet: str | None = None,
    accept: HeaderCheck | None = None,
) -> RawTable:
    """A plain file (or one file's bytes out of a container, as ``data``) by what it holds."""
    fmt = file_format(path, data)
    if fmt in ("gzip", "zip"):
        files = unpack(path, data)
        if files is None or len(files) != 1:
            raise InputFileError(
                located(
                    path,
                    f"holds {len(files or [])} export files",
                    fix="Give it to a command that loads data (report, validate); it reads each",
                )
            )
        path, data = files[0]
        fmt = file_format(path, data)
    if fmt == "csv":
        return read_csv(
            path, encoding=encoding, header_rows=header_rows, decimal=decimal, data=data
        )
    if fmt == "parquet":
        return read_parquet(path, columns, data)
    if fmt == "xlsx":
        return read_xlsx(path, header_rows, sheet, data, accept)
    return read_json(path, records_key, data)


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
    except InputFileError as exc:  # a header cell of 100s of KB: no export writes one
        raise InputFileError(
            located(path, f"{exc}", row=1, fix="Check the file is a CSV export with a header row")
        ) from None
    return unique_headers(rows[0]) if rows else []
