"""A seeded corpus of malformed inputs: small valid exports of every table, then broken on purpose.

Each :class:`Case` builds its files in a temporary folder and returns the command line to run.
The corpus is deterministic (``SEED``), so a failing case id names the same files every run.
Classes follow what unattended monthly runs meet: lost files, silent zeros, tracebacks, hangs,
wrong exit codes and formula injection.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261002
TABLES = ("tickets", "calls", "surveys", "costs", "agents", "revenue")
FORMATS = ("csv", "parquet", "xlsx", "json")
COMMANDS = (
    "validate",
    "report",
    "kpis",
    "staffing",
    "types",
    "themes",
    "customers",
    "clv",
    "trend",
    "scorecard",
)
# The tables each command reads (kpis reads none: it lists the catalogue).
READS = {
    "validate": TABLES,
    "report": TABLES,
    "kpis": (),
    "staffing": ("calls",),
    "types": ("tickets",),
    "themes": ("surveys",),
    "customers": ("tickets", "calls", "revenue", "costs"),
    "clv": ("revenue", "tickets"),
    "trend": TABLES,
    "scorecard": TABLES,
}
BAD_INPUT = frozenset({2})
ANY_OUTCOME = frozenset({0, 2})  # rows rejected within the allowed share, or over it


@dataclass
class Case:
    klass: str
    name: str
    build: Callable[[Path], list[str]]
    allowed: frozenset[int] = ANY_OUTCOME
    stderr_has: str | None = None  # a word the message must hold
    check: Callable[[Path, object], None] | None = None  # extra assertion on (folder, result)
    timeout: float = 20.0
    tags: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return f"{self.klass}:{self.name}"


# ------------------------------------------------------------------------------ valid base rows


def base_rows(table: str, rng: random.Random, n: int = 12) -> list[dict[str, object]]:
    """``n`` valid rows of ``table`` in October 2026 (values as text, like an export)."""
    rows: list[dict[str, object]] = []
    for i in range(n):
        day, hour, minute = 1 + i % 28, 8 + rng.randrange(9), rng.randrange(60)
        stamp = f"2026-10-{day:02d}T{hour:02d}:{minute:02d}:00Z"
        later = f"2026-10-{day:02d}T{hour + 1:02d}:{minute:02d}:00Z"
        agent = f"A{101 + i % 4}"
        if table == "tickets":
            rows.append(
                {
                    "ticket_id": str(1000 + i),
                    "created_at": stamp,
                    "first_response_at": later,
                    "resolved_at": later,
                    "status": "closed",
                    "channel": rng.choice(["email", "chat"]),
                    "type": rng.choice(["billing", "delivery"]),
                    "priority": "normal",
                    "agent_id": agent,
                    "team": "Aurora",
                    "customer_id": f"C{i % 5}",
                    "agent_replies": str(1 + i % 3),
                    "reopens": "0",
                }
            )
        elif table == "calls":
            answered = f"2026-10-{day:02d}T{hour:02d}:{minute:02d}:20Z"
            rows.append(
                {
                    "call_id": f"CL{i}",
                    "queued_at": stamp,
                    "answered_at": answered,
                    "ended_at": later,
                    "talk_seconds": str(100 + i),
                    "hold_seconds": "0",
                    "wrap_seconds": "10",
                    "direction": "inbound",
                    "agent_id": agent,
                    "queue": "billing",
                    "customer_id": f"C{i % 5}",
                    "resolved": "true",
                }
            )
        elif table == "surveys":
            survey = "csat" if i % 2 else "nps"
            score = 1 + i % 5 if survey == "csat" else i % 11
            rows.append(
                {
                    "response_id": f"R{i}",
                    "submitted_at": stamp,
                    "survey": survey,
                    "score": str(score),
                    "comment": rng.choice(["slow reply", "great help", "refund late"]),
                    "agent_id": agent,
                    "customer_id": f"C{i % 5}",
                }
            )
        elif table == "costs":
            rows.append(
                {
                    "period": "2026-10",
                    "category": ["wages", "tools"][i % 2],
                    "amount": f"{1000 + i}.50",
                    "agent_id": agent,
                    "team": "Aurora",
                }
            )
        elif table == "agents":
            rows.append(
                {
                    "agent_id": f"A{101 + i}",
                    "period": "2026-10",
                    "team": "Aurora",
                    "hours_worked": "150",
                    "training_days": str(i % 3),
                }
            )
        else:
            rows.append(
                {
                    "customer_id": f"C{i % 5}",
                    "date": f"2026-10-{day:02d}",
                    "amount": f"{50 + i}.25",
                    "segment": "smb",
                }
            )
    return rows


# ------------------------------------------------------------------------------------- writers


def csv_bytes(rows: list[dict[str, object]], header: list[str] | None = None) -> bytes:
    import csv

    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return out.getvalue().encode("utf-8")


def write_table(path: Path, rows: list[dict[str, object]], fmt: str) -> Path:
    """Rows as ``fmt``; values keep their Python type (a float stays a float in Parquet/JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = list(dict.fromkeys(k for row in rows for k in row))
    if fmt == "csv":
        path.write_bytes(csv_bytes(rows, header))
    elif fmt == "json":
        path.write_text(json.dumps(rows, allow_nan=True), encoding="utf-8")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {}
        for h in header:
            values = [row.get(h) for row in rows]
            kinds = {type(v) for v in values if v is not None}
            if kinds <= {float, int} and kinds:
                columns[h] = pa.array([None if v is None else float(v) for v in values])
            else:
                columns[h] = pa.array([None if v is None else str(v) for v in values])
        pq.write_table(pa.table(columns), path)
    else:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def cell(value: object) -> object:  # a workbook cannot hold control characters
            return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([cell(row.get(h)) for h in header])
        book.save(path)
    return path


# ------------------------------------------------------------------------------- the corpus


def _dataset(
    folder: Path, rng: random.Random, fmt: str = "csv", tables: tuple[str, ...] = TABLES
) -> dict[str, Path]:
    return {t: write_table(folder / "data" / f"{t}.{fmt}", base_rows(t, rng), fmt) for t in tables}


def _period(command: str) -> list[str]:
    return [] if command in ("kpis", "validate") else ["--period", "2026-10"]


def _command(command: str, data: Path, *extra: str) -> list[str]:
    if command == "kpis":
        return ["kpis", *extra]
    return [command, str(data), *_period(command), *extra]


def cases() -> list[Case]:
    rng = random.Random(SEED)
    found: list[Case] = []
    found += _data_loss()
    found += _silent_zeros(rng)
    found += _tracebacks(rng)
    found += _hangs()
    found += _exit_codes()
    found += _injection()
    from tests.fuzz.corpus_surfaces import surface_cases

    found += surface_cases()
    return found


# Every value-level break, applied to one column of one table in each format. Values are what the
# export holds; None drops the cell.
def _value_breaks() -> dict[str, tuple[str, Callable[[str], bool], list[object], str]]:
    return {
        # name: (kind of column, which columns, values, reject reason expected or "")
        "inf_number": ("number", lambda c: True, ["inf", "1e309", "-inf", "NaN"], "not_a_number"),
        "year_0001": (
            "timestamp",
            lambda c: True,
            ["0001-01-01T00:00:00Z"],
            "timestamp_out_of_range",
        ),
        "year_1677": ("timestamp", lambda c: True, ["1677-01-01 00:00"], "timestamp_out_of_range"),
        "year_2262": (
            "timestamp",
            lambda c: True,
            ["2262-06-01T00:00:00"],
            "timestamp_out_of_range",
        ),
        "year_9999": (
            "timestamp",
            lambda c: True,
            ["9999-12-31 23:59:59"],
            "timestamp_out_of_range",
        ),
        "excel_huge": ("timestamp", lambda c: True, [2958466.0 * 3], ""),
        "epoch_huge": ("timestamp", lambda c: True, [1e19], ""),
        "id_huge_float": ("id", lambda c: True, [1e300, float("inf")], ""),
        "int_5000_digits": ("number", lambda c: True, ["9" * 5000], ""),
        "text_garbage": ("number", lambda c: True, ["\x00\x01", "١٢٣", "12,34,56", " "], ""),
        "timestamp_garbage": (
            "timestamp",
            lambda c: True,
            ["2026-02-30", "31/31/2026", "\ufeff"],
            "",
        ),
    }


def _columns_of(table: str, kind: str) -> list[str]:
    from cskpi.io.schema import TABLES as SCHEMA

    kinds = {"number": ("number", "int")}.get(kind, (kind,))
    return [c.name for c in SCHEMA[table].columns if c.kind in kinds]


def _value_case(
    table: str, fmt: str, name: str, column: str, values: list[object], reason: str, command: str
) -> Case:
    def build(tmp: Path) -> list[str]:
        rng = random.Random(f"{SEED}{table}{fmt}{name}{column}")
        rows = base_rows(table, rng)
        for i, value in enumerate(values):
            cell = value
            if fmt == "csv" and not isinstance(value, str):
                cell = repr(value)
            rows[i][column] = cell
        write_table(tmp / "data" / f"{table}.{fmt}", rows, fmt)
        if command == "validate":
            return ["validate", str(tmp / "data"), "--format", "json"]
        return _command(command, tmp / "data")

    def check(tmp: Path, result: object) -> None:
        if command != "validate" or result.exit_code not in (0, 2):  # type: ignore[attr-defined]
            return
        if not reason or not result.stdout.strip():  # type: ignore[attr-defined]
            return
        summary = json.loads(result.stdout)  # type: ignore[attr-defined]
        reasons = summary["tables"][table]["files"][0]["rejects_by_reason"]
        assert reasons.get(reason, 0) >= 1, (reason, reasons)

    return Case(
        "traceback" if "not_a_number" not in reason else "silent_zero",
        f"{name}-{table}.{column}-{fmt}-{command}",
        build,
        check=check,
    )


def _tracebacks(rng: random.Random) -> list[Case]:
    found: list[Case] = []
    breaks = _value_breaks()
    for name, (kind, _, values, reason) in breaks.items():
        for table in TABLES:
            columns = _columns_of(table, kind)
            if not columns:
                continue
            for fmt in FORMATS:
                if fmt == "parquet" and name == "int_5000_digits":
                    continue
                column = columns[(len(found)) % len(columns)]
                command = (
                    "validate"
                    if (len(found) % 4)
                    else rng.choice([c for c in COMMANDS if table in READS[c]])
                )
                found.append(_value_case(table, fmt, name, column, values, reason, command))
    found += _broken_files(rng)
    found += _bad_options()
    return found


def _broken_files(rng: random.Random) -> list[Case]:
    found: list[Case] = []
    # A CSV cut mid-row or mid-character (a multi-byte name near the cut).
    for table in TABLES:
        for cut in (0.35, 0.5, 0.77, 0.93):

            def build(tmp: Path, table: str = table, cut: float = cut) -> list[str]:
                rows = base_rows(table, random.Random(f"{SEED}{table}"))
                key = next(
                    k
                    for k in rows[0]
                    if k.endswith(("team", "comment", "queue", "category", "segment", "_id"))
                )
                for row in rows:
                    row[key] = f"{row[key]}ÄÖ€"
                data = csv_bytes(rows)
                (tmp / "data").mkdir()
                (tmp / "data" / f"{table}.csv").write_bytes(data[: int(len(data) * cut)])
                return ["validate", str(tmp / "data"), "--format", "json"]

            found.append(Case("traceback", f"truncated-{table}-{cut}", build))
    # Headers with tabs, padding, a BOM in the middle, duplicated names.
    for table in TABLES:
        for variant in ("tab", "pad", "dup", "empty_name"):

            def build(tmp: Path, table: str = table, variant: str = variant) -> list[str]:
                rows = base_rows(table, random.Random(f"{SEED}{table}"))
                header = list(rows[0])
                shown = {
                    "tab": [f"\t{h}\t" for h in header],
                    "pad": [f"  {h}   " for h in header],
                    "dup": [*header[:-1], header[0]],
                    "empty_name": [*header[:-1], ""],
                }[variant]
                text = csv_bytes(rows).split(b"\n", 1)[1]
                (tmp / "data").mkdir()
                (tmp / "data" / f"{table}.csv").write_bytes(",".join(shown).encode() + b"\n" + text)
                return ["validate", str(tmp / "data"), "--format", "json"]

            found.append(Case("traceback", f"header-{variant}-{table}", build))
    # Deep nesting and enormous integers in JSON, TOML settings and TOML maps.
    deep_json = "[" * 10000 + "]" * 10000
    for name, text in (
        ("deep", deep_json),
        ("deep_object", '{"a":' * 10000 + "1" + "}" * 10000),
        ("int5000", '[{"ticket_id": ' + "9" * 5000 + "}]"),
        ("records_not_list", '{"tickets": 5}'),
        ("scalar", "42"),
        ("empty", ""),
    ):

        def build(tmp: Path, text: str = text) -> list[str]:
            (tmp / "data").mkdir()
            (tmp / "data" / "tickets.json").write_text(text, encoding="utf-8")
            return ["validate", str(tmp / "data")]

        found.append(Case("traceback", f"json-{name}", build, allowed=BAD_INPUT))
    for name, text in (
        ("deep", "a = " + "[" * 10000 + "]" * 10000),
        ("deep_tables", "x = " + "{a = " * 3000 + "1" + "}" * 3000),
        ("int5000", "max_reject_rate = " + "9" * 5000),
    ):
        for where in ("config", "map"):

            def build(tmp: Path, text: str = text, where: str = where) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=("tickets",))
                target = tmp / ("cskpi.toml" if where == "config" else "map.toml")
                target.write_text(text, encoding="utf-8")
                option = "--config" if where == "config" else "--map"
                return ["report", str(tmp / "data"), "--period", "2026-10", option, str(target)]

            found.append(Case("traceback", f"toml-{where}-{name}", build, allowed=BAD_INPUT))
    # Broken workbooks and Parquet files.
    for name in ("truncated_zip", "no_sheet_part", "truncated_sheet_xml", "not_zip"):

        def build(tmp: Path, name: str = name) -> list[str]:
            path = write_table(
                tmp / "data" / "tickets.xlsx", base_rows("tickets", random.Random(SEED)), "xlsx"
            )
            data = path.read_bytes()
            if name == "truncated_zip":
                path.write_bytes(data[: len(data) // 2])
            elif name == "not_zip":
                path.write_bytes(b"PK\x03\x04" + bytes(200))
            else:
                source = zipfile.ZipFile(io.BytesIO(data))
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w") as target:
                    for item in source.infolist():
                        content = source.read(item.filename)
                        if item.filename.startswith("xl/worksheets/sheet"):
                            if name == "no_sheet_part":
                                continue
                            content = content[: len(content) // 2]
                        target.writestr(item, content)
                path.write_bytes(out.getvalue())
            return ["validate", str(tmp / "data")]

        found.append(Case("traceback", f"xlsx-{name}", build, allowed=BAD_INPUT))
    for name in ("truncated", "garbage", "footer_only"):

        def build(tmp: Path, name: str = name) -> list[str]:
            path = write_table(
                tmp / "data" / "calls.parquet", base_rows("calls", random.Random(SEED)), "parquet"
            )
            data = path.read_bytes()
            path.write_bytes(
                {
                    "truncated": data[: len(data) // 2],
                    "garbage": b"PAR1" + bytes(range(256)) * 4 + b"PAR1",
                    "footer_only": data[-64:],
                }[name]
            )
            return ["report", str(tmp / "data"), "--period", "2026-10"]

        found.append(Case("exit_code", f"parquet-{name}", build, allowed=BAD_INPUT))

    # Typed Parquet and JSON columns of the wrong kind: nested, boolean, far-off typed dates.
    import datetime as dt

    import pyarrow as pa

    typed_columns = {
        "created_at-epoch-int": ("created_at", pa.array([1790000000 + i for i in range(12)])),
        "created_at-year-3000": (
            "created_at",
            pa.array([dt.datetime(3000, 1, 1)] * 12, type=pa.timestamp("us")),
        ),
        "created_at-year-1-date": ("created_at", pa.array([dt.date(1, 1, 1)] * 12)),
        "created_at-bool": ("created_at", pa.array([True] * 12)),
        "ticket_id-struct": ("ticket_id", pa.array([{"a": i} for i in range(12)])),
        "ticket_id-list": ("ticket_id", pa.array([[i, i] for i in range(12)])),
        "ticket_id-bool": ("ticket_id", pa.array([i % 2 == 0 for i in range(12)])),
        "reopens-string": ("reopens", pa.array(["many"] * 12)),
        "agent_replies-dictionary": ("agent_replies", pa.array(["1", "2"] * 6).dictionary_encode()),
        "escalated-int": ("escalated", pa.array([3] * 12)),
    }
    for name, (column, values) in typed_columns.items():
        for fmt in ("parquet", "json"):

            def build(tmp: Path, column: str = column, values=values, fmt: str = fmt) -> list[str]:
                import pyarrow.parquet as pq

                rows = base_rows("tickets", random.Random(SEED))
                table = pa.table({k: pa.array([r.get(k) for r in rows]) for k in rows[0]})
                if column in table.column_names:
                    table = table.set_column(table.column_names.index(column), column, values)
                else:
                    table = table.append_column(column, values)
                (tmp / "data").mkdir()
                if fmt == "parquet":
                    pq.write_table(table, tmp / "data" / "tickets.parquet")
                else:
                    records = table.to_pylist()
                    (tmp / "data" / "tickets.json").write_text(json.dumps(records, default=str))
                return ["validate", str(tmp / "data"), "--format", "json"]

            found.append(Case("traceback", f"typed-{name}-{fmt}", build))

    # Merged cells must not change the row count; a blank training_days is missing, not 0.
    def merged(tmp: Path) -> list[str]:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        rows = base_rows("agents", random.Random(SEED), 4)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
        sheet.merge_cells("C2:C5")  # team merged over four agents
        (tmp / "data").mkdir()
        book.save(tmp / "data" / "agents.xlsx")
        return ["validate", str(tmp / "data"), "--format", "json"]

    def four_rows(tmp: Path, result: object) -> None:
        entry = json.loads(result.stdout)["tables"]["agents"]  # type: ignore[attr-defined]
        assert entry["rows_read"] == 4, entry

    found.append(
        Case(
            "silent_zero",
            "xlsx-merged-cells-keep-the-row-count",
            merged,
            allowed=frozenset({0}),
            check=four_rows,
        )
    )
    return found


def _bad_options() -> list[Case]:
    found: list[Case] = []
    options = {
        "encoding-rot13": ["--encoding", "rot13"],
        "encoding-base64": ["--encoding", "base64"],
        "encoding-hex": ["--encoding", "hex"],
        "encoding-nonsense": ["--encoding", "nope"],
        "tz-invalid": ["--tz", "Mars/Phobos"],
        "tz-empty": ["--tz", ""],
        "date-order": ["--date-order", "sideways"],
        "decimal": ["--decimal", ";"],
        "reject-rate-negative": ["--max-reject-rate", "-1"],
        "reject-rate-nan": ["--max-reject-rate", "nan"],
        "reject-rate-inf": ["--max-reject-rate", "inf"],
    }
    for command in COMMANDS:
        if command == "kpis":
            continue
        for name, extra in options.items():

            def build(tmp: Path, command: str = command, extra: list[str] = extra) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=READS[command])
                return _command(command, tmp / "data", *extra)

            found.append(Case("exit_code", f"{name}-{command}", build, allowed=BAD_INPUT))
    periods = {
        "year-0000": ["--period", "0000-01"],
        "year-10000": ["--period", "10000-01"],
        "month-13": ["--period", "2026-13"],
        "month-00": ["--period", "2026-00"],
        "range-200-years": ["--period", "1826-01..2026-12"],
        "days-9999-years": ["--period", "0001-01-01..9999-12-31"],
        "from-to-reversed": ["--from", "2026-10-31", "--to", "2026-10-01"],
        "from-year-1": ["--from", "0001-01-01", "--to", "2026-10-31"],
        "to-year-9999": ["--from", "2026-10-01", "--to", "9999-12-31"],
        "period-and-from": ["--period", "2026-10", "--from", "2026-10-01"],
        "period-garbage": ["--period", "2026-10..x"],
        "every-day-300-years": ["--period", "1900-01-01..2199-12-31", "--every", "day"],
        "every-week-200-years": ["--from", "1950-01-01", "--to", "2150-12-31", "--every", "week"],
        "every-nonsense": ["--period", "2026-10", "--every", "fortnight"],
    }
    for command in ("report", "staffing", "types", "themes", "customers", "trend", "scorecard"):
        for name, extra in periods.items():
            if "--every" in extra and command not in ("report", "types", "trend", "scorecard"):
                continue

            def build(tmp: Path, command: str = command, extra: list[str] = extra) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=READS[command])
                return [command, str(tmp / "data"), *extra]

            found.append(
                Case("traceback", f"{name}-{command}", build, allowed=BAD_INPUT, timeout=10)
            )
    tops = {
        "types": ["0", "-3"],
        "themes": ["0", "-1"],
        "customers": ["0", "-5"],
        "clv": ["0", "-1"],
    }
    for command, values in tops.items():
        for value in values:

            def build(tmp: Path, command: str = command, value: str = value) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=READS[command])
                return [command, str(tmp / "data"), "--period", "2026-10", "--top", value]

            found.append(Case("traceback", f"top-{value}-{command}", build, allowed=BAD_INPUT))
    for name, extra in {
        "horizon-huge": ["--horizon", "9999999999999999999999999"],
        "horizon-big": ["--horizon", "100000"],
        "discount-nan": ["--discount", "nan"],
    }.items():

        def build(tmp: Path, extra: list[str] = extra) -> list[str]:
            _dataset(tmp, random.Random(SEED), tables=READS["clv"])
            return ["clv", str(tmp / "data"), *extra]

        found.append(Case("hang", name, build, allowed=BAD_INPUT, timeout=10))
    for name, extra in {
        "staffing-threshold-inf": ["staffing", "--threshold", "inf"],
        "staffing-threshold-nan": ["staffing", "--threshold", "nan"],
        "staffing-threshold-negative": ["staffing", "--threshold", "-5"],
        "customers-cost-inf": ["customers", "--cost-per-contact", "inf"],
        "customers-cost-nan": ["customers", "--cost-per-contact", "nan"],
    }.items():

        def build(tmp: Path, extra: list[str] = extra) -> list[str]:
            _dataset(tmp, random.Random(SEED), tables=READS[extra[0]])
            return [extra[0], str(tmp / "data"), "--period", "2026-10", *extra[1:]]

        found.append(Case("exit_code", name, build, allowed=BAD_INPUT))

    for extra in (["--format", "json"], ["--format", "md"], ["--format", "nope"], ["--lang", "x"]):

        def build(tmp: Path, extra: list[str] = extra) -> list[str]:
            return ["kpis", *extra]

        allowed = frozenset({0}) if extra[1] in ("json", "md") else BAD_INPUT
        found.append(Case("exit_code", f"kpis-{'-'.join(extra)}", build, allowed=allowed))

    # The partitioned engine reads Parquet history itself: the same breaks must hold there.
    for name, change in {
        "year-9999": lambda r, i: r.update(created_at="9999-12-31T00:00:00Z") if i < 3 else None,
        "stray-1900": lambda r, i: r.update(created_at="1900-01-01T00:00:00Z") if i == 0 else None,
        "all-rejected": lambda r, i: r.update(resolved_at="2026-01-01T00:00:00Z"),
        "inf-replies": lambda r, i: r.update(agent_replies=float("inf")) if i < 2 else None,
    }.items():
        for period in (["--period", "2026-10"], []):

            def build(tmp: Path, change=change, period: list[str] = period) -> list[str]:
                rows = base_rows("tickets", random.Random(SEED), 30)
                for i, row in enumerate(rows):
                    change(row, i)
                write_table(tmp / "data" / "tickets" / "2026-10.parquet", rows, "parquet")
                return [
                    "report",
                    str(tmp / "data"),
                    "--engine",
                    "partitioned",
                    "-f",
                    "csv",
                    *period,
                ]

            def engine_agrees(
                tmp: Path, result: object, name: str = name, period: list[str] = period
            ) -> None:
                # As in memory: a table with no usable row is not available, never 0, and a
                # stray date is left out of the default periods with a note.
                text = result.stderr  # type: ignore[attr-defined]
                if name == "all-rejected":
                    assert result.exit_code == 2  # type: ignore[attr-defined]
                if name == "all-rejected" and period:  # without one: no dated record to take
                    assert "every row of" in text, text[-800:]
                    assert ",all,all,tickets_created,," in result.stdout  # type: ignore
                if name == "stray-1900":
                    assert result.exit_code == 0, text[-800:]  # type: ignore[attr-defined]
                    assert "1900-01" not in result.stdout  # type: ignore[attr-defined]

            found.append(
                Case(
                    "traceback",
                    f"partitioned-{name}{'-' + '-'.join(period)}",
                    build,
                    timeout=30,
                    check=engine_agrees,
                )
            )

    def no_dask(tmp: Path) -> list[str]:
        _dataset(tmp, random.Random(SEED), fmt="parquet")
        return ["report", str(tmp / "data"), "--period", "2026-10", "--engine", "dask"]

    found.append(
        Case(
            "traceback",
            "engine-dask-not-installed",
            no_dask,
            allowed=BAD_INPUT,
            stderr_has="pip install",
            tags={"no_dask"},
        )
    )
    return found


def _silent_zeros(rng: random.Random) -> list[Case]:
    found: list[Case] = []
    # Every row rejected: the table is not available, the run exits 2, nothing reads as 0.
    spoil = [
        (
            "tickets",
            "resolved_before_created",
            lambda r: r.update(resolved_at="2026-09-01T00:00:00Z", first_response_at=None),
        ),
        ("calls", "bad_timestamp", lambda r: r.update(queued_at="yesterday")),
        ("surveys", "out_of_scale", lambda r: r.update(survey="csat", score="12")),
        # A 7.5 cannot be bucketed promoter/passive/detractor: rejected, never averaged or 0.
        ("surveys", "fractional", lambda r: r.update(score="2.5")),
        ("costs", "bad_month", lambda r: r.update(period="2026-13")),
        ("agents", "negative", lambda r: r.update(hours_worked="-5")),
        ("revenue", "bad_number", lambda r: r.update(amount="n/a")),
    ]
    rotation = 0
    for table, name, change in spoil:
        readers = ["report", *(c for c in COMMANDS[3:] if table in READS[c])]
        for fmt in FORMATS:
            rotation += 1
            for command in ("validate", readers[rotation % len(readers)]):

                def build(
                    tmp: Path,
                    table: str = table,
                    change=change,
                    fmt: str = fmt,
                    command: str = command,
                ) -> list[str]:
                    rows = base_rows(table, random.Random(SEED))
                    for row in rows:
                        change(row)
                    write_table(tmp / "data" / f"{table}.{fmt}", rows, fmt)
                    others = [t for t in TABLES if t != table]
                    _dataset(tmp, random.Random(SEED), tables=tuple(others))
                    if command == "report":
                        return ["report", str(tmp / "data"), "--period", "2026-10", "-f", "csv"]
                    return _command(command, tmp / "data")

                def not_zero(
                    tmp: Path,
                    result: object,
                    table: str = table,
                    command: str = command,
                    name: str = name,
                ) -> None:
                    assert "every row of" in result.stderr  # type: ignore[attr-defined]
                    if name == "fractional":
                        assert "12 not_an_integer" in result.stderr  # type: ignore[attr-defined]
                    kpi = {"tickets": "tickets_created", "surveys": "csat"}.get(table)
                    if command == "report" and kpi is not None:
                        line = next(
                            x
                            for x in result.stdout.splitlines()  # type: ignore
                            if f",all,all,{kpi}," in x
                        )
                        assert f",{kpi},," in line, line

                found.append(
                    Case(
                        "silent_zero",
                        f"all-rejected-{name}-{table}-{fmt}-{command}",
                        build,
                        allowed=BAD_INPUT,
                        check=not_zero,
                    )
                )

    # A blank training_days is missing, not 0.
    def blank(tmp: Path) -> list[str]:
        rows = base_rows("agents", random.Random(SEED), 3)
        for row in rows:
            row["training_days"] = ""
        write_table(tmp / "data" / "agents.csv", rows, "csv")
        return ["validate", str(tmp / "data"), "--format", "json"]

    def blank_is_missing(tmp: Path, result: object) -> None:
        from cskpi.io.inputs import InputSpec
        from cskpi.io.load import load_dataset

        agents = load_dataset(InputSpec(data_dir=tmp / "data")).tables["agents"]
        assert agents["training_days"].isna().all(), agents["training_days"].tolist()

    found.append(
        Case(
            "silent_zero",
            "blank-training-days-is-missing",
            blank,
            allowed=frozenset({0}),
            check=blank_is_missing,
        )
    )
    # Share of rejects above the threshold (from the flag and from cskpi.toml).
    for where in ("flag", "config"):

        def build(tmp: Path, where: str = where) -> list[str]:
            rows = base_rows("tickets", random.Random(SEED))
            for row in rows[:4]:
                row["created_at"] = "not a date"
            write_table(tmp / "data" / "tickets.csv", rows, "csv")
            if where == "config":
                (tmp / "data" / "cskpi.toml").write_text("max_reject_rate = 20\n")
                return ["report", str(tmp / "data"), "--period", "2026-10"]
            return ["report", str(tmp / "data"), "--period", "2026-10", "--max-reject-rate", "20"]

        found.append(
            Case(
                "silent_zero",
                f"reject-share-over-threshold-{where}",
                build,
                allowed=BAD_INPUT,
                stderr_has="max_reject_rate 20",
            )
        )
    return found


def _hangs() -> list[Case]:
    import os

    found: list[Case] = []
    for command in COMMANDS:
        if command == "kpis":
            continue
        table = READS[command][0]
        for kind in ("fifo", "dev_zero", "folder_fifo", "dir_as_file"):

            def build(
                tmp: Path, command: str = command, table: str = table, kind: str = kind
            ) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=tuple(t for t in TABLES if t != table))
                if kind == "fifo":
                    os.mkfifo(tmp / "pipe.csv")
                    return [command, f"--{table}", str(tmp / "pipe.csv"), *_period(command)]
                if kind == "dev_zero":
                    return [command, f"--{table}", "/dev/zero", *_period(command)]
                if kind == "folder_fifo":
                    os.mkfifo(tmp / "data" / f"{table}.csv")
                else:
                    (tmp / "data" / f"{table}.csv").mkdir()
                return [command, str(tmp / "data"), *_period(command)]

            found.append(
                Case(
                    "hang",
                    f"{kind}-{command}",
                    build,
                    allowed=BAD_INPUT,
                    timeout=10,
                    stderr_has="not a regular file",
                )
            )
    # One stray date must not make the default period span a century.
    for stray in (
        "1900-01-01T00:00:00Z",
        "1700-10-01T00:00:00Z",
        "1899-12-30T00:00:00Z",
        "2226-10-01T00:00:00Z",
    ):
        for command in ("report", "trend", "types", "validate", "scorecard"):

            def build(tmp: Path, stray: str = stray, command: str = command) -> list[str]:
                rows = base_rows("tickets", random.Random(SEED), 40)
                rows[3]["created_at"] = stray
                rows[3]["first_response_at"] = rows[3]["resolved_at"] = None
                write_table(tmp / "data" / "tickets.csv", rows, "csv")
                return [command, str(tmp / "data")] + (
                    ["--format", "json"] if command == "validate" else []
                )

            def outlier_named(
                tmp: Path, result: object, stray: str = stray, command: str = command
            ) -> None:
                text = result.stdout + result.stderr  # type: ignore[attr-defined]
                if command in ("report", "trend", "validate", "scorecard"):
                    assert "outlier" in text, text[-2000:]
                if command in ("report", "scorecard"):
                    assert "2026-10" in result.stdout  # type: ignore[attr-defined]
                    assert stray[:7] not in result.stdout  # type: ignore[attr-defined]

            found.append(
                Case(
                    "hang",
                    f"stray-date-{stray[:4]}-{command}",
                    build,
                    allowed=frozenset({0}),
                    timeout=15,
                    check=outlier_named,
                )
            )
    return found


