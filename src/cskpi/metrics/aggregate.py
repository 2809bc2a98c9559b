"""How a KPI turns records into a value and n, in two steps that let partitions be merged.

``parts(scope)`` reduces one slice of records to a frame with a ``_seg`` column:
- merge ``"sum"``: one row per group of additive components (counts, sums; a column named ``max_*``
  merges by maximum), so partitions (month files) combine by adding their parts;
- merge ``"rows"``: per-record rows (values for exact percentiles, ids for distinct counts), so
  partitions combine by concatenation.

``finish(merged)`` turns the merged parts into a frame indexed by group with ``value`` and ``n``
(and an optional ``reason`` where value is NaN). ``samples(scope)`` gives the per-record values
(``_seg``, ``x``) of a mean, share, percentile or NPS, for significance tests.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskpi.metrics.scope import SEG, Scope

Values = Callable[[Scope], pd.DataFrame]  # -> frame with _seg and x (NaN = no value, left out)
Parts = Callable[[Scope], pd.DataFrame]
Finish = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True)
class Hooks:
    parts: Parts
    finish: Finish
    merge: str = "sum"  # "sum" | "rows"
    samples: Values | None = None
    zero_when_empty: bool = False  # counts: a group with no records is 0, not "not available"
    # What the value is, so a comparison can pick a test that tests it: "mean", "share",
    # "quantile" (at ``q``), "nps", "maximum", "count", "sum", or "other".
    statistic: str = "other"
    q: float | None = None


def merge_parts(frames: list[pd.DataFrame], merge: str) -> pd.DataFrame:
    """Combine the parts of several partitions of the same scope."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame({SEG: pd.Series(dtype=object)})
    if len(frames) == 1:  # one slice: its parts already hold one row per group (or are rows)
        return frames[0]
    joined = pd.concat(frames, ignore_index=True)
    if merge == "rows":
        return joined
    how = {c: ("max" if c.startswith("max_") else "sum") for c in joined.columns if c != SEG}
    return joined.groupby(SEG, sort=False).agg(how).reset_index()


def _frame(
    index: pd.Index,
    value: pd.Series | np.ndarray,
    n: pd.Series | np.ndarray,
    reason: pd.Series | None = None,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {"value": np.asarray(value, dtype="float64"), "n": np.asarray(n, dtype="int64")},
        index=index,
    )
    if reason is not None:
        out["reason"] = np.asarray(reason, dtype=object)
    return out


def _indexed(parts: pd.DataFrame) -> pd.DataFrame:
    return parts.set_index(SEG) if SEG in parts.columns else parts


def _known(values: pd.DataFrame) -> pd.DataFrame:
    """The records with a value: their group and x (a new frame: the index is not needed)."""
    keep = values["x"].notna().to_numpy()
    return pd.DataFrame({SEG: values[SEG].array[keep], "x": values["x"].to_numpy()[keep]})


