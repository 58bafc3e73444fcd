"""Centre, spread and direction (CrimeStat's mean centre, standard distance and standard deviational ellipse): the
library against CrimeStat's formulas written out event by event, turned and moved point sets, groups and periods."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.centrography import ALL, centre_and_spread
from rocc.analysis.errors import AnalysisInputError
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


def oracle(xs, ys, ws=None):
    """CrimeStat's formulas, one event at a time (ws replaces N by the total weight)."""
    ws = ws or [1.0] * len(xs)
    total = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs)) / total
    my = sum(w * y for w, y in zip(ws, ys)) / total
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs))
    syy = sum(w * (y - my) ** 2 for w, y in zip(ws, ys))
    sxy = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys))
    sdd = math.sqrt(sum(w * ((x - mx) ** 2 + (y - my) ** 2) for w, x, y in zip(ws, xs, ys)) / (total - 2))
    if sxy == 0:
        theta = math.pi / 2 if sxx > syy else 0.0
    else:
        theta = math.atan(((sxx - syy) + math.sqrt((sxx - syy) ** 2 + 4 * sxy**2)) / (2 * sxy))
    c, s = math.cos(theta), math.sin(theta)
    sx = math.sqrt(2 * sum(w * ((x - mx) * c - (y - my) * s) ** 2 for w, x, y in zip(ws, xs, ys)) / (total - 2))
    sy = math.sqrt(2 * sum(w * ((x - mx) * s + (y - my) * c) ** 2 for w, x, y in zip(ws, xs, ys)) / (total - 2))
    return {
        "mean_x": mx,
        "mean_y": my,
        "sd_x": math.sqrt(sxx / (total - 1)),
        "sd_y": math.sqrt(syy / (total - 1)),
        "standard_distance": sdd,
        "ellipse_theta": math.degrees(theta) % 180,
        "ellipse_sx": sx,
        "ellipse_sy": sy,
        "ellipse_area": math.pi * sx * sy,
    }


points = st.lists(st.tuples(st.integers(-500, 500), st.integers(-500, 500)), min_size=3, max_size=40)


@settings(max_examples=150, deadline=None)
@given(points, st.booleans(), st.data())
def test_every_figure_is_crimestats_formula(pairs, weighted, data):
    xs, ys = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    ws = data.draw(st.lists(st.integers(1, 5), min_size=len(xs), max_size=len(xs))) if weighted else None
    row = centre_and_spread(x=xs, y=ys, weights=ws).row()
    expected = oracle(xs, ys, [float(w) for w in ws] if ws else None)
    for name, value in expected.items():
        assert getattr(row, name) == pytest.approx(value, rel=1e-9, abs=1e-7), name
    assert row.ellipse_major == pytest.approx(max(expected["ellipse_sx"], expected["ellipse_sy"]))
    mx, my, sd = expected["mean_x"], expected["mean_y"], expected["standard_distance"]
    total = sum(ws) if ws else len(xs)
    within = sum((w if ws else 1) for w, x, y in zip(ws or xs, xs, ys) if math.hypot(x - mx, y - my) <= sd) / total
    assert row.within_standard_distance == pytest.approx(within)