def _exit_codes() -> list[Case]:
    found: list[Case] = []
    configs = {
        "target-unknown-kpi": '[targets]\ncsta = ">= 85"\n',
        "target-inf": '[targets]\ncsat = ">= 1e999"\n',
        "target-huge": '[targets]\ncsat = ">= ' + "9" * 400 + '"\n',
        "threshold-negative": "[thresholds]\nservice_level_seconds = -20\n",
        "threshold-inf": "[thresholds]\nservice_level_seconds = inf\n",
        "threshold-nan": "[thresholds]\nshort_abandon_seconds = nan\n",
        "sla-inf": "[sla]\nfirst_response_hours = inf\n",
        "reject-rate-over-100": "max_reject_rate = 150\n",
        "unknown-key": "currencyy = 'EUR'\n",
        "not-utf8": "\xff\xfe",
        "binary": None,
    }
    for name, text in configs.items():
        for command in ("validate", "report", "trend", "customers"):

            def build(
                tmp: Path, text: str | None = text, command: str = command, name: str = name
            ) -> list[str]:
                _dataset(tmp, random.Random(SEED), tables=READS[command])
                target = tmp / "data" / "cskpi.toml"
                if text is None:
                    target.write_bytes(bytes(range(256)))
                else:
                    target.write_bytes(text.encode("latin-1" if name == "not-utf8" else "utf-8"))
                return _command(command, tmp / "data")

            found.append(Case("exit_code", f"config-{name}-{command}", build, allowed=BAD_INPUT))
    for command in ("validate", "report", "themes"):

        def build(tmp: Path, command: str = command) -> list[str]:
            _dataset(tmp, random.Random(SEED), tables=READS[command])
            (tmp / "conf").mkdir()
            return _command(command, tmp / "data", "--config", str(tmp / "conf"))

        found.append(Case("exit_code", f"config-is-a-folder-{command}", build, allowed=BAD_INPUT))

    def unreadable(tmp: Path) -> list[str]:
        import os

        _dataset(tmp, random.Random(SEED), tables=("tickets",))
        sub = tmp / "data" / "calls"
        sub.mkdir()
        (sub / "2026-10.csv").write_bytes(csv_bytes(base_rows("calls", random.Random(SEED))))
        os.chmod(sub, 0)
        return ["report", str(tmp / "data"), "--period", "2026-10"]

    found.append(
        Case(
            "exit_code",
            "unreadable-sub-folder",
            unreadable,
            allowed=BAD_INPUT,
            tags={"needs_permissions"},
        )
    )
    return found


