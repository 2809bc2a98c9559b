"""A large canonical CSV is parsed by Arrow from the file itself, never read whole into memory.

Files above load.CSV_START take that route; these tests lower the limit (to just past the header
row, which is read from that first part) so that small files do,
and check that every result is the one the in-memory route gives.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyarrow as pa
import pytest

from cskpi.io import load, read, schema
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

HEADER = "ticket_id,created_at,status,agent_replies,agent_id\n"
ROWS = [
    "1,2026-10-01 08:00:00Z,solved,2,A1\n",
    "2,2026-10-01 09:00:00Z,open,0,A2\n",
    "3,2026-10-02 10:30:00Z,solved,5,A1\n",
]

CASES = {
    "plain": HEADER + "".join(ROWS),
    "byte order mark": "\ufeff" + HEADER + "".join(ROWS),
    "windows line ends": (HEADER + "".join(ROWS)).replace("\n", "\r\n"),
    "no final newline": (HEADER + "".join(ROWS)).rstrip("\n"),
    "naive times": (HEADER + "".join(ROWS)).replace("Z,", ","),
    "blank line": HEADER + ROWS[0] + "\n" + ROWS[1] + "2,2026-13-01 09:00:00Z,x,1,A2\n",
    "quoted newline": HEADER + ROWS[0] + '2,2026-10-01 09:00:00Z,"op\nen",0,A2\n'
    "3,2026-13-02 10:30:00Z,solved,5,A1\n",
    "bad number": HEADER + ROWS[0] + "2,2026-10-01 09:00:00Z,open,x,A2\n" + ROWS[2],
    "extra field": HEADER + ROWS[0] + "2,2026-10-01 09:00:00Z,open,0,A2,more\n" + ROWS[2],
}


def _load(folder, monkeypatch, start: int):
    monkeypatch.setattr(load, "CSV_START", start)
    data = load_dataset(InputSpec(data_dir=folder))
    (report,) = data.files
    return data.tables["tickets"], data.rejects, report


@pytest.mark.parametrize("name", CASES)
def test_a_file_parsed_from_disk_loads_exactly_as_one_read_into_memory(tmp_path, monkeypatch, name):
    (tmp_path / "tickets.csv").write_bytes(CASES[name].encode("utf-8"))
    frame, rejects, report = _load(tmp_path, monkeypatch, 64)
    whole_frame, whole_rejects, whole_report = _load(tmp_path, monkeypatch, 1 << 20)
    pd.testing.assert_frame_equal(frame, whole_frame)
    pd.testing.assert_frame_equal(rejects, whole_rejects)
    assert dataclasses.asdict(report) == dataclasses.asdict(whole_report)


def test_rows_after_a_quoted_newline_are_rejected_at_their_own_line(tmp_path, monkeypatch):
    (tmp_path / "tickets.csv").write_text(CASES["quoted newline"], encoding="utf-8")
    frame, rejects, _ = _load(tmp_path, monkeypatch, 64)
    # header 1, row 2, the two-line row 3–4, the month-13 row 5
    assert frame["status"].tolist() == ["solved", "op\nen"]
    assert rejects[["line", "reason"]].values.tolist() == [[5, "bad_timestamp"]]


def test_a_clean_large_file_is_never_read_whole_into_memory(tmp_path, monkeypatch):
    (tmp_path / "tickets.csv").write_text(CASES["plain"], encoding="utf-8")

    def whole_file(path):
        raise AssertionError(f"{path} read whole")

    monkeypatch.setattr(read, "read_bytes", whole_file)
    frame, rejects, _ = _load(tmp_path, monkeypatch, 64)
    assert frame["agent_replies"].tolist() == [2, 0, 5]
    assert rejects.empty


@pytest.mark.parametrize(
    ("text", "lines"),
    [(b"", 1), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"a\r\nb\r\n", 2), (b"a\n\n\n", 3)],
)
def test_lines_are_counted_alike_in_a_file_and_in_memory(tmp_path, text, lines):
    (tmp_path / "f.csv").write_bytes(text)
    assert read._count_lines(text) == lines
    with open(tmp_path / "f.csv", "rb", buffering=0) as file:
        counted = read._CountingFile(file)
        while counted.read(2):
            pass
        assert counted.lines() == lines


@pytest.mark.parametrize("block", [64, 100, 150, 1 << 24])
def test_a_quoted_newline_anywhere_in_the_blocks_sends_the_file_to_the_careful_path(
    tmp_path, monkeypatch, block
):
    rows = [f"{i},2026-10-01 08:00:00Z,solved,{i},A1\n" for i in range(1, 9)]
    rows[3] = '4,2026-10-01 08:00:00Z,"sol\nved",4,A1\n'
    (tmp_path / "tickets.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    monkeypatch.setattr(read, "CANONICAL_BLOCK", block)
    kinds = {c.name: c.kind for c in schema.TABLES["tickets"].columns}
    assert read.read_canonical_csv(tmp_path / "tickets.csv", kinds, list(kinds), "UTC") is None
    frame, rejects, _ = _load(tmp_path, monkeypatch, 64)
    assert frame["agent_replies"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert frame["status"].iloc[3] == "sol\nved"
    assert rejects.empty


def test_without_the_quoted_newline_the_same_file_takes_the_fast_path(tmp_path, monkeypatch):
    rows = [f"{i},2026-10-01 08:00:00Z,solved,{i},A1\n" for i in range(1, 9)]
    (tmp_path / "tickets.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    monkeypatch.setattr(read, "CANONICAL_BLOCK", 64)
    kinds = {c.name: c.kind for c in schema.TABLES["tickets"].columns}
    fast = read.read_canonical_csv(tmp_path / "tickets.csv", kinds, list(kinds), "UTC")
    assert fast is not None and fast.lines.tolist() == [2, 3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("values", "edge"),
    [
        (["a", "b", None, ""], False),
        ([" a", "b"], True),
        (["a", "b\t"], True),
        (["", None, "x y"], False),
        (["a b", "c\td"], False),
        ([" "], True),
    ],
)
def test_an_edge_space_is_found_past_empty_and_missing_values(values, edge):
    for type_ in (pa.string(), pa.large_string()):
        array = pa.array(values, type_)
        assert read._has_edge_spaces(pa.chunked_array([array])) is edge
        # a slice of a longer array: its first slot is not the buffer's first
        sliced = pa.array([" x "] + values + [" y "], type_).slice(1, len(values))
        assert read._has_edge_spaces(pa.chunked_array([sliced])) is edge


def test_a_missing_value_whose_slot_holds_a_space_is_no_edge_space():
    # A null's bytes may be anything: Arrow leaves them as they were (here " a").
    valid = pa.py_buffer(bytes([0b10]))
    offsets = pa.py_buffer(pa.array([0, 2, 3], pa.int32()).buffers()[1].to_pybytes())
    array = pa.StringArray.from_buffers(2, offsets, pa.py_buffer(b" ab"), valid, null_count=1)
    assert array.to_pylist() == [None, "b"]
    assert read._has_edge_spaces(pa.chunked_array([array])) is False


def test_a_file_that_cannot_be_opened_for_the_parse_is_left_to_the_careful_path(
    tmp_path, monkeypatch
):
    (tmp_path / "tickets.csv").write_text(CASES["plain"], encoding="utf-8")
    kinds = {c.name: c.kind for c in schema.TABLES["tickets"].columns}

    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read, "open", unreadable, raising=False)
    assert read.read_canonical_csv(tmp_path / "tickets.csv", kinds, list(kinds), "UTC") is None


def test_the_parse_uses_the_c_allocator_unless_a_pool_is_chosen(monkeypatch):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    assert read._parse_pool().backend_name == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    assert read._parse_pool() is None  # Arrow's default pool, which the variable chose
