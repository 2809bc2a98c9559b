import pytest

from cskpi.errors import UsageError
from cskpi.insights.trend import judge, sparkline, trend
from cskpi.metrics.results import KpiValue


def test_sparkline_spans_the_eight_bars_and_leaves_gaps():
    assert sparkline([0, 7, None, 3.5]) == "▁█ ▅"
    assert sparkline([5, 5]) == "▁▁"


def test_direction_follows_whether_higher_is_better():
    assert judge(-2.0, "down") == "better"
    assert judge(-2.0, "up") == "worse"
    assert judge(0.0, "up") == "unchanged"
    assert judge(3.0, "none") == ""


def rows(kpi, unit, values):
    return [KpiValue(p, "all", "all", kpi, v, unit, 10) for p, v in values.items()]


PERIODS = ["2026-08", "2026-09", "2026-10"]


def test_trend_compares_latest_with_the_first_period_or_a_chosen_baseline():
    data = rows("csat", "%", {"2026-08": 80, "2026-09": 70, "2026-10": 85})
    data += rows("average_handle_time", "seconds", {"2026-08": 300, "2026-09": 280,
                                                   "2026-10": None})
    data.append(KpiValue("2026-10", "agent", "a1", "csat", 10, "%", 1))   # breakdowns ignored
    directions = {"csat": "up", "average_handle_time": "down"}
    table = trend(data, PERIODS, directions).tables["trend"].set_index("kpi")
    assert table.loc["csat", "change"] == 5 and table.loc["csat", "direction"] == "better"
    assert table.loc["csat", "trend"] == "▆▁█"     # 80 sits at (80 − 70) / 15 × 7 = 4.7 → bar 5
    assert table.loc["average_handle_time", "direction"] == ""       # latest not available
    moved = trend(data, PERIODS, directions, baseline="2026-09").tables["trend"].set_index("kpi")
    assert moved.loc["csat", "change"] == 15


def test_an_unknown_baseline_is_a_usage_error():
    with pytest.raises(UsageError, match="--baseline"):
        trend(rows("csat", "%", {"2026-10": 1}), PERIODS, {}, baseline="2025-01")


def test_plain_view_shows_values_and_changes_in_each_kpis_unit():
    from cskpi.insights.render import plain_view, to_csv

    # csat 78.7582 → 74.0630 %: change −4.6952 pp, shown "−4.7 pp"; service cost in SEK;
    # first response 4.05722 h = 4 h 3 min.
    data = rows("csat", "%", {"2026-09": 78.75816993, "2026-10": 74.06296852})
    data += rows("service_cost", "currency", {"2026-09": 45347.5, "2026-10": 44161.0})
    data += rows("first_response_hours_median", "hours", {"2026-09": 4.057222, "2026-10": 4.2})
    units = {"csat": "%", "service_cost": "SEK", "first_response_hours_median": "hours"}
    result = trend(data, PERIODS[1:], {"csat": "up", "service_cost": "down"}, units=units,
                   currency="SEK")
    text = plain_view(result)
    for shown in ("78.8 %", "74.1 %", "−4.7 pp", "45,347.50 SEK", "44,161.00 SEK", "−1,186.50",
                  "4 h 3 min", "4 h 12 min", "+9 min"):
        assert shown in text
    assert "78.758" not in text and "-4.69" not in text
    # The CSV keeps the numbers, rounded to six decimals like the tidy CSV.
    csv = to_csv(result, "trend")
    assert "78.75817,74.062969,-4.695201" in csv and "SEK" in csv
