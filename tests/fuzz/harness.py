"""Run one corpus case in-process and check what must hold for every input, however broken."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from cskpi.cli.app import app
from tests.fuzz.corpus import Case

LIVE = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: float):
    """Raise Hang in the main thread when the body runs longer than ``seconds``."""

    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every regular file under ``folder`` (inputs, settings, maps)."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink() and not name.startswith("out."):
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def live_cells(text: str) -> list[str]:
    """CSV cells a spreadsheet would run as a formula (negative numbers are numbers)."""
    bad = []
    for row in csv.reader(io.StringIO(text)):
        bad += [cell for cell in row if cell.startswith(LIVE) and not _NUMBER.match(cell)]
    return bad


def check_output(path_or_text: Path | str, kind: str) -> None:
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path_or_text)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    # a text cell holding "=1" is text; only a formula cell runs
                    assert cell.data_type != "f", f"live formula {cell.value!r} in {sheet.title}"
        return
    text = (
        path_or_text.read_text(encoding="utf-8")
        if isinstance(path_or_text, Path)
        else (path_or_text)
    )
    if kind == "csv":
        assert not live_cells(text), live_cells(text)[:5]
    elif kind in ("html", "md"):
        assert "<script>alert" not in text, "unescaped <script> in the output"
    elif kind == "json":
        json.loads(text)  # strict: no Infinity or NaN
        assert not re.search(r"\b(Infinity|NaN)\b", text.replace('"NaN"', ""))


def _format_of(args: list[str]) -> str:
    for flag in ("-f", "--format"):
        if flag in args:
            return args[args.index(flag) + 1]
    return "table"


def run_case(case: Case, tmp: Path) -> object:
    args = case.build(tmp)
    before = digests(tmp)
    runner = CliRunner()
    try:
        with deadline(case.timeout):
            result = runner.invoke(app, args, catch_exceptions=True)
    finally:
        for root, dirs, _ in os.walk(tmp):  # give back folders a case made unreadable
            for name in dirs:
                os.chmod(Path(root) / name, 0o755)
    if isinstance(result.exception, Hang):
        raise AssertionError(f"{case.id}: hang ({result.exception}) running {args}")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        detail = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{case.id}: uncaught {detail[-3000:]}")
    assert "Traceback" not in stderr + result.stdout, f"{case.id}: {stderr[-2000:]}"
    assert "internal error" not in stderr, f"{case.id}: {stderr[-2000:]}"
    if "--lang" not in args:
        assert "No such option" not in stderr, f"{case.id}: the case is wrong: {stderr[-500:]}"
    assert result.exit_code in case.allowed, (
        f"{case.id}: exit {result.exit_code} not in {sorted(case.allowed)}; {args}\n"
        f"stderr: {stderr[-1500:]}"
    )
    if result.exit_code == 2:
        assert stderr.strip(), f"{case.id}: exit 2 without a message"
    if case.stderr_has is not None:
        assert case.stderr_has in stderr, f"{case.id}: {case.stderr_has!r} not in {stderr[-800:]}"
    after = digests(tmp)
    changed = [p for p, digest in before.items() if after.get(p) != digest]
    assert not changed, f"{case.id}: input files changed: {changed}"
    leftovers = [p for p in after if p.endswith(".tmp")]
    assert not leftovers, f"{case.id}: temporary files left: {leftovers}"
    fmt = _format_of(args)
    if result.stdout.strip() and fmt in ("csv", "json", "html", "md"):
        check_output(result.stdout, fmt)
    for out in tmp.glob("out.*"):
        check_output(out, out.suffix[1:])
    if args[0] == "validate" and fmt == "json" and result.stdout.strip():
        for entry in json.loads(result.stdout)["tables"].values():
            for f in entry["files"]:
                counted = f["rows_used"] + f["rows_rejected"] + f["rows_merged"]
                assert f["rows_read"] == counted + f.get("rows_skipped", 0), f
                assert sum(f["rejects_by_reason"].values()) == f["rows_rejected"], f
    if case.check is not None:
        case.check(tmp, result)
    sys.stderr.flush()
    return result
