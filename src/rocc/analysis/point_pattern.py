"""Point patterns: whether events are clustered, random or regular over a study area (the Clark–Evans
nearest-neighbour index with its test, Ripley's K and L against Monte Carlo envelopes of complete spatial
randomness), and a kernel density surface with a documented bandwidth rule; the study area may be a polygon, so
empty land and water are not counted as places with no events."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import cKDTree

from rocc.analysis import inputs
from rocc.analysis import study_area as areas
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import grid_over
from rocc.analysis.hotspots import _checked_extent, _coordinates, _positive_metres, quartic_density
from rocc.analysis.results import jsonable, p_phrase
from rocc.analysis.study_area import cells_inside, points_inside

#: The standard error of the mean nearest-neighbour distance under complete spatial randomness is this times
#: √(A) / n (Clark and Evans 1954: √((4 − π) / (4π)) = 0.26136).
CLARK_EVANS_SE = math.sqrt((4 - math.pi) / (4 * math.pi))
SIGNIFICANCE = 0.05
DEFAULT_DISTANCES = 20
MAX_SIMULATIONS = 999
MAX_DENSITY_CELLS = 250_000


@dataclass(frozen=True, eq=False)
class PointPatternResult:
    """The nearest-neighbour index, Ripley's K and L with their envelopes, and the kernel density, of one set of
    events over one study area.

    ``nearest_neighbour``: observed and expected mean nearest-neighbour distance (metres), the index R = observed /
    expected (below 1 clustered, 1 random, above 1 regular, at most 2.1491), its z and two-sided p.
    ``ripley``: one row per distance d: K(d) = A / (n(n − 1)) × the ordered pairs at most d apart, K under
    randomness (π d²), L(d) = √(K / π), L(d) − d, the lowest and highest L of the simulations (the envelope), and
    whether the observed L lies above it (clustered at that distance), below it (regular), or within.
    ``density``: per square kilometre at each cell centre of the grid (cells outside the study area are None).
    """

    n: int
    study_area: dict[str, Any]
    nearest_neighbour: dict[str, float]
    ripley: tuple[dict[str, Any], ...]
    density: dict[str, Any] | None
    summary: str
    notes: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Ripley's K and L by distance."""
        return pd.DataFrame(list(self.ripley))

    def density_frame(self) -> pd.DataFrame:
        """The density surface, one row per cell (x, y of the centre, density per km², or None outside the study area)."""
        if self.density is None:
            return pd.DataFrame(columns=["x", "y", "density"])
        return pd.DataFrame(self.density["cells"], columns=["x", "y", "density"])

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "n": self.n,
                "study_area": self.study_area,
                "nearest_neighbour": self.nearest_neighbour,
                "ripley": list(self.ripley),
                "density": self.density,
                "summary": self.summary,
                "notes": list(self.notes),
                "parameters": self.parameters,
            }
        )


def nearest_neighbour_index(*, x: np.ndarray, y: np.ndarray, area: float) -> dict[str, float]:
    """The Clark–Evans nearest-neighbour index of n points over a study area of ``area`` square metres."""
    n = len(x)
    if n < 2:
        raise AnalysisInputError(f"the nearest-neighbour index needs at least two events, found {n}")
    distances, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=2)
    observed = float(distances[:, 1].mean())
    expected = 0.5 * math.sqrt(area / n)
    se = CLARK_EVANS_SE * math.sqrt(area) / n
    z = (observed - expected) / se
    return {
        "observed_mean_distance": observed,
        "expected_mean_distance": expected,
        "index": observed / expected,
        "standard_error": se,
        "z": z,
        "p": float(2 * stats.norm.sf(abs(z))),
        "same_place_pairs": int((distances[:, 1] == 0).sum()),
    }


def ripley_k(*, x: np.ndarray, y: np.ndarray, distances: np.ndarray, area: float) -> np.ndarray:
    """K(d) = A / (n(n − 1)) × #{ordered pairs i ≠ j at most d apart}, with no edge correction."""
    n = len(x)
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.count_neighbors(tree, np.asarray(distances, dtype=np.float64)) - n  # each point pairs with itself
    return area * np.asarray(pairs, dtype=np.float64) / (n * (n - 1))


