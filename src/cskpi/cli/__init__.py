"""The cskpi command line (cskpi.cli.app).

A report is a short process that allocates a few large column buffers once: Arrow's bundled
allocator spends more system time on them than the C library's (fresh pages for each), so the
command uses the system pool unless ARROW_DEFAULT_MEMORY_POOL says otherwise. Set before pyarrow
is first imported, which is when Arrow reads it.

The C library then serves every thread from one heap (glibc's M_ARENA_MAX = 1): Arrow's reader
threads and the KPI threads free large buffers that the next column or array reuses, and with an
arena per thread each kept its own freed pages (at 10M rows: peak 2.50 → 2.40 GB and half the
system time). MALLOC_ARENA_MAX in the environment still wins.
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def _one_heap() -> None:
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    from cskpi.heap import libc

    found = libc()
    if found is not None:  # another C library: nothing to set
        found.mallopt(-8, 1)  # M_ARENA_MAX


_one_heap()
