"""Every read of maps, scoped to the user: the boundaries and the shipped outline, where points fall (their unit, their
area's name), and the layers a map draws (events, hot-spot cells, deconfliction places, a case's area, indicator
choropleths), each from the owning capability's own selector and through the disclosure gate where figures leave."""

from __future__ import annotations

import json
import math
import operator
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max

from rocc.analysis.near_repeat import band_words
from rocc.events.selectors import events_map_points
from rocc.maps import geometry as geo
from rocc.maps.models import Boundary, BoundarySet
from rocc.measures.selectors import indicator_get, series_for
from rocc.org.models import LEVEL_DEPTH, OrgUnit, UnitLevel
from rocc.tasking.services.deconfliction import deconfliction_metres

OUTLINE_FILE = Path(__file__).parent / "defaults" / "nz-outline.geojson"
OUTLINE_LABEL = "Approximate national outline (Natural Earth 1:10m, public domain): the coast can be a kilometre or more out"
#: Events a map draws at most; past this the map says how many it left out (the table still counts them all).
MAX_EVENT_POINTS = 250_000


def _require_view(user) -> None:
    if not user.has_perm("maps.view_maps"):
        raise PermissionDenied("Sign in with a role to see maps.")


# ---------------------------------------------------------------------------------------------- reference data


@lru_cache(maxsize=1)
def outline_geojson() -> dict[str, Any]:
    """The shipped approximate outline of New Zealand, as GeoJSON with its source and licence (same for everyone)."""
    return json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))


def boundary_sets_for(*, user):
    _require_view(user)
    return BoundarySet.objects.annotate(current=Count("boundaries")).select_related("imported_by")


def boundaries_for(*, user, level: str | None = None):
    """The current boundaries (reference data: every role reads them), optionally of one level."""
    _require_view(user)
    qs = Boundary.objects.select_related("unit", "unit__parent", "boundary_set")
    if level:
        qs = qs.filter(unit__level=level)
    return qs


