"""Typing and checking mapped rows: canonical dtypes (io.schema) and row rejects with reason codes.

Reason codes (stable; they appear in ``--rejects`` files and reports):
``missing_required``, ``bad_timestamp``, ``bad_number``, ``bad_boolean``, ``bad_duration``,
``bad_month``, ``negative_duration``, ``negative_number``, ``not_an_integer``,
``resolved_before_created``, ``response_before_created``, ``answered_before_queued``,
``ended_before_queued``, ``unknown_survey``, ``scale_not_standard``, ``score_out_of_scale``,
``duplicate_id``, ``bad_row_shape``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from cskpi.ids import as_integers, rising
from cskpi.io import schema, values
from cskpi.io.vendor_maps import Mapped
from cskpi.stamps import instants_of


@dataclass
class Canonical:
    """One file's rows for one table: the used rows typed, the rejected ones with reasons."""

    frame: pd.DataFrame
    lines: np.ndarray
    rejects: pd.DataFrame  # line, reason, detail, raw
    date_order: values.DateOrder | None = None
    warnings: list[str] = field(default_factory=list)


class _Reasons:
    """The first problem found for each row wins."""

    def __init__(self, n: int):
        self.n = n
        self.flagged = np.zeros(n, dtype=bool)
        # Per-row texts only once a row is rejected: most files have none.
        self._texts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._texts is None:
            self._texts = tuple(np.full(self.n, None, dtype=object) for _ in range(3))
        return self._texts

    @property
    def reason(self) -> np.ndarray:
        return self._columns()[0]

    @property
    def detail(self) -> np.ndarray:
        return self._columns()[1]

    @property
    def raw(self) -> np.ndarray:
        return self._columns()[2]

    def add(
        self,
        mask: np.ndarray,
        reason: str,
        detail: str | Callable[[np.ndarray], pd.Series],
        raw: pd.Series | None = None,
    ) -> None:
        """`detail` is a text, or a function of the mask giving the texts of those rows only."""
        mask = np.asarray(mask, dtype=bool) & ~self.flagged
        if not mask.any():
            return
        self.flagged |= mask
        self.reason[mask] = reason
        self.detail[mask] = (
            detail if isinstance(detail, str) else np.asarray(detail(mask), dtype=object)
        )
        if raw is not None:
            self.raw[mask] = raw.astype(object).to_numpy()[mask]

    @property
    def ok(self) -> np.ndarray:
        return ~self.flagged


def _drop_out_of_range(raw: pd.Series, name: str, reasons: _Reasons) -> pd.Series:
    """Reject timestamps pandas cannot hold (year 0001, 9999, …) before typing meets them."""
    far = values.out_of_range(raw)
    if not far.any():
        return raw
    reasons.add(far, "timestamp_out_of_range", lambda m: f"{name}: " + _shown(raw[m]), raw)
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.mask(far)
    return raw.astype(object).mask(far)


def _shown(raw: pd.Series) -> pd.Series:
    return raw.astype("str").str.slice(0, 60)


