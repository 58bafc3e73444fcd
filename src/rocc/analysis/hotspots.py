"""Hot spots on a square grid: counts per cell, quartic kernel density at cell centres, and
Getis-Ord Gi* z-scores with their significance."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage, stats
from scipy.spatial import cKDTree

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights
from rocc.analysis.results import jsonable

# A grid larger than this is almost always a cell size given in the wrong unit.
MAX_CELLS = 4_000_000
SQUARE_METRES_PER_SQUARE_KM = 1_000_000.0
DEFAULT_BANDWIDTH_CELLS = 3
# Kernel pairs handled at once, to bound memory on millions of events.
_PAIRS_PER_CHUNK = 4_000_000


def _coordinates(values: Any, *, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        series = pd.Series(values)
        numbers = pd.to_numeric(series, errors="coerce")
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise AnalysisInputError(f"expected a number, found {series.iloc[row]!r}", column=name, row=row + 1) from None
    if array.ndim != 1:
        raise AnalysisInputError(f"{name} must be one number per event")
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(f"expected a finite number, found {array[row]!r}", column=name, row=row + 1)
    return array


def _positive_metres(value: Any, *, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"{name} must be a number of metres, found {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise AnalysisInputError(f"{name} must be a number of metres > 0, found {value!r}")
    return number


def project_lonlat(longitude: Any, latitude: Any, *, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (WGS84, EPSG:4326, degrees) projected to ``crs``, which must be a projected
    CRS in metres (e.g. "EPSG:2193" NZTM2000, "EPSG:27700" British National Grid)."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    lon = _coordinates(longitude, name="longitude")
    lat = _coordinates(latitude, name="latitude")
    for values, name, limit in ((lon, "longitude", 180.0), (lat, "latitude", 90.0)):
        outside = np.abs(values) > limit
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise AnalysisInputError(
                f"expected degrees within ±{limit:g}, found {values[row]!r}", column=name, row=row + 1
            )
    try:
        target = CRS.from_user_input(crs)
    except CRSError:
        raise AnalysisInputError(f"unknown coordinate reference system {crs!r} (expected e.g. EPSG:2193)") from None
    units = {axis.unit_name for axis in target.axis_info}
    if not target.is_projected or not units <= {"metre", "meter"}:
        raise AnalysisInputError(f"{crs} is not a projected coordinate system in metres")
    x, y = Transformer.from_crs("EPSG:4326", target, always_xy=True).transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _checked_extent(extent: Any) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(value) for value in extent)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"extent must be four numbers west, south, east, north; found {extent!r}") from None
    if not all(map(math.isfinite, (west, south, east, north))) or west >= east or south >= north:
        raise AnalysisInputError(f"extent must have west < east and south < north, found {extent!r}")
    return west, south, east, north


def quartic_density(
    *, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, at_x: np.ndarray, at_y: np.ndarray, bandwidth: float
) -> np.ndarray:
    """Quartic (biweight) kernel density at the points ``(at_x, at_y)``, per square metre:
    Σ wᵢ · 3/(π h²) · (1 − dᵢ²/h²)² over events closer than the bandwidth h."""
    density = np.zeros(len(at_x), dtype=np.float64)
    targets = cKDTree(np.column_stack([at_x, at_y]))
    spacing = math.sqrt(_bounding_area(at_x, at_y) / max(len(at_x), 1)) or bandwidth
    pairs_per_event = max(1.0, math.pi * (bandwidth / spacing) ** 2)
    chunk = max(1, int(_PAIRS_PER_CHUNK / pairs_per_event))
    for begin in range(0, len(x), chunk):
        sources = cKDTree(np.column_stack([x[begin : begin + chunk], y[begin : begin + chunk]]))
        pairs = sources.sparse_distance_matrix(targets, bandwidth, output_type="ndarray")
        closeness = 1.0 - (pairs["v"] / bandwidth) ** 2
        contribution = closeness * closeness
        if weights is not None:
            contribution *= weights[begin + pairs["i"]]
        density += np.bincount(pairs["j"], weights=contribution, minlength=len(at_x))
    return density * (3.0 / (math.pi * bandwidth * bandwidth))


def _bounding_area(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) == 0:
        return 0.0
    return float((x.max() - x.min()) * (y.max() - y.min()))


def getis_ord_gi_star(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values for every cell of a count grid, with binary queen-contiguity
    weights that include the cell itself (its 3×3 block, cut at the grid's edge); NaN where undefined."""
    values = grid.astype(np.float64)
    n = values.size
    block = np.ones((3, 3))
    local_sum = ndimage.correlate(values, block, mode="constant", cval=0.0)
    neighbours = ndimage.correlate(np.ones_like(values), block, mode="constant", cval=0.0)
    mean = values.mean()
    spread = values.std()
    scale = max(np.abs(values).max(), 1.0)
    z = np.full(values.shape, np.nan)
    if n > 1 and spread > 1e-12 * scale:
        # Binary weights: the sum of squared weights equals the number of neighbours.
        variance_factor = (n * neighbours - neighbours**2) / (n - 1)
        defined = variance_factor > 0
        z[defined] = (local_sum[defined] - mean * neighbours[defined]) / (spread * np.sqrt(variance_factor[defined]))
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


