"""`cskpi scorecard`: one row per agent (or team, channel, …), one column per KPI, per period."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from cskpi.cli import loading, options
from cskpi.cli.errors import user_errors
from cskpi.cli.report import BREAKDOWNS, ConfigPath, DateFrom, DateTo, History, Output, Period
from cskpi.errors import did_you_mean

FORMATS = ("table", "csv", "json", "xlsx", "html")
SUFFIXES = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".html": "html", ".txt": "table"}

By = Annotated[
    str,
    typer.Option(
        "--by", metavar="DIMENSION", help=f"One row per value of: {', '.join(BREAKDOWNS)}."
    ),
]
Kpi = Annotated[
    list[str] | None,
    typer.Option(
        "--kpi",
        metavar="KPI",
        help="A column; repeatable or comma-separated (default: a set a support lead reads first).",
    ),
]
Area = Annotated[
    str | None,
    typer.Option(
        "--area",
        metavar="AREA",
        help="The default columns of one area: satisfaction, efficiency or value.",
    ),
]
MinN = Annotated[
    int,
    typer.Option(
        "--min-n", metavar="N", min=1, help="Mark cells computed from fewer records than this."
    ),
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, csv, json, xlsx or html. Default: from the -o suffix, else table.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("scorecard")(scorecard)


def scorecard(
    data_dir: options.DataDir = None,
    tickets: options.Tickets = None,
    calls: options.Calls = None,
    surveys: options.Surveys = None,
    costs: options.Costs = None,
    agents: options.Agents = None,
    revenue: options.Revenue = None,
    period: Period = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    every: options.Every = None,
    by: By = "agent",
    kpi: Kpi = None,
    area: Area = None,
    min_n: MinN = 30,
    lang: options.Lang = None,
    history: History = None,
    tz: options.Tz = None,
    config_path: ConfigPath = None,
    fmt: Format = None,
    output: Output = None,
    vendor: options.Vendor = None,
    map_files: options.MapFile = None,
    date_order: options.DateOrder = "auto",
    decimal: options.Decimal = "auto",
    encoding: options.Encoding = None,
    sheet: options.Sheet = None,
    max_reject_rate: options.MaxRejectRate = None,
    quiet: options.Quiet = False,
    debug: options.Debug = False,
) -> None:
    """One row per agent, one column per KPI: who needs coaching and who is just noise.

    Cells from fewer than --min-n records are marked (°), not hidden. A cell is flagged (▲ better,
    ▼ worse) when the group differs significantly from the rest of the period, with the tests of
    --compare and Benjamini–Hochberg control over the whole table.

    Examples:

    cskpi scorecard exports/ --period 2026-10

    cskpi scorecard exports/ --period 2026-10 --every week --by team -o scorecard.xlsx

    cskpi scorecard exports/ --period 2026-10 --every day --kpi first_response_sla_breaches
    """
    with user_errors(debug):
        from cskpi.cli.report import _emit, _stdout_is_tty, _usage, _width
        from cskpi.metrics.periods import data_span, parse_periods
        from cskpi.metrics.registry import BY_ID
        from cskpi.metrics.scorecard import choose_kpis, scorecard_for
        from cskpi.pipeline import input_columns
        from cskpi.report.scorecard_render import render

        fmt = _format(fmt, output, _usage)
        dimension = by.strip().lower()
        if dimension not in BREAKDOWNS:
            hint = did_you_mean(dimension, BREAKDOWNS)
            _usage(f"--by {by!r} is not a breakdown. {hint}Use one of: {', '.join(BREAKDOWNS)}")
        raw = data_dir is not None or any((tickets, calls, surveys, costs, agents, revenue))
        if not raw and not history:
            _usage("no data given. Name a data folder (cskpi scorecard exports/) or files")
        columns = choose_kpis(kpi, area, list(BY_ID))
        config = options.load_settings(config_path, data_dir)
        reject_limit = options.resolve_reject_rate(max_reject_rate, config)
        tz = options.resolve_tz(tz, config)
        lang = options.resolve_lang(lang, config)
        kept = None
        if history:
            from cskpi.metrics.history import load_history

            units = {kpi_id: d.unit_for(config.currency) for kpi_id, d in BY_ID.items()}
            kept = load_history(history, units)
            for text in kept.notes:
                loading.note(text, quiet=quiet)
        outputs = {"-o": output}
        protected = [config.source, *(history or [])]
        tables: dict = {}
        periods: list = []
        dataset = None
        span = None
        if raw:
            spec = options.input_spec(locals(), tz, outputs=outputs, protected=protected)
            spec.columns = input_columns([dimension])
            dataset = loading.load(spec, quiet=quiet)  # refuses an output that is an input
            tables = dataset.tables
            if not quiet:
                loading.warn_about_inputs(dataset.files, rejects_written=False)
            span = data_span(tables)  # a median over every date: once
            if not (period or date_from or date_to) and span is not None and span.note():
                loading.note(str(span.note()), quiet=quiet)
        else:
            from cskpi.io.paths import check_outputs

            check_outputs(outputs, options.protected_files(protected))
        if raw or period or date_from or date_to:
            periods = parse_periods(
                period,
                date_from,
                date_to,
                tz,
                data_range=span.range if span is not None else None,
                every=every,
                week_start=config.week_start,
            )
        card = scorecard_for(
            tables,
            periods,
            dimension,
            columns,
            config,
            tz=tz,
            min_n=min_n,
            history=kept,
            drop_empty=not kpi and area is None,
        )
        if dataset is not None and dataset.unusable:
            for key, cell in card.cells.items():
                why = loading.unusable_reason(cell.reason, dataset.unusable)
                if why != cell.reason:
                    card.cells[key] = dataclasses.replace(cell, reason=why)
        to_stdout = output in (None, "-")
        content = render(
            card,
            fmt,
            width=_width() if to_stdout else 100,
            color=to_stdout and _stdout_is_tty() and fmt == "table",
            lang=lang,
        )
        _emit(content, None if to_stdout else Path(output or ""), fmt)
        if dataset is not None:
            loading.fail_on_rejects(dataset, reject_limit)


def _format(fmt: str | None, output: str | None, usage) -> str:
    if fmt:
        if fmt not in FORMATS:
            usage(f"--format {fmt!r} is not known. Use one of: {', '.join(FORMATS)}")
        return fmt
    if output and output != "-":
        suffix = Path(output).suffix.lower()
        if suffix not in SUFFIXES:
            usage(
                f"-o {output!r}: cannot tell the format from {suffix or 'no suffix'!r}. "
                f"Add --format ({', '.join(FORMATS)})"
            )
        return SUFFIXES[suffix]
    return "table"
