"""Customers who cost more than they bring: contacts, cost to serve, revenue and margin each.

Contacts are tickets created in the period plus answered inbound calls queued in it, carrying
the customer's id (KPIS.md, customers_cost_over_value). Cost to serve = contacts ×
cost_per_contact, where cost_per_contact = service cost ÷ every contact of the period (with or
without a customer id), unless the user gives one. Weighted by handle time, an answered call
counts as its handle time over the average handle time, so the total cost stays the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskpi.insights.result import Insight, not_available
from cskpi.insights.staffing import handle_seconds, inbound_calls
from cskpi.insights.windows import Window, in_window

NONE = "(none)"


def whole_months(window: Window) -> list[str] | None:
    """The months the window covers exactly, or None when it cuts a month."""
    tz = window.start.tz
    local_start, local_end = window.start.tz_convert(tz), window.end.tz_convert(tz)
    starts = pd.date_range(local_start, local_end, freq="MS", inclusive="left")
    if len(starts) == 0 or starts[0] != local_start:
        return None
    if (starts[-1] + pd.DateOffset(months=1)) != local_end:
        return None
    return [f"{s:%Y-%m}" for s in starts]


def contacts_by_customer(
    tickets: pd.DataFrame | None,
    calls: pd.DataFrame | None,
    window: Window,
    weight_by_handle_time: bool = False,
) -> tuple[pd.DataFrame, int]:
    """Per customer: tickets, calls, contacts (weighted if asked); plus every contact's count."""
    parts, total = [], 0
    if tickets is not None:
        created = tickets[in_window(tickets["created_at"], window)]
        total += len(created)
        if "customer_id" in created.columns:
            parts.append(
                pd.DataFrame(
                    {"customer_id": created["customer_id"], "tickets": 1, "calls": 0, "weight": 1.0}
                )
            )
    if calls is not None:
        answered = inbound_calls(calls, window.start, window.end)
        if "answered_at" in answered.columns:
            answered = answered[answered["answered_at"].notna()]
        total += len(answered)
        if "customer_id" in answered.columns:
            weight = pd.Series(1.0, index=answered.index)
            if weight_by_handle_time:
                handle = handle_seconds(answered)
                if handle.notna().any():
                    weight = (handle / handle.mean()).fillna(1.0)
            parts.append(
                pd.DataFrame(
                    {
                        "customer_id": answered["customer_id"],
                        "tickets": 0,
                        "calls": 1,
                        "weight": weight,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["tickets", "calls", "contacts"]), total
    frame = pd.concat(parts, ignore_index=True).dropna(subset=["customer_id"])
    grouped = frame.groupby("customer_id")[["tickets", "calls", "weight"]].sum()
    return grouped.rename(columns={"weight": "contacts"}), total


def customer_value(
    tickets: pd.DataFrame | None,
    calls: pd.DataFrame | None,
    revenue: pd.DataFrame | None,
    costs: pd.DataFrame | None,
    window: Window,
    *,
    cost_per_contact: float | None = None,
    weight_by_handle_time: bool = False,
    top: int = 20,
) -> Insight:
    result = Insight("customers")
    if revenue is None:
        result.notes.append(not_available("no revenue table was loaded"))
        return result
    contacts, all_contacts = contacts_by_customer(tickets, calls, window, weight_by_handle_time)
    if cost_per_contact is None:
        cost_per_contact, reason = _cost_per_contact(costs, window, all_contacts)
        if cost_per_contact is None:
            result.notes.append(
                not_available(f"cost to serve: {reason}; give --cost-per-contact to set it")
            )
            return result
        result.notes.append(
            f"cost per contact {cost_per_contact:.2f} = service cost ÷ {all_contacts} contacts"
        )
    else:
        result.notes.append(f"cost per contact {cost_per_contact:.2f}, as given")
    period_revenue = revenue[in_window(revenue["date"], window)]
    money = period_revenue.groupby("customer_id")["amount"].sum()
    table = contacts.join(money.rename("revenue"), how="outer")
    table[["tickets", "calls", "contacts", "revenue"]] = table[
        ["tickets", "calls", "contacts", "revenue"]
    ].fillna(0)
    table["cost_to_serve"] = table["contacts"] * cost_per_contact
    table["margin"] = table["revenue"] - table["cost_to_serve"]
    table["segment"] = _segments(revenue).reindex(table.index).fillna(NONE)
    table[["tickets", "calls"]] = table[["tickets", "calls"]].astype("int64")
    table = table.round({"contacts": 2, "revenue": 2, "cost_to_serve": 2, "margin": 2})
    table.index.name = "customer_id"
    over = table[table["cost_to_serve"] > table["revenue"]].sort_values("margin", kind="stable")
    result.tables["customers_cost_over_value"] = over.head(top).reset_index()
    summary = (
        table.assign(over=table["cost_to_serve"] > table["revenue"])
        .groupby("segment")
        .agg(
            customers=("revenue", "size"),
            contacts=("contacts", "sum"),
            revenue=("revenue", "sum"),
            cost_to_serve=("cost_to_serve", "sum"),
            margin=("margin", "sum"),
            customers_cost_over_value=("over", "sum"),
        )
    )
    summary["margin_per_customer"] = np.round(summary["margin"] / summary["customers"], 2)
    result.tables["customer_segments"] = summary.round(2).reset_index()
    result.meta.update(
        customers=len(table),
        customers_cost_over_value=len(over),
        cost_per_contact=cost_per_contact,
        period=window.label,
        weighted_by_handle_time=weight_by_handle_time,
    )
    return result


def _cost_per_contact(
    costs: pd.DataFrame | None, window: Window, contacts: int
) -> tuple[float | None, str]:
    if costs is None:
        return None, "no costs table was loaded"
    months = whole_months(window)
    if months is None:
        return None, f"{window.label} cuts a month and costs are monthly"
    rows = costs[costs["period"].isin(months)]
    if rows.empty:
        return None, f"no cost rows for {window.label}"
    if contacts == 0:
        return None, f"no contacts in {window.label}"
    return float(rows["amount"].sum()) / contacts, ""


def _segments(revenue: pd.DataFrame) -> pd.Series:
    """Each customer's segment from their latest revenue row that has one."""
    if "segment" not in revenue.columns:
        return pd.Series(dtype="str")
    rows = revenue.dropna(subset=["segment"]).sort_values("date", kind="stable")
    return rows.groupby("customer_id")["segment"].last()
