"""Golden outputs of every renderer for the hand-made result in sample.py.

Regenerate after an intended change (not part of the test run):
    PYTHONPATH=src:. /work/venv/bin/python -m tests.report.golden_files
then review the diff of tests/report/golden/ before committing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from cskpi.report.html_report import render_html
from cskpi.report.json_report import render_json
from cskpi.report.markdown import render_markdown
from cskpi.report.terminal import render_table
from cskpi.report.tidy_csv import render_csv
from cskpi.report.xlsx_report import render_xlsx
from tests.report.sample import sample_result

GOLDEN = Path(__file__).parent / "golden"


def xlsx_summary(content: bytes) -> str:
    """The workbook's cells (value, type, number format) as JSON: xlsx bytes carry timestamps."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    sheets = {
        sheet.title: [
            [None if c.value is None else [c.value, c.data_type, c.number_format] for c in row]
            for row in sheet.iter_rows()
        ]
        for sheet in book
    }
    return json.dumps(sheets, ensure_ascii=False, indent=1) + "\n"


def outputs() -> dict[str, str]:
    plain, full = sample_result(), sample_result(compare=True, targets=True, charts=True)
    return {
        "plain.csv": render_csv(plain),
        "full.csv": render_csv(full),
        "full.json": render_json(full),
        "full.md": render_markdown(full),
        "full_table_100.txt": render_table(full, width=100),
        "full_table_60.txt": render_table(full, width=60),
        "full.html": render_html(full),
        "full.xlsx.json": xlsx_summary(render_xlsx(full)),
    }


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name, text in outputs().items():
        (GOLDEN / name).write_bytes(text.encode("utf-8"))
        print("wrote", GOLDEN / name)
