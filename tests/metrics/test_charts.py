import pandas as pd

from cskpi.metrics.charts import calls_heatmap, chart_data, daily_volume, kpi_trends, nps_mix
from cskpi.metrics.results import KpiValue

TZ = "Europe/Helsinki"
START = pd.Timestamp("2026-10-01", tz=TZ)
END = pd.Timestamp("2026-10-04", tz=TZ)


def utc(*texts):
    return pd.Series(pd.to_datetime(list(texts), utc=True), dtype="datetime64[ns, UTC]")


def test_daily_volume_counts_created_resolved_and_backlog_at_each_local_day_end():
    # T0 opened before the range and still open; T1 opened and resolved on day 1; T2 opened day 2,
    # resolved day 3. 2026-09-30 21:30 UTC is 00:30 on 1 October in Helsinki (UTC+3).
    tickets = pd.DataFrame(
        {
            "created_at": utc("2026-09-20 10:00", "2026-09-30 21:30", "2026-10-02 08:00"),
            "resolved_at": utc(None, "2026-10-01 12:00", "2026-10-03 09:00"),
        }
    )
    volume = daily_volume(tickets, START, END, TZ)
    assert volume["dates"] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert volume["created"] == [1, 1, 0]
    assert volume["resolved"] == [1, 0, 1]
    assert volume["backlog"] == [1, 2, 1]


def test_nps_mix_splits_scores_into_detractors_passives_promoters():
    surveys = pd.DataFrame(
        {
            "survey": ["nps", "NPS", "nps", "csat", "nps"],
            "score": [10.0, 9.0, 7.0, 5.0, 6.0],
            "submitted_at": utc(*["2026-10-02 10:00"] * 5),
        }
    )
    assert nps_mix(surveys, START, END) == {"promoters": 2, "passives": 1, "detractors": 1}


def test_heatmap_places_inbound_calls_by_local_weekday_and_hour():
    # 2026-10-01 is a Thursday; 06:15 UTC is 09:15 in Helsinki. The outbound call is left out.
    calls = pd.DataFrame(
        {
            "queued_at": utc("2026-10-01 06:15", "2026-10-01 06:45", "2026-10-01 07:00"),
            "direction": ["inbound", None, "OUTBOUND"],
        }
    )
    heat = calls_heatmap(calls, START, END, TZ)
    assert heat["counts"][3][9] == 2 and heat["total"] == 2


def test_trends_need_two_periods_with_values():
    rows = [
        KpiValue("2026-09", "all", "all", "csat", 80.0, "%", 10),
        KpiValue("2026-10", "all", "all", "csat", 85.0, "%", 10),
        KpiValue("2026-10", "all", "all", "nps", 20.0, "score", 10),
        KpiValue("2026-10", "type", "x", "csat", 99.0, "%", 1),
    ]
    assert kpi_trends(rows, ["2026-09", "2026-10"]) == {"csat": [80.0, 85.0]}
    assert kpi_trends(rows, ["2026-10"]) == {}


def test_chart_data_leaves_out_charts_without_their_tables():
    assert chart_data({}, START, END, TZ) == {}
