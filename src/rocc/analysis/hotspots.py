"""Hot spots on a square grid: counts per cell, quartic kernel density at cell centres, and
Getis-Ord Gi* z-scores with their significance (corrected for testing many cells at once), and the top
hot spots named by their place."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numba import njit
from scipy import ndimage, stats
from scipy.spatial import cKDTree

from rocc.analysis import inputs
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights
from rocc.analysis.results import jsonable, p_text

# A grid larger than this is almost always a cell size given in the wrong unit.
MAX_CELLS = 4_000_000
SQUARE_METRES_PER_SQUARE_KM = 1_000_000.0
DEFAULT_BANDWIDTH_CELLS = 3
# Kernel pairs handled at once, to bound memory on millions of events.
_PAIRS_PER_CHUNK = 4_000_000
#: How the cells' p-values are corrected for testing every cell at once: Benjamini–Hochberg false
#: discovery rate (the default of esda and ArcGIS Hot Spot Analysis), or not at all.
CORRECTIONS = ("fdr", "none")
#: Cells × permutations beyond this would keep an analyst waiting minutes; a coarser grid or fewer
#: permutations answers the same question.
MAX_PERMUTATION_WORK = 400_000_000
TOP_HOT_SPOTS = 10
#: Below this many events in a cell's 3×3 block on average, Gi*'s normal approximation is too kind to
#: small clusters (counts this low are far from normal).
SPARSE_BLOCK_EVENTS = 5.0
PLACE_SOURCES = ("unit", "recorded place", "address")


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
            raise AnalysisInputError(f"expected degrees within ±{limit:g}, found {values[row]!r}", column=name, row=row + 1)
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


def quartic_density(*, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, at_x: np.ndarray, at_y: np.ndarray, bandwidth: float) -> np.ndarray:
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
    # Gi* does not change when every count is scaled, so "no spread" is judged against the counts' own size: counts
    # that are all equal (to rounding) leave every z undefined, however small the weights that made them.
    z = np.full(values.shape, np.nan)
    if n > 1 and spread > 1e-9 * np.abs(values).max():
        # Binary weights: the sum of squared weights equals the number of neighbours.
        variance_factor = (n * neighbours - neighbours**2) / (n - 1)
        defined = variance_factor > 0
        z[defined] = (local_sum[defined] - mean * neighbours[defined]) / (spread * np.sqrt(variance_factor[defined]))
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


def hot_labels(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ "99" for a hot spot at p < 0.01, "95" at p < 0.05, None otherwise (cold spots are not hot).
    ``p`` is whichever p-value the result judges by (corrected or not)."""
    labels = np.full(z.shape, None, dtype=object)
    hot = np.nan_to_num(z, nan=0.0) > 0
    with np.errstate(invalid="ignore"):
        labels[hot & (p < 0.05)] = "95"
        labels[hot & (p < 0.01)] = "99"
    return labels


