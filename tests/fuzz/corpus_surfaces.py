"""Seeded cases for the newer input surfaces: containers, JSON shapes, workbooks, localized dates,
maps and vendors, `cskpi map`, kept history and the scorecard's options.

Same :class:`Case` and harness as corpus.py; every case builds its files in a temporary folder.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import random
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.fuzz.corpus import (
    ANY_OUTCOME,
    BAD_INPUT,
    SEED,
    TABLES,
    Case,
    _dataset,
    base_rows,
    csv_bytes,
    write_table,
)

OK = frozenset({0})


def _tickets_csv(n: int = 12) -> bytes:
    return csv_bytes(base_rows("tickets", random.Random(SEED), n))


def _xlsx_bytes(rows: list[dict[str, object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _validate(tmp: Path) -> list[str]:
    return ["validate", str(tmp / "data"), "--format", "json"]


def _file_case(
    name: str,
    filename: str,
    content: bytes | Callable[[], bytes],
    allowed: frozenset[int] = BAD_INPUT,
    stderr_has: str | None = None,
    klass: str = "traceback",
    check=None,
) -> Case:
    def build(tmp: Path) -> list[str]:
        (tmp / "data").mkdir()
        data = content() if callable(content) else content
        (tmp / "data" / filename).write_bytes(data)
        return _validate(tmp)

    return Case(klass, name, build, allowed=allowed, stderr_has=stderr_has, check=check)


def _nothing_escaped(tmp: Path, result: object) -> None:
    """No file was written outside the data folder (a member path must never be extracted)."""
    stray = [p for p in tmp.rglob("*") if p.is_file() and "data" not in p.relative_to(tmp).parts]
    assert not stray, stray
    assert not (tmp / "x.csv").exists() and not Path("x.csv").exists()
    assert not Path("/tmp/cskpi-fuzz-absolute.csv").exists()


def _containers() -> list[Case]:
    tickets = _tickets_csv()
    gz = gzip.compress(tickets)
    xlsx = _xlsx_bytes(base_rows("tickets", random.Random(SEED)))
    found = [
        _file_case("gzip-truncated", "tickets.csv.gz", gz[: len(gz) // 2], stderr_has="gzip"),
        _file_case("gzip-bad-crc", "tickets.csv.gz", gz[:-8] + b"\0" * 8, stderr_has="gzip"),
        _file_case("gzip-header-only", "tickets.csv.gz", gz[:10], stderr_has="gzip"),
        _file_case(
            "gzip-of-binary-junk",
            "tickets.csv.gz",
            gzip.compress(bytes(random.Random(SEED).randrange(256) for _ in range(4000))),
        ),
        _file_case("gzip-of-nothing", "tickets.csv.gz", gzip.compress(b"")),
        _file_case(
            "zip-no-supported-member",
            "tickets.zip",
            _zip({"logo.png": b"\x89PNG", "notes/": b"", "__MACOSX/._t.csv": b"x"}),
            stderr_has="holds no export file",
        ),
        _file_case("zip-empty", "tickets.zip", _zip({}), stderr_has="tickets.zip"),
        _file_case(
            "zip-member-escapes",
            "tickets.zip",
            _zip({"../../x.csv": tickets}),
            allowed=ANY_OUTCOME,
            check=_nothing_escaped,
        ),
        _file_case(
            "zip-member-absolute",
            "tickets.zip",
            _zip({"/tmp/cskpi-fuzz-absolute.csv": tickets}),
            allowed=ANY_OUTCOME,
            check=_nothing_escaped,
        ),
        _file_case(
            "zip-in-zip-in-gzip",
            "tickets.zip.gz",
            gzip.compress(_zip({"inner.zip": _zip({"tickets.csv": tickets})})),
            allowed=ANY_OUTCOME,
        ),
        _file_case(
            "zip-member-csv-holding-xlsx",
            "tickets.zip",
            _zip({"tickets.csv": xlsx}),
            allowed=ANY_OUTCOME,
        ),
        _file_case("csv-holding-xlsx", "tickets.csv", xlsx, allowed=ANY_OUTCOME),
        _file_case(
            "csv-holding-json",
            "tickets.csv",
            json.dumps(base_rows("tickets", random.Random(SEED))).encode(),
            allowed=ANY_OUTCOME,
        ),
        _file_case("zip-truncated", "tickets.zip", _zip({"tickets.csv": tickets})[:60]),
    ]

    def parquet_as_csv(tmp: Path) -> list[str]:
        path = write_table(
            tmp / "p" / "t.parquet", base_rows("tickets", random.Random(SEED)), "parquet"
        )
        (tmp / "data").mkdir()
        (tmp / "data" / "tickets.csv").write_bytes(path.read_bytes())
        path.unlink()
        return _validate(tmp)

    found.append(Case("traceback", "csv-holding-parquet", parquet_as_csv, allowed=ANY_OUTCOME))

    def bomb(tmp: Path) -> list[str]:
        # A member that claims more than the cap: refused from the directory, never unpacked.
        (tmp / "data").mkdir()
        data = bytearray(_zip({"tickets.csv": tickets}))
        import struct

        # patch the central directory's uncompressed size to 5 GB-ish (0xFFFFFFF0)
        at = data.rfind(b"PK\x01\x02")
        struct.pack_into("<I", data, at + 24, 0xFFFFFFF0)
        (tmp / "data" / "tickets.zip").write_bytes(bytes(data))
        return _validate(tmp)

    found.append(Case("hang", "zip-member-claims-4gb", bomb, allowed=ANY_OUTCOME, timeout=10))

    def ratio(tmp: Path) -> list[str]:
        # 200 MB of one byte packs to ~200 KB; with a low cap it must be refused clearly.
        (tmp / "data").mkdir()
        out = io.BytesIO()
        packed = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        with packed as archive, archive.open("tickets.csv", "w") as member:
            member.write(tickets)
            for _ in range(64):
                member.write(b"\n" * (1 << 20))
        (tmp / "data" / "tickets.zip").write_bytes(out.getvalue())
        return _validate(tmp)

    found.append(Case("hang", "zip-huge-ratio-member", ratio, allowed=ANY_OUTCOME, timeout=20))
    return found


def _json_shapes() -> list[Case]:
    rows = base_rows("tickets", random.Random(SEED))
    lines = [json.dumps(r) for r in rows]
    broken = [*lines[:5], '{"ticket_id": "99", "created_at": ', *lines[5:]]
    found = [
        _file_case(
            "json-bom",
            "tickets.json",
            b"\xef\xbb\xbf" + json.dumps(rows).encode(),
            allowed=OK,
        ),
        _file_case(
            "jsonl-broken-line-in-middle",
            "tickets.jsonl",
            "\n".join(broken).encode(),
            allowed=BAD_INPUT,
            stderr_has="row 6: is not valid JSON",
        ),
        _file_case(
            "json-objects-with-garbage-between",
            "tickets.json",
            (lines[0] + " garbage " + lines[1] + "}}" + lines[2]).encode(),
        ),
        _file_case(
            "json-scalar-string",
            "tickets.json",
            b'"x"',
            stderr_has="does not hold a list of records",
        ),
        _file_case(
            "json-scalar-null",
            "tickets.json",
            b"null",
            stderr_has="does not hold a list of records",
        ),
        _file_case(
            "json-scalar-42-jsonl",
            "tickets.jsonl",
            b"42\n43\n",
            stderr_has="does not hold a list of records",
        ),
        _file_case(
            "json-list-of-scalars",
            "tickets.json",
            b"[1, 2, 3]",
            stderr_has="does not hold a list of records",
        ),
        _file_case("json-list-of-lists", "tickets.json", b"[[1], [2]]"),
    ]
    for name, value in {
        "string": {"$date": "yesterday"},
        "number-huge": {"$date": 1e300},
        "numberlong-bad": {"$date": {"$numberLong": "x"}},
        "null": {"$date": None},
        "nested": {"$date": {"$date": {"$date": 1}}},
        "list": {"$date": [1, 2]},
    }.items():
        doc = [dict(r, created_at=value if i < 3 else r["created_at"]) for i, r in enumerate(rows)]
        found.append(
            _file_case(
                f"mongo-date-{name}", "tickets.json", json.dumps(doc).encode(), allowed=ANY_OUTCOME
            )
        )
    return found


def _workbooks() -> list[Case]:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart

    found: list[Case] = []

    def book_case(
        name: str, make, extra: tuple[str, ...] = (), allowed=BAD_INPUT, has=None, check=None
    ):
        def build(tmp: Path) -> list[str]:
            (tmp / "data").mkdir()
            book = make()
            book.save(tmp / "data" / "tickets.xlsx")
            return [*_validate(tmp), *extra]

        found.append(
            Case(
                "traceback" if check is None else "silent_zero",
                f"xlsx-{name}",
                build,
                allowed=allowed,
                stderr_has=has,
                check=check,
            )
        )

    def formulas_are_missing(tmp: Path, result: object) -> None:
        # A formula with no cached value and an error cell are missing values, never 0.
        from cskpi.io.inputs import InputSpec
        from cskpi.io.load import load_dataset

        tickets = load_dataset(InputSpec(data_dir=tmp / "data")).tables["tickets"]
        first = tickets.sort_values("ticket_id").head(4)
        assert first["agent_replies"].isna().all(), first["agent_replies"].tolist()
        assert first["reopens"].isna().all(), first["reopens"].tolist()

    def serial_60_rejected(tmp: Path, result: object) -> None:
        # Serial 60 is Excel's 29 Feb 1900, a day that never was: rejected, not moved a day.
        entry = json.loads(result.stdout)["tables"]["tickets"]["files"][0]  # type: ignore
        assert entry["rejects_by_reason"].get("bad_timestamp") == 3, entry

    def empty_sheets():
        book = Workbook()
        book.create_sheet("Other")
        return book

    def chart_only():
        book = Workbook()
        sheet = book.active
        sheet.title = "Data"
        book.create_chartsheet("Chart").add_chart(BarChart())
        return book

    def chart_first():
        book = Workbook()
        chart = book.create_chartsheet("Chart", 0)
        chart.add_chart(BarChart())
        sheet = book.worksheets[0]
        rows = base_rows("tickets", random.Random(SEED))
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
        return book

    def blank_header():
        book = Workbook()
        sheet = book.active
        rows = base_rows("tickets", random.Random(SEED))
        sheet.append([None] * len(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
        return book

    def formulas():
        book = Workbook()
        sheet = book.active
        rows = base_rows("tickets", random.Random(SEED))
        sheet.append(list(rows[0]))
        for i, row in enumerate(rows):
            values = list(row.values())
            if i < 3:
                values[list(row).index("agent_replies")] = "=1/0"
                values[list(row).index("reopens")] = "=SUM(A1:A2)"
            sheet.append(values)
        for column in ("agent_replies", "reopens"):  # row 5 (ticket 1003): error cells
            cell = sheet.cell(5, list(rows[0]).index(column) + 1)
            cell.value, cell.data_type = ("#DIV/0!" if column == "reopens" else "#N/A"), "e"
        return book

    def dates_mixed():
        import datetime as dt

        book = Workbook()
        sheet = book.active
        rows = base_rows("tickets", random.Random(SEED))
        sheet.append(list(rows[0]))
        for i, row in enumerate(rows):
            values = list(row.values())
            at = list(row).index("created_at")
            values[at] = [dt.datetime(2026, 10, 1 + i), 46296.5, "2026-10-05 10:00", 60][i % 4]
            sheet.append(values)
        return book

    book_case("only-empty-sheets", empty_sheets)
    book_case("chart-sheet-beside-data", chart_only, allowed=ANY_OUTCOME)
    book_case("chart-sheet-first", chart_first, allowed=ANY_OUTCOME)
    book_case("header-row-all-blank", blank_header, allowed=ANY_OUTCOME)
    book_case("formulas-and-div0", formulas, allowed=ANY_OUTCOME, check=formulas_are_missing)
    book_case("dates-text-serials-and-serial-60", dates_mixed, allowed=OK, check=serial_60_rejected)
    book_case("sheet-missing", empty_sheets, ("--sheet", "othr"), has="Did you mean 'Other'")

    def no_sheets(tmp: Path) -> list[str]:
        # A workbook whose workbook.xml lists no sheet at all.
        (tmp / "data").mkdir()
        data = _xlsx_bytes(base_rows("tickets", random.Random(SEED)))
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    text = content.decode()
                    start, end = text.find("<sheets>"), text.find("</sheets>")
                    content = (text[:start] + "<sheets/>" + text[end + 9 :]).encode()
                target.writestr(item, content)
        (tmp / "data" / "tickets.xlsx").write_bytes(out.getvalue())
        return _validate(tmp)

    found.append(Case("traceback", "xlsx-no-sheets", no_sheets, allowed=BAD_INPUT))
    return found


# Cases whose every value contradicts itself: how many rows validate must reject.
CONTRADICTIONS = {"weekday-contradicts": 2, "feb-30": 3, "month-name-only": 3, "pm-with-24h": 2}


def _dates() -> list[Case]:
    found: list[Case] = []
    columns = {
        "months-mixed-languages": [
            "5 octobre 2026",
            "6 Oktober 2026",
            "7 lokakuuta 2026",
            "8 oct 2026",
        ],
        "pm-with-24h": ["2026-10-05 13:00 PM", "2026-10-05 00:30 AM", "2026-10-05 12:00 AM"],
        "feb-30": ["2026-02-30 10:00", "30.02.2026", "02/30/2026"],
        "weekday-contradicts": ["Monday, 2026-10-06", "Tue 5 Oct 2026 10:00"],
        "two-digit-years": ["05/10/26", "5.10.26 10:00", "26-10-05"],
        "month-name-only": ["October", "okt", "Oct 2026"],
    }
    for name, values in columns.items():
        for command in ("validate", "report"):

            def build(tmp: Path, values=values, command: str = command) -> list[str]:
                rows = base_rows("tickets", random.Random(SEED))
                for i, value in enumerate(values):
                    rows[i]["created_at"] = value
                    rows[i]["first_response_at"] = rows[i]["resolved_at"] = None
                write_table(tmp / "data" / "tickets.csv", rows, "csv")
                if command == "validate":
                    return _validate(tmp)
                return [
                    "report",
                    str(tmp / "data"),
                    "--period",
                    "2026-10",
                    "-f",
                    "csv",
                    "--max-reject-rate",
                    "100",
                ]

            def rejected(tmp: Path, result: object, name: str = name, command: str = command):
                # A date that cannot be one instant is a counted reject, never a guess.
                if command != "validate" or name not in CONTRADICTIONS:
                    return
                entry = json.loads(result.stdout)["tables"]["tickets"]["files"][0]  # type: ignore
                assert entry["rejects_by_reason"].get("bad_timestamp") == CONTRADICTIONS[name]

            found.append(Case("traceback", f"dates-{name}-{command}", build, check=rejected))
    return found


def _maps() -> list[Case]:
    found: list[Case] = []
    head = 'name = "m"\ntable = "tickets"\ndetect = ["a"]\n'
    survey = 'name = "m"\ntable = "surveys"\ndetect = ["x"]\n'
    maps = {
        "unknown-keys": head + 'flavour = 1\n[columns]\nticket_id = "a"\n',
        "wrong-types": 'name = 5\ntable = ["tickets"]\ndetect = "Id"\n[columns]\nticket_id = 7\n',
        "wrong-nested-types": head + "[columns]\nticket_id = { from = 'a', true = 5 }\n",
        "melt-no-columns": survey + "[[melt]]\ncolumns = []\n",
        "melt-missing-columns": survey + '[[melt]]\nquestion = "q"\n',
        "melt-scale-text": survey + '[[melt]]\nmatch = "x"\nsurvey = "csat"\nscale = ["a"]\n',
        "aliases-loop": head + '[aliases]\na = "b"\nb = "a"\n[columns]\nticket_id = "a"\n',
        "first-of-itself": head + '[columns]\nticket_id = { first_of = ["a", "a"] }\n',
        "unknown-table": 'name = "m"\ntable = "tickts"\ndetect = ["a"]\n',
        "unknown-column": head + '[columns]\ncreated = "a"\n',
        "not-a-table": "[[columns]]\nx = 1\n",
    }
    for name, text in maps.items():

        def build(tmp: Path, text: str = text) -> list[str]:
            _dataset(tmp, random.Random(SEED), tables=("tickets",))
            (tmp / "m.toml").write_text(text, encoding="utf-8")
            return ["validate", str(tmp / "data"), "--map", str(tmp / "m.toml")]

        # A loop of aliases or a rule reading its own header must end, whatever it reads.
        loops = name in ("aliases-loop", "first-of-itself")
        allowed = ANY_OUTCOME if loops else BAD_INPUT
        found.append(Case("exit_code", f"map-{name}", build, allowed=allowed, timeout=10))

    def vendor(tmp: Path) -> list[str]:
        _dataset(tmp, random.Random(SEED), tables=("tickets",))
        return ["validate", str(tmp / "data"), "--vendor", "freshdsk"]

    found.append(
        Case(
            "exit_code",
            "vendor-unknown",
            vendor,
            allowed=BAD_INPUT,
            stderr_has="Did you mean 'freshdesk'",
        )
    )
    headers = {
        "all-duplicates": lambda h: ["ticket_id"] * len(h),
        "5000-columns": lambda h: [*h, *(f"extra{i}" for i in range(5000))],
        "1mb-header-cell": lambda h: [*h[:-1], "x" * (1 << 20)],
    }
    for name, change in headers.items():

        def build(tmp: Path, change=change) -> list[str]:
            rows = base_rows("tickets", random.Random(SEED))
            header = change(list(rows[0]))
            body = csv_bytes(rows).split(b"\n", 1)[1]
            (tmp / "data").mkdir()
            (tmp / "data" / "tickets.csv").write_bytes(",".join(header).encode() + b"\n" + body)
            return _validate(tmp)

        has = "row 1: header cannot be parsed" if name == "1mb-header-cell" else None
        found.append(Case("hang", f"header-{name}", build, timeout=20, stderr_has=has))
    return found


_STARTER_INPUTS = {
    "gzip-truncated": ("t.csv.gz", lambda: gzip.compress(_tickets_csv())[:80]),
    "zip-empty": ("t.zip", lambda: _zip({})),
    "zip-escape": ("t.zip", lambda: _zip({"../../x.csv": _tickets_csv()})),
    "json-scalar": ("t.json", lambda: b"42"),
    "json-null": ("t.json", lambda: b"null"),
    "jsonl-broken": ("t.jsonl", lambda: b'{"a": 1}\n{"a": \n{"a": 3}\n'),
    "binary": ("t.csv", lambda: bytes(range(256)) * 8),
    "empty": ("t.csv", lambda: b""),
    "header-only": ("t.csv", lambda: b"a,b,c\n"),
    "xlsx-as-csv": ("t.csv", lambda: _xlsx_bytes(base_rows("tickets", random.Random(SEED)))),
    "dup-headers": ("t.csv", lambda: b"id,id,id\n1,2,3\n"),
    "1mb-header": ("t.csv", lambda: b"x" * (1 << 20) + b",b\n1,2\n"),
}


def _toml_breaking_headers() -> bytes:
    header = [
        'Ticket "ID"',
        "Created\nat",
        "Agent]]",
        "# Team",
        "Status = x",
        "\\u0000 back\\",
        "[columns]",
        "Tab\there",
    ]
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(6):
        # values reach the map as examples in comments: a newline there must not end the comment
        example = 'x\n[evil]\nkey = "1"' if i == 0 else "x"
        writer.writerow(
            [
                str(100 + i),
                f"2026-10-0{i + 1} 10:00",
                f"A{i}",
                "Aurora",
                "closed",
                example,
                "y",
                "z",
            ]
        )
    return out.getvalue().encode()


def _starter() -> list[Case]:
    found: list[Case] = []
    for name, (filename, make) in _STARTER_INPUTS.items():

        def build(tmp: Path, filename: str = filename, make=make) -> list[str]:
            (tmp / "data").mkdir()
            (tmp / "data" / filename).write_bytes(make())
            return ["map", str(tmp / "data" / filename)]

        found.append(Case("traceback", f"map-command-{name}", build, check=_nothing_escaped))

    def onto_input(tmp: Path) -> list[str]:
        _dataset(tmp, random.Random(SEED), tables=("tickets",))
        (tmp / "link.csv").symlink_to(tmp / "data" / "tickets.csv")
        return ["map", str(tmp / "data" / "tickets.csv"), "-o", str(tmp / "link.csv")]

    found.append(
        Case("data_loss", "map-command-o-onto-its-input-by-link", onto_input, allowed=BAD_INPUT)
    )

    def onto_map(tmp: Path) -> list[str]:
        _dataset(tmp, random.Random(SEED), tables=("tickets",))
        (tmp / "mine.toml").write_text('name = "mine"\ntable = "tickets"\ndetect = ["x"]\n')
        return ["map", str(tmp / "data" / "tickets.csv"), "-o", str(tmp / "mine.toml")]

    found.append(
        Case(
            "data_loss",
            "map-command-o-onto-an-existing-map",
            onto_map,
            allowed=BAD_INPUT,
            stderr_has="--force",
        )
    )

    def round_trip(tmp: Path, name: str) -> list[str]:
        (tmp / "data").mkdir()
        (tmp / "data" / name).write_bytes(_toml_breaking_headers())
        return ["map", str(tmp / "data" / name), "--table", "tickets", "-o", str(tmp / "m.toml")]

    def loads(tmp: Path, result: object, name: str) -> None:
        from typer.testing import CliRunner

        from cskpi.cli.app import app
        from cskpi.io.vendor_maps import load_map

        text = (tmp / "m.toml").read_text(encoding="utf-8")
        assert "evil" not in tomllib.loads(text)
        load_map(tmp / "m.toml")
        # The written map reads the file it was written for: every row, no reject.
        args = ["validate", "--tickets", str(tmp / "data" / name), "--map"]
        again = CliRunner().invoke(app, [*args, str(tmp / "m.toml"), "--format", "json"])
        assert again.exit_code == 0, again.stderr[-800:]
        entry = json.loads(again.stdout)["tables"]["tickets"]["files"][0]
        assert (entry["rows_read"], entry["rows_used"]) == (6, 6), entry

    # A file name with a line break reaches the map's first comment too.
    for label, name in {"plain": "export.csv", "newline-name": "ex\nport [evil].csv"}.items():
        found.append(
            Case(
                "traceback",
                f"map-command-toml-breaking-headers-round-trip-{label}",
                functools.partial(round_trip, name=name),
                allowed=OK,
                check=functools.partial(loads, name=name),
            )
        )
    return found


def _tidy(tmp: Path) -> str:
    """A tidy CSV of September by agent, as a scheduled job keeps it (base rows a month back)."""
    from typer.testing import CliRunner

    from cskpi.cli.app import app

    for table in TABLES:
        rows = base_rows(table, random.Random(SEED))
        for row in rows:
            row.update({k: v.replace("2026-10", "2026-09") for k, v in row.items() if v})
        write_table(tmp / "raw" / f"{table}.csv", rows, "csv")
    args = ["report", str(tmp / "raw"), "--period", "2026-09", "--by", "agent", "-f", "csv"]
    result = CliRunner().invoke(app, args)
    for path in (tmp / "raw").iterdir():
        path.unlink()
    (tmp / "raw").rmdir()
    return result.stdout


# Kept files no run can use: the run stops and names the file, row and column.
SPOILED = ("wrong-header", "missing-columns", "non-numeric", "binary")


def _history() -> list[Case]:
    found: list[Case] = []

    def spoil(name: str, text: str) -> str:
        lines = text.splitlines()
        if name == "wrong-header":
            return "a,b,c\n1,2,3\n"
        if name == "missing-columns":
            return "\n".join(line.rsplit(",", 3)[0] for line in lines)
        if name == "non-numeric":
            head, first, *rest = lines
            cells = first.split(",")
            at = head.split(",").index("value")
            cells[at] = "lots"
            return "\n".join([head, ",".join(cells), *rest])
        if name == "injected":
            head, first, *rest = lines
            cells = first.split(",")
            at = head.split(",").index("segment")
            cells[at] = "=cmd|' /C calc'!A0"
            return "\n".join([head, ",".join(cells), *rest])
        if name == "duplicated":
            return "\n".join([*lines, *lines[1:]])
        if name == "year-9999":
            return "\n".join(lines).replace("2026-09", "9999-09")
        if name == "unit-change":
            head, *rest = lines
            at = head.split(",").index("unit")
            out = []
            for line in rest:
                cells = line.split(",")
                if len(cells) > at and cells[at] == "%":
                    cells[at] = "ratio"
                out.append(",".join(cells))
            return "\n".join([head, *out])
        if name == "binary":
            return "\x00\x01\x02"
        return text

    for name in (
        "wrong-header",
        "missing-columns",
        "non-numeric",
        "injected",
        "duplicated",
        "year-9999",
        "unit-change",
        "binary",
    ):
        for command in ("trend", "scorecard"):

            def build(tmp: Path, name: str = name, command: str = command) -> list[str]:
                text = _tidy(tmp)
                (tmp / "kept").mkdir()
                (tmp / "kept" / "2026-09.csv").write_text(spoil(name, text), encoding="utf-8")
                rows = base_rows("tickets", random.Random(SEED))
                write_table(tmp / "data" / "tickets.csv", rows, "csv")
                return [
                    command,
                    str(tmp / "data"),
                    "--period",
                    "2026-09..2026-10",
                    "--history",
                    str(tmp / "kept"),
                    "-f",
                    "csv",
                ]

            def kept_apart(tmp: Path, result: object, name: str = name) -> None:
                out, err = result.stdout, result.stderr  # type: ignore[attr-defined]
                if name == "unit-change":
                    assert "left out" in err and "'ratio'" in err, err[-800:]
                if name == "year-9999":
                    assert "9999" not in out, out[-800:]
                if name == "non-numeric":
                    assert "column 'value': 'lots' is not a number" in err, err[-800:]
                if name in ("wrong-header", "missing-columns"):
                    assert "missing column(s)" in err, err[-800:]

            found.append(
                Case(
                    "traceback",
                    f"history-{name}-{command}",
                    build,
                    timeout=30,
                    check=kept_apart,
                    allowed=BAD_INPUT if name in SPOILED else OK,
                )
            )
    return found


def _scorecard() -> list[Case]:
    found: list[Case] = []
    options = {
        "every-unknown": (["--every", "fortnite"], "day"),
        "every-day-20-years": (["--period", "2006-01-01..2025-12-31", "--every", "day"], None),
        "lang-unknown": (["--lang", "xx"], "en"),
        "lang-near": (["--lang", "fin"], "Did you mean 'fi'"),
        "kpi-unknown": (["--kpi", "csta"], "Did you mean 'csat'"),
        "min-n-negative": (["--min-n", "-1"], None),
        "min-n-zero": (["--min-n", "0"], None),
        "area-unknown": (["--area", "happiness"], None),
        "by-unknown": (["--by", "agnet"], "agent"),
    }
    for name, (extra, hint) in options.items():

        def build(tmp: Path, extra: list[str] = extra) -> list[str]:
            _dataset(tmp, random.Random(SEED))
            period = [] if "--period" in extra else ["--period", "2026-10"]
            return ["scorecard", str(tmp / "data"), *period, *extra]

        found.append(
            Case(
                "exit_code",
                f"scorecard-{name}",
                build,
                allowed=BAD_INPUT,
                stderr_has=hint,
                timeout=10,
            )
        )
    names = ['=HYPERLINK("http://x","y")', "+1", "@x", "-1+2", "\t=1", "<script>alert(1)</script>"]
    for out in ("csv", "xlsx", "html", "json"):

        def build(tmp: Path, out: str = out) -> list[str]:
            for table in TABLES:
                rows = base_rows(table, random.Random(SEED))
                for i, row in enumerate(rows):
                    if "agent_id" in row:
                        row["agent_id"] = names[i % len(names)]
                write_table(tmp / "data" / f"{table}.csv", rows, "csv")
            target = ["-f", "csv"] if out == "csv" else ["-o", str(tmp / f"out.{out}")]
            return [
                "scorecard",
                str(tmp / "data"),
                "--period",
                "2026-10",
                "--min-n",
                "1",
                "--lang",
                "fi",
                *target,
            ]

        found.append(Case("injection", f"scorecard-formula-agents-{out}", build, allowed=OK))
    return found


def surface_cases() -> list[Case]:
    return [
        *_containers(),
        *_json_shapes(),
        *_workbooks(),
        *_dates(),
        *_maps(),
        *_starter(),
        *_history(),
        *_scorecard(),
    ]
