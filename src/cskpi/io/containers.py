"""What a file really holds, from its first bytes, and the files inside gzip and zip containers.

An export's suffix is only a hint: Excel saves a workbook under `.csv`, a mail gateway gzips a CSV
without renaming it, a "JSON" export is JSON lines. The bytes decide; the suffix breaks ties
between text formats.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from pathlib import Path

from cskpi.errors import InputFileError, located

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
PARQUET_MAGIC = b"PAR1"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)

CONTAINER_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zip": "zip"}
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
# Unpacked bytes above this are refused: a few hundred MB of export is plenty; a zip bomb is not.
MAX_UNPACKED = 4 << 30
HEAD = 4096
# A first line that is one JSON number or literal (not the header of a CSV).
_JSON_SCALAR = re.compile(r"(-?\d[\d.eE+-]*|null|true|false)[ \t]*(\r?\n|$)")


def sniff(head: bytes, suffix: str) -> str | None:
    """The format the first bytes prove: gzip, zip, parquet, xls, json; None for other text.

    ``head`` must be the file's first bytes (a few KB). Text starting with `{`, or with `[` followed
    by `{` or `]`, is JSON whatever the suffix; other text is left to the suffix.
    """
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"  # a workbook or an archive: see zip_kind
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(OLE_MAGIC):
        return "xls"
    text = _text_start(head)
    if text.startswith("{") or (text.startswith("[") and text[1:].lstrip()[:1] in ("{", "]")):
        return "json"
    if suffix in JSON_SUFFIXES and (text[:1] in ("[", '"', "") or _JSON_SCALAR.match(text)):
        return "json"  # a bare `42` or `null` line is JSON too: "not a list of records"
    return None


def _text_start(head: bytes) -> str:
    """The first characters of a UTF-8 or UTF-16 text (BOM or NUL bytes), leading spaces dropped."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and 0 in head[:2]):
        encoding = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16"
        text = head[: len(head) // 2 * 2].decode(encoding, errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff \t\r\n")[:64]


def zip_kind(data: bytes | None, path: Path) -> str:
    """`xlsx` for an Office Open XML workbook, else `zip` (an archive of export files)."""
    try:
        with _open_zip(data, path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputFileError(
            located(path, "is a damaged zip file", fix="Export or pack the file again")
        ) from None
    return "xlsx" if "xl/workbook.xml" in names or "xl/workbook.bin" in names else "zip"


def _open_zip(data: bytes | None, path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data) if data is not None else path)


def gunzip(data: bytes, path: Path) -> bytes:
    """A gzip file's content (concatenated gzip members are one content, as gzip -d makes it)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(MAX_UNPACKED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputFileError(
            located(path, f"is a damaged gzip file ({exc})", fix="Export or pack the file again")
        ) from None
    _check_size(len(out), path)
    return out


def gzip_inner_name(path: Path) -> Path:
    """`tickets.csv.gz` holds `tickets.csv`; a bare `tickets.gz` holds `tickets` (then sniffed)."""
    return path.with_suffix("") if path.suffix.lower() in (".gz", ".gzip") else path


def zip_members(
    data: bytes | None, path: Path, supported: tuple[str, ...]
) -> list[tuple[str, bytes]]:
    """Every member of a zip archive whose name ends in a supported suffix, in archive order.

    Folders, hidden files and macOS resource forks (`__MACOSX/`) are skipped.
    """
    members = []
    total = 0
    try:
        with _open_zip(data, path) as archive:
            for info in archive.infolist():
                name = info.filename
                base = name.rsplit("/", 1)[-1]
                if (
                    info.is_dir()
                    or name.startswith("__MACOSX/")
                    or base.startswith(".")
                    or not base.lower().endswith(supported)
                ):
                    continue
                total += info.file_size
                _check_size(total, path)
                members.append((name, archive.read(info)))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputFileError(
            located(path, f"is a damaged zip file ({exc})", fix="Export or pack the file again")
        ) from None
    except NotImplementedError as exc:  # encrypted or an unknown compression method
        raise InputFileError(
            located(path, f"cannot be unpacked ({exc})", fix="Pack it again as a plain zip")
        ) from None
    except RuntimeError as exc:  # password-protected member
        raise InputFileError(
            located(path, f"cannot be unpacked ({exc})", fix="Pack it again without a password")
        ) from None
    if not members:
        raise InputFileError(
            located(
                path,
                "holds no export file",
                fix="Put .csv, .xlsx, .json or .parquet files in the zip",
            )
        )
    return members


def _check_size(size: int, path: Path) -> None:
    if size > MAX_UNPACKED:
        raise InputFileError(
            located(
                path,
                f"unpacks to more than {MAX_UNPACKED >> 30} GB",
                fix="Unpack it and give the export files themselves",
            )
        )
