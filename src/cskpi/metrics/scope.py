"""The records of one period, as numpy arrays: which rows of a table count, and each one's group.

A :class:`Scope` restricts the canonical tables to a period the way KPIS.md says each table counts
(tickets by created_at or resolved_at, calls by queued_at, surveys by submitted_at, revenue by date,
costs and agents by month). A selection is a :class:`Records`: the row positions of the whole
table (``None`` when every row counts, as in a month's export) and, for the scope's breakdown,
each record's integer group code. Columns are read at those positions as numpy arrays when a KPI
asks for them, once per period for every breakdown; no frame is copied. Everything that does not
depend on the period (group codes, lower-cased survey names, outbound calls) is computed once per
table for every period through ``cache``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from cskpi.config import Config
from cskpi.metrics.periods import Period
from cskpi.stamps import instants_of

SEG = "_seg"
NONE_GROUP = "(none)"
OVERALL = "all"

# --by name -> canonical column
DIMENSIONS: dict[str, str] = {
    "agent": "agent_id",
    "team": "team",
    "channel": "channel",
    "type": "type",
    "priority": "priority",
    "queue": "queue",
    "question": "question",
    "segment": "segment",
}

T = TypeVar("T")

HOUR = pd.Timedelta(hours=1)
SECOND = pd.Timedelta(seconds=1)


class Unavailable(Exception):  # noqa: N818 - a signal, not an error
    """A KPI cannot be computed; the message is the reason shown to the user."""


def segments(values: pd.Series) -> pd.Series:
    """Group labels: the trimmed text, with missing and blank values in ``(none)``.

    A categorical: the few distinct values are cleaned once, and grouping works on integer codes.
    """
    codes, uniques = factorized(values)
    text = pd.Index(uniques, dtype=object).astype("str").str.strip()
    # Code -1 (missing) picks the appended (none); labels equal after trimming share one category.
    labels = np.append(np.where(text == "", NONE_GROUP, text).astype(object), NONE_GROUP)
    merged, categories = pd.factorize(labels)
    return pd.Series(
        pd.Categorical.from_codes(
            _recoded(merged, codes), categories=pd.Index(categories, dtype=object), validate=False
        ),
        index=values.index,
        name=values.name,
    )


def factorized(values: pd.Series) -> tuple[np.ndarray, Any]:
    """``pd.factorize(values, use_na_sentinel=True)``: each value's code into the distinct values
    in order of first appearance (-1: missing).

    A categorical column (a loaded label column) is recoded from its own small codes: pandas
    would hash all of them and hand back eight bytes a row (two column-sized arrays at 10M rows).
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return pd.factorize(values, use_na_sentinel=True)
    own = values.cat.codes.to_numpy()
    order = first_appearances(own, len(values.cat.categories))
    renumbered = np.full(len(values.cat.categories) + 1, -1, dtype=np.int64)  # [-1]: missing
    renumbered[order] = np.arange(len(order))
    return _recoded(renumbered, own), values.cat.categories.take(order)


def first_appearances(codes: np.ndarray, size: int) -> np.ndarray:
    """The codes 0 … size − 1 that occur in ``codes``, in order of first appearance.

    Labels repeat from the first rows on: growing blocks are searched until every code is seen
    (the whole array only when one never occurs), instead of hashing every row.
    """
    first: dict[int, int] = {}
    start, block = 0, 1 << 12
    while start < len(codes) and len(first) < size:
        chunk = codes[start : start + block]
        found, at = np.unique(chunk, return_index=True)
        for code, i in zip(found.tolist(), at.tolist(), strict=True):
            if code >= 0 and code not in first:
                first[code] = start + i
        start += len(chunk)
        block *= 2
    return np.array(sorted(first, key=first.__getitem__), dtype=np.int64)


