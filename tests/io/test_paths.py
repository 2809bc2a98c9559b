"""io.paths decides what may be read and written; report.output writes atomically."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from cskpi.cli.errors import terminate_as_interrupt
from cskpi.errors import InputFileError, UsageError
from cskpi.io.paths import check_input, check_outputs, walk_files
from cskpi.report import output


def test_an_output_that_is_an_input_by_name_link_or_hard_link_is_refused(tmp_path):
    export = tmp_path / "tickets.csv"
    export.write_text("ticket_id\n1\n")
    (tmp_path / "soft.csv").symlink_to(export)
    os.link(export, tmp_path / "hard.csv")
    for target in (
        export,
        tmp_path / "soft.csv",
        tmp_path / "hard.csv",
        tmp_path / "x" / ".." / "tickets.csv",
    ):
        with pytest.raises(UsageError, match="writing there would destroy it"):
            check_outputs({"-o": target}, [export])
    check_outputs({"-o": tmp_path / "report.csv"}, [export])  # a new file is fine


def test_two_outputs_naming_one_file_are_refused(tmp_path):
    with pytest.raises(UsageError, match="name the same file"):
        check_outputs({"-o": tmp_path / "a.csv", "--rejects": tmp_path / "a.csv"}, [])


def test_an_output_that_is_a_device_or_folder_is_refused(tmp_path):
    with pytest.raises(UsageError, match="is a device"):
        check_outputs({"-o": Path("/dev/null")}, [])
    with pytest.raises(UsageError, match="is a folder"):
        check_outputs({"-o": tmp_path}, [])


def test_an_input_must_be_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(InputFileError, match=r"is a pipe \(FIFO\), not a regular file"):
        check_input(tmp_path / "pipe.csv")
    with pytest.raises(InputFileError, match="is a device, not a regular file"):
        check_input(Path("/dev/zero"))
    with pytest.raises(InputFileError, match="no such file"):
        check_input(tmp_path / "missing.csv")


def test_walk_lists_visible_files_in_order_and_skips_hidden_ones(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.csv", "a.csv", ".x.csv", ".hidden/1.csv"):
        (tmp_path / name).write_text("x")
    assert walk_files(tmp_path) == [tmp_path / "a.csv", tmp_path / "b" / "2.csv"]


def _interrupt_during_write(monkeypatch, error):
    def fail(fd):
        raise error()

    monkeypatch.setattr(output.os, "fsync", fail)


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    _interrupt_during_write(monkeypatch, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_sigterm_during_a_write_unwinds_like_ctrl_c_and_removes_the_temporary_file(
    tmp_path, monkeypatch
):
    target = tmp_path / "rejects.csv"
    previous = signal.getsignal(signal.SIGTERM)
    terminate_as_interrupt()
    try:
        monkeypatch.setattr(output.os, "fsync", lambda fd: os.kill(os.getpid(), signal.SIGTERM))
        with pytest.raises(KeyboardInterrupt):
            output.write_csv(target, pd.DataFrame({"a": [1]}))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def test_rejects_are_written_with_formulas_neutralised_and_numbers_kept(tmp_path):
    rejects = pd.DataFrame(
        {
            "file": ["=x.csv"],
            "line": [3],
            "table": ["tickets"],
            "reason": ["bad_timestamp"],
            "detail": ["created_at: @SUM(A1)"],
            "raw": ["-1+2"],
        }
    )
    output.write_rejects(tmp_path / "r.csv", rejects, raw=False)
    assert (tmp_path / "r.csv").read_text() == (
        "file,line,table,reason,detail\n'=x.csv,3,tickets,bad_timestamp,created_at: @SUM(A1)\n"
    )


def test_an_unreadable_sub_folder_is_an_error_naming_it(tmp_path, monkeypatch):
    from cskpi.io import paths

    def walk(folder, onerror):
        onerror(PermissionError(13, "Permission denied", str(tmp_path / "calls")))
        return iter(())

    monkeypatch.setattr(paths.os, "walk", walk)
    with pytest.raises(InputFileError, match=r"calls: cannot be read \(Permission denied\)"):
        walk_files(tmp_path)
