"""The messy-file corpus: each file's exact outcome through `cskpi validate` and load_dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cskpi.cli.app import app
from cskpi.errors import InputFileError, SchemaError
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

MESSY = Path(__file__).resolve().parents[1] / "fixtures" / "messy"


def load(table: str, name: str, **options) -> tuple[pd.DataFrame, object, object]:
    dataset = load_dataset(InputSpec(files={table: [MESSY / name]}, **options))
    report = next(r for r in dataset.files if r.table == table)
    return dataset.tables[table], report, dataset


def cli(*args: str):
    return CliRunner().invoke(app, ["validate", "--quiet", *args])


# (file, table, rows used, {reason: count})
CLEAN_OUTCOMES = [
    ("header_only.csv", "tickets", 0, {}),
    ("bom.csv", "tickets", 2, {}),
    ("cp1257.csv", "tickets", 5, {}),
    ("latin1.csv", "tickets", 2, {}),
    ("semicolon_decimal_comma.csv", "calls", 2, {}),
    ("crlf.csv", "tickets", 3, {}),
    ("multiline.csv", "tickets", 2, {"bad_timestamp": 1}),
    ("duplicate_ids.csv", "tickets", 2, {"duplicate_id": 1}),
    ("bad_dates.csv", "tickets", 1, {"bad_timestamp": 2, "resolved_before_created": 1}),
    ("scores.csv", "surveys", 2, {"score_out_of_scale": 2, "unknown_survey": 1}),
    ("utf16.txt", "tickets", 2, {}),
    ("ragged_rows.csv", "tickets", 1, {"bad_row_shape": 1, "bad_timestamp": 1}),
]


@pytest.mark.parametrize(("name", "table", "used", "reasons"), CLEAN_OUTCOMES)
def test_each_messy_file_loads_with_its_exact_rows_and_reasons(name, table, used, reasons):
    frame, report, _ = load(table, name)
    assert report.rows_used == used == len(frame)
    assert report.rejects_by_reason == reasons
    assert report.rows_read == report.rows_used + report.rows_rejected + report.rows_merged


@pytest.mark.parametrize(("name", "table", "used", "reasons"), CLEAN_OUTCOMES)
def test_validate_exits_0_and_reports_the_same_counts(name, table, used, reasons):
    # Within the allowed share of rejects; files over it exit 2 (test below).
    result = cli(f"--{table}", str(MESSY / name), "--format", "json", "--max-reject-rate", "100")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    summary = json.loads(result.stdout)["tables"][table]
    assert summary["rows_used"] == used
    assert summary["rows_rejected"] == sum(reasons.values())


def test_validate_exits_2_when_a_file_rejects_more_than_the_allowed_share():
    # bad_dates.csv: 3 of 4 rows rejected = 75 % > the default 50 %; the summary is still printed.
    result = cli("--tickets", str(MESSY / "bad_dates.csv"), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["tables"]["tickets"]["rows_rejected"] == 3
    assert "3 of 4 rows rejected (75.0 % > max_reject_rate 50 %" in result.stderr
    assert cli("--tickets", str(MESSY / "bad_dates.csv"), "--max-reject-rate", "75").exit_code == 0


@pytest.mark.parametrize(
    ("name", "table", "error", "words"),
    [
        ("empty.csv", "tickets", InputFileError, "is empty"),
        ("missing_required.csv", "tickets", SchemaError, "'created_at'"),
        ("garbage.csv", "tickets", InputFileError, "not a text file"),
    ],
)
def test_structural_problems_stop_with_a_message_naming_file_and_fix(name, table, error, words):
    with pytest.raises(error, match=words):
        load(table, name)
    result = cli(f"--{table}", str(MESSY / name))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert name in result.stderr and words.strip("'") in result.stderr
    assert "Traceback" not in result.stderr


def test_cp1257_text_is_decoded_not_mangled():
    frame, report, _ = load("tickets", "cp1257.csv")
    assert frame["team"].tolist()[:2] == ["Klientų aptarnavimas", "Šiaulių skyrius"]
    assert report.encoding == "cp1257"


def test_decimal_comma_and_thousands_space_after_a_sep_line():
    frame, report, _ = load("calls", "semicolon_decimal_comma.csv")
    assert report.delimiter == ";" and report.decimal == ","
    assert frame["talk_seconds"].tolist() == [12.5, 7.0]
    assert frame["hold_seconds"].tolist() == [1234.5, 0.5]


def test_a_quoted_multi_line_field_keeps_the_following_line_numbers_right():
    _, _, dataset = load("tickets", "multiline.csv")
    # header line 1, T1 spans lines 2-3, T2 is line 4, T3 (bad date) is line 5
    assert dataset.rejects["line"].tolist() == [5]
    assert dataset.rejects["reason"].tolist() == ["bad_timestamp"]


def test_utf16_tab_separated_unicode_text_is_read():
    frame, report, _ = load("tickets", "utf16.txt")
    assert report.delimiter == "\t" and report.encoding.startswith("utf-16")
    assert frame["created_at"].tolist() == [
        pd.Timestamp("2026-10-01 09:00", tz="UTC"),
        pd.Timestamp("2026-10-02 09:00", tz="UTC"),
    ]


def test_ambiguous_day_month_dates_are_reported_and_read_day_first():
    frame, report, _ = load("tickets", "ambiguous_dates.csv")
    assert report.date_order == "day-first" and report.date_order_ambiguous
    assert frame["created_at"][0] == pd.Timestamp("2026-02-01 09:00", tz="UTC")


def test_a_forced_month_first_order_reads_the_ambiguous_file_the_other_way():
    frame, report, _ = load("tickets", "ambiguous_dates.csv", date_order="month-first")
    assert frame["created_at"][0] == pd.Timestamp("2026-01-02 09:00", tz="UTC")
    assert not report.date_order_ambiguous


def test_a_value_above_12_in_the_first_place_proves_month_first_in_the_second():
    frame, report, _ = load("tickets", "month_first.csv")
    assert report.date_order == "month-first" and not report.date_order_ambiguous
    assert frame["created_at"][1] == pd.Timestamp("2026-12-31 09:00", tz="UTC")


def test_rejects_file_lists_file_line_reason_and_detail(tmp_path):
    out = tmp_path / "rejects.csv"
    result = cli(
        "--tickets", str(MESSY / "bad_dates.csv"), "--rejects", str(out), "--max-reject-rate", "100"
    )
    assert result.exit_code == 0
    rejects = pd.read_csv(out)
    assert list(rejects.columns) == ["file", "line", "table", "reason", "detail"]
    assert rejects[["line", "reason"]].values.tolist() == [
        [3, "bad_timestamp"],
        [4, "bad_timestamp"],
        [5, "resolved_before_created"],
    ]


def test_table_output_names_counts_dialect_and_reasons():
    result = cli("--tickets", str(MESSY / "bad_dates.csv"), "--max-reject-rate", "100")
    assert result.exit_code == 0
    assert "tickets: 1 rows used of 4 read, 3 rejected" in result.stdout
    assert "rejected bad_timestamp: 2" in result.stdout
    assert result.stderr == ""


def test_a_row_with_too_many_fields_is_rejected_at_its_own_line_and_later_lines_stay_right():
    _, _, dataset = load("tickets", "ragged_rows.csv")
    assert dataset.rejects[["line", "reason"]].values.tolist() == [
        [2, "bad_row_shape"],
        [4, "bad_timestamp"],
    ]


def test_blank_lines_between_rows_keep_every_later_reject_at_its_own_line(tmp_path):
    path = tmp_path / "tickets.csv"
    # 1 header, 2 blank, 3 T1, 4–6 T2 (a quoted value with a blank line inside), 7 T3 with a
    # field too many, 8–9 blank, 10 T4
    path.write_text(
        "ticket_id,created_at,resolved_at\n\nT1,2026-10-02 09:30,\n"
        '"T2\n\nx",bad,\nT3,2026-10-02 09:30,1,2\n\n\nT4,worse,\n'
    )
    dataset = load_dataset(InputSpec(files={"tickets": [path]}))
    assert dataset.rejects[["line", "reason"]].values.tolist() == [
        [4, "bad_timestamp"],
        [7, "bad_row_shape"],
        [10, "bad_timestamp"],
    ]
