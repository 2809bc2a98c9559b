"""The insight commands: staffing, types, themes, customers, clv, trend.

Each command loads the data with the shared input options, calls one function of cskpi.insights
and renders its result (Rich on a terminal, plain text in a pipe, or --format csv|json|html).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cskpi.cli import loading
from cskpi.cli import options as o
from cskpi.cli.errors import user_errors
from cskpi.config import Config
from cskpi.errors import UsageError, did_you_mean
from cskpi.i18n import catalogue
from cskpi.insights.result import Insight

if TYPE_CHECKING:
    import pandas as pd

Period = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="PERIOD",
        help="2026-10 (a month), 2026-07..2026-10 (months), 2026-10-01..2026-10-15 (days), "
        "2026-W41, 2026-Q4 or 2026, or all (one period over all the data).",
    ),
]
DateFrom = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="First day YYYY-MM-DD (inclusive).")
]
DateTo = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Last day YYYY-MM-DD (inclusive).")
]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, csv, json, html or xlsx (one sheet per table; redirect it to a file).",
    ),
]
TableName = Annotated[
    str | None,
    typer.Option(
        "--table",
        metavar="NAME",
        help="With --format csv: which table to write (default the first).",
    ),
]
ConfigPath = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="cskpi.toml to use (default: the one in the data folder)."
    ),
]
FORMATS = ("table", "csv", "json", "html", "xlsx")


class Run:
    """The loaded data, config and periods one command works on."""

    def __init__(
        self, shared: dict[str, Any], tables: tuple[str, ...], *, may_be_empty: bool = False
    ) -> None:
        self.config: Config = o.load_settings(shared["config_path"], shared["data_dir"])
        self.reject_limit = o.resolve_reject_rate(shared["max_reject_rate"], self.config)
        self.quiet = shared["quiet"]
        self.dataset: Any = None
        self.tz = o.resolve_tz(shared["tz"], self.config)
        self.tables: dict[str, Any] = {}
        if (
            may_be_empty
            and shared["data_dir"] is None
            and not any(shared.get(name) for name in o.TABLE_FILES)
        ):
            return  # kept summaries only (trend --history): nothing to load
        spec = o.input_spec(shared, self.tz, tables)
        self.quiet = shared["quiet"]
        self.dataset = loading.load(spec, quiet=shared["quiet"])
        if not shared["quiet"]:
            loading.warn_about_inputs(self.dataset.files, rejects_written=False)
        self.tables = {name: frame for name, frame in self.dataset.tables.items() if name in tables}

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def periods(
        self,
        period: str | None,
        date_from: str | None,
        date_to: str | None,
        time_columns: dict[str, str],
        every: str | None = None,
    ) -> list:
        from cskpi.metrics.periods import parse_periods

        if not self.tables and period is None and not (date_from or date_to):
            return []  # no raw data and no range: the kept summaries give the periods
        stamps = [
            self.tables[t][c]
            for t, c in time_columns.items()
            if t in self.tables and c in self.tables[t].columns
        ]
        from cskpi.metrics.periods import bulk_span

        span = bulk_span(stamps)
        periods = parse_periods(
            period,
            date_from,
            date_to,
            self.tz,
            data_range=span.range if span else None,
            every=every,
            week_start=self.config.week_start,
        )
        if span is not None and span.note() and not period:
            loading.note(span.note(), quiet=self.quiet)
        return periods


MAX_TOP = 10_000
MAX_HORIZON_MONTHS = 600


def _check_top(top: int) -> None:
    if not 1 <= top <= MAX_TOP:
        raise UsageError(f"--top {top} is outside 1–{MAX_TOP:,}. Give how many rows to list")


def _check_amount(name: str, value: float | None) -> None:
    import math

    if value is not None and not (math.isfinite(value) and value >= 0):
        raise UsageError(f"{name} {value} is not a number of 0 or more. Give a plain number")


def span(periods: list):
    """One window from the first period's start to the last one's end."""
    from cskpi.metrics.periods import Period as P

    if len(periods) == 1:
        return periods[0]
    return P(f"{periods[0].label}..{periods[-1].label}", periods[0].start, periods[-1].end)


def emit(insight: Insight, fmt: str, lang: str, table: str | None, quiet: bool = False) -> None:
    """The result on stdout; its notes on stderr (JSON and HTML also keep them in the document)."""
    from rich.console import Console

    from cskpi.insights import render

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not known. Use one of {', '.join(FORMATS)}")
    catalogue(lang)  # an unknown --lang fails before any output
    if fmt == "xlsx" and sys.stdout.isatty():
        raise UsageError("--format xlsx writes a workbook: redirect it to a file (> plan.xlsx)")
    for note in insight.notes:
        loading.note(note, quiet=quiet)
    if fmt == "xlsx":
        sys.stdout.flush()
        sys.stdout.buffer.write(render.to_xlsx(insight))
        sys.stdout.buffer.flush()
    elif fmt == "csv":
        sys.stdout.write(render.to_csv(insight, table))
    elif fmt == "json":
        sys.stdout.write(render.to_json(insight))
    elif fmt == "html":
        sys.stdout.write(render.to_html(insight, lang))
    elif sys.stdout.isatty():
        Console().print(render.rich_view(insight, lang))
    else:
        sys.stdout.write(render.plain_view(insight, lang))


def _shared(
    data_dir: o.DataDir = None,
    tickets: o.Tickets = None,
    calls: o.Calls = None,
    surveys: o.Surveys = None,
    costs: o.Costs = None,
    agents: o.Agents = None,
    revenue: o.Revenue = None,
    tz: o.Tz = None,
    vendor: o.Vendor = None,
    map_files: o.MapFile = None,
    date_order: o.DateOrder = "auto",
    decimal: o.Decimal = "auto",
    encoding: o.Encoding = None,
    sheet: o.Sheet = None,
    period: Period = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    fmt: Format = "table",
    table: TableName = None,
    lang: o.Lang = None,
    config_path: ConfigPath = None,
    max_reject_rate: o.MaxRejectRate = None,
    quiet: o.Quiet = False,
    debug: o.Debug = False,
) -> None:
    """The options every insight command shares (declared once, merged into each command)."""


SHARED = inspect.signature(_shared, eval_str=True).parameters


def _every(every: o.Every = None) -> None:
    """--every, on the commands that read a series of periods."""


EVERY = inspect.signature(_every, eval_str=True).parameters


def insight_command(tables: tuple[str, ...], time_columns: dict[str, str], grains: bool = False):
    """Turn ``body(run, periods, **own_options)`` into a command with the shared options too.

    ``grains`` adds --every, which splits the chosen range into days, weeks, … (metrics.periods).
    """

    def decorate(body: Callable[..., Insight]) -> Callable[..., None]:
        own = list(inspect.signature(body, eval_str=True).parameters.values())[2:]

        def command(**kwargs) -> None:
            shared = {name: kwargs.pop(name) for name in SHARED}
            every = kwargs.pop("every", None)
            with user_errors(shared["debug"]):
                fmt, lang = shared["fmt"], shared["lang"]
                if fmt not in FORMATS:
                    raise UsageError(
                        f"--format {fmt!r} is not known. Use one of {', '.join(FORMATS)}"
                    )
                if lang is not None:
                    catalogue(lang)  # an unknown --lang fails before any loading
                run = Run(shared, tables, may_be_empty=bool(kwargs.get("history")))
                lang = o.resolve_lang(lang, run.config)
                periods = run.periods(
                    shared["period"], shared["date_from"], shared["date_to"], time_columns, every
                )
                emit(body(run, periods, **kwargs), fmt, lang, shared["table"], shared["quiet"])
                if run.dataset is not None:  # None: kept summaries only, nothing was read
                    loading.fail_on_rejects(run.dataset, run.reject_limit)

        parameters = [*SHARED.values(), *(EVERY.values() if grains else ()), *own]
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        command.__doc__ = body.__doc__
        command.__name__ = body.__name__
        return command

    return decorate


def staffing(
    run: Run,
    periods: list,
    interval: Annotated[
        int,
        typer.Option(
            "--interval", metavar="MINUTES", help="Interval length in minutes (15, 30, 60)."
        ),
    ] = 30,
    target_sl: Annotated[
        float, typer.Option("--target-sl", help="Service-level target in %.")
    ] = 80.0,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Answer-within seconds (default: the config's service-level threshold, 20).",
        ),
    ] = None,
    shrinkage: Annotated[
        float, typer.Option("--shrinkage", help="% of paid time off the phones.")
    ] = 0.0,
    max_occupancy: Annotated[
        float, typer.Option("--max-occupancy", help="Highest occupancy allowed, %.")
    ] = 100.0,
    no_abandonment: Annotated[
        bool, typer.Option("--erlang-c", help="Ignore abandonment (Erlang C only).")
    ] = False,
    forecast_days: Annotated[
        int | None,
        typer.Option(
            "--forecast-days",
            metavar="DAYS",
            help="Days after the period to forecast (default: the period's length, at most 31).",
        ),
    ] = None,
    growth: Annotated[
        float,
        typer.Option("--growth", metavar="PCT", help="% added to the forecast call volume."),
    ] = 0.0,
) -> Insight:
    """Calls by weekday and time, agents needed to meet a service level (Erlang C / A), and a
    forecast of the next days per interval (--format csv --table staffing_forecast or xlsx)."""
    from cskpi.insights.staffing import StaffingOptions
    from cskpi.insights.staffing import staffing as analyse

    for name, value, high in (
        ("--target-sl", target_sl, 100),
        ("--shrinkage", shrinkage, 99.9),
        ("--max-occupancy", max_occupancy, 100),
    ):
        if not 0 <= value <= high or (name != "--shrinkage" and value == 0):
            raise UsageError(f"{name} {value} is outside 0–{high}. Give a percentage")
    _check_amount("--threshold", threshold)
    if interval <= 0 or 1440 % interval:
        raise UsageError(f"--interval {interval} does not divide a day. Use 15, 30 or 60")
    if not -100 < growth <= 1000:
        raise UsageError(f"--growth {growth} is outside −100–1000. Give a percentage")
    window = span(periods)
    if forecast_days is None:
        forecast_days = min(31, max(1, (window.end - window.start).days))
    if not 1 <= forecast_days <= 366:
        raise UsageError(f"--forecast-days {forecast_days} is outside 1–366. Give a number of days")
    options = StaffingOptions(
        interval_minutes=interval,
        target_service_level=target_sl / 100,
        threshold_seconds=threshold if threshold is not None else run.config.service_level_seconds,
        shrinkage=shrinkage / 100,
        max_occupancy=max_occupancy / 100,
        short_abandon_seconds=run.config.short_abandon_seconds,
        use_abandonment=not no_abandonment,
        forecast_days=forecast_days,
        growth=growth / 100,
    )
    result = analyse(run.get("calls"), window.start, window.end, run.tz, options)
    result.meta["period"] = window.label
    return result


def types(
    run: Run,
    periods: list,
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many types to list.")] = 10,
) -> Insight:
    """Ticket volume by type, new types, and types whose share moved significantly."""
    from cskpi.insights.types import ticket_types

    _check_top(top)
    return ticket_types(run.get("tickets"), periods, top)


def themes(
    run: Run,
    periods: list,
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many terms to list.")] = 15,
    redact: Annotated[
        bool,
        typer.Option("--redact", help="Leave out example comments (they may hold personal data)."),
    ] = False,
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="COLUMN", help="Ticket themes per type or agent_id (default type)."
        ),
    ] = "type",
    no_stem: Annotated[
        bool, typer.Option("--no-stem", help="Count words as written (no Snowball stemming).")
    ] = False,
) -> Insight:
    """Terms that set negative feedback apart, ticket themes by type or agent, and terms that
    grew since the previous period (survey comments; ticket subject, description and tags)."""
    from cskpi.insights.themes import themes as analyse
    from cskpi.metrics.periods import previous_period

    _check_top(top)
    if by not in ("type", "agent_id"):
        raise UsageError(f"--by {by!r} is not known. Use type or agent_id")
    window = span(periods)
    result = analyse(
        run.get("surveys"),
        window.start,
        window.end,
        top=top,
        redact=redact,
        tz=run.tz,
        tickets=run.get("tickets"),
        by=by,
        previous_start=previous_period(window).start,
        stem=not no_stem,
    )
    result.meta["period"] = window.label
    return result


def customers(
    run: Run,
    periods: list,
    cost_per_contact: Annotated[
        float | None,
        typer.Option(
            "--cost-per-contact",
            help="Cost of one contact (default: service cost ÷ contacts of the period).",
        ),
    ] = None,
    by_handle_time: Annotated[
        bool, typer.Option("--by-handle-time", help="Weight calls by their handle time.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", metavar="N", help="How many customers to list.")
    ] = 20,
) -> Insight:
    """Customers whose cost to serve exceeds their revenue, and value by segment."""
    from cskpi.insights.customers import customer_value

    _check_top(top)
    _check_amount("--cost-per-contact", cost_per_contact)
    window = span(periods)
    return customer_value(
        run.get("tickets"),
        run.get("calls"),
        run.get("revenue"),
        run.get("costs"),
        window,
        cost_per_contact=cost_per_contact,
        weight_by_handle_time=by_handle_time,
        top=top,
    )


def clv(
    run: Run,
    periods: list,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Months ahead for predictive CLV.")
    ] = 12,
    discount: Annotated[float, typer.Option("--discount", help="Yearly discount rate, %.")] = 10.0,
    top: Annotated[
        int, typer.Option("--top", metavar="N", help="How many customers to list.")
    ] = 20,
) -> Insight:
    """Customer lifetime value: historical, P(alive), expected purchases and predicted value
    (BG/NBD + Gamma-Gamma, checked before use), by service speed. The end of --period is the
    calibration end: later revenue is left out."""
    from cskpi.insights.clv import clv as analyse

    _check_top(top)
    if not 1 <= horizon <= MAX_HORIZON_MONTHS:
        raise UsageError(
            f"--horizon {horizon} is outside 1–{MAX_HORIZON_MONTHS} months. Give the months ahead"
        )
    if not 0 <= discount < 100:
        raise UsageError(f"--discount {discount} is not a percentage below 100")
    import pandas as pd

    window = span(periods)
    result = analyse(
        run.get("revenue"),
        run.get("tickets"),
        horizon_months=horizon,
        annual_discount=discount / 100,
        top=top,
        observed_until=window.end - pd.Timedelta(1, "ns"),  # the period's last instant
    )
    result.meta["period"] = window.label
    return result


def trend(
    run: Run,
    periods: list,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", metavar="PERIOD", help="Period to compare with (default: the first)."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None, typer.Option("--kpi", metavar="KPI", help="Only this KPI; repeatable.")
    ] = None,
    history: Annotated[
        list[Path] | None,
        typer.Option(
            "--history",
            metavar="DIR|FILE",
            help="Tidy CSVs kept from earlier runs (files or folders; repeatable), read as the "
            "past; periods the raw data covers are computed from it.",
        ),
    ] = None,
) -> Insight:
    """One line per KPI over the periods: sparkline, tested change, and control-chart limits."""
    from cskpi.insights.trend import trend as analyse
    from cskpi.metrics.engine import compute, kpi_samples
    from cskpi.metrics.registry import BY_ID, REGISTRY

    unknown = [k for k in kpi or [] if k not in BY_ID]
    if unknown:
        hint = did_you_mean(unknown[0], BY_ID)
        raise UsageError(f"--kpi {unknown[0]!r} is not a KPI id. {hint}See `cskpi kpis`")
    rows = compute(run.tables, periods, [], run.config) if periods else []
    directions = {k.id: k.direction for k in REGISTRY}
    currency = run.config.currency
    units = {k.id: BY_ID[k.id].unit_for(currency) for k in REGISTRY}
    labels = [p.label for p in periods]
    notes: list[str] = []
    if history:
        from cskpi.metrics.history import covered_periods, join, load_history, sort_periods
        from cskpi.metrics.periods import data_range

        kept = load_history(history, units)
        covered = covered_periods(periods, data_range(run.tables))
        rows = join(rows, periods, covered, kept)
        labels = sort_periods(row.period for row in rows)
        notes = kept.notes
        if not labels:
            raise UsageError("--history: no kept period to show and no raw data. Check the files")
    by_label = {p.label: p for p in periods}

    def samples(row, is_baseline):  # record-level values let means and percentiles be tested
        if row.period not in by_label:  # a kept summary has none
            return None
        return kpi_samples(
            run.tables, by_label[row.period], row.kpi, row.dimension, row.segment, run.config
        )

    result = analyse(
        rows,
        labels,
        directions,
        baseline=baseline,
        kpis=kpi,
        units=units,
        currency=currency,
        samples=samples,
    )
    result.notes.extend(notes)
    return result


ALL_TABLES = ("tickets", "calls", "surveys", "costs", "agents", "revenue")
TIMES = {
    "tickets": "created_at",
    "calls": "queued_at",
    "surveys": "submitted_at",
    "revenue": "date",
}
GRAIN_COMMANDS = ("types", "trend")  # the commands that read a series of periods
COMMANDS = {
    "staffing": (staffing, ("calls",), {"calls": "queued_at"}),
    "types": (types, ("tickets",), {"tickets": "created_at"}),
    "themes": (
        themes,
        ("surveys", "tickets"),
        {"surveys": "submitted_at", "tickets": "created_at"},
    ),
    "customers": (customers, ("tickets", "calls", "revenue", "costs"), TIMES),
    "clv": (clv, ("revenue", "tickets"), {"revenue": "date"}),
    "trend": (trend, ALL_TABLES, TIMES),
}


def register(app: typer.Typer) -> None:
    for name, (body, tables, times) in COMMANDS.items():
        app.command(name)(insight_command(tables, times, name in GRAIN_COMMANDS)(body))
