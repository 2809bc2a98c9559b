"""Time and peak memory of `cskpi report --engine partitioned` as a monthly Parquet history grows.

    python bench/history.py --rows 1000000 --months 12,24 [--repeat 3] [--out bench/out/history]
        [--limit-gb 4]

Generates one history of the longest length with bench/generate.py (tickets, calls and surveys, one
Parquet file per month), links the last N months of it into a folder per length, and runs the
report over every month of each folder in a child process:
`cskpi report FOLDER --engine partitioned --format csv -o FOLDER-report-partitioned.csv -q`.
CPU time is the child's user + system time (from wait4, the figure to compare on a shared
machine). Peak RSS is the child's high-water mark from wait4 (exact), or the RSS of the child and
any children it starts, sampled with psutil every 50 ms, whichever is higher. With --repeat N each
length runs N times, the lengths in turn, and a second table gives each length's median CPU and
wall time and the ratio of the medians: on a shared machine one pair of runs can differ by 10 %
either way. With --limit-gb the child also runs under RLIMIT_AS; pyarrow and numpy reserve more
address space than they touch, so that limit is a crude upper guard only, the RSS is the
measurement. Work should grow linearly: 24 months
≈ 2× the CPU time of 12.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import TABLES, generate, history_months  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def make_histories(rows: int, lengths: list[int], out: Path) -> dict[int, Path]:
    """One generated history of max(lengths) months; a folder of links per length."""
    longest = max(lengths)
    # Reuse a longer history generated before: its last months are the same files.
    made = sorted(
        (int(p.name.rsplit("-", 1)[1]), p)
        for p in out.glob(f"rows-{rows}-months-*")
        if (p / "history" / "tickets" / f"{history_months(1)[0]}.parquet").exists()
    )
    usable = [p for months, p in made if months >= longest]
    base = usable[0] if usable else out / f"rows-{rows}-months-{longest}"
    if not usable:
        generate(rows, base, formats=(), months=longest)
    folders = {}
    for length in lengths:
        folder = out / f"rows-{rows}-last-{length}"
        for table in TABLES:
            (folder / table).mkdir(parents=True, exist_ok=True)
            for month in history_months(length):
                link = folder / table / f"{month}.parquet"
                if not link.exists():
                    link.symlink_to(base / "history" / table / f"{month}.parquet")
        folders[length] = folder
    return folders


def _limit(gigabytes: float | None):
    if gigabytes is None:
        return None

    def apply() -> None:
        limit = int(gigabytes * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_report(folder: Path, engine: str, limit_gb: float | None, output: Path) -> dict:
    """Run the report in a child process; wall time, exit code and peak RSS in bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [
        sys.executable,
        "-m",
        "cskpi",
        "report",
        str(folder),
        "--engine",
        engine,
        "--format",
        "csv",
        "-o",
        str(output),
        "-q",
    ]
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        env=env,
        preexec_fn=_limit(limit_gb),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watched = psutil.Process(child.pid)
    sampled = 0
    while True:
        # Reaped with wait4: the child's own CPU time and its exact peak (the kernel's high-water
        # mark, which samples every 50 ms can miss); the samples add any children it starts.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        try:
            processes = [watched, *watched.children(recursive=True)]
            sampled = max(sampled, sum(p.memory_info().rss for p in processes))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(sampled, usage.ru_maxrss * 1024)  # ru_maxrss: KiB on Linux
    error = child.stderr.read().decode() if child.stderr else ""
    return {
        "seconds": seconds,
        "cpu": cpu,
        "exit": child.returncode,
        "peak_rss": peak,
        "error": error.strip().splitlines()[-1:] if child.returncode else [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tickets and calls per month")
    parser.add_argument("--months", default="12,24", help="history lengths, comma-separated")
    parser.add_argument("--engine", default="partitioned")
    parser.add_argument("--limit-gb", type=float, default=None, help="RLIMIT_AS of the child")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "history")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each length, medians")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src", quiet=1)  # as installed: no compiling per run
    lengths = [int(m) for m in args.months.split(",")]
    started = time.perf_counter()
    folders = make_histories(args.rows, lengths, args.out)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    print(
        "| rows/month | months | rows (tickets+calls+surveys) | engine | CPU s | wall s | "
        "peak RSS |"
    )
    print("|---:|---:|---:|---|---:|---:|---:|")
    runs: dict[int, list[dict]] = {length: [] for length in folders}
    for round_ in range(args.repeat):
        # Lengths in turn, the order reversed every other round: a machine that slows down or
        # speeds up during the runs favours neither length.
        order = sorted(folders) if round_ % 2 == 0 else sorted(folders, reverse=True)
        for length in order:
            folder = folders[length]
            # Beside the folder, not in it: a second run would read the first run's output.
            output = folder.parent / f"{folder.name}-report-{args.engine}.csv"
            result = run_report(folder, args.engine, args.limit_gb, output)
            runs[length].append(result)
            total = length * args.rows * (2 + 0.2)
            status = "" if result["exit"] == 0 else f" (exit {result['exit']}: {result['error']})"
            peak = result["peak_rss"] / 1024**3
            print(
                f"| {args.rows:,} | {length} | {total:,.0f} | {args.engine} | {result['cpu']:.0f} "
                f"| {result['seconds']:.0f} | {peak:.2f} GiB{status} |",
                flush=True,
            )
    if args.repeat > 1 or len(folders) > 1:
        print()
        print("| months | runs | median CPU s | median wall s | highest peak RSS |")
        print("|---:|---:|---:|---:|---:|")
        for length, results in sorted(runs.items()):
            print(
                f"| {length} | {len(results)} | {statistics.median(r['cpu'] for r in results):.1f} "
                f"| {statistics.median(r['seconds'] for r in results):.1f} "
                f"| {max(r['peak_rss'] for r in results) / 1024**3:.2f} GiB |"
            )
        shortest, longest = min(runs), max(runs)
        if longest != shortest:
            ratio = statistics.median(r["cpu"] for r in runs[longest]) / statistics.median(
                r["cpu"] for r in runs[shortest]
            )
            print(f"\nCPU time, {longest} months ÷ {shortest} months (medians): {ratio:.2f}×")


if __name__ == "__main__":
    main()
