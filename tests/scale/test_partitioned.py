import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cskpi.config import Config
from cskpi.io.inputs import InputSpec
from cskpi.metrics.periods import parse_periods
from cskpi.scale.columns import needed_columns
from cskpi.scale.partitioned import compute_partitioned, history_range, open_history

from .history import make_history, pandas_csv, tidy

BY = ["agent", "channel"]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return make_history(tmp_path_factory.mktemp("history"))


def _partitioned_csv(data, periods, by, tz="UTC", **kwargs):
    history = open_history(InputSpec(data_dir=data, tz=tz), by)
    return tidy(compute_partitioned(history, periods, Config(), **kwargs), periods)


def test_period_by_period_gives_the_in_memory_tidy_csv_byte_for_byte(history):
    periods = parse_periods("2026-08..2026-10", None, None, "UTC")
    expected = pandas_csv(history, periods, BY)
    assert _partitioned_csv(history, periods, BY) == expected
    assert expected.count("\n") > 500


def test_periods_streamed_in_small_batches_give_the_same_tidy_csv(history):
    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    expected = pandas_csv(history, periods, ["team"])
    assert _partitioned_csv(history, periods, ["team"], max_rows=250) == expected


def test_a_range_period_and_a_timezone_read_the_same_records(history):
    periods = parse_periods("2026-09-10..2026-10-04", None, None, "Europe/Helsinki")
    expected = pandas_csv(history, periods, [], tz="Europe/Helsinki")
    assert _partitioned_csv(history, periods, [], tz="Europe/Helsinki") == expected


def test_the_default_periods_come_from_the_same_date_range(history):
    from cskpi.io.load import load_dataset
    from cskpi.scale.columns import data_range

    tables = load_dataset(InputSpec(data_dir=history)).tables
    assert history_range(open_history(InputSpec(data_dir=history), [])) == data_range(tables)


def test_only_the_columns_kpis_breakdowns_and_checks_need_are_read():
    columns = needed_columns("surveys", [])
    assert "comment" not in columns and "channel" not in columns
    assert "channel" in needed_columns("surveys", ["channel"])
    assert {"response_id", "submitted_at", "survey", "score", "question"} <= set(columns)


def _tickets(rows):
    frame = pd.DataFrame(rows, columns=["ticket_id", "created_at", "resolved_at", "updated_at"])
    for column in ("created_at", "resolved_at", "updated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return pa.Table.from_pandas(frame, preserve_index=False)


def test_a_ticket_copied_into_a_later_export_counts_once_by_its_latest_copy(tmp_path):
    # T1 was resolved in September in the September export and reopened, then resolved in October,
    # in the October export. The latest copy wins: September resolves 0 tickets, October 2
    # (T1 and T2), and T1 is in September's backlog. Naive slicing would count T1 in both months.
    folder = tmp_path / "tickets"
    folder.mkdir()
    pq.write_table(
        _tickets([("T1", "2026-09-03 10:00", "2026-09-20 10:00", "2026-09-20 10:00")]),
        folder / "2026-09.parquet",
    )
    pq.write_table(
        _tickets(
            [
                ("T1", "2026-09-03 10:00", "2026-10-05 09:00", "2026-10-05 09:00"),
                ("T2", "2026-10-02 08:00", "2026-10-02 09:30", "2026-10-02 09:30"),
            ]
        ),
        folder / "2026-10.parquet",
    )
    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    expected = pandas_csv(tmp_path, periods, [])
    got = _partitioned_csv(tmp_path, periods, [])
    assert got == expected
    assert "2026-09,all,all,tickets_resolved,0,count,0" in got
    assert "2026-09,all,all,backlog_end,1,count,1" in got
    assert "2026-10,all,all,tickets_resolved,2,count,2" in got


def test_naive_timestamps_near_a_month_edge_land_in_the_local_month(tmp_path):
    # 2026-09-30 23:30 in Helsinki is 20:30 UTC: a September ticket, read via the widened window.
    frame = pd.DataFrame(
        {
            "ticket_id": ["A", "B"],
            "created_at": pd.to_datetime(["2026-09-30 23:30", "2026-10-01 00:10"]),
        }
    )
    (tmp_path / "tickets").mkdir()
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "tickets" / "2026-10.parquet"
    )
    periods = parse_periods("2026-09..2026-10", None, None, "Europe/Helsinki")
    got = _partitioned_csv(tmp_path, periods, [], tz="Europe/Helsinki")
    assert got == pandas_csv(tmp_path, periods, [], tz="Europe/Helsinki")
    assert "2026-09,all,all,tickets_created,1,count,1" in got
    assert "2026-10,all,all,tickets_created,1,count,1" in got