def boundaries_geojson(*, user, level: str | None = None) -> dict[str, Any]:
    """The boundaries as a GeoJSON FeatureCollection (WGS84), each with its unit and the source and licence."""
    features = []
    for boundary in boundaries_for(user=user, level=level).defer("geometry_nztm", "nztm_wkb"):
        features.append(
            {
                "type": "Feature",
                "geometry": boundary.geometry_wgs84,
                "properties": {
                    "code": boundary.unit.code,
                    "name": boundary.unit.name,
                    "level": boundary.unit.level,
                    "parent": boundary.unit.parent.code if boundary.unit.parent_id else None,
                    "area_km2": round(boundary.area_km2, 1),
                    "source": boundary.boundary_set.source,
                    "licence": boundary.boundary_set.licence,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


_GEOJSON_BYTES: dict[str | None, tuple[tuple, bytes]] = {}


def _boundaries_tag(stamp: tuple, level: str | None) -> str:
    return f'"b-{level or "all"}-' + "-".join(str(part) for part in stamp) + '"'


def boundaries_etag(*, user, level: str | None = None) -> str:
    """The entity tag of :func:`boundaries_geojson_bytes` without building the document (one small query), so a browser
    that holds the boundaries is answered 304 even by a web process that has not encoded them yet."""
    _require_view(user)
    return _boundaries_tag(_stamp(), level)


def boundaries_geojson_bytes(*, user, level: str | None = None) -> tuple[bytes, str]:
    """:func:`boundaries_geojson` encoded, with an entity tag that changes when the boundaries do. Boundaries are the
    same for every role, so the encoded document is kept (per level) until a boundary is added, removed or replaced:
    in the process, and in the data directory's cache folder for the other web processes and the next start, so a
    district set of a hundred thousand vertices is decoded and encoded once, not on every map nor in every process."""
    _require_view(user)
    stamp = _stamp()
    cached = _GEOJSON_BYTES.get(level)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _boundaries_file(stamp, level, lambda: boundaries_geojson(user=user, level=level)))
        _GEOJSON_BYTES[level] = cached
    return cached[1], _boundaries_tag(stamp, level)


def _boundaries_file(stamp: tuple, level: str | None, build) -> bytes:
    """The encoded boundaries of ``stamp`` from the data directory's cache, written there (whole, by rename) when
    missing; older editions of the same level are removed. Boundaries are reference data, the same for every reader."""
    folder = Path(settings.ROCC_DATA_DIR) / "cache" / "maps"
    name = f"boundaries-{level or 'all'}-" + "-".join(str(part) for part in stamp) + ".json"
    path = folder / name
    try:
        return path.read_bytes()
    except OSError:
        pass
    body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.{os.getpid()}"
        partial.write_bytes(body)
        partial.replace(path)
        for old in folder.glob(f"boundaries-{level or 'all'}-*.json"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only data directory: each process keeps its own copy in memory
    return body


@lru_cache(maxsize=1)
def outline_geojson_bytes() -> bytes:
    return json.dumps(outline_geojson(), ensure_ascii=False, separators=(",", ":")).encode()


def boundary_levels() -> list[str]:
    """The levels that have boundaries loaded, shallowest first."""
    levels = set(Boundary.objects.values_list("unit__level", flat=True).distinct())
    return sorted(levels, key=lambda lv: LEVEL_DEPTH[UnitLevel(lv)])


def sources_note() -> str:
    """Where the loaded boundaries come from, for the map's caption."""
    sets = BoundarySet.objects.filter(boundaries__isnull=False).distinct().order_by("pk")
    parts = [f"{s.source} ({s.licence})" for s in sets]
    return "Boundaries: " + "; ".join(parts) + "." if parts else "No boundaries are loaded: the map shows the approximate national outline only."


# ---------------------------------------------------------------------------------------------- placement


@dataclass
class _CachedIndex:
    stamp: tuple
    index: geo.BoundaryIndex
    names: dict[str, str]


_INDEX: dict[str, _CachedIndex] = {}


def _stamp() -> tuple:
    # Re-built when any boundary is added, removed or replaced (a replaced one moves to a newer set); one small query.
    # The newest set's import time (to the microsecond) makes the stamp name this database's boundaries alone, so a
    # cached document in the data directory is never taken for another database's with the same counts.
    agg = Boundary.objects.aggregate(n=Count("pk"), top=Max("pk"), newest=Max("boundary_set_id"), at=Max("boundary_set__imported_at"))
    at = round(agg["at"].timestamp() * 1_000_000) if agg["at"] else 0
    return (agg["n"], agg["top"], agg["newest"], at)


def boundary_index() -> geo.BoundaryIndex:
    """The prepared polygons of every loaded boundary (NZTM), rebuilt only when the boundaries change."""
    stamp = _stamp()
    cached = _INDEX.get("all")
    if cached is None or cached.stamp != stamp:
        entries = []
        names = {}
        for code, level, name, wkb in Boundary.objects.values_list("unit__code", "unit__level", "unit__name", "nztm_wkb"):
            entries.append((code, LEVEL_DEPTH[UnitLevel(level)], shapely.from_wkb(bytes(wkb))))
            names[code] = name
        cached = _CachedIndex(stamp=stamp, index=geo.BoundaryIndex(entries), names=names)
        _INDEX["all"] = cached
    return cached.index


def units_for_points(x: np.ndarray, y: np.ndarray) -> geo.Placement:
    """Which unit each NZTM2000 point lies in (the deepest level with a boundary there), "" outside every boundary.
    The boundaries are reference data, so this reads no one's records; callers apply their own scope to the units."""
    return boundary_index().place(x, y)


def area_names_for_points(x: np.ndarray, y: np.ndarray) -> list[str | None]:
    """The name of the area (or district) each NZTM2000 point lies in, None outside every boundary."""
    placement = units_for_points(x, y)
    names = _INDEX["all"].names
    return [names.get(code) if code else None for code in placement.codes.tolist()]


# ---------------------------------------------------------------------------------------------- the basemap


def basemap() -> dict[str, Any] | None:
    """The operator's tile source (ROCC_MAP_TILES), or None: rocc never fetches tiles from anywhere by itself."""
    url = getattr(settings, "ROCC_MAP_TILES", "") or ""
    if not url:
        return None
    return {
        "url": url,
        "attribution": getattr(settings, "ROCC_MAP_TILES_ATTRIBUTION", "") or "Basemap: the deployment's tile server",
        "max_zoom": int(getattr(settings, "ROCC_MAP_TILES_MAX_ZOOM", 19) or 19),
    }


# ---------------------------------------------------------------------------------------------- layers


def _round(values: np.ndarray, decimals: int) -> list:
    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()


def _scaled(values: np.ndarray, factor: float) -> list[int]:
    """Values as whole numbers of 1/``factor`` (JSON integers parse and encode several times faster than floats); -1
    for a missing value where every real one is at least 0."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(values), -1, np.rint(np.nan_to_num(values) * factor)).astype(np.int64).tolist()


def _offsets(values: np.ndarray) -> tuple[int, list[int]]:
    """Whole numbers as the smallest and each one's offset from it (short to send, quick to parse)."""
    values = np.asarray(values, dtype=np.int64)
    base = int(values.min()) if len(values) else 0
    return base, (values - base).tolist()


def events_layer(*, user, unit_code: str | None = None, date_from=None, date_to=None, offence_codes=None) -> dict[str, Any]:
    """The user's events with coordinates as points for the map (event id, date, offence; never persons), read through
    the events capability's scoped map selector, with how many had no coordinates and how many were left off the map.
    Columns are compact: longitude and latitude in 1/100,000 degree (about a metre) as offsets from ``lon0_e5`` and
    ``lat0_e5``, the date as days from ``day0`` (itself days since 1970-01-01), the offence as a position in
    ``offences``; the points come in no particular order."""

    _require_view(user)
    points = events_map_points(user=user, unit_code=unit_code, date_from=date_from, date_to=date_to, offence_codes=offence_codes, limit=MAX_EVENT_POINTS)
    lon, lat = geo.lonlat_of_nztm(points.x, points.y)
    lon0, dlon = _offsets(np.rint(lon * 1e5))
    lat0, dlat = _offsets(np.rint(lat * 1e5))
    day0, dday = _offsets(points.day)
    return {
        "kind": "points",
        "name": "Events",
        "events": points.events,
        "located": points.located,
        "without_coordinates": points.events - points.located,
        "left_off": points.located - len(points.event_id),
        "lon0_e5": lon0,
        "lat0_e5": lat0,
        "dlon_e5": dlon,
        "dlat_e5": dlat,
        "id": points.event_id,
        "day0": day0,
        "dday": dday,
        "offences": points.offences,
        "offence": points.offence.tolist(),
        "by_unit": [{"unit": code, "events": n} for code, n in sorted(points.by_unit.items(), key=lambda item: (-item[1], item[0]))],
    }


def hotspot_layer(result: dict[str, Any]) -> dict[str, Any] | None:
    """A hot-spot result as a map layer: the grid's polynomial projection and, for every cell with events, density or
    a hot-spot label, its column and row, figures, density class (quintiles of the drawn cells, the KDE surface) and
    Gi* class after the correction for testing many cells; the top hot spots named by the area they fall in. None when
    the cells are not NZTM2000 (an upload in another projected system cannot be put on the map)."""
    parts = hotspot_columns(result)
    if parts is None:
        return None
    columns, head = parts
    return {**columns, **hotspot_names(head)}


def hotspot_columns(result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The part of :func:`hotspot_layer` that depends on the result alone, in two pieces: the layer's columns (what the
    browser draws, the same for every reader, so a saved analysis keeps them encoded once) and the head (what the page
    shows beside the map: the legend's breaks, the hot cells hottest first with their figures, the top hot spots),
    which :func:`hotspot_names` names by the areas of the boundaries loaded when the map is shown. None when the cells
    are not NZTM2000."""
    parameters = result.get("parameters") or {}
    if parameters.get("crs") != geo.NZTM or not result.get("cells"):
        return None
    cell = float(parameters["cell"])
    grid = result["grid"]
    west, south = grid["origin"]
    cols, rows = int(grid["cols"]), int(grid["rows"])
    judged_by = parameters.get("judged_by") or "gi_p"
    # One pass over the cells per figure (a city at 100 m is ~100,000 of them; None becomes NaN), then column-wise
    # arithmetic on the cells drawn only.
    cells = result["cells"]
    names = ["count", "density", "hot", "x", "y", "gi_z", judged_by]
    try:
        table = np.array([pick(c) for pick in [operator.itemgetter(*names)] for c in cells], dtype=np.float64).reshape(-1, len(names))
    except KeyError:  # a result missing a figure for some cells: read each figure with a default
        table = np.array([[c.get(name) for name in names] for c in cells], dtype=np.float64).reshape(-1, len(names))

    def column(name: str) -> np.ndarray:
        return table[:, names.index(name)]

    count_all, density_all, hot_all = column("count"), column("density"), np.nan_to_num(column("hot")).astype(np.int16)
    drawn = (np.nan_to_num(count_all) > 0) | (hot_all > 0) | (np.nan_to_num(density_all) > 0)
    idx = np.flatnonzero(drawn)
    xs, ys = column("x")[idx], column("y")[idx]
    count, density, hot = np.nan_to_num(count_all[idx]), density_all[idx], hot_all[idx]
    z, p = column("gi_z")[idx], column(judged_by)[idx]
    positive = density[np.nan_to_num(density) > 0]
    breaks = np.quantile(positive, [0.2, 0.4, 0.6, 0.8]).tolist() if len(positive) else []
    shade = np.where(np.nan_to_num(density) > 0, 1 + np.searchsorted(np.asarray(breaks), density, side="left"), 0) if breaks else np.zeros(len(idx), dtype=int)
    col = np.rint((xs - west - cell / 2) / cell).astype(int)
    row = np.rint((ys - south - cell / 2) / cell).astype(int)
    projection = geo.grid_projection(west, south, west + cols * cell, south + rows * cell)
    top = list(result.get("top_hot_spots") or [])
    # The hot cells, hottest first; the table lists the first 200 (their areas are added when the map is shown).
    hot_positions = np.flatnonzero(hot > 0)
    order = hot_positions[np.lexsort((hot_positions, -np.nan_to_num(z[hot_positions], nan=-np.inf)))] if len(hot_positions) else hot_positions
    hot_rows = [
        {
            "index": int(i),
            "x": float(xs[i]),
            "y": float(ys[i]),
            "count": float(count[i]),
            "density": None if math.isnan(density[i]) else float(density[i]),
            "gi_z": None if math.isnan(z[i]) else float(z[i]),
            "p": None if math.isnan(p[i]) else float(p[i]),
            "p_text": "–" if math.isnan(p[i]) else ("< 0.001" if p[i] < 0.001 else f"{p[i]:.3f}"),
            "hot": int(hot[i]),
        }
        for i in order[:200].tolist()
    ]
    top_lon, top_lat = geo.lonlat_of_nztm(np.array([s["x"] for s in top]), np.array([s["y"] for s in top])) if top else (np.array([]), np.array([]))
    columns = {
        "kind": "grid",
        "name": "Hot-spot cells",
        "cell": cell,
        "origin": [west, south],
        "projection": projection.to_dict(),
        # Figures for a selected cell, as whole numbers of hundredths (counts, density, Gi* z) and millionths (p);
        # -1 where there is none (the browser divides them back).
        "count_e2": _scaled(count, 100),
        "density_e2": _scaled(density, 100),
        "z_e2": np.where(np.isnan(z), -(10**9), np.rint(np.nan_to_num(z) * 100)).astype(np.int64).tolist(),
        "p_e6": _scaled(p, 1e6),
        "col": col.tolist(),
        "row": row.tolist(),
        "shade": np.asarray(shade, dtype=np.int64).tolist(),
        "hot": hot.astype(np.int64).tolist(),
        "p_label": {"gi_p_fdr": "p (false discovery rate corrected)", "gi_p_sim": "pseudo p (permutations)"}.get(judged_by, "p"),
        "breaks": [round(b, 1) for b in breaks],
        "hot_total": len(hot_positions),
        "density_unit": parameters.get("density_unit") or "",
    }
    head = {
        "drawn": len(idx),
        "p_label": columns["p_label"],
        "breaks": columns["breaks"],
        "density_unit": columns["density_unit"],
        "max_error_m": columns["projection"]["max_error_m"],
        "hot_total": len(hot_positions),
        "hot_index": hot_positions.tolist(),
        "hot_x": xs[hot_positions].tolist(),
        "hot_y": ys[hot_positions].tolist(),
        "hot_rows": hot_rows,
        "top": [
            {
                "rank": s["rank"],
                "x": float(s["x"]),
                "y": float(s["y"]),
                "lon": round(float(lo), 5),
                "lat": round(float(la), 5),
                "place": s.get("place"),
                "hot": s.get("hot"),
                "count": s.get("count"),
                "gi_z": s.get("gi_z"),
            }
            for s, lo, la in zip(top, top_lon.tolist(), top_lat.tolist(), strict=True)
        ],
    }
    return columns, head


def hotspot_names(head: dict[str, Any]) -> dict[str, Any]:
    """What of a hot-spot map depends on the boundaries loaded now: each hot cell's area (by its position among the
    cells drawn), the top hot spots and the first 200 hot cells with the area each falls in. Few enough points to
    place one by one; with no boundaries loaded, no names."""
    has_boundaries = Boundary.objects.exists()
    top = head["top"]
    if top and has_boundaries:
        top_names = area_names_for_points(np.array([s["x"] for s in top]), np.array([s["y"] for s in top]))
    else:
        top_names = [None] * len(top)
    area: dict[int, str | None] = {}
    if head["hot_index"] and has_boundaries:
        area = dict(zip(head["hot_index"], area_names_for_points(np.array(head["hot_x"]), np.array(head["hot_y"])), strict=True))
    return {
        "area": {str(i): name for i, name in area.items() if name},
        "hot_rows": [{**r, "area": area.get(r["index"])} for r in head["hot_rows"]],
        "top": [
            {"rank": s["rank"], "lon": s["lon"], "lat": s["lat"], "area": name, "place": s["place"], "hot": s["hot"], "count": s["count"], "gi_z": s["gi_z"]}
            for s, name in zip(top, top_names, strict=True)
        ],
    }


def places_layer(*, user, views) -> dict[str, Any]:
    """The user's own place targets in their deconfliction alerts (from the tasking page's alert views), each with the
    deconfliction distance as a circle and the area it falls in. The other owner's place is never drawn: the alert
    tells who to contact, not where their target is."""

    _require_view(user)
    seen: dict[int, Any] = {}
    for view in views:
        target = view.own_target
        if target.kind == "place" and target.x is not None and target.pk not in seen:
            seen[target.pk] = (target, view.alert.pk)
    targets = [t for t, _ in seen.values()]
    if targets:
        x = np.array([t.x for t in targets], dtype=np.float64)
        y = np.array([t.y for t in targets], dtype=np.float64)
        lon, lat = geo.lonlat_of_nztm(x, y)
        areas = area_names_for_points(x, y) if Boundary.objects.exists() else [None] * len(targets)
    else:
        lon = lat = np.array([])
        areas = []
    return {
        "kind": "places",
        "name": "Your places in deconfliction alerts",
        "radius_m": float(deconfliction_metres()),
        "places": [
            {"label": str(t), "alert": alert, "lon": round(float(lo), 6), "lat": round(float(la), 6), "area": area, "x": round(t.x), "y": round(t.y)}
            for (t, alert), lo, la, area in zip(seen.values(), lon.tolist(), lat.tolist(), areas, strict=True)
        ],
    }


def unit_area_layer(*, user, unit: OrgUnit) -> dict[str, Any]:
    """One unit's boundary (a case's area), or a note that none is loaded for it or its district."""
    _require_view(user)
    boundary = Boundary.objects.filter(unit=unit).select_related("boundary_set").first()
    shown: OrgUnit = unit
    if boundary is None and unit.parent is not None:
        boundary = Boundary.objects.filter(unit=unit.parent).select_related("boundary_set").first()
        shown = unit.parent
    return {
        "kind": "area",
        "name": f"Area of {unit.name}",
        "unit": unit.name,
        "shown": shown.name if boundary else None,
        "level": shown.get_level_display() if boundary else None,
        "area_km2": round(boundary.area_km2, 1) if boundary else None,
        "source": f"{boundary.boundary_set.source} ({boundary.boundary_set.licence})" if boundary else None,
        "geometry": boundary.geometry_wgs84 if boundary else None,
    }


# ---------------------------------------------------------------------------------------------- choropleths

#: The sequential colours of the classes, lightest first (ColorBrewer-like blues chosen for contrast on white).
CLASS_COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
MAX_CLASSES = 5


@dataclass(frozen=True)
class ChoroplethClass:
    number: int
    low: float
    high: float
    colour: str
    units: int

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "low": self.low, "high": self.high, "colour": self.colour, "units": self.units}


def choropleth_classes(values: list[float]) -> list[ChoroplethClass]:
    """Quantile classes of the shown values: up to five, each holding about the same number of units, so a class says
    "among the lowest fifth" whatever the spread; fewer classes when there are fewer distinct values."""
    shown = sorted(v for v in values if v is not None and math.isfinite(v))
    distinct = sorted(set(shown))
    if not distinct:
        return []
    k = min(MAX_CLASSES, len(distinct))
    # Each class's top is a value at a quantile of the shown values, so a unit's class never depends on rounding.
    tops: list[float] = []
    for q in range(1, k):
        top = shown[min(len(shown) - 1, math.ceil(q * len(shown) / k) - 1)]
        if top < distinct[-1] and (not tops or top > tops[-1]):
            tops.append(top)
    tops.append(distinct[-1])
    colours = _spread_colours(len(tops))
    classes = []
    low = distinct[0]
    for number, high in enumerate(tops, start=1):
        members = sum(1 for v in shown if (v >= low if number == 1 else v > low) and v <= high)
        classes.append(ChoroplethClass(number=number, low=low, high=high, colour=colours[number - 1], units=members))
        low = high
    return classes


def _spread_colours(k: int) -> list[str]:
    if k <= 1:
        return [CLASS_COLOURS[2]]
    return [CLASS_COLOURS[round(i * (len(CLASS_COLOURS) - 1) / (k - 1))] for i in range(k)]


def class_of(value: float | None, classes: list[ChoroplethClass]) -> int | None:
    if value is None or not classes:
        return None
    for c in classes:
        if value <= c.high:
            return c.number
    return classes[-1].number


def choropleth_for(*, user, indicator_code: str, level: str = UnitLevel.DISTRICT, period: str | None = None, public: bool = False) -> dict[str, Any]:
    """An indicator by unit (district or area) for the map: each unit's latest figure (or the figure of ``period``, a
    period key such as 2019-Q1) from the measures capability's series as this user may see it (through the disclosure
    gate: suppressed figures are drawn as suppressed, never shaded), the quantile classes of the shown values, and the
    unit's boundary when one is loaded. ``public`` protects every figure, as the public pages do."""

    _require_view(user)
    indicator = indicator_get(user=user, code=indicator_code)
    version = indicator.current
    units = list(OrgUnit.objects.filter(level=level).order_by("path"))
    geometries = {b.unit_id: b for b in Boundary.objects.filter(unit__in=units).select_related("boundary_set")}
    rows: list[dict[str, Any]] = []
    periods = set()
    offered: dict[str, str] = {}
    for unit in units:
        payload = series_for(user=user, indicator=indicator, unit=unit, public=public)
        points = payload["points"]
        offered.update((p["period"], p["label"]) for p in points)
        if period:
            chosen = next((p for p in points if p["period"] == period), None)
        else:
            chosen = next((p for p in reversed(points) if p["value"] is not None or p["suppressed"]), None)
        if chosen is not None:
            periods.add(chosen["label"])
        boundary = geometries.get(unit.pk)
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "period": chosen["period"] if chosen else None,
                "period_label": chosen["label"] if chosen else None,
                "value": None if chosen is None or chosen["suppressed"] else chosen["value"],
                "numerator": None if chosen is None or chosen["suppressed"] else chosen["numerator"],
                "denominator": chosen["denominator"] if chosen and not chosen["suppressed"] else None,
                "suppressed": bool(chosen and chosen["suppressed"]),
                "is_approximate": bool(chosen and chosen["is_approximate"]),
                "protected": bool(payload["disclosure_applied"]),
                "geometry": boundary.geometry_wgs84 if boundary else None,
            }
        )
    classes = choropleth_classes([r["value"] for r in rows])
    for row in rows:
        row["class_number"] = class_of(row["value"], classes)
        row["colour"] = classes[row["class_number"] - 1].colour if row["class_number"] else None
    return {
        "kind": "choropleth",
        "name": indicator.name,
        "indicator": indicator.code,
        "unit_label": version.unit_label if version else "",
        "polarity": version.get_polarity_display() if version else "",
        "level": level,
        "period": period,
        "periods_shown": sorted(periods),
        "mixed_periods": len(periods) > 1,
        "classes": [c.to_dict() for c in classes],
        "class_method": "quantiles: each class holds about the same number of units; the breaks are the highest value in each class",
        "protected": any(r["protected"] for r in rows),
        "suppressed": sum(1 for r in rows if r["suppressed"]),
        "without_boundary": [r["name"] for r in rows if r["geometry"] is None],
        "units": rows,
        "periods": [{"key": key, "label": offered[key]} for key in sorted(offered)],
    }


