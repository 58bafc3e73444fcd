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
