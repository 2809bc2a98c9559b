import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app

from .history import make_history


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    return make_history(tmp_path_factory.mktemp("history"), rows=300, months=2)


def _report(*args):
    return CliRunner().invoke(app, ["report", *args, "--format", "csv", "-q"])


def test_the_partitioned_engine_prints_the_same_report(history):
    pandas = _report(str(history), "--by", "team")
    partitioned = _report(str(history), "--by", "team", "--engine", "partitioned")
    assert pandas.exit_code == 0 and partitioned.exit_code == 0, partitioned.output
    assert partitioned.stdout == pandas.stdout


def test_compare_previous_works_with_the_partitioned_engine(history):
    pandas = _report(str(history), "--period", "2026-10", "--compare", "previous")
    partitioned = _report(
        str(history), "--period", "2026-10", "--compare", "previous", "--engine", "partitioned"
    )
    assert partitioned.exit_code == 0, partitioned.output
    assert partitioned.stdout.splitlines()[0].endswith(",previous,change")
    assert partitioned.stdout == pandas.stdout


def test_an_unknown_engine_is_a_usage_error(history):
    result = _report(str(history), "--engine", "spark")
    assert result.exit_code == 2
    assert "--engine 'spark' is not an engine" in result.stderr


def test_the_partitioned_engine_writes_the_rejected_rows_the_loader_writes(tmp_path):
    import pandas as pd

    data = make_history(tmp_path / "bad", rows=200, months=2)
    path = sorted((data / "tickets").glob("*.parquet"))[-1]
    frame = pd.read_parquet(path)
    frame.loc[[3, 7], "created_at"] = pd.NaT  # a ticket without a creation time is rejected
    frame.to_parquet(path, index=False)
    pandas_out, partitioned_out = tmp_path / "pandas.csv", tmp_path / "partitioned.csv"
    pandas = _report(str(data), "--rejects", str(pandas_out))
    partitioned = _report(str(data), "--engine", "partitioned", "--rejects", str(partitioned_out))
    assert pandas.exit_code == 0 and partitioned.exit_code == 0, partitioned.output
    written = pd.read_csv(partitioned_out)
    assert list(written["line"]) == [4, 8]
    assert partitioned_out.read_text() == pandas_out.read_text()
    assert partitioned.stdout == pandas.stdout


def test_the_dask_engine_refuses_rejects_it_cannot_count(history, tmp_path):
    result = _report(str(history), "--engine", "dask", "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "--rejects is not available with --engine dask" in result.stderr


def test_weeks_split_by_every_come_out_the_same_from_the_partitioned_engine(history):
    args = (str(history), "--period", "2026-10", "--every", "week", "--by", "agent")
    pandas = _report(*args)
    partitioned = _report(*args, "--engine", "partitioned")
    assert partitioned.exit_code == 0, partitioned.output
    assert "2026-W41" in partitioned.stdout
    assert partitioned.stdout == pandas.stdout