def levels_with_choice() -> list[tuple[str, str]]:
    return [(UnitLevel.DISTRICT, "District"), (UnitLevel.AREA, "Area")]


# ---------------------------------------------------------------------------------------------- public choropleths

#: The public map's drawing width in SVG units (it scales to the page).
PUBLIC_MAP_WIDTH = 560.0

_PUBLIC_SHAPES: dict[str, tuple[tuple, dict[str, Any]]] = {}


def _svg_path(geometry, *, west: float, north: float, scale: float) -> str:
    """A (multi)polygon in NZTM2000 as an SVG path in the map's units, north up, to a tenth of a unit."""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            px = np.round((xy[:, 0] - west) * scale, 1)
            py = np.round((north - xy[:, 1]) * scale, 1)
            parts.append("M" + " L".join(f"{a:g} {b:g}" for a, b in zip(px.tolist(), py.tolist(), strict=True)) + "Z")
    return "".join(parts)


def _public_shapes(level: str) -> dict[str, Any]:
    """Every boundary of ``level`` as an SVG path fitted to the public map's width (simplified to half a unit, so
    a national district map is a few kilobytes), with the approximate outline clipped to the same frame. Kept until
    the boundaries change: the shapes are the same for every indicator and every visitor."""
    stamp = _stamp()
    cached = _PUBLIC_SHAPES.get(level)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    boundaries = [(code, shapely.from_wkb(bytes(wkb))) for code, wkb in Boundary.objects.filter(unit__level=level).values_list("unit__code", "nztm_wkb")]
    shapes: dict[str, Any] = {"paths": {}, "outline": "", "width": PUBLIC_MAP_WIDTH, "height": 0.0}
    if boundaries:
        west, south, east, north = shapely.total_bounds([g for _, g in boundaries]).tolist()
        margin = 0.03 * max(east - west, north - south)
        west, south, east, north = west - margin, south - margin, east + margin, north + margin
        scale = PUBLIC_MAP_WIDTH / (east - west)
        tolerance = 0.5 / scale
        for code, geometry in boundaries:
            shapes["paths"][code] = _svg_path(geometry.simplify(tolerance, preserve_topology=True), west=west, north=north, scale=scale)
        outline = shapely.unary_union([shapely.geometry.shape(f["geometry"]) for f in outline_geojson()["features"]])
        outline = shapely.clip_by_rect(geo.reproject(outline, geo.WGS84, geo.NZTM), west, south, east, north).simplify(tolerance)
        shapes["outline"] = _svg_path(outline, west=west, north=north, scale=scale)
        shapes["height"] = round((north - south) * scale, 1)
    _PUBLIC_SHAPES[level] = (stamp, shapes)
    return shapes


