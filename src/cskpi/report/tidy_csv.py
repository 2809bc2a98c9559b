"""The tidy CSV of KPIS.md: ``period,dimension,segment,kpi,value,unit,n`` — a stable interface.

Extra columns follow ``n`` only when used: ``target,status`` when targets were evaluated,
``previous,change`` when a baseline was compared. LF line endings, UTF-8 without BOM, and the same
bytes for the same input.
"""

from __future__ import annotations

import csv
import io

from cskpi.metrics.results import ReportResult
from cskpi.report.formatting import neutralise_formula, plain_number, row_key

COLUMNS = ("period", "dimension", "segment", "kpi", "value", "unit", "n")


def render_csv(result: ReportResult) -> str:
    with_targets = bool(result.targets)
    with_comparison = bool(result.comparisons)
    header = list(COLUMNS)
    if with_targets:
        header += ["target", "status"]
    if with_comparison:
        header += ["previous", "change"]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in result.rows:
        key = row_key(row)
        # Only the segment comes from the user's data; the other text cells are cskpi's own words.
        cells = [
            row.period,
            row.dimension,
            neutralise_formula(row.segment),
            row.kpi,
            plain_number(row.value),
            row.unit,
            plain_number(row.n),
        ]
        if with_targets:
            target, status = result.targets.get(key, ("", ""))
            cells += [target, status]
        if with_comparison:
            comparison = result.comparisons.get(key)
            cells += (
                ["", ""]
                if comparison is None
                else [plain_number(comparison.previous), plain_number(comparison.change)]
            )
        writer.writerow(cells)
    return buffer.getvalue()
