"""A vendor CSV opened and saved again by a European Excel still loads as that vendor.

Excel in a European locale writes `;` between cells, a decimal comma, `dd.mm.yyyy HH:MM` dates
(seconds dropped) and CRLF line ends, in UTF-8 with a BOM ("CSV UTF-8") or in cp1252 ("CSV"),
or tab-separated UTF-16 with a BOM ("Unicode Text", a .txt file).
Each fixture below is converted that way and must give the same vendor, the same rows and the
same values as the original with its times cut to the minute as Excel cuts them (read from a
plain copy so cut, so derived times such as start + queue seconds compare exactly).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendors"

# fixture -> (table, vendor)
CASES = {
    "freshdesk.csv": ("tickets", "freshdesk"),
    "zendesk_full_export.csv": ("tickets", "zendesk"),
    "servicenow_list.csv": ("tickets", "servicenow_list"),
    "genesys_cloud.csv": ("calls", "genesys_cloud"),
    "amazon_connect_csv.csv": ("calls", "amazon_connect"),
    "twilio_flex.csv": ("calls", "twilio_flex"),
    "typeform.csv": ("surveys", "typeform"),
}

_STAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?Z?$")
_DAY_FIRST_STAMP = re.compile(r"^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):\d{2}$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def excel_cell(cell: str) -> str:
    """One cell as a European Excel writes it back."""
    if m := _STAMP.match(cell) or _DAY_FIRST_STAMP.match(cell):
        year, month, day, hour, minute = m.groups() if _STAMP.match(cell) else _dmy(m.groups())
        return f"{day}.{month}.{year} {hour}:{minute}"
    if m := _DATE.match(cell):
        year, month, day = m.groups()
        return f"{day}.{month}.{year}"
    if _DECIMAL.match(cell):
        return cell.replace(".", ",")
    return cell


def _dmy(groups: tuple[str, ...]) -> tuple[str, ...]:
    day, month, year, hour, minute = groups
    return year, month, day, hour, minute


def minute_cell(cell: str) -> str:
    """One cell as the original layout writes it, its time cut to the minute."""
    if m := _STAMP.match(cell) or _DAY_FIRST_STAMP.match(cell):
        year, month, day, hour, minute = m.groups() if _STAMP.match(cell) else _dmy(m.groups())
        return f"{year}-{month}-{day} {hour}:{minute}:00"
    return cell


def minute_copy(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *([minute_cell(c) for c in r] for r in rows[1:])])


def excel_resave(source: Path, target: Path, encoding: str, delimiter: str = ";") -> None:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(rows[0])
    writer.writerows([excel_cell(c) for c in row] for row in rows[1:])
    target.write_bytes(out.getvalue().encode(encoding))


def load(path: Path, table: str):
    return load_dataset(InputSpec(files={table: [path]}))


# "Save as" type -> (encoding, delimiter, suffix)
SAVED_AS = {
    "csv-utf8": ("utf-8-sig", ";", ".csv"),
    "csv": ("cp1252", ";", ".csv"),
    "unicode-text": ("utf-16", "\t", ".txt"),
}


@pytest.mark.parametrize("saved_as", sorted(SAVED_AS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_vendor_export_resaved_by_a_european_excel_loads_as_the_same_vendor(
    tmp_path: Path, name: str, saved_as: str
) -> None:
    table, vendor = CASES[name]
    encoding, delimiter, suffix = SAVED_AS[saved_as]
    resaved, cut = tmp_path / f"{Path(name).stem}{suffix}", tmp_path / f"cut_{name}"
    excel_resave(FIXTURES / name, resaved, encoding, delimiter)
    minute_copy(FIXTURES / name, cut)
    original, again = load(cut, table), load(resaved, table)
    (report,) = [r for r in again.files if r.table == table]
    assert report.vendor == vendor
    assert report.delimiter == delimiter
    (before,) = [r for r in original.files if r.table == table]
    assert (report.rows_used, report.rows_rejected) == (before.rows_used, before.rows_rejected)
    assert before.vendor == vendor
    pd.testing.assert_frame_equal(again.tables[table], original.tables[table])


def workbook_cell(cell: str) -> object:
    """One cell as Excel keeps it once a CSV is opened: dates as dates, numbers as numbers."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", cell):
        return datetime.fromisoformat(cell)
    if re.fullmatch(r"-?\d+(\.\d+)?", cell) and len(cell) < 12:
        return float(cell) if "." in cell else int(cell)
    return cell or None


@pytest.mark.parametrize("name", ["freshdesk_custom_fields.csv", "zendesk_full_export.csv"])
def test_a_vendor_export_saved_as_a_workbook_loads_as_its_csv(tmp_path: Path, name: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([workbook_cell(c) for c in row])
    path = tmp_path / f"{Path(name).stem}.xlsx"
    book.save(path)
    workbook, original = load(path, "tickets"), load(FIXTURES / name, "tickets")
    assert workbook.files[0].vendor == original.files[0].vendor
    pd.testing.assert_frame_equal(workbook.tables["tickets"], original.tables["tickets"])
