"""API endpoints of the measures capability: indicator definitions, observations, series with progress, scorecards and
turn-the-curve narratives. Counts pass through disclosure control unless you may see unit-level output for the unit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from rocc.core.api_fields import BodyInt, IndicatorCode, IsoDate, UnitCode
from rocc.core.bounds import BoundedInput, BoundedQuery
from rocc.core.errors import ErrorOut, InvalidInput, Refused, error_responses
from rocc.measures import selectors, services
from rocc.measures.models import Indicator, PeriodType
from rocc.org.models import OrgUnit
from rocc.org.services import unit_national, unit_resolve

router = Router(tags=["measures"])


class IndicatorVersionOut(Schema):
    number: int
    effective_from: str
    description: str
    kind: str
    unit_label: str
    numerator: str
    numerator_source: str
    denominator_kind: str
    denominator: str
    denominator_population_filter: dict[str, Any]
    denominator_indicator: str | None
    factor: int
    polarity: str
    period_type: str
    period_label: str
    year_end_month: int | None
    disaggregations: list[str]
    attribution: str
    data_source: str
    responsible_agency: str | None
    responsibility: str
    change_note: str


class IndicatorOut(Schema):
    code: str
    name: str
    is_published: bool
    current: IndicatorVersionOut | None
    versions: list[IndicatorVersionOut]


class ObservationOut(Schema):
    indicator: str
    unit: str
    period: str
    period_type: str
    period_start: IsoDate
    period_end: IsoDate
    disaggregation: str
    numerator: float | None
    denominator: float | None
    value: float | None
    source: str
    version: int
    is_approximate: bool
    provenance: str
    disclosure_applied: bool


class ObservationIn(BoundedInput):
    bounded_by = ("measures.Observation",)
    indicator: IndicatorCode
    unit: UnitCode
    period_start: IsoDate
    period_end: IsoDate
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    disaggregation: str = ""
    is_approximate: bool = False
    provenance: str = ""


class SeriesQuery(BoundedQuery):
    unit: UnitCode | None = None
    period_type: str | None = None
    as_reported: bool = False
    disaggregation: str = ""


class NarrativeIn(BoundedInput):
    unit: UnitCode
    version: BodyInt
    story_behind_curve: str = ""
    partners: str = ""
    what_works: str = ""
    action_plan: str = ""


class NarrativeOut(Schema):
    indicator: str
    unit: str
    version: int
    story_behind_curve: str
    partners: str
    what_works: str
    action_plan: str


def _viewer(request) -> None:
    if not request.user.has_perm("measures.view_measures"):
        raise PermissionDenied("Sign in with a role to see measures.")


def _indicator(request, code: str) -> Indicator:
    try:
        indicator = selectors.indicator_get(user=request.user, code=code)
    except Indicator.DoesNotExist:
        raise Http404 from None
    if not indicator.versions.exists():
        raise Http404
    return indicator


def _unit(code: str | None) -> OrgUnit:
    """The unit a request names (code, name or alias), else the national unit; 404 when there is no such unit."""
    if not code:
        return unit_national()
    try:
        return unit_resolve(code)
    except ValidationError:
        raise Http404 from None


@router.get("/indicators", response={200: list[IndicatorOut], **error_responses(403)}, summary="Indicator definitions with every version")
def indicators(request: HttpRequest):
    return [selectors.indicator_dict(i) for i in selectors.indicators_for(user=request.user)]


@router.get("/indicators/{code}", response={200: IndicatorOut, **error_responses(403, 404)}, summary="One indicator definition with every version")
def indicator(request: HttpRequest, code: str):
    return selectors.indicator_dict(_indicator(request, code))


@router.get(
    "/indicators/{code}/series",
    response={200: dict[str, Any], **error_responses(403, 404, 422)},
    summary="An indicator's series in a unit with baseline, target, glide path, status, trend and forecast",
    description="Counts pass through disclosure control (random rounding to base 3, small counts suppressed) unless you may see "
    "unit-level output for the unit. `as_reported` shows each figure under the definition it was recorded under.",
)
def series(request: HttpRequest, code: str, query: Query[SeriesQuery]):
    found = _indicator(request, code)
    if query.period_type and query.period_type not in PeriodType.values:
        raise InvalidInput(f"Unknown period type; expected one of {', '.join(PeriodType.values)}.")
    return selectors.series_for(
        user=request.user,
        indicator=found,
        unit=_unit(query.unit),
        period_type=query.period_type,
        as_reported=query.as_reported,
        disaggregation=query.disaggregation,
    )


@router.get(
    "/indicators/{code}/observations",
    response={200: list[ObservationOut], **error_responses(403, 404)},
    summary="The figures recorded for an indicator (optionally in one unit), each under the version it was recorded under",
)
def observations(request: HttpRequest, code: str, unit: str | None = None):
    found = _indicator(request, code)
    return [ObservationOut(**row) for row in selectors.observations_for(user=request.user, indicator=found, unit=_unit(unit) if unit else None)]


@router.post(
    "/observations",
    response={201: ObservationOut, **error_responses(403, 404, 422)},
    summary="Record one figure (analysts in their units, the national office anywhere)",
)
def observation_record(request: HttpRequest, payload: ObservationIn):
    _viewer(request)
    try:
        found = _indicator(request, payload.indicator)
        unit = _unit(payload.unit)
    except Http404:
        return Status(404, ErrorOut(detail="No such indicator or unit."))
    if not request.user.has_perm("measures.record_observation", unit):
        raise Refused(f"You may not record figures for {unit.name}.")
    obs = services.observations_record(
        indicator=found,
        unit=unit,
        period_start=payload.period_start,
        period_end=payload.period_end,
        numerator=payload.numerator,
        denominator=payload.denominator,
        value=payload.value,
        disaggregation=payload.disaggregation or None,
        source="import",
        actor=request.user,
        provenance=payload.provenance or f"recorded through the API by {request.user.get_username()}",
        is_approximate=payload.is_approximate,
    )
    # The recorder may record figures for this unit, and so sees what they recorded as they recorded it.
    return Status(201, ObservationOut(**selectors.observation_dict(obs, gate=selectors.disclosure_for(user=request.user, unit=unit))))


@router.get(
    "/scorecard",
    response={200: dict[str, Any], **error_responses(403, 404)},
    summary="Status at a glance: every indicator nationally and in each district (or in one unit)",
)
def scorecard(request: HttpRequest, unit: str | None = None):
    units = [_unit(unit)] if unit else None
    return selectors.scorecard_for(user=request.user, units=units)


@router.get(
    "/indicators/{code}/narrative", response={200: NarrativeOut, **error_responses(403, 404)}, summary="The turn-the-curve story of an indicator in a unit"
)
def narrative(request: HttpRequest, code: str, unit: str):
    found = _indicator(request, code)
    where = _unit(unit)
    story = selectors.narrative_for(user=request.user, indicator=found, unit=where)
    return NarrativeOut(
        indicator=found.code,
        unit=where.code,
        version=story.version if story else 0,
        story_behind_curve=story.story_behind_curve if story else "",
        partners=story.partners if story else "",
        what_works=story.what_works if story else "",
        action_plan=story.action_plan if story else "",
    )


@router.put(
    "/indicators/{code}/narrative",
    response={200: NarrativeOut, **error_responses(403, 404, 409, 422)},
    summary="Save the turn-the-curve story (send the version you read; 409 if someone changed it since)",
)
def narrative_save(request: HttpRequest, code: str, payload: NarrativeIn):
    found = _indicator(request, code)
    where = _unit(payload.unit)
    story = services.narrative_update(
        user=request.user,
        indicator=found,
        unit=where,
        version=payload.version,
        story_behind_curve=payload.story_behind_curve,
        partners=payload.partners,
        what_works=payload.what_works,
        action_plan=payload.action_plan,
    )
    return NarrativeOut(
        indicator=found.code,
        unit=where.code,
        version=story.version,
        story_behind_curve=story.story_behind_curve,
        partners=story.partners,
        what_works=story.what_works,
        action_plan=story.action_plan,
    )
