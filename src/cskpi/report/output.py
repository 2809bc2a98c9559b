"""Writing a report file so that a reader never sees half of it.

The bytes go to a temporary file in the target's own folder, are flushed to disk, then renamed over
the target with os.replace (atomic on POSIX and Windows). A failed run leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cskpi.errors import InputFileError, located


def write_atomic(path: Path, content: str | bytes) -> None:
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputFileError(
            located(
                path, "the folder does not exist", fix="Create the folder or choose another -o path"
            )
        )
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputFileError(
            located(
                path,
                f"cannot write here ({exc.strerror})",
                fix="Choose a folder you can write to with -o",
            )
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); a report should get the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise InputFileError(
            located(
                path,
                f"cannot write the report ({exc.strerror})",
                fix="Check the path and free disk space",
            )
        ) from None