def public_choropleth(indicator: dict[str, Any], *, level: str = UnitLevel.DISTRICT) -> dict[str, Any] | None:
    """A published indicator (one indicator of a release version's frozen content, as the public pages read it) by
    district or by area (``level``; the areas only when the release holds area figures) as a server-drawn map: each unit's latest published figure shaded in the same quantile classes and
    colours as the signed-in indicator map. Only what the release published is read: its cells already passed the
    public disclosure gate when it was frozen (small counts suppressed, others randomly rounded), a withheld cell
    (no consent) is drawn as not published, and nothing is read from the live figures. None when fewer than two of
    the indicator's units of ``level`` have a boundary loaded (there is no map to draw)."""

    cells = {c["unit"]: c for c in indicator.get("cells") or []}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=list(cells), level=level)}
    shapes = _public_shapes(level)
    if sum(1 for code in units if code in shapes["paths"]) < 2:
        return None
    rows = []
    for code, cell in cells.items():
        if code not in units:
            continue
        latest = None if cell.get("withheld") else cell.get("latest")
        suppressed = bool(latest and latest.get("suppressed"))
        value = None if latest is None or suppressed else latest.get("value")
        rows.append(
            {
                "code": code,
                "name": cell["unit_name"],
                "period_label": latest["label"] if latest else None,
                "value": value,
                "numerator": None if latest is None or suppressed else latest.get("numerator"),
                "suppressed": suppressed,
                "withheld": cell.get("withheld") or None,
                "is_approximate": bool(latest and latest.get("is_approximate")),
                "path": shapes["paths"].get(code, ""),
            }
        )
    rows.sort(key=lambda r: units[r["code"]].path)
    classes = choropleth_classes([r["value"] for r in rows])
    for row in rows:
        row["class_number"] = class_of(row["value"], classes)
        row["colour"] = classes[row["class_number"] - 1].colour if row["class_number"] else None
    periods = sorted({r["period_label"] for r in rows if r["period_label"]})
    return {
        "name": indicator["name"],
        "unit_label": indicator.get("unit_label") or "",
        "is_rate": bool(indicator.get("is_rate")),
        "level": level,
        "width": shapes["width"],
        "height": shapes["height"],
        "outline": shapes["outline"],
        "classes": [c.to_dict() for c in classes],
        "units": rows,
        "periods_shown": periods,
        "mixed_periods": len(periods) > 1,
        "without_boundary": [r["name"] for r in rows if not r["path"]],
        "suppressed": sum(1 for r in rows if r["suppressed"]),
        "sources_note": sources_note(),
    }