def hot_labels(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ "99" for a hot spot at p < 0.01, "95" at p < 0.05, None otherwise (cold spots are not hot)."""
    labels = np.full(z.shape, None, dtype=object)
    hot = np.nan_to_num(z, nan=0.0) > 0
    labels[hot & (p < 0.05)] = "95"
    labels[hot & (p < 0.01)] = "99"
    return labels


def _finite_or_none(values: np.ndarray) -> list[float | None]:
    listed = values.astype(object)
    listed[~np.isfinite(values)] = None
    return listed.tolist()


@dataclasses.dataclass(frozen=True, eq=False)
class HotspotsResult:
    """Every cell of the grid over the events' bounding box (rows south to north, cells west to east):
    centre, count, kernel density, Gi* z and p, and the hot-spot label."""

    x: np.ndarray
    y: np.ndarray
    count: np.ndarray
    density: np.ndarray
    gi_z: np.ndarray
    gi_p: np.ndarray
    hot: np.ndarray
    rows: int
    cols: int
    origin: tuple[float, float]
    events: int
    total: float
    notes: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "x": self.x,
                "y": self.y,
                "count": self.count,
                "density": self.density,
                "gi_z": self.gi_z,
                "gi_p": self.gi_p,
                # object dtype keeps None as None (pandas would otherwise make it a missing string).
                "hot": pd.Series(self.hot, dtype=object),
            }
        )

    def _cells(self) -> list[dict[str, Any]]:
        """Cells as JSON-ready dicts, built column-wise (a city at 100 m is hundreds of thousands of cells)."""
        columns = {
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "count": self.count.tolist(),
            "density": _finite_or_none(self.density),
            "gi_z": _finite_or_none(self.gi_z),
            "gi_p": _finite_or_none(self.gi_p),
            "hot": self.hot.tolist(),
        }
        names = list(columns)
        return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]

    def to_dict(self) -> dict[str, Any]:
        document = jsonable(
            {
                "cells": None,
                "grid": {"rows": self.rows, "cols": self.cols, "origin": list(self.origin)},
                "events": self.events,
                "total": self.total,
                "hot_cells": {"95": int((self.hot == "95").sum()), "99": int((self.hot == "99").sum())},
                "notes": list(self.notes),
                "parameters": self.parameters,
            }
        )
        # The cells are JSON-ready as built; passing them through jsonable again would double the time.
        document["cells"] = self._cells()
        return document

    def to_geojson(self) -> dict[str, Any]:
        """The cells as a GeoJSON FeatureCollection of square polygons, in the input's projected metres."""
        half = self.parameters["cell"] / 2.0
        features = []
        for cell in self._cells():
            west, east, south, north = cell["x"] - half, cell["x"] + half, cell["y"] - half, cell["y"] + half
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
                    },
                    "properties": cell,
                }
            )
        collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
        crs = self.parameters.get("crs")
        if crs:
            # RFC 7946 GeoJSON assumes WGS84; the older named-CRS member tells GIS tools these are metres.
            authority, _, code = crs.partition(":")
            collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{authority}::{code}"}}
        collection["properties"] = {
            "coordinates": f"projected metres ({crs})" if crs else "projected metres of the input (CRS not stated)",
            "parameters": self.parameters,
        }
        return collection


