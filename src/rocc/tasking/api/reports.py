"""API endpoints of OCCC insights reports: the reports you may see, compiling one, routing it and closing it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from rocc.core.bounds import BoundedInput
from rocc.core.errors import error_responses
from rocc.tasking.api.common import forum_named, unit_named
from rocc.tasking.api.risk import ScoreOut, score_out
from rocc.tasking.models import ForumKind
from rocc.tasking.selectors import meetings as meetings_selectors
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import risk as risk_selectors
from rocc.tasking.services import reports as reports_services

router = Router()


class RoutingOut(Schema):
    id: int
    direction: str
    from_forum: str | None
    to_forum: str
    to_district: str | None
    rationale: str
    decided_by: str
    decided_at: dt.datetime
    meeting: int | None


class ReportOut(Schema):
    id: int
    reference: str
    title: str
    summary: str
    status: str
    current_forum: str | None
    compiled_by: str
    compiled_at: dt.datetime
    version: int
    products: list[int]


class ReportDetailOut(ReportOut):
    routing: list[RoutingOut]
    scores: list[ScoreOut]


class ReportIn(BoundedInput):
    title: str
    summary: str
    products: list[int]


class RoutingIn(BoundedInput):
    version: int
    direction: str
    rationale: str = ""
    district: str | None = None
    to_forum: str | None = None
    meeting: int | None = None


def report_values(r) -> dict:
    return {
        "id": r.pk,
        "reference": r.reference,
        "title": r.title,
        "summary": r.summary,
        "status": r.status,
        "current_forum": r.current_forum.code if r.current_forum_id else None,
        "compiled_by": r.compiled_by.get_username(),
        "compiled_at": r.compiled_at,
        "version": r.version,
        "products": list(r.products.values_list("pk", flat=True)),
    }


def routing_out(d) -> RoutingOut:
    district = d.to_forum.scope_unit.code if d.to_forum.kind == ForumKind.DISTRICT_TC else None
    return RoutingOut(
        id=d.pk,
        direction=d.direction,
        from_forum=d.from_forum.code if d.from_forum_id else None,
        to_forum=d.to_forum.code,
        to_district=district,
        rationale=d.rationale,
        decided_by=d.decided_by.get_username(),
        decided_at=d.decided_at,
        meeting=d.meeting_id,
    )


@router.get("/reports", response=list[ReportOut], summary="OCCC insights reports you may see")
def reports(request: HttpRequest, status: str | None = None):
    found = reports_selectors.report_list(user=request.user).prefetch_related("products")
    if status:
        found = found.filter(status=status)
    return [ReportOut(**report_values(r)) for r in found]


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **error_responses(404)}, summary="One report with its routing decisions and scores")
def report(request: HttpRequest, report_id: int):
    found = reports_selectors.report_get(user=request.user, pk=report_id)
    return ReportDetailOut(
        **report_values(found),
        routing=[routing_out(d) for d in found.routing_decisions.select_related("to_forum__scope_unit", "from_forum", "decided_by")],
        scores=[score_out(s) for s in risk_selectors.score_history(subject=found)],
    )


@router.post("/reports", response={201: ReportOut, **error_responses(403, 422)}, summary="Compile an OCCC insights report from products")
def report_add(request: HttpRequest, payload: ReportIn):
    products = list(products_selectors.product_list(user=request.user).filter(pk__in=payload.products))
    if len(products) != len(set(payload.products)):
        raise ValidationError({"products": "One of the products does not exist or is outside your scope."})
    created = reports_services.report_compile(actor=request.user, title=payload.title, summary=payload.summary, products=products)
    return Status(201, ReportOut(**report_values(created)))


@router.post(
    "/reports/{report_id}/routing",
    response={201: RoutingOut, **error_responses(403, 404, 409, 422)},
    summary="Route a report: district specific, national or regional issue, or multi-agency response",
    description=(
        "`direction` is `district` (name the `district`), `national` (to Pre T&C; from Pre T&C, `to_forum: strategic-tc`) or "
        "`multi_agency` (`to_forum`: `rocc-dce` or `tnoc-dce`). The `rationale` is required. Send the report's `version` as you "
        "read it: 409 if it changed since. 403 when you may not route it; 404 when it is outside your scope."
    ),
)
def report_route(request: HttpRequest, report_id: int, payload: RoutingIn):
    found = reports_selectors.report_get(user=request.user, pk=report_id)
    meeting = meetings_selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
    decision = reports_services.report_route(
        actor=request.user,
        report=found,
        version=payload.version,
        direction=payload.direction,
        rationale=payload.rationale,
        district=unit_named(payload.district, "district"),
        to_forum=forum_named(payload.to_forum),
        meeting=meeting,
    )
    return Status(201, routing_out(decision))


class CloseIn(BoundedInput):
    version: int
    reason: str = ""
    meeting: int | None = None


@router.post(
    "/reports/{report_id}/close",
    response={200: ReportOut, **error_responses(403, 404, 409, 422)},
    summary="Close a routed report that needs nothing more, with the reason",
)
def report_close(request: HttpRequest, report_id: int, payload: CloseIn):
    found = reports_selectors.report_get(user=request.user, pk=report_id)
    meeting = meetings_selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
    closed = reports_services.report_close(actor=request.user, report=found, version=payload.version, reason=payload.reason, meeting=meeting)
    return ReportOut(**report_values(closed))
