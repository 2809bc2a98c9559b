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
    first = array[0].as_py()
    if not isinstance(first, str):
        return None
    prefix = first.rstrip("0123456789")
    if len(prefix) == len(first):
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
