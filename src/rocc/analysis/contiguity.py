"""Neighbours of areas with boundaries (organisational units, meshblocks, any polygon set): contiguity from their
shapes, queen (sharing any point of their edges) or rook (sharing a stretch of edge); and events counted in the
areas they fall in, for spatial autocorrelation over areas instead of grid cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
import shapely.errors
import shapely.geometry
from scipy import sparse

from rocc.analysis.autocorrelation import CONTIGUITIES, SIGNIFICANCE, AutocorrelationResult, SpatialWeights, spatial_autocorrelation
from rocc.analysis.errors import AnalysisInputError

#: Islands named in a note at most (the result's areas mark every one "No neighbours").
ISLANDS_NAMED = 10


def _checked_areas(ids: Sequence[Any], geometries: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    ids = list(ids)
    shapes = np.asarray(list(geometries), dtype=object)
    if len(ids) != len(shapes):
        raise AnalysisInputError(f"there are {len(ids)} area ids but {len(shapes)} boundaries")
    if not ids:
        raise AnalysisInputError("there are no areas with boundaries")
    seen: set[Any] = set()
    for area, shape in zip(ids, shapes, strict=True):
        if area in seen:
            raise AnalysisInputError(f"area {area!r} is listed twice")
        seen.add(area)
        if not isinstance(shape, shapely.Geometry) or shape.is_empty or shapely.get_type_id(shape) not in (3, 6):
            raise AnalysisInputError(f"area {area!r}: its boundary must be a polygon or multipolygon")
    return ids, shapes


def areas_from_geojson(document: dict[str, Any], *, id_property: str = "code") -> tuple[list[Any], list[Any]]:
    """Area ids and shapely shapes from a GeoJSON FeatureCollection of polygons (in the events' projected CRS): each
    feature's ``id_property`` names it. Refuses a feature without that property or with a shape that is not a
    valid polygon, naming the feature's position."""
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise AnalysisInputError("the boundaries must be a GeoJSON FeatureCollection with at least one feature")
    ids, shapes = [], []
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        if properties.get(id_property) in (None, ""):
            raise AnalysisInputError(f"boundary feature {number} has no {id_property!r} property to name its area")
        try:
            shape = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            raise AnalysisInputError(f"boundary feature {number} ({properties[id_property]}): its geometry cannot be read") from None
        if not shape.is_valid:
            raise AnalysisInputError(f"boundary feature {number} ({properties[id_property]}): its polygon is not valid ({shapely.is_valid_reason(shape)})")
        ids.append(properties[id_property])
        shapes.append(shape)
    return ids, shapes


def polygon_weights(*, ids: Sequence[Any], geometries: Sequence[Any], contiguity: str = "queen") -> SpatialWeights:
    """Contiguity neighbours of areas from their boundaries (shapely polygons in one projected CRS).

    Queen: two areas are neighbours when their shapes share at least one point (a corner is enough). Rook: when
    they share a stretch of edge of positive length (areas touching only at a corner are not). Areas whose shapes
    overlap (boundaries drawn slightly over each other) are neighbours under both. The weights are binary, rows in
    ``ids`` order; an area with no neighbour (an island) keeps an empty row, and the analyses mark it."""
    if contiguity not in CONTIGUITIES:
        raise AnalysisInputError(f"unknown contiguity {contiguity!r}; use one of: {', '.join(CONTIGUITIES)}")
    ids, shapes = _checked_areas(ids, geometries)
    n = len(ids)
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if contiguity == "rook" and len(left):
        a, b = shapes[left], shapes[right]
        shared_edge = shapely.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b))) > 0
        overlapping = shapely.area(shapely.intersection(a, b)) > 0
        keep = shared_edge | overlapping
        left, right = left[keep], right[keep]
    rows = np.concatenate([left, right])
    cols = np.concatenate([right, left])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    kind = "sharing any point of their boundaries (queen)" if contiguity == "queen" else "sharing a stretch of boundary (rook)"
    return SpatialWeights(ids=tuple(ids), matrix=matrix, definition=f"areas with boundaries: neighbours are areas {kind}")


