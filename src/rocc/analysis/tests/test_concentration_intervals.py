"""Concentration rounded out: the bootstrap interval of the Gini (replicates checked draw for draw against a pure-Python
resampling) and the chance baseline (the Lorenz curve and Gini of the Poisson distribution, against the mean absolute
difference written out)."""

from __future__ import annotations

import json
import math

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


def pure_bootstrap(units, weights, n_units, replicates, seed, confidence):
    rng = np.random.default_rng(seed)
    ginis = []
    for _ in range(replicates):
        drawn = rng.integers(0, len(units), len(units))
        totals: dict = {}
        for i in drawn:
            totals[units[i]] = totals.get(units[i], 0.0) + (1.0 if weights is None else weights[i])
        ginis.append(pure_gini([v for v in totals.values() if v > 0], n_units))
    gini = pure_gini([units.count(u) if weights is None else sum(w for v, w in zip(units, weights) if v == u) for u in set(units)], n_units)
    # The percentile interval moved by the bias (the replicates' mean less the Gini), kept within [0, 1].
    bias = sum(ginis) / replicates - gini
    tail = (1 - confidence) / 2
    low, high = float(np.quantile(ginis, tail)) - bias, float(np.quantile(ginis, 1 - tail)) - bias
    return min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefg"), min_size=2, max_size=30),
    st.integers(0, 5),
    st.integers(1, 40),
    st.integers(0, 2**32),
    st.sampled_from([0.8, 0.9, 0.95]),
    st.booleans(),
)
def test_the_bootstrap_interval_is_the_percentiles_of_the_resampled_ginis(units, extra_units, replicates, seed, confidence, weighted):
    weights = [float(1 + (i % 3)) for i in range(len(units))] if weighted else None
    n_units = len(set(units)) + extra_units
    result = concentration(units=units, weights=weights, units_total=n_units, bootstrap=replicates, seed=seed, confidence=confidence)
    assert result.gini_interval == pytest.approx(pure_bootstrap(units, weights, n_units, replicates, seed, confidence), abs=1e-12)
    assert result.seed == seed and result.bootstrap == replicates and result.confidence == confidence
    if not weighted:
        assert result.generalised_gini_interval is not None and result.generalised_gini_interval[0] <= result.generalised_gini_interval[1]


def test_a_larger_sample_gives_a_narrower_interval_around_the_gini():
    rng = np.random.default_rng(4)
    small = rng.zipf(1.8, 200) % 500
    large = rng.zipf(1.8, 20000) % 500
    narrow = concentration(units=large, units_total=500, bootstrap=199, seed=1)
    wide = concentration(units=small, units_total=500, bootstrap=199, seed=1)
    assert narrow.gini_interval[0] <= narrow.gini <= narrow.gini_interval[1]
    assert narrow.gini_interval[1] - narrow.gini_interval[0] < wide.gini_interval[1] - wide.gini_interval[0]
    assert json.dumps(narrow.to_dict(), allow_nan=False)


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
