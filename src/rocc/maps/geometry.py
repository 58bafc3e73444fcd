"""Geometry without the database: reading boundary files (GeoJSON, shapefile), telling NZTM2000 from WGS84, checking
polygons, moving them between the two, finding which boundary holds each of many points, and the polynomial that
draws a regular NZTM grid on a longitude/latitude map."""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from rocc.core import limits

WGS84 = "EPSG:4326"
NZTM = "EPSG:2193"
CRS_LABELS = {WGS84: "WGS84 (longitude/latitude)", NZTM: "NZTM2000 (EPSG:2193)"}

# Coordinates that can only be one of the two systems rocc reads: NZTM2000 eastings and northings of New Zealand and
# its near islands (with a margin), or longitudes and latitudes (the Chatham Islands sit past 180° east or below −176°).
_NZTM_X = (800_000.0, 2_400_000.0)
_NZTM_Y = (4_500_000.0, 6_500_000.0)


@dataclass(frozen=True)
class GeometryProblem:
    """One thing wrong with a boundaries file: which feature (numbered from 1, as the file lists them), which unit it
    names, and what is wrong."""

    feature: int | None
    unit: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.feature is not None:
            where.append(f"feature {self.feature}")
        if self.unit:
            where.append(f"unit '{self.unit}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {"feature": self.feature, "unit": self.unit, "message": self.message}


class BoundaryFileUnreadable(ValueError):
    """The file as a whole cannot be read as boundaries."""


@dataclass
class RawFeature:
    number: int
    properties: dict[str, Any]
    geometry: dict[str, Any] | None
    declared_crs: str | None = None


@dataclass
class ReadFile:
    features: list[RawFeature]
    declared_crs: str | None
    kind: str  # "GeoJSON" or "shapefile"
    sha256_input: bytes = field(default=b"", repr=False)


# ------------------------------------------------------------------------------------------------ reading files


def read_boundaries_file(path: Path) -> ReadFile:
    """The features of a GeoJSON file (``.geojson``/``.json``), or of a shapefile (``.shp`` with its ``.dbf`` and
    ``.prj`` beside it, or a ``.zip`` holding them). Raises BoundaryFileUnreadable saying what is wrong, and refuses a
    file past the limits of rocc.core.limits (size, a zip archive's inflated size, features) before it is parsed."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise BoundaryFileUnreadable(f"{path}: no such file")
    try:
        limits.size_check(path.stat().st_size, file=path.name)
        if suffix in {".geojson", ".json"}:
            return _read_geojson(path.read_bytes(), path.name)
        if suffix == ".shp":
            prj = path.with_suffix(".prj")
            return _read_shapefile(
                shp=path.read_bytes(),
                dbf=_sibling(path, ".dbf"),
                prj=prj.read_text(errors="replace") if prj.exists() else None,
                name=path.name,
            )
        if suffix == ".zip":
            return _read_zip(path)
    except limits.FileRefusal as refusal:
        raise BoundaryFileUnreadable(str(refusal)) from None
    raise BoundaryFileUnreadable(f"{path.name}: expected a GeoJSON file (.geojson, .json) or a shapefile (.shp, or a .zip holding one)")


def _read_zip(path: Path) -> ReadFile:
    limits.zip_check(path, file=path.name, kind="a zip archive of a shapefile")
    try:
        with zipfile.ZipFile(path) as archive:
            members = {Path(n).suffix.lower(): n for n in archive.namelist() if not n.endswith("/")}
            if ".shp" not in members:
                raise BoundaryFileUnreadable(f"{path.name}: the archive holds no .shp file")
            if ".dbf" not in members:
                raise BoundaryFileUnreadable(f"{path.name}: the archive holds no .dbf file (the units' codes are in it)")
            shp, dbf = archive.read(members[".shp"]), archive.read(members[".dbf"])
            prj = archive.read(members[".prj"]).decode(errors="replace") if ".prj" in members else None
    except BoundaryFileUnreadable:
        raise
    except Exception as exc:  # BadZipFile (a bad CRC), zlib.error, EOFError for a damaged member
        raise BoundaryFileUnreadable(f"{path.name}: the zip archive is damaged ({type(exc).__name__})") from None
    return _read_shapefile(shp=shp, dbf=dbf, prj=prj, name=path.name)


def _sibling(path: Path, suffix: str) -> bytes:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate.read_bytes()
    raise BoundaryFileUnreadable(f"{path.name}: no {suffix} file beside it (the units' codes are in it)")


def _plain(error: Exception) -> str:
    """A reader's error in a few words, without a path."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return type(error).__name__ if "/" in text or len(text) > 200 else text


def _crs_name(text: str) -> str | None:
    """WGS84 or NZTM when the declared system is one of them, else the declared name (refused later)."""
    try:
        crs = CRS.from_user_input(text)
    except Exception:  # pyproj raises its own CRSError, and others for garbage
        return f"unreadable ({text[:60]})"
    epsg = crs.to_epsg(min_confidence=60)
    if epsg == 4326 or (crs.is_geographic and "WGS" in crs.name.upper()) or epsg == 4167:
        return WGS84  # NZGD2000 geographic (4167) agrees with WGS84 to well under a metre
    if epsg == 2193 or "NZGD2000 / New Zealand Transverse Mercator" in crs.name:
        return NZTM
    return crs.name


def _read_geojson(data: bytes, name: str) -> ReadFile:
    document = limits.json_load(data, file=name)
    if not isinstance(document, dict) or document.get("type") not in {"FeatureCollection", "Feature"}:
        raise BoundaryFileUnreadable(f"{name}: expected a GeoJSON FeatureCollection")
    raw = document.get("features", []) if document["type"] == "FeatureCollection" else [document]
    if not isinstance(raw, list) or not raw:
        raise BoundaryFileUnreadable(f"{name}: the FeatureCollection holds no features")
    declared = None
    crs = document.get("crs")
    if isinstance(crs, dict):
        declared = _crs_name(str((crs.get("properties") or {}).get("name", "")))
    limits.rows_check(len(raw), file=name)
    features = []
    for number, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        feature_crs = item.get("crs")
        features.append(
            RawFeature(
                number=number,
                properties=item.get("properties") or {},
                geometry=item.get("geometry"),
                declared_crs=_crs_name(str((feature_crs.get("properties") or {}).get("name", ""))) if isinstance(feature_crs, dict) else None,
            )
        )
    return ReadFile(features=features, declared_crs=declared, kind="GeoJSON", sha256_input=data)


def _read_shapefile(*, shp: bytes, dbf: bytes, prj: str | None, name: str) -> ReadFile:
    import shapefile  # pyshp

    try:
        reader = shapefile.Reader(shp=io.BytesIO(shp), dbf=io.BytesIO(dbf))
        limits.rows_check(len(reader), file=name)
        limits.columns_check(len(reader.fields), file=name)
        records = reader.shapeRecords()
    except limits.FileRefusal:
        raise
    except Exception as exc:  # pyshp raises ShapefileException and struct errors for damaged files
        raise BoundaryFileUnreadable(f"{name}: cannot read the shapefile ({_plain(exc)})") from None
    features = []
    for number, record in enumerate(records, start=1):
        geometry = record.shape.__geo_interface__ if record.shape.shapeType != shapefile.NULL else None
        features.append(RawFeature(number=number, properties=record.record.as_dict(), geometry=geometry))
    if not features:
        raise BoundaryFileUnreadable(f"{name}: the shapefile holds no shapes")
    return ReadFile(features=features, declared_crs=_crs_name(prj) if prj else None, kind="shapefile", sha256_input=shp + dbf)


# ------------------------------------------------------------------------------------------ coordinate systems


def coordinates_crs(geometry) -> str | None:
    """WGS84 or NZTM by the coordinates alone, or None when they fit neither (or both parts disagree)."""
    coords = shapely.get_coordinates(geometry)
    if not len(coords):
        return None
    x, y = coords[:, 0], coords[:, 1]
    if np.all((x >= -180) & (x <= 190) & (y >= -90) & (y <= 90)):
        return WGS84
    if np.all((x >= _NZTM_X[0]) & (x <= _NZTM_X[1]) & (y >= _NZTM_Y[0]) & (y <= _NZTM_Y[1])):
        return NZTM
    return None


_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def transformer(source: str, target: str) -> Transformer:
    key = (source, target)
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = Transformer.from_crs(source, target, always_xy=True)
    return _TRANSFORMERS[key]


def reproject(geometry, source: str, target: str):
    """The geometry in ``target``; longitudes west of 180° come back past 180 so New Zealand stays in one piece."""
    if source == target:
        return geometry
    move = transformer(source, target)

    def along(coords: np.ndarray) -> np.ndarray:
        a, b = move.transform(coords[:, 0], coords[:, 1])
        a = np.asarray(a)
        if target == WGS84:
            a = np.where(a < 0, a + 360.0, a)
        return np.column_stack([a, np.asarray(b)])

    return shapely.transform(geometry, along)


def lonlat_of_nztm(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = transformer(NZTM, WGS84).transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.asarray(lon), np.asarray(lat)


# ----------------------------------------------------------------------------------------------- checking


def polygon_problem(geometry) -> str | None:
    """Why the geometry cannot be a unit's boundary, with the place of the fault; None when it can."""
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return f"expected a Polygon or MultiPolygon, found a {geometry.geom_type}"
    if geometry.is_empty:
        return "the polygon is empty"
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        return f"the polygon is not valid: {reason} (fix it in a GIS, e.g. QGIS's 'Fix geometries', and export again)"
    return None


def as_geometry(raw: dict[str, Any] | None):
    """A shapely geometry from a GeoJSON geometry, or a message saying why there is none."""
    if raw is None:
        return None, "the feature has no geometry"
    try:
        return shape(raw), None
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        return None, f"the geometry cannot be read ({exc})"


def rounded_geojson(geometry, *, decimals: int) -> dict[str, Any]:
    """GeoJSON with every coordinate rounded (5 decimal places of a degree is about a metre)."""

    def rounded(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(float(v), decimals) for v in value]
            return [rounded(v) for v in value]
        return value

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


# ---------------------------------------------------------------------------------------------- placement


@dataclass(frozen=True)
class Placement:
    """Which unit each point falls in (its code, "" outside every boundary), the deepest level winning (an area
    before its district); a point on the line between two units of one level goes to the first in unit order."""

    codes: np.ndarray
    outside: np.ndarray

    @property
    def placed(self) -> int:
        return int((~self.outside).sum())


class BoundaryIndex:
    """Prepared NZTM polygons of the loaded boundaries, for placing many points at once."""

    def __init__(self, entries: list[tuple[str, int, Any]]):
        # (unit code, depth, NZTM geometry), shallowest first so deeper units overwrite their parents' points.
        self.entries = sorted(entries, key=lambda e: (e[1], e[0]))
        self.bounds = [g.bounds for _, _, g in self.entries]
        for _, _, geometry in self.entries:
            shapely.prepare(geometry)

    def __len__(self) -> int:
        return len(self.entries)

    def place(self, x: np.ndarray, y: np.ndarray) -> Placement:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        codes = np.full(len(x), "", dtype=object)
        depth_of = np.full(len(x), -1, dtype=np.int8)
        known = ~(np.isnan(x) | np.isnan(y))
        for (code, depth, geometry), (west, south, east, north) in zip(self.entries, self.bounds, strict=True):
            candidates = np.flatnonzero(known & (x >= west) & (x <= east) & (y >= south) & (y <= north) & (depth_of < depth))
            if not len(candidates):
                continue
            inside = candidates[shapely.intersects_xy(geometry, x[candidates], y[candidates])]
            codes[inside] = code
            depth_of[inside] = depth
        return Placement(codes=codes, outside=depth_of < 0)


# ------------------------------------------------------------------------------------------- drawing grids


@dataclass(frozen=True)
class GridProjection:
    """Longitude and latitude as cubic polynomials of NZTM easting and northing over one extent, so the browser can
    draw a regular NZTM grid of any size from a dozen numbers. ``max_error_m`` is the largest distance, over a fine
    lattice of the extent, between where the polynomial and the exact projection put a point."""

    origin: tuple[float, float]
    scale: float
    lon: tuple[float, ...]
    lat: tuple[float, ...]
    max_error_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"origin": list(self.origin), "scale": self.scale, "lon": list(self.lon), "lat": list(self.lat), "max_error_m": round(self.max_error_m, 2)}


def _terms(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(u), u, v, u * u, u * v, v * v, u**3, u * u * v, u * v * v, v**3])


