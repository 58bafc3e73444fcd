"""Spatial autocorrelation against pure-Python sums over every pair of areas, the Columbus crime example
(Anselin 1988) as GeoDa reports it, and the hot-spot grid's neighbours."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.autocorrelation import (
    NO_NEIGHBOURS,
    global_moran,
    grid_weights,
    local_moran_p,
    neighbours_from_table,
    spatial_autocorrelation,
    weights_from_neighbours,
)
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import grid_over
from rocc.analysis.hotspots import hotspots
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

COLUMBUS = Path(__file__).parent / "data" / "columbus_crime.csv"


def columbus():
    frame = pd.read_csv(COLUMBUS, dtype=str, keep_default_na=False)
    neighbours = neighbours_from_table(frame, area="neighbourhood", neighbours="neighbours")
    return frame["crime"].astype(float).to_numpy(), weights_from_neighbours(neighbours=neighbours, definition="queen contiguity")


# --- the oracle: sums over every pair, in plain Python --------------------------------------------


def oracle(values, neighbours):
    """Moran's I (row-standardised), its moments under normality and randomisation, General G (binary) and its
    moments, and local Moran's I, each written straight from its definition as a double loop."""
    n = len(values)
    mean = sum(values) / n
    z = [v - mean for v in values]
    w = [[0.0] * n for _ in range(n)]
    for i, others in enumerate(neighbours):
        for j in others:
            w[i][j] = 1.0 / len(others)
    s0 = sum(sum(row) for row in w)
    s1 = 0.5 * sum((w[i][j] + w[j][i]) ** 2 for i in range(n) for j in range(n))
    s2 = sum((sum(w[i]) + sum(w[j][i] for j in range(n))) ** 2 for i in range(n))
    m2 = sum(v * v for v in z)
    moran = n / s0 * sum(w[i][j] * z[i] * z[j] for i in range(n) for j in range(n)) / m2
    expected = -1 / (n - 1)
    var_normal = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    k = n * sum(v**4 for v in z) / m2**2
    var_rand = (n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0) - k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)) / (
        (n - 1) * (n - 2) * (n - 3) * s0 * s0
    ) - expected**2
    b = [[1.0 if j in neighbours[i] else 0.0 for j in range(n)] for i in range(n)]
    g = sum(b[i][j] * values[i] * values[j] for i in range(n) for j in range(n) if i != j) / sum(
        values[i] * values[j] for i in range(n) for j in range(n) if i != j
    )
    bs0 = sum(map(sum, b))
    sd = math.sqrt(m2 / n)
    zs = [v / sd for v in z]
    local = [(n - 1) / n * zs[i] * sum(w[i][j] * zs[j] for j in range(n)) for i in range(n)]
    return {
        "I": moran,
        "EI": expected,
        "z_normal": (moran - expected) / math.sqrt(var_normal) if var_normal > 0 else math.nan,
        "z_rand": (moran - expected) / math.sqrt(var_rand) if var_rand > 0 else math.nan,
        "G": g,
        "EG": bs0 / (n * (n - 1)),
        "local": local,
    }


def grid_neighbours(rows, cols, queen=True):
    neighbours = []
    for r in range(rows):
        for c in range(cols):
            around = []
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr, dc) == (0, 0) or (not queen and dr and dc):
                        continue
                    if 0 <= r + dr < rows and 0 <= c + dc < cols:
                        around.append((r + dr) * cols + c + dc)
            neighbours.append(around)
    return neighbours


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(2, 5),
    cols=st.integers(2, 5),
    queen=st.booleans(),
    data=st.data(),
)
def test_the_statistics_agree_with_the_pairwise_oracle_on_any_grid(rows, cols, queen, data):
    n = rows * cols
    values = data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1 and sum(1 for x in v if x > 0) >= 2))
    result = spatial_autocorrelation(values=values, weights=grid_weights(rows=rows, cols=cols, contiguity="queen" if queen else "rook"), permutations=0)
    expected = oracle([float(v) for v in values], grid_neighbours(rows, cols, queen))
    assert result.moran.statistic == pytest.approx(expected["I"], rel=1e-9, abs=1e-12)
    assert result.moran.expected == pytest.approx(expected["EI"])
    if n >= 6:  # below, every cell can neighbour every other and the moments are 0 up to rounding
        assert result.moran.z_normal == pytest.approx(expected["z_normal"], rel=1e-9, abs=1e-9, nan_ok=True)
        assert result.moran.z_randomisation == pytest.approx(expected["z_rand"], rel=1e-9, abs=1e-9, nan_ok=True)
    assert result.general_g.statistic == pytest.approx(expected["G"], rel=1e-12)
    assert result.general_g.expected == pytest.approx(expected["EG"], rel=1e-12)
    np.testing.assert_allclose(result.local_i, expected["local"], rtol=1e-9, atol=1e-12)


