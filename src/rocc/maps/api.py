"""API endpoints of maps and boundaries, mounted at /api/maps/: the outline, the boundaries with their sources, which
unit a point falls in, and the map layers (events, indicator choropleths), each scoped to the asker. Large layers are
written straight to JSON (column arrays), not through the schema validator, which would take longer than drawing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rocc.core.api_fields import IsoDate
from rocc.core.bounds import BoundedQuery
from rocc.core.errors import InvalidInput, error_responses
from rocc.maps import selectors
from rocc.maps.caching import entity_tag, not_modified, revalidated_json
from rocc.measures.models import Indicator
from rocc.org.models import UnitLevel

router = Router(tags=["maps"])


def _json(payload: Any) -> HttpResponse:
    return HttpResponse(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), content_type="application/json")


class FeatureCollectionOut(Schema):
    type: str
    features: list[dict[str, Any]]


class BoundarySetOut(Schema):
    id: int
    file_name: str
    source: str
    licence: str
    source_crs: str
    features: int
    current: int
    imported_at: dt.datetime


class PlaceOut(Schema):
    unit: str | None
    name: str | None
    outside: bool


class EventsLayerOut(Schema):
    kind: str
    events: int
    located: int
    without_coordinates: int
    left_off: int
    lon0_e5: int
    lat0_e5: int
    dlon_e5: list[int]
    dlat_e5: list[int]
    id: list[str]
    day0: int
    dday: list[int]
    offences: list[str]
    offence: list[int]
    by_unit: list[dict[str, Any]]


class ChoroplethUnitOut(Schema):
    code: str
    name: str
    period: str | None
    period_label: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    is_approximate: bool
    protected: bool
    geometry: dict[str, Any] | None
    class_number: int | None
    colour: str | None


class ChoroplethOut(Schema):
    kind: str
    name: str
    indicator: str
    unit_label: str
    polarity: str
    level: str
    period: str | None
    periods_shown: list[str]
    mixed_periods: bool
    classes: list[dict[str, Any]]
    class_method: str
    protected: bool
    suppressed: int
    without_boundary: list[str]
    units: list[ChoroplethUnitOut]
    periods: list[dict[str, str]]


class EventsFilter(BoundedQuery):
    unit: str | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    offence: list[str] | None = None


#: A reference answer the browser already holds (its If-None-Match names the ETag of the 200): no body.
NOT_MODIFIED = {304: None}
#: The OpenAPI document's note of those answers' caching headers.
TAGGED = {
    "responses": {
        200: {
            "headers": {
                "ETag": {"description": "The entity tag of this body: send it back in If-None-Match to get 304.", "schema": {"type": "string"}},
                "Cache-Control": {"description": "private, no-cache: kept by the browser, asked again every time.", "schema": {"type": "string"}},
            }
        }
    }
}


@router.get("/outline", response={200: FeatureCollectionOut, **NOT_MODIFIED, **error_responses(403)}, url_name="maps_outline", openapi_extra=TAGGED)
def outline(request: HttpRequest):
    """The shipped approximate national outline (Natural Earth 1:10m, public domain), with its source and licence.
    Sent with an ETag and ``Cache-Control: private, no-cache``: asked again with ``If-None-Match``, it answers 304
    with no body while the outline is the same."""
    selectors.boundary_sets_for(user=request.user)  # asks maps.view_maps
    body = selectors.outline_geojson_bytes()
    return revalidated_json(request, body, entity_tag("outline", body))


@router.get("/boundaries", response={200: FeatureCollectionOut, **NOT_MODIFIED, **error_responses(403, 422)}, url_name="maps_boundaries", openapi_extra=TAGGED)
def boundaries(request: HttpRequest, level: str | None = None):
    """The loaded unit boundaries (WGS84 GeoJSON), optionally of one level (district or area), each with its source and licence.
    Sent with an ETag and ``Cache-Control: private, no-cache``: asked again with ``If-None-Match``, it answers 304
    with no body while the boundaries are the same (the asker's right to read them is checked first)."""
    if level and level not in UnitLevel.values:
        raise InvalidInput(field_errors={"level": [f"Expected one of {', '.join(UnitLevel.values)}."]})
    held = selectors.boundaries_etag(user=request.user, level=level)  # asks maps.view_maps; one small query
    if not_modified(request, held):
        return revalidated_json(request, b"", held)  # 304 without building the document
    body, etag = selectors.boundaries_geojson_bytes(user=request.user, level=level)
    return revalidated_json(request, body, etag)


@router.get("/boundary-sets", response={200: list[BoundarySetOut], **error_responses(403)}, url_name="maps_boundary_sets")
def boundary_sets(request: HttpRequest):
    """Every boundaries file loaded, with its source, licence and how many of its boundaries are still current."""
    return [
        BoundarySetOut(
            id=s.pk,
            file_name=s.file_name,
            source=s.source,
            licence=s.licence,
            source_crs=s.source_crs,
            features=s.features,
            current=s.current,
            imported_at=s.imported_at,
        )
        for s in selectors.boundary_sets_for(user=request.user)
    ]


@router.get("/place", response={200: PlaceOut, **error_responses(403)}, url_name="maps_place")
def place(request: HttpRequest, x: float, y: float):
    """The unit whose boundary holds the NZTM2000 point (x easting, y northing, metres), deepest level first."""
    selectors.boundary_sets_for(user=request.user)
    placement = selectors.units_for_points(np.array([x]), np.array([y]))
    code = placement.codes[0] or None
    names = selectors.area_names_for_points(np.array([x]), np.array([y])) if code else [None]
    return PlaceOut(unit=code, name=names[0], outside=code is None)


@router.get("/events", response={200: EventsLayerOut, **error_responses(403, 404, 422)}, url_name="maps_events")
def events(request: HttpRequest, filters: Query[EventsFilter]):
    """The asker's events with coordinates as column arrays in WGS84 (event id, date, offence; never persons), and
    counts by unit: longitude and latitude in 1/100,000 degree as offsets from ``lon0_e5`` and ``lat0_e5``, the date as
    days from ``day0`` (days since 1970-01-01), the offence as a position in ``offences``; in no particular order. Scoped as the events pages are: only the asker's units, only roles that read events."""
    try:
        layer = selectors.events_layer(
            user=request.user, unit_code=filters.unit, date_from=filters.date_from, date_to=filters.date_to, offence_codes=filters.offence
        )
    except ValueError as exc:
        raise InvalidInput(field_errors={"offence": [str(exc)]}) from None
    return _json(layer)


@router.get("/indicators/{code}", response={200: ChoroplethOut, **error_responses(403, 404, 422)}, url_name="maps_indicator")
def indicator(request: HttpRequest, code: str, level: str = UnitLevel.DISTRICT, period: str | None = None, public: bool = False):
    """An indicator by district or area: each unit's latest figure (or ``period``'s), protected by disclosure control
    for an asker without unit-level output (or with ``public``), with its quantile class and boundary."""

    if level not in (UnitLevel.DISTRICT, UnitLevel.AREA):
        raise InvalidInput(field_errors={"level": ["Expected district or area."]})
    try:
        layer = selectors.choropleth_for(user=request.user, indicator_code=code, level=level, period=period, public=public)
    except Indicator.DoesNotExist:
        raise Http404("No such indicator") from None
    return layer