def grid_projection(west: float, south: float, east: float, north: float) -> GridProjection:
    cx, cy = (west + east) / 2, (south + north) / 2
    scale = max(east - west, north - south, 1.0) / 2
    fit_x, fit_y = np.meshgrid(np.linspace(west, east, 15), np.linspace(south, north, 15))
    fx, fy = fit_x.ravel(), fit_y.ravel()
    lon, lat = lonlat_of_nztm(fx, fy)
    design = _terms((fx - cx) / scale, (fy - cy) / scale)
    lon_c = np.linalg.lstsq(design, lon, rcond=None)[0]
    lat_c = np.linalg.lstsq(design, lat, rcond=None)[0]
    check_x, check_y = np.meshgrid(np.linspace(west, east, 41), np.linspace(south, north, 41))
    kx, ky = check_x.ravel(), check_y.ravel()
    true_lon, true_lat = lonlat_of_nztm(kx, ky)
    terms = _terms((kx - cx) / scale, (ky - cy) / scale)
    d_lat = (terms @ lat_c - true_lat) * 111_320.0
    d_lon = (terms @ lon_c - true_lon) * 111_320.0 * np.cos(np.radians(true_lat))
    error = float(np.max(np.hypot(d_lat, d_lon))) if len(kx) else 0.0
    return GridProjection(
        origin=(cx, cy), scale=scale, lon=tuple(float(c) for c in lon_c), lat=tuple(float(c) for c in lat_c), max_error_m=0.0 if math.isnan(error) else error
    )
