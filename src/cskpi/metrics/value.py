"""Value KPIs: costs, hours, revenue. Costs and agents select whole months (see Scope.months)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cskpi.metrics import aggregate as agg
from cskpi.metrics.scope import SEG, Records, Scope, Unavailable, Values, lower


def values(frame: pd.DataFrame, x: pd.Series | np.ndarray) -> Values:
    """Per-record values of a tagged monthly frame (costs, agents, revenue)."""
    seg = frame[SEG].array
    return Values(np.asarray(seg.codes), np.asarray(seg.categories, dtype=object), as_float(x))


def as_float(values_: pd.Series | np.ndarray) -> np.ndarray:
    """Nullable boolean or number -> float64 with NaN for missing."""
    if isinstance(values_, np.ndarray):
        return values_.astype("float64")
    return values_.to_numpy(dtype="float64", na_value=np.nan)


def cost_amounts(s: Scope) -> pd.DataFrame:
    return values(s.costs, s.costs["amount"])


def _labour_rows(s: Scope) -> pd.DataFrame:
    s.need("costs", "category")
    costs = s.costs
    labour = {str(c).strip().lower() for c in s.config.labour_categories}
    return costs.loc[lower(costs["category"]).isin(labour).to_numpy()]


def labour_amounts(s: Scope) -> pd.DataFrame:
    rows = _labour_rows(s)
    return values(rows, rows["amount"])


def hours(s: Scope) -> pd.DataFrame:
    s.need("agents", "hours_worked")
    return values(s.agents, as_float(s.agents["hours_worked"]))


def revenue_amounts(s: Scope) -> pd.DataFrame:
    return values(s.revenue, s.revenue["amount"])


def _ratio_finish(num: str, den: str, *, n_from: str, num_reason: str, den_reason: str):
    """value = num_s / den_s; not available when the numerator has no records or den_s is 0."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = parts.set_index(SEG)
        num_n, den_s = p[f"{num}_n"].to_numpy(), p[f"{den}_s"].to_numpy().astype("float64")
        ok = (num_n > 0) & (den_s > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(ok, p[f"{num}_s"].to_numpy() / np.where(den_s > 0, den_s, 1.0), np.nan)
        reason = np.where(num_n == 0, num_reason, np.where(den_s > 0, None, den_reason))
        return agg._frame(p.index, value, p[n_from].to_numpy(), pd.Series(reason, index=p.index))

    return finish


def labour_per_hour_parts(s: Scope) -> pd.DataFrame:
    s.need("agents", "hours_worked")
    return agg.join_parts(
        agg.sums_by_group(_labour_rows(s), "amount", "labour"),
        agg.sums_by_group(s.agents, "hours_worked", "hours"),
    )


LABOUR_PER_HOUR = agg.Hooks(
    labour_per_hour_parts,
    _ratio_finish(
        "labour",
        "hours",
        n_from="hours_n",
        num_reason="no labour cost rows for {period}",
        den_reason="no hours worked in {period}",
    ),
)


def _contact_counts(s: Scope, *, resolutions: bool) -> pd.DataFrame:
    """Per group: contacts (tickets created + answered inbound calls) or resolutions."""
    if not (s.has("tickets") or s.has("calls")):
        raise Unavailable("no tickets or calls table")
    selections: list[Records] = []
    if s.has("tickets"):
        selections.append(s.tickets_resolved if resolutions else s.tickets_created)
    if s.has("calls"):
        s.need("calls", "answered_at")
        calls = s.calls_answered
        if resolutions and calls.has("resolved"):
            calls = calls.where(lambda: calls.truths("resolved")[0], "calls resolved")
        selections.append(calls)
    counts: dict[str, int] = {}
    for records in selections:  # tables, not rows: each counted with bincount
        n = records.group_counts()
        for label, count in zip(records.labels[n > 0], n[n > 0], strict=True):
            counts[label] = counts.get(label, 0) + int(count)
    number = np.fromiter(counts.values(), dtype="int64", count=len(counts))
    return pd.DataFrame(
        {
            SEG: np.array(list(counts), dtype=object),
            "contacts_s": number,
            "contacts_n": number,
        }
    )


def per_contact_parts(resolutions: bool):
    def parts(s: Scope) -> pd.DataFrame:
        return agg.join_parts(
            agg.sums_by_group(s.costs, "amount", "cost"),
            _contact_counts(s, resolutions=resolutions),
        )

    return parts


COST_PER_CONTACT = agg.Hooks(
    per_contact_parts(False),
    _ratio_finish(
        "cost",
        "contacts",
        n_from="contacts_n",
        num_reason="no cost rows for {period}",
        den_reason="no tickets created or calls answered in {period}",
    ),
)
COST_PER_RESOLUTION = agg.Hooks(
    per_contact_parts(True),
    _ratio_finish(
        "cost",
        "contacts",
        n_from="contacts_n",
        num_reason="no cost rows for {period}",
        den_reason="no tickets or calls resolved in {period}",
    ),
)


def gross_margin_parts(s: Scope) -> pd.DataFrame:
    return agg.join_parts(
        agg.sums_by_group(s.revenue, "amount", "revenue"),
        agg.sums_by_group(s.costs, "amount", "cost"),
    )


def gross_margin_finish(parts: pd.DataFrame) -> pd.DataFrame:
    p = parts.set_index(SEG)
    rev_n, cost_n = p["revenue_n"].to_numpy(), p["cost_n"].to_numpy()
    ok = (rev_n > 0) & (cost_n > 0)
    value = np.where(ok, p["revenue_s"].to_numpy() - p["cost_s"].to_numpy(), np.nan)
    reason = np.where(
        cost_n == 0,
        "no cost rows for {period}",
        np.where(rev_n == 0, "no revenue rows for {period}", None),
    )
    return agg._frame(p.index, value, rev_n + cost_n, pd.Series(reason, index=p.index))


GROSS_MARGIN = agg.Hooks(gross_margin_parts, gross_margin_finish)


def _customer_ids(frame: pd.DataFrame | Records) -> np.ndarray:
    if isinstance(frame, Records):
        if not frame.has("customer_id"):
            return np.full(len(frame), None, dtype=object)
        raw = frame.texts("customer_id")
    elif "customer_id" not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    else:
        raw = frame["customer_id"]
    ids = raw.astype("str").str.strip()
    return ids.where(raw.notna() & (ids != ""), None).astype(object).to_numpy()


def active_customer_parts(s: Scope) -> pd.DataFrame:
    s.need("revenue", "customer_id")
    r = s.revenue
    return pd.DataFrame({SEG: r[SEG].to_numpy(), "customer_id": _customer_ids(r)})


def active_customer_finish(parts: pd.DataFrame) -> pd.DataFrame:
    grouped = parts.groupby(SEG, sort=False)["customer_id"]
    customers = grouped.nunique()
    return agg._frame(
        customers.index, customers.to_numpy(), grouped.size().reindex(customers.index)
    )


ACTIVE_CUSTOMERS = agg.Hooks(
    active_customer_parts, active_customer_finish, merge="rows", zero_when_empty=True
)


def _rows(frame: pd.DataFrame | Records, **columns) -> pd.DataFrame:
    seg = frame.seg if isinstance(frame, Records) else frame[SEG].array
    out = pd.DataFrame({SEG: np.asarray(seg, dtype=object)})
    for name, data in columns.items():
        out[name] = data
    return out


def lifetime_value_parts(s: Scope) -> pd.DataFrame:
    s.need("revenue", "customer_id")
    r, c = s.revenue, s.costs
    return pd.concat(
        [
            _rows(r, customer_id=_customer_ids(r), revenue=r["amount"].to_numpy(), cost=np.nan),
            _rows(c, customer_id=None, revenue=np.nan, cost=c["amount"].to_numpy()),
        ],
        ignore_index=True,
    )


def lifetime_value_finish(parts: pd.DataFrame) -> pd.DataFrame:
    grouped = parts.groupby(SEG, sort=False)
    rev_n, cost_n = grouped["revenue"].count(), grouped["cost"].count()
    margin = grouped["revenue"].sum() - grouped["cost"].sum()
    customers = grouped["customer_id"].nunique()
    ok = (rev_n > 0) & (cost_n > 0) & (customers > 0)
    value = np.where(ok, margin / customers.where(customers > 0, 1), np.nan)
    reason = np.where(
        cost_n == 0, "no cost rows for {period}", np.where(ok, None, "no revenue rows for {period}")
    )
    return agg._frame(customers.index, value, customers, pd.Series(reason, index=customers.index))


LIFETIME_VALUE = agg.Hooks(lifetime_value_parts, lifetime_value_finish, merge="rows")


def training_parts(s: Scope) -> pd.DataFrame:
    s.need("agents", "agent_id", "training_days")
    a = s.agents
    return _rows(
        a, agent_id=a["agent_id"].astype(object).to_numpy(), days=as_float(a["training_days"])
    )


def training_finish(parts: pd.DataFrame) -> pd.DataFrame:
    # A blank training_days is unknown, not 0: only agents with a known value count, and a
    # group whose agents are all blank has no value.
    known = parts.assign(agent_id=parts["agent_id"].where(parts["days"].notna().to_numpy()))
    grouped = known.groupby(SEG, sort=False)
    agents = grouped["agent_id"].nunique()
    days = grouped["days"].sum(min_count=1)
    value = np.where(agents > 0, days / agents.where(agents > 0, 1), np.nan)
    return agg._frame(agents.index, value, agents)


TRAINING = agg.Hooks(training_parts, training_finish, merge="rows")


def cost_over_value_parts(s: Scope) -> pd.DataFrame:
    """Rows per contact, revenue line and cost line; customers are compared in finish."""
    s.need("revenue", "customer_id")
    carriers = [t for t in ("tickets", "calls") if s.has(t, "customer_id")]
    if not carriers:
        raise Unavailable("tickets and calls tables have no customer_id")
    _contact_counts(s, resolutions=False)  # raises when the contact tables lack what they need
    frames = []
    if s.has("tickets"):
        t = s.tickets_created.compact()
        frames.append(_rows(t, customer_id=_customer_ids(t), contacts=1.0, revenue=0.0, cost=0.0))
    if s.has("calls"):
        calls = s.calls_answered.compact()
        frames.append(
            _rows(calls, customer_id=_customer_ids(calls), contacts=1.0, revenue=0.0, cost=0.0)
        )
    r, c = s.revenue, s.costs
    frames.append(
        _rows(
            r, customer_id=_customer_ids(r), contacts=0.0, revenue=r["amount"].to_numpy(), cost=0.0
        )
    )
    frames.append(
        _rows(c, customer_id=None, contacts=0.0, revenue=0.0, cost=c["amount"].to_numpy()).assign(
            cost_rows=1.0
        )
    )
    parts = pd.concat(frames, ignore_index=True)
    parts["cost_rows"] = parts["cost_rows"].fillna(0.0)
    # Fold to one row per group and customer (customer None keeps costs and anonymous contacts).
    return (
        parts.groupby([SEG, "customer_id"], sort=False, dropna=False)[
            ["contacts", "revenue", "cost", "cost_rows"]
        ]
        .sum()
        .reset_index()
    )


def cost_over_value_finish(parts: pd.DataFrame) -> pd.DataFrame:
    by_group = parts.groupby(SEG, sort=False)[["contacts", "cost", "cost_rows"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_contact = by_group["cost"] / by_group["contacts"].where(by_group["contacts"] > 0)
    customers = parts.loc[parts["customer_id"].notna().to_numpy()]
    customers = customers.groupby([SEG, "customer_id"], sort=False)[["contacts", "revenue"]].sum()
    cost_to_serve = (
        customers["contacts"] * per_contact.reindex(customers.index.get_level_values(0)).to_numpy()
    )
    over = (cost_to_serve > customers["revenue"]).groupby(level=0, sort=False).sum()
    considered = customers.groupby(level=0, sort=False).size()
    ok = (by_group["cost_rows"] > 0) & (by_group["contacts"] > 0)
    index = by_group.index
    value = np.where(ok, over.reindex(index).fillna(0).to_numpy(), np.nan)
    reason = np.where(
        by_group["cost_rows"] == 0,
        "no cost rows for {period}",
        np.where(ok, None, "no tickets created or calls answered in {period}"),
    )
    return agg._frame(
        index, value, considered.reindex(index).fillna(0).to_numpy(), pd.Series(reason, index=index)
    )


COST_OVER_VALUE = agg.Hooks(cost_over_value_parts, cost_over_value_finish, merge="rows")
