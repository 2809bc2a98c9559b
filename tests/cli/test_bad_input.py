"""What a monthly job sees when an export is broken: a message, exit code 2, no lost file."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from cskpi.cli.app import app

# Both tickets were "resolved" the day before they were created: no usable row.
REVERSED = """\
ticket_id,created_at,resolved_at
1,2026-10-02T10:00:00Z,2026-10-01T10:00:00Z
2,2026-10-03T10:00:00Z,2026-10-01T10:00:00Z
"""


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_table_whose_every_row_is_rejected_is_not_available_and_the_run_exits_2(tmp_path):
    (tmp_path / "tickets.csv").write_text(REVERSED)
    result = run("report", tmp_path, "--period", "2026-10", "-f", "json")
    assert result.exit_code == 2
    rows = {r["kpi"]: r for r in json.loads(result.stdout)["rows"] if r["dimension"] == "all"}
    created = rows["tickets_created"]
    assert (created["value"], created["n"]) == (None, None)  # not 0 tickets
    why = f"every row of {tmp_path / 'tickets.csv'} was rejected: 2 resolved_before_created"
    assert created["reason"] == why
    assert f"error: {tmp_path / 'tickets.csv'}: 2 of 2 rows rejected (100.0 %" in result.stderr


def test_the_reject_threshold_comes_from_the_flag_or_cskpi_toml(tmp_path):
    (tmp_path / "tickets.csv").write_text(
        REVERSED + "3,2026-10-04T10:00:00Z,2026-10-05T10:00:00Z\n"
    )  # 2 of 3 rejected = 66.7 %
    assert run("validate", tmp_path).exit_code == 2
    assert run("validate", tmp_path, "--max-reject-rate", "70").exit_code == 0
    (tmp_path / "cskpi.toml").write_text("max_reject_rate = 70\n")
    assert run("validate", tmp_path).exit_code == 0
    assert run("validate", tmp_path, "--max-reject-rate", "60").exit_code == 2


def test_writing_over_an_input_is_refused_before_anything_is_read(tmp_path):
    (tmp_path / "tickets.csv").write_text(REVERSED)
    (tmp_path / "revenue.csv").write_text("customer_id,date,amount\nC1,2026-10-01,5\n")
    before = hashlib.sha256((tmp_path / "tickets.csv").read_bytes()).hexdigest()
    result = run("report", tmp_path, "--period", "2026-10", "-o", tmp_path / "tickets.csv")
    assert result.exit_code == 2
    assert "writing there would destroy it" in result.stderr
    result = run("validate", tmp_path, "--rejects", tmp_path / "revenue.csv")
    assert result.exit_code == 2
    assert "[1/2] reading" not in result.stderr  # refused before the first file is read
    assert result.stderr.startswith("error: --rejects")
    assert hashlib.sha256((tmp_path / "tickets.csv").read_bytes()).hexdigest() == before


def test_sigterm_leaves_no_temporary_file_beside_the_rejects_file(tmp_path):
    # A child process writes the rejects file with an fsync that waits; SIGTERM arrives then.
    script = f"""
import os, sys, time
import cskpi.report.output as output
from cskpi.cli.app import main
output.os.fsync = lambda fd: (print("writing", flush=True), time.sleep(30))
sys.argv = ["cskpi", "validate", {str(tmp_path / "data")!r}, "--rejects",
            {str(tmp_path / "out.csv")!r}, "-q", "--max-reject-rate", "100"]
main()
"""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tickets.csv").write_text(REVERSED)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout.readline().strip() == "writing"
    time.sleep(0.1)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=20)
    assert child.returncode == 130, stderr
    assert "interrupted" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_the_partitioned_engine_never_counts_zero_for_a_table_whose_every_row_is_rejected(
    tmp_path,
):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "tickets").mkdir()
    pq.write_table(
        pa.table(
            {
                "ticket_id": ["1", "2"],
                "created_at": ["2026-10-02T10:00:00Z", "2026-10-03T10:00:00Z"],
                "resolved_at": ["2026-10-01T10:00:00Z", "2026-10-01T10:00:00Z"],
            }
        ),
        tmp_path / "tickets" / "2026-10.parquet",
    )
    result = run("report", tmp_path, "--engine", "partitioned", "--period", "2026-10", "-f", "csv")
    line = next(x for x in result.stdout.splitlines() if ",tickets_created," in x)
    assert line == "2026-10,all,all,tickets_created,,count,"
    assert result.exit_code == 2
    why = "every row of " + str(tmp_path / "tickets" / "2026-10.parquet")
    assert f"{why} was rejected: 2 resolved_before_created" in result.stderr
    assert "2 of 2 rows rejected" in result.stderr  # the file's rejects are counted and shown
    memory = run("report", tmp_path, "--period", "2026-10", "-f", "csv")
    assert memory.stdout == result.stdout
    shown = run("report", tmp_path, "--engine", "partitioned", "--period", "2026-10", "-f", "json")
    reasons = {
        r["reason"] for r in json.loads(shown.stdout)["rows"] if r["kpi"] == "tickets_created"
    }
    assert reasons == {f"{why} was rejected: 2 resolved_before_created"}


def test_the_partitioned_engine_leaves_a_stray_date_out_of_the_default_periods_with_a_note(
    tmp_path,
):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "tickets").mkdir()
    created = [f"2026-10-{day:02d}T10:00:00Z" for day in range(1, 21)] + ["1900-01-01T10:00:00Z"]
    pq.write_table(
        pa.table({"ticket_id": [str(i) for i in range(21)], "created_at": created}),
        tmp_path / "tickets" / "2026-10.parquet",
    )
    result = run("report", tmp_path, "--engine", "partitioned", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "1 outlier date(s) far from the rest of the data (1900-01-01)" in result.stderr
    counted = [x for x in result.stdout.splitlines() if ",all,all,tickets_created," in x]
    assert counted == ["2026-10,all,all,tickets_created,20,count,20"]
    assert result.stdout == run("report", tmp_path, "-f", "csv").stdout


def test_the_partitioned_engine_names_a_csv_table_whose_every_row_is_rejected(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "tickets").mkdir()
    pq.write_table(
        pa.table({"ticket_id": ["1"], "created_at": ["2026-10-02T10:00:00Z"]}),
        tmp_path / "tickets" / "2026-10.parquet",
    )
    (tmp_path / "revenue.csv").write_text("customer_id,date,amount\nC1,2026-10-01,n/a\n")
    args = ("report", tmp_path, "--period", "2026-10", "-f", "json")
    result = run(*args, "--engine", "partitioned")
    assert result.exit_code == 2
    why = f"every row of {tmp_path / 'revenue.csv'} was rejected: 1 bad_number"
    rows = json.loads(result.stdout)["rows"]
    assert {r["reason"] for r in rows if r["kpi"] == "revenue"} == {why}
    memory = json.loads(run(*args).stdout)["rows"]
    assert {r["reason"] for r in memory if r["kpi"] == "revenue"} == {why}