def hotspots(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    cell: float,
    bandwidth: float | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
    extent: tuple[float, float, float, float] | None = None,
    crs: str | None = None,
) -> HotspotsResult:
    """Grid counts, quartic kernel density and Getis-Ord Gi* hot spots of events with projected coordinates.

    Parameters
    ----------
    x, y : event coordinates in metres of a projected CRS (e.g. NZTM2000 EPSG:2193 easting/northing).
    cell : side of the square grid cells, metres. Cells are aligned to multiples of ``cell`` and cover
        the events' bounding box.
    bandwidth : radius of the quartic kernel, metres (default three cells).
    weights : a harm weight per event (≥ 0); counts, density and Gi* then measure harm.
    extent : the study area (west, south, east, north) in metres. The grid covers it instead of the
        events' bounding box, and events outside it are left out (counted in ``notes``) — Gi* compares
        each cell with all cells of the grid, so a few far-away events would otherwise stretch the grid
        over empty country and inflate every z-score.
    crs : the name of the coordinates' CRS, recorded in the result and the GeoJSON (not used to compute).

    ``density`` is per square kilometre: the kernel-weighted events around each cell centre.
    ``gi_z`` is Getis-Ord Gi* over all cells of the grid, zero cells included, with the cell and its
    8 neighbours as binary weights; ``gi_p`` is two-sided from the standard normal; ``hot`` is "99"
    where gi_z > 0 and gi_p < 0.01, "95" where gi_z > 0 and gi_p < 0.05, else None. The p-values are
    not corrected for testing many cells at once.
    """
    xs = _coordinates(x, name="x")
    ys = _coordinates(y, name="y")
    n = len(xs)
    if n == 0:
        raise AnalysisInputError("there are no events")
    if len(ys) != n:
        raise AnalysisInputError(f"y has {len(ys)} values but x has {n}")
    cell = _positive_metres(cell, name="cell size")
    bandwidth = DEFAULT_BANDWIDTH_CELLS * cell if bandwidth is None else _positive_metres(bandwidth, name="bandwidth")
    weights = event_weights(weights, events=n)
    notes = []
    if extent is None:
        bounds = (xs.min(), ys.min(), xs.max(), ys.max())
    else:
        bounds = _checked_extent(extent)
        inside = (xs >= bounds[0]) & (xs <= bounds[2]) & (ys >= bounds[1]) & (ys <= bounds[3])
        if not inside.any():
            raise AnalysisInputError(f"none of the {n} events lies within the extent {list(bounds)}")
        if not inside.all():
            notes.append(f"{int((~inside).sum())} events outside the extent were left out")
            xs, ys = xs[inside], ys[inside]
            weights = None if weights is None else weights[inside]

    west = math.floor(bounds[0] / cell) * cell
    south = math.floor(bounds[1] / cell) * cell
    if extent is None:
        # Cells are half-open [west, east), so the easternmost event needs a cell starting at or before it.
        cols = int((bounds[2] - west) // cell) + 1
        rows = int((bounds[3] - south) // cell) + 1
    else:
        # A study area ends at its edge; an event exactly on the east or north edge joins the last cell.
        cols = max(1, math.ceil((bounds[2] - west) / cell))
        rows = max(1, math.ceil((bounds[3] - south) / cell))
    if rows * cols > MAX_CELLS:
        raise AnalysisInputError(
            f"a {cell:g} m grid over these events would have {rows * cols:,} cells (more than {MAX_CELLS:,}); "
            "use a larger cell size, or check the coordinates are in metres"
        )
    col = np.clip(np.floor((xs - west) / cell).astype(np.int64), 0, cols - 1)
    row = np.clip(np.floor((ys - south) / cell).astype(np.int64), 0, rows - 1)
    grid = np.bincount(row * cols + col, weights=weights, minlength=rows * cols).reshape(rows, cols)

    centre_x = west + (np.arange(cols) + 0.5) * cell
    centre_y = south + (np.arange(rows) + 0.5) * cell
    at_x = np.tile(centre_x, rows)
    at_y = np.repeat(centre_y, cols)
    density = quartic_density(x=xs, y=ys, weights=weights, at_x=at_x, at_y=at_y, bandwidth=bandwidth)
    z, p = getis_ord_gi_star(grid)

    looks_like_degrees = (
        crs is None
        and np.abs(xs).max() <= 180
        and np.abs(ys).max() <= 90
        and xs.max() - xs.min() < 5
        and ys.max() - ys.min() < 5
    )
    if looks_like_degrees:
        notes.append(
            "the coordinates look like longitude/latitude degrees; cell size and bandwidth are in metres, "
            "so project them first (e.g. to NZTM2000, EPSG:2193)"
        )
    if rows * cols < 30:
        notes.append(f"only {rows * cols} cells: Gi* z-scores rest on a normal approximation that needs many cells")

    return HotspotsResult(
        x=at_x,
        y=at_y,
        count=grid.ravel() if weights is not None else grid.ravel().astype(np.int64),
        density=density * SQUARE_METRES_PER_SQUARE_KM,
        gi_z=z.ravel(),
        gi_p=p.ravel(),
        hot=hot_labels(z, p).ravel(),
        rows=rows,
        cols=cols,
        origin=(west, south),
        events=len(xs),
        total=float(grid.sum()),
        notes=tuple(notes),
        parameters={
            "cell": cell,
            "bandwidth": bandwidth,
            "kernel": "quartic",
            "density_unit": "events per square kilometre" if weights is None else "harm per square kilometre",
            "gi_weights": "queen contiguity including the cell itself (3×3 block), binary",
            "p_value": "two-sided, standard normal",
            "harm_weighted": weights is not None,
            "extent": None if extent is None else list(bounds),
            "crs": crs,
        },
    )