def _recent(s: Scope, slot: str, key: object, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``make()``, or what it gave the last time ``slot`` of this scope was asked for ``key``.

    KPIs over the same records are neighbours in the catalogue (the mean, median and p90 of one
    duration); one remembered result per slot saves recomputing them without holding every
    KPI's records at once. The records of a scope do not change, so the result is the same.
    """
    memo = s.__dict__.setdefault("_recent", {})
    hit = memo.get(slot)
    if hit is not None and hit[0] is key:
        return hit[1]
    memo.pop(slot, None)  # let the previous records go before building the next ones
    result = make()
    memo[slot] = (key, result)
    return result


def _records(values: Values) -> Values:
    return lambda s: _recent(s, "values", values, lambda: values(s))


def _known_records(values: Values) -> Values:
    return lambda s: _recent(s, "known", values, lambda: _known(_records(values)(s)))


# Sums of whole numbers below this are exact in float64 in any order, so bincount gives the same
# sums as pandas' compensated groupby sum.
_EXACT = 2.0**53
_PEEK = 4096


def _exact_group_sums(
    labels: pd.Series, weights: dict[str, np.ndarray], mask: np.ndarray | None = None
) -> pd.DataFrame | None:
    """Per group ``n`` (rows) and the sum of each weight, from categorical codes with bincount.

    None when the labels are not categorical or a weight is not whole numbers (the caller then
    groups with pandas, whose compensated float sums bincount would not reproduce bit for bit).
    Rows outside ``mask`` go to an extra bin (weight 0) instead of being copied out: whole-number
    sums are exact in any order, so adding zeros changes none.
    """
    if not isinstance(labels.dtype, pd.CategoricalDtype):
        return None
    codes = labels.array.codes
    for w in weights.values():  # durations and money are rarely whole: tell from the first ones
        head = w[:_PEEK] if mask is None else w[:_PEEK][mask[:_PEEK]]
        if not np.array_equal(head, np.round(head)):
            return None
    if mask is not None and mask.all():
        mask = None
    filled = {name: (w if mask is None else np.where(mask, w, 0.0)) for name, w in weights.items()}
    for w in filled.values():
        if len(w) and not (np.array_equal(w, np.round(w)) and np.abs(w).sum() < _EXACT):
            return None
    categories = labels.array.categories
    if len(codes) and codes.min() < 0:
        return None
    size = len(categories)
    if size == 1:  # one group (the overall scope): totals, no binning
        n = np.array([len(codes) if mask is None else np.count_nonzero(mask)])
        sums = {name: np.array([np.add.reduce(w) if len(w) else 0.0]) for name, w in filled.items()}
    else:
        keys = codes.astype(np.intp) if mask is None else np.where(mask, codes, np.intp(size))
        n = np.bincount(keys, minlength=size + 1)[:size]
        sums = {
            name: np.bincount(keys, weights=w, minlength=size + 1)[:size]
            for name, w in filled.items()
        }
    keep = n > 0
    out = {SEG: np.asarray(categories, dtype=object)[keep]}
    for name, s in sums.items():
        out[name] = s[keep].astype("float64")
    out["n"] = n[keep].astype("int64")
    return pd.DataFrame(out)


def _sum_count(values: pd.DataFrame) -> pd.DataFrame:
    x = values["x"].to_numpy(dtype="float64")
    fast = _exact_group_sums(values[SEG], {"s": x}, ~np.isnan(x))
    if fast is not None:
        return fast[[SEG, "s", "n"]]
    known = _known(values)
    return known.groupby(SEG, sort=False)["x"].agg(s="sum", n="count").reset_index()


def _sum_count_finish(scale: float) -> Finish:
    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        n = p["n"].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, scale * p["s"].to_numpy() / np.where(n > 0, n, 1), np.nan)
        return _frame(p.index, value, n)

    return finish


def mean(values: Values) -> Hooks:
    """Mean of the known values."""
    return Hooks(
        lambda s: _sum_count(_records(values)(s)),
        _sum_count_finish(1.0),
        samples=values,
        statistic="mean",
    )


def share(flags: Values) -> Hooks:
    """Percentage of records whose flag x is 1 among records with a known flag."""

    def samples(s: Scope) -> pd.DataFrame:
        frame = flags(s)
        return frame.assign(x=frame["x"] * 100.0)

    return Hooks(
        lambda s: _sum_count(_records(flags)(s)),
        _sum_count_finish(100.0),
        samples=samples,
        statistic="share",
    )


def quantile(values: Values, q: float) -> Hooks:
    """Exact percentile, linear interpolation between closest ranks (numpy's default)."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        return group_quantile(parts, q)

    return Hooks(
        _known_records(values), finish, merge="rows", samples=values, statistic="quantile", q=q
    )


def _codes(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer group codes (from 0) and the label of each code."""
    if isinstance(labels.dtype, pd.CategoricalDtype) and (labels.array.codes >= 0).all():
        # The codes keep their small integer type: a stable argsort of them is a radix sort.
        return labels.array.codes, np.asarray(labels.array.categories, dtype=object)
    codes, uniques = pd.factorize(labels.to_numpy(dtype=object), sort=False)
    return codes, np.asarray(uniques, dtype=object)


# The last parts laid out by group (weakly held): the median and p90 of one duration finish the
# same parts frame one after the other.
_LAID_OUT: list = [None, None]


def _forget(ref: weakref.ref) -> None:
    if _LAID_OUT[0] is ref:  # the parts are gone: so is their layout
        _LAID_OUT[0] = _LAID_OUT[1] = None


def _laid_out(parts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Group labels, slice bounds, the known ``x`` sorted by group (stable) of ``parts``, and the
    percentiles computed from them so far (q -> value per group)."""
    held = _LAID_OUT[0]
    if held is not None and held() is parts:
        return _LAID_OUT[1]
    x = parts["x"].to_numpy(dtype="float64")
    known = ~np.isnan(x)
    codes, labels = _codes(parts[SEG])
    codes, x = codes[known], x[known]
    present = np.bincount(codes, minlength=len(labels)) > 0
    if not present.all():  # categories without values have no row
        labels = labels[present]
        codes = (np.cumsum(present) - 1).astype(codes.dtype)[codes]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=len(labels)))))
    sorted_x = x if len(labels) < 2 else x[np.argsort(codes, kind="stable")]
    layout = (labels, bounds, sorted_x, {})
    _LAID_OUT[0], _LAID_OUT[1] = weakref.ref(parts, _forget), layout
    return layout


# The catalogue's percentiles: asked for one, a group's slice gives both in one partition (numpy
# selects the same order statistics and interpolates each q alike, so the values are the same).
_PAIRED = (0.5, 0.9)


