"""Intervals, glide paths, status, trend and forecast: the statistics behind honest status."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rocc.measures.stats import (
    GlidePath,
    forecast,
    poisson_interval,
    rate_interval,
    status_assess,
    status_naive,
    trend_fit,
)


def test_garwood_interval_matches_published_values():
    # Exact Poisson 95% limits tabulated for small counts (e.g. Ulm 1990): 0 → (0, 3.689), 5 → (1.623, 11.668).
    assert poisson_interval(0) == pytest.approx((0.0, 3.6889), abs=1e-3)
    assert poisson_interval(5) == pytest.approx((1.6235, 11.6683), abs=1e-3)


def test_rate_interval_scales_the_count_interval_and_zero_population_gives_no_rate():
    low, high = rate_interval(5, 2000, 10000)
    assert (low, high) == pytest.approx((1.6235 / 2000 * 10000, 11.6683 / 2000 * 10000), rel=1e-3)
    assert rate_interval(5, 0, 10000) is None


def test_glide_path_runs_from_baseline_to_target_and_stays_at_the_target():
    glide = GlidePath(dt.date(2011, 6, 30), 100.0, dt.date(2017, 6, 30), 75.0)
    assert glide.at(dt.date(2011, 6, 30)) == 100.0
    assert glide.at(dt.date(2014, 6, 30)) == pytest.approx(87.5, abs=0.02)
    assert glide.at(dt.date(2020, 6, 30)) == 75.0


def test_a_small_number_series_a_naive_comparison_calls_off_track_is_not_off_track():
    # A district of 1,500 young people: baseline 12 appearances (80 per 10,000), target −25% by now (60 per 10,000).
    # This year 14 appearances (93.3 per 10,000): worse than the glide path on its face, but 14 is well within the
    # chance variation of a count whose expected value is 9.
    glide = GlidePath(dt.date(2011, 6, 30), 80.0, dt.date(2017, 6, 30), 60.0)
    value = 14 / 1500 * 10000
    assert status_naive(value=value, expected=glide.at(dt.date(2017, 6, 30)), lower_is_better=True) == "off_track"
    result = status_assess(value=value, day=dt.date(2017, 6, 30), glide=glide, lower_is_better=True, count=14, denominator=1500, factor=10000)
    assert result.status == "at_risk"
    assert result.interval[0] < 60.0 < result.interval[1]


def test_the_same_rate_on_large_numbers_is_off_track():
    glide = GlidePath(dt.date(2011, 6, 30), 80.0, dt.date(2017, 6, 30), 60.0)
    count, population = 1400, 150000  # 93.3 per 10,000 again, but from a count of 1,400
    result = status_assess(
        value=count / population * 10000, day=dt.date(2017, 6, 30), glide=glide, lower_is_better=True, count=count, denominator=population, factor=10000
    )
    assert result.status == "off_track"


def test_on_track_when_better_than_the_glide_path_whatever_the_polarity():
    glide = GlidePath(dt.date(2020, 1, 31), 10.0, dt.date(2021, 1, 31), 20.0)
    assert status_assess(value=25.0, day=dt.date(2021, 1, 31), glide=glide, lower_is_better=False).status == "on_track"
    assert status_assess(value=None, day=None, glide=glide, lower_is_better=False).status == "not_enough_data"
    assert status_assess(value=5.0, day=dt.date(2021, 1, 31), glide=None, lower_is_better=False).status == "not_enough_data"


def _years(n):
    return [dt.date(2010 + i, 6, 30) for i in range(n)]


def test_poisson_trend_recovers_a_known_decline_and_calls_it_significant():
    rng = np.random.default_rng(7)
    days = _years(8)
    population = [100000.0] * 8
    counts = [float(rng.poisson(1000 * 0.9**i)) for i in range(8)]
    trend = trend_fit(days=days, counts=counts, denominators=population, factor=10000)
    assert trend.percent_per_year == pytest.approx(-10, abs=2.5)
    assert trend.p_value < 0.001 and trend.significant


def test_a_flat_noisy_small_series_has_no_significant_trend():
    days = _years(6)
    trend = trend_fit(days=days, counts=[5, 3, 6, 4, 5, 4], denominators=[2000] * 6, factor=10000)
    assert not trend.significant


def test_poisson_trend_matches_a_reference_fit_by_scipy_optimisation():
    days = _years(6)
    counts = np.array([50, 44, 47, 38, 35, 33], dtype=float)
    den = np.array([10000, 10100, 10200, 10300, 10400, 10500], dtype=float)
    trend = trend_fit(days=days, counts=list(counts), denominators=list(den), factor=1)
    t = np.array([(d - days[0]).days / 365.25 for d in days])

    def nll(beta):
        mu = np.exp(beta[0] + beta[1] * t) * den
        return float(np.sum(mu - counts * np.log(mu)))

    from scipy.optimize import minimize

    best = minimize(nll, x0=[np.log(counts.sum() / den.sum()), 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    assert trend.slope_per_year == pytest.approx(best.x[1], abs=1e-4)


def test_forecast_interval_contains_the_point_and_widens_with_distance():
    days = _years(6)
    trend = trend_fit(days=days, counts=[100, 95, 90, 85, 82, 78], denominators=[10000] * 6, factor=10000)
    future = forecast(trend, days=[dt.date(2016, 6, 30), dt.date(2018, 6, 30)], denominator=10000)
    for point in future:
        assert point.low < point.value < point.high
    assert (future[1].high - future[1].low) > (future[0].high - future[0].low)


def test_trend_without_counts_uses_log_linear_least_squares():
    trend = trend_fit(days=_years(4), values=[100, 90, 81, 72.9])
    assert trend.method == "log-linear least squares"
    assert trend.percent_per_year == pytest.approx(-10, abs=0.1)
