import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.insights.erlang import (
    _tilted_cdf,
    agents_needed,
    erlang_a_outcome,
    erlang_b,
    erlang_c,
    erlang_c_outcome,
)


def test_reference_100_calls_per_half_hour_at_180s_needs_14_agents():
    # A = 100 × 180 / 1800 = 10 Erlang; 13 agents give SL 79.6 % (< 80 %), 14 give 88.8 %.
    outcome = agents_needed(100, 180, 1800, target_sl=0.80, threshold=20)
    assert outcome.agents == 14
    assert outcome.service_level == pytest.approx(0.888, abs=0.0005)
    assert outcome.occupancy == pytest.approx(0.714, abs=0.0005)
    assert outcome.asa_seconds == pytest.approx(7.8, abs=0.05)


def test_erlang_b_of_one_line_is_a_over_one_plus_a():
    assert erlang_b(1, 2.0) == pytest.approx(2 / 3)


def test_erlang_c_does_not_overflow_at_600_agents():
    wait = erlang_c(600, 580.0)
    assert 0 < wait < 1
    outcome = agents_needed(6000, 180, 1800)
    assert 600 < outcome.agents < 640
    assert outcome.service_level >= 0.8


def test_an_unstable_queue_has_no_service():
    assert erlang_c_outcome(10, 100, 180, 1800, 20).service_level == 0.0


def test_occupancy_cap_adds_agents():
    # 14 agents run at 71.4 %; a 70 % cap needs ceil(10 / 0.7) = 15.
    assert agents_needed(100, 180, 1800, max_occupancy=0.70).agents == 15


def test_erlang_a_approaches_erlang_c_when_callers_never_give_up():
    c = erlang_c_outcome(14, 100, 180, 1800, 20)
    a = erlang_a_outcome(14, 100, 180, 1800, 20, patience=1e8)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-3)


def test_erlang_a_answers_as_many_calls_as_busy_agents_finish():
    # Little: answered rate λ·(1 − P(abandon)) = completion rate μ·E[busy agents]
    lam, aht, patience, n = 100 / 1800, 180.0, 90.0, 9
    out = erlang_a_outcome(n, 100, aht, 1800, 20, patience)
    busy = out.occupancy * n
    assert lam * (1 - out.abandon_probability) == pytest.approx(busy / aht, rel=1e-6)


def test_abandonment_lowers_the_agents_needed():
    assert agents_needed(100, 180, 1800, patience=60).agents < 14


def test_tilted_wait_distribution_matches_a_simulation():
    # Sum of Exp(0.1 + j·0.05), j = 1..3, simulated 200 000 times with a fixed seed.
    rng = np.random.default_rng(7)
    rates = 0.1 + np.arange(1, 4) * 0.05
    sums = (rng.exponential(1 / rates, size=(200_000, 3))).sum(axis=1)
    expected = (sums <= 20).mean()
    assert _tilted_cdf(3, 0.1, 0.05, 20)[2] == pytest.approx(expected, abs=0.005)


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 2000), aht=st.floats(30, 900), target=st.floats(0.5, 0.95))
def test_the_answer_meets_the_target_and_one_fewer_does_not(calls, aht, target):
    out = agents_needed(calls, aht, 1800, target_sl=target)
    assert out.service_level >= target
    fewer = erlang_c_outcome(out.agents - 1, calls, aht, 1800, 20)
    assert fewer.service_level < target or math.isclose(out.agents, 1)
