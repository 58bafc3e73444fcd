"""Hot spots: grid counts, quartic kernel density and Gi* against loops, known values, GeoJSON, and
the police.uk City of London month end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import MAX_CELLS, getis_ord_gi_star, hotspots, project_lonlat
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

CITY_OF_LONDON = Path(__file__).parent / "data" / "2017-11-city-of-london-street.csv"


def reference_hotspots(xs, ys, weights, *, cell, bandwidth):
    """Cell by cell and event by event: counts, density per km², Gi* z and two-sided p."""
    west = math.floor(min(xs) / cell) * cell
    south = math.floor(min(ys) / cell) * cell
    cols = int((max(xs) - west) // cell) + 1
    rows = int((max(ys) - south) // cell) + 1
    counts = [[0.0] * cols for _ in range(rows)]
    for i, (x, y) in enumerate(zip(xs, ys)):
        col = min(max(int(math.floor((x - west) / cell)), 0), cols - 1)
        row = min(max(int(math.floor((y - south) / cell)), 0), rows - 1)
        counts[row][col] += 1.0 if weights is None else weights[i]
    cells = []
    values = [v for line in counts for v in line]
    n = len(values)
    mean = sum(values) / n
    spread = math.sqrt(max(sum(v * v for v in values) / n - mean * mean, 0.0))
    for row in range(rows):
        for col in range(cols):
            cx, cy = west + (col + 0.5) * cell, south + (row + 0.5) * cell
            density = 0.0
            for i, (x, y) in enumerate(zip(xs, ys)):
                d2 = (x - cx) ** 2 + (y - cy) ** 2
                if d2 < bandwidth**2:
                    w = 1.0 if weights is None else weights[i]
                    density += w * 3 / (math.pi * bandwidth**2) * (1 - d2 / bandwidth**2) ** 2
            local, neighbours = 0.0, 0
            for r in range(row - 1, row + 2):
                for c in range(col - 1, col + 2):
                    if 0 <= r < rows and 0 <= c < cols:
                        local += counts[r][c]
                        neighbours += 1
            factor = (n * neighbours - neighbours**2) / (n - 1) if n > 1 else 0.0
            if spread > 1e-9 * max(abs(v) for v in values) and factor > 0:
                z = (local - mean * neighbours) / (spread * math.sqrt(factor))
                p = math.erfc(abs(z) / math.sqrt(2))
            else:
                z = p = float("nan")
            cells.append((cx, cy, counts[row][col], density * 1e6, z, p))
    return cells


def test_counts_fall_in_cells_aligned_to_multiples_of_the_cell_size():
    result = hotspots(x=[120, 130, 250, 399.9], y=[10, 20, 10, 10], cell=100)
    assert result.origin == (100.0, 0.0)
    assert (result.rows, result.cols) == (1, 3)
    assert result.count.tolist() == [2, 1, 1]
    assert result.x.tolist() == [150.0, 250.0, 350.0]


def test_a_lone_event_in_an_empty_grid_has_the_hand_computed_gi_star():
    grid = np.zeros((5, 5))
    grid[2, 2] = 1
    z, p = getis_ord_gi_star(grid)
    # n = 25, mean 0.04, S = √0.0384; centre: (1 − 0.04·9) / (S · √((25·9 − 81)/24)) = 0.64 / 0.48.
    assert z[2, 2] == pytest.approx(4 / 3)
    assert p[2, 2] == pytest.approx(math.erfc((4 / 3) / math.sqrt(2)))
    # A corner cell far from the event: (0 − 0.04·4) / (S · √((25·4 − 16)/24)).
    assert z[0, 0] == pytest.approx(-0.16 / (math.sqrt(0.0384) * math.sqrt(84 / 24)))


def reference_benjamini_hochberg(p):
    """Adjusted p-values by the textbook step-up rule: q(k) = min over j >= k of m p(j) / j, NaN left out."""
    defined = [i for i, v in enumerate(p) if not math.isnan(v)]
    ranked = sorted(defined, key=lambda i: (p[i], i))
    m = len(ranked)
    q = [float("nan")] * len(p)
    running = 1.0
    for k in range(m, 0, -1):
        i = ranked[k - 1]
        running = min(running, p[i] * m / k)
        q[i] = running
    return q


def test_a_grid_with_equal_counts_everywhere_has_no_gi_star():
    result = hotspots(x=[50, 150, 50, 150], y=[50, 50, 150, 150], cell=100)
    assert np.isnan(result.gi_z).all()
    assert all(cell["gi_z"] is None and cell["hot"] is None for cell in result.to_dict()["cells"])


def test_a_dense_cluster_is_a_99_percent_hot_spot():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(0, 2000, 400), rng.normal(1000, 40, 200)])
    y = np.concatenate([rng.uniform(0, 2000, 400), rng.normal(1000, 40, 200)])
    result = hotspots(x=x, y=y, cell=100, bandwidth=250)
    centre = int(np.argmin((result.x - 1050) ** 2 + (result.y - 1050) ** 2))
    assert result.hot[centre] == "99"
    assert result.gi_z[centre] > 0 and result.gi_p[centre] < 0.01
    assert result.density[centre] == result.density.max() or result.density[centre] > 0.9 * result.density.max()


def test_density_is_per_square_kilometre_and_integrates_to_the_events():
    # One event with the kernel well inside the grid: density × cell area summed over cells ≈ 1 event.
    result = hotspots(x=[0, 1000, 500], y=[0, 1000, 500], cell=10, bandwidth=100)
    near = (np.abs(result.x - 500) < 200) & (np.abs(result.y - 500) < 200)
    assert (result.density[near] * (10 * 10) / 1e6).sum() == pytest.approx(1.0, rel=0.01)
    assert result.density.max() == pytest.approx(3 / (math.pi * 100**2) * 1e6, rel=0.01)


def test_default_bandwidth_is_three_cells():
    assert hotspots(x=[0, 500], y=[0, 500], cell=100).parameters["bandwidth"] == 300


def test_an_extent_sets_the_grid_and_leaves_out_events_outside_it():
    result = hotspots(x=[10, 20, 5000], y=[10, 20, 5000], cell=100, extent=(0, 0, 300, 200))
    assert (result.rows, result.cols) == (2, 3)
    assert result.events == 2
    assert "1 events outside the extent were left out" in result.notes


def test_coordinates_that_look_like_degrees_get_a_note():
    result = hotspots(x=[174.76, 174.77], y=[-36.85, -36.84], cell=100)
    assert any("longitude/latitude" in note for note in result.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [], "y": [], "cell": 100}, "no events"),
        ({"x": [1, 2], "y": [1, 2], "cell": 0}, "cell size must be a number of metres > 0"),
        ({"x": [1, 2], "y": [1, 2], "cell": -5}, "cell size"),
        ({"x": [1, 2], "y": [1, 2], "cell": 10, "bandwidth": 0}, "bandwidth"),
        ({"x": [1, "north"], "y": [1, 2], "cell": 10}, "column 'x', row 2: expected a number, found 'north'"),
        ({"x": [1, 2], "y": [1, float("nan")], "cell": 10}, "column 'y', row 2"),
        ({"x": [1, 2], "y": [1], "cell": 10}, "y has 1 values"),
        ({"x": [0, 1e7], "y": [0, 1e7], "cell": 1}, f"more than {MAX_CELLS:,}"),
        ({"x": [1, 2], "y": [1, 2], "cell": 10, "weights": [1, -1]}, "row 2"),
        ({"x": [1, 2], "y": [1, 2], "cell": 10, "extent": (5, 0, 0, 5)}, "west < east"),
        ({"x": [1, 2], "y": [1, 2], "cell": 10, "extent": (50, 50, 60, 60)}, "none of the 2 events"),
    ],
)
def test_bad_input_says_what_is_wrong(kwargs, message):
    with pytest.raises(AnalysisInputError, match=message):
        hotspots(**kwargs)


@st.composite
def located_events(draw):
    n = draw(st.integers(min_value=1, max_value=30))
    coordinate = st.one_of(st.integers(0, 1000).map(float), st.floats(0, 1000, allow_nan=False))
    xs = draw(st.lists(coordinate, min_size=n, max_size=n))
    ys = draw(st.lists(coordinate, min_size=n, max_size=n))
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 100), min_size=n, max_size=n)))
    cell = draw(st.sampled_from([50.0, 100.0, 137.5, 400.0]))
    bandwidth = draw(st.floats(20, 500))
    return xs, ys, weights, cell, bandwidth


@settings(max_examples=60, deadline=None)
@given(case=located_events())
def test_the_fast_version_matches_the_cell_by_cell_loop(case):
    xs, ys, weights, cell, bandwidth = case
    result = hotspots(x=xs, y=ys, cell=cell, bandwidth=bandwidth, weights=weights)
    expected = np.array(reference_hotspots(xs, ys, weights, cell=cell, bandwidth=bandwidth))
    frame = result.to_frame()
    np.testing.assert_allclose(frame["x"], expected[:, 0])
    np.testing.assert_allclose(frame["y"], expected[:, 1])
    np.testing.assert_allclose(frame["count"], expected[:, 2], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(frame["density"], expected[:, 3], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(frame["gi_z"], expected[:, 4], rtol=1e-7, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(frame["gi_p"], expected[:, 5], rtol=1e-7, atol=1e-12, equal_nan=True)
    q = reference_benjamini_hochberg(list(expected[:, 5]))
    np.testing.assert_allclose(frame["gi_p_fdr"], q, rtol=1e-7, atol=1e-12, equal_nan=True)
    hot = [None if not (z > 0 and p < 0.05) else ("99" if p < 0.01 else "95") for z, p in zip(expected[:, 4], q)]
    assert frame["hot"].tolist() == hot


def test_geojson_is_a_feature_collection_of_closed_cell_squares():
    result = hotspots(x=[120, 130, 250], y=[10, 20, 110], cell=100, crs="EPSG:2193")
    collection = result.to_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == result.rows * result.cols
    first = collection["features"][0]
    assert first["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[100.0, 0.0], [200.0, 0.0], [200.0, 100.0], [100.0, 100.0], [100.0, 0.0]]],
    }
    assert first["properties"]["count"] == 2
    assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::2193"
    json.dumps(collection, allow_nan=False)


def test_longitude_latitude_project_to_british_national_grid_metres():
    x, y = project_lonlat([-0.0877], [51.5152], crs="EPSG:27700")
    assert 532_000 < x[0] < 534_000 and 181_000 < y[0] < 182_000


@pytest.mark.parametrize(
    ("lon", "lat", "crs", "message"),
    [
        ([200.0], [51.0], "EPSG:27700", "column 'longitude', row 1"),
        ([0.0], [51.0], "EPSG:4326", "not a projected coordinate system in metres"),
        ([0.0], [51.0], "EPSG:notacode", "unknown coordinate reference system"),
    ],
)
def test_projection_refuses_what_it_cannot_do(lon, lat, crs, message):
    with pytest.raises(AnalysisInputError, match=message):
        project_lonlat(lon, lat, crs=crs)


CITY_OPTIONS = [
    "--x",
    "Longitude",
    "--y",
    "Latitude",
    "--lonlat",
    "--crs",
    "EPSG:27700",
    "--cell",
    "100",
    "--bandwidth",
    "250",
]


def test_police_uk_city_of_london_month_end_to_end():
    result = CliRunner().invoke(
        app,
        ["analyse", "hotspots", str(CITY_OF_LONDON), *CITY_OPTIONS, "--drop-unlocated", "--extent", "531000,180500,534000,182000", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    cells = document["cells"]
    assert len(cells) == document["grid"]["rows"] * document["grid"]["cols"] == 15 * 30
    # 654 rows: 8 without coordinates, 21 reported by City of London Police outside the City.
    assert document["events"] == 625
    assert sum(cell["count"] for cell in cells) == 625
    assert "8 rows with blank coordinates were left out" in document["notes"]
    hot = [cell for cell in cells if cell["hot"] == "99"]
    assert hot and all(cell["gi_z"] > 2.5758 and cell["gi_p"] < 0.01 for cell in hot)
    busiest = max(cells, key=lambda cell: cell["count"])
    assert busiest["hot"] == "99"
    assert document["parameters"]["crs"] == "EPSG:27700"


def test_police_uk_rows_without_coordinates_are_an_error_unless_dropped():
    result = CliRunner().invoke(app, ["analyse", "hotspots", str(CITY_OF_LONDON), *CITY_OPTIONS])
    assert result.exit_code == 2
    assert "column 'Longitude', row 647: expected a number, found ''" in result.stderr


def test_rocc_analyse_hotspots_geojson_output(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("x,y\n1748000,5920000\n1748050,5920040\n1748300,5920300\n")
    result = CliRunner().invoke(app, ["analyse", "hotspots", str(path), "--x", "x", "--y", "y", "--cell", "100", "--crs", "EPSG:2193", "--geojson"])
    assert result.exit_code == 0, result.stderr
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection"
    assert sum(f["properties"]["count"] for f in collection["features"]) == 3


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", [], "empty"),
        ("east,y\n1,2\n", [], "column 'x': no such column; the file has: east, y"),
        ("x,y\n1,2\nabc,3\n", [], "column 'x', row 2: expected a number, found 'abc'"),
        ("x,y\n1,2\n", ["--cell", "0"], "cell size must be a number of metres > 0"),
        ("x,y\n1,2\n", ["--lonlat"], "--lonlat needs --crs"),
        ("x,y\n1,2\n", ["--extent", "1,2,3"], "extent must be four numbers"),
    ],
)
def test_rocc_analyse_hotspots_reports_bad_input_without_a_traceback(tmp_path, text, options, message):
    path = tmp_path / "events.csv"
    path.write_text(text)
    args = ["analyse", "hotspots", str(path), "--x", "x", "--y", "y"]
    if "--cell" not in options:
        args += ["--cell", "100"]
    result = CliRunner().invoke(app, [*args, *options])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_rocc_analyse_hotspots_weights_by_harm_and_drops_only_blank_rows(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("x,y,offence\n10,10,1211\n20,20,1412\n,,1412\n150,10,1412\n")
    harm = tmp_path / "harm.csv"
    harm.write_text("offence_code,weight\n1211,365\n1412,10\n")
    result = CliRunner().invoke(
        app,
        ["analyse", "hotspots", str(path), "--x", "x", "--y", "y", "--cell", "100", "--drop-unlocated", "--harm", str(harm), "--offence", "offence", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [cell["count"] for cell in document["cells"]] == [375.0, 10.0]
    assert document["parameters"]["density_unit"] == "harm per square kilometre"


def test_dropping_blank_rows_keeps_the_file_row_numbers_in_errors(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("x,y\n10,10\n,\nabc,5\n")
    result = CliRunner().invoke(app, ["analyse", "hotspots", str(path), "--x", "x", "--y", "y", "--cell", "100", "--drop-unlocated"])
    assert result.exit_code == 2
    assert "column 'x', row 3: expected a number, found 'abc'" in result.stderr


# --- testing many cells at once: the false discovery rate, permutations, and the top hot spots -----


@settings(max_examples=80, deadline=None)
@given(p=st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=40))
def test_the_false_discovery_rate_matches_the_step_up_rule(p):
    from rocc.analysis.hotspots import false_discovery_rate

    np.testing.assert_allclose(false_discovery_rate(np.array(p)), reference_benjamini_hochberg(p), rtol=1e-12, equal_nan=True)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_uniform_random_field_shows_almost_no_hot_spots_with_the_correction(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 4000, 2000), rng.uniform(0, 4000, 2000)
    corrected = hotspots(x=x, y=y, cell=100)
    uncorrected = hotspots(x=x, y=y, cell=100, correction="none")
    cells = corrected.rows * corrected.cols
    assert (corrected.hot != None).sum() <= 0.005 * cells  # noqa: E711
    # Without the correction about 1 in 40 cells is "hot" by chance: the thing the correction prevents.
    assert (uncorrected.hot != None).sum() >= 0.01 * cells  # noqa: E711
    assert corrected.parameters["correction"] == "fdr" and corrected.parameters["judged_by"] == "gi_p_fdr"


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_sparse_uniform_field_shows_no_hot_spots_with_permutations_and_the_normal_curve_is_flagged(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 20_000, 4000), rng.uniform(0, 20_000, 4000)  # 0.4 events per 200 m cell
    permuted = hotspots(x=x, y=y, cell=200, permutations=199, seed=seed % 1000)
    assert (permuted.hot != None).sum() <= 2  # noqa: E711  (of 10 000 cells)
    assert not any("sparse" in note for note in permuted.notes)
    normal = hotspots(x=x, y=y, cell=200)
    assert any(note.startswith("the counts are sparse (0.4 events per cell") and "use permutations" in note for note in normal.notes)


def test_a_real_cluster_stays_hot_after_the_correction():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(0, 2000, 400), rng.normal(1000, 40, 200)])
    y = np.concatenate([rng.uniform(0, 2000, 400), rng.normal(1000, 40, 200)])
    result = hotspots(x=x, y=y, cell=100)
    centre = int(np.argmin((result.x - 1050) ** 2 + (result.y - 1050) ** 2))
    assert result.hot[centre] == "99" and result.gi_p_fdr[centre] < 0.01
    assert result.gi_p_fdr[centre] >= result.gi_p[centre]


def reference_conditional_permutation(grid, *, permutations, seed):
    """Cell by cell, with the draws the library documents: permutation k draws positions among the
    other cells; the cell keeps its own value; count permuted local sums at least and at most the observed."""
    rows, cols = len(grid), len(grid[0])
    values = [v for line in grid for v in line]
    n = len(values)
    rng = np.random.default_rng(seed)
    draws = [rng.choice(n - 1, size=min(8, n - 1), replace=False).tolist() for _ in range(permutations)]
    p = []
    for i in range(n):
        r, c = divmod(i, cols)
        block = [(rr, cc) for rr in range(r - 1, r + 2) for cc in range(c - 1, c + 2) if 0 <= rr < rows and 0 <= cc < cols]
        observed = sum(values[rr * cols + cc] for rr, cc in block)
        others = [j for j in range(n) if j != i]
        at_least = at_most = 0
        for draw in draws:
            total = values[i] + sum(values[others[d]] for d in draw[: len(block) - 1])
            at_least += total >= observed - 1e-9
            at_most += total <= observed + 1e-9
        p.append((min(at_least, at_most) + 1) / (permutations + 1))
    return p


@settings(max_examples=25, deadline=None)
@given(
    grid=st.integers(2, 6).flatmap(lambda cols: st.lists(st.lists(st.integers(0, 6).map(float), min_size=cols, max_size=cols), min_size=2, max_size=6)),
    seed=st.integers(0, 1000),
)
def test_conditional_permutation_p_values_match_the_cell_by_cell_oracle(grid, seed):
    from rocc.analysis.hotspots import conditional_permutation_p

    fast = conditional_permutation_p(np.array(grid), permutations=49, rng=np.random.default_rng(seed))
    np.testing.assert_allclose(fast.ravel(), reference_conditional_permutation(grid, permutations=49, seed=seed), rtol=1e-12)


def test_permutation_p_values_are_seeded_recorded_and_judge_the_cells():
    rng = np.random.default_rng(8)
    x = np.concatenate([rng.uniform(0, 2000, 300), rng.normal(1000, 30, 150)])
    y = np.concatenate([rng.uniform(0, 2000, 300), rng.normal(1000, 30, 150)])
    # Over 400 cells the correction needs p-values below what 999 permutations can give one cluster.
    first = hotspots(x=x, y=y, cell=100, permutations=9999, seed=12)
    again = hotspots(x=x, y=y, cell=100, permutations=9999, seed=12)
    np.testing.assert_array_equal(first.gi_p_sim, again.gi_p_sim)
    assert first.parameters["seed"] == 12 and first.parameters["permutations"] == 9999
    assert first.gi_p_sim.min() == pytest.approx(1 / 10000)
    assert any("no pseudo p-value can be below 0.0001" in note for note in first.notes)
    few = hotspots(x=x, y=y, cell=100, permutations=999, seed=12)
    assert any("no pseudo p-value can be below 0.001" in note for note in few.notes)
    np.testing.assert_allclose(first.gi_p_fdr, reference_benjamini_hochberg(list(first.gi_p_sim)), equal_nan=True)
    centre = int(np.argmin((first.x - 1050) ** 2 + (first.y - 1050) ** 2))
    assert first.hot[centre] is not None
    unseeded = hotspots(x=x, y=y, cell=100, permutations=19)
    assert isinstance(unseeded.parameters["seed"], int)
    cells = first.to_dict()["cells"]
    assert {"gi_p_sim", "gi_p_fdr"} <= set(cells[0])


def test_top_hot_spots_are_named_by_the_most_common_place_in_the_cell_else_by_coordinates():
    rng = np.random.default_rng(4)
    background = 400
    x = np.concatenate([rng.uniform(0, 2000, background), np.full(60, 1050.0), np.full(40, 350.0)])
    y = np.concatenate([rng.uniform(0, 2000, background), np.full(60, 1050.0), np.full(40, 1750.0)])
    places = [""] * background + ["Queen Street"] * 45 + ["Victoria Street"] * 15 + [""] * 40
    result = hotspots(x=x, y=y, cell=100, places=places, places_are="address", top=30)
    spots = {(s["x"], s["y"]): s for s in result.top_hot_spots}
    assert [s["rank"] for s in result.top_hot_spots] == list(range(1, len(spots) + 1))
    assert [s["gi_z"] for s in result.top_hot_spots] == sorted((s["gi_z"] for s in result.top_hot_spots), reverse=True)
    queen = spots[(1050.0, 1050.0)]
    assert (queen["place"], queen["place_from"], queen["p_text"]) == ("Queen Street", "address", "< 0.001")
    # This cell's events have no recorded place: it is named by its centre.
    assert (spots[(350.0, 1750.0)]["place"], spots[(350.0, 1750.0)]["place_from"]) == ("350 E, 1750 N", "coordinates")
    plain = hotspots(x=x, y=y, cell=100, crs="EPSG:2193", top=1)
    assert len(plain.top_hot_spots) == 1 and plain.top_hot_spots[0]["place_from"] == "coordinates (EPSG:2193)"
    assert hotspots(x=x, y=y, cell=100, top=0).top_hot_spots == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"correction": "bonferroni"}, "unknown correction 'bonferroni'"),
        ({"permutations": -1}, "permutations must be a whole number"),
        ({"permutations": 99, "seed": -3}, "seed must be a whole number"),
        ({"places": ["a"]}, "places has 1 values but x has 2"),
        ({"places": ["a", "b"], "places_are": "street"}, "places_are must be one of"),
        ({"cell": 20, "permutations": 9999}, "use fewer permutations or a larger cell size"),
    ],
)
def test_bad_hot_spot_options_say_what_is_wrong(kwargs, message):
    options = {"x": [0.0, 30_000.0], "y": [0.0, 30_000.0], "cell": 100.0, **kwargs}
    with pytest.raises(AnalysisInputError, match=message):
        hotspots(**options)


@pytest.mark.parametrize(
    ("p", "text"), [(0.0, "< 0.001"), (0.0009, "< 0.001"), (0.001, "0.001"), (0.0316, "0.032"), (1.0, "1.000"), (None, "–"), (float("nan"), "–")]
)
def test_p_values_are_written_as_a_person_reads_them(p, text):
    from rocc.analysis.results import p_phrase, p_text

    assert p_text(p) == text
    if p is not None and p == p:
        assert p_phrase(p) == ("p " + text if text.startswith("<") else "p = " + text)


def _cluster_file(tmp_path) -> str:
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(0, 2000, 300), np.full(50, 1050.0)])
    y = np.concatenate([rng.uniform(0, 2000, 300), np.full(50, 1050.0)])
    places = [""] * 300 + ["Queen Street"] * 50
    path = tmp_path / "cluster.csv"
    path.write_text("x,y,place\n" + "\n".join(f"{a:.1f},{b:.1f},{c}" for a, b, c in zip(x, y, places)) + "\n")
    return str(path)


def test_rocc_analyse_hotspots_lists_the_top_hot_spots_by_place_with_corrected_p_values(tmp_path):
    result = CliRunner().invoke(
        app, ["analyse", "hotspots", _cluster_file(tmp_path), "--x", "x", "--y", "y", "--cell", "100", "--place", "place", "--places-are", "address"]
    )
    assert result.exit_code == 0, result.stderr
    assert "(p-values corrected for testing every cell (false discovery rate))" in result.stdout
    line = next(line for line in result.stdout.splitlines() if "Queen Street" in line)
    assert line.endswith("< 0.001") and "Queen Street [address]: 51, " in line  # 50 there and one scattered
    # The cells beside it are hot too (Gi* counts each cell's neighbours); their events have no address.
    assert " E, " in result.stdout and "[coordinates]" in result.stdout


def test_rocc_analyse_hotspots_permutations_are_seeded_by_default_and_recorded(tmp_path):
    options = ["analyse", "hotspots", _cluster_file(tmp_path), "--x", "x", "--y", "y", "--cell", "100", "--permutations", "99", "--json"]
    first = json.loads(CliRunner().invoke(app, options).stdout)
    again = json.loads(CliRunner().invoke(app, options).stdout)
    assert first["parameters"]["seed"] == 1 and first["parameters"]["judged_by"] == "gi_p_fdr"
    assert [c["gi_p_sim"] for c in first["cells"]] == [c["gi_p_sim"] for c in again["cells"]]
    raw = json.loads(CliRunner().invoke(app, [*options[:-1], "--correction", "none", "--json"]).stdout)
    assert raw["parameters"]["judged_by"] == "gi_p_sim" and "gi_p_fdr" not in raw["cells"][0]
    refused = CliRunner().invoke(app, [*options[:-1], "--correction", "maybe"])
    assert refused.exit_code == 2 and "unknown correction 'maybe'" in refused.stderr
