"""Handing freed memory back to the system, so a later step's working memory does not stack on
an earlier step's leftovers in the peak."""

from __future__ import annotations

import ctypes
from typing import Any


def libc() -> Any:
    """glibc, for mallopt and malloc_trim (None with another C library)."""
    try:
        found = ctypes.CDLL("libc.so.6")
        found.mallopt, found.malloc_trim  # noqa: B018 - both must exist
    except (OSError, AttributeError):
        return None
    return found


def give_back_freed_memory() -> None:
    """Return the C allocator's freed pages to the system (glibc's ``malloc_trim``).

    Arrays of a few megabytes come from the allocator's heap, which keeps them once freed: a
    step that frees many (a loader's casts, a history's scanned dates) would otherwise leave its
    peak resident under the next one's. Elsewhere (another C library) nothing happens.
    """
    found = libc()
    if found is not None:
        found.malloc_trim(0)