def _data_loss() -> list[Case]:
    import os

    found: list[Case] = []
    for command, flag in (
        ("report", "-o"),
        ("report", "--rejects"),
        ("validate", "--rejects"),
        ("scorecard", "-o"),
    ):
        for fmt in FORMATS:
            for how in ("same", "symlink", "hardlink", "relative", "config", "map", "sub_file"):

                def build(
                    tmp: Path,
                    command: str = command,
                    flag: str = flag,
                    fmt: str = fmt,
                    how: str = how,
                ) -> list[str]:
                    files = _dataset(tmp, random.Random(SEED), fmt=fmt)
                    target = files["tickets"]
                    extra: list[str] = []
                    if how == "symlink":
                        (tmp / "link").symlink_to(target)
                        target = tmp / "link"
                    elif how == "hardlink":
                        os.link(target, tmp / "hard")
                        target = tmp / "hard"
                    elif how == "relative":
                        target = tmp / "data" / ".." / "data" / target.name
                    elif how == "config":
                        target = tmp / "data" / "cskpi.toml"
                        target.write_text('currency = "EUR"\n')
                    elif how == "map":
                        target = tmp / "mine.toml"
                        target.write_text(
                            'name = "mine"\ntable = "tickets"\ndetect = ["nothing_here"]\n'
                        )
                        extra = ["--map", str(target)]
                    elif how == "sub_file":
                        sub = tmp / "data" / "calls"
                        sub.mkdir()
                        target = write_table(
                            sub / f"2026-11.{fmt}", base_rows("calls", random.Random(1)), fmt
                        )
                    period = ["--period", "2026-10"] if command != "validate" else []
                    output = ["-f", "csv"] if flag == "-o" else []
                    return [command, str(tmp / "data"), *period, *output, *extra, flag, str(target)]

                found.append(
                    Case(
                        "data_loss",
                        f"{how}-{fmt}-{command}{flag}",
                        build,
                        allowed=BAD_INPUT,
                        stderr_has="would destroy",
                    )
                )
    return found


