"""Group labels of categorical columns are recoded from their own codes: the same codes and
labels, in the same order, as pandas' factorize gives."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.metrics.scope import factorized, first_appearances, lowered_codes, segments


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(st.integers(-1, 40), max_size=300),
    size=st.integers(1, 41),
)
def test_categorical_codes_as_pandas_factorizes_them(codes, size):
    codes = [min(c, size - 1) for c in codes]
    values = pd.Series(pd.Categorical.from_codes(codes, categories=[f"L{i}" for i in range(size)]))
    expected_codes, expected_labels = pd.factorize(values, use_na_sentinel=True)
    got_codes, got_labels = factorized(values)
    assert got_codes.tolist() == expected_codes.tolist()
    assert list(got_labels) == list(expected_labels)


def test_first_appearance_found_past_the_first_blocks():
    codes = np.zeros(100_000, dtype=np.int8)
    codes[70_000] = 2  # code 1 never occurs: every block is searched
    codes[99_999] = 3
    assert first_appearances(codes, 4).tolist() == [0, 2, 3]


def test_segments_of_a_categorical_equal_those_of_its_texts():
    texts = pd.Series(["b ", None, "a", "b", "", "a", None, " c"])
    as_labels = texts.astype("category")
    for made in (segments(texts), segments(as_labels)):
        assert made.astype(str).tolist() == ["b", "(none)", "a", "b", "(none)", "a", "(none)", "c"]
        assert list(made.cat.categories) == ["b", "a", "(none)", "c"]
    codes, distinct = lowered_codes(pd.Series(["In", "OUTBOUND ", None, "in"]).astype("category"))
    assert codes.tolist() == [0, 1, -1, 0]
    assert distinct.tolist() == ["in", "outbound"]
