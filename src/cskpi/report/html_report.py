"""The HTML report: one self-contained file (inline CSS and SVG, no script, no network).

A Content-Security-Policy forbids every fetch, so the page looks the same offline, in a mail
attachment or on an intranet. Every text from the data is HTML-escaped.
"""

from __future__ import annotations

from typing import Any

from cskpi.metrics.results import KpiValue, ReportResult
from cskpi.report import svg
from cskpi.report.formatting import (
    area_title,
    change_is_good,
    currency,
    current_language,
    for_people,
    human_change,
    human_n,
    human_reason,
    human_value,
    kpi_info,
    report_facts,
    row_key,
    rows_by_area,
    segment_label,
    word,
)
from cskpi.report.svg import esc

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; --good:#15803d;
  --bad:#b91c1c; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width:1120px; margin:0 auto; padding:28px 24px 48px; }
header h1 { margin:0 0 4px; font-size:24px; }
header p { margin:0; color:var(--muted); }
h2 { font-size:18px; margin:32px 0 12px; }
h3 { font-size:15px; margin:20px 0 8px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(170px,1fr)); gap:12px;
  margin-top:20px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:12px; }
.card .value { font-size:22px; font-weight:650; margin-top:2px; white-space:nowrap; }
.card .change, .card .status { font-size:12px; }
.card.card-missed { border-color:var(--bad); }
.panel { background:#fff; border:1px solid var(--line); border-radius:10px; padding:14px 16px;
  margin-bottom:16px; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
.trends { display:grid; grid-template-columns:repeat(auto-fill,minmax(240px,1fr)); gap:12px; }
@media (max-width:760px) { .grid2 { grid-template-columns:1fr; } }
table { border-collapse:collapse; width:100%; table-layout:fixed; background:#fff;
  font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line);
  vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; background:#f9fafb; }
th.kpi { width:30%; } th.value { width:15%; } th.n { width:8%; } th.prev { width:12%; }
th.change { width:10%; } th.target { width:12%; }
td { overflow-wrap:anywhere; }
td.num, th.num { text-align:right; white-space:nowrap; }
tr.group td:first-child { padding-left:26px; color:var(--muted); }
.note { color:var(--muted); font-size:12px; }
.good { color:var(--good); } .bad { color:var(--bad); }
.met { color:var(--good); font-weight:600; } .missed { color:var(--bad); font-weight:700; }
.sig { font-weight:700; }
blockquote { margin:0; padding:8px 12px; border-left:3px solid var(--line); background:#fff; }
.comments { display:grid; gap:8px; }
.comments .meta { color:var(--muted); font-size:12px; }
footer { margin-top:36px; color:var(--muted); font-size:12px; }
svg.chart { display:block; max-width:100%; height:auto; }
table.inputs { table-layout:auto; } table.inputs td.file { overflow-wrap:normal; min-width:14em; }
table.heat { width:auto; table-layout:auto; border-collapse:collapse; }
table.heat th, table.heat td { border:1px solid var(--line); }
table.heat td.num { text-align:right; white-space:nowrap; }
td.few { font-style:italic; color:var(--muted); }
td.missed { outline:2px solid var(--bad); outline-offset:-2px; }
.better { font-weight:700; color:#14532d; } .worse { font-weight:700; color:#7f1d1d; }
"""

# No fetch of any kind: the page must look the same offline and cannot call home.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# The cards at the top: the KPIs most teams read first, when present.
HEADLINE_KPIS = (
    "nps",
    "csat",
    "first_response_hours_median",
    "resolution_hours_median",
    "tickets_created",
    "backlog_end",
    "service_level",
    "average_handle_time",
    "cost_per_contact",
    "first_contact_resolution_rate",
)


def _status(status: str) -> str:
    return word(status) if status in ("met", "missed") else status


def _ordered(rows: list[KpiValue]) -> list[KpiValue]:
    first_seen = {row.kpi: i for i, row in reversed(list(enumerate(rows)))}
    return sorted(rows, key=lambda row: (first_seen[row.kpi], row.dimension != "all"))


def _change_cell(result: ReportResult, row: KpiValue, unit: str, direction: str) -> str:
    comparison = result.comparisons.get(row_key(row))
    if comparison is None:
        return '<td class="num">—</td>'
    good = change_is_good(comparison.change, direction)
    css = "" if good is None else ("good" if good else "bad")
    title = ""
    if comparison.test:
        p_value = "" if comparison.p_value is None else f", p = {comparison.p_value:.3g}"
        if comparison.q_value is not None:
            p_value += f", q = {comparison.q_value:.3g} (Benjamini–Hochberg)"
        title = f' title="{esc(comparison.test + p_value)}"'
    marker = ' <span class="sig">*</span>' if comparison.significant else ""
    return f'<td class="num {css}"{title}>{esc(human_change(comparison.change, unit))}{marker}</td>'


def _area_table(result: ReportResult, rows: list[KpiValue]) -> str:
    with_comparison = bool(result.comparisons)
    with_targets = bool(result.targets)
    money = currency(result)
    head = [
        f'<th class="kpi">{esc(word("kpi"))}</th>',
        f'<th class="num value">{esc(word("value"))}</th>',
        f'<th class="num n">{esc(word("n"))}</th>',
    ]
    if with_comparison:
        head += [
            f'<th class="num prev">{esc(word("previous"))}</th>',
            f'<th class="num change">{esc(word("change"))}</th>',
        ]
    if with_targets:
        head += [f'<th class="target">{esc(word("target"))}</th>']
    head.append(f"<th>{esc(word('note'))}</th>")
    body = []
    with_overall = {row.kpi for row in rows if row.dimension == "all"}
    for row in _ordered(rows):
        info = kpi_info(result, row.kpi)
        label = (
            info["label"]
            if row.dimension == "all"
            else segment_label(row)
            if row.kpi in with_overall
            else f"{info['label']}: {segment_label(row)}"
        )
        cells = [
            f'<td title="{esc(row.kpi)}">{esc(label)}</td>',
            f'<td class="num">{esc(human_value(row.value, info["unit"], money))}</td>',
            f'<td class="num">{human_n(row.n)}</td>',
        ]
        if with_comparison:
            comparison = result.comparisons.get(row_key(row))
            previous = comparison.previous if comparison else None
            cells.append(f'<td class="num">{esc(human_value(previous, info["unit"], money))}</td>')
            cells.append(_change_cell(result, row, info["unit"], info["direction"]))
        if with_targets:
            target, status = result.targets.get(row_key(row), ("", ""))
            cells.append(
                f'<td><span class="{esc(status)}">{esc(_status(status))}</span> '
                f'<span class="note">{esc(target)}</span></td>'
                if status
                else "<td></td>"
            )
        reason = "" if row.value is not None else human_reason(row.reason)
        cells.append(f'<td class="note">{esc(reason)}</td>')
        css = ' class="group"' if row.dimension != "all" and row.kpi in with_overall else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _card_comparisons(result: ReportResult, period: str) -> tuple[dict, str]:
    """The cards' comparisons: those of --compare, else the report's own period before."""
    if result.comparisons:
        return result.comparisons, "previous"
    periods = result.periods
    if period not in periods or periods.index(period) == 0:
        return {}, ""
    from cskpi.metrics.compare import compare

    before = periods[periods.index(period) - 1]
    current = [r for r in result.rows if r.period == period and r.dimension == "all"]
    earlier = [r for r in result.rows if r.period == before and r.dimension == "all"]
    return compare(current, earlier), before


def _card_change(result: ReportResult, row: KpiValue, comparisons: dict, against: str) -> str:
    comparison = comparisons.get(row_key(row))
    if comparison is None or comparison.change is None:
        return ""
    info = kpi_info(result, row.kpi)
    good = change_is_good(comparison.change, info["direction"])
    css = "" if good is None else ("good" if good else "bad")
    if comparison.significant:
        verdict = f'<span class="sig">{esc(word("significant"))}</span>'
    elif comparison.significant is False:
        verdict = esc(word("card_not_significant"))
    else:
        verdict = esc(word("not_tested"))
    title = comparison.test or ""
    if comparison.p_value is not None:
        title += f", p = {comparison.p_value:.3g}"
    return (
        f'<div class="change {css}" title="{esc(title)}">'
        f"{esc(human_change(comparison.change, info['unit']))} {esc(word('versus'))} "
        f"{esc(word('previous').lower() if against == 'previous' else against)} · {verdict}</div>"
    )


def _cards(result: ReportResult, period: str) -> str:
    """Headline KPIs of the last period: value, target status, change and its significance."""
    overall = {
        row.kpi: row
        for row in result.rows
        if row.period == period and row.dimension == "all" and row.value is not None
    }
    money = currency(result)
    comparisons, against = _card_comparisons(result, period)
    cards = []
    for kpi in HEADLINE_KPIS:
        row = overall.get(kpi)
        if row is None:
            continue
        info = kpi_info(result, kpi)
        status = ""
        target, mark = result.targets.get(row_key(row), ("", ""))
        if mark in ("met", "missed"):
            status = (
                f'<div class="status {mark}">{esc(word("target").lower())} {esc(target)}: '
                f"{esc(_status(mark))}</div>"
            )
        cards.append(
            f'<div class="card{" card-missed" if mark == "missed" else ""}" data-kpi="{esc(kpi)}">'
            f'<div class="label">{esc(info["label"])}</div>'
            f'<div class="value">{esc(human_value(row.value, info["unit"], money))}</div>'
            f"{status}{_card_change(result, row, comparisons, against)}</div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>' if cards else ""


def _charts(result: ReportResult) -> str:
    charts: dict[str, Any] = result.charts
    parts: list[str] = []
    if charts.get("daily_volume"):
        parts.append(f'<div class="panel">{svg.volume_chart(charts["daily_volume"])}</div>')
    histograms = [
        svg.histogram(charts[name], title, color)
        for name, title, color in (
            ("first_response_hours", "First-response time (tickets created)", svg.BLUE),
            ("resolution_hours", "Resolution time (tickets resolved)", svg.GREEN),
        )
        if charts.get(name)
    ]
    if histograms:
        parts.append(
            '<div class="grid2">'
            + "".join(f'<div class="panel">{chart}</div>' for chart in histograms)
            + "</div>"
        )
    if charts.get("nps_mix"):
        parts.append(f'<div class="panel">{svg.nps_bar(charts["nps_mix"])}</div>')
    if charts.get("calls_heatmap"):
        parts.append(f'<div class="panel">{svg.heatmap(charts["calls_heatmap"])}</div>')
    trends = charts.get("kpi_trends") or {}
    if trends:
        money = currency(result)
        small = []
        for kpi, values in trends.items():
            info = kpi_info(result, kpi)
            shown = [human_value(v, info["unit"], money) for v in values]
            small.append(
                f'<div class="panel">'
                f"{svg.trend_line(info['label'], result.periods, values, shown)}</div>"
            )
        parts.append(f'<h3>Trends</h3><div class="trends">{"".join(small)}</div>')
    if not parts:
        return ""
    return "<section><h2>Charts</h2>" + "".join(parts) + "</section>"


def _comments(result: ReportResult) -> str:
    comments = result.charts.get("comments") or []
    if not comments or result.meta.get("redacted"):
        return ""
    items = [
        f'<blockquote><div class="meta">{esc(c.get("submitted_at", ""))} · '
        f"{esc(c.get('survey', ''))} score {float(c.get('score', 0)):g}</div>"
        f"{esc(c.get('comment', ''))}</blockquote>"
        for c in comments
    ]
    return (
        "<section><h2>Latest survey comments</h2>"
        f'<div class="comments">{"".join(items)}</div></section>'
    )


def _inputs(result: ReportResult) -> str:
    files = result.meta.get("files", [])
    if not files:
        return ""
    rows = "".join(
        f'<tr><td class="file">{_breakable_path(f.get("path", ""))}</td>'
        f"<td>{esc(f.get('table', ''))}</td>"
        f"<td>{esc(f.get('vendor') or '')}</td>"
        f'<td class="num">{f.get("rows_read", 0):,}</td>'
        f'<td class="num">{f.get("rows_used", 0):,}</td>'
        f'<td class="num">{f.get("rows_rejected", 0):,}</td>'
        f'<td class="note" title="{esc(f.get("sha256") or "")}">'
        f"{esc((f.get('sha256') or '')[:12])}</td></tr>"
        for f in files
    )
    return (
        f"<section><h2>{esc(word('inputs'))}</h2>"
        '<table class="inputs"><thead><tr><th>File</th><th>Table</th>'
        "<th>Vendor</th>"
        '<th class="num">Rows read</th><th class="num">Used</th><th class="num">Rejected</th>'
        f"<th>sha256</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _breakable_path(path: str) -> str:
    """A file name that wraps only after a path separator, never inside a word."""
    return "/<wbr>".join(esc(part) for part in str(path).split("/"))


def _agents(result: ReportResult, period: str) -> str:
    """With --by agent: one row per agent, the scorecard's columns, as a heat table."""
    if "agent" not in result.meta.get("by", []):
        return ""
    from cskpi.metrics.scorecard import DEFAULT_SET, build_scorecard
    from cskpi.report.scorecard_render import heat_tables, legend

    rows = [r for r in result.rows if r.period == period and r.dimension in ("all", "agent")]
    carried = {r.kpi for r in rows if r.dimension == "agent"}
    kpis = [k for k in DEFAULT_SET if k in carried]
    if not kpis:
        return ""
    info = result.meta.get("kpis", {})
    card = build_scorecard(
        rows,
        "agent",
        kpis,
        targets=result.targets,
        directions={k: info.get(k, {}).get("direction", "none") for k in kpis},
    )
    card.meta.update(kpis={k: kpi_info(result, k) for k in kpis}, currency=currency(result))
    tables = heat_tables(card, esc, level=None)
    if not tables:
        return ""
    return (
        f"<section><h2>{esc(word('agents'))} · {esc(period)}</h2>{tables}"
        f'<p class="note">{esc(legend(card))} Rates and NPS are tested here; '
        "<code>cskpi scorecard</code> also tests times.</p></section>"
    )


def render_html(result: ReportResult) -> str:
    periods = result.periods or sorted({row.period for row in result.rows})
    title = f"{word('report_title')} · {', '.join(periods)}"
    facts = report_facts(result)
    sections = []
    for period in periods:
        period_rows = for_people([row for row in result.rows if row.period == period])
        heading = f"<h2>{esc(period)}</h2>" if len(periods) > 1 else ""
        tables = "".join(
            f"<h3>{esc(area_title(area))}</h3>{_area_table(result, rows)}"
            for area, rows in rows_by_area(result, period_rows).items()
        )
        sections.append(f"<section>{heading}{tables}</section>")
    significance = (
        (
            '<p class="note"><span class="sig">*</span> change is statistically significant: '
            "Benjamini–Hochberg q below 5 % over every comparison (hover a change for the "
            "test).</p>"
            if current_language() == "en"
            else f'<p class="note"><span class="sig">*</span> {esc(word("significant_note"))}.</p>'
        )
        if any(c.significant for c in result.comparisons.values())
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{esc(current_language())}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="cskpi {esc(result.meta.get("tool_version", ""))}">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header><h1>{esc(title)}</h1><p>{esc(" · ".join(facts))}</p></header>
{_cards(result, periods[-1]) if periods else ""}
{_charts(result)}
{_agents(result, periods[-1]) if periods else ""}
<section><h2>{esc(word("kpis"))}</h2>{"".join(sections)}{significance}</section>
{_comments(result)}
{_inputs(result)}
<footer>Made by cskpi from the files listed above. Values are as exported; see the JSON output for
every reason a KPI is not available.</footer>
</main>
</body>
</html>
"""