def false_discovery_rate(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values over the defined entries of ``p`` (NaN stays NaN):
    q₍ₖ₎ = min over j ≥ k of m · p₍ⱼ₎ / j, capped at 1. A cell with q < α is a discovery at false
    discovery rate α, the same cells as esda's ``fdr(p, α)`` threshold picks."""
    p = np.asarray(p, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    defined = np.isfinite(p)
    m = int(defined.sum())
    if m == 0:
        return q
    values = p[defined]
    order = np.argsort(values, kind="stable")
    scaled = values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    q[defined] = out
    return q


@njit(cache=True)
def _permuted_tallies(values: np.ndarray, rows: int, cols: int, draws: np.ndarray, tolerance: float):
    n = rows * cols
    at_least = np.zeros(n, dtype=np.int64)
    at_most = np.zeros(n, dtype=np.int64)
    for i in range(n):
        r = i // cols
        c = i % cols
        neighbours = 0
        observed = 0.0
        for dr in range(-1, 2):
            for dc in range(-1, 2):
                rr = r + dr
                cc = c + dc
                if 0 <= rr < rows and 0 <= cc < cols:
                    observed += values[rr * cols + cc]
                    if dr != 0 or dc != 0:
                        neighbours += 1
        for k in range(draws.shape[0]):
            total = values[i]
            for m in range(neighbours):
                j = draws[k, m]
                if j >= i:
                    j += 1
                total += values[j]
            if total >= observed - tolerance:
                at_least[i] += 1
            if total <= observed + tolerance:
                at_most[i] += 1
    return at_least, at_most


def conditional_permutation_p(grid: np.ndarray, *, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Pseudo p-values of Gi* by conditional permutation, as esda's ``G_Local(..., star=True).p_sim``:
    each cell keeps its own value and its neighbours' values are drawn, without replacement, from
    the other cells. Permutation k draws ``rng.choice(n - 1, size=min(8, n - 1), replace=False)``;
    cell i takes the first (its neighbour count) of them, as positions among the cells other than i
    in row-major order. With U the count of permuted local sums at least the observed one and D the
    count at most it, p = (min(U, D) + 1) / (permutations + 1): one-sided, in the direction of the
    observed value, as esda folds it, except that a tie counts on both sides. (esda counts a tie
    only upwards, so a cell whose local sum is the least possible — an empty corner of a sparse
    grid — gets the smallest p of all, and those p-values would flood the false discovery rate.)"""
    values = np.ascontiguousarray(grid, dtype=np.float64).ravel()
    n = values.size
    rows, cols = grid.shape
    width = min(8, n - 1)
    draws = np.empty((permutations, max(width, 0)), dtype=np.int64)
    for k in range(permutations):
        draws[k] = rng.choice(n - 1, size=width, replace=False)
    tolerance = 1e-9 * max(float(np.abs(values).max(initial=0.0)), 1.0)
    at_least, at_most = _permuted_tallies(values, rows, cols, draws, tolerance)
    folded = np.minimum(at_least, at_most)
    return ((folded + 1) / (permutations + 1)).reshape(grid.shape)


def _finite_or_none(values: np.ndarray) -> list[float | None]:
    listed = values.astype(object)
    listed[~np.isfinite(values)] = None
    return listed.tolist()


@dataclasses.dataclass(frozen=True, eq=False)
class HotspotsResult:
    """Every cell of the grid over the events' bounding box (rows south to north, cells west to east):
    centre, count, kernel density, Gi* z and p (normal; by conditional permutation when asked; FDR
    adjusted when corrected), the hot-spot label, and the top hot spots with their places."""

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
    #: Pseudo p-values by conditional permutation (None unless permutations were asked for).
    gi_p_sim: np.ndarray | None = None
    #: Benjamini–Hochberg adjusted p-values of the p the labels judge by (None without the correction).
    gi_p_fdr: np.ndarray | None = None
    top_hot_spots: tuple[dict[str, Any], ...] = ()

    def _columns(self) -> dict[str, Any]:
        columns: dict[str, Any] = {
            "x": self.x,
            "y": self.y,
            "count": self.count,
            "density": self.density,
            "gi_z": self.gi_z,
            "gi_p": self.gi_p,
        }
        if self.gi_p_sim is not None:
            columns["gi_p_sim"] = self.gi_p_sim
        if self.gi_p_fdr is not None:
            columns["gi_p_fdr"] = self.gi_p_fdr
        return columns

    def to_frame(self) -> pd.DataFrame:
        # object dtype keeps None as None (pandas would otherwise make it a missing string).
        return pd.DataFrame({**self._columns(), "hot": pd.Series(self.hot, dtype=object)})

    def _cells(self) -> list[dict[str, Any]]:
        """Cells as JSON-ready dicts, built column-wise (a city at 100 m is hundreds of thousands of cells)."""
        columns = {name: values.tolist() if name in ("x", "y", "count") else _finite_or_none(values) for name, values in self._columns().items()}
        columns["hot"] = self.hot.tolist()
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
                "top_hot_spots": list(self.top_hot_spots),
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
    correction: str = "fdr",
    permutations: int = 0,
    seed: int | np.random.Generator | None = None,
    places: Sequence[Any] | np.ndarray | pd.Series | None = None,
    places_are: str = "recorded place",
    top: int = TOP_HOT_SPOTS,
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
    correction : "fdr" (the default) judges each cell by its Benjamini–Hochberg adjusted p-value, so
        that among the cells called hot at 95% at most 5% are expected to be false discoveries;
        "none" judges by the raw p-value (about 1 in 40 cells of a field with no hot spot at all
        would then be called hot at 95%).
    permutations : 0 (the default) for p-values from the normal approximation; otherwise the number of
        conditional permutations (999 is usual) behind pseudo p-values, as esda's ``p_sim``.
    seed : an integer (recorded), a numpy Generator, or None for a fresh seed that is recorded; used
        only with permutations.
    places : a label per event (its unit, recorded place or address) naming the top hot spots by the
        label most common among the cell's events; ``places_are`` says which ("unit", "recorded
        place", "address"). Without them a hot spot is named by its centre's coordinates.
    top : how many of the hottest cells to list in ``top_hot_spots``.

    ``density`` is per square kilometre: the kernel-weighted events around each cell centre.
    ``gi_z`` is Getis-Ord Gi* over all cells of the grid, zero cells included, with the cell and its
    8 neighbours as binary weights; ``gi_p`` is two-sided from the standard normal; ``hot`` is "99"
    where gi_z > 0 and the judged p-value < 0.01, "95" where it is < 0.05, else None. The judged
    p-value is ``gi_p_fdr`` with the correction, else ``gi_p_sim`` with permutations, else ``gi_p``.
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
    if correction not in CORRECTIONS:
        raise AnalysisInputError(f"unknown correction {correction!r}; use one of: {', '.join(CORRECTIONS)}")
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise AnalysisInputError(f"permutations must be a whole number of at least 0, not {permutations!r}")
    permutations = int(permutations)
    if places_are not in PLACE_SOURCES:
        raise AnalysisInputError(f"places_are must be one of: {', '.join(PLACE_SOURCES)}; found {places_are!r}")
    labels = None
    if places is not None:
        labels = pd.Series(places, dtype=object).reset_index(drop=True)
        if len(labels) != n:
            raise AnalysisInputError(f"places has {len(labels)} values but x has {n}")
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
            labels = None if labels is None else labels[inside].reset_index(drop=True)

    west, south, rows, cols = grid_layout(bounds, cell=cell, extent_given=extent is not None, permutations=permutations)
    col = np.clip(np.floor((xs - west) / cell).astype(np.int64), 0, cols - 1)
    row = np.clip(np.floor((ys - south) / cell).astype(np.int64), 0, rows - 1)
    cell_of_event = row * cols + col
    grid = np.bincount(cell_of_event, weights=weights, minlength=rows * cols).reshape(rows, cols)

    def tally(cells: np.ndarray) -> pd.DataFrame | None:
        if labels is None:
            return None
        text, usable = _usable_places(labels)
        wanted = np.isin(cell_of_event, cells) & usable
        frame = pd.DataFrame({"cell": cell_of_event[wanted], "place": text[wanted].to_numpy(), "seen": np.flatnonzero(wanted)})
        return frame.groupby(["cell", "place"], sort=False).agg(events=("seen", "size"), first=("seen", "min")).reset_index()

    return _on_grid(
        grid=grid,
        west=west,
        south=south,
        xs=xs,
        ys=ys,
        x_range=(xs.min(), xs.max()),
        y_range=(ys.min(), ys.max()),
        weights=weights,
        cell=cell,
        bandwidth=bandwidth,
        extent=None if extent is None else bounds,
        crs=crs,
        correction=correction,
        permutations=permutations,
        seed=seed,
        tally=tally,
        places_are=places_are if labels is not None else None,
        top=top,
        notes=notes,
    )


def grid_layout(bounds, *, cell: float, extent_given: bool, permutations: int = 0) -> tuple[float, float, int, int]:
    """The grid over ``bounds`` (west, south, east, north): its origin (west, south, aligned to multiples of
    ``cell``), rows and columns; refused when it would have too many cells, or too many for the permutations."""
    west = math.floor(bounds[0] / cell) * cell
    south = math.floor(bounds[1] / cell) * cell
    if not extent_given:
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
    if permutations and rows * cols * permutations > MAX_PERMUTATION_WORK:
        raise AnalysisInputError(
            f"{permutations} permutations over {rows * cols:,} cells is more than this machine does in reasonable time "
            f"(cells × permutations at most {MAX_PERMUTATION_WORK:,}); use fewer permutations or a larger cell size"
        )
    return west, south, rows, cols


def grid_for_bounds(*, x_range: tuple[float, float], y_range: tuple[float, float], cell: Any, permutations: int = 0) -> tuple[float, float, int, int]:
    """The grid :func:`hotspots` lays over events with these bounds (no extent): origin west, south, rows, cols;
    the cell size checked and the grid refused as :func:`hotspots` refuses it."""
    checked = _positive_metres(cell, name="cell size")
    bounds = (np.float64(x_range[0]), np.float64(y_range[0]), np.float64(x_range[1]), np.float64(y_range[1]))
    return grid_layout(bounds, cell=checked, extent_given=False, permutations=permutations)


def _usable_places(labels: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The place labels as trimmed text, and which of them name a place (not blank, not a missing value)."""
    text = labels.astype(str).str.strip()
    return text, labels.notna().to_numpy() & ~text.isin(["", "nan", "None"]).to_numpy()


def hotspots_from_counts(
    *,
    cells: pd.DataFrame,
    x: np.ndarray,
    y: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    cell: float,
    bandwidth: float | None = None,
    crs: str | None = None,
    correction: str = "fdr",
    permutations: int = 0,
    seed: int | np.random.Generator | None = None,
    place_tally: pd.DataFrame | None = None,
    places_are: str = "recorded place",
    top: int = TOP_HOT_SPOTS,
) -> HotspotsResult:
    """:func:`hotspots` (without weights or an extent) from counts made elsewhere, for example by a database engine:
    ``cells`` has one row per occupied cell, with ``col`` and ``row`` on the grid :func:`grid_layout` gives for the
    events' bounds (``x_range``, ``y_range``) and its ``count``; ``x`` and ``y`` are the events' coordinates in the
    order :func:`hotspots` would take them (the kernel density sums over events); ``place_tally`` has, for each cell
    (``col``, ``row``) and place label, its ``events`` and the position of the first of them (``first``). The result
    is the one :func:`hotspots` gives for the same events."""
    xs = _coordinates(x, name="x")
    ys = _coordinates(y, name="y")
    if len(xs) == 0:
        raise AnalysisInputError("there are no events")
    cell = _positive_metres(cell, name="cell size")
    bandwidth = DEFAULT_BANDWIDTH_CELLS * cell if bandwidth is None else _positive_metres(bandwidth, name="bandwidth")
    if correction not in CORRECTIONS:
        raise AnalysisInputError(f"unknown correction {correction!r}; use one of: {', '.join(CORRECTIONS)}")
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise AnalysisInputError(f"permutations must be a whole number of at least 0, not {permutations!r}")
    permutations = int(permutations)
    if places_are not in PLACE_SOURCES:
        raise AnalysisInputError(f"places_are must be one of: {', '.join(PLACE_SOURCES)}; found {places_are!r}")
    bounds = (np.float64(x_range[0]), np.float64(y_range[0]), np.float64(x_range[1]), np.float64(y_range[1]))
    west, south, rows, cols = grid_layout(bounds, cell=cell, extent_given=False, permutations=permutations)
    counts = np.zeros(rows * cols, dtype=np.float64)
    where = cells["row"].to_numpy(dtype=np.int64) * cols + cells["col"].to_numpy(dtype=np.int64)
    counts[where] = cells["count"].to_numpy(dtype=np.float64)
    if int(counts.sum()) != len(xs):
        raise AnalysisInputError(f"the cells count {int(counts.sum())} events but {len(xs)} have coordinates")

    def tally(wanted: np.ndarray) -> pd.DataFrame | None:
        if place_tally is None:
            return None
        labels = place_tally["place"].astype(object).reset_index(drop=True)
        text, usable = _usable_places(labels)
        named = pd.DataFrame(
            {
                "cell": (place_tally["row"].to_numpy(dtype=np.int64) * cols + place_tally["col"].to_numpy(dtype=np.int64)),
                "place": text.to_numpy(),
                "events": place_tally["events"].to_numpy(dtype=np.int64),
                "first": place_tally["first"].to_numpy(dtype=np.int64),
            }
        )[usable]
        named = named[np.isin(named["cell"].to_numpy(), wanted)]
        # Labels that read the same once trimmed are one place, as they are over the events.
        return named.groupby(["cell", "place"], sort=False).agg(events=("events", "sum"), first=("first", "min")).reset_index()

    return _on_grid(
        grid=counts.reshape(rows, cols),
        west=west,
        south=south,
        xs=xs,
        ys=ys,
        x_range=(bounds[0], bounds[2]),
        y_range=(bounds[1], bounds[3]),
        weights=None,
        cell=cell,
        bandwidth=bandwidth,
        extent=None,
        crs=crs,
        correction=correction,
        permutations=permutations,
        seed=seed,
        tally=tally,
        places_are=places_are if place_tally is not None else None,
        top=top,
        notes=[],
    )


def _on_grid(
    *, grid, west, south, xs, ys, x_range, y_range, weights, cell, bandwidth, extent, crs, correction, permutations, seed, tally, places_are, top, notes
):
    """Everything :func:`hotspots` gives once the events are on the grid: density, Gi*, labels, notes, top spots."""
    rows, cols = grid.shape
    centre_x = west + (np.arange(cols) + 0.5) * cell
    centre_y = south + (np.arange(rows) + 0.5) * cell
    at_x = np.tile(centre_x, rows)
    at_y = np.repeat(centre_y, cols)
    density = quartic_density(x=xs, y=ys, weights=weights, at_x=at_x, at_y=at_y, bandwidth=bandwidth)
    z, p = getis_ord_gi_star(grid)
    p_sim = None
    seed_used = None
    if permutations:
        generator, seed_used = inputs.rng(seed)
        p_sim = conditional_permutation_p(grid, permutations=permutations, rng=generator)
        # Where Gi* is undefined (every cell equal) every permuted sum ties the observed one; no p.
        p_sim[~np.isfinite(z)] = np.nan
    judged = p if p_sim is None else p_sim
    p_fdr = false_discovery_rate(judged) if correction == "fdr" else None
    hot = hot_labels(z, judged if p_fdr is None else p_fdr)

    largest_x, largest_y = max(abs(x_range[0]), abs(x_range[1])), max(abs(y_range[0]), abs(y_range[1]))
    looks_like_degrees = crs is None and largest_x <= 180 and largest_y <= 90 and x_range[1] - x_range[0] < 5 and y_range[1] - y_range[0] < 5
    if looks_like_degrees:
        notes.append(
            "the coordinates look like longitude/latitude degrees; cell size and bandwidth are in metres, so project them first (e.g. to NZTM2000, EPSG:2193)"
        )
    if rows * cols < 30 and not permutations:
        notes.append(f"only {rows * cols} cells: Gi* z-scores rest on a normal approximation that needs many cells")
    mean_block = 9.0 * float(grid.mean()) if grid.size else 0.0
    if not permutations and np.isfinite(z).any() and mean_block < SPARSE_BLOCK_EVENTS:
        notes.append(
            f"the counts are sparse ({grid.mean():.2g} events per cell on average): the normal approximation behind "
            "the Gi* p-values overstates how unusual a small cluster is, so some cells may be called hot by chance; "
            "use permutations (999) or a larger cell size"
        )
    if correction == "fdr":
        notes.append(
            f"hot spots are judged by p-values corrected for testing {int(np.isfinite(judged).sum()):,} cells at once (Benjamini–Hochberg false discovery rate)"
        )
        if permutations:
            notes.append(
                f"with {permutations} permutations no pseudo p-value can be below {1 / (permutations + 1):.3g}, so after "
                "the correction a cell is hot only where many cells are as extreme; more permutations let fewer cells show"
            )
    else:
        notes.append(
            "the p-values are not corrected for testing many cells at once: expect about 1 in 40 cells of a field with no real hot spot to be called hot at 95%"
        )
    judged_final = judged if p_fdr is None else p_fdr
    top_list = _top_hot_spots(
        z=z.ravel(),
        p=judged_final.ravel(),
        hot=hot.ravel(),
        count=grid.ravel(),
        at_x=at_x,
        at_y=at_y,
        tally=tally,
        places_are=places_are,
        crs=crs,
        top=top,
    )

    return HotspotsResult(
        x=at_x,
        y=at_y,
        count=grid.ravel() if weights is not None else grid.ravel().astype(np.int64),
        density=density * SQUARE_METRES_PER_SQUARE_KM,
        gi_z=z.ravel(),
        gi_p=p.ravel(),
        hot=hot.ravel(),
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
            "p_value": (
                f"conditional permutation ({permutations}), one-sided in the observed direction (esda's p_sim, ties on both sides)"
                if permutations
                else "two-sided, standard normal"
            ),
            "correction": correction,
            "judged_by": "gi_p_fdr" if p_fdr is not None else ("gi_p_sim" if permutations else "gi_p"),
            "permutations": permutations,
            "seed": seed_used,
            "harm_weighted": weights is not None,
            "extent": None if extent is None else list(extent),
            "crs": crs,
            "places_are": places_are,
        },
        gi_p_sim=None if p_sim is None else p_sim.ravel(),
        gi_p_fdr=None if p_fdr is None else p_fdr.ravel(),
        top_hot_spots=top_list,
    )


def _top_hot_spots(*, z, p, hot, count, at_x, at_y, tally, places_are, crs, top) -> tuple[dict[str, Any], ...]:
    """The hottest cells (highest Gi* first among those labelled hot), each named by the place most
    common among its events (first seen on a tie) or, without places, by its centre's coordinates.
    ``tally(cells)`` gives, for those cells, each usable place's events and its first event's position."""
    hot_cells = np.flatnonzero(hot != None)  # noqa: E711 (an object array compares element-wise)
    order = hot_cells[np.lexsort((hot_cells, -z[hot_cells]))][: max(int(top), 0)]
    named: dict[int, str] = {}
    if len(order):
        counted = tally(order)
        if counted is not None and len(counted):
            counted = counted.sort_values(["cell", "events", "first"], ascending=[True, False, True])
            named = dict(counted.drop_duplicates("cell")[["cell", "place"]].itertuples(index=False, name=None))
    spots = []
    for rank, i in enumerate(order.tolist(), start=1):
        place = named.get(i)
        spots.append(
            {
                "rank": rank,
                "x": float(at_x[i]),
                "y": float(at_y[i]),
                "count": float(count[i]),
                "gi_z": float(z[i]),
                "p": float(p[i]),
                "p_text": p_text(p[i]),
                "hot": hot[i],
                "place": place if place is not None else f"{at_x[i]:.0f} E, {at_y[i]:.0f} N",
                "place_from": places_are if place is not None else "coordinates" + (f" ({crs})" if crs else ""),
            }
        )
    return tuple(spots)
