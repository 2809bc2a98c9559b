"""How a KPI turns records into a value and n, in two steps that let partitions be merged.

``parts(scope)`` reduces one slice of records to a frame with a ``_seg`` column:
- merge ``"sum"``: one row per group of additive components (counts, sums; a column named ``max_*``
  merges by maximum), so partitions (month files) combine by adding their parts;
- merge ``"rows"``: per-record rows (values for exact percentiles, ids for distinct counts), so
  partitions combine by concatenation.

``finish(merged)`` turns the merged parts into a frame indexed by group with ``value`` and ``n``
(and an optional ``reason`` where value is NaN). ``samples(scope)`` gives the per-record values
(``_seg``, ``x``) of a mean, share, percentile or NPS, for significance tests.

The parts are reduced from numpy arrays (:class:`~cskpi.metrics.scope.Values`: each record's group
code and value) with ``bincount`` over the group codes; only fractional sums go through pandas'
compensated group sum, so that every digit is the one pandas gives.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cskpi.metrics.scope import SEG, Records, Scope, Values, group_counts

ValuesOf = Callable[[Scope], Values]  # each record's group and x (NaN = no value, left out)
Parts = Callable[[Scope], pd.DataFrame]
Samples = Callable[[Scope], pd.DataFrame]  # -> frame with _seg and x
Finish = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True)
class Hooks:
    parts: Parts
    finish: Finish
    merge: str = "sum"  # "sum" | "rows"
    samples: Samples | None = None
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


def _recent(s: Scope, name: str, key: object, make: Callable[[], object]) -> object:
    """``make()``, or what it gave the last time ``slot`` of this scope was asked for ``key``.

    KPIs over the same records are neighbours in the catalogue (the mean, median and p90 of one
    duration); one remembered result per slot saves recomputing them without holding every
    KPI's records at once. The records of a scope do not change, so the result is the same.
    """
    memo = s.__dict__.setdefault("_recent", {})
    slot = (name, threading.get_ident())  # KPIs of a scope may be evaluated in two threads
    hit = memo.get(slot)
    if hit is not None and hit[0] is key:
        return hit[1]
    memo.pop(slot, None)  # let the previous records go before building the next ones
    result = make()
    memo[slot] = (key, result)
    return result


def forget_recent(s: Scope) -> None:
    """Let go of what this thread's KPIs of ``s`` remember (see :func:`_recent`): once a KPI, or
    the percentiles of one duration, are done, their records and laid-out values would
    otherwise be held until the thread next needs the slot, on top of every later KPI's."""
    memo = s.__dict__.get("_recent")
    if memo:
        mine = threading.get_ident()
        for slot in [slot for slot in memo if slot[1] == mine]:
            memo.pop(slot, None)


def _records(values: ValuesOf) -> ValuesOf:
    return lambda s: _recent(s, "values", values, lambda: values(s))  # type: ignore[return-value]


def _samples(values: ValuesOf, scale: float | None = None) -> Samples:
    """The per-record values as a frame (``_seg``, ``x``), x scaled (shares as 0/100)."""

    def samples(s: Scope) -> pd.DataFrame:
        frame = values(s).frame()
        return frame if scale is None else frame.assign(x=frame["x"] * scale)

    return samples


# Sums of whole numbers below this are exact in float64 in any order, so bincount gives the same
# sums as pandas' compensated groupby sum.
_EXACT = 2.0**53
_PEEK = 4096


def _whole(weight: np.ndarray) -> bool:
    return bool(np.array_equal(weight, np.round(weight)))


