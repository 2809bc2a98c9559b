"""Customer lifetime value: historical, predictive (BG/NBD + Gamma-Gamma), and service impact.

Historical CLV: each customer's revenue over everything loaded. Predictive CLV: the BG/NBD model
(Fader, Hardie & Lee 2005) for how many more purchases a customer makes before going quiet, and
the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV") for what each purchase is worth;
both fitted here by maximum likelihood (scipy.optimize) on purchase days. Value over the horizon
is the expected purchases of each month × expected purchase value, discounted monthly.

The models are checked before they are believed (see docs/insights.md): a BG/NBD whose drop-out
distribution collapsed (a + b beyond :data:`MAX_BETA_CONCENTRATION`: nobody ever churns), a
Gamma-Gamma without a finite mean or with spend tied to frequency (|r| ≥
:data:`MAX_SPEND_CORRELATION`, which the model assumes away), or a BG/NBD that misses a held-out
stretch of the data by more than :data:`HOLDOUT_TOLERANCE` is reported, and customers then keep
their historical value. Customers whose mean spend is not positive (refunds) never go through
Gamma-Gamma: a negative spend has no Gamma distribution, so they keep their historical value.
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
MAX_BETA_CONCENTRATION = 1e4  # a + b: above it every customer has the same ~0 drop-out chance
MAX_PARAMETER = 1e6  # any fitted parameter beyond it sits on the optimiser's edge
MAX_SPEND_CORRELATION = 0.3  # Gamma-Gamma assumes spend independent of frequency
HOLDOUT_MIN_DAYS = 180  # history needed before the last quarter is held out to check the fit
HOLDOUT_SHARE = 0.25
HOLDOUT_TOLERANCE = 0.25  # predicted held-out purchases within ±25 % of the actual ones
MODEL, HISTORICAL = "model", "historical"


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


def purchase_days(revenue: pd.DataFrame) -> pd.DataFrame:
    """customer_id, day, amount: purchases on the same day are one purchase (amounts add up)."""
    return (
        revenue.assign(day=revenue["date"].dt.floor("D"))
        .groupby(["customer_id", "day"], as_index=False)["amount"]
        .sum()
    )


def rfm(revenue: pd.DataFrame, observed_until: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per customer: frequency (repeat purchase days), recency and age T in days, mean repeat value.

    Purchases on the same day are one purchase (their amounts add up). T runs to the day of
    ``observed_until`` (default: the last purchase of anyone).
    """
    days = purchase_days(revenue)
    end = (revenue["date"].max() if observed_until is None else observed_until).floor("D")
    grouped = days.groupby("customer_id")
    first, last = grouped["day"].min(), grouped["day"].max()
    count = grouped.size()
    total, first_amount = grouped["amount"].sum(), grouped["amount"].first()
    frequency = count - 1
    out = pd.DataFrame(
        {
            "frequency": frequency.astype("float64"),
            "recency": (last - first).dt.total_seconds() / 86400,
            "T": (end - first).dt.total_seconds() / 86400,
            "monetary": np.where(
                frequency > 0, (total - first_amount) / frequency.clip(lower=1), 0.0
            ),
            "revenue": total,
        }
    )
    return out


def bgnbd_log_likelihood(
    params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD (x repeat purchases, last at tx, observed for T)."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = common + betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = (
            common
            + betaln(a + 1, np.maximum(b + x - 1, 1e-12))
            - betaln(a, b)
            - (r + x) * np.log(alpha + tx)
        )
    dropped = np.where(x > 0, dropped, -np.inf)
    return np.logaddexp(alive, dropped)


def fit_bgnbd(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> BgNbd:
    def loss(log_params: np.ndarray) -> float:
        return -float(bgnbd_log_likelihood(np.exp(log_params), x, tx, T).sum())

    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0])
    fit = minimize(
        loss, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8}
    )
    return BgNbd(*np.exp(fit.x))


def expected_purchases(
    model: BgNbd, t: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, tx, T] under BG/NBD."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    if t <= 0:
        return np.zeros_like(x, dtype=float)
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive_odds = np.where(
        x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0
    )
    return head * tail / (1 + alive_odds)


