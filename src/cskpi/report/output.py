"""Every file and table cskpi writes goes through here, so no command can skip the guards.

Atomic: the bytes go to a temporary file in the target's own folder, are flushed to disk, then
renamed over the target with os.replace (atomic on POSIX and Windows). A failed or interrupted run
(an error, Ctrl-C, SIGTERM) removes its temporary file and leaves the old target intact.

Safe: :func:`csv_text` writes every text cell that a spreadsheet would run as a formula with a
leading ``'`` — rejected rows, file names and insight tables are user data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

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
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if not isinstance(exc, OSError):
            raise
        raise InputFileError(
            located(
                path,
                f"cannot write the report ({exc.strerror})",
                fix="Check the path and free disk space",
            )
        ) from None


def _guarded(column: pd.Series) -> pd.Series:
    from cskpi.report.formatting import FORMULA_TRIGGERS

    texts = column.astype("string")
    live = texts.str.startswith(FORMULA_TRIGGERS).fillna(False).to_numpy(dtype=bool)
    if live.any():
        column = column.astype("object").where(~live, "'" + texts.astype("object"))
        texts = column.astype("string")
    # A bare carriage return is no line end for the '\n' CSV writer, so it would not quote it and
    # a reader would split the row there: line breaks inside a cell are written as '\n' (quoted).
    if texts.str.contains("\r", regex=False).fillna(False).any():
        column = column.astype("object").where(
            texts.isna().to_numpy(),
            texts.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False),
        )
    return column


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text ('\\n' lines) with no live formula in any text cell or header.

    Numbers stay numbers (a negative number is not a formula); text columns are guarded.
    """
    safe = pd.DataFrame(
        {
            i: frame.iloc[:, i]
            if pd.api.types.is_numeric_dtype(frame.iloc[:, i])
            or pd.api.types.is_bool_dtype(frame.iloc[:, i])
            else _guarded(frame.iloc[:, i])
            for i in range(frame.shape[1])
        },
        index=frame.index,
    )
    safe.columns = list(_guarded(pd.Series([str(c) for c in frame.columns], dtype="object")))
    return safe.to_csv(index=False, lineterminator="\n")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """``frame`` as a guarded CSV file, written atomically."""
    write_atomic(path, csv_text(frame))


def write_rejects(path: Path, rejects: pd.DataFrame, *, raw: bool = True) -> int:
    """Every rejected row (the loader's columns, ``raw`` only when asked) as a guarded CSV; how
    many. The loader decides the columns, so this writer needs nothing from ``io``."""
    columns = [c for c in rejects.columns if raw or c != "raw"]
    write_csv(path, rejects[columns])
    return len(rejects)
