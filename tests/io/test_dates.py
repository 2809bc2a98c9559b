"""Dates written with words (month names, AM/PM markers, weekdays, zone names) and short years."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from babel.dates import format_datetime, get_month_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cskpi.io import dates
from cskpi.io.inputs import InputSpec
from cskpi.io.load import load_dataset
from cskpi.io.values import detect_date_order, parse_timestamp


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("18/jul/26 9:10 AM", "2026-07-18 09:10"),  # Jira, Spanish profile
        ("02/May/23 4:40 PM", "2023-05-02 16:40"),  # Jira, English
        ("3. Okt. 2026 14:05", "2026-10-03 14:05"),
        ("3. lokakuuta 2026", "2026-10-03 00:00"),  # Finnish genitive
        ("3 października 2026 14:05", "2026-10-03 14:05"),  # Polish genitive
        ("Tue, 01 Sep 2026 00:55:52", "2026-09-01 00:55:52"),  # Five9
        ("Tue, 01 Sep 2026 00:55:52 -0700", "2026-09-01 07:55:52"),  # RFC 2822 offset
        ("Tue, 01 Sep 2026 00:55:52 PDT", "2026-09-01 07:55:52"),  # RFC 2822 zone name
        ("Tue, 01 Sep 2026 00:55:52 GMT", "2026-09-01 00:55:52"),
        ("Mar 17, 2025 6:04 PM", "2025-03-17 18:04"),
        ("18 de julio de 2026, 9:10 p.\u00a0m.", "2026-07-18 21:10"),  # Spanish, CLDR's nbsp
        ("17.3.2026 klo 9.10 ip.", "2026-03-17 21:10"),  # Finnish afternoon marker
        ("1. September 2026 um 9:10 nachm.", "2026-09-01 21:10"),
        ("Dienstag, 1. September 2026, 12:30 vorm.", "2026-09-01 00:30"),  # 12 a.m. is midnight
        ("3 oct. 2026 14:05", "2026-10-03 14:05"),  # French abbreviation
        ("3 mrt 2026 14:05", "2026-03-03 14:05"),  # Dutch
        ("3 maj 2026 kl. 14.05", "2026-05-03 14:05"),  # Swedish / Danish
        ("3 des. 2026 14:05", "2026-12-03 14:05"),  # Norwegian Bokmål
        ("3 ott 2026 2:05 PM", "2026-10-03 14:05"),  # Italian
        ("3 out. 2026 14:05", "2026-10-03 14:05"),  # Portuguese
        ("3 iun. 2026 14:05", "2026-06-03 14:05"),  # Romanian
        ("2026. gada 3. oktobris 14:05", "2026-10-03 14:05"),  # Latvian long form
        ("3 Oct 2026 14:05 CEST", "2026-10-03 12:05"),
        ("3/17/25 6:04", "2025-03-17 06:04"),  # Excel re-save, month first, two-digit year
        ("17.03.25 06:04", "2025-03-17 06:04"),
        ("3/17/2025 6:04 p.m.", "2025-03-17 18:04"),
        ("1/1/69 0:00", "1969-01-01 00:00"),  # the pivot: 69 is 1969, 68 is 2068
        ("1/1/68 0:00", "2068-01-01 00:00"),
    ],
)
def test_dates_written_with_words_and_short_years_read_to_the_right_instant(text, utc):
    order = detect_date_order([pd.Series([text])])
    parsed, bad = parse_timestamp(pd.Series([text]), "UTC", order.order)
    assert not bad[0], text
    assert parsed[0] == pd.Timestamp(utc, tz="UTC")


@pytest.mark.parametrize(
    "text",
    [
        "1 Foo 2026",
        "Someday, 01 Sep 2026",
        "3 Oct 2026 14:05 XYZ",
        "3 Oct 2026 9:10 zz",
        "Oct",
        "Oct 2026",  # a month with no day is no instant
        "Tue 5 Oct 2026 10:00",  # 5 Oct 2026 is a Monday: the weekday contradicts the date
        "Sonntag, 1. September 2026",  # a Tuesday
        "Mon 30 Feb 2026",
        "2026-10-05 13:00 PM",  # a 12-hour marker on a 24-hour time
        "2026-10-05 00:30 AM",
        "5/10/2026 13:00 PM",
    ],
)
def test_unknown_words_in_a_date_make_it_bad_not_a_guess(text):
    _, bad = parse_timestamp(pd.Series([text]))
    assert bad[0]


def test_excel_re_saved_dates_keep_the_order_their_values_prove():
    # The same file after an Excel round-trip: seconds dropped, some days above 12.
    month_first = pd.Series(["3/17/2025 6:04", "3/7/2025 16:04"])
    day_first = pd.Series(["17/03/2025 06:04", "07/03/2025 16:04"])
    for series in (month_first, day_first):
        order = detect_date_order([series])
        parsed, bad = parse_timestamp(series, "UTC", order.order)
        assert not bad.any() and not order.ambiguous
        assert parsed.tolist() == [
            pd.Timestamp("2025-03-17 06:04", tz="UTC"),
            pd.Timestamp("2025-03-07 16:04", tz="UTC"),
        ]


def test_every_month_name_of_every_language_is_known():
    months = dates.month_numbers()
    for lang in dates.LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, lang)
                assert {months[dates.word_key(n)] for n in names.values()} == set(range(1, 13))
    assert months["lokakuuta"] == 10 and months["okt"] == 10 and months["mrt"] == 3


def test_worded_dates_are_rewritten_once_per_distinct_value(monkeypatch):
    seen = []
    original = dates._rewrite
    monkeypatch.setattr(dates, "_rewrite", lambda v: seen.append(v.tolist()) or original(v))
    column = pd.Series(["3 Oct 2026", "3 Oct 2026", None, "2026-10-04", "4 Oct 2026"] * 100)
    parsed, bad = parse_timestamp(column)
    assert seen == [["3 Oct 2026", "4 Oct 2026"]]  # one call, over the distinct worded values
    assert not bad.any() and parsed.notna().sum() == 400
    assert parsed[4] == pd.Timestamp("2026-10-04", tz="UTC")


# Layouts exports write dates in; `a` is the locale's AM/PM marker, MMM/MMMM its month names.
LAYOUTS = {
    "d MMM y HH:mm:ss": True,
    "d. MMMM y HH:mm": False,
    "dd/MMM/yy h:mm a": False,
    "MMM d, y h:mm:ss a": True,
    "EEE, dd MMM y HH:mm:ss": True,
    "d LLLL y HH:mm": False,
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stamps=st.lists(
        st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2060, 12, 31)),
        min_size=1,
        max_size=12,
    ),
    lang=st.sampled_from(dates.LANGUAGES),
    layout=st.sampled_from(list(LAYOUTS)),
)
def test_a_table_with_dates_in_any_language_reads_back_identical(tmp_path, stamps, lang, layout):
    keep_seconds = LAYOUTS[layout]
    stamps = [s.replace(microsecond=0, second=s.second if keep_seconds else 0) for s in stamps]
    written = [format_datetime(s, layout, locale=lang) for s in stamps]
    frame = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(len(stamps))],
            "created_at": written,
            "status": "open",
        }
    )
    path = tmp_path / "tickets.csv"
    frame.to_csv(path, index=False)
    tickets = load_dataset(InputSpec(files={"tickets": [path]})).tables["tickets"]
    expected = pd.Series(pd.to_datetime(stamps), name="created_at").dt.tz_localize("UTC")
    assert tickets["created_at"].tolist() == expected.tolist(), written
