"""The one place that decides whether a path may be read as an input or written as an output.

An input must be a regular file: a FIFO, a socket or a device (``/dev/zero``) would block or never
end. An output must not be any input or the settings file — compared by device and inode too, so a
symlink or hard link to an input is refused as well — because the atomic rename would replace the
user's export with a report. Every check runs before any data is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from cskpi.errors import InputFileError, UsageError, located


def check_input(path: Path) -> Path:
    """``path`` if it is a readable regular file; else InputFileError saying what it is."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(
            located(path, "no such file", fix="Check the path and the file name")
        ) from None
    except OSError as exc:
        raise InputFileError(
            located(path, f"cannot be read ({exc.strerror})", fix="Check its permissions")
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            located(
                path,
                f"is {_kind(info.st_mode)}, not a regular file",
                fix="Give the path of an exported file",
            )
        )
    if not os.access(path, os.R_OK):
        raise InputFileError(
            located(path, "cannot be read (permission denied)", fix="Check its permissions")
        )
    return path


def walk_files(folder: Path) -> list[Path]:
    """Every visible file under ``folder`` (sorted); an unreadable sub-folder is an error."""

    def refuse(exc: OSError) -> None:
        where = exc.filename or folder
        raise InputFileError(
            located(
                where,
                f"cannot be read ({exc.strerror})",
                fix="Check the folder's permissions, or move it out of the data folder",
            )
        )

    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=refuse):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / name for name in files if not name.startswith(".")]
    return sorted(found)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def check_outputs(outputs: Mapping[str, Path | None], protected: Iterable[Path | None]) -> None:
    """Refuse (UsageError, exit 2) an output that is an input, the settings file or a non-file.

    ``outputs`` maps the option (``-o``, ``--rejects``) to its path; ``protected`` are the files
    that must never be written: every input, the settings file, map files and baselines.
    """
    given = {flag: Path(p) for flag, p in outputs.items() if p is not None and str(p) != "-"}
    if not given:
        return
    guarded: dict[tuple[int, int], Path] = {}
    names: dict[Path, Path] = {}
    for path in protected:
        if path is None:
            continue
        identity = _identity(Path(path))
        if identity is not None:
            guarded[identity] = Path(path)
        names[Path(os.path.realpath(path))] = Path(path)
    seen: dict[tuple[int, int] | Path, str] = {}
    for flag, path in given.items():
        identity = _identity(path)
        same = guarded.get(identity) if identity else names.get(Path(os.path.realpath(path)))
        if same is not None:
            raise UsageError(
                f"{flag} {str(path)!r} is the input {str(same)!r}; writing there would destroy it. "
                f"Choose another path for {flag}"
            )
        if identity is not None and not stat.S_ISREG(os.stat(path).st_mode):
            kind = _kind(os.stat(path).st_mode)
            raise UsageError(
                f"{flag} {str(path)!r} is {kind}. "
                "Give the path of a file to write (or '-' for stdout)"
            )
        key = identity or Path(os.path.realpath(path))
        if key in seen:
            raise UsageError(
                f"{flag} and {seen[key]} name the same file {str(path)!r}. Give each its own path"
            )
        seen[key] = flag