def test_a_later_period_takes_an_earlier_files_open_tickets_from_memory(history, monkeypatch):
    from cskpi.scale import partitioned

    spec = InputSpec(data_dir=history, tz="UTC")
    state = open_history(spec, BY)
    periods = parse_periods("2026-08..2026-10", None, None, "UTC")
    opened = []
    real = partitioned._file_dataset
    monkeypatch.setattr(
        partitioned, "_file_dataset", lambda path: opened.append(path) or real(path)
    )
    rows = compute_partitioned(state, periods, Config())
    assert tidy(rows, periods) == pandas_csv(history, periods, BY)
    first = sorted(state.files["tickets"])[0]
    carried = state.carried[first].raw.to_pandas()
    # Only tickets still open after the file's last creation are kept: resolved later or never.
    latest = pq.read_table(first, columns=["created_at"]).column("created_at").to_pandas().max()
    still_open = carried["resolved_at"].isna() | (carried["resolved_at"] >= latest)
    assert len(carried) and still_open.all()
    assert len(carried) < pq.read_metadata(first).num_rows / 2
    # The earliest files are not opened again for the October report: their dates are known.
    earliest = {sorted(state.files[t])[0] for t in ("tickets", "calls", "surveys")}
    opened.clear()
    typed = []
    real_canonical = partitioned._canonical
    monkeypatch.setattr(
        partitioned,
        "_canonical",
        lambda path, table, *a, **k: typed.append(path) or real_canonical(path, table, *a, **k),
    )
    october = parse_periods("2026-10", None, None, "UTC")
    assert tidy(compute_partitioned(state, october, Config()), october) == pandas_csv(
        history, october, BY
    )
    assert not earliest.intersection(opened)
    # Nor typed again: the kept tickets were typed once, when August first needed them.
    assert first not in typed and typed
    assert state.carried[first].typed is not None
    assert set(state.carried[first].raw.schema.names) == {"created_at", "resolved_at"}


def test_each_parquet_file_counts_the_rows_it_kept_and_rejected_as_the_loader_does(tmp_path):
    from cskpi.io.load import load_dataset
    from cskpi.scale.partitioned import scan

    (tmp_path / "surveys").mkdir()
    pq.write_table(
        pa.table(
            {
                "response_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
                "submitted_at": [
                    "2026-10-01T10:00:00Z",
                    "yesterday",
                    *["2026-10-02T10:00:00Z"] * 4,
                ],
                "survey": ["csat", "csat", "nps", "nps", "csat", "ces"],
                "score": [5.0, 4.0, 7.5, 11.0, 3.0, 2.0],  # R3 fractional, R4 out of scale
                "comment": ["fine", None, None, None, "=1", None],
            }
        ),
        tmp_path / "surveys" / "2026-10.parquet",
    )
    history = scan(open_history(InputSpec(data_dir=tmp_path), []))
    (report,) = history.reports
    (loaded,) = load_dataset(InputSpec(data_dir=tmp_path)).files
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (6, 3, 3)
    assert report.rejects_by_reason == {
        "bad_timestamp": 1,
        "not_an_integer": 1,
        "score_out_of_scale": 1,
    }
    assert report.rejects_by_reason == loaded.rejects_by_reason
    assert (report.rows_read, report.rows_used) == (loaded.rows_read, loaded.rows_used)
    assert history.unusable == {}


def _span_by_definition(stamps):
    """The bulk span written out plainly (every step on whole copies), to check the lean one."""
    from cskpi.metrics.periods import OUTLIER_FLOOR, OUTLIER_MADS

    values = np.concatenate(
        [s.dropna().to_numpy(dtype="datetime64[ns]").view("int64") for s in stamps]
    )
    middle = np.median(values)
    distance = np.abs(values.astype("float64") - middle)
    limit = max(OUTLIER_MADS * float(np.median(distance)), OUTLIER_FLOOR.value)
    far = distance > limit
    kept = values[~far]
    stamp = lambda v: pd.Timestamp(int(v), tz="UTC")  # noqa: E731
    return (
        stamp(kept.min()),
        stamp(kept.max()),
        int(far.sum()),
        [stamp(v) for v in np.unique(values[far])[:3]],
    )


@pytest.mark.parametrize("count", [7, 8])
def test_the_span_of_compact_dates_is_the_bulk_span_by_definition_whatever_the_block(count):
    from cskpi.metrics.periods import bulk_span, span_of_instants
    from cskpi.scale.partitioned import span_of, stamp_values

    rng = np.random.default_rng(count)
    base = pd.Timestamp("2026-01-01", tz="UTC").value
    month = pd.Timedelta(days=30).value
    aware = pd.Series(pd.to_datetime(base + rng.integers(0, month, count * 100), utc=True))
    # Two stray years (a typo and an epoch zero) and a missing date; naive dates read as UTC.
    stray = pd.Series(
        pd.to_datetime(["2062-03-01 10:00", "1970-01-01 00:00", None]), dtype="datetime64[ns]"
    ).dt.tz_localize("UTC")
    naive = pd.Series(pd.to_datetime(["2026-01-15 08:00", "2026-01-16 09:30"]))
    low, high, outliers, examples = _span_by_definition([aware, stray, naive])
    expected = bulk_span([aware, stray, naive])
    assert expected is not None and expected.outliers == outliers == 2
    assert (expected.low, expected.high, list(expected.examples)) == (low, high, examples)
    for block in (3, 1000):
        values = np.concatenate([stamp_values(s) for s in (aware, stray, naive)])
        assert span_of_instants(values, block=block) == expected
    assert span_of([stamp_values(s) for s in (aware, stray, naive)]) == expected
    assert span_of([stamp_values(stray.iloc[2:])]) is None