def _group_sums(
    codes: np.ndarray,
    labels: np.ndarray,
    weights: dict[str, np.ndarray],
    mask: np.ndarray | None = None,
) -> pd.DataFrame | None:
    """Per group ``n`` (records where ``mask``) and the sum of each weight, with bincount.

    None when a weight is not whole numbers (the caller then sums with pandas, whose compensated
    float sums bincount would not reproduce bit for bit). Records outside ``mask`` go to an extra
    bin (weight 0) instead of being copied out: whole-number sums are exact in any order, so
    adding zeros changes none. Groups without records have no row.
    """
    for w in weights.values():  # durations and money are rarely whole: tell from the first ones
        head = w[:_PEEK] if mask is None else w[:_PEEK][mask[:_PEEK]]
        if not _whole(head):
            return None
    if mask is not None and mask.all():
        mask = None
    filled = {name: (w if mask is None else np.where(mask, w, 0.0)) for name, w in weights.items()}
    for w in filled.values():
        if len(w) and not (_whole(w) and np.abs(w).sum() < _EXACT):
            return None
    size = len(labels)
    if size == 1:  # one group (the overall scope): totals, no binning
        n = np.array([len(codes) if mask is None else np.count_nonzero(mask)])
        sums = {name: np.array([np.add.reduce(w) if len(w) else 0.0]) for name, w in filled.items()}
    else:
        n = group_counts(codes, size, mask)
        keys = codes.astype(np.intp)
        sums = {name: np.bincount(keys, weights=w, minlength=size) for name, w in filled.items()}
    keep = n > 0
    out = {SEG: np.asarray(labels, dtype=object)[keep]}
    for name, total in sums.items():
        out[name] = total[keep].astype("float64")
    out["n"] = n[keep].astype("int64")
    return pd.DataFrame(out)


def _exact_group_sums(
    labels: pd.Series, weights: dict[str, np.ndarray], mask: np.ndarray | None = None
) -> pd.DataFrame | None:
    """:func:`_group_sums` of categorical group labels; None when they are not categorical."""
    if not isinstance(labels.dtype, pd.CategoricalDtype):
        return None
    codes = labels.array.codes
    if len(codes) and codes.min() < 0:
        return None
    return _group_sums(codes, np.asarray(labels.array.categories, dtype=object), weights, mask)


def _counts(records: Records) -> pd.DataFrame:
    """Per group: the number of records (groups without records have no row)."""
    n = records.group_counts()
    keep = n > 0
    return pd.DataFrame(
        {SEG: np.asarray(records.labels, dtype=object)[keep], "n": n[keep].astype("int64")}
    )


def _pandas_group_sums(
    codes: np.ndarray, size: int, x: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per group code: the sum of the known x, digit for digit as pandas' groupby sum of the
    records in file order gives it; and, where the sum counted them on the way, the number of
    known records of each group (None: count them apart).

    pandas adds each group's values with ``np.add.reduceat`` when the groups come in runs (all of
    one group's records, then the next group's), and with its compensated (Kahan) kernel
    otherwise; the two differ in the last bits, so both are reproduced.
    """
    every = bool(known.all())
    out = np.zeros(size, dtype="float64")
    if size == 1:  # one run: the known x added in order
        known_x = x if every else x[known]
        if len(known_x):
            out[0] = np.add.reduceat(known_x, [0])[0]
        return out, None
    if not _interleaved(codes, known, size):
        known_codes = codes if every else codes[known]  # small integers: a cheap copy
        if not len(known_codes):
            return out, None
        if _in_runs(known_codes, size):  # np.add.reduceat over each group's run
            known_x = x if every else x[known]
            starts = np.flatnonzero(np.r_[True, known_codes[1:] != known_codes[:-1]])
            out[known_codes[starts]] = np.add.reduceat(known_x, starts)
            return out, None
    try:  # pandas' own kernel, without the groupby machinery (which re-factorizes the codes)
        from pandas._libs import groupby as libgroupby

        counts = np.zeros(size, dtype="int64")
        sums = np.zeros((size, 1), dtype="float64")
        # The records without a known x under no group (-1): the kernel passes over them, and
        # its count of each group's records is then the count of its known x. NaN x it skips.
        libgroupby.group_sum(
            sums,
            counts,
            x.reshape(-1, 1),
            known_labels(codes, known),
            None,
            min_count=0,
            is_datetimelike=False,
        )
        return sums[:, 0], counts
    except (ImportError, AttributeError, TypeError, ValueError):  # another pandas
        grouped = pd.Series(x[known]).groupby(codes[known], sort=False).sum()
        out[grouped.index.to_numpy()] = grouped.to_numpy(dtype="float64")
        return out, None


_PREFIX = 1 << 16


def _interleaved(codes: np.ndarray, known: np.ndarray, size: int) -> bool:
    """Whether the known records' groups come back after another group's (more runs than
    groups), read from the first records only: the runs of a beginning are never more than the
    runs of the whole, so a beginning that interleaves proves it without copying every code.
    False: not proved (the whole is then checked)."""
    head = codes[:_PREFIX][known[:_PREFIX]]
    return int(np.count_nonzero(head[1:] != head[:-1])) + 1 > size


def _in_runs(codes: np.ndarray, size: int) -> bool:
    """Whether each group's records come one after another (one run per group)."""
    runs = np.count_nonzero(codes[1:] != codes[:-1]) + 1
    if runs > size:  # more runs than groups: some group comes back (the usual breakdown)
        return False
    return bool(runs == np.count_nonzero(group_counts(codes, size)))


