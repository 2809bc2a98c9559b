"""`cskpi staffing` on the real PwC call log (5,000 calls, Jan–Mar 2021), read by a user map."""

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app
from tests.io.test_real_exports import PWC_MAP

pytestmark = pytest.mark.real


def test_staffing_on_the_pwc_call_log_is_sensible(real_data, tmp_path):
    user_map = tmp_path / "pwc.toml"
    user_map.write_text(PWC_MAP, encoding="utf-8")
    calls = real_data / "pwc-callcentre" / "01 Call-Center-Dataset.xlsx"
    result = CliRunner().invoke(app, ["staffing", "--calls", str(calls), "--map", str(user_map),
                                      "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    pattern = pd.read_csv(io.StringIO(result.stdout))
    assert pattern["calls_total"].sum() == 5000          # every call is inbound and in the period
    assert (pattern["agents_needed"] >= 1).all()        # only intervals with calls are listed
    assert (pattern["agents_scheduled"] >= pattern["agents_needed"]).all()
    assert (pattern["agents_observed"] >= 0).all()
    assert pattern["service_level"].between(80, 100).all()   # the default target is met
    assert pattern["occupancy"].between(0, 100).all()
    assert (pattern["aht_seconds"] > 0).all() and (pattern["asa_seconds"] >= 0).all()
    # Unanswered calls carry no end time, so patience is unknown: Erlang C, and it says why.
    assert "Erlang C (no abandonment): calls have no ended_at" in result.stderr
