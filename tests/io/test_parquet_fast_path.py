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


def _labelled(folder, monkeypatch) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = InputSpec(data_dir=folder, categories={"tickets": ["agent_id"]})
    fast = load_dataset(spec).tables["tickets"]
    monkeypatch.setattr(read, "read_canonical_parquet", lambda *a, **k: None)
    careful = load_dataset(InputSpec(data_dir=folder)).tables["tickets"]
    return fast, careful


def test_label_columns_asked_as_categories_arrive_as_categoricals_of_the_same_texts(
    tmp_path, monkeypatch
):
    pq.write_table(_tickets(["a1", None, "b2", "a1"]), tmp_path / "tickets.parquet")
    fast, careful = _labelled(tmp_path, monkeypatch)
    assert isinstance(fast["agent_id"].dtype, pd.CategoricalDtype)
    assert str(careful["agent_id"].dtype) == "str"
    # a1, missing, b2, a1: the same texts and the same missing value, one code per row
    assert fast["agent_id"].cat.codes.tolist() == [0, -1, 1, 0]
    pd.testing.assert_frame_equal(fast.astype({"agent_id": "str"}), careful, check_exact=True)


def test_untidy_labels_leave_the_fast_path_even_when_asked_as_categories(tmp_path, monkeypatch):
    pq.write_table(_tickets(["a1 ", "", "b2"]), tmp_path / "tickets.parquet")
    raw = read.read_canonical_parquet(
        tmp_path / "tickets.parquet", KINDS, list(KINDS), "UTC", categories=["agent_id"]
    )
    assert raw is None
    fast, careful = _labelled(tmp_path, monkeypatch)
    # trimmed, and the blank one missing, as the careful path does
    assert fast["agent_id"].tolist()[0] == "a1" and pd.isna(fast["agent_id"].iloc[1])
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)


def test_excel_damaged_ids_in_a_label_column_are_counted_once_per_row(tmp_path):
    ids = ["1.03006E+13", "A7", "1.03006E+13", "2E+5", None]
    pq.write_table(_tickets(ids), tmp_path / "tickets.parquet")
    spec = InputSpec(data_dir=tmp_path, categories={"tickets": ["agent_id"]})
    dataset = load_dataset(spec)
    assert isinstance(dataset.tables["tickets"]["agent_id"].dtype, pd.CategoricalDtype)
    (warning,) = dataset.files[0].warnings
    assert "3 IDs were turned into scientific notation" in warning


def test_survey_names_read_as_categories_are_trimmed_and_case_folded_like_texts(tmp_path):
    n = 4
    surveys = pa.table(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "submitted_at": pa.array(
                [pd.Timestamp("2026-10-01", tz="UTC")] * n, pa.timestamp("us", tz="UTC")
            ),
            "survey": ["NPS", "nps", "CSat", "nps"],
            "score": [9.0, 10.0, 5.0, 3.0],
        }
    )
    pq.write_table(surveys, tmp_path / "surveys.parquet")
    spec = InputSpec(data_dir=tmp_path, categories={"surveys": ["survey"]})
    survey = load_dataset(spec).tables["surveys"]["survey"]
    # NPS and nps become one name; each row keeps its answer's survey
    assert survey.astype("str").tolist() == ["nps", "nps", "csat", "nps"]
    assert list(survey.cat.categories) == ["nps", "csat"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", [None, "UTC"])
@pytest.mark.parametrize("reading_tz", ["Europe/Helsinki", "UTC"])
def test_times_of_any_unit_zoned_or_naive_with_gaps_match_the_careful_path(
    unit, zone, reading_tz, tmp_path, monkeypatch
):
    created = pd.Series(
        pd.to_datetime(["2026-10-01 08:00:01", "2026-10-31 23:59:59", "2026-03-29 03:30:00"] * 3)
    )
    resolved = created.where([True, False, True] * 3) + pd.Timedelta(minutes=5)
    table = pa.table(
        {
            "ticket_id": [f"T{i}" for i in range(9)],
            "created_at": pa.array(created, pa.timestamp(unit, tz=zone)),
            "resolved_at": pa.array(resolved, pa.timestamp(unit, tz=zone)),
        }
    )
    pq.write_table(table, tmp_path / "tickets.parquet", row_group_size=4)  # three chunks
    spec = InputSpec(data_dir=tmp_path, tz=reading_tz)
    fast = load_dataset(spec).tables["tickets"]
    monkeypatch.setattr(read, "read_canonical_parquet", lambda *a, **k: None)
    careful = load_dataset(spec).tables["tickets"]
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)
    # naive times are the reading zone's wall clock (08:00 in Helsinki is 05:00 UTC in
    # October), zoned ones UTC
    first = fast["created_at"].iloc[0]
    local = zone is None and reading_tz != "UTC"
    assert first == pd.Timestamp(
        "2026-10-01 05:00:01" if local else "2026-10-01 08:00:01", tz="UTC"
    )
    assert str(fast["created_at"].dtype) == "datetime64[ns, UTC]"
    assert fast["resolved_at"].isna().tolist() == [False, True, False] * 3