# ---------------------------------------------------------------------------------------------- near-repeat pairs


def pairs_rows(result: dict[str, Any], *, chains: bool) -> list[dict[str, Any]]:
    """The linked pairs a near-repeat result kept (Knox close pairs, or chains' links), one row each for the map's
    table and its lines: the two events (their ids when the chains were given some, else their rows), what links
    them (the chain, or the Knox cell in words), distance and days apart, NZTM2000 and WGS84 places. Reads only the
    result: its pairs carry no person."""
    pairs = result.get("pairs") or []
    if not pairs:
        return []
    lon_a, lat_a = geo.lonlat_of_nztm(np.array([p["x_a"] for p in pairs]), np.array([p["y_a"] for p in pairs]))
    lon_b, lat_b = geo.lonlat_of_nztm(np.array([p["x_b"] for p in pairs]), np.array([p["y_b"] for p in pairs]))
    rows = []
    for k, pair in enumerate(pairs):
        if chains:
            linked = f"chain {pair['chain']}"
            first, second = pair.get("id_a") or f"row {pair['row_a']}", pair.get("id_b") or f"row {pair['row_b']}"
        else:
            linked = band_words(result["distance_bands"][pair["distance_band"]], result["day_bands"][pair["day_band"]])
            first, second = f"row {pair['row_a']}", f"row {pair['row_b']}"
        rows.append(
            {
                "number": k + 1,
                "first": first,
                "second": second,
                "linked": linked,
                "distance": pair["distance"],
                "days": pair["days"],
                "x_a": round(pair["x_a"]),
                "y_a": round(pair["y_a"]),
                "x_b": round(pair["x_b"]),
                "y_b": round(pair["y_b"]),
                "lon_a": round(float(lon_a[k]), 6),
                "lat_a": round(float(lat_a[k]), 6),
                "lon_b": round(float(lon_b[k]), 6),
                "lat_b": round(float(lat_b[k]), 6),
            }
        )
    return rows


def pairs_layer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The map's layer of linked pairs: each pair's two places in WGS84 and the words its popup shows."""
    return {
        "kind": "pairs",
        "lines": [[r["lat_a"], r["lon_a"], r["lat_b"], r["lon_b"]] for r in rows],
        "labels": [
            f"Pair {r['number']}: {r['first']} and {r['second']}, {r['distance']:,.0f} m and {r['days']} day{'s' if r['days'] != 1 else ''} apart ({r['linked']})"
            for r in rows
        ],
    }
