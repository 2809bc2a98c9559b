"""What the human outputs leave out and add: empty (none) groups, the agents section, file names."""

from __future__ import annotations

from cskpi.metrics.results import KpiValue
from cskpi.report.html_report import render_html
from cskpi.report.json_report import render_json
from cskpi.report.markdown import render_markdown
from cskpi.report.terminal import render_table
from cskpi.report.tidy_csv import render_csv
from tests.report.sample import sample_result

P = "2026-10"


def with_agents():
    result = sample_result(targets=True)
    result.meta["by"] = ["agent"]
    result.rows += [
        KpiValue(P, "agent", "A1", "csat", 90.0, "%", 40),
        KpiValue(P, "agent", "A2", "csat", 60.0, "%", 20),
        KpiValue(P, "agent", "(none)", "csat", None, "%", 0, "no overall csat answers in 2026-10"),
        KpiValue(P, "agent", "(none)", "tickets_created", 0, "count", 0),
        KpiValue(P, "agent", "(none)", "nps", 10.0, "score", 3),
    ]
    return result


def test_empty_none_groups_are_left_out_of_the_terminal_markdown_and_html():
    result = with_agents()
    for text in (render_table(result, width=120), render_markdown(result), render_html(result)):
        # nps of the agentless answers has a value from 3 records: it stays
        assert text.count("agent = (none)") == 1


def test_csv_and_json_keep_every_none_group():
    result = with_agents()
    assert render_csv(result).count(",agent,(none),") == 3
    assert render_json(result).count('"(none)"') == 3


def test_the_html_report_has_an_agents_section_with_few_records_marked():
    page = render_html(with_agents())
    assert "<h2>Agents · 2026-10</h2>" in page
    section = page.split("<h2>Agents · 2026-10</h2>", 1)[1].split("</section>", 1)[0]
    assert "<th>A1</th>" in section and "<th>A2</th>" in section
    assert "60 %°" in section  # A2: 20 answers, fewer than 30
    assert "<th>(none)</th>" in section  # it holds the nps of 3 answers


def test_the_inputs_table_breaks_file_names_only_after_a_slash():
    result = sample_result()
    result.meta["files"] = [{"path": "exports/zendesk_tickets_2026-10.csv", "table": "tickets"}]
    page = render_html(result)
    assert '<td class="file">exports/<wbr>zendesk_tickets_2026-10.csv</td>' in page
    assert "table.inputs td.file { overflow-wrap:normal" in page
