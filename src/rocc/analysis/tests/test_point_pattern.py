"""Point patterns against loops over every pair of events, Clark and Evans's lattices (R = 2 for a square lattice,
2.1491 for a hexagonal one), and a study area with water in it."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.point_pattern import nearest_neighbour_index, point_pattern, random_points, ripley_k, silverman_radius
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=3, max_size=40, unique=True))
def test_nearest_neighbours_and_k_agree_with_loops_over_every_pair(points):
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    n, area = len(points), 500.0 * 500.0
    nearest = [min(math.dist(p, q) for j, q in enumerate(points) if j != i) for i, p in enumerate(points)]
    got = nearest_neighbour_index(x=xs, y=ys, area=area)
    assert got["observed_mean_distance"] == pytest.approx(sum(nearest) / n)
    assert got["expected_mean_distance"] == pytest.approx(0.5 / math.sqrt(n / area))
    assert got["standard_error"] == pytest.approx(0.26136 / math.sqrt(n * n / area), rel=1e-4)
    for d in (10.0, 50.0, 150.0):
        pairs = sum(1 for i, p in enumerate(points) for j, q in enumerate(points) if i != j and math.dist(p, q) <= d)
        assert ripley_k(x=xs, y=ys, distances=np.array([d]), area=area)[0] == pytest.approx(area * pairs / (n * (n - 1)))


def test_clark_and_evans_lattices_give_their_published_maxima():
    """Clark and Evans (1954): R = 2 for points on a square lattice and R = 2.1491, the most regular possible,
    on a hexagonal one, when the study area is the lattice's own (n cells of one point each)."""
    side, spacing = 30, 10.0
    gx, gy = np.meshgrid(np.arange(side) * spacing, np.arange(side) * spacing)
    square = nearest_neighbour_index(x=gx.ravel(), y=gy.ravel(), area=side * side * spacing**2)
    assert square["index"] == pytest.approx(2.0)
    rows = np.arange(side)
    hx = (np.arange(side)[None, :] + 0.5 * (rows[:, None] % 2)) * spacing
    hy = np.repeat(rows[:, None] * spacing * math.sqrt(3) / 2, side, axis=1)
    hexagonal = nearest_neighbour_index(x=hx.ravel(), y=hy.ravel(), area=side * side * spacing**2 * math.sqrt(3) / 2)
    assert hexagonal["index"] == pytest.approx(2.1491, abs=1e-4)
    assert hexagonal["z"] > 10 and hexagonal["p"] < 1e-6


def test_a_clustered_pattern_is_clustered_and_a_random_one_mostly_within_the_envelope():
    rng = np.random.default_rng(2)
    cluster = point_pattern(x=rng.normal(500, 40, 200), y=rng.normal(500, 40, 200), extent=(0, 0, 1000, 1000), simulations=99, seed=1, event_label="burglaries")
    assert cluster.nearest_neighbour["index"] < 0.5 and cluster.nearest_neighbour["p"] < 0.001
    assert all(row["verdict"] == "clustered" for row in cluster.ripley)
    assert cluster.summary.startswith("The burglaries are clustered (nearest-neighbour index")
    scattered = point_pattern(x=rng.uniform(0, 1000, 200), y=rng.uniform(0, 1000, 200), extent=(0, 0, 1000, 1000), simulations=99, seed=1)
    assert sum(row["verdict"] == "within" for row in scattered.ripley) >= 17
    assert 0.85 < scattered.nearest_neighbour["index"] < 1.15


def test_the_same_seed_gives_the_same_envelope_and_it_is_recorded():
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 100, 50), rng.uniform(0, 100, 50)
    first = point_pattern(x=x, y=y, simulations=19, seed=4)
    again = point_pattern(x=x, y=y, simulations=19, seed=4)
    assert first.ripley == again.ripley and first.parameters["seed"] == 4
    assert isinstance(point_pattern(x=x, y=y, simulations=5).parameters["seed"], int)