def probability_alive(model: BgNbd, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(still a customer | x, tx, T) under BG/NBD; 1 for customers without repeat purchases."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    odds = np.where(
        x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0
    )
    return 1 / (1 + odds)


def bgnbd_problems(model: BgNbd) -> list[str]:
    """Why a fitted BG/NBD cannot be believed (empty when it can)."""
    problems = []
    if model.a + model.b > MAX_BETA_CONCENTRATION:
        problems.append(
            f"BG/NBD drop-out fit is degenerate (a = {model.a:.3g}, b = "
            f"{model.b:.3g}: every customer would stay forever)"
        )
    edge = [
        f"{name} = {value:.3g}"
        for name, value in model.__dict__.items()
        if not 1 / MAX_PARAMETER < value < MAX_PARAMETER
    ]
    if edge:
        problems.append(f"BG/NBD parameters at the edge of the search ({', '.join(edge)})")
    return problems


def gamma_gamma_problems(model: GammaGamma, frequency: np.ndarray, spend: np.ndarray) -> list[str]:
    """Why a Gamma-Gamma fit cannot be used for value (empty when it can)."""
    problems = []
    if model.q <= 1:
        problems.append(f"Gamma-Gamma has no finite mean purchase value (q = {model.q:.3g} ≤ 1)")
    edge = [
        f"{name} = {value:.3g}"
        for name, value in model.__dict__.items()
        if not 1 / MAX_PARAMETER < value < MAX_PARAMETER
    ]
    if edge:
        problems.append(f"Gamma-Gamma parameters at the edge of the search ({', '.join(edge)})")
    correlation = spend_frequency_correlation(frequency, spend)
    if abs(correlation) >= MAX_SPEND_CORRELATION:
        problems.append(
            f"spend and purchase frequency are correlated (r = {correlation:.2f}; "
            f"Gamma-Gamma assumes |r| < {MAX_SPEND_CORRELATION})"
        )
    return problems


def spend_frequency_correlation(frequency: np.ndarray, spend: np.ndarray) -> float:
    if len(frequency) < 3 or np.ptp(frequency) == 0 or np.ptp(spend) == 0:
        return 0.0
    return float(np.corrcoef(frequency, spend)[0, 1])


def holdout_check(revenue: pd.DataFrame, end: pd.Timestamp) -> tuple[dict, str | None]:
    """Fit BG/NBD without the last quarter of the history and predict that quarter's purchases.

    Returns what was measured (empty when the history is shorter than HOLDOUT_MIN_DAYS or the
    calibration part has too few repeat buyers) and a problem when the miss exceeds the tolerance.
    """
    days = purchase_days(revenue)
    span = (end.floor("D") - days["day"].min()).days
    if span < HOLDOUT_MIN_DAYS:
        return {"skipped": f"history of {span} days (need {HOLDOUT_MIN_DAYS})"}, None
    length = max(30, int(span * HOLDOUT_SHARE))
    cut = end.floor("D") - pd.Timedelta(days=length)
    early = days[days["day"] <= cut]
    calibration = rfm(early.rename(columns={"day": "date"}), cut)
    if (calibration["frequency"] > 0).sum() < MIN_REPEAT_CUSTOMERS:
        return {"skipped": "too few repeat buyers before the held-out stretch"}, None
    model = fit_bgnbd(*(calibration[c].to_numpy() for c in ("frequency", "recency", "T")))
    later = days[(days["day"] > cut) & days["customer_id"].isin(calibration.index)]
    actual = float(len(later))
    predicted = float(
        expected_purchases(
            model, length, *(calibration[c].to_numpy() for c in ("frequency", "recency", "T"))
        ).sum()
    )
    error = (predicted - actual) / actual if actual else np.inf
    measured = {
        "holdout_days": length,
        "holdout_purchases": actual,
        "holdout_predicted": round(predicted, 2),
        "holdout_relative_error": round(float(error), 4),
    }
    if abs(error) > HOLDOUT_TOLERANCE:
        return measured, (
            f"BG/NBD fitted without the last {length} days predicts "
            f"{predicted:.0f} purchases there, {actual:.0f} happened "
            f"({error:+.0%}; tolerance ±{HOLDOUT_TOLERANCE:.0%})"
        )
    return measured, None