def test_the_grid_neighbours_are_the_hot_spot_grids_own():
    """Gi* on the hot-spot page counts a cell's 3×3 block: its queen neighbours here plus the cell itself."""
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1000, 300), rng.uniform(0, 700, 300)
    spots = hotspots(x=x, y=y, cell=100, correction="none")
    grid = grid_over(x=x, y=y, cell=100)
    assert (grid.rows, grid.cols, grid.origin) == (spots.rows, spots.cols, spots.origin)
    counts = grid.counts(x, y)
    np.testing.assert_array_equal(counts, spots.count)
    w = grid_weights(rows=grid.rows, cols=grid.cols).matrix
    block = w @ counts + counts
    cell = 3 * grid.cols + 4
    r, c = divmod(cell, grid.cols)
    assert block[cell] == counts.reshape(grid.rows, grid.cols)[r - 1 : r + 2, c - 1 : c + 2].sum()


# --- the published example --------------------------------------------------------------------------


def test_columbus_crime_reproduces_the_published_morans_i():
    """Anselin (1988) and the GeoDa workbook: crime in Columbus's 49 neighbourhoods with queen contiguity,
    row-standardised, has Moran's I = 0.500 (expected −1/48 = −0.0208), significant at p = 0.001 with 999
    permutations; General G with binary weights shows a hot-spot pattern."""
    values, weights = columbus()
    result = spatial_autocorrelation(values=values, weights=weights, permutations=999, seed=7, value_label="crime rates")
    assert round(result.moran.statistic, 4) == 0.5002
    assert result.moran.expected == pytest.approx(-1 / 48)
    assert result.moran.p_sim == pytest.approx(0.001)
    assert result.moran.z_normal == pytest.approx(5.6303, abs=1e-4)
    assert result.general_g.statistic > result.general_g.expected and result.general_g.p_sim == pytest.approx(0.001)
    assert result.summary.startswith("The crime rates are clustered: areas with like values sit beside each other")
    hh = result.to_frame().query("cluster == 'High–high cluster'")
    assert len(hh) >= 8 and (hh["value"] > values.mean()).all()


def test_the_same_seed_gives_the_same_answer_and_the_seed_is_recorded():
    values, weights = columbus()
    first = spatial_autocorrelation(values=values, weights=weights, permutations=199, seed=12)
    again = spatial_autocorrelation(values=values, weights=weights, permutations=199, seed=12)
    np.testing.assert_array_equal(first.local_p_sim, again.local_p_sim)
    assert first.moran.p_sim == again.moran.p_sim and first.parameters["seed"] == 12
    fresh = spatial_autocorrelation(values=values, weights=weights, permutations=19)
    assert isinstance(fresh.parameters["seed"], int)


# --- the permutation tests --------------------------------------------------------------------------


