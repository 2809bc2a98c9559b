"""The cskpi command line (cskpi.cli.app).

A report is a short process that allocates a few large column buffers once: Arrow's bundled
allocator spends more system time on them than the C library's (fresh pages for each), so the
command uses the system pool unless ARROW_DEFAULT_MEMORY_POOL says otherwise. Set before pyarrow
is first imported, which is when Arrow reads it.
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
