"""Durations from the numpy times are pandas' own Series arithmetic, value for value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cskpi.metrics.scope import HOUR, SECOND, elapsed


def _stamps(texts: list[str | None], unit: str) -> pd.Series:
    return pd.Series(pd.to_datetime(texts, utc=True, format="ISO8601")).dt.as_unit(unit)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_hours_between_times_equal_pandas_division_in_every_unit(unit):
    later = _stamps(["2026-10-01 10:30:36", None, "2026-10-02 00:00:00"], unit)
    earlier = _stamps(["2026-10-01 09:00:00", "2026-10-01 09:00:00", None], unit)
    expected = ((later - earlier) / HOUR).to_numpy(dtype="float64", na_value=np.nan)
    got = elapsed(later, earlier, HOUR)
    assert np.array_equal(got, expected, equal_nan=True)
    # 1 h 30 min 36 s = 1.51 h; a missing end or start: NaN
    assert got[0] == pytest.approx(1.51)
    assert np.isnan(got[1]) and np.isnan(got[2])


def test_a_wait_runs_to_the_answer_else_to_the_hang_up():
    queued = _stamps(["2026-10-01 09:00:00"] * 3, "ns")
    answered = _stamps(["2026-10-01 09:00:12", None, None], "ns")
    ended = _stamps(["2026-10-01 09:05:00", "2026-10-01 09:00:40", None], "ns")
    # answered after 12 s; hung up after 40 s; neither known: NaN
    got = elapsed(answered, queued, SECOND, until=ended)
    assert got[:2].tolist() == [12.0, 40.0] and np.isnan(got[2])


def test_times_of_different_units_fall_back_to_pandas():
    later = _stamps(["2026-10-01 10:00:00"], "us")
    earlier = _stamps(["2026-10-01 09:00:00"], "ns")
    # 1 hour, through pandas' own unit alignment
    assert elapsed(later, earlier, HOUR).tolist() == [1.0]
