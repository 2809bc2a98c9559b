import numpy as np
import pytest

from cskpi.errors import InputFileError, SchemaError
from cskpi.metrics.compare import compare, load_baseline_csv, nps_standard_error
from cskpi.metrics.results import KpiValue

KEY = ("2026-10", "all", "all")


def now(kpi, value, n, unit="%", **where):
    return KpiValue(
        "2026-10", where.get("dimension", "all"), where.get("segment", "all"), kpi, value, unit, n
    )


def before(kpi, value, n, unit="%", period="2026-09", **where):
    return KpiValue(
        period, where.get("dimension", "all"), where.get("segment", "all"), kpi, value, unit, n
    )


def test_a_rate_change_is_in_percentage_points_with_a_two_proportion_z_test():
    # 80 % of 200 vs 70 % of 100: pooled p = (160 + 70) / 300 = 0.76667,
    # se = sqrt(0.76667 × 0.23333 × (1/200 + 1/100)) = 0.051801, z = 0.10 / 0.051801 = 1.9305,
    # two-sided p = 0.05355 — just not significant.
    result = compare([now("csat", 80.0, 200)], [before("csat", 70.0, 100)])[(*KEY, "csat")]
    assert result.previous == 70.0
    assert result.change == pytest.approx(10.0)
    assert result.test == "two-proportion z-test"
    assert result.p_value == pytest.approx(0.05355, abs=1e-5)
    assert result.significant is False


def test_the_same_rate_change_on_more_records_is_significant():
    # 80 % vs 70 % of 400 each: pooled 0.75, se = sqrt(0.1875 × 0.005) = 0.030619,
    # z = 3.266, p = 0.00109.
    result = compare([now("csat", 80.0, 400)], [before("csat", 70.0, 400)])[(*KEY, "csat")]
    assert result.p_value == pytest.approx(0.00109, abs=1e-5)
    assert result.significant is True


def test_fewer_than_thirty_records_on_either_side_is_never_tested():
    result = compare([now("csat", 100.0, 1000)], [before("csat", 0.0, 29)])[(*KEY, "csat")]
    assert result.significant is None and result.p_value is None
    assert result.test == (
        "two-proportion z-test not run: fewer than 30 records in the baseline (29)"
    )
    assert result.change == 100.0
    result = compare([now("csat", 100.0, 29)], [before("csat", 0.0, 30)])[(*KEY, "csat")]
    assert "fewer than 30 records in the current period (29)" in result.test


def test_nps_is_tested_against_the_standard_error_from_both_margins():
    # Current: promoters 0.6, detractors 0.2 of 100 -> var = 0.8 − 0.4² = 0.64,
    # margin = 196 × sqrt(0.64 / 100) = 15.68, SE = 8. Baseline: 0.5 / 0.3 -> var 0.76,
    # margin 17.0869, SE = 8.7178. SE of the difference sqrt(64 + 76) = 11.832;
    # z = 20 / 11.832 = 1.690, p = 0.0910.
    current = [now("nps", 40.0, 100, "score"), now("nps_margin_of_error", 15.68, 100, "points")]
    baseline = [
        before("nps", 20.0, 100, "score"),
        before("nps_margin_of_error", 17.086884, 100, "points"),
    ]
    result = compare(current, baseline)[(*KEY, "nps")]
    assert result.change == 20.0
    assert result.p_value == pytest.approx(0.09097, abs=1e-4)
    assert result.significant is False
    assert result.test == "z-test of the NPS difference against its standard error"


def test_without_margins_the_nps_test_uses_the_conservative_bound():
    # relationship_nps has no margin row: var <= 1 − (NPS/100)². SE = 100 × sqrt(0.84/100) and
    # 100 × sqrt(0.96/100); SE of the difference sqrt(84 + 96) = 13.416; z = 1.4907, p = 0.1360.
    result = compare(
        [now("relationship_nps", 40.0, 100, "score")],
        [before("relationship_nps", 20.0, 100, "score")],
    )
    result = result[(*KEY, "relationship_nps")]
    assert result.p_value == pytest.approx(0.13604, abs=1e-4)
    assert result.test.endswith("(upper-bound standard error)")


def test_nps_standard_error_is_the_margin_over_1_96():
    assert nps_standard_error(40, 100, 15.68) == pytest.approx(8.0)
    assert nps_standard_error(40, 100) == pytest.approx(100 * np.sqrt(0.84 / 100))


