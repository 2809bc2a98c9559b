"""Customer lifetime value: historical, predictive (BG/NBD + Gamma-Gamma), and service impact.

Historical CLV: each customer's revenue over everything loaded. Predictive CLV: the BG/NBD model
(Fader, Hardie & Lee 2005) for how many more purchases a customer makes before going quiet, and
the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV") for what each purchase is worth;
both fitted here by maximum likelihood (scipy.optimize) on purchase days. Value over the horizon
is the expected purchases of each month × expected purchase value, discounted monthly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

from cskpi.insights.result import Insight, not_available

MIN_REPEAT_CUSTOMERS = 20
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float


def rfm(revenue: pd.DataFrame, observed_until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per customer: frequency (repeat purchase days), recency and age T in days, mean repeat value.

    Purchases on the same day are one purchase (their amounts add up).
    """
    days = revenue.assign(day=revenue["date"].dt.floor("D")).groupby(
        ["customer_id", "day"], as_index=False)["amount"].sum()
    end = (observed_until or revenue["date"].max()).floor("D")
    grouped = days.groupby("customer_id")
    first, last = grouped["day"].min(), grouped["day"].max()
    count = grouped.size()
    total, first_amount = grouped["amount"].sum(), grouped["amount"].first()
    frequency = count - 1
    out = pd.DataFrame({
        "frequency": frequency.astype("float64"),
        "recency": (last - first).dt.total_seconds() / 86400,
        "T": (end - first).dt.total_seconds() / 86400,
        "monetary": np.where(frequency > 0, (total - first_amount) / frequency.clip(lower=1), 0.0),
        "revenue": total,
    })
    return out


def bgnbd_log_likelihood(params: np.ndarray, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD (x repeat purchases, last at tx, observed for T)."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = common + betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = (common + betaln(a + 1, np.maximum(b + x - 1, 1e-12)) - betaln(a, b)
                   - (r + x) * np.log(alpha + tx))
    dropped = np.where(x > 0, dropped, -np.inf)
    return np.logaddexp(alive, dropped)


