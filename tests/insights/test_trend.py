import numpy as np
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


def rows(kpi, unit, values, n=10):
    return [KpiValue(p, "all", "all", kpi, v, unit, n) for p, v in values.items()]


PERIODS = ["2026-08", "2026-09", "2026-10"]


def test_trend_compares_latest_with_the_first_period_or_a_chosen_baseline():
    # csat 80 % → 85 % of 1,000 each: pooled 0.825, se = sqrt(0.825 × 0.175 × 2 / 1000)
    # = 0.016993, z = 2.942, p = 0.00326: significant, so "better".
    data = rows("csat", "%", {"2026-08": 80, "2026-09": 70, "2026-10": 85}, n=1000)
    data += rows("average_handle_time", "seconds", {"2026-08": 300, "2026-09": 280,
                                                   "2026-10": None})
    data.append(KpiValue("2026-10", "agent", "a1", "csat", 10, "%", 1))   # breakdowns ignored
    directions = {"csat": "up", "average_handle_time": "down"}
    table = trend(data, PERIODS, directions).tables["trend"].set_index("kpi")
    assert table.loc["csat", "change"] == 5 and table.loc["csat", "direction"] == "better"
    assert table.loc["csat", "test"] == "two-proportion z-test"
    assert table.loc["csat", "p_value"] == pytest.approx(0.00326, abs=1e-5)
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


def test_a_small_change_the_test_does_not_support_is_not_called_worse():
    # service level 56.82 % → 56.33 % of 2,100 calls each: z = −0.32, p = 0.75.
    data = rows("service_level", "%", {"2026-09": 56.82, "2026-10": 56.33}, n=2100)
    data += rows("tickets_created", "count", {"2026-09": 1444, "2026-10": 1506})
    table = trend(data, PERIODS[1:], {"service_level": "up", "tickets_created": "none"}
                  ).tables["trend"].set_index("kpi")
    assert table.loc["service_level", "direction"] == "not_significant"
    assert table.loc["service_level", "p_value"] == pytest.approx(0.7493, abs=1e-3)
    assert not table.loc["service_level", "significant"]
    assert table.loc["tickets_created", "direction"] == ""           # counts are not tested
    assert table.loc["tickets_created", "test"].startswith("not tested")


def test_xmr_limits_are_the_mean_plus_minus_2_66_mean_moving_ranges():
    from cskpi.insights.trend import xmr_chart

    # Values 10, 12, 11, 13, 30: mean 15.2; moving ranges 2, 1, 2, 17 → mean 5.5;
    # limits 15.2 ± 2.66 × 5.5 = 0.57 … 29.83, so 30 is outside.
    periods = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    values = dict(zip(periods, [10, 12, 11, 13, 30], strict=True))
    assert xmr_chart(np.array([10.0, 12, 11, 13, 30])) == pytest.approx((15.2, 0.57, 29.83))
    result = trend(rows("average_handle_time", "seconds", values), periods,
                   {"average_handle_time": "down"})
    limits = result.tables["control_limits"]
    assert list(limits["chart"].unique()) == ["XmR"]
    assert list(limits.loc[limits["outside"], "period"]) == ["2026-10"]
    assert result.tables["trend"].loc[0, "outside_limits"] == "2026-10"


def test_rates_get_a_p_chart_with_limits_from_each_periods_n():
    from cskpi.insights.trend import p_chart

    # 10 % of 100, 20 % of 100, 15 % of 200: p̄ = (10 + 20 + 30) / 400 = 0.15;
    # σ = sqrt(0.15 × 0.85 / n) = 0.035707 for n = 100, 0.025249 for 200;
    # limits 15 ± 10.712 pp and 15 ± 7.575 pp.
    centre, lower, upper = p_chart(np.array([10.0, 20, 15]), np.array([100.0, 100, 200]))
    assert centre == pytest.approx(15.0)
    assert lower == pytest.approx([4.288, 4.288, 7.425], abs=1e-3)
    assert upper == pytest.approx([25.712, 25.712, 22.575], abs=1e-3)
    data = [KpiValue(p, "all", "all", "csat", v, "%", n) for p, v, n in
            zip(PERIODS, [10.0, 20.0, 15.0], [100, 100, 200], strict=True)]
    limits = trend(data, PERIODS, {"csat": "up"}).tables["control_limits"]
    assert list(limits["chart"]) == ["p-chart"] * 3 and not limits["outside"].any()
