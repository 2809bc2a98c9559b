"""Handing freed memory back to the system, so a later step's working memory does not stack on
an earlier step's leftovers in the peak."""

from __future__ import annotations

import contextlib
import ctypes


def give_back_freed_memory() -> None:
    """Return the C allocator's freed pages to the system (glibc's ``malloc_trim``).

    Arrays of a few megabytes come from the allocator's heap, which keeps them once freed: a
    step that frees many (a loader's casts, a history's scanned dates) would otherwise leave its
    peak resident under the next one's. Elsewhere (another C library) nothing happens.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
