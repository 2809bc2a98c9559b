"""The process ends without Python's teardown once its outputs are written: nothing is lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def _cskpi(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cskpi", *args], capture_output=True, timeout=300, check=False
    )


def test_a_report_on_stdout_is_whole_and_equals_the_file_it_writes(tmp_path):
    # Daily rows by agent: far more than a pipe holds, so the last writes wait for the reader.
    options = ["report", str(EXAMPLES), "--every", "day", "--by", "agent", "-f", "csv", "-q"]
    written = tmp_path / "kpis.csv"
    to_file = _cskpi(*options, "-o", str(written))
    to_stdout = _cskpi(*options)
    assert to_file.returncode == to_stdout.returncode == 0
    assert len(to_stdout.stdout) > 1_000_000
    assert to_stdout.stdout == written.read_bytes()


def test_exit_codes_and_messages_survive_the_quick_exit(tmp_path):
    usage = _cskpi("report", str(EXAMPLES), "--period", "2026-13")
    assert usage.returncode == 2 and b"has no month 13" in usage.stderr
    missed = _cskpi(
        "report",
        str(EXAMPLES),
        "--period",
        "2026-10",
        "--fail-on-miss",
        "-q",
        "-o",
        str(tmp_path / "k.csv"),
    )
    assert missed.returncode == 1 and b"target(s) missed" in missed.stderr


def test_an_exit_with_a_message_prints_it_and_exits_1():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cskpi.cli.app import _exit_at_once; "
            "sys.stdout.write('kept'); _exit_at_once('stopped: why')",
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == b"kept" and done.stderr.strip() == b"stopped: why"
