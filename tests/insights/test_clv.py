import numpy as np
import pandas as pd
import pytest

from cskpi.insights.clv import (
    BgNbd,
    GammaGamma,
    bgnbd_log_likelihood,
    bgnbd_problems,
    clv,
    expected_purchases,
    fit_bgnbd,
    gamma_gamma_problems,
    holdout_check,
    probability_alive,
    rfm,
)

START = pd.Timestamp("2026-01-01", tz="UTC")


def revenue_of(x, tx, amount, days=270):
    """Purchase k of customer i's x at day tx·k/x (first on day 0), plus an observation end."""
    owner = np.repeat(np.arange(len(x)), x.astype(int) + 1)
    k = np.concatenate([np.arange(n + 1) for n in x.astype(int)])
    day = np.floor(tx[owner] * k / np.maximum(x[owner], 1))
    revenue = pd.DataFrame({"customer_id": pd.Series([f"c{i}" for i in owner], dtype="str"),
                            "date": START + pd.to_timedelta(day, unit="D"),
                            "amount": amount(owner, k)})
    end = pd.DataFrame({"customer_id": pd.Series(["c0"], dtype="str"),
                        "date": [START + pd.Timedelta(days=days)], "amount": [0.0]})
    return pd.concat([revenue, end], ignore_index=True)


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


def test_expected_purchases_match_the_published_cdnow_example():
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", section 5: with
    # r = 0.243, α = 4.414, a = 0.793, b = 2.426 (weeks), a customer with x = 2, tx = 30.43,
    # T = 38.86 is expected to make 1.226 purchases in the next 39 weeks.
    model = BgNbd(0.243, 4.414, 0.793, 2.426)
    one = (np.array([2.0]), np.array([30.43]), np.array([38.86]))
    assert expected_purchases(model, 39, *one)[0] == pytest.approx(1.226, abs=1e-3)


def test_probability_alive_by_hand():
    # r = 1, α = 2, a = 1, b = 2; x = 1, tx = 5, T = 10:
    # odds = a / (b + x − 1) × ((α + T) / (α + tx))^(r + x) = 0.5 × (12 / 7)² = 1.46939,
    # P(alive) = 1 / 2.46939 = 0.40496. No repeat purchase: 1.
    model = BgNbd(1.0, 2.0, 1.0, 2.0)
    p = probability_alive(model, np.array([1.0, 0.0]), np.array([5.0, 0.0]),
                          np.array([10.0, 10.0]))
    assert p == pytest.approx([0.40496, 1.0], abs=1e-5)


def test_a_collapsed_drop_out_fit_and_edge_parameters_are_reported():
    # The example data's fit before the checks: a = 1.9e9, b = 1.7e15 (nobody ever churns).
    assert "degenerate" in bgnbd_problems(BgNbd(3.25, 83.0, 1.9e9, 1.7e15))[0]
    assert "edge" in bgnbd_problems(BgNbd(3.9, 98.9, 9.6e-10, 1.4e-8))[-1]
    assert bgnbd_problems(BgNbd(0.243, 4.414, 0.793, 2.426)) == []


def test_spend_tied_to_frequency_or_an_infinite_mean_rejects_gamma_gamma():
    # frequency 1..5 with spend 10, 20, 30, 40, 50: r = 1.
    frequency, spend = np.arange(1.0, 6), np.arange(10.0, 60, 10)
    problems = gamma_gamma_problems(GammaGamma(6.25, 3.74, 15.44), frequency, spend)
    assert problems == ["spend and purchase frequency are correlated (r = 1.00; Gamma-Gamma "
                        "assumes |r| < 0.3)"]
    # spend 40, 10, 50, 30, 20: deviations 10, −20, 20, 0, −10 against −2 … 2:
    # r = −20 / sqrt(10 × 1000) = −0.2 — accepted; q ≤ 1 is not.
    assert gamma_gamma_problems(GammaGamma(6.25, 3.74, 15.44), frequency,
                                np.array([40.0, 10, 50, 30, 20])) == []
    assert "q = 0.9" in gamma_gamma_problems(GammaGamma(1.0, 0.9, 10.0), frequency,
                                             np.array([40.0, 10, 50, 30, 20]))[0]


