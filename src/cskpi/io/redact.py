"""--redact: customer ids become salted hashes and free-text comments disappear, before any KPI.

Redacting the canonical tables (not the outputs) means no renderer can leak what it never saw.
Hashing keeps ids distinct, so per-customer KPIs (customers_cost_over_value, active_customers)
are unchanged.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

CUSTOMER_COLUMNS = ("customer_id",)
FREE_TEXT_COLUMNS = ("comment",)
SALT_ENV = "CSKPI_REDACT_SALT"
_HEX_DIGITS = np.array(list("0123456789abcdef"))


def new_salt() -> bytes:
    """16 bytes: from CSKPI_REDACT_SALT when set (stable hashes across runs), else random."""
    fixed = os.environ.get(SALT_ENV)
    if fixed:
        return fixed.encode("utf-8").ljust(16, b"\0")[:16]
    return os.urandom(16)


def hash_ids(ids: pd.Series, salt: bytes) -> pd.Series:
    """Each id as 'c' + 16 hex digits of a keyed SipHash; empty stays empty (vectorised)."""
    present = ids.notna()
    hashed = pd.util.hash_array(
        ids[present].astype(str).to_numpy(dtype=object), hash_key=salt.hex()[:16], categorize=True
    )
    out = pd.Series(pd.NA, index=ids.index, dtype="str")
    out[present] = _hex(hashed)
    return out


def _hex(values: np.ndarray) -> np.ndarray:
    """uint64 values as 'c' + 16 lower-case hex digits, without a Python loop."""
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = (values[:, None] >> shifts) & np.uint64(15)
    digits = _HEX_DIGITS[nibbles.astype(np.intp)]
    return np.char.add("c", np.ascontiguousarray(digits).view("<U16").ravel())


def redact_tables(tables: dict[str, pd.DataFrame], salt: bytes) -> dict[str, pd.DataFrame]:
    """New frames with customer ids hashed and comments dropped; the inputs are left untouched."""
    redacted = {}
    for name, frame in tables.items():
        frame = frame.drop(columns=[c for c in FREE_TEXT_COLUMNS if c in frame.columns])
        hashed = {c: hash_ids(frame[c], salt) for c in CUSTOMER_COLUMNS if c in frame.columns}
        redacted[name] = frame.assign(**hashed) if hashed else frame
    return redacted


def redact_rejects(rejects: pd.DataFrame | None) -> pd.DataFrame | None:
    """Rejected rows without their raw text (it may hold ids and comments)."""
    if rejects is None:
        return None
    return rejects.drop(columns=[c for c in ("raw", "detail") if c in rejects.columns])
