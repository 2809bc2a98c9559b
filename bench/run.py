"""Time cskpi against DuckDB, polars and a pyarrow read floor on generated data; check the answers.

    python bench/run.py --rows 1000000 [--rows 10000000] [--repeat 3] [--formats parquet,csv]
    python bench/run.py --rows 1000000 --check        # only compare the answers, no timing

Each contender runs as a separate process (so imports and start-up count, as for a user); its
wall time is the median of --repeat runs and its peak memory is the ``ru_maxrss`` that
``os.wait4`` reports for that process (the kernel's high-water mark of its resident set, including
any children it waited for). cskpi's sources are byte-compiled first, as an installed package's
are. Data is generated into bench/out/ when missing. Before any number is
reported, the peers' answers are compared with each other (and cskpi's with theirs when cskpi can
report), so a benchmark never compares wrong answers. The Markdown table is printed and written
into docs/benchmarks.md (replacing an earlier table for the same row count).
"""

from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import io
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DOCS = ROOT / "docs" / "benchmarks.md"
PERIOD = "2026-10"
TABLES = ("tickets", "calls", "surveys")
PEER_KPIS = (
    "tickets_created", "tickets_resolved", "backlog_end", "first_response_hours_median",
    "first_response_hours_p90", "resolution_hours_median", "resolution_hours_p90",
    "resolved_within_24h_rate", "first_contact_resolution_rate", "calls_offered",
    "calls_answered", "calls_abandoned", "abandonment_rate", "service_level",
    "average_speed_of_answer", "average_handle_time", "nps", "csat",
)
# Values are written rounded to 6 decimals, so two correct answers differ by at most ~1e-6.
TOLERANCE = 2e-6


@dataclass
class Contender:
    name: str
    command: list[str]
    output: Path | None = None     # tidy CSV it writes, for the cross-check
    times: list[float] = field(default_factory=list)
    peak_rss_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds
    failed: str | None = None


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": "ignore"}


def run_measured(command: list[str]) -> tuple[float, int, int, str, float]:
    """Run one process to its end: (wall seconds, peak RSS KB, exit code, stderr tail, CPU
    seconds user + system). On a shared machine CPU time moves less with other people's load."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss, process.returncode, stderr[-2000:], cpu


def cskpi_has(command: str) -> bool:
    """Whether this checkout's CLI has the command (``cskpi report`` may not exist yet)."""
    probe = subprocess.run([sys.executable, "-m", "cskpi", command, "--help"], cwd=ROOT, env=env(),
                           capture_output=True, text=True)
    return probe.returncode == 0 and ("--period" in probe.stdout or command != "report")


def has_load_dataset() -> bool:
    probe = subprocess.run([sys.executable, "-c", "from cskpi.io.load import load_dataset"],
                           cwd=ROOT, env=env(), capture_output=True)
    return probe.returncode == 0


def ensure_data(rows: int, formats: list[str]) -> Path:
    data = OUT / f"rows-{rows}"
    missing = [f for f in formats
               if not all((data / f / f"{t}.{f}").is_file() for t in TABLES)]
    if missing:
        print(f"generating {rows:,} rows as {', '.join(missing)} in {data} …", file=sys.stderr)
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--rows", str(rows),
                        "--out", str(data), "--formats", ",".join(missing)], check=True)
    return data


def contenders(data: Path, fmt: str, scratch: Path, notes: list[str]) -> list[Contender]:
    py = sys.executable
    peers = str(BENCH / "peers.py")
    found = [Contender("pyarrow read floor", [py, peers, "floor", str(data), "--format", fmt])]
    for engine in ("duckdb", "polars"):
        out = scratch / f"{engine}-{fmt}.csv"
        found.append(Contender(engine, [py, peers, engine, str(data), "--format", fmt, "-o",
                                        str(out)], out))
    if cskpi_has("report"):
        out = scratch / f"cskpi-{fmt}.csv"
        found.append(Contender("cskpi report", [
            py, "-m", "cskpi", "report", str(data / fmt), "--period", PERIOD, "--by", "agent",
            "--format", "csv", "-o", str(out)], out))
    else:
        notes.append("`cskpi report` is not available in this checkout yet: its row is skipped.")
    if fmt == "csv":
        if cskpi_has("validate"):
            found.append(Contender("cskpi CSV load (validate)",
                                   [py, "-m", "cskpi", "validate", str(data / "csv")]))
        elif has_load_dataset():
            code = ("import sys; from pathlib import Path; from cskpi.io.inputs import InputSpec; "
                    "from cskpi.io.load import load_dataset; "
                    "load_dataset(InputSpec(data_dir=Path(sys.argv[1])))")
            found.append(Contender("cskpi CSV load (load_dataset)",
                                   [py, "-c", code, str(data / "csv")]))
        else:
            notes.append("cskpi cannot load CSV in this checkout yet (no `cskpi validate`, "
                         "no `cskpi.io.load.load_dataset`): its CSV parse rate is skipped.")
    return found


