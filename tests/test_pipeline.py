"""run_report gives every engine's report the same comparison, significance tests and charts."""

import pytest

from cskpi.config import Config
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset
from cskpi.metrics.compare import WELCH_TEST
from cskpi.pipeline import ReportRequest, run_report
from cskpi.scale.engines import PartitionedEngine
from cskpi.scale.memory import MemoryEngine

from .scale.history import make_history


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return make_history(tmp_path_factory.mktemp("pipeline"), rows=400, months=2)


def _both(history, request):
    dataset = load_dataset(InputSpec(data_dir=history, tz="UTC"))
    memory = MemoryEngine(dataset.tables, request.config, request.by, files=dataset.files)
    return run_report(request, memory), run_report(
        request,
        PartitionedEngine(
            InputSpec(data_dir=history, tz="UTC"),
            request.by,
            request.config,
            every_column=request.charts,
        ),
    )


def test_the_partitioned_engine_tests_significance_like_the_pandas_engine(history):
    request = ReportRequest(
        by=["agent"], config=Config(), tz="UTC", period="2026-10", baseline="previous"
    )
    pandas, partitioned = _both(history, request)
    assert partitioned.rows == pandas.rows
    assert partitioned.comparisons == pandas.comparisons
    tests = {c.test for c in partitioned.comparisons.values()}
    assert WELCH_TEST in tests  # a test on record-level values ran


def test_the_partitioned_engine_gives_the_html_charts_of_the_pandas_engine(history):
    request = ReportRequest(by=[], config=Config(), tz="UTC", period="2026-10", charts=True)
    pandas, partitioned = _both(history, request)
    assert pandas.charts["daily_volume"]
    assert partitioned.charts == pandas.charts


def test_a_report_without_a_period_covers_every_month_of_the_data(history):
    request = ReportRequest(by=[], config=Config(), tz="UTC")
    pandas, partitioned = _both(history, request)
    assert pandas.periods == partitioned.periods == ["2026-09", "2026-10"]
