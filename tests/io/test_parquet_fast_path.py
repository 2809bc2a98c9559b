"""Canonical Parquet files typed straight from Arrow give exactly what the careful path gives."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cskpi.io import read, schema
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

KINDS = {c.name: c.kind for c in schema.TABLES["tickets"].columns}


def _tickets(agent_ids: list[str | None], ticket_ids: list | None = None) -> pa.Table:
    n = len(agent_ids)
    return pa.table(
        {
            "ticket_id": ticket_ids or [f"T{i}" for i in range(n)],
            "created_at": pa.array(
                [
                    pd.Timestamp("2026-10-01 08:00", tz="UTC") + pd.Timedelta(hours=i)
                    for i in range(n)
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "agent_id": agent_ids,
            "agent_replies": pa.array([1, None, 2][:n] + [1] * max(0, n - 3), pa.int64()),
            "escalated": pa.array([True, None, False][:n] + [False] * max(0, n - 3)),
        }
    )


def _both_paths(folder, monkeypatch) -> tuple[pd.DataFrame, pd.DataFrame]:
    fast = load_dataset(InputSpec(data_dir=folder)).tables["tickets"]
    monkeypatch.setattr(read, "read_canonical_parquet", lambda *a, **k: None)
    careful = load_dataset(InputSpec(data_dir=folder)).tables["tickets"]
    return fast, careful


def test_clean_canonical_parquet_takes_the_fast_path_and_matches_the_careful_one(
    tmp_path, monkeypatch
):
    pq.write_table(_tickets(["a1", None, "b2"]), tmp_path / "tickets.parquet")
    assert read.read_canonical_parquet(tmp_path / "tickets.parquet", KINDS, list(KINDS), "UTC")
    fast, careful = _both_paths(tmp_path, monkeypatch)
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)
    # agent_replies 1, missing, 2 -> float64 with NaN; escalated nullable boolean
    assert fast["agent_replies"].tolist()[::2] == [1.0, 2.0]
    assert str(fast["escalated"].dtype) == "boolean"


@pytest.mark.parametrize("untidy", [" a1", "a1\t", "", "\xa0a1", "a1\u3000"])
def test_blank_or_space_edged_texts_leave_the_fast_path_and_are_trimmed(
    untidy, tmp_path, monkeypatch
):
    path = tmp_path / "tickets.parquet"
    pq.write_table(_tickets([untidy, "b2", "b2"]), path)
    assert read.read_canonical_parquet(path, KINDS, list(KINDS), "UTC") is None
    fast, careful = _both_paths(tmp_path, monkeypatch)
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)
    # blank -> missing; otherwise the trimmed text
    first = fast["agent_id"].iloc[0]
    assert pd.isna(first) if untidy == "" else first == "a1"


def test_integer_ids_leave_the_fast_path(tmp_path):
    path = tmp_path / "tickets.parquet"
    pq.write_table(_tickets(["a", "b", "c"], ticket_ids=[1, 2, 3]), path)
    assert read.read_canonical_parquet(path, KINDS, list(KINDS), "UTC") is None


def test_only_the_wanted_columns_are_read(tmp_path):
    path = tmp_path / "tickets.parquet"
    pq.write_table(_tickets(["a", "b", "c"]), path)
    raw = read.read_canonical_parquet(path, KINDS, ["ticket_id", "created_at"], "UTC")
    assert list(raw.frame.columns) == ["ticket_id", "created_at"]


def test_non_ascii_names_without_edge_spaces_stay_on_the_fast_path(tmp_path):
    path = tmp_path / "tickets.parquet"
    pq.write_table(_tickets(["Jyväskylä", "Łódź", "東京"]), path)
    raw = read.read_canonical_parquet(path, KINDS, list(KINDS), "UTC")
    assert raw is not None and raw.frame["agent_id"].tolist() == ["Jyväskylä", "Łódź", "東京"]