def group_quantile(parts: pd.DataFrame, q: float) -> pd.DataFrame:
    """Per group: numpy's linear-interpolation percentile of the known ``x``, and their number.

    One stable sort by group code lays each group's values side by side; ``np.quantile`` of each
    slice then is numpy's own definition, value for value. Loops over groups, not rows.
    """
    labels, bounds, sorted_x, done = _laid_out(parts)
    if q not in done:
        qs = list(_PAIRED) if q in _PAIRED else [q]
        values = np.array(
            [np.quantile(sorted_x[a:b], qs) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
            dtype="float64",
        ).reshape(len(labels), len(qs))
        done.update({each: values[:, i] for i, each in enumerate(qs)})
    return _frame(pd.Index(labels, dtype=object, name=SEG), done[q], np.diff(bounds))


def maximum(values: Values) -> Hooks:
    def parts(s: Scope) -> pd.DataFrame:
        known = _known(values(s))
        return known.groupby(SEG, sort=False)["x"].agg(max_x="max", n="count").reset_index()

    def finish(parts_: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts_)
        return _frame(p.index, np.where(p["n"] > 0, p["max_x"], np.nan), p["n"])

    return Hooks(parts, finish, samples=values, statistic="maximum")


def count(records: Callable[[Scope], pd.DataFrame]) -> Hooks:
    """Number of records; n is that number too."""

    def parts(s: Scope) -> pd.DataFrame:
        frame = records(s)
        fast = _exact_group_sums(frame[SEG], {})
        if fast is not None:
            return fast
        return frame.groupby(SEG, sort=False).size().rename("n").reset_index()

    def finish(parts_: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts_)
        return _frame(p.index, p["n"], p["n"])

    return Hooks(parts, finish, zero_when_empty=True, statistic="count")


def total(values: Values, *, zero_when_empty: bool) -> Hooks:
    """Sum of the known values; n counts them. Money with nothing to sum is not available."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        value = p["s"] if zero_when_empty else np.where(p["n"] > 0, p["s"], np.nan)
        return _frame(p.index, value, p["n"])

    return Hooks(
        lambda s: _sum_count(values(s)), finish, zero_when_empty=zero_when_empty, statistic="sum"
    )


def _nps_parts(scores: Values) -> Parts:
    def parts(s: Scope) -> pd.DataFrame:
        frame = _records(scores)(s)
        x_all = frame["x"].to_numpy(dtype="float64")
        present = ~np.isnan(x_all)
        fast = _exact_group_sums(
            frame[SEG],
            {"p": (x_all >= 9).astype("float64"), "d": (x_all <= 6).astype("float64")},
            present,
        )
        if fast is not None:
            return fast.astype({"p": "int64", "d": "int64"})[[SEG, "p", "d", "n"]]
        known = _known(frame)
        x = known["x"]
        return (
            known.assign(p=(x >= 9).astype("int64"), d=(x <= 6).astype("int64"), n=1)
            .groupby(SEG, sort=False)[["p", "d", "n"]]
            .sum()
            .reset_index()
        )

    return parts


def nps(scores: Values) -> Hooks:
    """100 × (share of 9–10 − share of 0–6)."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        n = p["n"].to_numpy()
        safe = np.where(n > 0, n, 1)
        return _frame(
            p.index, np.where(n > 0, 100.0 * (p["p"] - p["d"]).to_numpy() / safe, np.nan), n
        )

    def samples(s: Scope) -> pd.DataFrame:
        known = _known(scores(s))
        x = known["x"]
        return known.assign(x=np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0)))

    return Hooks(_nps_parts(scores), finish, samples=samples, statistic="nps")


def nps_margin(scores: Values) -> Hooks:
    """95 % margin of error of an NPS in points: 196 × sqrt((p + d − (p − d)²) / n)."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        n = p["n"].to_numpy().astype("float64")
        safe = np.where(n > 0, n, 1.0)
        promoters, detractors = p["p"].to_numpy() / safe, p["d"].to_numpy() / safe
        variance = promoters + detractors - (promoters - detractors) ** 2
        value = np.where(n > 0, 196.0 * np.sqrt(np.clip(variance, 0.0, None) / safe), np.nan)
        return _frame(p.index, value, n)

    return Hooks(_nps_parts(scores), finish)


def sums_by_group(frame: pd.DataFrame, column: str, prefix: str) -> pd.DataFrame:
    """Per group: ``{prefix}_s`` the sum of known ``column`` values, ``{prefix}_n`` their count."""
    values = frame[column]
    known = frame.loc[values.notna().to_numpy(), [SEG, column]]
    return (
        known.groupby(SEG, sort=False)[column]
        .agg(["sum", "count"])
        .rename(columns={"sum": f"{prefix}_s", "count": f"{prefix}_n"})
        .reset_index()
    )


def join_parts(*frames: pd.DataFrame) -> pd.DataFrame:
    """Outer-join per-group parts; a group missing from one side has zeros there."""
    joined: pd.DataFrame | None = None
    for frame in frames:
        frame = frame.set_index(SEG)
        joined = frame if joined is None else joined.join(frame, how="outer")
    assert joined is not None
    return joined.fillna(0).reset_index()
