"""Every write of maps: loading organisational-unit boundaries from a GeoJSON file or a shapefile, all or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import shapely
import shapely.geometry
from django.core.exceptions import ValidationError
from django.db import transaction

from rocc.audit.services import system_event_record
from rocc.core.errors import InvalidInput, Refused
from rocc.maps import geometry as geo
from rocc.maps.models import Boundary, BoundarySet
from rocc.org.models import LEVEL_DEPTH, OrgUnit, UnitLevel
from rocc.org.services import unit_resolve

#: Properties a feature may name its unit by, tried in this order when the import is not told which one.
UNIT_PROPERTIES = ("code", "unit_code", "unit", "UNIT_CODE", "CODE", "name", "NAME", "district", "DISTRICT", "area", "AREA")
#: Two boundaries of one level may share an edge, not land: more than this share of the smaller one overlapping refuses the file.
OVERLAP_TOLERANCE = 0.001


class BoundariesRefused(InvalidInput):
    """The file was refused and nothing changed; ``problems`` says where (feature, unit) and what."""

    def __init__(self, problems: list[geo.GeometryProblem]):
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"The boundaries were not loaded, nothing was changed: {shown}{more}", field_errors={"file": [str(p) for p in problems]})

    def answer(self) -> dict:
        return {**super().answer(), "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class BoundariesLoaded:
    boundary_set: BoundarySet
    created: int
    replaced: int
    unchanged: int
    source_crs: str


def _unit_key(properties: dict, key: str | None) -> tuple[str | None, str | None]:
    """(the property's name, its value) naming the feature's unit."""
    if key:
        value = properties.get(key)
        return key, (str(value).strip() if value not in (None, "") else None)
    for name in UNIT_PROPERTIES:
        value = properties.get(name)
        if value not in (None, ""):
            return name, str(value).strip()
    return None, None


def boundaries_import(*, actor=None, path: Path, source: str, licence: str, key: str | None = None) -> BoundariesLoaded:
    """Load the boundaries in ``path`` (GeoJSON or shapefile, WGS84 or NZTM2000): every feature must name a unit by
    code, name or alias (in property ``key``, or the first of ``UNIT_PROPERTIES`` it has), each unit once, with a valid
    polygon, every feature in the same coordinate system, no two boundaries of one level overlapping. Anything wrong
    refuses the whole file (BoundariesRefused, every problem located by feature and unit) and changes nothing. Loading
    the same boundaries again changes nothing; a unit's new boundary replaces its old one. ``actor`` None is the
    installation's operator at the command line."""

    if actor is not None and not actor.has_perm("maps.import_boundaries"):
        raise Refused("Only an administrator loads boundaries.")
    problems: list[geo.GeometryProblem] = []
    if not source.strip():
        problems.append(geo.GeometryProblem(None, None, "say where the boundaries come from (--source), e.g. 'NZ Police district boundaries 2023'"))
    if not licence.strip():
        problems.append(geo.GeometryProblem(None, None, "say the licence the boundaries are used under (--licence), e.g. 'CC BY 4.0'"))
    try:
        read = geo.read_boundaries_file(path)
    except geo.BoundaryFileUnreadable as exc:
        raise BoundariesRefused([*problems, geo.GeometryProblem(None, None, str(exc))]) from None
    if read.declared_crs not in (None, geo.WGS84, geo.NZTM):
        problems.append(geo.GeometryProblem(None, None, f"the file is in {read.declared_crs}: export it in NZTM2000 (EPSG:2193) or WGS84 (EPSG:4326)"))

    parsed: list[tuple[geo.RawFeature, OrgUnit, object, str]] = []
    seen: dict[int, int] = {}
    for feature in read.features:
        name, value = _unit_key(feature.properties, key)
        if value is None:
            wanted = f"property '{key}'" if key else "a property " + ", ".join(f"'{p}'" for p in UNIT_PROPERTIES[:4])
            problems.append(geo.GeometryProblem(feature.number, None, f"no unit named: expected {wanted} holding the unit's code, name or alias"))
            continue
        try:
            unit = unit_resolve(value)
        except ValidationError as exc:
            problems.append(geo.GeometryProblem(feature.number, value, f"{exc.messages[0]} (property '{name}')"))
            unit = None
        if unit is not None and unit.pk in seen:
            problems.append(geo.GeometryProblem(feature.number, value, f"{unit.name} has a boundary already, in feature {seen[unit.pk]}: give each unit once"))
            unit = None
        if unit is not None:
            seen[unit.pk] = feature.number
        shape, reason = geo.as_geometry(feature.geometry)
        if reason is None:
            reason = geo.polygon_problem(shape)
        if reason is not None:
            problems.append(geo.GeometryProblem(feature.number, value, reason))
            continue
        crs = feature.declared_crs or geo.coordinates_crs(shape)
        if crs is None:
            first = shapely.get_coordinates(shape)[0]
            problems.append(
                geo.GeometryProblem(
                    feature.number,
                    value,
                    f"the coordinates (first point {first[0]:.6g}, {first[1]:.6g}) are neither NZTM2000 metres in New Zealand nor longitude/latitude",
                )
            )
            continue
        if read.declared_crs in geo.CRS_LABELS and crs != read.declared_crs and feature.declared_crs is None:
            problems.append(
                geo.GeometryProblem(
                    feature.number, value, f"the file says {geo.CRS_LABELS[read.declared_crs]} but this feature's coordinates are {geo.CRS_LABELS[crs]}"
                )
            )
            continue
        if unit is not None:
            parsed.append((feature, unit, shape, crs))

    systems = {crs for *_, crs in parsed}
    if len(systems) > 1:
        majority = max(systems, key=lambda c: sum(1 for *_, s in parsed if s == c))
        for feature, unit, _, crs in parsed:
            if crs != majority:
                problems.append(
                    geo.GeometryProblem(
                        feature.number,
                        unit.code,
                        f"the coordinates are {geo.CRS_LABELS[crs]} but the file's other features are {geo.CRS_LABELS[majority]}: one file, one coordinate system",
                    )
                )
    if problems:
        raise BoundariesRefused(problems)

    ready = []
    for feature, unit, shape, crs in parsed:
        nztm = geo.reproject(shape, crs, geo.NZTM)
        wgs84 = geo.reproject(shape, crs, geo.WGS84)
        ready.append((feature, unit, nztm, wgs84))
    problems.extend(_overlaps(ready))
    if problems:
        raise BoundariesRefused(problems)

    digest = hashlib.sha256(read.sha256_input).hexdigest()
    with transaction.atomic():
        boundary_set = BoundarySet.objects.create(
            file_name=path.name,
            source=source.strip(),
            licence=licence.strip(),
            source_crs=geo.CRS_LABELS[next(iter(systems))],
            features=len(ready),
            sha256=digest,
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        created = replaced = unchanged = 0
        for _, unit, nztm, wgs84 in ready:
            wgs84_json = geo.rounded_geojson(wgs84, decimals=6)
            nztm_json = geo.rounded_geojson(nztm, decimals=2)
            west, south, east, north = wgs84.bounds
            existing = Boundary.objects.select_for_update().filter(unit=unit).first()
            if existing is not None and existing.geometry_nztm == nztm_json:
                unchanged += 1
                continue
            values = dict(
                boundary_set=boundary_set,
                geometry_wgs84=wgs84_json,
                geometry_nztm=nztm_json,
                nztm_wkb=shapely.to_wkb(shapely.geometry.shape(nztm_json)),
                area_km2=nztm.area / 1e6,
                west=west,
                south=south,
                east=east,
                north=north,
            )
            if existing is None:
                Boundary.objects.create(unit=unit, **values)
                created += 1
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save()
                replaced += 1
        if not created and not replaced:
            boundary_set.delete()  # the same boundaries again: nothing to record
            boundary_set = Boundary.objects.filter(unit=ready[0][1]).select_related("boundary_set").get().boundary_set
        else:
            system_event_record(
                what="boundaries loaded",
                actor=actor if getattr(actor, "pk", None) else None,
                details={"file": path.name, "source": source, "licence": licence, "created": created, "replaced": replaced, "sha256": digest},
            )
    return BoundariesLoaded(boundary_set=boundary_set, created=created, replaced=replaced, unchanged=unchanged, source_crs=geo.CRS_LABELS[next(iter(systems))])


def _overlaps(ready) -> list[geo.GeometryProblem]:
    """Boundaries of one level that share land (beyond a sliver) would put a point in two units."""
    problems = []
    by_level: dict[str, list] = {}
    for feature, unit, nztm, _ in ready:
        by_level.setdefault(unit.level, []).append((feature, unit, nztm))
    for level in sorted(by_level, key=lambda lv: LEVEL_DEPTH[UnitLevel(lv)]):
        items = by_level[level]
        tree = shapely.STRtree([g for *_, g in items])
        left, right = tree.query([g for *_, g in items], predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            (fa, ua, ga), (fb, ub, gb) = items[i], items[j]
            shared = ga.intersection(gb).area
            if shared > OVERLAP_TOLERANCE * min(ga.area, gb.area):
                problems.append(
                    geo.GeometryProblem(
                        fb.number, ub.code, f"overlaps {ua.name} (feature {fa.number}) by {shared / 1e6:,.2f} km²: boundaries of one level must not share land"
                    )
                )
    return problems
