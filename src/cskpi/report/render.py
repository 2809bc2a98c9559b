"""One entry point for every output format: ``render(result, fmt)``."""

from __future__ import annotations

from collections.abc import Callable

from cskpi.errors import UsageError
from cskpi.metrics.results import ReportResult

FORMATS = ("table", "csv", "json", "md", "html", "xlsx")
BINARY_FORMATS = frozenset({"xlsx"})
# Output file suffix -> format, so `-o report.html` needs no --format.
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".txt": "table",
}


def _renderer(fmt: str) -> Callable[..., str | bytes]:
    # Imported on demand: the CLI should not pay for openpyxl when it writes a CSV.
    if fmt == "csv":
        from cskpi.report.tidy_csv import render_csv

        return render_csv
    if fmt == "json":
        from cskpi.report.json_report import render_json

        return render_json
    if fmt == "md":
        from cskpi.report.markdown import render_markdown

        return render_markdown
    if fmt == "html":
        from cskpi.report.html_report import render_html

        return render_html
    if fmt == "xlsx":
        from cskpi.report.xlsx_report import render_xlsx

        return render_xlsx
    if fmt == "table":
        from cskpi.report.terminal import render_table

        return render_table
    raise UsageError(f"unknown format {fmt!r}. Use one of: {', '.join(FORMATS)}")


def render(
    result: ReportResult, fmt: str, *, width: int = 100, color: bool = False, lang: str = "en"
) -> str | bytes:
    """The report in ``fmt``: text for table/csv/json/md/html, bytes for xlsx.

    ``lang`` sets the words and number style of the human formats; CSV and JSON stay neutral.
    """
    from cskpi.report.formatting import language

    renderer = _renderer(fmt)
    with language(lang if fmt not in ("csv", "json") else "en"):
        if fmt == "table":
            return renderer(result, width=width, color=color)
        return renderer(result)
