"""Placing imported events in their unit by their coordinates: the one call the events importer makes into maps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rocc.maps.models import Boundary
from rocc.maps.selectors import units_for_points


def blank_units_placed(names: pd.Series, x: np.ndarray, y: np.ndarray) -> tuple[pd.Series, dict[int, str]]:
    """``names`` (the unit column as text) with every blank that has NZTM2000 coordinates filled with the code of the
    unit whose boundary holds the point (the deepest level: an area before its district), and, for the blanks whose
    point lies outside every loaded boundary, a message by row position. The importer resolves and scope-checks the
    filled codes like any other unit it is given."""

    blank = (names == "").to_numpy() & ~np.isnan(x) & ~np.isnan(y)
    if not blank.any():
        return names, {}
    positions = np.flatnonzero(blank)
    if not Boundary.objects.exists():
        message = "the organisational unit is blank, and no boundaries are loaded to place the event by its coordinates (rocc org boundaries import)"
        return names, dict.fromkeys(positions.tolist(), message)
    placement = units_for_points(x[positions], y[positions])
    filled = names.copy()
    inside = ~placement.outside
    filled.iloc[positions[inside]] = placement.codes[inside]
    outside = {
        int(i): f"the organisational unit is blank, and the point x={x[i]:,.0f}, y={y[i]:,.0f} lies outside every loaded boundary: give the unit"
        for i in positions[placement.outside].tolist()
    }
    return filled, outside