def test_conditional_permutation_p_agrees_with_a_direct_count():
    """Each area keeps its value; its neighbours' values are drawn from the others, as the docstring states."""
    values, weights = columbus()
    z = (values - values.mean()) / values.std()
    w = weights.transformed("r")
    p = local_moran_p(z, w, permutations=99, rng=np.random.default_rng(3))
    rng = np.random.default_rng(3)
    width = int(np.diff(w.indptr).max())
    draws = [rng.choice(len(z) - 1, size=width, replace=False) for _ in range(99)]
    scale = (len(z) - 1) / float((z * z).sum())
    for i in (0, 10, 33):
        cols, data = w.indices[w.indptr[i] : w.indptr[i + 1]], w.data[w.indptr[i] : w.indptr[i + 1]]
        observed = scale * z[i] * sum(d * z[c] for c, d in zip(cols, data))
        sims = []
        for draw in draws:
            others = [j + 1 if j >= i else j for j in draw[: len(cols)]]
            sims.append(scale * z[i] * sum(d * z[j] for j, d in zip(others, data)))
        up = sum(s >= observed - 1e-12 for s in sims)
        down = sum(s <= observed + 1e-12 for s in sims)
        assert p[i] == pytest.approx((min(up, down) + 1) / 100)


def test_a_random_field_is_rarely_called_clustered():
    rng = np.random.default_rng(21)
    weights = grid_weights(rows=20, cols=20)
    calls = 0
    for k in range(20):
        result = spatial_autocorrelation(values=rng.poisson(5, 400), weights=weights, permutations=99, seed=k)
        calls += result.moran.p_sim <= 0.05
    assert calls <= 4


def test_a_block_of_high_values_is_a_high_high_cluster_and_lone_cells_are_outliers():
    rng = np.random.default_rng(1)
    grid = rng.uniform(0, 4, (12, 12))
    grid[1:7, 1:7] = 20.0  # a hot block …
    grid[4, 4] = 0.0  # … with a cold cell inside it
    grid[10, 10] = 20.0  # a lone hot cell among low ones
    result = spatial_autocorrelation(values=grid.ravel(), weights=grid_weights(rows=12, cols=12), permutations=999, seed=2)
    cluster = result.cluster.reshape(12, 12)
    assert cluster[2, 2] == "High–high cluster"
    assert cluster[4, 4] == "Low–high outlier"
    assert cluster[10, 10] == "High–low outlier"
    assert cluster[9, 1] == "Low–low cluster" or result.counts["Low–low cluster"] > 0
    assert result.moran.statistic > 0 and result.moran.p_sim <= 0.01


def test_the_false_discovery_rate_calls_fewer_areas():
    values, weights = columbus()
    raw = spatial_autocorrelation(values=values, weights=weights, permutations=999, seed=1)
    corrected = spatial_autocorrelation(values=values, weights=weights, permutations=999, seed=1, correction="fdr")
    assert (corrected.local_p >= corrected.local_p_sim - 1e-15).all()
    called = lambda r: sum(v for k, v in r.counts.items() if k not in ("Not significant", NO_NEIGHBOURS))  # noqa: E731
    assert called(corrected) <= called(raw)


def test_an_area_without_neighbours_is_said_to_have_none():
    neighbours = {"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"], "island": []}
    result = spatial_autocorrelation(values=[1, 2, 8, 9, 4], weights=weights_from_neighbours(neighbours=neighbours), permutations=99, seed=1)
    frame = result.to_frame().set_index("area")
    assert frame.loc["island", "cluster"] == NO_NEIGHBOURS and math.isnan(frame.loc["island", "p_sim"])
    assert result.islands == 1 and any("no neighbours" in note for note in result.notes)


def test_to_dict_is_json_ready_and_has_every_figure():
    import json

    values, weights = columbus()
    document = spatial_autocorrelation(values=values, weights=weights, permutations=99, seed=1).to_dict()
    json.dumps(document, allow_nan=False)
    assert {"statistic", "expected", "z_normal", "p_normal", "z_randomisation", "p_sim", "z_sim"} <= set(document["moran"])
    assert len(document["areas"]) == 49 and document["parameters"]["seed"] == 1


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("neighbours", "message"),
    [
        ({"a": ["b"], "b": ["z"]}, "names a neighbour 'z' that is not one of the areas"),
        ({"a": ["a"], "b": []}, "is given as its own neighbour"),
        ({"a": {"b": -1}, "b": []}, "must be a number > 0"),
    ],
)
def test_a_bad_neighbour_list_is_refused_naming_the_area(neighbours, message):
    with pytest.raises(AnalysisInputError, match=message):
        weights_from_neighbours(neighbours=neighbours)


