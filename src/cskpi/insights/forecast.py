"""Forecast of inbound calls per interval for the period after the analysed one.

Daily volume is forecast by Holt-Winters exponential smoothing (statsmodels: additive damped
trend, additive weekly season) on the local days of the history; each day is spread over its
intervals by that weekday's intraday profile (the weekday's share of calls in each local
interval). Profiles keyed by local time keep a clock change from shifting the season: a
repeated hour splits its share over its two occurrences, a skipped hour has none.

The error is measured the same way on the last 7 days of the history, fitted without them, and
set beside the seasonal naive forecast (the same interval a week earlier) so a reader can see
whether the model earns its keep.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskpi.insights.staffing import interval_occurrences

SEASON_DAYS = 7
MIN_FIT_DAYS = 2 * SEASON_DAYS  # two full weeks to estimate a weekly season
HOLDOUT_DAYS = SEASON_DAYS


@dataclass(frozen=True)
class Forecast:
    slots: pd.DataFrame  # occurrence, date, weekday, interval, forecast_calls
    holdout: dict  # errors on the held-out last week, or why there was none
    notes: list[str]


def holt_winters(daily: np.ndarray, horizon: int) -> tuple[np.ndarray, list[str]]:
    """Daily volume forecast for ``horizon`` days, never below 0, and any fitting warnings."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ExponentialSmoothing(
            np.asarray(daily, dtype="float64"),
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=SEASON_DAYS,
            initialization_method="estimated",
        )
        predicted = model.fit().forecast(horizon)
    problems = sorted({f"Holt-Winters: {w.message}".split("\n")[0] for w in caught})
    return np.clip(np.asarray(predicted, dtype="float64"), 0.0, None), problems


def intraday_profile(counts: pd.DataFrame) -> pd.Series:
    """(weekday, interval) -> share of that weekday's calls; weekdays without calls get none."""
    totals = counts.groupby(["weekday", "interval"])["calls"].sum()
    per_day = totals.groupby(level="weekday").transform("sum")
    return (totals / per_day.where(per_day > 0)).fillna(0.0)


def spread(daily: pd.Series, profile: pd.Series, slots: pd.DataFrame) -> np.ndarray:
    """Calls per occurrence: day forecast × the interval's share ÷ its occurrences that day."""
    key = pd.MultiIndex.from_arrays([slots["weekday"], slots["interval"]])
    share = profile.reindex(key, fill_value=0.0).to_numpy()
    repeats = slots.groupby(["date", "interval"])["interval"].transform("size").to_numpy()
    return daily.reindex(slots["date"]).to_numpy() * share / repeats


def forecast_calls(
    counts: pd.DataFrame,
    end: pd.Timestamp,
    days: int,
    tz: str,
    interval_minutes: int,
    growth: float = 0.0,
) -> Forecast | str:
    """Forecast per interval occurrence of the ``days`` after ``end``; a reason when impossible.

    ``counts`` is :func:`cskpi.insights.staffing.occurrence_counts` of the history; ``growth``
    (a share, 0.05 = +5 %) scales the forecast.
    """
    daily = counts.groupby("date")["calls"].sum()
    if len(daily) < MIN_FIT_DAYS:
        return (
            f"{len(daily)} days of history (need {MIN_FIT_DAYS}, two full weeks, for a "
            "weekly season)"
        )
    ahead, notes = holt_winters(daily.to_numpy(), days)
    slots = interval_occurrences(end, end + pd.Timedelta(days=days), tz, interval_minutes)
    future = pd.Series(
        ahead, index=pd.date_range(daily.index[-1] + pd.Timedelta(days=1), periods=days, freq="D")
    )
    slots["forecast_calls"] = spread(future, intraday_profile(counts), slots) * (1 + growth)
    return Forecast(slots, holdout_errors(counts), notes)


def holdout_errors(counts: pd.DataFrame) -> dict:
    """WAPE (Σ|forecast − actual| ÷ Σ actual, %) of the last week, per interval and per day,
    for Holt-Winters fitted without it and for the seasonal naive forecast."""
    dates = np.sort(counts["date"].unique())
    if len(dates) < MIN_FIT_DAYS + HOLDOUT_DAYS:
        return {
            "skipped": f"{len(dates)} days of history (need "
            f"{MIN_FIT_DAYS + HOLDOUT_DAYS} to hold out the last week)"
        }
    cut = dates[-HOLDOUT_DAYS]
    fit, held = counts[counts["date"] < cut], counts[counts["date"] >= cut].copy()
    daily = fit.groupby("date")["calls"].sum()
    ahead, _ = holt_winters(daily.to_numpy(), HOLDOUT_DAYS)
    future = pd.Series(ahead, index=dates[-HOLDOUT_DAYS:])
    held["forecast"] = spread(future, intraday_profile(fit), held)
    week_before = fit.groupby(["date", "interval"])["calls"].mean()  # per occurrence
    earlier = pd.MultiIndex.from_arrays([held["date"] - pd.Timedelta(days=7), held["interval"]])
    held["naive"] = week_before.reindex(earlier).to_numpy()
    actual = held["calls"].sum()
    if actual == 0:
        return {"skipped": "no calls in the last week of the history"}
    by_day = held.groupby("date")[["calls", "forecast"]].sum()
    known = held["naive"].notna()
    return {
        "holdout_days": HOLDOUT_DAYS,
        "holdout_calls": int(actual),
        "interval_wape": round(
            100 * float((held["forecast"] - held["calls"]).abs().sum()) / actual, 2
        ),
        "daily_wape": round(
            100 * float((by_day["forecast"] - by_day["calls"]).abs().sum()) / actual, 2
        ),
        "naive_interval_wape": round(
            100
            * float((held.loc[known, "naive"] - held.loc[known, "calls"]).abs().sum())
            / max(int(held.loc[known, "calls"].sum()), 1),
            2,
        ),
    }
