"""API endpoints for co-designed district plans and their four steps."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from rocc.core.api_fields import UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import ErrorOut, InvalidInput, error_responses
from rocc.org.api import unit_named
from rocc.org.services import agency_resolve
from rocc.strategy.codesign import chain_removal, version_gaps
from rocc.strategy.models import ChainElement, DistrictPlan, MonitoringRow, PlanMove
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.selectors import plans as plans_selectors
from rocc.strategy.services import plans as plans_services

router = Router()


class DistrictPlanSummaryOut(Schema):
    code: str
    title: str
    unit: str
    framework: str
    is_example: bool
    working_version: int
    working_status: str
    current_version: int | None


class PlanVersionSummaryOut(Schema):
    number: int
    status: str
    agreed_by: str | None
    agreed_at: dt.datetime | None
    created_at: dt.datetime


class BoxOut(Schema):
    key: str
    kind: str
    text: str
    owner: str
    timeframe: str
    leads_to: list[str]
    activities: list[str]


class MonitoringOut(Schema):
    order: int
    outcome: str
    indicator_code: str
    indicator_name: str
    baseline: str
    data_source: str
    responsible_agency: str | None
    responsibility: str


class GapOut(Schema):
    step: int
    message: str
    blocking: bool


class PlanVersionOut(Schema):
    plan: str
    title: str
    is_example: bool
    number: int
    status: str
    agreed_by: str | None
    agreed_at: dt.datetime | None
    focus_areas: list[str]
    conditions: list[str]
    answers: dict[str, str]
    logic_model: list[BoxOut]
    monitoring: list[MonitoringOut]
    gaps: list[GapOut]


def _district_summary(request, plan) -> DistrictPlanSummaryOut:
    working = plans_selectors.plan_version_get(user=request.user, plan=plan)
    current = plans_selectors.plan_current_version(user=request.user, plan=plan)
    return DistrictPlanSummaryOut(
        code=plan.code,
        title=plan.title,
        unit=plan.scope_unit.code,
        framework=plan.framework.code,
        is_example=plan.is_example,
        working_version=working.number,
        working_status=working.status,
        current_version=current.number if current else None,
    )


def _version_out(plan, version) -> PlanVersionOut:

    elements = list(version.elements.prefetch_related("leads_to", "activities__plan"))
    return PlanVersionOut(
        plan=plan.code,
        title=plan.title,
        is_example=plan.is_example,
        number=version.number,
        status=version.status,
        agreed_by=version.agreed_by.get_username() if version.agreed_by else None,
        agreed_at=version.agreed_at,
        focus_areas=[p.text for p in version.focus_areas.all()],
        conditions=[p.text for p in version.conditions.all()],
        answers={a.question: a.text for a in version.answers.all()},
        logic_model=[
            BoxOut(
                key=e.key,
                kind=e.kind,
                text=e.text,
                owner=e.owner,
                timeframe=e.timeframe,
                leads_to=[t.key for t in e.leads_to.all()],
                activities=[f"{a.plan.code}/{a.number}" for a in e.activities.all()],
            )
            for e in elements
        ],
        monitoring=[
            MonitoringOut(
                order=r.order,
                outcome=r.outcome.key,
                indicator_code=r.indicator_code,
                indicator_name=r.indicator_name,
                baseline=r.baseline,
                data_source=r.data_source,
                responsible_agency=r.responsible_agency.short_name if r.responsible_agency else None,
                responsibility=r.responsibility,
            )
            for r in version.monitoring.select_related("outcome", "responsible_agency")
        ],
        gaps=[GapOut(step=g.step, message=g.message, blocking=g.blocking) for g in version_gaps(version)],
    )


def _written(request, code: str, write):
    """Run one write on a district plan and answer with its working version."""
    found = plans_selectors.district_plan_get(user=request.user, code=code)
    write(found)
    found.refresh_from_db()
    return Status(200, _version_out(found, plans_selectors.plan_version_get(user=request.user, plan=found)))


WRITE = {200: PlanVersionOut, 201: PlanVersionOut, **error_responses(403, 404, 422)}


WRITE = {200: PlanVersionOut, 201: PlanVersionOut, **error_responses(403, 404, 422)}


@router.get("/district-plans", response=list[DistrictPlanSummaryOut], summary="Co-designed district and area plans you may read")
def district_plans(request: HttpRequest):
    return [_district_summary(request, p) for p in plans_selectors.district_plan_list(user=request.user)]


class DistrictPlanIn(BoundedInput):
    bounded_by = (DistrictPlan,)
    unit: UnitCode
    title: str
    code: str = ""
    framework: str = "rocc"


@router.post("/district-plans", response={201: PlanVersionOut, **error_responses(403, 422)}, summary="Start a district or area plan (an empty draft version 1)")
def district_plan_create(request: HttpRequest, payload: DistrictPlanIn):

    unit = unit_named(payload.unit)
    framework = frameworks_selectors.framework_list(user=request.user).filter(code=payload.framework).first()
    if framework is None:
        raise InvalidInput(field_errors={"framework": [f"No framework with code {payload.framework!r}."]})
    plan = plans_services.district_plan_create(user=request.user, framework=framework, unit=unit, title=payload.title, code=payload.code)
    return Status(201, _version_out(plan, plan.versions.get()))


@router.get(
    "/district-plans/{code}",
    response={200: PlanVersionOut, **error_responses(404)},
    summary="A plan's working version (its draft, else its latest) with its four steps and gaps",
)
def district_plan(request: HttpRequest, code: str):
    found = plans_selectors.district_plan_get(user=request.user, code=code)
    return _version_out(found, plans_selectors.plan_version_get(user=request.user, plan=found))


@router.get("/district-plans/{code}/versions", response={200: list[PlanVersionSummaryOut], **error_responses(404)}, summary="Every version of a plan")
def district_plan_versions(request: HttpRequest, code: str):
    found = plans_selectors.district_plan_get(user=request.user, code=code)
    return [
        PlanVersionSummaryOut(
            number=v.number, status=v.status, agreed_by=v.agreed_by.get_username() if v.agreed_by else None, agreed_at=v.agreed_at, created_at=v.created_at
        )
        for v in plans_selectors.plan_versions(user=request.user, plan=found)
    ]


@router.get("/district-plans/{code}/versions/{number}", response={200: PlanVersionOut, **error_responses(404)}, summary="One version of a plan")
def district_plan_version(request: HttpRequest, code: str, number: int):
    found = plans_selectors.district_plan_get(user=request.user, code=code)
    return _version_out(found, plans_selectors.plan_version_get(user=request.user, plan=found, number=number))


class PartIn(BoundedInput):
    text: str


@router.post("/district-plans/{code}/focus-areas", response=WRITE, summary="Step 1: add a focus area (an agreed version gets a new draft)")
def focus_area_add(request: HttpRequest, code: str, payload: PartIn):

    return _written(request, code, lambda p: plans_services.plan_part_add(user=request.user, plan=p, part="focus_areas", text=payload.text))


@router.post("/district-plans/{code}/conditions", response=WRITE, summary="Step 2: add a condition for success")
def condition_add(request: HttpRequest, code: str, payload: PartIn):

    return _written(request, code, lambda p: plans_services.plan_part_add(user=request.user, plan=p, part="conditions", text=payload.text))


class AnswersIn(BoundedInput):
    answers: dict[str, str]


@router.put("/district-plans/{code}/answers", response=WRITE, summary="Steps 3 and 4: answer the framework's questions (by question code)")
def answers_set(request: HttpRequest, code: str, payload: AnswersIn):

    def write(p):
        for question, text in payload.answers.items():
            plans_services.plan_answer_set(user=request.user, plan=p, question=question, text=text)

    return _written(request, code, write)


class PriorityActionIn(BoundedInput):
    bounded_by = (ChainElement,)
    activity: str
    output: str = ""
    outcome: str = ""
    impact: str = ""
    owner: str = ""
    timeframe: str = ""


@router.post("/district-plans/{code}/priority-actions", response=WRITE, summary="Step 3: add a chain Activity → Output → Outcome → Impact")
def priority_action_add(request: HttpRequest, code: str, payload: PriorityActionIn):

    return _written(request, code, lambda p: plans_services.priority_action_add(user=request.user, plan=p, **payload.model_dump()))


class RemovalBoxOut(Schema):
    key: str
    kind: str
    text: str
    used_by: list[str] = []


class RemovalOut(Schema):
    """What removing a priority action takes: send ``fingerprint`` back as ``seen`` to remove exactly this."""

    version: int
    removed: list[RemovalBoxOut]
    kept: list[RemovalBoxOut]
    monitoring: list[str]
    fingerprint: str


@router.get(
    "/district-plans/{code}/priority-actions/{key}/removal",
    response={200: RemovalOut, **error_responses(404)},
    summary="Step 3: what removing a priority action would remove and what it would keep (nothing changes)",
)
def priority_action_removal(request: HttpRequest, code: str, key: str):

    found = plans_selectors.district_plan_get(user=request.user, code=code)
    version = plans_selectors.plan_version_get(user=request.user, plan=found)
    action = version.elements.filter(key=key, kind="activity").first()
    if action is None:
        return Status(404, ErrorOut(detail=f"No priority action of this plan has the key '{key}'."))
    removal = chain_removal(version, action)
    return RemovalOut(
        version=version.number,
        fingerprint=removal.fingerprint,
        removed=[RemovalBoxOut(key=e.key, kind=e.kind, text=e.text) for e in removal.removed],
        kept=[RemovalBoxOut(key=e.key, kind=e.kind, text=e.text, used_by=[u.key for u in users]) for e, users in removal.kept],
        monitoring=[f"{r.outcome.key}: {r.indicator_name or r.indicator_code}" for r in removal.monitoring],
    )


@router.delete(
    "/district-plans/{code}/priority-actions/{key}",
    response=WRITE,
    summary="Step 3: remove a priority action and every box no other priority action uses",
    description="Pass `seen` (the `fingerprint` of the removal you were shown) to be refused with 422, and nothing "
    "removed, if the plan has changed so that the removal would now take something else.",
)
def priority_action_remove(request: HttpRequest, code: str, key: str, seen: str | None = None):

    return _written(request, code, lambda p: plans_services.priority_action_remove(user=request.user, plan=p, key=key, seen=seen))


@router.delete(
    "/district-plans/{code}/boxes/{key}", response=WRITE, summary="Step 3: remove a box that is on no chain (a box on a chain goes with its priority action)"
)
def box_remove(request: HttpRequest, code: str, key: str):

    return _written(request, code, lambda p: plans_services.chain_element_remove(user=request.user, plan=p, key=key))


class BoxIn(BoundedInput):
    bounded_by = (ChainElement,)
    kind: str
    text: str
    key: str = ""
    leads_to: list[str] = []
    led_from: list[str] = []
    owner: str = ""
    timeframe: str = ""


@router.post("/district-plans/{code}/boxes", response=WRITE, summary="Step 3: add one box to the logic model, linked by key")
def box_add(request: HttpRequest, code: str, payload: BoxIn):

    return _written(request, code, lambda p: plans_services.chain_element_add(user=request.user, plan=p, **payload.model_dump()))


class MonitoringIn(BoundedInput):
    bounded_by = (MonitoringRow,)
    outcome: str
    indicator_code: str  # an indicator of the Measures catalogue
    indicator_name: str = ""  # the group's own wording for it; the catalogue's name by default
    baseline: str = ""
    data_source: str = ""
    responsible_agency: str = ""
    responsibility: str = ""


@router.post("/district-plans/{code}/monitoring", response=WRITE, summary="Step 4: say how an outcome is monitored")
def monitoring_add(request: HttpRequest, code: str, payload: MonitoringIn):

    def write(p):
        agency = None
        if payload.responsible_agency:
            try:
                agency = agency_resolve(payload.responsible_agency)
            except ValidationError:
                raise ValidationError({"responsible_agency": f"No agency is called '{payload.responsible_agency}'."}) from None
        plans_services.monitoring_row_add(
            user=request.user,
            plan=p,
            outcome_key=payload.outcome,
            indicator_name=payload.indicator_name,
            indicator_code=payload.indicator_code,
            baseline=payload.baseline,
            data_source=payload.data_source,
            responsible_agency=agency,
            responsibility=payload.responsibility,
        )

    return _written(request, code, write)


@router.post(
    "/district-plans/{code}/{move}",
    response=WRITE,
    summary="Move the plan on: agree, activate, review, draft or discard",
    description="`agree` is refused with 422 listing every gap while any remain; `draft` opens a new draft of an agreed plan.",
)
def district_plan_move(request: HttpRequest, code: str, move: PlanMove):

    moves = plans_services.PLAN_MOVE_SERVICES
    if move not in moves:
        raise InvalidInput(f"Unknown move '{move}'; use one of: {', '.join(moves)}.")
    return _written(request, code, lambda p: moves[move](user=request.user, plan=p))


@router.get("/indicators/{indicator_code}/links", response=list[dict], summary="The outcomes of co-designed plans that use an indicator code")
def indicator_links(request: HttpRequest, indicator_code: str):
    return plans_selectors.indicator_links(user=request.user, indicator_code=indicator_code)
