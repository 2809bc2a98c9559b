"""A report over Parquet exports, whose label columns arrive as categoricals, says what the same
rows say as texts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.io import read
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
BY = "agent,team,channel,type,priority,queue,question"


def _report(folder: Path, out: Path, *more: str, by: str = BY) -> str:
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(folder),
            "--period",
            "2026-10",
            "--by",
            by,
            "--format",
            "csv",
            "-o",
            str(out),
            *more,
        ],
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _as_parquet(tmp_path: Path) -> Path:
    folder = tmp_path / "parquet"
    folder.mkdir()
    tables = load_dataset(InputSpec(data_dir=EXAMPLES)).tables
    for name in ("tickets", "calls", "surveys"):
        tables[name].to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def test_a_parquet_report_with_categorical_labels_equals_the_report_with_text_labels(
    tmp_path, monkeypatch
):
    folder = _as_parquet(tmp_path)
    labelled = _report(folder, tmp_path / "labelled.csv")
    monkeypatch.setattr(read, "read_canonical_parquet", lambda *a, **k: None)
    texts = _report(folder, tmp_path / "texts.csv")
    assert labelled == texts
    rows = pd.read_csv(tmp_path / "labelled.csv")
    assert {"agent", "channel", "question"} <= set(rows["dimension"])  # breakdowns were made


def test_comparing_with_the_previous_period_reads_categorical_labels_too(tmp_path, monkeypatch):
    folder = _as_parquet(tmp_path)
    labelled = _report(folder, tmp_path / "labelled.csv", "--compare", "previous", by="agent")
    monkeypatch.setattr(read, "read_canonical_parquet", lambda *a, **k: None)
    texts = _report(folder, tmp_path / "texts.csv", "--compare", "previous", by="agent")
    assert labelled == texts
