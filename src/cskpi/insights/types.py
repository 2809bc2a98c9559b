"""Ticket types: volume per period, the top types, new types, and shares that moved.

A share moved "significantly" when a two-proportion z-test (two-sided) rejects equal shares
at a Benjamini–Hochberg q below 0.05 over the types of one comparison, and both sides hold at
least 30 tickets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from cskpi.insights.result import Insight, not_available
from cskpi.insights.windows import Window, in_window, shifted
from cskpi.metrics.compare import benjamini_hochberg

ALPHA = 0.05
MIN_RECORDS = 30
NONE = "(none)"


def _types(tickets: pd.DataFrame) -> pd.Series:
    return tickets["type"].str.strip().replace("", pd.NA).fillna(NONE)


def type_volume(tickets: pd.DataFrame, windows: list[Window]) -> pd.DataFrame:
    """Tickets created per type (rows) and period (columns), largest total first."""
    kinds = _types(tickets)
    columns = {w.label: kinds[in_window(tickets["created_at"], w)].value_counts() for w in windows}
    table = pd.DataFrame(columns).fillna(0).astype("int64")
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table.index.name = "type"
    return table


def top_types(tickets: pd.DataFrame, window: Window, top: int = 10) -> pd.DataFrame:
    kinds = _types(tickets)[in_window(tickets["created_at"], window)]
    counts = kinds.value_counts().head(top)
    total = len(kinds)
    return pd.DataFrame(
        {
            "period": window.label,
            "type": counts.index,
            "tickets": counts.to_numpy(),
            "share": np.round(100 * counts.to_numpy() / max(total, 1), 1),
        }
    )


def new_types(tickets: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Types created in the window that no ticket created before its start carried."""
    kinds = _types(tickets)
    earlier = set(kinds[tickets["created_at"] < window.start])
    inside = in_window(tickets["created_at"], window)
    current = kinds[inside].value_counts()
    fresh = current[~current.index.isin(list(earlier)) & (current.index != NONE)]
    first_seen = tickets.loc[inside, "created_at"].groupby(kinds[inside]).min()
    return pd.DataFrame(
        {
            "period": window.label,
            "type": fresh.index,
            "tickets": fresh.to_numpy(),
            "first_seen": first_seen.reindex(fresh.index).to_numpy(),
        }
    )


def two_proportion_z(
    x1: np.ndarray, n1: int, x2: np.ndarray, n2: int
) -> tuple[np.ndarray, np.ndarray]:
    """z statistic and two-sided p-value for equal proportions x1/n1 = x2/n2 (pooled)."""
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
    return z, 2 * norm.sf(np.abs(z))


def share_changes(
    tickets: pd.DataFrame, window: Window, baseline: str
) -> tuple[pd.DataFrame, str | None]:
    """Type shares in ``window`` vs the previous window or the same window a year earlier.

    Returns every type present on either side with z, p and the Benjamini–Hochberg q over these
    types; ``significant`` marks q < α.
    A side with fewer than 30 tickets makes the comparison not available (the reason is returned).
    """
    other = shifted(window, baseline)
    kinds = _types(tickets)
    now = kinds[in_window(tickets["created_at"], window)].value_counts()
    then = kinds[in_window(tickets["created_at"], other)].value_counts()
    n_now, n_then = int(now.sum()), int(then.sum())
    if n_now < MIN_RECORDS or n_then < MIN_RECORDS:
        return pd.DataFrame(), (
            f"{baseline} comparison for {window.label}: {n_now} tickets vs "
            f"{n_then} in {other.label} (need {MIN_RECORDS} on each side)"
        )
    both = pd.DataFrame({"now": now, "then": then}).fillna(0)
    z, p = two_proportion_z(both["now"].to_numpy(), n_now, both["then"].to_numpy(), n_then)
    out = pd.DataFrame(
        {
            "period": window.label,
            "baseline": other.label,
            "type": both.index,
            "tickets": both["now"].astype("int64").to_numpy(),
            "share": np.round(100 * both["now"].to_numpy() / n_now, 2),
            "baseline_tickets": both["then"].astype("int64").to_numpy(),
            "baseline_share": np.round(100 * both["then"].to_numpy() / n_then, 2),
            "z": np.round(z, 3),
            "p_value": p,
        }
    )
    out["change_points"] = np.round(out["share"] - out["baseline_share"], 2)
    out["q_value"] = benjamini_hochberg(list(out["p_value"]))
    out["significant"] = out["q_value"] < ALPHA
    out["direction"] = np.where(out["change_points"] > 0, "grew", "fell")
    return out.sort_values("p_value", kind="stable").reset_index(drop=True), None


def ticket_types(tickets: pd.DataFrame | None, windows: list[Window], top: int = 10) -> Insight:
    result = Insight("types")
    if tickets is None:
        result.notes.append(not_available("no tickets table was loaded"))
        return result
    if "type" not in tickets.columns:
        result.notes.append(not_available("tickets have no type column"))
        return result
    result.tables["type_volume"] = type_volume(tickets, windows).reset_index()
    result.tables["top_types"] = pd.concat(
        [top_types(tickets, w, top) for w in windows], ignore_index=True
    )
    # A period with no earlier tickets loaded would call every type new: say so instead.
    with_history = [w for w in windows if (tickets["created_at"] < w.start).any()]
    result.notes.extend(
        not_available(f"new issues for {w.label}: no tickets before it loaded")
        for w in windows
        if w not in with_history
    )
    result.tables["new_types"] = (
        pd.concat([new_types(tickets, w) for w in with_history], ignore_index=True)
        if with_history
        else pd.DataFrame(columns=["period", "type", "tickets", "first_seen"])
    )
    moved = []
    for window in windows:
        for baseline in ("previous", "last_year"):
            changes, reason = share_changes(tickets, window, baseline)
            if reason:
                result.notes.append(not_available(reason))
            elif not changes.empty:
                moved.append(changes[changes["significant"]].assign(compared_with=baseline))
    result.tables["type_share_changes"] = (
        pd.concat(moved, ignore_index=True) if moved else pd.DataFrame()
    )
    return result
