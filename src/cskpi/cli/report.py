"""`cskpi report`: KPIs for a period as a terminal table, tidy CSV, JSON, Markdown, HTML or XLSX.

Thin by design: parse options, load, compute, render, write, exit. Heavy modules (pandas, the
renderers) are imported inside the command so `cskpi --help` stays instant.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import typer

from cskpi.cli import loading, options
from cskpi.cli.errors import user_errors
from cskpi.errors import did_you_mean

FORMATS = ("table", "csv", "json", "md", "html", "xlsx")
BREAKDOWNS = ("agent", "team", "channel", "type", "priority", "queue", "question", "segment")

Period = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="PERIOD",
        help="Month YYYY-MM, months YYYY-MM..YYYY-MM (one period each), days "
        "YYYY-MM-DD..YYYY-MM-DD, a day, week, quarter or year as --every writes it (2026-W41, "
        "2026-Q4, 2026), or 'all' (one period over all the data). "
        "Default: every month the data covers.",
    ),
]
DateFrom = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="First day (YYYY-MM-DD) of one range.")
]
DateTo = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Last day (YYYY-MM-DD, inclusive).")
]
By = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        metavar="DIMENSION",
        help=f"Break every KPI down by {', '.join(BREAKDOWNS)}; repeatable or comma-separated.",
    ),
]
ConfigPath = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="Settings file (default: cskpi.toml in the data folder)."
    ),
]
OutputFormat = enum.Enum("OutputFormat", {name: name for name in FORMATS}, type=str)
Format = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        help="table, csv, json, md, html or xlsx. Default: from the -o suffix, else table.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE (atomically) instead of stdout; '-' is stdout.",
    ),
]
Compare = Annotated[
    str | None,
    typer.Option(
        "--compare",
        metavar="previous|FILE",
        help="'previous' (the period before each one) or a tidy CSV kept from an earlier "
        "run; adds previous value, change and significance.",
    ),
]
History = Annotated[
    list[Path] | None,
    typer.Option(
        "--history",
        metavar="DIR|FILE",
        help="Tidy CSVs kept from earlier runs (files or folders; repeatable), read as the past: "
        "periods the raw data does not cover come from them (with --compare previous, the "
        "periods before).",
    ),
]
FailOnMiss = Annotated[
    bool,
    typer.Option(
        "--fail-on-miss",
        help="Exit with code 1 when a KPI misses its target (the \\[targets] of cskpi.toml).",
    ),
]
Redact = Annotated[
    bool,
    typer.Option(
        "--redact",
        help="Replace customer ids with salted hashes and drop survey comments everywhere.",
    ),
]
# -- scale engines (cskpi.scale; docs/scale.md) --
Engine = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="ENGINE",
        help="pandas (all in memory), partitioned (a Parquet history one period at a time, "
        "bounded memory) or dask (a Dask cluster over a Parquet folder or URL).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: address of a running dask scheduler (tcp://host:8786); "
        "default: a local cluster.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
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
    by: By = None,
    tz: options.Tz = None,
    config_path: ConfigPath = None,
    fmt: Format = None,  # type: ignore[valid-type]
    output: Output = None,
    compare_with: Compare = None,
    history: History = None,
    fail_on_miss: FailOnMiss = False,
    redact: Redact = False,
    lang: options.Lang = None,
    vendor: options.Vendor = None,
    map_files: options.MapFile = None,
    date_order: options.DateOrder = "auto",
    decimal: options.Decimal = "auto",
    encoding: options.Encoding = None,
    sheet: options.Sheet = None,
    rejects: options.Rejects = None,
    max_reject_rate: options.MaxRejectRate = None,
    quiet: options.Quiet = False,
    debug: options.Debug = False,
    engine: Engine = "pandas",
    scheduler: Scheduler = None,
) -> None:
    """Compute the KPIs of a period and print or write them.

    Examples:

    cskpi report exports/ --period 2026-10

    cskpi report exports/ --period 2026-07..2026-10 --by agent -o kpis.csv

    cskpi report exports/ --period 2026-10 --compare previous --fail-on-miss

    cskpi report exports/ --period 2026-10 --every week --by agent

    cskpi report --tickets zendesk.csv --calls calls.xlsx --tz Europe/Helsinki

    Exit codes: 0 success; 1 a target was missed (with --fail-on-miss); 2 bad input or usage.
    """
    with user_errors(debug):
        from cskpi.pipeline import ReportRequest, run_report

        fmt = _format(fmt.value if fmt else None, output)
        breakdowns = _breakdowns(by)
        if data_dir is None and not any((tickets, calls, surveys, costs, agents, revenue)):
            _usage(
                "no data given. Name a data folder (cskpi report exports/) or files "
                "(--tickets tickets.csv)"
            )
        if compare_with not in (None, "previous") and not Path(compare_with).is_file():
            _usage(
                f"--compare {compare_with!r}: no such file. Give 'previous' or the path of a "
                "tidy CSV from `cskpi report --format csv`"
            )
        config = options.load_settings(config_path, data_dir)
        reject_limit = options.resolve_reject_rate(max_reject_rate, config)
        tz = options.resolve_tz(tz, config)
        lang = options.resolve_lang(lang, config)
        baseline = compare_with if compare_with not in (None, "previous") else None
        spec = options.input_spec(
            locals(),
            tz,
            outputs={"-o": output, "--rejects": rejects},
            protected=[config.source, baseline, *(history or [])],
        )
        kept = None
        if history:
            if compare_with != "previous":
                _usage("--history needs --compare previous: it gives the periods before")
            from cskpi.metrics.history import load_history
            from cskpi.metrics.registry import REGISTRY

            kept = load_history(history, {k.id: k.unit_for(config.currency) for k in REGISTRY})
            for text in kept.notes:
                loading.note(text, quiet=quiet)
        request = ReportRequest(
            by=breakdowns,
            config=config,
            tz=tz,
            period=period,
            date_from=date_from,
            date_to=date_to,
            baseline=compare_with,
            charts=fmt == "html",
            digests=fmt in ("json", "html", "xlsx"),
            redacted=redact,
            every=every,
            history=kept,
            meta={} if engine == "pandas" else {"engine": engine},
        )
        if rejects is not None and engine == "dask":
            _usage(
                "--rejects is not available with --engine dask (its workers keep no rejected "
                "rows). Use --engine partitioned or pandas to write rejected rows"
            )
        source, unusable = _open_engine(engine, spec, request, scheduler=scheduler, quiet=quiet)
        try:
            _note_outliers(source, request, quiet)
            result = run_report(request, source)
            if rejects is not None:
                _write_rejects(rejects, source.rejects(), redact=redact)
        finally:
            source.close()
        _explain_unusable(result.rows, unusable)
        if not quiet:
            loading.warn_about_inputs(list(source.files), rejects_written=rejects is not None)
        files = SimpleNamespace(files=list(source.files), unusable=unusable)
        _finish(
            result,
            fmt,
            output,
            fail_on_miss=fail_on_miss,
            quiet=quiet,
            lang=lang,
            checks=lambda: loading.fail_on_rejects(files, reject_limit),
        )


def _open_engine(
    engine: str, spec: Any, request: Any, *, scheduler: str | None, quiet: bool
) -> tuple[Any, dict[str, str]]:
    """The engine that holds the records (loaded into memory here, or read by a scale engine),
    and the tables whose every row was rejected, with why."""
    if engine == "pandas":
        from functools import partial

        from cskpi.pipeline import input_columns, label_columns, read_columns, without_checked_only
        from cskpi.scale.memory import MemoryEngine

        if not request.charts:  # the HTML charts read more of the tables than the KPIs do
            spec.columns = input_columns(request.by, request.config)
            spec.categories = label_columns(request.by)
            spec.keep = partial(read_columns, request.by)
        dataset = loading.load(spec, quiet=quiet)
        tables = {name: frame for name, frame in dataset.tables.items() if frame is not None}
        if not request.charts:
            tables = without_checked_only(tables, request.by)
            dataset.tables = {}  # the ids checked while loading go now: the KPIs reuse it
        memory = MemoryEngine(
            tables,
            request.config,
            request.by,
            files=dataset.files,
            rejects=dataset.rejects,
        )
        return memory, dataset.unusable
    from cskpi.io import paths
    from cskpi.scale.engines import ENGINES, open_scaled

    if engine not in ENGINES:
        _usage(f"--engine {engine!r} is not an engine. Use one of: {', '.join(ENGINES)}")
    # The scale engines read the files themselves: refuse an output that is one of them first.
    folder = Path(spec.data_dir) if spec.data_dir is not None else None
    history = paths.walk_files(folder) if folder is not None and folder.is_dir() else []
    named = [p for files in spec.files.values() for p in files]
    paths.check_outputs(spec.outputs, [*history, *named, *spec.map_files, *spec.protected])
    scaled = open_scaled(
        engine,
        spec,
        request.by,
        request.config,
        tz=request.tz,
        scheduler=scheduler,
        every_column=request.charts,
    )
    return scaled, dict(getattr(scaled, "unusable", {}))


def _note_outliers(source: Any, request: Any, quiet: bool) -> None:
    """Say which outlier dates the default period leaves out (engines that know them)."""
    if request.period or request.date_from or request.date_to:
        return
    if hasattr(source, "data_span"):
        span = source.data_span()
        if span is not None and span.note():
            loading.note(span.note(), quiet=quiet)


def _finish(
    result: Any,
    fmt: str,
    output: str | None,
    *,
    fail_on_miss: bool,
    quiet: bool,
    lang: str = "en",
    checks: Any = None,
) -> None:
    """Render, write to stdout or the file, run ``checks`` (exit 2 on too many rejects), and
    exit 1 on a missed target when asked to."""
    from cskpi.report.render import render

    to_stdout = output in (None, "-")
    color = to_stdout and _stdout_is_tty() and "NO_COLOR" not in os.environ
    width = _width() if to_stdout else 100
    content = render(result, fmt, width=width, color=color, lang=lang)
    _emit(content, None if to_stdout else Path(output or ""), fmt)
    if not to_stdout and not quiet:
        print(f"wrote {output}", file=sys.stderr)
    if checks is not None:
        checks()
    _exit_on_miss(result.targets, fail_on_miss, quiet)


def _usage(message: str) -> None:
    from cskpi.errors import UsageError

    raise UsageError(message)


def _format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-":
        from cskpi.report.render import SUFFIX_FORMATS

        suffix = Path(output).suffix.lower()
        if suffix not in SUFFIX_FORMATS:
            _usage(
                f"-o {output!r}: cannot tell the format from {suffix or 'no suffix'!r}. "
                f"Add --format ({', '.join(FORMATS)})"
            )
        return SUFFIX_FORMATS[suffix]
    return "table"


def _breakdowns(by: list[str] | None) -> list[str]:
    names = [
        name.strip().lower() for value in (by or []) for name in value.split(",") if name.strip()
    ]
    unknown = [name for name in names if name not in BREAKDOWNS]
    if unknown:
        hint = did_you_mean(unknown[0], BREAKDOWNS)
        _usage(f"--by {unknown[0]!r} is not a breakdown. {hint}Use one of: {', '.join(BREAKDOWNS)}")
    return list(dict.fromkeys(names))


def _stdout_is_tty() -> bool:
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def _width() -> int:
    if _stdout_is_tty():
        import shutil

        return shutil.get_terminal_size((100, 24)).columns
    try:
        return max(int(os.environ.get("COLUMNS", "100")), 40)
    except ValueError:
        return 100


def _explain_unusable(rows: list[Any], unusable: dict[str, str]) -> None:
    """A KPI of a table whose every row was rejected says so, not just "no tickets table"."""
    import dataclasses

    for index, row in enumerate(rows):
        why = loading.unusable_reason(row.reason, unusable)
        if why != row.reason:
            rows[index] = dataclasses.replace(row, reason=why)


def _write_rejects(path: Path, rejects: Any, *, redact: bool) -> None:
    from cskpi.io.load import no_rejects
    from cskpi.io.redact import redact_rejects
    from cskpi.report.output import write_rejects

    frame = rejects if rejects is not None else no_rejects()
    write_rejects(path, redact_rejects(frame) if redact else frame)


def _emit(content: str | bytes, path: Path | None, fmt: str) -> None:
    if path is not None:
        from cskpi.report.output import write_atomic

        write_atomic(path, content)
        return
    if isinstance(content, bytes):
        if _stdout_is_tty():
            _usage(f"{fmt} is a binary format. Write it to a file with -o report.{fmt}")
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    sys.stdout.write(content)
    sys.stdout.flush()


def _exit_on_miss(targets: dict[Any, tuple[str, str]], fail_on_miss: bool, quiet: bool) -> None:
    missed = [key for key, (_, status) in targets.items() if status == "missed"]
    if not missed:
        return
    if not quiet or fail_on_miss:
        shown = "; ".join(
            f"{kpi} {targets[(p, d, s, kpi)][0]} ({p}{'' if d == 'all' else f', {d} = {s}'})"
            for p, d, s, kpi in missed[:5]
        )
        more = f" and {len(missed) - 5} more" if len(missed) > 5 else ""
        print(
            f"{'error' if fail_on_miss else 'note'}: {len(missed)} target(s) missed: {shown}{more}",
            file=sys.stderr,
        )
    if fail_on_miss:
        raise typer.Exit(1)
