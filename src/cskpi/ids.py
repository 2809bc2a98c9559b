"""Record ids (ticket, call, response ids) as integers, so they can be compared without hashing."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_integers(array: pa.ChunkedArray) -> np.ndarray | None:
    """Each text as an integer after the digits-free prefix of the first text, or None.

    Equal texts give equal integers (the prefix is the text's part before its trailing digits),
    so distinct integers prove distinct texts; equal integers prove nothing ("R01" and "R1").
    """
    prefix = _prefix(array)
    if prefix is None:
        return None
    # A chunk at a time into one array: the digits' texts and their integers of one chunk are
    # held at once, not of the whole column.
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    out = np.empty(len(array), dtype=np.int64)
    start = 0
    for chunk in chunks:
        if not len(chunk):
            continue
        numbers = _chunk_integers(chunk, prefix)
        if numbers is None:
            return None
        out[start : start + len(chunk)] = numbers
        start += len(chunk)
    return out


def rising(array: pa.ChunkedArray | pa.Array) -> bool:
    """Whether every text comes strictly after the one before it in shortlex order (the shorter
    first, texts of one length byte by byte): then no two are equal.

    The usual export numbers its records in order (1, 2, …, 10; CL1, CL2, …; T-000123), which
    is shortlex order, so this proves them distinct from their lengths and one comparison of
    neighbours, without parsing or hashing a text or holding a column of integers.
    """
    previous: bytes | None = None
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        n = len(chunk)
        if not n:
            continue
        large = pa.types.is_large_string(chunk.type)
        if chunk.null_count or not (large or pa.types.is_string(chunk.type)):
            return False
        first = chunk[0].as_py().encode()
        if previous is not None and not _after(first, previous):
            return False
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if large else np.int32)[
            chunk.offset : chunk.offset + n + 1
        ]
        lengths = np.diff(offsets)
        later = pc.greater(chunk.slice(1), chunk.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        longer, same = lengths[1:] > lengths[:-1], lengths[1:] == lengths[:-1]
        if not bool((longer | (same & later)).all()):
            return False
        previous = chunk[n - 1].as_py().encode()
    return True


def _after(text: bytes, other: bytes) -> bool:
    """Whether ``text`` comes after ``other`` in shortlex order."""
    return (len(text), text) > (len(other), other)


def _prefix(array: pa.ChunkedArray | pa.Array) -> str | None:
    """The first text's part before its trailing digits (None: not a text ending in digits)."""
    first = array[0].as_py()
    if not isinstance(first, str):
        return None
    prefix = first.rstrip("0123456789")
    return None if len(prefix) == len(first) else prefix


def _chunk_integers(chunk: pa.Array, prefix: str) -> np.ndarray | None:
    if chunk.null_count:
        return None  # a missing id is no integer
    try:
        # A cast that fails costs as much as hashing every text: try it only when the first fits.
        if prefix in ("", "-", "+"):
            return pc.cast(chunk, pa.int64()).to_numpy(zero_copy_only=False)
        if not pc.all(pc.starts_with(chunk, pattern=prefix)).as_py():
            return None
        digits = pc.utf8_slice_codeunits(chunk, start=len(prefix))
        return pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
