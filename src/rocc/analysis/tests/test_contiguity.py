"""Neighbours from boundaries: queen and rook contiguity on hand-made polygon sets (a 3×3 grid of squares, corners,
an island, overlaps), against libpysal's Queen and Rook where the bench extra is installed; events counted in areas
against a point-by-point count; autocorrelation over areas against the same statistics on the neighbour list."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from rocc.analysis.autocorrelation import spatial_autocorrelation, weights_from_neighbours
from rocc.analysis.contiguity import area_autocorrelation, points_in_areas, polygon_weights
from rocc.analysis.errors import AnalysisInputError


def grid_of_squares(rows=3, cols=3, size=100.0):
    ids = [f"r{r}c{c}" for r in range(rows) for c in range(cols)]
    shapes = [box(c * size, r * size, (c + 1) * size, (r + 1) * size) for r in range(rows) for c in range(cols)]
    return ids, shapes


def neighbours_of(weights):
    m = weights.matrix
    return {weights.ids[i]: sorted(weights.ids[j] for j in m.indices[m.indptr[i] : m.indptr[i + 1]]) for i in range(weights.n)}


def test_a_three_by_three_grid_has_the_queen_and_rook_counts_by_hand():
    ids, shapes = grid_of_squares()
    queen, rook = polygon_weights(ids=ids, geometries=shapes, contiguity="queen"), polygon_weights(ids=ids, geometries=shapes, contiguity="rook")
    # Corners 3 (queen) / 2 (rook), edges 5 / 3, the centre 8 / 4: 40 and 24 ordered pairs.
    assert queen.neighbour_counts.tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    assert rook.neighbour_counts.tolist() == [2, 3, 2, 3, 4, 3, 2, 3, 2]
    assert queen.matrix.sum() == 40 and rook.matrix.sum() == 24
    assert neighbours_of(rook)["r0c0"] == ["r0c1", "r1c0"] and neighbours_of(queen)["r0c0"] == ["r0c1", "r1c0", "r1c1"]
    assert (queen.matrix != queen.matrix.T).nnz == 0 and queen.matrix.diagonal().sum() == 0
    assert "queen" in queen.definition and "rook" in rook.definition


def test_areas_touching_at_a_point_are_queen_only_neighbours_and_an_island_has_none():
    ids = ["a", "b", "c", "island"]
    shapes = [box(0, 0, 1, 1), box(1, 1, 2, 2), box(1, 0, 2, 1), box(10, 10, 11, 11)]  # a and b meet at (1, 1) only
    queen = neighbours_of(polygon_weights(ids=ids, geometries=shapes, contiguity="queen"))
    rook = neighbours_of(polygon_weights(ids=ids, geometries=shapes, contiguity="rook"))
    assert queen["a"] == ["b", "c"] and rook["a"] == ["c"]
    assert queen["island"] == [] and rook["island"] == []


def test_overlapping_boundaries_are_neighbours_under_both_rules():
    shapes = [box(0, 0, 1, 1), box(0.999, 0, 2, 1)]  # drawn a millimetre over each other
    assert neighbours_of(polygon_weights(ids=["a", "b"], geometries=shapes, contiguity="rook"))["a"] == ["b"]


@pytest.mark.parametrize("contiguity", ["queen", "rook"])
def test_contiguity_agrees_with_libpysal(contiguity):
    weights_module = pytest.importorskip("libpysal.weights")  # the bench extra
    pytest.importorskip("geopandas")
    rng = np.random.default_rng(5)
    # An irregular tessellation: a 6×7 grid with jittered inner vertices (shared exactly by neighbouring cells).
    rows, cols = 6, 7
    vx = np.arange(cols + 1, dtype=float)[None, :].repeat(rows + 1, 0)
    vy = np.arange(rows + 1, dtype=float)[:, None].repeat(cols + 1, 1)
    vx[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (rows - 1, cols - 1))
    vy[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (rows - 1, cols - 1))
    shapes = [
        shapely.Polygon([(vx[r, c], vy[r, c]), (vx[r, c + 1], vy[r, c + 1]), (vx[r + 1, c + 1], vy[r + 1, c + 1]), (vx[r + 1, c], vy[r + 1, c])])
        for r in range(rows)
        for c in range(cols)
    ]
    shapes.append(box(20, 20, 21, 21))  # an island
    ids = list(range(len(shapes)))
    ours = neighbours_of(polygon_weights(ids=ids, geometries=shapes, contiguity=contiguity))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns of the island, as it should
        peer = (weights_module.Queen if contiguity == "queen" else weights_module.Rook).from_iterable(shapes, ids=ids)
    assert ours == {i: sorted(peer.neighbors[i]) for i in ids}


def test_events_are_counted_once_in_the_area_they_fall_in():
    ids, shapes = grid_of_squares()
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-50, 350, 400), rng.uniform(-50, 350, 400)
    x[:3], y[:3] = [100, 200, np.nan], [100, 150, 5]  # on a corner, on a shared edge, no coordinate
    totals, outside = points_in_areas(x=x, y=y, geometries=shapes)
    expected = np.zeros(9)
    missed = 0
    for xi, yi in zip(x, y, strict=True):
        where = [k for k, s in enumerate(shapes) if np.isfinite(xi) and s.intersects(Point(xi, yi))]
        if where:
            expected[where[0]] += 1
        else:
            missed += 1
    assert totals.tolist() == expected.tolist() and outside == missed and totals.sum() + outside == 400
    harm, _ = points_in_areas(x=x, y=y, geometries=shapes, weights=np.full(400, 2.5))
    assert harm.tolist() == (expected * 2.5).tolist()


def test_autocorrelation_over_areas_is_the_neighbour_list_statistics_of_the_counts():
    ids, shapes = grid_of_squares(4, 4)
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 400, 300) ** 1.0, rng.uniform(0, 400, 300)
    x = np.concatenate([x, rng.normal(50, 20, 100).clip(1, 399), [900.0]])
    y = np.concatenate([y, rng.normal(50, 20, 100).clip(1, 399), [900.0]])
    result = area_autocorrelation(x=x, y=y, ids=ids, geometries=shapes, contiguity="rook", permutations=99, seed=3)
    totals, _ = points_in_areas(x=x, y=y, geometries=shapes)
    listed = neighbours_of(polygon_weights(ids=ids, geometries=shapes, contiguity="rook"))
    plain = spatial_autocorrelation(values=totals, weights=weights_from_neighbours(neighbours=listed, ids=ids), permutations=99, seed=3)
    assert result.moran.statistic == pytest.approx(plain.moran.statistic) and result.local_p_sim.tolist() == plain.local_p_sim.tolist()
    assert result.parameters["contiguity"] == "rook" and result.parameters["events"] == 400 and result.parameters["events_outside"] == 1
    assert any("1 event lies in none of the areas" in note for note in result.notes)
    assert list(result.to_dict()["areas"][0])[:2] == ["area", "value"] and result.to_dict()["areas"][0]["area"] == "r0c0"


def test_an_island_is_named_and_marked_not_dropped():
    ids = ["a", "b", "c", "island"]
    shapes = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(5, 5, 6, 6)]
    result = area_autocorrelation(
        x=[0.5, 0.5, 1.5, 2.5, 5.5], y=[0.5, 0.6, 0.5, 0.5, 5.5], ids=ids, geometries=shapes, names=["A", "B", "C", "Motutapu"], permutations=9, seed=1
    )
    assert result.n == 4 and result.islands == 1 and result.cluster.tolist()[3] == "No neighbours"
    assert any(note == "no neighbour (queen): Motutapu" for note in result.notes)


@pytest.mark.parametrize(
    ("ids", "shapes", "message"),
    [
        (["a", "a"], [box(0, 0, 1, 1), box(1, 0, 2, 1)], "listed twice"),
        (["a"], [Point(0, 0)], "must be a polygon"),
        (["a", "b"], [box(0, 0, 1, 1)], "2 area ids but 1 boundaries"),
        ([], [], "no areas"),
    ],
)
def test_bad_areas_are_refused(ids, shapes, message):
    with pytest.raises(AnalysisInputError, match=message):
        polygon_weights(ids=ids, geometries=shapes)


def test_no_event_in_any_area_is_refused():
    ids, shapes = grid_of_squares()
    with pytest.raises(AnalysisInputError, match="none of the 2 events lies in any of the 9 areas"):
        area_autocorrelation(x=[1000, 2000], y=[1000, 2000], ids=ids, geometries=shapes)


def test_areas_are_read_from_geojson_and_a_bad_feature_is_named():
    from rocc.analysis.contiguity import areas_from_geojson

    ids, shapes = grid_of_squares(2, 2)
    document = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": i}, "geometry": shapely.geometry.mapping(s)} for i, s in zip(ids, shapes, strict=True)],
    }
    got_ids, got_shapes = areas_from_geojson(document)
    assert got_ids == ids and all(a.equals(b) for a, b in zip(got_shapes, shapes, strict=True))
    document["features"][1]["properties"] = {}
    with pytest.raises(AnalysisInputError, match="boundary feature 2 has no 'code' property"):
        areas_from_geojson(document)
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(AnalysisInputError, match=r"boundary feature 1 \(x\): its polygon is not valid"):
        areas_from_geojson({"features": [{"properties": {"code": "x"}, "geometry": bow_tie}]})


def test_the_cli_counts_events_in_areas_with_boundaries(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from rocc.cli.analyse import load_commands
    from rocc.cli.main import app

    load_commands()
    ids, shapes = grid_of_squares()
    (tmp_path / "areas.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"code": i}, "geometry": shapely.geometry.mapping(s)} for i, s in zip(ids, shapes, strict=True)],
            }
        )
    )
    rng = np.random.default_rng(1)
    x, y = np.concatenate([rng.uniform(0, 300, 90), rng.uniform(0, 100, 60)]), np.concatenate([rng.uniform(0, 300, 90), rng.uniform(0, 100, 60)])
    pd.DataFrame({"x": x, "y": y}).to_csv(tmp_path / "events.csv", index=False)
    args = [
        "analyse",
        "autocorrelation",
        str(tmp_path / "events.csv"),
        "--x",
        "x",
        "--y",
        "y",
        "--boundaries",
        str(tmp_path / "areas.geojson"),
        "--contiguity",
        "rook",
        "--permutations",
        "99",
    ]
    done = CliRunner().invoke(app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    expected = area_autocorrelation(x=x, y=y, ids=ids, geometries=shapes, contiguity="rook", permutations=99, seed=1)
    assert document["moran"]["statistic"] == pytest.approx(expected.moran.statistic) and document["parameters"]["contiguity"] == "rook"
    assert [a["value"] for a in document["areas"]] == expected.values.tolist()