def to_canonical(
    mapped: Mapped,
    *,
    tz: str = "UTC",
    date_order: str = "auto",
    decimal: str = "auto",
    typed: bool = False,
) -> Canonical:
    """Type every canonical column and reject the rows that cannot be used, with a reason each."""
    table = schema.TABLES[mapped.table]
    frame = mapped.frame.reset_index(drop=True)
    n = len(frame)
    reasons = _Reasons(n)
    out: dict[str, pd.Series] = {}
    warnings: list[str] = []
    stamp_columns = [
        frame[c.name] for c in table.columns if c.kind == "timestamp" and c.name in frame
    ]
    hint = mapped.date_order_hint if date_order == "auto" and mapped.date_order_hint else date_order
    order = values.detect_date_order(stamp_columns, hint)
    if order.order == "iso" and date_order in ("day-first", "month-first"):
        order = values.DateOrder(date_order)
    if mapped.date_order_hint and date_order == "auto" and order.order != "iso":
        # A map's hint settles what the values cannot; what they prove still wins.
        proved = values.detect_date_order(stamp_columns, "auto")
        order = proved if not proved.ambiguous else values.DateOrder(order.order, False)

    if "__excluded" in frame:  # rows the vendor map leaves out ([only], unscorable surveys)
        why = frame["__excluded"]
        reasons.add(why.notna().to_numpy(), "excluded_by_map", lambda m: why[m])

    for column in table.columns:
        if column.name not in frame:
            continue
        raw = frame[column.name]
        name = column.name
        if column.kind == "timestamp":
            raw = _drop_out_of_range(raw, name, reasons)
        if (typed or name in mapped.prepared) and column.kind != "month":
            parsed = raw
            if f"__bad_{name}" in frame:
                bad = frame[f"__bad_{name}"].to_numpy(dtype=bool)
                code = "bad_boolean" if column.kind == "bool" else "bad_duration"
                reasons.add(bad, code, f"{name}: not understood", None)
            if column.kind in ("id",) and typed:
                damaged = _scientific_count(parsed)
                if damaged:
                    warnings.append(_excel_id_warning(name, damaged))
        elif column.kind == "id":
            parsed, damaged = values.parse_id(raw)
            if damaged:
                warnings.append(_excel_id_warning(name, damaged))
        elif column.kind in ("str", "text"):
            parsed = (
                values.clean_text(raw)
                if raw.dtype == object or pd.api.types.is_string_dtype(raw)
                else values.clean_text(raw.astype("str"))
            )
        elif column.kind == "timestamp":
            parsed, bad = values.parse_timestamp(raw, tz, order.order)
            reasons.add(
                bad,
                "bad_timestamp",
                lambda m, raw=raw, name=name: f"{name}: " + _shown(raw[m]),
                raw,
            )
        elif column.kind in ("number", "int"):
            parsed, bad = values.parse_number(raw, decimal)
            nan = values.not_a_number(raw, parsed)
            reasons.add(
                nan, "not_a_number", lambda m, raw=raw, name=name: f"{name}: " + _shown(raw[m]), raw
            )
            parsed = parsed.mask(nan)
            reasons.add(
                bad, "bad_number", lambda m, raw=raw, name=name: f"{name}: " + _shown(raw[m]), raw
            )
        elif column.kind == "bool":
            parsed, bad = values.parse_bool(raw)
            reasons.add(
                bad, "bad_boolean", lambda m, raw=raw, name=name: f"{name}: " + _shown(raw[m]), raw
            )
        else:  # month
            parsed, bad = values.parse_month(raw, tz)
            reasons.add(
                bad, "bad_month", lambda m, raw=raw, name=name: f"{name}: " + _shown(raw[m]), raw
            )
        out[name] = parsed.reset_index(drop=True)

    for rule in mapped.derived:
        if rule.plus is not None and rule.base in out:
            seconds = frame[f"__plus_{rule.target}"]
            bad = frame[f"__plusbad_{rule.target}"].to_numpy(dtype=bool)
            reasons.add(bad, "bad_duration", f"{rule.target}: {rule.plus} not understood")
            reasons.add(
                seconds.lt(0).to_numpy(),
                "negative_duration",
                f"{rule.target}: {rule.plus} is negative",
            )
            out[rule.target] = out[rule.base] + pd.to_timedelta(seconds, unit="s")
            keep = frame.get(f"__keep_{rule.target}")
            if keep is not None:  # `when` / `unless`: only where the flag allows it
                out[rule.target] = out[rule.target].where(keep.to_numpy(dtype=bool))
        elif rule.when_true is not None and rule.when_true in out:
            flag = frame[f"__flag_{rule.target}"].fillna(False).to_numpy(dtype=bool)
            out[rule.target] = out[rule.when_true].where(flag)

    typed_frame = pd.DataFrame(out, copy=False)  # no consolidating copy of every column
    for column in table.columns:
        if column.name in typed_frame and not _is_label(typed_frame[column.name]):
            typed_frame[column.name] = typed_frame[column.name].astype(
                schema.PANDAS_DTYPE[column.kind]
            )
    for column in table.columns:  # typed readers (Parquet, Arrow CSV) hand over inf as is
        if column.kind in ("number", "int") and column.name in typed_frame:
            values_ = typed_frame[column.name]
            infinite = np.isinf(values_.to_numpy(dtype="float64", na_value=np.nan))
            if infinite.any():
                reasons.add(infinite, "not_a_number", f"{column.name}: infinite", None)
                typed_frame[column.name] = values_.mask(infinite)
    _check_rows(typed_frame, table, frame, reasons)

    ok = reasons.ok
    every = bool(ok.all())
    used = typed_frame if every else typed_frame[ok].reset_index(drop=True)
    used = used[[c for c in table.names if c in used]]
    rejected = ~ok
    none = np.full(0, None, dtype=object)
    rejects = pd.DataFrame(
        {
            "line": mapped.lines[rejected],
            "reason": reasons.reason[rejected] if rejected.any() else none,
            "detail": reasons.detail[rejected] if rejected.any() else none,
            "raw": reasons.raw[rejected] if rejected.any() else none,
        }
    )
    # Every row kept (the usual file): its line numbers as they are, not a copy of them.
    return Canonical(used, mapped.lines if every else mapped.lines[ok], rejects, order, warnings)


_SCIENTIFIC = r"-?\d(?:[.,]\d+)?E\+\d+"  # how Excel shows a long number: 1.03006E+13


