import pytest

from cskpi.errors import ConfigError
from cskpi.metrics.results import KpiValue
from cskpi.metrics.targets import Target, any_missed, evaluate_targets, parse_target


@pytest.mark.parametrize(
    ("text", "op", "bound"),
    [
        ("<= 4", "<=", 4.0),
        (">=85", ">=", 85.0),
        ("< 5", "<", 5.0),
        ("> 1", ">", 1.0),
        ("== 0", "==", 0.0),
        ("  >= 85.5 % ", ">=", 85.5),
        ("≤ 4", "<=", 4.0),
        ("≥ -10", ">=", -10.0),
    ],
)
def test_targets_are_read_as_an_operator_and_a_number(text, op, bound):
    assert parse_target(text) == Target(op, bound)


@pytest.mark.parametrize("text", ["4", "at least 85", "<= four", "=< 4 hours", "<>4", "", "!= 3"])
def test_a_target_without_operator_and_number_is_refused_with_an_example(text):
    with pytest.raises(ConfigError, match=r'e\.g\. "<= 4" or ">= 85"'):
        parse_target(text)


def test_target_text_is_normalised():
    assert parse_target(">=85").text == ">= 85"
    assert parse_target("<= 4.50").text == "<= 4.5"
    assert parse_target("< 1000000").text == "< 1000000"


def row(kpi, value, segment="all", dimension="all"):
    return KpiValue("2026-10", dimension, segment, kpi, value, "%", 10)


def test_each_row_of_a_kpi_with_a_target_is_met_missed_or_not_available():
    rows = [
        row("csat", 85.0),
        row("csat", 84.9, "chat", "channel"),
        row("csat", None, "x", "channel"),
        row("reopen_rate", 5.0),
        row("escalation_rate", 3.0),
    ]
    marks = evaluate_targets(rows, {"csat": ">= 85", "reopen_rate": "< 5"})
    assert marks == {
        ("2026-10", "all", "all", "csat"): (">= 85", "met"),
        ("2026-10", "channel", "chat", "csat"): (">= 85", "missed"),
        ("2026-10", "channel", "x", "csat"): (">= 85", "n/a"),
        ("2026-10", "all", "all", "reopen_rate"): ("< 5", "missed"),
    }
    assert any_missed(marks)
    assert not any_missed({k: v for k, v in marks.items() if v[1] != "missed"})


def test_equality_targets_forgive_floating_point_noise_but_not_real_differences():
    marks = evaluate_targets(
        [row("a", 0.1 + 0.2), row("b", 0), row("c", 1)], {"a": "== 0.3", "b": "== 0", "c": "== 0"}
    )
    assert [status for _, status in marks.values()] == ["met", "met", "missed"]


def test_nan_values_are_not_available():
    marks = evaluate_targets([row("csat", float("nan"))], {"csat": ">= 85"})
    assert list(marks.values()) == [(">= 85", "n/a")]
