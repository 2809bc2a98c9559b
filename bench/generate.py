"""Generate benchmark data: N tickets, N calls and N/5 survey answers for one month (2026-10).

    python bench/generate.py --rows 1000000 [--out bench/out/rows-1000000] [--formats parquet,csv]
    python bench/generate.py --rows 1000000 --months 24      # + a history, one file per month

Layout under --out (canonical column names, UTC timestamps):

    parquet/tickets.parquet  parquet/calls.parquet  parquet/surveys.parquet
    csv/tickets.csv          csv/calls.csv          csv/surveys.csv
    history/tickets/2024-11.parquet … history/tickets/2026-10.parquet   (with --months 24)

Rows are generated in chunks (--chunk, default 1,000,000) and streamed to the writers, so 10M rows
fit in bounded memory. The seed is fixed: the same arguments give the same data.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SEED = 20261031
PERIOD = "2026-10"
AGENTS = np.array(["A101", "A102", "A103", "A104", "A105", "A201", "A202", "A203"])
AGENT_TEAM = np.array(["Aurora"] * 5 + ["Borealis"] * 3)
AGENT_SPEED = np.array([1.0, 0.8, 1.2, 1.7, 0.9, 0.7, 1.0, 1.1])
AGENT_WEIGHT = np.array([0.16, 0.17, 0.14, 0.1, 0.15, 0.1, 0.1, 0.08])
CHANNELS = np.array(["email", "chat", "web", "phone"])
TYPES = np.array(["billing", "technical", "account", "delivery", "returns"])
PRIORITIES = np.array(["low", "normal", "high", "urgent"])
QUEUES = np.array(["billing", "technical", "general"])
HOUR_WEIGHT = np.array(
    [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 13, 15, 15, 14, 12, 9, 7, 6, 5, 4, 3, 2], dtype=float
)
US_PER_HOUR = 3_600_000_000
TS = pa.timestamp("us", tz="UTC")
TABLES = ("tickets", "calls", "surveys")


def month_bounds(month: str) -> tuple[int, int]:
    """[start, end) of a month in UTC, as epoch microseconds."""
    start = pd.Timestamp(f"{month}-01", tz="UTC")
    end = start + pd.offsets.MonthBegin(1)
    return start.value // 1000, end.value // 1000


def _arrivals(rng: np.random.Generator, n: int, month: str) -> np.ndarray:
    """Epoch microseconds in the month: busiest in office hours, quieter at weekends."""
    start, end = month_bounds(month)
    days = (end - start) // (24 * US_PER_HOUR)
    weekday = (pd.Timestamp(f"{month}-01").day_of_week + np.arange(days)) % 7
    day_w = np.where(weekday >= 5, 0.35, 1.0)
    day = rng.choice(days, size=n, p=day_w / day_w.sum())
    hour = rng.choice(24, size=n, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    second = rng.integers(0, 3600, size=n)
    return start + (day * 24 + hour) * US_PER_HOUR + second * 1_000_000


def _ts(values_us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Whole-second UTC timestamps; ``valid`` False gives a null."""
    values = (values_us // 1_000_000) * 1_000_000
    mask = None if valid is None else ~valid
    return pa.array(values, type=pa.int64(), mask=mask).cast(TS)


def _pick(
    rng: np.random.Generator, choices: np.ndarray, n: int, p=None
) -> tuple[np.ndarray, pa.Array]:
    idx = rng.choice(len(choices), size=n, p=p)
    return idx, pa.array(choices).take(pa.array(idx))


def _ids(prefix: str, first: int, n: int) -> pa.Array:
    numbers = pa.array(np.arange(first, first + n)).cast(pa.string())
    return pa.compute.binary_join_element_wise(prefix, numbers, "")


def _strings_or_null(strings: pa.Array, valid: np.ndarray) -> pa.Array:
    return pa.compute.if_else(pa.array(valid), strings, pa.scalar(None, pa.string()))


def tickets_chunk(rng: np.random.Generator, n: int, first_id: int, month: str) -> pa.Table:
    _, month_end = month_bounds(month)
    created = _arrivals(rng, n, month)
    agent_idx = rng.choice(len(AGENTS), size=n, p=AGENT_WEIGHT)
    speed = AGENT_SPEED[agent_idx]
    channel_idx, channel = _pick(rng, CHANNELS, n, [0.45, 0.25, 0.2, 0.1])
    _, ttype = _pick(rng, TYPES, n, [0.3, 0.28, 0.16, 0.16, 0.1])
    prio_idx, priority = _pick(rng, PRIORITIES, n, [0.22, 0.53, 0.18, 0.07])

    frt_base = (
        np.array([3.5, 0.1, 4.5, 0.5])[channel_idx] * np.array([1.6, 1.0, 0.6, 0.3])[prio_idx]
    )
    frt_us = (frt_base * speed * rng.lognormal(0, 1.2, n) * US_PER_HOUR).astype(np.int64)
    first_response = created + frt_us
    escalated = rng.random(n) < np.where(prio_idx == 3, 0.25, 0.06)
    reopens = rng.choice(3, size=n, p=[0.9, 0.08, 0.02])
    agent_replies = 1 + rng.poisson(1.0, n) + reopens + escalated
    res_us = (8 * speed * rng.lognormal(0, 1.1, n) * (1 + escalated) * US_PER_HOUR).astype(np.int64)
    resolved = first_response + res_us + reopens * 48 * US_PER_HOUR
    answered = rng.random(n) >= 0.03
    # The export was taken at month end: later events are not in it yet.
    has_response = answered & (first_response < month_end)
    is_resolved = answered & (resolved < month_end)
    agent_replies = np.where(has_response, agent_replies, 0)
    updated = np.maximum.reduce(
        [created, np.where(has_response, first_response, 0), np.where(is_resolved, resolved, 0)]
    )
    status = pa.array(np.where(is_resolved, "solved", np.where(has_response, "open", "new")))
    assigned = has_response | is_resolved
    return pa.table(
        {
            "ticket_id": _ids("", first_id, n),
            "created_at": _ts(created),
            "first_response_at": _ts(first_response, has_response),
            "resolved_at": _ts(resolved, is_resolved),
            "status": status,
            "channel": channel,
            "type": ttype,
            "priority": priority,
            "agent_id": _strings_or_null(pa.array(AGENTS).take(pa.array(agent_idx)), assigned),
            "team": _strings_or_null(pa.array(AGENT_TEAM).take(pa.array(agent_idx)), assigned),
            "customer_id": _ids("CUS-", 0, n).take(pa.array(rng.integers(0, max(n // 4, 1), n))),
            "agent_replies": pa.array(agent_replies.astype(np.int64)),
            "reopens": pa.array(reopens.astype(np.int64)),
            "updated_at": _ts(updated),
            "escalated": pa.array(escalated),
            "messages_in": pa.array((1 + reopens + rng.poisson(0.8, n)).astype(np.int64)),
            "messages_out": pa.array(agent_replies.astype(np.int64)),
        }
    )


def calls_chunk(rng: np.random.Generator, n: int, first_id: int, month: str) -> pa.Table:
    queued = _arrivals(rng, n, month)
    outbound = rng.random(n) < 0.05
    load = np.interp(
        (queued // US_PER_HOUR) % 24, [0, 8, 10, 13, 17, 23], [0.3, 0.6, 1.8, 1.3, 0.6, 0.3]
    )
    to_answer_s = rng.exponential(22, n) * load
    patience_s = np.where(rng.random(n) < 0.02, rng.uniform(0.5, 4.5, n), rng.exponential(260, n))
    answered = outbound | (to_answer_s <= patience_s)
    wait_s = np.round(
        np.where(outbound, rng.uniform(8, 30, n), np.where(answered, to_answer_s, patience_s))
    )
    ended_known = answered | (rng.random(n) < 0.97)
    agent_idx = rng.choice(len(AGENTS), size=n, p=AGENT_WEIGHT)
    speed = AGENT_SPEED[agent_idx]
    talk = np.round(rng.lognormal(np.log(250), 0.6, n) * speed, 1)
    hold = np.where(rng.random(n) < 0.3, np.round(rng.lognormal(np.log(45), 0.7, n), 1), 0.0)
    wrap = np.round(rng.lognormal(np.log(35), 0.5, n) * speed, 1)
    answered_at = queued + (wait_s * 1e6).astype(np.int64)
    ended = answered_at + np.where(answered, ((talk + hold) * 1e6).astype(np.int64), 0)
    _, queue = _pick(rng, QUEUES, n, [0.35, 0.4, 0.25])
    not_answered = ~answered
    return pa.table(
        {
            "call_id": _ids("CL", first_id, n),
            "queued_at": _ts(queued),
            "answered_at": _ts(answered_at, answered),
            "ended_at": _ts(ended, ended_known),
            "talk_seconds": pa.array(talk, mask=not_answered),
            "hold_seconds": pa.array(hold, mask=not_answered),
            "wrap_seconds": pa.array(wrap, mask=not_answered),
            "direction": pa.array(np.where(outbound, "outbound", "inbound")),
            "agent_id": _strings_or_null(pa.array(AGENTS).take(pa.array(agent_idx)), answered),
            "queue": queue,
            "customer_id": _ids("CUS-", 0, n).take(pa.array(rng.integers(0, max(n // 4, 1), n))),
            "resolved": pa.array(rng.random(n) < 0.72, mask=not_answered),
            "transferred": pa.array(rng.random(n) < 0.08, mask=not_answered),
        }
    )


def surveys_chunk(rng: np.random.Generator, n: int, first_id: int, month: str) -> pa.Table:
    # Mostly csat (overall and two detail questions), then nps and ces.
    kind = rng.choice(5, size=n, p=[0.33, 0.11, 0.11, 0.3, 0.15])
    survey = np.array(["csat", "csat", "csat", "nps", "ces"])[kind]
    question = np.array(["overall", "agent_skill", "knowledge", "overall", "overall"])[kind]
    agent_idx = rng.choice(len(AGENTS), size=n, p=AGENT_WEIGHT)
    mood = rng.normal(0.4, 1.0, n) - 0.3 * (AGENT_SPEED[agent_idx] - 1)
    csat = np.clip(np.round(3.9 + mood), 1, 5)
    nps = np.clip(np.round(7.5 + 1.8 * mood), 0, 10)
    ces = np.clip(np.round(5 + 1.2 * mood), 1, 7)
    score = np.select([survey == "csat", survey == "nps"], [csat, nps], ces)
    has_ticket = rng.random(n) < 0.8
    linked = rng.integers(0, max(n * 5, 1), n)
    _, channel = _pick(rng, CHANNELS, n, [0.45, 0.25, 0.2, 0.1])
    has_comment = rng.random(n) < 0.1
    comments = pa.array(
        np.array(["Quick and friendly help", "Took too long", "OK"])[
            np.clip(np.round(score) % 3, 0, 2).astype(int)
        ]
    )
    return pa.table(
        {
            "response_id": _ids("R", first_id, n),
            "submitted_at": _ts(_arrivals(rng, n, month)),
            "survey": pa.array(survey),
            "question": pa.array(question),
            "score": pa.array(score),
            "comment": _strings_or_null(comments, has_comment),
            "ticket_id": _strings_or_null(pa.array(linked).cast(pa.string()), has_ticket),
            "call_id": _strings_or_null(
                _ids("CL", 0, n).take(pa.array(linked % max(n, 1))), ~has_ticket
            ),
            "agent_id": pa.array(AGENTS).take(pa.array(agent_idx)),
            "channel": channel,
        }
    )


MAKERS = {"tickets": tickets_chunk, "calls": calls_chunk, "surveys": surveys_chunk}


def table_chunks(
    table: str, rows: int, month: str, chunk: int, month_index: int = 0
) -> Iterator[pa.Table]:
    """The table's rows for one month, ``chunk`` rows at a time, from a seed fixed per chunk."""
    table_index = TABLES.index(table)
    for first in range(0, rows, chunk):
        n = min(chunk, rows - first)
        rng = np.random.default_rng([SEED, table_index, month_index, first])
        yield MAKERS[table](rng, n, month_index * rows + first + 1, month)


def table_rows(table: str, rows: int) -> int:
    return rows // 5 if table == "surveys" else rows


def _write(chunks: Iterator[pa.Table], parquet: Path | None, csv: Path | None) -> None:
    pq_writer = csv_writer = None
    try:
        for data in chunks:
            if parquet is not None:
                if pq_writer is None:
                    parquet.parent.mkdir(parents=True, exist_ok=True)
                    pq_writer = pq.ParquetWriter(parquet, data.schema, compression="snappy")
                pq_writer.write_table(data, row_group_size=1_000_000)
            if csv is not None:
                # Canonical CSV: ISO 8601 UTC timestamps to the second, quotes only when needed.
                text = data.cast(
                    pa.schema(
                        [
                            pa.field(f.name, pa.timestamp("s", tz="UTC")) if f.type == TS else f
                            for f in data.schema
                        ]
                    )
                )
                if csv_writer is None:
                    csv.parent.mkdir(parents=True, exist_ok=True)
                    csv_writer = pacsv.CSVWriter(
                        csv, text.schema, write_options=pacsv.WriteOptions(quoting_style="needed")
                    )
                csv_writer.write_table(text)
    finally:
        for writer in (pq_writer, csv_writer):
            if writer is not None:
                writer.close()


def history_months(months: int, last: str = PERIOD) -> list[str]:
    end = pd.Period(last, freq="M")
    return [str(end - i) for i in range(months - 1, -1, -1)]


def generate(
    rows: int,
    out: Path,
    formats: tuple[str, ...] = ("parquet", "csv"),
    months: int = 1,
    chunk: int = 1_000_000,
) -> None:
    """Write the one-month tables (and, with months > 1, a monthly history) under ``out``."""
    out = Path(out)
    for table in TABLES:
        n = table_rows(table, rows)
        parquet = out / "parquet" / f"{table}.parquet" if "parquet" in formats else None
        csv = out / "csv" / f"{table}.csv" if "csv" in formats else None
        if parquet is not None or csv is not None:
            _write(table_chunks(table, n, PERIOD, chunk), parquet, csv)
        if months > 1:
            for index, month in enumerate(history_months(months)):
                _write(
                    table_chunks(table, n, month, chunk, month_index=index + 1),
                    out / "history" / table / f"{month}.parquet",
                    None,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="tickets and calls per month")
    parser.add_argument("--out", type=Path, help="default bench/out/rows-N")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--months", type=int, default=1, help="also write a history of N months")
    parser.add_argument("--chunk", type=int, default=1_000_000)
    args = parser.parse_args()
    out = args.out or Path(__file__).resolve().parent / "out" / f"rows-{args.rows}"
    generate(args.rows, out, tuple(args.formats.split(",")), args.months, args.chunk)


if __name__ == "__main__":
    main()
