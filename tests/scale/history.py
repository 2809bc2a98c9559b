"""Small monthly Parquet histories for the scale engines, made by the benchmark generator."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from cskpi.config import Config
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset
from cskpi.metrics.engine import compute
from cskpi.metrics.periods import Period
from cskpi.metrics.results import ReportResult
from cskpi.report.tidy_csv import render_csv

BENCH = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def generator():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_history(out: Path, rows: int = 600, months: int = 3) -> Path:
    """tickets/, calls/, surveys/ with one Parquet file per month, plus costs.csv and agents.csv."""
    generator().generate(rows, out, formats=(), months=months, chunk=rows)
    data = out / "history"
    pd.DataFrame(
        {
            "period": ["2026-09", "2026-09", "2026-10", "2026-10"],
            "category": ["wages", "tools", "wages", "Overtime "],
            "amount": [9000.0, 1200.5, 9100.0, 640.25],
            "team": ["Aurora", None, "Borealis", "Aurora"],
        }
    ).to_csv(data / "costs.csv", index=False)
    pd.DataFrame(
        {
            "agent_id": ["A101", "A102", "A101"],
            "period": ["2026-09", "2026-09", "2026-10"],
            "hours_worked": [150.0, 140.5, 160.0],
            "training_days": [1.0, 0.0, 2.0],
        }
    ).to_csv(data / "agents.csv", index=False)
    return data


def tidy(rows, periods: list[Period]) -> str:
    return render_csv(ReportResult(rows=rows, periods=[p.label for p in periods], tz="UTC"))


def pandas_csv(data: Path, periods: list[Period], by: list[str], tz: str = "UTC") -> str:
    tables = load_dataset(InputSpec(data_dir=data, tz=tz)).tables
    return tidy(compute(tables, periods, by, Config()), periods)
