"""Emerging hot spots: the Mann–Kendall test against a pair-by-pair count, each pattern from a hand-made history of
hot and cold slices, and space–time cubes with a hot spot that appears, persists or grows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocc.analysis.emerging_hotspots import NO_PATTERN, classify, emerging_hotspots, mann_kendall
from rocc.analysis.errors import AnalysisInputError


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=3, max_size=25))
def test_mann_kendall_agrees_with_a_count_over_every_pair(series):
    n = len(series)
    s = sum((series[j] > series[i]) - (series[j] < series[i]) for i in range(n) for j in range(i + 1, n))
    ties = [series.count(v) for v in set(series)]
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    got_s, z, p = mann_kendall(series)
    assert got_s == s
    if variance > 0:
        expected_z = (s - 1) / math.sqrt(variance) if s > 0 else (s + 1) / math.sqrt(variance) if s < 0 else 0.0
        assert z == pytest.approx(expected_z) and p == pytest.approx(math.erfc(abs(expected_z) / math.sqrt(2)))


def test_a_steady_rise_is_a_significant_increasing_trend():
    s, z, p = mann_kendall(np.arange(12.0))
    assert s == 66 and z > 4 and p < 0.001


H, C, N = True, "cold", False  # hot, cold, neither


def history(*marks):
    hot = [m is True for m in marks]
    cold = [m == "cold" for m in marks]
    return hot, cold


@pytest.mark.parametrize(
    ("marks", "trend_z", "trend_p", "pattern"),
    [
        ((N, N, N, N, N, N, N, N, N, H), 0.5, 0.6, "new hot spot"),
        ((N, N, N, N, N, N, N, H, H, H), 2.5, 0.01, "consecutive hot spot"),
        ((H,) * 10, 2.5, 0.01, "intensifying hot spot"),
        ((H,) * 10, 0.3, 0.7, "persistent hot spot"),
        ((H,) * 10, -2.5, 0.01, "diminishing hot spot"),
        ((N, H, N, H, N, N, H, N, N, H), 0.2, 0.8, "sporadic hot spot"),
        ((C, N, N, H, N, N, N, N, N, H), 0.2, 0.8, "oscillating hot spot"),
        ((H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, N), -1.0, 0.3, "historical hot spot"),
        ((N, N, N, N, N, N, N, N, N, C), -0.5, 0.6, "new cold spot"),
        ((C,) * 10, -2.5, 0.01, "intensifying cold spot"),
        ((H, H, N, N, N, N, N, N, N, N), -2.0, 0.04, NO_PATTERN),
    ],
)
def test_each_pattern_is_named_as_gis_tools_define_it(marks, trend_z, trend_p, pattern):
    hot, cold = history(*marks)
    assert classify(hot, cold, trend_z, trend_p) == pattern


def cube_events(seed=1):
    """Twelve four-week slices over a 2 km square: a background everywhere, a hot spot at the south-west corner
    all year, and one at the north-east corner only in the last three slices."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01")
    xs, ys, dates = [], [], []
    for k in range(12):
        day = start + np.timedelta64(28 * k + 27, "D")  # the last day of slice k, so all twelve are whole
        points = [rng.uniform(0, 2000, (40, 2)), rng.normal(300, 60, (25, 2))]
        if k >= 9:
            points.append(rng.normal(1700, 60, (25, 2)))
        for block in points:
            block = np.clip(block, 0, 1999)
            xs += block[:, 0].tolist()
            ys += block[:, 1].tolist()
            dates += [day] * len(block)
    return np.array(xs), np.array(ys), np.array(dates)


def test_a_cube_finds_the_persistent_and_the_new_hot_spots():
    x, y, dates = cube_events()
    result = emerging_hotspots(x=x, y=y, dates=dates, cell=200, slice_days=28, start="2024-01-01", extent=(0, 0, 2000, 2000))
    frame = result.to_frame()
    south_west = frame[(frame.x < 500) & (frame.y < 500)]
    north_east = frame[(frame.x > 1500) & (frame.y > 1500)]
    assert south_west["pattern"].isin(["persistent hot spot", "intensifying hot spot", "diminishing hot spot"]).any()
    assert north_east["pattern"].isin(["consecutive hot spot", "new hot spot"]).any()
    assert len(result.slices) == 12 and result.slices[0] == {"from": "2024-01-01", "to": "2024-01-28"}
    assert "Over 12 slices of 28 days from 2024-01-01" in result.summary
    assert all(len(cell["gi_z"]) == 12 for cell in result.cells)


def test_too_few_slices_are_refused_naming_the_date_column():
    with pytest.raises(AnalysisInputError, match="column 'date': the events span 30 days"):
        emerging_hotspots(x=[1, 2, 3], y=[1, 2, 3], dates=["2024-01-01", "2024-01-15", "2024-01-30"], cell=10, slice_days=28)


