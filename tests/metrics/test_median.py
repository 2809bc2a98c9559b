"""The date span's median, found from a bracket of ranks, is np.median's value exactly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.metrics.periods import median

SHAPES = ["random", "sorted", "descending", "few values", "two clusters", "floats", "bursts"]


def _values(shape: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if shape == "random":
        return rng.integers(0, 10**18, n)
    if shape == "sorted":
        return np.sort(rng.integers(1_700_000_000 * 10**9, 1_800_000_000 * 10**9, n))
    if shape == "descending":
        return np.sort(rng.integers(0, 10**12, n))[::-1].copy()
    if shape == "few values":
        return rng.integers(0, 4, n)
    if shape == "two clusters":  # the middle ranks fall between them
        return np.concatenate([np.zeros(n // 2, np.int64), np.full(n - n // 2, 10**17)])
    if shape == "floats":
        return rng.random(n) * 1e15
    # Month files one after another, each sorted: the sample is strided, not random.
    return np.concatenate(
        [np.sort(rng.integers(m * 10**6, (m + 1) * 10**6, n // 7 + 1)) for m in range(7)]
    )[:n]


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from(SHAPES),
    n=st.integers(1 << 16, 300_000) | st.sampled_from([1 << 16, (1 << 16) + 1]),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_median_is_numpys(shape, n, seed):
    values = _values(shape, n, seed)
    before = values.copy()
    got = median(values)
    assert got == np.median(values) and type(got) is float
    assert np.array_equal(values, before)  # read, never reordered


@pytest.mark.parametrize("n", [100_000, 100_001])
def test_a_sample_that_misses_the_middle_falls_back_to_the_whole_array(n):
    # Every 64th value (all the sample sees) is 0; the middle of the rest is far above it.
    values = np.random.default_rng(n).integers(10**9, 10**12, n)
    values[::64] = 0
    assert median(values) == np.median(values)


def test_small_arrays_are_numpys_median():
    assert median(np.array([3, 1, 2])) == 2.0
    assert median(np.array([4, 1, 2, 3])) == 2.5