def _is_label(values: pd.Series) -> bool:
    """A text column handed over as a categorical of texts (a typed reader's label column)."""
    return isinstance(values.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(
        values.cat.categories
    )


def _scientific_count(ids: pd.Series) -> int:
    if _is_label(ids):  # each distinct text once, weighted by how many rows hold it
        texts = pd.Series(ids.cat.categories.astype("str"), dtype="str")
        mangled = texts.str.fullmatch(_SCIENTIFIC).to_numpy(dtype=bool)
        if not mangled.any():
            return 0  # the usual case: no row needs counting
        counts = np.bincount(ids.cat.codes.to_numpy()[ids.notna().to_numpy()], minlength=len(texts))
        return int(counts[mangled].sum())
    if not _may_hold_byte(ids, ord("+")):
        return 0  # no "E+" anywhere: nothing to match
    candidates = ids[ids.str.contains("E+", regex=False, na=False)]
    return int(candidates.str.fullmatch(_SCIENTIFIC).sum()) if len(candidates) else 0


def _may_hold_byte(texts: pd.Series, byte: int) -> bool:
    """False only when no text can hold the byte: one scan of the Arrow data buffers."""
    import pyarrow as pa

    try:
        array = pa.chunked_array(pa.array(texts.array))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return True
    for chunk in array.chunks:
        if not isinstance(chunk, pa.StringArray | pa.LargeStringArray):
            return True
        data = chunk.buffers()[2]
        if data is None:
            continue
        data = np.frombuffer(data, dtype=np.uint8)
        for start in range(0, len(data), _BLOCK):  # a block at a time: no mask as long as the text
            if (data[start : start + _BLOCK] == byte).any():
                return True
    return False


_BLOCK = 1 << 20


def _excel_id_warning(column: str, count: int) -> str:
    return (
        f"column {column!r}: {count} IDs were turned into scientific notation by Excel "
        f"(like 1.03006E+13); their digits are lost, so they cannot be matched across rows. "
        f"Export the column as text"
    )


def _check_rows(
    typed: pd.DataFrame, table: schema.Table, frame: pd.DataFrame, reasons: _Reasons
) -> None:
    # Whether the key repeats is found in a second thread while the other checks run: Arrow
    # reads the ids as integers (or hashes them) without the GIL.
    key = typed[table.key] if table.key and table.key in typed else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        repeats = pool.submit(_has_repeats, key) if key is not None and len(key) else None
        _check_values(typed, table, frame, reasons)
        if repeats is not None and repeats.result():
            assert key is not None
            repeated = (
                key.notna().to_numpy() & reasons.ok & key.where(reasons.ok).duplicated().to_numpy()
            )
            reasons.add(
                repeated,
                "duplicate_id",
                lambda m: f"{table.key}: " + key[m].astype("str") + " appears earlier in the file",
            )


def _check_values(
    typed: pd.DataFrame, table: schema.Table, frame: pd.DataFrame, reasons: _Reasons
) -> None:
    for name in table.required:
        if name in typed:
            reasons.add(typed[name].isna().to_numpy(), "missing_required", f"{name}: empty")
    for column in table.columns:
        if column.name not in typed or column.kind not in ("number", "int"):
            continue
        number = typed[column.name]
        if column.kind == "int":
            values_ = number.to_numpy(dtype="float64", na_value=np.nan)
            reasons.add(
                (values_ != np.round(values_)) & ~np.isnan(values_),
                "not_an_integer",
                lambda m, c=column.name, v=number: f"{c}: " + v[m].astype("str"),
            )
        if column.non_negative:
            code = (
                "negative_duration"
                if column.name.endswith(("_seconds", "_minutes"))
                else "negative_number"
            )
            reasons.add(
                number.lt(0).to_numpy(),
                code,
                lambda m, c=column.name, v=number: f"{c}: " + v[m].astype("str"),
            )

    def before(later: str, earlier: str, code: str) -> None:
        if later in typed and earlier in typed:
            reasons.add(
                np.less(instants_of(typed[later]), instants_of(typed[earlier])),  # NaT: False
                code,
                lambda m: later + " " + typed[later][m].astype("str") + f" is before {earlier}",
            )

    if table.name == "tickets":
        before("resolved_at", "created_at", "resolved_before_created")
        before("first_response_at", "created_at", "response_before_created")
    if table.name == "calls":
        before("answered_at", "queued_at", "answered_before_queued")
        before("ended_at", "queued_at", "ended_before_queued")
    if table.name == "surveys" and "survey" in typed and "score" in typed:
        survey = _per_text(typed["survey"], _survey_name)
        typed["survey"] = survey
        known_min, known_max = _scale_bounds(survey)
        low = (
            frame["__scale_min"].reset_index(drop=True).fillna(known_min)
            if ("__scale_min" in frame)
            else known_min
        )
        high = (
            frame["__scale_max"].reset_index(drop=True).fillna(known_max)
            if ("__scale_max" in frame)
            else known_max
        )
        low, high = low.astype("float64"), high.astype("float64")
        reasons.add(
            (survey.notna() & low.isna()).to_numpy(),
            "unknown_survey",
            lambda m: "survey: " + survey[m].astype("str"),
        )
        if "__scale_min" in frame:
            # KPIs read scores on their survey's own scale and never rescale, so answers stated on
            # another scale (1-10 as relationship, 0-10 as csat) would be bucketed wrongly unseen.
            other_scale = low.ne(known_min.astype("float64")) | high.ne(known_max.astype("float64"))
            reasons.add(
                (known_min.notna() & other_scale).to_numpy(),
                "scale_not_standard",
                lambda m: (
                    survey[m].astype("str")
                    + " answers stated on "
                    + low[m].map("{:g}".format)
                    + "–"
                    + high[m].map("{:g}".format)
                    + "; cskpi reads them on "
                    + known_min[m].map("{:g}".format)
                    + "–"
                    + known_max[m].map("{:g}".format)
                    + " and does not rescale: convert the answers or map them to a survey on that"
                    " scale"
                ),
            )
        score = typed["score"]
        outside = score.notna() & ((score < low) | (score > high))
        reasons.add(
            outside.to_numpy(),
            "score_out_of_scale",
            lambda m: (
                "score "
                + score[m].astype("str")
                + " outside "
                + low[m].astype("str")
                + "–"
                + high[m].astype("str")
            ),
        )
        # An answer is a point of its scale: a 7.5 is neither promoter nor passive, so it is a
        # row error, not a value to bucket (2,0 and 4.0 read as whole numbers and are kept).
        reasons.add(
            (score.notna() & score.ne(score.round())).to_numpy(),
            "not_an_integer",
            lambda m: (
                "score "
                + score[m].astype("str")
                + ": answers on "
                + survey[m].astype("str")
                + "'s scale are whole numbers"
            ),
        )
        if "__scale_min" in frame:
            typed["__scale_min"] = low.to_numpy()
            typed["__scale_max"] = high.to_numpy()


def _survey_name(texts: pd.Series) -> pd.Series:
    """Survey names as the scales know them: trimmed and case-folded."""
    stripped = texts.str.strip()
    return stripped if _casefold_changes_nothing(stripped) else stripped.str.casefold()


def _per_text(values: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``change`` of texts; a label column's distinct texts are changed once, codes kept."""
    if not _is_label(values):
        return change(values)
    changed = change(pd.Series(values.cat.categories, dtype="str"))
    to_new, names = pd.factorize(changed)  # two names may become one ("NPS", "nps")
    codes = values.cat.codes.to_numpy()
    codes = np.where(codes >= 0, to_new[codes], -1)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype="str")),
        index=values.index,
    )