# ---------------------------------------------------------------- cross-check

def read_tidy(path: Path) -> dict[tuple[str, str, str], str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {(r["dimension"], r["segment"], r["kpi"]): r["value"]
                for r in csv.DictReader(handle) if r["kpi"] in PEER_KPIS and r["period"] == PERIOD}


def differences(reference: dict, other: dict, *, require_same_keys: bool) -> list[str]:
    """Human-readable differences between two tidy results, on the KPIs both should carry."""
    problems = []
    keys = reference.keys() | other.keys() if require_same_keys else reference.keys() & other.keys()
    for key in sorted(keys):
        a, b = reference.get(key), other.get(key)
        if a is None or b is None:
            problems.append(f"{'/'.join(key)}: only in {'second' if a is None else 'first'}")
        elif (a == "") != (b == ""):
            problems.append(f"{'/'.join(key)}: {a or 'not available'} vs {b or 'not available'}")
        elif a and abs(float(a) - float(b)) > TOLERANCE * max(1.0, abs(float(a))):
            problems.append(f"{'/'.join(key)}: {a} vs {b}")
    if not require_same_keys:
        missing = sorted(k for k in reference.keys() - other.keys() if reference[k] != "")
        if missing:
            problems.append(f"{len(missing)} values the peers have are missing, e.g. "
                            f"{'/'.join(missing[0])}")
    return problems


def cross_check(found: list[Contender]) -> dict[str, str]:
    """Verdict per contender with an output: 'ok' or what differs. Peers must agree exactly."""
    results = {c.name: read_tidy(c.output) for c in found
               if c.output is not None and c.failed is None and c.output.is_file()}
    if "duckdb" not in results or "polars" not in results:
        return {}
    peer_problems = differences(results["duckdb"], results["polars"], require_same_keys=True)
    if peer_problems:
        raise SystemExit("DuckDB and polars disagree, so no timing is reported:\n  "
                         + "\n  ".join(peer_problems[:20]))
    verdict = {"duckdb": "ok", "polars": "ok (= DuckDB)"}
    if "cskpi report" in results:
        problems = differences(results["duckdb"], results["cskpi report"], require_same_keys=False)
        verdict["cskpi report"] = ("ok (= DuckDB)" if not problems
                                   else f"{len(problems)} differences")
        for line in problems[:20]:
            print(f"cskpi vs DuckDB: {line}", file=sys.stderr)
    return verdict


# ---------------------------------------------------------------- reporting

def machine() -> str:
    import pandas
    import pyarrow

    versions = [f"Python {platform.python_version()}", f"pandas {pandas.__version__}",
                f"pyarrow {pyarrow.__version__}"]
    for name in ("duckdb", "polars"):
        module = __import__(name)
        versions.append(f"{name} {module.__version__}")
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    except ImportError:
        ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB RAM"
    return (f"{os.cpu_count()} cores, {ram}, {platform.system()} {platform.machine()}; "
            + ", ".join(versions))


def row_counts(data: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    parquet = data / "parquet"
    if all((parquet / f"{t}.parquet").is_file() for t in TABLES):
        return {t: pq.ParquetFile(parquet / f"{t}.parquet").metadata.num_rows for t in TABLES}
    return {}


def markdown(rows: int, data: Path, results: dict[str, list[Contender]],
             verdicts: dict[str, dict[str, str]], notes: list[str], command: str) -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    counts = row_counts(data)
    total = sum(counts.values()) if counts else None
    title = (f"{counts['tickets']:,} tickets + {counts['calls']:,} calls + "
             f"{counts['surveys']:,} survey answers" if counts else f"{rows:,} rows")
    lines = [
        f"### {title}",
        "",
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {machine()}",
        f"- Load average (1/5/15 min) when the run ended: {load}; other work on the machine "
        "shows up as spread between median and min.",
        f"- Command: `{command}`",
        "- Times: wall clock of the whole process (start-up and imports included), median of "
        f"{max(len(c.times) for cs in results.values() for c in cs)} runs; peak RSS: "
        "`ru_maxrss` from `os.wait4` of that process.",
        "",
        "| format | contender | median s | min s | CPU s (user+sys) | peak RSS MiB | × DuckDB "
        "| CPU × DuckDB | answers |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for fmt, found in results.items():
        duck = next((c for c in found if c.name == "duckdb" and c.times), None)
        base = statistics.median(duck.times) if duck else None
        base_cpu = statistics.median(duck.cpu) if duck else None
        for c in found:
            if c.failed:
                lines.append(f"| {fmt} | {c.name} | failed | | | | | | {c.failed} |")
                continue
            median = statistics.median(c.times)
            ratio = f"{median / base:.2f}" if base else ""
            cpu = statistics.median(c.cpu)
            cpu_ratio = f"{cpu / base_cpu:.2f}" if base_cpu else ""
            answer = verdicts.get(fmt, {}).get(c.name, "reads only" if "floor" in c.name else "")
            if "CSV load" in c.name and total:
                answer = f"{total / median / 1e6:.2f} M rows/s parsed"
            lines.append(f"| {fmt} | {c.name} | {median:.2f} | {min(c.times):.2f} | {cpu:.2f} | "
                         f"{max(c.peak_rss_kb) / 1024:.0f} | {ratio} | {cpu_ratio} | {answer} |")
    lines += [""] + [f"- {note}" for note in dict.fromkeys(notes)]
    return "\n".join(lines).rstrip() + "\n"


def update_docs(rows: int, section: str) -> None:
    start, end = f"<!-- results rows={rows} -->", f"<!-- /results rows={rows} -->"
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Benchmarks\n"
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def bench_rows(rows: int, formats: list[str], repeat: int, check_only: bool, command: str,
               write_docs: bool) -> str:
    data = ensure_data(rows, formats)
    scratch = data / "results"
    scratch.mkdir(exist_ok=True)
    notes: list[str] = []
    results: dict[str, list[Contender]] = {}
    verdicts: dict[str, dict[str, str]] = {}
    for fmt in formats:
        found = contenders(data, fmt, scratch, notes)
        for c in found:
            if c.output is not None:
                c.output.unlink(missing_ok=True)
        for _ in range(1 if check_only else repeat):
            for c in found:     # round robin, so a warm or cold cache favours no one
                if c.failed:
                    continue
                elapsed, rss, code, stderr, cpu = run_measured(c.command)
                if code != 0:
                    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
                    c.failed = f"exit {code}: {last}"
                    print(f"{c.name} ({fmt}) failed:\n{stderr}", file=sys.stderr)
                    continue
                c.times.append(elapsed)
                c.peak_rss_kb.append(rss)
                c.cpu.append(cpu)
                print(f"{fmt:8} {c.name:30} {elapsed:7.2f} s {rss / 1024:7.0f} MiB",
                      file=sys.stderr)
        verdicts[fmt] = cross_check(found)
        results[fmt] = found
    if check_only:
        return "\n".join(f"{fmt}: {v}" for fmt, v in verdicts.items()) + "\n"
    section = markdown(rows, data, results, verdicts, notes, command)
    if write_docs:
        update_docs(rows, section)
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="tickets and calls (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--check", action="store_true", help="compare answers only, no timing")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    # cskpi runs from this checkout's sources: byte-compile them first, as pip does for an
    # installed package. Where PYTHONDONTWRITEBYTECODE is set (no __pycache__ is ever written),
    # every run would otherwise compile all of cskpi again before it starts (≈ 0.2 s).
    compileall.compile_dir(ROOT / "src", quiet=1)
    command = "python bench/run.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    out = io.StringIO()
    for rows in args.rows or [1_000_000]:
        out.write(bench_rows(rows, args.formats.split(","), args.repeat, args.check, command,
                             not args.no_docs and not args.check))
        out.write("\n")
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
