"""The plain result every insight returns: named tables plus notes the reader must see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Insight:
    """Tables keyed by a heading key (see cskpi.i18n), notes such as "not available: …"."""

    name: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def not_available(reason: str) -> str:
    return f"not available: {reason}"