def test_kept_tickets_whose_ids_are_floats_are_typed_with_each_periods_slice(tmp_path):
    # Float ids read as integers only when every id of the rows typed together is whole, so
    # typing the kept tickets once could differ from typing a period's slice: they are not.
    from cskpi.scale import partitioned

    (tmp_path / "tickets").mkdir()
    stamps = pd.to_datetime
    months = {
        "2026-08": (
            [1.0, 2.0, 3.5],
            ["2026-08-03", "2026-08-10", "2026-08-20"],
            ["2026-08-05", None, "2026-09-15"],
        ),
        "2026-09": ([4.0], ["2026-09-05"], ["2026-09-06"]),
        "2026-10": ([5.0], ["2026-10-07"], [None]),
    }
    for month, (ids, created, resolved) in months.items():
        frame = pd.DataFrame(
            {
                "ticket_id": ids,
                "created_at": stamps(created),
                "resolved_at": stamps(pd.Series(resolved, dtype="object")),
                "channel": "email",
            }
        )
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False),
            tmp_path / "tickets" / f"{month}.parquet",
        )
    periods = parse_periods("2026-08..2026-10", None, None, "UTC")
    state = open_history(InputSpec(data_dir=tmp_path, tz="UTC"), [])
    got = tidy(compute_partitioned(state, periods, Config()), periods)
    assert got == pandas_csv(tmp_path, periods, [])
    assert "2026-10,all,all,backlog_end,2,count,2" in got
    kept = state.carried[sorted(state.files["tickets"])[0]]
    assert kept.typed is None and partitioned._types_row_by_row("tickets", kept.raw.schema) is False


def test_typed_and_untidy_parquet_files_give_the_loaders_rows_rejects_and_report(tmp_path):
    """One file stored as canonical kinds (read without a text per cell), one whose texts carry
    edge spaces (typed the careful way): the same counts, rejects and KPIs as loading them."""
    from cskpi.io.load import load_dataset
    from cskpi.scale.partitioned import scan

    from .history import pandas_csv

    (tmp_path / "tickets").mkdir()
    stamp = pa.timestamp("us", tz="UTC")

    def tickets(month: str, agents: list[str | None], ids: list[str]) -> pa.Table:
        created = pd.to_datetime([f"{month}-0{d}T09:00:00Z" for d in (1, 2, 3, 4)])
        return pa.table(
            {
                "ticket_id": ids,
                "created_at": pa.array(created, type=stamp),
                # the third resolved before it was created: rejected
                "resolved_at": pa.array(
                    [
                        created[0] + pd.Timedelta(hours=5),
                        None,
                        created[2] - pd.Timedelta(hours=1),
                        created[3] + pd.Timedelta(hours=30),
                    ],
                    type=stamp,
                ),
                "agent_id": agents,
                "escalated": pa.array([True, None, False, False]),  # a missing flag
                "agent_replies": pa.array([1, 2, None, 1], type=pa.int64()),
            }
        )

    pq.write_table(
        tickets("2026-09", ["A1", "A2", None, "A1"], ["1", "2", "3", "4"]),
        tmp_path / "tickets" / "2026-09.parquet",
    )
    pq.write_table(
        tickets("2026-10", [" A1", "A2 ", "A2", None], ["5", "6", "7", "8"]),
        tmp_path / "tickets" / "2026-10.parquet",
    )
    history = scan(open_history(InputSpec(data_dir=tmp_path), ["agent"]))
    loaded = load_dataset(InputSpec(data_dir=tmp_path)).files
    by_file = {r.path: r for r in loaded}
    assert len(history.reports) == 2
    for report in history.reports:
        expected = by_file[report.path]
        assert (report.rows_read, report.rows_used, report.rows_rejected) == (4, 3, 1)
        assert report.rejects_by_reason == expected.rejects_by_reason
        assert (report.rows_used, report.rows_rejected) == (
            expected.rows_used,
            expected.rows_rejected,
        )
    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    expected_csv = pandas_csv(tmp_path, periods, ["agent"])
    assert _partitioned_csv(tmp_path, periods, ["agent"]) == expected_csv
    assert "2026-10,agent,A1,tickets_created,1," in expected_csv  # " A1" read as A1
