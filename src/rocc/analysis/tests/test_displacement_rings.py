"""Areas around a hot spot's cells for displacement: which cells are the target, and which points fall in the target
cells, the buffer ring and the control ring; hand-computed cases and a point-by-point oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocc.analysis.displacement import cell_rings, target_cells_choose
from rocc.analysis.errors import AnalysisInputError

# Two 100 m cells side by side: the target is the rectangle [0, 200] × [0, 100].
CENTRES = [(50.0, 50.0), (150.0, 50.0)]


def test_points_are_placed_in_the_target_the_buffer_and_the_control_ring_as_measured_by_hand():
    points = {
        (100.0, 50.0): "target",  # inside the first cell
        (0.0, 0.0): "target",  # on the target's corner: on the edge counts as inside
        (250.0, 50.0): "buffer",  # 50 m east of the target: the buffer's edge
        (250.1, 50.0): "control",  # 50.1 m: just past the buffer
        (-30.0, -40.0): "buffer",  # 50 m from the corner (3-4-5): the ring's corner is rounded
        (-40.0, -40.0): "control",  # 56.6 m from the corner
        (100.0, 249.0): "control",  # 149 m north
        (100.0, 260.0): None,  # 160 m: beyond the control ring
        (math.nan, 5.0): None,  # no coordinates
    }
    rings = cell_rings(x=[p[0] for p in points], y=[p[1] for p in points], centres=CENTRES, cell=100.0, buffer_m=50.0, control_m=150.0)
    assert list(rings.area) == list(points.values())
    assert rings.counts() == {"target": 2, "buffer": 2, "control": 3}
    assert rings.distance_m[4] == pytest.approx(50.0) and rings.distance_m[5] == pytest.approx(math.hypot(40, 40))
    assert math.isnan(rings.distance_m[8])
    # Without a control ring the farther points are in no area, and there is no control count.
    plain = cell_rings(x=[p[0] for p in points], y=[p[1] for p in points], centres=CENTRES, cell=100.0, buffer_m=50.0)
    assert plain.counts() == {"target": 2, "buffer": 2}


def _oracle(px: float, py: float, centres, cell: float, buffer_m: float, control_m: float) -> str | None:
    """The area of one point, cell by cell: the distance to the nearest square."""
    if not (math.isfinite(px) and math.isfinite(py)):
        return None
    nearest = math.inf
    for cx, cy in centres:
        dx = max(abs(px - cx) - cell / 2, 0.0)
        dy = max(abs(py - cy) - cell / 2, 0.0)
        nearest = min(nearest, math.hypot(dx, dy))
    if nearest == 0:
        return "target"
    if nearest <= buffer_m:
        return "buffer"
    if nearest <= control_m:
        return "control"
    return None


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=8, unique=True),
    points=st.lists(st.tuples(st.floats(-1500, 1500), st.floats(-1500, 1500)), min_size=1, max_size=60),
    buffer_m=st.floats(1, 400),
    extra=st.floats(1, 600),
)
def test_the_vectorised_placing_agrees_with_the_point_by_point_oracle(cells, points, buffer_m, extra):
    cell = 100.0
    centres = [(i * cell + cell / 2, j * cell + cell / 2) for i, j in cells]
    rings = cell_rings(x=[p[0] for p in points], y=[p[1] for p in points], centres=centres, cell=cell, buffer_m=buffer_m, control_m=buffer_m + extra)
    expected = [_oracle(px, py, centres, cell, buffer_m, buffer_m + extra) for px, py in points]
    assert list(rings.area) == expected


def test_many_points_and_cells_are_placed_in_blocks_with_the_same_answer():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-2000, 2000, 30_000), rng.uniform(-2000, 2000, 30_000)
    centres = [(float(i * 100 + 50), float(j * 100 + 50)) for i in range(-6, 6) for j in range(-6, 6)]
    rings = cell_rings(x=x, y=y, centres=centres, cell=100.0, buffer_m=200.0, control_m=800.0)
    sample = rng.choice(len(x), 300, replace=False)
    assert [rings.area[i] for i in sample] == [_oracle(x[i], y[i], centres, 100.0, 200.0, 800.0) for i in sample]


CELLS = [
    {"x": 50.0, "y": 50.0, "count": 9, "gi_z": 3.1, "hot": "99"},
    {"x": 150.0, "y": 50.0, "count": 6, "gi_z": 2.2, "hot": "95"},
    {"x": 250.0, "y": 50.0, "count": 5, "gi_z": 2.2, "hot": None},
    {"x": 350.0, "y": 50.0, "count": 0, "gi_z": None, "hot": None},
]


def test_the_target_cells_are_the_hot_cells_the_99_cells_or_the_top_by_gi_z():
    assert target_cells_choose(CELLS, choose="hot") == [(50.0, 50.0), (150.0, 50.0)]
    assert target_cells_choose(CELLS, choose="hot_99") == [(50.0, 50.0)]
    # A tie on z goes to the cell with more events; a cell with no z is never taken.
    assert target_cells_choose(CELLS, choose="top", top=2) == [(50.0, 50.0), (150.0, 50.0)]
    assert target_cells_choose(CELLS, choose="top", top=10) == [(50.0, 50.0), (150.0, 50.0), (250.0, 50.0)]


def test_a_choice_that_finds_no_cell_or_a_bad_distance_is_refused_with_what_to_do():
    with pytest.raises(AnalysisInputError, match="no cell of this hot-spot result is hot at 99%; choose the top cells"):
        target_cells_choose([{**c, "hot": None if c["hot"] == "99" else c["hot"]} for c in CELLS], choose="hot_99")
    with pytest.raises(AnalysisInputError, match="how many of the top cells"):
        target_cells_choose(CELLS, choose="top", top=0)
    with pytest.raises(AnalysisInputError, match="hot-spot cell 2: x must be a finite number"):
        target_cells_choose([CELLS[0], {**CELLS[1], "x": None}], choose="hot")
    with pytest.raises(AnalysisInputError, match="buffer_m must be a positive distance"):
        cell_rings(x=[0.0], y=[0.0], centres=CENTRES, cell=100.0, buffer_m=0)
    with pytest.raises(AnalysisInputError, match="farther than the buffer's 50 m"):
        cell_rings(x=[0.0], y=[0.0], centres=CENTRES, cell=100.0, buffer_m=50.0, control_m=50.0)
