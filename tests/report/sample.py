"""A small hand-made ReportResult that every renderer test and golden file uses."""

from __future__ import annotations

from cskpi.metrics.results import Comparison, KpiValue, ReportResult

KPIS = {
    "nps": {
        "label": "Net Promoter Score",
        "area": "Satisfaction",
        "unit": "score",
        "direction": "up",
    },
    "csat": {"label": "CSAT", "area": "Satisfaction", "unit": "%", "direction": "up"},
    "service_cost": {
        "label": "Service cost",
        "area": "Value",
        "unit": "currency",
        "direction": "down",
    },
    "cost_per_contact": {
        "label": "Cost per contact",
        "area": "Value",
        "unit": "currency",
        "direction": "down",
    },
    "tickets_created": {
        "label": "Tickets created",
        "area": "Efficiency",
        "unit": "count",
        "direction": "",
    },
    "first_response_hours_median": {
        "label": "First response time (median)",
        "area": "Efficiency",
        "unit": "hours",
        "direction": "down",
    },
    "average_handle_time": {
        "label": "Average handle time",
        "area": "Efficiency",
        "unit": "seconds",
        "direction": "down",
    },
}


def sample_rows() -> list[KpiValue]:
    p = "2026-10"
    return [
        KpiValue(p, "all", "all", "nps", 42.857142857142854, "score", 14),
        KpiValue(p, "all", "all", "csat", 87.5, "%", 8),
        KpiValue(p, "all", "all", "service_cost", 12345.5, "currency", 3),
        KpiValue(
            p, "all", "all", "cost_per_contact", None, "currency", None, "no cost rows for 2026-10"
        ),
        KpiValue(p, "all", "all", "tickets_created", 1204, "count", 1204),
        KpiValue(p, "all", "all", "first_response_hours_median", 3.2, "hours", 1100),
        KpiValue(p, "all", "all", "average_handle_time", 185.0, "seconds", 310),
        KpiValue(p, "type", '=HYPERLINK("x")', "tickets_created", 3, "count", 3),
        KpiValue(p, "type", "billing | <b>refunds</b>", "tickets_created", 1201, "count", 1201),
        KpiValue(p, "type", "-0.5 priority", "first_response_hours_median", -0.0, "hours", 2),
    ]


def sample_result(
    *, compare: bool = False, targets: bool = False, charts: bool = False
) -> ReportResult:
    rows = sample_rows()
    result = ReportResult(
        rows=rows,
        periods=["2026-10"],
        tz="Europe/Helsinki",
        meta={
            "tool_version": "0.1.0",
            "definitions_version": "2026.11",
            "currency": "EUR",
            "by": ["type"],
            "kpis": KPIS,
            "config": {"source": None, "currency": "EUR", "targets": {"csat": ">= 85"}},
            "files": [
                {
                    "path": "tickets.csv",
                    "table": "tickets",
                    "vendor": None,
                    "sha256": "ab" * 32,
                    "rows_read": 1210,
                    "rows_used": 1204,
                    "rows_rejected": 6,
                    "rows_merged": 0,
                }
            ],
        },
    )
    if compare:
        result.meta["baseline"] = "previous period (2026-09)"
        result.comparisons = {
            ("2026-10", "all", "all", "nps"): Comparison(
                30.0, 12.857142857142854, True, "two-proportion z-test", 0.012, 0.024
            ),
            ("2026-10", "all", "all", "csat"): Comparison(
                90.0, -2.5, False, "two-proportion z-test", 0.41, 0.41
            ),
            ("2026-10", "all", "all", "tickets_created"): Comparison(1100, 104, None, None),
            ("2026-10", "all", "all", "first_response_hours_median"): Comparison(
                4.0, -0.8, True, "bootstrap of the median", 0.003, 0.012, (-1.25, -0.5)
            ),
        }
    if targets:
        result.targets = {
            ("2026-10", "all", "all", "csat"): (">= 85", "met"),
            ("2026-10", "all", "all", "first_response_hours_median"): ("<= 2", "missed"),
        }
    if charts:
        result.charts = sample_charts()
    return result


def sample_charts() -> dict:
    return {
        "daily_volume": {
            "dates": ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"],
            "created": [40, 52, 38, 12],
            "resolved": [30, 45, 50, 20],
            "backlog": [110, 117, 105, 97],
        },
        "first_response_hours": {
            "edges": [0, 1, 4, 8, 24, 48, 72, None],
            "counts": [300, 420, 200, 150, 20, 10, 0],
        },
        "resolution_hours": {
            "edges": [0, 1, 4, 8, 24, 48, 72, None],
            "counts": [100, 220, 300, 350, 100, 60, 30],
        },
        "nps_mix": {"promoters": 8, "passives": 4, "detractors": 2},
        "calls_heatmap": {
            "counts": [
                [(d * 24 + h) % 9 if 8 <= h < 18 else 0 for h in range(24)] for d in range(7)
            ]
        },
        "comments": [
            {
                "submitted_at": "2026-10-03 12:00",
                "survey": "csat",
                "score": 1,
                "comment": "<script>alert('x')</script> slow & rude",
            }
        ],
    }