def test_nps_with_too_few_answers_is_not_tested():
    result = compare([now("nps", 80.0, 12, "score")], [before("nps", -50.0, 300, "score")])
    assert result[(*KEY, "nps")].significant is None
    assert "fewer than 30 records in the current period (12)" in result[(*KEY, "nps")].test


def test_means_use_welchs_t_test_when_both_periods_have_record_level_values():
    # 41..80 vs 1..40: means 60.5 and 20.5, each variance 40 × 41 / 12 = 136.67, so
    # se = sqrt(2 × 136.67 / 40) = 2.614, t = 40 / 2.614 = 15.30 on 78 df: p tiny.
    values = {False: np.arange(41, 81, dtype=float), True: np.arange(1, 41, dtype=float)}
    result = compare(
        [now("average_handle_time", 60.5, 40, "seconds")],
        [before("average_handle_time", 20.5, 40, "seconds")],
        samples=lambda row, is_baseline: values[is_baseline],
    )
    result = result[(*KEY, "average_handle_time")]
    assert result.test == "Welch's t-test"
    assert result.significant is True and result.p_value < 1e-20
    assert result.change == 40.0


def test_means_without_baseline_records_are_not_tested():
    result = compare(
        [now("average_handle_time", 60.5, 40, "seconds")],
        [before("average_handle_time", 20.5, 40, "seconds")],
        samples=lambda row, is_baseline: None if is_baseline else np.ones(40),
    )
    result = result[(*KEY, "average_handle_time")]
    assert result.significant is None
    assert result.test == "not tested: no record-level data in the baseline"


def test_the_bootstrap_also_needs_thirty_values_on_each_side():
    values = {False: np.arange(50, dtype=float), True: np.arange(20, dtype=float)}
    result = compare(
        [now("resolution_hours_median", 25.0, 50, "hours")],
        [before("resolution_hours_median", 10.0, 20, "hours")],
        samples=lambda row, is_baseline: values[is_baseline],
    )
    assert (
        "fewer than 30 records in the baseline (20)"
        in result[(*KEY, "resolution_hours_median")].test
    )


def test_counts_get_a_change_but_no_test():
    result = compare(
        [now("tickets_created", 120, None, "count")],
        [before("tickets_created", 100, None, "count")],
    )[(*KEY, "tickets_created")]
    assert (result.previous, result.change, result.significant) == (100, 20, None)
    assert result.test == "not tested: a count of events has no rate to test"


def test_rows_are_matched_by_dimension_segment_and_kpi_and_the_unit_can_be_overridden():
    current = [
        now("reopen_rate", 10.0, 500, "ratio", dimension="channel", segment="chat"),
        now("reopen_rate", 5.0, 500, "ratio", dimension="channel", segment="email"),
    ]
    baseline = [before("reopen_rate", 10.0, 500, "ratio", dimension="channel", segment="chat")]
    result = compare(current, baseline, units={"reopen_rate": "%"})
    assert list(result) == [("2026-10", "channel", "chat", "reopen_rate")]
    assert result[("2026-10", "channel", "chat", "reopen_rate")].p_value == pytest.approx(1.0)


def test_a_baseline_with_several_periods_uses_the_latest_one_before_the_current_period():
    baseline = [
        before("csat", 50.0, 100, period=period)
        for period in ("2026-08", "2026-09", "2026-10", "2026-11")
    ]
    baseline[1] = before("csat", 70.0, 100, period="2026-09")
    assert compare([now("csat", 80.0, 100)], baseline)[(*KEY, "csat")].previous == 70.0


def test_a_missing_value_on_either_side_is_not_compared():
    result = compare([now("csat", None, 0)], [before("csat", 70.0, 100)])[(*KEY, "csat")]
    assert (result.previous, result.change, result.significant) == (70.0, None, None)


def write(tmp_path, text):
    path = tmp_path / "baseline.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_kept_tidy_csv_loads_as_rows_ignoring_extra_columns(tmp_path):
    path = write(
        tmp_path,
        "period,dimension,segment,kpi,value,unit,n,target,status\n"
        "2026-09,all,all,csat,84.5,%,200,>= 85,missed\n"
        "2026-09,all,all,tickets_created,1200,count,\n"
        "2026-09,channel,chat,csat,,%,0,,\n",
    )
    rows = load_baseline_csv(path)
    assert rows[0] == KpiValue("2026-09", "all", "all", "csat", 84.5, "%", 200)
    assert rows[1].value == 1200 and isinstance(rows[1].value, int) and rows[1].n is None
    assert rows[2].value is None and rows[2].reason == "not available in the baseline"


