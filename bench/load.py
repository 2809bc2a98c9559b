"""Input-layer speed: cskpi's loader against pyarrow reading the same files and columns.

    python bench/load.py --rows 1000000 [--rows 10000000] [--repeat 3] [--formats parquet]

Each measurement runs in its own process; the time is taken around the load call only (no
interpreter start-up or imports), the median of --repeat runs; peak RSS is the process's
``ru_maxrss`` from ``os.wait4``. Contenders, on bench/out/rows-N (made by bench/generate.py):

- ``cskpi parquet (report columns)``: the Parquet folder loaded as ``cskpi report --by agent``
  loads it (``cli.loading.load`` with ``pipeline.input_columns`` and ``label_columns``, the
  command's memory settings included) — typed, validated, canonical pandas frames;
- ``pyarrow read_table (same columns)``: ``pq.read_table(path, columns=…)`` of those columns,
  nothing converted or checked;
- ``cskpi CSV (all columns)``: ``load_dataset`` of the canonical CSV folder, every column;
- ``pyarrow read_csv (all columns)``: ``pyarrow.csv.read_csv`` of the same files, types inferred.

The Markdown table is printed and written into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import DOCS, TABLES, ensure_data, env, machine  # noqa: E402

CONTENDERS = ("cskpi-parquet", "arrow-parquet", "cskpi-csv", "arrow-csv")
TITLES = {
    "cskpi-parquet": ("parquet", "cskpi load (report columns)"),
    "arrow-parquet": ("parquet", "pyarrow read_table (same columns)"),
    "cskpi-csv": ("csv", "cskpi load_dataset (all columns)"),
    "arrow-csv": ("csv", "pyarrow read_csv (all columns)"),
}


def work(kind: str, data: Path) -> dict[str, float]:
    """One measurement in this process: seconds of the load call and rows loaded."""
    from cskpi.cli import loading  # first: the command's Arrow memory pool
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.pipeline import input_columns, label_columns

    columns = input_columns(["agent"])
    if kind.startswith("arrow"):
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    start = time.perf_counter()
    if kind == "cskpi-parquet":
        spec = InputSpec(
            data_dir=data / "parquet", columns=columns, categories=label_columns(["agent"])
        )
        tables = loading.load(spec, quiet=True).tables
        rows = sum(len(f) for f in tables.values())
    elif kind == "cskpi-csv":
        tables = load_dataset(InputSpec(data_dir=data / "csv")).tables
        rows = sum(len(f) for f in tables.values())
    elif kind == "arrow-parquet":
        rows = 0
        for table in TABLES:
            path = data / "parquet" / f"{table}.parquet"
            names = pq.read_schema(path).names
            wanted = [c for c in names if c in columns[table]]
            rows += pq.read_table(path, columns=wanted).num_rows
    else:
        rows = sum(pacsv.read_csv(data / "csv" / f"{t}.csv").num_rows for t in TABLES)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def measure(kind: str, data: Path) -> tuple[float, int, int]:
    command = [sys.executable, __file__, "--worker", kind, str(data)]
    process = subprocess.Popen(command, cwd=ROOT, env=env(), stdout=subprocess.PIPE)
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed")
    result = json.loads(out)
    return result["seconds"], int(result["rows"]), usage.ru_maxrss


def bench(rows: int, repeat: int, command: str, formats: list[str]) -> str:
    data = ensure_data(rows, formats)
    kinds = [k for k in CONTENDERS if TITLES[k][0] in formats]
    times: dict[str, list[float]] = {k: [] for k in kinds}
    rss: dict[str, list[int]] = {k: [] for k in kinds}
    counts: dict[str, int] = {}
    for _ in range(repeat):
        for kind in kinds:  # round robin
            seconds, n, peak = measure(kind, data)
            times[kind].append(seconds)
            rss[kind].append(peak)
            counts[kind] = n
            print(f"{kind:15} {seconds:7.2f} s {peak / 1024:7.0f} MiB", file=sys.stderr)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"### Loading {rows:,} tickets + {rows:,} calls + {rows // 5:,} survey answers",
        "",
        f"- Machine: {machine()}; load average when the run ended: {load}",
        f"- Command: `{command}`",
        f"- Load call only (no start-up), median of {repeat} runs, each in its own process.",
        "",
        "| format | contender | median s | min s | M rows/s | peak RSS MiB | × pyarrow |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind in kinds:
        fmt, title = TITLES[kind]
        median = statistics.median(times[kind])
        floor = statistics.median(times[f"arrow-{fmt}"])
        lines.append(
            f"| {fmt} | {title} | {median:.2f} | {min(times[kind]):.2f} | "
            f"{counts[kind] / median / 1e6:.2f} | {max(rss[kind]) / 1024:.0f} | "
            f"{median / floor:.2f} |"
        )
    return "\n".join(lines) + "\n"


def update_docs(rows: int, section: str) -> None:
    start, end = f"<!-- load rows={rows} -->", f"<!-- /load rows={rows} -->"
    text = DOCS.read_text(encoding="utf-8")
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--worker"]:
        print(json.dumps(work(args_in[1], Path(args_in[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="parquet,csv", help="parquet, csv or both")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(args_in)
    command = "python bench/load.py " + shlex.join(args_in)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for rows in args.rows or [1_000_000]:
        section = bench(rows, args.repeat, command, formats)
        sys.stdout.write(section + "\n")
        if not args.no_docs:
            update_docs(rows, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
