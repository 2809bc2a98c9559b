"""Each input file's SHA-256 in its FileReport, whichever path read it."""

from __future__ import annotations

import dataclasses
import hashlib

import pyarrow as pa
import pyarrow.parquet as pq

from cskpi.io import read
from cskpi.io.dataset import FileReport
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

# Timestamps with a Z and enough rows (> 64 KiB) that the first lines decide the time type.
ZONED_CSV = "ticket_id,created_at,agent_id\n" + "".join(
    f"{i},2026-10-01 08:{i % 60:02d}:00Z,A{i % 7}\n" for i in range(1, 4001)
)


def test_a_canonical_csv_report_carries_the_digest_of_its_bytes(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(ZONED_CSV, encoding="utf-8")
    (report,) = load_dataset(InputSpec(data_dir=tmp_path)).files
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_zoned_csv_times_read_by_the_fast_path_equal_the_careful_paths(tmp_path, monkeypatch):
    (tmp_path / "tickets.csv").write_text(ZONED_CSV, encoding="utf-8")
    fast = load_dataset(InputSpec(data_dir=tmp_path)).tables["tickets"]
    monkeypatch.setattr(read, "read_canonical_csv", lambda *a, **k: None)
    careful = load_dataset(InputSpec(data_dir=tmp_path)).tables["tickets"]
    assert len(fast) == 4000
    assert fast["created_at"].iloc[0] == careful["created_at"].iloc[0]
    assert fast.equals(careful)


def test_a_parquet_report_carries_the_digest_of_its_bytes(tmp_path):
    path = tmp_path / "tickets.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["1", "2"],
                "created_at": pa.array([0, 3_600_000_000], pa.timestamp("us", tz="UTC")),
            }
        ),
        path,
    )
    (report,) = load_dataset(InputSpec(data_dir=tmp_path)).files
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_digest_given_as_a_function_is_computed_once_on_first_read():
    calls = []

    def digest() -> str:
        calls.append(1)
        return "ab" * 32

    report = FileReport(path="x.csv", table="tickets", sha256=digest)
    assert calls == []
    assert dataclasses.asdict(report)["sha256"] == "ab" * 32
    assert report.sha256 == "ab" * 32
    assert calls == [1]


def test_a_report_without_a_digest_has_none():
    assert FileReport(path="x.csv", table="tickets").sha256 is None