def test_a_malformed_value_names_the_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "period,dimension,segment,kpi,value,unit,n\n"
        "2026-09,all,all,csat,84.5,%,200\n"
        '2026-09,all,all,nps,"12,5",score,200\n',
    )
    with pytest.raises(InputFileError) as error:
        load_baseline_csv(path)
    assert str(error.value) == (
        f"{path}, row 3, column 'value': '12,5' is not a number. Write values with a '.' "
        "decimal point and no thousands separator, or leave the cell empty for not available"
    )


def test_a_fractional_record_count_is_refused(tmp_path):
    path = write(
        tmp_path, "period,dimension,segment,kpi,value,unit,n\n2026-09,all,all,csat,84.5,%,20.5\n"
    )
    with pytest.raises(InputFileError, match=r"row 2, column 'n': '20.5' is not a whole number"):
        load_baseline_csv(path)


def test_a_baseline_without_the_tidy_columns_is_refused(tmp_path):
    path = write(tmp_path, "period,kpi,value\n2026-09,csat,80\n")
    with pytest.raises(SchemaError, match="missing column.s. dimension, segment, unit, n"):
        load_baseline_csv(path)


def test_a_missing_baseline_file_says_so(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        load_baseline_csv(tmp_path / "nope.csv")


# Tests chosen per statistic, checked against statsmodels/scipy and hand calculations.


def test_the_two_proportion_z_test_agrees_with_statsmodels():
    from statsmodels.stats.proportion import proportions_ztest

    from cskpi.metrics.compare import two_proportion_test

    _, expected = proportions_ztest([160, 70], [200, 100])
    assert two_proportion_test(160, 200, 70, 100).p_value == pytest.approx(expected, rel=1e-12)


def test_welchs_t_test_agrees_with_statsmodels_and_a_hand_calculation():
    from statsmodels.stats.weightstats import ttest_ind

    from cskpi.metrics.compare import welch_test

    # a: mean 3, sample variance 2.5 (n 5); b: mean 6, variance 34 / 3 = 11.333 (n 4).
    # se = sqrt(0.5 + 2.8333) = 1.8257, t = −3 / 1.8257 = −1.6432;
    # Welch df = 3.3333² / (0.5² / 4 + 2.8333² / 3) = 11.111 / 2.7384 = 4.058; p = 0.1747.
    a, b = np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 5, 7, 10])
    _, expected, _ = ttest_ind(a, b, usevar="unequal")
    tested = welch_test(a, b)
    assert tested.test == "Welch's t-test"
    assert tested.p_value == pytest.approx(expected, rel=1e-10)
    assert tested.p_value == pytest.approx(0.1747, abs=5e-4)


def test_benjamini_hochberg_agrees_with_statsmodels_and_by_hand():
    from statsmodels.stats.multitest import multipletests

    from cskpi.metrics.compare import benjamini_hochberg

    # Sorted 0.01, 0.03, 0.04 of m = 3: q = min over k ≥ i of p(k) × 3 / k →
    # 0.04, min(0.04, 0.045) = 0.04, min(0.04, 0.03) = 0.03.
    assert benjamini_hochberg([0.04, None, 0.01, 0.03]) == [
        pytest.approx(0.04),
        None,
        pytest.approx(0.03),
        pytest.approx(0.04),
    ]
    pvalues = [0.001, 0.2, 0.03, 0.04, 0.5, 0.011, 0.9]
    expected = multipletests(pvalues, method="fdr_bh")[1]
    assert benjamini_hochberg(pvalues) == pytest.approx(list(expected))


def test_significance_is_decided_by_q_across_every_comparison_of_the_output():
    # csat alone: p = 0.0536 (above). With p = 0.04 on one and ~0.5 on the other, BH gives
    # q = 0.04 × 2 / 1 = 0.08 for the smaller: no longer significant at 5 %.
    # 80 % of 400 vs 74 % of 400: pooled 0.77, se = sqrt(0.77 × 0.23 × 2 / 400) = 0.029756,
    # z = 2.0164, p = 0.04376; reopen 10 % vs 9 % of 500: p = 0.5896.
    current = [now("csat", 80.0, 400), now("reopen_rate", 10.0, 500)]
    baseline = [before("csat", 74.0, 400), before("reopen_rate", 9.0, 500)]
    result = compare(current, baseline)
    csat = result[(*KEY, "csat")]
    assert csat.p_value == pytest.approx(0.04376, abs=1e-5)
    assert csat.q_value == pytest.approx(2 * 0.04376, abs=2e-5)
    assert csat.significant is False
    assert result[(*KEY, "reopen_rate")].q_value == pytest.approx(
        result[(*KEY, "reopen_rate")].p_value
    )


