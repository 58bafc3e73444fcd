"""Concentration rounded out: the bootstrap interval of the Gini (replicates checked draw for draw against a pure-Python
resampling) and the chance baseline (the Lorenz curve and Gini of the Poisson distribution, against the mean absolute
difference written out)."""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from rocc.analysis.concentration import concentration, poisson_lorenz
from rocc.analysis.errors import AnalysisInputError


def pure_gini(values, n_units):
    values = list(values) + [0.0] * (n_units - len(values))
    mean = sum(values) / n_units
    return sum(abs(a - b) for a in values for b in values) / (2 * n_units**2 * mean)


def pure_gini_of_counts(counts, n_units):
    """pure_gini of whole counts, its sums taken in integers: each of pure_gini's running sums is then a whole number
    that a float holds exactly, so the two give the same float (the divisions are the same operations on the same
    numbers), in a fraction of the time."""
    values = np.zeros(n_units, dtype=np.int64)
    values[: len(counts)] = counts
    assert values.sum() == sum(counts) < 2**53
    differences = int(np.abs(values[:, None] - values[None, :]).sum())
    mean = int(values.sum()) / n_units
    return differences / (2 * n_units**2 * mean)


def pure_gini_of_events(units, weights, n_units):
    totals: dict = {}
    for i, unit in enumerate(units):
        totals[unit] = totals.get(unit, 0.0) + (1.0 if weights is None else weights[i])
    return pure_gini([v for v in totals.values() if v > 0], n_units)


def pure_bootstrap(units, weights, n_units, replicates, seed, confidence):
    """The BCa interval written out from its definition (Efron and Tibshirani 1993, 14.3): the replicates drawn as the
    library draws them, z0 from the share below the Gini (ties half), the acceleration from a jackknife that
    recomputes the Gini with each event left out."""
    rng = np.random.default_rng(seed)
    ginis = []
    for _ in range(replicates):
        drawn = rng.integers(0, len(units), len(units))
        ginis.append(pure_gini_of_events([units[i] for i in drawn], None if weights is None else [weights[i] for i in drawn], n_units))
    gini = pure_gini_of_events(units, weights, n_units)
    jack = [pure_gini_of_events(units[:i] + units[i + 1 :], None if weights is None else weights[:i] + weights[i + 1 :], n_units) for i in range(len(units))]
    tail = (1 - confidence) / 2
    share = (sum(g < gini for g in ginis) + sum(g <= gini for g in ginis)) / (2 * replicates)
    if share in (0.0, 1.0):
        low, high = 2 * gini - float(np.quantile(ginis, 1 - tail)), 2 * gini - float(np.quantile(ginis, tail))
        return (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)), "basic"
    z0 = NormalDist().inv_cdf(share)
    mean = sum(jack) / len(jack)
    d = [mean - j for j in jack]
    spread = sum(v * v for v in d)
    a = sum(v**3 for v in d) / (6 * spread**1.5) if spread > 0 else 0.0
    levels = [NormalDist().cdf(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in (NormalDist().inv_cdf(tail), NormalDist().inv_cdf(1 - tail))]
    low, high = (float(v) for v in np.quantile(ginis, levels))
    return (min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)), "BCa"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefg"), min_size=2, max_size=30),
    st.integers(0, 5),
    st.integers(1, 40),
    st.integers(0, 2**32),
    st.sampled_from([0.8, 0.9, 0.95]),
    st.booleans(),
)
def test_the_bootstrap_interval_is_the_bca_interval_of_the_resampled_ginis(units, extra_units, replicates, seed, confidence, weighted):
    weights = [float(1 + (i % 3)) for i in range(len(units))] if weighted else None
    n_units = len(set(units)) + extra_units
    result = concentration(units=units, weights=weights, units_total=n_units, bootstrap=replicates, seed=seed, confidence=confidence)
    expected, method = pure_bootstrap(units, weights, n_units, replicates, seed, confidence)
    assert result.gini_interval == pytest.approx(expected, abs=1e-9)
    assert result.gini_interval_method == method and method in result.parameters["gini_interval"]
    assert (result.gini_bca_z0 is None) == (method == "basic")
    assert result.seed == seed and result.bootstrap == replicates and result.confidence == confidence
    if not weighted:
        assert result.generalised_gini_interval is not None and result.generalised_gini_interval[0] <= result.generalised_gini_interval[1]


def test_a_larger_sample_gives_a_narrower_interval_around_the_gini():
    rng = np.random.default_rng(4)
    small = rng.zipf(1.8, 200) % 500
    large = rng.zipf(1.8, 20000) % 500
    narrow = concentration(units=large, units_total=500, bootstrap=199, seed=1)
    wide = concentration(units=small, units_total=500, bootstrap=199, seed=1)
    # Resampling events makes the Gini run high, so the intervals lie around the bias-corrected Gini, not the raw one.
    for result in (narrow, wide):
        assert result.gini_interval[0] <= result.gini - result.gini_bootstrap_bias <= result.gini_interval[1]
    assert narrow.gini_interval[1] - narrow.gini_interval[0] < wide.gini_interval[1] - wide.gini_interval[0]
    assert json.dumps(narrow.to_dict(), allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=2, max_size=60),
    st.integers(0, 20),
    st.lists(st.floats(0.5, 4.0), min_size=60, max_size=60),
    st.booleans(),
)
def test_the_jackknife_by_running_sums_is_the_gini_recomputed_without_each_event(units, extra_units, weights, weighted):
    from rocc.analysis.concentration import jackknife_ginis

    labels = sorted(set(units))
    position = np.array([labels.index(u) for u in units])
    w = weights[: len(units)] if weighted else None
    n_units = len(labels) + extra_units
    got = jackknife_ginis(position, None if w is None else np.array(w), n_labels=len(labels), n_units=n_units)
    for i in range(len(units)):
        expected = pure_gini_of_events(units[:i] + units[i + 1 :], None if w is None else w[:i] + w[i + 1 :], n_units)
        assert got[i] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("seed", "replicates", "confidence"), [(1, 999, 0.95), (7, 500, 0.9), (20261202, 2000, 0.95)])
