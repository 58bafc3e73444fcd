"""Space–time interaction beyond Knox: the Jacquez k-nearest-neighbour test, the Mantel test and near-repeat chains,
each against a pair-by-pair oracle (including its permutations, draw for draw), and the chains checked against the
Knox table of the same month of Chicago burglaries."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import pearsonr
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import date_column, numeric_column, read_table
from rocc.analysis.near_repeat import near_repeat_knox
from rocc.analysis.space_time import MAX_MANTEL_EVENTS, jacquez_knn, mantel_test, near_repeat_chains
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

CHICAGO = Path(__file__).parent / "data" / "chicago_burglary_month1_nearrepeat.csv"


# --- the oracles: every pair, one at a time -------------------------------------------------------------------


def distance(xs, ys, i, j, metric):
    dx, dy = xs[i] - xs[j], ys[i] - ys[j]
    return abs(dx) + abs(dy) if metric == "manhattan" else math.sqrt(dx * dx + dy * dy)


def oracle_jacquez(xs, ys, days, k_max, metric):
    n = len(xs)
    counts = [0] * k_max
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            d_ij, t_ij = distance(xs, ys, i, j, metric), abs(days[i] - days[j])
            space_rank = sum(1 for m in range(n) if m != i and distance(xs, ys, i, m, metric) < d_ij)
            time_rank = sum(1 for m in range(n) if m != i and abs(days[i] - days[m]) < t_ij)
            for k in range(1, k_max + 1):
                if space_rank < k and time_rank < k:
                    counts[k - 1] += 1
    return counts


def oracle_mantel_r(xs, ys, days, metric, transform, c_s=1.0, c_t=1.0):
    f, g = [], []
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            d, t = distance(xs, ys, i, j, metric), abs(days[i] - days[j])
            if transform == "reciprocal":
                d, t = 1 / (d + c_s), 1 / (t + c_t)
            f.append(d)
            g.append(t)
    m = len(f)
    mean_f, mean_g = sum(f) / m, sum(g) / m
    cross = sum((a - mean_f) * (b - mean_g) for a, b in zip(f, g))
    return cross / math.sqrt(sum((a - mean_f) ** 2 for a in f) * sum((b - mean_g) ** 2 for b in g)), sum(a * b for a, b in zip(f, g))


def oracle_chains(xs, ys, days, max_distance, max_days, metric):
    n = len(xs)
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    links = same_place = 0
    for i in range(n):
        for j in range(i + 1, n):
            d = distance(xs, ys, i, j, metric)
            if d <= max_distance and abs(days[i] - days[j]) <= max_days:
                links += 1
                same_place += d == 0
                parent[root(i)] = root(j)
    groups: dict[int, set[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), set()).add(i)
    return {frozenset(g) for g in groups.values() if len(g) > 1}, links, same_place


@st.composite
def events(draw, min_events=2, max_events=18):
    n = draw(st.integers(min_events, max_events))
    xs = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n).filter(lambda d: len(set(d)) > 1))
    return [float(v) for v in xs], [float(v) for v in ys], days


# --- Jacquez -----------------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(events(min_events=3), st.integers(1, 6), st.sampled_from(["euclidean", "manhattan"]))
def test_jacquez_counts_the_pairs_that_are_k_nearest_in_both_space_and_time_ties_included(data, k_max, metric):
    xs, ys, days = data
    k_max = min(k_max, len(xs) - 1)
    result = jacquez_knn(x=xs, y=ys, dates=days, k_max=k_max, metric=metric, permutations=1, seed=0)
    assert result.j_observed.tolist() == oracle_jacquez(xs, ys, days, k_max, metric)
    assert result.delta_observed.tolist() == np.diff(result.j_observed, prepend=0).tolist()


@settings(max_examples=20, deadline=None)
@given(events(min_events=4, max_events=10), st.integers(1, 3), st.integers(1, 15), st.integers(0, 2**32))
def test_jacquez_permutations_are_the_oracles_draw_for_draw(data, k_max, permutations, seed):
    xs, ys, days = data
    k_max = min(k_max, len(xs) - 1)
    result = jacquez_knn(x=xs, y=ys, dates=days, k_max=k_max, permutations=permutations, seed=seed)
    observed = np.array(oracle_jacquez(xs, ys, days, k_max, "euclidean"))
    rng = np.random.default_rng(seed)
    draws = np.array([oracle_jacquez(xs, ys, [days[p] for p in rng.permutation(len(days))], k_max, "euclidean") for _ in range(permutations)])
    assert result.j_expected == pytest.approx(draws.mean(axis=0))
    assert result.j_p_value.tolist() == pytest.approx(((1 + (draws >= observed).sum(axis=0)) / (permutations + 1)).tolist())
    deltas = np.diff(draws, axis=1, prepend=0)
    assert result.delta_p_value.tolist() == pytest.approx(((1 + (deltas >= np.diff(observed, prepend=0)).sum(axis=0)) / (permutations + 1)).tolist())
    assert result.seed == seed


def test_jacquez_finds_interaction_in_a_spree_and_none_in_shuffled_dates():
    # A spree moving along a road, a street a day: each event's nearest in space is its nearest in time.
    rng = np.random.default_rng(3)
    spree_x = 50.0 * np.arange(40) + rng.normal(0, 5, 40)
    spree_y = rng.normal(0, 5, 40)
    background = rng.uniform(-5000, 5000, (200, 2))
    xs = np.r_[spree_x, background[:, 0]]
    ys = np.r_[spree_y, background[:, 1]]
    days = np.r_[100 + np.arange(40), rng.integers(0, 365, 200)]
    found = jacquez_knn(x=xs, y=ys, dates=days, k_max=5, permutations=199, seed=1)
    assert found.j_p_value[0] <= 0.01 and found.j_observed[0] > 2 * found.j_expected[0]
    assert "near in space are near in time too" in found.summary
    shuffled = jacquez_knn(x=xs, y=ys, dates=rng.permutation(days), k_max=5, permutations=199, seed=1)
    assert (shuffled.j_p_value > 0.01).all()
    frame = found.to_frame()
    assert list(frame["k"]) == [1, 2, 3, 4, 5] and frame.loc[0, "j_observed"] == found.j_observed[0]
    assert json.dumps(found.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"x": [0, 1, float("nan")], "y": [0, 1, 2], "dates": [0, 1, 2]}, "column 'x', row 3"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": [0, 1, 2], "k_max": 3}, "less than the number of events (3)"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": [5, 5, 5], "k_max": 1}, "at least two different days"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": [0, 1, 2], "k_max": 0}, "k_max"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": [0, 1, 2], "k_max": 1, "metric": "chebyshev"}, "unknown metric"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": [0, 1, 2], "k_max": 1, "permutations": 0}, "permutations"),
    ],
)
def test_jacquez_refuses_what_it_cannot_use_and_says_where(arguments, message):
    with pytest.raises(AnalysisInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        jacquez_knn(**arguments)


# --- Mantel ------------------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(events(min_events=3), st.sampled_from(["euclidean", "manhattan"]), st.sampled_from(["reciprocal", "none"]), st.sampled_from([0.5, 1.0, 25.0]))
def test_mantel_r_is_the_pearson_correlation_of_the_pairs_distances(data, metric, transform, constant):
    xs, ys, days = data
    spread_x = len({(a, b) for a, b in zip(xs, ys)}) > 1
    if not spread_x:
        return
    result = mantel_test(x=xs, y=ys, dates=days, metric=metric, transform=transform, space_constant=constant, time_constant=constant, permutations=1, seed=0)
    r, statistic = oracle_mantel_r(xs, ys, days, metric, transform, constant, constant)
    assert result.r == pytest.approx(r, abs=1e-9)
    assert result.statistic == pytest.approx(statistic, rel=1e-9)
    assert result.n_pairs == len(xs) * (len(xs) - 1) // 2


def test_mantel_agrees_with_scipys_pearson_on_the_chicago_month():
    frame = read_table(CHICAGO, header=False)
    xs, ys, days = numeric_column(frame, "1"), numeric_column(frame, "2"), date_column(frame, "3").astype(np.int64)
    result = mantel_test(x=xs, y=ys, dates=days, transform="none", permutations=9, seed=1)
    i, j = np.triu_indices(len(xs), 1)
    r, _ = pearsonr(np.hypot(xs[i] - xs[j], ys[i] - ys[j]), np.abs(days[i] - days[j]).astype(float))
    assert result.r == pytest.approx(r, abs=1e-10)


@settings(max_examples=20, deadline=None)
@given(events(min_events=4, max_events=12), st.integers(1, 20), st.integers(0, 2**32))
def test_mantel_permutations_are_the_oracles_draw_for_draw(data, permutations, seed):
    xs, ys, days = data
    if len({(a, b) for a, b in zip(xs, ys)}) == 1:
        return
    result = mantel_test(x=xs, y=ys, dates=days, permutations=permutations, seed=seed)
    observed, _ = oracle_mantel_r(xs, ys, days, "euclidean", "reciprocal")
    rng = np.random.default_rng(seed)
    draws = np.array([oracle_mantel_r(xs, ys, [days[p] for p in rng.permutation(len(days))], "euclidean", "reciprocal")[0] for _ in range(permutations)])
    assert result.expected_r == pytest.approx(draws.mean(), abs=1e-9)
    assert result.p_value == pytest.approx((1 + (draws >= observed - 1e-12).sum()) / (permutations + 1))


def test_mantel_finds_interaction_in_a_spree():
    rng = np.random.default_rng(5)
    xs = np.r_[rng.normal(0, 30, 30), rng.uniform(-5000, 5000, 150)]
    ys = np.r_[rng.normal(0, 30, 30), rng.uniform(-5000, 5000, 150)]
    days = np.r_[rng.integers(50, 53, 30), rng.integers(0, 365, 150)]
    result = mantel_test(x=xs, y=ys, dates=days, permutations=199, seed=2)
    assert result.p_value <= 0.01 and result.z > 3
    assert result.summary.startswith("Events close in space tend to be close in time")


def test_mantel_refuses_more_events_than_it_can_pair_and_bad_constants():
    many = np.arange(MAX_MANTEL_EVENTS + 1, dtype=float)
    with pytest.raises(AnalysisInputError, match="at most 5,000 events"):
        mantel_test(x=many, y=many, dates=many.astype(int))
    with pytest.raises(AnalysisInputError, match="space constant"):
        mantel_test(x=[0, 1, 2], y=[0, 1, 2], dates=[0, 1, 2], space_constant=0)
    with pytest.raises(AnalysisInputError, match="unknown transform"):
        mantel_test(x=[0, 1, 2], y=[0, 1, 2], dates=[0, 1, 2], transform="log")


# --- chains ------------------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(events(), st.integers(0, 8), st.integers(0, 10), st.sampled_from(["euclidean", "manhattan"]))
def test_chains_are_the_groups_linked_within_the_distance_and_days_both_inclusive(data, max_distance, max_days, metric):
    xs, ys, days = data
    result = near_repeat_chains(x=xs, y=ys, dates=days, max_distance=max_distance, max_days=max_days, metric=metric)
    groups, links, same_place = oracle_chains(xs, ys, days, max_distance, max_days, metric)
    assert {frozenset(c.events) for c in result.chains} == groups
    assert result.links == links and result.same_place_links == same_place
    assert sum(c.links for c in result.chains) == links
    assert result.events_in_chains == sum(len(g) for g in groups) == int((result.chain_of > 0).sum())
    assert sum(size * count for size, count in result.chains_by_size.items()) == result.events_in_chains
    sizes = [c.size for c in result.chains]
    assert sizes == sorted(sizes, reverse=True)
    for chain in result.chains:
        chain_days = [days[e] for e in chain.events]
        assert chain_days == sorted(chain_days) and chain.originator == chain.events[0]
        assert chain.span_days == max(chain_days) - min(chain_days)
        assert all(result.chain_of[e] == chain.chain for e in chain.events)


def test_chain_links_are_the_knox_pairs_within_the_same_distance_and_days_on_the_chicago_month():
    """The Knox table (which reproduces the Near Repeat Calculator) and the chains count the same pairs."""
    frame = read_table(CHICAGO, header=False)
    xs, ys, days = numeric_column(frame, "1"), numeric_column(frame, "2"), date_column(frame, "3")
    chains = near_repeat_chains(x=xs, y=ys, dates=days, max_distance=400, max_days=7)
    # Knox bands are half-open: [0, 400.000…1) metres and [0, 8) days hold the pairs at most 400 m and 7 days apart.
    knox = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=[0, np.nextafter(400, 500)], day_bands=[0, 8], permutations=1, seed=0)
    assert chains.links == int(knox.observed[0, 0])
    assert chains.events_in_chains == 421 and len(chains.chains) == 150 and chains.chains[0].size == 18
    table = chains.to_frame()
    assert len(table) == 421 and table.groupby("chain")["chain_size"].first().sum() == 421
    assert (table[table["order"] == 1]["days_after_first"] == 0).all()
    assert "421 of 970 events (43%) are within 400 m and 7 days of another, forming 150 chains" in chains.summary


def test_chains_list_identifiers_and_refuse_a_negative_distance():
    result = near_repeat_chains(
        x=[0, 10, 5000], y=[0, 0, 0], dates=["2024-01-01", "2024-01-03", "2024-01-03"], max_distance=50, max_days=2, ids=["A", "B", "C"]
    )
    assert result.to_frame()["id"].tolist() == ["A", "B"] and result.isolated_events == 1
    assert result.to_dict()["chains_by_size"] == {"2": 1}
    with pytest.raises(AnalysisInputError, match="distance must be"):
        near_repeat_chains(x=[0, 1], y=[0, 1], dates=[0, 1], max_distance=-1, max_days=2)
    with pytest.raises(AnalysisInputError, match="column 'id'"):
        near_repeat_chains(x=[0, 1], y=[0, 1], dates=[0, 1], max_distance=1, max_days=2, ids=["A"])


# --- the command line -------------------------------------------------------------------------------------------


def test_the_command_line_runs_each_test_on_a_file():
    runner = CliRunner()
    common = ["analyse", "space-time", str(CHICAGO), "--no-header", "--x", "1", "--y", "2", "--date", "3", "--json"]
    chains = runner.invoke(app, [*common, "--method", "chains", "--distance", "400", "--days", "7"])
    assert chains.exit_code == 0, chains.output
    assert json.loads(chains.stdout)["events_in_chains"] == 421
    jacquez = runner.invoke(app, [*common, "--method", "jacquez", "--k", "3", "--permutations", "19"])
    assert jacquez.exit_code == 0, jacquez.output
    assert json.loads(jacquez.stdout)["k_max"] == 3
    mantel = runner.invoke(
        app, ["analyse", "space-time", str(CHICAGO), "--no-header", "--x", "1", "--y", "2", "--date", "3", "--method", "mantel", "--permutations", "19"]
    )
    assert mantel.exit_code == 0 and "Mantel r =" in mantel.stdout
    bad = runner.invoke(app, [*common, "--method", "chains"])
    assert bad.exit_code == 2 and "--distance" in bad.output