def _recoded(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]`` (code -1 reads the table's last entry) in the smallest integer type that
    holds the table's values: a row costs one or two bytes, not eight."""
    small = np.min_scalar_type(-max(len(table), 1))
    recoded: np.ndarray = table.astype(small)[codes]
    return recoded


def elapsed_between(
    later: np.ndarray, earlier: np.ndarray, unit: pd.Timedelta, *, until: np.ndarray | None = None
) -> np.ndarray:
    """``(later − earlier) / unit`` of numpy datetime64 arrays as float64, NaN where a time is
    missing; ``until``: where ``later`` is missing, measure to it instead."""
    if until is not None:
        later = np.where(np.isnat(later), until, later)
    hours: np.ndarray = (later - earlier) / unit.to_timedelta64()
    return hours


def elapsed(
    later: pd.Series, earlier: pd.Series, unit: pd.Timedelta, *, until: pd.Series | None = None
) -> np.ndarray:
    """``(later − earlier) / unit`` as float64, NaN where a time is missing; ``until``: where
    ``later`` is missing, measure to it instead.

    The same numbers as pandas' Series arithmetic (numpy's timedelta division), computed on the
    numpy values without the intermediate Series.
    """
    columns = [later, earlier] if until is None else [later, earlier, until]
    if any(not isinstance(c.dtype, pd.DatetimeTZDtype) for c in columns) or any(
        c.dtype != later.dtype for c in columns
    ):
        if until is not None:
            later = later.where(later.notna(), until)
        difference: pd.Series = (later - earlier) / unit  # type: ignore[operator]
        return difference.to_numpy(dtype="float64", na_value=np.nan)
    return elapsed_between(
        instants_of(later),
        instants_of(earlier),
        unit,
        until=None if until is None else instants_of(until),
    )


def lower(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.lower()


def lowered_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value's code into the distinct trimmed lower-case texts (code -1: missing).

    Lower-cases the few distinct values, not every row's.
    """
    codes, uniques = factorized(values)
    text = lower(pd.Series(uniques, dtype="str")).to_numpy(dtype=object)
    merged, distinct = pd.factorize(text)
    return _recoded(np.append(merged, -1), codes), np.asarray(distinct, dtype=object)


# The float widths whole-number columns may be held in (io.load._counts_narrowed).
NARROW = (np.dtype(np.float16), np.dtype(np.float32))


# Comparisons of whole numbers held as float16 (counts, see NARROW) read their bits: numpy
# compares halves one value at a time, 15× slower than any other width, and these three are
# exact on the bit patterns of IEEE half floats (sign 0x8000, exponent 0x7C00, mantissa 0x03FF).
_HALF = np.dtype(np.float16)


def equal_to(values: np.ndarray, number: float) -> np.ndarray:
    """``values == number`` (NaN equals nothing; 0 matches −0)."""
    if values.dtype != _HALF or np.isnan(number):
        return np.asarray(values == number)
    bits = values.view(np.uint16)
    if number == 0:
        return np.asarray((bits & 0x7FFF) == 0)
    return np.asarray(bits == np.array(number, dtype=np.float16).view(np.uint16))


def is_missing(values: np.ndarray) -> np.ndarray:
    """``np.isnan(values)``."""
    if values.dtype != _HALF:
        return np.asarray(np.isnan(values))
    return np.asarray((values.view(np.uint16) & 0x7FFF) > 0x7C00)


def above_zero(values: np.ndarray) -> np.ndarray:
    """``values > 0`` (NaN is not)."""
    if values.dtype != _HALF:
        with np.errstate(invalid="ignore"):
            return np.asarray(values > 0)
    # Positive and not NaN: bit patterns 0x0001 … 0x7C00 (+inf), i.e. bits − 1 below 0x7C00.
    return np.asarray((values.view(np.uint16) - np.uint16(1)) < 0x7C00)


def _as_floats(values: pd.Series, positions: np.ndarray | None) -> np.ndarray:
    """A number or boolean column as float64 (NaN for missing) at ``positions`` (None: all)."""
    array = values.array
    if isinstance(array, pd.arrays.NumpyExtensionArray) or values.dtype in (np.float64, *NARROW):
        data = values.to_numpy()
        if data.dtype == np.float64:
            return data if positions is None else data[positions]
        if data.dtype in NARROW:  # whole numbers held narrow: each widens exactly
            return (data if positions is None else data[positions]).astype(np.float64)
    if isinstance(array, pd.api.extensions.ExtensionArray) and hasattr(array, "_mask"):
        # A nullable boolean or integer: its values and mask, taken without a pandas copy.
        data, mask = array._data, array._mask  # type: ignore[attr-defined]  # noqa: SLF001
        if positions is not None:
            data, mask = data[positions], mask[positions]
        out: np.ndarray = data.astype("float64")
        out[mask] = np.nan
        return out
    taken = values if positions is None else values.take(positions)
    return taken.to_numpy(dtype="float64", na_value=np.nan)


def period_bound(instant: pd.Timestamp, like: np.ndarray) -> np.datetime64:
    """A period boundary (UTC) as numpy datetime64 in the unit of ``like``."""
    utc = instant.tz_convert("UTC").tz_localize(None).as_unit("ns")
    bound: np.datetime64 = np.datetime64(utc.value, "ns").astype(like.dtype)
    return bound


# Up to this many groups, a group's records are counted with one pass of byte comparisons each:
# cheaper than bincount, which first widens every code to a machine integer.
FEW_GROUPS = 16


def group_counts(codes: np.ndarray, size: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Per group code (0 … size − 1): how many records there are (where ``mask`` holds)."""
    if size == 1:
        return np.array([len(codes) if mask is None else np.count_nonzero(mask)])
    if size <= FEW_GROUPS:
        if mask is None:
            return np.array([np.count_nonzero(codes == g) for g in range(size)])
        return np.array([np.count_nonzero(mask & (codes == g)) for g in range(size)])
    # A block of records at a time: bincount widens the codes it is given to machine integers,
    # and a whole column of them would be eight bytes a record on top of the report.
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, len(codes), _COUNTED_AT_ONCE):
        block = codes[start : start + _COUNTED_AT_ONCE]
        if mask is not None:
            block = block[mask[start : start + _COUNTED_AT_ONCE]]
        counts += np.bincount(block, minlength=size)
    return counts


_COUNTED_AT_ONCE = 1 << 20


# A selection holding at least this share of a table's rows is kept as a mask over the whole
# table: its columns are then read without any copy (views of the loaded frame).
DENSE = 0.5


class Records:
    """Records of one table selected for a period, and, in the scope's breakdown, their groups.

    The records live in an *array space*: the whole table (``positions`` None) or the rows at
    ``positions``. Every array of the records (:meth:`floats`, :meth:`instants`, :attr:`codes`,
    values computed from them) is laid out in that space; ``mask`` (None: all) marks which of
    its rows are the records. A selection holding most of a table (a month's export) is a mask
    over the whole table, so its columns are read without a copy; a sparse one (a day of a
    year) gathers its rows at positions.
    """

    def __init__(
        self,
        scope: Scope,
        name: str,
        table: str,
        positions: np.ndarray | None,
        mask: np.ndarray | None = None,
    ) -> None:
        self.scope, self.name, self.table = scope, name, table
        self.positions = positions  # None: every row of the table is in the array space
        self.mask = mask  # None: every row of the array space is a record
        self.frame = scope.tables[table]
        # Arrays of one space are shared by every selection in it.
        self.space = ("whole", table) if positions is None else name

    def __len__(self) -> int:
        """The length of the records' arrays (rows of the array space)."""
        return len(self.frame) if self.positions is None else len(self.positions)

    def count(self) -> int:
        """How many records there are."""
        return len(self) if self.mask is None else int(np.count_nonzero(self.mask))

    # -- groups ---------------------------------------------------------------------------------
    @property
    def labels(self) -> np.ndarray:
        return self.scope.group_codes(self.table)[1]

    @property
    def codes(self) -> np.ndarray:
        """Each row's group code (an index into :attr:`labels`)."""
        return self.scope.period_memo(
            ("codes", self.space, self.scope.dimension),
            lambda: self.at(self.scope.group_codes(self.table)[0]),
        )

    @property
    def seg(self) -> pd.Categorical:
        """The rows' group labels as a categorical (for frames of per-record rows; see
        :meth:`compact`)."""
        return pd.Categorical.from_codes(
            self.codes, categories=pd.Index(self.labels, dtype=object), validate=False
        )

    def group_counts(self) -> np.ndarray:
        """Per group code: how many records."""
        return group_counts(self.codes, len(self.labels), self.mask)

    def present(self) -> set[str]:
        """The groups that have records."""
        return set(self.labels[self.group_counts() > 0])

    def compact(self) -> Records:
        """The same records with no mask: rows of the array space are exactly the records (for
        frames of per-record rows)."""
        if self.mask is None:
            return self
        return Records(
            self.scope,
            f"{self.name} rows",
            self.table,
            self.scope.period_memo(("rows", f"{self.name} rows"), lambda: self.at_rows()),
        )

    def at_rows(self) -> np.ndarray:
        """The records' row positions in the whole table."""
        picked = np.flatnonzero(self.mask) if self.mask is not None else None
        if self.positions is None:
            return picked if picked is not None else np.arange(len(self.frame))
        return self.positions if picked is None else self.positions[picked]

    # -- columns --------------------------------------------------------------------------------
    def at(self, whole: np.ndarray) -> np.ndarray:
        """An array over the whole table, in the records' array space."""
        return whole if self.positions is None else whole[self.positions]

    def narrow(self, parent: Records, values: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """``values`` in the array space of ``parent`` (of which these records are the ``keep``
        ones), in this array space."""
        if self.positions is parent.positions:
            return values
        if parent.positions is None:
            return values[self.positions]
        narrowed: np.ndarray = values[keep]
        return narrowed

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def floats(self, column: str) -> np.ndarray:
        """A number or boolean column as float64, NaN for missing (all NaN when absent)."""

        def read() -> np.ndarray:
            if column not in self.frame.columns:
                return np.full(len(self), np.nan)
            return _as_floats(self.frame[column], self.positions)

        if column in self.frame.columns and self.frame[column].dtype in NARROW:
            return read()  # whole numbers kept narrow: widened for each use, not held
        return self.scope.period_memo(("floats", self.space, column), read)

    def whole_numbers(self, column: str) -> np.ndarray:
        """A whole-number column (replies, reopens) as it is held, two, four or eight bytes a
        value, NaN for missing: for comparing with whole numbers, which every width does exactly
        (:meth:`floats` widens it for arithmetic)."""
        if column in self.frame.columns and self.frame[column].dtype in NARROW:
            return self.at(self.frame[column].to_numpy())
        return self.floats(column)

    def truths(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """A yes/no column as two boolean arrays: which rows say yes (1, true), and which say
        anything (all False when absent). A byte per row each, not a float."""

        def read() -> tuple[np.ndarray, np.ndarray]:
            if column not in self.frame.columns:
                nothing = np.zeros(len(self), dtype=bool)
                return nothing, nothing
            array = self.frame[column].array
            if isinstance(array, pd.arrays.BooleanArray):
                data, mask = array._data, array._mask  # type: ignore[attr-defined]  # noqa: SLF001
                if self.positions is not None:
                    data, mask = data[self.positions], mask[self.positions]
                known: np.ndarray = ~mask
                yes: np.ndarray = data & known
                return yes, known
            number = _as_floats(self.frame[column], self.positions)
            return number == 1, ~np.isnan(number)

        return self.scope.period_memo(("truths", self.space, column), read)

    def instants(self, column: str) -> np.ndarray:
        """A timestamp column as numpy datetime64 (UTC), NaT for missing (all NaT when absent)."""

        def read() -> np.ndarray:
            if column not in self.frame.columns:
                return np.full(len(self), np.datetime64("NaT", "ns"))
            values = self.frame[column]
            if not isinstance(values.dtype, pd.DatetimeTZDtype):
                values = pd.to_datetime(values, utc=True)
            return self.at(instants_of(values))

        return self.scope.period_memo(("instants", self.space, column), read)

    def texts(self, column: str) -> pd.Series:
        """A text column in the array space (a pandas Series; missing stays missing)."""

        def read() -> pd.Series:
            values = self.frame[column]
            if self.positions is None:
                return values.reset_index(drop=True)
            return values.take(self.positions).reset_index(drop=True)

        return self.scope.period_memo(("texts", self.space, column), read)

    # -- per-record values ----------------------------------------------------------------------
    def values(self, x: np.ndarray | pd.Series) -> Values:
        return Values(self.codes, self.labels, np.asarray(x, dtype="float64"), mask=self.mask)

    def flags(self, flag: np.ndarray, known: np.ndarray) -> Values:
        """1.0 where flag, 0.0 where not, NaN where the record does not count in the
        denominator (kept as the two boolean arrays until the numbers are asked for)."""
        known = np.asarray(known, dtype=bool)
        if self.mask is not None:
            known = known & self.mask
        return Values(
            self.codes, self.labels, None, hits=np.asarray(flag, dtype=bool) & known, known=known
        )

    def where(self, keep: np.ndarray | Callable[[], np.ndarray], name: str) -> Records:
        """The records where ``keep`` (laid out in this array space) holds, selected once per
        period under ``name``."""

        def select() -> tuple[np.ndarray | None, np.ndarray | None]:
            wanted = np.asarray(keep() if callable(keep) else keep, dtype=bool)
            if self.mask is not None:
                wanted = wanted & self.mask
            if self.positions is not None:  # gathered rows: gather the kept ones
                return self.positions[wanted], None
            return _whole_selection(wanted)

        positions, mask = self.scope.period_memo(("rows", name), select)
        return Records(self.scope, name, self.table, positions, mask)


def _whole_selection(wanted: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(positions, mask) of the rows of a whole table where ``wanted``: all of them (None,
    None), most of them (None, mask) or few of them (positions, None)."""
    kept = int(np.count_nonzero(wanted))
    if kept == len(wanted):
        return None, None
    if kept >= DENSE * len(wanted):
        return None, wanted
    return np.flatnonzero(wanted), None


class Values:
    """One KPI's per-record values: each record's group code, and x (NaN = no value)."""

    __slots__ = ("_x", "codes", "hits", "known", "labels", "mask")

    def __init__(
        self,
        codes: np.ndarray,
        labels: np.ndarray,
        x: np.ndarray | None,
        *,
        mask: np.ndarray | None = None,
        hits: np.ndarray | None = None,
        known: np.ndarray | None = None,
    ) -> None:
        self.codes, self.labels, self._x = codes, labels, x
        self.mask = mask  # None: every row is a record (see Records)
        # A share's flags: ``known`` records count in the denominator, ``hits`` in the numerator.
        self.hits, self.known = hits, known

    def present(self) -> np.ndarray:
        """Which rows are records with a value."""
        if self.known is not None:
            return self.known
        known: np.ndarray = ~np.isnan(self.x)
        return known if self.mask is None else known & self.mask

    @property
    def flags(self) -> bool:
        return self.hits is not None

    @property
    def x(self) -> np.ndarray:
        """Each record's value (flags: 1.0, 0.0, or NaN when not known)."""
        if self._x is None:
            assert self.hits is not None and self.known is not None
            self._x = np.where(self.known, self.hits, np.nan)
        return self._x

    def __len__(self) -> int:
        return len(self.codes)

    def frame(self) -> pd.DataFrame:
        """The records' values as a frame of ``_seg`` (categorical) and ``x``."""
        codes, x = self.codes, self.x
        if self.mask is not None:
            codes, x = codes[self.mask], x[self.mask]
        seg = pd.Categorical.from_codes(
            codes, categories=pd.Index(self.labels, dtype=object), validate=False
        )
        return pd.DataFrame({SEG: seg, "x": x}, copy=False)


def _constant(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int8)


# Guards the memo dicts' lock table: KPIs of one scope may be evaluated in two threads.
_MEMO_LOCKS = threading.Lock()


def _memo(memos: dict[Any, Any], key: object, make: Callable[[], T]) -> T:
    """``memos[key]``, made by ``make()`` the first time. Two threads asking for one key wait for
    one ``make`` (no work done twice, no second copy held); different keys are made at once."""
    if key in memos:
        return cast(T, memos[key])
    with _MEMO_LOCKS:
        locks = memos.setdefault(_LOCKS, {})
        lock = locks.setdefault(key, threading.Lock())
    with lock:
        if key not in memos:
            memos[key] = make()
    return cast(T, memos[key])


_LOCKS = object()  # the memo dicts' key of their per-key locks


class Scope:
    """One period × one breakdown dimension over the canonical tables.

    ``shared``: what scopes of one period (and config) may share — the selected records and the
    columns read at them; ``cache``: what every period may share — group codes and other per-row
    facts of the whole tables.
    """

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        period: Period,
        dimension: str,
        config: Config,
        *,
        shared: dict[Any, Any] | None = None,
        cache: dict[Any, Any] | None = None,
    ) -> None:
        self.tables = tables
        self._shared: dict[Any, Any] = {} if shared is None else shared
        self._cache: dict[Any, Any] = {} if cache is None else cache
        self._groups: dict[Any, set[str]] = {}
        self.period = period
        self.dimension = dimension
        self.column = None if dimension == OVERALL else DIMENSIONS[dimension]
        self.config = config
        self.start = period.start.tz_convert("UTC")
        self.end = period.end.tz_convert("UTC")

    # -- access ---------------------------------------------------------------------------------
    def has(self, table: str, column: str | None = None) -> bool:
        frame = self.tables.get(table)
        return frame is not None and (column is None or column in frame.columns)

    def need(self, table: str, *columns: str) -> None:
        """Raise Unavailable naming the missing table or columns."""
        if table not in self.tables or self.tables[table] is None:
            raise Unavailable(f"no {table} table")
        missing = [c for c in columns if c not in self.tables[table].columns]
        if missing:
            raise Unavailable(f"{table} table has no {'/'.join(missing)}")

    def period_memo(self, key: object, make: Callable[[], T]) -> T:
        """``make()``, computed once per period for every dimension's scope: for values of the
        period's selected records that do not depend on the breakdown (flags, durations)."""
        return _memo(self._shared, ("memo", key), make)

    def table_memo(self, key: object, make: Callable[[], T]) -> T:
        """``make()``, computed once per table for every period (facts of every row)."""
        return _memo(self._cache, key, make)

    def carries(self, table: str) -> bool:
        """Whether ``table`` can be broken down by this scope's dimension."""
        if self.column is None:
            return True
        if table == "surveys" and self.column == "question":
            return self.has("surveys")
        return self.has(table, self.column)

    def group_codes(self, table: str) -> tuple[np.ndarray, np.ndarray]:
        """Every row's group code in this scope's dimension, and the label of each code."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            frame = self.tables[table]
            if self.column is None:
                return _constant(len(frame)), np.array([OVERALL], dtype=object)
            if table == "surveys" and self.column == "question":
                # Grouped by the cleaned question (lower case, blank = overall), not the raw text.
                codes, labels = self.questions()
                return codes, labels
            if self.column in frame.columns:
                labels = segments(frame[self.column]).array
                return labels.codes, np.asarray(labels.categories, dtype=object)
            return _constant(len(frame)), np.array([NONE_GROUP], dtype=object)

        return self.table_memo(("groups", table, self.column), make)

    def _tagged(self, table: str, mask: np.ndarray | None = None) -> pd.DataFrame:
        """The whole table (or the rows where ``mask``) with a ``_seg`` column: for the small
        monthly tables (costs, agents, revenue), whose KPIs work on frames."""
        frame = self.tables[table]
        codes, labels = self.group_codes(table)
        tagged = frame.copy(deep=False)
        tagged[SEG] = pd.Categorical.from_codes(
            codes, categories=pd.Index(labels, dtype=object), validate=False
        )
        if mask is not None:
            tagged = tagged.loc[np.asarray(mask, dtype=bool)]
        return tagged

    def _within(self, table: str, column: str) -> np.ndarray:
        stamps = self.table_memo(
            ("instants", table, column), lambda: instants_of(self.tables[table][column])
        )
        start, end = period_bound(self.start, stamps), period_bound(self.end, stamps)
        return (stamps >= start) & (stamps < end)

    def _select(self, name: str, table: str, mask: Callable[[], np.ndarray]) -> Records:
        """The records of ``table`` where ``mask()`` holds, selected once per period."""

        positions, kept = self.period_memo(
            ("rows", name), lambda: _whole_selection(np.asarray(mask(), dtype=bool))
        )
        return Records(self, name, table, positions, kept)

    @property
    def months(self) -> list[str]:
        months = self.period.months()
        if months is None:
            raise Unavailable("a range that cuts a month: cost KPIs need whole months")
        return months

    # -- the period's records -------------------------------------------------------------------
    @cached_property
    def tickets_created(self) -> Records:
        self.need("tickets", "created_at")
        return self._select(
            "tickets_created", "tickets", lambda: self._within("tickets", "created_at")
        )

    @cached_property
    def tickets_resolved(self) -> Records:
        self.need("tickets", "created_at", "resolved_at")
        return self._select(
            "tickets_resolved", "tickets", lambda: self._within("tickets", "resolved_at")
        )

    @cached_property
    def tickets_open_at_end(self) -> Records:
        self.need("tickets", "created_at", "resolved_at")
        frame = self.tables["tickets"]

        def mask() -> np.ndarray:
            created = instants_of(frame["created_at"])
            resolved = instants_of(frame["resolved_at"])
            # NaT compares False: a missing resolved_at is "not resolved before the end".
            return (created < period_bound(self.end, created)) & ~(
                resolved < period_bound(self.end, resolved)
            )

        return self._select("tickets_open_at_end", "tickets", mask)

    def _outbound(self) -> np.ndarray:
        def make() -> np.ndarray:
            frame = self.tables["calls"]
            if "direction" not in frame.columns:
                return np.zeros(len(frame), dtype=bool)
            codes, texts = lowered_codes(frame["direction"])
            outbound: np.ndarray = np.append(texts == "outbound", False)[codes]
            return outbound

        return self.table_memo(("outbound",), make)

    @cached_property
    def calls_inbound(self) -> Records:
        """Inbound calls queued in the period (their waits: :meth:`call_waits`)."""
        self.need("calls", "queued_at")
        return self._select(
            "calls_inbound",
            "calls",
            lambda: self._within("calls", "queued_at") & ~self._outbound(),
        )

    def call_waits(self) -> tuple[np.ndarray, np.ndarray]:
        """Of the inbound calls: which were answered, and each one's wait in seconds (to the
        answer, or to hanging up when not answered; NaN when unknown)."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            c = self.calls_inbound
            answered = c.instants("answered_at")
            wait = elapsed_between(
                answered, c.instants("queued_at"), SECOND, until=c.instants("ended_at")
            )
            return ~np.isnat(answered), wait

        return self.period_memo(("call_waits",), make)

    @cached_property
    def calls_answered(self) -> Records:
        """The inbound calls of the period that were answered."""
        self.need("calls", "answered_at")
        return self.calls_inbound.where(lambda: self.call_waits()[0], "calls_answered")

    @cached_property
    def calls_outbound(self) -> Records:
        self.need("calls", "queued_at")
        return self._select(
            "calls_outbound",
            "calls",
            lambda: self._within("calls", "queued_at") & self._outbound(),
        )

    # -- survey answers -------------------------------------------------------------------------
    def survey_names(self) -> tuple[np.ndarray, np.ndarray]:
        """Every answer's code into the distinct lower-cased survey names (-1: missing)."""
        return self.table_memo(
            ("survey_names",), lambda: lowered_codes(self.tables["surveys"]["survey"])
        )

    def questions(self) -> tuple[np.ndarray, np.ndarray]:
        """Every answer's code into the distinct cleaned question ids: trimmed, lower case,
        ``overall`` when empty (DATA.md)."""

        def make() -> tuple[np.ndarray, np.ndarray]:
            frame = self.tables["surveys"]
            if "question" not in frame.columns:
                return _constant(len(frame)), np.array(["overall"], dtype=object)
            codes, texts = lowered_codes(frame["question"])
            cleaned = np.append(np.where(texts == "", "overall", texts), "overall").astype(object)
            merged, distinct = pd.factorize(cleaned)
            return _recoded(merged, codes), np.asarray(distinct, dtype=object)

        return self.table_memo(("questions",), make)

    @cached_property
    def surveys(self) -> Records:
        """Answers submitted in the period."""
        self.need("surveys", "submitted_at", "survey", "score")
        return self._select("surveys", "surveys", lambda: self._within("surveys", "submitted_at"))

    def answers_to(self, names: tuple[str, ...]) -> np.ndarray:
        """Of the period's answers, which belong to one of the surveys ``names``."""
        codes, texts = self.survey_names()
        wanted = np.append(np.isin(texts, list(names)), False)
        return self.surveys.at(wanted[codes])

    def survey(self, name: str) -> Records:
        """The period's answers to one survey (lower-cased name)."""
        surveys = self.surveys
        return surveys.where(lambda: self.answers_to((name,)), f"surveys {name}")

    def question_is(self, records: Records, question: str) -> np.ndarray:
        """Of survey ``records``, which answer ``question`` (cleaned id)."""
        codes, texts = self.questions()
        return records.at(np.append(texts == question, False)[codes])

    # -- small monthly tables -------------------------------------------------------------------
    def _monthly(self, table: str) -> pd.DataFrame:
        self.need(table, "period")
        months = self.months
        frame = self.tables[table]
        return self._tagged(
            table, frame["period"].astype("str").str.strip().isin(months).to_numpy()
        )

    @cached_property
    def costs(self) -> pd.DataFrame:
        self.need("costs", "period", "amount")
        frame = self._monthly("costs")
        return frame.loc[frame["amount"].notna().to_numpy()]

    @cached_property
    def agents(self) -> pd.DataFrame:
        return self._monthly("agents")

    @cached_property
    def revenue(self) -> pd.DataFrame:
        self.need("revenue", "date", "amount")
        tagged = self._tagged("revenue", self._within("revenue", "date"))
        return tagged.loc[tagged["amount"].notna().to_numpy()]

    # -- the groups each table contributes ------------------------------------------------------
    def groups_of(self, table: str) -> set[str]:
        """Every group the table has records for in this period (in any of its period senses)."""
        if self.column is None:
            return {OVERALL}
        key = ("groups", table, self.dimension)
        if key not in self._groups:
            self._groups[key] = self._groups_of(table)
        return set(self._groups[key])

    def _groups_of(self, table: str) -> set[str]:
        selections: list[Records] = []
        frames: list[pd.DataFrame] = []
        try:
            if table == "tickets":
                selections.append(self.tickets_created)
                if self.has("tickets", "resolved_at"):
                    selections += [self.tickets_resolved, self.tickets_open_at_end]
            elif table == "calls":
                selections += [self.calls_inbound, self.calls_outbound]
            elif table == "surveys":
                selections.append(self.surveys)
            elif table in ("costs", "agents"):
                frames.append(self.costs if table == "costs" else self.agents)
            elif table == "revenue":
                frames.append(self.revenue)
        except Unavailable:
            return set()
        found: set[str] = set().union(*(r.present() for r in selections))
        return found.union(*(_present(f[SEG]) for f in frames))


def _present(labels: pd.Series) -> set[str]:
    """The distinct labels, from the integer codes when categorical."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes = np.unique(labels.array.codes)
        return set(labels.array.categories[codes[codes >= 0]])
    return set(labels.unique())
