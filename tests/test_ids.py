"""Record ids read as integers (equal texts give equal integers, whatever the chunking) and proved
distinct when they rise."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cskpi.ids import as_integers, rising


def test_ids_with_a_shared_prefix_read_as_their_digits_in_every_chunk():
    ids = pa.chunked_array([["T0001", "T0002"], [], ["T0010", "T0002"]])
    assert as_integers(ids).tolist() == [1, 2, 10, 2]


def test_plain_numbers_cast_whole_and_a_text_that_is_no_integer_proves_nothing():
    assert as_integers(pa.chunked_array([["12", "-3"], ["4"]])).tolist() == [12, -3, 4]
    assert as_integers(pa.chunked_array([["12"], ["+4"]])) is None


def test_a_missing_id_another_prefix_or_no_digits_prove_nothing():
    assert as_integers(pa.chunked_array([["T1"], ["T2", None]])) is None
    assert as_integers(pa.chunked_array([["T1", "U2"]])) is None
    assert as_integers(pa.chunked_array([["T", "T1"]])) is None
    assert as_integers(pa.chunked_array([["12", "1x"]])) is None


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=4),
)
def test_equal_texts_give_equal_integers_however_the_column_is_cut(numbers, cuts):
    texts = [f"CL{n}" for n in numbers]
    bounds = sorted({0, len(texts), *(min(c, len(texts)) for c in cuts)})
    chunks = [texts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    found = as_integers(pa.chunked_array(chunks, type=pa.string()))
    assert found is not None and found.dtype == np.int64
    assert found.tolist() == numbers


def test_a_signed_id_reads_as_the_cast_reads_it_whatever_its_width():
    assert as_integers(pa.chunked_array([["-5", "-6"], ["-17"]])).tolist() == [-5, -6, -17]


def test_a_non_digit_byte_in_a_fixed_width_id_proves_nothing():
    assert as_integers(pa.chunked_array([["T01", "T0/", "T0:"]])) is None
    assert as_integers(pa.chunked_array([["T01", "U02"]])) is None


def test_numbered_records_rise_whatever_their_prefix_or_width():
    assert rising(pa.chunked_array([["1", "2", "9"], ["10", "11"], [], ["100"]]))
    assert rising(pa.chunked_array([["CL1", "CL9"], ["CL10"]]))
    assert rising(pa.chunked_array([["T-0009", "T-0010", "T-0100"]]))
    assert rising(pa.array(["a", "b", "aa"]))  # shorter first, then byte by byte
    assert rising(pa.chunked_array([], type=pa.string()))


def test_a_repeat_a_step_back_or_a_missing_id_is_not_rising():
    assert not rising(pa.chunked_array([["1", "2"], ["2", "3"]]))  # repeat across chunks
    assert not rising(pa.chunked_array([["1", "2", "2"]]))
    assert not rising(pa.chunked_array([["10"], ["9"]]))  # shorter after longer
    assert not rising(pa.chunked_array([["CL2", "CL1"]]))
    assert not rising(pa.chunked_array([["1", None, "3"]]))
    assert not rising(pa.array([1, 2, 3]))  # not texts


@given(
    st.lists(st.text(alphabet="0129aZé-", max_size=4), max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
)
def test_rising_texts_are_distinct_and_sorted_distinct_texts_rise(texts, cuts):
    bounds = sorted({0, len(texts), *(min(c, len(texts)) for c in cuts)})
    chunks = [texts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if rising(pa.chunked_array(chunks, type=pa.string())):
        assert len(set(texts)) == len(texts)
    in_order = sorted(set(texts), key=lambda t: (len(t.encode()), t.encode()))
    assert rising(pa.chunked_array([in_order], type=pa.string()))
