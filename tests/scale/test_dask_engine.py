import pytest

from cskpi.config import Config
from cskpi.metrics.periods import parse_periods

from .history import make_history, pandas_csv, tidy

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return make_history(tmp_path_factory.mktemp("history"), rows=500, months=2)


@pytest.fixture(scope="module")
def client():
    from cskpi.scale.dask_engine import connect

    client = connect(None, workers=2, processes=False)
    yield client
    client.close()


def test_the_dask_engine_gives_the_pandas_tidy_csv(history, client):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.scale.dask_engine import compute_dask, open_dask

    periods = parse_periods("2026-09..2026-10", None, None, "UTC")
    by = ["agent", "queue"]
    small = {
        t: f
        for t, f in load_dataset(InputSpec(data_dir=history)).tables.items()
        if t in ("costs", "agents")
    }
    frames = open_dask(str(history), by, periods)
    assert frames["tickets"].npartitions == 2
    rows = compute_dask(client, frames, small, periods, by, Config(), tz="UTC")
    # Counts, sums, means, rates and exact percentiles alike.
    assert tidy(rows, periods) == pandas_csv(history, periods, by)


def test_the_default_periods_come_from_the_cluster(history, client):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.scale.columns import data_range
    from cskpi.scale.dask_engine import dask_range, open_dask

    tables = load_dataset(InputSpec(data_dir=history)).tables
    assert dask_range(open_dask(str(history), []), {}, "UTC") == data_range(
        {t: tables[t] for t in ("tickets", "calls", "surveys")}
    )


def test_an_unreachable_scheduler_is_a_usage_error():
    from cskpi.errors import UsageError
    from cskpi.scale.dask_engine import connect

    with pytest.raises(UsageError, match="cannot connect"):
        connect("tcp://127.0.0.1:1")


def test_the_dask_engine_report_has_the_pandas_comparison_tests_and_charts(history, client):
    from cskpi.io.inputs import InputSpec
    from cskpi.io.load import load_dataset
    from cskpi.metrics.compare import WELCH_TEST
    from cskpi.pipeline import ReportRequest, run_report
    from cskpi.scale.engines import DaskEngine
    from cskpi.scale.memory import MemoryEngine

    dataset = load_dataset(InputSpec(data_dir=history, tz="UTC"))
    small = {t: f for t, f in dataset.tables.items() if t in ("costs", "agents")}
    request = ReportRequest(
        by=["agent"], config=Config(), tz="UTC", period="2026-10", baseline="previous", charts=True
    )
    dask = DaskEngine(client, str(history), ["agent"], Config(), "UTC", small, [], None)
    dask.every_column = True
    expected = run_report(request, MemoryEngine(dataset.tables, Config(), ["agent"]))
    result = run_report(request, dask)
    assert result.rows == expected.rows
    assert result.comparisons == expected.comparisons
    assert any(c.test == WELCH_TEST for c in result.comparisons.values())
    assert result.charts == expected.charts