def known_labels(codes: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Group codes as pandas' kernels take them (machine integers), -1 where not known."""
    labels = codes.astype(np.intp)
    labels[~known] = -1
    return labels


def _sum_count(values: Values | pd.DataFrame) -> pd.DataFrame:
    """Per group: ``s`` the sum of the known x, ``n`` their number (groups without a known x
    have no row)."""
    if isinstance(values, pd.DataFrame):  # a frame of _seg and x
        x = values["x"].to_numpy(dtype="float64")
        fast = _exact_group_sums(values[SEG], {"s": x}, ~np.isnan(x))
        if fast is not None:
            return fast[[SEG, "s", "n"]]
        known_rows = _known(values)
        return known_rows.groupby(SEG, sort=False)["x"].agg(s="sum", n="count").reset_index()
    codes, size = values.codes, len(values.labels)
    if values.hits is not None and values.known is not None:  # a share: the sum is a count
        n = group_counts(codes, size, values.known)
        total = group_counts(codes, size, values.hits).astype("float64")
    else:
        # pandas' sums; of whole numbers they are exact in any order, so no test is needed.
        x = values.x
        known = values.present()
        total, n_known = _pandas_group_sums(codes, size, x, known)
        # The kernel counts records, so with given flags (known x may be NaN) count them apart.
        n = n_known if n_known is not None and values.known is None else None
        if n is None:
            n = group_counts(codes, size, known)
    keep = n > 0
    return pd.DataFrame(
        {
            SEG: np.asarray(values.labels, dtype=object)[keep],
            "s": total[keep],
            "n": n[keep].astype("int64"),
        }
    )


def _known(values: pd.DataFrame) -> pd.DataFrame:
    """The records with a value: their group and x (a new frame: the index is not needed)."""
    keep = values["x"].notna().to_numpy()
    return pd.DataFrame(
        {SEG: values[SEG].array[keep], "x": values["x"].to_numpy()[keep]}, copy=False
    )


def _known_rows(values: Values) -> pd.DataFrame:
    """The records with a value as per-record parts: ``_seg`` (categorical) and ``x``."""
    keep = values.present()
    seg = pd.Categorical.from_codes(
        values.codes[keep], categories=pd.Index(values.labels, dtype=object), validate=False
    )
    return pd.DataFrame({SEG: seg, "x": values.x[keep]}, copy=False)  # fresh arrays: no copy


def _known_records(values: ValuesOf) -> Parts:
    return lambda s: _recent(  # type: ignore[return-value]
        s, "known", values, lambda: _known_rows(_records(values)(s))
    )


def _sum_count_finish(scale: float) -> Finish:
    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        n = p["n"].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, scale * p["s"].to_numpy() / np.where(n > 0, n, 1), np.nan)
        return _frame(p.index, value, n)

    return finish


