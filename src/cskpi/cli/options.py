"""Options shared by every command that loads data, declared once."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from cskpi.errors import UsageError
from cskpi.io.inputs import InputSpec

DataDir = Annotated[
    Path | None,
    typer.Argument(
        metavar="DATA_DIR",
        help="Folder holding tickets.csv, calls/2026-10.csv, surveys.parquet, … "
        "(files or sub-folders named after the tables).",
    ),
]
Tickets = Annotated[
    list[Path] | None,
    typer.Option("--tickets", metavar="FILE", help="Ticket export(s); repeatable."),
]
Calls = Annotated[
    list[Path] | None, typer.Option("--calls", metavar="FILE", help="Call log(s); repeatable.")
]
Surveys = Annotated[
    list[Path] | None,
    typer.Option("--surveys", metavar="FILE", help="Survey export(s); repeatable."),
]
Costs = Annotated[
    list[Path] | None, typer.Option("--costs", metavar="FILE", help="Cost sheet(s); repeatable.")
]
Agents = Annotated[
    list[Path] | None,
    typer.Option("--agents", metavar="FILE", help="Agent hours sheet(s); repeatable."),
]
Revenue = Annotated[
    list[Path] | None,
    typer.Option("--revenue", metavar="FILE", help="Revenue export(s); repeatable."),
]
Tz = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="IANA timezone for naive timestamps and period boundaries, e.g. "
        "Europe/Helsinki (default: tz in cskpi.toml, else UTC).",
    ),
]
Vendor = Annotated[
    str | None,
    typer.Option(
        "--vendor",
        metavar="NAME",
        help="Force a vendor map (zendesk, freshdesk, "
        "amazon_connect, …) instead of detecting it from headers.",
    ),
]
MapFile = Annotated[
    list[Path] | None,
    typer.Option("--map", metavar="FILE", help="Your own column map (TOML); repeatable."),
]
DateOrder = Annotated[
    str,
    typer.Option(
        "--date-order",
        metavar="ORDER",
        help="auto, day-first or month-first for dates like 03/04/2026.",
    ),
]
Decimal = Annotated[
    str,
    typer.Option(
        "--decimal",
        metavar="MARK",
        help="auto, . or , — the decimal mark of numbers in CSV files "
        "(auto: guessed from the values, ',' in files separated by ';').",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="Text encoding of CSV files, e.g. utf-8, cp1252 (default: detected per file).",
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NAME",
        help="Workbook sheet to read from XLSX files (default: the first sheet whose "
        "headers are recognised, else the first sheet with data).",
    ),
]
Rejects = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        metavar="FILE",
        help="Write every rejected row (file, line, reason) to this CSV.",
    ),
]
MaxRejectRate = Annotated[
    float | None,
    typer.Option(
        "--max-reject-rate",
        metavar="PERCENT",
        help="Exit with code 2 (after writing the outputs) when more than this % of a file's "
        "rows is rejected (default: max_reject_rate in cskpi.toml, else 50).",
    ),
]
Every = Annotated[
    str | None,
    typer.Option(
        "--every",
        metavar="GRAIN",
        help="Split the chosen range into periods of a day, week, month, quarter or year "
        "(2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026); weeks run Monday to Sunday unless "
        'cskpi.toml says week_start = "sun".',
    ),
]
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="Language of labels, headings and number formats in human outputs: en, fi, da, "
        "no (or nb), ro, lv (default: lang in cskpi.toml, else en). CSV and JSON stay neutral.",
    ),
]


def resolve_lang(flag: str | None, config: object) -> str:
    """--lang wins, then the lang of cskpi.toml, then English; an unknown one is a usage error."""
    from cskpi.i18n import catalogue, resolve

    lang = resolve(flag or getattr(config, "lang", None) or "en")
    catalogue(lang)
    return lang


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or warnings on stderr.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]


def load_settings(config_path: Path | None, data_dir: Path | None) -> Any:
    """cskpi.toml with [targets] keys checked against the KPI ids (a typo is an error)."""
    from cskpi.config import load_config
    from cskpi.metrics.registry import BY_ID

    return load_config(config_path, data_dir, known_kpis=set(BY_ID))


def resolve_reject_rate(flag: float | None, config: object) -> float:
    """--max-reject-rate wins, then max_reject_rate of cskpi.toml (50 by default)."""
    if flag is None:
        return float(getattr(config, "max_reject_rate", 50.0))
    if not 0 <= flag <= 100:  # also refuses NaN
        raise UsageError(f"--max-reject-rate {flag} is not a percentage. Give a number 0–100")
    return float(flag)


def resolve_tz(flag: str | None, config: object) -> str:
    """--tz wins, then the tz of cskpi.toml, then UTC."""
    if flag is not None and not flag.strip():
        raise UsageError("--tz is empty. Give an IANA name such as Europe/Helsinki or UTC")
    return flag or getattr(config, "tz", None) or "UTC"


TABLE_FILES = ("tickets", "calls", "surveys", "costs", "agents", "revenue")
DATE_ORDERS = ("auto", "day-first", "month-first")
DECIMALS = ("auto", ".", ",")


def check_read_options(date_order: str, decimal: str, encoding: str | None) -> None:
    """Refuse unknown --date-order, --decimal and --encoding values before anything is read."""
    if date_order not in DATE_ORDERS:
        raise UsageError(f"--date-order {date_order!r} is not known. Use {', '.join(DATE_ORDERS)}")
    if decimal not in DECIMALS:
        raise UsageError(f"--decimal {decimal!r} is not known. Use auto, . or ,")
    if encoding is not None:
        try:
            # base64, rot13, hex, zlib … are codecs but no text encodings
            if not codecs.lookup(encoding)._is_text_encoding:
                raise LookupError(encoding)
        except LookupError:
            raise UsageError(
                f"--encoding {encoding!r} is not a known text encoding. "
                "Use a name such as utf-8, cp1252 or latin-1"
            ) from None


def input_spec(
    given: Mapping[str, Any],
    tz: str,
    tables: tuple[str, ...] = TABLE_FILES,
    *,
    outputs: Mapping[str, Any] | None = None,
    protected: list[Any] | None = None,
) -> InputSpec:
    """The checked InputSpec of a command's shared input options.

    ``given`` maps the option names declared above (data_dir, tickets … revenue, vendor,
    map_files, date_order, decimal, encoding, sheet) to their values: a command passes its
    ``locals()``.
    Explicit files of tables outside ``tables`` are left out.
    """
    date_order = given.get("date_order") or "auto"
    decimal = given.get("decimal") or "auto"
    encoding = given.get("encoding")
    check_read_options(date_order, decimal, encoding)
    files = {name: list(given[name]) for name in TABLE_FILES if name in tables and given.get(name)}
    return InputSpec(
        data_dir=given.get("data_dir"),
        files=files,
        tz=tz,
        vendor=given.get("vendor"),
        map_files=list(given.get("map_files") or []),
        date_order=date_order,
        decimal=decimal,
        encoding=encoding,
        sheet=given.get("sheet"),
        outputs={flag: Path(p) for flag, p in (outputs or {}).items() if p not in (None, "-")},
        protected=protected_files(protected or []),
    )


def protected_files(given: list[Any]) -> list[Path]:
    """The files an output must never replace: ``given`` files, and every file of a given folder
    (a --history folder of kept tidy CSVs)."""
    from cskpi.io.paths import walk_files

    found: list[Path] = []
    for item in given:
        if item is None:
            continue
        path = Path(item)
        found += walk_files(path) if path.is_dir() else [path]
    return found
