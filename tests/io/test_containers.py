"""Containers and layouts: the same records packed or laid out any way load as the same table."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.errors import InputFileError
from cskpi.io import read
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"
CONNECT = json.loads((FIXTURES / "amazon_connect.json").read_text(encoding="utf-8"))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def _layouts(records: list[dict]) -> dict[str, tuple[str, bytes]]:
    as_list = json.dumps(records, indent=1).encode()
    lines = "\n".join(json.dumps(r) for r in records).encode() + b"\n"
    return {
        "json list": ("calls.json", as_list),
        "json lines": ("calls.jsonl", lines),
        "ndjson with CRLF and a blank line": ("calls.ndjson", lines.replace(b"\n", b"\r\n\r\n")),
        "back to back, no separator": (
            "calls.json",
            "".join(json.dumps(r) for r in records).encode(),
        ),
        "back to back, pretty": (
            "calls.json",
            "".join(json.dumps(r, indent=2) for r in records).encode(),
        ),
        "envelope": ("calls.json", json.dumps({"data": records, "count": len(records)}).encode()),
        "envelope one level down": (
            "calls.json",
            json.dumps({"_embedded": {"contacts": records}, "_links": {"next": None}}).encode(),
        ),
        "gzip": ("calls.json.gz", gzip.compress(as_list)),
        "gzip of json lines": ("calls.jsonl.gz", gzip.compress(lines)),
        "zip": ("calls.zip", _zip({"export/calls.json": as_list})),
        "zip of gzip": ("calls.zip", _zip({"calls.jsonl.gz": gzip.compress(lines)})),
        "gzip under a .json name": ("calls.json", gzip.compress(as_list)),
    }


def _load(path: Path, table: str = "calls") -> pd.DataFrame:
    return load_dataset(InputSpec(files={table: [path]})).tables[table]


@pytest.mark.parametrize("layout", list(_layouts(CONNECT)))
def test_every_container_and_layout_of_the_same_records_gives_the_same_calls(tmp_path, layout):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(CONNECT), encoding="utf-8")
    name, blob = _layouts(CONNECT)[layout]
    path = tmp_path / name
    path.write_bytes(blob)
    expected_raw = read.read_any(baseline)
    (inner, inner_blob), *rest = read.unpack(path) or [(path, None)]
    raw = read.read_any(inner, data=inner_blob)
    assert not rest
    pd.testing.assert_frame_equal(raw.frame, expected_raw.frame)
    assert raw.headers == expected_raw.headers
    assert raw.lines.tolist() == list(range(1, len(CONNECT) + 1))
    calls = _load(path)
    pd.testing.assert_frame_equal(calls, _load(baseline))
    expected = json.loads((FIXTURES / "amazon_connect.expected.json").read_text(encoding="utf-8"))
    assert len(calls) == expected["rows_used"] > 0


def test_one_json_object_is_one_record_even_when_it_holds_lists_of_objects(tmp_path):
    record = dict(CONNECT[0], Recordings=[{"Location": "s3://a", "Type": "AUDIO"}])
    path = tmp_path / "calls.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    raw = read.read_json(path)
    assert len(raw.frame) == 1 and raw.frame.loc[0, "ContactId"] == "c-001"
    assert json.loads(raw.frame.loc[0, "Recordings"]) == [{"Location": "s3://a", "Type": "AUDIO"}]


@pytest.mark.parametrize(
    "doc",
    [
        {"tickets": [{"id": 1}, {"id": 2}], "next_page": None, "count": 2},
        {"ticket_metrics": [{"id": 1}, {"id": 2}], "users": []},
        {"conversations": [{"id": 1}, {"id": 2}], "pages": {"next": None}, "total_count": 2},
        {"_embedded": {"conversations": [{"id": 1}, {"id": 2}]}, "page": {"size": 2}},
        {"users": [], "tickets": [{"id": 1}, {"id": 2}]},  # the first list holding records wins
    ],
)
def test_api_envelopes_give_their_list_of_records(tmp_path, doc):
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert read.read_json(path).frame["id"].tolist() == [1, 2]


def test_mongodb_extended_json_values_become_plain_values(tmp_path):
    lines = [
        {"_id": {"$oid": "64f0c0ffee"}, "ticket_id": {"$numberLong": "9007199254740993"},
         "created_at": {"$date": "2026-10-01T08:30:00Z"}, "status": "open"},
        {"_id": {"$oid": "64f0c0ffef"}, "ticket_id": {"$numberLong": "2"},
         "created_at": {"$date": {"$numberLong": "1790000000000"}}, "status": "open"},
    ]  # fmt: skip
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    raw = read.read_json(path)
    assert raw.frame["_id"].tolist() == ["64f0c0ffee", "64f0c0ffef"]
    tickets = _load(path, "tickets")
    # A 64-bit ID beyond float precision stays exact as text.
    assert tickets["ticket_id"].tolist() == ["9007199254740993", "2"]
    assert tickets["created_at"].tolist() == [
        pd.Timestamp("2026-10-01 08:30", tz="UTC"),
        pd.Timestamp(1_790_000_000_000, unit="ms", tz="UTC"),
    ]


def test_broken_json_lines_name_the_line(tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": \n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"calls\.jsonl, row 3: is not valid JSON"):
        read.read_json(path)


CSV = b"ticket_id,created_at,status\nT1,2026-10-01 09:00,solved\nT2,2026-10-02 10:30,open\n"


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TICKET_ROWS = [["ticket_id", "created_at", "status"], ["T1", "2026-10-01 09:00", "solved"],
               ["T2", "2026-10-02 10:30", "open"]]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "blob", "fmt"),
    [
        ("tickets.csv", gzip.compress(CSV), "csv"),  # gzip under a .csv name
        ("tickets.csv", _workbook({"Tickets": TICKET_ROWS}), "xlsx"),  # a workbook named .csv
        ("tickets.xlsx", CSV, "csv"),  # a CSV named .xlsx
        (
            "tickets.csv",
            json.dumps(
                [dict(zip(TICKET_ROWS[0], r, strict=True)) for r in TICKET_ROWS[1:]]
            ).encode(),
            "json",
        ),
        ("tickets.gz", gzip.compress(CSV), "csv"),  # no inner suffix: the inner bytes decide
    ],
)
def test_the_bytes_decide_the_format_not_the_suffix(tmp_path, name, blob, fmt):
    path = tmp_path / name
    path.write_bytes(blob)
    tickets = _load(path, "tickets")
    assert tickets["ticket_id"].tolist() == ["T1", "T2"]
    assert tickets["created_at"].tolist() == [
        pd.Timestamp("2026-10-01 09:00", tz="UTC"),
        pd.Timestamp("2026-10-02 10:30", tz="UTC"),
    ]
    dataset = load_dataset(InputSpec(files={"tickets": [path]}))
    assert dataset.files[0].format == fmt


def test_a_folder_scan_reads_zip_and_gzip_exports_and_every_member(tmp_path):
    (tmp_path / "tickets.csv.gz").write_bytes(gzip.compress(CSV))
    other = CSV.replace(b"T1", b"T3").replace(b"T2", b"T4")
    (tmp_path / "calls").mkdir()
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "older.zip").write_bytes(
        _zip({"a.csv": other, "__MACOSX/._a.csv": b"\x00\x05", "notes/": b"", "readme.md": b"x"})
    )
    dataset = load_dataset(InputSpec(data_dir=tmp_path))
    assert sorted(dataset.tables["tickets"]["ticket_id"]) == ["T1", "T2", "T3", "T4"]
    paths = sorted(Path(f.path).as_posix() for f in dataset.files)
    assert paths == [
        (tmp_path / "tickets.csv").as_posix(),
        (tmp_path / "tickets/older.zip/a.csv").as_posix(),
    ]


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (_zip({"readme.md": b"nothing here"}), "holds no export file"),
        (b"\x1f\x8b\x08\x00garbage", "is a damaged gzip file"),
        (b"PK\x03\x04garbage", "is a damaged zip file"),
    ],
)
def test_damaged_or_empty_containers_are_named_with_what_to_do(tmp_path, blob, message):
    path = tmp_path / "tickets.zip"
    path.write_bytes(blob)
    with pytest.raises(InputFileError, match=message) as caught:
        load_dataset(InputSpec(files={"tickets": [path]}))
    assert str(path) in str(caught.value)


def test_the_sheet_with_recognised_headers_is_read_and_named(tmp_path):
    path = tmp_path / "tickets.xlsx"
    notes = [["Export of October"], ["made by", "the helpdesk"]]
    path.write_bytes(_workbook({"Notes": notes, "Empty": [], "Tickets": TICKET_ROWS}))
    dataset = load_dataset(InputSpec(files={"tickets": [path]}))
    assert dataset.tables["tickets"]["ticket_id"].tolist() == ["T1", "T2"]
    assert dataset.files[0].sheet == "Tickets"


def test_the_first_of_two_recognised_sheets_wins_and_sheet_chooses_another(tmp_path):
    later = [TICKET_ROWS[0], ["T9", "2026-11-01 08:00", "open"]]
    path = tmp_path / "tickets.xlsx"
    path.write_bytes(_workbook({"Oct": TICKET_ROWS, "Nov": later}))
    assert load_dataset(InputSpec(files={"tickets": [path]})).files[0].sheet == "Oct"
    chosen = load_dataset(InputSpec(files={"tickets": [path]}, sheet="Nov"))
    assert chosen.tables["tickets"]["ticket_id"].tolist() == ["T9"]
    with pytest.raises(InputFileError, match=r"has no sheet 'Dec'. Use one of: 'Oct', 'Nov'"):
        load_dataset(InputSpec(files={"tickets": [path]}, sheet="Dec"))


def test_merged_cells_blank_cells_and_time_cells_keep_rows_and_values(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["call_id", "queued_at", "talk_seconds", "queue"])
    sheet.append(["C1", dt.datetime(2026, 10, 1, 9, 0), 143, "Support"])
    sheet.append(["C2", dt.datetime(2026, 10, 1, 9, 5), None, None])
    sheet.append(["C3", dt.datetime(2026, 10, 1, 9, 7), 0.5, None])
    sheet.merge_cells("D2:D4")
    sheet["E1"] = "wait"
    sheet["E2"] = dt.time(0, 2, 23)
    path = tmp_path / "calls.xlsx"
    book.save(path)
    raw = read.read_xlsx(path)
    assert raw.lines.tolist() == [2, 3, 4]
    assert raw.frame["queue"].tolist()[0] == "Support" and raw.frame["queue"].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert raw.frame["talk_seconds"].tolist()[0] == "143" and pd.isna(raw.frame["talk_seconds"][1])
    assert raw.frame["talk_seconds"][2] == "0.5"
    assert raw.frame["wait"].tolist()[0] == "00:02:23"
    assert raw.frame["queued_at"].tolist()[1] == "2026-10-01 09:05:00"


def test_openpyxl_reads_the_workbook_when_calamine_cannot(tmp_path, monkeypatch):
    path = tmp_path / "tickets.xlsx"
    path.write_bytes(_workbook({"Tickets": [[], *TICKET_ROWS]}))  # a blank first row
    expected = read.read_xlsx(path)

    def refuse(data):
        raise ValueError("cannot read")

    monkeypatch.setattr(read, "_calamine_sheets", refuse)
    fallback = read.read_xlsx(path)
    pd.testing.assert_frame_equal(fallback.frame, expected.frame)
    assert fallback.lines.tolist() == expected.lines.tolist() == [3, 4]


def test_validate_names_the_sheet_and_sheet_picks_another(tmp_path):
    from typer.testing import CliRunner

    from cskpi.cli.app import app

    path = tmp_path / "tickets.xlsx"
    later = [TICKET_ROWS[0], ["T9", "2026-11-01 08:00", "open"]]
    path.write_bytes(_workbook({"Oct": TICKET_ROWS, "Nov": later}))
    result = CliRunner().invoke(app, ["validate", "--tickets", str(path)])
    assert (
        result.exit_code == 0
        and "tickets.xlsx: vendor canonical, xlsx, sheet 'Oct'" in result.stdout
    )
    result = CliRunner().invoke(
        app, ["validate", "--tickets", str(path), "--sheet", "Nov", "--format", "json"]
    )
    [file] = json.loads(result.stdout)["tables"]["tickets"]["files"]
    assert result.exit_code == 0 and file["sheet"] == "Nov" and file["rows_used"] == 1
    result = CliRunner().invoke(app, ["validate", "--tickets", str(path), "--sheet", "Dec"])
    assert result.exit_code == 2 and "has no sheet 'Dec'" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_nested_beyond_any_export_is_refused_with_a_message(tmp_path):
    path = tmp_path / "tickets.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputFileError, match="nested too deeply"):
        read.read_json(path)


record_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
)
records = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(0, 10**6)},
        optional={
            "status": record_values,
            "via": st.fixed_dictionaries({"channel": record_values}),
            "tags": st.lists(st.text(max_size=4), max_size=2),
        },
    ),
    min_size=2,
    max_size=8,
)


@settings(max_examples=25, deadline=None)
@given(records=records)
def test_any_records_read_the_same_in_every_layout_and_container(records):
    expected = read.json_records([records], None)
    baseline = read.read_json(Path("records.json"), data=json.dumps(records).encode())
    for name, blob in _layouts(records).items():
        files = read.unpack(Path(blob[0]), blob[1]) or [(Path(blob[0]), blob[1])]
        [(inner, inner_blob)] = files
        raw = read.read_json(inner, data=inner_blob)
        pd.testing.assert_frame_equal(raw.frame, baseline.frame, obj=name)
    assert len(baseline.frame) == len(expected)


def test_a_hidden_sheet_comes_after_the_visible_ones(tmp_path):
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Lookup"
    for row in [TICKET_ROWS[0], ["X1", "2026-01-01 00:00", "open"]]:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    shown = book.create_sheet("Tickets")
    for row in TICKET_ROWS:
        shown.append(row)
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    raw = read.read_xlsx(path, accept=lambda headers: "ticket_id" in headers)
    assert raw.sheet == "Tickets" and raw.frame["ticket_id"].tolist() == ["T1", "T2"]


def test_one_record_read_where_a_map_names_the_list_of_records(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"id": 33, "ticket_id": 4343, "reopens": 55}), encoding="utf-8")
    assert read.read_json(path, "ticket_metrics").frame["ticket_id"].tolist() == [4343]
    path.write_text(json.dumps({"ticket_metrics": {"id": 33}}), encoding="utf-8")
    with pytest.raises(InputFileError, match="key 'ticket_metrics' does not hold a list"):
        read.read_json(path, "ticket_metrics")


def test_json_whole_numbers_beside_a_null_stay_whole_and_plain_lists_read_as_text(tmp_path):
    from cskpi.io.read import read_any

    path = tmp_path / "t.json"
    path.write_text(
        '[{"id": 1, "group_id": 98738, "tags": ["vip", "printer"], "cc": [{"id": 7}]},'
        ' {"id": 2, "group_id": null, "tags": [], "cc": []}]',
        encoding="utf-8",
    )
    frame = read_any(path).frame
    assert frame["group_id"].tolist() == [98738, None]
    assert frame["tags"].iloc[0] == "vip, printer" and pd.isna(frame["tags"].iloc[1])
    assert frame["cc"].iloc[0] == '[{"id": 7}]' and pd.isna(frame["cc"].iloc[1])


def _lying_zip(content: bytes, claimed: int) -> bytes:
    """A zip whose headers claim ``claimed`` unpacked bytes for a member of ``content``."""
    import struct

    blob = bytearray(_zip({"tickets.csv": content}))
    struct.pack_into("<I", blob, 22, claimed)  # local header: uncompressed size
    central = blob.rfind(b"PK\x01\x02")
    struct.pack_into("<I", blob, central + 24, claimed)
    return bytes(blob)


@pytest.mark.parametrize("packing", ["gzip", "zip", "zip of gzip"])
def test_a_container_unpacking_past_the_cap_is_refused_by_name(tmp_path, monkeypatch, packing):
    from cskpi.io import containers

    monkeypatch.setattr(containers, "MAX_UNPACKED", 64 << 10)  # 64 KB instead of 4 GB
    big = b"ticket_id,created_at\n" + b"1,2026-10-01\n" * 20_000  # 260 KB packing to ~1 KB
    name, blob = {
        "gzip": ("tickets.csv.gz", gzip.compress(big)),
        "zip": ("tickets.zip", _zip({"tickets.csv": big})),
        "zip of gzip": ("tickets.zip", _zip({"tickets.csv.gz": gzip.compress(big)})),
    }[packing]
    path = tmp_path / name
    path.write_bytes(blob)
    with pytest.raises(InputFileError, match="unpacks to more than") as caught:
        load_dataset(InputSpec(files={"tickets": [path]}))
    assert str(path) in str(caught.value) and "Unpack it" in str(caught.value)


def test_a_zip_member_larger_than_its_header_claims_is_damaged_not_unpacked(tmp_path):
    big = b"ticket_id,created_at\n" + b"1,2026-10-01\n" * 20_000
    path = tmp_path / "tickets.zip"
    path.write_bytes(_lying_zip(big, 100))
    with pytest.raises(InputFileError, match="damaged zip file") as caught:
        load_dataset(InputSpec(files={"tickets": [path]}))
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("member", ["../../x.csv", "/tmp/x-absolute.csv", "a/../../../x.csv"])
def test_a_zip_member_path_is_a_name_only_nothing_is_written_anywhere(tmp_path, member):
    rows = b"ticket_id,created_at\nT1,2026-10-01 10:00\nT2,2026-10-02 10:00\n"
    path = tmp_path / "in" / "tickets.zip"
    path.parent.mkdir()
    path.write_bytes(_zip({member: rows}))
    tickets = _load(path, "tickets")
    assert sorted(tickets["ticket_id"]) == ["T1", "T2"]
    assert not Path("/tmp/x-absolute.csv").exists() and not (tmp_path.parent / "x.csv").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in", "tickets.zip"]