def _injection() -> list[Case]:
    found: list[Case] = []
    payloads = [
        '=HYPERLINK("http://x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "<script>alert(1)</script>",
        "\t=1",
        "=cmd|' /C calc'!A0",
        "ctl\x01\x02chars",
    ]
    targets = {
        "tickets": ("type", "channel", "agent_id", "team", "customer_id", "priority"),
        "surveys": ("comment", "survey", "agent_id"),
        "revenue": ("customer_id", "segment"),
        "calls": ("queue", "agent_id"),
    }
    runs = [
        ("types", ["-f", "csv"]),
        ("types", ["-f", "html"]),
        ("customers", ["-f", "csv"]),
        ("themes", ["-f", "csv"]),
        ("themes", ["-f", "html"]),
        ("clv", ["-f", "csv"]),
        ("staffing", ["-f", "csv"]),
        ("trend", ["-f", "csv"]),
        ("report", ["--by", "agent,channel,type", "-f", "csv"]),
        ("report", ["--by", "agent,team", "-o", "OUT.html"]),
        ("report", ["--by", "agent", "-o", "OUT.xlsx"]),
        ("report", ["--by", "type", "-o", "OUT.md"]),
        ("report", ["--by", "team", "-o", "OUT.json"]),
        ("validate", ["--rejects", "OUT.csv"]),
        ("report", ["--rejects", "OUT.csv", "--max-reject-rate", "100"]),
        ("scorecard", ["-f", "csv", "--by", "agent"]),
        ("scorecard", ["-o", "OUT.html", "--by", "team"]),
        ("scorecard", ["-o", "OUT.xlsx", "--by", "agent"]),
        ("scorecard", ["-o", "OUT.json", "--by", "type"]),
    ]
    for fmt in ("csv", "xlsx"):
        for command, extra in runs:

            def build(
                tmp: Path, fmt: str = fmt, command: str = command, extra: list[str] = extra
            ) -> list[str]:
                rng = random.Random(f"{SEED}{fmt}")
                for table in TABLES:
                    rows = base_rows(table, rng)
                    for i, row in enumerate(rows):
                        for column in targets.get(table, ()):
                            if column in row and i % 2 == 0:
                                row[column] = payloads[(i // 2) % len(payloads)]
                        if table == "tickets" and i == 5:
                            row["created_at"] = payloads[0]  # a rejected row holds it too
                    write_table(tmp / "data" / f"{table}.{fmt}", rows, fmt)
                # A file named like a formula: file names reach the rejects file and notes.
                sub = tmp / "data" / "calls"
                sub.mkdir()
                rows = base_rows("calls", rng)
                rows[0]["queued_at"] = "not a time"
                write_table(sub / "=HYPERLINK(1).csv", rows, "csv")
                args = [a.replace("OUT", str(tmp / "out")) for a in extra]
                return [command, str(tmp / "data"), *_period(command), *args]

            found.append(
                Case(
                    "injection",
                    f"{fmt}-{command}-{'-'.join(extra[:2])}",
                    build,
                    allowed=ANY_OUTCOME,
                    tags={"outputs"},
                )
            )
    return found
