"""Per-group sums from categorical codes equal pandas' groupby, or are not used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cskpi.metrics import aggregate as agg
from cskpi.metrics.scope import SEG, Values


def _values(labels: list[str], x: list[float]) -> pd.DataFrame:
    return pd.DataFrame({SEG: pd.Categorical(labels), "x": np.array(x, dtype="float64")})


def _by_pandas(values: pd.DataFrame) -> dict[str, tuple[float, int]]:
    known = values[values["x"].notna()]
    grouped = known.groupby(SEG, observed=True)["x"].agg(["sum", "count"])
    return {str(k): (float(r["sum"]), int(r["count"])) for k, r in grouped.iterrows()}


def _as_dict(parts: pd.DataFrame) -> dict[str, tuple[float, int]]:
    return {str(r[SEG]): (float(r["s"]), int(r["n"])) for _, r in parts.iterrows()}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.one_of(st.integers(-1000, 1000).map(float), st.just(float("nan"))),
        ),
        min_size=1,
    )
)
def test_whole_number_sums_by_codes_equal_pandas_groupby(rows):
    values = _values([r[0] for r in rows], [r[1] for r in rows])
    assert _as_dict(agg._sum_count(values)) == _by_pandas(values)


def test_fractions_are_left_to_pandas_compensated_sum():
    values = _values(["a", "a", "a"], [0.1, 0.2, 0.3])
    assert agg._exact_group_sums(values[SEG], {"s": values["x"].to_numpy()}) is None
    # a: 0.1 + 0.2 + 0.3, summed as pandas sums it
    assert _as_dict(agg._sum_count(values)) == _by_pandas(values)


def test_groups_without_known_values_have_no_row():
    values = _values(["a", "b", "b"], [float("nan"), 1.0, 0.0])
    # a has no known value; b: 1 + 0 over 2 values
    assert _as_dict(agg._sum_count(values)) == {"b": (1.0, 2)}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.floats(-1e6, 1e6, allow_nan=False),
        ),
        min_size=1,
    ),
    st.sampled_from([0.5, 0.9, 0.1]),
    st.booleans(),
)
def test_group_percentiles_are_numpys_linear_percentiles_of_each_group(rows, q, categorical):
    labels = [r[0] for r in rows]
    parts = pd.DataFrame(
        {SEG: pd.Categorical(labels) if categorical else labels, "x": [r[1] for r in rows]}
    )
    result = agg.group_quantile(parts, q)
    for label in set(labels):
        group = np.array([x for g, x in rows if g == label])
        assert result.loc[label, "value"] == np.quantile(group, q)
        assert result.loc[label, "n"] == len(group)
    assert set(result.index) == set(labels)


@pytest.mark.parametrize("labels", [["a"] * 7, ["a", "b"] * 4])
def test_percentiles_leave_the_parts_as_they_were_and_agree_whatever_is_asked_first(labels):
    x = [5.0, 1.0, 4.0, 2.0, 3.0, 7.0, 6.0, 0.5][: len(labels)]
    parts = pd.DataFrame({SEG: pd.Categorical(labels), "x": x})
    before = parts.copy()
    p90 = agg.group_quantile(parts, 0.9)
    median = agg.group_quantile(parts, 0.5)
    p10 = agg.group_quantile(parts, 0.1)  # not one of the pair: read from the laid-out values
    pd.testing.assert_frame_equal(parts, before)  # the parts' values are not reordered
    for label in set(labels):
        group = np.array([v for g, v in zip(labels, x, strict=True) if g == label])
        assert p90.loc[label, "value"] == np.quantile(group, 0.9)
        assert median.loc[label, "value"] == np.quantile(group, 0.5)
        assert p10.loc[label, "value"] == np.quantile(group, 0.1)


def test_rows_outside_the_mask_count_in_no_group_whatever_their_weight():
    labels = pd.Series(pd.Categorical(["a", "b", "a", "b", "c"]))
    weights = np.array([2.0, 3.0, 0.5, float("nan"), 7.0])
    mask = np.array([True, True, False, False, False])
    parts = agg._exact_group_sums(labels, {"s": weights}, mask)
    # a: 2 (0.5 masked out), b: 3 (NaN masked out), c: nothing kept, so no row
    assert _as_dict(parts) == {"a": (2.0, 1), "b": (3.0, 1)}


def test_one_group_is_summed_without_binning_and_equals_pandas():
    values = pd.DataFrame({SEG: pd.Categorical(["all"] * 4), "x": [1.0, float("nan"), 4.0, -2.0]})
    # all: 1 + 4 − 2 over 3 known values
    assert _as_dict(agg._sum_count(values)) == {"all": (3.0, 3)} == _by_pandas(values)


def test_known_values_keep_their_group_and_value_only():
    values = pd.DataFrame(
        {SEG: pd.Categorical(["a", "b", "a"]), "x": [float("nan"), 2.5, 1.0], "other": [1, 2, 3]},
        index=[10, 11, 12],
    )
    known = agg._known(values)
    assert list(known.columns) == [SEG, "x"]
    assert list(known[SEG]) == ["b", "a"]
    assert list(known["x"]) == [2.5, 1.0]
    assert isinstance(known[SEG].dtype, pd.CategoricalDtype)


def _record_values(labels: list[str], x: list[float]) -> Values:
    codes, uniques = pd.factorize(pd.Series(labels))
    return Values(codes.astype(np.int8), np.asarray(uniques, dtype=object), np.array(x))


def _pandas_sums(labels: list[str], x: list[float]) -> dict[str, tuple[float, int]]:
    frame = pd.DataFrame({SEG: pd.Categorical(labels), "x": np.array(x, dtype="float64")})
    known = frame[frame["x"].notna()]
    grouped = known.groupby(SEG, sort=False, observed=True)["x"].agg(["sum", "count"])
    return {str(k): (float(r["sum"]), int(r["count"])) for k, r in grouped.iterrows()}


_FRACTIONS = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2)), st.just(float("nan"))
)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), _FRACTIONS), min_size=1))
def test_fraction_sums_of_record_values_are_pandas_groupby_sums_digit_for_digit(rows):
    labels, x = [r[0] for r in rows], [r[1] for r in rows]
    assert _as_dict(agg._sum_count(_record_values(labels, x))) == _pandas_sums(labels, x)


@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), _FRACTIONS), min_size=1),
)
def test_fraction_sums_of_groups_in_runs_are_pandas_groupby_sums_digit_for_digit(rows):
    # Records sorted by group, as an export sorted by agent: pandas then adds each run in order.
    rows = sorted(rows, key=lambda r: r[0])
    labels, x = [r[0] for r in rows], [r[1] for r in rows]
    assert _as_dict(agg._sum_count(_record_values(labels, x))) == _pandas_sums(labels, x)


def test_a_run_sum_and_a_compensated_sum_differ_and_each_is_reproduced():
    # 27 amounts whose plain left-to-right sum is 37106.869999999995 and whose compensated
    # (exactly rounded) sum is 37106.87: pandas gives the first for one run, the second when
    # the group's records are interleaved with another group's.
    x = [403.09, 2542.3, 2291.32, 765.21, 1486.31, 1348.47, 1954.78, 2366.17, 281.58, 85.04]
    x += [2507.3, 1298.3, 2286.84, 6.32, 1336.16, 2164.62, 686.29, 2835.81, 2704.28, 91.77]
    x += [76.34, 1624.24, 2817.45, 1143.61, 649.8, 1266.35, 87.12]
    one_run = agg._sum_count(_record_values(["a"] * len(x), x))
    assert _as_dict(one_run) == {"a": (37106.869999999995, 27)}
    labels = ["a", "b"] * len(x)
    doubled = [v for v in x for _ in (0, 1)]
    interleaved = agg._sum_count(_record_values(labels, doubled))
    assert _as_dict(interleaved) == {"a": (37106.87, 27), "b": (37106.87, 27)}
    assert _as_dict(interleaved) == _pandas_sums(labels, doubled)


def test_runs_in_any_group_order_are_added_in_order_as_pandas_does():
    x = [403.09, 2542.3, 2291.32, 765.21, 1486.31, 1348.47, 1954.78, 2366.17, 281.58, 85.04]
    x += [2507.3, 1298.3, 2286.84, 6.32, 1336.16, 2164.62, 686.29, 2835.81, 2704.28, 91.77]
    x += [76.34, 1624.24, 2817.45, 1143.61, 649.8, 1266.35, 87.12]
    labels = ["b"] * len(x) + ["a"] * len(x)  # b's run first: not the labels' sorted order
    parts = agg._sum_count(_record_values(labels, x + x))
    assert _as_dict(parts) == {"a": (37106.869999999995, 27), "b": (37106.869999999995, 27)}
    assert _as_dict(parts) == _pandas_sums(labels, x + x)


def test_groups_that_interleave_only_after_the_first_records_are_still_added_as_pandas_does():
    # The first records come in runs (a, then b); the groups come back far later: the
    # beginning proves nothing, so the whole is checked and the compensated sum is used.
    head = agg._PREFIX + 10
    labels = ["a"] * head + ["b"] * head + ["a", "b"] * 5
    rng = np.random.default_rng(7)
    x = list(np.round(rng.uniform(0, 3000, len(labels)), 2))
    x[3] = float("nan")
    assert _as_dict(agg._sum_count(_record_values(labels, x))) == _pandas_sums(labels, x)


def test_records_masked_as_not_known_are_left_out_of_an_interleaved_sum():
    labels, x = ["a", "b"] * 50, [float(v) + 0.1 for v in range(100)]
    values = _record_values(labels, x)
    known = np.arange(100) % 3 != 0
    codes, size = values.codes, len(values.labels)
    sums, counts = agg._pandas_group_sums(codes, size, values.x, known)
    kept = [(label, v) for label, v, k in zip(labels, x, known, strict=True) if k]
    expected = _pandas_sums([r[0] for r in kept], [r[1] for r in kept])
    assert {str(values.labels[i]): sums[i] for i in range(size)} == {
        k: v[0] for k, v in expected.items()
    }
    # The kernel's count of each group is its known records, not all of them (50 each).
    assert counts is not None
    assert {str(values.labels[i]): int(counts[i]) for i in range(size)} == {
        k: v[1] for k, v in expected.items()
    }
