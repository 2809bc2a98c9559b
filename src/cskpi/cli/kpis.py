"""The `kpis` command: print the KPI catalogue."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer


class CatalogueFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"


def kpis(
    format_: Annotated[
        CatalogueFormat, typer.Option("--format", help="table, md or json.")
    ] = CatalogueFormat.table,
) -> None:
    """List every KPI: id, unit, direction and definition."""
    from cskpi.metrics import catalogue
    from cskpi.metrics.registry import REGISTRY

    if format_ is CatalogueFormat.md:
        typer.echo(catalogue.to_markdown(), nl=False)
        return
    if format_ is CatalogueFormat.json:
        typer.echo(catalogue.to_json(), nl=False)
        return
    if not sys.stdout.isatty():
        for kpi in REGISTRY:
            typer.echo(
                "\t".join(
                    (kpi.id, kpi.area, kpi.unit, catalogue.ARROWS[kpi.direction], kpi.formula)
                )
            )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="cskpi KPI catalogue", show_lines=False)
    for column in ("id", "area", "unit", "dir", "definition"):
        table.add_column(column, overflow="fold")
    for kpi in REGISTRY:
        table.add_row(kpi.id, kpi.area, kpi.unit, catalogue.ARROWS[kpi.direction], kpi.formula)
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("kpis")(kpis)
