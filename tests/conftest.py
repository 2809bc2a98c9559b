"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _find_real_data() -> Path | None:
    if os.environ.get("CSKPI_REAL_DATA"):
        path = Path(os.environ["CSKPI_REAL_DATA"])
        return path if path.is_dir() else None
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real third-party exports (never copied into the repo); skip when absent."""
    path = _find_real_data()
    if path is None:
        pytest.skip("real exports (shared/data/real) not found")
    return path