def test_median_p90_mean_and_maximum_of_one_sample_each_get_their_own_test():
    rng = np.random.default_rng(7)
    values = {False: rng.exponential(10.0, 400), True: rng.exponential(8.0, 400)}

    def samples(row, is_baseline):
        return values[is_baseline]

    kpis = [("first_response_hours_median", 0.5), ("first_response_hours_p90", 0.9)]
    current = [now(k, float(np.quantile(values[False], q)), 400, "hours") for k, q in kpis]
    baseline = [before(k, float(np.quantile(values[True], q)), 400, "hours") for k, q in kpis]
    current += [
        now("first_response_hours_mean", values[False].mean(), 400, "hours"),
        now("longest_wait", values[False].max(), 400, "seconds"),
    ]
    baseline += [
        before("first_response_hours_mean", values[True].mean(), 400, "hours"),
        before("longest_wait", values[True].max(), 400, "seconds"),
    ]
    result = {key[3]: c for key, c in compare(current, baseline, samples=samples).items()}
    assert result["first_response_hours_median"].test.startswith(
        "bootstrap 95 % interval of the median difference"
    )
    assert result["first_response_hours_p90"].test.startswith(
        "bootstrap 95 % interval of the p90 difference"
    )
    assert result["first_response_hours_mean"].test == "Welch's t-test"
    assert result["longest_wait"].p_value is None and result["longest_wait"].significant is None
    assert result["longest_wait"].test.startswith("not tested: a maximum")
    assert (
        len(
            {
                result[k].p_value
                for k in (
                    "first_response_hours_median",
                    "first_response_hours_p90",
                    "first_response_hours_mean",
                )
            }
        )
        == 3
    )
    low, high = result["first_response_hours_p90"].interval
    change = result["first_response_hours_p90"].change
    assert low < change < high


def test_the_bootstrap_interval_is_deterministic_and_matches_plain_resampling():
    from cskpi.metrics.compare import bootstrap_quantile_difference

    rng = np.random.default_rng(3)
    a, b = rng.normal(12.0, 3.0, 200), rng.normal(10.0, 3.0, 150)
    first = bootstrap_quantile_difference(a, b, 0.5)
    assert bootstrap_quantile_difference(a, b, 0.5) == first
    # The same interval by hand: 20,000 independent resamples of each side, percentiles 2.5/97.5.
    own = np.random.default_rng(99)
    draws = np.median(own.choice(a, (20_000, len(a))), axis=1) - np.median(
        own.choice(b, (20_000, len(b))), axis=1
    )
    low, high = np.percentile(draws, [2.5, 97.5])
    assert first.interval[0] == pytest.approx(low, abs=0.15)
    assert first.interval[1] == pytest.approx(high, abs=0.15)
    assert first.p_value < 0.01
    # Two samples from one distribution: the interval holds 0 and p is large.
    same = bootstrap_quantile_difference(a, a.copy(), 0.9)
    assert same.interval[0] < 0 < same.interval[1] and same.p_value > 0.5


def test_test_samples_picks_the_test_from_the_statistic_kind():
    from cskpi.metrics.compare import compare_samples

    share_now = np.r_[np.full(160, 100.0), np.zeros(40)]
    share_before = np.r_[np.full(70, 100.0), np.zeros(30)]
    tested = compare_samples("share", share_now, share_before)
    assert tested.test == "two-proportion z-test"
    assert tested.p_value == pytest.approx(0.05355, abs=1e-5)
    # NPS from answers: 60 promoters / 20 detractors of 100 vs 50 / 30 of 100: the same SEs as
    # the margin test above (8 and 8.7178), p = 0.0910.
    nps_now = np.r_[np.full(60, 100.0), np.full(20, -100.0), np.zeros(20)]
    nps_before = np.r_[np.full(50, 100.0), np.full(30, -100.0), np.zeros(20)]
    assert compare_samples("nps", nps_now, nps_before).p_value == pytest.approx(0.09097, abs=1e-4)
    assert compare_samples("count", share_now, share_before).p_value is None