def test_a_study_area_with_water_counts_only_its_land():
    """Events along a coast: the box around them is half sea. Over the box they look clustered (they fill only
    its land); over the land polygon they are no more clustered than random, and the sea's cells have no density."""
    rng = np.random.default_rng(9)
    x, y = rng.uniform(0, 1000, 300), rng.uniform(0, 2000, 300)
    land = {"type": "Polygon", "coordinates": [[[0, 0], [1000, 0], [1000, 2000], [0, 2000], [0, 0]]]}
    over_box = point_pattern(x=x, y=y, extent=(0, 0, 2000, 2000), simulations=39, seed=2, cell=100, bandwidth=300)
    over_land = point_pattern(x=x, y=y, study_area=land, simulations=39, seed=2, cell=100, bandwidth=300)
    assert over_box.nearest_neighbour["index"] < 0.8 and over_box.nearest_neighbour["p"] < 0.001
    assert over_land.nearest_neighbour["p"] > 0.01
    assert over_land.study_area["area_km2"] == pytest.approx(2.0)
    cells = over_land.density_frame()
    assert cells.loc[cells.x > 1000, "density"].isna().all() and cells.loc[cells.x < 1000, "density"].notna().all()
    sx, sy = random_points(
        500,
        polygon=__import__("rocc.analysis.study_area", fromlist=["study_polygon"]).study_polygon(land),
        bounds=(0, 0, 2000, 2000),
        rng=np.random.default_rng(1),
    )
    assert (sx <= 1000).all() and len(sx) == 500


def test_the_density_uses_the_rule_unless_the_analyst_overrides_it():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 100, 400) + 5000, rng.normal(0, 200, 400) + 5000
    dx, dy = x - x.mean(), y - y.mean()
    sd = math.sqrt(((dx**2).sum() + (dy**2).sum()) / len(x))
    dm = float(np.median(np.hypot(dx, dy)))
    assert silverman_radius(x, y) == pytest.approx(0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * len(x) ** -0.2)
    chosen = point_pattern(x=x, y=y, simulations=0)
    assert chosen.parameters["bandwidth"] == pytest.approx(silverman_radius(x, y)) and "Silverman" in chosen.parameters["bandwidth_rule"]
    given_ = point_pattern(x=x, y=y, simulations=0, bandwidth=250, cell=50)
    assert given_.parameters["bandwidth"] == 250 and given_.parameters["bandwidth_rule"] == "given by the analyst"
    cells = given_.density_frame()
    at = cells.iloc[int(np.argmax(cells.density))]
    expected = sum(
        3 / (math.pi * 250**2) * (1 - ((a - at.x) ** 2 + (b - at.y) ** 2) / 250**2) ** 2 for a, b in zip(x, y) if (a - at.x) ** 2 + (b - at.y) ** 2 < 250**2
    )
    assert at.density == pytest.approx(expected * 1e6)


def test_bad_input_is_refused_with_its_reason():
    with pytest.raises(AnalysisInputError, match="at least three events"):
        point_pattern(x=[1, 2], y=[1, 2])
    with pytest.raises(AnalysisInputError, match="simulations must be a whole number from 0 to 999"):
        point_pattern(x=[1, 2, 3], y=[1, 5, 3], simulations=5000)
    with pytest.raises(AnalysisInputError, match="column 'y', row 2"):
        point_pattern(x=[1, 2, 3], y=[1, math.inf, 3])
    with pytest.raises(AnalysisInputError, match="looks like longitude/latitude"):
        point_pattern(x=[1, 2, 3], y=[1, 5, 3], study_area=[(174.0, -36.0), (175.0, -36.0), (175.0, -37.0)])


def test_the_cli_prints_the_summary_and_the_json(tmp_path):
    rng = np.random.default_rng(4)
    path = tmp_path / "events.csv"
    pd.DataFrame({"x": rng.normal(1000, 50, 150), "y": rng.normal(1000, 50, 150)}).to_csv(path, index=False)
    runner = CliRunner()
    done = runner.invoke(app, ["analyse", "point-pattern", str(path), "--x", "x", "--y", "y", "--extent", "0,0,2000,2000", "--simulations", "19"])
    assert done.exit_code == 0, done.output
    assert "are clustered" in done.stdout and "Ripley's L" in done.stdout
    document = json.loads(runner.invoke(app, ["analyse", "point-pattern", str(path), "--x", "x", "--y", "y", "--simulations", "9", "--json"]).stdout)
    assert document["n"] == 150 and document["parameters"]["seed"] == 1