def test_times_past_what_nanoseconds_hold_leave_the_fast_path(tmp_path):
    path = tmp_path / "tickets.parquet"
    far = pa.array(
        [pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2300-01-01", tz="UTC")],
        pa.timestamp("us", tz="UTC"),
    )
    pq.write_table(pa.table({"ticket_id": ["T1", "T2"], "created_at": far}), path)
    assert read.read_canonical_parquet(path, KINDS, list(KINDS), "UTC") is None


def test_numbers_read_a_row_group_at_a_time_match_the_careful_path(tmp_path, monkeypatch):
    table = _tickets(["a", "b", "c", "a", "b", "c", "a"])
    minutes = pa.array([1.5, None, 2.25, 0.0, None, 7.0, 3.5], pa.float64())
    table = table.append_column("first_response_business_minutes", minutes)
    pq.write_table(table, tmp_path / "tickets.parquet", row_group_size=3)  # 3 + 3 + 1 rows
    assert pq.ParquetFile(tmp_path / "tickets.parquet").metadata.num_row_groups == 3
    fast, careful = _both_paths(tmp_path, monkeypatch)
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)
    assert fast["agent_replies"].tolist()[2:] == [2.0, 1.0, 1.0, 1.0, 1.0]
    minutes_read = fast["first_response_business_minutes"]
    assert minutes_read.isna().tolist() == [False, True, False, False, True, False, False]


@pytest.mark.parametrize("column", ["created_at", "agent_replies"])
def test_a_later_row_group_out_of_reach_sends_the_file_to_the_careful_path(tmp_path, column):
    table = _tickets(["a", "b", "c", "a"])
    if column == "created_at":
        far = pd.Timestamp("2300-01-01", tz="UTC")
        values = [*table.column(column).to_pylist()[:3], far]
        replaced = pa.array(values, pa.timestamp("us", tz="UTC"))
    else:  # an integer no float holds exactly
        replaced = pa.array([1, 2, 3, 2**53 + 1], pa.int64())
    table = table.set_column(table.schema.get_field_index(column), column, replaced)
    path = tmp_path / "tickets.parquet"
    pq.write_table(table, path, row_group_size=2)
    assert read.read_canonical_parquet(path, KINDS, list(KINDS), "UTC") is None


def test_times_in_a_named_zone_over_several_row_groups_match_the_careful_path(
    tmp_path, monkeypatch
):
    table = _tickets(["a", "b", "c", "a", "b"])
    berlin = table.column("created_at").cast(pa.timestamp("us", tz="Europe/Berlin"))
    table = table.set_column(table.schema.get_field_index("created_at"), "created_at", berlin)
    pq.write_table(table, tmp_path / "tickets.parquet", row_group_size=2)
    fast, careful = _both_paths(tmp_path, monkeypatch)
    pd.testing.assert_frame_equal(fast, careful, check_exact=True)
    assert fast["created_at"].iloc[0] == pd.Timestamp("2026-10-01 08:00", tz="UTC")