def test_the_cli_names_each_cells_pattern(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from rocc.cli.analyse import load_commands
    from rocc.cli.main import app

    load_commands()
    x, y, dates = cube_events()
    path = tmp_path / "events.csv"
    pd.DataFrame({"x": x, "y": y, "date": dates.astype(str)}).to_csv(path, index=False)
    runner = CliRunner()
    args = [
        "analyse",
        "emerging-hotspots",
        str(path),
        "--x",
        "x",
        "--y",
        "y",
        "--date",
        "date",
        "--cell",
        "200",
        "--start",
        "2024-01-01",
        "--extent",
        "0,0,2000,2000",
    ]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "Over 12 slices of 28 days from 2024-01-01" in done.stdout and "hot spot (" in done.stdout
    document = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert len(document["slices"]) == 12 and document["parameters"]["slice_days"] == 28


def direct_space_time_gi(cube, time_step):
    """Gi* of every bin by the textbook formula, bin by bin: binary weights on the bins of the 3×3 block in the same
    slice and the time_step slices before it (the bin itself included), n and the mean and spread over the whole cube."""
    slices, rows, cols = cube.shape
    values = cube.ravel().astype(float)
    n = values.size
    mean, spread = values.mean(), math.sqrt(((values - values.mean()) ** 2).sum() / n)
    z = np.full(cube.shape, np.nan)
    for t in range(slices):
        for r in range(rows):
            for c in range(cols):
                w = 0
                total = 0.0
                for s in range(max(0, t - time_step), t + 1):
                    for rr in range(max(0, r - 1), min(rows, r + 2)):
                        for cc in range(max(0, c - 1), min(cols, c + 2)):
                            w += 1
                            total += cube[s, rr, cc]
                if n * w - w * w > 0:  # a neighbourhood of the whole cube has no spread to compare with
                    z[t, r, c] = (total - mean * w) / (spread * math.sqrt((n * w - w * w) / (n - 1)))
    return z


@settings(max_examples=25, deadline=None)
@given(
    st.integers(3, 6),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(0, 2**32 - 1),
)
def test_space_time_gi_star_agrees_with_the_formula_bin_by_bin(slices, rows, cols, time_step, seed):
    from rocc.analysis.emerging_hotspots import space_time_gi_star

    cube = np.random.default_rng(seed).poisson(2.0, (slices, rows, cols)).astype(float)
    if cube.std() == 0:
        cube[0, 0, 0] += 1
    z, p = space_time_gi_star(cube, time_step=time_step)
    expected = direct_space_time_gi(cube, time_step)
    assert np.allclose(z, expected, equal_nan=True, rtol=1e-10, atol=1e-12)
    finite = np.isfinite(expected)
    assert np.allclose(p[finite], [math.erfc(abs(v) / math.sqrt(2)) for v in expected[finite]])


def test_time_step_zero_is_each_slice_on_its_own_and_the_step_is_recorded():
    from rocc.analysis.hotspots import getis_ord_gi_star

    x, y, dates = cube_events()
    common = dict(x=x, y=y, dates=dates, cell=200, slice_days=28, start="2024-01-01", extent=(0, 0, 2000, 2000))
    within = emerging_hotspots(**common, time_step=0)
    across = emerging_hotspots(**common)
    assert within.parameters["time_step"] == 0 and across.parameters["time_step"] == 1
    assert "its slice and the 1 slice before it" in across.parameters["gi_weights"] and "each slice on its own" in within.parameters["gi_weights"]
    # Within slices: the first slice's z-scores are the hot-spot map's Gi* of that slice alone.
    first = np.zeros((10, 10))
    days = (dates - np.datetime64("2024-01-01")).astype(int)
    for xi, yi in zip(x[days < 28], y[days < 28], strict=True):
        first[int(yi // 200), int(xi // 200)] += 1
    z_first, _ = getis_ord_gi_star(first)
    by_cell = {(round(c["x"]), round(c["y"])): c["gi_z"][0] for c in within.cells}
    for (cx, cy), value in by_cell.items():
        assert value == pytest.approx(z_first[int(cy // 200), int(cx // 200)])
    # Across slices the north-east hot spot, new in slice 10, is still found.
    frame = across.to_frame()
    assert frame[(frame.x > 1500) & (frame.y > 1500)]["pattern"].str.contains("hot spot").any()


@pytest.mark.parametrize("step", [-1, 1.5, True, 12])
def test_a_bad_time_step_is_refused(step):
    x, y, dates = cube_events()
    with pytest.raises(AnalysisInputError, match="time step"):
        emerging_hotspots(x=x, y=y, dates=dates, cell=200, slice_days=28, start="2024-01-01", time_step=step)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=8, max_size=8), min_size=1, max_size=12))
def test_mann_kendall_of_many_series_at_once_is_each_series_test(series):
    from rocc.analysis.emerging_hotspots import mann_kendall_many

    s, z, p = mann_kendall_many(np.array(series, dtype=float) / 2)
    for k, row in enumerate(series):
        one = mann_kendall(np.array(row, dtype=float) / 2)
        assert s[k] == one[0]
        assert (math.isnan(z[k]) and math.isnan(one[1])) or z[k] == pytest.approx(one[1], abs=1e-12)
        assert (math.isnan(p[k]) and math.isnan(one[2])) or p[k] == pytest.approx(one[2], abs=1e-12)