def test_refunds_never_get_a_negative_prediction_and_keep_their_historical_value():
    x, tx, _, _ = simulate_bgnbd(300, 270, 0.8, 10.0, 0.8, 2.5, seed=3)
    revenue = revenue_of(x, tx, lambda owner, k: 20.0 + owner % 7 + k % 3)
    repeat = revenue[(revenue["customer_id"] == "c5") & (revenue["date"] > START)]
    assert len(repeat) > 0
    # c5's repeat purchases become refunds of 100 each: mean repeat spend −100.
    revenue.loc[repeat.index, "amount"] = -100.0
    result = clv(revenue, horizon_months=6, top=400)
    table = result.tables["clv_customers"].set_index("customer_id")
    assert table.loc["c5", "monetary"] == -100.0
    assert np.isnan(table.loc["c5", "predicted_clv"])
    assert table.loc["c5", "clv"] == table.loc["c5", "historical_clv"] < 0
    assert table.loc["c5", "basis"] == "historical"
    assert 0 < table.loc["c5", "p_alive"] <= 1 and table.loc["c5", "expected_purchases"] > 0
    modelled = table[table["basis"] == "model"]
    assert len(modelled) > 250 and (modelled["predicted_clv"] >= 0).all()
    assert any("refunds" in note for note in result.notes)


def test_a_rejected_fit_falls_back_to_historical_value_with_the_reason():
    x, tx, _, _ = simulate_bgnbd(300, 270, 0.8, 10.0, 0.8, 2.5, seed=3)
    # Each purchase of a frequent buyer is worth 10 × its frequency: r(spend, frequency) ≈ 1.
    revenue = revenue_of(x, tx, lambda owner, k: 10.0 * (x[owner] + 1))
    result = clv(revenue, horizon_months=6)
    table = result.tables["clv_customers"]
    assert (table["basis"] == "historical").all() and table["predicted_clv"].isna().all()
    assert (table["clv"] == table["historical_clv"]).all()
    assert any("spend and purchase frequency are correlated" in n for n in result.notes)


def test_the_calibration_end_sets_T_and_leaves_later_revenue_out():
    revenue = pd.DataFrame({
        "customer_id": pd.Series(["A", "A", "A"], dtype="str"),
        "date": pd.to_datetime(["2026-01-01", "2026-01-11", "2026-03-01"], utc=True),
        "amount": [10.0, 30.0, 50.0]})
    result = clv(revenue, observed_until=pd.Timestamp("2026-01-31 23:59:59", tz="UTC"))
    row = result.tables["clv_customers"].iloc[0]
    # Only the January purchases: frequency 1, recency 10, T = 30 days (to 31 January).
    assert (row["frequency"], row["recency"], row["T"], row["historical_clv"]) == (
        1.0, 10.0, 30.0, 40.0)
    assert result.meta["observed_until"] == "2026-01-31"


def test_the_holdout_check_accepts_a_model_that_fits_and_flags_one_that_does_not():
    truth = BgNbd(r=0.8, alpha=10.0, a=0.8, b=2.5)
    x, tx, _, _ = simulate_bgnbd(2000, 360, truth.r, truth.alpha, truth.a, truth.b, seed=5)
    revenue = revenue_of(x, tx, lambda owner, k: 20.0 + owner % 7, days=360)
    end = START + pd.Timedelta(days=360)
    measured, problem = holdout_check(revenue, end)
    assert problem is None and measured["holdout_days"] == 90
    assert abs(measured["holdout_relative_error"]) < 0.25
    # Everybody who ever bought buys daily during the last 30 days: far more than predicted.
    buyers = revenue["customer_id"].unique()[:1500]
    surge = pd.DataFrame({
        "customer_id": pd.Series(np.repeat(buyers, 30), dtype="str"),
        "date": end - pd.to_timedelta(np.tile(np.arange(30), len(buyers)), unit="D"),
        "amount": 20.0})
    measured, problem = holdout_check(pd.concat([revenue, surge], ignore_index=True), end)
    assert problem is not None and "happened" in problem
    assert measured["holdout_purchases"] > 2 * measured["holdout_predicted"]
    short, _ = holdout_check(revenue[revenue["date"] < START + pd.Timedelta(days=100)],
                             START + pd.Timedelta(days=100))
    assert short == {"skipped": "history of 100 days (need 180)"}
