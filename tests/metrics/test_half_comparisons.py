"""Comparisons of counts held as float16 read their bits: equal to numpy's on every half value."""

import numpy as np
import pytest

from cskpi.metrics.scope import above_zero, equal_to, is_missing

# Every one of the 65,536 float16 bit patterns: ±0, subnormals, ±inf, every NaN.
EVERY_HALF = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)


@pytest.mark.parametrize("number", [0, 1, 2, 3, 24, 2048, -1, 0.5])
def test_equal_to_is_numpys_equality_on_every_half(number):
    with np.errstate(invalid="ignore"):
        expected = np.float16(number) == EVERY_HALF
    assert np.array_equal(equal_to(EVERY_HALF, number), expected)
    assert equal_to(EVERY_HALF, number).sum() == (2 if number == 0 else 1)


def test_is_missing_and_above_zero_are_numpys_on_every_half():
    assert np.array_equal(is_missing(EVERY_HALF), np.isnan(EVERY_HALF))
    with np.errstate(invalid="ignore"):
        assert np.array_equal(above_zero(EVERY_HALF), EVERY_HALF > 0)
    assert is_missing(EVERY_HALF).sum() == 2 * (2**10 - 1)  # both signs, mantissa non-zero


def test_other_widths_are_compared_as_numpy_does():
    values = np.array([0.0, -0.0, 1.0, np.nan, 2.5, -3.0], dtype=np.float32)
    assert equal_to(values, 0).tolist() == [True, True, False, False, False, False]
    assert is_missing(values).tolist() == [False, False, False, True, False, False]
    assert above_zero(values).tolist() == [False, False, True, False, True, False]
