"""The next canonical Parquet file is read while this one's rows are checked: the same tables,
reports and errors as reading one file after the other."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cskpi.errors import InputFileError
from cskpi.io import load
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset


def _write(folder) -> None:
    times = pa.array(
        [pd.Timestamp("2026-10-01 08:00") + pd.Timedelta(hours=i) for i in range(6)],
        pa.timestamp("us"),  # wall times: read in the reading zone
    )
    tickets = pa.table(
        {"ticket_id": [f"T{i}" for i in range(6)], "created_at": times, "agent_id": ["a", "b"] * 3}
    )
    calls = pa.table(
        {
            "call_id": [f"C{i}" for i in range(6)],
            "queued_at": times,
            "answered_at": times,
            "ended_at": times,
            "agent_id": ["a"] * 6,
        }
    )
    pq.write_table(tickets, folder / "tickets.parquet", row_group_size=4)
    pq.write_table(calls, folder / "calls.parquet", row_group_size=4)


def _one_after_the_other(monkeypatch) -> None:
    monkeypatch.setattr(load._ReadAhead, "start", lambda self, table, path: None)


def test_files_read_ahead_load_exactly_as_files_read_in_turn(tmp_path, monkeypatch):
    _write(tmp_path)
    taken: list[str] = []
    take = load._ReadAhead.take

    def recorded(self, path):
        found = take(self, path)
        if found is not load._NOT_READ:
            taken.append(path.name)
        return found

    monkeypatch.setattr(load._ReadAhead, "take", recorded)
    spec = InputSpec(data_dir=tmp_path, tz="Europe/Helsinki")
    ahead = load_dataset(spec)
    assert taken  # the second file was read ahead
    _one_after_the_other(monkeypatch)
    in_turn = load_dataset(spec)
    for name, frame in in_turn.tables.items():
        pd.testing.assert_frame_equal(ahead.tables[name], frame, check_exact=True)
    assert [(f.path, f.rows_read, f.rows_used) for f in ahead.files] == [
        (f.path, f.rows_read, f.rows_used) for f in in_turn.files
    ]


@pytest.mark.parametrize("broken", ["calls.parquet", "tickets.parquet"])
def test_a_broken_file_stops_the_load_with_the_same_message_read_ahead_or_not(
    tmp_path, monkeypatch, broken
):
    _write(tmp_path)
    (tmp_path / broken).write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    with pytest.raises(InputFileError) as ahead:
        load_dataset(InputSpec(data_dir=tmp_path))
    _one_after_the_other(monkeypatch)
    with pytest.raises(InputFileError) as in_turn:
        load_dataset(InputSpec(data_dir=tmp_path))
    assert str(ahead.value) == str(in_turn.value)
    assert broken in str(ahead.value)
