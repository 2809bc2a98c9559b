"""Satisfaction KPIs: survey scores. Each function maps a Scope to records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from cskpi.ids import as_integers
from cskpi.metrics import aggregate as agg
from cskpi.metrics.efficiency import flags, values
from cskpi.metrics.scope import SEG, Scope, Unavailable


def scores(survey: str):
    def records(s: Scope) -> pd.DataFrame:
        frame = s.survey(survey)
        return values(frame, frame["score"].to_numpy(dtype="float64", na_value=np.nan))

    return records


def _csat_overall(s: Scope) -> pd.DataFrame:
    frame = s.survey("csat")
    return frame.loc[(frame["question"].str.lower() == "overall").to_numpy()]


def _good(s: Scope, frame: pd.DataFrame) -> pd.DataFrame:
    score = frame["score"].to_numpy(dtype="float64", na_value=np.nan)
    return flags(frame, score >= float(s.config.csat_good_min), ~np.isnan(score))


def csat_good(s: Scope) -> pd.DataFrame:
    return _good(s, _csat_overall(s))


def csat_good_any_question(s: Scope) -> pd.DataFrame:
    return _good(s, s.survey("csat"))


def csat_scores(s: Scope) -> pd.DataFrame:
    frame = _csat_overall(s)
    return values(frame, frame["score"].to_numpy(dtype="float64", na_value=np.nan))


def score_is(survey: str, wanted: float):
    def records(s: Scope) -> pd.DataFrame:
        frame = s.survey(survey)
        score = frame["score"].to_numpy(dtype="float64", na_value=np.nan)
        return flags(frame, score == wanted, ~np.isnan(score))

    return records


def _non_empty(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    text = frame[column].astype("str").str.strip()
    return (frame[column].notna() & (text != "")).to_numpy(dtype=bool)


def _contacts(frame: pd.DataFrame) -> pd.DataFrame:
    counts = agg._exact_group_sums(frame[SEG], {})
    if counts is None:
        counts = frame.groupby(SEG, sort=False).size().rename("n").reset_index()
    return pd.DataFrame(
        {
            SEG: counts[SEG].array,
            "response_id": pd.Series(pd.NA, index=counts.index, dtype="str"),
            "contacts": counts["n"].to_numpy(),
        }
    )


def _pair_keys(labels: pd.Series, ids: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """One integer per (group, id) pair (-1 where the id is missing), the group codes, and the
    multiplier that separates groups in the keys (key // width is the group code)."""
    group_codes, _ = agg._codes(labels)
    id_codes, uniques = pd.factorize(ids)
    width = len(uniques) + 1
    keys = group_codes.astype(np.int64) * width + id_codes
    return np.where(id_codes >= 0, keys, -1), group_codes, width


def response_rate_parts(s: Scope) -> pd.DataFrame:
    """Linked csat/nps response ids, plus per-group counts of resolved tickets, answered calls."""
    s.need("surveys", "response_id")
    if not (s.has("tickets") or s.has("calls")):
        raise Unavailable("no tickets or calls table to relate responses to")
    frame = s.surveys
    linked = frame[[SEG, "response_id"]].loc[  # only what is counted: no copy of other texts
        frame["_survey"].isin(["csat", "nps"]).to_numpy()
        & (_non_empty(frame, "ticket_id") | _non_empty(frame, "call_id"))
    ]
    # One row per distinct (group, response_id), the first of each, in file order; every row
    # when the ids are known and distinct (the usual export), without hashing them.
    if _distinct_ids(linked["response_id"]):
        picked = linked
    else:
        keys, _, _ = _pair_keys(linked[SEG], linked["response_id"])
        picked = linked.loc[~pd.Series(keys).duplicated(keep="first").to_numpy()]
    responses = pd.DataFrame(
        {
            SEG: picked[SEG].array,
            "response_id": picked["response_id"].astype("str").array,
            "contacts": 0,
        }
    )
    parts = [responses]
    if s.has("tickets"):
        parts.append(_contacts(s.tickets_resolved))
    if s.has("calls"):
        s.need("calls", "answered_at")
        parts.append(_contacts(s.calls_answered))
    return pd.concat([p[[SEG, "response_id", "contacts"]] for p in parts], ignore_index=True)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct non-negative keys, ascending; by marking them when the key range is small
    (no sort), else by np.unique."""
    if not len(keys):
        return keys
    top = int(keys.max())
    if top > 8 * len(keys) + 1024:
        return np.unique(keys)
    seen = np.zeros(top + 1, dtype=bool)
    seen[keys] = True
    return np.flatnonzero(seen)


def _distinct_ids(ids: pd.Series) -> bool:
    """Whether every id is present and no two are equal, proved from integers (cskpi.ids): equal
    texts give equal integers, so distinct integers are distinct texts. False means unknown."""
    if not len(ids):
        return True
    array = pa.array(ids.array)
    if array.null_count:
        return False
    numbers = as_integers(array)
    if numbers is None:
        return False
    return bool((numbers[1:] > numbers[:-1]).all()) or pd.Index(numbers).is_unique


def response_rate_finish(parts: pd.DataFrame) -> pd.DataFrame:
    codes, labels = agg._codes(parts[SEG])
    size = len(labels)
    has_id = parts["response_id"].notna().to_numpy()
    if _distinct_ids(parts["response_id"][has_id]):
        answered = np.bincount(codes[has_id], minlength=size)
    else:
        keys, codes, width = _pair_keys(parts[SEG], parts["response_id"])
        answered = np.bincount(_distinct(keys[keys >= 0]) // width, minlength=size)
    weights = parts["contacts"].to_numpy(dtype="float64")
    contacts = np.bincount(codes, weights=weights, minlength=size).astype("int64")
    present = np.bincount(codes, minlength=size) > 0  # groups with any row
    index = pd.Index(labels[present], dtype=object, name=SEG)
    answered, contacts = answered[present], contacts[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(
            contacts > 0, 100.0 * answered / np.where(contacts > 0, contacts, 1), np.nan
        )
    reason = np.where(contacts > 0, None, "no resolved tickets or answered calls in {period}")
    return agg._frame(index, value, contacts, pd.Series(reason, index=index))


RESPONSE_RATE = agg.Hooks(response_rate_parts, response_rate_finish, merge="rows")
