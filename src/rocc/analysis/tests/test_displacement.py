"""Displacement measures checked against published figures, hand calculations and a plain oracle."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from rocc.analysis.displacement import (
    before_after_with_control,
    displacement_analysis,
    read_displacement_counts,
    read_indicator_series,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from rocc.analysis.errors import AnalysisInputError
from rocc.cli import analyse_displacement  # noqa: F401  (registers the command; commands load on demand)
from rocc.cli.main import app

# Wheeler and Ratcliffe (2018), Crime Science 7:11, worked example: target, its control, the buffer
# (displacement area) and the buffer's control, before and after.
PAPER = dict(
    target_before=207,
    target_after=110,
    control_before=308,
    control_after=318,
    buffer_before=178,
    buffer_after=157,
    buffer_control_before=150,
    buffer_control_after=140,
)


def test_wdd_reproduces_the_published_worked_example():
    result = weighted_displacement_difference(**PAPER)
    assert result.form == "four areas"
    assert result.estimate == -118
    assert result.variance == 1568
    assert round(result.z, 2) == -2.98
    assert (round(result.ci_low), round(result.ci_high)) == (-196, -40)
    assert result.local_estimate == (110 - 207) - (318 - 308)
    assert result.displacement_estimate == (157 - 178) - (140 - 150)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(118 / math.sqrt(1568)))


def test_wdd_with_a_longer_before_period_is_in_crimes_per_after_period():
    # two years before, one after (Wheeler's different-periods example): −20 per year, variance 115
    result = weighted_displacement_difference(target_before=80, target_after=20, control_before=100, control_after=50, before_days=730, after_days=365)
    assert result.estimate == pytest.approx(-20)
    assert result.variance == pytest.approx(115)
    assert "per 365 days" in result.units


def test_wdd_with_area_sizes_is_per_square_kilometre():
    # Wheeler's different-area-sizes example on the paper's counts
    result = weighted_displacement_difference(**PAPER, area_km2={"control": 0.9, "target": 1.2, "buffer_control": 1.6, "buffer": 1.5})
    assert result.estimate == pytest.approx(-99.69444444)
    assert result.se == pytest.approx(35.4280755)
    assert result.z == pytest.approx(-2.813995483)
    assert (result.ci_low, result.ci_high) == (pytest.approx(-169.1321965), pytest.approx(-30.25669241))


def test_wdd_with_one_control_for_both_areas_counts_the_control_twice():
    result = weighted_displacement_difference(target_before=50, target_after=30, buffer_before=40, buffer_after=45, control_before=100, control_after=90)
    assert result.form == "shared control"
    assert result.estimate == (30 - 50) + (45 - 40) - 2 * (90 - 100)
    assert result.variance == 50 + 30 + 40 + 45 + 4 * (100 + 90)


def test_wdd_without_a_buffer_is_the_difference_in_differences_of_counts():
    result = weighted_displacement_difference(target_before=20, target_after=10, control_before=20, control_after=20)
    assert (result.form, result.estimate, result.variance) == ("target and control only", -10, 70)
    assert result.displacement_estimate is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=8, max_size=8),
    st.lists(st.floats(min_value=0.1, max_value=20), min_size=4, max_size=4),
    st.floats(min_value=7, max_value=730),
    st.floats(min_value=7, max_value=730),
)
def test_wdd_matches_a_direct_evaluation_of_the_weighted_formula(counts, sizes, before_days, after_days):
    tb, ta, cb, ca, bb, ba, db, da = counts
    if sum(counts) == 0:
        return
    area = dict(zip(["target", "control", "buffer", "buffer_control"], sizes))
    result = weighted_displacement_difference(
        target_before=tb,
        target_after=ta,
        control_before=cb,
        control_after=ca,
        buffer_before=bb,
        buffer_after=ba,
        buffer_control_before=db,
        buffer_control_after=da,
        before_days=before_days,
        after_days=after_days,
        area_km2=area,
    )
    w = {"before": before_days / after_days, "after": 1.0}
    cells = [
        ("target", tb, "before", 1),
        ("target", ta, "after", 1),
        ("control", cb, "before", -1),
        ("control", ca, "after", -1),
        ("buffer", bb, "before", 1),
        ("buffer", ba, "after", 1),
        ("buffer_control", db, "before", -1),
        ("buffer_control", da, "after", -1),
    ]
    estimate = variance = 0.0
    for name, count, period, sign in cells:
        divisor = w[period] * area[name]
        direction = 1 if period == "after" else -1
        estimate += sign * direction * count / divisor
        variance += count / divisor**2
    assert result.estimate == pytest.approx(estimate, rel=1e-9, abs=1e-9)
    assert result.variance == pytest.approx(variance, rel=1e-9)
    assert math.isfinite(result.z) and 0 <= result.p_value <= 1


def test_harm_weighted_wdd_scales_the_estimate_by_the_harm_and_the_variance_by_its_square():
    counts = dict(target_before=40, target_after=25, control_before=60, control_after=58)
    harm = {("target", "before"): 40 * 3.5, ("target", "after"): 25 * 3.5, ("control", "before"): 60 * 3.5, ("control", "after"): 58 * 3.5}
    by_count = weighted_displacement_difference(**counts)
    by_harm = weighted_displacement_difference(**counts, harm=harm)
    assert by_harm.measure == "harm"
    assert by_harm.estimate == pytest.approx(3.5 * by_count.estimate)
    assert by_harm.variance == pytest.approx(3.5**2 * by_count.variance)
    assert by_harm.z == pytest.approx(by_count.z)


def test_wdq_follows_bowers_and_johnson_formula_and_net_effect():
    result = weighted_displacement_quotient(target_before=100, target_after=60, buffer_before=80, buffer_after=90, control_before=200, control_after=200)
    assert result.success_measure == pytest.approx(60 / 200 - 100 / 200)
    assert result.buffer_displacement_measure == pytest.approx(90 / 200 - 80 / 200)
    assert result.wdq == pytest.approx(0.05 / -0.2)
    assert result.interpretation.startswith("displacement, smaller than the direct effect")
    # a flat control: 40 fewer in the target, 10 more in the buffer
    assert (result.net_effect_target, result.net_effect_buffer, result.total_net_effect) == (40, -10, 30)


@pytest.mark.parametrize(
    ("buffer_after", "band"),
    [
        (20, "diffusion of benefits greater than the direct effect (WDQ > 1)"),  # buffer −60 vs target −40
        (60, "diffusion of benefits, no greater than the direct effect"),  # −20
        (40, "diffusion of benefits, no greater than the direct effect"),  # −40: WDQ exactly 1
        (80, "no displacement and no diffusion of benefits (WDQ = 0)"),
        (100, "displacement, smaller than the direct effect"),  # +20
        (120, "displacement, smaller than the direct effect"),  # +40: WDQ exactly −1
        (150, "displacement greater than the direct effect"),  # +70
    ],
)
def test_each_wdq_band_is_read_as_in_the_published_table(buffer_after, band):
    result = weighted_displacement_quotient(
        target_before=100,
        target_after=60,
        buffer_before=80,
        buffer_after=buffer_after,
        control_before=200,
        control_after=200,
    )
    assert band in result.interpretation


@pytest.mark.parametrize("target_after", [100, 130])
def test_no_wdq_is_given_when_the_target_did_not_improve_relative_to_the_control(target_after):
    result = weighted_displacement_quotient(
        target_before=100,
        target_after=target_after,
        buffer_before=80,
        buffer_after=60,
        control_before=200,
        control_after=200,
    )
    assert result.wdq is None
    assert "no treatment effect" in result.interpretation
    assert json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize("period", ["before", "after"])
def test_a_control_with_no_crimes_is_named_not_divided_by(period):
    counts = dict(target_before=10, target_after=5, buffer_before=8, buffer_after=8, control_before=30, control_after=30)
    counts[f"control_{period}"] = 0
    with pytest.raises(AnalysisInputError, match=f"control area, {period} period: 0 crimes"):
        weighted_displacement_quotient(**counts)


def test_negative_and_missing_counts_are_refused():
    with pytest.raises(AnalysisInputError, match="target area, after period: a negative count"):
        weighted_displacement_difference(target_before=3, target_after=-1, control_before=4, control_after=5)
    with pytest.raises(AnalysisInputError, match="buffer area: no count for the after period"):
        weighted_displacement_difference(target_before=3, target_after=1, control_before=4, control_after=5, buffer_before=3)
    with pytest.raises(AnalysisInputError, match="every count is zero"):
        weighted_displacement_difference(target_before=0, target_after=0, control_before=0, control_after=0)
    with pytest.raises(AnalysisInputError, match="give both period lengths"):
        weighted_displacement_difference(target_before=3, target_after=1, control_before=4, control_after=5, before_days=30)
    with pytest.raises(AnalysisInputError, match="buffer area: no size given"):
        weighted_displacement_difference(
            target_before=3, target_after=1, control_before=4, control_after=5, buffer_before=1, buffer_after=2, area_km2={"target": 1, "control": 2}
        )


# --------------------------------------------------------------------------------------------------
# From a table


def table(rows, harm=False):
    columns = ["area", "period", "count"] + (["harm"] if harm else [])
    return pd.DataFrame(rows, columns=columns)


def test_the_table_analysis_gives_count_and_harm_measures_and_every_input():
    rows = [
        ("target", "before", 207, 900),
        ("target", "after", 110, 420),
        ("control", "before", 308, 1200),
        ("control", "after", 318, 1300),
        ("buffer", "before", 178, 700),
        ("buffer", "after", 157, 640),
        ("buffer_control", "before", 150, 610),
        ("buffer_control", "after", 140, 560),
    ]
    result = displacement_analysis(table(rows, harm=True))
    assert result.count.wdd.estimate == -118
    assert result.count.wdq.wdq == pytest.approx((157 / 318 - 178 / 308) / (110 / 318 - 207 / 308))
    assert result.harm.wdd.estimate == (420 - 900) - (1300 - 1200) + (640 - 700) - (560 - 610)
    assert result.harm.wdq.measure == "harm"
    assert len(result.inputs) == 8
    document = result.to_dict()
    assert json.dumps(document, allow_nan=False)
    assert document["count"]["wdd"]["cells"][0] == {
        "area": "target",
        "period": "before",
        "count": 207.0,
        "harm": None,
        "divisor": 1.0,
        "value": 207.0,
        "variance": 207.0,
    }
    assert document["harm"]["wdd"]["cells"][0] == {
        "area": "target",
        "period": "before",
        "count": 207.0,
        "harm": 900.0,
        "divisor": 1.0,
        "value": 900.0,
        "variance": pytest.approx(900.0**2 / 207),
    }
    frame = result.to_frame()
    assert set(frame["statistic"]) >= {"wdd", "wdd_local", "wdd_displacement", "wdq"}


def test_the_table_analysis_still_gives_the_wdd_when_the_wdq_cannot_be_computed():
    rows = [
        ("target", "before", 20),
        ("target", "after", 10),
        ("control", "before", 0),
        ("control", "after", 5),
        ("buffer", "before", 10),
        ("buffer", "after", 12),
    ]
    result = displacement_analysis(table(rows))
    assert result.count.wdq is None
    assert "control area, before period: 0 crimes" in result.count.wdq_not_given
    assert result.count.wdd.estimate == (10 - 20) + (12 - 10) - 2 * (5 - 0)
    no_buffer = displacement_analysis(table(rows[:4]))
    assert no_buffer.count.wdq_not_given == "no WDQ: it needs a buffer area"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("target", "before", 1), ("target", "after", 1), ("contrl", "before", 1)],
            "column 'area', row 3: expected one of target, buffer, control, buffer_control, found 'contrl'",
        ),
        ([("target", "before", 1), ("target", "during", 1)], "column 'period', row 2"),
        (
            [("target", "before", 1), ("target", "after", 1), ("control", "before", 1), ("control", "after", 1), ("target", "before", 3)],
            "row 5: target area, before period is given again (first on row 1)",
        ),
        ([("target", "before", 1), ("target", "after", 1)], "no counts for the control area"),
        ([("target", "before", 1), ("control", "before", 1), ("control", "after", 1)], "target area: no count for the after period"),
        ([("target", "before", 1), ("target", "after", -2), ("control", "before", 1), ("control", "after", 1)], "column 'count', row 2: a negative count"),
        ([("target", "before", 1), ("target", "after", "x"), ("control", "before", 1), ("control", "after", 1)], "column 'count', row 2: expected a number"),
    ],
)
def test_a_bad_counts_table_is_refused_with_the_row_and_what_was_wrong(rows, message):
    with pytest.raises(AnalysisInputError) as caught:
        displacement_analysis(table(rows).astype(str))
    assert message in str(caught.value)


def test_harm_without_crimes_is_refused():
    rows = [("target", "before", 0, 5), ("target", "after", 1, 1), ("control", "before", 1, 1), ("control", "after", 1, 1)]
    with pytest.raises(AnalysisInputError, match="target area, before period: a harm total of 5 with 0 crimes"):
        displacement_analysis(table(rows, harm=True))


def test_counts_are_read_from_a_file_with_area_names_written_loosely(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "area,period,count\nTarget,Before,12\ntarget,after,7\nControl,before,30\ncontrol,after,31\n"
        "Buffer Control,before,4\nbuffer-control,after,5\nbuffer,before,9\nbuffer,after,9\n"
    )
    counts = read_displacement_counts(path)
    assert set(counts["area"]) == {"target", "control", "buffer", "buffer_control"}


# --------------------------------------------------------------------------------------------------
# Indicator series before and after, against a control


def monthly(n):
    return np.arange("2023-01", np.datetime64("2023-01") + n, dtype="datetime64[M]").astype("datetime64[D]")


def test_difference_in_differences_of_means_with_its_welch_standard_error():
    dates = monthly(8)
    target = np.array([10, 12, 11, 13, 6, 7, 5, 6], dtype=float)
    control = np.array([20, 21, 19, 20, 20, 22, 21, 21], dtype=float)
    result = before_after_with_control(dates, target, control, intervention_date="2023-05-01")
    assert (result.n_before, result.n_after) == (4, 4)
    assert result.difference_in_differences == pytest.approx((6 - 11.5) - (21 - 20))
    parts = [np.var(x, ddof=1) / 4 for x in (target[:4], target[4:], control[:4], control[4:])]
    assert result.did_se == pytest.approx(math.sqrt(sum(parts)))
    df = sum(parts) ** 2 / sum(p * p / 3 for p in parts)
    assert result.did_df == pytest.approx(df)
    half = stats.t.ppf(0.975, df) * result.did_se
    assert (result.did_ci_low, result.did_ci_high) == (
        pytest.approx(result.difference_in_differences - half),
        pytest.approx(result.difference_in_differences + half),
    )
    assert result.ratio_of_ratios == pytest.approx((24 / 46) / (84 / 80))
    log_se = math.sqrt(1 / 24 + 1 / 46 + 1 / 84 + 1 / 80)
    assert result.ratio_ci_low == pytest.approx(result.ratio_of_ratios * math.exp(-1.959963985 * log_se))
    assert result.percent_change == pytest.approx((result.ratio_of_ratios - 1) * 100)
    assert json.dumps(result.to_dict(), allow_nan=False)


def test_the_ratio_of_ratios_is_withheld_for_rates_and_for_empty_periods():
    dates = monthly(6)
    rates = before_after_with_control(dates, [1.5, 2.5, 2.0, 1.0, 1.2, 0.8], [3, 3, 4, 3, 4, 3], intervention_date="2023-04-01")
    assert rates.ratio_of_ratios is None and "not counts" in rates.ratio_not_given
    empty = before_after_with_control(dates, [0, 0, 0, 1, 2, 1], [3, 3, 4, 3, 4, 3], intervention_date="2023-04-01")
    assert empty.ratio_of_ratios is None
    assert "the target series has no events in the before period" in empty.ratio_not_given
    assert json.dumps(empty.to_dict(), allow_nan=False)


def test_a_period_with_fewer_than_two_observations_is_refused():
    with pytest.raises(AnalysisInputError, match="1 before and 5 on or after 2023-02-01"):
        before_after_with_control(monthly(6), [1] * 6, [2] * 6, intervention_date="2023-02-01")


def test_a_repeated_date_in_the_series_file_is_refused(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("date,target,control\n2023-01-01,1,2\n2023-02-01,1,2\n2023-01-01,3,4\n")
    with pytest.raises(AnalysisInputError, match="column 'date', row 3: the date 2023-01-01 is given a second time"):
        read_indicator_series(path)


# --------------------------------------------------------------------------------------------------
# Command line


runner = CliRunner()


def test_the_command_takes_counts_as_options_and_prints_json():
    options = [f"--{k.replace('_', '-')}={v}" for k, v in PAPER.items()]
    result = runner.invoke(app, ["analyse", "displacement", *options, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["count"]["wdd"]["estimate"] == -118
    assert document["count"]["wdq"]["formulas"]["wdq"].startswith("(B_a/C_a − B_b/C_b)")
    assert document["harm"] is None


def test_the_command_reads_a_counts_file_with_harm(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "area,period,count,harm\ntarget,before,30,120\ntarget,after,18,50\ncontrol,before,60,240\n"
        "control,after,62,250\nbuffer,before,25,90\nbuffer,after,27,100\n"
    )
    result = runner.invoke(app, ["analyse", "displacement", str(path), "--before-days", "365", "--after-days", "182"])
    assert result.exit_code == 0, result.output
    assert "[count] shared control" in result.stdout and "[harm] shared control" in result.stdout


def test_the_command_compares_an_indicator_series(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text(
        "month,burglary,elsewhere\n"
        + "".join(f"2023-{m:02d}-01,{t},{c}\n" for m, t, c in [(1, 10, 20), (2, 12, 21), (3, 11, 19), (4, 6, 20), (5, 7, 22), (6, 5, 21)])
    )
    result = runner.invoke(
        app,
        [
            "analyse",
            "displacement",
            "--series",
            str(path),
            "--date-column",
            "month",
            "--target-column",
            "burglary",
            "--control-column",
            "elsewhere",
            "--intervention",
            "2023-04-01",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_before"] == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--target-before", "5", "--target-after", "-3", "--control-before", "4", "--control-after", "4"], "--target-after: a negative count"),
        (["--target-before", "5", "--target-after", "3"], "no counts for the control area"),
        ([], "give the counts"),
    ],
)
def test_the_command_fails_cleanly_on_bad_counts(arguments, message):
    result = runner.invoke(app, ["analyse", "displacement", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