def mean(values: ValuesOf) -> Hooks:
    """Mean of the known values."""
    return Hooks(
        lambda s: _sum_count(_records(values)(s)),
        _sum_count_finish(1.0),
        samples=_samples(values),
        statistic="mean",
    )


def share(flags: ValuesOf) -> Hooks:
    """Percentage of records whose flag x is 1 among records with a known flag."""
    return Hooks(
        lambda s: _sum_count(_records(flags)(s)),
        _sum_count_finish(100.0),
        samples=_samples(flags, 100.0),
        statistic="share",
    )


def quantile(values: ValuesOf, q: float) -> Hooks:
    """Exact percentile, linear interpolation between closest ranks (numpy's default)."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        return group_quantile(parts, q)

    return Hooks(
        _known_records(values),
        finish,
        merge="rows",
        samples=_samples(values),
        statistic="quantile",
        q=q,
    )


def _codes(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer group codes (from 0) and the label of each code."""
    if isinstance(labels.dtype, pd.CategoricalDtype) and (labels.array.codes >= 0).all():
        # The codes keep their small integer type: a stable argsort of them is a radix sort.
        return labels.array.codes, np.asarray(labels.array.categories, dtype=object)
    codes, uniques = pd.factorize(labels.to_numpy(dtype=object), sort=False)
    return codes, np.asarray(uniques, dtype=object)


# The last parts laid out by group in this thread (weakly held): the median and p90 of one
# duration finish the same parts frame one after the other.
_THREAD = threading.local()


def _laid_out(parts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict, bool]:
    """Group labels, slice bounds, the known ``x`` sorted by group (stable) of ``parts``, the
    percentiles computed from them so far (q -> value per group), and whether that ``x`` is a
    copy made here (its slices may then be reordered in place)."""
    last = getattr(_THREAD, "laid_out", None)
    if last is None:
        last = _THREAD.laid_out = [None, None]
    held = last[0]
    if held is not None and held() is parts:
        return last[1]
    x = parts["x"].to_numpy(dtype="float64")
    known = ~np.isnan(x)
    codes, labels = _codes(parts[SEG])
    if not known.all():
        codes, x = codes[known], x[known]
    counts = group_counts(codes, len(labels))
    present = counts > 0
    # The codes are small integers: a stable argsort of them is a radix sort.
    sorted_x = x if len(labels) < 2 else x[np.argsort(codes, kind="stable")]
    labels, counts = labels[present], counts[present]  # categories without values have no row
    bounds = np.concatenate(([0], np.cumsum(counts)))
    owned = not np.may_share_memory(sorted_x, parts["x"].to_numpy())
    layout = (labels, bounds, sorted_x, {}, owned)

    def forget(ref: weakref.ref) -> None:
        if last[0] is ref:  # the parts are gone: so is their layout
            last[0] = last[1] = None

    last[0], last[1] = weakref.ref(parts, forget), layout
    return layout


# The catalogue's percentiles: asked for one, a group's slice gives both in one partition (numpy
# selects the same order statistics and interpolates each q alike, so the values are the same).
_PAIRED = (0.5, 0.9)


def group_quantile(parts: pd.DataFrame, q: float) -> pd.DataFrame:
    """Per group: numpy's linear-interpolation percentile of the known ``x``, and their number.

    One stable sort by group code lays each group's values side by side; ``np.quantile`` of each
    slice then is numpy's own definition, value for value. Loops over groups, not rows.
    """
    labels, bounds, sorted_x, done, owned = _laid_out(parts)
    if q not in done:
        qs = list(_PAIRED) if q in _PAIRED else [q]
        # A group's slice of a copy laid out here is partitioned in place (its values stay the
        # same, in another order); values as the parts hold them are copied first.
        values = np.array(
            [
                np.quantile(sorted_x[a:b], qs, overwrite_input=owned)
                for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ],
            dtype="float64",
        ).reshape(len(labels), len(qs))
        done.update({each: values[:, i] for i, each in enumerate(qs)})
    return _frame(pd.Index(labels, dtype=object, name=SEG), done[q], np.diff(bounds))


