"""API endpoints of referrals and the services directory, mounted at /api/referrals/: the directory (read, list a
service, change it or its capacity), referrals (make one, the provider's queue, the referrer's list, read one — a look
logged with its purpose — and each step of its life), the figures and the capacity evidence."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from rocc.core.api_fields import IsoDate
from rocc.core.bounds import BoundedInput, BoundedQuery
from rocc.core.errors import InvalidInput, error_responses
from rocc.org.api import unit_named
from rocc.org.models import Agency
from rocc.referrals import selectors, services
from rocc.referrals.models import Capacity, Move, Referral, Service

router = Router(tags=["referrals"])
ERRORS = error_responses(403, 404, 409, 422)


class ServiceOut(Schema):
    id: int
    provider: str
    name: str
    offers: str
    eligibility: str
    how_to_refer: str
    units_served: list[str]
    capacity: str
    capacity_note: str
    response_days: int
    indicator_code: str
    is_active: bool
    version: int


class ServiceIn(BoundedInput):
    bounded_by = (Service,)
    provider: str
    name: str
    offers: str
    units_served: list[str]
    eligibility: str = ""
    how_to_refer: str = ""
    capacity: str = Capacity.OPEN
    capacity_note: str = ""
    response_days: int = 5
    indicator_code: str = ""
    is_active: bool = True
    version: int | None = None


class CapacityIn(BoundedInput):
    bounded_by = (Service,)
    capacity: str
    capacity_note: str = ""
    version: int | None = None


class DirectoryFilter(BoundedQuery):
    q: str = ""
    unit: str = ""
    capacity: str = ""


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.pk,
        provider=service.provider.short_name,
        name=service.name,
        offers=service.offers,
        eligibility=service.eligibility,
        how_to_refer=service.how_to_refer,
        units_served=sorted(u.code for u in service.units_served.all()),
        capacity=service.capacity,
        capacity_note=service.capacity_note,
        response_days=service.response_days,
        indicator_code=service.indicator_code,
        is_active=service.is_active,
        version=service.version,
    )


def _agency(short_name: str) -> Agency:
    agency = Agency.objects.filter(short_name=short_name).first()
    if agency is None:
        raise InvalidInput(field_errors={"provider": [f"No agency with short name {short_name!r}."]})
    return agency


@router.get("/services", response={200: list[ServiceOut], **error_responses(403, 422)}, summary="The services directory as you may see it")
def directory(request: HttpRequest, filters: Query[DirectoryFilter]):
    unit = unit_named(filters.unit) if filters.unit else None
    return [_service_out(s) for s in selectors.directory_for(user=request.user, query=filters.q, unit=unit, capacity=filters.capacity)]


@router.post("/services", response={201: ServiceOut, **error_responses(403, 422)}, summary="List a service (a provider lists its own)")
def service_create(request: HttpRequest, payload: ServiceIn):
    service = services.service_save(
        user=request.user,
        provider=_agency(payload.provider),
        units_served=[unit_named(code, field="units_served") for code in payload.units_served],
        **payload.dict(exclude={"provider", "units_served", "version"}),
    )
    return Status(201, _service_out(service))


@router.get("/services/{service_id}", response={200: ServiceOut, **error_responses(403, 404)}, summary="One service")
def service_read(request: HttpRequest, service_id: int):
    return _service_out(selectors.service_get(user=request.user, pk=service_id))


@router.put("/services/{service_id}", response={200: ServiceOut, **ERRORS}, summary="Change a service's entry (send the version you read)")
def service_update(request: HttpRequest, service_id: int, payload: ServiceIn):
    service = selectors.service_get(user=request.user, pk=service_id)
    changed = services.service_save(
        user=request.user,
        service=service,
        provider=_agency(payload.provider),
        units_served=[unit_named(code, field="units_served") for code in payload.units_served],
        version=payload.version,
        **payload.dict(exclude={"provider", "units_served", "version"}),
    )
    return _service_out(changed)


@router.put("/services/{service_id}/capacity", response={200: ServiceOut, **ERRORS}, summary="Set a service's capacity: open, waiting or closed")
def service_capacity(request: HttpRequest, service_id: int, payload: CapacityIn):
    service = selectors.service_get(user=request.user, pk=service_id)
    return _service_out(
        services.service_capacity_set(
            user=request.user, service=service, capacity=payload.capacity, capacity_note=payload.capacity_note, version=payload.version
        )
    )


class ReferralIn(BoundedInput):
    bounded_by = (Referral,)
    service: int
    unit: str
    reason: str
    contact_route: str
    lawful_basis: str
    needs: str = ""
    urgency: str = "routine"
    is_whanau: bool = False
    person_name: str = ""
    contact_details: str = ""
    person_identifier: str = ""
    person_key: str = ""
    consent_given_by: str = ""
    consent_given_at: IsoDate | None = None
    consent_for: str = ""
    other_basis: str = ""
    source: str = "direct"
    source_id: str = ""


class ReferralRowOut(Schema):
    id: int
    reference: str
    service: str
    provider: str
    unit: str
    urgency: str
    status: str
    made_at: dt.datetime
    response_due: dt.datetime
    overdue: bool
    is_whanau: bool
    source: str
    version: int


class StepOut(Schema):
    move: str
    status_after: str
    at: dt.datetime
    by: str | None
    note: str


class ReferralOut(Schema):
    id: int
    reference: str
    service: int
    service_name: str
    provider: str
    unit: str
    status: str
    urgency: str
    made_at: dt.datetime
    response_due: dt.datetime
    overdue: bool
    is_whanau: bool
    reason: str | None
    needs: str | None
    lawful_basis: str
    consent_given_by: str
    consent_given_at: IsoDate | None
    consent_for: str
    other_basis: str
    consent_withdrawn_at: dt.datetime | None
    contact_route: str
    identifying_details_shown: bool
    person_name: str | None
    contact_details: str | None
    linked_to_event_store: bool
    source: str
    source_id: str
    decline_reason: str
    outcome: str
    moves: list[str]
    steps: list[StepOut]
    version: int


class MoveIn(BoundedInput):
    bounded_by = (Referral,)
    move: Move
    version: int | None = None
    note: str = ""
    decline_reason: str = ""
    outcome: str = ""


class ListFilter(BoundedQuery):
    status: str = ""
    overdue: bool = False


def _referral_out(view) -> ReferralOut:
    r = view.referral
    return ReferralOut(
        id=r.pk,
        reference=r.reference,
        service=r.service_id,
        service_name=r.service.name,
        provider=r.provider.short_name,
        unit=r.unit.code,
        status=r.status,
        urgency=r.urgency,
        made_at=r.made_at,
        response_due=r.response_due,
        overdue=view.overdue,
        is_whanau=r.is_whanau,
        reason=r.reason if view.identifying else None,
        needs=r.needs if view.identifying else None,
        lawful_basis=r.lawful_basis,
        consent_given_by=r.consent_given_by if view.identifying else "",
        consent_given_at=r.consent_given_at,
        consent_for=r.consent_for,
        other_basis=r.other_basis,
        consent_withdrawn_at=r.consent_withdrawn_at,
        contact_route=r.contact_route,
        identifying_details_shown=view.identifying,
        person_name=r.person_name if view.identifying else None,
        contact_details=r.contact_details if view.identifying else None,
        linked_to_event_store=bool(r.person_key),
        source=r.source,
        source_id=r.source_id,
        decline_reason=r.decline_reason,
        outcome=r.outcome,
        moves=list(view.moves),
        steps=[StepOut(move=s.move, status_after=s.status_after, at=s.at, by=s.by, note=s.note) for s in view.steps],
        version=r.version,
    )


@router.post(
    "/",
    response={201: ReferralOut, **error_responses(403, 404, 422)},
    summary="Refer a person or whānau to a service",
    description="`lawful_basis` is `consent` (with `consent_given_by`, `consent_given_at`, `consent_for`) or `other` (with "
    "`other_basis`). `person_identifier` is pseudonymised with the event store's key and never stored; or send the "
    "`person_key` a Victim Focus answer gave. 422 names every missing field.",
)
def referral_create(request: HttpRequest, payload: ReferralIn):
    service = selectors.service_get(user=request.user, pk=payload.service)
    referral = services.referral_make(user=request.user, service=service, unit=unit_named(payload.unit), **payload.dict(exclude={"service", "unit"}))
    return Status(201, _referral_out(selectors.referral_get(user=request.user, pk=referral.pk, purpose="Making the referral")))


@router.get("/queue", response={200: list[ReferralRowOut], **error_responses(403, 422)}, summary="The receiving provider's queue (no identifying details)")
def queue(request: HttpRequest, filters: Query[ListFilter]):
    return selectors.referral_queue_for(user=request.user, status=filters.status, overdue_only=filters.overdue)


@router.get("/made", response={200: list[ReferralRowOut], **error_responses(403, 422)}, summary="Referrals made on your side (no identifying details)")
def made(request: HttpRequest, filters: Query[ListFilter]):
    return selectors.referrals_made_for(user=request.user, status=filters.status, overdue_only=filters.overdue)


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, **error_responses(404, 422)},
    summary="One referral (a look recorded in the audit trail with its purpose)",
    description="`purpose` says why you look (at least a few words); without one, the purpose of your side of the "
    "referral is recorded. 404 when the referral is not made by your side or to your agency.",
)
def referral_read(request: HttpRequest, referral_id: int, purpose: str = ""):
    return _referral_out(selectors.referral_get(user=request.user, pk=referral_id, purpose=purpose))


@router.post(
    "/{referral_id}/moves",
    response={200: ReferralOut, **ERRORS},
    summary="Take a step: accept, decline, contact, engage, outcome, close or withdraw_consent",
    description="Declining needs a `decline_reason` (no_capacity, not_eligible, person_declined, cannot_contact, other); "
    "the outcome needs an `outcome`; closing needs a `note`. 409 when the referral's status does not allow the step or "
    "the `version` is stale.",
)
def referral_step(request: HttpRequest, referral_id: int, payload: MoveIn):
    referral = Referral.objects.filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    selectors.referral_get(user=request.user, pk=referral_id, purpose=f"Recording '{payload.move}' on {referral.reference}")
    services.referral_move(
        user=request.user,
        referral=referral,
        move=payload.move,
        version=payload.version,
        note=payload.note,
        decline_reason=payload.decline_reason,
        outcome=payload.outcome,
    )
    return _referral_out(selectors.referral_get(user=request.user, pk=referral_id, purpose=f"Reading {referral.reference} after '{payload.move}'"))


class FigureRowOut(Schema):
    month: IsoDate
    figures: dict[str, float | None]


class FiguresOut(Schema):
    unit: str
    protected: bool
    versions: dict[str, int]
    missing_indicators: list[str]
    rows: list[FigureRowOut]


@router.get(
    "/figures/{unit}", response={200: FiguresOut, **error_responses(403, 404, 422)}, summary="Referral figures of a unit by month, through disclosure control"
)
def figures(request: HttpRequest, unit: str):
    result = selectors.referral_figures_for(user=request.user, unit=unit_named(unit))
    return FiguresOut(
        unit=result["unit"].code, protected=result["protected"], versions=result["versions"], missing_indicators=result["missing"], rows=result["rows"]
    )


class CapacityRowOut(Schema):
    service: str
    provider: str
    capacity_now: str
    area: str
    area_code: str
    declined_no_capacity: int | None
    suppressed: bool
    protected: bool


class CapacityFilter(BoundedQuery):
    unit: str = ""
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


@router.get(
    "/capacity-declines",
    response={200: list[CapacityRowOut], **error_responses(403, 422)},
    summary='"Declined: no capacity" by service and area: evidence for an escalated barrier',
)
def capacity_declines(request: HttpRequest, filters: Query[CapacityFilter]):
    unit = unit_named(filters.unit) if filters.unit else None
    return selectors.capacity_declines_for(user=request.user, unit=unit, date_from=filters.date_from, date_to=filters.date_to)["rows"]
