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
    # A cast that fails costs as much as hashing every text: try it only when the first fits.
    if prefix in ("", "-", "+") and len(prefix) < len(first):
        try:
            return pc.cast(array, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    if len(prefix) == len(first):
        return None
    try:
        if not pc.all(pc.starts_with(array, pattern=prefix)).as_py():
            return None
        digits = pc.utf8_slice_codeunits(array, start=len(prefix))
        return pc.cast(digits, pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