def points_in_areas(*, x: Any, y: Any, geometries: Sequence[Any], weights: Any = None) -> tuple[np.ndarray, int]:
    """Events counted in the areas they fall in (or their ``weights`` summed): one total per area, in order, and how
    many events fall in no area. A point on the line between two areas counts once, in the first of them."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(xs) != len(ys):
        raise AnalysisInputError(f"x and y must have one value per event; found {len(xs)} and {len(ys)}")
    shapes = np.asarray(list(geometries), dtype=object)
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if len(weights) != len(xs):
            raise AnalysisInputError(f"there are {len(weights)} weights for {len(xs)} events")
    known = np.isfinite(xs) & np.isfinite(ys)
    which = np.flatnonzero(known)
    points, areas = shapely.STRtree(shapes).query(shapely.points(xs[which], ys[which]), predicate="intersects")
    # The tree gives the pairs in no set order: the first area of each point is its lowest index.
    order = np.lexsort((areas, points))
    points, areas = points[order], areas[order]
    first = np.concatenate([[True], points[1:] != points[:-1]]) if len(points) else np.zeros(0, dtype=bool)
    points, areas = which[points[first]], areas[first]
    totals = np.bincount(areas, weights=None if weights is None else weights[points], minlength=len(shapes)).astype(np.float64)
    return totals, int(len(xs) - len(points))


def area_autocorrelation(
    *,
    x: Any,
    y: Any,
    ids: Sequence[Any],
    geometries: Sequence[Any],
    contiguity: str = "queen",
    weights: Any = None,
    permutations: int = 999,
    seed: int | np.random.Generator | None = None,
    significance: float = SIGNIFICANCE,
    correction: str = "none",
    value_label: str = "events per area",
    names: Sequence[str] | None = None,
) -> AutocorrelationResult:
    """Spatial autocorrelation (global Moran's I, General G, local Moran's I) of events counted in areas with
    boundaries (``ids`` and shapely ``geometries`` in the events' projected CRS), with the areas' queen or rook
    contiguity. ``weights`` (harm per event) are summed instead of counting events. Events in no area are left out
    and counted in the notes; areas without a neighbour are named in the notes and marked "No neighbours"."""
    spatial = polygon_weights(ids=ids, geometries=geometries, contiguity=contiguity)
    totals, outside = points_in_areas(x=x, y=y, geometries=geometries, weights=weights)
    inside = len(np.asarray(x)) - outside
    if inside == 0:
        raise AnalysisInputError(f"none of the {len(np.asarray(x))} events lies in any of the {spatial.n} areas")
    result = spatial_autocorrelation(
        values=totals,
        weights=spatial,
        permutations=permutations,
        seed=seed,
        significance=significance,
        correction=correction,
        value_label=value_label,
    )
    notes = list(result.notes)
    if outside:
        notes.append(
            f"{outside} event{'s lie' if outside != 1 else ' lies'} in none of the areas (or without coordinates) and {'were' if outside != 1 else 'was'} left out"
        )
    label = dict(zip(spatial.ids, names, strict=True)) if names is not None else {}
    islands = [area for area, count in zip(spatial.ids, spatial.neighbour_counts, strict=True) if count == 0]
    if islands:
        shown = ", ".join(f"{label.get(a, a)}" for a in islands[:ISLANDS_NAMED])
        more = f" and {len(islands) - ISLANDS_NAMED} more" if len(islands) > ISLANDS_NAMED else ""
        notes.append(f"no neighbour ({contiguity}): {shown}{more}")
    parameters = {**result.parameters, "areas": "units with boundaries", "contiguity": contiguity, "events": int(inside), "events_outside": outside}
    return replace(result, notes=tuple(notes), parameters=parameters)
