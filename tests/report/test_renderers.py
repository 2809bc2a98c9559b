"""Properties every renderer must keep, beyond the golden files."""

from __future__ import annotations

import io
import json
import re
import zipfile

from openpyxl import load_workbook

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.report.html_report import render_html
from cskpi.report.json_report import render_json
from cskpi.report.markdown import escape_markdown, render_markdown
from cskpi.report.terminal import render_table
from cskpi.report.tidy_csv import render_csv
from cskpi.report.xlsx_report import render_xlsx
from tests.report.sample import sample_result


def test_tidy_csv_has_exactly_the_documented_header_and_lf_endings():
    text = render_csv(sample_result())
    assert text.splitlines()[0] == "period,dimension,segment,kpi,value,unit,n"
    assert "\r" not in text and text.endswith("\n")


def test_extra_csv_columns_follow_n_only_when_used():
    assert render_csv(sample_result(targets=True)).splitlines()[0].endswith("n,target,status")
    assert render_csv(sample_result(compare=True)).splitlines()[0].endswith("n,previous,change")
    both = render_csv(sample_result(compare=True, targets=True)).splitlines()[0]
    assert both.endswith(",n,target,status,previous,change")


def test_csv_is_byte_identical_for_identical_input():
    assert render_csv(sample_result(compare=True)) == render_csv(sample_result(compare=True))


def test_a_hyperlink_formula_as_ticket_type_never_reaches_a_csv_cell_as_a_formula():
    import csv

    cells = [row[2] for row in csv.reader(io.StringIO(render_csv(sample_result())))]
    assert '\'=HYPERLINK("x")' in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_numbers_are_never_altered_by_formula_neutralising():
    result = ReportResult(
        [KpiValue("2026-10", "all", "all", "gross_margin", -12.5, "EUR", 3)], ["2026-10"], "UTC"
    )
    assert render_csv(result).splitlines()[1] == "2026-10,all,all,gross_margin,-12.5,EUR,3"


def test_a_hyperlink_formula_never_reaches_an_xlsx_cell_as_a_formula():
    content = render_xlsx(sample_result(compare=True, targets=True))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        ]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    book = load_workbook(io.BytesIO(content))
    cells = [
        c
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_xlsx_has_a_sheet_per_area_plus_data_and_numbers_stay_numbers():
    book = load_workbook(io.BytesIO(render_xlsx(sample_result())))
    assert book.sheetnames == ["Satisfaction", "Value", "Efficiency", "Data", "About"]
    value_cell = book["Value"]["E2"]
    assert value_cell.value == 12345.5 and "EUR" in value_cell.number_format


def test_a_script_in_a_comment_never_reaches_the_html_unescaped():
    html = render_html(sample_result(charts=True))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>refunds</b>" not in html


def test_html_forbids_every_network_fetch_and_draws_svg_charts():
    html = render_html(sample_result(charts=True))
    assert "default-src 'none'" in html
    assert not re.search(r"(src|href)=\"https?:", html)
    assert html.count("<svg") == 5  # volume, two histograms, NPS bar, heat map


def test_redacted_html_shows_no_comments_even_if_given_some():
    result = sample_result(charts=True)
    result.meta["redacted"] = True
    assert "slow &amp; rude" not in render_html(result)


def test_json_states_versions_inputs_reasons_and_tests():
    document = json.loads(render_json(sample_result(compare=True)))
    assert document["definitions_version"] == "2026.11"
    assert document["inputs"][0]["sha256"] == "ab" * 32
    missing = next(r for r in document["rows"] if r["kpi"] == "cost_per_contact")
    assert missing["value"] is None and missing["reason"] == "no cost rows for 2026-10"
    assert document["comparison"]["tests"] == ["bootstrap of the median", "two-proportion z-test"]


def test_markdown_escapes_pipes_and_tags_from_the_data():
    text = render_markdown(sample_result())
    assert "billing \\| \\<b\\>refunds\\</b\\>" in text
    assert escape_markdown("a|b\nc") == "a\\|b c"


def test_plain_terminal_output_has_no_colour_or_box_characters():
    text = render_table(sample_result(compare=True, targets=True), width=100)
    assert "\x1b[" not in text
    assert not re.search("[\u2500-\u257f]", text)


def test_colour_terminal_output_marks_a_bad_change_red_and_a_good_one_green():
    text = render_table(sample_result(compare=True), width=120, color=True)
    assert "\x1b[31m−2.5 pp" in text  # csat fell: bad
    assert "\x1b[32m−48 min*" in text  # first response fell: good


def test_narrow_terminal_moves_reasons_below_the_table():
    text = render_table(sample_result(), width=60)
    assert "— Cost per contact: no cost rows for 2026-10" in text
    assert max(len(line) for line in text.splitlines()) <= 60
