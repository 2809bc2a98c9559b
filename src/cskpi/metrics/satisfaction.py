"""Satisfaction KPIs: survey scores. Each function maps a Scope to per-record values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from cskpi.ids import as_integers, rising
from cskpi.metrics import aggregate as agg
from cskpi.metrics.scope import SEG, Records, Scope, Unavailable, Values


def scores(survey: str):
    def records(s: Scope) -> Values:
        frame = s.survey(survey)
        return frame.values(frame.floats("score"))

    return records


def _csat_overall(s: Scope) -> Records:
    frame = s.survey("csat")
    return frame.where(lambda: s.question_is(frame, "overall"), "surveys csat overall")


def _good(s: Scope, frame: Records) -> Values:
    score = frame.floats("score")
    return frame.flags(score >= float(s.config.csat_good_min), ~np.isnan(score))


def csat_good(s: Scope) -> Values:
    return _good(s, _csat_overall(s))


def csat_good_any_question(s: Scope) -> Values:
    return _good(s, s.survey("csat"))


def csat_scores(s: Scope) -> Values:
    frame = _csat_overall(s)
    return frame.values(frame.floats("score"))


def score_is(survey: str, wanted: float):
    def records(s: Scope) -> Values:
        frame = s.survey(survey)
        score = frame.floats("score")
        return frame.flags(score == wanted, ~np.isnan(score))

    return records


def _non_empty(records: Records, column: str) -> np.ndarray:
    if not records.has(column):
        return np.zeros(len(records), dtype=bool)
    values = records.texts(column)
    text = values.astype("str").str.strip()
    return (values.notna() & (text != "")).to_numpy(dtype=bool)


def _contacts(records: Records) -> pd.DataFrame:
    n = records.group_counts()
    keep = n > 0
    return pd.DataFrame(
        {
            SEG: records.labels[keep],
            "response_id": pd.Series(pd.NA, index=range(int(keep.sum())), dtype="str"),
            "contacts": n[keep].astype("int64"),
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
    answers = s.surveys

    def is_linked() -> np.ndarray:
        return s.answers_to(("csat", "nps")) & (
            _non_empty(answers, "ticket_id") | _non_empty(answers, "call_id")
        )

    linked = answers.where(is_linked, "surveys linked").compact()
    ids = linked.texts("response_id")
    seg = pd.Series(linked.seg)
    # One row per distinct (group, response_id), the first of each, in file order; every row
    # when the ids are known and distinct (the usual export), without hashing them.
    if not (_all_response_ids_distinct(s) or _distinct_ids(ids)):
        keys, _, _ = _pair_keys(seg, ids)
        first = ~pd.Series(keys).duplicated(keep="first").to_numpy()
        seg, ids = seg[first], ids[first]
    responses = pd.DataFrame(
        {SEG: seg.array, "response_id": ids.astype("str").array, "contacts": 0}
    )
    parts = [responses]
    if s.has("tickets"):
        parts.append(_contacts(s.tickets_resolved))
    if s.has("calls"):
        s.need("calls", "answered_at")
        parts.append(_contacts(s.calls_answered))
    # One categorical of every part's groups, so the rows stay group codes when joined (the
    # finish reads codes, not a million texts to factorize).
    groups = pd.Index(
        np.concatenate([np.asarray(p[SEG].unique(), dtype=object) for p in parts]), dtype=object
    ).unique()
    kind = pd.CategoricalDtype(groups)
    return pd.concat(
        [p[[SEG, "response_id", "contacts"]].astype({SEG: kind}) for p in parts], ignore_index=True
    )


def _all_response_ids_distinct(s: Scope) -> bool:
    """Whether no two answers of the whole surveys table share a response id (then no period's
    answers do): proved once for every period and breakdown."""
    return s.table_memo(
        ("distinct response ids",), lambda: _distinct_ids(s.tables["surveys"]["response_id"])
    )


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
    if rising(array):
        return True
    numbers = as_integers(array)
    return numbers is not None and pd.Index(numbers).is_unique


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
