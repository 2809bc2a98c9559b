from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cskpi.report.formatting import (
    change_is_good,
    human_hours,
    human_seconds,
    human_value,
    neutralise_formula,
    plain_number,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (0, "0"),
        (-0.0, "0"),
        (1204, "1204"),
        (12345.5, "12345.5"),
        (42.857142857142854, "42.857143"),
        (0.1 + 0.2, "0.3"),
        (1e-7, "0"),
        (-1e-7, "0"),
        (2.5e-6, "0.000002"),
        (1e21, "1000000000000000000000"),
        (10**20 + 1, "100000000000000000001"),
        (3.0, "3"),
        (-2.5, "-2.5"),
    ],
)
def test_plain_number_writes_the_tidy_csv_decimal(value, text):
    assert plain_number(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_plain_number_has_no_exponent_grouping_or_minus_zero_and_is_within_half_a_millionth(x):
    text = plain_number(x)
    assert "e" not in text.lower() and "," not in text and text != "-0"
    assert not (("." in text) and text.endswith("0"))
    assert len(text.partition(".")[2]) <= 6
    assert abs(Decimal(text) - Decimal(repr(x))) <= Decimal("0.0000005")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("billing", "billing"),
        ("(none)", "(none)"),
    ],
)
def test_formula_triggers_get_a_leading_quote_and_other_text_is_unchanged(text, safe):
    assert neutralise_formula(text) == safe


@pytest.mark.parametrize(
    ("hours", "text"),
    [(3.2, "3 h 12 min"), (0.5, "30 min"), (2, "2 h"), (50, "2 d 2 h"), (0, "0 min")],
)
def test_ticket_hours_read_as_hours_and_minutes(hours, text):
    assert human_hours(hours) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(42, "42 s"), (185, "3 min 5 s"), (120, "2 min"), (3720, "1 h 2 min"), (2.5, "2.5 s")],
)
def test_call_seconds_read_as_minutes_and_seconds(seconds, text):
    assert human_seconds(seconds) == text


def test_money_carries_the_currency_and_percentages_the_sign():
    assert human_value(12345.5, "EUR", "EUR") == "12,345.50 EUR"
    assert human_value(12.5, "currency/h", "SEK") == "12.50 SEK/h"
    assert human_value(87.5, "%") == "87.5 %"
    assert human_value(None, "%") == "—"


def test_a_change_is_good_in_the_kpis_direction_only():
    assert change_is_good(-0.8, "down") is True
    assert change_is_good(-2.5, "up") is False
    assert change_is_good(104, "none") is None
    assert change_is_good(0, "up") is None
