from cskpi.report.formatting import human_hours


def test_short_ticket_durations_read_as_hours_and_minutes():
    assert human_hours(3.2) == "3 h 12 min"
    assert human_hours(0.75) == "45 min"


def test_multi_day_durations_read_as_days_and_hours():
    assert human_hours(100) == "4 d 4 h"


def test_large_totals_such_as_hours_worked_read_as_whole_hours():
    assert human_hours(1222.4) == "1,222 h"
