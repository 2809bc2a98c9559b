"""The `map` command: write a starter vendor map for an export from its headers and values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cskpi.cli import options
from cskpi.cli.errors import user_errors
from cskpi.errors import InputFileError, UsageError, located


def map_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The export to describe.")],
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            metavar="TABLE",
            help="The canonical table the file fills (default: the one its headers fit best).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the map here (default: stdout)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the file -o names when it exists already."),
    ] = False,
    encoding: options.Encoding = None,
    debug: options.Debug = False,
) -> None:
    """Write a starter map (TOML, the --map format) for an export: every guess with its reason."""
    from cskpi.io import schema
    from cskpi.io.starter import starter_map

    with user_errors(debug):
        if table is not None and table not in schema.TABLES:
            raise UsageError(f"unknown --table {table!r}. Use one of {', '.join(schema.TABLES)}")
        if not file.is_file():
            raise InputFileError(located(file, "file not found", fix="Check the path"))
        if output is not None and output.exists() and output.resolve() == file.resolve():
            raise UsageError(
                f"{output}: -o names the export itself; choose another file for the map"
            )
        if output is not None and output.exists() and not force:
            # A map already there is likely one the user edited: a starter must not replace it.
            raise UsageError(
                f"{output}: exists already; -o would destroy it. Choose another file, "
                "or add --force to replace it"
            )
        text = starter_map(file, table, encoding)
        if output is None:
            typer.echo(text, nl=False)
            return
        from cskpi.report.output import write_atomic

        write_atomic(output, text)


def register(app: typer.Typer) -> None:
    app.command("map")(map_command)
