import numpy as np
import pandas as pd
import pytest

from cskpi.insights.clv import (
    BgNbd,
    bgnbd_log_likelihood,
    clv,
    expected_purchases,
    fit_bgnbd,
    rfm,
)


def simulate_bgnbd(n, T, r, alpha, a, b, seed=1, later=0.0):
    """Repeat purchases per BG/NBD: rate λ ~ Gamma(r, α), drop-out p ~ Beta(a, b) after each.

    Returns x, tx, T over [0, T] and the purchases made in (T, T + later].
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    t = np.zeros(n)
    x, tx, future = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    for _ in range(2000):
        t = t + rng.exponential(1 / lam)
        bought = alive & (t <= T)
        x[bought] += 1
        tx[bought] = t[bought]
        future[alive & (t > T) & (t <= T + later)] += 1
        alive = alive & (t <= T + later) & (rng.random(n) >= p)
        if not alive.any():
            break
    return x, tx, np.full(n, float(T)), future


def test_bgnbd_recovers_its_parameters_and_predicts_the_next_90_days():
    # CDNOW-like parameters (α per day) on 4000 customers observed 270 days, then 90 more.
    truth = BgNbd(r=0.5, alpha=10.0, a=0.8, b=2.5)
    x, tx, T, future = simulate_bgnbd(4000, 270, truth.r, truth.alpha, truth.a, truth.b,
                                      later=90)
    fit = fit_bgnbd(x, tx, T)
    assert fit.r == pytest.approx(truth.r, rel=0.2)
    assert fit.alpha == pytest.approx(truth.alpha, rel=0.3)
    predicted = expected_purchases(fit, 90, x, tx, T).sum()
    assert predicted == pytest.approx(future.sum(), rel=0.15)


def test_bgnbd_likelihood_of_a_customer_without_repeats_has_one_term():
    # x = 0: L = (α / (α + T))^r, since B(a, b) / B(a, b) = 1
    ll = bgnbd_log_likelihood(np.array([1.0, 2.0, 1.0, 1.0]), np.array([0.0]), np.array([0.0]),
                              np.array([10.0]))
    assert ll[0] == pytest.approx(np.log(2 / 12))


def test_rfm_counts_purchase_days_not_rows():
    revenue = pd.DataFrame({
        "customer_id": pd.Series(["A", "A", "A", "B"], dtype="str"),
        "date": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 15:00", "2026-01-11",
                                "2026-01-05"], utc=True, format="ISO8601"),
        "amount": [10.0, 5.0, 30.0, 7.0]})
    summary = rfm(revenue)
    # A: two purchase days (15 then 30): frequency 1, recency 10, T 10, monetary 30
    assert summary.loc["A"].tolist() == [1.0, 10.0, 10.0, 30.0, 45.0]
    assert summary.loc["B", "frequency"] == 0.0 and summary.loc["B", "T"] == 6.0


def test_clv_says_why_there_is_no_prediction_with_few_repeat_buyers():
    revenue = pd.DataFrame({"customer_id": pd.Series(["A", "B"], dtype="str"),
                            "date": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True),
                            "amount": [10.0, 20.0]})
    result = clv(revenue)
    assert any("predictive CLV" in n and "need 20" in n for n in result.notes)
    assert result.tables["clv_customers"]["historical_clv"].tolist() == [20.0, 10.0]


def test_clv_predicts_and_compares_fast_and_slow_resolution():
    x, tx, T, _ = simulate_bgnbd(300, 270, 0.8, 10.0, 0.8, 2.5, seed=3)
    rng = np.random.default_rng(4)
    start = pd.Timestamp("2026-01-01", tz="UTC")
    # purchase k of x at day tx·k/x (whole days apart), first purchase on day 0
    owner = np.repeat(np.arange(300), x.astype(int) + 1)
    k = np.concatenate([np.arange(n + 1) for n in x.astype(int)])
    day = np.floor(tx[owner] * k / np.maximum(x[owner], 1))
    revenue = pd.DataFrame({"customer_id": pd.Series([f"c{i}" for i in owner], dtype="str"),
                            "date": start + pd.to_timedelta(day, unit="D"),
                            "amount": 20.0 + owner % 7 + k % 3})
    end = pd.DataFrame({"customer_id": pd.Series(["c0"], dtype="str"),
                        "date": [start + pd.Timedelta(days=270)], "amount": [0.0]})
    revenue = pd.concat([revenue, end], ignore_index=True)   # observation end
    tickets = pd.DataFrame({
        "ticket_id": pd.Series([f"t{i}" for i in range(300)], dtype="str"),
        "customer_id": pd.Series([f"c{i}" for i in range(300)], dtype="str"),
        "created_at": start,
        "resolved_at": start + pd.to_timedelta(rng.uniform(1, 100, 300), unit="h")})
    result = clv(revenue, tickets, horizon_months=6)
    assert "predicted_clv" in result.tables["clv_customers"].columns
    assert result.meta["horizon_months"] == 6
    speed = result.tables["clv_by_resolution_speed"]
    assert speed["resolution"].tolist() == ["fast", "slow"]
    assert speed["historical_clv_count"].sum() == 300