def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    p, q, v = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> GammaGamma:
    def loss(log_params: np.ndarray) -> float:
        return -float(gamma_gamma_log_likelihood(np.exp(log_params), x, m).sum())

    start = np.log([1.0, 1.0, max(float(np.mean(m)), 1.0)])
    fit = minimize(
        loss, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8}
    )
    return GammaGamma(*np.exp(fit.x))


def expected_value(model: GammaGamma, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[value of a purchase | x repeat purchases of mean m]; the population mean when x = 0."""
    p, q, v = model.p, model.q, model.v
    population = p * v / (q - 1) if q > 1 else np.nan
    return np.where(x > 0, p * (v + x * m) / np.maximum(p * x + q - 1, 1e-12), population)


def predictive_clv(
    summary: pd.DataFrame, horizon_months: int = 12, annual_discount: float = 0.10
) -> tuple[pd.DataFrame, dict, list[str]]:
    """Per customer: p_alive, expected_purchases over the horizon and predicted_clv (NaN where
    not modelled); the fitted parameters; and the problems that made parts unusable."""
    columns = ["p_alive", "expected_purchases", "predicted_clv"]
    out = pd.DataFrame(np.nan, index=summary.index, columns=columns)
    spend_ok = (summary["monetary"] > 0) | (summary["frequency"] == 0)
    spend_ok &= summary["historical_clv"] > 0
    repeaters = summary[(summary["frequency"] > 0) & spend_ok]
    if len(repeaters) < MIN_REPEAT_CUSTOMERS:
        return (
            out,
            {},
            [
                f"only {len(repeaters)} customers bought more than once with a "
                f"positive spend (need {MIN_REPEAT_CUSTOMERS}) to fit BG/NBD and "
                "Gamma-Gamma"
            ],
        )
    x, tx, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    bg = fit_bgnbd(x, tx, T)
    frequency, spend = repeaters["frequency"].to_numpy(), repeaters["monetary"].to_numpy()
    gg = fit_gamma_gamma(frequency, spend)
    meta = {
        "bgnbd": bg.__dict__,
        "gamma_gamma": gg.__dict__,
        "horizon_months": horizon_months,
        "annual_discount_rate": annual_discount,
        "repeat_customers": len(repeaters),
        "spend_frequency_correlation": spend_frequency_correlation(frequency, spend),
        "customers_without_positive_spend": int((~spend_ok).sum()),
    }
    problems = bgnbd_problems(bg)
    gg_problems = gamma_gamma_problems(gg, frequency, spend)
    if problems:
        return out, meta, problems + gg_problems
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    cumulative = np.stack(
        [expected_purchases(bg, m * DAYS_PER_MONTH, x, tx, T) for m in range(horizon_months + 1)]
    )
    out["p_alive"] = probability_alive(bg, x, tx, T)
    out["expected_purchases"] = cumulative[-1]
    if gg_problems:
        return out, meta, gg_problems
    value = expected_value(gg, x, summary["monetary"].to_numpy())
    discount = (1 + monthly) ** -np.arange(1, horizon_months + 1)
    predicted = value * (np.diff(cumulative, axis=0) * discount[:, None]).sum(axis=0)
    out["predicted_clv"] = np.where(spend_ok, predicted, np.nan)
    return out, meta, []


def resolution_speed(tickets: pd.DataFrame | None) -> tuple[pd.Series | None, str | None]:
    """Each customer's median resolution hours over every loaded resolved ticket."""
    if tickets is None:
        return None, "no tickets table was loaded"
    if "customer_id" not in tickets.columns or "resolved_at" not in tickets.columns:
        return None, "tickets have no customer_id or resolved_at"
    resolved = tickets.dropna(subset=["customer_id", "resolved_at"])
    hours = (resolved["resolved_at"] - resolved["created_at"]).dt.total_seconds() / 3600
    return hours.groupby(resolved["customer_id"]).median(), None


def clv(
    revenue: pd.DataFrame | None,
    tickets: pd.DataFrame | None = None,
    *,
    horizon_months: int = 12,
    annual_discount: float = 0.10,
    top: int = 20,
    observed_until: pd.Timestamp | None = None,
) -> Insight:
    """Historical and predicted CLV per customer and segment, and by resolution speed.

    ``observed_until`` is the calibration end (the last day of ``--period``): later revenue is
    left out and every customer's age T runs to that day.
    """
    result = Insight("clv")
    if revenue is not None and observed_until is not None:
        if revenue["date"].dt.tz is not None:  # count days in the clock the dates were read in
            observed_until = observed_until.tz_convert(revenue["date"].dt.tz)
        revenue = revenue[revenue["date"] <= observed_until]
    if revenue is None or revenue.empty:
        result.notes.append(not_available("no revenue was loaded"))
        return result
    summary = rfm(revenue, observed_until)
    if "segment" in revenue.columns:
        segment = (
            revenue.dropna(subset=["segment"])
            .sort_values("date")
            .groupby("customer_id")["segment"]
            .last()
        )
        summary["segment"] = segment.reindex(summary.index).fillna("(none)")
    else:
        summary["segment"] = "(none)"
    summary = summary.rename(columns={"revenue": "historical_clv"})
    predicted, meta, problems = predictive_clv(summary, horizon_months, annual_discount)
    end = observed_until if observed_until is not None else revenue["date"].max()
    if not problems and meta:
        measured, miss = holdout_check(revenue, end)
        meta["holdout"] = measured
        if miss:
            problems = [miss]
            predicted[:] = np.nan
    summary = summary.join(predicted)
    modelled = summary["predicted_clv"].notna()
    summary["clv"] = summary["predicted_clv"].where(modelled, summary["historical_clv"])
    summary["basis"] = np.where(modelled, MODEL, HISTORICAL)
    result.meta.update(meta, observed_until=str(end.date()))
    for problem in problems:
        result.notes.append(
            not_available(f"predictive CLV: {problem}; customers keep their historical value")
        )
    if modelled.any():
        result.notes.append(
            f"predictive CLV over {horizon_months} months, discounted at "
            f"{annual_discount:.0%} a year (BG/NBD + Gamma-Gamma), "
            f"observed until {end.date()}"
        )
        excluded = int(meta.get("customers_without_positive_spend", 0))
        if excluded:
            result.notes.append(
                f"{excluded} customer(s) with refunds exceeding their purchases "
                "(no positive mean spend) keep their historical value"
            )
        observed = float(summary["historical_clv"].sum())
        result.meta["predicted_to_historical"] = (
            round(float(summary.loc[modelled, "predicted_clv"].sum()) / observed, 4)
            if observed
            else None
        )
    value_columns = ["historical_clv", "predicted_clv", "clv"]
    customers = summary.rename_axis("customer_id").reset_index()
    result.tables["clv_customers"] = (
        customers.sort_values("clv", ascending=False, kind="stable")
        .head(top)
        .round(
            {
                "p_alive": 4,
                "expected_purchases": 4,
                **dict.fromkeys(value_columns, 2),
                "monetary": 2,
                "recency": 2,
                "T": 2,
            }
        )
    )
    result.tables["clv_segments"] = (
        summary.groupby("segment")[value_columns]
        .agg(["count", "mean", "median"])
        .round(2)
        .pipe(_flat)
        .reset_index()
    )

    speed, why = resolution_speed(tickets)
    if speed is None:
        result.notes.append(not_available(f"service impact: {why}"))
        return result
    joined = summary.join(speed.rename("resolution_hours_median"), how="inner")
    if len(joined) < 2 * 10:
        result.notes.append(
            not_available(
                f"service impact: only {len(joined)} customers have "
                "both revenue and resolved tickets (need 20)"
            )
        )
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
