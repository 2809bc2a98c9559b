"""Options shared by every command that loads data, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cskpi.io.inputs import InputSpec

DataDir = Annotated[
    Path | None,
    typer.Argument(
        help="Folder holding tickets.csv, calls/2026-10.csv, surveys.parquet, … "
        "(files or sub-folders named after the tables)."
    ),
]
Tickets = Annotated[
    list[Path] | None, typer.Option("--tickets", help="Ticket export(s); repeatable.")
]
Calls = Annotated[list[Path] | None, typer.Option("--calls", help="Call log(s); repeatable.")]
Surveys = Annotated[
    list[Path] | None, typer.Option("--surveys", help="Survey export(s); repeatable.")
]
Costs = Annotated[list[Path] | None, typer.Option("--costs", help="Cost sheet(s); repeatable.")]
Agents = Annotated[
    list[Path] | None, typer.Option("--agents", help="Agent hours sheet(s); repeatable.")
]
Revenue = Annotated[
    list[Path] | None, typer.Option("--revenue", help="Revenue export(s); repeatable.")
]
Tz = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="IANA timezone for naive timestamps and period boundaries, e.g. "
        "Europe/Helsinki (default: tz in cskpi.toml, else UTC).",
    ),
]
Vendor = Annotated[
    str | None,
    typer.Option(
        "--vendor",
        help="Force a vendor map (zendesk, freshdesk, "
        "amazon_connect, …) instead of detecting it from headers.",
    ),
]
MapFile = Annotated[
    list[Path] | None, typer.Option("--map", help="Your own column map (TOML); repeatable.")
]
DateOrder = Annotated[
    str,
    typer.Option("--date-order", help="auto, day-first or month-first for dates like 03/04/2026."),
]
Rejects = Annotated[
    Path | None,
    typer.Option("--rejects", help="Write every rejected row (file, line, reason) to this CSV."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or warnings on stderr.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]


def resolve_tz(flag: str | None, config: object) -> str:
    """--tz wins, then the tz of cskpi.toml, then UTC."""
    return flag or getattr(config, "tz", None) or "UTC"


def input_spec(
    data_dir: Path | None,
    *,
    tickets: list[Path] | None = None,
    calls: list[Path] | None = None,
    surveys: list[Path] | None = None,
    costs: list[Path] | None = None,
    agents: list[Path] | None = None,
    revenue: list[Path] | None = None,
    tz: str = "UTC",
    vendor: str | None = None,
    map_files: list[Path] | None = None,
    date_order: str = "auto",
) -> InputSpec:
    files = {
        name: list(paths)
        for name, paths in (
            ("tickets", tickets),
            ("calls", calls),
            ("surveys", surveys),
            ("costs", costs),
            ("agents", agents),
            ("revenue", revenue),
        )
        if paths
    }
    return InputSpec(
        data_dir=data_dir,
        files=files,
        tz=tz,
        vendor=vendor,
        map_files=list(map_files or []),
        date_order=date_order,
    )
