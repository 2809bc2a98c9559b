import numpy as np
import pandas as pd
import pytest

from cskpi.insights.types import share_changes, ticket_types, two_proportion_z, type_volume
from cskpi.insights.windows import month_window, month_windows, parse_window, shifted


def tickets(spec):
    """spec: list of (month, type, count) → one ticket per count, created on the 10th."""
    rows = [(f"{m}-10", t) for m, t, c in spec for _ in range(c)]
    frame = pd.DataFrame(rows, columns=["created_at", "type"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["type"] = frame["type"].astype("str")
    frame.insert(0, "ticket_id", pd.Series([str(i) for i in range(len(frame))], dtype="str"))
    return frame


def test_two_proportion_z_matches_a_hand_computation():
    # 60/100 vs 40/100: pooled 0.5, se = sqrt(0.25 × 0.02) = 0.0707, z = 0.2 / 0.0707 = 2.828
    z, p = two_proportion_z(np.array([60.0]), 100, np.array([40.0]), 100)
    assert z[0] == pytest.approx(2.8284, abs=1e-4)
    assert p[0] == pytest.approx(0.00468, abs=1e-4)


def test_volume_by_type_counts_each_period_and_names_empty_types():
    frame = tickets([("2026-09", "billing", 2), ("2026-10", "billing", 1), ("2026-10", "", 1)])
    table = type_volume(frame, month_windows("2026-09", "2026-10"))
    assert table.loc["billing"].tolist() == [2, 1]
    assert table.loc["(none)"].tolist() == [0, 1]


def test_a_type_never_seen_before_is_new():
    frame = tickets([("2026-09", "billing", 5), ("2026-10", "billing", 5),
                     ("2026-10", "outage", 3)])
    result = ticket_types(frame, [month_window("2026-10")])
    assert result.tables["new_types"]["type"].tolist() == ["outage"]


def test_a_doubled_share_is_significant_and_said_to_grow():
    # September: billing 20 / 100; October: billing 40 / 100 → z = 3.16, p = 0.0016.
    frame = tickets([("2026-09", "billing", 20), ("2026-09", "login", 80),
                     ("2026-10", "billing", 40), ("2026-10", "login", 60)])
    changes, reason = share_changes(frame, month_window("2026-10"), "previous")
    assert reason is None
    billing = changes.set_index("type").loc["billing"]
    assert billing.significant and billing.direction == "grew"
    assert billing.change_points == 20.0
    assert billing.q_value == pytest.approx(billing.p_value)   # both types have this same p


def test_share_changes_control_false_alarms_across_types_like_statsmodels():
    from statsmodels.stats.multitest import multipletests

    # 200 tickets each month over five types; 'billing' moves 20 -> 35 of 200: pooled 0.1375,
    # se = sqrt(0.1375 × 0.8625 × 2 / 200) = 0.034440, z = 2.178, p = 0.0294 — under 0.05 alone,
    # but the smallest of five p-values: q = 0.0294 × 5 = 0.147, so no type is flagged.
    frame = tickets([("2026-09", "billing", 20), ("2026-09", "login", 50),
                     ("2026-09", "outage", 40), ("2026-09", "refund", 50), ("2026-09", "other", 40),
                     ("2026-10", "billing", 35), ("2026-10", "login", 45),
                     ("2026-10", "outage", 40), ("2026-10", "refund", 42),
                     ("2026-10", "other", 38)])
    changes, _ = share_changes(frame, month_window("2026-10"), "previous")
    assert changes["q_value"].tolist() == pytest.approx(
        list(multipletests(changes["p_value"], method="fdr_bh")[1]))
    billing = changes.set_index("type").loc["billing"]
    assert billing.p_value == pytest.approx(0.0294, abs=1e-4)
    assert billing.q_value == pytest.approx(5 * billing.p_value)
    assert not changes["significant"].any()


def test_a_small_side_makes_the_comparison_not_available():
    frame = tickets([("2026-09", "billing", 10), ("2026-10", "billing", 40)])
    changes, reason = share_changes(frame, month_window("2026-10"), "previous")
    assert changes.empty and "need 30" in reason


def test_last_year_is_the_same_month_a_year_earlier():
    assert shifted(month_window("2026-10"), "last_year").label == "2025-10"
    assert shifted(month_window("2026-01"), "previous").label == "2025-12"
    assert shifted(parse_window("2026-10-01..2026-10-15"), "previous").label == (
        "2026-09-16..2026-09-30")


def test_tickets_without_a_type_column_are_not_available():
    frame = tickets([("2026-10", "x", 1)]).drop(columns=["type"])
    assert "not available" in ticket_types(frame, [month_window("2026-10")]).notes[0]


def test_the_first_loaded_period_has_no_new_issues_only_a_note():
    frame = tickets([("2026-09", "billing", 5), ("2026-10", "outage", 3)])
    result = ticket_types(frame, month_windows("2026-09", "2026-10"))
    assert result.tables["new_types"]["period"].tolist() == ["2026-10"]
    assert any("new issues for 2026-09" in n for n in result.notes)
