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


def test_rejects_need_the_pandas_engine(history, tmp_path):
    result = _report(str(history), "--engine", "partitioned", "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "--rejects needs the rows in memory" in result.stderr
