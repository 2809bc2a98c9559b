"""The core KPI set computed by other engines, to measure cskpi against (and to check its answers).

    python bench/peers.py duckdb  DATA --format parquet -o out.csv
    python bench/peers.py polars  DATA --format csv     -o out.csv
    python bench/peers.py floor   DATA --format parquet         # only reads the needed columns

DATA holds parquet/{tickets,calls,surveys}.parquet and csv/{tickets,calls,surveys}.csv as written
by bench/generate.py (``--format history`` reads history/<table>/*.parquet). The output is cskpi's
tidy CSV (period,dimension,segment,kpi,value,unit,n), overall and by agent, with the definitions of
KPIS.md: periods are half-open in UTC, percentiles interpolate linearly between closest ranks, and
outbound calls are left out of every call KPI here.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

SHORT_ABANDON_SECONDS = 5
SERVICE_LEVEL_SECONDS = 20
CSAT_GOOD_MIN = 4

NEEDED = {
    "tickets": [
        "created_at",
        "first_response_at",
        "resolved_at",
        "agent_id",
        "agent_replies",
        "reopens",
    ],
    "calls": [
        "queued_at",
        "answered_at",
        "ended_at",
        "talk_seconds",
        "hold_seconds",
        "wrap_seconds",
        "direction",
        "agent_id",
    ],
    "surveys": ["submitted_at", "survey", "question", "score", "agent_id"],
}

# Raw aggregates every engine returns per group, and how they become KPI rows.
TICKET_AGGS = [
    "tickets_created",
    "tickets_resolved",
    "backlog_end",
    "frt_p50",
    "frt_p90",
    "frt_n",
    "res_p50",
    "res_p90",
    "res_n",
    "within_24h",
    "fcr_num",
    "fcr_den",
]
CALL_AGGS = ["offered", "answered", "abandoned", "short", "sl_num", "asa", "asa_n", "aht", "aht_n"]
SURVEY_AGGS = ["nps_n", "promoters", "detractors", "csat_n", "csat_good"]


def source(data: Path, table: str, fmt: str) -> str:
    if fmt == "history":
        return str(data / "history" / table / "*.parquet")
    return str(data / fmt / f"{table}.{fmt}")


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    import pandas as pd

    start = pd.Timestamp(f"{period}-01", tz="UTC")
    return start, start + pd.offsets.MonthBegin(1)


# ---------------------------------------------------------------- DuckDB


def duckdb_aggregates(data: Path, fmt: str, period: str) -> dict[str, pd.DataFrame]:
    import duckdb

    start, end = (f"TIMESTAMPTZ '{t.isoformat()}'" for t in period_bounds(period))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")

    def scan(table: str) -> str:
        path = source(data, table, fmt)
        if fmt == "csv":
            return f"read_csv('{path}', header = true)"
        return f"read_parquet('{path}')"

    def agent() -> str:
        return "coalesce(nullif(agent_id, ''), '(none)')"

    segment = "CASE WHEN grouping(agent) = 1 THEN 'all' ELSE agent END AS segment"
    in_created = f"(created_at >= {start} AND created_at < {end})"
    in_resolved = f"(resolved_at >= {start} AND resolved_at < {end})"
    in_backlog = f"(created_at < {end} AND (resolved_at IS NULL OR resolved_at >= {end}))"
    tickets = con.execute(f"""
        SELECT * EXCLUDE (frt_q, res_q), frt_q[1] AS frt_p50, frt_q[2] AS frt_p90,
               res_q[1] AS res_p50, res_q[2] AS res_p90
        FROM (
        WITH t AS (
            SELECT {agent()} AS agent,
                   {in_created} AS in_created,
                   coalesce({in_resolved}, false) AS in_resolved,
                   {in_backlog} AS in_backlog,
                   (epoch_us(first_response_at) - epoch_us(created_at)) / 3.6e9 AS frt_h,
                   (epoch_us(resolved_at) - epoch_us(created_at)) / 3.6e9 AS res_h,
                   agent_replies, reopens
            FROM {scan("tickets")}
            WHERE {in_created} OR {in_resolved} OR {in_backlog}
        )
        SELECT {segment},
               count(*) FILTER (WHERE in_created) AS tickets_created,
               count(*) FILTER (WHERE in_resolved) AS tickets_resolved,
               count(*) FILTER (WHERE in_backlog) AS backlog_end,
               quantile_cont(frt_h, [0.5, 0.9]) FILTER (WHERE in_created) AS frt_q,
               count(frt_h) FILTER (WHERE in_created) AS frt_n,
               quantile_cont(res_h, [0.5, 0.9]) FILTER (WHERE in_resolved) AS res_q,
               count(res_h) FILTER (WHERE in_resolved) AS res_n,
               count(*) FILTER (WHERE in_resolved AND res_h <= 24) AS within_24h,
               count(*) FILTER (WHERE in_resolved AND agent_replies = 1
                                AND coalesce(reopens, 0) = 0) AS fcr_num,
               count(agent_replies) FILTER (WHERE in_resolved) AS fcr_den
        FROM t GROUP BY GROUPING SETS ((), (agent)))
    """).df()

    calls = con.execute(f"""
        WITH c AS (
            SELECT {agent()} AS agent,
                   answered_at IS NOT NULL AS is_answered,
                   ended_at IS NOT NULL AS has_end,
                   (epoch_us(coalesce(answered_at, ended_at)) - epoch_us(queued_at)) / 1e6 AS wait,
                   CASE WHEN talk_seconds IS NULL AND hold_seconds IS NULL AND wrap_seconds IS NULL
                        THEN NULL
                        ELSE coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0)
                             + coalesce(wrap_seconds, 0) END AS handle
            FROM {scan("calls")}
            WHERE queued_at >= {start} AND queued_at < {end}
              AND lower(coalesce(direction, '')) <> 'outbound'
        )
        SELECT {segment},
               count(*) AS offered,
               count(*) FILTER (WHERE is_answered) AS answered,
               count(*) FILTER (WHERE NOT is_answered AND has_end
                                AND wait >= {SHORT_ABANDON_SECONDS}) AS abandoned,
               count(*) FILTER (WHERE NOT is_answered AND has_end
                                AND wait < {SHORT_ABANDON_SECONDS}) AS short,
               count(*) FILTER (WHERE is_answered AND wait <= {SERVICE_LEVEL_SECONDS}) AS sl_num,
               avg(wait) FILTER (WHERE is_answered) AS asa,
               count(wait) FILTER (WHERE is_answered) AS asa_n,
               avg(handle) FILTER (WHERE is_answered) AS aht,
               count(handle) FILTER (WHERE is_answered) AS aht_n
        FROM c GROUP BY GROUPING SETS ((), (agent))
    """).df()

    surveys = con.execute(f"""
        WITH s AS (
            SELECT {agent()} AS agent, survey, coalesce(question, 'overall') AS question, score
            FROM {scan("surveys")}
            WHERE submitted_at >= {start} AND submitted_at < {end}
        )
        SELECT {segment},
               count(*) FILTER (WHERE survey = 'nps') AS nps_n,
               count(*) FILTER (WHERE survey = 'nps' AND score >= 9) AS promoters,
               count(*) FILTER (WHERE survey = 'nps' AND score <= 6) AS detractors,
               count(*) FILTER (WHERE survey = 'csat' AND question = 'overall') AS csat_n,
               count(*) FILTER (WHERE survey = 'csat' AND question = 'overall'
                                AND score >= {CSAT_GOOD_MIN}) AS csat_good
        FROM s GROUP BY GROUPING SETS ((), (agent))
    """).df()
    return {"tickets": tickets, "calls": calls, "surveys": surveys}


# ---------------------------------------------------------------- polars


def polars_aggregates(data: Path, fmt: str, period: str) -> dict[str, pd.DataFrame]:
    import polars as pl

    start, end = (t.to_pydatetime() for t in period_bounds(period))

    def scan(table: str) -> pl.LazyFrame:
        path = source(data, table, fmt)
        if fmt == "csv":
            # An explicit format parses 2-3x faster than schema_overrides or try_parse_dates.
            times = [c for c in NEEDED[table] if c.endswith("_at")]
            return pl.scan_csv(path).with_columns(
                pl.col(times).str.to_datetime(
                    "%Y-%m-%d %H:%M:%S%#z", time_unit="us", time_zone="UTC"
                )
            )
        return pl.scan_parquet(path)

    agent = pl.col("agent_id").replace("", None).fill_null("(none)").alias("agent")

    def hours(later: str, earlier: str) -> pl.Expr:
        return (pl.col(later).dt.epoch("us") - pl.col(earlier).dt.epoch("us")) / 3.6e9

    def both(frame: pl.LazyFrame, aggs: list[pl.Expr]) -> pd.DataFrame:
        # Materialise the projected rows once: two lazy queries would parse a CSV twice.
        rows = frame.collect()
        overall = rows.select(aggs).with_columns(segment=pl.lit("all"))
        by_agent = rows.group_by("agent").agg(aggs).rename({"agent": "segment"})
        return pl.concat([overall, by_agent], how="diagonal").to_pandas()

    in_created = (pl.col("created_at") >= start) & (pl.col("created_at") < end)
    in_resolved = ((pl.col("resolved_at") >= start) & (pl.col("resolved_at") < end)).fill_null(
        False
    )
    in_backlog = (pl.col("created_at") < end) & (
        pl.col("resolved_at").is_null() | (pl.col("resolved_at") >= end)
    )
    tickets = (
        scan("tickets")
        .select(NEEDED["tickets"])
        .filter(in_created | in_resolved | in_backlog)
        .select(
            agent,
            in_created.alias("in_created"),
            in_resolved.alias("in_resolved"),
            in_backlog.alias("in_backlog"),
            hours("first_response_at", "created_at").alias("frt_h"),
            hours("resolved_at", "created_at").alias("res_h"),
            "agent_replies",
            "reopens",
        )
    )
    frt = pl.col("frt_h").filter(pl.col("in_created"))
    res = pl.col("res_h").filter(pl.col("in_resolved"))
    resolved = pl.col("in_resolved")
    ticket_aggs = [
        pl.col("in_created").sum().alias("tickets_created"),
        resolved.sum().alias("tickets_resolved"),
        pl.col("in_backlog").sum().alias("backlog_end"),
        frt.quantile(0.5, interpolation="linear").alias("frt_p50"),
        frt.quantile(0.9, interpolation="linear").alias("frt_p90"),
        frt.count().alias("frt_n"),
        res.quantile(0.5, interpolation="linear").alias("res_p50"),
        res.quantile(0.9, interpolation="linear").alias("res_p90"),
        res.count().alias("res_n"),
        (resolved & (pl.col("res_h") <= 24)).sum().alias("within_24h"),
        (resolved & (pl.col("agent_replies") == 1) & (pl.col("reopens").fill_null(0) == 0))
        .fill_null(False)
        .sum()
        .alias("fcr_num"),
        (resolved & pl.col("agent_replies").is_not_null()).sum().alias("fcr_den"),
    ]

    parts = ("talk_seconds", "hold_seconds", "wrap_seconds")
    is_answered = pl.col("answered_at").is_not_null()
    calls = (
        scan("calls")
        .select(NEEDED["calls"])
        .filter(
            (pl.col("queued_at") >= start)
            & (pl.col("queued_at") < end)
            & (pl.col("direction").fill_null("").str.to_lowercase() != "outbound")
        )
        .select(
            agent,
            is_answered.alias("is_answered"),
            pl.col("ended_at").is_not_null().alias("has_end"),
            (
                (
                    pl.coalesce("answered_at", "ended_at").dt.epoch("us")
                    - pl.col("queued_at").dt.epoch("us")
                )
                / 1e6
            ).alias("wait"),
            pl.when(pl.all_horizontal(pl.col(p).is_null() for p in parts))
            .then(None)
            .otherwise(pl.sum_horizontal(pl.col(p).fill_null(0) for p in parts))
            .alias("handle"),
        )
    )
    ans, unanswered_ended = pl.col("is_answered"), ~pl.col("is_answered") & pl.col("has_end")
    call_aggs = [
        pl.len().alias("offered"),
        ans.sum().alias("answered"),
        (unanswered_ended & (pl.col("wait") >= SHORT_ABANDON_SECONDS)).sum().alias("abandoned"),
        (unanswered_ended & (pl.col("wait") < SHORT_ABANDON_SECONDS)).sum().alias("short"),
        (ans & (pl.col("wait") <= SERVICE_LEVEL_SECONDS)).sum().alias("sl_num"),
        pl.col("wait").filter(ans).mean().alias("asa"),
        pl.col("wait").filter(ans).count().alias("asa_n"),
        pl.col("handle").filter(ans).mean().alias("aht"),
        pl.col("handle").filter(ans).count().alias("aht_n"),
    ]

    surveys = (
        scan("surveys")
        .select(NEEDED["surveys"])
        .filter((pl.col("submitted_at") >= start) & (pl.col("submitted_at") < end))
        .select(agent, "survey", pl.col("question").fill_null("overall"), "score")
    )
    nps = pl.col("survey") == "nps"
    csat = (pl.col("survey") == "csat") & (pl.col("question") == "overall")
    survey_aggs = [
        nps.sum().alias("nps_n"),
        (nps & (pl.col("score") >= 9)).sum().alias("promoters"),
        (nps & (pl.col("score") <= 6)).sum().alias("detractors"),
        csat.sum().alias("csat_n"),
        (csat & (pl.col("score") >= CSAT_GOOD_MIN)).sum().alias("csat_good"),
    ]

    return {
        "tickets": both(tickets, ticket_aggs),
        "calls": both(calls, call_aggs),
        "surveys": both(surveys, survey_aggs),
    }


# ---------------------------------------------------------------- the floor


def read_floor(data: Path, fmt: str) -> int:
    """Read only the needed columns with pyarrow; nothing is computed. Returns the rows read."""
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    rows = 0
    for table, columns in NEEDED.items():
        path = source(data, table, fmt)
        if fmt == "csv":
            opts = pacsv.ConvertOptions(include_columns=columns)
            rows += pacsv.read_csv(path, convert_options=opts).num_rows
        elif fmt == "history":
            rows += ds.dataset(str(Path(path).parent), format="parquet").to_table(columns).num_rows
        else:
            rows += pq.read_table(path, columns=columns).num_rows
    return rows


# ---------------------------------------------------------------- tidy rows


def _value(x) -> float | None:
    import pandas as pd

    if x is None or x is pd.NA:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _ratio(num, den, scale: float = 100.0) -> float | None:
    den = _value(den)
    return None if not den else scale * _value(num) / den


def kpi_rows(
    aggs: dict[str, pd.DataFrame],
) -> list[tuple[str, str, float | None, str, float | None]]:
    """(segment, kpi, value, unit, n) for every group of every table, in a stable order."""
    rows = []
    for _, r in aggs["tickets"].iterrows():
        s = r["segment"]
        rows += [
            (s, "tickets_created", r.tickets_created, "count", r.tickets_created),
            (s, "tickets_resolved", r.tickets_resolved, "count", r.tickets_resolved),
            (s, "backlog_end", r.backlog_end, "count", r.backlog_end),
            (s, "first_response_hours_median", _value(r.frt_p50), "hours", r.frt_n),
            (s, "first_response_hours_p90", _value(r.frt_p90), "hours", r.frt_n),
            (s, "resolution_hours_median", _value(r.res_p50), "hours", r.res_n),
            (s, "resolution_hours_p90", _value(r.res_p90), "hours", r.res_n),
            (
                s,
                "resolved_within_24h_rate",
                _ratio(r.within_24h, r.tickets_resolved),
                "%",
                r.tickets_resolved,
            ),
            (s, "first_contact_resolution_rate", _ratio(r.fcr_num, r.fcr_den), "%", r.fcr_den),
        ]
    for _, r in aggs["calls"].iterrows():
        s, base = r["segment"], r.offered - r.short
        rows += [
            (s, "calls_offered", r.offered, "count", r.offered),
            (s, "calls_answered", r.answered, "count", r.answered),
            (s, "calls_abandoned", r.abandoned, "count", r.abandoned),
            (s, "abandonment_rate", _ratio(r.abandoned, base), "%", base),
            (s, "service_level", _ratio(r.sl_num, base), "%", base),
            (s, "average_speed_of_answer", _value(r.asa), "seconds", r.asa_n),
            (s, "average_handle_time", _value(r.aht), "seconds", r.aht_n),
        ]
    for _, r in aggs["surveys"].iterrows():
        s = r["segment"]
        nps = _ratio(r.promoters - r.detractors, r.nps_n)
        rows += [
            (s, "nps", nps, "score", r.nps_n),
            (s, "csat", _ratio(r.csat_good, r.csat_n), "%", r.csat_n),
        ]
    return rows


def format_value(x: float | None) -> str:
    """KPIS.md: integers exact, others rounded to at most 6 decimals, trailing zeros dropped."""
    if x is None:
        return ""
    x = float(x)
    if x.is_integer():
        return str(int(x))
    text = f"{round(x, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def tidy_csv(aggs: dict[str, pd.DataFrame], period: str) -> str:
    lines = ["period,dimension,segment,kpi,value,unit,n"]
    rows = kpi_rows(aggs)
    rows.sort(key=lambda r: (r[0] != "all", r[0]))  # overall first, then agents; KPI order kept
    for segment, kpi, value, unit, n in rows:
        dimension = "all" if segment == "all" else "agent"
        lines.append(
            f"{period},{dimension},{segment},{kpi},{format_value(value)},{unit},{format_value(n)}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["duckdb", "polars", "floor"])
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv", "history"])
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    if args.engine == "floor":
        rows = read_floor(args.data, args.format)
        text = f"rows,{rows}\n"
    else:
        compute = duckdb_aggregates if args.engine == "duckdb" else polars_aggregates
        text = tidy_csv(compute(args.data, args.format, args.period), args.period)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
