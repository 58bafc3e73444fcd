"""API endpoints for the barrier escalation register and the initiative stocktake."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from rocc.core.api_fields import IsoDate, UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import InvalidInput, error_responses
from rocc.org.api import unit_named
from rocc.strategy.models import Initiative, SystemicBarrier
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.selectors import register as register_selectors
from rocc.strategy.services import register as register_services

router = Router()


class BarrierOut(Schema):
    id: int
    unit: str
    plan: str | None
    framework_barrier: str | None
    title: str
    description: str
    severity: int
    status: str
    raised_by: str
    raised_at: dt.datetime
    escalated_at: dt.datetime | None
    response: str
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None


class BarrierIn(BoundedInput):
    unit: UnitCode
    severity: int
    description: str
    title: str = ""
    framework_barrier: int | None = None  # the order of one of the framework's common systemic barriers
    framework: str = "rocc"
    plan: str | None = None  # a district plan's code


class BarrierMoveIn(BoundedInput):
    response: str = ""


def _barrier_out(barrier) -> BarrierOut:
    return BarrierOut(
        id=barrier.pk,
        unit=barrier.unit.code,
        plan=barrier.plan.code if barrier.plan else None,
        framework_barrier=barrier.framework_barrier.text if barrier.framework_barrier else None,
        title=barrier.title,
        description=barrier.description,
        severity=barrier.severity,
        status=barrier.status,
        raised_by=barrier.raised_by.username,
        raised_at=barrier.raised_at,
        escalated_at=barrier.escalated_at,
        response=barrier.response,
        responded_at=barrier.responded_at,
        closed_at=barrier.closed_at,
    )


@router.get("/barriers", response=list[BarrierOut], summary="Escalated barriers you may read (filter by status)")
def barriers(request: HttpRequest, status: str | None = None, q: str = ""):
    return [_barrier_out(b) for b in register_selectors.barrier_list(user=request.user, status=status, query=q)]


@router.get("/barriers/{pk}", response={200: BarrierOut, **error_responses(404)})
def barrier(request: HttpRequest, pk: int):
    return _barrier_out(register_selectors.barrier_get(user=request.user, pk=pk))


@router.post(
    "/barriers",
    response={201: BarrierOut, **error_responses(403, 422)},
    summary="A region raises a barrier: one of the framework's common systemic barriers, or a new one",
)
def barrier_raise(request: HttpRequest, payload: BarrierIn):

    unit = unit_named(payload.unit)
    framework_barrier = None
    if payload.framework_barrier is not None:
        framework_barrier = SystemicBarrier.objects.filter(framework__code=payload.framework, order=payload.framework_barrier).first()
        if framework_barrier is None:
            raise InvalidInput(field_errors={"framework_barrier": [f"The framework '{payload.framework}' has no barrier {payload.framework_barrier}."]})
    plan = None
    if payload.plan:
        try:
            plan = plans_selectors.district_plan_get(user=request.user, code=payload.plan)
        except Http404:
            raise InvalidInput(field_errors={"plan": [f"No district plan '{payload.plan}' that you may read."]}) from None
    barrier = register_services.barrier_raise(
        user=request.user,
        unit=unit,
        severity=payload.severity,
        description=payload.description,
        title=payload.title,
        framework_barrier=framework_barrier,
        plan=plan,
    )
    return Status(201, _barrier_out(barrier))


@router.post(
    "/barriers/{pk}/{move}",
    response={200: BarrierOut, **error_responses(403, 404, 422)},
    summary="Move a barrier on: escalate (the region), respond (the centre, with a response) or close (the centre)",
)
def barrier_move(request: HttpRequest, pk: int, move: Literal["escalate", "respond", "close"], payload: BarrierMoveIn):

    found = register_selectors.barrier_get(user=request.user, pk=pk)
    moves = {
        "escalate": lambda: register_services.barrier_escalate(user=request.user, barrier=found),
        "respond": lambda: register_services.barrier_respond(user=request.user, barrier=found, response=payload.response),
        "close": lambda: register_services.barrier_close(user=request.user, barrier=found),
    }
    if move not in moves:
        raise InvalidInput(f"Unknown move '{move}'; use one of: {', '.join(moves)}.")
    return _barrier_out(moves[move]())


class InitiativeOut(Schema):
    id: int
    name: str
    description: str
    provider: str
    unit: str
    focus_area: str
    funding_amount: float | None
    funding_source: str
    start_date: IsoDate | None
    end_date: IsoDate | None
    evidence: str
    evidence_links: list[str]


class InitiativeIn(BoundedInput):
    bounded_by = (Initiative,)
    name: str
    provider: str
    unit: str
    focus_area: str
    description: str = ""
    funding_amount: float | None = None
    funding_source: str = ""
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    evidence: str = ""
    evidence_links: list[str] = []


class GapMatrixOut(Schema):
    as_at: IsoDate | None
    districts: list[str]
    rows: dict[str, list[int]]
    empty_cells: int


def _initiative_out(initiative) -> InitiativeOut:
    return InitiativeOut(
        id=initiative.pk,
        name=initiative.name,
        description=initiative.description,
        provider=initiative.provider,
        unit=initiative.unit.code,
        focus_area=initiative.focus_area,
        funding_amount=float(initiative.funding_amount) if initiative.funding_amount is not None else None,
        funding_source=initiative.funding_source,
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        evidence=initiative.evidence,
        evidence_links=list(initiative.evidence_links or []),
    )


@router.get("/initiatives", response=list[InitiativeOut], summary="The initiative stocktake (filter by focus area or unit)")
def initiatives(request: HttpRequest, q: str = "", focus_area: str = "", unit: str = ""):
    return [_initiative_out(i) for i in register_selectors.initiative_list(user=request.user, query=q, focus_area=focus_area, unit_code=unit)]


@router.get("/initiatives/gaps", response=GapMatrixOut, summary="Initiatives counted by focus area × district: where nothing is happening")
def initiative_gaps(request: HttpRequest, as_at: IsoDate | None = None):
    matrix = register_selectors.initiative_gap_matrix(user=request.user, as_at=as_at)
    return GapMatrixOut(
        as_at=matrix.as_at,
        districts=[u.code for u in matrix.districts],
        rows={kind: [count for _, count in cells] for kind, _, cells in matrix.rows()},
        empty_cells=matrix.empty_cells,
    )


@router.get("/initiatives/{pk}", response={200: InitiativeOut, **error_responses(404)})
def initiative(request: HttpRequest, pk: int):
    return _initiative_out(register_selectors.initiative_get(user=request.user, pk=pk))


def _initiative_write(request, payload: InitiativeIn, initiative=None):

    values = payload.dict()
    values.update(unit=unit_named(payload.unit), funding_amount=Decimal(str(payload.funding_amount)) if payload.funding_amount is not None else None)
    return _initiative_out(register_services.initiative_save(user=request.user, initiative=initiative, **values))


@router.post("/initiatives", response={201: InitiativeOut, **error_responses(403, 422)}, summary="Add an initiative to the stocktake")
def initiative_add(request: HttpRequest, payload: InitiativeIn):
    return Status(201, _initiative_write(request, payload))


@router.put("/initiatives/{pk}", response={200: InitiativeOut, **error_responses(403, 404, 422)}, summary="Change an initiative")
def initiative_change(request: HttpRequest, pk: int, payload: InitiativeIn):
    return _initiative_write(request, payload, register_selectors.initiative_get(user=request.user, pk=pk))