def test_the_interval_is_scipys_bca_on_the_same_resamples(seed, replicates, confidence):
    from scipy.stats import bootstrap

    rng = np.random.default_rng(3)
    units = (rng.zipf(1.6, 120) % 60).tolist()
    n_units = 80
    labels = sorted(set(units))
    position = np.array([labels.index(u) for u in units], dtype=float)

    def counts(sample):
        return [v for v in np.bincount(sample.astype(int), minlength=len(labels)) if v > 0]

    def gini(sample):
        return pure_gini_of_counts(counts(sample), n_units)

    # SciPy calls the statistic once per resample and per event left out: the written-out Gini, with its pairs summed
    # in whole numbers, is the same float as pure_gini's, bit for bit.
    draws = [position] + [position[np.random.default_rng(s).integers(0, len(position), len(position))] for s in range(20)]
    assert all(gini(sample) == pure_gini(counts(sample), n_units) for sample in draws)
    theirs = bootstrap((position,), gini, vectorized=False, n_resamples=replicates, method="BCa", confidence_level=confidence, rng=np.random.default_rng(seed))
    ours = concentration(units=units, units_total=n_units, bootstrap=replicates, seed=seed, confidence=confidence)
    assert ours.gini_interval_method == "BCa"
    assert ours.gini_interval == pytest.approx((theirs.confidence_interval.low, theirs.confidence_interval.high), abs=1e-12)


def test_when_every_replicate_is_on_one_side_of_the_gini_the_basic_interval_is_given_and_named():
    # 20,000 events over 500 units: all 199 replicates' Ginis are above the Gini, so z0 is infinite and no BCa exists.
    units = np.random.default_rng(4).zipf(1.8, 20000) % 500
    result = concentration(units=units, units_total=500, bootstrap=199, seed=1)
    assert result.gini_interval_method == "basic" and result.gini_bca_z0 is None and "basic" in result.parameters["gini_interval"]
    assert any("basic bootstrap interval" in note for note in result.notes)
    replicates = result.gini - result.gini_bootstrap_bias  # the interval lies around the bias-corrected Gini
    assert result.gini_interval[0] <= replicates <= result.gini_interval[1] < result.gini


@pytest.mark.parametrize("mean", [0.05, 0.4, 1.0, 3.0, 25.0])
def test_the_chance_gini_is_the_poisson_mean_absolute_difference_over_twice_the_mean(mean):
    k = np.arange(int(poisson.isf(1e-16, mean)) + 2)
    p = poisson.pmf(k, mean)
    expected = float(np.sum(np.abs(k[:, None] - k[None, :]) * p[:, None] * p[None, :]) / (2 * mean))
    lorenz, gini = poisson_lorenz(mean)
    assert gini == pytest.approx(expected, abs=1e-9)
    assert lorenz[0] == [0.0, 0.0] and lorenz[-1] == [1.0, 1.0]
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in zip(lorenz, lorenz[1:]))


def test_the_chance_gini_of_a_large_mean_approaches_one_over_root_pi_mean():
    _, gini = poisson_lorenz(400.0)
    assert gini == pytest.approx(1 / math.sqrt(math.pi * 400.0), rel=0.01)


def test_sparse_events_are_concentrated_by_chance_alone_and_the_result_says_how_much():
    # 50 events over 1,000 street segments: even at random almost every segment has none, so the Gini is high.
    rng = np.random.default_rng(2)
    result = concentration(units=rng.integers(0, 1000, 50), units_total=1000, chance_baseline=True)
    assert result.chance_mean == pytest.approx(0.05)
    assert result.chance_gini > 0.9 and result.gini == pytest.approx(result.chance_gini, abs=0.02)
    weighted = concentration(units=["a", "b", "a"], weights=[1, 2, 3], units_total=5, chance_baseline=True)
    assert weighted.chance_gini is None and any("chance baseline is for counts" in n for n in weighted.notes)


def test_existing_figures_are_unchanged_by_the_new_options():
    units = ["a"] * 5 + ["b"] * 2 + ["c"]
    plain = concentration(units=units, units_total=10)
    extended = concentration(units=units, units_total=10, bootstrap=50, seed=3, chance_baseline=True)
    assert (plain.gini, plain.generalised_gini, plain.top_shares, plain.lorenz) == (
        extended.gini,
        extended.generalised_gini,
        extended.top_shares,
        extended.lorenz,
    )
    assert plain.gini_interval is None and plain.chance_gini is None


@pytest.mark.parametrize(("options", "message"), [({"bootstrap": -1}, "bootstrap replicates"), ({"bootstrap": 10, "confidence": 1.0}, "confidence")])
def test_impossible_options_are_refused(options, message):
    with pytest.raises(AnalysisInputError, match=message):
        concentration(units=["a", "b"], **options)
