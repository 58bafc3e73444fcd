"""The near-repeat Knox test: tables and permutations against a pair-by-pair oracle, band edges,
the Near Repeat Calculator compatibility, and the command line on a month of Chicago burglaries."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.near_repeat import SAME_LOCATION, near_repeat_knox, nrc_band_edges
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

INF = math.inf
CHICAGO = Path(__file__).parent / "data" / "chicago_burglary_month1_nearrepeat.csv"
ROCC = Path(sys.executable).parent / "rocc"


# --- the oracle: every pair, one at a time ------------------------------------------------------


def pair_distance(xa, ya, xb, yb, metric, compat=None):
    if compat == "nrc":
        xa, ya, xb, yb = (np.float32(v) for v in (xa, ya, xb, yb))
    dx, dy = abs(xa - xb), abs(ya - yb)
    if metric == "euclidean":
        distance = np.sqrt(dx * dx + dy * dy) if compat == "nrc" else math.sqrt(dx * dx + dy * dy)
    else:
        distance = dx + dy
    # As a Python float, so comparing with an edge never rounds the edge to single precision.
    return float(distance)


def band_of(value, edges):
    for k in range(len(edges) - 1):
        if edges[k] <= value < edges[k + 1]:
            return k
    return None


def oracle_table(xs, ys, days, distance_edges, day_edges, metric="manhattan", compat=None):
    table = [[0] * (len(day_edges) - 1) for _ in range(len(distance_edges) - 1)]
    n = len(xs)
    for i in range(n):
        for j in range(i + 1, n):
            row = band_of(pair_distance(xs[i], ys[i], xs[j], ys[j], metric, compat), distance_edges)
            column = band_of(abs(int(days[i]) - int(days[j])), day_edges)
            if row is not None and column is not None:
                table[row][column] += 1
    return table


def oracle_knox(xs, ys, days, distance_edges, day_edges, *, metric, permutations, seed):
    """Observed, expected and p from the documented recipe: permutation k gives event i the day
    of event perm[i], perm the k-th rng.permutation(n) of default_rng(seed)."""
    observed = oracle_table(xs, ys, days, distance_edges, day_edges, metric)
    rng = np.random.default_rng(seed)
    days = np.asarray(days)
    shuffled = [oracle_table(xs, ys, days[rng.permutation(len(days))], distance_edges, day_edges, metric) for _ in range(permutations)]
    rows, columns = len(observed), len(observed[0])
    expected = [[sum(t[r][c] for t in shuffled) / permutations for c in range(columns)] for r in range(rows)]
    p = [[(1 + sum(t[r][c] >= observed[r][c] for t in shuffled)) / (permutations + 1) for c in range(columns)] for r in range(rows)]
    return observed, expected, p


# --- generated inputs: integer grids, so many pairs sit exactly on band edges --------------------


@st.composite
def edges(draw, top):
    values = sorted(draw(st.sets(st.integers(0, top), min_size=1, max_size=5)))
    if len(values) == 1 or draw(st.booleans()):
        values.append(INF)
    return [float(v) for v in values]


@st.composite
def events(draw, max_events=24):
    n = draw(st.integers(2, max_events))
    xs = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n).filter(lambda d: len(set(d)) > 1))
    return [float(v) for v in xs], [float(v) for v in ys], days


@settings(max_examples=100, deadline=None)
@given(events(), edges(25), edges(32), st.sampled_from(["manhattan", "euclidean"]))
def test_observed_table_equals_the_pair_by_pair_count_including_pairs_on_band_edges(data, distance_edges, day_edges, metric):
    xs, ys, days = data
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance_edges, day_bands=day_edges, metric=metric, permutations=1, seed=0)
    assert result.observed.tolist() == oracle_table(xs, ys, days, distance_edges, day_edges, metric)


@settings(max_examples=40, deadline=None)
@given(events(max_events=14), edges(20), edges(25), st.sampled_from(["manhattan", "euclidean"]), st.integers(1, 30), st.integers(0, 2**32))
def test_expected_and_p_values_equal_the_oracle_shuffling_dates_the_documented_way(data, distance_edges, day_edges, metric, permutations, seed):
    xs, ys, days = data
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance_edges, day_bands=day_edges, metric=metric, permutations=permutations, seed=seed)
    observed, expected, p = oracle_knox(xs, ys, days, distance_edges, day_edges, metric=metric, permutations=permutations, seed=seed)
    assert result.observed.tolist() == observed
    assert result.expected.tolist() == expected
    assert result.p_value.tolist() == p


def test_pairs_exactly_on_an_edge_go_in_the_upper_band():
    # Distances 100 (Manhattan), 50 and 150; gaps of exactly 7 and 14 days.
    result = near_repeat_knox(
        x=[0, 60, 100, 150], y=[0, 40, 0, 0], dates=[0, 7, 14, 21], distance_bands=[0, 50, 100, 200], day_bands=[0, 7, 14, 28], permutations=1, seed=1
    )
    assert result.observed.tolist() == oracle_table([0, 60, 100, 150], [0, 40, 0, 0], [0, 7, 14, 21], [0, 50, 100, 200], [0, 7, 14, 28])
    # The pair (0,0)-(60,40) is 100 apart: Manhattan row [100, 200), Euclidean (72.1) row [50, 100).
    euclidean = near_repeat_knox(
        x=[0, 60], y=[0, 40], dates=[0, 7], distance_bands=[0, 50, 100, 200], day_bands=[0, 7, 14], metric="euclidean", permutations=1, seed=1
    )
    manhattan = near_repeat_knox(x=[0, 60], y=[0, 40], dates=[0, 7], distance_bands=[0, 50, 100, 200], day_bands=[0, 7, 14], permutations=1, seed=1)
    assert manhattan.observed.tolist() == [[0, 0], [0, 0], [0, 1]]
    assert euclidean.observed.tolist() == [[0, 0], [0, 1], [0, 0]]


def test_a_3_4_5_triangle_is_exactly_on_the_euclidean_edge():
    result = near_repeat_knox(x=[0, 3], y=[0, 4], dates=[0, 1], distance_bands=[0, 5, 10], day_bands=[0, 2], metric="euclidean", permutations=1, seed=0)
    assert result.observed.tolist() == [[0], [1]]


def test_pairs_outside_the_first_and_last_edges_are_not_counted():
    result = near_repeat_knox(x=[0, 1, 50, 500], y=[0, 0, 0, 0], dates=[0, 1, 2, 40], distance_bands=[10, 100], day_bands=[1, 30], permutations=1, seed=0)
    # Only 0-50 (50 m, 2 d) and 1-50 (49 m, 1 d) fall in both ranges.
    assert result.observed.tolist() == [[2]]


@settings(max_examples=40, deadline=None)
@given(events(), edges(25), edges(32), st.integers(1, 20), st.integers(0, 1000))
def test_with_open_ended_bands_from_zero_every_permutation_keeps_the_row_and_column_totals(data, distance_edges, day_edges, permutations, seed):
    xs, ys, days = data
    distance_edges = [0.0, *[e for e in distance_edges if 0 < e < INF], INF]
    day_edges = [0.0, *[e for e in day_edges if 0 < e < INF], INF]
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance_edges, day_bands=day_edges, permutations=permutations, seed=seed)
    n = len(xs)
    assert result.observed.sum() == n * (n - 1) // 2
    # Shuffling dates keeps every pair's distance, and the multiset of pairwise day gaps.
    assert result.expected.sum(axis=1) == pytest.approx(result.observed.sum(axis=1))
    assert result.expected.sum(axis=0) == pytest.approx(result.observed.sum(axis=0))


@settings(max_examples=40, deadline=None)
@given(events(), edges(25), edges(32), st.integers(1, 50), st.integers(0, 1000))
def test_p_values_lie_between_one_over_permutations_plus_one_and_one(data, distance_edges, day_edges, permutations, seed):
    xs, ys, days = data
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance_edges, day_bands=day_edges, permutations=permutations, seed=seed)
    assert (result.p_value >= 1 / (permutations + 1)).all()
    assert (result.p_value <= 1).all()
    counts = result.p_value * (permutations + 1)
    assert np.allclose(counts, np.round(counts))


def test_the_same_seed_gives_the_same_answer_and_a_different_seed_a_different_null():
    rng = np.random.default_rng(5)
    xs, ys, days = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300), rng.integers(0, 60, 300)
    run = dict(x=xs, y=ys, dates=days, distance_bands=[0, 50, 100, INF], day_bands=[0, 7, 14, INF], permutations=49)
    first, again, other = (near_repeat_knox(**run, seed=s) for s in (11, 11, 12))
    assert first.to_dict() == again.to_dict()
    assert first.expected.tolist() != other.expected.tolist()
    assert first.observed.tolist() == other.observed.tolist()


def test_a_run_without_a_seed_records_one_that_repeats_it():
    run = dict(x=[0, 10, 20, 400], y=[0, 0, 0, 0], dates=[0, 2, 3, 9], distance_bands=[0, 50, INF], day_bands=[0, 5, INF], permutations=30)
    first = near_repeat_knox(**run)
    assert isinstance(first.seed, int)
    assert near_repeat_knox(**run, seed=first.seed).to_dict() == first.to_dict()


def test_knox_ratio_is_null_where_expected_is_zero_and_json_has_no_nan_or_infinity():
    # No pair is ever 7+ days apart in the [0, 10) m row under any shuffle: both events there share day 0.
    result = near_repeat_knox(
        x=[0, 5, 1000, 2000], y=[0, 0, 0, 0], dates=[0, 0, 30, 60], distance_bands=[0, 10, INF], day_bands=[0, 7, 100, INF], permutations=20, seed=3
    )
    assert np.isnan(result.knox_ratio[:, 2]).all()
    document = result.to_dict()
    assert document["knox_ratio"][0][2] is None
    assert document["distance_bands"][-1] == [10.0, None]
    text = json.dumps(document, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    assert set(document) >= {
        "n_events",
        "metric",
        "distance_bands",
        "day_bands",
        "observed",
        "expected",
        "knox_ratio",
        "p_value",
        "permutations",
        "seed",
        "summary",
    }


def test_dates_are_counted_in_whole_calendar_days():
    stamps = np.array(["2024-03-01T23:59", "2024-03-02T00:01", "2024-03-08T12:00"], dtype="datetime64[m]")
    result = near_repeat_knox(x=[0, 0, 0], y=[0, 1, 2], dates=stamps, distance_bands=[0, 10], day_bands=[0, 1, 2, 7, 8], permutations=1, seed=0)
    # Gaps: 1 day (two minutes apart, across midnight), 7 days and 6 days.
    assert result.observed.tolist() == [[0, 1, 1, 1]]
    # Local calendar days: 11 pm on the 1st and 0:30 on the 3rd in Auckland are 2 days apart
    # (in UTC they would be 1).
    local = pd.Series(pd.to_datetime(["2024-03-01 23:00", "2024-03-03 00:30"])).dt.tz_localize("Pacific/Auckland")
    result = near_repeat_knox(x=[0, 0], y=[0, 1], dates=local, distance_bands=[0, 10], day_bands=[0, 1, 2, 3], permutations=1, seed=0)
    assert result.observed.tolist() == [[0, 0, 1]]


def test_to_frame_has_one_row_per_cell():
    result = near_repeat_knox(x=[0, 10, 20], y=[0, 0, 0], dates=[0, 1, 5], distance_bands=[0, 15, INF], day_bands=[0, 2, INF], permutations=5, seed=1)
    frame = result.to_frame()
    assert len(frame) == 4
    assert frame.loc[0, ["distance_from", "distance_to", "days_from", "days_to"]].tolist() == [0, 15, 0, 2]
    assert frame["observed"].tolist() == result.observed.ravel().tolist()


def test_summary_quotes_the_nearest_soonest_significant_cell_in_words():
    rng = np.random.default_rng(8)
    n = 400
    xs, ys, days = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n), rng.integers(0, 365, n)
    # Near repeats: each of the first 60 events has a follow-up 20 m away two days later.
    xs = np.concatenate([xs, xs[:60] + 20])
    ys = np.concatenate([ys, ys[:60]])
    days = np.concatenate([days, days[:60] + 2])
    result = near_repeat_knox(
        x=xs, y=ys, dates=days, distance_bands=[0, 100, 200, INF], day_bands=[0, 7, 14, INF], permutations=99, seed=2, event_label="burglary"
    )
    assert result.summary == (
        f"Within 100 m and 7 days of a burglary, the risk of another is {result.knox_ratio[0, 0]:.1f} times what chance "
        "would give (p = 0.010; pairs 0 to under 100 m apart, 0–6 days apart)."
    )
    assert result.summary_cell == (0, 0) and result.to_dict()["summary_cell"] == [0, 0]
    assert "of an event" in near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=[0, 100, INF], day_bands=[0, 7, INF], permutations=99, seed=2).summary


def test_summary_says_when_there_is_no_evidence_or_too_few_permutations():
    run = dict(x=[0, 1000, 2000, 3000], y=[0, 0, 0, 0], dates=[0, 10, 20, 30], distance_bands=[0, 100, INF], day_bands=[0, 7, INF])
    quiet = near_repeat_knox(**run, permutations=99, seed=1)
    assert "no evidence that an event is followed by another nearby and soon after" in quiet.summary
    assert quiet.summary.startswith("No close cell is significant at p ≤ 0.05") and quiet.summary_cell is None
    assert "run at least 19" in near_repeat_knox(**run, permutations=10, seed=1).summary


def test_p_below_one_in_a_thousand_is_written_as_less_than():
    from rocc.analysis.near_repeat import plain_summary

    text, cell = plain_summary(
        distance_bands=[(0.0, 100.0)], day_bands=[(0.0, 7.0)], knox_ratio=[[2.0]], p_value=[[0.0001]], permutations=9999, event_label="theft from a car"
    )
    assert cell == (0, 0) and "(p < 0.001;" in text and "of a theft from a car" in text


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": [0], "y": [0], "dates": [0]}, "at least two events, found 1"),
        ({"dates": [3, 3, 3]}, "all 3 events fall on one day"),
        ({"distance_bands": [0, 100, 100]}, "strictly increasing, but 100 is followed by 100"),
        ({"day_bands": [0, 14, 7]}, "day bands must be strictly increasing, but 14 is followed by 7"),
        ({"distance_bands": [-5, 100]}, "distance bands cannot be negative, found -5"),
        ({"distance_bands": [0, INF, 200]}, "only the last distance band edge may be inf"),
        ({"distance_bands": [100]}, "need at least two edges"),
        ({"x": [0, "a", 2]}, "column 'x': expected numeric coordinates"),
        ({"y": [0, float("nan"), 2]}, "column 'y', row 2: expected a finite number"),
        ({"metric": "chebyshev"}, "unknown metric 'chebyshev'"),
        ({"compat": "crimestat"}, "unknown compatibility mode 'crimestat'"),
        ({"permutations": 0}, "permutations must be a whole number of at least 1"),
        ({"dates": ["2024-01-01", "not a date", "2024-01-03"]}, "column 'date', row 2: expected a date (ISO, e.g. 2024-03-01), found 'not a date'"),
        ({"dates": ["2024-01-01", "02/01/2024", "2024-01-03"]}, "column 'date', row 2: expected a date (ISO"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_problem(change, message):
    run = dict(x=[0, 1, 2], y=[0, 0, 0], dates=[0, 1, 2], distance_bands=[0, 10, INF], day_bands=[0, 7, INF], permutations=9, seed=1) | change
    with pytest.raises(AnalysisInputError, match=re.escape(message)):
        near_repeat_knox(**run)


# --- the Near Repeat Calculator -----------------------------------------------------------------


def test_nrc_settings_map_to_multiples_of_the_bandwidth_with_a_same_location_band():
    distance, days = nrc_band_edges(spatial_bandwidth=100, spatial_bands=3, temporal_bandwidth=7, temporal_bands=3)
    assert distance == (0.0, SAME_LOCATION, 100.0, 200.0, 300.0, INF)
    assert days == (0.0, 7.0, 14.0, 21.0, INF)
    with pytest.raises(AnalysisInputError, match="temporal bandwidth"):
        nrc_band_edges(spatial_bandwidth=100, spatial_bands=3, temporal_bandwidth=0, temporal_bands=3)
    with pytest.raises(AnalysisInputError, match="spatial bandwidth"):
        nrc_band_edges(spatial_bandwidth=-1, spatial_bands=3, temporal_bandwidth=7, temporal_bands=3)


def test_nrc_labels_a_to_b_mean_a_minus_one_to_b_as_in_its_published_two_event_example():
    # Two events 100 m and 3 days apart (Steenbeek's NearRepeat vignette "NRC"): the Calculator puts
    # the pair in "4 to 6" days with temporal bands of 3 days, and in "101 to 200" m with 100 m bands.
    x, y, dates = [0, 0], [0, 100], ["2019-01-01", "2019-01-04"]
    distance, days = nrc_band_edges(spatial_bandwidth=200, spatial_bands=2, temporal_bandwidth=3, temporal_bands=2)
    wide = near_repeat_knox(x=x, y=y, dates=dates, distance_bands=distance, day_bands=days, permutations=1, seed=0, compat="nrc")
    assert wide.observed.tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]]
    distance, days = nrc_band_edges(spatial_bandwidth=100, spatial_bands=2, temporal_bandwidth=3, temporal_bands=2)
    narrow = near_repeat_knox(x=x, y=y, dates=dates, distance_bands=distance, day_bands=days, permutations=1, seed=0, compat="nrc")
    assert narrow.observed.tolist() == [[0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]]


def test_nrc_same_location_band_holds_only_pairs_at_distance_zero():
    distance, days = nrc_band_edges(spatial_bandwidth=200, spatial_bands=1, temporal_bandwidth=1, temporal_bands=1)
    result = near_repeat_knox(
        x=[351048.7, 351048.6, 351048.7],
        y=[575625.4, 575625.9, 575625.4],
        dates=[0, 0, 5],
        distance_bands=distance,
        day_bands=days,
        permutations=1,
        seed=0,
        compat="nrc",
    )
    assert result.observed[0].tolist() == [0, 1]  # the identical pair, 5 days apart
    assert result.observed[1].tolist() == [1, 1]  # 0.6 m apart: near, not the same location


def test_nrc_compatibility_measures_distance_in_single_precision():
    # 350099.995 is nearer to 350100 than to the next float32 below it, so in float32 the pair is
    # exactly 100 m apart; in float64 it is 99.995 m apart.
    run = dict(x=[350000.0, 350099.995], y=[570000.0, 570000.0], dates=[0, 1], distance_bands=[0, 100, 200], day_bands=[0, 7], permutations=1, seed=0)
    assert near_repeat_knox(**run).observed.tolist() == [[1], [0]]
    assert near_repeat_knox(**run, compat="nrc").observed.tolist() == [[0], [1]]


@st.composite
def city_events(draw):
    """Events with real projected coordinates (hundreds of km) to 0.01 m, where float32 rounding bites."""
    n = draw(st.integers(2, 20))
    xs = draw(st.lists(st.integers(0, 30_000), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 30_000), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n).filter(lambda d: len(set(d)) > 1))
    return [350_000 + v / 100 for v in xs], [570_000 + v / 100 for v in ys], days


@settings(max_examples=60, deadline=None)
@given(city_events(), st.sampled_from(["manhattan", "euclidean"]), st.integers(1, 3), st.integers(1, 3))
def test_nrc_compatible_tables_equal_a_single_precision_oracle(data, metric, bandwidth_step, bands):
    xs, ys, days = data
    distance, day = nrc_band_edges(spatial_bandwidth=25 * bandwidth_step, spatial_bands=bands, temporal_bandwidth=bandwidth_step, temporal_bands=bands)
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance, day_bands=day, metric=metric, permutations=1, seed=0, compat="nrc")
    assert result.observed.tolist() == oracle_table(xs, ys, days, distance, day, metric, compat="nrc")


# --- a month of Chicago burglaries, end to end --------------------------------------------------


def chicago():
    rows = [line.split(",") for line in CHICAGO.read_text().splitlines()]
    days = np.array([r[2] for r in rows], dtype="datetime64[D]").astype(np.int64)
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows], days


def test_nrc_compatibility_reproduces_the_calculators_published_table_for_chicago():
    # The Near Repeat Calculator 1.3's own "Observed frequencies distribution" for these events at
    # 100 m x 3 bands, 7 days x 3 bands, Manhattan (inst/extdata of the R package NearRepeat).
    published = [[28, 5, 5, 2], [44, 13, 8, 4], [97, 56, 19, 16], [77, 67, 45, 20], [182194, 146149, 95237, 45879]]
    xs, ys, days = chicago()
    distance, day = nrc_band_edges(spatial_bandwidth=100, spatial_bands=3, temporal_bandwidth=7, temporal_bands=3)
    result = near_repeat_knox(x=xs, y=ys, dates=days, distance_bands=distance, day_bands=day, permutations=19, seed=1, compat="nrc")
    assert result.observed.tolist() == published


def test_rocc_analyse_near_repeat_on_chicago_burglaries_matches_the_oracle():
    completed = subprocess.run(
        [
            str(ROCC),
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--distance-bands",
            "0,100,200,400,inf",
            "--day-bands",
            "0,7,14,28,inf",
            "--metric",
            "euclidean",
            "--permutations",
            "99",
            "--seed",
            "42",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert set(document) >= {
        "n_events",
        "metric",
        "distance_bands",
        "day_bands",
        "observed",
        "expected",
        "knox_ratio",
        "p_value",
        "permutations",
        "seed",
        "summary",
    }
    assert document["n_events"] == 970
    assert document["distance_bands"] == [[0, 100], [100, 200], [200, 400], [400, None]]
    assert (document["permutations"], document["seed"]) == (99, 42)
    xs, ys, days = chicago()
    assert document["observed"] == oracle_table(xs, ys, days, [0, 100, 200, 400, INF], [0, 7, 14, 28, INF], "euclidean")
    assert np.sum(document["observed"]) == 970 * 969 // 2
    p = np.array(document["p_value"])
    assert ((p >= 0.01) & (p <= 1)).all()


runner = CliRunner()


def test_rocc_analyse_near_repeat_takes_the_calculators_settings():
    result = runner.invoke(
        app,
        [
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--spatial-bandwidth",
            "100",
            "--spatial-bands",
            "3",
            "--temporal-bandwidth",
            "7",
            "--temporal-bands",
            "3",
            "--compat",
            "nrc",
            "--permutations",
            "19",
            "--seed",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["compat"] == "nrc"
    assert document["observed"][0] == [28, 5, 5, 2]
    assert document["day_bands"] == [[0, 7], [7, 14], [14, 21], [21, None]]


def test_rocc_analyse_near_repeat_prints_a_readable_table_without_json():
    result = runner.invoke(
        app,
        [
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--distance-bands",
            "0,100,200,inf",
            "--day-bands",
            "0,7,14,inf",
            "--permutations",
            "19",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "Knox ratio" in result.stdout
    assert "100-200 m" in result.stdout and "200+ m" in result.stdout


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("x,y,date\n0,0,2024-01-01\n", [], "at least two events, found 1"),
        ("x,y,date\n0,0,2024-01-01\n5,5,2024-01-01\n", [], "all 2 events fall on one day (2024-01-01)"),
        ("x,y,date\n0,0,2024-01-01\nten,5,2024-01-02\n", [], "column 'x', row 2: expected a number, found 'ten'"),
        (
            "x,y,date\n0,0,2024-01-01\n5,5,2024-01-02\n",
            ["--distance-bands", "0,200,100"],
            "distance bands must be strictly increasing, but 200 is followed by 100",
        ),
        ("x,y,date\n0,0,2024-01-01\n5,5,2024-01-02\n", ["--day-bands", "-7,0,7"], "day bands cannot be negative, found -7"),
        (
            "x,y,date\n0,0,2024-01-01\n5,5,2024-01-02\n",
            ["--distance-bands", "0,1OO"],
            "--distance-bands: expected numbers separated by commas (inf allowed), found '1OO'",
        ),
        ("x,y,date\n0,0,2024-01-01\n5,5,2024-01-02\n", ["--metric", "chebyshev"], "unknown metric 'chebyshev'"),
        (
            "x,y,date\n0,0,2024-01-01\n5,5,2024-01-02\n",
            ["--spatial-bandwidth", "100"],
            "give either --distance-bands and --day-bands, or the Near Repeat Calculator settings, not both",
        ),
    ],
)
def test_rocc_analyse_near_repeat_refuses_bad_input_with_exit_code_2(tmp_path, content, arguments, message):
    events = tmp_path / "events.csv"
    events.write_text(content)
    defaults = {"--distance-bands": "0,100,inf", "--day-bands": "0,7,inf"}
    for option in arguments[::2]:
        defaults.pop(option, None)
    options = [item for pair in defaults.items() for item in pair] + arguments
    result = runner.invoke(app, ["analyse", "near-repeat", str(events), "--x", "x", "--y", "y", "--date", "date", *options, "--json"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
