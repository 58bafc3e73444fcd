"""The square grid the spatial analyses share with the hot-spot map: cells aligned to multiples of the cell
size, half-open [west, east) × [south, north), rows south to north and cells west to east (row-major)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hotspots import MAX_CELLS, _checked_extent, _coordinates, _positive_metres


@dataclass(frozen=True)
class Grid:
    """A grid of ``rows`` × ``cols`` cells of side ``cell`` metres whose south-west corner is ``origin``."""

    origin: tuple[float, float]
    cell: float
    rows: int
    cols: int

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The row-major cell index of each point, or -1 for a point outside the grid."""
        west, south = self.origin
        col = np.floor((np.asarray(x, dtype=np.float64) - west) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y, dtype=np.float64) - south) / self.cell).astype(np.int64)
        inside = (col >= 0) & (col < self.cols) & (row >= 0) & (row < self.rows)
        return np.where(inside, row * self.cols + col, -1)

    def counts(self, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Events (or their weights) per cell, row-major; points outside the grid are not counted."""
        index = self.cell_of(x, y)
        kept = index >= 0
        return np.bincount(index[kept], weights=None if weights is None else weights[kept], minlength=self.size).astype(np.float64)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """The x and y of every cell's centre, row-major."""
        west, south = self.origin
        xs = west + (np.arange(self.cols) + 0.5) * self.cell
        ys = south + (np.arange(self.rows) + 0.5) * self.cell
        return np.tile(xs, self.rows), np.repeat(ys, self.cols)

    def to_dict(self) -> dict[str, Any]:
        return {"origin": list(self.origin), "cell": self.cell, "rows": self.rows, "cols": self.cols}


def grid_over(*, x: Any, y: Any, cell: Any, extent: Any = None) -> Grid:
    """The hot-spot map's grid over the points' bounding box (or over ``extent`` west, south, east, north in
    metres): the easternmost and northernmost points get a cell of their own, as on the map."""
    xs = _coordinates(x, name="x")
    ys = _coordinates(y, name="y")
    if len(xs) != len(ys):
        raise AnalysisInputError(f"y has {len(ys)} values but x has {len(xs)}")
    if len(xs) == 0 and extent is None:
        raise AnalysisInputError("there are no events")
    size = _positive_metres(cell, name="cell size")
    if extent is None:
        west = math.floor(xs.min() / size) * size
        south = math.floor(ys.min() / size) * size
        cols = int((xs.max() - west) // size) + 1
        rows = int((ys.max() - south) // size) + 1
    else:
        bounds = _checked_extent(extent)
        west = math.floor(bounds[0] / size) * size
        south = math.floor(bounds[1] / size) * size
        cols = max(1, math.ceil((bounds[2] - west) / size))
        rows = max(1, math.ceil((bounds[3] - south) / size))
    if rows * cols > MAX_CELLS:
        raise AnalysisInputError(
            f"a {size:g} m grid over these events would have {rows * cols:,} cells (more than {MAX_CELLS:,}); "
            "use a larger cell size, or check the coordinates are in metres"
        )
    return Grid(origin=(float(west), float(south)), cell=size, rows=rows, cols=cols)
