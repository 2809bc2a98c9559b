"""Cell parsers: timestamps, numbers, booleans, durations, IDs."""

from __future__ import annotations

import pandas as pd
import pytest

from cskpi.io import values
from cskpi.io.values import parse_bool, parse_duration, parse_id, parse_number, parse_timestamp


@pytest.mark.parametrize(
    ("text", "tz", "utc"),
    [
        ("2026-10-01T12:00:00+02:00", "Europe/Helsinki", "2026-10-01 10:00"),  # offset wins
        ("2026-10-01 12:00", "Europe/Helsinki", "2026-10-01 09:00"),  # EEST = +3
        ("01.10.2026 9.05.03", "UTC", "2026-10-01 09:05:03"),
        ("01.10.2026. 09:05", "UTC", "2026-10-01 09:05"),
        ("13-04-2023 20:52", "UTC", "2023-04-13 20:52"),
        ("45000.5", "UTC", "2023-03-15 12:00"),  # Excel serial
        ("1700000000", "UTC", "2023-11-14 22:13:20"),  # epoch seconds
        ("1700000000000", "UTC", "2023-11-14 22:13:20"),  # epoch ms
        ("2026-03-29 03:30", "Europe/Helsinki", "2026-03-29 01:30"),  # skipped hour: +2 before jump
        ("2026-10-25 03:30", "Europe/Helsinki", "2026-10-25 01:30"),  # repeated hour: later, +2
    ],
)
def test_every_documented_timestamp_format_reads_to_the_right_instant(text, tz, utc):
    parsed, bad = parse_timestamp(pd.Series([text]), tz, "day-first")
    assert not bad[0]
    assert parsed[0] == pd.Timestamp(utc, tz="UTC")


def test_unreadable_timestamps_are_bad_but_empty_cells_are_missing():
    parsed, bad = parse_timestamp(pd.Series(["garbage", "", None, "2026-02-30"]))
    assert bad.tolist() == [True, False, False, True]
    assert parsed.isna().all()


def test_numbers_with_decimal_comma_and_thin_space_thousands():
    number, bad = parse_number(pd.Series(["1\u202f234,5", "12,5", "x"]))
    assert number[:2].tolist() == [1234.5, 12.5] and bad.tolist() == [False, False, True]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("TOSI", True),
        ("epätosi", False),
        ("SAND", True),
        ("Falsk", False),
        ("USANN", False),
        ("ADEVĂRAT", True),
        ("aplams", False),
        ("Y", True),
        ("no", False),
        ("1", True),
    ],
)
def test_localised_excel_booleans_in_any_case(text, value):
    parsed, bad = parse_bool(pd.Series([text]))
    assert parsed[0] == value and not bad[0]


def test_durations_in_vendor_units_become_seconds():
    assert parse_duration(pd.Series(["00:02:23"]), "hms")[0][0] == 143
    assert parse_duration(pd.Series(["0.5"]), "excel_days")[0][0] == 43200
    assert parse_duration(pd.Series(["173"]), "minutes")[0][0] == 173 * 60
    assert parse_duration(pd.Series(["1500"]), "milliseconds")[0][0] == 1.5


def test_ids_stay_text_and_excel_damage_is_counted():
    ids, damaged = parse_id(pd.Series(["1.03006E+13", "00123"]))
    assert ids.tolist() == ["1.03006E+13", "00123"] and damaged == 1


def test_the_daylight_saving_rule_holds_for_day_first_layouts_too():
    # Helsinki: 29.03.2026 03:00 -> 04:00 (03:30 skipped), 25.10.2026 04:00 -> 03:00 (03:30 twice)
    parsed, bad = parse_timestamp(
        pd.Series(["29.03.2026 03:30", "25.10.2026 03:30", "01.07.2026 12:00"]),
        "Europe/Helsinki",
        "day-first",
    )
    assert not bad.any()
    assert parsed.tolist() == [
        pd.Timestamp("2026-03-29 01:30", tz="UTC"),  # offset before the jump, +2
        pd.Timestamp("2026-10-25 01:30", tz="UTC"),  # the later, standard-time +2
        pd.Timestamp("2026-07-01 09:00", tz="UTC"),
    ]


def test_a_rolled_over_date_in_a_day_first_file_is_bad_not_moved_to_march():
    parsed, bad = parse_timestamp(pd.Series(["30-02-2026 10:00", "28-02-2026 10:00"]))
    assert bad.tolist() == [True, False]
    assert parsed[1] == pd.Timestamp("2026-02-28 10:00", tz="UTC")


def test_dotted_dates_report_day_first_without_ambiguity():
    order = values.detect_date_order([pd.Series(["01.09.2026 08:02:48", "02.09.2026 09:00:00"])])
    assert (order.order, order.ambiguous) == ("day-first", False)


def test_iso_dates_report_iso():
    order = values.detect_date_order([pd.Series(["2026-09-01T08:02:48", "2026-09-02"])])
    assert order.order == "iso"


@pytest.mark.parametrize(
    "text",
    ["2026-10-02 99:30:00Z", "2026-10-02 23:60:00Z", "02.10.2026 23:59:61", "2026-10-02 24:00"],
)
def test_a_time_of_day_out_of_range_is_refused_not_rolled_into_another_day(text):
    parsed, bad = parse_timestamp(pd.Series([text, "2026-10-02 09:30:00Z"]))
    assert list(bad) == [True, False]
    assert pd.isna(parsed.iloc[0])
    assert parsed.iloc[1] == pd.Timestamp("2026-10-02 09:30:00Z")
