"""Timestamp columns as numpy values, shared by the input checks (cskpi.io) and the KPIs
(cskpi.metrics), which do not import each other."""

from __future__ import annotations

import numpy as np
import pandas as pd


def instants_of(values: pd.Series) -> np.ndarray:
    """A timestamp column's values as numpy datetime64 in its own unit (no copy); zoned columns
    hold UTC. numpy's comparisons with NaT are False, as pandas' are."""
    stamps: np.ndarray = values.array.asi8.view(f"M8[{values.dt.unit}]")
    return stamps