def random_points(n: int, *, polygon, bounds: tuple[float, float, float, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points placed uniformly at random in the study area: in its bounding box, or drawn in the box and kept
    when inside the polygon, until there are n."""
    west, south, east, north = bounds
    if polygon is None:
        return rng.uniform(west, east, n), rng.uniform(south, north, n)

    xs, ys = np.empty(0), np.empty(0)
    fill = max(polygon.area / ((east - west) * (north - south)), 0.01)
    while len(xs) < n:
        want = int((n - len(xs)) / fill * 1.2) + 16
        cx, cy = rng.uniform(west, east, want), rng.uniform(south, north, want)
        keep = points_inside(polygon, cx, cy)
        xs, ys = np.concatenate([xs, cx[keep]]), np.concatenate([ys, cy[keep]])
    return xs[:n], ys[:n]


def silverman_radius(x: np.ndarray, y: np.ndarray) -> float:
    """The kernel's radius by the spatial form of Silverman's rule of thumb that GIS kernel-density tools use by
    default: 0.9 × min(SD, √(1 / ln 2) × Dm) × n^(−0.2), with SD the standard distance of the points from their
    mean centre and Dm the median of those distances."""
    n = len(x)
    dx, dy = x - x.mean(), y - y.mean()
    standard_distance = math.sqrt(float((dx * dx).sum() + (dy * dy).sum()) / n)
    median_distance = float(np.median(np.hypot(dx, dy)))
    return 0.9 * min(standard_distance, math.sqrt(1 / math.log(2)) * median_distance) * n ** (-0.2)


def point_pattern(
    *,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    study_area: Any = None,
    extent: tuple[float, float, float, float] | None = None,
    distances: Sequence[float] | None = None,
    simulations: int = 99,
    seed: int | np.random.Generator | None = None,
    cell: float | None = None,
    bandwidth: float | None = None,
    event_label: str = "events",
) -> PointPatternResult:
    """The nearest-neighbour index, Ripley's K and L with Monte Carlo envelopes, and a quartic kernel density.

    Parameters
    ----------
    x, y
        Event coordinates in projected metres.
    study_area, extent
        The study area: a polygon (GeoJSON or shapely, in metres: land only, so water is not counted) or a box
        (west, south, east, north). Events outside it are left out. Default: the events' bounding box.
    distances
        The distances (metres) at which K and L are given; default 20 steps up to a quarter of the study area's
        shorter side.
    simulations
        How many patterns of the same number of events placed at random in the study area build the envelope
        (99 is usual: an observed L above all 99 is clustering at about the 1% level, one-sided).
    seed
        An integer (recorded), a numpy Generator, or None for a fresh seed that is recorded.
    cell, bandwidth
        The density grid's cell size and the quartic kernel's radius (metres). Without a bandwidth it is chosen by
        :func:`silverman_radius`; without a cell size, a fifth of the bandwidth.
    """
    xs, ys = _coordinates(x, name="x"), _coordinates(y, name="y")
    if len(xs) != len(ys):
        raise AnalysisInputError(f"y has {len(ys)} values but x has {len(xs)}")
    if isinstance(simulations, bool) or not isinstance(simulations, (int, np.integer)) or not 0 <= simulations <= MAX_SIMULATIONS:
        raise AnalysisInputError(f"simulations must be a whole number from 0 to {MAX_SIMULATIONS}, not {simulations!r}")
    simulations = int(simulations)
    rng, seed_used = inputs.rng(seed)
    notes: list[str] = []
    polygon = None
    if study_area is not None:
        polygon = areas.study_polygon(study_area)
        inside = areas.points_inside(polygon, xs, ys)
        bounds = areas.bounds(polygon)
        area = float(polygon.area)
        source = "polygon"
    elif extent is not None:
        bounds = _checked_extent(extent)
        inside = (xs >= bounds[0]) & (xs <= bounds[2]) & (ys >= bounds[1]) & (ys <= bounds[3])
        area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
        source = "box"
    else:
        if len(xs) == 0:
            raise AnalysisInputError("there are no events")
        bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
        inside = np.ones(len(xs), dtype=bool)
        area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
        source = "bounding box of the events"
        notes.append("the study area is the events' bounding box; give the area's polygon so that empty land and water are not counted")
    if (~inside).any():
        notes.append(f"{int((~inside).sum())} events outside the study area were left out")
    xs, ys = xs[inside], ys[inside]
    n = len(xs)
    if n < 3:
        raise AnalysisInputError(f"a point pattern needs at least three events in the study area, found {n}")
    if area <= 0:
        raise AnalysisInputError("the study area has no area (every event on one line?); give the study area")
    nn = nearest_neighbour_index(x=xs, y=ys, area=area)
    if nn["same_place_pairs"]:
        notes.append(f"{nn['same_place_pairs']} events share their exact place with another: repeats pull the index towards clustering")

    shorter = min(bounds[2] - bounds[0], bounds[3] - bounds[1])
    if distances is None:
        steps = np.linspace(0, shorter / 4, DEFAULT_DISTANCES + 1)[1:]
    else:
        steps = np.asarray([_positive_metres(d, name="distance") for d in distances], dtype=np.float64)
        steps = np.unique(steps)
    k = ripley_k(x=xs, y=ys, distances=steps, area=area)
    l_observed = np.sqrt(k / math.pi)
    lower = upper = None
    if simulations:
        simulated = np.empty((simulations, len(steps)))
        for s in range(simulations):
            sx, sy = random_points(n, polygon=polygon, bounds=bounds, rng=rng)
            simulated[s] = np.sqrt(ripley_k(x=sx, y=sy, distances=steps, area=area) / math.pi)
        lower, upper = simulated.min(axis=0), simulated.max(axis=0)
    rows = []
    for i, d in enumerate(steps):
        verdict = None
        if lower is not None and upper is not None:
            verdict = "clustered" if l_observed[i] > upper[i] else ("regular" if l_observed[i] < lower[i] else "within")
        rows.append(
            {
                "distance": float(d),
                "k": float(k[i]),
                "k_random": math.pi * d * d,
                "l": float(l_observed[i]),
                "l_minus_d": float(l_observed[i] - d),
                "l_lower": None if lower is None else float(lower[i]),
                "l_upper": None if upper is None else float(upper[i]),
                "verdict": verdict,
            }
        )

    radius = _positive_metres(bandwidth, name="bandwidth") if bandwidth is not None else silverman_radius(xs, ys)
    rule = "given by the analyst" if bandwidth is not None else "Silverman's rule of thumb, spatial form: 0.9 × min(SD, √(1/ln 2) × Dm) × n^(−0.2)"
    if radius <= 0:
        raise AnalysisInputError("every event is at one place, so no bandwidth can be chosen; give one")
    size = _positive_metres(cell, name="cell size") if cell is not None else radius / 5
    grid = grid_over(x=xs, y=ys, cell=size, extent=bounds)
    density = None
    if grid.size > MAX_DENSITY_CELLS:
        notes.append(f"no density surface: a {size:g} m grid over the study area would have {grid.size:,} cells; give a larger cell size")
    else:
        cx, cy = grid.centres()
        values = quartic_density(x=xs, y=ys, weights=None, at_x=cx, at_y=cy, bandwidth=radius) * 1_000_000.0
        listed: list[Any] = values.tolist()
        if polygon is not None:
            outside = ~cells_inside(grid, polygon)
            listed = [None if out else v for v, out in zip(listed, outside.tolist(), strict=True)]
        density = {
            "grid": grid.to_dict(),
            "unit": "events per square kilometre",
            "cells": [[float(a), float(b), v] for a, b, v in zip(cx.tolist(), cy.tolist(), listed, strict=True)],
            "max": float(values.max()) if values.size else 0.0,
        }
    study = {"source": source, "area_km2": area / 1_000_000.0, "bounds": list(bounds)}
    return PointPatternResult(
        n=n,
        study_area=study,
        nearest_neighbour=nn,
        ripley=tuple(rows),
        density=density,
        summary=plain_summary(nn, rows, event_label=event_label),
        notes=tuple(notes),
        parameters={
            "simulations": simulations,
            "seed": seed_used,
            "distances": steps.tolist(),
            "k_estimator": "A / (n(n − 1)) × ordered pairs at most d apart, no edge correction (the envelopes share the edge effect)",
            "bandwidth": radius,
            "bandwidth_rule": rule,
            "cell": size,
            "kernel": "quartic",
            "event_label": event_label,
        },
    )


def plain_summary(nn: dict[str, float], rows: list[dict[str, Any]], *, event_label: str) -> str:
    """Sentences an analyst can quote: the nearest-neighbour verdict, and the distances at which K shows clustering."""
    index, p = nn["index"], nn["p"]
    if p <= SIGNIFICANCE:
        kind = "clustered" if index < 1 else "more evenly spread than random"
        first = f"The {event_label} are {kind} (nearest-neighbour index {index:.2f}; {p_phrase(p)})."
    else:
        first = f"The {event_label} are no more clustered than random by their nearest neighbours (index {index:.2f}; {p_phrase(p)})."
    clustered = [r["distance"] for r in rows if r["verdict"] == "clustered"]
    if rows and rows[0]["verdict"] is None:
        return first
    if clustered:
        return (
            first
            + f" Ripley's L lies above the envelope of random patterns from {min(clustered):,.0f} m to {max(clustered):,.0f} m: clustering at those scales."
        )
    return first + " Ripley's L stays within the envelope of random patterns at every distance tested."
