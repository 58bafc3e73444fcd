"""The study area of a spatial analysis as a polygon in projected metres (a district's land, units' boundaries), so
that empty land and water outside it do not count as places with no events."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.grid import Grid


def study_polygon(area: Any):
    """A valid shapely (multi)polygon from a shapely geometry, a GeoJSON geometry, Feature or FeatureCollection
    (its polygons joined), or a list of (x, y) vertices; in the events' projected metres."""
    import shapely
    from shapely.geometry import Polygon, shape

    if isinstance(area, shapely.Geometry):
        geometry = area
    elif isinstance(area, dict):
        kind = area.get("type")
        try:
            if kind == "FeatureCollection":
                geometry = shapely.union_all([shape(feature["geometry"]) for feature in area.get("features") or []])
            elif kind == "Feature":
                geometry = shape(area["geometry"])
            else:
                geometry = shape(area)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as error:
            raise AnalysisInputError(f"the study area is not a readable GeoJSON polygon ({error})") from None
    else:
        try:
            geometry = Polygon([(float(x), float(y)) for x, y in area])
        except (TypeError, ValueError):
            raise AnalysisInputError("the study area must be a polygon: GeoJSON, or a list of (x, y) vertices in metres") from None
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise AnalysisInputError(f"the study area must be a polygon, found {geometry.geom_type if not geometry.is_empty else 'nothing'}")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type in ("Polygon", "MultiPolygon")]
        geometry = shapely.union_all(polygons)
    if geometry.area <= 0:
        raise AnalysisInputError("the study area has no area")
    west, south, east, north = geometry.bounds
    if max(abs(west), abs(east)) <= 180 and max(abs(south), abs(north)) <= 90 and east - west < 5:
        raise AnalysisInputError("the study area looks like longitude/latitude degrees; give it in the events' projected metres")
    return geometry


def points_inside(area, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points lie inside (or on the edge of) the study area."""
    import shapely

    return np.asarray(shapely.intersects_xy(area, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)), dtype=bool)


def cells_inside(grid: Grid, area) -> np.ndarray:
    """Which cells of the grid belong to the study area: those whose centre lies inside it (row-major)."""
    cx, cy = grid.centres()
    return points_inside(area, cx, cy)


def area_km2(area) -> float:
    return float(area.area) / 1_000_000.0


def bounds(area) -> tuple[float, float, float, float]:
    west, south, east, north = area.bounds
    if not all(map(math.isfinite, (west, south, east, north))):
        raise AnalysisInputError("the study area has no extent")
    return float(west), float(south), float(east), float(north)