def _group_maxima(
    codes: np.ndarray, size: int, x: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per group code: the largest known x (NaN when none) and how many are known."""
    try:  # pandas' kernel on every record, those not known under no group: no copy of x
        from pandas._libs import groupby as libgroupby

        n = np.zeros(size, dtype="int64")
        maxima = np.zeros((size, 1), dtype="float64")
        libgroupby.group_max(
            maxima,
            n,
            x.reshape(-1, 1),
            known_labels(codes, known),
            min_count=-1,
            is_datetimelike=False,
            mask=None,
            result_mask=None,
        )
        return np.where(n > 0, maxima[:, 0], np.nan), n
    except (ImportError, AttributeError, TypeError, ValueError):  # another pandas
        grouped = pd.Series(x[known]).groupby(codes[known]).agg(["max", "count"])
        at = grouped.index.to_numpy()
        maxima_, n_ = np.full(size, np.nan), np.zeros(size, dtype="int64")
        maxima_[at], n_[at] = grouped["max"].to_numpy(dtype="float64"), grouped["count"]
        return maxima_, n_


def maximum(values: ValuesOf) -> Hooks:
    def parts(s: Scope) -> pd.DataFrame:
        v = values(s)
        maxima, n = _group_maxima(v.codes, len(v.labels), v.x, v.present())
        keep = n > 0
        return pd.DataFrame(
            {
                SEG: np.asarray(v.labels, dtype=object)[keep],
                "max_x": maxima[keep],
                "n": n[keep],
            }
        )

    def finish(parts_: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts_)
        return _frame(p.index, np.where(p["n"] > 0, p["max_x"], np.nan), p["n"])

    return Hooks(parts, finish, samples=_samples(values), statistic="maximum")


def count(records: Callable[[Scope], Records]) -> Hooks:
    """Number of records; n is that number too."""

    def finish(parts_: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts_)
        return _frame(p.index, p["n"], p["n"])

    return Hooks(lambda s: _counts(records(s)), finish, zero_when_empty=True, statistic="count")


def total(values: ValuesOf, *, zero_when_empty: bool) -> Hooks:
    """Sum of the known values; n counts them. Money with nothing to sum is not available."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        value = p["s"] if zero_when_empty else np.where(p["n"] > 0, p["s"], np.nan)
        return _frame(p.index, value, p["n"])

    return Hooks(
        lambda s: _sum_count(values(s)), finish, zero_when_empty=zero_when_empty, statistic="sum"
    )


def _nps_parts(scores: ValuesOf) -> Parts:
    def parts(s: Scope) -> pd.DataFrame:
        v: Values = _records(scores)(s)
        size = len(v.labels)
        present = v.present()
        n = group_counts(v.codes, size, present)
        promoters = group_counts(v.codes, size, present & (v.x >= 9))
        detractors = group_counts(v.codes, size, present & (v.x <= 6))
        keep = n > 0
        return pd.DataFrame(
            {
                SEG: np.asarray(v.labels, dtype=object)[keep],
                "p": promoters[keep].astype("int64"),
                "d": detractors[keep].astype("int64"),
                "n": n[keep].astype("int64"),
            }
        )

    return parts


def nps(scores: ValuesOf) -> Hooks:
    """100 × (share of 9–10 − share of 0–6)."""

    def finish(parts: pd.DataFrame) -> pd.DataFrame:
        p = _indexed(parts)
        n = p["n"].to_numpy()
        safe = np.where(n > 0, n, 1)
        return _frame(
            p.index, np.where(n > 0, 100.0 * (p["p"] - p["d"]).to_numpy() / safe, np.nan), n
        )

    def samples(s: Scope) -> pd.DataFrame:
        known = _known(scores(s).frame())
        x = known["x"]
        return known.assign(x=np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0)))

    return Hooks(_nps_parts(scores), finish, samples=samples, statistic="nps")


def nps_margin(scores: ValuesOf) -> Hooks:
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
