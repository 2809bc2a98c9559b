"""The cskpi command line (cskpi.cli.app).

A report is a short process that allocates a few large column buffers once: Arrow's bundled
allocator spends more system time on them than the C library's (fresh pages for each), so the
command uses the system pool unless ARROW_DEFAULT_MEMORY_POOL says otherwise. Set before pyarrow
is first imported, which is when Arrow reads it.

The C library then serves every thread from one heap (glibc's M_ARENA_MAX = 1): Arrow's reader
threads and the KPI threads free large buffers that the next column or array reuses, and with an
arena per thread each kept its own freed pages (at 10M rows: peak 2.50 → 2.40 GB and half the
system time). MALLOC_ARENA_MAX in the environment still wins.

numpy asks the kernel for huge pages for every large array (madvise); where the kernel then
compacts memory to find one at the first touch (transparent huge pages in "madvise" mode, the
usual default), a report's short-lived arrays cost more system time than their 4 KiB pages do
(5M rows: median wall 4.60 → 3.93 s, system time 2.2 → 1.3 s, 6 alternating runs each). The
command turns that off unless NUMPY_MADVISE_HUGEPAGE says otherwise; set before numpy's import.
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def _one_heap() -> None:
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    from cskpi.heap import libc

    found = libc()
    if found is not None:  # another C library: nothing to set
        found.mallopt(-8, 1)  # M_ARENA_MAX


_one_heap()