def test_a_neighbours_table_names_the_row_of_an_unknown_neighbour():
    frame = pd.DataFrame({"area": ["A", "B", "C"], "next": ["B", "A;C", "A;D"]})
    with pytest.raises(AnalysisInputError, match="column 'next', row 3: area 'C' names neighbour 'D'"):
        neighbours_from_table(frame, area="area", neighbours="next")


def test_equal_values_and_too_few_values_are_refused():
    weights = grid_weights(rows=3, cols=3)
    with pytest.raises(AnalysisInputError, match="all 9 values are equal"):
        global_moran(values=[2] * 9, weights=weights)
    with pytest.raises(AnalysisInputError, match="there are 8 values but 9 areas"):
        global_moran(values=[1] * 8, weights=weights)
    with pytest.raises(AnalysisInputError, match="column 'value', row 2: expected a finite number"):
        global_moran(values=[1, math.nan] + [1] * 7, weights=weights)


def test_negative_values_skip_general_g_and_say_so():
    values = np.arange(16) - 8.0
    result = spatial_autocorrelation(values=values, weights=grid_weights(rows=4, cols=4), permutations=0)
    assert result.general_g is None and any("General G is not given" in note for note in result.notes)


# --- the command line -------------------------------------------------------------------------------


def test_the_cli_runs_on_an_areas_file_and_on_events(tmp_path):
    runner = CliRunner()
    done = runner.invoke(
        app, ["analyse", "autocorrelation", str(COLUMBUS), "--area", "neighbourhood", "--value", "crime", "--neighbours", "neighbours", "--json"]
    )
    assert done.exit_code == 0, done.output
    import json

    document = json.loads(done.stdout)
    assert round(document["moran"]["statistic"], 4) == 0.5002 and document["parameters"]["seed"] == 1
    rng = np.random.default_rng(5)
    events = pd.DataFrame({"x": np.r_[rng.normal(600, 250, 400), rng.uniform(0, 2000, 100)], "y": np.r_[rng.normal(600, 250, 400), rng.uniform(0, 2000, 100)]})
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    grid = runner.invoke(app, ["analyse", "autocorrelation", str(path), "--x", "x", "--y", "y", "--cell", "200", "--permutations", "199"])
    assert grid.exit_code == 0, grid.output
    assert "clustered" in grid.stdout and "High–high cluster" in grid.stdout
    bad = runner.invoke(app, ["analyse", "autocorrelation", str(COLUMBUS), "--area", "neighbourhood", "--value", "nope", "--neighbours", "neighbours"])
    assert bad.exit_code == 2 and "column 'nope'" in bad.output


def test_the_global_permutations_follow_their_stated_draws():
    """Permutation k gives area i the value of area rng.permutation(n)[i]; Moran's I and G are recomputed on it."""
    values, weights = columbus()
    result = global_moran(values=values, weights=weights, permutations=50, seed=9)
    rng = np.random.default_rng(9)
    w = weights.transformed("r").toarray()
    simulated = []
    for _ in range(50):
        shuffled = values[rng.permutation(len(values))]
        z = shuffled - shuffled.mean()
        simulated.append(len(z) / w.sum() * (z @ w @ z) / (z @ z))
    observed = result.statistic
    up = sum(s >= observed for s in simulated)
    down = sum(s <= observed for s in simulated)
    assert result.p_sim == pytest.approx((min(up, down) + 1) / 51)
    assert result.mean_sim == pytest.approx(np.mean(simulated), rel=1e-12)
    assert result.sd_sim == pytest.approx(np.std(simulated, ddof=1), rel=1e-9)