def _casefold_changes_nothing(texts: pd.Series) -> bool:
    """True when every text is lower-case ASCII already (casefold runs in Python, per value)."""
    import pyarrow.compute as pc

    try:
        array = pa.chunked_array(pa.array(texts.array))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return False
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        return False
    return bool(
        pc.all(pc.string_is_ascii(array)).as_py()
        and pc.all(pc.equal(pc.ascii_lower(array), array)).as_py()
    )


def _scale_bounds(survey: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each answer's survey scale (lowest, highest), NaN for unknown surveys.

    Looked up once per distinct survey name, not once per answer.
    """
    codes, names = pd.factorize(survey)
    scales = [schema.SURVEY_SCALES.get(name, (np.nan, np.nan)) for name in names]
    lows = np.array([np.nan, *(s[0] for s in scales)], dtype="float64")
    highs = np.array([np.nan, *(s[1] for s in scales)], dtype="float64")
    return (
        pd.Series(lows[codes + 1], index=survey.index),
        pd.Series(highs[codes + 1], index=survey.index),
    )


def _has_repeats(key: pd.Series) -> bool:
    """Cheap tests first, before marking duplicates row by row.

    IDs that read as integers (after a prefix all share, like CL in CL123) are compared as
    integers: equal texts give equal integers, so distinct integers prove distinct texts, and
    rising ones prove it without hashing. Others by Arrow's hash of the texts.
    """
    import pyarrow.compute as pc

    array = pa.array(key.array).drop_null()
    if not len(array) or rising(array):
        return False
    numbers = as_integers(array)
    if numbers is not None and pd.Index(numbers).is_unique:
        return False
    return len(pc.unique(array)) < len(array)