def fit_bgnbd(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> BgNbd:
    def loss(log_params: np.ndarray) -> float:
        return -float(bgnbd_log_likelihood(np.exp(log_params), x, tx, T).sum())

    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0])
    fit = minimize(loss, start, method="Nelder-Mead",
                   options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
    return BgNbd(*np.exp(fit.x))


def expected_purchases(model: BgNbd, t: float, x: np.ndarray, tx: np.ndarray,
                       T: np.ndarray) -> np.ndarray:
    """E[purchases in (T, T + t] | x, tx, T] under BG/NBD."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    if t <= 0:
        return np.zeros_like(x, dtype=float)
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive_odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12)
                          * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return head * tail / (1 + alive_odds)


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    p, q, v = params
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> GammaGamma:
    def loss(log_params: np.ndarray) -> float:
        return -float(gamma_gamma_log_likelihood(np.exp(log_params), x, m).sum())

    start = np.log([1.0, 1.0, max(float(np.mean(m)), 1.0)])
    fit = minimize(loss, start, method="Nelder-Mead",
                   options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
    return GammaGamma(*np.exp(fit.x))


def expected_value(model: GammaGamma, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[value of a purchase | x repeat purchases of mean m]; the population mean when x = 0."""
    p, q, v = model.p, model.q, model.v
    population = p * v / (q - 1) if q > 1 else np.nan
    return np.where(x > 0, p * (v + x * m) / np.maximum(p * x + q - 1, 1e-12), population)


def predictive_clv(summary: pd.DataFrame, horizon_months: int = 12,
                   annual_discount: float = 0.10) -> tuple[pd.Series | None, dict, str | None]:
    """Discounted expected value over the horizon per customer, with the fitted parameters."""
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    if len(repeaters) < MIN_REPEAT_CUSTOMERS:
        return None, {}, (f"only {len(repeaters)} customers bought more than once "
                          f"(need {MIN_REPEAT_CUSTOMERS}) to fit BG/NBD and Gamma-Gamma")
    x, tx, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    bg = fit_bgnbd(x, tx, T)
    gg = fit_gamma_gamma(repeaters["frequency"].to_numpy(), repeaters["monetary"].to_numpy())
    if gg.q <= 1:
        return None, {}, ("the fitted Gamma-Gamma model has no finite mean purchase value "
                          "(q ≤ 1); more customers or a longer history are needed")
    value = expected_value(gg, x, summary["monetary"].to_numpy())
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    cumulative = np.stack([expected_purchases(bg, m * DAYS_PER_MONTH, x, tx, T)
                           for m in range(horizon_months + 1)])
    per_month = np.diff(cumulative, axis=0)
    discount = (1 + monthly) ** -np.arange(1, horizon_months + 1)
    clv = value * (per_month * discount[:, None]).sum(axis=0)
    meta = {"bgnbd": bg.__dict__, "gamma_gamma": gg.__dict__, "horizon_months": horizon_months,
            "annual_discount_rate": annual_discount, "repeat_customers": len(repeaters),
            "spend_frequency_correlation": float(np.corrcoef(repeaters["frequency"],
                                                             repeaters["monetary"])[0, 1])}
    return pd.Series(clv, index=summary.index, name="predicted_clv"), meta, None


def resolution_speed(tickets: pd.DataFrame | None) -> tuple[pd.Series | None, str | None]:
    """Each customer's median resolution hours over every loaded resolved ticket."""
    if tickets is None:
        return None, "no tickets table was loaded"
    if "customer_id" not in tickets.columns or "resolved_at" not in tickets.columns:
        return None, "tickets have no customer_id or resolved_at"
    resolved = tickets.dropna(subset=["customer_id", "resolved_at"])
    hours = (resolved["resolved_at"] - resolved["created_at"]).dt.total_seconds() / 3600
    return hours.groupby(resolved["customer_id"]).median(), None


def clv(revenue: pd.DataFrame | None, tickets: pd.DataFrame | None = None, *,
        horizon_months: int = 12, annual_discount: float = 0.10, top: int = 20) -> Insight:
    result = Insight("clv")
    if revenue is None or revenue.empty:
        result.notes.append(not_available("no revenue was loaded"))
        return result
    summary = rfm(revenue)
    if "segment" in revenue.columns:
        segment = revenue.dropna(subset=["segment"]).sort_values("date").groupby(
            "customer_id")["segment"].last()
        summary["segment"] = segment.reindex(summary.index).fillna("(none)")
    else:
        summary["segment"] = "(none)"
    summary = summary.rename(columns={"revenue": "historical_clv"})
    predicted, meta, reason = predictive_clv(summary, horizon_months, annual_discount)
    if reason:
        result.notes.append(not_available(f"predictive CLV: {reason}"))
    else:
        summary["predicted_clv"] = predicted.round(2)
        result.meta.update(meta)
        result.notes.append(f"predictive CLV over {horizon_months} months, discounted at "
                            f"{annual_discount:.0%} a year (BG/NBD + Gamma-Gamma)")
    value_columns = ["historical_clv"] + (["predicted_clv"] if predicted is not None else [])
    customers = summary.rename_axis("customer_id").reset_index()
    result.tables["clv_customers"] = customers.sort_values(
        value_columns[-1], ascending=False, kind="stable").head(top).round(2)
    result.tables["clv_segments"] = summary.groupby("segment")[value_columns].agg(
        ["count", "mean", "median"]).round(2).pipe(_flat).reset_index()

    speed, why = resolution_speed(tickets)
    if speed is None:
        result.notes.append(not_available(f"service impact: {why}"))
        return result
    joined = summary.join(speed.rename("resolution_hours_median"), how="inner")
    if len(joined) < 2 * 10:
        result.notes.append(not_available(f"service impact: only {len(joined)} customers have "
                                          "both revenue and resolved tickets (need 20)"))
        return result
    cut = joined["resolution_hours_median"].median()
    joined["resolution"] = np.where(joined["resolution_hours_median"] <= cut, "fast", "slow")
    impact = joined.groupby("resolution")[value_columns].agg(["count", "mean", "median"])
    impact = impact.round(2).pipe(_flat).reset_index()
    impact.insert(1, "split_hours", round(float(cut), 2))
    result.tables["clv_by_resolution_speed"] = impact
    return result


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [f"{value}_{stat}" for value, stat in frame.columns]
    return frame
