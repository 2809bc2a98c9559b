"""Rows per second of loading a clean canonical tickets CSV (the fast path).

PYTHONPATH=src python bench/io_fast_path.py --rows 1000000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset


def write_tickets(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    created = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, rows), "s")
    frame = pd.DataFrame(
        {
            "ticket_id": np.arange(rows).astype(str),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S"),
            "first_response_at": (
                created + pd.to_timedelta(rng.integers(60, 86400, rows), "s")
            ).strftime("%Y-%m-%dT%H:%M:%S"),
            "resolved_at": (
                created + pd.to_timedelta(rng.integers(86400, 9 * 86400, rows), "s")
            ).strftime("%Y-%m-%dT%H:%M:%S"),
            "status": rng.choice(["solved", "open", "pending"], rows),
            "channel": rng.choice(["email", "chat", "web"], rows),
            "priority": rng.choice(["low", "normal", "high"], rows),
            "agent_id": rng.integers(1, 80, rows).astype(str),
            "team": rng.choice(["t1", "t2"], rows),
            "agent_replies": rng.integers(1, 6, rows),
            "reopens": rng.integers(0, 2, rows),
            "escalated": rng.choice(["true", "false"], rows),
        }
    )
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.csv"
        write_tickets(path, args.rows)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            dataset = load_dataset(InputSpec(files={"tickets": [path]}))
            best = min(best, time.perf_counter() - start)
        frame = dataset.tables["tickets"]
        assert len(frame) == args.rows, dataset.files[0]
        print(
            f"{args.rows:,} rows in {best:.2f} s = {args.rows / best:,.0f} rows/s "
            f"({path.stat().st_size / 1e6:.0f} MB, {len(frame.columns)} columns)"
        )


if __name__ == "__main__":
    main()
