"""Value-level properties under Hypothesis: whatever a cell holds, parsing never raises, never
keeps a number that is not finite, never lets a timestamp pandas cannot hold through, and no
written cell is a live formula."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cskpi.io import values
from cskpi.io.canonical import to_canonical
from cskpi.io.vendor_maps import apply_map, identity_map
from cskpi.metrics.periods import bulk_span
from cskpi.report.output import csv_text
from tests.fuzz.harness import live_cells

FAST = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "inf",
            "-inf",
            "NaN",
            "nan",
            "1e309",
            "-1e309",
            "Infinity",
            "9" * 400,
            "0001-01-01",
            "9999-12-31T23:59:59",
            "1677-09-21",
            "2262-04-12 00:00",
            "31.12.9999",
            "01/01/0001",
            "=1+1",
            "+1",
            "-1",
            "@A1",
            "\t=x",
        ]
    ),
)


@FAST
@given(st.lists(cells, min_size=1, max_size=20))
def test_a_kept_number_is_always_finite(texts):
    raw = pd.Series(texts, dtype="object")
    number, bad = values.parse_number(raw)
    named = values.not_a_number(raw, number)
    kept = number[~bad & ~named].dropna()
    assert np.isfinite(kept.to_numpy(dtype="float64")).all()


@FAST
@given(st.lists(cells, min_size=1, max_size=20))
def test_any_timestamp_text_types_or_is_rejected_never_raises(texts):
    raw = pd.DataFrame({"ticket_id": [str(i) for i in range(len(texts))], "created_at": texts})
    from cskpi.io.read import RawTable

    table = RawTable(
        path="t.csv",
        frame=raw,
        lines=np.arange(2, len(texts) + 2),
        headers=list(raw.columns),
        format="csv",
    )
    mapped = apply_map(table, identity_map("tickets", list(raw.columns)))
    result = to_canonical(mapped)
    assert len(result.frame) + len(result.rejects) == len(texts)
    stamps = result.frame["created_at"]
    assert stamps.isna().sum() == 0  # required: a row without it is rejected, never kept empty
    far = values.out_of_range(pd.Series(texts, dtype="object"))
    rejected_lines = set(result.rejects["line"])
    assert {i + 2 for i in np.flatnonzero(far)} <= rejected_lines


@FAST
@given(st.integers(min_value=1, max_value=9999), st.integers(1, 12), st.integers(1, 28))
def test_a_year_pandas_cannot_hold_is_out_of_range_and_any_other_is_not(year, month, day):
    text = pd.Series([f"{year:04d}-{month:02d}-{day:02d}T10:00:00"])
    assert bool(values.out_of_range(text)[0]) == (year <= 1677 or year >= 2262)


@FAST
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=6))
@example([["\r"]])  # a bare carriage return split the row once
@example([["", ""], ["=1\r\n@x"]])
def test_no_written_csv_cell_is_a_live_formula(rows):
    width = max(len(r) for r in rows)
    frame = pd.DataFrame(
        [r + [""] * (width - len(r)) for r in rows], columns=[f"=c{i}" for i in range(width)]
    )
    text = csv_text(frame)
    assert not live_cells(text)
    # and nothing else changes: a guarded cell is the value with one leading quote
    back = list(csv.reader(io.StringIO(text)))[1:]
    for original, written in zip(rows, back, strict=True):
        for a, b in zip(original, written, strict=False):
            a = a.replace("\r\n", "\n").replace("\r", "\n")  # line breaks are written as \n
            assert b in (a, "'" + a) or (a.strip() == "" and b.strip() == "")


@FAST
@given(st.integers(3, 200), st.integers(-300, 300), st.integers(0, 27))
def test_one_stray_date_never_widens_the_default_range(n, years_off, spread_days):
    bulk = pd.Series(pd.date_range("2026-10-01", periods=n, freq="h", tz="UTC"))
    bulk = bulk + pd.to_timedelta(np.arange(n) % (spread_days + 1), unit="D")
    stray = pd.Timestamp("2026-10-15", tz="UTC") + pd.DateOffset(years=years_off)
    span = bulk_span([pd.concat([bulk, pd.Series([stray])], ignore_index=True)])
    assert span is not None
    if abs(years_off) >= 2:
        assert span.outliers == 1 and (span.low, span.high) == (bulk.min(), bulk.max())
    assert span.low >= min(bulk.min(), stray) and span.high <= max(bulk.max(), stray)