@settings(max_examples=100, deadline=None)
@given(points, st.floats(0, 179), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_turning_and_moving_the_events_turns_and_moves_the_ellipse_only(pairs, degrees, shift_x, shift_y):
    xs, ys = np.array([float(a) for a, _ in pairs]), np.array([float(b) for _, b in pairs])
    before = centre_and_spread(x=xs, y=ys).row()
    assume(before.ellipse_major > 1 and before.ellipse_minor < 0.9 * before.ellipse_major)
    angle = math.radians(degrees)  # clockwise, as bearings turn
    turned_x = xs * math.cos(angle) + ys * math.sin(angle) + shift_x
    turned_y = -xs * math.sin(angle) + ys * math.cos(angle) + shift_y
    after = centre_and_spread(x=turned_x, y=turned_y).row()
    assert after.standard_distance == pytest.approx(before.standard_distance, rel=1e-6)
    assert after.ellipse_major == pytest.approx(before.ellipse_major, rel=1e-6)
    assert after.ellipse_minor == pytest.approx(before.ellipse_minor, rel=1e-6, abs=1e-6)
    turn = (after.ellipse_bearing - before.ellipse_bearing - degrees) % 180
    assert min(turn, 180 - turn) == pytest.approx(0, abs=1e-4)


def test_events_along_a_north_east_road_lie_on_a_bearing_of_45_degrees():
    t = np.arange(10.0)
    result = centre_and_spread(x=100 * t, y=100 * t + np.tile([0, 5], 5))
    row = result.row()
    assert row.ellipse_bearing == pytest.approx(45, abs=0.5) and row.ellipse_minor < 0.05 * row.ellipse_major
    assert "north-east–south-west" in result.summary
    flat = centre_and_spread(x=[0, 100, 200, 300, 0, 100, 200, 300], y=[0, 0, 0, 0, 10, 10, 10, 10]).row()
    assert flat.ellipse_bearing == pytest.approx(90) and flat.ellipse_sy > flat.ellipse_sx


def test_groups_and_periods_each_get_a_row_and_a_small_group_gets_a_centre_but_no_spread():
    xs = [0, 10, 20, 1000, 1010, 1020, 5000]
    ys = [0, 5, 0, 0, 5, 0, 5000]
    groups = ["burglary", "burglary", "burglary", "theft", "theft", "theft", "arson"]
    dates = ["2024-01-03", "2024-01-20", "2024-02-01", "2024-01-05", "2024-02-07", "2024-02-08", "2024-02-09"]
    result = centre_and_spread(x=xs, y=ys, groups=groups, dates=dates, period="month", group_label="offence")
    keys = [(r.group, r.period) for r in result.rows]
    assert keys[0] == (ALL, ALL) and (ALL, "2024-01") in keys and ("theft", ALL) in keys and ("theft", "2024-02") in keys
    assert result.row("burglary").mean_x == pytest.approx(10) and result.row("burglary").events == 3
    arson = result.row("arson")
    assert arson.mean_x == 5000 and arson.standard_distance is None and "no spread" in arson.note
    assert any("fewer than 3 events" in n for n in result.notes)
    document = result.to_dict()
    assert json.dumps(document, allow_nan=False) and document["rows"][0]["group"] == ALL
    frame = result.to_frame()
    assert len(frame) == len(result.rows) and {"mean_x", "ellipse_bearing"} <= set(frame.columns)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"x": [0, 1, float("nan")], "y": [0, 1, 2]}, "column 'x', row 3"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "weights": [1, -1, 1]}, "column 'weight', row 2"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "groups": ["a", "", "b"]}, "column 'group', row 2"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "period": "month"}, "needs each event's date"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": ["2024-01-01", "soon", "2024-01-02"], "period": "month"}, "column 'date', row 2"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "dates": ["2024-01-01"] * 3, "period": "week"}, "unknown period"),
        ({"x": [0, 1, 2], "y": [0, 1, 2], "weights": [0, 0, 0]}, "add up to 0"),
    ],
)
def test_bad_input_is_refused_with_its_column_and_row(arguments, message):
    with pytest.raises(AnalysisInputError, match=message):
        centre_and_spread(**arguments)


def test_the_command_line_gives_a_row_per_group(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("x,y,offence,date\n0,0,burglary,2024-01-01\n10,5,burglary,2024-01-02\n20,0,burglary,2024-02-01\n1000,0,theft,2024-01-05\n")
    runner = CliRunner()
    result = runner.invoke(app, ["analyse", "centrography", str(path), "--x", "x", "--y", "y", "--group", "offence", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["group"] for r in rows] == [ALL, "burglary", "theft"]
    text = runner.invoke(app, ["analyse", "centrography", str(path), "--x", "x", "--y", "y", "--date", "date", "--period", "month"])
    assert text.exit_code == 0 and "2024-01" in text.stdout and "standard distance" in text.stdout
    bad = runner.invoke(app, ["analyse", "centrography", str(path), "--x", "x", "--y", "nope"])
    assert bad.exit_code == 2 and "column 'nope'" in bad.output
